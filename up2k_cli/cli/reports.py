"""report: every report, for people, cron and pipes: parse, run the read model, render."""

import datetime as dt
from typing import Annotated, Any

import typer

from up2k_cli.render.formats import Format
from up2k_cli.render.output import Output

from .context import day, registry, today
from .options import PICTURE_HELP, output_options

app = typer.Typer(
    help="Reports: summary, kelurahan (per urban village), batch, weekly, target, pipeline, income, "
    "agencies, jobs, pokja2 (PKK groups), facilitation. No personal data in any of them, unless asked "
    "for.",
    no_args_is_help=True,
)


# Indonesian names, resolved by the root group (cli/main.py) and never listed in the help.
ALIASES = {"laporan": "report"}

# Every report: a table for people (default), its main table as CSV, the whole report as JSON,
# Markdown for e-mail, a workbook with a sheet per table.
report_options = output_options(
    Format.TABLE, Format.CSV, Format.JSON, Format.MARKDOWN, Format.XLSX, default=Format.TABLE
)
# target, pipeline and income: also one chart picture for a phone screen (png, svg).
picture_options = output_options(
    Format.TABLE, Format.CSV, Format.JSON, Format.MARKDOWN, Format.XLSX, Format.PNG, Format.SVG,
    default=Format.TABLE, help=PICTURE_HELP,
)  # fmt: skip

AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="The registry as it stood at the end of this day (default today)."),
]


def _emit(report: Any, out: Output) -> None:
    """A report's figures (services/reporting.py) drawn in the format asked for: a chart picture
    (png, svg) or the Document (whose tables carry their chart hints, which workbooks draw)."""
    from up2k_cli.render.formats import PICTURES
    from up2k_cli.render.reports import document

    doc = document(report.name, report.figures, report.kecamatan, report.settings)
    if out.format in PICTURES:
        from up2k_cli.pictures.share import document_picture

        out.bytes(document_picture(doc, {"region": report.region}, out.format))
        return
    out.document(doc)


def _run(ctx: typer.Context, name: str, **params: Any) -> Any:
    from up2k_cli.services import reporting

    return reporting.run(registry(ctx, reading=True), name, **params)


def _as_of(value: str | None) -> dt.date:
    from up2k_cli.domain.validators import not_in_future

    return not_in_future(day(value, "as-of"), "as-of", today())


@app.command("summary")
@report_options
def summary(ctx: typer.Context, as_of: AsOfOpt = None, *, out: Output) -> None:
    """Cadres, batches, enrollments by status, attendance rate and the target, on one screen."""
    _emit(_run(ctx, "summary", as_of=_as_of(as_of)), out)


@app.command("kelurahan")
@report_options
def kelurahan(ctx: typer.Context, as_of: AsOfOpt = None, *, out: Output) -> None:
    """One row per kelurahan (urban village) and a total: cadres, enrolled, completed, waitlisted,
    completion."""
    _emit(_run(ctx, "kelurahan", as_of=_as_of(as_of)), out)


@app.command("batch")
@report_options
def batch(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Batch code.")],
    as_of: AsOfOpt = None,
    *,
    out: Output,
) -> None:
    """One batch: fill per kelurahan (urban village) against the quota, attendance per session, who is below
    the minimum attendance (IDs and names only), completion."""
    from up2k_cli.services import reporting

    _emit(reporting.batch(registry(ctx, reading=True), code, as_of=_as_of(as_of)), out)


@app.command("weekly")
@report_options
def weekly(
    ctx: typer.Context,
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            help="ISO week like 2026-W48, or 'current' for the week so far; default the last complete week.",
        ),
    ] = None,
    as_of: AsOfOpt = None,
    *,
    out: Output,
) -> None:
    """What happened in a week, per kelurahan (urban village), against the week before, and the cumulative
    figures against the target. Made for cron: stable plain text or Markdown."""
    _emit(_run(ctx, "weekly", week=week, as_of=_as_of(as_of)), out)


@app.command("target")
@picture_options
def target(ctx: typer.Context, as_of: AsOfOpt = None, *, out: Output) -> None:
    """Progress toward 4,000 (minimum) and 5,000 (stretch) new entrepreneurs: share reached,
    time elapsed, weekly pace needed, pace of the last 12 weeks, projection; per kelurahan (urban
    village)."""
    _emit(_run(ctx, "target", as_of=_as_of(as_of)), out)


