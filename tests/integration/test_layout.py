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
from tests.enrollment_data import cadres_csv
from tests.helpers import make_nik, register_args
from up2k_cli.services import cadres
from up2k_cli.storage import tinystore
from up2k_cli.storage.uow import UnitOfWork

TODAY = dt.date(2026, 11, 27)


def table_lines(path: Path) -> dict[str, bytes]:
    """{table: its value as the file holds it}, checking the layout on the way."""
    lines = path.read_bytes().split(b"\n")
    assert lines[0] == b"{" and lines[-2:] == [b"}", b""], lines[:1] + lines[-2:]
    found: dict[str, bytes] = {}
    i = 1
    while not lines[i].startswith(b'"_crc32":'):
        assert lines[i].endswith(b'":{'), lines[i][:80]
        name, body, i = json.loads(lines[i][:-2]), [], i + 1
        while lines[i] not in (b"}", b"},"):
            assert len(orjson.loads(b"{%s}" % lines[i].rstrip(b","))) <= tinystore.LINE_RECORDS
            body.append(lines[i])
            i += 1
        found[name] = b"{\n" + b"\n".join(body) + (b"\n" if body else b"") + b"}"
        i += 1
    assert i == len(lines) - 3
    found["_crc32"] = lines[i].split(b":", 1)[1]
    sums = orjson.loads(found["_crc32"])["1"]
    assert sums == {name: zlib.crc32(value) for name, value in found.items() if name != "_crc32"}
    return found


def test_the_file_is_tables_in_lines_and_plain_tinydb(registry_with_sample: Path) -> None:
    lines = table_lines(registry_with_sample)
    assert list(lines) == [*tinystore.TABLES, tinystore.CHECKSUMS]  # and their checksums are right
    # Any JSON reader, and TinyDB itself, reads it as it always did.
    assert len(json.loads(registry_with_sample.read_bytes())["cadres"]) == 15
    with TinyDB(registry_with_sample) as db:
        assert len(db.table("cadres")) == 15


def test_a_command_reads_only_the_tables_it_uses(registry_with_sample: Path) -> None:
    with UnitOfWork(registry_with_sample) as uow:
        tables = uow.db.storage.data
        assert cadres.find(uow, "K0001")["name"]
        assert not tables.is_read("cadres")  # one line of it was enough
        uow.cadres.all()
        assert tables.is_read("cadres")
        assert not tables.is_read("history")
        assert not tables.is_read("enrollments")


def test_history_is_appended_to_without_reading_it(registry_with_sample: Path, run: Run) -> None:
    before = table_lines(registry_with_sample)
    result = run(register_args(nik=make_nik(900), name="Dewi Lestari"))
    assert result.exit_code == 0, result.stderr
    after = table_lines(registry_with_sample)
    # The old entries are the same bytes; the new one follows under its sequence number.
    assert after["history"].startswith(before["history"][:-2] + b",")
    history = orjson.loads(after["history"])
    assert [int(k) for k in history] == [h["seq"] for h in history.values()]
    assert history[list(history)[-1]]["ref"] == "K0016"
    assert after["enrollments"] == before["enrollments"]


def test_records_added_in_parts_fill_the_last_line_first(registry_with_sample: Path, run: Run) -> None:
    for n in range(3):
        assert run(register_args(nik=make_nik(910 + n), name=f"Kader {'ABC'[n]}")).exit_code == 0
    lines = table_lines(registry_with_sample)
    assert lines["cadres"].count(b"\n") == 2 and lines["history"].count(b"\n") == 2  # one line each
    assert len(orjson.loads(lines["cadres"])) == 18 and len(orjson.loads(lines["history"])) == 4


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
    good = b'{\n"meta":{\n"1":{}\n},\n"_crc32":{"1":{}}\n}\n'
    assert tinystore.split_lines(good) is not None
    for bad in (
        good.replace(b'"meta":{\n', b'"meta":[\n'),
        good.replace(b'"meta"', b'"me ta"'),
        good.replace(b'\n"_crc32":{"1":{}}', b""),
        good.replace(b'"1":{}', b'"1":{} '),
        good.replace(b"},\n", b"}\n,"),
        good[:-1],
    ):
        assert tinystore.split_lines(bad) is None, bad


