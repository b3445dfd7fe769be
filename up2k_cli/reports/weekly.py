"""`report weekly`: what happened in an ISO week per kelurahan against the week before, and the
cumulative figures (active cadres, new entrepreneurs, target, jobs) at the end of it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from up2k_cli.domain import batch as rules
from up2k_cli.domain import outcomes as outcome_rules
from up2k_cli.domain.cadre import ACTIVE
from up2k_cli.domain.errors import ValidationError
from up2k_cli.domain.timeline import Snapshot, new_entrepreneurs
from up2k_cli.i18n import N_, Msg
from up2k_cli.storage.protocol import UnitOfWork

from .common import FIRST_BUSINESS, kelurahan_of, pct
from .jobs import JobsTotal, jobs_total
from .load import snapshot

# What a week counts, in the order reports show it.
METRICS = (
    "registrations",
    "enrollments",
    "attendance",
    "completions",
    "withdrawals",
    "businesses",
    "new_entrepreneurs",
)
EVENT_METRICS = {
    rules.ENROLLED: "enrollments",
    rules.COMPLETED: "completions",
    rules.WITHDRAWN: "withdrawals",
}


@dataclass(frozen=True)
class WeeklyLine:
    code: str  # "" on the total line
    name: str
    this_week: Mapping[str, int]  # metric -> count, every metric of METRICS
    week_before: Mapping[str, int]


@dataclass(frozen=True)
class WeeklyFigures:
    as_of: str  # the last day counted
    definition: str
    week: str  # 2026-W48
    start: str  # its Monday
    end: str  # its Sunday, or the day asked for while the week runs
    complete: bool
    kelurahan: tuple[WeeklyLine, ...]
    total: WeeklyLine
    cadres_active: int  # at the end of `end`
    new_entrepreneurs: int
    target_minimum: int
    target_minimum_pct: float | None
    target_stretch: int
    target_stretch_pct: float | None
    jobs: JobsTotal


def parse_week(value: str | None, today: dt.date) -> tuple[dt.date, dt.date, bool]:
    """(monday, last day counted, complete?) for '2026-W48', 'current', or the last full week."""
    text = (value or "").strip().lower()
    if text == "current":
        monday = today - dt.timedelta(days=today.weekday())
        return monday, today, False
    if not text:
        monday = today - dt.timedelta(days=today.weekday() + 7)
        return monday, monday + dt.timedelta(days=6), True
    try:
        year, week = text.upper().split("-W")
        monday = dt.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ValidationError(
            "week", value, Msg(N_("write an ISO week like 2026-W48, or 'current'"))
        ) from None
    sunday = monday + dt.timedelta(days=6)
    if monday > today:
        raise ValidationError("week", value, Msg(N_("has not started yet (today is {today})"), today=today))
    return monday, min(sunday, today), sunday <= today


def week_label(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def check(*, week: str | None = None, as_of: dt.date) -> None:
    parse_week(week, as_of)


def weekly(uow: UnitOfWork, *, week: str | None = None, as_of: dt.date) -> WeeklyFigures:
    """The week `week` (default: the last complete one) seen from the end of `as_of`. In an open
    unit of work."""
    monday, last_day, complete = parse_week(week, as_of)
    snap = snapshot(uow, last_day)
    return weekly_figures(snap, monday, complete, jobs_total(snap, uow.business_follow_ups.all()))


def weekly_figures(snap: Snapshot, monday: dt.date, complete: bool, jobs: JobsTotal) -> WeeklyFigures:
    achieved = new_entrepreneurs(snap)
    prev_monday = monday - dt.timedelta(days=7)
    previous = (prev_monday.isoformat(), (prev_monday + dt.timedelta(days=6)).isoformat())
    before, this = activity(snap, achieved, [previous, (monday.isoformat(), snap.iso)])

    def line(code: str, name: str) -> WeeklyLine:
        if code:
            return WeeklyLine(
                code, name, {m: this[m][code] for m in METRICS}, {m: before[m][code] for m in METRICS}
            )
        return WeeklyLine(
            "", "", {m: sum(this[m].values()) for m in METRICS}, {m: sum(before[m].values()) for m in METRICS}
        )

    target = snap.meta["target"]
    return WeeklyFigures(
        as_of=snap.iso,
        definition=FIRST_BUSINESS,
        week=week_label(monday),
        start=monday.isoformat(),
        end=snap.iso,
        complete=complete,
        kelurahan=tuple(line(code, name) for code, name in sorted(snap.kelurahan.items())),
        total=line("", ""),
        cadres_active=sum(1 for c in snap.cadres if c["status"] == ACTIVE),
        new_entrepreneurs=len(achieved),
        target_minimum=target["minimum"],
        target_minimum_pct=pct(len(achieved), target["minimum"]),
        target_stretch=target["stretch"],
        target_stretch_pct=pct(len(achieved), target["stretch"]),
        jobs=jobs,
    )


def activity(
    snap: Snapshot, achieved: Mapping[str, str], windows: Sequence[tuple[str, str]]
) -> list[dict[str, Counter[str]]]:
    """Counts per metric per kelurahan of what happened in each window of days (inclusive),
    in one pass over the registry."""
    outs: list[dict[str, Counter[str]]] = [{m: Counter() for m in METRICS} for _ in windows]
    lo, hi = min(w[0] for w in windows), max(w[1] for w in windows)

    def slot(day: str) -> dict[str, Counter[str]] | None:
        if lo <= day <= hi:
            for out, (first, last) in zip(outs, windows, strict=True):
                if first <= day <= last:
                    return out
        return None

    kel_of = kelurahan_of(snap)
    for c in snap.cadres:
        if (out := slot(c["registered_on"])) is not None:
            out["registrations"][c["kelurahan_code"]] += 1
    for e in snap.enrollments:
        kel = e["kelurahan_code"]
        for ev in e.get("events") or ():
            key = EVENT_METRICS.get(ev["status"])
            if key and (out := slot(ev["on"])) is not None:
                out[key][kel] += 1
        for day in e["attendance"].values():
            if (out := slot(day)) is not None:
                out["attendance"][kel] += 1
    for cadre_id, on in achieved.items():
        if (out := slot(on)) is not None:
            out["new_entrepreneurs"][kel_of.get(cadre_id, "")] += 1
    for b in snap.businesses:
        if (out := slot(outcome_rules.business_start(b))) is not None:
            out["businesses"][kel_of.get(b["cadre_id"], "")] += 1
    return outs
