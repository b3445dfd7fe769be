"""group: UP2K groups (kelompok UP2K-PKK), their members, tiers and the tier criteria setting."""

from typing import Annotated, Any

import typer

from up2k_cli.i18n import N_, _
from up2k_cli.render.output import Output

from .batches import CadresArg, DateOpt
from .cadres import Kelurahan, Rw
from .context import day, note, note_updated, read_refs, registry, stdin_is_terminal, today
from .options import field_options, list_options, settings_options, show_options

group_app = typer.Typer(
    help="UP2K groups (kelompok): members, one group at a time per cadre, tiers Pemula to Mandiri.",
    no_args_is_help=True,
)


def install(app: typer.Typer) -> None:
    from .outcomes import settings_app

    app.add_typer(group_app, name="group")
    settings_app.command("group-tiers")(group_tiers)
    settings_app.command("pokja2")(pokja2_settings)


GroupArg = Annotated[str, typer.Argument(help="Group ID, e.g. G0001.")]
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


# group add and group update: the command takes those given as `fields`, by the group's field names.
group_fields = field_options(
    "fields",
    kelurahan_code=Kelurahan,
    formed_on=Formed,
    rw=Rw,
    capital=Capital,
    savings_loans=SavingsLoans,
    bookkeeping=Bookkeeping,
    reach=Reach,
    note=Note,
)


@group_app.command("add")
@group_fields
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The group's name, e.g. 'Kelompok UP2K Melati'.")],
    *,
    fields: dict[str, Any],
) -> None:
    """Record a UP2K group; prints its ID (e.g. G0001). --kelurahan and --formed are required."""
    from up2k_cli.services import groups

    record = groups.add_group(registry(ctx), {"name": name, **fields}, today=today())
    typer.echo(record["id"])
    note(_("Added group {id} ({name}).").format(id=record["id"], name=record["name"]))


@group_app.command("update")
@group_fields
def update(
    ctx: typer.Context,
    group: GroupArg,
    name: Annotated[str | None, typer.Option("--name", help="The group's name.")] = None,
    *,
    fields: dict[str, Any],
) -> None:
    """Correct or complete a group (capital, savings and loans, bookkeeping, reach, ...); the
    history keeps old values."""
    from up2k_cli.services import groups

    raw = fields if name is None else {"name": name, **fields}
    entry = groups.update_group(registry(ctx), group, raw, today=today())
    note_updated(entry)


@group_app.command("join")
def join(
    ctx: typer.Context,
    group: GroupArg,
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
    group: GroupArg,
    cadres: CadresArg = None,
    date: DateOpt = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why, e.g. 'pindah domisili'.")] = None,
) -> None:
    """Members leave a group on a day; their time in it stays in its history."""
    from up2k_cli.services import groups

    done = groups.leave(
        registry(ctx), group, read_refs(cadres or []), on=day(date), today=today(), reason=reason
    )
    note(
        _("{count} left {group}: {ids}.").format(
            count=len(done.left), group=done.group["id"], ids=", ".join(done.left)
        )
    )


@group_app.command("list")
@list_options
def list_(
    ctx: typer.Context,
    kelurahan: Annotated[str | None, typer.Option(help="Only this kelurahan (urban village).")] = None,
    tier: Annotated[
        str | None, typer.Option(help="Only this tier: pemula, madya, utama, mandiri, or unclassed.")
    ] = None,
    *,
    out: Output,
) -> None:
    """Groups with their members and tier today."""
    from up2k_cli.render.columns import GROUP_EXPORT, GROUP_LIST
    from up2k_cli.render.model import Table
    from up2k_cli.services import groups

    rows = groups.list_groups(registry(ctx), today=today(), kelurahan=kelurahan, tier=tier)
    title = _("UP2K groups ({count})").format(count=len(rows))
    out.table(Table("groups", title, GROUP_EXPORT, rows, display=GROUP_LIST))


