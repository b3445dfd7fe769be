"""`up2k undo` on the in-memory unit of work: every kind of change, undone, gives back the
registry as it was, and undo walks back one command at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.enrollment_data import cadres_csv
from tests.unit.services.conftest import TODAY, tables
from up2k_cli.domain.errors import RuleViolation
from up2k_cli.services import (
    batches,
    cadres,
    follow_ups,
    groups,
    importer,
    maintenance,
    outcomes,
    referrals,
    undo,
)

D = dt.date(2026, 11, 2)
# Two new cadres and a changed phone for K0002 (by its NIK).
MORE = (
    cadres_csv({"Pondok Labu": 2}).replace("08120000000", "08129999999")
    + "3174065103900888,Kader Baru,Gandaria Selatan,001,002,Jl. Baru,081277778888,2026-10-01,ya\n"
    + "3174065103900889,Kader Lain,Gandaria Selatan,001,002,Jl. Baru,081277778889,2026-10-01,ya\n"
).encode()

Step = tuple[str, Callable[[Any], Any]]

STEPS: list[Step] = [
    ("register", lambda u: cadres.register(u, {"nik": "3174065103900777", "name": "Ani Baru",
                                              "kelurahan": "Cipete", "rw": "1", "rt": "2",
                                              "address": "Jl. A", "consent": True}, today=TODAY)),
    ("cadre update", lambda u: cadres.update(u, "K0001", {"phone": "0813-1111-2222", "name": "Kader Satu"},
                                             today=TODAY)),
    ("deactivate", lambda u: cadres.set_status(u, "K0005", False, "pindah", on=D, today=TODAY)),
    ("batch add", lambda u: batches.add(u, TODAY, code="B01", title="T", start="2026-11-01", end="2026-11-20",
                                        sessions=2, min_attendance=50, capacity=2)),
    ("enroll", lambda u: batches.enroll(u, "B01", ["K0001", "K0002", "K0003"], on=D, today=TODAY, waitlist=True)),
    ("attend", lambda u: batches.attend(u, "B01", 1, ["K0001", "K0002"], on=D, today=TODAY)),
    ("complete", lambda u: batches.complete(u, "B01", ["K0001"], on=D, today=TODAY)),
    ("withdraw", lambda u: batches.withdraw(u, "B01", ["K0002"], reason="sakit", on=D, today=TODAY)),
    ("batch update", lambda u: batches.update(u, "B01", {"title": "Angkatan 1", "capacity": 3}, reason="r")),
    ("close", lambda u: batches.close(u, "B01", TODAY)),
    ("business add", lambda u: outcomes.add_business(u, "K0001", {"name": "Kue", "category": "kuliner"},
                                                     today=TODAY)),
    ("business update", lambda u: outcomes.update_business(u, "U0001", {"nib": "1234567890123"}, today=TODAY)),
    ("step", lambda u: outcomes.record_step(u, "K0001", "pemasaran", on=D, today=TODAY, note="bazar")),
    ("income add", lambda u: outcomes.add_income(u, "K0001", "2 jt", on=D, today=TODAY, note=None)),
    ("income update", lambda u: outcomes.update_income(u, "I0001", {"amount": "2,5 jt"}, today=TODAY,
                                                       reason="salah ketik")),
    ("income remove", lambda u: outcomes.remove_income(u, "I0001", reason="ganda")),
    ("income add --work-status", lambda u: outcomes.add_income(u, "K0002", "1 jt", on=D, today=TODAY, note=None,
                                                               work_status="working")),
    ("business follow-up", lambda u: follow_ups.add_follow_up(u, "U0001", {"paid_workers": "2",
                                                                           "owner_status": "helped-permanent"},
                                                              on=TODAY, today=TODAY)),
    ("group add", lambda u: groups.add_group(u, {"name": "Melati", "kelurahan_code": "Pondok Labu",
                                                 "formed_on": "2026-10-05"}, today=TODAY)),
    ("group join", lambda u: groups.join(u, "G0001", ["K0001", "K0002"], on=D, today=TODAY)),
    ("group leave", lambda u: groups.leave(u, "G0001", ["K0002"], on=TODAY, today=TODAY, reason="pindah")),
    ("group update", lambda u: groups.update_group(u, "G0001", {"capital": "2 jt", "bookkeeping": "ya"},
                                                   today=TODAY)),
    ("group-tiers", lambda u: groups.change_tier_criteria(u, "pemula", {"members": "1"})),
    ("group assess --confirm", lambda u: groups.confirm(u, {"G0001": "pemula"}, on=TODAY, today=TODAY)),
    ("refer", lambda u: referrals.refer(u, "U0001", need="capital", agency="Bank DKI", on=TODAY, today=TODAY)),
    ("referral update capital", lambda u: referrals.update(u, "R0001", {"status": "done", "amount": "5 jt",
                                                                        "source": "kur"}, on=TODAY, today=TODAY)),
    ("refer pirt", lambda u: referrals.refer(u, "U0001", need="pirt", agency=None, on=TODAY, today=TODAY)),
    ("referral update pirt", lambda u: referrals.update(u, "R0002", {"status": "done", "pirt": "206317401234567"},
                                                        on=TODAY, today=TODAY)),
    ("agency map", lambda u: outcomes.change_agency_map(u, category="kuliner", agency="Sudin KPKP",
                                                        licensing="PTSP Kecamatan")),
    ("import", lambda u: importer.import_cadres(u, importer.read_csv(MORE), today=TODAY, source_name="more.csv",
                                                on_duplicate="update")),
]  # fmt: skip


@pytest.mark.parametrize(("name", "step"), STEPS, ids=[n for n, _ in STEPS])
def test_each_change_undone_gives_back_the_registry(uow, name: str, step: Callable[[Any], Any]) -> None:
    for _earlier, run in STEPS[: STEPS.index((name, step))]:
        run(uow)
    before = tables(uow)
    step(uow)
    assert tables(uow) != before, f"{name} changed nothing"
    plan = undo.plan(uow)
    assert plan.command == "test" and plan.lines()
    undo.undo(uow, expected_op=plan.op)
    assert tables(uow) == before


def test_undo_walks_back_one_command_at_a_time(uow) -> None:
    states = []
    for _name, run in STEPS:
        states.append(tables(uow))
        run(uow)
    for state in reversed(states):
        undo.undo(uow)
        assert tables(uow) == state
    assert undo.undo(uow).command == "test"  # the fixture's import: the registry is empty again
    assert tables(uow)["cadres"] == {}
    with pytest.raises(RuleViolation, match="nothing to undo"):
        undo.undo(uow)


def test_reads_are_not_changes(uow) -> None:
    cadres.update(uow, "K0001", {"phone": "0813-1111-2222"}, today=TODAY)
    before = tables(uow)
    cadres.list_cadres(uow, show_nik=True)  # recorded as a personal-data output, changes nothing
    undo.undo(uow)
    assert tables(uow) != before
    assert tables(uow)["cadres"]["1"]["phone"] == "+6281200000001"


def test_an_erasure_cannot_be_undone(uow) -> None:
    maintenance.forget(uow, "K0001", "permintaan", TODAY)
    with pytest.raises(RuleViolation, match="an erasure cannot be undone"):
        undo.undo(uow)


def test_undo_refuses_when_the_registry_changed_since_the_plan(uow) -> None:
    cadres.update(uow, "K0001", {"phone": "0813-1111-2222"}, today=TODAY)
    plan = undo.plan(uow)
    cadres.update(uow, "K0002", {"phone": "0813-3333-4444"}, today=TODAY)
    with pytest.raises(RuleViolation, match="changed since undo was asked"):
        undo.undo(uow, expected_op=plan.op)


def test_the_undo_is_in_the_history(uow) -> None:
    cadres.update(uow, "K0001", {"phone": "0813-1111-2222"}, today=TODAY)
    done = undo.undo(uow)
    with uow:
        last = uow.history.all()[-1]
    assert last["action"] == "undo" and last["changes"]["op"] == [None, done.op]
