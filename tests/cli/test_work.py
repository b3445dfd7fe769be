"""Work status (register, cadre update, income add, import, export), business workers and turnover
(business add/update, business follow-up, list, show, export), end to end; a schema-3 registry
opens and is upgraded; `check` knows the new records.

Cadres (registered 2026-10-01): K0001-K0003 Pondok Labu, K0004-K0005 Lebak Bulus."""

from __future__ import annotations

import csv
import io
import json

import orjson
import pytest

from tests.enrollment_data import five_cadres
from tests.helpers import cli_runner, edit_registry, register_args
from up2k_cli.storage import migrations

BUSINESS_COLUMNS = [
    "id", "cadre_id", "kelurahan_code", "kelurahan", "name", "category", "started_on", "added_on", "nib", "pirt",
    "halal", "address", "licensed_on", "agency", "referrals", "lacks",
    # schema 4, after the columns scripts already read:
    "owner_status", "family_workers", "paid_workers", "paid_were_unemployed", "paid_local", "turnover", "size",
    "measured_on",
    # schema 5 (issue 13): the business as its record holds it, and the registry it came from
    "start_owner_status", "start_family_workers", "start_paid_workers", "start_paid_were_unemployed",
    "start_paid_local", "start_turnover", "registry",
]  # fmt: skip


@pytest.fixture
def up2k(tmp_path):
    return five_cadres(cli_runner(tmp_path / "r.json"))


def exported(up2k, what: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(up2k("export", what).stdout)))


# --- work status -------------------------------------------------------------------------------------


def test_register_with_a_work_status(up2k) -> None:
    assert up2k(*register_args(work_status="Mencari Kerja")).stdout == "K0006\n"
    (row,) = [r for r in exported(up2k, "cadres") if r["id"] == "K0006"]
    assert row["work_status"] == "unemployed"
    shown = json.loads(up2k("cadre", "show", "K0006", "--format", "json").stdout)
    assert list(shown)[18:20] == ["status_reason", "work_status"] and shown["work_status"] == "unemployed"
    assert "looking for work" in up2k("cadre", "show", "K0006").stdout
    assert "mencari kerja" in up2k("--lang", "id", "cadre", "show", "K0006").stdout


def test_a_bad_work_status_is_one_line_and_nothing_is_written(up2k) -> None:
    result = up2k(*register_args(work_status="pensiun"), check=False)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        "Error: work_status 'pensiun': unknown; use one of working, looking for work, housekeeping, in school, "
        "other\n"
    )
    assert len(exported(up2k, "cadres")) == 5


def test_cadre_update_and_income_add_take_a_work_status(up2k) -> None:
    assert up2k("cadre", "update", "K0001", "--work-status", "IRT").stderr == "Updated K0001: work_status.\n"
    up2k("income", "add", "K0001", "--amount", "2 jt", "--date", "2026-11-01", "--work-status", "bekerja")
    rows = exported(up2k, "incomes")
    assert [(r["kind"], r["on"], r["work_status"]) for r in rows if r["cadre_id"] == "K0001"] == [
        ("follow-up", "2026-11-01", "working")
    ]


def test_import_reads_status_pekerjaan_and_names_a_bad_value(up2k) -> None:
    text = (
        "NIK;Nama;Kelurahan;RT;RW;Alamat;Persetujuan;Status Pekerjaan\n"
        "3174064101850101;Ani;Pondok Labu;1;1;Jl. A;ya;Mengurus Rumah Tangga\n"
        "3174064202850102;Bunga;Pondok Labu;1;1;Jl. B;ya;tidak jelas\n"
    )
    result = up2k("import", "cadres", "-", "--skip-invalid", input=text)
    assert "row 2 (line 3), column Status Pekerjaan 'tidak jelas': unknown" in result.stderr
    (row,) = [r for r in exported(up2k, "cadres") if r["name"] == "Ani"]
    assert row["work_status"] == "housekeeping"


def test_export_then_import_keeps_the_work_status(up2k, tmp_path) -> None:
    up2k("cadre", "update", "K0002", "--work-status", "unemployed")
    dump = tmp_path / "kader.csv"
    up2k("export", "cadres", "--output", str(dump))
    other = cli_runner(tmp_path / "other.json")
    other("init")
    other("import", "cadres", str(dump))
    assert [r["work_status"] for r in exported(other, "cadres")] == ["", "unemployed", "", "", ""]


# --- businesses: workers and turnover ------------------------------------------------------------------


def test_business_add_with_workers_and_turnover(up2k) -> None:
    result = up2k("business", "add", "K0001", "--name", "Katering Ani", "--category", "kuliner", "--started",
                  "2026-10-05", "--owner-status", "dibantu buruh tetap", "--paid-workers", "3",
                  "--paid-were-unemployed", "2", "--paid-local", "3", "--family-workers", "1",
                  "--turnover", "Rp 175.000.000")  # fmt: skip
    assert result.stdout == "U0001\n"
    (row,) = exported(up2k, "businesses")
    assert list(row) == BUSINESS_COLUMNS
    assert {k: row[k] for k in BUSINESS_COLUMNS[16:24]} == {
        "owner_status": "helped-permanent", "family_workers": "1", "paid_workers": "3", "paid_were_unemployed": "2",
        "paid_local": "3", "turnover": "175000000", "size": "small", "measured_on": "",
    }  # fmt: skip


def test_workers_that_contradict_are_each_named(up2k) -> None:
    result = up2k("business", "add", "K0001", "--name", "Kue", "--category", "kuliner", "--owner-status",
                  "sendiri", "--paid-workers", "1", "--paid-local", "2", check=False)  # fmt: skip
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: paid_local '2': is more than the 1 paid workers; it counts some of them",
        "Error: owner_status 'own-account': an own-account worker has no helpers, but the business has 1",
    ]
    assert up2k("business", "list", "--format", "ids").stdout == ""


