"""Shared pieces for the benchmarks: test data, running up2k, timing whole commands, reporting.

Every figure is the wall-clock time of a whole command run as a subprocess (start-up, imports,
loading the registry, the work, the write), because that is what a coordinator waits for.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
GENERATOR_PATH = REPO / "sample_data" / "generate.py"
MIN_RUNS = 3


class BenchError(RuntimeError):
    """A timed command failed or gave the wrong result: its time would mean nothing."""


# --- test data ---------------------------------------------------------------------------------


def load_generator() -> ModuleType:
    """sample_data/generate.py as a module (it is a script, not part of the installed package)."""
    name = "up2k_sample_generate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, GENERATOR_PATH)
    assert spec is not None and spec.loader is not None, f"cannot load {GENERATOR_PATH}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def generate_csv(path: Path, count: int, seed: int | None = None) -> Path:
    """Write `count` fictional cadres as an Excel-style CSV (see sample_data/generate.py)."""
    gen = load_generator()
    return gen.write_csv(path, count, gen.DEFAULT_SEED if seed is None else seed)


# --- running commands --------------------------------------------------------------------------


def up2k_argv() -> list[str]:
    """How to start up2k: the console script beside this Python, else `python -m up2k_cli`."""
    script = Path(sys.executable).with_name("up2k")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "up2k_cli"]


def tool_argv(name: str) -> list[str]:
    """Another console script (e.g. sqlite-utils) from this environment, else from PATH."""
    script = Path(sys.executable).with_name(name)
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which(name)
    if found is None:
        raise BenchError(f"{name} is not installed; pip install -e '.[bench]'")
    return [found]


def bench_env(**extra: str) -> dict[str, str]:
    """A clean environment: no colour, no inherited registry, a fixed 'today' for the data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UP2K_")}
    # As an installed package runs: pip compiles bytecode at install time, and the warm-up run
    # caches it for an editable install. (This machine sets PYTHONDONTWRITEBYTECODE globally.)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["NO_COLOR"] = "1"
    env["UP2K_TODAY"] = load_generator().LAST_DAY.isoformat()
    env.update(extra)
    return env


