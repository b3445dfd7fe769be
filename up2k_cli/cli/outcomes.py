"""business, step, income and settings: what training leads to."""

import datetime as dt
from typing import Annotated, Any

import typer

from up2k_cli.i18n import N_, Msg, _, localise
from up2k_cli.render.output import Output

from .context import day, note, note_updated, registry, today
from .follow_ups import WorkStatus, follow_up, measure_options
from .options import list_options, settings_options, show_options

business_app = typer.Typer(help="Businesses started by cadres.", no_args_is_help=True)
income_app = typer.Typer(help="Household income follow-ups.", no_args_is_help=True)
settings_app = typer.Typer(help="Registry settings: the agency referral map.", no_args_is_help=True)


def install(app: typer.Typer) -> None:
    app.add_typer(business_app, name="business")
    business_app.command("follow-up")(follow_up)
    app.command("step")(step)
    app.add_typer(income_app, name="income")
    app.add_typer(settings_app, name="settings")


CATEGORY_HELP = (
    "Kuliner (food), Fesyen/Konveksi (fashion, garments), Kerajinan (crafts), Jasa (services), "
    "Perdagangan/Warung (trade, small shops), Pertanian perkotaan/Perikanan (urban farming, "
    "fisheries) or Lainnya (other); kuliner, warung, fashion... also work."
)
Name = Annotated[str | None, typer.Option("--name", help="Name of the business.")]
Category = Annotated[str | None, typer.Option("--category", help=CATEGORY_HELP)]
Started = Annotated[str | None, typer.Option("--started", help="Start date (default: unknown).")]
Nib = Annotated[
    str | None, typer.Option("--nib", help="NIB (business registration number), 13 digits (from OSS).")
]
Pirt = Annotated[
    str | None,
    typer.Option("--pirt", help="SPP-IRT / P-IRT (home food production licence) number, 15+ digits."),
]
Halal = Annotated[str | None, typer.Option("--halal", help="Halal certificate: yes or no.")]
Address = Annotated[str | None, typer.Option("--address", help="Where the business is.")]
LicensedOn = Annotated[
    str | None,
    typer.Option("--licensed-on", help="When the NIB / P-IRT was issued (default today)."),
]


def _business_input(
    name: str | None,
    category: str | None,
    started: str | None,
    nib: str | None,
    pirt: str | None,
    halal: str | None,
    address: str | None,
    licensed_on: str | None,
) -> tuple[dict[str, Any], Any]:
    """The options add and update share: the fields given, and the licence date if any."""
    values = {"name": name, "category": category, "started_on": started, "nib": nib, "pirt": pirt,
              "halal": halal, "address": address}  # fmt: skip
    licence = day(licensed_on, "licensed-on") if licensed_on else None
    return {k: x for k, x in values.items() if x is not None}, licence


@business_app.command("add")
@measure_options
def add(
    ctx: typer.Context,
    cadre: Annotated[str, typer.Argument(help="Owner: cadre ID or NIK.")],
    name: Name = None,
    category: Category = None,
    started: Started = None,
    nib: Nib = None,
    pirt: Pirt = None,
    halal: Halal = None,
    address: Address = None,
    licensed_on: LicensedOn = None,
    *,
    measures: dict[str, Any],
) -> None:
    """Record a business a cadre started; prints its ID (e.g. U0001)."""
    from up2k_cli.services import outcomes

    raw, licence = _business_input(name, category, started, nib, pirt, halal, address, licensed_on)
    raw |= measures
    record = outcomes.add_business(registry(ctx), cadre, raw, today=today(), licensed_on=licence)
    typer.echo(record["id"])
    note(
        _("Added business {id} ({name}, {category}).").format(
            id=record["id"], name=record["name"], category=record["category"]
        )
    )


@business_app.command("update")
@measure_options
def update(
    ctx: typer.Context,
    business: Annotated[str, typer.Argument(help="Business ID, e.g. U0001.")],
    name: Name = None,
    category: Category = None,
    started: Started = None,
    nib: Nib = None,
    pirt: Pirt = None,
    halal: Halal = None,
    address: Address = None,
    licensed_on: LicensedOn = None,
    *,
    measures: dict[str, Any],
) -> None:
    """Correct or complete a business (add the NIB once issued, its values at the start, ...);
    history keeps old values. Later changes in workers or turnover: 'business follow-up'."""
    from up2k_cli.services import outcomes

    raw, licence = _business_input(name, category, started, nib, pirt, halal, address, licensed_on)
    raw |= measures
    entry = outcomes.update_business(registry(ctx), business, raw, today=today(), licensed_on=licence)
    note_updated(entry)


