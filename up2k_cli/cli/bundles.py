"""export bundle and merge: a registry (or one kelurahan's share) carried to another office in
one encrypted file, and merged there."""

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from up2k_cli.domain.errors import Up2kError
from up2k_cli.i18n import _

from .context import note, protected_paths, registry, stdin_is_terminal, today

PASSPHRASE_ENV = "UP2K_PASSPHRASE"

PassphraseFile = Annotated[
    Path | None,
    typer.Option(
        "--passphrase-file",
        help="Read the passphrase from the first line of this file (- for stdin). Else $UP2K_PASSPHRASE, "
        "else it is asked at the terminal.",
        show_default=False,
    ),
]


class Prefer(StrEnum):
    theirs = "theirs"
    ours = "ours"


def passphrase(given: Path | None, *, confirm: bool) -> str:
    """The passphrase: from --passphrase-file, else UP2K_PASSPHRASE, else asked at a terminal
    (twice when writing); never an argument, where other users of the machine would see it."""
    if given is not None:
        try:
            text = sys.stdin.read() if str(given) == "-" else given.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise Up2kError(
                _("passphrase-file {path}: cannot read it ({reason})").format(path=given, reason=exc)
            ) from None
        lines = text.splitlines()
        value = lines[0] if lines else ""
    elif os.environ.get(PASSPHRASE_ENV):
        value = os.environ[PASSPHRASE_ENV]
    elif stdin_is_terminal():
        value = typer.prompt(_("Passphrase"), hide_input=True, confirmation_prompt=confirm)
    else:
        raise Up2kError(
            _(
                "a bundle is encrypted with a passphrase: give --passphrase-file FILE or set {env} "
                "(or run the command at a terminal to type it)"
            ).format(env=PASSPHRASE_ENV)
        )
    from up2k_cli.domain.bundle import check_passphrase

    return check_passphrase(value) if confirm else value


def export_bundle(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The bundle file to write (mode 0600), e.g. pondok-labu.up2k."),
    ],
    kelurahan: Annotated[
        str | None,
        typer.Option(
            "--kelurahan",
            help="Only this kelurahan's share: its cadres and everything about them, and every batch.",
            show_default=False,
        ),
    ] = None,
    passphrase_file: PassphraseFile = None,
    no_encryption: Annotated[
        bool,
        typer.Option(
            "--no-encryption",
            help="Write the bundle unencrypted (only for a copy that never leaves this machine).",
        ),
    ] = False,
) -> None:
    """Everything of this registry (or one kelurahan's share) in one file for another office to
    merge: every table and the history, encrypted with a passphrase (scrypt and AES-256-GCM).
    It holds personal data, and is recorded as such."""
    from up2k_cli.domain import bundle
    from up2k_cli.render.destination import check, is_stdout, write
    from up2k_cli.services import bundles

    guard = protected_paths(ctx)
    if is_stdout(output) and sys.stdout.isatty():
        raise Up2kError(_("a bundle is a binary file: give --output FILE"))
    if not is_stdout(output):
        check(output, guard)
    secret = None if no_encryption else passphrase(passphrase_file, confirm=True)
    if no_encryption:
        note(_("Warning: the bundle is not encrypted; anyone who gets the file can read everyone's data."))

    def encode(payload: bytes) -> bytes:
        return bundle.seal(payload, secret)

    def save(data: bytes) -> None:
        write(output, data, protected=guard, notify=note)

    done = bundles.export_bundle(
        registry(ctx),
        kelurahan=kelurahan,
        path=str(output),
        encode=encode,
        write=save,
    )
    counts = done.counts
    note(
        _(
            "Wrote {path}: {label}, bundle {seq}: {cadres} cadres, {enrollments} enrollments, {businesses} "
            "businesses, {history} history entries{encrypted}."
        ).format(
            path=output,
            label=done.payload["label"],
            seq=done.payload["seq"],
            cadres=counts.get("cadres", 0),
            enrollments=counts.get("enrollments", 0),
            businesses=counts.get("businesses", 0),
            history=counts.get("history", 0),
            encrypted="" if no_encryption else _(", encrypted"),
        )
    )


