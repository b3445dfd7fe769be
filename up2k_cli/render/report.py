"""A Report in each format: Rich tables for people, Markdown for e-mail, CSV and JSON for tools."""

from __future__ import annotations

import json
from typing import Any

from up2k_cli.i18n import _, localise
from up2k_cli.render import output as out
from up2k_cli.render.output import Column

FORMATS = ("table", "csv", "json", "markdown")


def machine_columns(columns: tuple[Column, ...]) -> list[Column]:
    """Columns for CSV/JSON: drawn bars are for eyes only."""
    return [c for c in columns if c.kind != "bar"]


def to_csv(report: Any) -> str:
    """The report's main (first) table: stable columns, plain numbers, ISO dates."""
    table = report.tables[0]
    return out.to_csv(table.rows, machine_columns(table.columns))


def to_json(report: Any) -> str:
    """Locale-free: titles, notes and labels in English (their value as a str) in every language."""
    doc = {
        "report": report.key,
        "title": report.title,
        "period": report.period,
        "as_of": report.as_of,
        **report.data,
        "tables": {
            t.key: [{c.key: row.get(c.key) for c in machine_columns(t.columns)} for row in t.rows]
            for t in report.tables
        },
        "notes": report.notes,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Any) -> str:
    """GitHub-flavoured Markdown: a title, the period, one table per section, the notes."""
    period = _("Period: {period}").format(period=localise(report.period))
    lines = [f"# {localise(report.title)}", "", period, ""]
    for table in report.tables:
        lines += [f"## {localise(table.title)}", ""]
        if not table.rows:
            lines += [_("(none)"), ""]
            continue
        columns = table.display or table.columns
        lines.append("| " + " | ".join(_md_cell(c.title) for c in columns) + " |")
        lines.append("|" + "|".join("---:" if _right(c) else "---" for c in columns) + "|")
        for row in table.rows:
            lines.append("| " + " | ".join(_md_cell(out.cell(row, c)) for c in columns) + " |")
        lines.append("")
    if report.notes:
        lines += [_("Notes:"), ""] + [f"- {localise(note)}" for note in report.notes] + [""]
    return "\n".join(lines)


def _right(column: Column) -> bool:
    return column.kind in out.NUMERIC_KINDS or column.justify == "right"


def renderables(report: Any) -> list[Any]:
    from rich.text import Text

    items: list[Any] = [Text(localise(report.title), style="bold"), Text(localise(report.period))]
    for table in report.tables:
        columns = table.display or table.columns
        items.append(out.render_table(table.rows, columns, title=localise(table.title)))
        if not table.rows:
            items.append(Text("  " + _("(none)")))
    items += [Text(_("Note: {note}").format(note=localise(note))) for note in report.notes]
    return items


def to_xlsx(report: Any) -> bytes:
    """One workbook, a sheet per table of the report (the weekly report: per kelurahan, totals,
    cumulative)."""
    from up2k_cli.render.xlsx import workbook_bytes

    return workbook_bytes((t.key, t.rows, t.columns) for t in report.tables)


def render(report: Any, fmt: str, *, to_terminal: bool) -> str | None:
    """Text of the report in `fmt`; None means 'print the Rich tables to the terminal'."""
    if fmt == "csv":
        return to_csv(report)
    if fmt == "json":
        return to_json(report)
    if fmt == "markdown":
        return to_markdown(report)
    if to_terminal:
        return None
    return out.plain_text(*renderables(report))
