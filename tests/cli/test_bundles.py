"""Offices that work apart: export bundle and merge end to end, the kecamatan's registry on both
backends (the `registry` fixture), each kelurahan office's a file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.backends import FileRegistry
from tests.enrollment_data import cadres_csv
from tests.helpers import cli_runner

PASSPHRASE = "kunci rahasia pondok labu"


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UP2K_PASSPHRASE", PASSPHRASE)


@pytest.fixture
def kec(registry: Any) -> Any:
    """The kecamatan's registry (file or PostgreSQL), with batch B01 (capacity 10, 3 per kelurahan)."""
    run = cli_runner(registry, check_default=False)
    run("batch", "add", "B01", "--title", "Pelatihan", "--start", "2026-11-01", "--end", "2026-11-30",
        "--capacity", "10", "--quota-per-kelurahan", "3", check=True)  # fmt: skip
    run.handle = registry
    return run


@pytest.fixture
def kel(tmp_path: Path) -> Any:
    """The office of Pondok Labu: its own registry file, 4 cadres (K0001-K0004)."""
    path = FileRegistry(tmp_path / "pondok-labu.json")
    run = cli_runner(path, check_default=False)
    run("init", check=True)
    run("import", "cadres", "-", input=cadres_csv({"Pondok Labu": 4}), check=True)
    run.handle = path
    return run


def others(kelurahan: str, count: int, prefix: str) -> str:
    """`count` cadres of a kelurahan whose NIKs differ from the office's four."""
    lines = cadres_csv({kelurahan: count + 10}).splitlines()
    return "\n".join([lines[0], *(line.replace(",Kader", f",{prefix}") for line in lines[11:])]) + "\n"


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def send(
    sender: Any, receiver: Any, tmp_path: Path, name: str, *extra: str, merge: tuple[str, ...] = ()
) -> Any:
    bundle = tmp_path / name
    sender("export", "bundle", "--output", str(bundle), *extra, check=True)
    return receiver("merge", str(bundle), *merge)


def cadres(run: Any) -> dict[str, dict[str, Any]]:
    rows = json.loads(run("export", "cadres", "--format", "json", check=True).stdout)
    return {r["nik"]: r for r in rows}


def test_a_kelurahan_bundle_is_merged_with_new_ids_and_the_origin_named(
    kec: Any, kel: Any, tmp_path: Path
) -> None:
    kec("import", "cadres", "-", input=others("Lebak Bulus", 2, "Lain"), check=True)
    kel("cadre", "deactivate", "K0002", "--reason", "pindah", "--date", "2026-11-02", check=True)
    bundle = tmp_path / "pondok-labu.up2k"
    kel("export", "bundle", "--output", str(bundle), check=True)
    assert bundle.stat().st_mode & 0o777 == 0o600
    assert b"Kader" not in bundle.read_bytes()  # encrypted
    result = kec("merge", str(bundle))
    assert result.exit_code == 0, result.stderr
    assert "4 records created" in result.stderr
    ours, theirs = cadres(kec), cadres(kel)
    for nik, row in theirs.items():
        mine = ours[nik]
        assert {k: v for k, v in mine.items() if k not in ("id", "registry")} == {
            k: v for k, v in row.items() if k not in ("id", "registry")
        }
    # The kecamatan's own two are K0001-K0002: the office's K0001 became K0003.
    first = theirs[next(iter(theirs))]
    assert ours[first["nik"]]["id"] == "K0003"
    shown = json.loads(kec("cadre", "show", "K0003", "--format", "json", check=True).stdout)
    assert shown["origin"].startswith("K0001 of Kelurahan Pondok Labu (registry ")
    inactive = json.loads(kec("cadre", "show", "K0004", "--format", "json", check=True).stdout)
    assert (inactive["status"], inactive["status_reason"]) == ("inactive", "pindah")
    history = json.loads(kec("history", "--format", "json", check=True).stdout)
    merges = [h for h in history if h["action"] == "merge"]
    assert len(merges) == 1 and merges[0]["ref"] == "pondok-labu.up2k"
    assert merges[0]["changes"]["cadres created"] == [None, 4]
    files = kel("history", "--entity", "export", "--format", "json", check=True).stdout
    assert "personal-data-export" in files and "pondok-labu.up2k" in files


def test_merging_the_same_bundle_twice_changes_nothing(kec: Any, kel: Any, tmp_path: Path) -> None:
    assert send(kel, kec, tmp_path, "b1.up2k").exit_code == 0
    before = kec.handle.read_bytes()
    again = kec("merge", str(tmp_path / "b1.up2k"))
    assert again.exit_code == 0
    assert "Nothing to merge" in one_line(again.stderr)
    assert kec.handle.read_bytes() == before


