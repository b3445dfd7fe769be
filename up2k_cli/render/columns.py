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
