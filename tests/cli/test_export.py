"""up2k export cadres: every field, a fixed column order, safe CSV, and a lossless round trip."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.helpers import make_nik, register_args

EXPORT_COLUMNS = [
    "id",
    "nik",
    "name",
    "sex",
    "birth_date",
    "kelurahan_code",
    "kelurahan",
    "rw",
    "rt",
    "address",
    "phone",
    "business_type",
    "household_size",
    "income",
    "registered_on",
    "consent_on",
    "consent_method",
    "status",
    "work_status",  # schema 4: added at the end, as every new column
    # added by issue 13, at the end: an export of every table imports back losslessly
    "status_reason",
    "status_log",
    "erased_on",
    "registry",
]

K0008 = {
    "id": "K0008",
    "nik": "3174066708830009",
    "name": "Maya Kurniasih",
    "sex": "F",
    "birth_date": "1983-08-27",
    "kelurahan_code": "31.74.06.1003",
    "kelurahan": "Pondok Labu",
    "rw": "010",
    "rt": "002",
    "address": "Jl. Pinang No. 64",
    "phone": "+6281261780050",
    "business_type": "Kuliner",
    "household_size": 3,
    "income": 1_500_000,
    "registered_on": "2026-11-27",
    "consent_on": "2026-11-27",
    "consent_method": "import of kader-pondok-labu.csv (consent column)",
    "status": "active",
    "work_status": None,  # the file has no Status Pekerjaan column
    "status_reason": None,
    "status_log": "[]",
    "erased_on": None,
}


def mine(record: dict) -> dict:
    """A record without the registry's identity (random per registry; 16 hex digits)."""
    assert len(record.get("registry") or "") == 16, record.get("registry")
    return {k: v for k, v in record.items() if k != "registry"}