def run(argv: Sequence[str | Path], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run an untimed helper command (set-up); a failure stops the benchmark."""
    proc = subprocess.run(
        [str(a) for a in argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env if env is not None else bench_env(),
    )
    if proc.returncode != 0:
        raise BenchError(_failure(argv, proc))
    return proc


def _failure(argv: Sequence[str | Path], proc: subprocess.CompletedProcess[str]) -> str:
    tail = "\n".join((proc.stderr or "").strip().splitlines()[-10:])
    return f"{' '.join(map(str, argv))} exited {proc.returncode}:\n{tail}"


def fresh_registry(db: Path, env: dict[str, str] | None = None) -> None:
    """A new, empty registry at `db` (any old one and its lock removed)."""
    for path in (db, db.with_name(db.name + ".lock")):
        path.unlink(missing_ok=True)
    run([*up2k_argv(), "--db", db, "init", "--start", "2026-01-01"], env)


def restore(source: Path, target: Path) -> None:
    """Put a saved registry back, so every timed run starts from the same file.

    The copy is flushed to disk first, as up2k's own last write would have been: otherwise the
    timed command's fsync would also pay for writing out this untimed copy.
    """
    shutil.copyfile(source, target)
    target.chmod(0o600)
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- timing -------------------------------------------------------------------------------------


@dataclass
class Measurement:
    """Times of one whole command, and the target it must meet."""

    name: str
    command: str
    times: list[float] = field(default_factory=list)
    target: float | None = None  # seconds, median must be at or below
    faster_than: str | None = None  # name of another measurement the median must beat
    note: str = ""
    reference: str | None = None  # name of the reference timed in the same run (ratio shown)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def max(self) -> float:
        return max(self.times)

    def passed(self, others: dict[str, Measurement]) -> bool | None:
        """True/False against the targets; None for a reference measurement with none."""
        if self.target is None and self.faster_than is None:
            return None
        ok = True
        if self.target is not None:
            ok = ok and self.median <= self.target
        if self.faster_than is not None:
            ok = ok and self.median < others[self.faster_than].median
        return ok

    def target_text(self) -> str:
        parts = []
        if self.target is not None:
            parts.append(f"≤ {self.target:.2f} s")
        if self.faster_than is not None:
            parts.append(f"< {self.faster_than}")
        return " and ".join(parts) or "reference"

    def to_dict(self, others: dict[str, Measurement]) -> dict[str, Any]:
        return {
            "name": self.name,
            "command": self.command,
            "runs": len(self.times),
            "times": [round(t, 4) for t in self.times],
            "median": round(self.median, 4),
            "min": round(self.min, 4),
            "max": round(self.max, 4),
            "target_seconds": self.target,
            "faster_than": self.faster_than,
            "passed": self.passed(others),
            "note": self.note,
            "reference": self.reference,
            "ratio": self.ratio(others),
        }

    def ratio(self, others: dict[str, Measurement]) -> float | None:
        """Median over the reference's median: the figure that carries over to other machines."""
        if self.reference is None or self.reference not in others:
            return None
        return round(self.median / others[self.reference].median, 2)


def time_command(
    name: str,
    argv: Sequence[str | Path],
    *,
    runs: int,
    warmup: int = 1,
    setup: Callable[[], None] | None = None,
    check: Callable[[subprocess.CompletedProcess[bytes]], None] | None = None,
    env: dict[str, str] | None = None,
    target: float | None = None,
    faster_than: str | None = None,
    label: str | None = None,
    reference: str | None = None,
) -> Measurement:
    """Run `argv` warmup + runs times; only the command itself is timed, not setup or check.

    stdout and stderr go to pipes (as in a script), stdin is empty (not a terminal). A run that
    exits non-zero, or fails `check`, stops the benchmark: a wrong result has no honest time.
    """
    if runs < MIN_RUNS:
        raise ValueError(f"at least {MIN_RUNS} runs are needed for a median worth reporting")
    args = [str(a) for a in argv]
    env = env if env is not None else bench_env()
    result = Measurement(name, label or name, target=target, faster_than=faster_than, reference=reference)
    progress(f"  {name}: {warmup} warm-up + {runs} timed run(s)")
    for i in range(warmup + runs):
        if setup is not None:
            setup()
        elapsed = _run_once(args, env, check)
        if i >= warmup:
            result.times.append(elapsed)
    progress(f"    median {result.median:.3f} s (min {result.min:.3f}, max {result.max:.3f})")
    return result


Turn = tuple[Measurement, Sequence[str | Path], dict[str, str]]  # what to fill, the command, its env


def time_alternating(commands: Sequence[Turn], *, runs: int, warmup: int = 1) -> list[Measurement]:
    """Time commands that are compared with each other in turns (A, B, A, B, ...), so that a
    machine that gets busier or quieter during the runs does not favour one of them."""
    if runs < MIN_RUNS:
        raise ValueError(f"at least {MIN_RUNS} runs are needed for a median worth reporting")
    names = ", ".join(m.name for m, _, _ in commands)
    progress(f"  {names}: {warmup} warm-up + {runs} timed run(s), in turns")
    for i in range(warmup + runs):
        for result, argv, env in commands:
            elapsed = _run_once([str(a) for a in argv], env, None)
            if i >= warmup:
                result.times.append(elapsed)
    for result, _, _ in commands:
        progress(
            f"    {result.name}: median {result.median:.3f} s (min {result.min:.3f}, max {result.max:.3f})"
        )
    return [result for result, _, _ in commands]


def _run_once(
    args: list[str], env: dict[str, str], check: Callable[[subprocess.CompletedProcess[bytes]], None] | None
) -> float:
    start = time.perf_counter()
    proc = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise BenchError(_failure(args, _as_text(proc)))
    if check is not None:
        check(proc)
    return elapsed


def _as_text(proc: subprocess.CompletedProcess[bytes]) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, "", (proc.stderr or b"").decode("utf-8", "replace")
    )


