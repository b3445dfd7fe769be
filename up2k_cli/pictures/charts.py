"""The dashboard's charts (svg.py draws them): each takes the figures of one area (figures.Area)
and draws nothing that its table does not also hold."""

from __future__ import annotations

import datetime as dt

from up2k_cli.i18n import _, localise

from . import style
from .figures import ACTIVITY, TIERS, Area, Dashboard
from .svg import Plot, Series, columns, hbars, lines


def progress(area: Area, dash: Dashboard) -> str:
    """New entrepreneurs week by week since the start, the projection at the last 12 weeks' pace
    to the end of the five years, and both targets (an area's share of them)."""
    line = area.progress
    start, end = dt.date.fromisoformat(dash.start), dt.date.fromisoformat(dash.end)
    as_of = dt.date.fromisoformat(dash.as_of)
    achieved = [(dt.date.fromisoformat(d).toordinal(), n) for d, n in area.cumulative]
    projected = [(as_of.toordinal(), line["achieved"]), (end.toordinal(), line["projected_at_end"])]
    years = [dt.date(y, 1, 1) for y in range(start.year, end.year + 1) if start <= dt.date(y, 1, 1) <= end]
    plot = Plot()
    lines(
        plot,
        [
            Series(_("Achieved"), achieved, style.DARK),
            Series(_("Projected at the pace of the last 12 weeks"), projected, style.DARK, "6 4"),
        ],
        (start.toordinal(), end.toordinal()),
        [(d.toordinal(), str(d.year)) for d in years],
        style.number,
        levels=[
            (_("Minimum target"), line["target_minimum"], style.MINIMUM, None),
            (_("Stretch target"), line["target_stretch"], style.STRETCH, "8 3 2 3"),
        ],
    )
    return plot.svg()


def funnel(area: Area) -> str:
    plot = Plot(height=250)
    rows = [(f"{i + 1}. {step}", n) for i, (step, n) in enumerate(area.funnel)]
    hbars(plot, rows, style.DARK, style.number, (0, 0, plot.width, plot.height))
    return plot.svg()


def income_label(low: int, high: int | None) -> str:
    """'1–2' or '10+' (millions of Rupiah a month)."""
    lo = style.number(low / 1_000_000, 1 if low % 1_000_000 else 0)
    if high is None:
        return f"{lo}+"
    return f"{lo}–{style.number(high / 1_000_000, 1 if high % 1_000_000 else 0)}"


def income(area: Area) -> str:
    """Households by monthly income: at registration and at the latest follow-up."""
    plot = Plot()
    columns(
        plot,
        [income_label(b.low, b.high) for b in area.incomes],
        [
            (_("Baseline (registration)"), [b.baseline for b in area.incomes], style.LIGHT),
            (_("Latest follow-up"), [b.latest for b in area.incomes], style.DARK),
        ],
        style.number,
        _("Monthly income, million Rupiah"),
    )
    return plot.svg()


def tier_name(code: str) -> str:
    from up2k_cli.domain.groups import tier_label

    return localise(tier_label(None if code == TIERS[-1] else code))


def jobs_and_groups(area: Area) -> str:
    """Jobs the businesses give, by kind; UP2K groups by tier."""
    jobs = area.jobs
    plot = Plot(height=220)
    half = plot.width / 2
    kinds = [(_("Owners"), jobs.owners), (_("Family workers"), jobs.family_workers),
             (_("Paid workers"), jobs.paid_workers)]  # fmt: skip
    hbars(plot, kinds, style.SERIES[1], style.number, (0, 0, half - 12, plot.height),
          _("Jobs: {count}").format(count=style.number(jobs.jobs)))  # fmt: skip
    tiers = [(tier_name(t), area.groups.tiers[t].groups) for t in TIERS]
    hbars(plot, tiers, style.SERIES[3], style.number, (half + 12, 0, half - 12, plot.height),
          _("Groups: {count}").format(count=style.number(area.groups.groups)))  # fmt: skip
    return plot.svg()


def weeks(area: Area) -> str:
    """Registrations, enrollments, completions and businesses started, week by week."""
    plot = Plot()
    series = [
        Series(activity_label(key), [(i, w.counts[key]) for i, w in enumerate(area.weeks)],
               style.SERIES[n], marks=True)
        for n, key in enumerate(ACTIVITY)
    ]  # fmt: skip
    lines(
        plot,
        series,
        (-0.3, len(area.weeks) - 0.7),
        [(i, week_label(w.monday)) for i, w in enumerate(area.weeks)],
        style.number,
    )
    return plot.svg()


def week_label(monday: str) -> str:
    return f"W{dt.date.fromisoformat(monday).isocalendar()[1]:02d}"


def activity_label(key: str) -> str:
    return {
        "registrations": _("Registrations"),
        "enrollments": _("Enrollments"),
        "completions": _("Completions"),
        "businesses": _("Businesses started"),
    }[key]
