"""register and the cadre group: list, show, update, deactivate, reactivate."""

from collections.abc import Callable
from typing import Annotated, Any

import typer

from up2k_cli.i18n import N_, _
from up2k_cli.render.output import Output

from .context import day, note, note_updated, registry, stdin_is_terminal, today
from .follow_ups import WorkStatus
from .options import list_options, show_options

cadre_app = typer.Typer(help="Find, show and correct registered cadres.", no_args_is_help=True)


def install(app: typer.Typer) -> None:
    app.command("register")(register)
    app.add_typer(cadre_app, name="cadre")


# Indonesian names, resolved by the root group (cli/main.py) and never listed in the help.
ALIASES = {"daftar": "register"}


# Field options shared by register and update; the help names the accepted spellings.
Nik = Annotated[
    str | None, typer.Option("--nik", help="16-digit NIK (national ID number) from the KTP (ID card).")
]
Name = Annotated[str | None, typer.Option("--name", help="Full name as on the KTP.")]
Kelurahan = Annotated[
    str | None,
    typer.Option(
        "--kelurahan",
        help="Kelurahan (urban village) name or code: 'Pondok Labu', 'Kel. Pondok Labu', 1003.",
    ),
]
Rw = Annotated[str | None, typer.Option("--rw", help="RW (neighbourhood unit) number, e.g. 3 or 003.")]
Rt = Annotated[str | None, typer.Option("--rt", help="RT (block within the RW) number, e.g. 5 or 005.")]
Address = Annotated[str | None, typer.Option("--address", help="Street address.")]
Phone = Annotated[str | None, typer.Option("--phone", help="Mobile: 0812-3456-7890 or +62 812...")]
Business = Annotated[
    str | None,
    typer.Option(
        "--business-type",
        help="Kuliner (food), Fesyen/Konveksi (fashion, garments), Kerajinan (crafts), Jasa (services), "
        "Perdagangan/Warung (trade, small shops), Pertanian perkotaan/Perikanan (urban farming, "
        "fisheries) or Lainnya (other).",
    ),
]
Household = Annotated[str | None, typer.Option("--household-size", help="People in the household.")]
Income = Annotated[
    str | None,
    typer.Option(
        "--income", help="Monthly household income: 'Rp 1.500.000', 1500000, '1,5 jt' (jt = juta, million)."
    ),
]

# How each required field (domain/cadre.py REQUIRED_FIELDS) is asked for at the prompt.
PROMPTS = {
    "nik": N_("NIK (16 digits)"),
    "name": N_("Full name"),
    "kelurahan": "Kelurahan",
    "rw": "RW",
    "rt": "RT",
    "address": N_("Address"),
    "phone": N_("Mobile phone"),
    "income": N_("Monthly household income, e.g. 1,5 jt"),
}
# Asked too on a terminal when not given, but Enter skips them.
ASKED_IF_MISSING = ("phone", "income")


def _ask(
    check: Callable[[str, Any], Any], raw: dict[str, Any], required: list[str], optional: list[str]
) -> None:
    """Ask for each field at the terminal, checking every answer as it is typed: a wrong one is
    explained on the spot and asked again; an optional one may be skipped with Enter."""
    from up2k_cli.domain.errors import Up2kError

    for key in [*required, *optional]:
        skip = key in optional
        label = _(PROMPTS[key]) + (_(" (Enter to skip)") if skip else "")
        while True:
            answer = typer.prompt(label, default="" if skip else None, show_default=False, err=True)
            if skip and not answer.strip():
                break
            try:
                check(key, answer)
            except Up2kError as exc:
                note(_("  {problem}; try again").format(problem=exc))
                continue
            raw[key] = answer
            break


