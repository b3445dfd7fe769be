"""Writers for every output format; one place decides how data leaves the program.

Machine formats (csv, json, jsonl, ids) are locale-free and stable; tables are for people.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from up2k_cli.domain.validators import format_rupiah, mask_nik
from up2k_cli.fileio import WriteFailed, atomic_write_bytes
from up2k_cli.i18n import Msg, _, localised_date, localised_number

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One output column: its stable machine name, its table header and how people see it."""

    key: str
    header: str = ""
    kind: str = "text"  # text | free | int | money | date | nik | pct
    justify: str = "left"

    @property
    def title(self) -> str:
        """The header in the current language (headers are marked with N_ where defined)."""
        return _(self.header) if self.header else self.key


def guard_formula(value: Any) -> Any:
    """Neutralise spreadsheet formulas in free text: '=cmd' becomes \"'=cmd\"."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    """RFC 4180: header row, CRLF line ends, plain numbers, ISO dates, guarded free text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.key for c in columns])
    free = {c.key for c in columns if c.kind == "free"}
    for row in rows:
        writer.writerow(
            [
                "" if row.get(c.key) is None else guard_formula(row[c.key]) if c.key in free else row[c.key]
                for c in columns
            ]
        )
    return buffer.getvalue()


def to_json(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    return (
        json.dumps([{c.key: row.get(c.key) for c in columns} for row in rows], ensure_ascii=False, indent=2)
        + "\n"
    )


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def to_jsonl(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    return "".join(
        json.dumps({c.key: row.get(c.key) for c in columns}, ensure_ascii=False) + "\n" for row in rows
    )


def to_ids(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    return "".join(f"{row[columns[0].key]}\n" for row in rows)


def human(value: Any, kind: str, show_nik: bool = True) -> str:
    """A value as a person reads it in a table: Rp 1.500.000, 27 Nov 2026, masked NIK."""
    if value is None or value == "":
        return ""
    if isinstance(value, Msg):
        return value.localised()
    if kind == "money":
        return format_rupiah(value)
    if kind == "date":
        return localised_date(value)
    if kind == "nik":
        return value if show_nik else mask_nik(value)
    if kind == "pct":
        return localised_number(value, "0.0") + "%"
    if kind == "signed":
        return f"{value:+d}" if value else "0"
    if kind == "dec":
        return localised_number(value, "0.00")
    return str(value)


def cell(row: Mapping[str, Any], column: Column, show_nik: bool = True) -> str:
    """One table cell; a column of kind 'auto' takes the kind from the row's own 'kind'."""
    kind = row.get("kind", "text") if column.kind == "auto" else column.kind
    return human(row.get(column.key), kind, show_nik)


def make_console(stderr: bool = False) -> Any:
    """A Rich console that never sends colour codes to a pipe and never cuts a piped table."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    interactive = stream.isatty()
    width = None
    if not interactive and not os.environ.get("COLUMNS"):
        width = 4000  # piped: let tables take their natural width instead of 80 columns
    return Console(
        file=stream,
        width=width,
        highlight=False,
        soft_wrap=False,
        no_color=not interactive or None,
        force_terminal=interactive,
        emoji=False,
    )


def render_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    title: str | None = None,
    show_nik: bool = True,
    caption: str | None = None,
) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(title=title, caption=caption, box=box.SIMPLE_HEAD, title_justify="left")
    for column in columns:
        justify = "right" if column.kind in NUMERIC_KINDS else column.justify
        table.add_column(column.title, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*(cell(row, c, show_nik) for c in columns))
    return table


NUMERIC_KINDS = frozenset({"int", "money", "pct", "signed", "dec", "auto"})


def print_renderables(*renderables: Any) -> None:
    """Print Rich tables; to a pipe as plain text (see plain_text)."""
    console = make_console()
    if console.is_terminal:
        for item in renderables:
            console.print(item)
        return
    sys.stdout.write(plain_text(*renderables))


def plain_text(*renderables: Any) -> str:
    """Rich renderables as text with no colour codes, at their natural width, no line padding."""
    from rich.console import Console

    width = int(os.environ["COLUMNS"]) if os.environ.get("COLUMNS", "").isdigit() else 4000
    console = Console(file=io.StringIO(), width=width, no_color=True, force_terminal=False, highlight=False)
    with console.capture() as captured:
        for item in renderables:
            console.print(item)
    return "\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n"


WRITERS: dict[str, Callable[[Iterable[Mapping[str, Any]], Sequence[Column]], str]] = {
    "csv": to_csv,
    "json": to_json,
    "jsonl": to_jsonl,
    "ids": to_ids,
}


def emit(text: str, output: Path | None) -> None:
    """Data to stdout, or atomically to a private file."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_file(output, text.encode("utf-8"))


def write_file(path: Path, data: bytes) -> None:
    from up2k_cli.domain.errors import Up2kError

    try:
        atomic_write_bytes(path, data)
    except WriteFailed as exc:
        raise Up2kError(
            _("output {name}: cannot write it ({reason}); nothing was written").format(
                name=repr(str(path)), reason=exc.strerror
            )
        ) from None


def format_from_path(path: Path | None, default: str) -> str:
    if path is None:
        return default
    suffix = path.suffix.lower().lstrip(".")
    return {
        "csv": "csv",
        "json": "json",
        "jsonl": "jsonl",
        "ndjson": "jsonl",
        "md": "markdown",
        "xlsx": "xlsx",
    }.get(suffix, default)


def require_output(output: Path | None, fmt: str) -> Path:
    """Binary formats go to a file, never to a terminal or a text pipe."""
    from up2k_cli.domain.errors import ValidationError

    if output is None or str(output) == "-":
        raise ValidationError(
            "output",
            None,
            _("--format {format} writes a file: add --output FILE.{format}").format(format=fmt),
        )
    return output


def masked_changes(changes: Mapping[str, Any], show_nik: bool = False) -> dict[str, Any]:
    """A history entry's changes with NIKs masked unless asked."""
    if show_nik or "nik" not in changes:
        return dict(changes)
    return {**changes, "nik": [mask_nik(x) if x else x for x in changes["nik"]]}


def changes_text(changes: Mapping[str, Any], show_nik: bool = False) -> str:
    """'phone: +62811 -> +62812; rt=001' (a field set from nothing shows as field=value)."""
    parts = []
    for field, pair in masked_changes(changes, show_nik).items():
        old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        parts.append(f"{field}={new}" if old is None else f"{field}: {old} -> {new}")
    return "; ".join(parts)


def show(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    fmt: str,
    *,
    title: str,
    machine_columns: Sequence[Column] | None = None,
    show_nik: bool = True,
) -> None:
    """A list in the format asked for: a titled table for people, or csv/json/jsonl/ids for tools
    (which may carry more columns than fit a table)."""
    if fmt == "table":
        print_renderables(render_table(rows, columns, title=title, show_nik=show_nik))
    else:
        emit(WRITERS[fmt](rows, machine_columns or columns), None)
