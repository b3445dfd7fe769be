"""Presenting `report summary`, `report kelurahan` and `report weekly`: figures -> Document."""

from __future__ import annotations

import datetime as dt
from typing import Any

from up2k_cli.i18n import N_, Msg
from up2k_cli.render.columns import KELURAHAN, KELURAHAN_CODE
from up2k_cli.render.model import LAST, Chart, ChartKind, Column, Document, Kind, Table

from .common import as_of_period, definition_text, kelurahan_rows, title

ATTENDANCE_NOTE = Msg(
    N_(
        "attendance rate = sessions attended / (places held x sessions held so far), "
        "over enrolled and completed cadres"
    )
)
JOBS_NOTE = Msg(
    N_(
        "jobs = business owners (each once) + unpaid family workers + paid workers, as the businesses "
        "last reported them; 'up2k report jobs' has the detail"
    )
)


def jobs_rows(jobs: Any) -> list[tuple[str, str, Any, str]]:
    """The jobs line of summary and weekly: (metric, label, value, kind)."""
    return [
        ("jobs", N_("Jobs (owners and workers)"), jobs.jobs, "int"),
        (
            "jobs_were_unemployed",
            N_("  of people unemployed before"),
            jobs.jobs_formerly_unemployed,
            "int",
        ),
    ]


def figure_table(key: str, heading: Msg, rows: list[tuple[str, str, Any, str]], label: str) -> Table:
    metric = Column("metric", N_("Metric"), priority=LAST)
    return Table(
        key,
        heading,
        (metric, Column("label", label, priority=0), Column("value", N_("Value"), "auto", priority=0)),
        [_figure_row(m, text, value, kind) for m, text, value, kind in rows],
    )


def _figure_row(metric: str, text: str, value: Any, kind: str) -> dict[str, Any]:
    return {
        "metric": metric,
        "label": text if isinstance(text, Msg) else Msg(text),
        "value": value,
        "kind": kind,
    }


def summary(f: Any, kecamatan: str, settings: Any = None) -> Document:
    rows = [
        ("cadres", N_("Cadres registered"), f.cadres, "int"),
        ("cadres_active", N_("  active"), f.cadres_active, "int"),
        ("cadres_inactive", N_("  inactive"), f.cadres_inactive, "int"),
        ("batches", N_("Batches"), f.batches, "int"),
        ("batches_training", N_("  training"), f.batches_training, "int"),
        ("batches_mentoring", N_("  mentoring"), f.batches_mentoring, "int"),
        ("batches_open", N_("  open for enrollment"), f.batches_open, "int"),
        ("enrollments_enrolled", N_("Enrollments: enrolled"), f.enrollments_enrolled, "int"),
        ("enrollments_completed", N_("Enrollments: completed"), f.enrollments_completed, "int"),
        ("enrollments_waitlisted", N_("Enrollments: waitlisted"), f.enrollments_waitlisted, "int"),
        ("enrollments_withdrawn", N_("Enrollments: withdrawn"), f.enrollments_withdrawn, "int"),
        ("attendance_rate", N_("Attendance rate"), f.attendance_rate, "pct"),
        ("businesses", N_("Businesses started"), f.businesses, "int"),
        *jobs_rows(f.jobs),
        ("new_entrepreneurs", N_("New entrepreneurs"), f.new_entrepreneurs, "int"),
        ("target_minimum", N_("Target (minimum)"), f.target_minimum, "int"),
        ("target_minimum_pct", N_("  reached"), f.target_minimum_pct, "pct"),
        ("target_stretch", N_("Target (stretch)"), f.target_stretch, "int"),
        ("target_stretch_pct", N_("  reached"), f.target_stretch_pct, "pct"),
    ]
    breakdown = [
        Table(
            "businesses_by_category",
            Msg(N_("Businesses started, by category")),
            (Column("category", N_("Category")), Column("businesses", N_("Businesses"), "int")),
            [{"category": c, "businesses": n} for c, n in f.businesses_by_category],
        ),
        Table(
            "businesses_by_agency",
            Msg(N_("Businesses referred, by agency")),
            (Column("agency", N_("Agency")), Column("businesses", N_("Businesses"), "int")),
            [{"agency": a, "businesses": n} for a, n in f.businesses_by_agency],
        ),
    ]
    return Document(
        "summary",
        title(N_("UP2K Kecamatan {kecamatan}: summary"), kecamatan),
        as_of_period(f.as_of),
        f.as_of,
        [figure_table("summary", Msg(N_("Summary")), rows, N_("Figure")), *breakdown],
        notes=[definition_text(f.definition), ATTENDANCE_NOTE, JOBS_NOTE],
    )


KELURAHAN_COLUMNS = (
    KELURAHAN_CODE,
    KELURAHAN,
    Column("cadres", N_("Cadres"), "int", priority=3),
    Column("active", N_("Active"), "int", priority=6),
    Column("enrolled", N_("Enrolled"), "int", priority=4),
    Column("completed", N_("Completed"), "int", priority=3),
    Column("waitlisted", N_("Waitlisted"), "int", priority=7),
    Column("withdrawn", N_("Withdrawn"), "int", priority=7),
    Column("completion_rate", N_("Completion"), "pct", priority=2),
    Column("businesses", N_("Businesses"), "int", priority=5),
    Column("new_entrepreneurs", N_("New entrepr."), "int", priority=1),
)


