"""Excel workbooks for exports, lists and reports: a sheet per table, bold frozen header, fitted
widths; NIK, phone, NIB and codes as text (so Excel cannot damage them), numbers as numbers, dates
as dates. Every text cell is a text cell, whatever it starts with: `=HYPERLINK(...)` typed as a name
is shown, never run (the cell's type is string and it carries Excel's quote prefix).
openpyxl loads only here.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from up2k_cli.i18n import _, localise

from .escape import FORMULA_START, xlsx_text
from .model import TOTAL_CODE, ChartKind, Column, Kind, Table, kind_of

TEXT_KEYS = {"nik", "phone", "nib", "pirt", "kelurahan_code", "rt", "rw", "id", "cadre_id"}
TEXT_KINDS = frozenset({Kind.NIK, Kind.CODE, Kind.ID})
NUMBER_FORMATS = {
    Kind.INT: "0",
    Kind.MONEY: "#,##0",
    Kind.PCT: "0.0",
    Kind.DEC: "0.00",
    Kind.SIGNED: "+0;-0;0",
}
MAX_WIDTH = 60


def typed(value: Any, column: Column, kind: Kind) -> tuple[Any, str | None]:
    """(value as Excel should hold it, number format); anything not of its column's type is text."""
    if value is None:
        return None, None
    if column.key in TEXT_KEYS or kind in TEXT_KINDS:
        return str(value), "@"
    if kind is Kind.DATE and isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value), "yyyy-mm-dd"
        except ValueError:
            return value, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int | float):
        return value, NUMBER_FORMATS.get(kind)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value), None
    return str(value), None


def add_sheet(
    workbook: Any,
    table: Table,
    heading: tuple[str, ...] = (),
    signature: tuple[str, ...] = (),
    one_page: bool = False,
) -> None:
    """A sheet for one table. With a heading (a report: its title, region and period), those lines
    come first and the columns are headed in the reader's language; a list keeps the machine names
    (a workbook export is read back by other tools)."""
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(sheet_title(table.key, workbook.sheetnames))
    columns = table.machine
    for r, line in enumerate(heading, start=1):
        _text_cell(sheet, r, 1, line).font = Font(bold=r == 1, size=13 if r == 1 else 11)
    top = len(heading) + (1 if heading else 0) + 1  # a blank line between heading and table
    titles = [localise(c.title) if heading else c.key for c in columns]
    for i, title in enumerate(titles, start=1):
        _text_cell(sheet, top, i, title).font = Font(bold=True)
    widths = [len(t) for t in titles]
    for r, row in enumerate(table.rows, start=top + 1):
        for i, column in enumerate(columns):
            value, number_format = typed(row.get(column.key), column, kind_of(row, column))
            if isinstance(value, str):
                target = _text_cell(sheet, r, i + 1, value)
            else:
                target = sheet.cell(row=r, column=i + 1, value=value)
            if number_format:
                target.number_format = number_format
            shown = 10 if isinstance(value, dt.date) else len(str(value)) if value is not None else 0
            widths[i] = max(widths[i], shown)
    for i, width in enumerate(widths):
        sheet.column_dimensions[_letter(i + 1)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = f"A{top + 1}"
    if table.chart is not None and table.rows:
        add_chart(sheet, table, columns, top)
    if signature:  # under the table, over its last columns, with room to sign above the name
        first = top + len(table.rows) + 2
        column = max(len(columns) - 3, 1)
        for offset, line in enumerate((*signature[:-1], "", "", *signature[-1:])):
            if line:
                _text_cell(sheet, first + offset, column, line)
    if one_page:
        _one_a4_landscape_page(sheet)


def _one_a4_landscape_page(sheet: Any) -> None:
    """Printed on one A4 page, landscape: the paper form it replaces."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True


CHART_TYPES = {ChartKind.BAR: "bar", ChartKind.COLUMN: "col"}


def add_chart(sheet: Any, table: Table, columns: list[Column], top: int) -> None:
    """The table's chart hint as a native Excel chart beside it, over the cells themselves (a
    kelurahan office can restyle it or copy it into its slides). Series are the hinted columns,
    categories the hinted column; a per-kelurahan table's total row is left out unless asked."""
    from openpyxl.chart import BarChart, LineChart, Reference

    hint = table.chart
    assert hint is not None
    keys = [c.key for c in columns]
    if hint.category not in keys or not all(s in keys for s in hint.series):
        return
    last = top + len(table.rows)
    if not hint.total and table.rows[-1].get("kelurahan_code") == TOTAL_CODE and "kelurahan_code" in keys:
        last -= 1
    if last <= top:
        return
    if hint.kind is ChartKind.LINE:
        chart: Any = LineChart()
    else:
        chart = BarChart()
        chart.type = CHART_TYPES[hint.kind]
        chart.grouping = "clustered"
        if hint.kind is ChartKind.BAR:
            chart.y_axis.majorGridlines = None
    chart.title = xlsx_text(_(hint.title))
    chart.height = max(7.5, 0.9 * (last - top) * len(hint.series) / 2 + 4)
    chart.width = 18
    for key in hint.series:
        col = keys.index(key) + 1
        chart.add_data(Reference(sheet, min_col=col, min_row=top, max_row=last), titles_from_data=True)
    cat = keys.index(hint.category) + 1
    chart.set_categories(Reference(sheet, min_col=cat, min_row=top + 1, max_row=last))
    if hint.kind is ChartKind.BAR:
        chart.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
    sheet.add_chart(chart, f"{_letter(len(columns) + 2)}{top}")


def _text_cell(sheet: Any, row: int, column: int, text: str) -> Any:
    """A cell that holds `text` as text: openpyxl would store '=...' as a formula, so the type is
    set to string after the value, and text a spreadsheet would run when edited gets Excel's quote
    prefix (shown as typed, kept as text when someone edits the cell)."""
    target = sheet.cell(row=row, column=column)
    target.value = xlsx_text(text)
    target.data_type = "s"
    if text.startswith(FORMULA_START):
        target.quotePrefix = True
    return target


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def sheet_title(title: str, taken: list[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in xlsx_text(title))[:31] or "Sheet"
    name, n = clean, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    return name


def workbook_bytes(
    tables: Iterable[Table],
    heading: tuple[str, ...] = (),
    *,
    signature: tuple[str, ...] = (),
    one_page: bool = False,
) -> bytes:
    """One workbook, a sheet per table, named by the table's key; `heading` (a report's title and
    period, in the reader's language) heads every sheet; `signature` closes it (a form), and
    `one_page` fits each sheet on one A4 landscape page."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        add_sheet(workbook, table, (*heading, localise(table.title)) if heading else (), signature, one_page)
    if not workbook.sheetnames:
        workbook.create_sheet("Sheet")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
