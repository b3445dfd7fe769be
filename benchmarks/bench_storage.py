"""Storage benchmark (issue 12): the file backend at the programme's scale and beyond.

Builds programme registries (benchmarks/programme.py: cadres, batches with enrollments and
attendance, businesses, income follow-ups, the history those commands write), checks each with
`up2k check`, then times whole commands, each beside a reference timed in the same run:
`orjson.loads` of the same file in a fresh Python (what any reader of the file must pay), and
`sqlite-utils insert` of the same CSV for the import. Targets (median, this 2-core machine):

  programme x 2 (10,000 cadres): register, enroll of 20, cadre show, a list page, batch show
  <= 0.3 s; every report <= 0.5 s; import of 10,000 rows <= 1 s; up2k --version <= 0.15 s
  stress (50,000 cadres): register and enroll <= 1 s; every report <= 1.5 s
  --curve: register and report summary at 10,000 to 100,000 cadres (when to move to PostgreSQL)

    python benchmarks/bench_storage.py [--runs 5] [--stress] [--curve] [--json FILE] [--workdir DIR]
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import harness as h
import programme

FAST, REPORT, IMPORT, VERSION = 0.3, 0.5, 1.0, 0.15
STRESS_FAST, STRESS_REPORT = 1.0, 1.5
REPORTS = (
    ["summary"],
    ["kelurahan"],
    ["batch", "B0001"],
    ["weekly", "--week", "2026-W47"],
    ["target"],
    ["pipeline"],
    ["income"],
    ["agencies"],
    ["jobs", "--since", "2026-06-30"],
    ["pokja2", "--period", "2026"],
    ["facilitation"],
)
LIST_PAGE = ["cadre", "list", "--kelurahan", "Pondok Labu", "--format", "csv"]
NEW_NIK = "3174065112990001"
REGISTER = ["register", "--nik", NEW_NIK, "--name", "Kader Baru", "--kelurahan", "Pondok Labu", "--rw", "1",
            "--rt", "2", "--address", "Jl. Baru", "--consent"]  # fmt: skip


def build(work: Path, name: str, scale: programme.Scale) -> Path:
    db = work / f"{name}.json"
    h.fresh_registry(db)
    h.progress(f"Building {name}: {scale} ...")
    programme.build(db, scale)
    up2k = [*h.up2k_argv(), "--db", db]
    h.run([*up2k, "batch", "add", "NEW", "--title", "Baru", "--start", "2026-11-20", "--end", "2026-12-20",
           "--quota-per-kelurahan", "0"])  # fmt: skip
    proc = h.run([*up2k, "check"])
    h.progress(f"  {db.name}: {db.stat().st_size / 2**20:.1f} MB; up2k check: {proc.stderr.strip()}")
    return db


def parse_reference(db: Path, name: str) -> list[str]:
    return [sys.executable, "-c", f"import orjson; orjson.loads(open({str(db)!r}, 'rb').read())  # {name}"]


def measure_scale(
    work: Path, name: str, scale: programme.Scale, runs: int, warmup: int, fast: float, report: float
) -> list[h.Measurement]:
    db = build(work, name, scale)
    saved = work / f"{name}-saved.json"
    h.restore(db, saved)
    up2k = [*h.up2k_argv(), "--db", db]
    ref = f"parse {name}"
    reference = h.time_command(
        ref,
        parse_reference(db, name),
        runs=runs,
        warmup=warmup,
        label=f"orjson.loads of {db.name} (reference)",
    )
    restore = lambda: h.restore(saved, db)  # noqa: E731
    idle = [c for c in h.run([*up2k, "cadre", "list", "--format", "ids"]).stdout.split()][-20:]
    timed = [
        ("register", REGISTER, restore, fast),
        ("enroll 20", ["enroll", "--batch", "NEW", *idle], restore, fast),
        ("cadre show", ["cadre", "show", "K0042"], None, fast),
        ("list page", LIST_PAGE, None, fast),
        ("batch show", ["batch", "show", "B0001"], None, fast),
        *((f"report {r[0]}", ["report", *r], None, report) for r in REPORTS),
    ]  # fmt: skip
    results = [reference]
    for label, args, setup, target in timed:
        results.append(
            h.time_command(
                f"{name}: {label}", [*up2k, *args], runs=runs, warmup=warmup, setup=setup, target=target,
                label=f"up2k {' '.join(args[:3])} ({name})", reference=ref,
            )
        )  # fmt: skip
    return results


def measure_import(work: Path, count: int, runs: int, warmup: int) -> list[h.Measurement]:
    csv = h.generate_csv(work / f"import-{count}.csv", count)
    db, lite = work / "import.json", work / "import.db"
    sqlite = h.time_command(
        "sqlite-utils insert", [*h.tool_argv("sqlite-utils"), "insert", lite, "cadres", csv, "--csv",
                                "--delimiter", ";", "--encoding", "utf-8-sig"],
        runs=runs, warmup=warmup, setup=lambda: lite.unlink(missing_ok=True),
        label=f"sqlite-utils insert of the same CSV ({count:,} rows, reference)",
    )  # fmt: skip
    ours = h.time_command(
        f"import {count}", [*h.up2k_argv(), "--db", db, "import", "cadres", csv],
        runs=runs, warmup=warmup, setup=lambda: h.fresh_registry(db), target=IMPORT,
        label=f"up2k import cadres ({count:,} rows into a new registry)", reference="sqlite-utils insert",
    )  # fmt: skip
    return [sqlite, ours]


def measure_version(runs: int, warmup: int) -> list[h.Measurement]:
    python = h.time_command(
        "python", [sys.executable, "-c", "pass"], runs=max(runs, 10), warmup=warmup,
        label="python -c pass (reference)",
    )  # fmt: skip
    version = h.time_command(
        "--version", [*h.up2k_argv(), "--version"], runs=max(runs, 10), warmup=warmup, target=VERSION,
        label="up2k --version", reference="python",
    )  # fmt: skip
    return [python, version]


def measure_curve(work: Path, runs: int, warmup: int) -> list[h.Measurement]:
    """Register and a report against the registry's size: where the file stops serving."""
    results = []
    for factor in (1, 2, 5, 10):
        scale = replace(programme.STRESS, cadres=10_000 * factor, batches=100 * factor,
                        businesses=5_000 * factor, incomes=20_000 * factor)  # fmt: skip
        name = f"curve-{scale.cadres // 1000}k"
        db = build(work, name, scale)
        saved = work / f"{name}-saved.json"
        h.restore(db, saved)
        up2k = [*h.up2k_argv(), "--db", db]
        ref = f"parse {name}"
        results.append(h.time_command(ref, parse_reference(db, name), runs=runs, warmup=warmup,
                                      label=f"orjson.loads of {db.name} (reference)"))  # fmt: skip
        results.append(h.time_command(
            f"{name}: register", [*up2k, *REGISTER],
            runs=runs, warmup=warmup, setup=lambda s=saved, d=db: h.restore(s, d), reference=ref,
            label=f"up2k register ({scale.cadres:,} cadres, {db.stat().st_size / 2**20:.0f} MB)",
        ))  # fmt: skip
        results.append(h.time_command(
            f"{name}: report summary", [*up2k, "report", "summary"], runs=runs, warmup=warmup, reference=ref,
            label=f"up2k report summary ({scale.cadres:,} cadres)",
        ))  # fmt: skip
        db.unlink()
        saved.unlink()
    return results


def main(argv: list[str] | None = None) -> int:
    p = h.parser(__doc__.split("\n", 1)[0])
    p.add_argument("--stress", action="store_true", help="also the 50,000-cadre registry")
    p.add_argument("--curve", action="store_true", help="also register/report at 10,000-100,000 cadres")
    args = p.parse_args(argv)
    h.check_args(p, args)
    load_before = h.load_average()
    try:
        with h.workdir(args.workdir) as work:
            results = measure_version(args.runs, args.warmup)
            results += measure_scale(
                work, "programme", programme.PROGRAMME, args.runs, args.warmup, FAST, REPORT
            )
            results += measure_import(work, programme.PROGRAMME.cadres, args.runs, args.warmup)
            if args.stress:
                results += measure_scale(
                    work, "stress", programme.STRESS, args.runs, args.warmup, STRESS_FAST, STRESS_REPORT
                )
            if args.curve:
                results += measure_curve(work, args.runs, args.warmup)
    except h.BenchError as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 2
    return h.finish("Storage benchmark (file backend)", results, args, load_before=load_before)


if __name__ == "__main__":
    sys.exit(main())
