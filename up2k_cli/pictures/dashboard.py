"""The dashboard: one self-contained HTML page (inline SVG and CSS; no script, no font, image or
style from anywhere else, and a Content-Security-Policy that forbids fetching any) that opens
offline, travels as an attachment and prints on A4 without cutting a chart. For the kecamatan
and each kelurahan: progress toward the target, the 7 PAS funnel, household income, jobs and
groups, the last 12 weeks. Every chart has its numbers as a table under it.

Every stored or given string goes through render/escape.py's `html_text`: the one escaping point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from up2k_cli.i18n import _, language, localised_date
from up2k_cli.render.escape import html_text as h

from . import charts
from . import style as draw
from .figures import ACTIVITY, TIERS, Area, Dashboard

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0 auto;max-width:1240px;padding:12px 16px;color:#1a1a1a;background:#fff;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
h1{font-size:1.5rem;margin:.2em 0}h2{font-size:1.25rem;margin:1.2em 0 .4em;border-bottom:2px solid #2166ac}
h3{font-size:1rem;margin:0 0 .2em}
.facts{display:flex;flex-wrap:wrap;gap:.2em 1.4em;margin:.3em 0;padding:0;list-style:none;color:#333}
.facts li{overflow-wrap:anywhere;min-width:0}
nav ul{display:flex;flex-wrap:wrap;gap:.3em 1em;padding:0;list-style:none}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,480px),1fr));gap:14px}
figure.chart{margin:0;padding:10px;border:1px solid #d0d0d0;border-radius:6px;min-width:0;
break-inside:avoid;page-break-inside:avoid}
figure.chart svg{display:block;width:100%;height:auto;max-width:100%}
figcaption p{margin:0 0 .3em;color:#444;font-size:.9em}
table{border-collapse:collapse;width:100%;font-size:.85em;margin-top:.4em}
caption{text-align:left;font-weight:600;padding:.2em 0}
th,td{padding:2px 6px;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}
th{overflow-wrap:anywhere;hyphens:auto}
details summary{cursor:pointer;font-size:.85em;color:#2166ac}
footer{margin-top:2em;color:#555;font-size:.85em}
@media (max-width:520px){body{padding:8px}figure.chart{padding:6px}table{font-size:.72em}
th,td{padding:2px 3px}}
@page{size:A4;margin:12mm}
@media print{body{max-width:none;padding:0;font-size:10.5pt}nav{display:none}
.grid{display:block}figure.chart{margin:0 0 6mm;border-color:#999}
figure.chart svg{width:auto;max-width:100%;max-height:85mm;margin:0 auto}
section.area{break-before:page}section.area:first-of-type{break-before:auto}
details:not([open]) table{display:none}}
"""


def made_now() -> str:
    """When the page is made: local time to the minute, with its offset from UTC."""
    return dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %z")


