"""`report facilitation`: referrals per agency and need on a day: referred, open, done, closed
without result, median days to an outcome, open ones older than 30 and 90 days, capital received
(domain/facilitation.py counts them). IDs and facts only, no personal data."""

from __future__ import annotations

import datetime as dt

from up2k_cli.domain.facilitation import (
    OVERDUE_DAYS,
    OVERDUE_LISTED,
    FacilitationFigures,
    FacilitationLine,
    FacilitationReport,
    OpenReferral,
    facilitation_report,
    overdue_limit,
)
from up2k_cli.storage.protocol import UnitOfWork

from .load import kelurahan_names

__all__ = ["OVERDUE_DAYS", "OVERDUE_LISTED", "FacilitationFigures", "FacilitationLine", "FacilitationReport",
           "OpenReferral", "check", "facilitation"]  # fmt: skip


def check(*, as_of: dt.date, overdue: int | str | None = OVERDUE_LISTED) -> None:
    """How many overdue referrals to list: a whole number from 0, or all."""
    overdue_limit(overdue)


def facilitation(
    uow: UnitOfWork, *, as_of: dt.date, overdue: int | str | None = OVERDUE_LISTED
) -> FacilitationReport:
    """In an open unit of work; the oldest `overdue` of the open referrals past 30 days listed
    (None or 'all': every one), and how many there are in all."""
    referrals, updates = uow.referrals.all(), uow.referral_updates.all()
    businesses = uow.businesses.get_many({r["business_id"] for r in referrals})
    owners = uow.cadres.get_many({b["cadre_id"] for b in businesses.values()})
    kelurahan_of = {
        b["id"]: owners[b["cadre_id"]]["kelurahan_code"]
        for b in businesses.values()
        if b["cadre_id"] in owners
    }
    return facilitation_report(as_of, referrals, updates, kelurahan_of, kelurahan_names(uow.meta), overdue)
