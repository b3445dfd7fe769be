"""group: UP2K groups (kelompok UP2K-PKK), their members, tiers and the tier criteria setting."""

from typing import Annotated, Any

import typer

from up2k_cli.i18n import _

from .batches import TableFormat
from .cadres import Kelurahan, ListFormat, Rw, ShowFormat
from .context import day, note, read_refs, registry, stdin_is_terminal, today

group_app = typer.Typer(
    help="UP2K groups (kelompok): members, one group at a time per cadre, tiers Pemula to Mandiri.",
    no_args_is_help=True,
)


def install(app: typer.Typer) -> None:
    from .outcomes import settings_app

    app.add_typer(group_app, name="group")
    settings_app.command("group-tiers")(group_tiers)


Formed = Annotated[str | None, typer.Option("--formed", help="When the group was formed.")]
Capital = Annotated[str | None, typer.Option("--capital", help="Joint capital (modal bersama), e.g. '5 jt'.")]
SavingsLoans = Annotated[
    str | None, typer.Option("--savings-loans", help="Runs savings and loans (simpan pinjam): yes or no.")
]
Bookkeeping = Annotated[str | None, typer.Option("--bookkeeping", help="Keeps books: yes or no.")]
Reach = Annotated[
    str | None,
    typer.Option(
        "--reach",
        help="How far it sells: neighbourhood (RT/RW), kelurahan, kecamatan, city or beyond (online).",
    ),
]
Note = Annotated[str | None, typer.Option("--note", help="A note.")]
DateOpt = Annotated[str | None, typer.Option("--date", help="When (default today).")]
CadresArg = Annotated[
    list[str] | None, typer.Argument(help="Cadre IDs or NIKs; '-' reads them from stdin, one a line.")
]


def _group_input(**values: Any) -> dict[str, Any]:
    names = {"kelurahan": "kelurahan_code", "formed": "formed_on"}
    return {names.get(k, k): x for k, x in values.items() if x is not None}


@group_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The group's name, e.g. 'Kelompok UP2K Melati'.")],
    kelurahan: Kelurahan = None,
    formed: Formed = None,
    rw: Rw = None,
    capital: Capital = None,
    savings_loans: SavingsLoans = None,
    bookkeeping: Bookkeeping = None,
    reach: Reach = None,
    note_text: Note = None,
) -> None:
    """Record a UP2K group; prints its ID (e.g. G0001). --kelurahan and --formed are required."""
    from up2k_cli.services import groups

    raw = _group_input(
        name=name,
        kelurahan=kelurahan,
        formed=formed,
        rw=rw,
        capital=capital,
        savings_loans=savings_loans,
        bookkeeping=bookkeeping,
        reach=reach,
        note=note_text,
    )
    record = groups.add_group(registry(ctx), raw, today=today())
    typer.echo(record["id"])
    note(_("Added group {id} ({name}).").format(id=record["id"], name=record["name"]))


@group_app.command("update")
def update(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(help="Group ID, e.g. G0001.")],
    name: Annotated[str | None, typer.Option("--name", help="The group's name.")] = None,
    kelurahan: Kelurahan = None,
    formed: Formed = None,
    rw: Rw = None,
    capital: Capital = None,
    savings_loans: SavingsLoans = None,
    bookkeeping: Bookkeeping = None,
    reach: Reach = None,
    note_text: Note = None,
) -> None:
    """Correct or complete a group (capital, savings and loans, bookkeeping, reach, ...); the
    history keeps old values."""
    from up2k_cli.services import groups

    raw = _group_input(
        name=name,
        kelurahan=kelurahan,
        formed=formed,
        rw=rw,
        capital=capital,
        savings_loans=savings_loans,
        bookkeeping=bookkeeping,
        reach=reach,
        note=note_text,
    )
    entry = groups.update_group(registry(ctx), group, raw, today=today())
    changed = ", ".join(entry["changes"]) or _("nothing (same values)")
    note(_("Updated {id}: {changes}.").format(id=entry["ref"], changes=changed))


