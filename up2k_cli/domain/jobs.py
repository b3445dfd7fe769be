"""The figures of `report jobs`: jobs the programme's businesses give (owners, unpaid family
workers, paid workers), jobs held by people who were unemployed, cadres who moved from
unemployed to working, and micro/small counts; per kelurahan, per category and in total, on a
day and against a past day. Pure: records in, dataclasses out.

Counting rules: an owner is one job however many businesses they own (once per person); a
business counts as it stood at the end of the day (its latest follow-up then; several on one
date count once, the last recorded); workers are counts the businesses report, not people."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .cadre import BUSINESS_CATEGORIES
from .outcomes import business_start
from .timeline import Snapshot
from .work import MEDIUM, MICRO, SMALL, UNEMPLOYED, WORKING, business_state, size_class, work_status_on

KELURAHAN, CATEGORY, TOTAL = "kelurahan", "category", "total"


@dataclass(frozen=True)
class JobFigures:
    """One line's figures on one day."""

    businesses: int = 0
    owners: int = 0  # people, each once
    family_workers: int = 0  # unpaid family workers
    paid_workers: int = 0
    paid_formerly_unemployed: int = 0  # paid workers who were unemployed before
    paid_local: int = 0  # paid workers living in the kecamatan
    owners_formerly_unemployed: int = 0  # owners looking for work when they registered
    micro: int = 0  # PP 7/2021, from 12 x the monthly turnover
    small: int = 0
    medium: int = 0  # above small: neither micro nor small
    size_unknown: int = 0  # no turnover recorded
    # Cadres looking for work when they registered and working on the day (people, not
    # businesses): on kelurahan and total lines; None on category lines.
    moved_to_work: int | None = None

    @property
    def jobs(self) -> int:
        return self.owners + self.family_workers + self.paid_workers

    @property
    def jobs_formerly_unemployed(self) -> int:
        """Jobs held by people who were unemployed: paid workers who were, and owners who were."""
        return self.paid_formerly_unemployed + self.owners_formerly_unemployed

    def minus(self, other: JobFigures) -> JobFigures:
        """The change from `other` (an earlier day) to this one."""
        values: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            values[f.name] = None if mine is None or theirs is None else mine - theirs
        return JobFigures(**values)


@dataclass(frozen=True)
class JobsLine:
    kind: str  # kelurahan, category or total
    key: str  # the kelurahan code, the category, or "" for the total
    label: str  # the kelurahan's name or the category; "" on the total line
    figures: JobFigures
    before: JobFigures | None = None  # on the past day, when asked

    @property
    def change(self) -> JobFigures | None:
        return None if self.before is None else self.figures.minus(self.before)


@dataclass(frozen=True)
class JobsReport:
    as_of: str
    since: str | None
    kelurahan: tuple[JobsLine, ...]
    categories: tuple[JobsLine, ...]
    total: JobsLine


def jobs_report(
    now: Snapshot, follow_ups: Iterable[Mapping[str, Any]], before: Snapshot | None = None
) -> JobsReport:
    """The jobs figures of a snapshot's day, and of an earlier snapshot's to compare with."""
    follow_ups = list(follow_ups)
    today = _figures(now, follow_ups)
    past = _figures(before, follow_ups) if before is not None else None

    def line(kind: str, key: str, label: str) -> JobsLine:
        empty = JobFigures(moved_to_work=None if kind == CATEGORY else 0)
        return JobsLine(
            kind,
            key,
            label,
            today.get((kind, key), empty),
            None if past is None else past.get((kind, key), empty),
        )

    return JobsReport(
        as_of=now.iso,
        since=before.iso if before is not None else None,
        kelurahan=tuple(line(KELURAHAN, code, name) for code, name in sorted(now.kelurahan.items())),
        categories=tuple(line(CATEGORY, c.label, c.label) for c in BUSINESS_CATEGORIES),
        total=line(TOTAL, "", ""),
    )


def _figures(snap: Snapshot, follow_ups: list[Mapping[str, Any]]) -> dict[tuple[str, str], JobFigures]:
    day = snap.iso
    cadres = {c["id"]: c for c in snap.cadres}
    unemployed_then = {cid for cid, c in cadres.items() if c.get("work_status") == UNEMPLOYED}
    by_business: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for f in follow_ups:
        by_business[f["business_id"]].append(f)
    sums: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    starts: dict[str, list[str]] = defaultdict(list)
    for b in snap.businesses:
        owner = cadres.get(b["cadre_id"])
        if owner is None:  # its owner registered after the day: not the programme's yet
            continue
        starts[owner["id"]].append(business_start(b))
        state = business_state(b, by_business.get(b["id"], ()), day)
        size = size_class(state["turnover"])
        for key in ((KELURAHAN, owner["kelurahan_code"]), (CATEGORY, b["category"]), (TOTAL, "")):
            line = sums[key]
            line["businesses"] += 1
            line["family_workers"] += state["family_workers"] or 0
            line["paid_workers"] += state["paid_workers"] or 0
            line["paid_formerly_unemployed"] += state["paid_were_unemployed"] or 0
            line["paid_local"] += state["paid_local"] or 0
            line[{MICRO: "micro", SMALL: "small", MEDIUM: "medium"}.get(size or "", "size_unknown")] += 1
            owners[key].add(owner["id"])
    statuses: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in snap.incomes:
        statuses[r["cadre_id"]].append(r)
    moved: dict[tuple[str, str], int] = defaultdict(int)
    for cid in unemployed_then:
        cadre = cadres[cid]
        if work_status_on(cadre, statuses.get(cid, ()), starts.get(cid, ()), day) == WORKING:
            moved[(KELURAHAN, cadre["kelurahan_code"])] += 1
            moved[(TOTAL, "")] += 1
    result = {}
    for key in set(sums) | set(moved):
        people = owners.get(key, set())
        result[key] = JobFigures(
            **sums.get(key, {}),
            owners=len(people),
            owners_formerly_unemployed=len(people & unemployed_then),
            moved_to_work=None if key[0] == CATEGORY else moved.get(key, 0),
        )
    return result
