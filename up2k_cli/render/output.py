"""What a command was asked to write, and the writing: every way data leaves the program.

A command builds its neutral model (a Table for a list, a Document for a report or a `show`
page) and hands it to the Output the shared options made (cli/options.py): the format, the
destination (stdout or an --output file, checked by destination.py), --wide, and for lists
--limit, --offset and the pager. Machine formats (csv, json, jsonl, ids, xlsx) are locale-free
and stable; the table format and Markdown are for people.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from up2k_cli.domain.errors import Up2kError
from up2k_cli.i18n import _

from .formats import Format

if TYPE_CHECKING:  # the model loads with the first table written, not with every command
    from .model import Document, Table


@dataclass
class Output:
    """The shared output options of one command run."""

    format: Format
    path: Path | None = None  # None or '-': stdout
    wide: bool = False
    limit: int | None = None
    offset: int = 0
    pager: bool = True
    paging: bool = False  # a list that takes --limit/--offset: on a terminal, a pager or one screenful
    protected: tuple[Any, ...] = ()  # destination.Protected: what --output must not overwrite
    notify: Callable[[str], None] | None = None  # a line for the person (stderr)

    @property
    def to_stdout(self) -> bool:
        from .destination import is_stdout

        return is_stdout(self.path)

    @property
    def file(self) -> str | None:
        """The output file's name, for the personal-data record of what left up2k and where."""
        return None if self.to_stdout else str(self.path)

    def width(self) -> int | None:
        """Columns a table must fit: none (natural width) for --wide and for files."""
        from . import terminal

        if self.wide or not self.to_stdout:
            return None
        return terminal.width(sys.stdout)

    # --- writing ---------------------------------------------------------------------------------

    def text(self, text: str) -> None:
        """Text output to stdout or the --output file. Data that goes to a terminal is made
        visible first (a stored ESC is shown as \\x1b, never run); a pipe or a file gets it raw."""
        if self.to_stdout:
            from . import terminal
            from .escape import visible_lines

            if terminal.is_terminal(sys.stdout):
                text = visible_lines(text)
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        self.bytes(text.encode("utf-8"))

    def bytes(self, data: bytes) -> None:
        """Bytes to the --output file (or /dev/stdout, when named), by destination.py's rules."""
        from . import destination, terminal

        if self.to_stdout and terminal.is_terminal(sys.stdout) and self.format.binary:
            raise NeedsFile(self.format)
        destination.write(self.path or Path("-"), data, protected=self.protected, notify=self.notify)

    def data(self, value: Any) -> None:
        """A JSON document (the `show` commands' own shape)."""
        from .writers import json_text

        self.text(json_text(value))

    def lines(self, lines: Sequence[Any]) -> None:
        from . import terminal
        from .text import plain

        if self.to_stdout:
            terminal.write_lines(lines)
        else:
            self.text(plain(lines))

    # --- a list ----------------------------------------------------------------------------------

    def table(
        self,
        table: Table,
        *,
        from_end: bool = False,
        prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        windowed: bool = False,
        remaining: int | None = None,
    ) -> None:
        """A list in the format asked for. --limit and --offset choose the rows in every format
        (`windowed`: the command read only those rows already, and `remaining` says how many
        the list holds from --offset on); on a terminal a long table goes
        through the pager, or shows one screenful and says how to see the rest. Only the rows
        written are formatted, and only they go through `prepare` (masking NIKs, say)."""
        from .model import Table, window

        rows = (
            list(table.rows) if windowed else window(table.rows, self.limit, self.offset, from_end=from_end)
        )
        fmt = self.format
        if fmt is Format.TABLE:
            self._people_table(table, rows, from_end=from_end, prepare=prepare, remaining=remaining)
            return
        if prepare is not None:
            rows = [prepare(r) for r in rows]
        if fmt is Format.XLSX:
            from .xlsx import workbook_bytes

            self.bytes(workbook_bytes([Table(table.key, table.title, table.columns, rows)]))
            return
        from . import writers

        if fmt is Format.MARKDOWN:
            self.text(writers.markdown_list(table, rows))
            return
        write = {
            Format.CSV: writers.csv_text,
            Format.JSON: writers.json_rows,
            Format.JSONL: writers.jsonl_rows,
            Format.IDS: writers.ids_text,
        }[fmt]
        self.text(write(rows, table.machine))

    def _people_table(
        self,
        table: Table,
        rows: list[dict[str, Any]],
        *,
        from_end: bool,
        prepare: Callable[[dict[str, Any]], dict[str, Any]] | None,
        remaining: int | None = None,
    ) -> None:
        from . import terminal
        from .text import draw_table

        width = self.width()
        # Only the lists page; a short table (check, backups, the agency map) is written whole.
        on_terminal = self.paging and self.to_stdout and terminal.is_terminal(sys.stdout)
        pager = terminal.pager_command() if on_terminal and self.pager else None
        if pager is not None:
            rows = [prepare(r) for r in rows] if prepare is not None else rows
            drawn = draw_table(table, width, rows=rows)
            if len(drawn.head) + len(rows) + len(drawn.foot) >= terminal.height(sys.stdout):
                terminal.page(chain(drawn.head, drawn.body(), drawn.foot), pager)
            else:
                self.lines(drawn.lines())
            return
        below: list[Any] = []
        if on_terminal and self.limit is None:
            part = screenful(table, rows, width, terminal.height(sys.stdout), from_end=from_end)
            left = len(rows) if remaining is None else remaining
            if len(part) < left:
                below = hint(len(part), left, self.offset, from_end, width)
            rows = part
        if prepare is not None:
            rows = [prepare(r) for r in rows]
        self.lines(draw_table(table, width, rows=rows).lines() + below)

    def screen_rows(self) -> int | None:
        """The most rows a list can show here when it goes to a terminal as one screenful (no
        --limit, no pager, the table format): the command need read no more (from --offset on);
        None when the whole list is written."""
        from . import terminal

        if self.format is not Format.TABLE or self.limit is not None or not self.paging or not self.to_stdout:
            return None
        if not terminal.is_terminal(sys.stdout) or (self.pager and terminal.pager_command() is not None):
            return None
        return terminal.height(sys.stdout)

    # --- a report or a show page -----------------------------------------------------------------

    def page(
        self,
        key: str,
        title: str,
        fields: Sequence[tuple[str, Any, Any]],
        tables: Sequence[Table],
        data: Mapping[str, Any],
    ) -> None:
        """A record's `show` page: JSON is the record's own document (`data`); the other formats
        its fields, a line each (model.details), then its tables."""
        if self.format is Format.JSON:
            self.data(data)
            return
        from .model import Document, details

        self.document(Document(key, title, "", "", [details(key, "", fields), *tables]))

    def document(self, doc: Document) -> None:
        """A report or a `show` page in the format asked for (JSON: a report's own shape)."""
        fmt = self.format
        if fmt is Format.TABLE:
            from .text import document_lines

            self.lines(document_lines(doc, self.width()))
            return
        if fmt is Format.XLSX:
            from up2k_cli.i18n import localise

            from .xlsx import workbook_bytes

            heading = (localise(doc.title), localise(doc.period))
            if doc.one_page:  # a paper form: its main table alone, on one page, signed
                signature = tuple(localise(line) for line in doc.signature)
                self.bytes(workbook_bytes([doc.main_table], heading, signature=signature, one_page=True))
            else:
                self.bytes(workbook_bytes(doc.tables, heading))
            return
        from . import writers

        if fmt is Format.CSV:
            self.text(writers.document_csv(doc))
        elif fmt is Format.JSON:
            self.text(writers.document_json(doc))
        elif fmt is Format.MARKDOWN:
            self.text(writers.markdown_document(doc))
        else:
            raise ValueError(f"a document has no {fmt} form")


