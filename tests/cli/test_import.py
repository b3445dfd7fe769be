"""up2k import cadres: a kelurahan office's spreadsheet, all-or-nothing unless asked otherwise."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.helpers import make_nik

# The five bad rows of the shared file: (row, line, column, value, reason).
BAD_ROWS = [
    (6, 7, "NIK", "3,17406E+15", "spreadsheet stored the NIK as a number"),
    (10, 11, "NIK", "3174065009760004", "same NIK as row 4"),
    (13, 14, "No. HP", "0812-345", "not a mobile number"),
    (16, 17, "Kelurahan", "Pondok Lbu", "did you mean 'Pondok Labu'?"),
    (18, 19, "Persetujuan", "Tidak", "has not agreed"),
]
GOOD_NAMES = [
    "Eka Rahayu",
    "Eka Maharani",
    "Eka Susanti",
    "Sri Sari",
    "Maya Kurniasih",
    "Dewi Sari",
    "Sumarni Fauziah",
    "Maya Kurniasih",
    "Endang Susanti",
    "Rina Maharani",
    "Nur Rahayu",
    "Wati Kurniasih",
    "Eka Aminah",
    "Sumarni Kurniasih",
    "Dewi Wulandari",
]


def cadre_ids(run: Run, *args: str) -> list[str]:
    result = run(*args, "cadre", "list", "--format", "ids")
    assert result.exit_code == 0, result.stderr
    return result.stdout.split()


def exported(run: Run, *args: str) -> list[dict[str, object]]:
    result = run(*args, "export", "cadres", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def invalid_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Invalid: ")]


# --- the shared Pondok Labu file -------------------------------------------------------------


def test_shared_file_is_refused_whole_naming_all_five_bad_rows(
    registry: Path, run: Run, sample_csv: Path
) -> None:
    before = registry.read_bytes()
    result = run("import", "cadres", str(sample_csv))
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = invalid_lines(result.stderr)
    assert len(lines) == 5, result.stderr
    for line, (row, file_line, column, value, reason) in zip(lines, BAD_ROWS, strict=True):
        assert line.startswith(f"Invalid: row {row} (line {file_line}), column {column} {value!r}: ")
        assert reason in line
    assert result.stderr.splitlines()[-1] == (
        "Error: 5 of 20 rows are invalid; nothing was imported. Fix them, or add --skip-invalid "
        "to import the good rows"
    )
    assert registry.read_bytes() == before


def test_skip_invalid_imports_exactly_the_15_good_rows(registry: Path, run: Run, sample_csv: Path) -> None:
    result = run("import", "cadres", str(sample_csv), "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert len(invalid_lines(result.stderr)) == 5
    assert result.stderr.splitlines()[-1] == (
        "Imported 15 new cadres (K0001-K0015); left out 5 invalid row(s)."
    )
    cadres = exported(run)
    assert [c["name"] for c in cadres] == GOOD_NAMES
    assert {c["kelurahan"] for c in cadres} == {"Pondok Labu"}
    assert all(str(c["phone"]).startswith("+628") for c in cadres)
    assert sorted({c["income"] for c in cadres}) == [
        1_250_000,
        1_500_000,
        1_750_000,
        2_000_000,
        3_000_000,
    ]
    assert "3174065009760004" in {c["nik"] for c in cadres}, "row 4 is good; row 10 repeats it"


def test_rejects_file_holds_the_bad_rows_with_a_reason(
    registry: Path, run: Run, sample_csv: Path, tmp_path: Path
) -> None:
    rejects = tmp_path / "rejects.csv"
    result = run("import", "cadres", str(sample_csv), "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 0, result.stderr
    assert f"Wrote 5 rejected row(s) to {rejects}." in result.stderr
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    # As the office's file was written (UTF-8 with BOM, semicolons, CRLF): it reopens in the same Excel.
    raw = rejects.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfNo;Nama Lengkap;NIK;") and raw.count(b"\r\n") == 6
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert [r["No"] for r in rows] == ["6", "10", "13", "16", "18"]
    assert list(rows[0])[-1] == "reason"
    assert list(rows[0])[:3] == ["No", "Nama Lengkap", "NIK"]
    assert rows[0]["NIK"] == "3,17406E+15"
    assert rows[3]["Kelurahan"] == "Pondok Lbu"
    for row, (_, _, column, _, reason) in zip(rows, BAD_ROWS, strict=True):
        assert row["reason"].startswith(f"{column}: ")
        assert reason in row["reason"]


def test_rejects_are_written_even_when_the_import_is_refused(
    registry: Path, run: Run, sample_csv: Path, tmp_path: Path
) -> None:
    rejects = tmp_path / "rejects.csv"
    result = run("import", "cadres", str(sample_csv), "--rejects", str(rejects))
    assert result.exit_code == 1
    assert len(list(csv.DictReader(rejects.open(encoding="utf-8-sig"), delimiter=";"))) == 5
    assert cadre_ids(run) == []


def test_rejects_of_a_comma_file_with_lf_stay_so(registry: Path, run: Run, tmp_path: Path) -> None:
    source = tmp_path / "kader.csv"
    source.write_text("NIK,Nama,Kelurahan,Persetujuan\n123,Siti,Pondok Labu,ya\n", encoding="utf-8")
    rejects = tmp_path / "bad.csv"
    run("import", "cadres", str(source), "--rejects", str(rejects))
    assert rejects.read_bytes().startswith(b"NIK,Nama,Kelurahan,Persetujuan,reason\n123,Siti,")


def test_dry_run_writes_nothing(registry: Path, run: Run, sample_csv: Path) -> None:
    before = registry.read_bytes()
    result = run("import", "cadres", str(sample_csv), "--skip-invalid", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "Would import 15 new cadres (K0001-K0015)" in result.stderr
    assert "nothing written (dry run)" in result.stderr
    assert registry.read_bytes() == before

    refused = run("import", "cadres", str(sample_csv), "--dry-run")
    assert refused.exit_code == 1
    assert len(invalid_lines(refused.stderr)) == 5
    assert registry.read_bytes() == before


def test_dry_run_of_a_clean_file_exits_0(registry: Path, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(simple_csv([make_nik(1)]))
    before = registry.read_bytes()
    result = run("import", "cadres", str(path), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "Would import 1 new cadre " in result.stderr
    assert registry.read_bytes() == before


# --- duplicates against the registry ---------------------------------------------------------


def test_on_duplicate_error_is_the_default(registry_with_sample: Path, run: Run, sample_csv: Path) -> None:
    before = registry_with_sample.read_bytes()
    result = run("import", "cadres", str(sample_csv), "--on-duplicate", "error")
    assert result.exit_code == 1
    lines = invalid_lines(result.stderr)
    assert len(lines) == 20
    assert "row 1 (line 2), column NIK '3174065103900001': already registered as K0001" in lines[0]
    assert "--on-duplicate skip or update" in lines[0]
    assert registry_with_sample.read_bytes() == before
    assert run("import", "cadres", str(sample_csv)).exit_code == 1


def test_on_duplicate_skip(registry_with_sample: Path, run: Run, sample_csv: Path) -> None:
    before = exported(run)
    result = run("import", "cadres", str(sample_csv), "--skip-invalid", "--on-duplicate", "skip")
    assert result.exit_code == 0, result.stderr
    assert "Imported 0 new cadres; skipped 15 already registered" in result.stderr
    assert exported(run) == before


def test_on_duplicate_update(registry_with_sample: Path, run: Run, sample_csv: Path, tmp_path: Path) -> None:
    text = sample_csv.read_text(encoding="utf-8-sig")
    changed = text.replace("081297366946;kuliner;2;Rp 1.500.000", "0813-1111-2222;kuliner;3;2,5 jt")
    assert changed != text
    newer = tmp_path / "newer.csv"
    newer.write_text(changed, encoding="utf-8")
    result = run("import", "cadres", str(newer), "--skip-invalid", "--on-duplicate", "update")
    assert result.exit_code == 0, result.stderr
    assert "Imported 0 new cadres; updated 1" in result.stderr
    cadre = json.loads(run("cadre", "show", "K0001", "--format", "json").stdout)
    assert (cadre["phone"], cadre["household_size"], cadre["income"]) == (
        "+6281311112222",
        3,
        2_500_000,
    )
    last = cadre["history"][-1]
    assert last["action"] == "update"
    assert last["command"] == "import cadres"
    assert last["changes"] == {
        "phone": ["+6281297366946", "+6281311112222"],
        "household_size": [2, 3],
        "income": [1_500_000, 2_500_000],
    }
    assert cadre_ids(run) == [f"K{n:04d}" for n in range(1, 16)]


def test_mixed_new_and_known_rows(registry_with_sample: Path, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(simple_csv(["3174065103900001", make_nik(601)]))
    result = run("import", "cadres", str(path), "--on-duplicate", "skip")
    assert result.exit_code == 0, result.stderr
    assert "Imported 1 new cadre (K0016-K0016); skipped 1 already registered" in result.stderr


# --- file formats ----------------------------------------------------------------------------

HEADER = [
    "NIK",
    "Nama Lengkap",
    "Kelurahan",
    "RW",
    "RT",
    "Alamat",
    "No. HP",
    "Penghasilan",
    "Persetujuan",
]


def simple_csv(
    niks: list[str],
    *,
    delimiter: str = ",",
    newline: str = "\n",
    address: str = "Jl. Pinang, No. 5",
    name: str = "Siti Aminah",
) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(HEADER)
    for n, nik in enumerate(niks):
        writer.writerow(
            [
                nik,
                f"{name} {'ABCDEFGH'[n]}",
                "Pondok Labu",
                "3",
                "5",
                address,
                "0812-3456-7890",
                "Rp 1.500.000",
                "Ya",
            ]
        )
    return buffer.getvalue()


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("bom", [False, True], ids=["noBOM", "BOM"])
def test_delimiters_line_ends_bom_and_quoted_fields(
    registry: Path, run: Run, tmp_path: Path, delimiter: str, newline: str, bom: bool
) -> None:
    address = f'Jl. Pinang{delimiter} No. 5 "Blok A"'
    text = simple_csv([make_nik(1), make_nik(2)], delimiter=delimiter, newline=newline, address=address)
    assert f'"Jl. Pinang{delimiter} No. 5 ""Blok A"""' in text, "the field really is quoted"
    path = tmp_path / "in.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    result = run("import", "cadres", str(path))
    assert result.exit_code == 0, result.stderr
    cadres = exported(run)
    assert [c["name"] for c in cadres] == ["Siti Aminah A", "Siti Aminah B"]
    assert {c["address"] for c in cadres} == {" ".join(address.split())}, "runs of space: one"
    assert cadres[0]["nik"] == make_nik(1)
    assert cadres[0]["income"] == 1_500_000
    assert "Note:" not in result.stderr