def page(dash: Dashboard) -> str:
    """The whole page."""
    areas = [dash.kecamatan, *dash.kelurahan]
    title = _("UP2K {region}: dashboard").format(region=dash.region)
    head = (
        "<!DOCTYPE html>\n"
        f'<html lang="{h(language())}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{h(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    )
    facts = [
        _("As of {day}").format(day=localised_date(dash.as_of)),
        _("Programme: {start} to {end}; targets {minimum} (minimum) and {stretch} (stretch)").format(
            start=localised_date(dash.start), end=localised_date(dash.end),
            minimum=draw.number(dash.minimum), stretch=draw.number(dash.stretch)),
        _("Made {when}").format(when=dash.made),
        _("Registry: {registry}").format(registry=dash.registry),
    ]  # fmt: skip
    parts = [
        head,
        f'<header>\n<h1>{h(title)}</h1>\n<ul class="facts">',
        *(f"<li>{h(f)}</li>" for f in facts),
        "</ul>\n<p>" + h(_("No personal data: counts and amounts only.")) + "</p>\n</header>",
        '<nav aria-label="' + h(_("Areas")) + '"><ul>',
        *(f'<li><a href="#{_anchor(a)}">{h(a.name)}</a></li>' for a in areas),
        "</ul></nav>\n<main>",
        *(section(area, dash) for area in areas),
        "</main>\n<footer><p>"
        + h(
            _(
                "New entrepreneur: a cadre with a business started, counted once from the start of "
                "their first business. Pace: new entrepreneurs in the last 12 weeks / 12; projected "
                "= achieved + pace x weeks left. Each kelurahan's share of the target is an equal part."
            )
        )
        + "</p></footer>\n</body>\n</html>\n",
    ]
    return "\n".join(parts)


def _anchor(area: Area) -> str:
    return "kecamatan" if not area.code else "kel-" + area.code.replace(".", "-")


def section(area: Area, dash: Dashboard) -> str:
    name = _anchor(area)
    heading = area.name if not area.code else _("Kelurahan {name}").format(name=area.name)
    blocks = [
        block(f"{name}-progress", _("Progress toward the target"),
              _("New entrepreneurs since the start, the projection to {end}, both targets").format(
                  end=localised_date(dash.end)),
              charts.progress(area, dash), progress_tables(area)),
        block(f"{name}-funnel", _("OK OCE 7 PAS steps"), _("Cadres who reached each step"),
              charts.funnel(area), [table(_("Cadres per step"), (_("Step"), _("Cadres")),
                                          [(s, draw.number(n)) for s, n in area.funnel])]),
        block(f"{name}-income", _("Household income"),
              _("Monthly income at registration and at the latest follow-up"),
              charts.income(area), income_tables(area)),
        block(f"{name}-jobs", _("Jobs and groups"),
              _("Jobs the businesses give; UP2K groups by tier at the end of {day}").format(
                  day=localised_date(dash.as_of)),
              charts.jobs_and_groups(area), jobs_tables(area)),
        block(f"{name}-weeks", _("The last 12 weeks"),
              _("Registrations, enrollments, completions and businesses started, per ISO week"),
              charts.weeks(area), [weeks_table(area)]),
    ]  # fmt: skip
    return (
        f'<section class="area" id="{name}" aria-labelledby="{name}-h">\n'
        f'<h2 id="{name}-h">{h(heading)}</h2>\n<div class="grid">\n'
        + "\n".join(blocks)
        + "\n</div>\n</section>"
    )


def block(key: str, title: str, subtitle: str, svg: str, tables: Sequence[str]) -> str:
    """One chart: its title, the picture (labelled for screen readers), its numbers."""
    label = h(f"{title}: {subtitle}")
    return (
        f'<figure class="chart" id="{key}">\n'
        f"<figcaption><h3>{h(title)}</h3><p>{h(subtitle)}</p></figcaption>\n"
        + svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
        + "\n"
        + "\n".join(tables)
        + "\n</figure>"
    )


def table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A table of figures: the first column names the row, the others are numbers."""
    head = "".join(
        f'<th scope="col">{h(x)}</th>' if i == 0 else f'<th scope="col" class="n">{h(x)}</th>'
        for i, x in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = [f'<th scope="row">{h(row[0])}</th>']
        cells += [f'<td class="n">{h(v)}</td>' for v in row[1:]]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{h(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def progress_tables(area: Area) -> list[str]:
    p = area.progress
    rows = [
        (_("Achieved"), draw.number(p["achieved"])),
        (_("Minimum target"), draw.number(p["target_minimum"])),
        (_("  reached"), draw.percent(p["minimum_pct"])),
        (_("Stretch target"), draw.number(p["target_stretch"])),
        (_("  reached"), draw.percent(p["stretch_pct"])),
        (_("Needed per week (minimum)"), draw.number(p["needed_per_week_minimum"], 1)),
        (_("Needed per week (stretch)"), draw.number(p["needed_per_week_stretch"], 1)),
        (_("Pace of the last 12 weeks, per week"), draw.number(p["pace_last_12_weeks"], 1)),
        (_("Projected at the end"), draw.number(p["projected_at_end"])),
    ]
    months: dict[str, int] = {}
    for day, count in area.cumulative:
        months[day[:7]] = count  # the last week of each month
    series = table(
        _("New entrepreneurs so far, at the end of each month"),
        (_("Month"), _("New entrepreneurs")),
        [(m, draw.number(n)) for m, n in months.items()],
    )
    return [
        table(_("Progress"), (_("Figure"), _("Value")), rows),
        "<details><summary>"
        + h(_("The line's numbers, month by month"))
        + "</summary>"
        + series
        + "</details>",
    ]


def income_tables(area: Area) -> list[str]:
    i = area.income
    change = i["median_change"]
    rows = [
        (_("Households with a baseline"), draw.number(i["with_baseline"])),
        (_("with a follow-up"), draw.number(i["with_follow_up"])),
        (_("with both (the change figures)"), draw.number(i["with_both"])),
        (_("Median baseline"), draw.number(i["median_baseline"])),
        (_("Median latest"), draw.number(i["median_latest"])),
        (_("Median change"), ("+" if (change or 0) > 0 else "") + draw.number(change)),
        (_("Median change %"), draw.percent(i["median_change_pct"])),
        (_("Income rose"), draw.percent(i["rose_pct"])),
    ]
    bands = [
        (charts.income_label(b.low, b.high), draw.number(b.baseline), draw.number(b.latest))
        for b in area.incomes
    ]
    return [
        table(_("Monthly household income (Rupiah)"), (_("Figure"), _("Value")), rows),
        table(
            _("Households by monthly income (million Rupiah)"),
            (_("Income"), _("Baseline"), _("Latest follow-up")),
            bands,
        ),
    ]


def jobs_tables(area: Area) -> list[str]:
    j = area.jobs
    rows = [
        (_("Businesses"), draw.number(j.businesses)),
        (_("Jobs"), draw.number(j.jobs)),
        (_("Owners"), draw.number(j.owners)),
        (_("Family workers"), draw.number(j.family_workers)),
        (_("Paid workers"), draw.number(j.paid_workers)),
        (_("Jobs held by people who were unemployed"), draw.number(j.jobs_formerly_unemployed)),
        (_("Cadres who moved from looking for work to working"), draw.number(j.moved_to_work)),
    ]
    tiers = [
        (charts.tier_name(t), draw.number(area.groups.tiers[t].groups),
         draw.number(area.groups.tiers[t].members))
        for t in TIERS
    ]  # fmt: skip
    tiers.append((_("Total"), draw.number(area.groups.groups), draw.number(area.groups.members)))
    return [
        table(_("Jobs"), (_("Figure"), _("Value")), rows),
        table(_("UP2K groups by tier"), (_("Tier"), _("Groups"), _("Members")), tiers),
    ]


def weeks_table(area: Area) -> str:
    rows = []
    for w in area.weeks:
        monday = dt.date.fromisoformat(w.monday)
        rows.append((f"{charts.week_label(w.monday)} ({localised_date(monday)})",
                     *(draw.number(w.counts[k]) for k in ACTIVITY)))  # fmt: skip
    return table(_("Per week"), (_("Week (Monday)"), *(charts.activity_label(k) for k in ACTIVITY)), rows)
