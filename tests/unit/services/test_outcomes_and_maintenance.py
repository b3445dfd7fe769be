"""Businesses, steps, incomes, the agency map, import, check, history and erasure on the in-memory
unit of work."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.enrollment_data import cadres_csv
from tests.unit.services.conftest import TODAY
from up2k_cli.domain.errors import RuleViolation, ValidationError
from up2k_cli.services import cadres, importer, maintenance, outcomes

D = dt.date(2026, 11, 10)


# --- businesses, steps, incomes ----------------------------------------------------------------


def test_a_business_with_an_nib_is_licensed_and_its_nib_unique(uow) -> None:
    record = outcomes.add_business(uow, "K0001", {"name": "Kue", "category": "kuliner", "nib": "1234567890123"},
                                   today=TODAY, licensed_on=D)  # fmt: skip
    assert (record["id"], record["licensed_on"]) == ("U0001", "2026-11-10")
    with pytest.raises(RuleViolation, match="already belongs to business U0001"):
        outcomes.add_business(
            uow, "K0002", {"name": "X", "category": "jasa", "nib": "1234567890123"}, today=TODAY
        )
    steps = cadres.page(uow, "K0001", today=TODAY).steps
    assert [(s["step"], s["on"]) for s in steps][-1] == ("perizinan", "2026-11-10")


def test_an_inactive_cadre_gets_no_business(uow) -> None:
    cadres.set_status(uow, "K0003", False, "pindah", on=D, today=TODAY)
    with pytest.raises(RuleViolation, match="K0003 is inactive"):
        outcomes.add_business(uow, "K0003", {"name": "X", "category": "jasa"}, today=TODAY)


def test_steps_recorded_once_and_automatic_ones_refused(uow) -> None:
    _, new = outcomes.record_step(uow, "K0001", "pemasaran", on=D, today=TODAY, note="bazar")
    _, again = outcomes.record_step(uow, "K0001", "marketing", on=D, today=TODAY, note=None)
    assert (new, again) == (True, False)
    with pytest.raises(RuleViolation, match="reached at registration"):
        outcomes.record_step(uow, "K0001", "pendaftaran", on=D, today=TODAY, note=None)
    outcomes.remove_step(uow, "K0001", "pemasaran", reason="salah")
    with pytest.raises(RuleViolation, match="no recorded step pemasaran"):
        outcomes.remove_step(uow, "K0001", "pemasaran", reason="x")


def test_income_follow_ups_and_their_corrections(uow) -> None:
    record = outcomes.add_income(uow, "K0001", "Rp 2.000.000", on=D, today=TODAY, note=None)
    entry = outcomes.update_income(uow, record["id"], {"amount": "2,5 jt"}, today=TODAY, reason="ketik")
    assert entry["changes"] == {"amount": [2_000_000, 2_500_000]} and entry["reason"] == "ketik"
    with pytest.raises(ValidationError, match="before K0001 registered"):
        outcomes.update_income(uow, record["id"], {"on": "2026-01-01"}, today=TODAY, reason="x")
    outcomes.remove_income(uow, record["id"], reason="ganda")
    assert cadres.page(uow, "K0001", today=TODAY).incomes == []


def test_a_baseline_only_once(uow) -> None:
    outcomes.add_income(uow, "K0001", "1 jt", on=D, today=TODAY, note=None, baseline=True)
    with pytest.raises(RuleViolation, match=r"already has a baseline of Rp 1\.000\.000"):
        outcomes.add_income(uow, "K0001", "2 jt", on=D, today=TODAY, note=None, baseline=True)


def test_the_agency_map_changes_in_one_write(uow) -> None:
    change, current = outcomes.change_agency_map(uow, category="urban farming", agency="Sudin KPKP Selatan",
                                                 licensing="PTSP")  # fmt: skip
    assert (change.category, change.old, change.new) == ("Pertanian perkotaan/Perikanan", "Sudin KPKP",
                                                        "Sudin KPKP Selatan")  # fmt: skip
    assert current["licensing_agency"] == "PTSP"
    _, reset = outcomes.change_agency_map(uow, reset=True)
    assert reset["agency_map"]["Pertanian perkotaan/Perikanan"] == "Sudin KPKP"


# --- import ----------------------------------------------------------------------------------


def test_import_is_all_or_nothing_and_names_every_bad_row(uow) -> None:
    fresh = cadres_csv({"Cipete Selatan": 2}).replace("317406", "327506")  # NIKs not registered yet
    text = fresh.replace("Cipete Selatan", "Cipete Sltn", 1)
    with pytest.raises(importer.ImportRefused, match="1 of 2 rows are invalid; nothing was imported") as info:
        importer.import_cadres(uow, importer.read_csv(text.encode()), today=TODAY, source_name="x.csv")
    assert [e.row for e in info.value.result.errors] == [1]
    with uow:
        assert uow.cadres.count() == 5


def test_import_updates_known_niks_on_request(uow) -> None:
    text = cadres_csv({"Pondok Labu": 1}).replace("Jl. Melati No. 1", "Jl. Kenanga 9")
    done = importer.import_cadres(uow, importer.read_csv(text.encode()), today=TODAY, source_name="x.csv",
                                  on_duplicate="update")  # fmt: skip
    assert (done.created, done.updated) == ([], ["K0001"])
    with uow:
        assert uow.cadres.get("K0001")["address"] == "Jl. Kenanga 9"


# --- check, history, erasure -------------------------------------------------------------------


def test_check_finds_what_the_commands_would_refuse(uow) -> None:
    assert maintenance.check(uow, TODAY) == []
    with uow:
        uow.cadres.update_many({"K0002": {"nik": "3174060202850000"}})
        uow.commit()
    problems = maintenance.check(uow, TODAY)
    assert [(p.table, p.record) for p in problems] == [("cadres", "K0002")]
    assert "serial (last 4 digits) cannot be 0000" in problems[0].problem


def test_history_by_record_and_the_look_at_whole_niks_recorded(uow) -> None:
    cadres.update(uow, "K0001", {"nik": "3174064101850099"}, today=TODAY)
    entries = maintenance.history(uow, ref="k0001", show_nik=True)
    assert [h["action"] for h in entries] == ["create", "update"]
    assert maintenance.history(uow, entity="export")[-1]["action"] == "personal-data-access"


def test_forget_keeps_counts_and_is_final(uow) -> None:
    outcomes.add_income(uow, "K0001", "2 jt", on=D, today=TODAY, note="survei rumah")
    done = maintenance.forget(uow, "K0001", "permintaan", TODAY)
    assert done.backups is None and done.backups_left == 0 and done.files == []
    with uow:
        cadre = uow.cadres.get("K0001")
        (income,) = uow.incomes.all()
    assert (cadre["name"], cadre["nik"], cadre["erased_on"]) == ("(erased)", None, "2026-11-27")
    assert (income["amount"], income["note"]) == (2_000_000, None)
    with pytest.raises(RuleViolation, match="already erased"):
        maintenance.forget(uow, "K0001", "lagi", TODAY)
    with pytest.raises(RuleViolation, match="was erased; it cannot be changed"):
        cadres.update(uow, "K0001", {"phone": "0812-1111-2222"}, today=TODAY)
