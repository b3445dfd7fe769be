"""up2k group and settings group-tiers, end to end: IDs alone on stdout, messages on stderr,
exit codes, one-line errors naming field, value and fix, hostile text printed as written.

Cadres (registered 2026-10-01): K0001-K0003 Pondok Labu, K0004-K0005 Lebak Bulus."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.enrollment_data import five_cadres
from tests.helpers import cli_runner

HOSTILE = '=HYPERLINK("x") [/] [bold]Melati[/bold]'


@pytest.fixture
def up2k(tmp_path):
    return five_cadres(cli_runner(tmp_path / "r.json"))


@pytest.fixture
def grouped(up2k):
    """G0001 Pondok Labu (formed 2026-10-05) with K0001-K0003 since 2026-10-10; small tier criteria."""
    assert up2k("group", "add", "Kelompok Melati", "--kelurahan", "pondok", "--rw", "3", "--formed",
                "2026-10-05", "--capital", "1,5 jt", "--bookkeeping", "ya").stdout == "G0001\n"  # fmt: skip
    up2k("group", "join", "G0001", "-", "--date", "2026-10-10", input="K0001\nK0002\n\nK0003\n")
    for tier, members, capital in (("pemula", "2", "0"), ("madya", "3", "1 jt"), ("utama", "4", "2 jt"),
                                   ("mandiri", "5", "3 jt")):  # fmt: skip
        up2k("settings", "group-tiers", tier, "--members", members, "--capital", capital, "--reach", "any")
    return up2k


def one_error(result, code: int = 1) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert result.stdout == ""
    return lines[0]


def test_group_add_prints_the_id_alone(up2k) -> None:
    result = up2k(
        "group", "add", "Kelompok Melati", "--kelurahan", "Kel. Pondok Labu", "--formed", "05/10/2026"
    )
    assert (result.stdout, result.stderr) == ("G0001\n", "Added group G0001 (Kelompok Melati).\n")
    assert (
        up2k("group", "add", "Kelompok Mawar", "--kelurahan", "1002", "--formed", "2026-10-06").stdout
        == "G0002\n"
    )


def test_group_add_names_every_missing_or_bad_field(up2k) -> None:
    result = up2k("group", "add", "Kelompok", "--rw", "0", check=False)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: kelurahan (empty): required: give the --kelurahan",
        "Error: formed (empty): required: give the --formed",
        "Error: rw '0': write the RW as a number 1-999, e.g. 005",
    ]
    line = one_error(
        up2k("group", "add", "K", "--kelurahan", "Pondok Lbu", "--formed", "2026-10-05", check=False)
    )
    assert line == "Error: kelurahan 'Pondok Lbu': unknown; did you mean 'Pondok Labu'?"
    assert up2k("group", "list", "--format", "ids").stdout == ""


def test_join_reads_stdin_and_reports_members_already_in(grouped) -> None:
    result = grouped("group", "join", "G0001", "K0001", "K0004", "--date", "2026-10-12")
    assert result.stdout == ""
    assert result.stderr == "K0001 is already a member of G0001; left as it is.\n1 joined G0001.\n"


def test_one_group_at_a_time_is_one_line_naming_the_fix(grouped) -> None:
    grouped("group", "add", "Kelompok Mawar", "--kelurahan", "Lebak Bulus", "--formed", "2026-10-06")
    line = one_error(grouped("group", "join", "G0002", "K0004", "K0002", "--date", "2026-10-20", check=False))
    assert line == (
        "Error: K0002 is a member of G0001 since 2026-10-10 (one group at a time); "
        "'up2k group leave G0001 K0002' first; nobody joined"
    )
    assert json.loads(grouped("group", "show", "G0002", "--format", "json").stdout)["members"] == []


def test_leave_then_join_another(grouped) -> None:
    grouped("group", "add", "Kelompok Mawar", "--kelurahan", "Lebak Bulus", "--formed", "2026-10-06")
    result = grouped("group", "leave", "G0001", "K0002", "--date", "2026-11-01", "--reason", "pindah RW")
    assert result.stderr == "1 left G0001: K0002.\n"
    grouped("group", "join", "G0002", "K0002", "--date", "2026-11-01")
    shown = json.loads(grouped("group", "show", "G0001", "--format", "json").stdout)
    assert [m["cadre_id"] for m in shown["members"]] == ["K0001", "K0003"]
    assert shown["former_members"] == [{"cadre_id": "K0002", "name": "Kader 2", "joined_on": "2026-10-10",
                                        "left_on": "2026-11-01", "leave_reason": "pindah RW"}]  # fmt: skip
    line = one_error(grouped("group", "leave", "G0001", "K0002", check=False))
    assert line == "Error: K0002 is not a member of G0001; nobody left"


def test_unknown_group_and_cadre(grouped) -> None:
    assert one_error(grouped("group", "show", "G0009", check=False)) == (
        "Error: group 'G0009' not found; 'up2k group list' shows the IDs"
    )
    line = one_error(grouped("group", "join", "G0001", "K0042", check=False))
    assert line == "Error: cadre K0042 not found; 'up2k cadre list' shows the IDs; nothing was changed"
    assert grouped("group", "join", "G0001", check=False).exit_code == 1


def test_group_list_formats(grouped) -> None:
    table = grouped("group", "list").stdout
    assert "UP2K groups (1)" in table and "Kelompok Melati" in table and "Rp 1.500.000" in table
    rows = list(csv.DictReader(io.StringIO(grouped("group", "list", "--format", "csv").stdout)))
    assert list(rows[0]) == ["id", "name", "kelurahan_code", "kelurahan", "rw", "formed_on", "members", "tier",
                             "tier_on", "capital", "savings_loans", "bookkeeping", "reach", "note"]  # fmt: skip
    assert (rows[0]["members"], rows[0]["capital"], rows[0]["tier"]) == ("3", "1500000", "")
    assert grouped("group", "list", "--format", "ids").stdout == "G0001\n"
    assert grouped("group", "list", "--kelurahan", "lebak", "--format", "ids").stdout == ""
    assert json.loads(grouped("group", "list", "--format", "json").stdout)[0]["bookkeeping"] is True


def test_group_show_lists_ids_and_names_only(grouped) -> None:
    shown = grouped("group", "show", "G0001").stdout
    assert "Group G0001" in shown and "Members (3)" in shown and "Kader 3" in shown
    assert "0812" not in shown and "317406" not in shown and "Jl. Melati" not in shown


def test_update_prints_the_changed_fields(grouped) -> None:
    result = grouped("group", "update", "G0001", "--savings-loans", "ya", "--reach", "kecamatan")
    assert result.stderr == "Updated G0001: savings_loans, reach.\n"
    line = one_error(grouped("group", "update", "G0001", "--reach", "mars", check=False))
    assert line.startswith("Error: reach 'mars': unknown; use one of neighbourhood (RT/RW), Kelurahan")


# --- tiers ---------------------------------------------------------------------------------------


def test_assess_without_a_terminal_records_nothing(grouped) -> None:
    result = grouped("group", "assess")
    assert "Madya" in result.stdout and "members 3 of 4" in result.stdout
    assert result.stderr == "Nothing recorded: add --confirm to record the proposed tiers.\n"
    assert json.loads(grouped("group", "show", "G0001", "--format", "json").stdout)["tiers"] == []


def test_assess_confirm_records_the_tier_with_its_date(grouped) -> None:
    result = grouped("group", "assess", "G0001", "--confirm", "--date", "2026-11-02")
    assert result.stderr == "Recorded G0001: Madya from 2 Nov 2026 (T0001).\n"
    assert json.loads(grouped("group", "show", "G0001", "--format", "json").stdout)["tiers"] == [
        {"id": "T0001", "tier": "madya", "on": "2026-11-02"}
    ]
    assert grouped("group", "assess", "--confirm").stderr == "No group's tier would change.\n"
    rows = json.loads(grouped("group", "assess", "--format", "json").stdout)
    assert (rows[0]["tier"], rows[0]["proposed"], rows[0]["lacks"]) == (
        "madya",
        "madya",
        "members 3 of 4; joint capital Rp 1.500.000 of Rp 2.000.000",
    )


def test_assess_asks_on_a_terminal(grouped, monkeypatch) -> None:
    monkeypatch.setattr("up2k_cli.cli.groups.stdin_is_terminal", lambda: True)
    refused = grouped("group", "assess", input="n\n")
    assert "Record G0001 as Madya from 27 Nov 2026?" in refused.stderr
    assert json.loads(grouped("group", "list", "--format", "json").stdout)[0]["tier"] is None
    grouped("group", "assess", input="y\n")
    assert json.loads(grouped("group", "list", "--format", "json").stdout)[0]["tier"] == "madya"


def test_group_list_filters_by_tier(grouped) -> None:
    grouped("group", "add", "Kelompok Mawar", "--kelurahan", "Lebak Bulus", "--formed", "2026-10-06")
    grouped("group", "assess", "--confirm")
    assert grouped("group", "list", "--tier", "Madya", "--format", "ids").stdout == "G0001\n"
    assert grouped("group", "list", "--tier", "unclassed", "--format", "ids").stdout == "G0002\n"


def test_tier_criteria_are_shown_as_a_starting_point(up2k) -> None:
    result = up2k("settings", "group-tiers", "--format", "csv")
    assert result.stdout.splitlines()[:3] == [
        "tier,members,capital,bookkeeping,savings_loans,reach",
        "pemula,5,0,False,False,",
        "madya,10,5000000,True,False,kelurahan",
    ]
    assert "a starting point set by the kecamatan's PKK, not national rules" in result.stderr


def test_tier_criteria_refuse_a_higher_tier_asking_less(up2k) -> None:
    result = up2k("settings", "group-tiers", "utama", "--members", "9", check=False)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: utama members '9': asks less than Madya (10); a higher tier cannot ask less"
    ]
    assert one_error(up2k("settings", "group-tiers", "--members", "9", check=False)) == (
        "Error: tier (empty): name the TIER whose criteria change (pemula, madya, ...)"
    )


def test_tier_criteria_reset(up2k) -> None:
    up2k("settings", "group-tiers", "pemula", "--members", "3")
    assert "pemula,3," in up2k("settings", "group-tiers", "--format", "csv").stdout
    assert "pemula,5," in up2k("settings", "group-tiers", "--reset", "--format", "csv").stdout


# --- hostile text ----------------------------------------------------------------------------------


def test_hostile_group_names_and_reasons_are_printed_as_written(up2k) -> None:
    up2k("group", "add", HOSTILE, "--kelurahan", "pondok", "--formed", "2026-10-05", "--note", "[/] catatan")
    up2k("group", "join", "G0001", "K0001", "--date", "2026-10-10")
    up2k("group", "leave", "G0001", "K0001", "--reason", "[red]pindah[/red] =1+1")
    assert HOSTILE in up2k("group", "list").stdout
    shown = up2k("group", "show", "G0001").stdout
    assert HOSTILE in shown and "[/] catatan" in shown and "[red]pindah[/red] =1+1" in shown
    assert HOSTILE in up2k("group", "assess").stdout
    row = next(csv.DictReader(io.StringIO(up2k("group", "list", "--format", "csv").stdout)))
    assert row["name"] == "'" + HOSTILE, "a spreadsheet must not run it as a formula"
    assert json.loads(up2k("group", "list", "--format", "json").stdout)[0]["name"] == HOSTILE


def test_control_characters_are_refused_in_group_names(up2k) -> None:
    line = one_error(up2k("group", "add", "Melati\x1b[31m", "--kelurahan", "pondok", "--formed", "2026-10-05",
                          check=False))  # fmt: skip
    assert "holds a control character (U+001B)" in line
