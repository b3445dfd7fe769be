"""batch add/list/show/close, and enroll, withdraw, attend, complete."""

from typing import Annotated

import typer

from up2k_cli.i18n import N_, _
from up2k_cli.render.formats import Format
from up2k_cli.render.output import Output

from .context import day, note, note_updated, read_refs, registry, today
from .options import list_options, output_options

batch_app = typer.Typer(help="Training and mentoring batches.", no_args_is_help=True)


def install(app: typer.Typer) -> None:
    app.add_typer(batch_app, name="batch")
    for command in (enroll, withdraw, attend, complete):
        app.command(command.__name__)(command)


# Indonesian names, resolved by the root group (cli/main.py) and never listed in the help.
ALIASES = {"ikut": "enroll"}


BatchOpt = Annotated[str, typer.Option("--batch", "-b", help="Batch code, e.g. B01.")]
CadresArg = Annotated[
    list[str] | None,
    typer.Argument(help="Cadre IDs or NIKs; - reads them one per line from stdin."),
]
DateOpt = Annotated[str | None, typer.Option("--date", help="Date (default today).")]


@batch_app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Unique code, e.g. B01 (case-insensitive).")],
    title: Annotated[str, typer.Option(help="Title, e.g. 'Pelatihan UP2K Angkatan 1'.")],
    start: Annotated[str, typer.Option(help="First day (2026-12-01 or 01/12/2026).")],
    end: Annotated[str, typer.Option(help="Last day; not before --start.")],
    kind: Annotated[str, typer.Option(help="training (pelatihan) or mentoring (pendampingan).")] = "training",
    capacity: Annotated[int, typer.Option(help="Places in the batch.")] = 100,
    quota_per_kelurahan: Annotated[
        int, typer.Option(help="Places per kelurahan (urban village); 0 = no per-kelurahan limit.")
    ] = 20,
    sessions: Annotated[int, typer.Option(help="Planned sessions.")] = 1,
    min_attendance: Annotated[int, typer.Option(help="Percent of sessions needed to complete.")] = 75,
    mentor: Annotated[str | None, typer.Option(help="Mentor or trainer, e.g. 'OK OCE'.")] = None,
    venue: Annotated[str | None, typer.Option(help="Where it takes place.")] = None,
) -> None:
    """Add a training or mentoring batch."""
    from up2k_cli.services import batches

    record = batches.add(
        registry(ctx),
        today(),
        code=code,
        title=title,
        start=start,
        end=end,
        kind=kind,
        capacity=capacity,
        quota_per_kelurahan=quota_per_kelurahan,
        sessions=sessions,
        min_attendance=min_attendance,
        mentor=mentor,
        venue=venue,
    )
    typer.echo(record["code"])
    added = {
        "training": N_("Added training batch {code}: {title}."),
        "mentoring": N_("Added mentoring batch {code}: {title}."),
    }
    note(_(added[record["kind"]]).format(code=record["code"], title=record["title"]))


@batch_app.command("list")
@list_options
def list_(ctx: typer.Context, *, out: Output) -> None:
    """Batches with their fill (enrolled / capacity), waitlist and status."""
    from up2k_cli.render.columns import BATCH_EXPORT, BATCH_LIST
    from up2k_cli.render.model import Table
    from up2k_cli.services import batches

    rows = batches.list_batches(registry(ctx))
    title = _("Batches ({count})").format(count=len(rows))
    out.table(Table("batches", title, BATCH_EXPORT, rows, display=BATCH_LIST))


