"""Stable column sets: their keys are a promise to scripts, so change them only by adding.

Kinds say how a value is written and whether it may be shortened; priorities say which columns
give way first on a narrow screen (KEEP: never; LAST: first).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from up2k_cli.domain import groups, referrals, work
from up2k_cli.domain.validators import Choice
from up2k_cli.i18n import N_

from .model import KEEP, LAST, Column, Kind


def labels(choices: Iterable[Choice]) -> dict[str, str]:
    """Stored code -> the words people read, from a field's choices."""
    return {c.key: c.label for c in choices}


# Issue 15's fields, added at the end of the exports that carry them (keys are a promise).
WORK_STATUS = Column("work_status", N_("Work status"), labels=labels(work.WORK_STATUSES))
MEASURES = (
    Column("owner_status", N_("Owner status"), labels=labels(work.OWNER_STATUSES)),
    Column("family_workers", N_("Family workers"), Kind.INT),
    Column("paid_workers", N_("Paid workers"), Kind.INT),
    Column("paid_were_unemployed", N_("Paid, unemployed before"), Kind.INT),
    Column("paid_local", N_("Paid, living in the kecamatan"), Kind.INT),
    Column("turnover", N_("Monthly turnover"), Kind.MONEY),
)
SIZE = Column("size", N_("Size (PP 7/2021)"), labels=work.SIZE_LABELS)
MEASURED_ON = Column("measured_on", N_("Measured on"), Kind.DATE)

KELURAHAN_CODE = Column("kelurahan_code", N_("Code"), Kind.CODE, priority=LAST)
KELURAHAN = Column("kelurahan", "Kelurahan", Kind.TEXT, priority=KEEP)

CADRE_EXPORT = (
    Column("id", "ID", Kind.ID, priority=KEEP),
    Column("nik", "NIK", Kind.NIK),
    Column("name", N_("Name"), Kind.FREE, priority=KEEP),
    Column("sex", N_("Sex")),
    Column("birth_date", N_("Born"), Kind.DATE),
    KELURAHAN_CODE,
    KELURAHAN,
    Column("rw", "RW", Kind.CODE),
    Column("rt", "RT", Kind.CODE),
    Column("address", N_("Address"), Kind.FREE),
    Column("phone", N_("Phone"), Kind.CODE),
    Column("business_type", N_("Business")),
    Column("household_size", N_("Household"), Kind.INT),
    Column("income", N_("Income"), Kind.MONEY),
    Column("registered_on", N_("Registered"), Kind.DATE),
    Column("consent_on", N_("Consent on"), Kind.DATE),
    Column("consent_method", N_("Consent method"), Kind.FREE),
    Column("status", N_("Status")),
    WORK_STATUS,
)

CADRE_LIST = (
    Column("id", "ID", Kind.ID, priority=KEEP),
    Column("nik", "NIK", Kind.NIK, priority=6),
    Column("name", N_("Name"), Kind.FREE, priority=KEEP),
    Column("kelurahan", "Kelurahan", Kind.TEXT, priority=2),
    Column("rw", "RW", Kind.CODE, priority=7),
    Column("rt", "RT", Kind.CODE, priority=7),
    Column("phone", N_("Phone"), Kind.CODE, priority=4),
    Column("business_type", N_("Business"), priority=8),
    Column("status", N_("Status"), priority=5),
)

HISTORY = (
    Column("at", N_("When"), Kind.WHEN, priority=KEEP),
    Column("user", N_("Who"), priority=6),
    Column("command", N_("Command"), priority=5),
    Column("action", N_("Action"), priority=3),
    Column("changes", N_("Changes"), Kind.FREE, priority=KEEP),
)

BATCH_LIST = (
    Column("code", N_("Code"), Kind.ID, priority=KEEP),
    Column("title", N_("Title"), Kind.FREE, priority=KEEP),
    Column("kind", N_("Kind"), priority=6),
    Column("start", N_("Start"), Kind.DATE, priority=3),
    Column("end", N_("End"), Kind.DATE, priority=4),
    Column("capacity", N_("Capacity"), Kind.INT, priority=5),
    Column("quota_per_kelurahan", N_("Quota/kel."), Kind.INT, priority=7),
    Column("enrolled", N_("Enrolled"), Kind.INT, priority=2),
    Column("waitlisted", N_("Waitlist"), Kind.INT, priority=6),
    Column("completed", N_("Completed"), Kind.INT, priority=3),
    Column("status", N_("Status"), priority=4),
)