def register(
    ctx: typer.Context,
    nik: Nik = None,
    name: Name = None,
    kelurahan: Kelurahan = None,
    rw: Rw = None,
    rt: Rt = None,
    address: Address = None,
    phone: Phone = None,
    business_type: Business = None,
    household_size: Household = None,
    income: Income = None,
    date: Annotated[str | None, typer.Option("--date", help="Registration date; default today.")] = None,
    consent: Annotated[
        bool,
        typer.Option("--consent", help="The person agreed to their data being kept (required)."),
    ] = False,
    consent_method: Annotated[
        str | None,
        typer.Option("--consent-method", help="How consent was given, e.g. 'signed form'."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Register even if the same person seems registered.")
    ] = False,
    work_status: WorkStatus = None,
) -> None:
    """Register one cadre (kader PKK); prints the new ID, such as K0001, on stdout.

    On a terminal, missing fields are asked for, each answer checked as it is typed (and asked
    again if wrong); phone and income are asked too, Enter skips them.
    """
    from up2k_cli.domain.cadre import REQUIRED_FIELDS, consent_method_given
    from up2k_cli.services import cadres

    raw: dict[str, Any] = {
        "nik": nik,
        "name": name,
        "kelurahan": kelurahan,
        "rw": rw,
        "rt": rt,
        "address": address,
        "phone": phone,
        "business_type": business_type,
        "household_size": household_size,
        "income": income,
        "registered_on": date,
        "consent_method": consent_method,
        "work_status": work_status,
    }
    missing = [key for key in REQUIRED_FIELDS if raw[key] is None]
    interactive = stdin_is_terminal()
    if (missing or not consent) and not interactive:
        flags = [f"--{k.replace('_', '-')}" for k in missing] + ([] if consent else ["--consent"])
        message = _("missing {options} (stdin is not a terminal, so up2k cannot ask)").format(
            options=", ".join(flags)
        )
        note(_("Error: {message}").format(message=message))
        raise typer.Exit(2)
    if interactive:
        optional = [key for key in ASKED_IF_MISSING if raw[key] is None]
        _ask(cadres.answer_checker(registry(ctx), today=today()), raw, missing, optional)
    asked = False
    if not consent:
        who = raw["name"] or _("the person")
        consent = typer.confirm(
            _("Has {name} agreed to their data being kept for the UP2K programme?").format(name=who),
            err=True,
        )
        asked = True
    raw["consent"] = consent
    if consent:
        raw["consent_method"] = consent_method_given(consent_method, asked_at_prompt=asked)
    given = {k: x for k, x in raw.items() if x is not None}
    done = cadres.register(registry(ctx), given, today=today(), force=force)
    typer.echo(done.record["id"])
    note(
        _("Registered {id}: {name}, {kelurahan}.").format(
            id=done.record["id"], name=done.record["name"], kelurahan=done.kelurahan
        )
    )
    for warning in done.warnings:
        note(warning)


@cadre_app.command("list")
@list_options
def list_(
    ctx: typer.Context,
    kelurahan: Annotated[
        str | None, typer.Option(help="Only this kelurahan (urban village; name or code).")
    ] = None,
    status: Annotated[str | None, typer.Option(help="Only active or inactive cadres.")] = None,
    search: Annotated[str | None, typer.Option(help="Text in the name, or digits of NIK/phone.")] = None,
    show_nik: Annotated[
        bool, typer.Option("--show-nik", help="Show whole NIKs (masked by default).")
    ] = False,
    no_business: Annotated[
        bool,
        typer.Option("--no-business", help="Only those who completed training but have no business yet."),
    ] = False,
    no_follow_up: Annotated[
        int | None,
        typer.Option(
            "--no-follow-up",
            metavar="MONTHS",
            min=1,
            help="Only those without an income follow-up in the last MONTHS months (e.g. 6).",
        ),
    ] = None,
    incomplete: Annotated[
        bool, typer.Option("--incomplete", help="Only records without a phone, RT, RW or address.")
    ] = False,
    *,
    out: Output,
) -> None:
    """List cadres in ID order; NIKs are masked unless --show-nik. The follow-up lists:
    --no-business, --no-follow-up MONTHS, --incomplete."""
    from up2k_cli.domain.validators import mask_nik, months_before
    from up2k_cli.render.columns import CADRE_LIST
    from up2k_cli.render.model import Table
    from up2k_cli.services import cadres

    if status and status not in ("active", "inactive"):
        raise typer.BadParameter(_("use active or inactive"), param_hint="--status")
    masked = None if show_nik else lambda r: {**r, "nik": mask_nik(r["nik"])}
    page = out.limit if out.limit is not None else out.screen_rows()
    if page is not None and not (search or show_nik or no_business or no_follow_up or incomplete):
        # One page (--limit, or a terminal's screenful), read as one page (LIMIT/OFFSET on
        # PostgreSQL): the same rows as the whole list's, which is counted for the title.
        rows, total = cadres.list_page(
            registry(ctx), limit=page, offset=out.offset, kelurahan=kelurahan, status=status
        )
        title = _("Cadres ({count})").format(count=total)
        table = Table("cadres", title, CADRE_LIST, rows)
        out.table(table, prepare=masked, windowed=True, remaining=max(total - out.offset, 0))
        return
    rows = cadres.list_cadres(
        registry(ctx), kelurahan=kelurahan, status=status, search=search, show_nik=show_nik,
        trained_no_business=no_business, incomplete=incomplete,
        no_follow_up_since=months_before(today(), no_follow_up) if no_follow_up else None,
    )  # fmt: skip
    out.table(
        Table("cadres", _("Cadres ({count})").format(count=len(rows)), CADRE_LIST, rows), prepare=masked
    )


@cadre_app.command("show")
@show_options
def show(
    ctx: typer.Context,
    cadre: Annotated[str, typer.Argument(help="Cadre ID (K0001) or NIK.")],
    show_nik: Annotated[bool, typer.Option("--show-nik", help="Show the whole NIK.")] = False,
    *,
    out: Output,
) -> None:
    """Everything known about one cadre, with its change history."""
    from up2k_cli.domain.validators import mask_nik
    from up2k_cli.render.columns import (
        BUSINESS_LIST,
        CADRE_BATCHES,
        CADRE_EXPORT,
        INCOME_EXPORT,
        STEP_EXPORT,
    )
    from up2k_cli.render.model import Kind, Table, record_fields
    from up2k_cli.render.output import history_table, masked_changes
    from up2k_cli.render.writers import records
    from up2k_cli.services import cadres

    page = cadres.page(registry(ctx), cadre, today=today(), show_nik=show_nik)
    record, info, history = page.cadre, dict(page.cadre), page.history
    if not show_nik:
        # The masked NIK hides the birth date it holds: showing that date beside it would undo the mask.
        info["nik"] = mask_nik(info["nik"])
        info["birth_date"] = None
    fields = record_fields(info, CADRE_EXPORT)
    if info.get("status_reason"):
        fields.append((N_("Status reason"), info["status_reason"], Kind.FREE))
    if page.origin:
        fields.append((N_("Came from"), page.origin, Kind.FREE))
    # work_status came after status_reason: keys are only ever added at the end.
    keys = [c.key for c in CADRE_EXPORT if c.key != "work_status"] + ["status_reason", "work_status"]
    out.page(
        "cadre",
        _("Cadre {id}").format(id=record["id"]),
        fields,
        [
            Table("batches", _("Batches ({count})").format(count=len(page.batches)), CADRE_BATCHES,
                  page.batches),
            Table("businesses", _("Businesses ({count})").format(count=len(page.businesses)),
                  BUSINESS_LIST, page.businesses),
            Table("steps", _("7 PAS steps, in the order reached"), STEP_EXPORT[2:], page.steps),
            Table("incomes", _("Household income"), (INCOME_EXPORT[0], *INCOME_EXPORT[3:]), page.incomes),
            history_table(history, show_nik),
        ],
        {
            **{k: info.get(k) for k in keys},
            "origin": page.origin,
            "batches": records(page.batches, CADRE_BATCHES),
            "businesses": records(page.businesses, BUSINESS_LIST),
            "steps": records(page.steps, STEP_EXPORT),
            "incomes": records(page.incomes, INCOME_EXPORT),
            "history": [{**h, "changes": masked_changes(h.get("changes") or {}, show_nik)} for h in history],
        },
    )  # fmt: skip


@cadre_app.command("update")
def update(
    ctx: typer.Context,
    cadre: Annotated[str, typer.Argument(help="Cadre ID (K0001) or NIK.")],
    nik: Nik = None,
    name: Name = None,
    kelurahan: Kelurahan = None,
    rw: Rw = None,
    rt: Rt = None,
    address: Address = None,
    phone: Phone = None,
    business_type: Business = None,
    household_size: Household = None,
    income: Income = None,
    date: Annotated[str | None, typer.Option("--date", help="Correct the registration date.")] = None,
    work_status: WorkStatus = None,
) -> None:
    """Correct a cadre's fields, with the same checks as register; the history keeps old values."""
    from up2k_cli.services import cadres

    raw = {
        "nik": nik,
        "name": name,
        "kelurahan": kelurahan,
        "rw": rw,
        "rt": rt,
        "address": address,
        "phone": phone,
        "business_type": business_type,
        "household_size": household_size,
        "income": income,
        "registered_on": date,
        "work_status": work_status,
    }
    done = cadres.update(registry(ctx), cadre, {k: x for k, x in raw.items() if x is not None}, today=today())
    note_updated(done.entry)
    for warning in done.warnings:
        note(warning)


@cadre_app.command("deactivate")
def deactivate(
    ctx: typer.Context,
    cadre: Annotated[str, typer.Argument(help="Cadre ID (K0001) or NIK.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (moved away, stopped, ...).")],
    date: Annotated[str | None, typer.Option("--date", help="Since when; default today.")] = None,
) -> None:
    """Mark a cadre inactive (kept in the registry and in counts of the past)."""
    from up2k_cli.services import cadres

    record = cadres.set_status(registry(ctx), cadre, active=False, reason=reason, on=day(date), today=today())
    note(_("{id} ({name}) is now inactive.").format(id=record["id"], name=record["name"]))


@cadre_app.command("reactivate")
def reactivate(
    ctx: typer.Context,
    cadre: Annotated[str, typer.Argument(help="Cadre ID (K0001) or NIK.")],
    date: Annotated[str | None, typer.Option("--date", help="Since when; default today.")] = None,
) -> None:
    """Mark an inactive cadre active again."""
    from up2k_cli.services import cadres

    record = cadres.set_status(registry(ctx), cadre, active=True, reason=None, on=day(date), today=today())
    note(_("{id} ({name}) is active again.").format(id=record["id"], name=record["name"]))


@cadre_app.command("forget")
def forget(
    ctx: typer.Context,
    cadre: Annotated[str, typer.Argument(help="Cadre ID (K0001) or NIK.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, e.g. 'permintaan yang bersangkutan'.")],
    include_backups: Annotated[
        bool, typer.Option("--include-backups", help="Erase the data in the backups too.")
    ] = False,
) -> None:
    """Erase a person's NIK, name, phone, address and income history (right to erasure under UU PDP,
    the personal data protection law).

    An anonymous record stays so that counts stay right; the erasure is recorded, the data is not.
    """
    from up2k_cli.services import maintenance

    done = maintenance.forget(registry(ctx), cadre, reason, today(), include_backups=include_backups)
    ident = done.cadre["id"]
    note(_("Erased the personal data of {id}; counts keep an anonymous record.").format(id=ident))
    if done.backups is not None:
        note(_("Erased it in {count} backup(s) too.").format(count=done.backups))
    if done.server_backups:
        note(
            _(
                "The server's backups (pg_dump files, archived WAL) still hold it until they expire: "
                "handle them as the README's section 'Backups on PostgreSQL' explains."
            )
        )
    elif done.backups_left:
        note(
            _("{count} backup(s) still hold it; run again with --include-backups to erase it there.").format(
                count=done.backups_left
            )
        )
    if done.files:
        note(_("These files written earlier still hold this person; erase or destroy them too:"))
        for f in done.files:
            note(f"  {f['path']} ({f['at']}, up2k {f['command']})")
