"""Batches and enrollment end to end through the CLI: every rule of issue 3."""

from __future__ import annotations

import json

import pytest

from tests.enrollment_data import cadres_csv
from tests.helpers import cli_runner

TODAY = "2026-11-27"


@pytest.fixture
def up2k(db):
    run = cli_runner(db, check_default=False, columns="200")
    assert run("init", "--start", "2026-01-05").exit_code == 0
    return run


def ids(result) -> list[str]:
    return result.stdout.split()


@pytest.fixture
def registry(up2k):
    """25 cadres in Pondok Labu (K0001-K0025), 100 elsewhere (K0026-K0125)."""
    counts = {"Pondok Labu": 25, "Cilandak Barat": 25, "Lebak Bulus": 25}
    counts |= {"Gandaria Selatan": 25, "Cipete Selatan": 25}
    result = up2k("import", "cadres", "-", input=cadres_csv(counts))
    assert result.exit_code == 0, result.stderr
    return up2k


def add_batch(up2k, code="B01", *extra: str):
    result = up2k(
        "batch", "add", code, "--title", "Pelatihan UP2K", "--start", "2026-11-01",
        "--end", "2026-11-30", *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return result


def roster(up2k, code="B01") -> dict[str, str]:
    data = json.loads(up2k("batch", "show", code, "--format", "json").stdout)
    return {r["cadre_id"]: r["status"] for r in data["roster"]}


def k(n: int) -> str:
    return f"K{n:04d}"


def test_batch_add_prints_code_and_refuses_duplicates_ignoring_case(registry):
    result = add_batch(registry, "b01")
    assert result.stdout == "B01\n"
    again = registry("batch", "add", "B01", "--title", "x", "--start", "2026-11-01", "--end", "2026-11-02")
    assert again.exit_code == 1
    assert "B01 already exists" in again.stderr


def test_batch_end_before_start_is_refused(registry):
    result = registry("batch", "add", "B9", "--title", "x", "--start", "2026-11-05", "--end", "2026-11-01")
    assert result.exit_code == 1
    assert "end '2026-11-01': is before start 2026-11-05" in result.stderr
    assert "B9" not in registry("batch", "list", "--format", "csv").stdout


def test_21st_cadre_from_one_kelurahan_is_refused_at_quota_20(registry):
    add_batch(registry)
    first = registry("enroll", "--batch", "B01", *[k(n) for n in range(1, 21)])
    assert first.exit_code == 0, first.stderr
    extra = registry("enroll", "--batch", "B01", k(21))
    assert extra.exit_code == 1
    assert "Pondok Labu over its quota of 20 by 1" in extra.stderr
    assert k(21) not in roster(registry)


def test_enroll_over_quota_is_refused_whole_and_writes_nothing(registry, db):
    add_batch(registry)
    before = db.read_bytes()
    result = registry("enroll", "--batch", "B01", *[k(n) for n in range(1, 24)])
    assert result.exit_code == 1
    assert "Pondok Labu over its quota of 20 by 3" in result.stderr
    assert db.read_bytes() == before


def test_101st_cadre_is_refused_at_capacity_100(registry):
    add_batch(registry, "B01", "--quota-per-kelurahan", "0")
    hundred = [k(n) for n in range(1, 101)]
    assert registry("enroll", "--batch", "B01", *hundred).exit_code == 0
    result = registry("enroll", "--batch", "B01", k(101))
    assert result.exit_code == 1
    assert "over its capacity of 100 by 1" in result.stderr
    assert sum(s == "enrolled" for s in roster(registry).values()) == 100


def test_waitlist_then_withdraw_promotes_the_first_waitlisted_who_fits(registry):
    add_batch(registry, "B01", "--quota-per-kelurahan", "2", "--capacity", "3")
    # K0001-K0003 Pondok Labu, K0026 Cilandak Barat: quota 2 and capacity 3.
    result = registry("enroll", "--batch", "B01", "--waitlist", k(1), k(2), k(3), k(26), k(27))
    assert result.exit_code == 0, result.stderr
    assert roster(registry) == {
        k(1): "enrolled", k(2): "enrolled", k(26): "enrolled",
        k(3): "waitlisted", k(27): "waitlisted",
    }  # fmt: skip
    # K0026 leaves: capacity frees; the first waitlisted (K0003) still exceeds Pondok Labu's
    # quota, so K0027 (Cilandak Barat) is the first who fits.
    out = registry("withdraw", "--batch", "B01", k(26), "--reason", "pindah")
    assert out.exit_code == 0, out.stderr
    assert f"Promoted {k(27)}" in out.stderr
    # K0001 leaves: a Pondok Labu place frees, and K0003 is promoted.
    out = registry("withdraw", "--batch", "B01", k(1), "--reason", "sakit")
    assert f"Promoted {k(3)}" in out.stderr
    assert roster(registry) == {
        k(1): "withdrawn", k(2): "enrolled", k(3): "enrolled",
        k(26): "withdrawn", k(27): "enrolled",
    }  # fmt: skip


def test_enroll_from_cadre_list_ids_on_stdin(registry):
    add_batch(registry)
    ids_text = registry("cadre", "list", "--kelurahan", "Pondok Labu", "--format", "ids").stdout
    assert len(ids_text.split()) == 25
    result = registry("enroll", "--batch", "B01", "--waitlist", "-", input=ids_text)
    assert result.exit_code == 0, result.stderr
    statuses = roster(registry)
    assert sum(s == "enrolled" for s in statuses.values()) == 20
    assert [c for c, s in statuses.items() if s == "waitlisted"] == [k(n) for n in range(21, 26)]


def test_enrolling_again_is_reported_not_fatal(registry):
    add_batch(registry)
    registry("enroll", "--batch", "B01", k(1))
    result = registry("enroll", "--batch", "B01", k(1), k(2))
    assert result.exit_code == 0
    assert f"{k(1)} is already enrolled in B01" in result.stderr
    assert roster(registry) == {k(1): "enrolled", k(2): "enrolled"}


def test_enroll_refuses_unknown_inactive_cadres_and_unknown_or_closed_batches(registry):
    add_batch(registry)
    registry("cadre", "deactivate", k(5), "--reason", "pindah")
    result = registry("enroll", "--batch", "B01", k(1), k(5), "K9999")
    assert result.exit_code == 1
    assert f"cadre {k(5)} is inactive" in result.stderr
    assert "K9999 not found" in result.stderr
    assert roster(registry) == {}
    assert registry("enroll", "--batch", "NOPE", k(1)).exit_code == 1
    registry("batch", "close", "B01")
    closed = registry("enroll", "--batch", "B01", k(1))
    assert closed.exit_code == 1
    assert "closed" in closed.stderr


def test_attendance_rules(registry):
    add_batch(registry, "B01", "--sessions", "4")
    registry("enroll", "--batch", "B01", k(1), k(2))
    ok = registry("attend", "--batch", "B01", "--session", "1", k(1), k(2), "--date", "2026-11-02")
    assert ok.exit_code == 0, ok.stderr
    beyond = registry("attend", "--batch", "B01", "--session", "5", k(1), "--date", "2026-11-02")
    assert beyond.exit_code == 1
    assert "sessions 1-4" in beyond.stderr
    stranger = registry("attend", "--batch", "B01", "--session", "2", k(3), "--date", "2026-11-02")
    assert stranger.exit_code == 1
    assert "not enrolled" in stranger.stderr
    early = registry("attend", "--batch", "B01", "--session", "2", k(1), "--date", "2026-10-31")
    assert early.exit_code == 1
    assert "before batch B01 starts" in early.stderr
    future = registry("attend", "--batch", "B01", "--session", "2", k(1), "--date", "2026-11-28")
    assert future.exit_code == 1
    assert "in the future" in future.stderr
    data = json.loads(registry("batch", "show", "B01", "--format", "json").stdout)
    attended = {r["cadre_id"]: r["sessions_attended"] for r in data["roster"]}
    assert attended == {k(1): 1, k(2): 1}


def test_completion_needs_minimum_attendance_unless_forced_with_reason(registry):
    add_batch(registry, "B01", "--sessions", "4", "--min-attendance", "75")
    registry("enroll", "--batch", "B01", k(1), k(2))
    for session in ("1", "2", "3"):
        registry("attend", "-b", "B01", "-s", session, k(1), "--date", "2026-11-0" + session)
    registry("attend", "-b", "B01", "-s", "1", k(2), "--date", "2026-11-01")
    assert registry("complete", "-b", "B01", k(1), "--date", "2026-11-20").exit_code == 0
    low = registry("complete", "-b", "B01", k(2), "--date", "2026-11-20")
    assert low.exit_code == 1
    assert "K0002 attended 1/4 sessions (25%)" in low.stderr
    no_reason = registry("complete", "-b", "B01", k(2), "--force", "--date", "2026-11-20")
    assert no_reason.exit_code == 1
    forced = registry("complete", "-b", "B01", k(2), "--force", "--reason", "susulan", "--date", "2026-11-20")
    assert forced.exit_code == 0, forced.stderr
    rows = registry("export", "enrollments", "--format", "json").stdout
    by_cadre = {r["cadre_id"]: r for r in json.loads(rows)}
    assert by_cadre[k(1)]["status"] == "completed"
    assert by_cadre[k(1)]["completion_forced"] is False
    assert by_cadre[k(2)]["completion_forced"] is True
    assert by_cadre[k(2)]["reason"] == "susulan"


def test_closed_batch_still_records_attendance_and_completion(registry):
    add_batch(registry, "B01", "--min-attendance", "0")
    registry("enroll", "--batch", "B01", k(1))
    assert registry("batch", "close", "B01").exit_code == 0
    assert registry("attend", "-b", "B01", "-s", "1", k(1), "--date", "2026-11-03").exit_code == 0
    assert registry("complete", "-b", "B01", k(1), "--date", "2026-11-04").exit_code == 0
    listed = json.loads(registry("batch", "list", "--format", "json").stdout)
    assert listed[0]["status"] == "closed"
    assert listed[0]["completed"] == 1


def test_cadre_show_lists_batches_and_history_keeps_status_changes(registry):
    add_batch(registry, "B01", "--sessions", "2")
    registry("enroll", "--batch", "B01", k(1), "--date", "2026-11-01")
    registry("attend", "-b", "B01", "-s", "1", k(1), "--date", "2026-11-02")
    shown = json.loads(registry("cadre", "show", k(1), "--format", "json").stdout)
    assert shown["batches"] == [
        {
            "batch": "B01",
            "title": "Pelatihan UP2K",
            "status": "enrolled",
            "sessions_attended": 1,
            "attendance_pct": 50.0,
            "enrolled_on": "2026-11-01",
            "completed_on": None,
            "withdrawn_on": None,
        }
    ]
    table = registry("cadre", "show", k(1)).stdout
    assert "B01" in table and "50.0%" in table


def test_exports_have_stable_columns(registry):
    add_batch(registry)
    registry("enroll", "--batch", "B01", k(1))
    enrollments = registry("export", "enrollments").stdout.splitlines()
    assert enrollments[0].split(",")[:6] == [
        "enrollment_id", "batch", "cadre_id", "kelurahan_code", "kelurahan", "status",
    ]  # fmt: skip
    assert "sessions_attended" in enrollments[0] and "enrolled_on" in enrollments[0]
    assert enrollments[1].startswith("E0001,B01,K0001,31.74.06.1003,Pondok Labu,enrolled,2026-11-27")
    batches = registry("export", "batches", "--format", "jsonl").stdout.splitlines()
    assert json.loads(batches[0])["enrolled"] == 1
    assert registry("batch", "list", "--format", "csv").stdout.startswith("code,title,kind,start")
    assert registry("batch", "show", "B01", "--format", "csv").stdout.startswith("cadre_id,name")


def test_batch_show_table_has_fill_per_kelurahan_and_no_personal_data(registry):
    add_batch(registry)
    registry("enroll", "--batch", "B01", k(1), k(26))
    out = registry("batch", "show", "B01").stdout
    assert "Fill per kelurahan" in out
    assert "Kader 1" in out and "Jl. Melati" not in out and "317406" not in out
