"""Batch and enrollment use cases on the in-memory unit of work: closing, correcting, mending."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.services.conftest import TODAY
from up2k_cli.domain.errors import RuleViolation, ValidationError, ValidationErrors
from up2k_cli.services import batches

START = dt.date(2026, 11, 1)


def add(uow, code="B01", **fields):  # type: ignore[no-untyped-def]
    values = {"title": "Pelatihan", "start": "2026-11-01", "end": "2026-11-20", "sessions": 4,
              "min_attendance": 75, "capacity": 100, "quota_per_kelurahan": 20, **fields}  # fmt: skip
    return batches.add(uow, TODAY, code=code, **values)


def enrollment(uow, cadre_id, code="B01"):  # type: ignore[no-untyped-def]
    with uow:
        return next(e for e in uow.enrollments.find(batch=code) if e["cadre_id"] == cadre_id)


def attend_all(uow, refs, sessions, code="B01"):  # type: ignore[no-untyped-def]
    for s in sessions:
        batches.attend(uow, code, s, refs, on=START + dt.timedelta(days=s), today=TODAY)


# --- batch update and reopen -------------------------------------------------------------------


def test_update_changes_the_given_fields_with_a_reason_in_the_history(uow) -> None:
    add(uow)
    entry = batches.update(uow, "b01", {"title": "Angkatan 1", "venue": "Aula"}, reason="judul salah")
    assert entry["changes"] == {"title": ["Pelatihan", "Angkatan 1"], "venue": [None, "Aula"]}
    with uow:
        assert uow.batches.get("B01")["title"] == "Angkatan 1"
        assert uow.history.all()[-1]["reason"] == "judul salah"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"capacity": 2}, "capacity 2 is below the 3 places held"),
        ({"quota_per_kelurahan": 1}, "quota 1 is below the places held by 31.74.06.1003 (2)"),
        ({"sessions": 1}, "1 sessions, but session 2 has attendance recorded"),
        (
            {"start": "2026-11-05"},
            "start 2026-11-05 is after attendance or completion recorded on 2026-11-02",
        ),
    ],
)
def test_update_is_refused_when_the_records_would_break_a_rule(uow, fields, problem) -> None:
    add(uow)
    batches.enroll(uow, "B01", ["K0001", "K0002", "K0004"], on=START, today=TODAY)
    attend_all(uow, ["K0001"], [1, 2])
    with pytest.raises(RuleViolation, match="batch B01 cannot change") as info:
        batches.update(uow, "B01", fields, reason="x")
    assert problem in str(info.value)


def test_update_checks_values_as_add_does(uow) -> None:
    add(uow)
    with pytest.raises(ValidationErrors, match="is before start"):
        batches.update(uow, "B01", {"end": "2026-10-01"}, reason="x")
    with pytest.raises(ValidationError, match="nothing to change"):
        batches.update(uow, "B01", {}, reason="x")


def test_close_ends_the_waitlist_and_reopen_puts_it_back(uow) -> None:
    add(uow, capacity=1)
    result = batches.enroll(uow, "B01", ["K0001", "K0002", "K0003"], on=START, today=TODAY, waitlist=True)
    assert result.waitlisted == ["K0002", "K0003"]
    closed = batches.close(uow, "B01", TODAY)
    assert closed["not_placed"] == 2
    assert enrollment(uow, "K0002")["status"] == "not-placed"
    assert batches.list_batches(uow)[0]["not_placed"] == 2
    batches.reopen(uow, "B01", reason="kursi tambahan", today=TODAY)
    assert [enrollment(uow, c)["status"] for c in ("K0002", "K0003")] == ["waitlisted", "waitlisted"]
    with pytest.raises(RuleViolation, match="open already"):
        batches.reopen(uow, "B01", reason="x", today=TODAY)


# --- withdraw many, promotion ------------------------------------------------------------------


def test_withdraw_many_promotes_as_many_as_fit(uow) -> None:
    add(uow, capacity=2)
    batches.enroll(uow, "B01", ["K0001", "K0002", "K0003", "K0004"], on=START, today=TODAY, waitlist=True)
    done = batches.withdraw(uow, "B01", ["K0001", "K0002"], reason="sakit", on=START, today=TODAY)
    assert [w["cadre_id"] for w in done.withdrawn] == ["K0001", "K0002"]
    assert [p["cadre_id"] for p in done.promoted] == ["K0003", "K0004"]


def test_withdraw_is_all_or_nothing(uow) -> None:
    add(uow)
    batches.enroll(uow, "B01", ["K0001"], on=START, today=TODAY)
    with pytest.raises(RuleViolation, match="K0002 cannot withdraw: not enrolled"):
        batches.withdraw(uow, "B01", ["K0001", "K0002"], reason="x", on=START, today=TODAY)
    assert enrollment(uow, "K0001")["status"] == "enrolled"


def test_a_withdrawal_after_the_end_promotes_no_one_into_a_finished_batch(uow) -> None:
    add(uow, capacity=1)
    batches.enroll(uow, "B01", ["K0001", "K0002"], on=START, today=TODAY, waitlist=True)
    done = batches.withdraw(uow, "B01", ["K0001"], reason="x", on=dt.date(2026, 11, 25), today=TODAY)
    assert done.promoted == []
    assert enrollment(uow, "K0002")["status"] == "waitlisted"


# --- completing and mending ----------------------------------------------------------------------


def test_complete_eligible_completes_who_qualifies_and_lists_the_others(uow) -> None:
    add(uow)
    batches.enroll(uow, "B01", ["K0001", "K0002", "K0003"], on=START, today=TODAY)
    attend_all(uow, ["K0001", "K0002"], [1, 2, 3])
    attend_all(uow, ["K0001"], [4])
    done = batches.complete(uow, "B01", [], on=dt.date(2026, 11, 20), today=TODAY, eligible=True)
    assert done.completed == ["K0001", "K0002"]
    assert done.below == ["K0003 attended 0/4 sessions (0%)"]
    assert enrollment(uow, "K0003")["status"] == "enrolled"


def test_complete_eligible_names_no_cadre(uow) -> None:
    add(uow)
    with pytest.raises(ValidationError, match="name no cadre"):
        batches.complete(uow, "B01", ["K0001"], on=START, today=TODAY, eligible=True)


def test_attendance_removed_unless_a_completion_rests_on_it(uow) -> None:
    add(uow)
    batches.enroll(uow, "B01", ["K0001", "K0002"], on=START, today=TODAY)
    attend_all(uow, ["K0001", "K0002"], [1, 2, 3])
    batches.complete(uow, "B01", ["K0001"], on=dt.date(2026, 11, 20), today=TODAY)
    with pytest.raises(RuleViolation, match="K0001's completion rests on it"):
        batches.remove_attendance(uow, "B01", 3, ["K0001"], reason="salah catat")
    assert batches.remove_attendance(uow, "B01", 3, ["K0002"], reason="salah catat") == ["K0002"]
    assert enrollment(uow, "K0002")["attendance"] == {"1": "2026-11-02", "2": "2026-11-03"}
    with pytest.raises(RuleViolation, match="K0002 has no attendance for session 3"):
        batches.remove_attendance(uow, "B01", 3, ["K0002"], reason="x")


def test_a_completion_taken_back_leaves_no_trace_in_the_timeline(uow) -> None:
    add(uow)
    batches.enroll(uow, "B01", ["K0001"], on=START, today=TODAY)
    attend_all(uow, ["K0001"], [1, 2, 3])
    batches.complete(uow, "B01", ["K0001"], on=dt.date(2026, 11, 20), today=TODAY)
    batches.undo_completion(uow, "B01", ["K0001"], reason="belum selesai")
    e = enrollment(uow, "K0001")
    assert (e["status"], e["completed_on"]) == ("enrolled", None)
    assert [ev["status"] for ev in e["events"]] == ["enrolled"]
    batches.remove_attendance(uow, "B01", 3, ["K0001"], reason="sekarang boleh")
