"""Excel workbooks for exports and reports: bold header, frozen, fitted widths, NIK and phone as
text (so Excel cannot damage them), numbers as numbers, dates as dates. openpyxl loads only here."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from up2k_cli.render.output import Column

TEXT_KEYS = {"nik", "phone", "nib", "pirt", "kelurahan_code", "rt", "rw", "id", "cadre_id"}
NUMBER_FORMATS = {"int": "0", "money": "#,##0", "pct": "0.0", "dec": "0.00", "signed": "+0;-0;0"}
MAX_WIDTH = 60


def _cell(value: Any, column: Column) -> tuple[Any, str | None]:
    """(value as Excel should hold it, number format)."""
    if value is None:
        return None, None
    if column.key in TEXT_KEYS or column.kind == "nik":
        return str(value), "@"
    if column.kind == "date" and isinstance(value, str) and len(value) == 10:
        return dt.date.fromisoformat(value), "yyyy-mm-dd"
    if column.kind in NUMBER_FORMATS and isinstance(value, int | float):
        return value, NUMBER_FORMATS[column.kind]
    if column.kind == "auto" and isinstance(value, int | float):
        return value, None
    return value if isinstance(value, int | float | bool) else str(value), None


def add_sheet(
    workbook: Any, title: str, rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]
) -> None:
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(_sheet_title(title, workbook.sheetnames))
    columns = [c for c in columns if c.kind != "bar"]
    sheet.append([c.key for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(c.key) for c in columns]
    for r, row in enumerate(rows, start=2):
        for i, column in enumerate(columns):
            value, fmt = _cell(row.get(column.key), column)
            cell = sheet.cell(row=r, column=i + 1, value=value)
            if fmt:
                cell.number_format = fmt
            shown = 10 if isinstance(value, dt.date) else len(str(value)) if value is not None else 0
            widths[i] = max(widths[i], shown)
    for i, width in enumerate(widths):
        sheet.column_dimensions[_letter(i + 1)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _sheet_title(title: str, taken: list[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet"
    name, n = clean, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    return name


def workbook_bytes(sheets: Iterable[tuple[str, Iterable[Mapping[str, Any]], Sequence[Column]]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows, columns in sheets:
        add_sheet(workbook, title, rows, columns)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