@business_app.command("list")
@list_options
def list_(
    ctx: typer.Context,
    kelurahan: Annotated[str | None, typer.Option(help="Only this kelurahan (urban village).")] = None,
    category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
    agency: Annotated[str | None, typer.Option(help="Only businesses referred to this agency.")] = None,
    step: Annotated[
        str | None, typer.Option(help="Only owners who reached this 7 PAS step (OK OCE's seven steps).")
    ] = None,
    started_from: Annotated[str | None, typer.Option("--from", help="Started on or after.")] = None,
    started_to: Annotated[str | None, typer.Option("--to", help="Started on or before.")] = None,
    *,
    out: Output,
) -> None:
    """Businesses with owner, category, agency and what they still lack."""
    from up2k_cli.render.columns import BUSINESS_EXPORT, BUSINESS_LIST
    from up2k_cli.render.model import Table
    from up2k_cli.services import outcomes

    first = day(started_from, "from") if started_from else None
    last = day(started_to, "to") if started_to else None
    rows = outcomes.list_businesses(
            registry(ctx), kelurahan=kelurahan, category=category, agency=agency, step=step,
            started_from=first, started_to=last, today=today(),
        )  # fmt: skip
    title = _("Businesses ({count})").format(count=len(rows))
    out.table(Table("businesses", title, BUSINESS_EXPORT, rows, display=BUSINESS_LIST))


@business_app.command("show")
@show_options
def show(
    ctx: typer.Context,
    business: Annotated[str, typer.Argument(help="Business ID, e.g. U0001.")],
    *,
    out: Output,
) -> None:
    """One business: details, referral agencies, what it lacks, workers and turnover, history."""
    from up2k_cli.render.columns import BUSINESS_DETAILS, BUSINESS_EXPORT, FOLLOW_UPS
    from up2k_cli.render.model import Kind, Table, record_fields
    from up2k_cli.render.output import history_table
    from up2k_cli.render.writers import records
    from up2k_cli.services import outcomes

    page = outcomes.business_page(registry(ctx), business)
    view = page.business
    owner = f"{view['cadre_id']} {view['owner'] or ''}".strip()
    start = {"id": Msg(N_("start")), "on": view["started"], **page.start}
    out.page(
        "business",
        _("Business {id}").format(id=view["id"]),
        [(N_("Owner"), owner, Kind.FREE), *record_fields(view, BUSINESS_DETAILS)],
        [
            Table("follow_ups", _("Workers and turnover"), FOLLOW_UPS, [start, *page.follow_ups]),
            history_table(page.history),
        ],
        {
            **{c.key: view.get(c.key) for c in BUSINESS_EXPORT},
            "owner": view["owner"],
            "start": page.start,
            "follow_ups": records(page.follow_ups, FOLLOW_UPS),
            "history": page.history,
        },
    )


