"""`report income`: household income per kelurahan: baselines, follow-ups, medians of the
baseline, the latest and the change, the share that rose. Medians, so that a few large incomes do
not hide the typical change."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from up2k_cli.domain import outcomes as outcome_rules
from up2k_cli.domain.timeline import Snapshot
from up2k_cli.storage.protocol import UnitOfWork

from .common import pct, round1, whole
from .load import snapshot


@dataclass(frozen=True)
class IncomeLine:
    code: str  # "" on the total line
    name: str
    with_baseline: int
    with_follow_up: int
    with_both: int  # the change figures count only these
    median_baseline: int | None  # Rupiah a month
    median_latest: int | None
    median_change: int | None
    median_change_pct: float | None
    rose_pct: float | None


@dataclass(frozen=True)
class IncomeFigures:
    as_of: str
    registered: int  # cadres registered on the day
    kelurahan: tuple[IncomeLine, ...]
    total: IncomeLine


def income(uow: UnitOfWork, *, as_of: dt.date) -> IncomeFigures:
    """In an open unit of work."""
    return income_figures(snapshot(uow, as_of))


def households(snap: Snapshot) -> dict[str, list[tuple[int | None, int | None]]]:
    """(baseline, latest follow-up) of every household, by kelurahan: what the income figures
    (and the dashboard's distribution) are taken from."""
    latest: dict[str, tuple[str, int, str, int]] = {}  # cadre -> (on, id order, amount): the newest
    for r in snap.incomes:
        key = (r["on"], len(r["id"]), r["id"], r["amount"])
        if key > latest.get(r["cadre_id"], ("",)):
            latest[r["cadre_id"]] = key
    found: dict[str, list[tuple[int | None, int | None]]] = defaultdict(list)
    for c in snap.cadres:  # one pass, by kelurahan
        newest = latest.get(c["id"])
        found[c["kelurahan_code"]].append((c.get("income"), newest[3] if newest else None))
    return found


def income_figures(snap: Snapshot) -> IncomeFigures:
    parts = {code: _incomes(pairs) for code, pairs in households(snap).items()}
    everyone = _Incomes.merged(parts.values())  # each household walked once
    return IncomeFigures(
        as_of=snap.iso,
        registered=len(snap.cadres),
        kelurahan=tuple(
            parts.get(code, _Incomes()).line(code, name) for code, name in sorted(snap.kelurahan.items())
        ),
        total=everyone.line("", ""),
    )


@dataclass
class _Incomes:
    """The incomes of a set of households: what the medians are taken from."""

    baselines: list[int] = field(default_factory=list)
    latests: list[int] = field(default_factory=list)
    changes: list[int] = field(default_factory=list)  # households with both
    pcts: list[float] = field(default_factory=list)
    rose: int = 0

    @classmethod
    def merged(cls, parts: Iterable[_Incomes]) -> _Incomes:
        merged = cls()
        for part in parts:
            merged.baselines += part.baselines
            merged.latests += part.latests
            merged.changes += part.changes
            merged.pcts += part.pcts
            merged.rose += part.rose
        return merged

    def line(self, code: str, name: str) -> IncomeLine:
        return IncomeLine(
            code=code,
            name=name,
            with_baseline=len(self.baselines),
            with_follow_up=len(self.latests),
            with_both=len(self.changes),
            median_baseline=whole(outcome_rules.median(self.baselines)),
            median_latest=whole(outcome_rules.median(self.latests)),
            median_change=whole(outcome_rules.median(self.changes)),
            median_change_pct=round1(outcome_rules.median(self.pcts)),
            rose_pct=pct(self.rose, len(self.changes)),
        )


def _incomes(pairs: list[tuple[int | None, int | None]]) -> _Incomes:
    figures = _Incomes(
        baselines=[b for b, _ in pairs if b is not None], latests=[n for _, n in pairs if n is not None]
    )
    for baseline, newest in pairs:
        if baseline is None or newest is None:
            continue
        change, change_pct = outcome_rules.income_change(baseline, newest)
        figures.changes.append(change)
        if change_pct is not None:
            figures.pcts.append(change_pct)
        figures.rose += change > 0
    return figures
