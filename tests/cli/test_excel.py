"""Excel: workbooks in (as Excel saves numbers and dates) and out (types a spreadsheet keeps)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from tests.enrollment_data import cadres_csv
from tests.helpers import cli_runner
from up2k_cli.cli.main import app

HEADER = ["No", "Nama Lengkap", "NIK", "Kelurahan", "RW", "RT", "Alamat", "No. HP", "Penghasilan per Bulan",
          "Tanggal Daftar", "Persetujuan"]  # fmt: skip


@pytest.fixture
def up2k(db):
    run = cli_runner(db)
    run("init")
    return run


def excel_like_workbook(path, rows, sheet="Kader"):
    """Cells typed the way Excel stores what people type: numbers, dates, text."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Petunjuk"
    ws.append(["Isi data di sheet Kader"])
    data = wb.create_sheet(sheet)
    data.append(HEADER)
    for row in rows:
        data.append(row)
    wb.save(path)


def test_import_a_workbook_as_excel_saves_it(up2k, tmp_path):
    path = tmp_path / "kader.xlsx"
    excel_like_workbook(
        path,
        [
            # NIK as text, phone as text, income as a number, date as a date
            [1, "Ani", "3174064101850001", "Pondok Labu", 1, 2, "Jl. A", "0812-1111-2222", 1500000,
             dt.datetime(2026, 3, 5), "Ya"],
            # NIK as an exact number (below 2^53), phone as a number without its leading 0
            [2, "Budi", 3174060202850002, "Lebak Bulus", 3, 4, "Jl. B", 81233334444, 2000000.0,
             dt.datetime(2026, 4, 6), "ya"],
            # NIK as a number above 2^53 (a Papua NIK): digits may be lost, refused
            [3, "Cici", 9171064303850003, "Pondok Labu", 1, 1, "Jl. C", "081255556666", 1000000,
             dt.datetime(2026, 5, 7), "Ya"],
            # NIK that Excel rounded into a float with an exponent-like fraction
            [4, "Dedi", 3.17406e15 + 0.5, "Pondok Labu", 1, 1, "Jl. D", "081277778888", 1000000,
             dt.datetime(2026, 5, 7), "Ya"],
        ],
    )  # fmt: skip
    result = up2k(
        "import",
        "cadres",
        str(path),
        "--sheet",
        "Kader",
        "--skip-invalid",
        "--rejects",
        str(tmp_path / "bad.csv"),
    )
    # 9171064303850003 is above 2^53: the workbook itself can only hold ...004.
    assert (
        "row 3 (sheet row 4), column NIK '9171064303850004': stored as a number above 2^53" in result.stderr
    )
    assert "row 4 (sheet row 5), column NIK" in result.stderr
    assert "row 2 (sheet row 3), column NIK: stored as a number, but below 2^53 so exact" in result.stderr
    assert "read as 081233334444" in result.stderr
    cadres = {c["name"]: c for c in json.loads(up2k("export", "cadres", "--format", "json").stdout)}
    assert set(cadres) == {"Ani", "Budi"}
    assert (cadres["Budi"]["nik"], cadres["Budi"]["phone"]) == ("3174060202850002", "+6281233334444")
    assert (cadres["Budi"]["income"], cadres["Budi"]["registered_on"], cadres["Budi"]["rw"]) == (
        2000000,
        "2026-04-06",
        "003",
    )
    assert (tmp_path / "bad.csv").read_text().count("\n") == 3  # header + 2 rejected rows


