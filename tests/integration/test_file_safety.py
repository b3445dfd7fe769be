"""The registry file's own defences (issue 11): edits made outside up2k are noticed, unknown values
are damage, a read-only or symlinked registry is handled, leftovers are removed, erasure reaches
every copy, backups are made by changes only."""

from __future__ import annotations

import json
import os
import re
import zlib
from pathlib import Path

import orjson
import pytest

from tests.enrollment_data import cadres_csv
from tests.helpers import cli_runner, make_nik, register_args
from up2k_cli.storage import tiny

pytestmark = pytest.mark.file_only


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    return tmp_path / "r.json"


@pytest.fixture
def up2k(reg: Path):  # type: ignore[no-untyped-def]
    run = cli_runner(reg)
    run("init", "--start", "2026-01-05")
    run("import", "cadres", "-", input=cadres_csv({"Pondok Labu": 3, "Lebak Bulus": 2}))
    return run


def hand_edit(path: Path, change) -> bytes:  # type: ignore[no-untyped-def]
    """Change the file as another program would (no seal), returning the new bytes."""
    data = orjson.loads(path.read_bytes())
    change(data)
    raw = orjson.dumps(data)
    path.write_bytes(raw)
    return raw


def first_cadre(data: dict) -> dict:
    return next(iter(data["cadres"].values()))


# --- edits made outside up2k ----------------------------------------------------------------


def test_records_removed_by_hand_stop_every_write_and_are_named(up2k, reg: Path) -> None:
    raw = hand_edit(reg, lambda d: d["cadres"].pop(next(iter(d["cadres"]))))
    result = up2k(*register_args(nik=make_nik(500)), check=False)
    assert result.exit_code == 3
    assert "changed outside up2k" in result.stderr
    assert "table cadres has 4 records where up2k wrote 5 (1 missing)" in result.stderr
    assert "backups:" in result.stderr and "check --accept-edits" in result.stderr
    assert reg.read_bytes() == raw  # nothing written
    listed = up2k("cadre", "list", "--format", "ids")  # reading still works
    assert len(listed.stdout.split()) == 4


def test_a_changed_nik_digit_is_noticed(up2k, reg: Path) -> None:
    def change(d: dict) -> None:
        cadre = first_cadre(d)
        cadre["nik"] = cadre["nik"][:-1] + ("9" if cadre["nik"][-1] != "9" else "8")

    hand_edit(reg, change)
    result = up2k("cadre", "update", "K0002", "--phone", "0812-1111-2222", check=False)
    assert result.exit_code == 3
    assert "records of table cadres were changed (5 records)" in result.stderr
    checked = up2k("check", check=False)
    assert checked.exit_code == 1
    assert "changed outside up2k" in checked.stdout


def test_edited_counters_are_noticed(up2k, reg: Path) -> None:
    hand_edit(reg, lambda d: d["meta"]["1"]["counters"].update(cadre=1))
    result = up2k(*register_args(nik=make_nik(501)), check=False)
    assert result.exit_code == 3
    assert "the meta record (settings, ID counters) was changed" in result.stderr


def test_an_accepted_edit_is_recorded_and_writing_resumes(up2k, reg: Path) -> None:
    hand_edit(reg, lambda d: d["cadres"].pop(next(iter(d["cadres"]))))
    accepted = up2k("check", "--accept-edits", check=False)
    assert "Accepted: table cadres has 4 records where up2k wrote 5 (1 missing)." in accepted.stderr
    assert accepted.exit_code == 0, accepted.stderr
    assert up2k(*register_args(nik=make_nik(502))).exit_code == 0
    history = json.loads(up2k("history", "--format", "json").stdout)
    accept = next(h for h in history if h["action"] == "accept-edits")
    assert accept["changes"] == {"cadres": [5, 4]}
    assert up2k("check").exit_code == 0


