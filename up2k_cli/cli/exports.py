"""export: every record with every field, for other tools (full NIK: personal data)."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from up2k_cli.render import output as out

from .context import registry, today

app = typer.Typer(help="Write records for other tools (CSV, JSON, JSON lines).", no_args_is_help=True)


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    xlsx = "xlsx"


FormatOpt = Annotated[
    ExportFormat | None,
    typer.Option(
        "--format",
        help="csv (default), json, jsonl or xlsx (needs --output); else from --output's extension.",
    ),
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file (atomically, mode 0600).")
]


def resolve_format(fmt: ExportFormat | None, output: Path | None) -> str:
    return fmt.value if fmt else out.format_from_path(output, "csv")


def write_export(
    rows: list[dict], columns: tuple[out.Column, ...], fmt: ExportFormat | None, output: Path | None
) -> None:
    chosen = resolve_format(fmt, output)
    if chosen == "xlsx":
        from up2k_cli.render.xlsx import workbook_bytes

        out.write_file(out.require_output(output, "xlsx"), workbook_bytes([("export", rows, columns)]))
    else:
        out.emit(out.WRITERS[chosen](rows, columns), output)


@app.command("cadres")
def cadres(ctx: typer.Context, fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """All cadres, in ID order, with these columns: id, nik, name, sex, birth_date,
    kelurahan_code, kelurahan, rw, rt, address, phone, business_type, household_size, income,
    registered_on, consent_on, consent_method, status, work_status."""
    from up2k_cli.services import cadres as service

    from .programme_columns import CADRE_EXPORT

    rows = service.export_cadres(registry(ctx), output=str(output) if output else None)
    write_export(rows, CADRE_EXPORT, fmt, output)


@app.command("batches")
def batches(ctx: typer.Context, fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """All batches with their counts: code, title, kind, start, end, capacity,
    quota_per_kelurahan, sessions, min_attendance, mentor, venue, status, closed_on, enrolled,
    completed, waitlisted, withdrawn."""
    from up2k_cli.render.columns import BATCH_EXPORT
    from up2k_cli.services import batches as service

    rows = service.list_batches(registry(ctx))
    write_export(rows, BATCH_EXPORT, fmt, output)


@app.command("enrollments")
def enrollments(ctx: typer.Context, fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """Every enrollment: enrollment_id, batch, cadre_id, kelurahan_code, kelurahan, status,
    enrolled_on, waitlisted_on, sessions_attended, sessions_planned, attendance_pct,
    completed_on, completion_forced, withdrawn_on, reason."""
    from up2k_cli.render.columns import ENROLLMENT_EXPORT
    from up2k_cli.services import batches as service

    rows = service.all_enrollment_rows(registry(ctx))
    write_export(rows, ENROLLMENT_EXPORT, fmt, output)


@app.command("businesses")
def businesses(ctx: typer.Context, fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """All businesses: id, cadre_id, kelurahan_code, kelurahan, name, category, started_on,
    added_on, nib, pirt, halal, address, licensed_on, agency, referrals, lacks, and as they stand
    after their follow-ups: owner_status, family_workers, paid_workers, paid_were_unemployed,
    paid_local, turnover (monthly), size (micro, small or medium; PP 7/2021), measured_on."""
    from up2k_cli.services import outcomes

    from .programme_columns import BUSINESS_EXPORT

    rows = outcomes.list_businesses(registry(ctx), today=today())
    write_export(rows, BUSINESS_EXPORT, fmt, output)


@app.command("steps")
def steps(ctx: typer.Context, fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """Every 7 PAS step each cadre reached, in the order reached: cadre_id, kelurahan_code,
    order, step, on, source (automatic or recorded), note."""
    from up2k_cli.render.columns import STEP_EXPORT
    from up2k_cli.services import outcomes

    rows = outcomes.export_steps(registry(ctx), today())
    write_export(rows, STEP_EXPORT, fmt, output)


@app.command("incomes")
def incomes(ctx: typer.Context, fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """Household incomes: id, cadre_id, kelurahan_code, kind (baseline or follow-up), amount,
    on, note, work_status. Baselines come from registration (their work status is the cadre's)."""
    from up2k_cli.services import outcomes

    from .programme_columns import INCOME_EXPORT

    rows = outcomes.export_incomes(registry(ctx))
    write_export(rows, INCOME_EXPORT, fmt, output)
