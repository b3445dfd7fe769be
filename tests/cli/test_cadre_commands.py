"""up2k cadre list / show / update / deactivate / reactivate.

The registry holds the 15 good rows of the shared Pondok Labu file (K0001-K0015, in file order:
rows 1-5, 7-9, 11, 12, 14, 15, 17, 19, 20) and, where a test adds it, one Lebak Bulus cadre.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.helpers import edit_registry, make_nik, register_args

ALL_IDS = [f"K{n:04d}" for n in range(1, 16)]
LIST_COLUMNS = ["id", "nik", "name", "kelurahan", "rw", "rt", "phone", "business_type", "status"]


def ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.stderr
    return result.stdout.split()


def show_json(run: Run, ref: str, *extra: str) -> dict:  # type: ignore[type-arg]
    result = run("cadre", "show", ref, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def lebak_bulus(registry_with_sample: Path, run: Run) -> Path:
    """K0016: a cadre in Lebak Bulus, the one cadre outside Pondok Labu."""
    result = run(register_args(kelurahan="Lebak Bulus", name="Nur Hidayah", phone="0857-1111-2222"))
    assert result.stdout == "K0016\n", result.stderr
    return registry_with_sample


# --- list ------------------------------------------------------------------------------------


def test_list_table_masks_the_nik(registry_with_sample: Path, run: Run) -> None:
    result = run("cadre", "list")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert "Cadres (15)" in result.stdout
    assert "317406******0001" in result.stdout
    assert "3174065103900001" not in result.stdout
    row = next(line for line in result.stdout.splitlines() if "K0001" in line)
    for cell in ("Eka Rahayu", "Pondok Labu", "010", "001", "+6281297366946", "Kuliner", "active"):
        assert cell in row


def test_list_show_nik(registry_with_sample: Path, run: Run) -> None:
    result = run("cadre", "list", "--show-nik")
    assert "3174065103900001" in result.stdout
    csv_out = run("cadre", "list", "--format", "csv", "--show-nik").stdout
    assert "K0001,3174065103900001,Eka Rahayu," in csv_out


def test_list_csv(registry_with_sample: Path, run: Run) -> None:
    result = run("cadre", "list", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == LIST_COLUMNS
    assert [r["id"] for r in rows] == ALL_IDS
    assert rows[0] == {
        "id": "K0001",
        "nik": "317406******0001",
        "name": "Eka Rahayu",
        "kelurahan": "Pondok Labu",
        "rw": "010",
        "rt": "001",
        "phone": "+6281297366946",
        "business_type": "Kuliner",
        "status": "active",
    }
    assert result.stdout.splitlines()[0] == ",".join(LIST_COLUMNS)


def test_list_json(registry_with_sample: Path, run: Run) -> None:
    rows = json.loads(run("cadre", "list", "--format", "json").stdout)
    assert len(rows) == 15
    assert list(rows[1]) == LIST_COLUMNS
    assert rows[1]["nik"] == "317406******0002"
    assert rows[1]["business_type"] == "Perdagangan/Warung"


def test_list_ids_one_per_line(registry_with_sample: Path, run: Run) -> None:
    result = run("cadre", "list", "--format", "ids")
    assert result.stdout == "".join(f"{i}\n" for i in ALL_IDS)


def test_empty_registry_lists_nothing(registry: Path, run: Run) -> None:
    assert run("cadre", "list", "--format", "ids").stdout == ""
    assert json.loads(run("cadre", "list", "--format", "json").stdout) == []
    assert "Cadres (0)" in run("cadre", "list").stdout


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Lebak Bulus", ["K0016"]),
        ("kel. lebak  bulus", ["K0016"]),
        ("1002", ["K0016"]),
        ("31.74.06.1002", ["K0016"]),
        ("PONDOK LABU", ALL_IDS),
        ("Cipete Selatan", []),
    ],
)
def test_list_filter_kelurahan(lebak_bulus: Path, run: Run, given: str, expected: list[str]) -> None:
    assert ids(run("cadre", "list", "--kelurahan", given, "--format", "ids")) == expected


def test_list_filter_unknown_kelurahan_says_did_you_mean(registry_with_sample: Path, run: Run) -> None:
    result = run("cadre", "list", "--kelurahan", "Pondok Lbu")
    assert result.exit_code == 1
    assert result.stderr == "Error: kelurahan 'Pondok Lbu': unknown; did you mean 'Pondok Labu'?\n"


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ("Maya", ["K0005", "K0008"]),
        ("maya kurniasih", ["K0005", "K0008"]),
        ("Rahayu", ["K0001", "K0011"]),
        ("3174066708830009", ["K0008"]),  # NIK
        ("0812-6178-0050", ["K0008"]),  # phone as written locally
        ("+62 812 6178 0050", ["K0008"]),
        ("6178", ["K0008"]),
        ("Budi", []),
    ],
)
def test_list_search_name_nik_phone(
    registry_with_sample: Path, run: Run, needle: str, expected: list[str]
) -> None:
    assert ids(run("cadre", "list", "--search", needle, "--format", "ids")) == expected


def test_list_filter_status_and_combined(lebak_bulus: Path, run: Run) -> None:
    assert run("cadre", "deactivate", "K0003", "--reason", "pindah domisili").exit_code == 0
    assert run("cadre", "deactivate", "K0016", "--reason", "berhenti").exit_code == 0
    inactive = ids(run("cadre", "list", "--status", "inactive", "--format", "ids"))
    assert inactive == ["K0003", "K0016"]
    active = ids(run("cadre", "list", "--status", "active", "--format", "ids"))
    assert len(active) == 14 and "K0003" not in active
    both = run("cadre", "list", "--status", "inactive", "--kelurahan", "Pondok Labu", "--format", "ids")
    assert ids(both) == ["K0003"]


def test_list_is_in_id_order_past_9999(registry: Path, run: Run) -> None:
    """K10000 sorts after K9999, not between K1000 and K1001."""

    edit_registry(registry, lambda data: data["meta"]["1"].update(counters={"cadre": 9998}))
    for n in range(3):
        assert run(register_args(nik=make_nik(300 + n), name=f"Kader {'ABC'[n]}")).exit_code == 0
    assert ids(run("cadre", "list", "--format", "ids")) == ["K9999", "K10000", "K10001"]


# --- show ------------------------------------------------------------------------------------


def test_show_by_id_as_a_table(registry_with_sample: Path, run: Run) -> None:
    result = run("cadre", "show", "K0001")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in (
        "Cadre K0001",
        "317406******0001",
        "Eka Rahayu",
        "Pondok Labu",
        "31.74.06.1003",
        "Rp 1.500.000",
        "History",
        "import cadres",
        "create",
    ):
        assert text in out, text
    assert "3174065103900001" not in out
    # The masked digits are the birth date: showing that date beside the mask would undo it.
    assert "11 Mar 1990" not in out
    assert "11 Mar 1990" in run("cadre", "show", "K0001", "--show-nik").stdout


@pytest.mark.parametrize(
    "ref", ["K0008", "k0008", "3174066708830009", "317406 670883 0009", "3174.0667.0883.0009"]
)
def test_show_by_id_or_nik(registry_with_sample: Path, run: Run, ref: str) -> None:
    cadre = show_json(run, ref)
    assert cadre["id"] == "K0008"
    assert cadre["name"] == "Maya Kurniasih"


def test_show_json_has_every_field_and_the_history(registry_with_sample: Path, run: Run) -> None:
    cadre = show_json(run, "K0008", "--show-nik")
    assert cadre["nik"] == "3174066708830009"
    assert cadre["sex"] == "F"
    assert cadre["birth_date"] == "1983-08-27"
    assert cadre["phone"] == "+6281261780050"
    assert cadre["income"] == 1_500_000
    assert cadre["household_size"] == 3
    assert cadre["consent_method"] == "import of kader-pondok-labu.csv (consent column)"
    (entry,) = cadre["history"]
    assert entry["action"] == "create"
    assert entry["command"] == "import cadres"
    # An import is one history entry naming every record it created and the file it came from.
    assert entry["changes"]["source"] == [None, "kader-pondok-labu.csv"]
    assert "K0008" in entry["refs"] and len(entry["refs"]) == 15


def test_show_json_masks_the_nik_by_default(registry_with_sample: Path, run: Run) -> None:
    assert show_json(run, "K0008")["nik"] == "317406******0009"


def test_show_json_without_show_nik_never_prints_the_full_nik(registry_with_sample: Path, run: Run) -> None:
    result = run("cadre", "show", "K0008", "--format", "json")
    assert "3174066708830009" not in result.stdout


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("K0099", "Error: cadre K0099 not found; 'up2k cadre list' shows the IDs\n"),
        ("3174065103909999", "Error: no cadre has NIK 317406******9999; check the number\n"),
        ("Eka", "Error: cadre 'Eka': name a cadre by ID (e.g. K0001) or 16-digit NIK\n"),
    ],
)
def test_show_unknown_cadre(registry_with_sample: Path, run: Run, ref: str, message: str) -> None:
    result = run("cadre", "show", ref)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == message


# --- update ----------------------------------------------------------------------------------


def test_update_changes_fields_and_keeps_old_values_in_history(registry_with_sample: Path, run: Run) -> None:
    result = run("cadre", "update", "K0001", "--phone", "0813-9999-0000", "--income", "2,5 jt", "--rt", "9")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == "Updated K0001: rt, phone, income.\n"
    cadre = show_json(run, "K0001")
    assert (cadre["phone"], cadre["income"], cadre["rt"]) == ("+6281399990000", 2_500_000, "009")
    last = cadre["history"][-1]
    assert last["action"] == "update"
    assert last["command"] == "cadre update"
    assert last["changes"] == {
        "rt": ["001", "009"],
        "phone": ["+6281297366946", "+6281399990000"],
        "income": [1_500_000, 2_500_000],
    }
    table = run("cadre", "show", "K0001").stdout
    assert "phone: +6281297366946 -> +6281399990000" in table


def test_update_by_nik(registry_with_sample: Path, run: Run) -> None:
    result = run("cadre", "update", "3174066708830009", "--kelurahan", "Cipete Sel.")
    assert result.exit_code == 0, result.stderr
    cadre = show_json(run, "K0008")
    assert (cadre["kelurahan_code"], cadre["kelurahan"]) == ("31.74.06.1005", "Cipete Selatan")
    assert cadre["history"][-1]["changes"] == {"kelurahan_code": ["31.74.06.1003", "31.74.06.1005"]}


def test_update_nik_changes_derived_facts(registry_with_sample: Path, run: Run) -> None:
    result = run("cadre", "update", "K0001", "--nik", make_nik(1, female=False, day=2, month=2, year=91))
    assert result.exit_code == 0, result.stderr
    cadre = show_json(run, "K0001", "--show-nik")
    assert (cadre["sex"], cadre["birth_date"]) == ("M", "1991-02-02")


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--nik", "3,17406E+15", "nik"),
        ("--name", "123", "name"),
        ("--kelurahan", "Pondok Lbu", "kelurahan"),
        ("--rw", "0", "rw"),
        ("--rt", "x", "rt"),
        ("--address", "", "address"),
        ("--phone", "0812-345", "phone"),
        ("--business-type", "Tambang", "business_type"),
        ("--household-size", "99", "household_size"),
        ("--income", "banyak", "income"),
        ("--date", "2027-01-01", "registered_on"),
    ],
)
def test_update_validates_like_register(
    registry_with_sample: Path, run: Run, option: str, value: str, field: str
) -> None:
    before = registry_with_sample.read_bytes()
    result = run("cadre", "update", "K0001", option, value)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {field} "), result.stderr
    assert registry_with_sample.read_bytes() == before


def test_update_to_another_cadres_nik_is_refused(registry_with_sample: Path, run: Run) -> None:
    before = registry_with_sample.read_bytes()
    result = run("cadre", "update", "K0001", "--nik", "3174064307910002")
    assert result.exit_code == 1
    assert "already registered as K0002" in result.stderr
    assert registry_with_sample.read_bytes() == before


def test_update_with_nothing_to_change(registry_with_sample: Path, run: Run) -> None:
    result = run("cadre", "update", "K0001")
    assert result.exit_code == 1
    assert "nothing to change" in result.stderr


def test_update_to_the_same_values_writes_nothing(registry_with_sample: Path, run: Run) -> None:
    before = registry_with_sample.read_bytes()
    result = run("cadre", "update", "K0001", "--phone", "0812-9736-6946")
    assert result.exit_code == 0
    assert result.stderr == "Updated K0001: nothing (same values).\n"
    assert registry_with_sample.read_bytes() == before


def test_update_unknown_cadre(registry_with_sample: Path, run: Run) -> None:
    result = run("cadre", "update", "K0999", "--phone", "0812-3456-7890")
    assert result.exit_code == 1
    assert "K0999 not found" in result.stderr


# --- deactivate / reactivate -----------------------------------------------------------------


def test_deactivate_and_reactivate(registry_with_sample: Path, run: Run) -> None:
    result = run("cadre", "deactivate", "K0002", "--reason", "pindah ke Depok")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "K0002 (Eka Maharani) is now inactive.\n"
    cadre = show_json(run, "K0002")
    assert (cadre["status"], cadre["status_reason"]) == ("inactive", "pindah ke Depok")
    assert cadre["history"][-1]["action"] == "deactivate"
    changes = cadre["history"][-1]["changes"]
    assert changes["status"] == ["active", "inactive"]
    assert changes["status_reason"] == [None, "pindah ke Depok"]
    assert "Status reason" in run("cadre", "show", "K0002").stdout

    again = run("cadre", "deactivate", "K0002", "--reason", "x")
    assert again.exit_code == 1
    assert again.stderr == "Error: cadre K0002 is already inactive\n"

    back = run("cadre", "reactivate", "3174064307910002")
    assert back.exit_code == 0, back.stderr
    assert back.stderr == "K0002 (Eka Maharani) is active again.\n"
    cadre = show_json(run, "K0002")
    assert (cadre["status"], cadre["status_reason"]) == ("active", None)
    assert [h["action"] for h in cadre["history"]] == ["create", "deactivate", "reactivate"]
    assert cadre["history"][-1]["command"] == "cadre reactivate"


def test_reactivate_an_active_cadre_is_refused(registry_with_sample: Path, run: Run) -> None:
    result = run("cadre", "reactivate", "K0001")
    assert result.exit_code == 1
    assert result.stderr == "Error: cadre K0001 is already active\n"


def test_deactivate_needs_a_reason(registry_with_sample: Path, run: Run) -> None:
    before = registry_with_sample.read_bytes()
    assert run("cadre", "deactivate", "K0001").exit_code == 2
    blank = run("cadre", "deactivate", "K0001", "--reason", "  ")
    assert blank.exit_code == 1
    assert "reason" in blank.stderr
    assert registry_with_sample.read_bytes() == before