def test_an_older_bundle_is_refused(kec: Any, kel: Any, tmp_path: Path) -> None:
    kel("export", "bundle", "--output", str(tmp_path / "old.up2k"), check=True)
    assert send(kel, kec, tmp_path, "new.up2k").exit_code == 0
    result = kec("merge", str(tmp_path / "old.up2k"))
    assert result.exit_code == 1
    assert "older than bundle 2" in one_line(result.stderr)


def test_changed_on_one_side_travels_and_on_both_sides_is_a_conflict(
    kec: Any, kel: Any, tmp_path: Path
) -> None:
    assert send(kel, kec, tmp_path, "b1.up2k").exit_code == 0
    kel("cadre", "update", "K0001", "--phone", "081299990001", check=True)  # there only
    kec("cadre", "update", "K0002", "--phone", "081299990002", check=True)  # here only
    kel("cadre", "update", "K0003", "--address", "Jl. Kelurahan 1", check=True)  # both
    kec("cadre", "update", "K0003", "--address", "Jl. Kecamatan 9", check=True)
    conflicts = tmp_path / "conflicts.csv"
    result = send(kel, kec, tmp_path, "b2.up2k", merge=("--conflicts", str(conflicts)))
    assert result.exit_code == 0, result.stderr
    assert "1 conflicts in 1 records" in result.stderr
    rows = list(csv.DictReader(io.StringIO(conflicts.read_text())))
    assert [(r["record"], r["field"], r["ours"], r["theirs"], r["conflict"]) for r in rows] == [
        ("K0003", "address", "Jl. Kecamatan 9", "Jl. Kelurahan 1", "both changed")
    ]
    assert rows[0]["ours_changed_on"] and rows[0]["theirs_changed_on"]
    here = {r["id"]: r for r in cadres(kec).values()}
    assert here["K0001"]["phone"] == "+6281299990001"  # taken from there
    assert here["K0002"]["phone"] == "+6281299990002"  # kept here
    assert here["K0003"]["address"] == "Jl. Kecamatan 9"  # left as it is
    settled = kec("merge", str(tmp_path / "b2.up2k"), "--prefer", "theirs")
    assert settled.exit_code == 0 and "conflicts" not in settled.stderr
    assert {r["id"]: r for r in cadres(kec).values()}["K0003"]["address"] == "Jl. Kelurahan 1"


def test_an_erasure_travels(kec: Any, kel: Any, tmp_path: Path) -> None:
    assert send(kel, kec, tmp_path, "b1.up2k").exit_code == 0
    kel("cadre", "forget", "K0002", "--reason", "permintaan", check=True)
    result = send(kel, kec, tmp_path, "b2.up2k")
    assert result.exit_code == 0 and "1 cadres erased" in result.stderr
    erased = json.loads(kec("cadre", "show", "K0002", "--format", "json", check=True).stdout)
    assert not erased["nik"] and erased["name"] == "(erased)" and erased["phone"] is None
    history = kec("history", "K0002", "--format", "json", check=True).stdout
    assert "Kader 2" not in history and "Melati No. 2" not in history


def test_a_merge_that_would_break_a_quota_leaves_those_enrollments_out(
    kec: Any, kel: Any, tmp_path: Path
) -> None:
    kec("import", "cadres", "-", input=others("Pondok Labu", 2, "Kec"), check=True)
    assert send(kec, kel, tmp_path, "k1.up2k", "--kelurahan", "Pondok Labu").exit_code == 0  # B01 there
    kec("enroll", "--batch", "B01", "K0001", "K0002", check=True)  # 2 of Pondok Labu's 3 places
    kel("enroll", "--batch", "B01", "K0001", "K0002", check=True)  # theirs: other cadres, 2 more
    conflicts = tmp_path / "c.csv"
    result = send(kel, kec, tmp_path, "b1.up2k", merge=("--conflicts", str(conflicts)))
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(conflicts.read_text())))
    assert [r["conflict"] for r in rows] == ["quota", "quota"]
    roster = json.loads(kec("batch", "show", "B01", "--format", "json", check=True).stdout)["roster"]
    assert len([r for r in roster if r["status"] == "enrolled"]) == 2
    assert kec("check").exit_code == 0


