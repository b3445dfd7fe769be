"""Presenting `report batch`, `report target` and `report pipeline`: figures -> Document."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from up2k_cli.domain import outcomes as outcome_rules
from up2k_cli.i18n import N_, Msg
from up2k_cli.render.columns import KELURAHAN, KELURAHAN_CODE
from up2k_cli.render.model import Chart, ChartKind, Column, Document, Kind, Table

from .common import as_of_period, bar, definition_text, fields, kelurahan_rows, progress_bar, title


def _date(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def batch(f: Any, kecamatan: str = "", settings: Any = None) -> Document:
    fill = [{"kelurahan_code": line.code, "kelurahan": line.name, **fields(line)} for line in f.fill]
    return Document(
        "batch",
        Msg(N_("UP2K batch {code}: {title}"), code=f.code, title=f.title),
        Msg(N_("{start} to {end}, as of {day}"), start=_date(f.start), end=_date(f.end), day=_date(f.as_of)),
        f.as_of,
        [
            Table(
                "fill",
                Msg(
                    N_("Fill per kelurahan (capacity {capacity}, quota {quota})"),
                    capacity=f.capacity,
                    quota=f.quota or Msg(N_("none")),
                ),
                (
                    KELURAHAN_CODE,
                    KELURAHAN,
                    Column("places", N_("Places"), "int", priority=2),
                    Column("quota", N_("Quota"), "int", priority=4),
                    Column("fill_pct", N_("Fill"), "pct", priority=2),
                    Column("completed", N_("Completed"), "int", priority=3),
                    Column("waitlisted", N_("Waitlisted"), "int", priority=5),
                    Column("withdrawn", N_("Withdrawn"), "int", priority=5),
                ),
                fill,
            ),
            Table(
                "sessions",
                Msg(N_("Attendance per session ({count} planned)"), count=f.sessions),
                (
                    Column("session", N_("Session"), "int"),
                    Column("date", N_("Date"), "date"),
                    Column("present", N_("Present"), "int"),
                    Column("places", N_("Places"), "int"),
                    Column("attendance_pct", N_("Attendance"), "pct"),
                ),
                [dataclasses.asdict(s) for s in f.session_lines],
            ),
            Table(
                "below_minimum",
                Msg(N_("Enrolled below the minimum attendance ({minimum}%)"), minimum=f.min_attendance),
                (
                    Column("cadre_id", "ID", Kind.ID, priority=0),
                    Column("name", N_("Name"), "free", priority=0),
                    KELURAHAN,
                    Column("sessions_attended", N_("Sessions"), "int"),
                    Column("attendance_pct", N_("Attendance"), "pct"),
                ),
                [dataclasses.asdict(b) for b in f.below_minimum],
            ),
        ],
        notes=[
            Msg(
                N_("{completed} of {places} places completed ({percent:.1f}%); capacity {capacity}"),
                completed=f.completed,
                places=f.places,
                percent=f.completion_pct or 0,
                capacity=f.capacity,
            ),
        ],
        data={"batch": f.code, "capacity": f.capacity, "completed": f.completed},
    )


# Charts of the tables' own figures, for the writers that draw (xlsx: native Excel charts).
TARGET_CHART = Chart(
    ChartKind.BAR,
    N_("New entrepreneurs per kelurahan: achieved, projected, minimum target"),
    "kelurahan",
    ("achieved", "projected_at_end", "target_minimum"),
)
FUNNEL_CHART = Chart(ChartKind.BAR, N_("Cadres who reached each 7 PAS step"), "step", ("cadres",))

TARGET_COLUMNS = (
    KELURAHAN_CODE,
    KELURAHAN,
    Column("achieved", N_("Achieved"), "int", priority=1),
    Column("target_minimum", N_("Minimum"), "int", priority=6),
    Column("minimum_pct", N_("% min."), "pct", priority=2),
    Column("target_stretch", N_("Stretch"), "int", priority=6),
    Column("stretch_pct", N_("% stretch"), "pct", priority=3),
    Column("needed_per_week_minimum", N_("Need/wk (min.)"), "dec", priority=4),
    Column("needed_per_week_stretch", N_("Need/wk (stretch)"), "dec", priority=7),
    Column("pace_last_12_weeks", N_("Pace/wk (12 wk)"), "dec", priority=5),
    Column("projected_at_end", N_("Projected"), "int", priority=4),
    Column("bar", N_("Progress to stretch (| = minimum)"), "bar", priority=3),
)


def target(f: Any, kecamatan: str, settings: Any = None) -> Document:
    def row(line: Any) -> dict[str, Any]:
        shown = fields(line, ("code", "name", "share"))
        shown["bar"] = progress_bar(line.achieved, f.minimum * line.share, f.stretch * line.share)
        return shown

    start, end = _date(f.start), _date(f.end)
    return Document(
        "target",
        title(N_("UP2K Kecamatan {kecamatan}: progress toward the target"), kecamatan),
        Msg(N_("{start} to {end}, as of {day}"), start=start, end=end, day=_date(f.as_of)),
        f.as_of,
        [
            Table(
                "target",
                Msg(N_("Progress per kelurahan")),
                TARGET_COLUMNS,
                kelurahan_rows(f.kelurahan, f.total, row),
                chart=TARGET_CHART,
            )
        ],
        notes=[
            definition_text(f.definition),
            Msg(
                N_(
                    "elapsed: {percent:.1f}% of the {years} years ({elapsed} of {span} days); "
                    "{weeks:.1f} weeks left"
                ),
                percent=f.elapsed_pct or 0,
                years=f.years,
                elapsed=f.elapsed_days,
                span=f.span_days,
                weeks=f.weeks_left,
            ),
            Msg(
                N_(
                    "total: {achieved} of {minimum} (minimum) and {stretch} (stretch); "
                    "each kelurahan's share of the target is an equal fifth"
                ),
                achieved=f.total.achieved,
                minimum=f.minimum,
                stretch=f.stretch,
            ),
            Msg(
                N_(
                    "pace = new entrepreneurs in the last {weeks} weeks / {weeks}; "
                    "projected = achieved + pace x weeks left"
                ),
                weeks=f.pace_weeks,
            ),
            Msg(
                N_(
                    "jobs: {jobs} (owners {owners}, family workers {family}, paid workers {paid}); "
                    "{unemployed} held by people who were unemployed"
                ),
                jobs=f.jobs.jobs,
                owners=f.jobs.owners,
                family=f.jobs.family_workers,
                paid=f.jobs.paid_workers,
                unemployed=f.jobs.jobs_formerly_unemployed,
            ),
        ],
        data={
            "definition": f.definition,
            "start": f.start,
            "end": f.end,
            "elapsed_pct": f.elapsed_pct,
            "weeks_left": f.weeks_left,
            "jobs": f.jobs.jobs,
        },
    )


def pipeline(f: Any, kecamatan: str, settings: Any = None) -> Document:
    step_names = outcome_rules.STEP_NAMES
    funnel = [{**dataclasses.asdict(s), "bar": bar(s.cadres, f.registered)} for s in f.funnel]
    return Document(
        "pipeline",
        title(N_("UP2K Kecamatan {kecamatan}: OK OCE 7 PAS pipeline"), kecamatan),
        as_of_period(f.as_of),
        f.as_of,
        [
            Table(
                "kelurahan",
                Msg(N_("Cadres who reached each step, per kelurahan")),
                (
                    KELURAHAN_CODE,
                    KELURAHAN,
                    *(Column(s, s, "int", priority=2 + i) for i, s in enumerate(step_names)),
                ),
                kelurahan_rows(f.kelurahan, f.total, lambda line: dict(line.steps)),
            ),
            Table(
                "funnel",
                Msg(N_("Funnel (all kelurahan)")),
                (
                    Column("order", "#", "int"),
                    Column("step", N_("Step"), priority=0),
                    Column("gloss", N_("In English")),
                    Column("cadres", N_("Cadres"), "int"),
                    Column("pct_of_registered", N_("% of registered"), "pct"),
                    Column("bar", N_("Share of registered"), "bar"),
                ),
                funnel,
                chart=FUNNEL_CHART,
            ),
        ],
        notes=[
            Msg(
                N_(
                    "steps may be reached in any order (JakPreneur treats them as facilities); a cadre "
                    "counts at every step reached by the day of the report"
                )
            ),
            Msg(
                N_(
                    "pendaftaran: registration; pelatihan: a training batch completed; pendampingan: a "
                    "mentoring batch completed or recorded; perizinan: a business with an NIB or P-IRT; "
                    "the others as recorded with 'up2k step'"
                )
            ),
        ],
    )
