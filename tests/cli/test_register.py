"""up2k register: one cadre from options (or prompts on a terminal)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.helpers import DEFAULT_FIELDS, TODAY, make_nik, register_args, up2k_cmd
from up2k_cli.cli import cadres as cadres_cli


def show_json(run: Run, ref: str) -> dict:  # type: ignore[type-arg]
    result = run("cadre", "show", ref, "--format", "json", "--show-nik")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def count_cadres(run: Run) -> int:
    return len(run("cadre", "list", "--format", "ids").stdout.split())


def test_register_prints_the_new_id_alone_on_stdout(registry: Path, run: Run) -> None:
    result = run(register_args())
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "K0001\n"
    assert result.stderr == "Registered K0001: Siti Aminah, Pondok Labu.\n"
    second = run(register_args(nik=make_nik(102), name="Dewi Lestari"))
    assert second.stdout == "K0002\n"


def test_every_field_option_is_stored_normalised(registry: Path, run: Run) -> None:
    result = run(
        register_args(
            nik="3174.0651.0390.0101",
            name="  Siti   Aminah ",
            kelurahan="Kel. PONDOK labu",
            rw="RW 03",
            rt="5",
            address="Jl. Pinang No. 1",
            phone="+62 812-3456-7890",
            business_type="warung",
            household_size="4",
            income="1,5 jt",
            date="01/11/2026",
            consent_method="signed form",
        )
    )
    assert result.exit_code == 0, result.stderr
    cadre = show_json(run, "K0001")
    assert {k: cadre[k] for k in list(cadre)[:19]} == {
        "id": "K0001",
        "nik": "3174065103900101",
        "name": "Siti Aminah",
        "sex": "F",
        "birth_date": "1990-03-11",
        "kelurahan_code": "31.74.06.1003",
        "kelurahan": "Pondok Labu",
        "rw": "003",
        "rt": "005",
        "address": "Jl. Pinang No. 1",
        "phone": "+6281234567890",
        "business_type": "Perdagangan/Warung",
        "household_size": 4,
        "income": 1_500_000,
        "registered_on": "2026-11-01",
        "consent_on": "2026-11-01",
        "consent_method": "signed form",
        "status": "active",
        "status_reason": None,
    }


def test_registration_defaults_to_today_with_consent_recorded(registry: Path, run: Run) -> None:
    assert run(register_args()).exit_code == 0
    cadre = show_json(run, "K0001")
    assert cadre["registered_on"] == "2026-11-27"
    assert cadre["consent_on"] == "2026-11-27"
    assert cadre["consent_method"] == "register --consent"


def test_men_are_registered_too(registry: Path, run: Run) -> None:
    assert run(register_args(nik=make_nik(7, female=False, day=2, month=1, year=5))).exit_code == 0
    cadre = show_json(run, "K0001")
    assert (cadre["sex"], cadre["birth_date"]) == ("M", "2005-01-02")


def test_registration_is_recorded_in_the_history(registry: Path, run: Run) -> None:
    assert run(register_args()).exit_code == 0
    (entry,) = show_json(run, "K0001")["history"]
    assert entry["action"] == "create"
    assert entry["command"] == "register"
    assert entry["user"] == getpass.getuser()
    assert entry["at"].startswith("20")
    # The record holds its first values; the history names it without copying personal data.
    assert entry["ref"] == "K0001" and entry["changes"] == {}


BAD_VALUES = [
    ("nik", "123", "nik", "must be 16 digits"),
    ("nik", "3,17406E+15", "nik", "spreadsheet"),
    ("nik", "1074065103900101", "nik", "province code"),
    ("nik", "3174063203900101", "nik", "birth date"),
    ("nik", "3174065103900000", "nik", "0000"),
    ("name", "12345", "name", "must be letters"),
    ("kelurahan", "Pondok Lbu", "kelurahan", "did you mean 'Pondok Labu'?"),
    ("kelurahan", "Cilandak Timur", "kelurahan", "use one of"),
    ("rw", "abc", "rw", "number 1-999"),
    ("rt", "0", "rt", "number 1-999"),
    ("address", "", "address", "required"),
    ("address", "x" * 201, "address", "longer than 200"),
    ("phone", "0812-345", "phone", "not a mobile number"),
    ("phone", "021-7654321", "phone", "not a mobile number"),
    ("business_type", "Tambang", "business_type", "unknown"),
    ("household_size", "0", "household_size", "1 to 30"),
    ("household_size", "empat", "household_size", "1 to 30"),
    ("income", "banyak", "income", "not an amount"),
    ("income", "-500.000", "income", "not an amount"),
    ("income", "1.500.000,50", "income", "cents"),
    ("date", "31/02/2026", "registered_on", "no such day"),
    ("date", "2026-12-01", "registered_on", "in the future"),
    ("date", "kemarin", "registered_on", "write dates as"),
]


@pytest.mark.parametrize(("option", "value", "field", "reason"), BAD_VALUES)
def test_a_bad_value_for_each_field_is_refused_in_one_line(
    registry: Path, run: Run, option: str, value: str, field: str, reason: str
) -> None:
    before = registry.read_bytes()
    result = run(register_args(**{option: value}))
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    shown = "(empty)" if value == "" else repr(value if len(value) <= 60 else value[:57] + "...")
    assert lines[0].startswith(f"Error: {field} {shown}: "), lines[0]
    assert reason in lines[0]
    assert "Traceback" not in result.stderr
    assert registry.read_bytes() == before


def test_several_bad_values_are_all_reported(registry: Path, run: Run) -> None:
    result = run(register_args(nik="123", phone="0812-345", income="banyak"))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert [line.split(" ")[1] for line in lines] == ["nik", "phone", "income"]
    assert all(line.startswith("Error: ") for line in lines)


def test_missing_required_fields_without_a_terminal_exit_2_listing_them(registry: Path, run: Run) -> None:
    before = registry.read_bytes()
    result = run("register", "--name", "Siti Aminah", "--rt", "5")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: missing --nik, --kelurahan, --rw, --address, --consent "
        "(stdin is not a terminal, so up2k cannot ask)\n"
    )
    assert registry.read_bytes() == before


def test_no_consent_without_a_terminal_is_refused(registry: Path, run: Run) -> None:
    before = registry.read_bytes()
    result = run(register_args(consent=False))
    assert result.exit_code == 2
    assert "--consent" in result.stderr
    assert "--nik" not in result.stderr
    assert result.stdout == ""
    assert registry.read_bytes() == before


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend stdin is a terminal, so register may ask."""
    monkeypatch.setattr(cadres_cli, "stdin_is_terminal", lambda: True)


