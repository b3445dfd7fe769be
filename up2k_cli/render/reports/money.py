"""Presenting `report income` and `report agencies`: figures -> Document."""

from __future__ import annotations

import dataclasses
from typing import Any

from up2k_cli.i18n import N_, Msg
from up2k_cli.render.columns import KELURAHAN, KELURAHAN_CODE
from up2k_cli.render.model import Chart, ChartKind, Column, Document, Kind, Table

from .common import as_of_period, kelurahan_rows, title

# A chart of the table's own figures, for the writers that draw (xlsx: a native Excel chart).
INCOME_CHART = Chart(
    ChartKind.BAR,
    N_("Median monthly household income: baseline and latest follow-up"),
    "kelurahan",
    ("median_baseline", "median_latest"),
)

INCOME_COLUMNS = (
    KELURAHAN_CODE,
    KELURAHAN,
    Column("with_baseline", N_("Baseline"), "int", priority=5),
    Column("with_follow_up", N_("Follow-up"), "int", priority=5),
    Column("with_both", N_("Both"), "int", priority=3),
    Column("median_baseline", N_("Median baseline"), "money", priority=4),
    Column("median_latest", N_("Median latest"), "money", priority=4),
    Column("median_change", N_("Median change"), "money", priority=2),
    Column("median_change_pct", N_("Median change %"), "pct", priority=2),
    Column("rose_pct", N_("Rose"), "pct", priority=3),
)


def income(f: Any, kecamatan: str, settings: Any = None) -> Document:
    return Document(
        "income",
        title(N_("UP2K Kecamatan {kecamatan}: household income"), kecamatan),
        as_of_period(f.as_of),
        f.as_of,
        [
            Table(
                "income",
                Msg(N_("Monthly household income, per kelurahan")),
                INCOME_COLUMNS,
                kelurahan_rows(f.kelurahan, f.total),
                chart=INCOME_CHART,
            )
        ],
        notes=[
            Msg(
                N_(
                    "baseline: the income given at registration; latest: the most recent follow-up on "
                    "or before the report's day"
                )
            ),
            Msg(
                N_(
                    "change figures count only households with both a baseline and a follow-up: "
                    "{both} of {registered} registered"
                ),
                both=f.total.with_both,
                registered=f.registered,
            ),
            Msg(N_("medians, not averages, so that a few large incomes do not hide the typical change")),
        ],
    )


AGENCY_COLUMNS = (
    Column("agency", N_("Agency"), priority=0),
    Column("businesses", N_("Businesses"), "int"),
    Column("lacks_nib", N_("No NIB"), "int"),
    Column("lacks_pirt", N_("No P-IRT (food)"), "int"),
    Column("lacks_halal", N_("No halal (food)"), "int"),
)
CONTACT_COLUMNS = (
    Column("agency", N_("Agency"), priority=2),
    Column("business_id", "ID", Kind.ID, priority=0),
    Column("business", N_("Business"), "free", priority=3),
    Column("category", N_("Category"), priority=5),
    Column("owner", N_("Owner"), "free", priority=0),
    Column("phone", N_("Phone"), Kind.CODE, priority=0),
    Column("kelurahan", "Kelurahan", priority=4),
    Column("lacks", N_("Lacks"), priority=3),
)


def agencies(f: Any, kecamatan: str, settings: Any = None) -> Document:
    tables = [
        Table(
            "agencies",
            Msg(N_("Businesses referred per agency, and what they still lack")),
            AGENCY_COLUMNS,
            [dataclasses.asdict(a) for a in f.agencies],
        )
    ]
    notes = [
        Msg(
            N_(
                "each business is referred by its category (see 'up2k settings agency-map'); a culinary "
                "business without a P-IRT is also referred to the licensing one-stop service"
            )
        )
    ]
    if f.with_contacts:
        tables.insert(
            0,
            Table(
                "contacts",
                Msg(N_("Hand-over list (personal data: for the agency only)")),
                CONTACT_COLUMNS,
                [dataclasses.asdict(c) for c in f.contacts],
            ),
        )
        notes.append(Msg(N_("contains names and phone numbers; its export is recorded in the history")))
    return Document(
        "agencies",
        title(N_("UP2K Kecamatan {kecamatan}: agency referrals ({agency})"), kecamatan, agency=f.agency)
        if f.agency
        else title(N_("UP2K Kecamatan {kecamatan}: agency referrals"), kecamatan),
        as_of_period(f.as_of),
        f.as_of,
        tables,
        notes=notes,
        data={"with_contacts": f.with_contacts, "contacts": len(f.contacts)},
    )