def screenful(
    table: Table, rows: list[dict[str, Any]], width: int | None, lines: int, *, from_end: bool
) -> list[dict[str, Any]]:
    """As many rows as fit on the screen under the title, header and notes, leaving room for the
    hint and the prompt (the newest rows when counted from the end). Only rows that can be shown
    are drawn: a list of 50,000 costs what a list of one screen does."""
    from .text import draw_table

    sample = rows[-lines:] if from_end else rows[:lines]
    drawn = draw_table(table, width, rows=sample)
    below = len(hint(len(sample), len(rows) + 1, 0, from_end, width)) + 1  # the hint, the prompt
    fits = max(lines - len(drawn.head) - len(drawn.foot) - below, 3)
    if len(rows) <= fits:
        return rows
    return rows[-fits:] if from_end else rows[:fits]


def hint(shown: int, total: int, offset: int, from_end: bool, width: int | None = None) -> list[Any]:
    """'Rows 1-20 of 50000 ...' under a table that shows one screenful of a longer list; `total`
    counts the rows left after --offset."""
    if from_end:
        last = total
        more = _("older ones: --offset {next}").format(next=offset + shown)
    else:
        last = offset + shown
        more = _("the next ones: --offset {next}").format(next=last)
    everything = total + offset
    text = _("Rows {first}-{last} of {total}; {more}; --limit {total} shows them all.").format(
        first=last - shown + 1, last=last, total=everything, more=more
    )
    from .text import wrap

    return [[(part, None)] for part in wrap(text, width or 0)]


class NeedsFile(Up2kError):
    """Bytes of a workbook never go to a terminal: a usage error (exit 2)."""

    exit_code = 2

    def __init__(self, fmt: Format) -> None:
        super().__init__(needs_file(fmt))


def needs_file(fmt: Format) -> str:
    return _("--format {format} writes a file: add --output FILE.{format}").format(format=fmt.value)


# --- history as people read it ------------------------------------------------------------------


def masked_changes(changes: Mapping[str, Any], show_nik: bool = False) -> dict[str, Any]:
    """A history entry's changes with NIKs masked unless asked."""
    if show_nik or "nik" not in changes:
        return dict(changes)
    from up2k_cli.domain.validators import mask_nik  # not at start-up: every command imports this module

    pair = changes["nik"]
    if not isinstance(pair, list):
        return {**changes, "nik": mask_nik(pair) if isinstance(pair, str) else pair}
    return {**changes, "nik": [mask_nik(x) if isinstance(x, str) and x else x for x in pair]}


def history_table(entries: Sequence[Mapping[str, Any]], show_nik: bool = False) -> Table:
    """A record's history for its `show` page: when, who, which command, what changed."""
    from .columns import HISTORY
    from .model import Table

    rows = [{**h, "changes": changes_text(h.get("changes") or {}, show_nik)} for h in entries]
    return Table("history", _("History"), HISTORY, rows)


def changes_text(changes: Mapping[str, Any], show_nik: bool = False) -> str:
    """'phone: +62811 -> +62812; rt=001' (a field set from nothing shows as field=value)."""
    parts = []
    for field, pair in masked_changes(changes, show_nik).items():
        old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        parts.append(f"{field}={new}" if old is None else f"{field}: {old} -> {new}")
    return "; ".join(parts)