@batch_app.command("show")
@output_options(Format.TABLE, Format.CSV, Format.JSON, Format.MARKDOWN, Format.XLSX, default=Format.TABLE)
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Batch code.")],
    *,
    out: Output,
) -> None:
    """A batch's details, fill per kelurahan (urban village) against the quota, and its roster.

    csv prints the roster; json prints details, fill and roster together.
    """
    from up2k_cli.render.cells import human
    from up2k_cli.render.columns import BATCH_FILL, ROSTER
    from up2k_cli.render.model import Document, Kind, Table, details
    from up2k_cli.render.writers import records
    from up2k_cli.services import batches

    page = batches.show(registry(ctx), code)
    batch, row, per_kel, roster = page.batch, page.row, page.kelurahan, page.roster
    if out.format is Format.JSON:
        out.data({**row, "kelurahan": per_kel, "roster": records(roster, ROSTER)})
        return
    closed = batch.get("closed_on")
    status = batch["status"]
    if closed:
        status = _("{status} since {date}").format(status=status, date=human(closed, Kind.DATE))
    fields = [
        (N_("Title"), batch["title"], Kind.FREE),
        (N_("Kind"), batch["kind"], Kind.TEXT),
        (N_("Dates"), f"{human(batch['start'], Kind.DATE)} - {human(batch['end'], Kind.DATE)}", Kind.FIGURE),
        (N_("Sessions"), batch["sessions"], Kind.INT),
        (N_("Minimum attendance"), f"{batch['min_attendance']}%", Kind.FIGURE),
        (N_("Mentor"), batch.get("mentor"), Kind.FREE),
        (N_("Venue"), batch.get("venue"), Kind.FREE),
        (N_("Status"), status, Kind.TEXT),
        (N_("Enrolled"), f"{row['enrolled']} / {batch['capacity']}", Kind.FIGURE),
        (N_("Completed"), row["completed"], Kind.INT),
        (N_("Waitlisted"), row["waitlisted"], Kind.INT),
        (N_("Withdrawn"), row["withdrawn"], Kind.INT),
    ]
    out.document(
        Document(
            "batch",
            _("Batch {code}").format(code=batch["code"]),
            "",
            "",
            [
                details("batch", "", fields),
                Table("fill", _("Fill per kelurahan"), BATCH_FILL, per_kel),
                Table("roster", _("Roster ({count})").format(count=len(roster)), ROSTER, roster),
            ],
            main="roster",
        )
    )


@batch_app.command("update")
def update(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Batch code.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it changes (kept in the history).")],
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    start: Annotated[str | None, typer.Option(help="New first day.")] = None,
    end: Annotated[str | None, typer.Option(help="New last day.")] = None,
    capacity: Annotated[int | None, typer.Option(help="New number of places.")] = None,
    quota_per_kelurahan: Annotated[
        int | None, typer.Option(help="New places per kelurahan (urban village); 0 = no limit.")
    ] = None,
    sessions: Annotated[int | None, typer.Option(help="New number of sessions.")] = None,
    min_attendance: Annotated[int | None, typer.Option(help="New minimum attendance, percent.")] = None,
    mentor: Annotated[str | None, typer.Option(help="New mentor or trainer.")] = None,
    venue: Annotated[str | None, typer.Option(help="New venue.")] = None,
) -> None:
    """Correct a batch's title, dates, places, sessions, minimum attendance, mentor or venue;
    refused when its enrollments would break a rule (fewer places than are held, say)."""
    from up2k_cli.services import batches

    raw = {"title": title, "start": start, "end": end, "capacity": capacity,
           "quota_per_kelurahan": quota_per_kelurahan, "sessions": sessions,
           "min_attendance": min_attendance, "mentor": mentor, "venue": venue}  # fmt: skip
    entry = batches.update(registry(ctx), code, raw, reason=reason)
    note_updated(entry)


@batch_app.command("reopen")
def reopen(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Batch code.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it opens again (kept in the history).")],
) -> None:
    """Open a closed batch again; cadres it left without a place go back on its waitlist."""
    from up2k_cli.services import batches

    batch = batches.reopen(registry(ctx), code, reason=reason, today=today())
    note(_("Opened batch {code} again.").format(code=batch["code"]))


@batch_app.command("close")
def close(ctx: typer.Context, code: Annotated[str, typer.Argument(help="Batch code.")]) -> None:
    """Close a batch to enrollment; attendance and completion can still be recorded."""
    from up2k_cli.services import batches

    batch = batches.close(registry(ctx), code, today())
    note(_("Closed batch {code} to enrollment.").format(code=batch["code"]))
    if batch["not_placed"]:
        note(
            _("Its waitlist ended: {count} cadre(s) not placed (counted apart).").format(
                count=batch["not_placed"]
            )
        )