def test_a_file_rewritten_by_tinydb_itself_is_changed_outside_up2k(up2k, reg: Path) -> None:
    from tinydb import TinyDB

    with TinyDB(reg) as db:  # TinyDB opens and queries the file as any TinyDB file ...
        assert len(db.table("cadres")) == 5
        db.table("cadres").update({"phone": None}, doc_ids=[1])  # ... and its writes are noticed
    result = up2k("cadre", "deactivate", "K0002", "--reason", "pindah", check=False)
    assert result.exit_code == 3 and "changed outside up2k" in result.stderr


def test_a_sealed_file_is_plain_tinydb_json_with_meta_last(up2k, reg: Path) -> None:
    data = json.loads(reg.read_bytes())
    assert list(data)[-1] == "meta" and "seal" in data["meta"]["1"]
    assert all(doc_id == str(int(r["id"][1:])) for doc_id, r in data["cadres"].items())


# --- values up2k does not know ---------------------------------------------------------------


def test_an_unknown_status_is_damage_not_an_internal_error(up2k, reg: Path) -> None:
    up2k("batch", "add", "B01", "--title", "T", "--start", "2026-11-01", "--end", "2026-11-20")
    up2k("enroll", "-b", "B01", "K0001")

    def damage(d: dict) -> None:
        next(iter(d["enrollments"].values()))["status"] = "enrollex"

    hand_edit(reg, damage)
    for args in (("batch", "show", "B01"), ("report", "batch", "B01"), ("cadre", "show", "K0001")):
        result = up2k(*args, check=False)
        assert result.exit_code == 3, (args, result.stderr)
        assert "status is 'enrollex', which up2k does not know" in result.stderr
        assert "internal error" not in result.stderr


def test_a_count_written_as_text_is_damage(up2k, reg: Path) -> None:
    up2k("batch", "add", "B01", "--title", "T", "--start", "2026-11-01", "--end", "2026-11-20")
    hand_edit(reg, lambda d: next(iter(d["batches"].values())).update(capacity="100"))
    result = up2k("batch", "list", check=False)
    assert result.exit_code == 3 and "capacity is '100'" in result.stderr


# --- read-only, symlinks, leftovers -----------------------------------------------------------


def test_a_read_only_registry_is_refused_not_replaced(up2k, reg: Path) -> None:
    before = reg.read_bytes()
    reg.chmod(0o400)
    result = up2k(*register_args(nik=make_nik(503)), check=False)
    assert result.exit_code == 3
    assert "the registry is read-only (mode 400)" in result.stderr
    assert reg.read_bytes() == before and oct(reg.stat().st_mode & 0o777) == "0o400"
    assert up2k("cadre", "list", "--format", "ids").exit_code == 0  # reading is fine


@pytest.mark.parametrize("relative", [False, True])
def test_a_symlinked_registry_is_written_through_the_link(tmp_path: Path, relative: bool) -> None:
    real_dir = tmp_path / "data"
    real_dir.mkdir()
    real = real_dir / "registry.json"
    run = cli_runner(real)
    run("init")
    link_dir = tmp_path / "elsewhere"
    link_dir.mkdir()
    link = link_dir / "reg.json"
    link.symlink_to(os.path.relpath(real, link_dir) if relative else real)
    via = cli_runner(link)
    assert via(*register_args()).stdout == "K0001\n"
    assert link.is_symlink() and real.is_file()
    assert "K0001" in real.read_text()
    assert (real_dir / "backups").is_dir() and not (link_dir / "backups").exists()
    listed = via("backup", "list", "--format", "json")
    assert json.loads(listed.stdout)  # the real file's backups, no traceback
    assert via("cadre", "list", "--format", "ids").stdout == "K0001\n"


def test_leftover_temp_files_of_killed_writers_are_removed_by_the_next_command(up2k, reg: Path) -> None:
    leftover = reg.parent / f".{reg.name}.99999.tmp"
    leftover.write_bytes(reg.read_bytes())  # a full copy: personal data
    up2k("cadre", "list", "--format", "ids")  # even a reading command
    assert not leftover.exists()


