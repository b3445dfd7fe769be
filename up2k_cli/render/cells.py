"""Values as people read them in tables and Markdown: Rp 1.500.000, 17 Agu 2026, 12,5%.

Machine formats never come here: CSV, JSON and workbooks keep plain numbers and ISO dates.
A value of the wrong type (a hand-edited registry) is shown as it is, never an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from up2k_cli.domain.validators import format_rupiah, mask_nik
from up2k_cli.i18n import N_, Msg, _, localised_date, localised_number

from .escape import needs_escape, visible
from .model import Column, Kind, kind_of

YES, NO = N_("yes"), N_("no")


def human(value: Any, kind: Kind | str = Kind.TEXT, show_nik: bool = True) -> str:
    """One value as a person reads it, in the current language (not yet made visible: see cell)."""
    if value is None or value == "":
        return ""
    if isinstance(value, Msg):
        return value.localised()
    if isinstance(value, bool):
        return _(YES) if value else _(NO)
    if isinstance(value, list | tuple):
        return ", ".join(human(v, kind, show_nik) for v in value)
    try:
        return _formatted(value, kind if isinstance(kind, Kind) else Kind(kind), show_nik)
    except (TypeError, ValueError):
        return str(value)


def _formatted(value: Any, kind: Kind, show_nik: bool) -> str:
    if kind is Kind.MONEY and isinstance(value, int):
        return format_rupiah(value)
    if kind is Kind.DATE and isinstance(value, str | dt.date):
        return localised_date(value)
    if kind is Kind.NIK and isinstance(value, str):
        return value if show_nik else mask_nik(value)
    if kind is Kind.PCT and isinstance(value, int | float):
        return localised_number(value, "0.0") + "%"
    if kind is Kind.SIGNED and isinstance(value, int):
        return f"{value:+d}" if value else "0"
    if kind is Kind.DEC and isinstance(value, int | float):
        return localised_number(value, "0.00")
    if kind is Kind.WHEN and isinstance(value, str) and len(value) >= 16 and value[10] == "T":
        return f"{value[:10]} {value[11:16]}"  # to the minute, in the time it was written in
    return str(value)


# Kinds whose text is shown as it is stored (no date, number or money to write out).
AS_STORED = frozenset({Kind.TEXT, Kind.FREE, Kind.CODE, Kind.ID, Kind.NIK, Kind.FIGURE, Kind.BAR})


def cell(row: Mapping[str, Any], column: Column) -> str:
    """One cell's text for a table or Markdown: formatted for people and made visible."""
    return visible(_text(row, column))


def row_cells(row: Mapping[str, Any], columns: Sequence[Column]) -> list[str]:
    """A row's cells, as `cell` gives them; the row is searched for characters to make visible
    once, not cell by cell (a list of 50,000 cadres is 450,000 cells)."""
    texts = [_text(row, c) for c in columns]
    return [visible(t) for t in texts] if needs_escape("".join(texts)) else texts


def _text(row: Mapping[str, Any], column: Column) -> str:
    value = row.get(column.key)
    if column.labels is not None:
        value = column.label(value)
    kind = column.kind if column.kind is not Kind.AUTO else kind_of(row, column)
    if type(value) is str and kind in AS_STORED:
        return value
    return human(value, kind)
