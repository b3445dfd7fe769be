"""The storage contract (storage/protocol.py) on every backend: the same calls give the same
records, in the same order, on the in-memory fake, a file and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from up2k_cli import storage
from up2k_cli.services.maintenance import redacted
from up2k_cli.storage import migrations, presets
from up2k_cli.storage.protocol import UnitOfWork
from up2k_cli.storage.schema import META, TABLES
from up2k_cli.storage.tiny import MemoryUnitOfWork

NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)
META_RECORD = presets.new_meta(dt.date(2026, 1, 5), NOW, migrations.CURRENT_VERSION)


@pytest.fixture(params=["memory", "file", "postgresql"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., UnitOfWork]:
    """A fresh, empty registry of each backend; make(reading=False) -> a unit of work on it (not
    entered)."""
    options: dict[str, Any] = {"command": "contract", "user": "tester", "now": NOW}
    if request.param == "memory":
        uow = MemoryUnitOfWork({**{name: {} for name in TABLES}, META: {"1": META_RECORD}}, **options)

        def memory(reading: bool = False) -> UnitOfWork:
            uow.reading = reading  # the fake is one object: the same one, for reading or not
            return uow

        return memory
    location = str(tmp_path / "registry.json")
    if request.param == "postgresql":
        location = request.getfixturevalue("postgres_url")
    assert storage.create_registry(location, dict(META_RECORD))
    return lambda reading=False: storage.open_registry(location, reading=reading, **options)


def cadre(n: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"K{n:04d}", "nik": f"31740641018500{n:02d}", "name": f"Kader {n}", "kelurahan_code": "31.74.06.1003",
            "registered_on": "2026-11-01", "consent_on": "2026-11-01", "status": "active", "name_key": f"kader {n}",
            "status_log": [{"status": "active", "on": "2026-11-01", "reason": None}], **fields}  # fmt: skip


def exercise(make: Callable[[], UnitOfWork]) -> list[Any]:
    seen: list[Any] = []
    with make() as uow:
        ids = uow.next_ids("cadre", "K", 3)
        seen.append(ids)
        uow.cadres.add_many([cadre(1, phone="+6281200000001"), cadre(2, phone="+6281200000001"), cadre(3)])
        uow.batches.add_many([
            {"code": "B02", "title": "T", "kind": "training", "start": "2026-11-02", "end": "2026-11-30",
             "capacity": 5, "quota_per_kelurahan": 2, "sessions": 2, "min_attendance": 50, "status": "open",
             "created_on": "2026-11-01"},
            {"code": "B01", "title": "U", "kind": "mentoring", "start": "2026-11-01", "end": "2026-11-20",
             "capacity": 9, "quota_per_kelurahan": 0, "sessions": 1, "min_attendance": 0, "status": "open",
             "created_on": "2026-11-01"},
        ])  # fmt: skip
        uow.enrollments.add_many(
            {"id": f"E{n:04d}", "batch": "B02", "cadre_id": f"K{n:04d}", "status": "enrolled",
             "kelurahan_code": "31.74.06.1003", "attendance": {"2": "2026-11-09", "1": "2026-11-02"},
             "events": [{"status": "enrolled", "on": "2026-11-01"}]}
            for n in (1, 2)
        )  # fmt: skip
        uow.record_changes(
            [
                {"entity": "cadre", "ref": "K0001", "refs": ["K0001", "K0002", "K0003"], "action": "create",
                 "changes": {"records": [None, 3]}},
                {"entity": "cadre", "ref": "K0002", "action": "update", "changes": {"phone": ["a", "b"]},
                 "reason": "typo", "on": "2026-11-02"},
            ]
        )  # fmt: skip
        uow.commit()
    with make() as uow:
        mine = uow.cadres.get("K0001")
        assert mine is not None
        mine["name"] = "changed in a copy"
        mine["status_log"][0]["status"] = "changed too"
        seen += [
            uow.cadres.get("K0001"),
            uow.cadres.get("K0099"),
            uow.cadres.get(1),
            sorted(uow.cadres.get_many(["K0002", "K0099", "K0001", "K0002"])),
            uow.cadres.find(phone="+6281200000001"),
            uow.cadres.find(phone=None),
            uow.cadres.find(kelurahan_code="31.74.06.1003", name_key="kader 2"),
            [c["id"] for c in uow.cadres.find_in("id", ["K0003", "K0001", "K0042"])],
            uow.cadres.find_in("nik", []),
            uow.history.find_with("refs", "K0003"),
            uow.history.find(ref="K0002"),
            [b["code"] for b in uow.batches.all()],
            uow.enrollments.all(),
            [
                uow.cadres.count(),
                uow.history.count(),
                "K0002" in uow.cadres,
                "K0009" in uow.cadres,
                2 in uow.history,
            ],
            uow.counters(),
            uow.meta,
        ]
        seen.append(
            [
                uow.cadres.page(2, 1),
                uow.cadres.page(5, 0, kelurahan_code="31.74.06.1003", status="active"),
                uow.cadres.page(2, 9, kelurahan_code="31.74.06.1003"),
                uow.cadres.page(2, 0, phone=None),
                uow.history.find_with("refs", "K0003", entity="cadre"),
                uow.history.find_with("refs", "K0003", entity="batch"),
                uow.cadres.values("id", "phone", "status_log"),
                uow.batches.values("code"),
            ]
        )
        uow.cadres.lock("K0002")
        uow.cadres.hold("nik", ["3174064101850099"])
        uow.cadres.update_many({"K0002": {"phone": None, "status_log": []}, "K0003": {"rt": "7"}})
        uow.enrollments.remove_many(["E0002", "E0099"])
        seen.append(uow.redact_history({"K0002"}, redacted))
        uow.update_meta({"settings": {"agency_map": {}, "licensing_agency": "PTSP"}})
        with pytest.raises(KeyError):
            uow.cadres.update_many({"K0099": {"rt": "1"}})
        with pytest.raises(ValueError, match="no field 'colour'"):
            uow.cadres.update_many({"K0001": {"colour": "red"}})
        uow.commit()
    with make() as uow:
        seen += [uow.cadres.all(), uow.enrollments.all(), uow.history.all(), uow.meta["settings"]]
        uow.cadres.update_many({"K0001": {"rt": "9"}})  # left without commit: not kept
    with make() as uow:
        seen.append(uow.cadres.get("K0001"))
        seen.append(uow.peek_ids("cadre", "K", 2))
    return seen


@pytest.fixture(scope="module")
def on_memory() -> list[Any]:
    uow = MemoryUnitOfWork(
        {**{name: {} for name in TABLES}, META: {"1": META_RECORD}},
        command="contract",
        user="tester",
        now=NOW,
    )
    return exercise(lambda: uow)


def ordered(value: Any) -> Any:
    """Dicts as lists of pairs: the order of fields and keys counts too."""
    if isinstance(value, dict):
        return [(k, ordered(v)) for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [ordered(v) for v in value]
    return value


def test_every_backend_gives_what_the_memory_fake_gives(
    make: Callable[[], UnitOfWork], on_memory: list[Any]
) -> None:
    seen = exercise(make)
    assert len(seen) == len(on_memory)
    for i, (got, expected) in enumerate(zip(seen, on_memory, strict=True)):
        assert ordered(got) == ordered(expected), i
    assert (
        seen[1]["name"] == "Kader 1" and seen[1]["status_log"][0]["status"] == "active"
    )  # records are copies
    assert [c["id"] for c in seen[-6]] == ["K0001", "K0002", "K0003"]  # in the order added
    assert seen[12] == ["B02", "B01"]  # a key that is not a serial ID too
    assert seen[-2]["rt"] is None  # a change left without commit is not kept


def test_find_gives_what_a_tinydb_search_gives() -> None:
    """find/find_in test fields in C; the records, their order and their copies are a search's."""
    uow = MemoryUnitOfWork({**{name: {} for name in TABLES}, META: {"1": META_RECORD}}, now=NOW)
    with uow:
        uow.cadres.add_many(
            [cadre(1, phone="1"), cadre(2, phone="2", rt="5"), cadre(3, phone="1", rt="5"), cadre(4, rt=None)]
        )
        table = uow.cadres.table
        for found, search in [
            (uow.cadres.find(phone="1"), lambda doc: doc.get("phone") == "1"),
            (uow.cadres.find(phone=None), lambda doc: doc.get("phone") is None),
            (
                uow.cadres.find(rt="5", phone="1"),
                lambda doc: doc.get("rt") == "5" and doc.get("phone") == "1",
            ),
            (uow.cadres.find(rt=None), lambda doc: doc.get("rt") is None),
            (uow.cadres.find(), lambda doc: True),
            (
                uow.cadres.find_in("id", ["K0004", "K0001", "K0009"]),
                lambda doc: doc["id"] in {"K0004", "K0001"},
            ),
        ]:
            expected = table.search(search)
            assert [(d.doc_id, ordered(d)) for d in found] == [(d.doc_id, ordered(d)) for d in expected]
        copy = uow.cadres.find(phone="2")[0]
        copy["status_log"][0]["status"] = "changed in a copy"
        assert uow.cadres.get("K0002")["status_log"][0]["status"] == "active"


