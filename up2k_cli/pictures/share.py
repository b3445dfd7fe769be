"""One chart per report, sized for a phone screen and captioned with the report's title, period
and region, to post in a WhatsApp group: `report target|pipeline|income --format png|svg`.

The figures are the report's own (the Document its function returns): nothing is counted here.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from up2k_cli.i18n import _, localise, localised_date
from up2k_cli.render.formats import Format
from up2k_cli.render.model import TOTAL_CODE, Document, Table

if TYPE_CHECKING:
    pass


def region_label(meta: Mapping[str, Any]) -> str:
    """'Kecamatan Cilandak, Kota Administrasi Jakarta Selatan', from the registry's settings."""
    region = meta["region"]
    name = _("Kecamatan {name}").format(name=region["kecamatan"]["name"])
    city = (region.get("city") or {}).get("name")
    return f"{name}, {city}" if city else name


def document_picture(doc: Document, meta: Mapping[str, Any], fmt: Format) -> bytes:
    """A report's chart as PNG or SVG bytes, captioned with the region of `meta`."""
    region = region_label(meta)
    from . import draw

    # Placed by hand, not by a layout engine: one drawing instead of two (a PNG within 1 s).
    fig = draw.figure(draw.PHONE[0] / draw.PHONE_DPI, draw.PHONE[1] / draw.PHONE_DPI, layout=None)
    caption(fig, doc, region)
    DRAWERS[doc.key](fig, doc)
    if fmt is Format.SVG:
        return draw.svg_text(fig).encode("utf-8")
    return draw.png_bytes(fig)


def caption(fig: Any, doc: Document, region: str) -> None:
    """Title, then period and region, over the chart; 'up2k' and the day under it."""
    title = "\n".join(textwrap.wrap(localise(doc.title), 46))
    fig.suptitle(
        f"{title}\n{localise(doc.period)}\n{region}",
        x=0.03,
        y=0.985,
        ha="left",
        va="top",
        fontsize=13,
        linespacing=1.4,
    )
    fig.supxlabel(
        _("Made with up2k from the registry as of {day}").format(day=localised_date(doc.as_of)),
        fontsize=8,
        y=0.012,
    )


