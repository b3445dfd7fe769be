"""Tables and documents as lines of text that fit a width: the 'table' format, for people.

The layout is decided here, not left to a terminal library: numbers, codes, IDs and dates are
never split across lines; long text ends in an ellipsis (or wraps, in a details view); when a
table still does not fit, the columns that matter least are left out and a note under the table
names them (`--wide` shows everything). Every cell arrives escaped (cells.cell), so what is drawn
is plain characters; styles (bold titles and headers) are applied by render/terminal.py, only
where a terminal shows them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from up2k_cli.i18n import N_, _, localise

from .cells import cell, row_cells
from .escape import visible
from .model import KEEP, SOFT, Column, Document, Kind, Table, kind_of

# One drawn line: (text, style) parts; style is None or "bold".
Segment = tuple[str, str | None]
Line = list[Segment]

GAP = "  "
RULE = "─"
ELLIPSIS = "…"
# The narrowest long text is cut to before columns are left out (an ellipsis included); labels
# that name the row (a TEXT column of priority KEEP) are never cut.
FLOOR = {Kind.FREE: 14, Kind.TEXT: 12}
NONE = N_("(none)")


def cell_len(text: str) -> int:
    """Columns a text takes on a terminal (wide characters take two)."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len as measure

    return measure(text)


def truncate(text: str, width: int) -> str:
    """The text cut to `width` columns, its end replaced by an ellipsis."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    from rich.cells import set_cell_size

    return set_cell_size(text, width - 1).rstrip() + ELLIPSIS


# Where a word may break when a line is full: after a hyphen or a slash between letters
# (pelaporan-/keuangan, Perikanan/Kelautan); never inside a date (2026-11-20) or an option (--wide).
_PIECE = re.compile(r".*?[^\W\d_][-/]+(?=[^\W\d_])|.+")
# Values written with spaces that a line never breaks inside: amounts and dates as people read them.
_WHOLE = re.compile(r"\bRp \d|\b\d{1,2} [^\W\d_]{3} \d{4}\b")
_GLUE = "\u00a0"  # stands for the spaces inside a value while wrapping (shown as a space)


def pieces(word: str) -> list[str]:
    return _PIECE.findall(word) or [word]


def wrap(text: str, width: int) -> list[str]:
    """Word-wrapped lines of at most `width` columns, broken at spaces, and at hyphens and slashes
    between letters, never inside an amount or a date; a piece longer than that is folded."""
    if width <= 0 or cell_len(text) <= width:
        return [text]
    if _WHOLE.search(text):
        glued = _WHOLE.sub(lambda m: m.group().replace(" ", _GLUE), text)
        return [line.replace(_GLUE, " ") for line in wrap(glued, width)]
    from rich.cells import chop_cells

    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        for i, piece in enumerate(pieces(word)):
            candidate = f"{current} {piece}" if current and i == 0 else current + piece
            if cell_len(candidate) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = piece
            if cell_len(current) > width:
                chopped = chop_cells(current, width)
                lines.extend(chopped[:-1])
                current = chopped[-1]
    lines.append(current)
    return lines


def pad(text: str, width: int, right: bool) -> str:
    gap = width - cell_len(text)
    if gap <= 0:
        return text
    return " " * gap + text if right else text + " " * gap


# --- layout ---------------------------------------------------------------------------------------


@dataclass
class Measure:
    """How wide a column wants to be, and how narrow it may become."""

    full: int  # the header on one line and every cell whole
    content: int  # every cell whole (the header may wrap at its spaces)
    least: int  # never splits a number, code, ID or date, nor a word of the header


def measure(column: Column, header: str, cells: Iterable[tuple[str, Kind]]) -> Measure:
    hard = soft = 0
    soft_floor = 0
    for text, kind in cells:
        width = cell_len(text)
        if kind in SOFT:
            soft = max(soft, width)
            # A label that names the row (a kelurahan, an agency) is kept whole; free text is cut.
            keep_whole = kind is Kind.TEXT and column.priority == KEEP and not column.wrap
            soft_floor = max(soft_floor, width if keep_whole else min(width, FLOOR[kind]))
        else:
            hard = max(hard, width)
    word = max((cell_len(p) for w in header.split() for p in pieces(w)), default=0)
    content = max(hard, soft, word)
    return Measure(full=max(content, cell_len(header)), content=content, least=max(hard, soft_floor, word))


@dataclass
class Layout:
    """The columns drawn, their widths, and the columns left out for want of room."""

    columns: list[int]  # indexes into the table's columns
    widths: list[int]
    dropped: list[int]


def fit(columns: Sequence[Column], measures: Sequence[Measure], width: int | None) -> Layout:
    """Widths for `width` columns of screen (None: each column at its natural width)."""
    keep = list(range(len(columns)))
    if width is None:
        return Layout(keep, [m.full for m in measures], [])

    def need(indexes: list[int]) -> int:
        return sum(measures[i].least for i in indexes) + len(GAP) * (len(indexes) - 1)

    dropped: list[int] = []
    while need(keep) > width:
        droppable = [i for i in keep if columns[i].priority > KEEP]
        if not droppable:
            break  # only what names the rows is left: drawn as it is, whole
        victim = max(droppable, key=lambda i: (columns[i].priority, i))
        keep.remove(victim)
        dropped.append(victim)
    widths = {i: measures[i].least for i in keep}
    spare = width - need(keep)
    for target in ("content", "full"):  # first whole cells, then headers on one line
        spare = _grow(widths, {i: getattr(measures[i], target) for i in keep}, spare)
    return Layout(keep, [widths[i] for i in keep], sorted(dropped))


def _grow(widths: dict[int, int], targets: Mapping[int, int], spare: int) -> int:
    """Share `spare` columns out, one at a time, among the columns still short of their target."""
    while spare > 0:
        short = [i for i in widths if widths[i] < targets[i]]
        if not short:
            break
        for i in short:
            if spare == 0:
                break
            widths[i] += 1
            spare -= 1
    return spare


# --- drawing --------------------------------------------------------------------------------------


def distinct_cells(rows: Sequence[Mapping[str, Any]], column: Column) -> list[tuple[str, Kind]]:
    """Every different cell of a column, as drawn, with its kind: what its width depends on. A
    column of 50,000 rows holds far fewer different values, and only those are formatted."""
    key = column.key
    if column.kind is not Kind.AUTO:
        try:
            values = {row.get(key) for row in rows}
        except TypeError:  # a list or a dict in a cell: each row on its own
            return [(cell(row, column), column.kind) for row in rows]
        return [(cell({key: value}, column), column.kind) for value in values]
    found: dict[Any, tuple[str, Kind]] = {}
    for row in rows:
        kind = kind_of(row, column)
        try:
            marker: Any = (row.get(key), kind)
            hash(marker)
        except TypeError:
            marker = (repr(row.get(key)), kind)
        if marker not in found:
            found[marker] = (cell(row, column), kind)
    return list(found.values())


@dataclass
class Drawn:
    """A table laid out for a width: the lines above the rows, the rows (drawn only when asked
    for, so that a pager gets the first ones at once), and the lines below."""

    head: list[Line]
    rows: Sequence[Mapping[str, Any]]
    columns: list[Column]
    widths: list[int]
    foot: list[Line]

    def body(self) -> Iterator[Line]:
        auto = any(c.kind is Kind.AUTO for c in self.columns)
        kinds = [c.kind for c in self.columns]
        for row in self.rows:
            texts = row_cells(row, self.columns)
            row_kinds = [kind_of(row, c) for c in self.columns] if auto else kinds
            yield from _row_lines(list(zip(texts, row_kinds, strict=True)), self.widths, self.columns)

    def lines(self) -> list[Line]:
        return [*self.head, *self.body(), *self.foot]


def draw_table(
    table: Table,
    width: int | None,
    *,
    rows: Sequence[Mapping[str, Any]] | None = None,
    title: bool = True,
) -> Drawn:
    """A table drawn for `width` columns (None: natural width): title, header, rows, and a note
    naming any column left out."""
    columns = list(table.shown)
    shown_rows = table.rows if rows is None else rows
    headers = [visible(c.title) for c in columns] if table.header else [""] * len(columns)
    measures = [measure(c, headers[i], distinct_cells(shown_rows, c)) for i, c in enumerate(columns)]
    layout = fit(columns, measures, width)
    head: list[Line] = []
    if title and table.title:
        head += [[(text, "bold")] for text in wrap(visible(localise(table.title)), width or 0)]
    drawn = [columns[i] for i in layout.columns]
    if table.header:
        wrapped = [wrap(headers[i], w) for i, w in zip(layout.columns, layout.widths, strict=True)]
        for parts in zip_longest(*wrapped, fillvalue=""):
            text = GAP.join(
                pad(part, w, c.justify == "right")
                for part, w, c in zip(parts, layout.widths, drawn, strict=True)
            )
            head.append([(text.rstrip(), "bold")])
        head.append([(GAP.join(RULE * w for w in layout.widths), None)])
    foot: list[Line] = []
    if not shown_rows:
        foot.append([(_(NONE), None)])
    if layout.dropped:
        names = ", ".join(headers[i] or columns[i].key for i in layout.dropped)
        note = _("Not shown, to fit {width} columns: {names} (--wide shows every column).").format(
            width=width, names=names
        )
        foot += [[(text, None)] for text in wrap(note, width or 0)]
    return Drawn(head, shown_rows, drawn, layout.widths, foot)


def table_lines(
    table: Table,
    width: int | None,
    *,
    rows: Sequence[Mapping[str, Any]] | None = None,
    title: bool = True,
) -> list[Line]:
    """draw_table, every line of it."""
    return draw_table(table, width, rows=rows, title=title).lines()


def _row_lines(
    cells: Sequence[tuple[str, Kind]], widths: Sequence[int], columns: Sequence[Column]
) -> list[Line]:
    parts: list[list[str]] = []
    for (text, kind), w, column in zip(cells, widths, columns, strict=True):
        if kind in SOFT and cell_len(text) > w:
            parts.append(wrap(text, w) if column.wrap else [truncate(text, w)])
        else:
            parts.append([text])
    if all(len(p) == 1 for p in parts):
        text = GAP.join(
            pad(p[0], w, c.justify == "right") for p, w, c in zip(parts, widths, columns, strict=True)
        )
        return [[(text.rstrip(), None)]]
    lines: list[Line] = []
    for line_parts in zip_longest(*parts, fillvalue=""):
        text = GAP.join(
            pad(p, w, c.justify == "right") for p, w, c in zip(line_parts, widths, columns, strict=True)
        )
        lines.append([(text.rstrip(), None)])
    return lines


def document_lines(doc: Document, width: int | None) -> list[Line]:
    """A report or a `show` page: its title, period, every table, then its notes."""
    lines: list[Line] = [[(text, "bold")] for text in wrap(visible(localise(doc.title)), width or 0)]
    if doc.period:
        lines += [[(text, None)] for text in wrap(visible(localise(doc.period)), width or 0)]
    for table in doc.tables:
        if lines:
            lines.append([("", None)])
        lines += table_lines(table, width)
    if doc.notes:
        lines.append([("", None)])
    for note in doc.notes:
        text = _("Note: {note}").format(note=visible(localise(note)))
        lines += [[(part, None)] for part in wrap(text, width or 0)]
    if doc.signature:
        lines.append([("", None)])
        lines += [
            [(text, None)] for line in doc.signature for text in wrap(visible(localise(line)), width or 0)
        ]
    return lines


def plain(lines: Iterable[Line]) -> str:
    """The lines as text with no style at all (pipes, files, NO_COLOR)."""
    return "".join("".join(text for text, _style in line) + "\n" for line in lines)