def exported(run: Run, fmt: str, *extra: str) -> str:
    result = run("export", "cadres", "--format", fmt, *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_csv_has_the_exact_columns_in_order_and_full_niks(registry_with_sample: Path, run: Run) -> None:
    text = exported(run, "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == EXPORT_COLUMNS
    assert len(rows) == 16
    record = dict(zip(rows[0], rows[8], strict=True))
    assert mine(record) == {k: "" if v is None else str(v) for k, v in K0008.items()}


def test_csv_is_the_default_format(registry_with_sample: Path, run: Run) -> None:
    result = run("export", "cadres")
    assert result.stdout.splitlines()[0] == ",".join(EXPORT_COLUMNS)


def test_json_export(registry_with_sample: Path, run: Run) -> None:
    rows = json.loads(exported(run, "json"))
    assert len(rows) == 15
    assert [r["id"] for r in rows] == [f"K{n:04d}" for n in range(1, 16)]
    assert list(rows[7]) == EXPORT_COLUMNS
    assert mine(rows[7]) == K0008


def test_jsonl_export(registry_with_sample: Path, run: Run) -> None:
    lines = exported(run, "jsonl").splitlines()
    assert len(lines) == 15
    record = json.loads(lines[7])
    assert list(record) == EXPORT_COLUMNS
    assert mine(record) == K0008


def test_empty_optional_fields_export_as_empty_and_null(registry: Path, run: Run) -> None:
    result = run(register_args(phone=None, business_type=None, household_size=None, income=None))
    assert result.exit_code == 0, result.stderr
    row = next(csv.DictReader(io.StringIO(exported(run, "csv"))))
    assert (row["phone"], row["business_type"], row["household_size"], row["income"]) == (
        "",
        "",
        "",
        "",
    )
    record = json.loads(exported(run, "json"))[0]
    assert record["phone"] is None and record["income"] is None


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("cadres.csv", "csv"), ("cadres.json", "json"), ("cadres.jsonl", "jsonl"), ("out.txt", "csv")],
)
def test_output_file_is_private_and_format_follows_the_extension(
    registry_with_sample: Path, run: Run, tmp_path: Path, name: str, fmt: str
) -> None:
    target = tmp_path / name
    result = run("export", "cadres", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8") == exported(run, fmt)


def test_output_replaces_a_readable_file_with_a_private_one(
    registry_with_sample: Path, run: Run, tmp_path: Path
) -> None:
    target = tmp_path / "cadres.csv"
    target.write_text("old")
    target.chmod(0o644)
    assert run("export", "cadres", "-o", str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text().startswith("id,nik,")


def test_output_into_a_missing_folder_is_refused(
    registry_with_sample: Path, run: Run, tmp_path: Path
) -> None:
    result = run("export", "cadres", "--output", str(tmp_path / "nope" / "x.csv"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: output ")
    assert "nothing was written" in result.stderr


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_neutralises_formulas_in_names_and_addresses(registry: Path, run: Run, start: str) -> None:
    name = f"{start}Siti Aminah"
    address = f'{start}HYPERLINK("http://x","klik")'
    result = run(register_args(name=name, address=address, consent_method=f"{start}cmd|' /C calc'!A0"))
    assert result.exit_code == 0, result.stderr
    row = next(csv.DictReader(io.StringIO(exported(run, "csv"))))
    assert row["name"] == "'" + name
    assert row["address"] == "'" + address
    assert row["consent_method"].startswith("'" + start)
    listed = next(csv.DictReader(io.StringIO(run("cadre", "list", "--format", "csv").stdout)))
    assert listed["name"] == "'" + name
    record = json.loads(exported(run, "json"))[0]
    assert (record["name"], record["address"]) == (name, address), "JSON keeps the real value"


def test_ordinary_values_are_not_quoted(registry_with_sample: Path, run: Run) -> None:
    text = exported(run, "csv")
    assert "'" not in text
    assert ",+6281297366946," in text, "phone numbers are data, not free text"


def test_round_trip_into_a_new_registry(registry_with_sample: Path, run: Run, tmp_path: Path) -> None:
    extra = [
        register_args(
            nik=make_nik(401, female=False, day=2, year=5),
            name="Budi Santoso",
            kelurahan="Gandaria Sel.",
            date="01/11/2026",
            consent_method="signed form",
        ),
        register_args(
            nik=make_nik(402),
            name='=Ani, "Ibu" Wati',
            address="-Gang; Buntu\tNo 2",
            kelurahan="Cipete Selatan",
        ),
        register_args(
            nik=make_nik(403),
            name="Siti Ma’rifah",
            phone=None,
            business_type=None,
            household_size=None,
            income=None,
            kelurahan="Cilandak Brt",
        ),
    ]
    for args in extra:
        assert run(args).exit_code == 0
    assert run("cadre", "deactivate", "K0002", "--reason", "pindah").exit_code == 0
    first_csv = exported(run, "csv")
    first_json = exported(run, "json")
    dump = tmp_path / "cadres.csv"
    dump.write_text(first_csv, encoding="utf-8")

    other = tmp_path / "other.json"
    assert run("--db", str(other), "init").exit_code == 0
    result = run("--db", str(other), "import", "cadres", str(dump))
    assert result.exit_code == 0, result.stderr
    assert "Imported 18 new and updated 0 cadres from cadres.csv, every field kept." in result.stderr

    again_csv = run("--db", str(other), "export", "cadres", "--format", "csv").stdout
    again_json = run("--db", str(other), "export", "cadres", "--format", "json").stdout
    # The same, but for the registry each came from (the last column).
    assert [line.rsplit(",", 1)[0] for line in again_csv.splitlines()] == [
        line.rsplit(",", 1)[0] for line in first_csv.splitlines()
    ]
    assert [{**r, "registry": None} for r in json.loads(again_json)] == [
        {**r, "registry": None} for r in json.loads(first_json)
    ]


def test_jsonl_round_trip_through_csv_keeps_types(
    registry_with_sample: Path, run: Run, tmp_path: Path
) -> None:
    dump = tmp_path / "cadres.csv"
    assert run("export", "cadres", "-o", str(dump)).exit_code == 0
    other = tmp_path / "other.json"
    assert run("--db", str(other), "init").exit_code == 0
    assert run("--db", str(other), "import", "cadres", str(dump)).exit_code == 0
    record = json.loads(
        run("--db", str(other), "export", "cadres", "--format", "jsonl").stdout.splitlines()[7]
    )
    assert mine(record) == K0008
    assert isinstance(record["income"], int) and isinstance(record["household_size"], int)


def test_text_that_already_looks_guarded_comes_back_exactly(registry: Path, run: Run, tmp_path: Path) -> None:
    """A leading ' before a formula character is doubled on export, so import undoes exactly one."""
    values = {"name": "'=Siti Aminah", "address": "''@Jl. Pinang 1", "consent_method": "'+form"}
    assert run(register_args(**values)).exit_code == 0
    row = next(csv.DictReader(io.StringIO(exported(run, "csv"))))
    assert (row["name"], row["address"], row["consent_method"]) == (
        "''=Siti Aminah",
        "'''@Jl. Pinang 1",
        "''+form",
    )
    dump = tmp_path / "cadres.csv"
    dump.write_text(exported(run, "csv"), encoding="utf-8")
    other = tmp_path / "other.json"
    assert run("--db", str(other), "init").exit_code == 0
    assert run("--db", str(other), "import", "cadres", str(dump)).exit_code == 0
    back = json.loads(run("--db", str(other), "export", "cadres", "--format", "json").stdout)[0]
    assert {k: back[k] for k in values} == values