# --- backups only for changes -----------------------------------------------------------------


def test_read_only_outputs_never_rotate_a_backup_away(up2k, reg: Path, tmp_path: Path) -> None:
    backups_before = sorted(p.name for p in (reg.parent / "backups").iterdir())
    up2k("export", "cadres", "--output", str(tmp_path / "out.csv"))
    up2k("cadre", "list", "--show-nik", "--format", "csv")
    assert sorted(p.name for p in (reg.parent / "backups").iterdir()) == backups_before
    up2k("cadre", "update", "K0001", "--phone", "0812-2222-3333")
    assert len(list((reg.parent / "backups").iterdir())) == len(backups_before) + 1


# --- erasure reaches every copy ---------------------------------------------------------------

MARK = "Zqvmarkq"


def test_forget_leaves_no_byte_of_the_person_anywhere_in_the_registry_folder(
    up2k, reg: Path, tmp_path: Path
) -> None:
    """A unique marker in every free-text field a person can have, then forget with backups."""
    out = tmp_path / "elsewhere"
    out.mkdir()
    up2k("cadre", "update", "K0001", "--name", f"Ani {MARK}", "--address", f"Jl. {MARK} 1")
    up2k("cadre", "update", "K0001", "--address", f"Jl. {MARK} 2", "--rt", "7", "--rw", "8")
    up2k(
        "batch",
        "add",
        "B01",
        "--title",
        "T",
        "--start",
        "2026-11-01",
        "--end",
        "2026-11-20",
        "--sessions",
        "2",
    )
    up2k("enroll", "-b", "B01", "K0001", "K0002")
    up2k("complete", "-b", "B01", "K0001", "--force", "--reason", f"sakit {MARK}", "--date", "2026-11-10")
    up2k("batch", "add", "B02", "--title", "T2", "--start", "2026-11-01", "--end", "2026-11-20")
    up2k("enroll", "-b", "B02", "K0001")
    up2k("withdraw", "-b", "B02", "K0001", "--reason", f"pindah {MARK}")
    up2k("business", "add", "K0001", "--name", f"Kue {MARK}", "--category", "kuliner",
         "--address", f"Pasar {MARK}", "--nib", "1234567890123", "--pirt", "206317401234567")  # fmt: skip
    up2k("business", "update", "U0001", "--name", f"Kue {MARK} Baru")
    up2k("step", "K0001", "pemasaran", "--note", f"bazar {MARK}")
    up2k("income", "add", "K0001", "--amount", "2 jt", "--note", f"survei {MARK}")
    up2k("business", "follow-up", "U0001", "--paid-workers", "1", "--note", f"kunjungan {MARK}")
    up2k("refer", "U0001", "--need", "halal")
    up2k("referral", "update", "R0001", "--status", "contacted", "--note", f"telepon {MARK}")
    up2k("group", "add", "Kelompok Melati", "--kelurahan", "Cilandak Barat", "--formed", "2026-11-01")
    up2k("group", "join", "G0001", "K0001", "--date", "2026-11-02")
    up2k("group", "leave", "G0001", "K0001", "--reason", f"pindah {MARK}")
    up2k("cadre", "deactivate", "K0001", "--reason", f"pindah {MARK}")
    up2k("cadre", "reactivate", "K0001")
    up2k("export", "cadres", "--output", str(out / "kader.csv"))
    assert MARK.encode() in reg.read_bytes()
    result = up2k("cadre", "forget", "K0001", "--reason", "permintaan ybs", "--include-backups")
    assert "These files written earlier still hold this person" in result.stderr
    assert str(out / "kader.csv") in result.stderr
    for path in reg.parent.rglob("*"):
        if path.is_file() and not path.is_relative_to(out):
            assert MARK.encode() not in path.read_bytes(), path
    nib = b"1234567890123"
    assert nib not in reg.read_bytes()
    # Counts stay: the anonymous records keep kelurahan, dates and statuses.
    kel = json.loads(up2k("report", "kelurahan", "--format", "json").stdout)["tables"]["kelurahan"]
    assert kel[-1]["cadres"] == 5 and kel[-1]["businesses"] == 1