def step(
    ctx: typer.Context,
    cadre: Annotated[str, typer.Argument(help="Cadre ID or NIK.")],
    name: Annotated[
        str,
        typer.Argument(
            help="pendampingan (mentoring), pemasaran (marketing), pelaporan-keuangan (financial "
            "reporting) or permodalan (capital). The others are reached automatically."
        ),
    ],
    date: Annotated[str | None, typer.Option("--date", help="When it was reached (default today).")] = None,
    note_text: Annotated[str | None, typer.Option("--note", help="What happened, e.g. 'KUR BRI'.")] = None,
    remove: Annotated[
        bool, typer.Option("--remove", help="Take back a step recorded by mistake (needs --reason).")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why, with --remove.")] = None,
) -> None:
    """Record a 7 PAS step a cadre reached (OK OCE's seven steps, in any order), or take one back."""
    from up2k_cli.services import outcomes

    if remove:
        taken = outcomes.remove_step(registry(ctx), cadre, name, reason=reason or "")
        note(_("Took back step {step} of {id}.").format(step=taken["step"], id=taken["cadre_id"]))
        return
    record, new = outcomes.record_step(
        registry(ctx), cadre, name, on=day(date), today=today(), note=note_text
    )
    message = (
        N_("Recorded {step} for {id} on {date}.")
        if new
        else N_("{id} already reached {step} on {date}; unchanged.")
    )
    on = dt.date.fromisoformat(record["on"])
    note(localise(Msg(message, step=record["step"], id=record["cadre_id"], date=on)))


@income_app.command("add")
def income_add(
    ctx: typer.Context,
    cadre: Annotated[str, typer.Argument(help="Cadre ID or NIK.")],
    amount: Annotated[
        str, typer.Option("--amount", help="Monthly household income: 'Rp 2.000.000', '2 jt'.")
    ],
    date: Annotated[str | None, typer.Option("--date", help="When it was measured (default today).")] = None,
    note_text: Annotated[str | None, typer.Option("--note", help="A note, e.g. 'survey 2'.")] = None,
    baseline: Annotated[
        bool, typer.Option("--baseline", help="This is the income before the programme.")
    ] = False,
    work_status: WorkStatus = None,
) -> None:
    """Record a household income follow-up (or the baseline, if registration had none)."""
    from up2k_cli.services import outcomes

    record = outcomes.add_income(
        registry(ctx), cadre, amount, on=day(date), today=today(), note=note_text, baseline=baseline,
        work_status=work_status,
    )  # fmt: skip
    from up2k_cli.render.cells import human

    amount = human(record["amount"], "money")
    message = (
        _("Recorded baseline income {amount} for {id}.")
        if record["kind"] == "baseline"
        else _("Recorded follow-up income {amount} for {id}.")
    )
    note(message.format(amount=amount, id=record["cadre_id"]))


@income_app.command("update")
def income_update(
    ctx: typer.Context,
    income: Annotated[str, typer.Argument(help="Follow-up ID, e.g. I0001 ('cadre show' lists them).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is corrected (kept in the history).")],
    amount: Annotated[str | None, typer.Option("--amount", help="The right amount.")] = None,
    date: Annotated[str | None, typer.Option("--date", help="The right date.")] = None,
    note_text: Annotated[str | None, typer.Option("--note", help="The right note.")] = None,
    work_status: WorkStatus = None,
) -> None:
    """Correct an income follow-up's amount, date, note or work status."""
    from up2k_cli.services import outcomes

    raw = {"amount": amount, "on": date, "note": note_text, "work_status": work_status}
    entry = outcomes.update_income(registry(ctx), income, raw, today=today(), reason=reason)
    note_updated(entry)


@income_app.command("remove")
def income_remove(
    ctx: typer.Context,
    income: Annotated[str, typer.Argument(help="Follow-up ID, e.g. I0001.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it goes (kept in the history).")],
) -> None:
    """Take back an income follow-up recorded by mistake (undo can bring it back)."""
    from up2k_cli.services import outcomes

    record = outcomes.remove_income(registry(ctx), income, reason=reason)
    note(_("Removed {id} ({cadre}).").format(id=record["id"], cadre=record["cadre_id"]))


@business_app.command("remove")
def business_remove(
    ctx: typer.Context,
    business: Annotated[str, typer.Argument(help="Business ID, e.g. U0001.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it goes (kept in the history).")],
) -> None:
    """Take back a business recorded by mistake (one never started); refused while follow-ups or
    referrals rest on it."""
    from up2k_cli.services import outcomes

    record = outcomes.remove_business(registry(ctx), business, reason=reason)
    note(_("Removed {id} ({cadre}).").format(id=record["id"], cadre=record["cadre_id"]))


@settings_app.command("agency-map")
@settings_options
def agency_map(
    ctx: typer.Context,
    category: Annotated[str | None, typer.Argument(help="Category to change.")] = None,
    agency: Annotated[str | None, typer.Argument(help="Agency that facilitates it.")] = None,
    licensing: Annotated[
        str | None, typer.Option("--licensing", help="Agency for food licences (P-IRT).")
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Back to the default map.")] = False,
    *,
    out: Output,
) -> None:
    """Show the agency each business category is referred to, or change one:

    up2k settings agency-map "Pertanian perkotaan" "Sudin KPKP"
    """
    from up2k_cli.render.columns import AGENCY_MAP
    from up2k_cli.render.model import Table
    from up2k_cli.services import outcomes

    if (category is None) != (agency is None):
        raise typer.BadParameter(_("give both CATEGORY and AGENCY, or neither"))
    change, current = outcomes.change_agency_map(
        registry(ctx), category=category, agency=agency, licensing=licensing, reset=reset
    )
    if change is not None:
        note(f"{change.category}: {change.old} -> {change.new}.")
    rows = [{"category": c, "agency": a} for c, a in current["agency_map"].items()]
    rows.append({"category": Msg(N_("(food licence, no P-IRT)")), "agency": current["licensing_agency"]})
    out.table(Table("agency_map", _("Agency referral map"), AGENCY_MAP, rows))