# --- reporting ----------------------------------------------------------------------------------


def progress(message: str) -> None:
    """What the benchmark is doing, on stderr, so stdout holds only the table."""
    print(message, file=sys.stderr, flush=True)


def load_average() -> float | None:
    """The 1-minute load average: above the CPU count, other work skews the times."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def environment(load_before: float | None = None) -> dict[str, Any]:
    """What the figures were measured on, and how busy the machine was."""
    version = run([*up2k_argv(), "--version"]).stdout.strip()
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "up2k": version,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "load_after": load_average(),
    }


def markdown_table(results: Sequence[Measurement]) -> str:
    """command | runs | median | min | max | x reference | target | result, times in seconds."""
    by_name = {m.name: m for m in results}
    lines = [
        "| command | runs | median (s) | min (s) | max (s) | × reference | target | result |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for m in results:
        passed = m.passed(by_name)
        verdict = "—" if passed is None else ("pass" if passed else "**FAIL**")
        ratio = m.ratio(by_name)
        shown = f"{ratio:.2f} × {m.reference}" if ratio is not None else ""
        lines.append(
            f"| `{m.command}` | {len(m.times)} | {m.median:.3f} | {m.min:.3f} | {m.max:.3f} "
            f"| {shown} | {m.target_text()} | {verdict} |"
        )
    return "\n".join(lines)


def parser(description: str) -> argparse.ArgumentParser:
    """The options every benchmark script takes."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--runs",
        type=int,
        default=5,
        help=f"timed runs per command (default 5, at least {MIN_RUNS})",
    )
    p.add_argument("--warmup", type=int, default=1, help="untimed runs before timing (default 1)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--no-fail", action="store_true", help="exit 0 even when a target is missed")
    p.add_argument(
        "--workdir",
        type=Path,
        metavar="DIR",
        help="keep the generated files here (default: a temporary folder, removed after)",
    )
    return p


def check_args(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.runs < MIN_RUNS:
        p.error(f"--runs must be at least {MIN_RUNS}")
    if args.warmup < 0:
        p.error("--warmup must be 0 or more")


@contextlib.contextmanager
def workdir(path: Path | None) -> Iterator[Path]:
    """The folder for generated CSVs and registries: the one given, else a temporary one."""
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        yield path.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="up2k-bench-") as tmp:
        yield Path(tmp)


def finish(
    title: str,
    results: Sequence[Measurement],
    args: argparse.Namespace,
    extra: dict[str, Any] | None = None,
    load_before: float | None = None,
) -> int:
    """Print the table, write the JSON if asked, and give the exit status (1 = target missed)."""
    by_name = {m.name: m for m in results}
    env = environment(load_before)
    print(f"### {title}\n")
    print(
        f"{env['up2k']}, Python {env['python']}, {env['cpus']} CPU(s), {env['platform']}, "
        f"{env['date']}; load average {env['load_before']} before, {env['load_after']} after\n"
    )
    print(markdown_table(results))
    notes = [f"- `{m.command}`: {m.note}" for m in results if m.note]
    if notes:
        print("\n" + "\n".join(notes))
    missed = [m.name for m in results if m.passed(by_name) is False]
    if args.json is not None:
        payload = {
            "benchmark": title,
            "environment": env,
            **(extra or {}),
            "results": [m.to_dict(by_name) for m in results],
            "missed": missed,
        }
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        progress(f"Wrote {args.json}")
    if missed:
        progress(f"Missed target(s): {', '.join(missed)}")
        return 0 if args.no_fail else 1
    return 0