def test_a_reading_unit_of_work_reads_the_same_and_refuses_any_change(
    make: Callable[..., UnitOfWork], tmp_path: Path
) -> None:
    """Reports open the registry for reading only (`reading=True`): the same records (on a file
    without copying their nested values), and a change, an ID reserved or a commit is refused
    before anything is written: it would be a bug in the command."""
    with make() as uow:
        uow.cadres.add_many([cadre(1), cadre(2, rt="5")])
        uow.commit()
    with make() as uow:
        expected = [ordered(c) for c in uow.cadres.all()]
    file = tmp_path / "registry.json"
    before = file.read_bytes() if file.exists() else None
    with make(reading=True) as uow:
        assert [ordered(c) for c in uow.cadres.all()] == expected
        assert uow.cadres.get("K0002")["status_log"][0]["status"] == "active"
        for change in (
            lambda: uow.cadres.add_many([cadre(3)]),
            lambda: uow.cadres.update_many({"K0001": {"rt": "7"}}),
            lambda: uow.cadres.remove_many(["K0002"]),
            lambda: uow.next_ids("cadre", "K", 1),
            lambda: uow.update_meta({"settings": {}}),
            uow.commit,
        ):
            with pytest.raises(RuntimeError, match="for reading only"):
                change()
    if before is not None:
        assert file.read_bytes() == before
    with make() as uow:
        assert [ordered(c) for c in uow.cadres.all()] == expected


