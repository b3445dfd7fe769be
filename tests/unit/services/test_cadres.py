"""Cadre use cases on the in-memory unit of work: register, update, status, lists, pages."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.services.conftest import TODAY
from up2k_cli.domain.errors import (
    DuplicateWarning,
    NotFound,
    RuleViolation,
    ValidationError,
    ValidationErrors,
)
from up2k_cli.services import batches, cadres, outcomes

NEW = {"nik": "3174065103900777", "name": "Ani Baru", "kelurahan": "cipete", "rw": "1", "rt": "2",
       "address": "Jl. A", "phone": "0812-0000-0001", "consent": True}  # fmt: skip


def test_register_gives_the_next_id_and_one_commit(uow) -> None:
    done = cadres.register(uow, NEW, today=TODAY)
    assert done.record["id"] == "K0006"
    assert done.kelurahan == "Cipete Selatan"
    assert done.record["name_key"] == "anibaru"
    assert uow.committed == 2  # the fixture's import, this register


def test_a_known_nik_is_refused_naming_who_has_it(uow) -> None:
    with uow:
        nik = uow.cadres.get("K0001")["nik"]
    with pytest.raises(RuleViolation, match=r"already registered as K0001 \(Kader 1\)"):
        cadres.register(uow, {**NEW, "nik": nik}, today=TODAY)


def test_answers_are_checked_one_at_a_time_and_nothing_is_written(uow) -> None:
    check = cadres.answer_checker(uow, today=TODAY)
    with uow:
        taken = uow.cadres.get("K0001")["nik"]
    assert check("kelurahan", "cipete") == "31.74.06.1005"
    assert check("rt", "7") == "007"
    assert check("phone", " ") is None and check("income", "1,5 jt") == 1_500_000
    with pytest.raises(ValidationError, match="nik '123'"):
        check("nik", "123")
    with pytest.raises(RuleViolation, match="already registered as K0001"):
        check("nik", taken)
    with pytest.raises(ValidationError, match="address"):
        check("address", "  ")
    assert check("nik", NEW["nik"]) == NEW["nik"]
    assert uow.committed == 1  # only the fixture's import


def test_a_likely_twin_needs_force(uow) -> None:
    with uow:
        first = uow.cadres.get("K0001")
    twin = {**NEW, "name": "KADER\u200b 1", "kelurahan": "Pondok Labu",
            "nik": first["nik"][:12] + "9999"}  # fmt: skip
    with pytest.raises(DuplicateWarning, match="looks already registered as K0001"):
        cadres.register(uow, twin, today=TODAY)
    assert cadres.register(uow, twin, today=TODAY, force=True).record["id"] == "K0006"


def test_a_shared_phone_is_warned_about(uow) -> None:
    done = cadres.register(uow, {**NEW, "phone": "0812-0000-0001"}, today=TODAY)
    assert done.warnings == [
        "Warning: phone +6281200000001 is also the phone of K0001 (Kader 1); check it is right"
    ]


def test_update_checks_as_register_does_and_records_old_values(uow) -> None:
    with pytest.raises(ValidationErrors, match="phone"):
        cadres.update(uow, "K0001", {"phone": "0812-345"}, today=TODAY)
    done = cadres.update(uow, "K0001", {"address": "Jl. Baru 2"}, today=TODAY)
    assert done.entry["changes"] == {"address": ["Jl. Melati No. 1", "Jl. Baru 2"]}
    with pytest.raises(ValidationError, match="nothing to change"):
        cadres.update(uow, "K0001", {}, today=TODAY)


def test_status_changes_are_dated_and_not_before_registration(uow) -> None:
    with pytest.raises(ValidationError, match="before K0001's last registration"):
        cadres.set_status(uow, "K0001", False, "pindah", on=dt.date(2026, 9, 1), today=TODAY)
    record = cadres.set_status(uow, "K0001", False, "pindah", on=dt.date(2026, 11, 1), today=TODAY)
    assert record["status_log"] == [{"status": "inactive", "on": "2026-11-01", "reason": "pindah"}]
    with pytest.raises(RuleViolation, match="already inactive"):
        cadres.set_status(uow, "K0001", False, "x", on=TODAY, today=TODAY)


def test_find_by_id_or_nik(uow) -> None:
    with uow:
        nik = uow.cadres.get("K0002")["nik"]
    assert [c["id"] for c in cadres.list_cadres(uow, search=nik[-5:])] == ["K0002"]
    with pytest.raises(NotFound, match="cadre K0099 not found"):
        cadres.page(uow, "k0099", today=TODAY)


def test_search_ignores_case_punctuation_and_diacritics(uow) -> None:
    cadres.update(uow, "K0003", {"name": "Nur'aini Sétiawati"}, today=TODAY)
    assert [c["id"] for c in cadres.list_cadres(uow, search="NURAINI setiawati")] == ["K0003"]


def test_the_follow_up_lists(uow) -> None:
    batches.add(uow, TODAY, code="B01", title="T", start="2026-11-01", end="2026-11-20", min_attendance=0)
    batches.enroll(uow, "B01", ["K0001", "K0002"], on=dt.date(2026, 11, 1), today=TODAY)
    batches.complete(uow, "B01", ["K0001", "K0002"], on=dt.date(2026, 11, 20), today=TODAY)
    outcomes.add_business(uow, "K0002", {"name": "Kue", "category": "kuliner"}, today=TODAY)
    assert [c["id"] for c in cadres.list_cadres(uow, trained_no_business=True)] == ["K0001"]
    outcomes.add_income(uow, "K0004", "2 jt", on=dt.date(2026, 11, 10), today=TODAY, note=None)
    stale = cadres.list_cadres(uow, no_follow_up_since=dt.date(2026, 10, 15))
    assert [c["id"] for c in stale] == ["K0001", "K0002", "K0003", "K0005"]
    cadres.update(uow, "K0005", {"phone": ""}, today=TODAY)
    assert [c["id"] for c in cadres.list_cadres(uow, incomplete=True)] == ["K0005"]


def test_a_list_with_whole_niks_is_recorded(uow) -> None:
    cadres.list_cadres(uow, kelurahan="lebak", show_nik=True)
    with uow:
        (entry,) = uow.files.all()
    assert (entry["what"], entry["path"], entry["records"], entry["cadres"]) == (
        "cadre list --show-nik", "(stdout)", 2, [["K0004", "K0005"]],
    )  # fmt: skip


def test_a_page_costs_one_persons_records(uow) -> None:
    outcomes.add_income(uow, "K0001", "2 jt", on=dt.date(2026, 11, 10), today=TODAY, note="survei")
    outcomes.add_income(uow, "K0002", "3 jt", on=dt.date(2026, 11, 10), today=TODAY, note=None)
    page = cadres.page(uow, "K0001", today=TODAY)
    assert [r["kind"] for r in page.incomes] == ["follow-up"]
    assert [s["step"] for s in page.steps] == ["pendaftaran"]
    assert page.cadre["sex"] == "F" and page.cadre["kelurahan"] == "Pondok Labu"
