"""Pictures (issue 16): `report dashboard` and a PNG chart on the programme's registry.

Builds the programme registry of the benchmarks (benchmarks/programme.py, FULL: 10,000 cadres,
100 batches of 100 enrollments with attendance, 5,000 businesses with their follow-ups, 20,000
income follow-ups, 400 groups with their tiers, 5,000 referrals), then times whole commands, in
turns with their references timed in the same run (so that the ratios carry over to a machine
busier or quieter than this one):

- `report dashboard --output FILE.html` (target <= 1.5 s), against `report summary --format json`
  (one report's read of the same registry);
- `report target|pipeline|income --output FILE.png` (target <= 1 s each), against a bare
  `python -c "import matplotlib.pyplot"` (what loading the plotting library costs);
- `up2k --version` (start-up; unchanged by the pictures: matplotlib is loaded only by the
  commands that draw).

    python benchmarks/bench_pictures.py [--runs 5] [--json FILE] [--no-fail] [--workdir DIR]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import harness as h
import programme

DASHBOARD_TARGET = 1.5
PNG_TARGET = 1.0
VERSION_TARGET = 0.25
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def main(argv: list[str] | None = None) -> int:
    p = h.parser(__doc__.split("\n\n")[0])
    args = p.parse_args(argv)
    h.check_args(p, args)
    load_before = h.load_average()
    try:
        with h.workdir(args.workdir) as work:
            db = work / "registry.json"
            if not db.exists():
                h.fresh_registry(db)
                h.progress(f"building a registry of {programme.FULL}")
                started = time.perf_counter()
                programme.build(db, programme.FULL)
                h.progress(f"  built in {time.perf_counter() - started:.1f} s; up2k check")
                h.run([*h.up2k_argv(), "--db", db, "check"])
            results = measure(work, db, args.runs, args.warmup)
    except h.BenchError as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 2
    return h.finish(
        f"Pictures benchmark: {programme.FULL}",
        results,
        args,
        extra={"runs": args.runs, "warmup": args.warmup},
        load_before=load_before,
    )


def measure(work: Path, db: Path, runs: int, warmup: int) -> list[h.Measurement]:
    up2k = [*h.up2k_argv(), "--db", db]
    env = h.bench_env()
    page = work / "dashboard.html"
    results: list[h.Measurement] = []

    # A check of what the timed runs write, before any timing: a wrong result has no honest time.
    h.run([*up2k, "report", "dashboard", "--output", page], env)
    html = page.read_text(encoding="utf-8")
    if html.count('<figure class="chart"') != 30 or "http://" in html:
        raise h.BenchError("the dashboard does not hold its 30 charts, or names a URL")
    for name in ("target", "pipeline", "income"):
        picture = work / f"{name}.png"
        h.run([*up2k, "report", name, "--output", picture], env)
        if picture.read_bytes()[:8] != PNG_SIGNATURE:
            raise h.BenchError(f"report {name} --output {picture.name} is not a PNG")

    results += h.time_alternating(
        [
            (
                h.Measurement(
                    "dashboard",
                    "up2k report dashboard --output dashboard.html",
                    target=DASHBOARD_TARGET,
                    reference="summary",
                ),
                [*up2k, "report", "dashboard", "--output", page],
                env,
            ),
            (
                h.Measurement("summary", "up2k report summary --format json"),
                [*up2k, "report", "summary", "--format", "json"],
                env,
            ),
        ],
        runs=runs,
        warmup=warmup,
    )
    turns: list[h.Turn] = [
        (
            h.Measurement("import matplotlib", 'python -c "import matplotlib.pyplot"'),
            [sys.executable, "-c", "import matplotlib.pyplot"],
            env,
        )
    ]
    for name in ("target", "pipeline", "income"):
        turns.append(
            (
                h.Measurement(
                    f"{name} png",
                    f"up2k report {name} --output {name}.png",
                    target=PNG_TARGET,
                    reference="import matplotlib",
                ),
                [*up2k, "report", name, "--output", work / f"{name}.png"],
                env,
            )
        )
    results += h.time_alternating(turns, runs=runs, warmup=warmup)
    results.append(
        h.time_command(
            "version",
            [*h.up2k_argv(), "--version"],
            label="up2k --version",
            runs=runs,
            warmup=warmup,
            env=env,
            target=VERSION_TARGET,
        )
    )
    return results


if __name__ == "__main__":
    raise SystemExit(main())
