"""Faults injected on purpose: concurrent writers and readers, SIGKILL mid-write, full and
read-only disks, damaged files, Ctrl-C. The promise: no recorded data lost, never a mix."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import faults
from tests.enrollment_data import cadres_csv
from tests.helpers import edit_registry
from up2k_cli.cli.main import app

OPS = 50


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A prepared registry (200 cadres, batch B01 with quota 15) that tests copy."""
    db = tmp_path_factory.mktemp("base") / "registry.json"
    faults.prepare(db)
    return db


def copy_of(base: Path, tmp_path: Path) -> Path:
    db = tmp_path / "registry.json"
    shutil.copyfile(base, db)
    db.chmod(0o600)
    return db


def test_four_writers_and_two_readers_lose_nothing(base, tmp_path):
    db = copy_of(base, tmp_path)
    results = faults.run_concurrently(db, OPS, tmp_path)
    failed = [(n, r["args"], r["stderr"]) for n, rs in results.items() for r in rs if r["code"] != 0]
    assert failed == []
    counts = faults.registry_counts(db)
    assert counts["cadres"] == faults.POOL + OPS
    assert counts["businesses"] == OPS
    assert counts["incomes"] == OPS
    assert counts["enrollments"] == 100  # 2 per enroll, all distinct cadres
    data = json.loads(db.read_bytes())
    places: dict[str, int] = {}
    for e in data["enrollments"].values():
        if e["status"] == "enrolled":
            places[e["kelurahan_code"]] = places.get(e["kelurahan_code"], 0) + 1
    assert max(places.values()) == 15  # the quota held under contention
    assert faults.up2k(db, "check").returncode == 0
    # Each report saw a whole registry: totals add up, and the counts never went backwards.
    for name in ("4-report", "5-report"):
        seen = []
        for r in results[name]:
            rows = json.loads(r["stdout"])["tables"]["kelurahan"]
            total, parts = rows[-1], rows[:-1]
            assert total["cadres"] == sum(p["cadres"] for p in parts)
            assert total["enrolled"] == sum(p["enrolled"] for p in parts)
            seen.append(total["cadres"])
        assert seen == sorted(seen)
    waits = [r["seconds"] for rs in results.values() for r in rs]
    assert max(waits) < 30  # lock waits are bounded


def test_lock_timeout_names_the_file_and_the_holder(base, tmp_path):
    db = copy_of(base, tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "from up2k_cli.storage.tiny import FileUnitOfWork\n"
         "with FileUnitOfWork(__import__('pathlib').Path(sys.argv[1]), command='import cadres'):\n"
         "    print('held', flush=True); time.sleep(30)\n", str(db)],
        stdout=subprocess.PIPE, text=True, env=faults.env(db), cwd=faults.REPO,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        started = time.monotonic()
        result = faults.up2k(db, "--lock-timeout", "0.5", "cadre", "list", check=False)
        assert time.monotonic() - started < 10
        assert result.returncode == 3
        assert f"{db} is locked by up2k import cadres (PID {holder.pid}, since " in result.stderr
    finally:
        holder.kill()
        holder.wait()
    assert faults.up2k(db, "cadre", "list", "--format", "ids").returncode == 0


