"""`report facilitation`: referrals per agency and need on a day: referred, open, done, closed
without result, median days to an outcome, open ones older than 30 and 90 days, capital received
(domain/facilitation.py counts them). IDs and facts only, no personal data."""

from __future__ import annotations

import datetime as dt

from up2k_cli.domain.facilitation import (
    OVERDUE_DAYS,
    FacilitationFigures,
    FacilitationLine,
    FacilitationReport,
    OpenReferral,
    facilitation_report,
)
from up2k_cli.storage.protocol import UnitOfWork

from .load import kelurahan_names

__all__ = ["OVERDUE_DAYS", "FacilitationFigures", "FacilitationLine", "FacilitationReport", "OpenReferral",
           "facilitation"]  # fmt: skip


def facilitation(uow: UnitOfWork, *, as_of: dt.date) -> FacilitationReport:
    """In an open unit of work."""
    referrals, updates = uow.referrals.all(), uow.referral_updates.all()
    businesses = uow.businesses.get_many({r["business_id"] for r in referrals})
    owners = uow.cadres.get_many({b["cadre_id"] for b in businesses.values()})
    kelurahan_of = {
        b["id"]: owners[b["cadre_id"]]["kelurahan_code"]
        for b in businesses.values()
        if b["cadre_id"] in owners
    }
    return facilitation_report(as_of, referrals, updates, kelurahan_of, kelurahan_names(uow.meta))
