"""`report jobs`: jobs the programme's businesses give, per kelurahan, per category and in total,
on a day and against a past day (domain/jobs.py counts them); and the jobs line of `summary`,
`weekly` and `target`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from up2k_cli.domain import timeline
from up2k_cli.domain.errors import ValidationError
from up2k_cli.domain.jobs import JobFigures, JobsLine, JobsReport, jobs_report
from up2k_cli.domain.timeline import Snapshot
from up2k_cli.i18n import N_, Msg
from up2k_cli.storage.protocol import UnitOfWork

from .load import kelurahan_names

__all__ = ["JobFigures", "JobsLine", "JobsReport", "JobsTotal", "check", "jobs", "jobs_total", "total_line"]


@dataclass(frozen=True)
class JobsTotal:
    """The jobs line of the summary, weekly and target reports."""

    jobs: int  # owners (once each) + unpaid family workers + paid workers
    owners: int
    family_workers: int
    paid_workers: int
    jobs_formerly_unemployed: int  # held by people who were unemployed before
    moved_to_work: int  # cadres looking for work at registration, working on the day


def check(*, as_of: dt.date, since: dt.date | None = None) -> None:
    """The past day compared with must come before the report's day."""
    if since is not None and since >= as_of:
        raise ValidationError(
            "since", since.isoformat(), Msg(N_("must be before the report's day ({day})"), day=as_of)
        )


def jobs(uow: UnitOfWork, *, as_of: dt.date, since: dt.date | None = None) -> JobsReport:
    """Jobs at the end of `as_of`; with `since`, also at the end of that earlier day. In an open
    unit of work; the registry is read once for both days."""
    check(as_of=as_of, since=since)
    meta = uow.meta
    names = kelurahan_names(meta)
    cadres, businesses, incomes = uow.cadres.all(), uow.businesses.all(), uow.incomes.all()

    def on(day: dt.date) -> Snapshot:
        return timeline.as_of(day.isoformat(), meta, names, cadres, (), (), businesses, (), incomes)

    return jobs_report(on(as_of), uow.business_follow_ups.all(), on(since) if since is not None else None)


def jobs_total(snap: Snapshot, follow_ups: Iterable[Mapping[str, Any]]) -> JobsTotal:
    """The total jobs line of a snapshot's day."""
    return total_line(jobs_report(snap, follow_ups))


def total_line(report: JobsReport) -> JobsTotal:
    """The jobs line of a jobs report already counted (its total)."""
    f = report.total.figures
    return JobsTotal(f.jobs, f.owners, f.family_workers, f.paid_workers, f.jobs_formerly_unemployed,
                     f.moved_to_work or 0)  # fmt: skip