@pytest.mark.parametrize("kind", ["import", "register"])
def test_sigkill_at_random_moments_leaves_before_or_after_never_a_mix(base, tmp_path, kind):
    rng = random.Random(20261127 if kind == "import" else 27112026)
    db = tmp_path / "registry.json"
    big = cadres_csv({"Cipete Selatan": 1500}).replace("Kader ", "Baru ").replace("0812", "0813")
    big = "\n".join(
        line if i == 0 else line.replace("3174", "3175", 1) for i, line in enumerate(big.splitlines())
    )
    if kind == "import":
        args, stdin = ["import", "cadres", "-"], big
    else:
        args = ["register", "--nik", "3275064101850001", "--name", "Baru", "--kelurahan", "Lebak Bulus",
                "--rw", "1", "--rt", "1", "--address", "Jl. A", "--consent"]  # fmt: skip
        stdin = None
    # Spread the kills over the whole run, from start-up to just after the write, on any machine.
    # The quicker of two runs: one slowed by other work would push every kill past the write.
    whole = min(faults.uninterrupted_seconds(db, base, args, stdin) for _ in range(2))
    delay = (0.05, whole * 1.1)
    outcomes = [faults.crash_trial(db, base, args, stdin, rng, delay) for _ in range(15)]
    assert [o for o in outcomes if o.startswith("corrupt")] == [], outcomes
    assert "before" in outcomes, (whole, outcomes)  # the trials really interrupted some writes...
    # ...and whatever a killed writer left behind, the next write cleans up and succeeds.
    assert faults.up2k(db, "batch", "add", "Z9", "--title", "t", "--start", "2026-11-01",
                       "--end", "2026-11-02").returncode == 0  # fmt: skip
    assert list(tmp_path.glob(".registry.json.*.tmp")) == []


def wait_until_reading_stdin(pid: int, timeout: float = 30.0) -> None:
    """Until the process sits in read(0, ...) (Linux /proc/PID/syscall: read is syscall 0 on x86-64
    and 63 on arm64), i.e. up2k has started and is waiting for the rest of its input."""
    read = {"x86_64": "0", "aarch64": "63"}.get(os.uname().machine)
    if read is None or not Path(f"/proc/{pid}/syscall").exists():
        pytest.skip("needs Linux's /proc/PID/syscall to know when the process reads")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fields = Path(f"/proc/{pid}/syscall").read_text().split()
        if fields[:2] == [read, "0x0"]:
            return
        time.sleep(0.01)
    raise AssertionError("the import never started reading its input")


