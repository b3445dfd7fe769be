"""Referrals on the in-memory unit of work: dated updates in order, outcomes writing through to the
business's NIB, P-IRT and halal flag and to its owner's 7 PAS steps, closing needs a reason.

Cadres (registered 2026-10-01): K0001-K0003 Pondok Labu, K0004-K0005 Lebak Bulus.
U0001 K0001 Kuliner started 2026-10-05; U0002 K0002 Kerajinan started 2026-10-06 with a P-IRT."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.services.conftest import TODAY
from up2k_cli.domain.errors import NotFound, RuleViolation, ValidationError, ValidationErrors
from up2k_cli.domain.timeline import steps_by_cadre
from up2k_cli.reports.load import snapshot
from up2k_cli.services import outcomes, referrals

D = dt.date
NIB = "1234567890123"


@pytest.fixture
def biz(uow):
    outcomes.add_business(uow, "K0001", {"name": "Kue Ani", "category": "kuliner", "started_on": "2026-10-05"},
                          today=TODAY)  # fmt: skip
    outcomes.add_business(uow, "K0002", {"name": "Tas Daur Ulang", "category": "kerajinan",
                                         "started_on": "2026-10-06", "pirt": "206317401234567"},
                          today=TODAY, licensed_on=D(2026, 10, 7))  # fmt: skip
    return uow


def refer(uow, business: str = "U0001", need: str = "nib", agency: str | None = "DPMPTSP (PTSP)",
          on: dt.date = D(2026, 10, 10)) -> str:  # fmt: skip
    return referrals.refer(uow, business, need=need, agency=agency, on=on, today=TODAY)["id"]


def steps(uow, cadre: str) -> dict[str, str]:
    with uow:
        return steps_by_cadre(snapshot(uow, TODAY))[cadre]


def business(uow, ident: str) -> dict:
    with uow:
        return uow.businesses.get(ident)


def test_refer_makes_a_dated_referral_with_its_own_ids(biz) -> None:
    assert refer(biz) == "R0001"
    assert refer(biz, need="halal", agency=None) == "R0002"
    with biz:
        second = biz.referrals.get("R0002")
    assert second["agency"] == "Sudin PPKUKM", "no agency named: the category's agency from the map"
    assert refer(biz, need="pirt", agency=None) == "R0003"
    with biz:
        assert biz.referrals.get("R0003")["agency"] == "DPMPTSP (PTSP)", "licences: the one-stop service"


def test_agency_names_are_spelt_as_the_map_spells_them(biz) -> None:
    refer(biz, agency="sudin  ppkukm", need="capital")
    with biz:
        assert biz.referrals.get("R0001")["agency"] == "Sudin PPKUKM"
    refer(biz, agency="Bank DKI", need="marketing")
    with biz:
        assert biz.referrals.get("R0002")["agency"] == "Bank DKI"


def test_one_open_referral_per_business_and_need(biz) -> None:
    refer(biz)
    with pytest.raises(RuleViolation, match=r"U0001 is already referred for nib \(R0001, referred\)"):
        refer(biz, on=D(2026, 10, 12))
    referrals.update(
        biz, "R0001", {"status": "closed", "note": "tidak datang"}, on=D(2026, 10, 20), today=TODAY
    )
    assert refer(biz, on=D(2026, 10, 21)) == "R0002", "closed: the business may be referred again"


def test_refer_before_the_business_started_is_refused(biz) -> None:
    with pytest.raises(ValidationError, match=r"is before U0001 started \(2026-10-05\)"):
        refer(biz, on=D(2026, 10, 1))


def test_nib_issued_fills_the_business_and_its_perizinan_step(biz) -> None:
    refer(biz)
    referrals.update(biz, "R0001", {"status": "contacted"}, on=D(2026, 10, 12), today=TODAY)
    done = referrals.update(biz, "r0001", {"status": "done", "nib": NIB}, on=D(2026, 10, 20), today=TODAY)
    assert done.update["outcome"] == "nib", "done for a need of NIB: the outcome is an NIB"
    assert done.business == {"nib": [None, NIB], "licensed_on": [None, "2026-10-20"]}
    assert business(biz, "U0001")["nib"] == NIB
    assert steps(biz, "K0001")["perizinan"] == "2026-10-20"


def test_an_earlier_licence_date_is_kept(biz) -> None:
    refer(biz, "U0002")
    referrals.update(biz, "R0001", {"status": "done", "nib": NIB}, on=D(2026, 10, 20), today=TODAY)
    record = business(biz, "U0002")
    assert (record["nib"], record["licensed_on"]) == (NIB, "2026-10-07"), "licensed by its P-IRT already"


def test_a_different_nib_already_recorded_is_a_conflict(biz) -> None:
    outcomes.update_business(biz, "U0001", {"nib": "9999999999999"}, today=TODAY)
    refer(biz)
    with pytest.raises(
        RuleViolation, match="business U0001 already has nib 9999999999999, not 1234567890123"
    ):
        referrals.update(biz, "R0001", {"status": "done", "nib": NIB}, on=D(2026, 10, 20), today=TODAY)
    with biz:
        assert biz.referral_updates.count() == 0, "nothing was written"


def test_an_nib_another_business_holds_is_refused(biz) -> None:
    outcomes.update_business(biz, "U0002", {"nib": NIB}, today=TODAY)
    refer(biz)
    with pytest.raises(RuleViolation, match="already belongs to business U0002"):
        referrals.update(biz, "R0001", {"status": "done", "nib": NIB}, on=D(2026, 10, 20), today=TODAY)


def test_pirt_and_halal_write_through(biz) -> None:
    refer(biz, need="pirt")
    refer(biz, need="halal", agency="Sudin PPKUKM")
    referrals.update(
        biz, "R0001", {"status": "done", "pirt": "206317409876543"}, on=D(2026, 11, 1), today=TODAY
    )
    referrals.update(biz, "R0002", {"status": "done"}, on=D(2026, 11, 2), today=TODAY)
    record = business(biz, "U0001")
    assert (record["pirt"], record["licensed_on"], record["halal"]) == ("206317409876543", "2026-11-01", True)


def test_capital_received_records_permodalan_with_amount_and_source(biz) -> None:
    refer(biz, need="capital", agency="Bank DKI")
    done = referrals.update(
        biz,
        "R0001",
        {"status": "done", "amount": "Rp 10.000.000", "source": "kur"},
        on=D(2026, 11, 3),
        today=TODAY,
    )
    assert (done.update["amount"], done.update["source"]) == (10_000_000, "kur")
    assert done.step is not None and done.step["note"] == "R0001 KUR Rp 10.000.000"
    assert steps(biz, "K0001")["permodalan"] == "2026-11-03"


def test_an_outcome_earlier_than_a_recorded_step_moves_the_step(biz) -> None:
    outcomes.record_step(biz, "K0001", "pemasaran", on=D(2026, 11, 20), today=TODAY, note="bazar")
    refer(biz, need="marketing", agency="Sudin PPKUKM")
    referrals.update(
        biz, "R0001", {"status": "done", "note": "Bazar JakPreneur"}, on=D(2026, 11, 10), today=TODAY
    )
    assert steps(biz, "K0001")["pemasaran"] == "2026-11-10"
    with biz:
        (step,) = biz.steps.find(cadre_id="K0001", step="pemasaran")
    assert step["note"] == "R0001 Bazar JakPreneur"


def test_mentoring_done_needs_no_outcome(biz) -> None:
    refer(biz, need="mentoring", agency="OK OCE")
    done = referrals.update(biz, "R0001", {"status": "done"}, on=D(2026, 11, 3), today=TODAY)
    assert done.update["outcome"] is None and done.business == {} and done.step is None


def test_closing_without_result_needs_a_reason(biz) -> None:
    refer(biz)
    with pytest.raises(ValidationErrors, match=r"note \(empty\): required to close without result: say why"):
        referrals.update(biz, "R0001", {"status": "closed"}, on=D(2026, 10, 20), today=TODAY)


def test_a_finished_referral_takes_no_more_updates(biz) -> None:
    refer(biz)
    referrals.update(biz, "R0001", {"status": "closed", "note": "pindah"}, on=D(2026, 10, 20), today=TODAY)
    with pytest.raises(RuleViolation, match=r"referral R0001 is closed without result since 2026-10-20"):
        referrals.update(biz, "R0001", {"status": "contacted"}, on=D(2026, 10, 21), today=TODAY)


def test_updates_are_recorded_in_date_order(biz) -> None:
    refer(biz)
    referrals.update(biz, "R0001", {"status": "in-progress"}, on=D(2026, 10, 15), today=TODAY)
    with pytest.raises(
        ValidationErrors, match="is before 2026-10-15, when R0001 was referred or last updated"
    ):
        referrals.update(biz, "R0001", {"status": "contacted"}, on=D(2026, 10, 14), today=TODAY)
    with pytest.raises(ValidationErrors, match="is in the future"):
        referrals.update(biz, "R0001", {"status": "contacted"}, on=D(2026, 12, 1), today=TODAY)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"status": "done"}, "nib (empty): required for outcome nib: give --nib"),
        ({"status": "contacted", "outcome": "nib"}, "outcome 'nib': goes with --status done"),
        ({"status": "done", "amount": "5 jt"}, "amount '5 jt': goes with --status done --outcome capital"),
        ({"status": "done", "nib": "123"}, "nib '123': an NIB is 13 digits"),
        ({"status": "selesai", "outcome": "capital"}, "amount (empty): required for outcome capital"),
        ({"status": "finished?"}, "status 'finished?': unknown"),
    ],
)
def test_update_input_is_checked_field_by_field(biz, raw: dict, message: str) -> None:
    refer(biz)
    with pytest.raises(ValidationErrors) as caught:
        referrals.update(biz, "R0001", raw, on=D(2026, 10, 20), today=TODAY)
    assert message in str(caught.value)


def test_list_and_page(biz) -> None:
    refer(biz)
    refer(biz, "U0002", need="capital", agency="Bank DKI", on=D(2026, 10, 7))
    referrals.update(biz, "R0002", {"status": "done", "amount": "3 jt"}, on=D(2026, 10, 27), today=TODAY)
    rows = {r["id"]: r for r in referrals.list_referrals(biz, today=TODAY)}
    assert (rows["R0001"]["status"], rows["R0001"]["days"]) == ("referred", 48)
    assert (rows["R0002"]["status"], rows["R0002"]["days"], rows["R0002"]["outcome"]) == (
        "done",
        20,
        "capital",
    )
    assert [r["id"] for r in referrals.list_referrals(biz, today=TODAY, open_only=True)] == ["R0001"]
    assert [r["id"] for r in referrals.list_referrals(biz, today=TODAY, status="selesai")] == ["R0002"]
    assert [r["id"] for r in referrals.list_referrals(biz, today=TODAY, agency="bank dki")] == ["R0002"]
    page = referrals.referral_page(biz, "R0002", today=TODAY)
    assert [u["status"] for u in page.updates] == ["done"]
    assert [h["entity"] for h in page.history] == ["referral", "referral-update"]
    with pytest.raises(NotFound, match="referral 'R0009' not found"):
        referrals.referral_page(biz, "r0009", today=TODAY)


def test_forget_erases_the_person_from_referrals_follow_ups_and_groups(biz) -> None:
    from up2k_cli.services import follow_ups, groups, maintenance

    mark = "Zqvmark"
    follow_ups.add_follow_up(biz, "U0001", {"paid_workers": "1", "note": f"kunjungan {mark}"}, on=TODAY,
                             today=TODAY)  # fmt: skip
    groups.add_group(biz, {"name": "Melati", "kelurahan_code": "Pondok Labu", "formed_on": "2026-10-05"},
                     today=TODAY)  # fmt: skip
    groups.join(biz, "G0001", ["K0001", "K0002"], on=D(2026, 10, 10), today=TODAY)
    groups.leave(biz, "G0001", ["K0001"], on=D(2026, 11, 1), today=TODAY, reason=f"pindah {mark}")
    referrals.refer(biz, "U0001", need="nib", agency="DPMPTSP", on=D(2026, 10, 10), today=TODAY, note=mark)
    referrals.update(
        biz, "R0001", {"status": "done", "nib": NIB, "note": mark}, on=D(2026, 10, 20), today=TODAY
    )
    assert mark.encode() in repr(biz.data()).encode()
    maintenance.forget(biz, "K0001", "permintaan", TODAY)
    assert mark not in repr(biz.data()) and NIB not in repr(biz.data())
    with biz:  # anonymous counts stay: the referral, its outcome, the membership's dates
        assert biz.referral_updates.get("RU0001")["outcome"] == "nib"
        assert biz.memberships.get("M0001")["left_on"] == "2026-11-01"
        assert biz.business_follow_ups.get("UF0001")["paid_workers"] == 1
