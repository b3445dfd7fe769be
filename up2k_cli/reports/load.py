"""Reading the registry for a read model: the snapshot of a day (domain/timeline.py), whole or
for a few cadres, and the region's names. In an open unit of work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from up2k_cli.domain.region import kelurahan_names
from up2k_cli.domain.timeline import Snapshot, as_of
from up2k_cli.storage.protocol import Record, UnitOfWork


def snapshot(uow: UnitOfWork, day: dt.date, cadres: Sequence[Record] | None = None) -> Snapshot:
    """The registry at the end of `day`; with `cadres`, only their records (one person's page
    costs one person's work). In an open unit of work."""
    meta = uow.meta
    if cadres is None:
        people, enrollments = uow.cadres.all(), uow.enrollments.all()
        businesses, steps, incomes = uow.businesses.all(), uow.steps.all(), uow.incomes.all()
        batches = uow.batches.all()
    else:
        ids = [c["id"] for c in cadres]
        people = list(cadres)
        enrollments = uow.enrollments.find_in("cadre_id", ids)
        businesses = uow.businesses.find_in("cadre_id", ids)
        steps, incomes = uow.steps.find_in("cadre_id", ids), uow.incomes.find_in("cadre_id", ids)
        batches = list(uow.batches.get_many({e["batch"] for e in enrollments}).values())
    return as_of(
        day.isoformat(), meta, kelurahan_names(meta), people, batches, enrollments, businesses, steps, incomes
    )
