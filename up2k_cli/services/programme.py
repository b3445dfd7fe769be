"""The figures of the programme's other promises, for reports to present: jobs, the Pokja II
groups recap, facilitation. Each reads the registry once and hands the records to a pure
function of the domain (domain/jobs.py, pokja2.py, facilitation.py) that returns dataclasses."""

from __future__ import annotations

import datetime as dt

from up2k_cli.domain import validators as v
from up2k_cli.domain.errors import ValidationError
from up2k_cli.domain.facilitation import FacilitationReport, facilitation_report
from up2k_cli.domain.groups import parse_period
from up2k_cli.domain.jobs import JobsReport, jobs_report
from up2k_cli.domain.pokja2 import Pokja2Report, pokja2_report
from up2k_cli.domain.timeline import Snapshot, as_of
from up2k_cli.i18n import N_, Msg
from up2k_cli.services.common import kelurahan_names
from up2k_cli.storage.protocol import UnitOfWork


def jobs(uow: UnitOfWork, day: dt.date, *, today: dt.date, since: dt.date | None = None) -> JobsReport:
    """Jobs as of the end of `day`; with `since`, also as of that earlier day, to compare."""
    v.not_in_future(day, "as-of", today)
    if since is not None and since >= day:
        raise ValidationError(
            "since", since.isoformat(), Msg(N_("must be before the report's day ({day})"), day=day)
        )
    with uow:
        meta = uow.meta
        names = kelurahan_names(meta)
        cadres, businesses, incomes = uow.cadres.all(), uow.businesses.all(), uow.incomes.all()
        follow_ups = uow.business_follow_ups.all()

    def snapshot(on: dt.date) -> Snapshot:
        """The registry at the end of `on`, from the records read once."""
        return as_of(on.isoformat(), meta, names, cadres, (), (), businesses, (), incomes)

    return jobs_report(snapshot(day), follow_ups, snapshot(since) if since is not None else None)


def pokja2(uow: UnitOfWork, period: str | None, *, today: dt.date) -> Pokja2Report:
    """Groups and members by tier per kelurahan for a year or month (`2027`, `2027-03`; default
    the current month), as they stood at its end (or today, while it runs)."""
    chosen = parse_period(period, today)
    with uow:
        names = kelurahan_names(uow.meta)
        groups, memberships, tiers = uow.groups.all(), uow.memberships.all(), uow.group_tiers.all()
    return pokja2_report(chosen, names, groups, memberships, tiers)


def facilitation(uow: UnitOfWork, day: dt.date, *, today: dt.date) -> FacilitationReport:
    """Referrals per agency and need as they stood at the end of `day`."""
    v.not_in_future(day, "as-of", today)
    with uow:
        referrals, updates = uow.referrals.all(), uow.referral_updates.all()
        businesses = uow.businesses.get_many({r["business_id"] for r in referrals})
        owners = uow.cadres.get_many({b["cadre_id"] for b in businesses.values()})
    kelurahan_of = {
        b["id"]: owners[b["cadre_id"]]["kelurahan_code"]
        for b in businesses.values()
        if b["cadre_id"] in owners
    }
    return facilitation_report(day, referrals, updates, kelurahan_of)
