"""check, history and backup: the tools for when something went wrong."""

from enum import StrEnum
from typing import Annotated

import typer

from up2k_cli.i18n import N_, _
from up2k_cli.render import output as out
from up2k_cli.render.output import Column

from .context import command_name, day, note, registry, settings, today

backup_app = typer.Typer(
    help="Automatic backups of the registry: the file as it was before each change (the last 30).",
    no_args_is_help=True,
)


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


FormatOpt = Annotated[TableFormat, typer.Option("--format", help="table, csv or json.")]

PROBLEMS = (
    Column("table", N_("Table")),
    Column("record", N_("Record")),
    Column("problem", N_("Problem"), "free"),
)
HISTORY = (
    Column("seq", "#", "int"),
    Column("at", N_("When")),
    Column("user", N_("Who")),
    Column("command", N_("Command")),
    Column("entity", N_("Record")),
    Column("ref", "ID"),
    Column("action", N_("Action")),
    Column("changes", N_("Changes (old -> new)"), "free"),
)
BACKUPS = (
    Column("id", "ID"),
    Column("taken", N_("Taken")),
    Column("size", N_("Bytes"), "int"),
    Column("command", N_("Replaced by")),
    Column("path", N_("File")),
)


def install(app: typer.Typer) -> None:
    app.command("check")(check)
    app.command("history")(history)
    app.add_typer(backup_app, name="backup")


def check(
    ctx: typer.Context,
    fmt: FormatOpt = TableFormat.table,
    accept_edits: Annotated[
        bool,
        typer.Option(
            "--accept-edits",
            help="Accept changes made to the registry file outside up2k (check them against a backup "
            "first); recorded in the history.",
        ),
    ] = False,
) -> None:
    """Verify the whole registry: changes made outside up2k, references between records, duplicate NIKs (ID
    numbers) and IDs, quotas and capacities, dates in order, statuses. Lists each problem with its
    record; exit 1 if any."""
    from up2k_cli.services import maintenance

    if accept_edits:
        accepted = maintenance.accept_edits(registry(ctx, accept_edits=True))
        for change in accepted:
            note(_("Accepted: {change}.").format(change=change))
        if not accepted:
            note(_("No changes made outside up2k to accept."))
    problems = maintenance.check(registry(ctx), today())
    rows = [p.__dict__ for p in problems]
    if rows or fmt is not TableFormat.table:
        out.show(rows, PROBLEMS, fmt.value, title=_("Problems ({count})").format(count=len(rows)))
    if problems:
        note(_("{count} problem(s) found in {path}.").format(count=len(problems), path=settings(ctx).shown))
        raise typer.Exit(1)
    note(_("{path}: no problems found.").format(path=settings(ctx).shown))


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
    limit: Annotated[int | None, typer.Option(min=1, help="Only the last N changes.")] = None,
    show_nik: Annotated[bool, typer.Option("--show-nik", help="Show NIKs in full.")] = False,
    fmt: FormatOpt = TableFormat.table,
) -> None:
    """The change history: when, who (OS user), which command, old -> new per field."""
    from up2k_cli.services import maintenance

    first = day(since, "since") if since else None
    last = day(until, "until") if until else None
    rows = maintenance.history(
        registry(ctx), ref=ref, entity=entity, user=user, command=command, since=first, until=last,
        limit=limit, show_nik=show_nik,
    )  # fmt: skip
    if not show_nik:
        rows = [{**h, "changes": out.masked_changes(h.get("changes") or {})} for h in rows]
    if fmt is TableFormat.table:
        shown = [{**h, "changes": out.changes_text(h.get("changes") or {})} for h in rows]
        out.print_renderables(
            out.render_table(shown, HISTORY, title=_("History ({count})").format(count=len(rows)))
        )
    elif fmt is TableFormat.json:
        out.emit(out.json_text(rows), None)
    else:
        shown = [{**h, "changes": out.changes_text(h.get("changes") or {})} for h in rows]
        out.emit(out.to_csv(shown, HISTORY), None)


@backup_app.command("list")
def backup_list(ctx: typer.Context, fmt: FormatOpt = TableFormat.table) -> None:
    """The backups kept beside the registry, newest first (works on a damaged registry too)."""
    from up2k_cli import storage

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
    out.show(rows, BACKUPS, fmt.value, title=_("Backups ({count})").format(count=len(rows)))


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