BATCH_EXPORT = (
    Column("code", kind=Kind.ID),
    Column("title", kind=Kind.FREE),
    Column("kind"),
    Column("start", kind=Kind.DATE),
    Column("end", kind=Kind.DATE),
    Column("capacity", kind=Kind.INT),
    Column("quota_per_kelurahan", kind=Kind.INT),
    Column("sessions", kind=Kind.INT),
    Column("min_attendance", kind=Kind.INT),
    Column("mentor", kind=Kind.FREE),
    Column("venue", kind=Kind.FREE),
    Column("status"),
    Column("closed_on", kind=Kind.DATE),
    Column("enrolled", kind=Kind.INT),
    Column("completed", kind=Kind.INT),
    Column("waitlisted", kind=Kind.INT),
    Column("withdrawn", kind=Kind.INT),
    Column("not_placed", kind=Kind.INT),  # still waitlisted when the batch closed
)

ROSTER = (
    Column("cadre_id", "ID", Kind.ID, priority=KEEP),
    Column("name", N_("Name"), Kind.FREE, priority=KEEP),
    Column("kelurahan", "Kelurahan", priority=3),
    Column("status", N_("Status"), priority=2),
    Column("queue_seq", N_("Queue"), Kind.INT, priority=6),
    Column("sessions_attended", N_("Sessions"), Kind.INT, priority=4),
    Column("attendance_pct", N_("Attendance"), Kind.PCT, priority=3),
    Column("enrolled_on", N_("Enrolled"), Kind.DATE, priority=5),
    Column("completed_on", N_("Completed"), Kind.DATE, priority=5),
)

BATCH_FILL = (
    KELURAHAN_CODE,
    KELURAHAN,
    Column("enrolled", N_("Enrolled"), Kind.INT),
    Column("quota", N_("Quota"), Kind.INT),
    Column("free", N_("Free"), Kind.INT),
    Column("waitlisted", N_("Waitlist"), Kind.INT),
)

ENROLLMENT_EXPORT = (
    Column("enrollment_id", kind=Kind.ID),
    Column("batch", kind=Kind.ID),
    Column("cadre_id", kind=Kind.ID),
    Column("kelurahan_code", kind=Kind.CODE),
    Column("kelurahan"),
    Column("status"),
    Column("enrolled_on", kind=Kind.DATE),
    Column("waitlisted_on", kind=Kind.DATE),
    Column("sessions_attended", kind=Kind.INT),
    Column("sessions_planned", kind=Kind.INT),
    Column("attendance_pct", kind=Kind.PCT),
    Column("completed_on", kind=Kind.DATE),
    Column("completion_forced"),
    Column("withdrawn_on", kind=Kind.DATE),
    Column("reason", kind=Kind.FREE),
)

CADRE_BATCHES = (
    Column("batch", N_("Batch"), Kind.ID, priority=KEEP),
    Column("title", N_("Title"), Kind.FREE, priority=4),
    Column("status", N_("Status"), priority=KEEP),
    Column("sessions_attended", N_("Sessions"), Kind.INT, priority=5),
    Column("attendance_pct", N_("Attendance"), Kind.PCT, priority=3),
    Column("enrolled_on", N_("Enrolled"), Kind.DATE, priority=6),
    Column("completed_on", N_("Completed"), Kind.DATE, priority=2),
    Column("withdrawn_on", N_("Withdrawn"), Kind.DATE, priority=2),
)

BUSINESS_LIST = (
    Column("id", "ID", Kind.ID, priority=KEEP),
    Column("cadre_id", N_("Cadre"), Kind.ID, priority=5),
    Column("owner", N_("Owner"), Kind.FREE, priority=3),
    Column("kelurahan", "Kelurahan", priority=6),
    Column("name", N_("Business"), Kind.FREE, priority=KEEP),
    Column("category", N_("Category"), priority=2),
    Column("started", N_("Started"), Kind.DATE, priority=4),
    Column("nib", "NIB", Kind.CODE, priority=8),
    Column("agency", N_("Agency"), priority=7),
    Column("lacks", N_("Lacks"), priority=4),
)

BUSINESS_EXPORT = (
    Column("id", kind=Kind.ID),
    Column("cadre_id", kind=Kind.ID),
    Column("kelurahan_code", kind=Kind.CODE),
    Column("kelurahan"),
    Column("name", kind=Kind.FREE),
    Column("category"),
    Column("started_on", kind=Kind.DATE),
    Column("added_on", kind=Kind.DATE),
    Column("nib", kind=Kind.CODE),
    Column("pirt", kind=Kind.CODE),
    Column("halal"),
    Column("address", kind=Kind.FREE),
    Column("licensed_on", kind=Kind.DATE),
    Column("agency"),
    Column("referrals"),
    Column("lacks"),
    *MEASURES,  # as the business stands after its follow-ups
    SIZE,
    MEASURED_ON,
)

