"""report: summary, kelurahan, batch, weekly, target, for people, cron and pipes."""

import datetime as dt
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from up2k_cli.render import output as out

from .context import day, registry, today

app = typer.Typer(
    help="Reports: summary, kelurahan (per urban village), batch, weekly, target, pipeline, income, "
    "agencies. No personal data in any of them, unless asked for.",
    no_args_is_help=True,
)


# Indonesian names, resolved by the root group (cli/main.py) and never listed in the help.
ALIASES = {"laporan": "report"}


class ReportFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    xlsx = "xlsx"


FormatOpt = Annotated[
    ReportFormat | None,
    typer.Option(
        "--format",
        help="table (default), csv (the main table), json, markdown, or xlsx (a sheet per table; "
        "needs --output); else from --output's extension (.csv, .json, .md, .xlsx).",
    ),
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file (atomically, mode 0600).")
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="The registry as it stood at the end of this day (default today)."),
]


def _emit(
    build: Callable[[Any], Any], ctx: typer.Context, fmt: ReportFormat | None, output: Path | None
) -> None:
    from up2k_cli.render import report as render

    chosen = fmt.value if fmt else out.format_from_path(output, "table")
    from up2k_cli.services.reports import build as run

    report = run(registry(ctx), build)
    if chosen == "xlsx":
        out.write_file(out.require_output(output, "xlsx"), render.to_xlsx(report))
        return
    to_terminal = output is None and sys.stdout.isatty()
    text = render.render(report, chosen, to_terminal=to_terminal)
    if text is None:
        out.print_renderables(*render.renderables(report))
    else:
        out.emit(text, output)


def _as_of(value: str | None) -> dt.date:
    from up2k_cli.domain.validators import not_in_future

    return not_in_future(day(value, "as-of"), "as-of", today())


@app.command("summary")
def summary(
    ctx: typer.Context, fmt: FormatOpt = None, output: OutputOpt = None, as_of: AsOfOpt = None
) -> None:
    """Cadres, batches, enrollments by status, attendance rate and the target, on one screen."""
    from up2k_cli.services import reports

    when = _as_of(as_of)
    _emit(lambda uow: reports.summary(uow, when), ctx, fmt, output)


@app.command("kelurahan")
def kelurahan(
    ctx: typer.Context, fmt: FormatOpt = None, output: OutputOpt = None, as_of: AsOfOpt = None
) -> None:
    """One row per kelurahan (urban village) and a total: cadres, enrolled, completed, waitlisted,
    completion."""
    from up2k_cli.services import reports

    when = _as_of(as_of)
    _emit(lambda uow: reports.kelurahan(uow, when), ctx, fmt, output)


@app.command("batch")
def batch(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Batch code.")],
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """One batch: fill per kelurahan (urban village) against the quota, attendance per session, who is below
    the minimum attendance (IDs and names only), completion."""
    from up2k_cli.services import reports

    when = _as_of(as_of)
    _emit(lambda uow: reports.batch(uow, code, when), ctx, fmt, output)


@app.command("weekly")
def weekly(
    ctx: typer.Context,
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            help="ISO week like 2026-W48, or 'current' for the week so far; default the last complete week.",
        ),
    ] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """What happened in a week, per kelurahan (urban village), against the week before, and the cumulative
    figures against the target. Made for cron: stable plain text or Markdown."""
    from up2k_cli.services import reports

    when = _as_of(as_of)
    _emit(lambda uow: reports.weekly(uow, week, when), ctx, fmt, output)


@app.command("target")
def target(
    ctx: typer.Context, fmt: FormatOpt = None, output: OutputOpt = None, as_of: AsOfOpt = None
) -> None:
    """Progress toward 4,000 (minimum) and 5,000 (stretch) new entrepreneurs: share reached,
    time elapsed, weekly pace needed, pace of the last 12 weeks, projection; per kelurahan (urban
    village)."""
    from up2k_cli.services import reports

    when = _as_of(as_of)
    _emit(lambda uow: reports.target(uow, when), ctx, fmt, output)


@app.command("pipeline")
def pipeline(
    ctx: typer.Context, fmt: FormatOpt = None, output: OutputOpt = None, as_of: AsOfOpt = None
) -> None:
    """How many cadres reached each of OK OCE's 7 PAS steps (7 Langkah Pasti Akan Sukses, the
    entrepreneurship programme's seven steps), per kelurahan (urban village) and in total, with a
    funnel."""
    from up2k_cli.services import reports

    when = _as_of(as_of)
    _emit(lambda uow: reports.pipeline(uow, when), ctx, fmt, output)


@app.command("income")
def income(
    ctx: typer.Context, fmt: FormatOpt = None, output: OutputOpt = None, as_of: AsOfOpt = None
) -> None:
    """Household income per kelurahan (urban village): baselines, follow-ups, median change, share that rose.
    Change figures count only households with both a baseline and a follow-up."""
    from up2k_cli.services import reports

    when = _as_of(as_of)
    _emit(lambda uow: reports.income(uow, when), ctx, fmt, output)


@app.command("agencies")
def agencies(
    ctx: typer.Context,
    agency: Annotated[str | None, typer.Option("--agency", help="Only this agency.")] = None,
    with_contacts: Annotated[
        bool,
        typer.Option(
            "--with-contacts",
            help="List business, owner and phone for hand-over "
            "(personal data; the export is recorded in the history).",
        ),
    ] = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Businesses referred to each agency (Sudin PPKUKM, Sudin KPKP, ...) and what they still lack
    (NIB business number; P-IRT home food licence and halal certificate for food)."""
    from up2k_cli.services import reports

    when = _as_of(as_of)

    def build(uow: Any) -> Any:
        report = reports.agencies(uow, when, agency, with_contacts)
        if with_contacts:
            reports.record_contacts(uow, report, str(output) if output else None)
        return report

    _emit(build, ctx, fmt, output)
