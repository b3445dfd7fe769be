"""`report target`: progress toward the minimum and stretch targets of new entrepreneurs, per
kelurahan (an equal share each) and in total: share reached, time elapsed, weekly pace needed,
pace of the last weeks, projection; and the jobs line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from up2k_cli.domain.timeline import Snapshot, new_entrepreneurs
from up2k_cli.storage.protocol import UnitOfWork

from .common import FIRST_BUSINESS, kelurahan_of, pct
from .jobs import JobsTotal, jobs_total
from .load import snapshot

PACE_WEEKS = 12


@dataclass(frozen=True)
class TargetLine:
    code: str  # "" on the total line
    name: str
    share: float  # this line's share of the target: 1 / kelurahan, or 1 on the total line
    achieved: int
    target_minimum: float | int  # the share of the target (rounded to one decimal)
    target_stretch: float | int
    minimum_pct: float | None
    stretch_pct: float | None
    needed_per_week_minimum: float | None  # None when no time is left
    needed_per_week_stretch: float | None
    pace_last_12_weeks: float
    projected_at_end: int


@dataclass(frozen=True)
class TargetFigures:
    as_of: str
    definition: str
    start: str
    end: str
    years: int
    minimum: int  # the whole target
    stretch: int
    span_days: int
    elapsed_days: int
    elapsed_pct: float | None
    weeks_left: float  # one decimal
    pace_weeks: int
    kelurahan: tuple[TargetLine, ...]
    total: TargetLine
    jobs: JobsTotal


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def target(uow: UnitOfWork, *, as_of: dt.date) -> TargetFigures:
    """In an open unit of work."""
    snap = snapshot(uow, as_of)
    return target_figures(snap, jobs_total(snap, uow.business_follow_ups.all()))


def target_figures(snap: Snapshot, jobs: JobsTotal) -> TargetFigures:
    day = snap.day
    achieved = new_entrepreneurs(snap)
    goal = snap.meta["target"]
    start = dt.date.fromisoformat(goal["start"])
    end = add_years(start, goal["years"])
    span = (end - start).days
    elapsed = min(max((day - start).days, 0), span)
    weeks_left = max((end - day).days, 0) / 7
    since = (day - dt.timedelta(weeks=PACE_WEEKS)).isoformat()
    kel_of = kelurahan_of(snap)
    share = 1 / (len(snap.kelurahan) or 1)

    def line(code: str, name: str, days: list[str], part: float) -> TargetLine:
        done = len(days)
        minimum, stretch = goal["minimum"] * part, goal["stretch"] * part
        pace = sum(1 for d in days if d > since) / PACE_WEEKS

        def needed(aim: float) -> float | None:
            return None if weeks_left <= 0 else round(max(aim - done, 0) / weeks_left, 2)

        return TargetLine(
            code, name, part, done, _round_target(minimum), _round_target(stretch), pct(done, minimum),
            pct(done, stretch), needed(minimum), needed(stretch), round(pace, 2),
            round(done + pace * max(weeks_left, 0)),
        )  # fmt: skip

    return TargetFigures(
        as_of=snap.iso,
        definition=FIRST_BUSINESS,
        start=start.isoformat(),
        end=end.isoformat(),
        years=goal["years"],
        minimum=goal["minimum"],
        stretch=goal["stretch"],
        span_days=span,
        elapsed_days=elapsed,
        elapsed_pct=pct(elapsed, span),
        weeks_left=round(weeks_left, 1),
        pace_weeks=PACE_WEEKS,
        kelurahan=tuple(
            line(code, name, [d for cid, d in achieved.items() if kel_of.get(cid) == code], share)
            for code, name in sorted(snap.kelurahan.items())
        ),
        total=line("", "", list(achieved.values()), 1),
        jobs=jobs,
    )


def _round_target(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 1)