def enroll(
    ctx: typer.Context,
    batch: BatchOpt,
    cadres: CadresArg = None,
    waitlist: Annotated[
        bool,
        typer.Option("--waitlist", help="Queue those beyond capacity or quota instead of refusing."),
    ] = False,
    date: DateOpt = None,
) -> None:
    """Enroll cadres in a batch; refused whole if capacity or a quota would break."""
    from up2k_cli.services import batches

    refs = read_refs(cadres or [])
    on = day(date)
    result = batches.enroll(registry(ctx), batch, refs, on=on, today=today(), waitlist=waitlist)
    code = batch.strip().upper()
    for cadre_id, status in result.already:
        note(
            _("{id} is already {status} in {code}; left as it is.").format(
                id=cadre_id, status=status, code=code
            )
        )
    if result.waitlisted:
        note(
            _("Enrolled {count} in {code}; waitlisted {waiting} ({ids}).").format(
                count=len(result.enrolled),
                code=code,
                waiting=len(result.waitlisted),
                ids=", ".join(result.waitlisted),
            )
        )
    else:
        note(_("Enrolled {count} in {code}.").format(count=len(result.enrolled), code=code))


def withdraw(
    ctx: typer.Context,
    batch: BatchOpt,
    reason: Annotated[str, typer.Option("--reason", help="Why the cadres leave the batch.")],
    cadres: CadresArg = None,
    date: DateOpt = None,
) -> None:
    """Withdraw cadres (all or none); while the batch is open and not over, waitlisted cadres who
    fit take the places freed."""
    from up2k_cli.services import batches

    on = day(date)
    done = batches.withdraw(
        registry(ctx), batch, read_refs(cadres or []), reason=reason, on=on, today=today()
    )
    for gone in done.withdrawn:
        note(_("Withdrew {id} from {code}.").format(id=gone["cadre_id"], code=gone["batch"]))
    for promoted in done.promoted:
        note(
            _("Promoted {id} from the waitlist into {code}.").format(
                id=promoted["cadre_id"], code=promoted["batch"]
            )
        )


def attend(
    ctx: typer.Context,
    batch: BatchOpt,
    session: Annotated[int, typer.Option("--session", "-s", help="Session number, from 1.")],
    cadres: CadresArg = None,
    date: DateOpt = None,
    remove: Annotated[
        bool, typer.Option("--remove", help="Take back attendance recorded by mistake (needs --reason).")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why, with --remove.")] = None,
) -> None:
    """Record who attended a session (or, with --remove, take it back)."""
    from up2k_cli.services import batches

    refs = read_refs(cadres or [])
    if remove:
        taken = batches.remove_attendance(registry(ctx), batch, session, refs, reason=reason or "")
        note(
            _("Took back attendance of {count} for session {session} of {code}.").format(
                count=len(taken), session=session, code=batch.strip().upper()
            )
        )
        return
    on = day(date)
    recorded, already = batches.attend(registry(ctx), batch, session, refs, on=on, today=today())
    if already:
        note(
            _("Already recorded for session {session}: {ids}.").format(
                session=session, ids=", ".join(already)
            )
        )
    note(
        _("Recorded attendance of {count} for session {session} of {code}.").format(
            count=len(recorded), session=session, code=batch.strip().upper()
        )
    )


def complete(
    ctx: typer.Context,
    batch: BatchOpt,
    cadres: CadresArg = None,
    force: Annotated[
        bool, typer.Option("--force", help="Complete despite low attendance (needs --reason).")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why, with --force or --undo.")] = None,
    date: DateOpt = None,
    eligible: Annotated[
        bool,
        typer.Option(
            "--eligible", help="Complete everyone at or above the minimum attendance; list the others."
        ),
    ] = False,
    undo: Annotated[
        bool, typer.Option("--undo", help="Take back completions recorded by mistake (needs --reason).")
    ] = False,
) -> None:
    """Mark cadres as having completed a batch (checks the minimum attendance); --eligible does it
    for everyone who qualifies; --undo takes completions back."""
    from up2k_cli.services import batches

    refs = read_refs(cadres or [])
    code = batch.strip().upper()
    if undo:
        taken = batches.undo_completion(registry(ctx), batch, refs, reason=reason or "")
        note(_("Took back the completion of {count} in {code}.").format(count=len(taken), code=code))
        return
    on = day(date)
    done = batches.complete(
        registry(ctx), batch, refs, on=on, today=today(), force=force, reason=reason, eligible=eligible
    )
    note(_("Marked {count} as completed in {code}.").format(count=len(done.completed), code=code))
    if done.below:
        note(_("Below the minimum attendance, left enrolled: {cadres}.").format(cadres="; ".join(done.below)))
