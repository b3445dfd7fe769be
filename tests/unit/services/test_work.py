"""Work status, business workers and turnover, and dated business follow-ups, on the in-memory
unit of work. Cadres (registered 2026-10-01): K0001-K0003 Pondok Labu, K0004-K0005 Lebak Bulus."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.services.conftest import TODAY
from up2k_cli.domain.errors import ValidationError, ValidationErrors
from up2k_cli.services import cadres, follow_ups, outcomes

D = dt.date


def add_business(uow, cadre: str = "K0001", **measures: str) -> str:
    raw = {"name": "Kue", "category": "kuliner", "started_on": "2026-10-05", **measures}
    return outcomes.add_business(uow, cadre, raw, today=TODAY)["id"]


def test_register_keeps_the_work_status_at_registration(uow) -> None:
    done = cadres.register(
        uow,
        {"nik": "3174065103900777", "name": "Ani Baru", "kelurahan": "Cipete", "rw": "1", "rt": "2",
         "address": "Jl. A", "consent": True, "work_status": "Mencari kerja"},
        today=TODAY,
    )  # fmt: skip
    assert done.record["work_status"] == "unemployed"
    with pytest.raises(ValidationErrors, match="work_status 'pensiun': unknown"):
        cadres.update(uow, done.record["id"], {"work_status": "pensiun"}, today=TODAY)
    cadres.update(uow, done.record["id"], {"work_status": "IRT"}, today=TODAY)
    with uow:
        assert uow.cadres.get(done.record["id"])["work_status"] == "housekeeping"


def test_income_follow_ups_carry_a_work_status(uow) -> None:
    record = outcomes.add_income(uow, "K0001", "2 jt", on=D(2026, 11, 1), today=TODAY, note=None,
                                 work_status="bekerja")  # fmt: skip
    assert record["work_status"] == "working"
    plain = outcomes.add_income(uow, "K0002", "2 jt", on=D(2026, 11, 1), today=TODAY, note=None)
    assert plain["work_status"] is None
    outcomes.update_income(uow, plain["id"], {"work_status": "sekolah"}, today=TODAY, reason="lupa")
    with uow:
        assert uow.incomes.get(plain["id"])["work_status"] == "school"


def test_a_baseline_takes_no_work_status(uow) -> None:
    with pytest.raises(ValidationError, match="cadre update K0004 --work-status"):
        outcomes.add_income(uow, "K0004", "1 jt", on=TODAY, today=TODAY, note=None, baseline=True,
                            work_status="working")  # fmt: skip


def test_business_add_records_owner_status_workers_and_turnover(uow) -> None:
    ident = add_business(uow, owner_status="dibantu buruh tetap", paid_workers="3", paid_were_unemployed="2",
                         paid_local="3", family_workers="1", turnover="Rp 12.500.000")  # fmt: skip
    with uow:
        record = uow.businesses.get(ident)
    assert {k: record[k] for k in ("owner_status", "family_workers", "paid_workers", "paid_were_unemployed",
                                   "paid_local", "turnover")} == {
        "owner_status": "helped-permanent", "family_workers": 1, "paid_workers": 3,
        "paid_were_unemployed": 2, "paid_local": 3, "turnover": 12_500_000,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("measures", "message"),
    [
        ({"owner_status": "sendiri", "paid_workers": "2"}, "an own-account worker has no helpers"),
        ({"paid_workers": "2", "paid_were_unemployed": "3"}, "is more than the 2 paid workers"),
        ({"paid_workers": "1", "paid_local": "2"}, "paid_local '2': is more than the 1 paid workers"),
        ({"owner_status": "helped-permanent", "paid_workers": "0"}, "needs at least one paid worker"),
        ({"owner_status": "helped-temporary", "paid_workers": "0", "family_workers": "0"}, "needs a helper"),
        ({"paid_workers": "-1"}, "paid_workers '-1': must be a whole number from 0 to 999"),
        ({"turnover": "banyak"}, "turnover 'banyak': not an amount"),
    ],
)
def test_workers_that_cannot_be_true_together_are_refused(uow, measures: dict, message: str) -> None:
    with pytest.raises(ValidationErrors, match=message):
        add_business(uow, **measures)
    with uow:
        assert uow.businesses.count() == 0


def test_business_update_checks_the_workers_with_what_is_recorded(uow) -> None:
    ident = add_business(uow, owner_status="own-account")
    with pytest.raises(ValidationErrors, match="an own-account worker has no helpers"):
        outcomes.update_business(uow, ident, {"family_workers": "1"}, today=TODAY)
    entry = outcomes.update_business(uow, ident, {"family_workers": "1", "owner_status": "helped-temporary"},
                                     today=TODAY)  # fmt: skip
    assert entry["changes"] == {
        "owner_status": ["own-account", "helped-temporary"],
        "family_workers": [None, 1],
    }


def test_a_follow_up_measures_some_things_and_carries_the_rest(uow) -> None:
    ident = add_business(uow, owner_status="helped-temporary", family_workers="1", turnover="5 jt")
    done = follow_ups.add_follow_up(uow, ident, {"paid_workers": "2", "owner_status": "helped-permanent"},
                                    on=D(2026, 11, 1), today=TODAY)  # fmt: skip
    assert done["id"] == "UF0001" and done["turnover"] is None, "the follow-up holds what it measured"
    assert done["state"] == {"owner_status": "helped-permanent", "family_workers": 1, "paid_workers": 2,
                             "paid_were_unemployed": None, "paid_local": None, "turnover": 5_000_000}  # fmt: skip


def test_follow_up_rules(uow) -> None:
    ident = add_business(uow)
    with pytest.raises(ValidationErrors, match="nothing measured"):
        follow_ups.add_follow_up(uow, ident, {"note": "kunjungan"}, on=D(2026, 11, 1), today=TODAY)
    with pytest.raises(ValidationErrors, match=r"is before U0001 started \(2026-10-05\)"):
        follow_ups.add_follow_up(uow, ident, {"paid_workers": "1"}, on=D(2026, 10, 1), today=TODAY)
    with pytest.raises(ValidationErrors, match="is in the future"):
        follow_ups.add_follow_up(uow, ident, {"paid_workers": "1"}, on=D(2026, 12, 1), today=TODAY)


def test_a_back_dated_follow_up_must_fit_the_later_ones(uow) -> None:
    ident = add_business(uow)
    follow_ups.add_follow_up(uow, ident, {"owner_status": "own-account"}, on=D(2026, 11, 10), today=TODAY)
    # Paid workers on 11-01 would carry into 11-10, where the owner works alone.
    with pytest.raises(ValidationErrors, match="an own-account worker has no helpers"):
        follow_ups.add_follow_up(uow, ident, {"paid_workers": "2"}, on=D(2026, 11, 1), today=TODAY)
    follow_ups.add_follow_up(uow, ident, {"turnover": "3 jt"}, on=D(2026, 11, 1), today=TODAY)