# 'business show': the export's fields, labelled in words.
BUSINESS_DETAILS = (
    Column("name", N_("Name"), Kind.FREE),
    Column("category", N_("Category")),
    Column("started_on", N_("Started on"), Kind.DATE),
    Column("added_on", N_("Added on"), Kind.DATE),
    Column("nib", N_("Nib"), Kind.CODE),
    Column("pirt", N_("Pirt"), Kind.CODE),
    Column("halal", N_("Halal")),
    Column("address", N_("Address"), Kind.FREE),
    Column("licensed_on", N_("Licensed on"), Kind.DATE),
    Column("agency", N_("Agency")),
    Column("referrals", N_("Referrals")),
    Column("lacks", N_("Lacks")),
    *MEASURES,
    SIZE,
    MEASURED_ON,
)

STEP_EXPORT = (
    Column("cadre_id", N_("Cadre"), Kind.ID, priority=KEEP),
    Column("kelurahan_code", N_("Code"), Kind.CODE, priority=LAST),
    Column("order", "#", Kind.INT, priority=KEEP),
    Column("step", N_("Step"), priority=KEEP),
    Column("on", N_("Reached"), Kind.DATE, priority=2),
    Column("source", N_("How"), priority=4),
    Column("note", N_("Note"), Kind.FREE, priority=3),
)

INCOME_EXPORT = (
    Column("id", "ID", Kind.ID, priority=KEEP),
    Column("cadre_id", N_("Cadre"), Kind.ID, priority=KEEP),
    Column("kelurahan_code", N_("Code"), Kind.CODE, priority=LAST),
    Column("kind", N_("Kind"), priority=KEEP),
    Column("amount", N_("Amount"), Kind.MONEY, priority=KEEP),
    Column("on", N_("Date"), Kind.DATE, priority=2),
    Column("note", N_("Note"), Kind.FREE, priority=3),
    replace(WORK_STATUS, priority=4),
)

# check, history and backup list
PROBLEMS = (
    Column("table", N_("Table"), priority=KEEP),
    Column("record", N_("Record"), Kind.ID, priority=KEEP),
    Column("problem", N_("Problem"), Kind.FREE, priority=KEEP),
)
CHANGES = (
    Column("seq", "#", Kind.INT, priority=LAST),
    Column("at", N_("When"), Kind.WHEN, priority=KEEP),
    Column("user", N_("Who"), priority=6),
    Column("command", N_("Command"), priority=5),
    Column("entity", N_("Record"), priority=7),
    Column("ref", "ID", Kind.ID, priority=KEEP),
    Column("action", N_("Action"), priority=3),
    Column("changes", N_("Changes (old -> new)"), Kind.FREE, priority=KEEP),
)
# The personal-data files up2k wrote (history --exports): what an erasure cannot reach.
FILES = (
    Column("id", "ID", Kind.ID, priority=LAST),
    Column("at", N_("When"), Kind.WHEN, priority=KEEP),
    Column("user", N_("Who"), priority=6),
    Column("command", N_("Command"), priority=5),
    Column("path", N_("File"), Kind.FREE, priority=KEEP),
    Column("records", N_("Records"), Kind.INT, priority=4),
    Column("cadres", N_("Cadres"), Kind.FREE, priority=7),
)

BACKUPS = (
    Column("id", "ID", Kind.ID, priority=KEEP),
    Column("taken", N_("Taken"), Kind.WHEN, priority=KEEP),
    Column("size", N_("Bytes"), Kind.INT, priority=3),
    Column("command", N_("Replaced by"), priority=4),
    Column("path", N_("File"), Kind.FREE, priority=2),
)
AGENCY_MAP = (
    Column("category", N_("Category"), priority=KEEP),
    Column("agency", N_("Agency"), priority=KEEP),
)

# --- issue 15: business follow-ups, UP2K groups, referrals ----------------------------------------

