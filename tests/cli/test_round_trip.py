"""An export of every table, imported into a new registry, loses nothing (issue 13): before,
a round trip showed 19 active cadres instead of 20 in `report kelurahan --as-of` (deactivation
reasons and dates, enrollments, attendance, outcomes were lost)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.enrollment_data import cadres_csv
from tests.helpers import cli_runner

TABLES = (
    "cadres", "batches", "enrollments", "businesses", "steps", "incomes",
    "business-follow-ups", "groups", "memberships", "group-tiers", "referrals", "referral-updates",
)  # fmt: skip


def _programme(run: Any) -> None:
    run("import", "cadres", "-", input=cadres_csv({"Pondok Labu": 20, "Lebak Bulus": 5}))
    run("batch", "add", "B01", "--title", "Pelatihan", "--start", "2026-10-01", "--end", "2026-10-30",
        "--sessions", "2", "--min-attendance", "50", "--capacity", "3")  # fmt: skip
    run("enroll", "--batch", "B01", "--waitlist", "--date", "2026-10-01", "K0001", "K0002", "K0003", "K0004")
    run("attend", "--batch", "B01", "--session", "1", "--date", "2026-10-02", "K0001", "K0002")
    run("complete", "--batch", "B01", "--date", "2026-10-30", "K0001")
    run("withdraw", "--batch", "B01", "K0003", "--reason", "sakit", "--date", "2026-10-05")
    run("cadre", "deactivate", "K0020", "--reason", "pindah ke Depok", "--date", "2026-11-02")
    run(
        "business",
        "add",
        "K0001",
        "--name",
        "Kue Basah",
        "--category",
        "Kuliner",
        "--nib",
        "1234567890123",
        "--started",
        "2026-09-01",
    )
    run("step", "K0001", "pemasaran", "--date", "2026-11-03", "--note", "bazar RW")
    run("income", "add", "K0001", "--amount", "2500000", "--date", "2026-11-20", "--note", "naik")
    run("business", "follow-up", "U0001", "--paid-workers", "1", "--owner-status", "helped-permanent",
        "--date", "2026-11-21")  # fmt: skip
    run("group", "add", "Melati", "--kelurahan", "Pondok Labu", "--formed", "2026-10-02")
    run("group", "join", "G0001", "K0001", "K0002", "K0003", "K0004", "K0005", "K0006",
        "--date", "2026-10-02")  # fmt: skip
    run("group", "leave", "G0001", "K0005", "--reason", "pindah", "--date", "2026-10-10")
    run("group", "assess", "--confirm")
    run("refer", "U0001", "--need", "nib", "--date", "2026-10-15")
    run("referral", "update", "R0001", "--status", "contacted", "--date", "2026-10-20")


def _exports(run: Any, folder: Path, fmt: str) -> dict[str, Path]:
    folder.mkdir(exist_ok=True)
    out = {}
    for table in TABLES:
        out[table] = folder / f"{table}.{fmt}"
        run("export", table, "--output", str(out[table]))
    return out


def _rows(run: Any, table: str) -> list[dict[str, Any]]:
    rows = json.loads(run("export", table, "--format", "json").stdout)
    return [{k: v for k, v in r.items() if k != "registry"} for r in rows]


def test_every_table_exported_and_imported_into_a_new_registry_loses_nothing(
    registry: Any, other_db: Any, tmp_path: Path
) -> None:
    source = cli_runner(registry)
    _programme(source)
    files = _exports(source, tmp_path / "csv", "csv")
    target = cli_runner(other_db)
    target("init")
    for table in TABLES:
        result = target("import", table, str(files[table]))
        assert "every field kept" in result.stderr, result.stderr
    for table in TABLES:
        assert _rows(target, table) == _rows(source, table), table
    for as_of in ("2026-10-15", "2026-11-27"):
        args = ("report", "kelurahan", "--as-of", as_of, "--format", "json")
        assert json.loads(target(*args).stdout) == json.loads(source(*args).stdout)
    report = json.loads(target("report", "kelurahan", "--as-of", "2026-11-27", "--format", "json").stdout)
    pondok = next(r for r in report["tables"]["kelurahan"] if r["kelurahan"] == "Pondok Labu")
    assert (pondok["cadres"], pondok["active"]) == (20, 19)  # K0020 inactive since 2026-11-02
    deactivated = json.loads(target("cadre", "show", "K0020", "--format", "json").stdout)
    assert deactivated["status_reason"] == "pindah ke Depok"
    assert target("check").exit_code == 0
    again = target("import", "enrollments", str(files["enrollments"]))
    assert "Nothing to import" in again.stderr


def test_json_exports_round_trip_too_and_an_import_out_of_order_is_refused(
    registry: Any, other_db: Any, tmp_path: Path
) -> None:
    source = cli_runner(registry)
    _programme(source)
    files = _exports(source, tmp_path / "json", "json")
    target = cli_runner(other_db, check_default=False)
    target("init", check=True)
    early = target("import", "enrollments", str(files["enrollments"]))
    assert early.exit_code == 1
    lines = [line for line in early.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "import the batches of the same registry first" in lines[0]
    for table in TABLES:
        target("import", table, str(files[table]), check=True)
    for table in TABLES:
        assert _rows(target, table) == _rows(source, table), table


def test_a_hand_made_csv_is_not_taken_for_an_export(registry: Any, tmp_path: Path) -> None:
    run = cli_runner(registry, check_default=False)
    sheet = tmp_path / "batches.csv"
    sheet.write_text("code,title\nB09,Coba\n")
    result = run("import", "batches", str(sheet))
    assert result.exit_code == 1 and "not an export of batches" in result.stderr