def test_stdin(registry: Path, run: Run) -> None:
    result = run("import", "cadres", "-", input=simple_csv([make_nik(1)]).encode())
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "Imported 1 new cadre (K0001-K0001).\n"
    assert exported(run)[0]["consent_method"] == "import of stdin (consent column)"


def test_stdin_with_the_shared_file(registry: Path, run: Run, sample_csv: Path) -> None:
    result = run("import", "cadres", "-", "--skip-invalid", input=sample_csv.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert len(cadre_ids(run)) == 15


def test_windows_1252_file_is_read_correctly_with_a_note(registry: Path, run: Run, tmp_path: Path) -> None:
    text = simple_csv([make_nik(1)], name="Siti Ma’rifah Désirée", newline="\r\n")
    path = tmp_path / "excel.csv"
    path.write_bytes(text.encode("cp1252"))
    result = run("import", "cadres", str(path))
    assert result.exit_code == 0, result.stderr
    assert "Note: the file is not UTF-8; read it as Windows-1252" in result.stderr
    name = exported(run)[0]["name"]
    assert name == "Siti Ma’rifah Désirée A"
    assert "Ã" not in str(name) and "â€" not in str(name)


def test_forced_encoding(registry: Path, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(simple_csv([make_nik(1)], name="Désirée").encode("latin-1"))
    result = run("import", "cadres", str(path), "--encoding", "latin-1")
    assert result.exit_code == 0, result.stderr
    assert exported(run)[0]["name"] == "Désirée A"


def test_a_broken_excel_workbook_is_refused_clearly(registry: Path, run: Run, tmp_path: Path) -> None:
    """A file starting like an .xlsx (a zip) is never parsed as CSV text."""
    path = tmp_path / "kader.xlsx"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64 + b"[Content_Types].xml")
    before = registry.read_bytes()
    result = run("import", "cadres", str(path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "workbook" in lines[0]
    assert "Invalid:" not in result.stderr
    assert registry.read_bytes() == before


def test_binary_file_is_refused(registry: Path, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"NIK,Nama\x00\x01\x02")
    result = run("import", "cadres", str(path))
    assert result.exit_code == 1
    assert "not a text CSV file" in result.stderr


def test_missing_required_columns_are_named(registry: Path, run: Run) -> None:
    text = "NIK;Nama;RW;No HP;Persetujuan\n3174065103900001;Siti;3;081234567890;ya\n"
    result = run("import", "cadres", "-", input=text)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the file lacks required columns: Kelurahan (found: ")
    assert cadre_ids(run) == []


def test_a_sheet_without_rt_rw_or_address_still_imports_and_says_so(registry: Path, run: Run) -> None:
    text = (
        "NIK;Nama;Kelurahan;RW;No HP;Persetujuan\n"
        "3174065103900001;Siti;Pondok Labu;3;081234567890;ya\n"
        "3174065103900002;Ani;Pondok Labu;;081234567891;ya\n"
    )
    result = run("import", "cadres", "-", input=text)
    assert result.exit_code == 0, result.stderr
    assert "the file has no RT, Alamat column" in result.stderr
    assert "2 new cadre(s) have no RT, RW or address yet" in result.stderr
    assert cadre_ids(run) == ["K0001", "K0002"]
    shown = json.loads(run("cadre", "show", "K0002", "--format", "json").stdout)
    assert (shown["rw"], shown["rt"], shown["address"]) == (None, None, None)


def test_missing_consent_column_is_named(registry: Path, run: Run) -> None:
    text = "NIK,Nama,Kelurahan,RW,RT,Alamat\n3174065103900001,Siti,Pondok Labu,3,5,Jl. A\n"
    result = run("import", "cadres", "-", input=text)
    assert result.exit_code == 1
    assert "Persetujuan (consent)" in result.stderr


def test_export_column_names_are_accepted(registry: Path, run: Run) -> None:
    text = (
        "nik,name,kelurahan,rw,rt,address,phone,business_type,household_size,income,"
        "registered_on,consent\n"
        f"{make_nik(1)},Siti Aminah,Lebak Bulus,1,2,Jl. A,0812-3456-7890,Jasa,5,750 rb,"
        "2026-11-01,yes\n"
    )
    result = run("import", "cadres", "-", input=text)
    assert result.exit_code == 0, result.stderr
    cadre = exported(run)[0]
    assert (cadre["kelurahan"], cadre["business_type"], cadre["income"]) == (
        "Lebak Bulus",
        "Jasa",
        750_000,
    )
    assert (cadre["household_size"], cadre["registered_on"]) == (5, "2026-11-01")


@pytest.mark.parametrize(
    ("name", "phone", "income", "date"),
    [
        ("Nama", "No HP", "Penghasilan", "Tanggal Daftar"),
        ("NAMA LENGKAP", "Telepon", "Penghasilan per Bulan", "tanggal daftar"),
        ("nama", "WhatsApp", "PENGHASILAN", "Tanggal_Daftar"),
    ],
)
def test_indonesian_header_spellings(
    registry: Path, run: Run, name: str, phone: str, income: str, date: str
) -> None:
    header = ";".join(
        ["No", "NIK", name, "Kelurahan", "RW", "RT", "Alamat", phone, "Jenis Usaha",
         "Jumlah Anggota Keluarga", income, date, "Persetujuan"]
    )  # fmt: skip
    row = ";".join(
        ["1", make_nik(1), "Siti Aminah", "Kel. Cipete Selatan", "2", "7", "Jl. B",
         "+62 857 1234 5678", "Kerajinan", "6", "Rp 2.000.000", "27/10/2026", "Ya"]
    )  # fmt: skip
    result = run("import", "cadres", "-", input=f"{header}\r\n{row}\r\n")
    assert result.exit_code == 0, result.stderr
    assert "Note:" not in result.stderr, "the No column is ignored silently"
    cadre = exported(run)[0]
    assert cadre["name"] == "Siti Aminah"
    assert cadre["phone"] == "+6285712345678"
    assert cadre["income"] == 2_000_000
    assert cadre["registered_on"] == "2026-10-27"
    assert cadre["household_size"] == 6
    assert cadre["kelurahan_code"] == "31.74.06.1005"


def test_optional_columns_may_be_absent(registry: Path, run: Run) -> None:
    text = f"NIK,Nama,Kelurahan,RW,RT,Alamat,Persetujuan\n{make_nik(1)},Siti,Lebak Bulus,1,2,Jl. A,ya\n"
    result = run("import", "cadres", "-", input=text)
    assert result.exit_code == 0, result.stderr
    cadre = exported(run)[0]
    assert (cadre["phone"], cadre["business_type"], cadre["household_size"], cadre["income"]) == (
        None,
        None,
        None,
        None,
    )


def test_unknown_columns_are_noted_and_ignored(registry: Path, run: Run) -> None:
    text = (
        "NIK,Nama,Kelurahan,RW,RT,Alamat,Persetujuan,Hobi\n"
        f"{make_nik(1)},Siti,Lebak Bulus,1,2,Jl. A,ya,masak\n"
    )
    result = run("import", "cadres", "-", input=text)
    assert result.exit_code == 0, result.stderr
    assert "Note: column 'Hobi' is not a cadre field; ignored" in result.stderr


def test_status_column_and_consent_date(registry: Path, run: Run) -> None:
    text = (
        "nik,name,kelurahan,rw,rt,address,consent_on,consent_method,status\n"
        f"{make_nik(1)},Siti,Lebak Bulus,1,2,Jl. A,2026-10-01,formulir,inactive\n"
    )
    result = run("import", "cadres", "-", input=text)
    assert result.exit_code == 0, result.stderr
    cadre = exported(run)[0]
    assert (cadre["status"], cadre["consent_on"], cadre["consent_method"]) == (
        "inactive",
        "2026-10-01",
        "formulir",
    )


def test_every_bad_field_of_a_row_is_reported(registry: Path, run: Run) -> None:
    text = (
        "NIK,Nama,Kelurahan,RW,RT,Alamat,No HP,Penghasilan,Persetujuan\n"
        "123,Siti,Pondok Lbu,0,5,Jl. A,0812,banyak,mungkin\n"
    )
    result = run("import", "cadres", "-", input=text)
    assert result.exit_code == 1
    columns = [line.split(", column ")[1].split(" ")[0] for line in invalid_lines(result.stderr)]
    assert columns == ["NIK", "Kelurahan", "RW", "No", "Penghasilan", "Persetujuan"]
    assert "Error: 1 of 1 rows are invalid" in result.stderr


def test_duplicate_nik_inside_the_file(registry: Path, run: Run, tmp_path: Path) -> None:
    result = run("import", "cadres", "-", input=simple_csv([make_nik(1), make_nik(1)]))
    assert result.exit_code == 1
    (line,) = invalid_lines(result.stderr)
    assert line.startswith("Invalid: row 2 (line 3), column NIK")
    assert line.endswith("same NIK as row 1")


def test_missing_file(registry: Path, run: Run, tmp_path: Path) -> None:
    result = run("import", "cadres", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: file ")
    assert "cannot read it" in result.stderr


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"\xef\xbb\xbf"])
def test_empty_file(registry: Path, run: Run, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    result = run("import", "cadres", str(path))
    assert result.exit_code == 1
    assert "empty" in result.stderr


def test_no_progress_bar_when_stderr_is_not_a_terminal(registry: Path, run: Run) -> None:
    niks = [make_nik(n, day=1 + n % 28) for n in range(1, 9)]
    result = run("import", "cadres", "-", input=simple_csv(niks))
    assert result.exit_code == 0, result.stderr
    assert "\x1b[" not in result.stderr
    assert result.stderr == "Imported 8 new cadres (K0001-K0008).\n"


def test_names_that_look_alike_in_the_registry_are_noted(registry_with_sample: Path, run: Run) -> None:
    # Eka Rahayu (K0001) was born 11 Mar 1990 in Pondok Labu; here she is with another NIK.
    text = simple_csv([make_nik(777, region="320101")], name="Eka Rahayu").replace(
        "Eka Rahayu A", "Eka Rahayu"
    )
    result = run("import", "cadres", "-", input=text)
    assert result.exit_code == 0, result.stderr
    assert "Note: row 1: Eka Rahayu has the name, kelurahan and birth date of K0001" in result.stderr


def test_only_the_same_birth_date_makes_a_twin(registry_with_sample: Path, run: Run) -> None:
    """Eka Rahayu (K0001, a woman born 11 Mar 1990, Pondok Labu) against rows that share more or
    less with her: the registry narrows the search by the birth month and year, and the rule
    decides (a man's NIK of the same date is a twin too: the date is the same)."""
    rows = [
        ("Eka Rahayu", make_nik(701, female=False)),  # the same date, a man's NIK
        ("Eka Rahayu", make_nik(702, day=12)),  # the same month and year, another day
        ("Eka Rahayu", make_nik(703, month=4)),  # another month
        ("Eka Rahayu", make_nik(704, year=91)),  # another year
        ("Eka Rahayu Putri", make_nik(705)),  # another name
    ]
    text = "".join(simple_csv([nik], name=name).splitlines(keepends=True)[1].replace(f"{name} A", name)
                   for name, nik in rows)  # fmt: skip
    result = run("import", "cadres", "-", input=simple_csv([]) + text)
    assert result.exit_code == 0, result.stderr
    twins = [line for line in result.stderr.splitlines() if "birth date of" in line]
    assert twins == ["Note: row 1: Eka Rahayu has the name, kelurahan and birth date of K0001 (another NIK); "
                     "imported, but check both"]  # fmt: skip