def test_history_lists_the_personal_data_files_written(up2k, tmp_path: Path) -> None:
    up2k("export", "cadres", "--output", str(tmp_path / "a.csv"))
    up2k("export", "cadres")
    entries = json.loads(up2k("history", "--entity", "export", "--format", "json").stdout)
    files = [h["changes"]["file"][1] for h in entries]
    assert files == [str(tmp_path / "a.csv"), "(stdout)"]


def test_check_reads_a_file_sealed_before_edits_as_clean(up2k) -> None:
    assert up2k("check").exit_code == 0


def test_seal_is_deterministic(up2k, reg: Path) -> None:
    data = orjson.loads(reg.read_bytes())
    assert b"".join(tiny.serialise(data)) == reg.read_bytes()
    assert re.search(rb'"seal":\{"body":\d+', reg.read_bytes())


def test_the_seal_holds_the_crc_of_the_bytes_and_of_each_table(up2k, reg: Path) -> None:
    """Worked out from the file alone, as any other program could check it."""
    raw = reg.read_bytes()
    data = orjson.loads(raw)
    seal = data["meta"]["1"]["seal"]
    assert seal["body"] == zlib.crc32(raw[: raw.rindex(b',"meta":{"1":')])
    assert seal["tables"] == {
        name: [len(table), zlib.crc32(orjson.dumps(table))] for name, table in data.items() if name != "meta"
    }


def test_history_exports_lists_every_personal_data_file(up2k, tmp_path: Path) -> None:
    up2k("export", "cadres", "--output", str(tmp_path / "kader.csv"))
    up2k("cadre", "list", "--kelurahan", "Lebak Bulus", "--show-nik", "--format", "csv")
    files = json.loads(up2k("history", "--exports", "--format", "json").stdout)
    assert [(f["command"], f["path"], f["records"], f["cadres"]) for f in files] == [
        ("export cadres", str(tmp_path / "kader.csv"), 5, "K0001-K0005"),
        ("cadre list", "(stdout)", 2, "K0004-K0005"),
    ]
    table = up2k("history", "--exports").stdout
    assert "Personal-data files written (2)" in table and "kader.csv" in table


def test_the_seal_checked_beside_the_parse_gives_the_crc_or_fails_in_the_caller() -> None:
    raw = b'{"cadres":{},"meta":{"1":{}}}'
    assert tiny.in_background(tiny.sealed_crc, raw)() == zlib.crc32(b'{"cadres":{}')
    assert tiny.in_background(tiny.sealed_crc, b"{}")() is None
    calls = []

    def fails_once(data: bytes) -> int:
        calls.append(data)
        if len(calls) == 1:
            raise MemoryError
        return 7

    assert tiny.in_background(fails_once, raw)() == 7 and len(calls) == 2


@pytest.mark.parametrize("count", [3, 10])  # looked up one by one either way on a sealed file
def test_ids_handed_out_again_after_the_counters_were_wound_back_are_refused(
    up2k, reg: Path, count: int
) -> None:
    data = tiny.load(reg)
    data["meta"]["1"]["counters"]["cadre"] = 3  # K0004 and K0005 exist: handed out again
    tiny.write_plain(reg, data)  # sealed as up2k writes
    with tiny.FileUnitOfWork(reg) as uow:
        assert uow.sealed
        ids = uow.next_ids("cadre", "K", count)
        records = [{**first_cadre(data), "id": ident, "nik": make_nik(i)} for i, ident in enumerate(ids)]
        with pytest.raises(tiny.RegistryDamaged, match="id K0004 is taken already in table cadres"):
            uow.cadres.add_many(records)
