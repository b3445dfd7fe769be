"""The registry as it stood on a day: the as-of rules every report and page shares.

Records keep their dated events (status changes, enrollment events, attendance dates, business
starts, licences, steps); these pure functions say what was true at the end of a day (ISO text).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from up2k_cli.i18n import N_, Msg

from . import batch as rules
from . import outcomes as outcome_rules
from .cadre import status_on

Record = dict[str, Any]


@dataclass
class Snapshot:
    """What was known at the end of `iso`: cadres, batches and enrollments with their state then."""

    iso: str
    meta: Record
    kelurahan: dict[str, str]
    cadres: list[Record]
    batches: dict[str, Record]
    enrollments: list[Record]
    businesses: list[Record] = field(default_factory=list)
    steps: list[Record] = field(default_factory=list)
    incomes: list[Record] = field(default_factory=list)

    @property
    def day(self) -> dt.date:
        return dt.date.fromisoformat(self.iso)


def enrollment_status_on(e: Mapping[str, Any], day: str) -> str | None:
    """The status an enrollment had at the end of `day`: its last event dated on or before."""
    status = None
    for event in e.get("events") or ():
        if event["on"] <= day:
            status = event["status"]
    return status


def event_dates(e: Mapping[str, Any], status: str) -> list[str]:
    return [ev["on"] for ev in e.get("events") or () if ev["status"] == status]


def as_of(
    day: str,
    meta: Record,
    kelurahan: dict[str, str],
    cadres: Iterable[Record],
    batches: Iterable[Record],
    enrollments: Iterable[Record],
    businesses: Iterable[Record] = (),
    steps: Iterable[Record] = (),
    incomes: Iterable[Record] = (),
) -> Snapshot:
    """The records as they stood at the end of `day`: later ones left out, statuses as they were."""
    kept = []
    for c in cadres:
        state = status_on(c, day)
        if state is not None:  # copy only what differs from today's record (rarely anything)
            kept.append(c if state == c["status"] else {**c, "status": state})
    # A batch entered after the fact still existed from its start or its first enrollment.
    all_batches = {b["code"]: b for b in batches}
    existing = {c: b for c, b in all_batches.items() if min(b["created_on"], b["start"]) <= day}
    held = []
    for e in enrollments:
        if e["batch"] not in all_batches:
            continue
        state = enrollment_status_on(e, day)
        if state is None:
            continue
        attendance = e.get("attendance") or {}
        attended = {s: d for s, d in attendance.items() if d <= day}
        same = state == e["status"] and len(attended) == len(attendance)
        held.append(e if same else {**e, "status": state, "attendance": attended})
        existing.setdefault(e["batch"], all_batches[e["batch"]])
    return Snapshot(
        iso=day,
        meta=meta,
        kelurahan=kelurahan,
        cadres=kept,
        batches=existing,
        enrollments=held,
        businesses=[b for b in businesses if outcome_rules.business_start(b) <= day],
        steps=[r for r in steps if r["on"] <= day],
        incomes=[r for r in incomes if r["on"] <= day],
    )


def earliest(pairs: Iterable[tuple[str, str]], day: str) -> dict[str, str]:
    """cadre_id -> the earliest of its dates on or before `day`."""
    first: dict[str, str] = {}
    for cadre_id, on in pairs:
        if on <= day and (cadre_id not in first or on < first[cadre_id]):
            first[cadre_id] = on
    return first


def completion_dates(snap: Snapshot, kind: str) -> dict[str, str]:
    """cadre_id -> the day it first completed a batch of this kind (training or mentoring)."""
    return earliest(
        (
            (e["cadre_id"], on)
            for e in snap.enrollments
            if snap.batches[e["batch"]]["kind"] == kind
            for on in event_dates(e, rules.COMPLETED)
        ),
        snap.iso,
    )


NEW_ENTREPRENEUR = Msg(
    N_(
        "new entrepreneur = a cadre with a business started (counted once, from the start date of "
        "the first business, or the day it was recorded when the start date is unknown)"
    )
)


def new_entrepreneurs(snap: Snapshot) -> dict[str, str]:
    """cadre_id -> the day the cadre became a new entrepreneur: the start of its first business."""
    return earliest(((b["cadre_id"], outcome_rules.business_start(b)) for b in snap.businesses), snap.iso)


def steps_by_cadre(snap: Snapshot) -> dict[str, dict[str, str]]:
    """cadre_id -> {7 PAS step: first day reached}, as of the snapshot's day."""
    training = completion_dates(snap, rules.TRAINING)
    mentoring = completion_dates(snap, rules.MENTORING)
    licences = earliest(
        ((b["cadre_id"], d) for b in snap.businesses if (d := outcome_rules.licensed_on(b))),
        snap.iso,
    )
    recorded: dict[str, list[Record]] = defaultdict(list)
    for r in snap.steps:
        recorded[r["cadre_id"]].append(r)
    return {
        c["id"]: outcome_rules.steps_reached(
            c, training, mentoring, licences, recorded.get(c["id"], ()), snap.iso
        )
        for c in snap.cadres
    }
