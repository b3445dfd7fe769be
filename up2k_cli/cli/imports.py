"""import cadres: a kelurahan office's spreadsheet (CSV) into the registry, in one write."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from up2k_cli.i18n import _, localise

from .context import note, registry, today

if TYPE_CHECKING:
    from up2k_cli.services.importer import SourceTable

app = typer.Typer(help="Bring records in from files.", no_args_is_help=True)


class OnDuplicate(StrEnum):
    error = "error"
    skip = "skip"
    update = "update"


@app.command("cadres")
def cadres(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="CSV (comma, semicolon or tab) or .xlsx file, or - for stdin.")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the good rows even if some are bad.")
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help="Write the bad rows here as CSV, with a reason column."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything, write nothing.")] = False,
    on_duplicate: Annotated[
        OnDuplicate,
        typer.Option("--on-duplicate", help="An NIK already registered: error, skip, or update it."),
    ] = OnDuplicate.error,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="Excel workbooks: the sheet to read (default the first).")
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="Force an encoding (default: UTF-8, else Windows-1252)."),
    ] = None,
) -> None:
    """Import cadres from CSV or an Excel workbook (.xlsx); all-or-nothing unless --skip-invalid.

    Headers may be English (the export's names) or Indonesian (NIK, Nama Lengkap, Kelurahan, RT,
    RW, Alamat, No. HP, Jenis Usaha, Jumlah Anggota Keluarga, Penghasilan, Tanggal Daftar,
    Persetujuan). Every bad row is listed with its row, column, value and reason.
    """
    from up2k_cli.render.destination import check

    from .context import protected_paths

    guard = protected_paths(ctx, inputs=[file])
    if rejects is not None:
        check(rejects, guard, "rejects")  # before any work: a refused path costs nothing
    from up2k_cli.services import importer

    data = _read_source(file)
    name = "stdin" if file == "-" else Path(file).name
    from up2k_cli.services.bundles import is_export

    # The file is read once; its rows are made an export's only when its header is one.
    source = None if _is_json(data, file) else importer.read_table(data, file, encoding=encoding, sheet=sheet)
    if source is None or is_export(_header(source)):
        header, rows = _export_rows(data, file, source=source)
        if is_export(header):
            _import_export(ctx, "cadres", rows, name, dry_run)
            return
    if source is None:  # JSON, not an export: refused as a table is
        source = importer.read_table(data, file, encoding=encoding, sheet=sheet)
    try:
        with _progress(len(source.rows)) as advance:
            result = importer.import_cadres(
                registry(ctx),
                source,
                today=today(),
                skip_invalid=skip_invalid,
                dry_run=dry_run,
                on_duplicate=on_duplicate.value,
                source_name=name,
                progress=advance,
            )
    except importer.ImportRefused as exc:
        if exc.result is not None:
            _report_rows(exc.result, rejects, guard)
        raise
    _report_rows(result, rejects, guard)
    created, updated = result.created, result.updated
    span = f" ({created[0]}-{created[-1]})" if created else ""
    plural = "s" if len(created) != 1 else ""
    verb = (
        _("Would import {count} new cadre{s}{span}") if dry_run else _("Imported {count} new cadre{s}{span}")
    )
    parts = [verb.format(count=len(created), s=plural, span=span)]
    if updated:
        parts.append(
            (_("would update {count}") if dry_run else _("updated {count}")).format(count=len(updated))
        )
    if result.skipped:
        parts.append(_("skipped {count} already registered").format(count=len(result.skipped)))
    if result.errors:
        parts.append(_("left out {count} invalid row(s)").format(count=len(result.rejected_rows)))
    note("; ".join(parts) + (_("; nothing written (dry run).") if dry_run else "."))
    if dry_run and result.errors and not skip_invalid:
        raise typer.Exit(1)


def _is_json(data: bytes, file: str) -> bool:
    return file.lower().endswith((".json", ".jsonl")) or data.lstrip()[:1] in (b"[", b"{")


def _header(source: SourceTable) -> list[str]:
    return [h.strip().lstrip("\ufeff") for h in source.header]


def _export_rows(
    data: bytes, file: str, *, source: SourceTable | None = None
) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The header and the rows of a file `up2k export` wrote: CSV, a workbook (`source`, the table
    read from it, if it was), JSON or JSON lines."""
    import orjson

    from up2k_cli.domain.errors import Up2kError
    from up2k_cli.services import importer

    stripped = data.lstrip()
    if _is_json(data, file):
        try:
            if stripped[:1] == b"[":
                found = orjson.loads(data)
            else:
                found = [orjson.loads(line) for line in data.splitlines() if line.strip()]
        except orjson.JSONDecodeError as exc:
            raise Up2kError(
                _("file {name}: not JSON up2k can read ({reason})").format(name=repr(file), reason=exc)
            ) from None
        if not all(isinstance(r, dict) for r in found):
            raise Up2kError(_("file {name}: not a list of records").format(name=repr(file)))
        header = list(found[0]) if found else []
        return header, [(i, row) for i, row in enumerate(found, start=1)]
    source = source or importer.read_table(data, file)
    header = _header(source)
    rows = [
        (line, {h: importer.cell_text(c, h)[0] for h, c in zip(header, cells, strict=False)})
        for line, cells in source.rows
    ]
    return header, rows


