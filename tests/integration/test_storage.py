"""The registry file on disk: unit of work, atomic private writes, locking, damage, migrations."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from filelock import FileLock, Timeout

from tests.conftest import Run
from tests.helpers import make_nik, register_args, up2k_cmd
from up2k_cli import fileio
from up2k_cli.domain.errors import RegistryDamaged, RegistryLocked
from up2k_cli.services import cadres
from up2k_cli.storage import migrations, tiny
from up2k_cli.storage.tiny import FileUnitOfWork as UnitOfWork

TODAY = dt.date(2026, 11, 27)
# The file backend's own promises; PostgreSQL's are in test_postgres.py and test_pg_transactions.py.
pytestmark = pytest.mark.file_only


def raw_cadre(serial: int, **extra: Any) -> dict[str, Any]:
    return {
        "nik": make_nik(serial),
        "name": f"Kader Nomor {serial}",
        "kelurahan": "Pondok Labu",
        "rw": "1",
        "rt": "2",
        "address": "Jl. Pinang",
        "phone": "0812-3456-7890",
        "business_type": "Kuliner",
        "household_size": "3",
        "income": "1.000.000",
        "consent": True,
        **extra,
    }


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def lock_path(db: Path) -> Path:
    return Path(str(db) + ".lock")


def one_error_line(stderr: str) -> str:
    """The one error line (a note that the command waited for the lock may come before it)."""
    lines = [line for line in stderr.strip().splitlines() if not line.startswith("Waiting up to")]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: "), stderr
    return lines[0]


@pytest.fixture
def saves(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every registry write, counted."""
    calls: list[Path] = []
    real = tiny.save

    def counting(path: Path, payload: Any, **options: Any) -> None:
        calls.append(path)
        real(path, payload, **options)

    monkeypatch.setattr(tiny, "save", counting)
    return calls


def new_cadre(uow: UnitOfWork, serial: int) -> str:
    """A cadre added through the repositories, as the services do it (IDs from the counters)."""
    from up2k_cli.domain.cadre import Cadre, clean_fields
    from up2k_cli.services.common import kelurahan_choices

    fields = clean_fields(raw_cadre(serial), kelurahan_choices(uow.meta), TODAY)
    (ident,) = uow.next_ids("cadre", "K")
    uow.cadres.add_many([Cadre(id=ident, **fields).to_record()])
    uow.record_changes([{"entity": "cadre", "ref": ident, "action": "create", "changes": {}}])
    return ident


# --- unit of work ----------------------------------------------------------------------------


def test_leaving_without_commit_writes_nothing(registry: Path) -> None:
    before = registry.read_bytes()
    mtime = registry.stat().st_mtime_ns
    with UnitOfWork(registry, command="test") as uow:
        new_cadre(uow, 1)
        assert uow.cadres.count() == 1
    assert registry.read_bytes() == before
    assert registry.stat().st_mtime_ns == mtime
    with UnitOfWork(registry) as uow:
        assert uow.cadres.count() == 0


def test_an_error_inside_the_unit_writes_nothing_and_frees_the_lock(registry: Path) -> None:
    before = registry.read_bytes()
    with pytest.raises(RuntimeError), UnitOfWork(registry) as uow:
        new_cadre(uow, 1)
        raise RuntimeError("boom")
    assert registry.read_bytes() == before
    with FileLock(str(lock_path(registry)), timeout=0.1):
        pass


def test_commit_writes_once_for_many_changes(registry: Path, saves: list[Path]) -> None:
    with UnitOfWork(registry, command="test") as uow:
        first = new_cadre(uow, 1)
        new_cadre(uow, 2)
        uow.cadres.update_many({first: {"phone": "+6281311112222"}})
        assert saves == []
        uow.commit()
        uow.commit()  # nothing changed since: no second write
    assert saves == [registry]
    data = orjson.loads(registry.read_bytes())
    assert sorted(c["id"] for c in data["cadres"].values()) == ["K0001", "K0002"]
    assert len(data["history"]) == 2