def test_the_cadres_born_alike_are_the_same_on_every_backend(make: Callable[..., UnitOfWork]) -> None:
    """An import's twin candidates (same kelurahan, name key, and the NIK's birth month and year)
    are found through the table on PostgreSQL (substr(nik, 9, 4)) and by domain/cadre.py
    birth_month_year elsewhere: the same cadres, in the order they were added."""
    with make() as uow:
        uow.cadres.add_many([
            cadre(1),                                           # a woman born 1 Jan 1985 (41: 1 + 40)
            cadre(2, nik="3174060101850002", name_key="kader 1"),  # another day, the same month and year
            cadre(3, nik="3174064102850003", name_key="kader 1"),  # another month
            cadre(4, name_key="kader 1", kelurahan_code="31.74.06.1001"),  # another kelurahan
            cadre(5, nik=None, name_key="kader 1"),             # erased: no NIK
            cadre(6, nik="3174067101850006", name_key="kader 1"),  # a woman born 31 Jan 1985
            cadre(7, nik="3174064101860007", name_key="kader 1"),  # another year
        ])  # fmt: skip
        uow.commit()
    with make(reading=True) as uow:
        wanted = [("31.74.06.1003", "kader 1", "0185"), ("31.74.06.1003", "kader 9", "0185")]
        found = uow.cadres_born_alike(iter(wanted))
        assert found == [
            ("K0001", "3174064101850001", "kader 1", "31.74.06.1003"),
            ("K0002", "3174060101850002", "kader 1", "31.74.06.1003"),
            ("K0006", "3174067101850006", "kader 1", "31.74.06.1003"),
        ]
        assert uow.cadres_born_alike([]) == []
