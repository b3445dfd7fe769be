"""The neutral model every writer draws: columns, tables, documents of several tables.

Commands and reports describe *what* to show (a column's machine key, header, kind and how much
it matters); the writers (render/text.py, writers.py, xlsx.py) decide *how*, once per format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from up2k_cli.i18n import N_, Msg, _


class Kind(StrEnum):
    """What a column holds: decides alignment, how it is written for people and in workbooks, and
    whether it may be shortened to fit a screen (text) or never split (numbers, codes, dates)."""

    TEXT = "text"  # short labels from a fixed list or the settings: kelurahan, status, category
    FREE = "free"  # free text people typed: names, addresses, titles, notes, reasons
    CODE = "code"  # codes that are not amounts: kelurahan code, RT/RW, phone, NIB, P-IRT
    ID = "id"  # record IDs and batch codes: K0001, B01, U0001
    NIK = "nik"  # masked or whole, as the rows carry it
    INT = "int"
    DEC = "dec"  # two decimals: 18.66
    SIGNED = "signed"  # +3, -2, 0
    MONEY = "money"  # whole Rupiah
    PCT = "pct"  # one decimal and a %
    DATE = "date"  # ISO in the data, localised for people
    WHEN = "when"  # a timestamp (history)
    FIGURE = "figure"  # text already written out that must stay whole: "12 (+3)", "3 / 100"
    AUTO = "auto"  # each row says its kind in its own "kind" field (summary tables, details)
    BAR = "bar"  # a drawn bar: for eyes only, never in machine output


# Kinds that are shortened (text) or wrapped (details) to fit; every other kind is never split.
SOFT = frozenset({Kind.TEXT, Kind.FREE})
RIGHT = frozenset({Kind.INT, Kind.DEC, Kind.SIGNED, Kind.MONEY, Kind.PCT, Kind.FIGURE, Kind.AUTO})

# Priorities: a column that does not fit the screen is dropped, highest priority number first.
KEEP = 0  # never dropped: what names the row
LAST = 9  # dropped first: repeats what another column says


@dataclass(frozen=True)
class Column:
    """One column: a stable machine key (CSV header, JSON key: a promise to scripts), a header
    people read (marked with N_, translated when shown), its kind and its display priority."""

    key: str
    header: str = ""
    kind: Kind = Kind.TEXT
    justify: str = ""  # "left" or "right"; by default from the kind
    priority: int = 5
    wrap: bool = False  # long text wraps onto more lines instead of ending in an ellipsis
    # Stored code -> the words people read (N_-marked msgids): tables, Markdown and `show` pages
    # say "looking for work" / "mencari kerja" where CSV, JSON and workbooks keep "unemployed".
    labels: Mapping[str, str] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))
        if not self.justify:
            object.__setattr__(self, "justify", "right" if self.kind in RIGHT else "left")

    @property
    def title(self) -> str:
        """The header in the current language."""
        return _(self.header) if self.header else self.key

    def label(self, value: Any) -> Any:
        """A stored code as people read it (a Msg: English in machine output), any other value
        as it is."""
        if self.labels is not None and isinstance(value, str) and value in self.labels:
            return Msg(self.labels[value])
        return value


def kind_of(row: Mapping[str, Any], column: Column) -> Kind:
    """The kind of one cell: a column of kind auto takes the row's own."""
    if column.kind is Kind.AUTO:
        try:
            return Kind(row.get("kind") or Kind.TEXT)
        except ValueError:
            return Kind.TEXT
    return column.kind


class ChartKind(StrEnum):
    BAR = "bar"  # horizontal bars: long labels (kelurahan, steps) read well down the side
    COLUMN = "column"  # vertical bars: a few categories side by side
    LINE = "line"  # values over time


