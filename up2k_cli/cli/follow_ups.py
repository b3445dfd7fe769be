"""business follow-up: a business measured again on a day (owner status, workers, turnover); the
measure options `business add` and `business update` share, and the work-status option of
`register`, `cadre update` and `income add`. The command joins the business group in
cli/outcomes.py, which imports these options."""

from typing import Annotated, Any

import typer

from up2k_cli.i18n import _

from .context import day, note, registry, today
from .options import field_options

WORK_STATUS_HELP = (
    "Work status: working, unemployed (looking for work), housekeeping, school or other; "
    "bekerja, mencari kerja, mengurus rumah tangga, sekolah also work."
)
WorkStatus = Annotated[str | None, typer.Option("--work-status", help=WORK_STATUS_HELP)]
OwnerStatus = Annotated[
    str | None,
    typer.Option(
        "--owner-status",
        help="The owner's employment status (BPS Sakernas): own-account (berusaha sendiri), "
        "helped-temporary (helped by temporary or unpaid workers) or helped-permanent (helped by "
        "permanent paid workers).",
    ),
]
FamilyWorkers = Annotated[
    str | None, typer.Option("--family-workers", help="Unpaid family workers (pekerja keluarga).")
]
PaidWorkers = Annotated[str | None, typer.Option("--paid-workers", help="Paid workers.")]
PaidWereUnemployed = Annotated[
    str | None,
    typer.Option("--paid-were-unemployed", help="Of the paid workers: how many were unemployed before."),
]
PaidLocal = Annotated[
    str | None, typer.Option("--paid-local", help="Of the paid workers: how many live in the kecamatan.")
]
Turnover = Annotated[
    str | None,
    typer.Option(
        "--turnover",
        help="Monthly turnover (omzet) in Rupiah: '12 jt', 'Rp 12.500.000'. 12 x this classes the "
        "business micro or small (PP 7/2021).",
    ),
]


# business add, business update and business follow-up: the command takes those given as `measures`.
measure_options = field_options(
    "measures",
    owner_status=OwnerStatus,
    family_workers=FamilyWorkers,
    paid_workers=PaidWorkers,
    paid_were_unemployed=PaidWereUnemployed,
    paid_local=PaidLocal,
    turnover=Turnover,
)


@measure_options
def follow_up(
    ctx: typer.Context,
    business: Annotated[str, typer.Argument(help="Business ID, e.g. U0001.")],
    date: Annotated[str | None, typer.Option("--date", help="When it was measured (default today).")] = None,
    note_text: Annotated[str | None, typer.Option("--note", help="A note, e.g. 'kunjungan 2'.")] = None,
    *,
    measures: dict[str, Any],
) -> None:
    """Record a business measured again on a day; prints the follow-up's ID (e.g. UF0001).

    What is not measured carries over from before.
    """
    from up2k_cli.domain.work import SIZE_LABELS
    from up2k_cli.render.cells import human
    from up2k_cli.services import follow_ups

    raw = dict(measures)
    if note_text is not None:
        raw["note"] = note_text
    record = follow_ups.add_follow_up(registry(ctx), business, raw, on=day(date), today=today())
    state, size = record["state"], record["size"]
    typer.echo(record["id"])
    note(
        _(
            "Recorded follow-up {id} of {business} on {date}: now {family} family and {paid} paid "
            "workers, turnover {turnover} a month ({size})."
        ).format(
            id=record["id"],
            business=record["business_id"],
            date=human(record["on"], "date"),
            family=state["family_workers"] or 0,
            paid=state["paid_workers"] or 0,
            turnover=human(state["turnover"], "money") or _("unknown"),
            size=_(SIZE_LABELS[size]) if size else _("size unknown"),
        )
    )
