"""Pure rules of issue 15: business size under PP 7/2021, a person's work status on a day, the
state of a business on a day, tier proposals, report periods, referral standing and ages."""

from __future__ import annotations

import datetime as dt

import pytest

from up2k_cli.domain import groups, work
from up2k_cli.domain.errors import ValidationError
from up2k_cli.domain.facilitation import facilitation_report, overdue_limit
from up2k_cli.domain.referrals import standing, write_through


@pytest.mark.parametrize(
    ("monthly", "size"),
    [
        (None, None),
        (0, "micro"),
        (166_666_666, "micro"),  # 12 x = 1,999,999,992: up to Rp 2 billion a year
        (166_666_667, "small"),  # 12 x = 2,000,000,004
        (1_250_000_000, "small"),  # 12 x = exactly Rp 15 billion
        (1_250_000_001, "medium"),
    ],
)
def test_size_class_follows_pp_7_2021_on_annual_sales(monthly: int | None, size: str | None) -> None:
    assert work.size_class(monthly) == size


def test_the_thresholds_are_annual_sales_of_2_and_15_billion() -> None:
    assert (work.MICRO_MAX_SALES, work.SMALL_MAX_SALES) == (2_000_000_000, 15_000_000_000)


CADRE = {"id": "K0001", "registered_on": "2026-10-01", "work_status": "unemployed"}


def income(on: str, status: str | None, ident: str = "I0001") -> dict:
    return {"id": ident, "on": on, "work_status": status}


def test_work_status_is_the_latest_thing_known() -> None:
    assert work.work_status_on(CADRE, [], [], "2026-09-30") is None, "not registered yet"
    assert work.work_status_on(CADRE, [], [], "2026-10-01") == "unemployed"
    assert work.work_status_on(CADRE, [], ["2026-10-05"], "2026-10-05") == "working", "an owner works"
    later = [income("2026-11-01", "unemployed")]
    assert work.work_status_on(CADRE, later, ["2026-10-05"], "2026-11-01") == "unemployed"
    assert work.work_status_on(CADRE, [income("2026-10-05", "unemployed")], ["2026-10-05"], "2026-10-05") == (
        "unemployed"
    ), "on one date a stated status beats the inference from a business"
    same_day = [income("2026-10-09", "school", "I0002"), income("2026-10-09", "working", "I0001")]
    assert work.work_status_on(CADRE, same_day, [], "2026-10-10") == "school", "the later recorded one"
    assert work.work_status_on(CADRE, [income("2026-10-09", None)], [], "2026-10-10") == "unemployed"


def test_business_state_on_a_day() -> None:
    business = {"owner_status": "own-account", "family_workers": None, "paid_workers": 0, "turnover": 1}
    f1 = {"id": "UF0002", "on": "2026-11-01", "paid_workers": 2, "owner_status": "helped-temporary"}
    f2 = {"id": "UF0010", "on": "2026-11-01", "paid_workers": 3}
    state = work.business_state(business, [f2, f1], "2026-11-01")
    assert (state["paid_workers"], state["owner_status"], state["turnover"]) == (3, "helped-temporary", 1)
    assert work.business_state(business, [f1, f2], "2026-10-31")["paid_workers"] == 0


FACTS = groups.Facts(members=12, capital=6_000_000, bookkeeping=True, savings_loans=False, reach="kecamatan")


def test_proposal_climbs_until_the_first_tier_missed() -> None:
    criteria = groups.tier_criteria({})
    found = groups.propose(FACTS, criteria)
    assert (found.tier, found.next_tier) == ("madya", "utama")
    assert [str(x) for x in found.lacks] == [
        "members 12 of 15",
        "joint capital Rp 6.000.000 of Rp 25.000.000",
    ]
    everything = groups.Facts(members=30, capital=10**9, bookkeeping=True, savings_loans=True, reach="beyond")
    assert groups.propose(everything, criteria) == groups.Proposal("mandiri", None, ())


def test_criteria_settings_fill_in_from_the_starting_point() -> None:
    criteria = groups.tier_criteria({"group_tiers": {"pemula": {"members": 3}}})
    assert criteria["pemula"]["members"] == 3 and criteria["pemula"]["capital"] == 0
    assert criteria["mandiri"] == groups.DEFAULT_TIER_CRITERIA["mandiri"]