@dataclass(frozen=True)
class Chart:
    """A chart of a table's own figures, said neutrally: which column names the categories and
    which numeric columns are its series. Writers that can draw (render/xlsx.py: a native Excel
    chart beside the table) do; the others ignore it. The total row of a per-kelurahan table is
    left out unless `total` (it would dwarf the kelurahan)."""

    kind: ChartKind
    title: str  # N_-marked, translated where drawn
    category: str
    series: tuple[str, ...]
    total: bool = False


@dataclass
class Table:
    """Rows under columns, with a title. `display` is what people see when it differs from the
    machine columns (CSV, JSON, xlsx); `header=False` makes a details view (label, value);
    `chart` a chart of its figures, for the writers that draw."""

    key: str
    title: str  # a Msg where it also goes into machine output: English there, localised for people
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    display: tuple[Column, ...] | None = None
    header: bool = True
    chart: Chart | None = None

    @property
    def shown(self) -> tuple[Column, ...]:
        return self.display or self.columns

    @property
    def machine(self) -> list[Column]:
        """The columns of CSV, JSON and workbooks: drawn bars are for eyes only."""
        return [c for c in self.columns if c.kind is not Kind.BAR]


@dataclass
class Document:
    """Several tables under one title, with the period they cover and notes: a report or a `show`
    page. Titles, periods and notes are Msgs: English in JSON, localised where people read them."""

    key: str
    title: str
    period: str
    as_of: str
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # extra machine-readable facts (JSON)
    main: str | None = None  # the table CSV writes; the first one when None
    # A form's signature block (place and date, the signer's title, name), under the notes; and a
    # workbook that must print on one A4 landscape page (PKK's paper forms).
    signature: tuple[str, ...] = ()
    one_page: bool = False

    @property
    def main_table(self) -> Table:
        return next((t for t in self.tables if t.key == self.main), self.tables[0])


# --- details views --------------------------------------------------------------------------------

FIELD = Column("field", N_("Field"), Kind.TEXT, priority=KEEP)
VALUE = Column("value", N_("Value"), Kind.AUTO, justify="left", priority=KEEP, wrap=True)


def details(key: str, title: str, fields: Iterable[tuple[str, Any, Kind | str]]) -> Table:
    """One record as label / value lines (the `show` commands): labels are N_-marked texts or
    Msgs, each value keeps its kind so that it is written like the same value in a table."""
    rows = [{"field": Msg(label), "value": value, "kind": Kind(kind)} for label, value, kind in fields]
    return Table(key, title, (FIELD, VALUE), rows, header=False)


def record_fields(record: Mapping[str, Any], columns: Iterable[Column]) -> list[tuple[str, Any, Kind]]:
    """A record's fields as `details` takes them, labelled by the columns' headers (stored codes
    as words, as the columns say)."""
    return [(c.header or c.key, c.label(record.get(c.key)), c.kind) for c in columns]


# --- rows per kelurahan ---------------------------------------------------------------------------

TOTAL_CODE = ""
TOTAL_LABEL = Msg(N_("Total"))


def per_kelurahan(
    kelurahan: Iterable[tuple[str, str]],
    figures: Callable[[str], Mapping[str, Any]],
    total: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """One row per kelurahan (code, name, then its figures) and the total row, whose code is empty
    and whose label is Total: the shape every per-kelurahan report shares."""
    rows = [{"kelurahan_code": code, "kelurahan": name, **figures(code)} for code, name in kelurahan]
    rows.append({"kelurahan_code": TOTAL_CODE, "kelurahan": TOTAL_LABEL, **total})
    return rows


# --- a part of a list -----------------------------------------------------------------------------

T = TypeVar("T")


def window(rows: Sequence[T], limit: int | None, offset: int = 0, *, from_end: bool = False) -> list[T]:
    """`--limit N --offset M`: rows M+1 to M+N; counted from the newest when `from_end` (history,
    where --limit has always meant the last N changes)."""
    count = len(rows)
    if from_end:
        stop = max(count - offset, 0)
        start = 0 if limit is None else max(stop - limit, 0)
        return list(rows[start:stop])
    stop = count if limit is None else offset + limit
    return list(rows[offset:stop])