def kelurahan(f: Any, kecamatan: str, settings: Any = None) -> Document:
    return Document(
        "kelurahan",
        title(N_("UP2K Kecamatan {kecamatan}: per kelurahan"), kecamatan),
        as_of_period(f.as_of),
        f.as_of,
        [
            Table(
                "kelurahan", Msg(N_("Per kelurahan")), KELURAHAN_COLUMNS, kelurahan_rows(f.kelurahan, f.total)
            )
        ],
        notes=[
            Msg(
                N_(
                    "enrolled, completed, waitlisted and withdrawn count enrollments (a cadre in two "
                    "batches counts twice); completion = completed / (enrolled + completed + withdrawn)"
                )
            ),
            definition_text(f.definition),
        ],
    )


WEEKLY_METRICS = (
    ("registrations", N_("New registrations")),
    ("enrollments", N_("Enrollments")),
    ("attendance", N_("Attendance records")),
    ("completions", N_("Completions")),
    ("withdrawals", N_("Withdrawals")),
    ("businesses", N_("Businesses started")),
    ("new_entrepreneurs", N_("New entrepreneurs")),
)
# Which weekly figures stay on a narrow screen: new entrepreneurs and registrations first.
WEEKLY_PRIORITY = {"registrations": 2, "enrollments": 4, "attendance": 5, "completions": 3,
                   "withdrawals": 6, "businesses": 4, "new_entrepreneurs": 1}  # fmt: skip


def _week_row(line: Any) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for metric, _label in WEEKLY_METRICS:
        now_n, prev_n = line.this_week[metric], line.week_before[metric]
        change = now_n - prev_n
        row[metric] = now_n
        row[f"{metric}_prev"] = prev_n
        row[f"{metric}_change"] = change
        row[f"{metric}_view"] = f"{now_n} ({change:+d})" if change else str(now_n)
    return row


def weekly(f: Any, kecamatan: str, settings: Any = None) -> Document:
    start, end = dt.date.fromisoformat(f.start), dt.date.fromisoformat(f.end)
    now, before = f.total.this_week, f.total.week_before
    totals = [
        {
            "metric": m,
            "label": Msg(label),
            "this_week": now[m],
            "week_before": before[m],
            "change": now[m] - before[m],
        }
        for m, label in WEEKLY_METRICS
    ]
    cumulative = [
        ("cadres_active", N_("Active cadres"), f.cadres_active, "int"),
        ("new_entrepreneurs", N_("New entrepreneurs so far"), f.new_entrepreneurs, "int"),
        ("target_minimum_pct", Msg(N_("of the minimum target ({target})"), target=f.target_minimum),
         f.target_minimum_pct, "pct"),
        ("target_stretch_pct", Msg(N_("of the stretch target ({target})"), target=f.target_stretch),
         f.target_stretch_pct, "pct"),
        *jobs_rows(f.jobs),
    ]  # fmt: skip
    period = Msg(
        N_("ISO week {week}: {start} to {end}")
        if f.complete
        else N_("ISO week {week}: {start} to {end} (week so far)"),
        week=f.week,
        start=start,
        end=end,
    )
    csv_columns = [KELURAHAN_CODE, KELURAHAN]
    for metric, heading in WEEKLY_METRICS:
        csv_columns += [
            Column(metric, heading, "int"),
            Column(f"{metric}_prev", N_("week before"), "int"),
            Column(f"{metric}_change", N_("change"), "signed"),
        ]
    display = (
        KELURAHAN_CODE,
        KELURAHAN,
        *(
            Column(f"{m}_view", heading, Kind.FIGURE, priority=WEEKLY_PRIORITY[m])
            for m, heading in WEEKLY_METRICS
        ),
    )
    return Document(
        "weekly",
        title(N_("UP2K Kecamatan {kecamatan}: weekly report {week}"), kecamatan, week=f.week),
        period,
        f.as_of,
        [
            Table(
                "kelurahan",
                Msg(N_("Per kelurahan: this week (change from the week before)")),
                tuple(csv_columns),
                kelurahan_rows(f.kelurahan, f.total, _week_row),
                display=display,
            ),
            Table(
                "totals",
                Msg(N_("This week and the week before")),
                (
                    Column("metric", N_("Metric"), priority=LAST),
                    Column("label", N_("Activity"), priority=0),
                    Column("this_week", N_("This week"), "int"),
                    Column("week_before", N_("Week before"), "int"),
                    Column("change", N_("Change"), "signed"),
                ),
                totals,
                chart=Chart(
                    ChartKind.COLUMN,
                    N_("This week and the week before"),
                    "label",
                    ("this_week", "week_before"),
                ),
            ),
            figure_table(
                "cumulative", Msg(N_("Cumulative at the end of {day}"), day=end), cumulative, N_("Figure")
            ),
        ],
        notes=[definition_text(f.definition), JOBS_NOTE],
        data={"week": f.week, "from": f.start, "to": f.end, "complete": f.complete},
    )