@group_app.command("join")
def join(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(help="Group ID, e.g. G0001.")],
    cadres: CadresArg = None,
    date: DateOpt = None,
) -> None:
    """Cadres join a group (one group at a time); refused whole if any cannot."""
    from up2k_cli.services import groups

    done = groups.join(registry(ctx), group, read_refs(cadres or []), on=day(date), today=today())
    for cadre_id in done.already:
        note(
            _("{id} is already a member of {group}; left as it is.").format(
                id=cadre_id, group=done.group["id"]
            )
        )
    note(_("{count} joined {group}.").format(count=len(done.joined), group=done.group["id"]))


@group_app.command("leave")
def leave(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(help="Group ID, e.g. G0001.")],
    cadres: CadresArg = None,
    date: DateOpt = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why, e.g. 'pindah domisili'.")] = None,
) -> None:
    """Members leave a group on a day; their time in it stays in its history."""
    from up2k_cli.services import groups

    left = groups.leave(
        registry(ctx), group, read_refs(cadres or []), on=day(date), today=today(), reason=reason
    )
    note(
        _("{count} left {group}: {ids}.").format(
            count=len(left), group=group.strip().upper(), ids=", ".join(left)
        )
    )


@group_app.command("list")
def list_(
    ctx: typer.Context,
    kelurahan: Annotated[str | None, typer.Option(help="Only this kelurahan (urban village).")] = None,
    tier: Annotated[
        str | None, typer.Option(help="Only this tier: pemula, madya, utama, mandiri, or unclassed.")
    ] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", help="table, csv, json or ids.")] = ListFormat.table,
) -> None:
    """Groups with their members and tier today."""
    from up2k_cli.services import groups

    from .programme_columns import GROUP_EXPORT, GROUP_LIST, show

    rows = groups.list_groups(registry(ctx), today=today(), kelurahan=kelurahan, tier=tier)
    title = _("UP2K groups ({count})").format(count=len(rows))
    show(rows, GROUP_LIST, fmt.value, title=title, machine_columns=GROUP_EXPORT)


@group_app.command("show")
def show(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(help="Group ID, e.g. G0001.")],
    fmt: Annotated[ShowFormat, typer.Option("--format", help="table or json.")] = ShowFormat.table,
) -> None:
    """One group: its fields, members now and before (IDs and names only), tiers, history."""
    from up2k_cli.render import output as out
    from up2k_cli.render.columns import HISTORY
    from up2k_cli.services import groups

    from .programme_columns import GROUP_EXPORT, GROUP_FIELDS, MEMBERS, TIER_HISTORY, details, for_people

    page = groups.group_page(registry(ctx), group, today=today())
    if fmt is ShowFormat.json:
        document = {
            **{c.key: page.group.get(c.key) for c in GROUP_EXPORT},
            "members": [{c.key: m.get(c.key) for c in MEMBERS} for m in page.members],
            "former_members": [{c.key: m.get(c.key) for c in MEMBERS} for m in page.former],
            "tiers": [{c.key: t.get(c.key) for c in TIER_HISTORY} for t in page.tiers],
            "history": page.history,
        }
        out.emit(out.json_text(document), None)
        return
    history = [{**h, "changes": out.changes_text(h.get("changes") or {})} for h in page.history]
    out.print_renderables(
        details(page.group, GROUP_FIELDS, title=_("Group {id}").format(id=page.group["id"])),
        out.render_table(for_people(page.members), MEMBERS[:3],
                         title=_("Members ({count})").format(count=len(page.members))),
        out.render_table(for_people(page.former), MEMBERS, title=_("Former members")),
        out.render_table(for_people(page.tiers), TIER_HISTORY, title=_("Tiers")),
        out.render_table(for_people(history), HISTORY, title=_("History")),
    )  # fmt: skip