def test_ctrl_c_during_import_exits_130_with_one_line_and_nothing_half_written(base, tmp_path):
    db = copy_of(base, tmp_path)
    before = db.read_bytes()
    big = cadres_csv({"Cipete Selatan": 3000}).replace("3174", "3175")
    proc = subprocess.Popen(
        [sys.executable, "-m", "up2k_cli", "import", "cadres", "-"], env=faults.env(db),
        cwd=faults.REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdin is not None
    proc.stdin.write(big[: len(big) // 2])  # half the file has arrived; the import is reading
    proc.stdin.flush()
    wait_until_reading_stdin(proc.pid)  # not a sleep: signal once it is certainly waiting for more
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.strip().splitlines() == [
        "Interrupted (Ctrl-C): nothing more was written; the registry file is whole."
    ]
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    ("where", "code", "cause"),
    [
        ("write", errno.ENOSPC, "the disk is full"),
        ("open", errno.EACCES, "permission denied"),
        ("replace", errno.EROFS, "the file system is read-only"),
        ("link", errno.EROFS, "the file system is read-only"),
    ],
)
def test_full_disk_or_read_only_exits_3_and_keeps_the_old_file(
    base, tmp_path, monkeypatch, where, code, cause
):
    db = copy_of(base, tmp_path)
    before = db.read_bytes()
    real = {"write": os.write, "open": os.open, "replace": os.replace, "link": os.link}

    def failing(*args, **kwargs):
        if where == "open" and not str(args[0]).endswith(".tmp"):
            return real["open"](*args, **kwargs)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, where, failing)
    if where == "link":
        monkeypatch.setattr(shutil, "copyfile", failing)
    result = CliRunner().invoke(
        app, ["batch", "add", "B02", "--title", "t", "--start", "2026-11-01", "--end", "2026-11-02"],
        env={"UP2K_DB": str(db)},
    )  # fmt: skip
    monkeypatch.undo()
    assert result.exit_code == 3
    assert f"could not save {db}: {cause}; the registry was not changed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert db.read_bytes() == before
    assert list(tmp_path.glob(".registry.json.*.tmp")) == []


def _damage(data: dict, how: str) -> bytes:
    if how == "duplicate id":
        first = data["cadres"]["1"]
        data["cadres"]["999"] = dict(first)
    elif how == "missing table":
        del data["enrollments"]
    elif how == "wrong type":
        data["cadres"] = ["not", "records"]
    elif how == "newer schema":
        data["meta"]["1"]["schema_version"] = 99
    elif how == "id not text":
        data["cadres"]["1"]["id"] = 17
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("truncated", "is not valid JSON (the file looks cut short)"),
        ("invalid json", "is not valid JSON"),
        ("duplicate id", "id 'K0001' appears twice in table 'cadres'"),
        ("missing table", "table(s) enrollments missing"),
        ("wrong type", "table 'cadres' is not a set of records"),
        ("newer schema", "written by a newer up2k (schema 99"),
        ("id not text", "table 'cadres' has a record whose id is 17"),
    ],
)
def test_damaged_file_exits_3_names_the_problem_and_backups_and_is_never_overwritten(
    base, tmp_path, how, message
):
    db = copy_of(base, tmp_path)
    faults.up2k(db, "batch", "add", "B02", "--title", "t", "--start", "2026-11-01", "--end", "2026-11-02")
    good = db.read_bytes()
    if how == "truncated":
        damaged = good[: len(good) // 2]
    elif how == "invalid json":
        damaged = good.replace(b'"meta"', b"meta", 1)
    else:
        damaged = _damage(json.loads(good), how)
    db.write_bytes(damaged)
    for args in (["cadre", "list"], ["register", "--nik", "3174064101850999", "--name", "X", "--kelurahan",
                 "Pondok Labu", "--rw", "1", "--rt", "1", "--address", "A", "--consent"], ["report", "summary"]):  # fmt: skip
        result = faults.up2k(db, *args, check=False)
        assert result.returncode == 3, (args, result.stderr)
        assert message in result.stderr
        assert "backups: " in result.stderr and "up2k backup restore ID" in result.stderr
        assert "Traceback" not in result.stderr
        assert db.read_bytes() == damaged
    # The coordinator's way out: restore the newest backup, which is itself reversible.
    newest = json.loads(faults.up2k(db, "backup", "list", "--format", "json").stdout)[0]["id"]
    faults.up2k(db, "backup", "restore", newest)
    assert faults.up2k(db, "check").returncode == 0
    assert json.loads(faults.up2k(db, "backup", "list", "--format", "json").stdout)[0]["path"] != newest


def test_backups_rotate_keep_the_setting_private_files_and_restore_is_reversible(base, tmp_path):
    db = copy_of(base, tmp_path)
    edit_registry(db, lambda d: d["meta"]["1"]["settings"].update(backups_kept=10))  # default 30
    for n in range(12):
        faults.up2k(
            db, "batch", "add", f"R{n}", "--title", "t", "--start", "2026-11-01", "--end", "2026-11-02"
        )
    listed = json.loads(faults.up2k(db, "backup", "list", "--format", "json").stdout)
    assert len(listed) == 10
    assert {b["command"] for b in listed} == {"up2k batch add"}  # which command's change replaced it
    assert all(oct(Path(b["path"]).stat().st_mode & 0o777) == "0o600" for b in listed)
    assert oct((tmp_path / "backups").stat().st_mode & 0o777) == "0o700"
    newest = listed[0]["id"]  # the registry before R11 was added
    faults.up2k(db, "backup", "restore", newest)
    codes = [b["code"] for b in json.loads(faults.up2k(db, "export", "batches", "--format", "json").stdout)]
    assert "R10" in codes and "R11" not in codes
    undo = json.loads(faults.up2k(db, "backup", "list", "--format", "json").stdout)[0]["id"]
    faults.up2k(db, "backup", "restore", undo)
    codes = [b["code"] for b in json.loads(faults.up2k(db, "export", "batches", "--format", "json").stdout)]
    assert "R11" in codes
    history = faults.up2k(db, "history", "--entity", "registry", "--format", "json").stdout
    assert [h["action"] for h in json.loads(history)] == ["restore"]
