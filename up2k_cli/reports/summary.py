"""`report summary`: cadres, batches, enrollments by status, attendance, businesses, jobs and the
target, on the day; businesses by category and by the agency that facilitates them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from up2k_cli.domain import batch as rules
from up2k_cli.domain import outcomes as outcome_rules
from up2k_cli.domain.cadre import ACTIVE, BUSINESS_CATEGORIES, INACTIVE
from up2k_cli.domain.timeline import Snapshot, new_entrepreneurs
from up2k_cli.storage.protocol import UnitOfWork

from .common import FIRST_BUSINESS, attendance_totals, batch_open_on, pct
from .jobs import JobsTotal, jobs_total
from .load import snapshot


@dataclass(frozen=True)
class SummaryFigures:
    as_of: str
    definition: str  # how new entrepreneurs are counted (reports/common.py)
    cadres: int
    cadres_active: int
    cadres_inactive: int
    batches: int
    batches_training: int
    batches_mentoring: int
    batches_open: int
    enrollments_enrolled: int
    enrollments_completed: int
    enrollments_waitlisted: int
    enrollments_withdrawn: int
    attendance_rate: float | None  # percent
    businesses: int
    new_entrepreneurs: int
    target_minimum: int
    target_minimum_pct: float | None
    target_stretch: int
    target_stretch_pct: float | None
    jobs: JobsTotal
    businesses_by_category: tuple[tuple[str, int], ...]  # every category, in the settings' order
    businesses_by_agency: tuple[tuple[str, int], ...]  # agencies with a referral, by name


def summary(uow: UnitOfWork, *, as_of: dt.date) -> SummaryFigures:
    """In an open unit of work."""
    snap = snapshot(uow, as_of)
    return summary_figures(snap, jobs_total(snap, uow.business_follow_ups.all()))


def summary_figures(snap: Snapshot, jobs: JobsTotal) -> SummaryFigures:
    statuses = Counter(c["status"] for c in snap.cadres)
    kinds = Counter(b["kind"] for b in snap.batches.values())
    by_status = Counter(e["status"] for e in snap.enrollments)
    attended, possible = attendance_totals(snap)
    achieved = len(new_entrepreneurs(snap))
    target = snap.meta["target"]
    settings = snap.meta["settings"]
    by_category = Counter(b["category"] for b in snap.businesses)
    by_agency: Counter[str] = Counter()
    for b in snap.businesses:
        by_agency.update(outcome_rules.referrals(b, settings))
    return SummaryFigures(
        as_of=snap.iso,
        definition=FIRST_BUSINESS,
        cadres=len(snap.cadres),
        cadres_active=statuses[ACTIVE],
        cadres_inactive=statuses[INACTIVE],
        batches=len(snap.batches),
        batches_training=kinds[rules.TRAINING],
        batches_mentoring=kinds[rules.MENTORING],
        batches_open=sum(1 for b in snap.batches.values() if batch_open_on(b, snap.iso)),
        enrollments_enrolled=by_status[rules.ENROLLED],
        enrollments_completed=by_status[rules.COMPLETED],
        enrollments_waitlisted=by_status[rules.WAITLISTED],
        enrollments_withdrawn=by_status[rules.WITHDRAWN],
        attendance_rate=pct(attended, possible),
        businesses=len(snap.businesses),
        new_entrepreneurs=achieved,
        target_minimum=target["minimum"],
        target_minimum_pct=pct(achieved, target["minimum"]),
        target_stretch=target["stretch"],
        target_stretch_pct=pct(achieved, target["stretch"]),
        jobs=jobs,
        businesses_by_category=tuple((c.label, by_category[c.label]) for c in BUSINESS_CATEGORIES),
        businesses_by_agency=tuple(sorted(by_agency.items())),
    )
