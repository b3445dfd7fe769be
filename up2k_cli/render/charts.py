"""Which tables of the reports carry a chart, and of what: the chart hints (model.Chart) that
writers able to draw turn into pictures (render/xlsx.py: native Excel charts beside the tables).

Kept apart from the reports' figures so that presentation stays in render/: a report says what
its tables hold, this says how a few of them are best seen.
"""

from __future__ import annotations

from up2k_cli.i18n import N_

from .model import Chart, ChartKind, Document

HINTS: dict[tuple[str, str], Chart] = {
    ("target", "target"): Chart(
        ChartKind.BAR,
        N_("New entrepreneurs per kelurahan: achieved, projected, minimum target"),
        "kelurahan",
        ("achieved", "projected_at_end", "target_minimum"),
    ),
    ("pipeline", "funnel"): Chart(
        ChartKind.BAR, N_("Cadres who reached each 7 PAS step"), "step", ("cadres",)
    ),
    ("income", "income"): Chart(
        ChartKind.BAR,
        N_("Median monthly household income: baseline and latest follow-up"),
        "kelurahan",
        ("median_baseline", "median_latest"),
    ),
    ("weekly", "totals"): Chart(
        ChartKind.COLUMN, N_("This week and the week before"), "label", ("this_week", "week_before")
    ),
}


def with_charts(doc: Document) -> Document:
    """The report with its chart hints (the same Document, its tables given their charts)."""
    for table in doc.tables:
        hint = HINTS.get((doc.key, table.key))
        if hint is not None and table.chart is None:
            table.chart = hint
    return doc