def test_append_unread_refuses_ids_that_may_be_taken(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    tinystore.atomic_write_bytes(path, tinystore.serialise({"history": {"7": {"seq": 7}}}))
    raw = path.read_bytes()
    tables = tinystore.Tables(path, unread=tinystore.split_lines(raw), raw=raw)
    assert not tables.append_unread("history", {"7": {"seq": 7}})
    assert tables.append_unread("history", {"8": {"seq": 8}})
    assert not tables.append_unread("history", {"8": {"seq": 8}})  # already added
    assert not tables.is_read("history")
    assert b'\n"7":{"seq":7},"8":{"seq":8}\n' in b"".join(tables.lines())  # the last line filled up


# --- reading in parts gives what reading whole gives -----------------------------------------

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def many_lines(registry: Path, run: Run) -> Path:
    """700 cadres and 650 enrollments in two batches: several lines of records per table."""
    csv = cadres_csv({"Pondok Labu": 350, "Cipete Selatan": 350})
    assert run("import", "cadres", "-", input=csv).exit_code == 0
    for code, first, last in (("B1", 1, 400), ("B2", 401, 650)):
        assert run("batch", "add", code, "--title", code, "--start", "2026-11-01", "--end", "2026-11-20",
                   "--capacity", "1000", "--quota-per-kelurahan", "0").exit_code == 0  # fmt: skip
        ids = "\n".join(f"K{n:04d}" for n in range(first, last + 1))
        assert run("enroll", "--batch", code, "-", input=ids).exit_code == 0
    assert len(table_lines(registry)["enrollments"].split(b"\n")) > 4
    return registry


def one_round(path: Path, *, whole: bool, round_no: int) -> tuple[object, ...]:
    with UnitOfWork(path, command="test", user="tester", now=NOW) as uow:
        tables = uow.db.storage.data
        if whole:
            uow.read_all()
        got = uow.cadres.get_many(["K0005", "K0600", "K9999"])
        by_nik = cadres.find(uow, got["K0600"]["nik"])["id"]
        born = sorted(c["id"] for c in uow.cadres.containing("nik", "450585"))
        in_b2 = uow.enrollments.where("batch", "B2")
        first, last = in_b2[0]["id"], in_b2[-1]["id"]
        uow.enrollments.update_many({first: {"status": "withdrawn"}, last: {"status": "withdrawn"}})
        uow.cadres.update("K0300", {"name": f"Nama Baru {round_no}"})
        new_ids = uow.next_ids("enrollment", "E", 3)
        uow.enrollments.add_many(
            [{"id": ident, "batch": "B3", "cadre_id": f"K{650 + n:04d}", "status": "enrolled"}
             for n, ident in enumerate(new_ids)]
        )  # fmt: skip
        uow.record_changes([{"entity": "test", "ref": ident, "action": "create"} for ident in new_ids])
        read_whole = {name: tables.is_read(name) for name in ("cadres", "enrollments", "history")}
        in_b3 = uow.enrollments.where("batch", "B3")
        uow.commit()
    return sorted(got), by_nik, born, len(in_b2), first, last, [e["id"] for e in in_b3], read_whole


def test_reading_in_parts_changes_the_file_as_reading_whole_does(many_lines: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole.json"
    whole.write_bytes(many_lines.read_bytes())
    whole.chmod(0o600)
    for round_no in (1, 2):
        in_parts = one_round(many_lines, whole=False, round_no=round_no)
        at_once = one_round(whole, whole=True, round_no=round_no)
        assert in_parts[:-1] == at_once[:-1]
        assert len(in_parts[2]) > 1  # several cadres born on 5 May 1985
        assert in_parts[-1] == {"cadres": False, "enrollments": False, "history": False}
        assert at_once[-1] == {"cadres": True, "enrollments": True, "history": True}
        assert tinystore.load(many_lines) == tinystore.load(whole)
        table_lines(many_lines)  # still the layout, its checksums right
    data = tinystore.load(many_lines)
    assert sum(e["batch"] == "B3" for e in data["enrollments"].values()) == 6
    assert {c["name"] for c in data["cadres"].values() if c["id"] == "K0300"} == {"Nama Baru 2"}


# --- what a review of reading in parts found ------------------------------------------------


def test_a_change_earlier_in_the_command_is_seen_when_reading_in_parts(many_lines: Path) -> None:
    with UnitOfWork(many_lines) as uow:
        uow.cadres.update("K0005", {"kelurahan_code": "31.74.06.9999", "name": "Zed"})
        moved = [c["id"] for c in uow.cadres.where("kelurahan_code", "31.74.06.9999")]
        uow.cadres.update("K0006", {"id": "K9006"})  # even the key itself
        assert uow.cadres.get("K9006") is not None and uow.cadres.get("K0006") is None
        assert not uow.db.storage.data.is_read("cadres")
        uow.commit()
    assert moved == ["K0005"]
    ids = {c["id"] for c in tinystore.load(many_lines)["cadres"].values()}
    assert "K9006" in ids and "K0006" not in ids


def test_lookups_by_str_and_int_keys_do_not_mix(many_lines: Path) -> None:
    with UnitOfWork(many_lines) as uow:
        assert uow.history.get_many([]) == {}
        assert uow.history.get(1)["seq"] == 1
        assert uow.cadres.get(1) is None
        assert uow.cadres.get("K0001")["id"] == "K0001"


def test_keys_that_json_escapes_are_found_in_parts(registry: Path) -> None:
    odd = ['a"b', 'a\\"b', "Désa"]
    with UnitOfWork(registry) as uow:
        uow.batches.add_many(
            [{"code": code, "title": code} for code in [*odd, *(f"B{n}" for n in range(600))]]
        )
        uow.commit()
    with UnitOfWork(registry) as uow:
        found = uow.batches.get_many(odd)
        assert not uow.db.storage.data.is_read("batches")
    assert {code: b["title"] for code, b in found.items()} == {code: code for code in odd}


def test_an_id_that_is_taken_stops_the_command(registry_with_sample: Path, run: Run) -> None:
    raw = registry_with_sample.read_bytes()
    registry_with_sample.write_bytes(re.sub(rb'"cadre":15', b'"cadre":3', raw, count=1))  # by hand
    result = run(register_args(nik=make_nik(905)))
    assert result.exit_code == 3
    assert "K0004 is taken already in table cadres" in result.stderr
    assert len(tinystore.load(registry_with_sample)["cadres"]) == 15


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (b'"_crc32":', b'"_crc33":', "holds a table '_crc33' that up2k does not know"),
        (b'"counters":{', b'"counters":"x","was":{', "the meta record's counters is not what up2k writes"),
        (b'"region":{', b'"region":[],"was":{', "the meta record's region is not what up2k writes"),
        (b'},\n"batches":{', b'}x\n"batches":{', "is not valid JSON"),
        (b'"2":{"id":"K0002"', b'"1":{"id":"K0002"', "the key '1' appears twice in one object"),
    ],
    ids=["checksum line", "counters", "region", "closing line", "document ID twice"],
)
def test_damage_a_review_found_is_reported(
    registry_with_sample: Path, run: Run, old: bytes, new: bytes, says: str
) -> None:
    raw = registry_with_sample.read_bytes()
    assert old in raw
    registry_with_sample.write_bytes(raw.replace(old, new, 1))
    for args in (["check"], ["cadre", "list"], register_args(nik=make_nik(906))):
        result = run(args)
        assert result.exit_code == 3, (args, result.stdout, result.stderr)
        assert says in result.stderr, result.stderr


def test_document_ids_are_written_in_rising_order(registry_with_sample: Path, run: Run) -> None:
    # Another tool wrote the cadres out of order; up2k's next write puts them in order, so
    # that records added later in parts go after the highest ID.
    data = json.loads(registry_with_sample.read_bytes())
    data.pop(tinystore.CHECKSUMS)
    data["cadres"] = dict(reversed(list(data["cadres"].items())))
    registry_with_sample.write_text(json.dumps(data))
    assert run(register_args(nik=make_nik(920))).exit_code == 0
    assert run(register_args(nik=make_nik(921), name="Dewi Lestari")).exit_code == 0
    ids = [int(doc_id) for doc_id in orjson.loads(table_lines(registry_with_sample)["cadres"])]
    assert ids == sorted(ids) == list(range(1, 18))
