"""Stable column sets: their names are a promise to scripts, so change them only by adding."""

from __future__ import annotations

from up2k_cli.i18n import N_

from .output import Column

CADRE_EXPORT = (
    Column("id", "ID"),
    Column("nik", "NIK", "nik"),
    Column("name", N_("Name"), "free"),
    Column("sex", N_("Sex")),
    Column("birth_date", N_("Born"), "date"),
    Column("kelurahan_code", N_("Code")),
    Column("kelurahan", "Kelurahan"),
    Column("rw", "RW"),
    Column("rt", "RT"),
    Column("address", N_("Address"), "free"),
    Column("phone", N_("Phone")),
    Column("business_type", N_("Business")),
    Column("household_size", N_("Household"), "int"),
    Column("income", N_("Income"), "money"),
    Column("registered_on", N_("Registered"), "date"),
    Column("consent_on", N_("Consent on"), "date"),
    Column("consent_method", N_("Consent method"), "free"),
    Column("status", N_("Status")),
)

CADRE_LIST = (
    Column("id", "ID"),
    Column("nik", "NIK", "nik"),
    Column("name", N_("Name"), "free"),
    Column("kelurahan", "Kelurahan"),
    Column("rw", "RW"),
    Column("rt", "RT"),
    Column("phone", N_("Phone")),
    Column("business_type", N_("Business")),
    Column("status", N_("Status")),
)

HISTORY = (
    Column("at", N_("When")),
    Column("user", N_("Who")),
    Column("command", N_("Command")),
    Column("action", N_("Action")),
    Column("changes", N_("Changes"), "free"),
)

BATCH_LIST = (
    Column("code", N_("Code")),
    Column("title", N_("Title"), "free"),
    Column("kind", N_("Kind")),
    Column("start", N_("Start"), "date"),
    Column("end", N_("End"), "date"),
    Column("capacity", N_("Capacity"), "int"),
    Column("quota_per_kelurahan", N_("Quota/kel."), "int"),
    Column("enrolled", N_("Enrolled"), "int"),
    Column("waitlisted", N_("Waitlist"), "int"),
    Column("completed", N_("Completed"), "int"),
    Column("status", N_("Status")),
)

BATCH_EXPORT = (
    Column("code"),
    Column("title", kind="free"),
    Column("kind"),
    Column("start", kind="date"),
    Column("end", kind="date"),
    Column("capacity", kind="int"),
    Column("quota_per_kelurahan", kind="int"),
    Column("sessions", kind="int"),
    Column("min_attendance", kind="int"),
    Column("mentor", kind="free"),
    Column("venue", kind="free"),
    Column("status"),
    Column("closed_on", kind="date"),
    Column("enrolled", kind="int"),
    Column("completed", kind="int"),
    Column("waitlisted", kind="int"),
    Column("withdrawn", kind="int"),
)

ROSTER = (
    Column("cadre_id", "ID"),
    Column("name", N_("Name"), "free"),
    Column("kelurahan", "Kelurahan"),
    Column("status", N_("Status")),
    Column("queue_seq", N_("Queue"), "int"),
    Column("sessions_attended", N_("Sessions"), "int"),
    Column("attendance_pct", N_("Attendance"), "pct"),
    Column("enrolled_on", N_("Enrolled"), "date"),
    Column("completed_on", N_("Completed"), "date"),
)

ENROLLMENT_EXPORT = (
    Column("enrollment_id"),
    Column("batch"),
    Column("cadre_id"),
    Column("kelurahan_code"),
    Column("kelurahan"),
    Column("status"),
    Column("enrolled_on", kind="date"),
    Column("waitlisted_on", kind="date"),
    Column("sessions_attended", kind="int"),
    Column("sessions_planned", kind="int"),
    Column("attendance_pct", kind="pct"),
    Column("completed_on", kind="date"),
    Column("completion_forced"),
    Column("withdrawn_on", kind="date"),
    Column("reason", kind="free"),
)

CADRE_BATCHES = (
    Column("batch", N_("Batch")),
    Column("title", N_("Title"), "free"),
    Column("status", N_("Status")),
    Column("sessions_attended", N_("Sessions"), "int"),
    Column("attendance_pct", N_("Attendance"), "pct"),
    Column("enrolled_on", N_("Enrolled"), "date"),
    Column("completed_on", N_("Completed"), "date"),
    Column("withdrawn_on", N_("Withdrawn"), "date"),
)

BUSINESS_LIST = (
    Column("id", "ID"),
    Column("cadre_id", N_("Cadre")),
    Column("owner", N_("Owner"), "free"),
    Column("kelurahan", "Kelurahan"),
    Column("name", N_("Business"), "free"),
    Column("category", N_("Category")),
    Column("started", N_("Started"), "date"),
    Column("nib", "NIB"),
    Column("agency", N_("Agency")),
    Column("lacks", N_("Lacks")),
)

BUSINESS_EXPORT = (
    Column("id"),
    Column("cadre_id"),
    Column("kelurahan_code"),
    Column("kelurahan"),
    Column("name", kind="free"),
    Column("category"),
    Column("started_on", kind="date"),
    Column("added_on", kind="date"),
    Column("nib"),
    Column("pirt"),
    Column("halal"),
    Column("address", kind="free"),
    Column("licensed_on", kind="date"),
    Column("agency"),
    Column("referrals"),
    Column("lacks"),
)

STEP_EXPORT = (
    Column("cadre_id", N_("Cadre")),
    Column("kelurahan_code", N_("Code")),
    Column("order", "#", "int"),
    Column("step", N_("Step")),
    Column("on", N_("Reached"), "date"),
    Column("source", N_("How")),
    Column("note", N_("Note"), "free"),
)

INCOME_EXPORT = (
    Column("id", "ID"),
    Column("cadre_id", N_("Cadre")),
    Column("kelurahan_code", N_("Code")),
    Column("kind", N_("Kind")),
    Column("amount", N_("Amount"), "money"),
    Column("on", N_("Date"), "date"),
    Column("note", N_("Note"), "free"),
)
