"""`report kelurahan`: one line per kelurahan and the total: cadres, enrollments by status,
completion, businesses, new entrepreneurs."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from up2k_cli.domain import batch as rules
from up2k_cli.domain.cadre import ACTIVE
from up2k_cli.domain.timeline import Snapshot, new_entrepreneurs
from up2k_cli.storage.protocol import UnitOfWork

from .common import FIRST_BUSINESS, kelurahan_of, pct
from .load import snapshot


@dataclass(frozen=True)
class KelurahanLine:
    code: str  # "" on the total line
    name: str  # "" on the total line
    cadres: int
    active: int
    enrolled: int  # enrollments, not people: a cadre in two batches counts twice
    completed: int
    waitlisted: int
    withdrawn: int
    completion_rate: float | None  # completed / (enrolled + completed + withdrawn), percent
    businesses: int
    new_entrepreneurs: int


@dataclass(frozen=True)
class KelurahanFigures:
    as_of: str
    definition: str
    kelurahan: tuple[KelurahanLine, ...]
    total: KelurahanLine


def kelurahan(uow: UnitOfWork, *, as_of: dt.date) -> KelurahanFigures:
    """In an open unit of work."""
    return kelurahan_figures(snapshot(uow, as_of))


def kelurahan_figures(snap: Snapshot) -> KelurahanFigures:
    kel_of = kelurahan_of(snap)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for c in snap.cadres:
        counts[c["kelurahan_code"]]["cadres"] += 1
        if c["status"] == ACTIVE:
            counts[c["kelurahan_code"]]["active"] += 1
    for e in snap.enrollments:
        counts[e["kelurahan_code"]][e["status"]] += 1
    for cadre_id in new_entrepreneurs(snap):
        counts[kel_of.get(cadre_id, "")]["new_entrepreneurs"] += 1
    for b in snap.businesses:
        counts[kel_of.get(b["cadre_id"], "")]["businesses"] += 1
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)
    return KelurahanFigures(
        as_of=snap.iso,
        definition=FIRST_BUSINESS,
        kelurahan=tuple(_line(code, name, counts[code]) for code, name in sorted(snap.kelurahan.items())),
        total=_line("", "", total),
    )


def _line(code: str, name: str, c: Counter[str]) -> KelurahanLine:
    took_place = c[rules.ENROLLED] + c[rules.COMPLETED] + c[rules.WITHDRAWN]
    return KelurahanLine(
        code=code,
        name=name,
        cadres=c["cadres"],
        active=c["active"],
        enrolled=c[rules.ENROLLED],
        completed=c[rules.COMPLETED],
        waitlisted=c[rules.WAITLISTED],
        withdrawn=c[rules.WITHDRAWN],
        completion_rate=pct(c[rules.COMPLETED], took_place),
        businesses=c["businesses"],
        new_entrepreneurs=c["new_entrepreneurs"],
    )