def test_workbook_errors_name_the_sheet(up2k, tmp_path):
    path = tmp_path / "kader.xlsx"
    excel_like_workbook(path, [])
    missing = up2k("import", "cadres", str(path), "--sheet", "Data", check=False)
    assert missing.exit_code == 1
    assert "no sheet 'Data'; the workbook has: Petunjuk, Kader" in missing.stderr
    first = up2k("import", "cadres", str(path), check=False)  # first sheet: instructions only
    assert first.exit_code == 1 and "lacks required columns" in first.stderr
    not_zip = tmp_path / "broken.xlsx"
    not_zip.write_bytes(b"PK\x03\x04 not really")
    assert "cannot read the workbook" in up2k("import", "cadres", str(not_zip), check=False).stderr
    csv_sheet = up2k("import", "cadres", "-", "--sheet", "x", input="nik\n", check=False)
    assert "--sheet is for Excel workbooks" in csv_sheet.stderr


def test_export_workbook_keeps_types_and_reads_back(up2k, tmp_path):
    up2k("import", "cadres", "-", input=cadres_csv({"Pondok Labu": 2}))
    up2k("cadre", "update", "K0001", "--income", "1.500.000")
    path = tmp_path / "cadres.xlsx"
    up2k("export", "cadres", "--output", str(path))
    ws = load_workbook(path).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["id", "nik", "name"]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    row = {h: c for h, c in zip(header, ws[2], strict=True)}
    assert (
        row["nik"].value == "3174064202850001"
        and row["nik"].data_type == "s"
        and row["nik"].number_format == "@"
    )
    assert row["phone"].value == "+6281200000001" and row["phone"].number_format == "@"
    assert row["income"].value == 1500000 and row["income"].data_type == "n"
    assert row["registered_on"].value == dt.datetime(2026, 10, 1) and row["registered_on"].is_date
    assert ws.column_dimensions["C"].width >= len("Kader 1")
    # ...and the workbook imports back into a new registry as the same cadres.
    other = tmp_path / "other.json"
    result = CliRunner().invoke(app, ["--db", str(other), "init"])
    assert result.exit_code == 0
    back = CliRunner().invoke(
        app, ["--db", str(other), "import", "cadres", str(path)], env={"UP2K_TODAY": "2026-11-27"}
    )
    assert back.exit_code == 0, back.stderr
    again = CliRunner().invoke(app, ["--db", str(other), "export", "cadres", "--format", "json"])

    def mine(rows: list) -> list:  # each registry has an identity of its own (the last column)
        return [{k: v for k, v in r.items() if k != "registry"} for r in rows]

    assert mine(json.loads(again.stdout)) == mine(
        json.loads(up2k("export", "cadres", "--format", "json").stdout)
    )


def test_weekly_report_is_one_workbook_with_a_sheet_per_table(up2k, tmp_path):
    path = tmp_path / "weekly.xlsx"
    up2k("report", "weekly", "--week", "2026-W47", "--output", str(path))
    wb = load_workbook(path)
    assert wb.sheetnames == ["kelurahan", "totals", "cumulative"]
    totals = wb["totals"]
    # A title row says which report, week and table; then the headers people read.
    assert totals["A1"].value == "UP2K Kecamatan Cilandak: weekly report 2026-W47"
    assert totals["A2"].value == "ISO week 2026-W47: 2026-11-16 to 2026-11-22"
    assert totals["A3"].value == "This week and the week before"
    assert [c.value for c in totals[5]] == ["Metric", "Activity", "This week", "Week before", "Change"]
    assert totals.freeze_panes == "A6"
    assert wb["kelurahan"]["C6"].data_type == "n"
    indonesian = tmp_path / "mingguan.xlsx"
    up2k("--lang", "id", "report", "weekly", "--week", "2026-W47", "--output", str(indonesian))
    minggu = load_workbook(indonesian)["totals"]
    assert minggu["A1"].value.startswith("UP2K Kecamatan Cilandak: laporan mingguan 2026-W47")
    assert [c.value for c in minggu[5]][2] == "Minggu ini"
    no_file = up2k("report", "weekly", "--format", "xlsx", check=False)
    assert no_file.exit_code == 2  # a usage error: how the command was called, not the data
    assert "--format xlsx writes a file: add --output FILE.xlsx" in no_file.stderr
