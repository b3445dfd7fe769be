"""Lists at any size (issue 14): the first page of `cadre list` on 50,000 cadres.

Target on the project's 2-core machine (median of the timed runs): the first screenful on a
terminal, and `--limit 20` through a pipe, in <= 0.5 s. For reference: the whole table through a
pipe (it took 74 s when every row went through a Rich table) and the same list as CSV.

    python benchmarks/bench_lists.py [--runs 5] [--json FILE] [--no-fail] [--count 50000]
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import harness as h

sys.path.insert(0, str(h.REPO))  # the tests' pseudo-terminal runner
from tests.helpers import run_on_terminal

PAGE_TARGET = 0.5
DEFAULT_COUNT = 50_000
TERMINAL = (120, 40)  # columns, lines


def main(argv: list[str] | None = None) -> int:
    p = h.parser(__doc__.split("\n", 1)[0])
    p.add_argument("--count", type=int, default=DEFAULT_COUNT, help=f"cadres (default {DEFAULT_COUNT:,})")
    args = p.parse_args(argv)
    h.check_args(p, args)
    load_before = h.load_average()
    try:
        with h.workdir(args.workdir) as work:
            results = measure(work, args.count, args.runs, args.warmup)
    except h.BenchError as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 2
    return h.finish(
        f"Lists: {args.count:,} cadres", results, args, extra={"count": args.count}, load_before=load_before
    )


def on_terminal(argv: list[str], env: dict[str, str]) -> tuple[float, bytes]:
    """Run with stdout on a pseudo-terminal of TERMINAL's size; (seconds to the end, output)."""
    start = time.perf_counter()
    code, out, err = run_on_terminal(argv, env, columns=TERMINAL[0], lines=TERMINAL[1])
    elapsed = time.perf_counter() - start
    if code != 0:
        raise h.BenchError(f"{' '.join(argv)} exited {code}: {err.decode(errors='replace')}")
    return elapsed, out


def time_on_terminal(
    name: str, argv: list[str], env: dict[str, str], runs: int, warmup: int
) -> h.Measurement:
    label = f"up2k {' '.join(argv[argv.index('cadre') :])} (a {TERMINAL[0]}x{TERMINAL[1]} terminal)"
    result = h.Measurement(name, label, target=PAGE_TARGET)
    h.progress(f"  {name}: {warmup} warm-up + {runs} timed run(s) on a terminal")
    for i in range(warmup + runs):
        elapsed, out = on_terminal(argv, env)
        lines = out.count(b"\n")
        if lines > TERMINAL[1] or b"Rows 1-" not in out:
            raise h.BenchError(f"{name}: {lines} lines, not one screenful with its hint")
        if i >= warmup:
            result.times.append(elapsed)
    h.progress(f"    median {result.median:.3f} s (min {result.min:.3f}, max {result.max:.3f})")
    return result


def lines(expected: int) -> Callable[[subprocess.CompletedProcess[bytes]], None]:
    """A check that the command printed this many lines (a wrong result has no honest time)."""

    def check(proc: subprocess.CompletedProcess[bytes]) -> None:
        found = proc.stdout.count(b"\n")
        if found != expected:
            raise h.BenchError(f"printed {found} lines, expected {expected}")

    return check


def measure(work: Path, count: int, runs: int, warmup: int) -> list[h.Measurement]:
    gen = h.load_generator()
    up2k = [*h.up2k_argv(), "--db", str(work / "registry.json")]
    env = h.bench_env()
    h.progress(f"Generating and importing {count:,} fictional cadres in {work} ...")
    csv_file = h.generate_csv(work / "cadres.csv", count)
    h.fresh_registry(work / "registry.json", env)
    h.run([*up2k, "import", "cadres", csv_file], env)
    terminal = {**env, "TERM": "xterm-256color", "PAGER": "cat"}
    terminal.pop("COLUMNS", None)
    kelurahan = "Pondok Labu"
    listed = gen.spread(count, len(gen.KELURAHAN))[list(gen.KELURAHAN).index(kelurahan)]
    common = {"runs": runs, "warmup": warmup, "env": env}
    return [
        time_on_terminal("first screen", [*up2k, "cadre", "list", "--no-pager"], terminal, runs, warmup),
        time_on_terminal(
            "first screen of a kelurahan",
            [*up2k, "cadre", "list", "--kelurahan", kelurahan, "--no-pager"],
            terminal,
            runs,
            warmup,
        ),
        h.time_command(
            "limit 20",
            [*up2k, "cadre", "list", "--limit", "20"],
            label="up2k cadre list --limit 20 (through a pipe)",
            check=lines(20 + 3),
            target=PAGE_TARGET,
            **common,
        ),
        h.time_command(
            "whole table",
            [*up2k, "cadre", "list"],
            label=f"up2k cadre list (all {count:,} rows as a table, through a pipe)",
            check=lines(count + 3),
            **common,
        ),
        h.time_command(
            "csv",
            [*up2k, "cadre", "list", "--format", "csv"],
            label="up2k cadre list --format csv",
            check=lines(count + 1),
            **common,
        ),
        h.time_command(
            "kelurahan csv",
            [*up2k, "cadre", "list", "--kelurahan", kelurahan, "--format", "csv"],
            label=f'up2k cadre list --kelurahan "{kelurahan}" --format csv',
            check=lines(listed + 1),
            **common,
        ),
    ]


if __name__ == "__main__":
    raise SystemExit(main())