def _kelurahan(table: Table) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(the kelurahan rows, the total row) of a per-kelurahan table."""
    rows = [r for r in table.rows if r.get("kelurahan_code") != TOTAL_CODE]
    total = next(r for r in table.rows if r.get("kelurahan_code") == TOTAL_CODE)
    return rows, total


def target(fig: Any, doc: Document) -> None:
    """The kecamatan against both targets, then each kelurahan against its fifth: achieved (dark),
    projected at the end (light), the minimum (red tick) and stretch (orange tick) targets."""
    from . import draw

    rows, total = _kelurahan(doc.main_table)
    grid = fig.add_gridspec(2, 1, height_ratios=[1, 3], left=0.27, right=0.96, top=0.80, bottom=0.15,
                            hspace=0.6)  # fmt: skip
    top, below = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    progress_bars(top, [total], draw)
    top.set_title(_("Kecamatan: new entrepreneurs"))
    progress_bars(below, rows, draw)
    below.set_title(_("Per kelurahan (each an equal fifth of the target)"))
    fig.legend(*below.get_legend_handles_labels(), loc="lower center", bbox_to_anchor=(0.5, 0.035), ncols=2,
               frameon=False)  # fmt: skip
    pace = _(
        "Pace of the last 12 weeks: {pace}/week; needed: {minimum}/week (minimum), {stretch}/week (stretch)"
    )
    top.text(
        0,
        -0.45,
        "\n".join(
            textwrap.wrap(
                pace.format(
                    pace=draw.number(total["pace_last_12_weeks"], 1),
                    minimum=draw.number(total["needed_per_week_minimum"], 1),
                    stretch=draw.number(total["needed_per_week_stretch"], 1),
                ),
                70,
            )
        ),
        transform=top.transAxes,
        fontsize=9,
        va="top",
    )


def progress_bars(ax: Any, rows: list[dict[str, Any]], draw: Any) -> None:
    """Horizontal bars: projected behind achieved, the two targets as ticks, figures at the end."""
    labels = [localise(r["kelurahan"]) for r in rows]
    ys = list(range(len(rows)))
    ax.barh(
        ys,
        [r["projected_at_end"] for r in rows],
        color=draw.LIGHT,
        height=0.7,
        label=_("Projected at the end"),
    )
    ax.barh(ys, [r["achieved"] for r in rows], color=draw.DARK, height=0.45, label=_("Achieved"))
    for y, r in zip(ys, rows, strict=True):
        ax.plot([r["target_minimum"]] * 2, [y - 0.42, y + 0.42], color=draw.MINIMUM, lw=2.5,
                label=_("Minimum target") if y == 0 else None)  # fmt: skip
        ax.plot([r["target_stretch"]] * 2, [y - 0.42, y + 0.42], color=draw.STRETCH, lw=2.5,
                label=_("Stretch target") if y == 0 else None)  # fmt: skip
        ax.text(
            max(r["target_stretch"], r["projected_at_end"]) * 1.02,
            y,
            f"{draw.number(r['achieved'])} ({draw.percent(r['minimum_pct'])})",
            va="center",
            fontsize=9,
        )
    ax.set_yticks(ys, labels)
    ax.invert_yaxis()
    widest = max([max(r["target_stretch"], r["projected_at_end"]) for r in rows] + [1])
    ax.set_xlim(0, widest * 1.35)
    ax.xaxis.set_major_formatter(lambda x, _pos: draw.number(x))


def pipeline(fig: Any, doc: Document) -> None:
    """The 7 PAS funnel: cadres at each step, with the share of those registered."""
    from . import draw

    funnel = next(t for t in doc.tables if t.key == "funnel").rows
    fig.subplots_adjust(left=0.3, right=0.95, top=0.82, bottom=0.08)
    ax = fig.subplots()
    ys = list(range(len(funnel)))
    ax.barh(ys, [r["cadres"] for r in funnel], color=draw.DARK, height=0.65)
    top = max([r["cadres"] for r in funnel] + [1])
    for y, r in zip(ys, funnel, strict=True):
        shown = f"{draw.number(r['cadres'])} ({draw.percent(r['pct_of_registered'])})"
        ax.text(r["cadres"] + top * 0.02, y, shown, va="center", fontsize=10)
    ax.set_yticks(ys, [f"{r['order']}. {r['step']}" for r in funnel])
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.4)
    ax.set_title(_("Cadres who reached each 7 PAS step"))
    ax.xaxis.set_major_formatter(lambda x, _pos: draw.number(x))


def income(fig: Any, doc: Document) -> None:
    """Median monthly household income per kelurahan and in total: baseline against the latest
    follow-up, with the median change."""
    from . import draw

    rows, total = _kelurahan(doc.main_table)
    shown = [*rows, total]
    fig.subplots_adjust(left=0.27, right=0.96, top=0.82, bottom=0.2)
    ax = fig.subplots()
    ys = list(range(len(shown)))
    base = [r["median_baseline"] or 0 for r in shown]
    latest = [r["median_latest"] or 0 for r in shown]
    ax.barh([y - 0.2 for y in ys], base, height=0.38, color=draw.LIGHT, label=_("Median baseline"))
    ax.barh([y + 0.2 for y in ys], latest, height=0.38, color=draw.DARK, label=_("Median latest follow-up"))
    widest = max([*base, *latest, 1])
    for y, r in zip(ys, shown, strict=True):
        change = r["median_change"]
        text = _("change {change} ({percent})").format(
            change=("+" if (change or 0) > 0 else "") + draw.number(change),
            percent=draw.percent(r["median_change_pct"]),
        )
        ax.text(widest * 1.02, y, text, va="center", fontsize=9)
    ax.set_yticks(ys, [localise(r["kelurahan"]) for r in shown])
    ax.invert_yaxis()
    ax.set_xlim(0, widest * 1.6)
    ax.set_title(_("Monthly household income (Rupiah), medians"))
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.xaxis.set_major_locator(draw.ticks(4))
    ax.xaxis.set_major_formatter(lambda x, _pos: draw.number(x))
    ax.text(
        0,
        -0.1,
        "\n".join(textwrap.wrap(localise(doc.notes[1]), 80)),
        transform=ax.transAxes,
        fontsize=8,
        va="top",
    )


DRAWERS: dict[str, Callable[[Any, Document], None]] = {
    "target": target,
    "pipeline": pipeline,
    "income": income,
}
