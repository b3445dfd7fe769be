"""The figures of the jobs, Pokja II and facilitation reports (the read models of reports/ over the
pure functions of domain/jobs.py, pokja2.py, facilitation.py, run by services/reporting.py), computed by hand.

Cadres (registered 2026-10-01): K0001-K0003 Pondok Labu (1003), K0004-K0005 Lebak Bulus (1002).
Work status at registration: K1, K2, K4 looking for work; K3 housekeeping; K5 working.
  K2 income follow-ups: 11-05 working, 11-25 looking for work again.
Businesses:
  U0001 K1 Kuliner, 10-05, own-account, 5 jt/month; follow-up 11-15: 166,666,666/month (micro)
  U0002 K1 Kerajinan, 10-06, helped-temporary, 2 family workers, no turnover
  U0003 K4 Kuliner, 11-01, helped-permanent, 3 paid (2 were unemployed, 1 local), 170 jt/month
        (small); follow-ups 11-10: 4 paid; 11-20: 5 paid, then (same day) 6 paid.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.services.conftest import TODAY
from tests.unit.services.test_groups import small_criteria
from up2k_cli.domain.errors import ValidationError
from up2k_cli.domain.jobs import JobFigures
from up2k_cli.services import cadres, follow_ups, groups, outcomes, referrals, reporting

D = dt.date
PL, LB = "31.74.06.1003", "31.74.06.1002"


@pytest.fixture
def jobs_data(uow):
    for cadre, status in (("K0001", "unemployed"), ("K0002", "unemployed"), ("K0003", "housekeeping"),
                          ("K0004", "unemployed"), ("K0005", "working")):  # fmt: skip
        cadres.update(uow, cadre, {"work_status": status}, today=TODAY)
    outcomes.add_income(
        uow, "K0002", "1 jt", on=D(2026, 11, 5), today=TODAY, note=None, work_status="working"
    )
    outcomes.add_income(
        uow, "K0002", "1 jt", on=D(2026, 11, 25), today=TODAY, note=None, work_status="unemployed"
    )

    def business(cadre: str, category: str, started: str, **measures: str) -> str:
        raw = {"name": "Usaha", "category": category, "started_on": started, **measures}
        return outcomes.add_business(uow, cadre, raw, today=TODAY)["id"]

    business("K0001", "kuliner", "2026-10-05", owner_status="own-account", turnover="5 jt")
    business("K0001", "kerajinan", "2026-10-06", owner_status="helped-temporary", family_workers="2")
    business("K0004", "kuliner", "2026-11-01", owner_status="helped-permanent", paid_workers="3",
             paid_were_unemployed="2", paid_local="1", turnover="170 jt")  # fmt: skip
    for ident, day, measures in (
        ("U0001", D(2026, 11, 15), {"turnover": "166666666"}),
        ("U0003", D(2026, 11, 10), {"paid_workers": "4"}),
        ("U0003", D(2026, 11, 20), {"paid_workers": "5"}),
        ("U0003", D(2026, 11, 20), {"paid_workers": "6"}),
    ):
        follow_ups.add_follow_up(uow, ident, measures, on=day, today=TODAY)
    return uow


def test_jobs_are_counted_once_per_person_and_per_date(jobs_data) -> None:
    report = reporting.run(jobs_data, "jobs", as_of=TODAY).figures
    total = report.total.figures
    assert total == JobFigures(
        businesses=3, owners=2, family_workers=2, paid_workers=6, paid_formerly_unemployed=2, paid_local=1,
        owners_formerly_unemployed=2, micro=1, small=1, medium=0, size_unknown=1, moved_to_work=2,
    )  # fmt: skip
    assert (total.jobs, total.jobs_formerly_unemployed) == (10, 4)
    kel = {line.key: line.figures for line in report.kelurahan}
    assert list(kel) == ["31.74.06.1001", LB, PL, "31.74.06.1004", "31.74.06.1005"]
    assert (kel[PL].businesses, kel[PL].owners, kel[PL].jobs, kel[PL].moved_to_work) == (2, 1, 3, 1)
    assert (kel[LB].businesses, kel[LB].owners, kel[LB].jobs, kel[LB].moved_to_work) == (1, 1, 7, 1)
    assert kel["31.74.06.1001"] == JobFigures(moved_to_work=0)
    cat = {line.key: line.figures for line in report.categories}
    assert (cat["Kuliner"].businesses, cat["Kuliner"].owners, cat["Kuliner"].jobs) == (2, 2, 8)
    assert (cat["Kerajinan"].owners, cat["Kerajinan"].family_workers, cat["Kerajinan"].jobs) == (1, 2, 3)
    assert cat["Kuliner"].moved_to_work is None, "people who moved to work have no category"


def test_jobs_change_since_a_past_day(jobs_data) -> None:
    report = reporting.run(jobs_data, "jobs", as_of=TODAY, since=D(2026, 11, 12)).figures
    before, change = report.total.before, report.total.change
    assert before is not None and change is not None
    assert (before.paid_workers, before.micro, before.small, before.moved_to_work) == (4, 1, 1, 3)
    assert (change.paid_workers, change.moved_to_work, change.businesses, change.owners) == (2, -1, 0, 0)
    assert report.since == "2026-11-12" and report.as_of == "2026-11-27"


def test_jobs_as_of_an_earlier_day(jobs_data) -> None:
    total = reporting.run(jobs_data, "jobs", as_of=D(2026, 10, 31)).figures.total.figures
    assert (total.businesses, total.owners, total.paid_workers, total.moved_to_work) == (2, 1, 0, 1)


def test_jobs_refuses_a_since_after_the_day(jobs_data) -> None:
    with pytest.raises(ValidationError, match="since '2026-11-27': must be before the report's day"):
        reporting.run(jobs_data, "jobs", as_of=TODAY, since=TODAY)


# --- Pokja II ------------------------------------------------------------------------------------


@pytest.fixture
def groups_data(uow):
    small_criteria(uow)
    add = groups.add_group
    add(uow, {"name": "Melati", "kelurahan_code": "Pondok Labu", "formed_on": "2026-10-05"}, today=TODAY)
    add(uow, {"name": "Mawar", "kelurahan_code": "Lebak Bulus", "formed_on": "2026-10-06"}, today=TODAY)
    add(uow, {"name": "Kenanga", "kelurahan_code": "Pondok Labu", "formed_on": "2026-11-20"}, today=TODAY)
    groups.join(uow, "G0001", ["K0001", "K0002", "K0003"], on=D(2026, 10, 10), today=TODAY)
    groups.join(uow, "G0002", ["K0004", "K0005"], on=D(2026, 10, 10), today=TODAY)
    groups.leave(uow, "G0002", ["K0005"], on=D(2026, 11, 15), today=TODAY)
    groups.confirm(uow, {"G0001": "pemula"}, on=D(2026, 10, 20), today=TODAY)
    groups.update_group(uow, "G0001", {"capital": "1,5 jt", "bookkeeping": "ya"}, today=TODAY)
    groups.confirm(uow, {"G0001": "madya"}, on=D(2026, 11, 5), today=TODAY)
    return uow


def counts(line) -> dict[str, tuple[int, int]]:
    return {tier: (c.groups, c.members) for tier, c in line.tiers.items() if c.groups}


def test_pokja2_counts_groups_and_members_by_tier_at_the_end_of_the_period(groups_data) -> None:
    october = reporting.run(groups_data, "pokja2", period="2026-10", as_of=TODAY).figures
    assert (october.as_of, october.start, october.end) == ("2026-10-31", "2026-10-01", "2026-10-31")
    assert counts(october.total) == {"pemula": (1, 3), "unclassed": (1, 2)}
    november = reporting.run(groups_data, "pokja2", period="2026-11", as_of=TODAY).figures
    assert november.as_of == "2026-11-27", "a month still running counts today"
    assert counts(november.total) == {"madya": (1, 3), "unclassed": (2, 1)}
    assert (november.total.groups, november.total.members) == (3, 4)
    kel = {line.key: line for line in november.kelurahan}
    assert counts(kel[PL]) == {"madya": (1, 3), "unclassed": (1, 0)}
    assert counts(kel[LB]) == {"unclassed": (1, 1)}
    assert list(kel[PL].tiers) == ["pemula", "madya", "utama", "mandiri", "unclassed"]
    year = reporting.run(groups_data, "pokja2", period="2026", as_of=TODAY).figures
    assert (year.period, year.as_of) == ("2026", "2026-11-27")


@pytest.mark.parametrize(("period", "message"), [("2027", "is in the future"), ("2026-13", "write a year"),
                                                 ("Nov 2026", "write a year")])  # fmt: skip
def test_pokja2_periods(groups_data, period: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        reporting.run(groups_data, "pokja2", period=period, as_of=TODAY)


def test_pokja2_defaults_to_the_current_month(groups_data) -> None:
    assert reporting.run(groups_data, "pokja2", period=None, as_of=TODAY).figures.period == "2026-11"


# --- facilitation ---------------------------------------------------------------------------------


@pytest.fixture
def referral_data(jobs_data):
    uow = jobs_data

    def refer(business: str, need: str, agency: str, on: dt.date) -> str:
        return referrals.refer(uow, business, need=need, agency=agency, on=on, today=TODAY)["id"]

    def update(ident: str, on: dt.date, **raw: str) -> None:
        referrals.update(uow, ident, raw, on=on, today=TODAY)

    r1 = refer("U0001", "nib", "DPMPTSP (PTSP)", D(2026, 10, 10))
    update(r1, D(2026, 10, 12), status="contacted")
    update(r1, D(2026, 10, 20), status="done", nib="1234567890123")
    r2 = refer("U0001", "capital", "Bank DKI", D(2026, 10, 15))
    update(r2, D(2026, 11, 4), status="done", amount="5 jt", source="kur")
    r3 = refer("U0003", "capital", "Bank DKI", D(2026, 11, 2))
    update(r3, D(2026, 11, 6), status="done", amount="10 jt")
    r4 = refer("U0002", "halal", "Sudin PPKUKM", D(2026, 10, 8))
    update(r4, D(2026, 10, 20), status="in-progress")
    r5 = refer("U0003", "marketing", "Sudin PPKUKM", D(2026, 11, 5))
    update(r5, D(2026, 11, 10), status="closed", note="tidak berminat")
    refer("U0001", "mentoring", "OK OCE", D(2026, 11, 20))
    return uow


def figures(line) -> tuple:
    f = line.figures
    return (f.referred, f.open, f.done, f.closed, f.median_days_to_outcome, f.open_over_30, f.open_over_90,
            f.capital_received)  # fmt: skip


def test_facilitation_per_agency_and_need(referral_data) -> None:
    report = reporting.run(referral_data, "facilitation", as_of=TODAY).figures
    assert [(line.agency, line.need, figures(line)) for line in report.lines] == [
        ("Bank DKI", "capital", (2, 0, 2, 0, 12, 0, 0, 15_000_000)),
        ("DPMPTSP (PTSP)", "nib", (1, 0, 1, 0, 10, 0, 0, 0)),
        ("OK OCE", "mentoring", (1, 1, 0, 0, None, 0, 0, 0)),
        ("Sudin PPKUKM", "halal", (1, 1, 0, 0, None, 1, 0, 0)),
        ("Sudin PPKUKM", "marketing", (1, 0, 0, 1, None, 0, 0, 0)),
    ]
    assert [(line.agency, figures(line)) for line in report.agencies][-1] == (
        "Sudin PPKUKM",
        (2, 1, 0, 1, None, 1, 0, 0),
    )
    assert figures(report.total) == (6, 2, 3, 1, 10, 1, 0, 15_000_000)
    (late,) = report.overdue
    assert (late.id, late.business_id, late.kelurahan_code, late.status, late.since, late.days_open) == (
        "R0004",
        "U0002",
        PL,
        "in-progress",
        "2026-10-20",
        50,
    )


def test_facilitation_as_of_an_earlier_day(referral_data) -> None:
    report = reporting.run(referral_data, "facilitation", as_of=D(2026, 10, 25)).figures
    assert figures(report.total) == (3, 2, 1, 0, 10, 0, 0, 0)
    assert report.overdue == ()
