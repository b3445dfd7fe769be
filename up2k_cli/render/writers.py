"""The text formats, one writer each, over the neutral model (model.py).

CSV, JSON, JSON lines and IDs are for tools: locale-free, stable keys, plain numbers, ISO dates;
their column names are a promise to scripts. Markdown is for e-mail: localised like a table.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from up2k_cli.i18n import _, localise

from .cells import cell
from .escape import guard_formula, json_safe, markdown_text
from .model import Column, Document, Table


def csv_text(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    delimiter: str = ",",
    newline: str = "\r\n",
) -> str:
    """RFC 4180 with CRLF line ends and a header of the machine keys; every text cell a
    spreadsheet would run as a formula is guarded (escape.guard_formula). Another separator or line
    end writes a file in the dialect a spreadsheet gave us (an import's rejects)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow([guard_formula(c.key) for c in columns])
    keys = [c.key for c in columns]
    for row in rows:
        writer.writerow(["" if (value := row.get(k)) is None else guard_formula(value) for k in keys])
    return buffer.getvalue()


def json_text(value: Any) -> str:
    """Any data as indented JSON (raw data: the only escapes are those JSON itself defines)."""
    return json_safe(json.dumps(value, ensure_ascii=False, indent=2, default=str)) + "\n"


def records(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> list[dict[str, Any]]:
    """Rows as JSON objects holding exactly the columns' keys, in their order."""
    keys = [c.key for c in columns]
    return [{k: row.get(k) for k in keys} for row in rows]


def json_rows(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    return json_text(records(rows, columns))


def jsonl_rows(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    return jsonl_values(records(rows, columns))


def jsonl_values(values: Iterable[Any]) -> str:
    """One JSON value a line."""
    return "".join(json_safe(json.dumps(v, ensure_ascii=False, default=str)) + "\n" for v in values)


def ids_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    """One ID a line (the first column), for pipes into other commands."""
    key = columns[0].key
    return "".join(f"{row[key]}\n" for row in rows)


# --- Markdown -------------------------------------------------------------------------------------


def markdown_table(table: Table, rows: Sequence[Mapping[str, Any]] | None = None) -> list[str]:
    """A GitHub-flavoured table; every cell, header and title escaped (escape.markdown_text)."""
    shown = table.rows if rows is None else rows
    if not shown:
        return [_("(none)"), ""]
    columns = table.shown
    lines = [
        "| " + " | ".join(markdown_text(c.title) if table.header else "" for c in columns) + " |",
        "|" + "|".join("---:" if c.justify == "right" else "---" for c in columns) + "|",
    ]
    lines += ["| " + " | ".join(markdown_text(cell(row, c)) for c in columns) + " |" for row in shown]
    return [*lines, ""]


def markdown_list(table: Table, rows: Sequence[Mapping[str, Any]] | None = None) -> str:
    """A list (cadres, businesses...) as a titled Markdown table."""
    return "\n".join([f"# {markdown_text(localise(table.title))}", "", *markdown_table(table, rows)])


def markdown_document(doc: Document) -> str:
    """A title, the period, one section per table, the notes."""
    lines = [f"# {markdown_text(localise(doc.title))}", ""]
    if doc.period:
        lines += [markdown_text(_("Period: {period}").format(period=localise(doc.period))), ""]
    for table in doc.tables:
        if table.title:
            lines += [f"## {markdown_text(localise(table.title))}", ""]
        lines += markdown_table(table)
    if doc.notes:
        lines += [_("Notes:"), ""] + [f"- {markdown_text(localise(note))}" for note in doc.notes] + [""]
    if doc.signature:
        lines += ["  \n".join(markdown_text(localise(line)) for line in doc.signature), ""]
    return "\n".join(lines)


# --- documents for tools --------------------------------------------------------------------------


def document_csv(doc: Document) -> str:
    """A document's main table (a report's first): stable columns, plain numbers, ISO dates."""
    table = doc.main_table
    return csv_text(table.rows, table.machine)


def document_json(doc: Document) -> str:
    """Locale-free: titles, notes and labels in English (their value as a str) in every language;
    every table under `tables.<key>`."""
    return json_text(
        {
            "report": doc.key,
            "title": doc.title,
            "period": doc.period,
            "as_of": doc.as_of,
            **doc.data,
            "tables": {t.key: records(t.rows, t.machine) for t in doc.tables},
            "notes": doc.notes,
        }
    )
