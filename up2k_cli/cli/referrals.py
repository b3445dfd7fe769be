"""refer and referral: a business referred to an agency for a need, followed through to an outcome."""

from typing import Annotated

import typer

from up2k_cli.i18n import _, localise
from up2k_cli.render.output import Output

from .context import day, note, registry, today
from .options import list_options, show_options

referral_app = typer.Typer(
    help="Referrals to agencies, followed through: updates, outcomes, lists.", no_args_is_help=True
)

NEED_HELP = "nib, pirt (SPP-IRT home food licence), halal, capital, marketing or mentoring."


def install(app: typer.Typer) -> None:
    app.command("refer")(refer)
    app.add_typer(referral_app, name="referral")


def refer(
    ctx: typer.Context,
    business: Annotated[str, typer.Argument(help="Business ID, e.g. U0001.")],
    need: Annotated[str, typer.Option("--need", help=f"What the business needs: {NEED_HELP}")],
    agency: Annotated[
        str | None,
        typer.Option(
            "--agency",
            help="The agency, e.g. 'Sudin PPKUKM'. Default: licences (nib, pirt) to the licensing agency, "
            "the rest to the agency of the business's category ('up2k settings agency-map').",
        ),
    ] = None,
    date: Annotated[str | None, typer.Option("--date", help="When it was referred (default today).")] = None,
    note_text: Annotated[str | None, typer.Option("--note", help="A note.")] = None,
) -> None:
    """Refer a business to an agency for one need; prints the referral's ID (e.g. R0001)."""
    from up2k_cli.domain.referrals import NEEDS
    from up2k_cli.domain.validators import choice_label
    from up2k_cli.services import referrals

    record = referrals.refer(
        registry(ctx), business, need=need, agency=agency, on=day(date), today=today(), note=note_text
    )
    typer.echo(record["id"])
    note(
        _("Referred {business} to {agency} for {need} ({id}).").format(
            business=record["business_id"],
            agency=record["agency"],
            need=localise(choice_label(record["need"], NEEDS)),
            id=record["id"],
        )
    )


@referral_app.command("update")
def update(
    ctx: typer.Context,
    referral: Annotated[str, typer.Argument(help="Referral ID, e.g. R0001.")],
    status: Annotated[
        str,
        typer.Option(
            "--status", help="contacted, in-progress, done (with an outcome) or closed (without result)."
        ),
    ],
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome",
            help="With done: nib, pirt, halal, capital or market (default: the one the need asks for).",
        ),
    ] = None,
    nib: Annotated[str | None, typer.Option("--nib", help="Outcome nib: the NIB issued (13 digits).")] = None,
    pirt: Annotated[str | None, typer.Option("--pirt", help="Outcome pirt: the P-IRT number issued.")] = None,
    amount: Annotated[
        str | None, typer.Option("--amount", help="Outcome capital: the amount received, e.g. '10 jt'.")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source", help="Outcome capital: kur, bank, city (programme), csr, cooperative, other."
        ),
    ] = None,
    date: Annotated[str | None, typer.Option("--date", help="When (default today).")] = None,
    note_text: Annotated[
        str | None, typer.Option("--note", help="What happened; required to close without result.")
    ] = None,
) -> None:
    """Record a referral's next step. An outcome writes through: an NIB or P-IRT issued fills the
    business's number (and so perizinan), halal its flag; capital received reaches permodalan,
    a market pemasaran."""
    from up2k_cli.domain.referrals import STATUS_LABELS
    from up2k_cli.render.cells import human
    from up2k_cli.render.output import changes_text
    from up2k_cli.services import referrals

    raw = {"status": status, "outcome": outcome, "nib": nib, "pirt": pirt, "amount": amount, "source": source,
           "note": note_text}  # fmt: skip
    done = referrals.update(registry(ctx), referral, raw, on=day(date), today=today())
    record = done.update
    note(
        _("{id}: {status} on {date} ({update}).").format(
            id=done.referral["id"],
            status=_(STATUS_LABELS[record["status"]]),
            date=human(record["on"], "date"),
            update=record["id"],
        )
    )
    if done.business:
        changes = changes_text(done.business)
        note(_("Business {id} updated: {changes}.").format(id=done.referral["business_id"], changes=changes))
    if done.step:
        note(
            _("{cadre} reached {step} on {date}.").format(
                cadre=done.step["cadre_id"], step=done.step["step"], date=human(done.step["on"], "date")
            )
        )


@referral_app.command("list")
@list_options
def list_(
    ctx: typer.Context,
    agency: Annotated[str | None, typer.Option(help="Only this agency.")] = None,
    need: Annotated[str | None, typer.Option(help=f"Only this need: {NEED_HELP}")] = None,
    status: Annotated[
        str | None, typer.Option(help="Only this status: referred, contacted, in-progress, done, closed.")
    ] = None,
    business: Annotated[str | None, typer.Option(help="Only this business's referrals.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only open ones (not done or closed).")] = False,
    *,
    out: Output,
) -> None:
    """Referrals with their status today and how many days they have been open (or took)."""
    from up2k_cli.render.columns import REFERRAL_EXPORT, REFERRAL_LIST
    from up2k_cli.render.model import Table
    from up2k_cli.services import referrals

    rows = referrals.list_referrals(
        registry(ctx), today=today(), agency=agency, need=need, status=status, business=business,
        open_only=open_only,
    )  # fmt: skip
    title = _("Referrals ({count})").format(count=len(rows))
    out.table(Table("referrals", title, REFERRAL_EXPORT, rows, display=REFERRAL_LIST))


@referral_app.command("show")
@show_options
def show(
    ctx: typer.Context,
    referral: Annotated[str, typer.Argument(help="Referral ID, e.g. R0001.")],
    *,
    out: Output,
) -> None:
    """One referral: business, agency, need, its updates and outcome, history."""
    from up2k_cli.render.columns import REFERRAL_DETAILS, REFERRAL_EXPORT, REFERRAL_UPDATES
    from up2k_cli.render.model import Table, record_fields
    from up2k_cli.render.output import history_table
    from up2k_cli.render.writers import records
    from up2k_cli.services import referrals

    page = referrals.referral_page(registry(ctx), referral, today=today())
    out.page(
        "referral",
        _("Referral {id}").format(id=page.referral["id"]),
        record_fields(page.referral, REFERRAL_DETAILS),
        [Table("updates", _("Updates"), REFERRAL_UPDATES, page.updates), history_table(page.history)],
        {
            **records([page.referral], REFERRAL_EXPORT)[0],
            "updates": records(page.updates, REFERRAL_UPDATES),
            "history": page.history,
        },
    )