@pytest.mark.parametrize(
    ("value", "start", "end", "day"),
    [
        ("2026", "2026-01-01", "2026-12-31", "2026-11-27"),
        ("2025", "2025-01-01", "2025-12-31", "2025-12-31"),
        ("2026-02", "2026-02-01", "2026-02-28", "2026-02-28"),
        ("2024-2", "2024-02-01", "2024-02-29", "2024-02-29"),
        ("2025-12", "2025-12-01", "2025-12-31", "2025-12-31"),
        (None, "2026-11-01", "2026-11-30", "2026-11-27"),
    ],
)
def test_periods(value: str | None, start: str, end: str, day: str) -> None:
    period = groups.parse_period(value, dt.date(2026, 11, 27))
    assert (period.start.isoformat(), period.end.isoformat(), period.day.isoformat()) == (start, end, day)


def test_membership_and_tier_as_of_a_day() -> None:
    m = {"joined_on": "2026-10-10", "left_on": "2026-11-15"}
    assert [groups.member_on(m, d) for d in ("2026-10-09", "2026-10-10", "2026-11-14", "2026-11-15")] == [
        False, True, True, False
    ]  # fmt: skip
    tiers = [
        {"id": "T0002", "tier": "madya", "on": "2026-11-05"},
        {"id": "T0001", "tier": "pemula", "on": "2026-10-20"},
    ]
    assert groups.tier_on(tiers, "2026-10-19") is None
    assert groups.tier_on(tiers, "2026-11-04")["tier"] == "pemula"
    assert groups.tier_on(tiers, "2026-11-05")["tier"] == "madya"


REFERRAL = {"id": "R0001", "business_id": "U0001", "agency": "A", "need": "nib", "referred_on": "2026-08-01"}


def test_open_referrals_past_30_and_90_days() -> None:
    report = facilitation_report(dt.date(2026, 10, 31), [REFERRAL], [], {"U0001": "31.74.06.1001"})
    total = report.total.figures
    assert (total.open, total.open_over_30, total.open_over_90) == (1, 1, 1)  # 91 days
    assert report.overdue[0].days_open == 91 and report.overdue[0].kelurahan_code == "31.74.06.1001"
    exactly = facilitation_report(dt.date(2026, 10, 30), [REFERRAL], [], {}).total.figures
    assert (exactly.open_over_30, exactly.open_over_90) == (1, 0), "90 days is not older than 90"
    month = facilitation_report(dt.date(2026, 8, 31), [REFERRAL], [], {}).total.figures
    assert month.open_over_30 == 0, "30 days is not older than 30"
    assert facilitation_report(dt.date(2026, 7, 31), [REFERRAL], [], {}).total.figures.referred == 0


def test_standing_and_write_through() -> None:
    done = {"id": "RU0001", "referral_id": "R0001", "on": "2026-08-20", "status": "done", "outcome": "nib",
            "nib": "1234567890123"}  # fmt: skip
    assert standing(REFERRAL, [done], "2026-08-19").status == "referred"
    assert standing(REFERRAL, [done], "2026-08-20").final == done
    assert write_through(done).business == {"nib": "1234567890123"}
    assert write_through({**done, "outcome": "capital"}).step == "permodalan"
    assert write_through({**done, "status": "in-progress"}).step is None


def test_a_bad_period_names_the_fix() -> None:
    with pytest.raises(ValidationError, match="write a year"):
        groups.parse_period("27/11/2026", dt.date(2026, 11, 27))


def test_the_overdue_list_is_cut_to_the_oldest_and_counted_in_full() -> None:
    late = [{**REFERRAL, "id": f"R{n:04d}", "referred_on": f"2026-08-{d:02d}"}
            for n, d in ((1, 5), (2, 3), (3, 3), (4, 1), (5, 9))]  # fmt: skip
    day = dt.date(2026, 10, 31)
    every = facilitation_report(day, late, [], {}, overdue_listed=None)
    assert [o.id for o in every.overdue] == ["R0004", "R0002", "R0003", "R0001", "R0005"]
    assert every.overdue_total == every.total.figures.open_over_30 == 5
    oldest = [o.id for o in every.overdue]
    for limit, ids in ((2, oldest[:2]), (0, []), ("all", oldest), ("9", oldest), (5, oldest)):
        report = facilitation_report(day, late, [], {}, overdue_listed=limit)
        assert [o.id for o in report.overdue] == ids
        assert report.overdue_total == 5 and report.total == every.total
    assert len(facilitation_report(day, late * 5, [], {}).overdue) == 20  # the default, OVERDUE_LISTED


@pytest.mark.parametrize(
    ("value", "limit"), [(None, None), ("all", None), (" All ", None), (0, 0), ("0", 0), ("20", 20), (7, 7)]
)
def test_overdue_limit(value, limit) -> None:
    assert overdue_limit(value) == limit


@pytest.mark.parametrize("value", [-1, "-1", "", "x", "2.5", 2.5, True, "１２"])
def test_overdue_limit_refuses(value) -> None:
    with pytest.raises(ValidationError, match="use a whole number from 0, or all to list every one"):
        overdue_limit(value)