def test_follow_up_prints_its_id_and_the_state_after_it(up2k) -> None:
    up2k("business", "add", "K0001", "--name", "Kue", "--category", "kuliner", "--started", "2026-10-05",
         "--owner-status", "own-account", "--turnover", "4 jt")  # fmt: skip
    result = up2k("business", "follow-up", "U0001", "--date", "2026-11-20", "--owner-status", "helped-temporary",
                  "--family-workers", "2", "--note", "kunjungan 2")  # fmt: skip
    assert result.stdout == "UF0001\n"
    assert result.stderr == (
        "Recorded follow-up UF0001 of U0001 on 20 Nov 2026: now 2 family and 0 paid workers, "
        "turnover Rp 4.000.000 a month (micro).\n"
    )
    (row,) = exported(up2k, "businesses")
    assert (row["owner_status"], row["family_workers"], row["turnover"], row["measured_on"]) == (
        "helped-temporary", "2", "4000000", "2026-11-20"
    )  # fmt: skip
    shown = json.loads(up2k("business", "show", "U0001", "--format", "json").stdout)
    assert shown["start"]["owner_status"] == "own-account"
    assert shown["follow_ups"] == [{"id": "UF0001", "on": "2026-11-20", "owner_status": "helped-temporary",
                                    "family_workers": 2, "paid_workers": None, "paid_were_unemployed": None,
                                    "paid_local": None, "turnover": None, "note": "kunjungan 2"}]  # fmt: skip
    table = up2k("business", "show", "U0001").stdout
    assert "Workers and turnover" in table and "own-account worker" in table and "kunjungan 2" in table


def test_follow_up_errors(up2k) -> None:
    up2k("business", "add", "K0001", "--name", "Kue", "--category", "kuliner", "--started", "2026-10-05")
    result = up2k("business", "follow-up", "U0001", "--note", "datang", check=False)
    assert result.exit_code == 1 and result.stderr.startswith(
        "Error: measures (empty): nothing measured; give"
    )
    result = up2k(
        "business", "follow-up", "U0001", "--date", "2026-10-01", "--paid-workers", "x", check=False
    )
    assert result.stderr.splitlines() == [
        "Error: paid_workers 'x': must be a whole number from 0 to 999",
        "Error: date '2026-10-01': is before U0001 started (2026-10-05)",
    ]
    assert up2k("business", "follow-up", "U0009", "--paid-workers", "1", check=False).exit_code == 1


def test_hostile_business_notes_print_as_written(up2k) -> None:
    up2k("business", "add", "K0001", "--name", "Kue", "--category", "kuliner", "--started", "2026-10-05")
    up2k("business", "follow-up", "U0001", "--paid-workers", "1", "--note", "[/] =1+1 [bold]")
    assert "[/] =1+1 [bold]" in up2k("business", "show", "U0001").stdout


# --- the registry file ------------------------------------------------------------------------------


def test_a_schema_3_registry_is_upgraded_by_the_next_change(up2k, tmp_path) -> None:
    path = tmp_path / "r.json"
    up2k("business", "add", "K0001", "--name", "Kue", "--category", "kuliner")

    def as_schema_3(data: dict) -> None:
        for name in (
            "business_follow_ups",
            "groups",
            "memberships",
            "group_tiers",
            "referrals",
            "referral_updates",
        ):
            del data[name]
        for record in data["cadres"].values():
            del record["work_status"]
        for record in data["businesses"].values():
            for field in ("owner_status", "family_workers", "paid_workers", "paid_were_unemployed", "paid_local",
                          "turnover"):  # fmt: skip
                del record[field]
        del data["meta"]["1"]["settings"]["group_tiers"]
        data["meta"]["1"]["schema_version"] = 3

    edit_registry(path, as_schema_3)
    assert up2k("group", "list", "--format", "ids").stdout == ""  # reads it, upgraded in memory
    assert orjson.loads(path.read_bytes())["meta"]["1"]["schema_version"] == 3
    up2k("group", "add", "Melati", "--kelurahan", "pondok", "--formed", "2026-10-05")
    data = orjson.loads(path.read_bytes())
    assert data["meta"]["1"]["schema_version"] == migrations.CURRENT_VERSION >= 4
    assert list(data["cadres"]["1"])[-2:] == ["erased_on", "work_status"]
    assert list(data["businesses"]["1"])[-1] == "turnover"
    assert data["meta"]["1"]["settings"]["group_tiers"]["madya"]["members"] == 10
    assert up2k("check").exit_code == 0


def test_check_names_a_cadre_in_two_groups(up2k, tmp_path) -> None:
    up2k("group", "add", "Melati", "--kelurahan", "pondok", "--formed", "2026-10-05")
    up2k("group", "add", "Mawar", "--kelurahan", "pondok", "--formed", "2026-10-05")
    up2k("group", "join", "G0001", "K0001", "--date", "2026-10-10")

    def second_open_membership(data: dict) -> None:
        data["memberships"]["2"] = {"id": "M0002", "group_id": "G0002", "cadre_id": "K0001",
                                    "joined_on": "2026-10-11", "left_on": None, "leave_reason": None}  # fmt: skip
        data["meta"]["1"]["counters"]["membership"] = 2

    edit_registry(tmp_path / "r.json", second_open_membership)
    result = up2k("check", "--format", "csv", check=False)
    assert result.exit_code == 1
    assert 'memberships,"M0001, M0002",cadre K0001 is in 2 groups at once' in result.stdout
