"""Benchmark of the programme registry at full size (issues 3, 4, 5 and 7).

Builds a registry of 50,000 cadres, 500 batches with 100 enrollments each (50,000), 20,000
businesses and 100,000 income follow-ups, checks it with `up2k check`, then times whole commands
(median of the timed runs). Targets on the project's 2-core machine:
  enroll of 20 more cadres and `batch show` <= 0.5 s (issue 3);
  every report in every format <= 1 s (issues 4 and 5);
  `up2k --version` start-up within 10% of the version before Bahasa Indonesia (issue 7).

    python benchmarks/bench_outcomes.py [--runs 3] [--json FILE] [--no-fail] [--workdir DIR]
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
from pathlib import Path

import harness as h

CADRES = 50_000
BATCHES = 500
PER_BATCH = 100
BUSINESSES = 20_000
INCOMES = 100_000
FAST = 0.5
REPORT = 1.0
STARTUP_BASELINE_REV = "2230b79"  # the first release of the CLI, before Bahasa Indonesia
REPORTS = (
    ["summary"],
    ["kelurahan"],
    ["batch", "B0001"],
    ["weekly", "--week", "2026-W47"],
    ["target"],
    ["pipeline"],
    ["income"],
    ["agencies"],
)
FORMATS = ("table", "csv", "json", "markdown", "xlsx")


def build(work: Path) -> Path:
    """The full-size registry, made through the services where they are bulk-capable and as
    records of the same shape elsewhere; `up2k check` afterwards proves the shape is right."""
    import up2k_cli.services.batches as batches
    import up2k_cli.services.importer as importer
    from up2k_cli.domain import outcomes as outcome_rules
    from up2k_cli.services.cadres import create_entry
    from up2k_cli.storage.uow import UnitOfWork

    gen = h.load_generator()
    db = work / "full.json"
    h.fresh_registry(db)
    rng = random.Random(5)
    today = gen.LAST_DAY
    h.progress(
        f"Building {CADRES:,} cadres, {BATCHES * PER_BATCH:,} enrollments, {BUSINESSES:,} businesses, {INCOMES:,} incomes ..."
    )
    rows = gen.CadreFactory(gen.DEFAULT_SEED).rows(CADRES)
    source = importer.read_csv(gen.to_bytes(rows))
    with UnitOfWork(db, command="benchmark build") as uow:
        importer.import_cadres(uow, source, today=today, source_name="bench")
        ids = [c["id"] for c in uow.cadres.all()]
        for b in range(1, BATCHES + 1):
            start = dt.date(2026, 1, 5) + dt.timedelta(days=(b * 7) % 300)
            batches.add(
                uow,
                today,
                code=f"B{b:04d}",
                title=f"Pelatihan {b}",
                start=start.isoformat(),
                end=(start + dt.timedelta(days=14)).isoformat(),
                kind="training" if b % 5 else "mentoring",
                capacity=PER_BATCH,
                quota_per_kelurahan=0,
                sessions=4,
            )
        for b in range(1, BATCHES + 1):
            chosen = ids[(b - 1) * PER_BATCH : b * PER_BATCH]
            batches.enroll(uow, f"B{b:04d}", chosen, on=today, today=today)
        for b in range(1, BATCHES + 1, 2):  # half the batches have attendance and completions
            chosen = ids[(b - 1) * PER_BATCH : b * PER_BATCH]
            code = f"B{b:04d}"
            start = uow.batches.get(code)["start"]
            for session in (1, 2, 3):
                batches.attend(uow, code, session, chosen, on=dt.date.fromisoformat(start), today=today)
            batches.complete(
                uow, code, chosen[: PER_BATCH // 2], on=dt.date.fromisoformat(start), today=today
            )
        categories = list(outcome_rules.DEFAULT_AGENCY_MAP)
        counters = dict(uow.meta["counters"])
        business_records, income_records, entries = [], [], []
        for n in range(1, BUSINESSES + 1):
            started = today - dt.timedelta(days=rng.randrange(300))
            record = {
                "id": f"U{n:04d}",
                "cadre_id": rng.choice(ids),
                "name": f"Usaha {n}",
                "category": rng.choice(categories),
                "started_on": started.isoformat(),
                "added_on": today.isoformat(),
                "nib": f"{9_100_000_000_000 + n}" if n % 3 == 0 else None,
                "pirt": None,
                "halal": n % 4 == 0,
                "address": None,
                "licensed_on": started.isoformat() if n % 3 == 0 else None,
            }
            business_records.append(record)
            entries.append(create_entry("business", record["id"], record))
        for n in range(1, INCOMES + 1):
            record = {
                "id": f"I{n:04d}",
                "cadre_id": rng.choice(ids),
                "amount": rng.randrange(5, 80) * 100_000,
                "on": (today - dt.timedelta(days=rng.randrange(200))).isoformat(),
                "note": None,
            }
            income_records.append(record)
            entries.append(create_entry("income", record["id"], record))
        uow.businesses.add_many(business_records)
        uow.incomes.add_many(income_records)
        uow.update_meta({"counters": {**counters, "business": BUSINESSES, "income": INCOMES}})
        uow.record_changes(entries)
        uow.commit()
    proc = h.run([*h.up2k_argv(), "--db", db, "check"], h.bench_env())
    h.progress(f"  built {db.stat().st_size / 2**20:.0f} MB; up2k check: {proc.stderr.strip()}")
    return db


def measure(work: Path, runs: int, warmup: int) -> list[h.Measurement]:
    db = build(work)
    saved = work / "saved.json"
    h.restore(db, saved)
    up2k = [*h.up2k_argv(), "--db", db]
    env = h.bench_env()
    results = []
    new_ids = [f"K{n:04d}" for n in range(CADRES - 19, CADRES + 1)]  # not in any of the batches

    def reset() -> None:
        h.restore(saved, db)

    h.run(
        [
            *up2k,
            "batch",
            "add",
            "NEW",
            "--title",
            "Baru",
            "--start",
            "2026-12-01",
            "--end",
            "2026-12-20",
            "--quota-per-kelurahan",
            "0",
        ],
        env,
    )
    h.restore(db, saved)
    results.append(
        h.time_command(
            "enroll 20",
            [*up2k, "enroll", "--batch", "NEW", *new_ids],
            runs=runs,
            warmup=warmup,
            setup=reset,
            target=FAST,
            env=env,
            label="up2k enroll --batch NEW K0049981 ... (20 cadres)",
        )
    )
    results.append(
        h.time_command(
            "batch show",
            [*up2k, "batch", "show", "B0001"],
            runs=runs,
            warmup=warmup,
            target=FAST,
            env=env,
            label="up2k batch show B0001",
        )
    )
    for report in REPORTS:
        for fmt in FORMATS:
            args = [*up2k, "report", *report, "--format", fmt]
            if fmt == "xlsx":
                args += ["--output", str(work / "report.xlsx")]
            name = f"report {' '.join(report[:2])} {fmt}"
            results.append(
                h.time_command(
                    name,
                    args,
                    runs=runs,
                    warmup=warmup,
                    target=REPORT,
                    env=env,
                    label=f"up2k report {' '.join(report)} --format {fmt}",
                )
            )
    results += startup(work, runs, warmup)
    return results


def startup(work: Path, runs: int, warmup: int) -> list[h.Measurement]:
    """`--version` now against the same command at the revision before Bahasa Indonesia."""
    repo = Path(__file__).resolve().parents[1]
    tree = work / "baseline"
    proc = subprocess.run(
        ["git", "-C", str(repo), "worktree", "add", "--detach", str(tree), STARTUP_BASELINE_REV],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        h.progress(f"  (no baseline checkout: {proc.stderr.strip()})")
        return []
    try:
        base = h.time_command(
            "--version before",
            [sys.executable, "-m", "up2k_cli", "--version"],
            runs=max(runs, 10),
            warmup=warmup,
            env=h.bench_env(PYTHONPATH=str(tree)),
            label=f"python -m up2k_cli --version at {STARTUP_BASELINE_REV}",
        )
        now = h.time_command(
            "--version now",
            [sys.executable, "-m", "up2k_cli", "--version"],
            runs=max(runs, 10),
            warmup=warmup,
            env=h.bench_env(PYTHONPATH=str(repo)),
            target=base.median * 1.10,
            label="python -m up2k_cli --version (now)",
        )
        now.note = f"target: within 10% of {base.median:.3f} s"
        return [base, now]
    finally:
        subprocess.run(
            ["git", "-C", str(repo), "worktree", "remove", "--force", str(tree)], capture_output=True
        )


def main(argv: list[str] | None = None) -> int:
    p = h.parser(__doc__.split("\n", 1)[0])
    p.set_defaults(runs=3)
    args = p.parse_args(argv)
    h.check_args(p, args)
    load_before = h.load_average()
    try:
        with h.workdir(args.workdir) as work:
            results = measure(work, args.runs, args.warmup)
    except h.BenchError as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 2
    return h.finish(
        f"Programme benchmark: {CADRES:,} cadres, {BATCHES} batches x {PER_BATCH}, {BUSINESSES:,} businesses, {INCOMES:,} incomes",
        results,
        args,
        load_before=load_before,
    )


if __name__ == "__main__":
    raise SystemExit(main())
