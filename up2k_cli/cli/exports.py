"""export: every record with every field, for other tools (full NIK: personal data)."""

from typing import Any

import typer

from up2k_cli.render.formats import Format
from up2k_cli.render.output import Output

from .context import registry, today
from .options import output_options

app = typer.Typer(help="Write records for other tools (CSV, JSON, JSON lines).", no_args_is_help=True)

export_options = output_options(Format.CSV, Format.JSON, Format.JSONL, Format.XLSX, default=Format.CSV)


NESTED = ("status_log", "attendance", "events", "facts")  # written as JSON text, in every format


def write_export(rows: list[dict[str, Any]], columns: tuple[Any, ...], out: Output) -> None:
    """Every record, whole: exports take no --limit (a partial export would pass for the whole)."""
    import orjson

    from up2k_cli.render.model import Table

    for row in rows:
        for key in NESTED:
            if row.get(key) is not None:
                row[key] = orjson.dumps(row[key]).decode()
    out.table(Table("export", "", columns, rows))


@app.command("cadres")
@export_options
def cadres(ctx: typer.Context, *, out: Output) -> None:
    """All cadres, in ID order, with these columns: id, nik, name, sex, birth_date,
    kelurahan_code, kelurahan, rw, rt, address, phone, business_type, household_size, income,
    registered_on, consent_on, consent_method, status, work_status, status_reason, status_log,
    erased_on, registry."""
    from up2k_cli.render.columns import CADRE_EXPORT_FULL
    from up2k_cli.services import cadres as service

    rows = service.export_cadres(registry(ctx), output=out.file)
    write_export(rows, CADRE_EXPORT_FULL, out)


@app.command("batches")
@export_options
def batches(ctx: typer.Context, *, out: Output) -> None:
    """All batches with their counts: code, title, kind, start, end, capacity,
    quota_per_kelurahan, sessions, min_attendance, mentor, venue, status, closed_on, enrolled,
    completed, waitlisted, withdrawn, not_placed, created_on, registry."""
    from up2k_cli.render.columns import BATCH_EXPORT_FULL
    from up2k_cli.services import batches as service

    rows = service.list_batches(registry(ctx))
    write_export(rows, BATCH_EXPORT_FULL, out)


@app.command("enrollments")
@export_options
def enrollments(ctx: typer.Context, *, out: Output) -> None:
    """Every enrollment: enrollment_id, batch, cadre_id, kelurahan_code, kelurahan, status,
    enrolled_on, waitlisted_on, sessions_attended, sessions_planned, attendance_pct,
    completed_on, completion_forced, withdrawn_on, reason, queue_seq, withdraw_reason,
    forced_reason, attendance, events, registry."""
    from up2k_cli.render.columns import ENROLLMENT_EXPORT_FULL
    from up2k_cli.services import batches as service

    rows = service.all_enrollment_rows(registry(ctx))
    write_export(rows, ENROLLMENT_EXPORT_FULL, out)


@app.command("businesses")
@export_options
def businesses(ctx: typer.Context, *, out: Output) -> None:
    """All businesses: id, cadre_id, kelurahan_code, kelurahan, name, category, started_on,
    added_on, nib, pirt, halal, address, licensed_on, agency, referrals, lacks, and as they stand
    after their follow-ups: owner_status, family_workers, paid_workers, paid_were_unemployed,
    paid_local, turnover (monthly), size (micro, small or medium; PP 7/2021), measured_on; then
    registry."""
    from up2k_cli.render.columns import BUSINESS_EXPORT_FULL
    from up2k_cli.services import outcomes

    rows = outcomes.list_businesses(registry(ctx), today=today())
    write_export(rows, BUSINESS_EXPORT_FULL, out)


@app.command("steps")
@export_options
def steps(ctx: typer.Context, *, out: Output) -> None:
    """Every 7 PAS step each cadre reached, in the order reached: cadre_id, kelurahan_code,
    order, step, on, source (automatic or recorded), note, id, registry."""
    from up2k_cli.render.columns import STEP_EXPORT_FULL
    from up2k_cli.services import outcomes

    rows = outcomes.export_steps(registry(ctx), today())
    write_export(rows, STEP_EXPORT_FULL, out)


@app.command("incomes")
@export_options
def incomes(ctx: typer.Context, *, out: Output) -> None:
    """Household incomes: id, cadre_id, kelurahan_code, kind (baseline or follow-up), amount,
    on, note, work_status, registry. Baselines come from registration (their work status is the
    cadre's)."""
    from up2k_cli.render.columns import INCOME_EXPORT_FULL
    from up2k_cli.services import outcomes

    rows = outcomes.export_incomes(registry(ctx))
    write_export(rows, INCOME_EXPORT_FULL, out)


def raw_columns(table: str) -> tuple[Any, ...]:
    """Issue 15's tables are exported as they are stored: every field of schema.py in order,
    nested values as JSON text, then the registry they came from."""
    from up2k_cli.render.columns import REGISTRY
    from up2k_cli.render.model import Column, Kind
    from up2k_cli.storage.schema import TABLES

    spec = TABLES[table]
    fields = (Column(f.name, kind=Kind.ID if f.name == spec.key else Kind.FREE) for f in spec.fields)
    return (*fields, REGISTRY)


def _raw_export(command: str, table: str) -> Any:
    @export_options
    def export(ctx: typer.Context, *, out: Output) -> None:
        from up2k_cli.services import bundles

        write_export(bundles.raw_rows(registry(ctx), table), raw_columns(table), out)

    from up2k_cli.storage.schema import TABLES

    fields = ", ".join(TABLES[table].field_names)
    export.__doc__ = f"Every record of {command.replace('-', ' ')}, as stored: {fields}, registry."
    return export


for _command, _table in (
    ("business-follow-ups", "business_follow_ups"),
    ("groups", "groups"),
    ("memberships", "memberships"),
    ("group-tiers", "group_tiers"),
    ("referrals", "referrals"),
    ("referral-updates", "referral_updates"),
):
    app.command(_command)(_raw_export(_command, _table))
