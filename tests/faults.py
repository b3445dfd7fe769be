"""Fault injection shared by the reliability tests and benchmarks/reliability.py.

Run as a worker process:  python -m tests.faults ROLE DB COUNT OUT
Each worker performs COUNT operations through the real CLI in its own process, so workers
contend for the registry lock as a cron job and a coordinator would.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.enrollment_data import cadres_csv, nik

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-27"
POOL = 200  # cadres registered before the workers start: K0001-K0200, 40 per kelurahan
WRITERS = ("register", "enroll", "business", "income")
READERS = ("report", "report")


def env(db: Path) -> dict[str, str]:
    return {**os.environ, "UP2K_DB": str(db), "UP2K_TODAY": TODAY, "PYTHONPATH": str(REPO)}


def up2k(db: Path, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "up2k_cli", *args], env=env(db), input=input, capture_output=True,
        text=True, cwd=REPO,
    )  # fmt: skip
    if check and proc.returncode != 0:
        raise AssertionError(f"up2k {' '.join(args)} -> {proc.returncode}: {proc.stderr}")
    return proc


def prepare(db: Path) -> None:
    """A registry with the pool of cadres and one batch with quota 20 per kelurahan."""
    up2k(db, "init", "--start", "2026-01-05")
    per = POOL // 5
    counts = {"Cilandak Barat": per, "Lebak Bulus": per, "Pondok Labu": per}
    counts |= {"Gandaria Selatan": per, "Cipete Selatan": per}
    up2k(db, "import", "cadres", "-", input=cadres_csv(counts))
    up2k(db, "batch", "add", "B01", "--title", "T", "--start", "2026-11-01", "--end", "2026-12-20",
         "--quota-per-kelurahan", "15")  # fmt: skip


def operation(role: str, worker: int, i: int) -> list[str]:
    """The i-th command of a worker; every write names distinct records so all must persist."""
    if role == "register":
        serial = 5000 + worker * 1000 + i
        return ["register", "--nik", nik(serial), "--name", f"Baru {worker}-{i}", "--kelurahan",
                "Lebak Bulus", "--rw", "1", "--rt", "1", "--address", "Jl. Baru", "--consent"]  # fmt: skip
    cadre = f"K{1 + (i * 4 + worker) % POOL:04d}"
    if role == "enroll":
        return [
            "enroll",
            "--batch",
            "B01",
            "--waitlist",
            f"K{1 + i * 4 % POOL:04d}",
            f"K{2 + i * 4 % POOL:04d}",
        ]
    if role == "business":
        return ["business", "add", cadre, "--name", f"Usaha {worker}-{i}", "--category", "kuliner"]
    if role == "income":
        return ["income", "add", cadre, "--amount", f"{1_000_000 + i * 1000}", "--date", "2026-11-20"]
    return ["report", "kelurahan", "--format", "json"]


def work(role: str, worker: int, db: Path, count: int, out: Path) -> None:
    """Run `count` operations in this process, one CLI invocation each; log results as JSON."""
    from typer.testing import CliRunner

    from up2k_cli.cli.main import app

    runner = CliRunner()
    results = []
    for i in range(count):
        args = ["--lock-timeout", "60", *operation(role, worker, i)]
        started = time.monotonic()
        result = runner.invoke(app, args, env={"UP2K_DB": str(db), "UP2K_TODAY": TODAY})
        results.append(
            {"args": args, "code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr,
             "seconds": time.monotonic() - started}
        )  # fmt: skip
    out.write_text(json.dumps(results))


def run_concurrently(db: Path, count: int, folder: Path) -> dict[str, list[dict]]:
    """Start the 4 writers and 2 readers at once; wait; return each worker's results."""
    procs = []
    roles = [*WRITERS, *READERS]
    for worker, role in enumerate(roles):
        out = folder / f"{worker}-{role}.json"
        cmd = [sys.executable, "-m", "tests.faults", role, str(worker), str(db), str(count), str(out)]
        procs.append((f"{worker}-{role}", out, subprocess.Popen(cmd, env=env(db), cwd=REPO)))
    results = {}
    for name, out, proc in procs:
        assert proc.wait(timeout=600) == 0, f"worker {name} failed"
        results[name] = json.loads(out.read_text())
    return results


def registry_counts(db: Path) -> dict[str, int]:
    data = json.loads(db.read_bytes())
    return {table: len(data[table]) for table in ("cadres", "enrollments", "businesses", "incomes")}


def crash_trial(
    db: Path, base: Path, args: list[str], stdin: str | None, rng: random.Random, delay: tuple[float, float]
) -> str:
    """Start a writing command, SIGKILL it at a random moment; say which state the file is in:
    'before', 'after' (both fine) or 'corrupt: ...'."""
    shutil.copyfile(base, db)
    db.chmod(0o600)
    before = registry_counts(db)["cadres"]
    kill_at = time.monotonic() + rng.uniform(*delay)  # counted from the start, as `delay` was measured
    proc = subprocess.Popen(
        [sys.executable, "-m", "up2k_cli", *args], env=env(db), cwd=REPO, stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    if stdin is not None:
        # Fed from a thread: writing to the pipe blocks until the command reads, which must not
        # delay the kill past the moment chosen.
        threading.Thread(target=_feed, args=(proc, stdin.encode()), daemon=True).start()
    time.sleep(max(0.0, kill_at - time.monotonic()))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    try:
        after = registry_counts(db)["cadres"]
    except Exception as exc:  # any way the file fails to load is what this trial looks for
        return f"corrupt: {type(exc).__name__}: {exc}"
    listed = up2k(db, "cadre", "list", "--format", "ids", check=False)
    if listed.returncode != 0:
        return f"corrupt: up2k cannot read it: {listed.stderr.strip()}"
    return "before" if after == before else "after" if after > before else f"corrupt: {after} < {before}"


if __name__ == "__main__":
    role_, worker_, db_, count_, out_ = sys.argv[1:6]
    work(role_, int(worker_), Path(db_), int(count_), Path(out_))


def _feed(proc: subprocess.Popen[bytes], data: bytes) -> None:
    assert proc.stdin is not None
    try:
        proc.stdin.write(data)
        proc.stdin.close()
    except OSError:  # killed before it read everything
        pass


def uninterrupted_seconds(db: Path, base: Path, args: list[str], stdin: str | None) -> float:
    """How long the command takes when nobody kills it (so kills can be spread over its run)."""
    shutil.copyfile(base, db)
    db.chmod(0o600)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "up2k_cli", *args],
        env=env(db),
        cwd=REPO,
        input=(stdin or "").encode(),
        capture_output=True,
        check=True,
    )
    return time.monotonic() - started