@app.command("pipeline")
@picture_options
def pipeline(ctx: typer.Context, as_of: AsOfOpt = None, *, out: Output) -> None:
    """How many cadres reached each of OK OCE's 7 PAS steps (7 Langkah Pasti Akan Sukses, the
    entrepreneurship programme's seven steps), per kelurahan (urban village) and in total, with a
    funnel."""
    _emit(_run(ctx, "pipeline", as_of=_as_of(as_of)), out)


@app.command("income")
@picture_options
def income(ctx: typer.Context, as_of: AsOfOpt = None, *, out: Output) -> None:
    """Household income per kelurahan (urban village): baselines, follow-ups, median change, share that rose.
    Change figures count only households with both a baseline and a follow-up."""
    _emit(_run(ctx, "income", as_of=_as_of(as_of)), out)


@app.command("agencies")
@report_options
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
    as_of: AsOfOpt = None,
    *,
    out: Output,
) -> None:
    """Businesses referred to each agency (Sudin PPKUKM, Sudin KPKP, ...) and what they still lack
    (NIB business number; P-IRT home food licence and halal certificate for food)."""
    from up2k_cli.services import reporting

    report = reporting.agencies(
        registry(ctx, reading=not with_contacts),  # the hand-over list leaves a trace: written
        as_of=_as_of(as_of),
        agency=agency,
        with_contacts=with_contacts,
        output=out.file,
    )
    _emit(report, out)


@app.command("jobs")
@report_options
def jobs(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="Also the change since the end of this earlier day.")
    ] = None,
    as_of: AsOfOpt = None,
    *,
    out: Output,
) -> None:
    """Jobs the programme's businesses give (owners, unpaid family and paid workers), jobs held by
    people who were unemployed, cadres who moved from looking for work to working, micro and small
    businesses; per kelurahan (urban village), per category and in total."""
    when = _as_of(as_of)
    _emit(_run(ctx, "jobs", as_of=when, since=day(since, "since") if since else None), out)


@app.command("pokja2")
@report_options
def pokja2(
    ctx: typer.Context,
    period: Annotated[
        str | None,
        typer.Option("--period", help="A year (2027) or a month (2027-03); default the current month."),
    ] = None,
    as_of: AsOfOpt = None,
    *,
    out: Output,
) -> None:
    """PKK's Pokja II recap of the UP2K groups: groups and members by tier (Pemula, Madya, Utama,
    Mandiri) per kelurahan (urban village), with the signature block of 'up2k settings pokja2';
    --format xlsx prints on one A4 landscape page."""
    _emit(_run(ctx, "pokja2", period=period, as_of=_as_of(as_of)), out)


def _overdue(value: str) -> str:
    """--overdue N|all, refused as a usage error (exit 2) before the registry is opened; what it
    means is the report's rule (domain/facilitation.py)."""
    from up2k_cli.domain.errors import ValidationError
    from up2k_cli.domain.facilitation import overdue_limit
    from up2k_cli.i18n import localise

    try:
        overdue_limit(value)
    except ValidationError as exc:
        raise typer.BadParameter(f"{value!r}: {localise(exc.reason)}") from None
    return value


@app.command("facilitation")
@report_options
def facilitation(
    ctx: typer.Context,
    overdue: Annotated[
        str | None,
        typer.Option(
            "--overdue",
            metavar="N|all",
            parser=_overdue,
            help="How many of the open referrals older than 30 days to list, the oldest first "
            "(default 20); all lists every one, 0 none. The report says how many there are in all.",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOpt = None,
    *,
    out: Output,
) -> None:
    """What the agencies did with the referrals: per agency and need, referred, open, done, closed
    without result, median days to an outcome, capital received; and the oldest of the open
    referrals older than 30 days (IDs only; --overdue N|all), with how many there are in all."""
    listed = {} if overdue is None else {"overdue": overdue}
    _emit(_run(ctx, "facilitation", as_of=_as_of(as_of), **listed), out)


@app.command("dashboard")
@output_options(Format.HTML, default=Format.HTML)
def dashboard(ctx: typer.Context, as_of: AsOfOpt = None, *, out: Output) -> None:
    """One self-contained HTML page of charts and their numbers, for the kecamatan and each
    kelurahan (urban village): progress toward the target, 7 PAS funnel, household income, jobs and
    groups, the last 12 weeks. No personal data, no script, nothing fetched from the network: it
    opens offline, travels as an attachment and prints on A4. --lang id|en chooses its language."""
    from up2k_cli.pictures.dashboard import made_now, page
    from up2k_cli.pictures.figures import gather, registry_label

    from .context import settings

    when = _as_of(as_of)
    figures = gather(registry(ctx, reading=True), when, registry_label(settings(ctx).db), made_now())
    out.text(page(figures))
