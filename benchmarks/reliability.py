"""Reliability figures for the README: operations run concurrently and lost, crash trials and
corrupt outcomes, fuzz cases and tracebacks. Each must be 0 lost / 0 corrupt / 0 tracebacks.

    python benchmarks/reliability.py                 # 50 ops per worker, 40+40 kills, 2000 fuzz cases
    python benchmarks/reliability.py --quick         # smaller, for a smoke run

Runs from the repository root (it reuses the fault helpers in tests/faults.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import faults  # noqa: E402
from tests.enrollment_data import cadres_csv  # noqa: E402


def concurrency(folder: Path, ops: int) -> dict[str, int]:
    db = folder / "concurrent" / "registry.json"
    db.parent.mkdir()
    faults.prepare(db)
    before = faults.registry_counts(db)
    results = faults.run_concurrently(db, ops, db.parent)
    after = faults.registry_counts(db)
    writes = sum(len(r) for name, r in results.items() if not name.endswith("report"))
    failed = sum(1 for rs in results.values() for r in rs if r["code"] != 0)
    present = (
        (after["cadres"] - before["cadres"])
        + after["businesses"]
        + after["incomes"]
        + after["enrollments"] // 2  # each enroll names two cadres
    )
    reports = [json.loads(r["stdout"]) for n, rs in results.items() if n.endswith("report") for r in rs]
    inconsistent = sum(
        1
        for doc in reports
        if doc["tables"]["kelurahan"][-1]["cadres"]
        != sum(r["cadres"] for r in doc["tables"]["kelurahan"][:-1])
    )
    checked = faults.up2k(db, "check", check=False).returncode
    return {
        "write operations": writes,
        "report runs": len(reports),
        "failed commands": failed,
        "writes lost": writes - present,
        "inconsistent reports": inconsistent,
        "problems found by up2k check": 0 if checked == 0 else 1,
        "slowest command (s)": round(max(r["seconds"] for rs in results.values() for r in rs), 2),
    }


def crashes(folder: Path, trials: int) -> dict[str, int]:
    base = folder / "crash-base" / "registry.json"
    base.parent.mkdir()
    faults.prepare(base)
    db = folder / "crash" / "registry.json"
    db.parent.mkdir()
    rng = random.Random(2026)
    big = cadres_csv({"Cipete Selatan": 1500}).replace("3174", "3175")
    register = ["register", "--nik", "3275064101850001", "--name", "Baru", "--kelurahan", "Lebak Bulus",
                "--rw", "1", "--rt", "1", "--address", "Jl. A", "--consent"]  # fmt: skip
    outcomes = []
    for args, stdin in ((["import", "cadres", "-"], big), (register, None)):
        whole = faults.uninterrupted_seconds(db, base, args, stdin)  # kills spread over the whole run
        outcomes += [
            faults.crash_trial(db, base, args, stdin, rng, (0.05, whole * 1.1)) for _ in range(trials)
        ]
    return {
        "SIGKILL trials": len(outcomes),
        "left the state before": outcomes.count("before"),
        "left the state after": outcomes.count("after"),
        "corrupt or mixed": sum(o.startswith("corrupt") for o in outcomes),
    }


def fuzz(folder: Path, cases: int) -> dict[str, int]:
    from hypothesis.errors import NonInteractiveExampleWarning
    from typer.testing import CliRunner

    from tests.integration.test_fuzz import command_lines
    from up2k_cli.cli.main import app
    from up2k_cli.storage import tiny

    warnings.simplefilter("ignore", NonInteractiveExampleWarning)
    seed = folder / "fuzz-seed.json"
    runner = CliRunner()
    env = {"UP2K_DB": str(seed), "UP2K_TODAY": faults.TODAY}
    batch = ["batch", "add", "B01", "--title", "T", "--start", "2026-11-01", "--end", "2026-11-30"]
    setup = [(["init"], None), (["import", "cadres", "-"], cadres_csv({"Pondok Labu": 3})), (batch, None)]
    for args, stdin in [*setup, (["enroll", "-b", "B01", "K0001"], None)]:
        assert runner.invoke(app, args, input=stdin, env=env).exit_code == 0
    db = folder / "fuzz.json"
    os.chdir(folder)  # generated --output names land in the temporary folder
    strategy = command_lines()
    tracebacks = bad_codes = broken = 0
    codes: dict[int, int] = {}
    for _ in range(cases):
        shutil.copyfile(seed, db)
        db.chmod(0o600)
        line = strategy.example()
        result = runner.invoke(app, line, env={"UP2K_DB": str(db), "UP2K_TODAY": faults.TODAY}, input="")
        codes[result.exit_code] = codes.get(result.exit_code, 0) + 1
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        tracebacks += crashed or "Traceback" in result.stderr or "internal error" in result.stderr
        bad_codes += result.exit_code not in (0, 1, 2, 3)
        try:
            tiny.load(db)
        except Exception:
            broken += 1
    return {
        "fuzz cases": cases,
        "tracebacks": tracebacks,
        "exit codes outside 0-3": bad_codes,
        "registries left unloadable": broken,
        **{f"exit {code}": n for code, n in sorted(codes.items())},
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer operations, trials and cases")
    args = parser.parse_args()
    ops, trials, cases = (10, 5, 200) if args.quick else (50, 40, 2000)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sections = {
            f"Concurrency: 4 writers + 2 readers, {ops} operations each": concurrency(folder, ops),
            f"Crashes: SIGKILL at random moments ({trials} imports, {trials} registers)": crashes(
                folder, trials
            ),
            f"Fuzz: every command with generated arguments ({cases} cases)": fuzz(folder, cases),
        }
    for title, figures in sections.items():
        print(f"\n{title}\n")
        print("| figure | value |\n|---|---:|")
        for name, value in figures.items():
            print(f"| {name} | {value} |")
    print(f"\n(took {time.monotonic() - started:.0f} s)")
    bad = (
        sections[next(iter(sections))]["writes lost"]
        + list(sections.values())[1]["corrupt or mixed"]
        + list(sections.values())[2]["tracebacks"]
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
