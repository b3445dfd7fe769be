"""The dashboard's figures: for the kecamatan and each kelurahan, progress toward the target,
the 7 PAS funnel, household income, jobs and groups by tier, the last weeks' activity. Counts
and amounts only, no personal data. Every figure comes from the report that computes it (the
target, pipeline and income reports, domain/jobs.py, domain/pokja2.py, the weekly report's
activity): the dashboard shows what the reports say, read once from the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from up2k_cli.domain.groups import TIER_CODES, UNCLASSED
from up2k_cli.domain.jobs import JobFigures, jobs_report
from up2k_cli.domain.outcomes import STEP_NAMES
from up2k_cli.domain.pokja2 import Pokja2Line

if TYPE_CHECKING:
    from up2k_cli.storage.protocol import UnitOfWork

WEEKS = 12  # the recent activity shown, as the target's pace
ACTIVITY = ("registrations", "enrollments", "completions", "businesses")
TIERS = (*TIER_CODES, UNCLASSED)


@dataclass(frozen=True)
class Week:
    monday: str
    counts: Mapping[str, int]  # metric of ACTIVITY -> count


@dataclass(frozen=True)
class Bin:
    """Households whose monthly income is in [low, high) (high None: and above)."""

    low: int
    high: int | None
    baseline: int
    latest: int


# Rupiah a month: the UMP of Jakarta is about 5.4 million (2025); most UP2K households are below.
EDGES = (0, 1_000_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000, 7_500_000, 10_000_000)


def bins(baselines: list[int], latests: list[int]) -> tuple[Bin, ...]:
    from bisect import bisect_right

    def counts(values: list[int]) -> list[int]:
        found = [0] * len(EDGES)
        for v in values:
            found[max(bisect_right(EDGES, v) - 1, 0)] += 1
        return found

    base, latest = counts(baselines), counts(latests)
    highs = [*EDGES[1:], None]
    return tuple(Bin(lo, hi, b, n) for lo, hi, b, n in zip(EDGES, highs, base, latest, strict=True))


@dataclass(frozen=True)
class Area:
    """The kecamatan (code "") or one kelurahan."""

    code: str
    name: str
    progress: Mapping[str, Any]  # the target report's line
    cumulative: tuple[tuple[str, int], ...]  # (a week's last day, new entrepreneurs by then)
    funnel: tuple[tuple[str, int], ...]  # (7 PAS step, cadres who reached it)
    income: Mapping[str, Any]  # the income report's line
    incomes: tuple[Bin, ...]  # the households' baselines and latest follow-ups: the distribution
    jobs: JobFigures
    groups: Pokja2Line
    weeks: tuple[Week, ...]


@dataclass(frozen=True)
class Dashboard:
    as_of: str
    start: str  # the programme's five years
    end: str
    minimum: int
    stretch: int
    region: str
    registry: str  # a path or a database, never credentials
    made: str  # when the page was made (local time, to the minute)
    kecamatan: Area
    kelurahan: tuple[Area, ...]


def gather(uow: UnitOfWork, as_of: dt.date, registry: str, made: str) -> Dashboard:
    """Every figure of the dashboard, from one read of the registry and one snapshot of the day,
    handed to the reports' own read models (reports/)."""
    from up2k_cli.domain.timeline import new_entrepreneurs
    from up2k_cli.reports.income import households, income_figures
    from up2k_cli.reports.jobs import total_line
    from up2k_cli.reports.load import snapshot
    from up2k_cli.reports.pipeline import pipeline_figures
    from up2k_cli.reports.pokja2 import pokja2
    from up2k_cli.reports.target import add_years, target_figures
    from up2k_cli.reports.weekly import activity

    from .share import region_label

    with uow:
        snap = snapshot(uow, as_of)
        follow_ups = uow.business_follow_ups.all()
        groups = pokja2(uow, as_of=as_of)
        region = region_label(uow.meta)
    jobs = jobs_report(snap, follow_ups)
    target = target_figures(snap, total_line(jobs))
    pipeline = pipeline_figures(snap)
    income = income_figures(snap)
    incomes = households(snap)
    achieved = new_entrepreneurs(snap)
    goal = snap.meta["target"]
    start = dt.date.fromisoformat(goal["start"])
    end = add_years(start, goal["years"])
    mondays = [as_of - dt.timedelta(days=as_of.weekday() + 7 * (WEEKS - 1 - i)) for i in range(WEEKS)]
    windows = [(m.isoformat(), min(m + dt.timedelta(days=6), as_of).isoformat()) for m in mondays]
    per_week = activity(snap, achieved, windows)
    kel_of = {c["id"]: c["kelurahan_code"] for c in snap.cadres}
    sundays = _sundays(start, as_of)

    progress = {line.code: asdict(line) for line in (*target.kelurahan, target.total)}
    steps = {line.code: line.steps for line in (*pipeline.kelurahan, pipeline.total)}
    lines = {line.code: asdict(line) for line in (*income.kelurahan, income.total)}
    job_lines = {line.key: line.figures for line in (*jobs.kelurahan, jobs.total)}
    group_lines = {line.key: line for line in (*groups.kelurahan, groups.total)}

    def area(code: str, name: str) -> Area:
        mine = sorted(d for cid, d in achieved.items() if not code or kel_of.get(cid) == code)
        pairs = [p for k, ps in incomes.items() if not code or k == code for p in ps]
        return Area(
            code=code,
            name=name,
            progress=progress[code],
            cumulative=tuple((day, _count_to(mine, day)) for day in sundays),
            funnel=tuple((s, steps[code][s]) for s in STEP_NAMES),
            income=lines[code],
            incomes=bins([b for b, _ in pairs if b is not None], [n for _, n in pairs if n is not None]),
            jobs=job_lines[code],
            groups=group_lines[code],
            weeks=tuple(
                Week(m.isoformat(), {k: _sum(out[k], code) for k in ACTIVITY})
                for m, out in zip(mondays, per_week, strict=True)
            ),
        )

    return Dashboard(
        as_of=snap.iso,
        start=start.isoformat(),
        end=end.isoformat(),
        minimum=goal["minimum"],
        stretch=goal["stretch"],
        region=region,
        registry=registry,
        made=made,
        kecamatan=area("", region),
        kelurahan=tuple(area(code, name) for code, name in sorted(snap.kelurahan.items())),
    )


def registry_label(location: str | Path) -> str:
    """Where the figures come from, as the page names it: a file's path, or 'database up2k on
    db.example:5432' for a PostgreSQL URL: never its user or password."""
    from up2k_cli.storage import named

    return named(location)


def _sundays(start: dt.date, as_of: dt.date) -> list[str]:
    """The last day of every week from the programme's start to `as_of` (`as_of` itself last)."""
    days = []
    day = start + dt.timedelta(days=6 - start.weekday())
    while day < as_of:
        days.append(day.isoformat())
        day += dt.timedelta(days=7)
    return [*days, as_of.isoformat()] if as_of >= start else []


def _count_to(sorted_days: list[str], day: str) -> int:
    from bisect import bisect_right

    return bisect_right(sorted_days, day)


def _sum(counts: Mapping[str, int], code: str) -> int:
    return sum(counts.values()) if not code else counts.get(code, 0)