@pytest.mark.parametrize(
    "spoil, says",
    [
        (lambda b: b[: len(b) // 2], "is damaged (cut short or changed"),
        (lambda b: b[:-1] + bytes([b[-1] ^ 1]), "is damaged (cut short or changed"),
        (lambda b: b[:10], "is damaged (cut short or changed"),
        (lambda b: b"not a bundle at all", "is not an up2k bundle"),
    ],
    ids=["truncated", "one bit changed", "header cut", "not a bundle"],
)
def test_a_damaged_bundle_is_refused_and_nothing_is_written(
    kec: Any, kel: Any, tmp_path: Path, spoil: Any, says: str
) -> None:
    bundle = tmp_path / "b.up2k"
    kel("export", "bundle", "--output", str(bundle), check=True)
    bundle.write_bytes(spoil(bundle.read_bytes()))
    before = kec.handle.read_bytes()
    result = kec("merge", str(bundle))
    assert result.exit_code == 1
    assert says in one_line(result.stderr)
    assert kec.handle.read_bytes() == before


def test_a_wrong_passphrase_is_refused_and_nothing_is_written(
    kec: Any, kel: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "b.up2k"
    kel("export", "bundle", "--output", str(bundle), check=True)
    monkeypatch.setenv("UP2K_PASSPHRASE", "bukan kunci yang benar")
    before = kec.handle.read_bytes()
    result = kec("merge", str(bundle))
    assert result.exit_code == 1
    assert (
        one_line(result.stderr)
        == "Error: wrong passphrase for b.up2k; nothing was merged (ask the office that sent it)"
    )
    assert kec.handle.read_bytes() == before


def test_the_passphrase_comes_from_a_file_and_never_from_an_argument(
    kec: Any, kel: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UP2K_PASSPHRASE")
    secret = tmp_path / "secret.txt"
    secret.write_text("satu dua tiga empat\n")
    bundle = tmp_path / "b.up2k"
    no_way = kel("export", "bundle", "--output", str(bundle))
    assert no_way.exit_code == 1 and "--passphrase-file FILE or set UP2K_PASSPHRASE" in one_line(
        no_way.stderr
    )
    assert not bundle.exists()
    kel("export", "bundle", "--output", str(bundle), "--passphrase-file", str(secret), check=True)
    assert kec("merge", str(bundle), "--passphrase-file", str(secret)).exit_code == 0


def test_a_bundle_never_overwrites_the_registry(kel: Any) -> None:
    before = kel.handle.read_bytes()
    result = kel("export", "bundle", "--output", str(kel.handle))
    assert result.exit_code == 1 and "that is the registry file" in one_line(result.stderr)
    assert kel.handle.read_bytes() == before


def test_a_file_registry_has_no_office_accounts(kel: Any) -> None:
    result = kel("office", "add", "Pondok Labu", input="sandi-rahasia-1\n")
    assert result.exit_code == 1
    assert "office accounts are logins of a registry on PostgreSQL" in one_line(result.stderr)


def _global_rows(handle: Any, run: Any, table: str, key_fields: dict[str, str]) -> list[dict[str, Any]]:
    """An export's rows with every ID read through the registry's mapping: the record's global
    identity (the registry it was made in, and its ID there)."""
    data = handle.data()
    me = data["meta"]["1"]["registry_id"]
    there = {}
    for row in data["origins"].values():
        for their, local in row["keys"].items():
            there[(row["table"], local)] = f"{row['origin']}/{their}"
    rows = json.loads(run("export", table, "--format", "json", check=True).stdout)
    out = []
    for row in rows:
        del row["registry"]  # each side's own identity
        for name, target in key_fields.items():
            if row.get(name) is not None:
                row[name] = there.get((target, row[name]), f"{me}/{row[name]}")
        out.append(row)
    return sorted(out, key=lambda r: json.dumps(r, sort_keys=True))


def test_a_two_way_exchange_repeated_three_times_converges(kec: Any, kel: Any, tmp_path: Path) -> None:
    """The kelurahan sends its registry, the kecamatan sends back Pondok Labu's share; after each
    round both hold the same records of Pondok Labu and the batches, IDs read through the mapping."""
    for n in range(3):
        kel("cadre", "update", "K0001", "--phone", f"08129999000{n}", check=True)
        if n == 1:
            kec("enroll", "--batch", "B01", "K0001", check=True)
        assert send(kel, kec, tmp_path, f"kel{n}.up2k").exit_code == 0
        assert send(kec, kel, tmp_path, f"kec{n}.up2k", "--kelurahan", "Pondok Labu").exit_code == 0
        for table, keys in (
            ("cadres", {"id": "cadres"}),
            ("enrollments", {"enrollment_id": "enrollments", "cadre_id": "cadres"}),
            ("batches", {}),
        ):
            here = _global_rows(kec.handle, kec, table, keys)
            there = _global_rows(kel.handle, kel, table, keys)
            if table == "cadres":
                here = [r for r in here if r["kelurahan"] == "Pondok Labu"]
            assert here == there, (n, table)
