"""The registry file's layout: one table per line, tables read only when used, the history
appended to unread, and checksums that keep damage out of the next file."""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from pathlib import Path

import orjson
import pytest
from tinydb import TinyDB

from tests.conftest import Run
from tests.helpers import make_nik, register_args
from up2k_cli.services import cadres
from up2k_cli.storage import tinystore
from up2k_cli.storage.uow import UnitOfWork

TODAY = dt.date(2026, 11, 27)


def table_lines(path: Path) -> dict[str, bytes]:
    """{table: its line without the trailing comma}, as the file holds them."""
    lines = path.read_bytes().split(b"\n")
    assert lines[0] == b"{" and lines[-2:] == [b"}", b""], lines[:1] + lines[-2:]
    found = {}
    for line in lines[1:-2]:
        name, _, value = line.rstrip(b",").partition(b":")
        found[json.loads(name)] = value
    return found


def test_the_file_is_one_table_per_line_and_plain_tinydb(registry_with_sample: Path) -> None:
    lines = table_lines(registry_with_sample)
    assert list(lines) == [*tinystore.TABLES, tinystore.CHECKSUMS]
    sums = orjson.loads(lines[tinystore.CHECKSUMS])["1"]
    assert sums == {name: zlib.crc32(value) for name, value in lines.items() if name != "_crc32"}
    # Any JSON reader, and TinyDB itself, reads it as it always did.
    assert len(json.loads(registry_with_sample.read_bytes())["cadres"]) == 15
    with TinyDB(registry_with_sample) as db:
        assert len(db.table("cadres")) == 15


def test_a_command_reads_only_the_tables_it_uses(registry_with_sample: Path) -> None:
    with UnitOfWork(registry_with_sample) as uow:
        cadres.find(uow, "K0001")
        tables = uow.db.storage.data
        assert tables.is_read("cadres")
        assert not tables.is_read("history")
        assert not tables.is_read("enrollments")


def test_history_is_appended_to_without_reading_it(registry_with_sample: Path, run: Run) -> None:
    before = table_lines(registry_with_sample)
    result = run(register_args(nik=make_nik(900), name="Dewi Lestari"))
    assert result.exit_code == 0, result.stderr
    after = table_lines(registry_with_sample)
    # The old entries are the same bytes; the new one follows under its sequence number.
    assert after["history"].startswith(before["history"][:-1] + b",")
    history = orjson.loads(after["history"])
    assert [int(k) for k in history] == [h["seq"] for h in history.values()]
    assert history[list(history)[-1]]["ref"] == "K0016"
    assert after["enrollments"] == before["enrollments"]


def test_history_keeps_every_entry_when_its_ids_are_taken(registry_with_sample: Path, run: Run) -> None:
    # A file written otherwise, whose next sequence number is already a document ID.
    data = json.loads(registry_with_sample.read_bytes())
    data.pop(tinystore.CHECKSUMS)
    data["history"] = {"2": next(iter(data["history"].values()))}  # seq 1 under doc ID 2
    registry_with_sample.write_bytes(orjson.dumps(data))
    tinystore.save(registry_with_sample, tinystore.load(registry_with_sample))
    assert run(register_args(nik=make_nik(901), name="Dewi Lestari")).exit_code == 0
    history = orjson.loads(table_lines(registry_with_sample)["history"])
    assert len(history) == 2
    assert sorted(h["seq"] for h in history.values()) == [1, 2]


def test_a_registry_in_another_layout_is_read_and_rewritten_in_lines(registry: Path, run: Run) -> None:
    data = json.loads(registry.read_bytes())
    data.pop(tinystore.CHECKSUMS)
    registry.write_text(json.dumps(data, indent=2))
    assert run("cadre", "list").exit_code == 0
    assert run(register_args(nik=make_nik(902))).exit_code == 0
    assert list(table_lines(registry)) == [*tinystore.TABLES, tinystore.CHECKSUMS]


def damage_history(path: Path, old: bytes, new: bytes) -> bytes:
    raw = path.read_bytes()
    start = raw.index(b'\n"history":')
    damaged = raw[:start] + raw[start:].replace(old, new, 1)
    assert damaged != raw
    path.write_bytes(damaged)
    return damaged


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (b'"seq":1,', b'"seq":"1",', "table 'history' has a record whose seq is '1', not a int"),
        (b'"seq":1,', b'"seq";1,', "is not valid JSON"),
    ],
    ids=["bad record", "bad JSON"],
)
def test_damage_in_a_table_a_write_did_not_read_stops_the_write(
    registry_with_sample: Path, run: Run, old: bytes, new: bytes, says: str
) -> None:
    damaged = damage_history(registry_with_sample, old, new)
    # Reading commands do not need the history ...
    assert run("cadre", "list", "--format", "ids").exit_code == 0
    # ... but a write would carry it into the new file and its backups: it stops instead.
    result = run(register_args(nik=make_nik(903)))
    assert result.exit_code == 3, result.stderr
    assert says in result.stderr and str(registry_with_sample) in result.stderr
    assert "backup" in result.stderr
    assert registry_with_sample.read_bytes() == damaged


def test_a_valid_change_made_outside_up2k_is_kept(registry_with_sample: Path, run: Run) -> None:
    damage_history(registry_with_sample, b'"user":"', b'"user":"edited by hand ')
    assert run(register_args(nik=make_nik(904))).exit_code == 0
    history = orjson.loads(table_lines(registry_with_sample)["history"])
    assert next(iter(history.values()))["user"].startswith("edited by hand ")
    assert len(history) == 2


def test_check_reads_every_table(registry_with_sample: Path, run: Run) -> None:
    damage_history(registry_with_sample, b'"seq":1,', b'"seq":"1",')
    result = run("check")
    assert result.exit_code != 0
    assert "history" in result.stderr + result.stdout


def test_the_split_refuses_lines_that_are_not_tables() -> None:
    good = b'{\n"meta":{"1":{}},\n"_crc32":{"1":{}}\n}\n'
    assert tinystore.split_lines(good) is not None
    for bad in (
        good.replace(b'"meta":{', b'"meta":['),
        good.replace(b'"meta"', b'"me ta"'),
        good.replace(b'\n"_crc32":{"1":{}}', b""),
        good.replace(b"}},\n", b"}}\n,"),
        good[:-1],
    ):
        assert tinystore.split_lines(bad) is None, bad


def test_append_unread_refuses_ids_that_may_be_taken(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    line = b'{"7":{"seq":7}}'
    tables = tinystore.Tables(path, unread={"history": (0, len(line))}, raw=line, sums={"history": 0})
    assert not tables.append_unread("history", {"7": {"seq": 7}})
    assert tables.append_unread("history", {"8": {"seq": 8}})
    assert not tables.append_unread("history", {"8": {"seq": 8}})  # already added
    assert re.search(rb'"8":\{"seq":8\}', b"".join(tables.lines()))