@group_app.command("show")
@show_options
def show(
    ctx: typer.Context,
    group: GroupArg,
    *,
    out: Output,
) -> None:
    """One group: its fields, members now and before (IDs and names only), tiers, history."""
    from up2k_cli.render.columns import GROUP_DETAILS, GROUP_EXPORT, MEMBERS, TIER_HISTORY
    from up2k_cli.render.model import Table, record_fields
    from up2k_cli.render.output import history_table
    from up2k_cli.render.writers import records
    from up2k_cli.services import groups

    page = groups.group_page(registry(ctx), group, today=today())
    out.page(
        "group",
        _("Group {id}").format(id=page.group["id"]),
        record_fields(page.group, GROUP_DETAILS),
        [
            Table(
                "members", _("Members ({count})").format(count=len(page.members)), MEMBERS[:3], page.members
            ),
            Table("former_members", _("Former members"), MEMBERS, page.former),
            Table("tiers", _("Tiers"), TIER_HISTORY, page.tiers),
            history_table(page.history),
        ],
        {
            **records([page.group], GROUP_EXPORT)[0],
            "members": records(page.members, MEMBERS),
            "former_members": records(page.former, MEMBERS),
            "tiers": records(page.tiers, TIER_HISTORY),
            "history": page.history,
        },
    )


@group_app.command("assess")
@settings_options
def assess(
    ctx: typer.Context,
    group: Annotated[str | None, typer.Argument(help="Group ID; default every group.")] = None,
    date: DateOpt = None,
    confirm: Annotated[
        bool, typer.Option("--confirm", help="Record every proposed tier without asking.")
    ] = False,
    *,
    out: Output,
) -> None:
    """Propose each group's tier from the criteria ('up2k settings group-tiers'); the proposals
    are recorded, dated, when confirmed (--confirm, or yes at the prompt on a terminal)."""
    from up2k_cli.domain.groups import tier_label
    from up2k_cli.render.cells import human
    from up2k_cli.render.columns import ASSESSMENT
    from up2k_cli.render.model import Table
    from up2k_cli.services import groups

    on = day(date)
    found = groups.assess(registry(ctx), group, on=on, today=today())
    when = human(on, "date")
    title = _("Proposed tiers on {date}").format(date=when)
    out.table(Table("assessment", title, ASSESSMENT, [a.row for a in found]))
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


@settings_options
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
    *,
    out: Output,
) -> None:
    """Show the criteria of the UP2K group tiers, or change one tier's:

    up2k settings group-tiers madya --members 8 --capital "3 jt"
    """  # fmt: skip
    from up2k_cli.domain.groups import CRITERIA_NOTE
    from up2k_cli.render.columns import CRITERIA
    from up2k_cli.render.model import Table
    from up2k_cli.services import groups

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
    out.table(Table("group_tiers", _("Criteria of the UP2K group tiers"), CRITERIA, rows))
    note(_(CRITERIA_NOTE))


@settings_options
def pokja2_settings(
    ctx: typer.Context,
    place: Annotated[
        str | None, typer.Option("--place", help="Where the form is signed, e.g. Jakarta.")
    ] = None,
    signer_title: Annotated[
        str | None,
        typer.Option("--signer-title", help="The signer's title, e.g. 'Ketua TP PKK Kecamatan Cilandak'."),
    ] = None,
    signer_name: Annotated[str | None, typer.Option("--signer-name", help="The signer's name.")] = None,
    *,
    out: Output,
) -> None:
    """Show the signature block of the Pokja II form ('up2k report pokja2'), or change it ("" clears
    a field):

    up2k settings pokja2 --place Jakarta --signer-title "Ketua TP PKK Kecamatan Cilandak"
    """  # fmt: skip
    from up2k_cli.render.model import Column, Kind, Table
    from up2k_cli.services import groups

    raw = {"place": place, "signer_title": signer_title, "signer_name": signer_name}
    block = groups.pokja2_settings(registry(ctx), raw)
    columns = (
        Column("place", N_("Place")),
        Column("signer_title", N_("Signer's title"), Kind.FREE),
        Column("signer_name", N_("Signer's name"), Kind.FREE),
    )
    out.table(Table("pokja2", _("Signature block of the Pokja II form"), columns, [block]))
