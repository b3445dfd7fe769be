"""Column sets of issue 15: the fields schema 4 adds to the stable exports (appended after the
existing columns, whose names are a promise to scripts), and the columns of groups, referrals and
business follow-ups. They belong with render/columns.py and move there with the output layer.

Machine output carries stable codes (`unemployed`, `helped-permanent`, `micro`); `for_people`
turns them into the words people read, in their language, for tables, and escapes free text so
that Rich never reads a name like "[/]" as markup.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from up2k_cli.domain import groups, referrals, work
from up2k_cli.domain.validators import Choice, choice_label
from up2k_cli.i18n import N_, Msg
from up2k_cli.render import columns
from up2k_cli.render.output import Column

WORK_STATUS = Column("work_status", N_("Work status"))
MEASURES = (
    Column("owner_status", N_("Owner status")),
    Column("family_workers", N_("Family workers"), "int"),
    Column("paid_workers", N_("Paid workers"), "int"),
    Column("paid_were_unemployed", N_("Paid, unemployed before"), "int"),
    Column("paid_local", N_("Paid, living in the kecamatan"), "int"),
    Column("turnover", N_("Monthly turnover"), "money"),
)

CADRE_EXPORT = (*columns.CADRE_EXPORT, WORK_STATUS)
INCOME_EXPORT = (*columns.INCOME_EXPORT, WORK_STATUS)
# A business as it stands after its follow-ups (its values at the start: `business show`).
BUSINESS_EXPORT = (
    *columns.BUSINESS_EXPORT,
    *MEASURES,
    Column("size", N_("Size (PP 7/2021)")),
    Column("measured_on", N_("Measured on"), "date"),
)

FOLLOW_UPS = (
    Column("id", "ID"),
    Column("on", N_("Date"), "date"),
    *MEASURES,
    Column("note", N_("Note"), "free"),
)

GROUP_LIST = (
    Column("id", "ID"),
    Column("name", N_("Group"), "free"),
    Column("kelurahan", "Kelurahan"),
    Column("rw", "RW"),
    Column("members", N_("Members"), "int"),
    Column("tier", N_("Tier")),
    Column("tier_on", N_("Since"), "date"),
    Column("capital", N_("Joint capital"), "money"),
)
GROUP_EXPORT = (
    Column("id", "ID"),
    Column("name", N_("Group"), "free"),
    Column("kelurahan_code", N_("Code")),
    Column("kelurahan", "Kelurahan"),
    Column("rw", "RW"),
    Column("formed_on", N_("Formed"), "date"),
    Column("members", N_("Members"), "int"),
    Column("tier", N_("Tier")),
    Column("tier_on", N_("Since"), "date"),
    Column("capital", N_("Joint capital"), "money"),
    Column("savings_loans", N_("Savings and loans")),
    Column("bookkeeping", N_("Bookkeeping")),
    Column("reach", N_("Marketing reach")),
    Column("note", N_("Note"), "free"),
)
GROUP_FIELDS = GROUP_EXPORT[1:]  # `group show`: one field a line
MEMBERS = (
    Column("cadre_id", "ID"),
    Column("name", N_("Name"), "free"),
    Column("joined_on", N_("Joined"), "date"),
    Column("left_on", N_("Left"), "date"),
    Column("leave_reason", N_("Reason"), "free"),
)
TIER_HISTORY = (Column("id", "ID"), Column("tier", N_("Tier")), Column("on", N_("Since"), "date"))
ASSESSMENT = (
    Column("id", "ID"),
    Column("name", N_("Group"), "free"),
    Column("members", N_("Members"), "int"),
    Column("capital", N_("Joint capital"), "money"),
    Column("tier", N_("Tier now")),
    Column("proposed", N_("Proposed")),
    Column("lacks", N_("Lacks for the next tier"), "free"),
)
CRITERIA = (
    Column("tier", N_("Tier")),
    Column("members", N_("Members"), "int"),
    Column("capital", N_("Joint capital"), "money"),
    Column("bookkeeping", N_("Bookkeeping")),
    Column("savings_loans", N_("Savings and loans")),
    Column("reach", N_("Marketing reach")),
)

REFERRAL_LIST = (
    Column("id", "ID"),
    Column("business_id", N_("Business")),
    Column("business", N_("Name"), "free"),
    Column("kelurahan", "Kelurahan"),
    Column("agency", N_("Agency"), "free"),
    Column("need", N_("Need")),
    Column("referred_on", N_("Referred"), "date"),
    Column("status", N_("Status")),
    Column("since", N_("Since"), "date"),
    Column("days", N_("Days"), "int"),
)
REFERRAL_EXPORT = (
    Column("id", "ID"),
    Column("business_id", N_("Business")),
    Column("business", N_("Name"), "free"),
    Column("cadre_id", N_("Owner")),
    Column("kelurahan_code", N_("Code")),
    Column("kelurahan", "Kelurahan"),
    Column("agency", N_("Agency"), "free"),
    Column("need", N_("Need")),
    Column("referred_on", N_("Referred"), "date"),
    Column("status", N_("Status")),
    Column("since", N_("Since"), "date"),
    Column("days", N_("Days"), "int"),
    Column("outcome", N_("Outcome")),
    Column("amount", N_("Capital received"), "money"),
    Column("note", N_("Note"), "free"),
)
REFERRAL_FIELDS = REFERRAL_EXPORT[1:]
REFERRAL_UPDATES = (
    Column("id", "ID"),
    Column("on", N_("Date"), "date"),
    Column("status", N_("Status")),
    Column("outcome", N_("Outcome")),
    Column("nib", "NIB"),
    Column("pirt", "P-IRT"),
    Column("amount", N_("Amount"), "money"),
    Column("source", N_("Source")),
    Column("note", N_("Note"), "free"),
)

# Stored code -> the words people read.
LABELS: dict[str, tuple[Choice, ...]] = {
    "work_status": work.WORK_STATUSES,
    "owner_status": work.OWNER_STATUSES,
    "reach": groups.REACHES,
    "tier": groups.TIERS,
    "proposed": groups.TIERS,
    "need": referrals.NEEDS,
    "outcome": referrals.OUTCOMES,
    "source": referrals.SOURCES,
}
FIXED = {
    "size": work.SIZE_LABELS,
    "status": referrals.STATUS_LABELS,
}


def label_of(key: str, value: Any) -> Any:
    """The words for one stored value; other text escaped for Rich (tables render markup)."""
    if isinstance(value, Msg):
        return value
    if key in LABELS:
        return choice_label(value, LABELS[key]) or value
    if key in FIXED and value in FIXED[key]:
        return Msg(FIXED[key][value])
    if isinstance(value, bool):
        return Msg(N_("yes")) if value else Msg(N_("no"))
    if isinstance(value, str):
        from rich.markup import escape

        return escape(value)
    return value


def for_people(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows for a table people read: codes as words in their language, yes/no for flags, free
    text escaped."""
    return [{k: label_of(k, v) for k, v in row.items()} for row in rows]


def show(
    rows: list[dict[str, Any]],
    columns: tuple[Column, ...],
    fmt: str,
    *,
    title: str,
    machine_columns: tuple[Column, ...] | None = None,
) -> None:
    """A list as render.output.show prints it, with codes as words and free text escaped in the
    table; csv, json and ids carry the stored values."""
    from up2k_cli.render import output as out

    if fmt == "table":
        out.print_renderables(out.render_table(for_people(rows), columns, title=title))
    else:
        out.emit(out.WRITERS[fmt](rows, machine_columns or columns), None)


def details(record: Mapping[str, Any], columns: tuple[Column, ...], *, title: str) -> Any:
    """One record as a two-column table, a field a line, for `show` commands."""
    from up2k_cli.render import output as out

    rows = [
        {"field": c.title, "value": out.human(label_of(c.key, record.get(c.key)), c.kind)} for c in columns
    ]
    return out.render_table(rows, (Column("field", N_("Field")), Column("value", N_("Value"))), title=title)
