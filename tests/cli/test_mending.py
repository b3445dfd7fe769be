"""Mending mistakes and closing batches at the command line (issue 14)."""

from __future__ import annotations

import json

import pytest

from tests.enrollment_data import cadres_csv
from tests.helpers import cli_runner


@pytest.fixture
def up2k(tmp_path):  # type: ignore[no-untyped-def]
    run = cli_runner(tmp_path / "r.json")
    run("init")
    run("import", "cadres", "-", input=cadres_csv({"Pondok Labu": 3, "Lebak Bulus": 2}))
    run("batch", "add", "B01", "--title", "T", "--start", "2026-11-01", "--end", "2026-11-20",
        "--sessions", "2", "--capacity", "2", "--min-attendance", "50")  # fmt: skip
    return run


def status(up2k, cadre: str) -> str:  # type: ignore[no-untyped-def]
    rows = json.loads(up2k("export", "enrollments", "--format", "json").stdout)
    return next(r["status"] for r in rows if r["cadre_id"] == cadre)


def test_batch_update_with_a_reason_and_its_refusal(up2k) -> None:
    up2k("enroll", "-b", "B01", "K0001", "K0002")
    done = up2k("batch", "update", "B01", "--title", "Angkatan 1", "--venue", "Aula", "--reason", "judul")
    assert "Updated B01: title, venue." in done.stderr
    refused = up2k("batch", "update", "B01", "--capacity", "1", "--reason", "x", check=False)
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "Error: batch B01 cannot change: capacity 1 is below the 2 places held; nothing was changed"
    )


def test_close_ends_the_waitlist_and_reopen_restores_it(up2k) -> None:
    up2k("enroll", "-b", "B01", "K0001", "K0002", "K0003", "--waitlist")
    closed = up2k("batch", "close", "B01")
    assert "1 cadre(s) not placed (counted apart)" in closed.stderr
    assert status(up2k, "K0003") == "not-placed"
    listed = json.loads(up2k("batch", "list", "--format", "json").stdout)[0]
    assert listed["not_placed"] == 1
    up2k("batch", "reopen", "B01", "--reason", "tempat tambahan")
    assert status(up2k, "K0003") == "waitlisted"


def test_withdraw_many_from_stdin(up2k) -> None:
    up2k("enroll", "-b", "B01", "K0001", "K0002", "K0003", "--waitlist")
    done = up2k(
        "withdraw", "-b", "B01", "-", "--reason", "sakit", "--date", "2026-11-05", input="K0001\nK0002\n"
    )
    assert "Withdrew K0001 from B01." in done.stderr and "Withdrew K0002 from B01." in done.stderr
    assert "Promoted K0003 from the waitlist into B01." in done.stderr


def test_complete_eligible_and_undo(up2k) -> None:
    up2k("enroll", "-b", "B01", "K0001", "K0002")
    up2k("attend", "-b", "B01", "-s", "1", "K0001", "--date", "2026-11-02")
    done = up2k("complete", "-b", "B01", "--eligible", "--date", "2026-11-20")
    assert "Marked 1 as completed in B01." in done.stderr
    assert "left enrolled: K0002 attended 0/2 sessions (0%)" in done.stderr
    refused = up2k("attend", "-b", "B01", "-s", "1", "K0001", "--remove", "--reason", "salah", check=False)
    assert refused.exit_code == 1 and "completion rests on it" in refused.stderr
    up2k("complete", "-b", "B01", "K0001", "--undo", "--reason", "belum selesai")
    assert status(up2k, "K0001") == "enrolled"
    taken = up2k("attend", "-b", "B01", "-s", "1", "K0001", "--remove", "--reason", "salah catat")
    assert "Took back attendance of 1 for session 1 of B01." in taken.stderr


def test_corrections_need_a_reason(up2k) -> None:
    up2k("enroll", "-b", "B01", "K0001")
    up2k("attend", "-b", "B01", "-s", "1", "K0001", "--date", "2026-11-02")
    result = up2k("attend", "-b", "B01", "-s", "1", "K0001", "--remove", check=False)
    assert result.exit_code == 1 and "reason (empty)" in result.stderr
