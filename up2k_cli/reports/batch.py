"""`report batch`: one batch on a day: fill per kelurahan against the quota, attendance per
session, who is enrolled below the minimum attendance (IDs and names), completion."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from up2k_cli.domain import batch as rules
from up2k_cli.domain import timeline
from up2k_cli.domain.errors import ValidationError
from up2k_cli.domain.timeline import Snapshot
from up2k_cli.i18n import N_, Msg
from up2k_cli.storage.protocol import UnitOfWork

from .common import id_order, pct
from .load import kelurahan_names


@dataclass(frozen=True)
class FillLine:
    code: str
    name: str
    places: int  # enrolled + completed
    quota: int | None
    fill_pct: float | None
    completed: int
    waitlisted: int
    withdrawn: int


@dataclass(frozen=True)
class SessionLine:
    session: int
    date: str | None  # the first day it was recorded as attended
    present: int
    places: int
    attendance_pct: float | None


@dataclass(frozen=True)
class BelowMinimum:
    cadre_id: str
    name: str | None
    kelurahan: str
    sessions_attended: int
    attendance_pct: float


@dataclass(frozen=True)
class BatchFigures:
    as_of: str
    code: str
    title: str
    start: str
    end: str
    capacity: int
    quota: int | None  # per kelurahan; None: no quota
    sessions: int  # planned
    min_attendance: int  # percent
    places: int  # held (enrolled or completed)
    completed: int
    completion_pct: float | None
    fill: tuple[FillLine, ...]
    session_lines: tuple[SessionLine, ...]
    below_minimum: tuple[BelowMinimum, ...]


def batch(uow: UnitOfWork, *, code: str, as_of: dt.date) -> BatchFigures:
    """The batch `code` (as stored: services resolve what people type); in an open unit of work."""
    # One batch's report costs one batch's work: its record, its enrollments and their cadres'
    # names, as they stood on the day (the same figures as from the whole registry's snapshot).
    meta = uow.meta
    found = uow.batches.get(code)
    enrollments = uow.enrollments.find(batch=code) if found is not None else []
    snap = timeline.as_of(
        as_of.isoformat(), meta, kelurahan_names(meta), (), [found] if found else [], enrollments
    )
    cadres = uow.cadres.get_many({e["cadre_id"] for e in enrollments})
    return batch_figures(snap, code, {ident: c["name"] for ident, c in cadres.items()})


def batch_figures(snap: Snapshot, code: str, names: dict[str, str]) -> BatchFigures:
    b = snap.batches.get(code)
    if b is None:
        raise ValidationError("as-of", snap.iso, Msg(N_("batch {code} did not exist yet then"), code=code))
    mine = [e for e in snap.enrollments if e["batch"] == b["code"]]
    quota = b["quota_per_kelurahan"] or None
    fill: dict[str, Counter[str]] = defaultdict(Counter)
    for e in mine:
        fill[e["kelurahan_code"]][e["status"]] += 1
    fill_lines = []
    for kel_code, kel_name in sorted(snap.kelurahan.items()):
        c = fill[kel_code]
        places = c[rules.ENROLLED] + c[rules.COMPLETED]
        fill_lines.append(
            FillLine(kel_code, kel_name, places, quota, pct(places, quota) if quota else None,
                     c[rules.COMPLETED], c[rules.WAITLISTED], c[rules.WITHDRAWN])
        )  # fmt: skip
    holding = [e for e in mine if e["status"] in rules.HOLDS_PLACE]
    sessions = []
    for s in range(1, b["sessions"] + 1):
        present = sum(1 for e in holding if str(s) in e["attendance"])
        dates = sorted({e["attendance"][str(s)] for e in holding if str(s) in e["attendance"]})
        sessions.append(
            SessionLine(s, dates[0] if dates else None, present, len(holding),
                        pct(present, len(holding)) if present else None)
        )  # fmt: skip
    below = tuple(
        BelowMinimum(e["cadre_id"], names.get(e["cadre_id"]), snap.kelurahan.get(e["kelurahan_code"], ""),
                     len(e["attendance"]), round(rules.attendance_share(b, e), 1))
        for e in sorted(holding, key=lambda x: id_order(x["cadre_id"]))
        if e["status"] == rules.ENROLLED and not rules.meets_attendance(b, e)
    )  # fmt: skip
    completed = sum(1 for e in holding if e["status"] == rules.COMPLETED)
    return BatchFigures(
        as_of=snap.iso,
        code=b["code"],
        title=b["title"],
        start=b["start"],
        end=b["end"],
        capacity=b["capacity"],
        quota=quota,
        sessions=b["sessions"],
        min_attendance=b["min_attendance"],
        places=len(holding),
        completed=completed,
        completion_pct=pct(completed, len(holding)),
        fill=tuple(fill_lines),
        session_lines=tuple(sessions),
        below_minimum=below,
    )