# 'business show': the business at its start, then each dated follow-up.
FOLLOW_UPS = (
    Column("id", "ID", Kind.ID, priority=KEEP),
    Column("on", N_("Date"), Kind.DATE, priority=KEEP),
    # owner status, family workers, paid, paid unemployed before, paid local, turnover
    *(replace(c, priority=p) for c, p in zip(MEASURES, (5, 3, 2, 6, 6, KEEP), strict=True)),
    Column("note", N_("Note"), Kind.FREE, priority=4),
)

TIER_LABELS = labels(groups.TIERS)
REACH_LABELS = labels(groups.REACHES)

GROUP_LIST = (
    Column("id", "ID", Kind.ID, priority=KEEP),
    Column("name", N_("Group"), Kind.FREE, priority=KEEP),
    Column("kelurahan", "Kelurahan", priority=3),
    Column("rw", "RW", Kind.CODE, priority=7),
    Column("members", N_("Members"), Kind.INT, priority=2),
    Column("tier", N_("Tier"), priority=2, labels=TIER_LABELS),
    Column("tier_on", N_("Since"), Kind.DATE, priority=5),
    Column("capital", N_("Joint capital"), Kind.MONEY, priority=4),
)
GROUP_EXPORT = (
    Column("id", "ID", Kind.ID),
    Column("name", N_("Group"), Kind.FREE),
    Column("kelurahan_code", N_("Code"), Kind.CODE),
    Column("kelurahan", "Kelurahan"),
    Column("rw", "RW", Kind.CODE),
    Column("formed_on", N_("Formed"), Kind.DATE),
    Column("members", N_("Members"), Kind.INT),
    Column("tier", N_("Tier"), labels=TIER_LABELS),
    Column("tier_on", N_("Since"), Kind.DATE),
    Column("capital", N_("Joint capital"), Kind.MONEY),
    Column("savings_loans", N_("Savings and loans")),
    Column("bookkeeping", N_("Bookkeeping")),
    Column("reach", N_("Marketing reach"), labels=REACH_LABELS),
    Column("note", N_("Note"), Kind.FREE),
)
GROUP_DETAILS = GROUP_EXPORT[1:]  # 'group show': one field a line
MEMBERS = (
    Column("cadre_id", "ID", Kind.ID, priority=KEEP),
    Column("name", N_("Name"), Kind.FREE, priority=KEEP),
    Column("joined_on", N_("Joined"), Kind.DATE, priority=2),
    Column("left_on", N_("Left"), Kind.DATE, priority=2),
    Column("leave_reason", N_("Reason"), Kind.FREE, priority=3),
)
TIER_HISTORY = (
    Column("id", "ID", Kind.ID, priority=KEEP),
    Column("tier", N_("Tier"), priority=KEEP, labels=TIER_LABELS),
    Column("on", N_("Since"), Kind.DATE, priority=KEEP),
)
ASSESSMENT = (
    Column("id", "ID", Kind.ID, priority=KEEP),
    Column("name", N_("Group"), Kind.FREE, priority=3),
    Column("members", N_("Members"), Kind.INT, priority=4),
    Column("capital", N_("Joint capital"), Kind.MONEY, priority=5),
    Column("tier", N_("Tier now"), priority=2, labels=TIER_LABELS),
    Column("proposed", N_("Proposed"), priority=KEEP, labels=TIER_LABELS),
    Column("lacks", N_("Lacks for the next tier"), Kind.FREE, priority=KEEP, wrap=True),
)
CRITERIA = (
    Column("tier", N_("Tier"), priority=KEEP, labels=TIER_LABELS),
    Column("members", N_("Members"), Kind.INT, priority=KEEP),
    Column("capital", N_("Joint capital"), Kind.MONEY, priority=KEEP),
    Column("bookkeeping", N_("Bookkeeping"), priority=3),
    Column("savings_loans", N_("Savings and loans"), priority=3),
    Column("reach", N_("Marketing reach"), priority=2, labels=REACH_LABELS),
)

NEED_LABELS = labels(referrals.NEEDS)
STATUS_LABELS = referrals.STATUS_LABELS
OUTCOME_LABELS = labels(referrals.OUTCOMES)

