"""Presenting `report facilitation` (issue 15): what the agencies did with the referrals, per
agency and need, and the open ones past 30 days: figures -> Document. IDs and facts only."""

from __future__ import annotations

from typing import Any

from up2k_cli.domain.facilitation import OVERDUE_DAYS
from up2k_cli.i18n import N_, Msg
from up2k_cli.render.columns import KELURAHAN, NEED_LABELS, STATUS_LABELS
from up2k_cli.render.model import KEEP, TOTAL_LABEL, Column, Document, Kind, Table
from up2k_cli.render.reports.common import as_of_period, title

FACILITATION_COLUMNS = (
    Column("agency", N_("Agency"), priority=KEEP),
    Column("need", N_("Need"), priority=KEEP, labels={**NEED_LABELS, "": N_("all needs")}),
    Column("referred", N_("Referred"), Kind.INT, priority=1),
    Column("open", N_("Open"), Kind.INT, priority=1),
    Column("done", N_("Done"), Kind.INT, priority=2),
    Column("closed", N_("Closed"), Kind.INT, priority=3),
    Column("median_days_to_outcome", N_("Median days"), Kind.DEC, priority=4),
    Column("open_over_30", N_("Open >30 d"), Kind.INT, priority=2),
    Column("open_over_90", N_("Open >90 d"), Kind.INT, priority=3),
    Column("capital_received", N_("Capital received"), Kind.MONEY, priority=5),
)
OVERDUE_COLUMNS = (
    Column("id", "ID", Kind.ID, priority=KEEP),
    Column("business_id", N_("Business"), Kind.ID, priority=2),
    KELURAHAN,
    Column("agency", N_("Agency"), priority=3),
    Column("need", N_("Need"), priority=3, labels=NEED_LABELS),
    Column("referred_on", N_("Referred"), Kind.DATE, priority=4),
    Column("status", N_("Status"), priority=5, labels=STATUS_LABELS),
    Column("since", N_("Since"), Kind.DATE, priority=6),
    Column("days_open", N_("Days"), Kind.INT, priority=1),
)


def _facilitation_row(line: Any, agency: Any, need: str) -> dict[str, Any]:
    f = line.figures
    return {"agency": agency, "need": need, **{c.key: getattr(f, c.key) for c in FACILITATION_COLUMNS[2:]}}


def facilitation(f: Any, kecamatan: str, settings: Any = None) -> Document:
    rows = []
    for agency in f.agencies:
        rows += [
            _facilitation_row(line, line.agency, str(line.need))
            for line in f.lines
            if line.agency == agency.agency
        ]
        rows.append(_facilitation_row(agency, agency.agency, ""))
    rows.append(_facilitation_row(f.total, TOTAL_LABEL, ""))
    overdue = [
        {"id": o.id, "business_id": o.business_id, "kelurahan_code": o.kelurahan_code,
         "kelurahan": o.kelurahan, "agency": o.agency,
         "need": o.need, "referred_on": o.referred_on, "status": o.status, "since": o.since,
         "days_open": o.days_open}
        for o in f.overdue
    ]  # fmt: skip
    return Document(
        "facilitation",
        title(N_("UP2K Kecamatan {kecamatan}: facilitation by the agencies"), kecamatan),
        as_of_period(f.as_of),
        f.as_of,
        [
            Table("facilitation", Msg(N_("Referrals per agency and need")), FACILITATION_COLUMNS, rows),
            Table("overdue", overdue_title(len(overdue), f.overdue_total), OVERDUE_COLUMNS, overdue),
        ],
        data={"overdue_total": f.overdue_total},
        notes=[
            Msg(
                N_(
                    "open: referred, contacted or in progress on the day; closed: closed without result; "
                    "median days: from the referral to the outcome, over the done ones"
                )
            ),
            Msg(
                N_(
                    "capital received: the amounts of the outcomes 'capital received' "
                    "(KUR, city programmes, ...)"
                )
            ),
        ],
    )


def overdue_title(listed: int, total: int) -> Msg:
    """The list's title says how many there are in all when it leaves some out (--overdue N), so
    that no reader takes the page for the whole."""
    days = OVERDUE_DAYS[0]
    if listed >= total:
        return Msg(N_("Open referrals older than {days} days, the oldest first"), days=days)
    if not listed:
        return Msg(
            N_("Open referrals older than {days} days: {total}, none listed; --overdue N lists the oldest N"),
            days=days,
            total=total,
        )
    return Msg(
        N_(
            "Open referrals older than {days} days: the oldest {listed} of {total}; "
            "--overdue all lists every one"
        ),
        days=days,
        listed=listed,
        total=total,
    )
