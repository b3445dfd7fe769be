"""Stable column sets: their names are a promise to scripts, so change them only by adding."""

from __future__ import annotations

from .output import Column

CADRE_EXPORT = (
    Column("id", "ID"),
    Column("nik", "NIK", "nik"),
    Column("name", "Name", "free"),
    Column("sex", "Sex"),
    Column("birth_date", "Born", "date"),
    Column("kelurahan_code", "Code"),
    Column("kelurahan", "Kelurahan"),
    Column("rw", "RW"),
    Column("rt", "RT"),
    Column("address", "Address", "free"),
    Column("phone", "Phone"),
    Column("business_type", "Business"),
    Column("household_size", "Household", "int"),
    Column("income", "Income", "money"),
    Column("registered_on", "Registered", "date"),
    Column("consent_on", "Consent on", "date"),
    Column("consent_method", "Consent method", "free"),
    Column("status", "Status"),
)

CADRE_LIST = (
    Column("id", "ID"),
    Column("nik", "NIK", "nik"),
    Column("name", "Name", "free"),
    Column("kelurahan", "Kelurahan"),
    Column("rw", "RW"),
    Column("rt", "RT"),
    Column("phone", "Phone"),
    Column("business_type", "Business"),
    Column("status", "Status"),
)

HISTORY = (
    Column("at", "When"),
    Column("user", "Who"),
    Column("command", "Command"),
    Column("action", "Action"),
    Column("changes", "Changes", "free"),
)

BATCH_LIST = (
    Column("code", "Code"),
    Column("title", "Title", "free"),
    Column("kind", "Kind"),
    Column("start", "Start", "date"),
    Column("end", "End", "date"),
    Column("capacity", "Capacity", "int"),
    Column("quota_per_kelurahan", "Quota/kel.", "int"),
    Column("enrolled", "Enrolled", "int"),
    Column("waitlisted", "Waitlist", "int"),
    Column("completed", "Completed", "int"),
    Column("status", "Status"),
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
    Column("name", "Name", "free"),
    Column("kelurahan", "Kelurahan"),
    Column("status", "Status"),
    Column("queue_seq", "Queue", "int"),
    Column("sessions_attended", "Sessions", "int"),
    Column("attendance_pct", "Attendance", "pct"),
    Column("enrolled_on", "Enrolled", "date"),
    Column("completed_on", "Completed", "date"),
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
    Column("batch", "Batch"),
    Column("title", "Title", "free"),
    Column("status", "Status"),
    Column("sessions_attended", "Sessions", "int"),
    Column("attendance_pct", "Attendance", "pct"),
    Column("enrolled_on", "Enrolled", "date"),
    Column("completed_on", "Completed", "date"),
    Column("withdrawn_on", "Withdrawn", "date"),
)

BUSINESS_LIST = (
    Column("id", "ID"),
    Column("cadre_id", "Cadre"),
    Column("owner", "Owner", "free"),
    Column("kelurahan", "Kelurahan"),
    Column("name", "Business", "free"),
    Column("category", "Category"),
    Column("started", "Started", "date"),
    Column("nib", "NIB"),
    Column("agency", "Agency"),
    Column("lacks", "Lacks"),
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
    Column("cadre_id", "Cadre"),
    Column("kelurahan_code", "Code"),
    Column("order", "#", "int"),
    Column("step", "Step"),
    Column("on", "Reached", "date"),
    Column("source", "How"),
    Column("note", "Note", "free"),
)

INCOME_EXPORT = (
    Column("id", "ID"),
    Column("cadre_id", "Cadre"),
    Column("kelurahan_code", "Code"),
    Column("kind", "Kind"),
    Column("amount", "Amount", "money"),
    Column("on", "Date", "date"),
    Column("note", "Note", "free"),
)