REFERRAL_LIST = (
    Column("id", "ID", Kind.ID, priority=KEEP),
    Column("business_id", N_("Business"), Kind.ID, priority=6),
    Column("business", N_("Name"), Kind.FREE, priority=3),
    Column("kelurahan", "Kelurahan", priority=7),
    Column("agency", N_("Agency"), Kind.FREE, priority=4),
    Column("need", N_("Need"), priority=KEEP, labels=NEED_LABELS),
    Column("referred_on", N_("Referred"), Kind.DATE, priority=5),
    Column("status", N_("Status"), priority=KEEP, labels=STATUS_LABELS),
    Column("since", N_("Since"), Kind.DATE, priority=6),
    Column("days", N_("Days"), Kind.INT, priority=2),
)
REFERRAL_EXPORT = (
    Column("id", "ID", Kind.ID),
    Column("business_id", N_("Business"), Kind.ID),
    Column("business", N_("Name"), Kind.FREE),
    Column("cadre_id", N_("Owner"), Kind.ID),
    Column("kelurahan_code", N_("Code"), Kind.CODE),
    Column("kelurahan", "Kelurahan"),
    Column("agency", N_("Agency"), Kind.FREE),
    Column("need", N_("Need"), labels=NEED_LABELS),
    Column("referred_on", N_("Referred"), Kind.DATE),
    Column("status", N_("Status"), labels=STATUS_LABELS),
    Column("since", N_("Since"), Kind.DATE),
    Column("days", N_("Days"), Kind.INT),
    Column("outcome", N_("Outcome"), labels=OUTCOME_LABELS),
    Column("amount", N_("Capital received"), Kind.MONEY),
    Column("note", N_("Note"), Kind.FREE),
)
REFERRAL_DETAILS = REFERRAL_EXPORT[1:]  # 'referral show': one field a line
REFERRAL_UPDATES = (
    Column("id", "ID", Kind.ID, priority=KEEP),
    Column("on", N_("Date"), Kind.DATE, priority=KEEP),
    Column("status", N_("Status"), priority=KEEP, labels=STATUS_LABELS),
    Column("outcome", N_("Outcome"), priority=3, labels=OUTCOME_LABELS),
    Column("nib", "NIB", Kind.CODE, priority=5),
    Column("pirt", "P-IRT", Kind.CODE, priority=5),
    Column("amount", N_("Amount"), Kind.MONEY, priority=4),
    Column("source", N_("Source"), priority=6, labels=labels(referrals.SOURCES)),
    Column("note", N_("Note"), Kind.FREE, priority=2),
)


# `merge --conflicts FILE`: one row per field the merge left as it is, both values and the day
# each side last changed the record.
CONFLICTS = (
    Column("table", N_("Table"), priority=KEEP),
    Column("record", N_("Record here"), Kind.ID, priority=KEEP),
    Column("their_record", N_("Record there"), Kind.ID),
    Column("field", N_("Field"), priority=KEEP),
    Column("ours", N_("Here"), Kind.FREE),
    Column("theirs", N_("There"), Kind.FREE),
    Column("ours_changed_on", N_("Changed here"), Kind.DATE),
    Column("theirs_changed_on", N_("Changed there"), Kind.DATE),
    Column("conflict", N_("Conflict")),
)


# What `export` adds after each table's stable columns (only ever at the end), so that an export
# of every table, imported into a new registry, loses nothing: status reasons and dates, the
# nested values as JSON text, the step's own ID, and `registry`, the identity of the registry it
# came from (what `import` maps the IDs by).
REGISTRY = Column("registry", kind=Kind.CODE)
CADRE_EXPORT_FULL = (
    *CADRE_EXPORT,
    Column("status_reason", kind=Kind.FREE),
    Column("status_log", kind=Kind.FREE),
    Column("erased_on", kind=Kind.DATE),
    REGISTRY,
)
BATCH_EXPORT_FULL = (*BATCH_EXPORT, Column("created_on", kind=Kind.DATE), REGISTRY)
ENROLLMENT_EXPORT_FULL = (
    *ENROLLMENT_EXPORT,
    Column("queue_seq", kind=Kind.INT),
    Column("withdraw_reason", kind=Kind.FREE),
    Column("forced_reason", kind=Kind.FREE),
    Column("attendance", kind=Kind.FREE),
    Column("events", kind=Kind.FREE),
    REGISTRY,
)
# The business as it was at its start (what its record holds; the columns before show it as it
# stands after its follow-ups).
BUSINESS_EXPORT_FULL = (
    *BUSINESS_EXPORT,
    *(Column(f"start_{name}", kind=Kind.INT if name != "owner_status" else Kind.TEXT) for name in (
        "owner_status", "family_workers", "paid_workers", "paid_were_unemployed", "paid_local", "turnover"
    )),
    REGISTRY,
)  # fmt: skip
STEP_EXPORT_FULL = (*STEP_EXPORT, Column("id", kind=Kind.ID), REGISTRY)
INCOME_EXPORT_FULL = (*INCOME_EXPORT, REGISTRY)
