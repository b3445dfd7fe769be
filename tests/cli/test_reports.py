"""Reports checked against figures computed by hand for a small fixed registry.

The registry (today is Friday 2026-11-27, ISO week 48; programme start 2026-01-05):
  K0001 Ani   Pondok Labu     registered 2026-11-02
  K0002 Budi  Pondok Labu     registered 2026-11-03
  K0003 Citra Pondok Labu     registered 2026-11-04
  K0004 Dewi  Cilandak Barat  registered 2026-11-03
  K0005 Eni   Cilandak Barat  registered 2026-11-04, deactivated 2026-11-24
  B01 training 2026-11-09..2026-11-20, 2 sessions, minimum 50%, capacity 3, quota 2
  11-05 enroll K1 K2 K4; 11-06 K3 K5 waitlisted (capacity full)
  11-09 session 1: K1 K2 K4; 11-16 session 2: K1
  11-18 K2 withdraws -> K3 (first waitlisted who fits) promoted
  11-20 K1 completes; K1's business "Kue Ani" (Kuliner) starts: K1 is the one new entrepreneur
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tests.helpers import cli_runner, location
from up2k_cli.cli.main import app

CSV = """nik,name,kelurahan,rw,rt,address,registered_on,consent
3174064101850001,Ani,Pondok Labu,1,1,Jl. A 1,2026-11-02,ya
3174060202850002,Budi,Pondok Labu,1,1,Jl. A 2,2026-11-03,ya
3174064303850003,Citra,Pondok Labu,1,1,Jl. A 3,2026-11-04,ya
3174064404850004,Dewi,Cilandak Barat,1,1,Jl. B 4,2026-11-03,ya
3174064505850005,Eni,Cilandak Barat,1,1,Jl. B 5,2026-11-04,ya
"""


@pytest.fixture
def up2k(db):
    run = cli_runner(db)
    run("init", "--start", "2026-01-05")
    run("import", "cadres", "-", input=CSV)
    run("batch", "add", "B01", "--title", "Pelatihan", "--start", "2026-11-09", "--end",
        "2026-11-20", "--sessions", "2", "--min-attendance", "50", "--capacity", "3",
        "--quota-per-kelurahan", "2")  # fmt: skip
    run("enroll", "-b", "B01", "K0001", "K0002", "K0004", "--date", "2026-11-05")
    run("enroll", "-b", "B01", "--waitlist", "K0003", "K0005", "--date", "2026-11-06")
    run("attend", "-b", "B01", "-s", "1", "K0001", "K0002", "K0004", "--date", "2026-11-09")
    run("attend", "-b", "B01", "-s", "2", "K0001", "--date", "2026-11-16")
    run("withdraw", "-b", "B01", "K0002", "--reason", "pindah", "--date", "2026-11-18")
    run("complete", "-b", "B01", "K0001", "--date", "2026-11-20")
    run("cadre", "deactivate", "K0005", "--reason", "pindah", "--date", "2026-11-24")
    run("business", "add", "K0001", "--name", "Kue Ani", "--category", "kuliner",
        "--started", "2026-11-20")  # fmt: skip
    return run


def report_json(up2k, *args: str) -> dict:
    return json.loads(up2k("report", *args, "--format", "json").stdout)


def metrics(doc: dict, table: str = "summary") -> dict:
    return {row["metric"]: row["value"] for row in doc["tables"][table]}


def test_summary_today(up2k):
    m = metrics(report_json(up2k, "summary"))
    assert (m["cadres"], m["cadres_active"], m["cadres_inactive"]) == (5, 4, 1)
    assert (m["batches"], m["batches_training"], m["batches_open"]) == (1, 1, 1)
    assert m["enrollments_enrolled"] == 2  # K3 (promoted), K4
    assert m["enrollments_completed"] == 1  # K1
    assert m["enrollments_waitlisted"] == 1  # K5
    assert m["enrollments_withdrawn"] == 1  # K2
    # Places held: K1 (2 sessions), K3 (0), K4 (1); 2 sessions held: 3 / 6.
    assert m["attendance_rate"] == 50.0
    assert m["new_entrepreneurs"] == 1
    assert m["target_minimum_pct"] == 0.0  # 1 / 4000 rounds to 0.0


def test_summary_as_of_across_the_withdrawal_and_the_deactivation(up2k):
    before = metrics(report_json(up2k, "summary", "--as-of", "2026-11-17"))
    assert before["enrollments_enrolled"] == 3  # K1 K2 K4
    assert before["enrollments_waitlisted"] == 2
    assert before["enrollments_withdrawn"] == 0
    after = metrics(report_json(up2k, "summary", "--as-of", "2026-11-18"))
    assert after["enrollments_enrolled"] == 3  # K1 K3 K4: K3 took K2's place
    assert after["enrollments_waitlisted"] == 1
    assert after["enrollments_withdrawn"] == 1
    assert metrics(report_json(up2k, "summary", "--as-of", "2026-11-23"))["cadres_active"] == 5
    assert metrics(report_json(up2k, "summary", "--as-of", "2026-11-24"))["cadres_active"] == 4
    early = metrics(report_json(up2k, "summary", "--as-of", "2026-11-02"))
    assert (early["cadres"], early["enrollments_enrolled"]) == (1, 0)


def test_kelurahan_report_by_hand(up2k):
    rows = report_json(up2k, "kelurahan")["tables"]["kelurahan"]
    by_code = {r["kelurahan_code"]: r for r in rows}
    assert [r["kelurahan_code"] for r in rows] == [
        "31.74.06.1001", "31.74.06.1002", "31.74.06.1003", "31.74.06.1004", "31.74.06.1005", "",
    ]  # fmt: skip
    labu = by_code["31.74.06.1003"]
    assert (labu["cadres"], labu["active"], labu["enrolled"], labu["completed"]) == (3, 3, 1, 1)
    assert (labu["waitlisted"], labu["withdrawn"], labu["completion_rate"]) == (0, 1, 33.3)
    barat = by_code["31.74.06.1001"]
    assert (barat["cadres"], barat["active"], barat["enrolled"], barat["waitlisted"]) == (
        2,
        1,
        1,
        1,
    )
    assert barat["completion_rate"] == 0.0
    assert by_code["31.74.06.1002"]["completion_rate"] is None  # nobody took a place
    total = by_code[""]
    assert total["kelurahan"] == "Total"
    assert (total["cadres"], total["active"], total["enrolled"], total["completed"]) == (5, 4, 2, 1)
    assert (total["waitlisted"], total["withdrawn"], total["completion_rate"]) == (1, 1, 25.0)


def test_kelurahan_totals_equal_the_exports(up2k):
    text = up2k("report", "kelurahan", "--format", "csv").stdout
    total = list(csv.DictReader(io.StringIO(text)))[-1]
    assert text.splitlines()[0].startswith("kelurahan_code,kelurahan,cadres,active,enrolled,completed")
    cadres = list(csv.DictReader(io.StringIO(up2k("export", "cadres").stdout)))
    enrollments = list(csv.DictReader(io.StringIO(up2k("export", "enrollments").stdout)))
    assert int(total["cadres"]) == len(cadres)
    assert int(total["active"]) == sum(c["status"] == "active" for c in cadres)
    for status in ("enrolled", "completed", "waitlisted", "withdrawn"):
        assert int(total[status]) == sum(e["status"] == status for e in enrollments), status


def test_batch_report_by_hand(up2k):
    doc = report_json(up2k, "batch", "b01")
    fill = {r["kelurahan"]: r for r in doc["tables"]["fill"]}
    assert (fill["Pondok Labu"]["places"], fill["Pondok Labu"]["quota"]) == (2, 2)
    assert fill["Pondok Labu"]["fill_pct"] == 100.0
    assert fill["Pondok Labu"]["withdrawn"] == 1
    assert (fill["Cilandak Barat"]["places"], fill["Cilandak Barat"]["waitlisted"]) == (1, 1)
    assert doc["tables"]["sessions"] == [
        {"session": 1, "date": "2026-11-09", "present": 2, "places": 3, "attendance_pct": 66.7},
        {"session": 2, "date": "2026-11-16", "present": 1, "places": 3, "attendance_pct": 33.3},
    ]
    assert doc["tables"]["below_minimum"] == [
        {"cadre_id": "K0003", "name": "Citra", "kelurahan": "Pondok Labu",
         "sessions_attended": 0, "attendance_pct": 0.0},
    ]  # fmt: skip
    assert doc["completed"] == 1


def test_weekly_default_is_the_last_complete_week_against_the_week_before(up2k):
    doc = report_json(up2k, "weekly")
    assert (doc["week"], doc["from"], doc["to"], doc["complete"]) == (
        "2026-W47", "2026-11-16", "2026-11-22", True,
    )  # fmt: skip
    totals = {r["metric"]: (r["this_week"], r["week_before"], r["change"]) for r in doc["tables"]["totals"]}
    assert totals == {
        "registrations": (0, 0, 0),
        "enrollments": (1, 0, 1),  # K3 promoted on 11-18
        "attendance": (1, 3, -2),
        "completions": (1, 0, 1),
        "withdrawals": (1, 0, 1),
        "businesses": (1, 0, 1),
        "new_entrepreneurs": (1, 0, 1),
    }
    labu = next(r for r in doc["tables"]["kelurahan"] if r["kelurahan"] == "Pondok Labu")
    assert (labu["withdrawals"], labu["attendance"], labu["attendance_prev"]) == (1, 1, 2)


def test_weekly_with_no_activity(up2k):
    doc = report_json(up2k, "weekly", "--week", "current")
    assert (doc["week"], doc["to"], doc["complete"]) == ("2026-W48", "2026-11-27", False)
    assert all(r["this_week"] == 0 for r in doc["tables"]["totals"])
    cumulative = metrics(doc, "cumulative")
    assert cumulative == {
        "cadres_active": 4,
        "new_entrepreneurs": 1,
        "target_minimum_pct": 0.0,
        "target_stretch_pct": 0.0,
        "jobs": 1,  # the one business's owner, no workers reported
        "jobs_were_unemployed": 0,
    }
    text = up2k("report", "weekly", "--week", "2026-W45").stdout
    assert "ISO week 2026-W45: 2026-11-02 to 2026-11-08" in text


def test_weekly_across_the_year_boundary(db):
    runner = CliRunner()
    env = {"UP2K_DB": location(db), "UP2K_TODAY": "2027-01-12"}
    rows = [
        "3174064101850001,Ani,Pondok Labu,1,1,Jl. A,2026-12-28,ya",  # Monday of 2026-W53
        "3174064202850002,Ina,Pondok Labu,1,1,Jl. A,2027-01-03,ya",  # Sunday of 2026-W53
        "3174064303850003,Uci,Lebak Bulus,1,1,Jl. A,2027-01-04,ya",  # Monday of 2027-W01
    ]
    csv_text = "nik,name,kelurahan,rw,rt,address,registered_on,consent\n" + "\n".join(rows)
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    assert runner.invoke(app, ["import", "cadres", "-"], input=csv_text, env=env).exit_code == 0

    def week(label: str) -> dict:
        out = runner.invoke(app, ["report", "weekly", "--week", label, "--format", "json"], env=env)
        assert out.exit_code == 0, out.stderr
        return json.loads(out.stdout)

    w53 = week("2026-W53")
    assert (w53["from"], w53["to"]) == ("2026-12-28", "2027-01-03")
    assert w53["tables"]["totals"][0] == {
        "metric": "registrations", "label": "New registrations",
        "this_week": 2, "week_before": 0, "change": 2,
    }  # fmt: skip
    w01 = week("2027-W01")
    assert (w01["from"], w01["to"]) == ("2027-01-04", "2027-01-10")
    assert w01["tables"]["totals"][0]["this_week"] == 1
    assert w01["tables"]["totals"][0]["week_before"] == 2  # 2026-W53
    bad = runner.invoke(app, ["report", "weekly", "--week", "2027-W54"], env=env)
    assert bad.exit_code == 1
    assert "week '2027-W54'" in bad.stderr


def test_target_by_hand(up2k):
    doc = report_json(up2k, "target")
    assert (doc["start"], doc["end"], doc["elapsed_pct"], doc["weeks_left"]) == (
        "2026-01-05", "2031-01-05", 17.9, 214.3,  # 326 of 1826 days; 1500 days left
    )  # fmt: skip
    rows = {r["kelurahan"]: r for r in doc["tables"]["target"]}
    total = rows["Total"]
    assert total["achieved"] == 1
    assert (total["target_minimum"], total["target_stretch"]) == (4000, 5000)
    assert total["needed_per_week_minimum"] == 18.66  # 3999 / (1500 / 7)
    assert total["needed_per_week_stretch"] == 23.33  # 4999 / (1500 / 7)
    assert total["pace_last_12_weeks"] == 0.08  # 1 / 12
    assert total["projected_at_end"] == 19  # 1 + (1 / 12) * (1500 / 7)
    labu = rows["Pondok Labu"]
    assert (labu["target_minimum"], labu["target_stretch"], labu["minimum_pct"]) == (800, 1000, 0.1)
    assert labu["needed_per_week_minimum"] == 3.73  # 799 / (1500 / 7)
    assert "bar" not in labu  # bars are for people, not for pipes
    table = up2k("report", "target").stdout
    assert "a cadre with a business started" in table  # the definition is stated
    assert "░" in table and "|" in table


def test_formats_and_output_files(up2k, tmp_path):
    md = up2k("report", "kelurahan", "--format", "markdown").stdout
    assert md.startswith("# UP2K Kecamatan Cilandak: per kelurahan\n\nPeriod: as of 2026-11-27")
    assert "| Code | Kelurahan | Cadres |" in md and "|---|---|---:|" in md
    target = tmp_path / "weekly.md"
    result = up2k("report", "weekly", "--output", str(target))
    assert result.stdout == ""
    assert target.read_text().startswith("# UP2K Kecamatan Cilandak: weekly report 2026-W47")
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    as_csv = tmp_path / "kel.csv"
    up2k("report", "kelurahan", "--output", str(as_csv))
    assert as_csv.read_text().startswith("kelurahan_code,")


def test_reports_are_stable_and_carry_no_personal_data(up2k):
    for args in (["summary"], ["kelurahan"], ["batch", "B01"], ["weekly"], ["target"]):
        for fmt in ("table", "csv", "json", "markdown"):
            first = up2k("report", *args, "--format", fmt).stdout
            assert first == up2k("report", *args, "--format", fmt).stdout
            assert "317406" not in first and "Jl. " not in first, (args, fmt)


def test_bad_as_of_and_unknown_batch(up2k):
    future = up2k("report", "summary", "--as-of", "2026-12-01", check=False)
    assert future.exit_code == 1
    assert "as-of '2026-12-01': is in the future" in future.stderr
    missing = up2k("report", "batch", "B99", check=False)
    assert missing.exit_code == 1
    assert "batch B99 not found" in missing.stderr


def test_real_process_without_terminal_prints_no_escape_codes_and_keeps_width(up2k, db):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "FORCE_COLOR")}
    env |= {
        "UP2K_DB": location(db),
        "UP2K_TODAY": "2026-11-27",
        "TERM": "xterm-256color",
    }
    for args in (["report", "target"], ["report", "weekly"], ["batch", "show", "B01"]):
        proc = subprocess.run(
            [sys.executable, "-m", "up2k_cli", *args], env=env, capture_output=True, text=True,
            stdin=subprocess.DEVNULL, check=True,
        )  # fmt: skip
        assert "\x1b[" not in proc.stdout
        assert "…" not in proc.stdout
        assert max(len(line) for line in proc.stdout.splitlines()) > 80
    target = subprocess.run(
        [sys.executable, "-m", "up2k_cli", "report", "target"], env=env, capture_output=True,
        text=True, check=True,
    ).stdout  # fmt: skip
    assert "Projected" in target and "Progress to stretch" in target
