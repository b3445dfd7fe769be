"""Reports as read models: each report is a function from an open unit of work and its
parameters to frozen dataclasses of plain figures (ints, floats, text, ISO dates, tuples and
mappings of those): no titles, columns, bars or messages. render/reports/ presents them.

The contract both backends meet
-------------------------------
`READ_MODELS[name]` is the Python read model: `compute(uow, **params)` in an open unit of work,
reading the registry as it stood at the end of the day asked for (domain/timeline.py). Every
report takes `as_of` (a date); the others, by report:

    summary       as_of
    kelurahan     as_of
    batch         as_of, code (a batch code as stored)
    weekly        as_of, week ('2026-W48', 'current' or None: the last complete week)
    target        as_of
    pipeline      as_of
    income        as_of
    agencies      as_of, agency (None: all), with_contacts
    jobs          as_of, since (None, or a date before as_of)
    pokja2        as_of, period ('2027', '2027-03' or None: the month of as_of)
    facilitation  as_of, overdue (how many overdue referrals to list: a whole number from 0, or
                  'all' or None for every one; default domain/facilitation.py OVERDUE_LISTED)

A backend may compute the same figures its own way (PostgreSQL in SQL): a unit of work that has
`read_model(name, **params)` is asked first (services/reporting.py) and returns the same
dataclass, or its values as plain mappings and lists (storage may not import this package:
`ReadModel.figures` names the dataclass they make, common.from_values makes it), or None to
leave that report to Python. `check(**params)` refuses bad parameters
before either runs, so both backends refuse them alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import (
    agencies,
    batch,
    facilitation,
    income,
    jobs,
    kelurahan,
    pipeline,
    pokja2,
    summary,
    target,
    weekly,
)


@dataclass(frozen=True)
class ReadModel:
    compute: Callable[..., Any]  # (uow in an open unit of work, **params) -> figures
    check: Callable[..., None] | None = None  # (**params): refuses bad parameters
    figures: type | None = None  # the dataclass of its figures, made from a backend's plain values


READ_MODELS: dict[str, ReadModel] = {
    "summary": ReadModel(summary.summary, figures=summary.SummaryFigures),
    "kelurahan": ReadModel(kelurahan.kelurahan, figures=kelurahan.KelurahanFigures),
    "batch": ReadModel(batch.batch),
    "weekly": ReadModel(weekly.weekly, weekly.check, figures=weekly.WeeklyFigures),
    "target": ReadModel(target.target, figures=target.TargetFigures),
    "pipeline": ReadModel(pipeline.pipeline, figures=pipeline.PipelineFigures),
    "income": ReadModel(income.income, figures=income.IncomeFigures),
    "agencies": ReadModel(agencies.agencies, figures=agencies.AgenciesFigures),
    "jobs": ReadModel(jobs.jobs, jobs.check, figures=jobs.JobsReport),
    "pokja2": ReadModel(pokja2.pokja2, pokja2.check),
    "facilitation": ReadModel(
        facilitation.facilitation, facilitation.check, figures=facilitation.FacilitationReport
    ),
}
