"""Presenting the programme's other promises (issue 15): `report jobs` and `report pokja2` (PKK's
Pokja II form): figures -> Document. No personal data in either."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from up2k_cli.domain.groups import TIERS, UNCLASSED
from up2k_cli.domain.pokja2 import signature_settings
from up2k_cli.i18n import N_, Msg
from up2k_cli.render.columns import KELURAHAN, KELURAHAN_CODE
from up2k_cli.render.model import KEEP, TOTAL_LABEL, Column, Document, Kind, Table
from up2k_cli.render.reports.common import as_of_period, title

# --- jobs ---------------------------------------------------------------------------------------

JOBS_FIGURES = (
    Column("businesses", N_("Businesses"), Kind.INT, priority=5),
    Column("owners", N_("Owners"), Kind.INT, priority=4),
    Column("family_workers", N_("Family"), Kind.INT, priority=4),
    Column("paid_workers", N_("Paid"), Kind.INT, priority=3),
    Column("jobs", N_("Jobs"), Kind.INT, priority=1),
    Column("jobs_formerly_unemployed", N_("Were unempl."), Kind.INT, priority=2),
    Column("paid_formerly_unemployed", N_("Paid, were unempl."), Kind.INT, priority=7),
    Column("owners_formerly_unemployed", N_("Owners, were unempl."), Kind.INT, priority=7),
    Column("paid_local", N_("Paid, local"), Kind.INT, priority=7),
    Column("micro", N_("Micro"), Kind.INT, priority=5),
    Column("small", N_("Small"), Kind.INT, priority=5),
    Column("medium", N_("Above small"), Kind.INT, priority=8),
    Column("size_unknown", N_("No turnover"), Kind.INT, priority=8),
)
MOVED = Column("moved_to_work", N_("To work"), Kind.INT, priority=2)
# With --since: the change of the figures that answer the programme's aims.
CHANGED = ("businesses", "jobs", "jobs_formerly_unemployed", "moved_to_work")
CHANGE_HEADERS = {
    "businesses": N_("Businesses +/-"),
    "jobs": N_("Jobs +/-"),
    "jobs_formerly_unemployed": N_("Were unempl. +/-"),
    "moved_to_work": N_("To work +/-"),
}


def _jobs_row(line: Any) -> dict[str, Any]:
    f = line.figures
    row: dict[str, Any] = {c.key: getattr(f, c.key) for c in JOBS_FIGURES}
    row["moved_to_work"] = f.moved_to_work
    change = line.change
    if change is not None:
        for key in CHANGED:
            now, delta = row[key], getattr(change, key)
            row[f"{key}_change"] = delta
            row[f"{key}_view"] = f"{now} ({delta:+d})" if delta else str(now)
    return row


def _jobs_display(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """For people, with --since: a changed figure and its change in one cell, '9 (+4)'."""
    shown = []
    for c in columns:
        if c.key.endswith("_change"):
            continue
        shown.append(
            Column(f"{c.key}_view", c.header, Kind.FIGURE, priority=c.priority) if c.key in CHANGED else c
        )
    return tuple(shown)


def _jobs_columns(first: tuple[Column, ...], since: str | None, moved: bool) -> tuple[Column, ...]:
    columns = [*first, *JOBS_FIGURES]
    if moved:
        columns.insert(len(first) + 6, MOVED)
    if since is not None:
        columns += [
            Column(f"{k}_change", CHANGE_HEADERS[k], Kind.SIGNED, priority=3)
            for k in CHANGED
            if moved or k != "moved_to_work"
        ]
    return tuple(columns)


def jobs(f: Any, kecamatan: str, settings: Any = None) -> Document:
    day = dt.date.fromisoformat(f.as_of)
    period = (
        Msg(N_("as of {day}, change since {since}"), day=day, since=dt.date.fromisoformat(f.since))
        if f.since
        else as_of_period(f.as_of)
    )
    categories = [{"category": line.label, **_jobs_row(line)} for line in f.categories]
    categories.append({"category": TOTAL_LABEL, **_jobs_row(f.total)})
    by_kelurahan = [
        {"kelurahan_code": line.key, "kelurahan": line.label, **_jobs_row(line)} for line in f.kelurahan
    ]
    by_kelurahan.append({"kelurahan_code": "", "kelurahan": TOTAL_LABEL, **_jobs_row(f.total)})
    category = Column("category", N_("Category"), priority=KEEP)
    per_kelurahan = _jobs_columns((KELURAHAN_CODE, KELURAHAN), f.since, moved=True)
    per_category = _jobs_columns((category,), f.since, moved=False)
    return Document(
        "jobs",
        title(N_("UP2K Kecamatan {kecamatan}: jobs"), kecamatan),
        period,
        f.as_of,
        [
            Table(
                "kelurahan",
                Msg(N_("Jobs per kelurahan")),
                per_kelurahan,
                by_kelurahan,
                display=_jobs_display(per_kelurahan) if f.since else None,
            ),
            Table(
                "categories",
                Msg(N_("Jobs per category")),
                per_category,
                categories,
                display=_jobs_display(per_category) if f.since else None,
            ),
        ],
        notes=[
            Msg(
                N_(
                    "jobs = owners + unpaid family workers + paid workers; an owner counts once however "
                    "many businesses they own; workers as each business last reported them by the day"
                )
            ),
            Msg(
                N_(
                    "were unemployed: paid workers who were unemployed before, and owners who were "
                    "looking for work when they registered; to work: cadres looking for work at "
                    "registration and working on the day"
                )
            ),
            Msg(
                N_(
                    "micro and small by PP 7/2021, from 12 x the monthly turnover "
                    "(up to Rp 2 billion a year: micro)"
                )
            ),
        ],
        data={"since": f.since},
    )


# --- PKK Pokja II ---------------------------------------------------------------------------------

TIER_HEADERS = {
    "pemula": (N_("Pemula: groups"), N_("Pemula: members")),
    "madya": (N_("Madya: groups"), N_("Madya: members")),
    "utama": (N_("Utama: groups"), N_("Utama: members")),
    "mandiri": (N_("Mandiri: groups"), N_("Mandiri: members")),
    UNCLASSED: (N_("Not classed: groups"), N_("Not classed: members")),
}
POKJA2_COLUMNS = (
    Column("no", N_("No."), Kind.INT, priority=KEEP),
    KELURAHAN_CODE,
    KELURAHAN,
    *(
        Column(f"{tier}_{part}", TIER_HEADERS[tier][i], Kind.INT, priority=3 if tier != UNCLASSED else 6)
        for tier in (*(t.key for t in TIERS), UNCLASSED)
        for i, part in enumerate(("groups", "members"))
    ),
    Column("groups", N_("Groups"), Kind.INT, priority=1),
    Column("members", N_("Members"), Kind.INT, priority=1),
)


# For people: each tier in one cell, "groups / members", so that the form fits 80 columns.
POKJA2_DISPLAY = (
    Column("no", N_("No."), Kind.INT, priority=KEEP),
    KELURAHAN,
    *(Column(f"{t.key}_view", t.label, Kind.FIGURE, priority=KEEP) for t in TIERS),
    Column(f"{UNCLASSED}_view", N_("Not classed"), Kind.FIGURE, priority=4),
    Column("total_view", N_("Total"), Kind.FIGURE, priority=KEEP),
)


def _pokja2_row(line: Any) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for tier, count in line.tiers.items():
        row[f"{tier}_groups"], row[f"{tier}_members"] = count.groups, count.members
        row[f"{tier}_view"] = f"{count.groups} / {count.members}"
    row["groups"], row["members"] = line.groups, line.members
    row["total_view"] = f"{line.groups} / {line.members}"
    return row


def signature(settings: Mapping[str, Any], kecamatan: str, day: dt.date) -> tuple[str, ...]:
    """Place and date, the signer's title, the signer's name: from the settings, with blanks a
    hand fills in where none is set."""
    block = signature_settings(settings)
    return (
        Msg(N_("{place}, {day}"), place=block["place"] or kecamatan, day=day),
        block["signer_title"] or Msg(N_("Chair of the TP PKK, Kecamatan {kecamatan}"), kecamatan=kecamatan),
        f"( {block['signer_name']} )" if block["signer_name"] else "( ................................ )",
    )


def pokja2(f: Any, kecamatan: str, settings: Mapping[str, Any] | None = None) -> Document:
    rows = [
        {"no": number, "kelurahan_code": line.key, "kelurahan": line.label, **_pokja2_row(line)}
        for number, line in enumerate(f.kelurahan, start=1)
    ]
    rows.append({"no": None, "kelurahan_code": "", "kelurahan": TOTAL_LABEL, **_pokja2_row(f.total)})
    day = dt.date.fromisoformat(f.as_of)
    block = signature(settings or {}, kecamatan, day)
    return Document(
        "pokja2",
        title(N_("PKK Pokja II activity data: UP2K groups, Kecamatan {kecamatan}"), kecamatan),
        Msg(
            N_("{start} to {end}, counted at the end of {day}"),
            start=dt.date.fromisoformat(f.start),
            end=dt.date.fromisoformat(f.end),
            day=day,
        ),
        f.as_of,
        [
            Table(
                "pokja2",
                Msg(N_("UP2K groups and members by tier, per kelurahan")),
                POKJA2_COLUMNS,
                rows,
                display=POKJA2_DISPLAY,
            )
        ],
        notes=[
            Msg(N_("each cell: groups / members")),
            Msg(
                N_(
                    "a group counts in the tier confirmed for it by the end of the day counted "
                    "('up2k group assess'), with the members it had then; not classed: no tier confirmed yet"
                )
            ),
        ],
        data={"period": f.period, "from": f.start, "to": f.end, "signature": list(block)},
        signature=block,
        one_page=True,
    )