def _import_export(
    ctx: typer.Context, table: str, rows: list[tuple[int, dict[str, Any]]], name: str, dry_run: bool
) -> None:
    from up2k_cli.services import bundles

    result = bundles.import_export(registry(ctx), table, rows, source=name, today=today(), dry_run=dry_run)
    created, updated = result.created.get(table, 0), result.updated.get(table, 0)
    if dry_run:
        line = _(
            "Would import {created} new and update {updated} {table} from {source}; "
            "nothing written (dry run)."
        )
    elif result.written:
        line = _("Imported {created} new and updated {updated} {table} from {source}, every field kept.")
    else:
        line = _("Nothing to import: this registry holds every record of {source} already.")
    note(line.format(created=created, updated=updated, table=table, source=name))


def _import_table(table: str, command: str | None = None) -> Any:
    shown = command or table

    def command(
        ctx: typer.Context,
        file: Annotated[
            str,
            typer.Argument(
                help="A file 'up2k export' wrote (CSV, .xlsx, JSON or JSON lines), or - for stdin."
            ),
        ],
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything, write nothing.")] = False,
    ) -> None:
        data = _read_source(file)
        header, rows = _export_rows(data, file)
        from up2k_cli.domain.errors import Up2kError
        from up2k_cli.services.bundles import is_export

        if not is_export(header):
            raise Up2kError(
                _(
                    "file {name}: not an export of {table} (it has no registry column); write it with "
                    "'up2k export {table}'"
                ).format(name=repr(file), table=shown)
            )
        _import_export(ctx, table, rows, "stdin" if file == "-" else Path(file).name, dry_run)

    command.__doc__ = (
        f"Import an export of {shown} (from 'up2k export {shown}'), every field kept: new records get "
        "this registry's IDs, and the IDs they refer to are read through the mapping kept when "
        "the records they belong to were imported."
    )
    return command


for _table in ("batches", "enrollments", "businesses", "steps", "incomes"):
    app.command(_table)(_import_table(_table))
for _command, _table in (
    ("business-follow-ups", "business_follow_ups"),
    ("groups", "groups"),
    ("memberships", "memberships"),
    ("group-tiers", "group_tiers"),
    ("referrals", "referrals"),
    ("referral-updates", "referral_updates"),
):
    app.command(_command)(_import_table(_table, _command))


def _read_source(file: str) -> bytes:
    from up2k_cli.domain.errors import Up2kError

    if file == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(file).read_bytes()
    except OSError as exc:
        raise Up2kError(
            _("file {name}: cannot read it ({reason})").format(name=repr(file), reason=exc.strerror)
        ) from None


def _report_rows(result: object, rejects: Path | None, guard: tuple[Any, ...]) -> None:
    from up2k_cli.render import destination
    from up2k_cli.render.model import Column, Kind
    from up2k_cli.render.writers import csv_text

    for line in result.notes:  # type: ignore[attr-defined]
        note(_("Note: {note}").format(note=localise(line)))
    for error in result.errors:  # type: ignore[attr-defined]
        note(_("Invalid: {error}").format(error=error))
    if rejects is not None and result.rejected_rows:  # type: ignore[attr-defined]
        header = [h.strip().lstrip("\ufeff") or f"column{i + 1}" for i, h in enumerate(result.header)]  # type: ignore[attr-defined]
        columns = [Column(h, kind=Kind.FREE) for h in header] + [Column("reason", kind=Kind.FREE)]
        rows = [
            {**dict(zip(header, cells, strict=False)), "reason": reason}
            for cells, reason in result.rejected_rows  # type: ignore[attr-defined]
        ]
        dialect = result.dialect  # type: ignore[attr-defined]
        text = csv_text(rows, columns, delimiter=dialect.delimiter, newline=dialect.newline)
        data = (("\ufeff" if dialect.bom else "") + text).encode(dialect.encoding, errors="replace")
        destination.write(rejects, data, protected=guard, notify=note, option="rejects")
        note(_("Wrote {count} rejected row(s) to {path}.").format(count=len(rows), path=rejects))


class _progress:
    """A progress bar on stderr, only when stderr is a terminal (never in logs or pipes)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar = None

    def __enter__(self):  # type: ignore[no-untyped-def]
        if not sys.stderr.isatty() or self.total < 2000:
            return None
        from rich.console import Console
        from rich.progress import Progress

        from up2k_cli.render.terminal import styled

        # NO_COLOR: the bar still moves, but without a single colour or bold code.
        console = Console(
            stderr=True, highlight=False, markup=False, color_system="auto" if styled(sys.stderr) else None
        )
        self.bar = Progress(console=console, transient=True)
        self.bar.start()
        task = self.bar.add_task(_("Checking rows"), total=self.total)
        return lambda n: self.bar.advance(task, n)  # type: ignore[union-attr]

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
