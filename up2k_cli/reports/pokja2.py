"""`report pokja2`: the UP2K part of PKK's Pokja II recap: groups and members by tier per
kelurahan and in total, for a year or a month (domain/pokja2.py counts them)."""

from __future__ import annotations

import datetime as dt

from up2k_cli.domain.groups import parse_period
from up2k_cli.domain.pokja2 import COLUMNS, Pokja2Line, Pokja2Report, TierCount, pokja2_report
from up2k_cli.storage.protocol import UnitOfWork

from .load import kelurahan_names

__all__ = ["COLUMNS", "Pokja2Line", "Pokja2Report", "TierCount", "check", "pokja2"]


def check(*, period: str | None = None, as_of: dt.date) -> None:
    parse_period(period, as_of)


def pokja2(uow: UnitOfWork, *, period: str | None = None, as_of: dt.date) -> Pokja2Report:
    """A year or a month (`2027`, `2027-03`; default the month of `as_of`) as it stood at its end,
    or at the end of `as_of` while it runs. In an open unit of work."""
    chosen = parse_period(period, as_of)
    names = kelurahan_names(uow.meta)
    return pokja2_report(chosen, names, uow.groups.all(), uow.memberships.all(), uow.group_tiers.all())
