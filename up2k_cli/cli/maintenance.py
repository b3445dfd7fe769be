"""check, history and backup: the tools for when something went wrong."""

from typing import Annotated

import typer

from up2k_cli.i18n import _
from up2k_cli.render.formats import Format
from up2k_cli.render.output import Output

from .context import command_name, day, note, registry, settings, today
from .options import output_options

backup_app = typer.Typer(
    help="Automatic backups of the registry: the file as it was before each change (the last 30).",
    no_args_is_help=True,
)


def install(app: typer.Typer) -> None:
    app.command("check")(check)
    app.command("history")(history)
    app.add_typer(backup_app, name="backup")


@output_options(Format.TABLE, Format.CSV, Format.JSON, Format.JSONL, default=Format.TABLE)
def check(
    ctx: typer.Context,
    accept_edits: Annotated[
        bool,
        typer.Option(
            "--accept-edits",
            help="Accept changes made to the registry file outside up2k (check them against a backup "
            "first); recorded in the history.",
        ),
    ] = False,
    *,
    out: Output,
) -> None:
    """Verify the whole registry: changes made outside up2k, references between records, duplicate NIKs (ID
    numbers) and IDs, quotas and capacities, dates in order, statuses. Lists each problem with its
    record; exit 1 if any."""
    from up2k_cli.render.columns import PROBLEMS
    from up2k_cli.render.model import Table
    from up2k_cli.services import maintenance

    if accept_edits:
        accepted = maintenance.accept_edits(registry(ctx, accept_edits=True))
        for change in accepted:
            note(_("Accepted: {change}.").format(change=change))
        if not accepted:
            note(_("No changes made outside up2k to accept."))
    problems = maintenance.check(registry(ctx), today())
    rows = [p.__dict__ for p in problems]
    if rows or out.format is not Format.TABLE:
        out.table(Table("problems", _("Problems ({count})").format(count=len(rows)), PROBLEMS, rows))
    if problems:
        note(_("{count} problem(s) found in {path}.").format(count=len(problems), path=settings(ctx).shown))
        raise typer.Exit(1)
    note(_("{path}: no problems found.").format(path=settings(ctx).shown))


@output_options(
    Format.TABLE, Format.CSV, Format.JSON, Format.JSONL, Format.MARKDOWN, Format.XLSX,
    default=Format.TABLE, paging=True,
)  # fmt: skip
def history(
    ctx: typer.Context,
    ref: Annotated[
        str | None, typer.Argument(help="Only changes to this record (K0001, B01, U0001...).")
    ] = None,
    entity: Annotated[
        str | None, typer.Option(help="cadre, batch, enrollment, business, step, income, settings, export.")
    ] = None,
    user: Annotated[str | None, typer.Option(help="Only changes by this OS user.")] = None,
    command: Annotated[str | None, typer.Option(help="Only changes made by this command.")] = None,
    since: Annotated[str | None, typer.Option(help="From this day on.")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this day.")] = None,
    show_nik: Annotated[bool, typer.Option("--show-nik", help="Show NIKs in full.")] = False,
    exports: Annotated[
        bool,
        typer.Option(
            "--exports", help="Instead: every file up2k wrote with personal data (where, when, whose)."
        ),
    ] = False,
    *,
    out: Output,
) -> None:
    """The change history: when, who (OS user), which command, old -> new per field (oldest first;
    --limit N shows the last N). --exports lists the personal-data files up2k wrote."""
    from up2k_cli.render.columns import CHANGES, FILES
    from up2k_cli.render.model import Table, window
    from up2k_cli.render.output import changes_text, masked_changes
    from up2k_cli.services import maintenance

    if exports:
        from up2k_cli.services.personal import file_rows

        files = file_rows(registry(ctx))
        count = len(window(files, out.limit, out.offset, from_end=True))
        title = _("Personal-data files written ({count})").format(count=count)
        out.table(Table("files", title, FILES, files), from_end=True)
        return

    first = day(since, "since") if since else None
    last = day(until, "until") if until else None
    # With --limit only the newest entries that can be shown are read (and, with --show-nik,
    # recorded as seen); the window itself is cut by the output, in every format.
    rows = maintenance.history(
        registry(ctx), ref=ref, entity=entity, user=user, command=command, since=first, until=last,
        limit=out.limit + out.offset if out.limit else None, show_nik=show_nik,
    )  # fmt: skip
    if not show_nik:
        rows = [{**h, "changes": masked_changes(h.get("changes") or {})} for h in rows]
    if out.format in (Format.JSON, Format.JSONL):
        # JSON keeps each entry whole (changes as {field: [old, new]}), as it always has.
        from up2k_cli.render.writers import jsonl_values

        chosen = window(rows, out.limit, out.offset, from_end=True)
        if out.format is Format.JSON:
            out.data(chosen)
        else:
            out.text(jsonl_values(chosen))
        return
    count = len(window(rows, out.limit, out.offset, from_end=True))
    shown = [{**h, "changes": changes_text(h.get("changes") or {}, show_nik)} for h in rows]
    out.table(Table("history", _("History ({count})").format(count=count), CHANGES, shown), from_end=True)


@backup_app.command("list")
@output_options(Format.TABLE, Format.CSV, Format.JSON, Format.JSONL, default=Format.TABLE)
def backup_list(ctx: typer.Context, *, out: Output) -> None:
    """The backups kept beside the registry, newest first (works on a damaged registry too)."""
    from up2k_cli import storage
    from up2k_cli.render.columns import BACKUPS
    from up2k_cli.render.model import Table

    found = storage.list_backups(settings(ctx).db)
    rows = [
        {
            "id": b.id,
            "taken": b.taken.isoformat(timespec="seconds"),
            "size": b.size,
            "command": f"up2k {b.command}" if b.command else "",
            "path": str(b.path),
        }
        for b in found
    ]
    out.table(Table("backups", _("Backups ({count})").format(count=len(rows)), BACKUPS, rows))


@backup_app.command("restore")
def backup_restore(
    ctx: typer.Context,
    backup_id: Annotated[str, typer.Argument(metavar="ID", help="A backup ID from 'up2k backup list'.")],
) -> None:
    """Put a backup back as the registry. The current file is kept as a backup first, so this
    can itself be undone with another restore."""
    from up2k_cli import storage

    s = settings(ctx)
    chosen = storage.restore_backup(s.db, backup_id, lock_timeout=s.lock_timeout, command=command_name(ctx))
    note(
        _("Restored {path} from backup {id}; the file it replaced is now the newest backup.").format(
            path=s.db, id=chosen.id
        )
    )