def test_a_service_commits_once_and_a_reading_one_never(registry: Path, saves: list[Path]) -> None:
    cadres.register(UnitOfWork(registry, command="register"), raw_cadre(1), today=TODAY)
    assert saves == [registry]
    cadres.list_cadres(UnitOfWork(registry))
    assert saves == [registry]


def test_the_lock_is_held_for_the_whole_unit(registry: Path) -> None:
    with UnitOfWork(registry), pytest.raises(Timeout):
        FileLock(str(lock_path(registry))).acquire(timeout=0.1)
    with FileLock(str(lock_path(registry)), timeout=0.1):
        pass


@pytest.mark.parametrize(
    "args",
    [
        ("cadre", "list"),
        ("cadre", "list", "--format", "json"),
        ("cadre", "show", "K0001"),
        ("where",),
        ("init",),
    ],
)
def test_read_only_commands_never_write(
    registry_with_sample: Path, run: Run, saves: list[Path], args: tuple[str, ...]
) -> None:
    before = registry_with_sample.read_bytes()
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert saves == []
    assert registry_with_sample.read_bytes() == before


def test_an_import_is_one_write(registry: Path, run: Run, saves: list[Path], sample_csv: Path) -> None:
    result = run("import", "cadres", str(sample_csv), "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert saves == [registry]


def test_a_refused_command_writes_nothing(registry_with_sample: Path, run: Run, saves: list[Path]) -> None:
    before = registry_with_sample.read_bytes()
    result = run(register_args(nik="3174065103900001"))  # K0001's NIK
    assert result.exit_code == 1
    assert saves == []
    assert registry_with_sample.read_bytes() == before


# --- private files ---------------------------------------------------------------------------


def test_new_registry_and_lock_file_are_private(db: Path, run: Run) -> None:
    assert run("init").exit_code == 0
    assert mode(db) == 0o600
    assert mode(lock_path(db)) == 0o600


def test_files_are_private_even_with_a_permissive_umask(db: Path, run: Run) -> None:
    old = os.umask(0)
    try:
        assert run("init").exit_code == 0
        assert run(register_args()).exit_code == 0
    finally:
        os.umask(old)
    assert mode(db) == 0o600
    assert mode(lock_path(db)) == 0o600


def test_a_registry_made_readable_becomes_private_again_on_the_next_write(registry: Path, run: Run) -> None:
    registry.chmod(0o644)
    assert run(register_args()).exit_code == 0
    assert mode(registry) == 0o600


def test_no_temporary_files_are_left_behind(registry: Path, run: Run, tmp_path: Path) -> None:
    assert run(register_args()).exit_code == 0
    assert run("cadre", "update", "K0001", "--rt", "9").exit_code == 0
    assert [p.name for p in tmp_path.rglob("*") if "tmp" in p.name] == []


# --- a write that fails half-way -------------------------------------------------------------


@pytest.fixture
def disk_full(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """os.replace fails with ENOSPC after the temp file was written and synced."""
    seen: list[bytes] = []

    def failing_replace(src: Any, dst: Any) -> None:
        seen.append(Path(src).read_bytes())
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", failing_replace)
    return seen


def test_failed_write_keeps_the_old_file_byte_identical(
    registry_with_sample: Path, run: Run, disk_full: list[bytes], tmp_path: Path
) -> None:
    before = registry_with_sample.read_bytes()
    result = run(register_args())
    assert result.exit_code == 3
    line = one_error_line(result.stderr)
    assert line.startswith(f"Error: could not save {registry_with_sample}: the disk is full; ")
    assert "not changed" in line
    assert result.stdout == ""
    assert len(disk_full) == 1 and len(disk_full[0]) > len(before), "temp file was written"
    assert registry_with_sample.read_bytes() == before
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_failed_import_write_keeps_the_old_file(
    registry: Path, run: Run, disk_full: list[bytes], sample_csv: Path
) -> None:
    before = registry.read_bytes()
    result = run("import", "cadres", str(sample_csv), "--skip-invalid")
    assert result.exit_code == 3
    assert "Error: could not save" in result.stderr
    assert registry.read_bytes() == before


def test_atomic_write_reports_the_cause() -> None:
    with pytest.raises(fileio.WriteFailed) as info:
        fileio.atomic_write_bytes(Path("/nonexistent-folder/x.json"), b"{}")
    assert info.value.strerror == "the folder does not exist"


def _parts(count: int, fail_at: int | None = None, error: BaseException | None = None) -> Iterator[bytes]:
    for i in range(count):
        if i == fail_at and error is not None:
            raise error
        yield b"%d," % i * 1000


@pytest.mark.parametrize("given", ["bytes", "list", "iterator"])
def test_atomic_write_takes_the_content_whole_or_in_parts(tmp_path: Path, given: str) -> None:
    target = tmp_path / "x.json"
    whole = b"".join(_parts(50))
    data = {"bytes": whole, "list": list(_parts(50)), "iterator": _parts(50)}[given]
    fileio.atomic_write_bytes(target, data)
    assert target.read_bytes() == whole
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


@pytest.mark.parametrize("error", [TypeError("not JSON"), KeyboardInterrupt()], ids=["error", "ctrl-c"])
def test_a_part_that_cannot_be_made_leaves_the_old_file_and_no_temp(
    tmp_path: Path, error: BaseException
) -> None:
    target = tmp_path / "x.json"
    target.write_bytes(b"old")
    with pytest.raises(type(error)):
        fileio.atomic_write_bytes(target, _parts(50, fail_at=30, error=error))
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_a_write_failing_midway_stops_making_parts_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up at the third part, written on the writer thread: the failure comes back
    to the caller as WriteFailed, the parts not yet made are never made."""
    target = tmp_path / "x.json"
    target.write_bytes(b"old")
    real_write = os.write
    writes: list[int] = []

    def filling(fd: int, data: Any) -> int:
        writes.append(len(data))
        if len(writes) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    made: list[int] = []

    def parts() -> Iterator[bytes]:
        for i in range(1000):
            made.append(i)
            time.sleep(0.001)  # the writer keeps up: the failure is seen long before the end
            yield b"x" * 100

    monkeypatch.setattr(fileio.os, "write", filling)
    with pytest.raises(fileio.WriteFailed) as info:
        fileio.atomic_write_bytes(target, parts())
    monkeypatch.undo()
    assert info.value.strerror == "the disk is full"
    assert len(made) < 1000
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_ctrl_c_while_waiting_for_the_writer_waits_for_it_then_removes_the_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C comes while the last parts are still being written: the writer is let finish its
    part (the file it writes to is closed only after), skips the rest, and the temp file goes."""
    target = tmp_path / "x.json"
    target.write_bytes(b"old")
    all_made, signalled = threading.Event(), threading.Event()
    real_write = os.write
    writes: list[int] = []
    main = threading.main_thread().ident
    assert main is not None

    def slow(fd: int, data: Any) -> int:
        if not writes:
            all_made.wait(5)
            time.sleep(0.05)  # the main thread is waiting for the writer by now
            signal.pthread_kill(main, signal.SIGINT)
            signalled.set()
            time.sleep(0.2)
        writes.append(len(data))
        return real_write(fd, data)

    def parts() -> Iterator[bytes]:
        yield from (b"a" * 100, b"b" * 100, b"c" * 100)
        all_made.set()

    monkeypatch.setattr(fileio.os, "write", slow)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # even where pytest ignores it
    try:
        outcome = "returned"
        try:
            fileio.atomic_write_bytes(target, parts())
        except KeyboardInterrupt:
            outcome = "interrupted"
        written_on_return = list(writes)
        try:  # a writer left running would still be writing (and the Ctrl-C still to come)
            signalled.wait(5)
            time.sleep(0.3)
        except KeyboardInterrupt:
            outcome += ", then interrupted"
    finally:
        signal.signal(signal.SIGINT, previous)
    monkeypatch.undo()
    assert outcome == "interrupted"
    assert written_on_return == writes == [100]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


# --- locking ---------------------------------------------------------------------------------


def test_lock_timeout_exits_3_naming_the_file(registry_with_sample: Path, run: Run) -> None:
    with FileLock(str(lock_path(registry_with_sample))):
        started = time.monotonic()
        result = run("--lock-timeout", "0.3", "cadre", "list")
        waited = time.monotonic() - started
    assert result.exit_code == 3
    assert result.stdout == ""
    waiting, line = result.stderr.strip().splitlines()
    assert waiting.startswith(f"Waiting up to 0.3 s for {registry_with_sample}: it is locked by")
    assert line.startswith("Error: ")
    assert str(registry_with_sample) in line
    assert "locked by another up2k command; waited 0.3 s" in line
    assert "--lock-timeout" in line
    assert 0.25 <= waited < 3


def test_lock_timeout_from_the_environment(registry: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UP2K_LOCK_TIMEOUT", "0.2")
    with FileLock(str(lock_path(registry))):
        result = run("cadre", "list")
    assert result.exit_code == 3
    assert "waited 0.2 s" in result.stderr


HOLD_LOCK = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
time.sleep(float(sys.argv[2]))
lock.release()
print("released", flush=True)
time.sleep(30)
"""


@pytest.fixture
def lock_holder(subprocess_env: dict[str, str]):  # type: ignore[no-untyped-def]
    """Start another process that holds a registry's lock for some seconds."""
    procs: list[subprocess.Popen[str]] = []

    def start(db: Path, seconds: float) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(lock_path(db)), str(seconds)],
            stdout=subprocess.PIPE,
            text=True,
            env=subprocess_env,
        )
        procs.append(proc)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "held"
        return proc

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


def test_unattended_commands_wait_for_the_lock_and_say_so(
    registry_with_sample: Path, lock_holder, subprocess_env: dict[str, str]
) -> None:
    """cron (no terminal) waits for a person's command to finish instead of failing at 5 s."""
    holder = lock_holder(registry_with_sample, 6)
    env = {k: v for k, v in subprocess_env.items() if k != "UP2K_LOCK_TIMEOUT"}
    started = time.monotonic()
    proc = subprocess.run(
        up2k_cmd("--db", str(registry_with_sample), "cadre", "list", "--format", "ids"),
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - started >= 5
    assert proc.stderr.startswith(f"Waiting up to 300 s for {registry_with_sample}: it is locked by")
    assert len(proc.stdout.split()) == 15
    holder.kill()


def test_global_options_may_follow_the_command(registry_with_sample: Path, run: Run, tmp_path: Path) -> None:
    elsewhere = tmp_path / "other.json"
    assert run("init", "--db", str(elsewhere)).exit_code == 0
    assert run("cadre", "list", "--format", "ids", "--db", str(elsewhere)).stdout == ""
    assert len(run("cadre", "list", "--format=ids", f"--db={registry_with_sample}").stdout.split()) == 15
    shown = run("report", "summary", "--lang", "id", "--db", str(registry_with_sample))
    assert "Ringkasan" in shown.stdout or "ringkasan" in shown.stdout


def test_lock_held_by_another_process_refuses_a_write(
    registry_with_sample: Path, run: Run, lock_holder: Any
) -> None:
    lock_holder(registry_with_sample, 30)
    before = registry_with_sample.read_bytes()
    result = run("--lock-timeout", "0.3", register_args())
    assert result.exit_code == 3
    assert str(registry_with_sample) in one_error_line(result.stderr)
    assert registry_with_sample.read_bytes() == before


def test_a_reader_waits_for_a_writer_to_finish(
    registry_with_sample: Path, run: Run, lock_holder: Any
) -> None:
    lock_holder(registry_with_sample, 0.6)
    started = time.monotonic()
    result = run("--lock-timeout", "10", "cadre", "list", "--format", "ids")
    assert result.exit_code == 0, result.stderr
    assert time.monotonic() - started >= 0.3
    assert len(result.stdout.split()) == 15


def test_uow_raises_registry_locked(registry: Path) -> None:
    with FileLock(str(lock_path(registry))), pytest.raises(RegistryLocked):
        UnitOfWork(registry, lock_timeout=0.05).__enter__()


# --- damaged, missing, newer -----------------------------------------------------------------


@pytest.fixture
def good_bytes(registry_with_sample: Path) -> bytes:
    """A healthy registry's bytes, to damage."""
    return registry_with_sample.read_bytes()


DAMAGE = {
    "truncated": lambda good: good[: len(good) // 2],
    "empty": lambda good: b"",
    "not an object": lambda good: b"[1, 2, 3]",
    "no meta table": lambda good: b'{"cadres": {}}',
    "meta without schema": lambda good: re.sub(rb'"schema_version":\d+', b'"schema":1', good, count=1),
    "table not records": lambda good: good.replace(b'"cadres":{', b'"cadres":{"x":5,', 1),
    "binary": lambda good: b"\x00\xff\xfe garbage",
    "document ID not a number": lambda good: good.replace(b'"1":{"id":"K0001"', b'"x":{"id":"K0001"', 1),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize(
    "args",
    [
        ["cadre", "list"],
        register_args(nik=make_nik(2), name="Dewi Lestari"),
        ["export", "cadres"],
    ],
    ids=["list", "register", "export"],
)
def test_damaged_registry_exits_3_and_is_left_untouched(
    db: Path, run: Run, good_bytes: bytes, damage: str, args: list[str]
) -> None:
    damaged = DAMAGE[damage](good_bytes)
    db.write_bytes(damaged)
    result = run(args)
    assert result.exit_code == 3, result.stderr
    assert result.stdout == ""
    one_error_line(result.stderr)
    assert db.read_bytes() == damaged


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damage_message_names_the_file(db: Path, run: Run, good_bytes: bytes, damage: str) -> None:
    db.write_bytes(DAMAGE[damage](good_bytes))
    result = run("cadre", "list")
    assert str(db) in one_error_line(result.stderr)


@pytest.mark.parametrize("version", [b'"x"', b"99"], ids=["not a number", "newer"])
def test_schema_problems_name_the_file(db: Path, run: Run, good_bytes: bytes, version: bytes) -> None:
    db.write_bytes(re.sub(rb'"schema_version":\d+', b'"schema_version":' + version, good_bytes, count=1))
    result = run("cadre", "list")
    assert result.exit_code == 3
    assert str(db) in one_error_line(result.stderr)


def test_truncated_file_is_said_to_be_cut_short(db: Path, run: Run, good_bytes: bytes) -> None:
    db.write_bytes(good_bytes[:-40])
    result = run("cadre", "list")
    assert result.exit_code == 3
    assert "is not valid JSON (the file looks cut short)" in result.stderr


def test_not_an_object_message(db: Path, run: Run) -> None:
    db.write_bytes(b"[]")
    result = run("cadre", "list")
    assert one_error_line(result.stderr).startswith(
        f"Error: {db} is not an up2k registry (the top level is not an object)"
    )


def test_no_meta_table_message(db: Path, run: Run) -> None:
    db.write_bytes(b'{"_default": {}}')
    result = run("cadre", "list")
    assert result.exit_code == 3
    assert one_error_line(result.stderr).startswith(f"Error: {db} is not an up2k registry (no meta table)")


def test_load_raises_registry_damaged(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b'{"meta": 1}')
    with pytest.raises(RegistryDamaged, match="table 'meta' is not a set of records"):
        tiny.load(path)


def test_schema_newer_than_the_program_exits_3(registry: Path, run: Run) -> None:
    data = json.loads(registry.read_bytes())
    data["meta"]["1"]["schema_version"] = migrations.CURRENT_VERSION + 1
    registry.write_text(json.dumps(data))
    before = registry.read_bytes()
    result = run(register_args())
    assert result.exit_code == 3
    line = one_error_line(result.stderr)
    current = migrations.CURRENT_VERSION
    assert f"written by a newer up2k (schema {current + 1}; this program knows up to {current})" in line
    assert "upgrade up2k" in line
    assert registry.read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        ["cadre", "list"],
        ["cadre", "show", "K0001"],
        ["cadre", "update", "K0001", "--phone", "0812-3456-7890"],
        ["cadre", "deactivate", "K0001", "--reason", "pindah"],
        ["cadre", "reactivate", "K0001"],
        register_args(),
        ["export", "cadres"],
    ],
    ids=["list", "show", "update", "deactivate", "reactivate", "register", "export"],
)
def test_missing_registry_exits_3_naming_path_and_init(db: Path, run: Run, args: list[str]) -> None:
    result = run(args)
    assert result.exit_code == 3
    assert result.stdout == ""
    line = one_error_line(result.stderr)
    assert str(db) in line
    assert "up2k init" in line
    assert not db.exists()


def test_missing_registry_import_exits_3(db: Path, run: Run, sample_csv: Path) -> None:
    result = run("import", "cadres", str(sample_csv), "--skip-invalid")
    assert result.exit_code == 3
    assert "up2k init" in result.stderr
    assert not db.exists()


def test_missing_registry_leaves_no_file_at_all(db: Path, run: Run, tmp_path: Path) -> None:
    assert run("cadre", "list").exit_code == 3
    assert list(tmp_path.iterdir()) == []


def test_missing_registry_in_a_missing_folder_creates_no_folder(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "typo" / "registry.json"
    result = run("--db", str(target), "cadre", "list")
    assert result.exit_code == 3
    assert str(target) in result.stderr
    assert not (tmp_path / "typo").exists()


# --- migrations under the lock ---------------------------------------------------------------


@pytest.fixture
def next_version(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Pretend this program knows one schema more, whose migration tags every cadre."""
    calls: list[str] = []
    current = migrations.CURRENT_VERSION

    def tag_cadres(data: dict[str, Any]) -> dict[str, Any]:
        calls.append(f"{current}->{current + 1}")
        for cadre in data.get("cadres", {}).values():
            cadre["migrated"] = True
        return data

    monkeypatch.setattr(migrations, "MIGRATIONS", {**migrations.MIGRATIONS, current: tag_cadres})
    monkeypatch.setattr(migrations, "CURRENT_VERSION", current + 1)
    return calls


def test_a_writing_command_saves_the_migrated_registry(
    registry_with_sample: Path, run: Run, next_version: list[str]
) -> None:
    result = run(register_args())
    assert result.exit_code == 0, result.stderr
    assert len(next_version) == 1
    data = orjson.loads(registry_with_sample.read_bytes())
    assert data["meta"]["1"]["schema_version"] == migrations.CURRENT_VERSION
    old = [c for c in data["cadres"].values() if c["id"] != "K0016"]
    assert len(old) == 15 and all(c["migrated"] for c in old)
    assert run("cadre", "list", "--format", "ids").exit_code == 0
    assert len(next_version) == 1, "a migrated file is not migrated again"


def test_a_reading_command_migrates_in_memory_only(
    registry_with_sample: Path, run: Run, next_version: list[str]
) -> None:
    before = registry_with_sample.read_bytes()
    result = run("cadre", "list", "--format", "ids")
    assert result.exit_code == 0, result.stderr
    assert len(next_version) == 1
    assert registry_with_sample.read_bytes() == before


def test_a_schema_1_registry_from_issue_2_still_opens_and_is_upgraded(
    registry_with_sample: Path, run: Run
) -> None:
    data = orjson.loads(registry_with_sample.read_bytes())
    data["meta"]["1"]["schema_version"] = 1
    registry_with_sample.write_bytes(orjson.dumps(data))
    listed = run("cadre", "list", "--format", "ids")
    assert listed.exit_code == 0, listed.stderr
    assert len(listed.stdout.split()) == 15
    assert run(register_args()).exit_code == 0
    upgraded = orjson.loads(registry_with_sample.read_bytes())
    assert upgraded["meta"]["1"]["schema_version"] == migrations.CURRENT_VERSION