def test_on_a_terminal_missing_fields_are_asked_for(registry: Path, run: Run, terminal: None) -> None:
    answers = "\n".join([make_nik(101), "Siti Aminah", "Pondok Labu", "3", "5", "Jl. Pinang", "y"])
    result = run(
        "register",
        "--phone",
        "0812-3456-7890",
        "--business-type",
        "Kuliner",
        "--household-size",
        "4",
        "--income",
        "1.500.000",
        input=answers + "\n",
    )
    assert result.exit_code == 0, result.stderr
    # CliRunner echoes the typed answers to stdout as a terminal would; the data line is last.
    assert result.stdout.splitlines()[-1] == "K0001"
    assert "NIK (16 digits)" in result.stderr
    assert "Has Siti Aminah agreed" in result.stderr
    assert show_json(run, "K0001")["consent_method"] == "confirmed at the up2k prompt"


def test_on_a_terminal_each_answer_is_checked_as_it_is_typed(
    registry: Path, run: Run, terminal: None
) -> None:
    run(register_args(nik=make_nik(5)))  # K0001 holds this NIK
    answers = [
        "123", make_nik(5), make_nik(102),  # too short, then someone's, then a good one
        "Rina Wati", "Pondok Labuh", "pondok", "3", "abc", "5", "Jl. Pinang",
        "0812", "0812-3456-7890",  # phone: too short, then good
        "",  # income skipped with Enter
        "y",
    ]  # fmt: skip
    result = run("register", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "K0002"
    err = result.stderr
    assert err.count("NIK (16 digits):") == 3 and "must be 16 digits, this has 3; " in err
    assert "is already registered as K0001" in err
    assert err.count("Kelurahan:") == 2 and "kelurahan 'Pondok Labuh'" in err
    assert err.count("RT:") == 2 and "rt 'abc'" in err
    assert err.count("Mobile phone (Enter to skip):") == 2
    assert err.count("Monthly household income, e.g. 1,5 jt (Enter to skip):") == 1
    record = show_json(run, "K0002")
    assert (record["nik"], record["kelurahan"], record["rt"], record["phone"], record["income"]) == (
        make_nik(102), "Pondok Labu", "005", "+6281234567890", None
    )  # fmt: skip


def test_on_a_terminal_phone_and_income_are_asked_when_not_given(
    registry: Path, run: Run, terminal: None
) -> None:
    result = run(register_args(phone=None, income=None), input="\n1,5 jt\n")
    assert result.exit_code == 0, result.stderr
    record = show_json(run, "K0001")
    assert (record["phone"], record["income"]) == (None, 1_500_000)


def test_a_real_terminal_asks_again_at_once(registry: Any, run: Run) -> None:
    """On a pseudo-terminal: the error comes right after the wrong answer, before the next prompt."""
    import os
    import pty
    import select
    import subprocess
    import time

    env = {
        **os.environ,
        "UP2K_DB": registry.location,
        "UP2K_TODAY": TODAY,
        "UP2K_LANG": "en",
        "NO_COLOR": "1",
    }
    master, slave = pty.openpty()
    proc = subprocess.Popen(up2k_cmd("register"), stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    seen, read_to = b"", 0

    def until(text: bytes) -> bytes:
        """What the terminal showed since the last call, up to and including `text`."""
        nonlocal seen, read_to
        deadline = time.monotonic() + 60
        while text not in seen[read_to:] and time.monotonic() < deadline:
            if select.select([master], [], [], 0.2)[0]:
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
        assert text in seen[read_to:], seen.decode(errors="replace")
        shown, read_to = seen[read_to:], seen.index(text, read_to) + len(text)
        return shown[: shown.index(text) + len(text)]

    for prompt, answer in [
        (b"NIK (16 digits): ", "12345"), (b"NIK (16 digits): ", make_nik(103)), (b"Full name: ", "Rina"),
        (b"Kelurahan: ", "lebak"), (b"RW: ", "1"), (b"RT: ", "2"), (b"Address: ", "Jl. Kenari"),
        (b"Mobile phone (Enter to skip): ", ""), (b"jt (Enter to skip): ", "2 jt"), (b"[y/N]: ", "y"),
    ]:  # fmt: skip
        shown = until(prompt)
        if answer == make_nik(103):  # asked again at once, the reason first
            assert b"nik '12345': must be 16 digits" in shown and b"Full name" not in shown
        os.write(master, answer.encode() + b"\r")
    until(b"Registered K0001")
    assert proc.wait(timeout=60) == 0, seen.decode(errors="replace")
    os.close(master)
    assert show_json(run, "K0001")["income"] == 2_000_000


def test_on_a_terminal_a_no_to_consent_is_refused(registry: Path, run: Run, terminal: None) -> None:
    before = registry.read_bytes()
    result = run(register_args(consent=False), input="n\n")
    assert result.exit_code == 1
    assert "K0" not in result.stdout
    assert "Error: consent" in result.stderr
    assert "has not agreed" in result.stderr
    assert registry.read_bytes() == before


def test_duplicate_nik_is_refused_naming_the_existing_cadre(registry: Path, run: Run) -> None:
    assert run(register_args()).exit_code == 0
    before = registry.read_bytes()
    result = run(register_args(nik="317406 510390 0101", name="Dewi Lestari", kelurahan="1001"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: nik 317406******0101 is already registered as K0001 (Siti Aminah); "
        "use 'up2k cadre update K0001' to change it\n"
    )
    assert registry.read_bytes() == before


def test_same_person_with_another_nik_needs_force(registry: Path, run: Run) -> None:
    assert run(register_args()).exit_code == 0
    twin = register_args(nik=make_nik(777, region="320101"), name="SITI  AMINAH")
    before = registry.read_bytes()
    refused = run(twin)
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert "looks already registered as K0001" in refused.stderr
    assert "--force" in refused.stderr
    assert registry.read_bytes() == before
    forced = run(twin, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert forced.stdout == "K0002\n"


def test_same_name_other_birth_date_is_not_a_twin(registry: Path, run: Run) -> None:
    assert run(register_args()).exit_code == 0
    other = run(register_args(nik=make_nik(102, day=12)))
    assert other.exit_code == 0, other.stderr


def test_same_name_other_kelurahan_is_not_a_twin(registry: Path, run: Run) -> None:
    assert run(register_args()).exit_code == 0
    assert run(register_args(nik=make_nik(102), kelurahan="Lebak Bulus")).exit_code == 0


def test_ids_keep_counting(registry: Path, run: Run) -> None:
    for n in range(3):
        assert run(register_args(nik=make_nik(200 + n), name=f"Kader {'ABC'[n]}")).exit_code == 0
    assert run("cadre", "list", "--format", "ids").stdout == "K0001\nK0002\nK0003\n"


def test_optional_fields_may_be_left_out(registry: Path, run: Run) -> None:
    required = ("nik", "name", "kelurahan", "rw", "rt", "address")
    optional = {k.replace("-", "_"): None for k in DEFAULT_FIELDS if k not in required}
    result = run(register_args(**optional))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "K0001\n"
    cadre = show_json(run, "K0001")
    assert (cadre["phone"], cadre["business_type"], cadre["income"]) == (None, None, None)


def test_nothing_is_registered_by_a_refusal(registry: Path, run: Run) -> None:
    assert run(register_args(nik="123")).exit_code == 1
    assert count_cadres(run) == 0
    assert run(register_args()).stdout == "K0001\n", "a refusal uses up no ID"