def merge(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="The bundle another office sent (- for stdin).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would change; write nothing.")] = False,
    conflicts: Annotated[
        Path | None,
        typer.Option(
            "--conflicts",
            help="Write the conflicts here as CSV: one row per field, both values and when each side "
            "changed it.",
            show_default=False,
        ),
    ] = None,
    prefer: Annotated[
        Prefer | None,
        typer.Option(
            "--prefer",
            help="A record changed on both sides takes their values (theirs) or keeps ours. Default: "
            "neither; it is listed as a conflict and left as it is.",
            show_default=False,
        ),
    ] = None,
    passphrase_file: PassphraseFile = None,
) -> None:
    """Merge a bundle from another office into this registry: cadres matched by NIK, every other
    record by where it came from; new records get this registry's IDs; all or nothing, in one
    write. A record changed on both sides since the last merge is a conflict, left as it is."""
    from up2k_cli.domain import bundle
    from up2k_cli.render.destination import check
    from up2k_cli.services import bundles

    guard = protected_paths(ctx, inputs=[file])
    if conflicts is not None:
        check(conflicts, guard, "conflicts")
    name = "stdin" if file == "-" else Path(file).name
    try:
        raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        from up2k_cli.fileio import describe_os_error

        raise Up2kError(
            _("{path}: cannot read it ({reason}); nothing was merged").format(
                path=file, reason=describe_os_error(exc)
            )
        ) from None
    secret = passphrase(passphrase_file, confirm=False) if bundle.is_encrypted(raw, name) else None
    payload = bundles.read_payload(bundle.open_bundle(raw, secret, name), name)
    result = bundles.merge(
        registry(ctx),
        payload,
        name=name,
        today=today(),
        dry_run=dry_run,
        prefer=prefer.value if prefer else None,
        conflicts_file=str(conflicts) if conflicts is not None else None,
    )
    _report(result, conflicts, guard)


def _report(result: Any, conflicts: Path | None, guard: Any) -> None:
    created = sum(result.created.values())
    updated = sum(result.updated.values())
    if result.dry_run:
        head = _("Dry run: merging {bundle} from {label} would create {created} and update {updated} records")
    elif result.written:
        head = _("Merged {bundle} from {label}: {created} records created, {updated} updated")
    else:
        head = _("Nothing to merge: this registry holds everything in {bundle} from {label} already")
    line = head.format(bundle=result.bundle, label=result.label, created=created, updated=updated)
    details = [f"{name} +{n}" for name, n in result.created.items() if n]
    details += [f"{name} ~{n}" for name, n in result.updated.items() if n]
    if details:
        line += " (" + ", ".join(details) + ")"
    if result.erased:
        line += _("; {count} cadres erased as they were there").format(count=result.erased)
    if result.skipped:
        line += _("; {count} records left out (what they belong to was removed here)").format(
            count=result.skipped
        )
    note(line + ".")
    if result.conflicts:
        note(
            _(
                "{count} conflicts in {records} records were left as they are (use --prefer theirs|ours to "
                "settle them)."
            ).format(count=len(result.conflicts), records=result.conflicted_records)
        )
        if conflicts is not None:
            _write_conflicts(result.conflicts, conflicts, guard)
        else:
            for c in result.conflicts[:10]:
                note(
                    _(
                        "  {table} {record} ({theirs} there): {field}: here {ours}, "
                        "there {their_value} ({kind})"
                    ).format(
                        table=c.table,
                        record=c.record or "-",
                        theirs=c.theirs_key,
                        field=c.field,
                        ours=_short(c.ours),
                        their_value=_short(c.theirs),
                        kind=c.kind,
                    )
                )
            if len(result.conflicts) > 10:
                note(
                    _("  ... and {count} more: --conflicts FILE lists them all").format(
                        count=len(result.conflicts) - 10
                    )
                )


def _short(value: Any) -> str:
    text = "" if value is None else str(value)
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


def _write_conflicts(rows: list[Any], path: Path, guard: Any) -> None:
    import orjson

    from up2k_cli.render.columns import CONFLICTS
    from up2k_cli.render.formats import Format
    from up2k_cli.render.model import Table
    from up2k_cli.render.output import Output

    def text(value: Any) -> Any:
        return orjson.dumps(value).decode() if isinstance(value, dict | list) else value

    table_rows = [
        {
            "table": c.table,
            "record": c.record,
            "their_record": c.theirs_key,
            "field": c.field,
            "ours": text(c.ours),
            "theirs": text(c.theirs),
            "ours_changed_on": c.ours_on,
            "theirs_changed_on": c.theirs_on,
            "conflict": c.kind,
        }
        for c in rows
    ]
    Output(Format.CSV, path, protected=guard, notify=note).table(
        Table("conflicts", "", CONFLICTS, table_rows)
    )