@group_app.command("assess")
def assess(
    ctx: typer.Context,
    group: Annotated[str | None, typer.Argument(help="Group ID; default every group.")] = None,
    date: DateOpt = None,
    confirm: Annotated[
        bool, typer.Option("--confirm", help="Record every proposed tier without asking.")
    ] = False,
    fmt: Annotated[TableFormat, typer.Option("--format", help="table, csv or json.")] = TableFormat.table,
) -> None:
    """Propose each group's tier from the criteria ('up2k settings group-tiers'); the proposals
    are recorded, dated, when confirmed (--confirm, or yes at the prompt on a terminal)."""
    from up2k_cli.domain.groups import tier_label
    from up2k_cli.render import output as out
    from up2k_cli.services import groups

    from .programme_columns import ASSESSMENT, show

    on = day(date)
    found = groups.assess(registry(ctx), group, on=on, today=today())
    rows = [
        {**a.group, **vars(a.facts), "proposed": a.proposal.tier,
         "lacks": "; ".join(a.proposal.lacks) if fmt is not TableFormat.table
         else "; ".join(x.localised() for x in a.proposal.lacks)}
        for a in found
    ]  # fmt: skip
    when = out.human(on, "date")
    show(rows, ASSESSMENT, fmt.value, title=_("Proposed tiers on {date}").format(date=when))
    proposed = {a.group["id"]: a for a in found if a.changes}
    if not proposed:
        note(_("No group's tier would change."))
        return
    if confirm:
        chosen = {ident: str(a.proposal.tier) for ident, a in proposed.items()}
    elif stdin_is_terminal():
        chosen = {
            ident: str(a.proposal.tier)
            for ident, a in proposed.items()
            if typer.confirm(
                _("Record {id} as {tier} from {date}?").format(
                    id=ident, tier=tier_label(a.proposal.tier), date=when
                ),
                err=True,
            )
        }
    else:
        note(_("Nothing recorded: add --confirm to record the proposed tiers."))
        return
    for record in groups.confirm(registry(ctx), chosen, on=on, today=today()):
        note(
            _("Recorded {id}: {tier} from {date} ({tier_id}).").format(
                id=record["group_id"],
                tier=tier_label(record["tier"]),
                date=when,
                tier_id=record["id"],
            )
        )


def group_tiers(
    ctx: typer.Context,
    tier: Annotated[
        str | None, typer.Argument(help="Tier to change: pemula, madya, utama or mandiri.")
    ] = None,
    members: Annotated[str | None, typer.Option("--members", help="Members at least.")] = None,
    capital: Annotated[
        str | None, typer.Option("--capital", help="Joint capital at least, e.g. '5 jt'.")
    ] = None,
    bookkeeping: Annotated[
        str | None, typer.Option("--bookkeeping", help="Bookkeeping required: yes or no.")
    ] = None,
    savings_loans: Annotated[
        str | None, typer.Option("--savings-loans", help="Savings and loans required: yes or no.")
    ] = None,
    reach: Annotated[
        str | None,
        typer.Option(
            "--reach",
            help="Marketing reach at least: neighbourhood, kelurahan, kecamatan, city, beyond; or any.",
        ),
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Back to the starting point.")] = False,
    fmt: Annotated[TableFormat, typer.Option("--format", help="table, csv or json.")] = TableFormat.table,
) -> None:
    """Show the criteria of the UP2K group tiers, or change one tier's:

    up2k settings group-tiers madya --members 8 --capital "3 jt"
    """  # fmt: skip
    from up2k_cli.domain.groups import CRITERIA_NOTE
    from up2k_cli.services import groups

    from .programme_columns import CRITERIA, show

    raw = {
        k: x
        for k, x in {
            "members": members,
            "capital": capital,
            "bookkeeping": bookkeeping,
            "savings_loans": savings_loans,
            "reach": reach,
        }.items()
        if x is not None
    }
    if tier is None and not raw and not reset:
        criteria = groups.tier_settings(registry(ctx))
    else:
        criteria = groups.change_tier_criteria(registry(ctx), tier, raw, reset=reset)
    rows = [{"tier": t, **c} for t, c in criteria.items()]
    show(rows, CRITERIA, fmt.value, title=_("Criteria of the UP2K group tiers"))
    note(_(CRITERIA_NOTE))
