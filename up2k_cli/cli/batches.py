"""batch add/list/show/close, and enroll, withdraw, attend, complete."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from up2k_cli.render import output as out
from up2k_cli.render.columns import BATCH_LIST, ROSTER
from up2k_cli.render.output import Column

from .context import day, note, read_refs, registry, today

batch_app = typer.Typer(help="Training and mentoring batches.", no_args_is_help=True)


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def install(app: typer.Typer) -> None:
    app.add_typer(batch_app, name="batch")
    for command in (enroll, withdraw, attend, complete):
        app.command(command.__name__)(command)


BatchOpt = Annotated[str, typer.Option("--batch", "-b", help="Batch code, e.g. B01.")]
CadresArg = Annotated[
    list[str] | None,
    typer.Argument(help="Cadre IDs or NIKs; - reads them one per line from stdin."),
]
DateOpt = Annotated[str | None, typer.Option("--date", help="Date (default today).")]
FormatOpt = Annotated[TableFormat, typer.Option("--format", help="table, csv or json.")]


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
        int, typer.Option(help="Places per kelurahan; 0 = no per-kelurahan limit.")
    ] = 20,
    sessions: Annotated[int, typer.Option(help="Planned sessions.")] = 1,
    min_attendance: Annotated[int, typer.Option(help="Percent of sessions needed to complete.")] = 75,
    mentor: Annotated[str | None, typer.Option(help="Mentor or trainer, e.g. 'OK OCE'.")] = None,
    venue: Annotated[str | None, typer.Option(help="Where it takes place.")] = None,
) -> None:
    """Add a training or mentoring batch."""
    from up2k_cli.services import batches

    with registry(ctx) as uow:
        record = batches.add(
            uow,
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
        uow.commit()
    typer.echo(record["code"])
    note(f"Added {record['kind']} batch {record['code']}: {record['title']}.")


@batch_app.command("list")
def list_(ctx: typer.Context, fmt: FormatOpt = TableFormat.table) -> None:
    """Batches with their fill (enrolled / capacity), waitlist and status."""
    from up2k_cli.services import batches

    with registry(ctx) as uow:
        rows = [batches.batch_row(f) for f in batches.list_batches(uow)]
    if fmt is TableFormat.table:
        out.print_renderables(out.render_table(rows, BATCH_LIST, title=f"Batches ({len(rows)})"))
    else:
        from up2k_cli.render.columns import BATCH_EXPORT

        out.emit(out.WRITERS[fmt.value](rows, BATCH_EXPORT), None)


@batch_app.command("show")
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Batch code.")],
    fmt: FormatOpt = TableFormat.table,
) -> None:
    """A batch's details, fill per kelurahan against the quota, and its roster.

    csv prints the roster; json prints details, fill and roster together.
    """
    from up2k_cli.services import batches, cadres

    with registry(ctx) as uow:
        batch = batches.get(uow, code)
        fill = batches.fills(uow)[batch["code"]]
        roster = batches.roster(uow, batch)
        names = cadres.kelurahan_names(uow.meta)
    quota = batch["quota_per_kelurahan"]
    waiting = {k: 0 for k in names}
    for r in roster:
        if r["status"] == "waitlisted":
            waiting[r["kelurahan_code"]] += 1
    per_kel = [
        {
            "kelurahan_code": k,
            "kelurahan": name,
            "enrolled": fill.per_kelurahan.get(k, 0),
            "quota": quota or None,
            "free": (quota - fill.per_kelurahan.get(k, 0)) if quota else None,
            "waitlisted": waiting[k],
        }
        for k, name in sorted(names.items())
    ]
    row = batches.batch_row(fill)
    if fmt is TableFormat.csv:
        out.emit(out.to_csv(roster, ROSTER), None)
        return
    if fmt is TableFormat.json:
        keys = [c.key for c in ROSTER]
        out.emit(
            out.json_text(
                {
                    **row,
                    "kelurahan": per_kel,
                    "roster": [{k: r.get(k) for k in keys} for r in roster],
                }
            ),
            None,
        )
        return
    from rich import box
    from rich.table import Table

    details = Table(box=box.SIMPLE, show_header=False, title=f"Batch {batch['code']}", title_justify="left")
    details.add_column("Field")
    details.add_column("Value", overflow="fold")
    shown = [
        ("Title", batch["title"]),
        ("Kind", batch["kind"]),
        ("Dates", f"{out.human(batch['start'], 'date')} - {out.human(batch['end'], 'date')}"),
        ("Sessions", str(batch["sessions"])),
        ("Minimum attendance", f"{batch['min_attendance']}%"),
        ("Mentor", batch.get("mentor") or ""),
        ("Venue", batch.get("venue") or ""),
        (
            "Status",
            batch["status"]
            + (f" since {out.human(batch['closed_on'], 'date')}" if batch.get("closed_on") else ""),
        ),
        ("Enrolled", f"{row['enrolled']} / {batch['capacity']}"),
        ("Completed", str(row["completed"])),
        ("Waitlisted", str(row["waitlisted"])),
        ("Withdrawn", str(row["withdrawn"])),
    ]
    for label, value in shown:
        details.add_row(label, value)
    fill_cols = (
        Column("kelurahan_code", "Code"),
        Column("kelurahan", "Kelurahan"),
        Column("enrolled", "Enrolled", "int"),
        Column("quota", "Quota", "int"),
        Column("free", "Free", "int"),
        Column("waitlisted", "Waitlist", "int"),
    )
    out.print_renderables(
        details,
        out.render_table(per_kel, fill_cols, title="Fill per kelurahan"),
        out.render_table(roster, ROSTER, title=f"Roster ({len(roster)})"),
    )


@batch_app.command("close")
def close(ctx: typer.Context, code: Annotated[str, typer.Argument(help="Batch code.")]) -> None:
    """Close a batch to enrollment; attendance and completion can still be recorded."""
    from up2k_cli.services import batches

    with registry(ctx) as uow:
        batch = batches.close(uow, code, today())
        uow.commit()
    note(f"Closed batch {batch['code']} to enrollment.")


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
    with registry(ctx) as uow:
        result = batches.enroll(uow, batch, refs, on=on, today=today(), waitlist=waitlist)
        uow.commit()
    code = batch.strip().upper()
    for cadre_id, status in result.already:
        note(f"{cadre_id} is already {status} in {code}; left as it is.")
    msg = f"Enrolled {len(result.enrolled)} in {code}"
    if result.waitlisted:
        msg += f"; waitlisted {len(result.waitlisted)} ({', '.join(result.waitlisted)})"
    note(msg + ".")


def withdraw(
    ctx: typer.Context,
    batch: BatchOpt,
    cadre: Annotated[str, typer.Argument(help="Cadre ID or NIK.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the cadre leaves the batch.")],
    date: DateOpt = None,
) -> None:
    """Withdraw a cadre; the first waitlisted cadre who fits takes the place."""
    from up2k_cli.services import batches

    on = day(date)
    with registry(ctx) as uow:
        gone, promoted = batches.withdraw(uow, batch, cadre, reason=reason, on=on, today=today())
        uow.commit()
    note(f"Withdrew {gone['cadre_id']} from {gone['batch']}.")
    if promoted:
        note(f"Promoted {promoted['cadre_id']} from the waitlist into {gone['batch']}.")


def attend(
    ctx: typer.Context,
    batch: BatchOpt,
    session: Annotated[int, typer.Option("--session", "-s", help="Session number, from 1.")],
    cadres: CadresArg = None,
    date: DateOpt = None,
) -> None:
    """Record who attended a session."""
    from up2k_cli.services import batches

    refs = read_refs(cadres or [])
    on = day(date)
    with registry(ctx) as uow:
        recorded, already = batches.attend(uow, batch, session, refs, on=on, today=today())
        uow.commit()
    if already:
        note(f"Already recorded for session {session}: {', '.join(already)}.")
    note(f"Recorded attendance of {len(recorded)} for session {session} of {batch.strip().upper()}.")


def complete(
    ctx: typer.Context,
    batch: BatchOpt,
    cadres: CadresArg = None,
    force: Annotated[
        bool, typer.Option("--force", help="Complete despite low attendance (needs --reason).")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why, with --force.")] = None,
    date: DateOpt = None,
) -> None:
    """Mark cadres as having completed a batch (checks the minimum attendance)."""
    from up2k_cli.services import batches

    refs = read_refs(cadres or [])
    on = day(date)
    with registry(ctx) as uow:
        done = batches.complete(uow, batch, refs, on=on, today=today(), force=force, reason=reason)
        uow.commit()
    note(f"Marked {len(done)} as completed in {batch.strip().upper()}.")
