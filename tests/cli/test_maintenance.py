"""check, history, cadre forget and the data-protection promises (UU PDP)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.enrollment_data import cadres_csv, nik
from tests.helpers import cli_runner, edit_registry


@pytest.fixture
def up2k(db):
    run = cli_runner(db)
    run("init")
    run("import", "cadres", "-", input=cadres_csv({"Pondok Labu": 3}))
    run(
        "batch",
        "add",
        "B01",
        "--title",
        "T",
        "--start",
        "2026-11-01",
        "--end",
        "2026-11-30",
        "--quota-per-kelurahan",
        "2",
    )
    run("enroll", "-b", "B01", "K0001", "K0002")
    run(
        "business",
        "add",
        "K0001",
        "--name",
        "Kue Kader 1",
        "--category",
        "kuliner",
        "--address",
        "Jl. Rumah 1",
    )
    run("income", "add", "K0001", "--amount", "2 jt", "--date", "2026-11-20")
    return run


def backups_of(db: Path) -> list[Path]:
    return sorted((db.parent / "backups").glob(f"{db.stem}-*.json"))


def test_check_passes_a_healthy_registry(up2k):
    result = up2k("check")
    assert result.stdout == ""
    assert "no problems found" in result.stderr


def test_check_lists_each_problem_with_its_record_and_exits_1(up2k, db):
    def damage(data):
        data["cadres"]["3"]["kelurahan_code"] = "31.74.99.9999"
        data["batches"]["1"]["end"] = "2026-10-01"  # before its start
        data["meta"]["1"]["counters"]["cadre"] = 1  # would hand out K0002 again

    def damage_a_database_refuses(data):
        cadres = data["cadres"]
        cadres["2"]["nik"] = cadres["1"]["nik"]  # duplicate NIK
        enrollment = next(iter(data["enrollments"].values()))
        enrollment["cadre_id"] = "K0999"  # dangling reference
        data["enrollments"]["9"] = {
            **enrollment,
            "id": "E0009",
            "cadre_id": "K0003",
            "kelurahan_code": "31.74.06.1003",
        }

    edit_registry(db, damage)
    if db.backend == "file":
        edit_registry(db, damage_a_database_refuses)
    result = up2k("check", "--format", "json", check=False)
    assert result.exit_code == 1
    problems = {(p["table"], p["record"], p["problem"]) for p in json.loads(result.stdout)}
    assert ("cadres", "K0003", "kelurahan_code '31.74.99.9999' is not in the region") in problems
    assert ("batches", "B01", "ends (2026-10-01) before it starts (2026-11-01)") in problems
    assert ("meta", "counters.cadre", "is 1 but IDs go up to 3") in problems
    if db.backend == "file":  # the database refuses these (tests/integration/test_postgres.py)
        assert ("cadres", "K0001, K0002", "the same NIK 317406******0001 is registered twice") in problems
        assert ("enrollments", "E0001", "cadre 'K0999' does not exist") in problems
        assert ("batches", "B01", "3 places for kelurahan 31.74.06.1003, quota 2") in problems
    assert "problem(s) found" in result.stderr


def test_history_filters_and_masks_nik(up2k):
    up2k("cadre", "update", "K0001", "--nik", "3174064101850099")
    rows = json.loads(up2k("history", "K0001", "--format", "json").stdout)
    assert [r["action"] for r in rows] == ["create", "update"]
    assert rows[1]["changes"]["nik"] == ["317406******0001", "317406******0099"]
    full = json.loads(up2k("history", "K0001", "--show-nik", "--format", "json").stdout)
    assert full[-1]["changes"]["nik"] == [nik(1), "3174064101850099"]  # shown on request...
    recorded = json.loads(up2k("history", "--entity", "export", "--format", "json").stdout)
    assert [(r["ref"], r["action"]) for r in recorded] == [("history --show-nik", "personal-data-access")]
    last = json.loads(up2k("history", "--limit", "2", "--format", "json").stdout)
    assert [h["command"] for h in last] == ["cadre update", "history"]
    assert "cadre update" in up2k("history", "--command", "cadre update").stdout
    assert json.loads(up2k("history", "--user", "nobody-here", "--format", "json").stdout) == []
    table = up2k("history", "K0001").stdout
    assert "nik: 317406******0001 -> 317406******0099" in table
    # --show-nik unmasks in the table and in CSV as it does in JSON.
    whole = f"nik: {nik(1)} -> 3174064101850099"
    assert whole in up2k("history", "K0001", "--show-nik", "--wide").stdout
    assert whole in up2k("history", "K0001", "--show-nik", "--format", "csv").stdout


def test_outputs_with_personal_data_are_recorded(up2k):
    up2k("export", "cadres")
    up2k("cadre", "list", "--show-nik", "--format", "csv")
    up2k("cadre", "list", "--format", "csv")  # masked: not recorded
    rows = json.loads(up2k("history", "--entity", "export", "--format", "json").stdout)
    assert [r["ref"] for r in rows] == ["export cadres", "cadre list --show-nik"]
    assert all(r["user"] and r["at"] for r in rows)


def test_forget_erases_personal_data_keeps_counts_and_records_the_erasure(up2k, db):
    before = json.loads(up2k("report", "kelurahan", "--format", "json").stdout)["tables"]["kelurahan"]
    result = up2k("cadre", "forget", "K0001", "--reason", "permintaan ybs")
    assert "Erased the personal data of K0001" in result.stderr
    if db.backend == "postgresql":
        assert "section 'Backups on PostgreSQL'" in result.stderr
        assert "--include-backups" not in result.stderr
    data = db.data()
    cadre = next(c for c in data["cadres"].values() if c["id"] == "K0001")
    assert (cadre["nik"], cadre["name"], cadre["phone"], cadre["address"]) == (None, "(erased)", None, None)
    # Amounts stay for the anonymous income figures; notes go.
    assert [r["amount"] for r in data["incomes"].values()] == [2_000_000]
    assert all(r["note"] is None for r in data["incomes"].values() if r["cadre_id"] == "K0001")
    business = next(iter(data["businesses"].values()))
    assert (business["name"], business["address"]) == ("(erased)", None)
    text = db.read_text()
    assert nik(1) not in text and 'Kader 1"' not in text and "Jl. Rumah 1" not in text
    assert "+6281200000001" not in text and 'Jl. Melati No. 1"' not in text
    after = json.loads(up2k("report", "kelurahan", "--format", "json").stdout)["tables"]["kelurahan"]
    assert [r["cadres"] for r in after] == [r["cadres"] for r in before]
    assert [r["enrolled"] for r in after] == [r["enrolled"] for r in before]
    erasure = json.loads(up2k("history", "K0001", "--format", "json").stdout)[-1]
    assert erasure["action"] == "erase" and erasure["reason"] == "permintaan ybs"
    again = up2k("cadre", "forget", "K0001", "--reason", "x", check=False)
    assert again.exit_code == 1 and "already erased" in again.stderr


@pytest.mark.file_only
def test_forget_in_backups_on_request(up2k, db):
    result = up2k("cadre", "forget", "K0002", "--reason", "ybs")
    assert "--include-backups" in result.stderr
    backups = backups_of(db)
    assert any(nik(2) in b.read_text() for b in backups)
    done = up2k("cadre", "forget", "K0002", "--reason", "ybs", "--include-backups")
    assert "backup(s) too" in done.stderr
    for backup in backups_of(db):
        assert 'Kader 2"' not in backup.read_text()
        assert oct(backup.stat().st_mode & 0o777) == "0o600"


@pytest.mark.file_only
def test_a_registry_readable_by_others_warns_on_every_command(up2k, db):
    os.chmod(db, 0o644)
    result = up2k("cadre", "list", "--format", "ids")
    assert result.stdout.split() == ["K0001", "K0002", "K0003"]
    assert "can be read by other users of this machine (mode 644)" in result.stderr
    assert f"chmod 600 {db}" in result.stderr


def test_outputs_with_personal_data_are_private(up2k, tmp_path):
    up2k("export", "cadres", "--output", str(tmp_path / "out.csv"))
    up2k("report", "summary", "--output", str(tmp_path / "summary.md"))
    for name in ("out.csv", "summary.md"):
        assert oct((tmp_path / name).stat().st_mode & 0o777) == "0o600", name


@pytest.mark.file_only
def test_registry_lock_and_backups_are_private(up2k, db):
    up2k("export", "cadres")
    for path in (db, Path(f"{db}.lock"), *backups_of(db)):
        assert oct(path.stat().st_mode & 0o777) == "0o600", path
    assert backups_of(db)
