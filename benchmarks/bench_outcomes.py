"""Benchmark of the programme registry at full size (issues 3, 4, 5 and 7).

Builds two registries, checks each with `up2k check`, then times whole commands (median of the
timed runs): "programme", 50,000 cadres and 500 batches with 100 enrollments each (issues 3, 4);
"outcomes", 50,000 cadres, 20,000 businesses and 100,000 income follow-ups (issue 5).
Targets on the project's 2-core machine:
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
from collections.abc import Sequence
from pathlib import Path

import harness as h

CADRES = 50_000
BATCHES = 500
PER_BATCH = 100
BUSINESSES = 20_000
INCOMES = 100_000
FAST = 0.5
REPORT = 1.0
STARTUP_BASELINE_REV = "484e6d4"  # the registry before issue 7 (Excel, Bahasa Indonesia)
PROGRAMME_REPORTS = (
    ["summary"],
    ["kelurahan"],
    ["batch", "B0001"],
    ["weekly", "--week", "2026-W47"],
    ["target"],
)
OUTCOME_REPORTS = (*PROGRAMME_REPORTS[:2], *PROGRAMME_REPORTS[3:], ["pipeline"], ["income"], ["agencies"])
FORMATS = ("table", "csv", "json", "markdown", "xlsx")


def _cadres(uow, gen, today):  # type: ignore[no-untyped-def]
    import up2k_cli.services.importer as importer

    rows = gen.CadreFactory(gen.DEFAULT_SEED).rows(CADRES)
    importer.import_cadres(uow, importer.read_csv(gen.to_bytes(rows)), today=today, source_name="bench")
    return [c["id"] for c in uow.cadres.all()]


def build_programme(work: Path) -> Path:
    """Issues 3 and 4: 50,000 cadres, 500 batches with 100 enrollments each; half the batches
    have three sessions of attendance and half their cadres completed. Made through the services."""
    import up2k_cli.services.batches as batches
    from up2k_cli.storage.uow import UnitOfWork

    gen = h.load_generator()
    today = gen.LAST_DAY
    db = work / "programme.json"
    h.fresh_registry(db)
    h.progress(f"Building {CADRES:,} cadres and {BATCHES} batches x {PER_BATCH} enrollments ...")
    with UnitOfWork(db, command="benchmark build") as uow:
        ids = _cadres(uow, gen, today)
        for b in range(1, BATCHES + 1):
            start = dt.date(2026, 1, 5) + dt.timedelta(days=(b * 7) % 300)
            batches.add(
                uow, today, code=f"B{b:04d}", title=f"Pelatihan {b}", start=start.isoformat(),
                end=(start + dt.timedelta(days=14)).isoformat(), kind="training" if b % 5 else "mentoring",
                capacity=PER_BATCH, quota_per_kelurahan=0, sessions=4,
            )  # fmt: skip
            chosen = ids[(b - 1) * PER_BATCH : b * PER_BATCH]
            batches.enroll(uow, f"B{b:04d}", chosen, on=today, today=today)
            if b % 2:
                for session in (1, 2, 3):
                    batches.attend(uow, f"B{b:04d}", session, chosen, on=start, today=today)
                batches.complete(uow, f"B{b:04d}", chosen[: PER_BATCH // 2], on=start, today=today)
        uow.commit()
    return _checked(db)


def build_outcomes(work: Path) -> Path:
    """Issue 5: 50,000 cadres, 20,000 businesses and 100,000 income follow-ups, each recorded as
    `business add` and `income add` record them (one history entry per record)."""
    from up2k_cli.domain import outcomes as outcome_rules
    from up2k_cli.services.cadres import create_entry
    from up2k_cli.storage.uow import UnitOfWork

    gen = h.load_generator()
    today = gen.LAST_DAY
    rng = random.Random(5)
    db = work / "outcomes.json"
    h.fresh_registry(db)
    h.progress(f"Building {CADRES:,} cadres, {BUSINESSES:,} businesses and {INCOMES:,} incomes ...")
    with UnitOfWork(db, command="benchmark build") as uow:
        ids = _cadres(uow, gen, today)
        categories = list(outcome_rules.DEFAULT_AGENCY_MAP)
        businesses, incomes, entries = [], [], []
        for n in range(1, BUSINESSES + 1):
            started = today - dt.timedelta(days=rng.randrange(300))
            licensed = n % 3 == 0
            record = {
                "id": f"U{n:04d}", "cadre_id": rng.choice(ids), "name": f"Usaha {n}",
                "category": rng.choice(categories), "started_on": started.isoformat(),
                "added_on": today.isoformat(), "nib": f"{9_100_000_000_000 + n}" if licensed else None,
                "pirt": None, "halal": n % 4 == 0, "address": None,
                "licensed_on": started.isoformat() if licensed else None,
            }  # fmt: skip
            businesses.append(record)
            entries.append(create_entry("business", record["id"], record))
        for n in range(1, INCOMES + 1):
            on = today - dt.timedelta(days=rng.randrange(200))
            amount = rng.randrange(5, 80) * 100_000
            record = {
                "id": f"I{n:04d}",
                "cadre_id": rng.choice(ids),
                "amount": amount,
                "on": on.isoformat(),
                "note": None,
            }
            incomes.append(record)
            entries.append(create_entry("income", record["id"], record))
        uow.businesses.add_many(businesses)
        uow.incomes.add_many(incomes)
        uow.update_meta({"counters": {**uow.meta["counters"], "business": BUSINESSES, "income": INCOMES}})
        uow.record_changes(entries)
        uow.commit()
    return _checked(db)


def _checked(db: Path) -> Path:
    proc = h.run([*h.up2k_argv(), "--db", db, "check"], h.bench_env())
    h.progress(f"  {db.name}: {db.stat().st_size / 2**20:.0f} MB; up2k check: {proc.stderr.strip()}")
    return db


def time_reports(
    db: Path, reports: Sequence[list[str]], work: Path, runs: int, warmup: int
) -> list[h.Measurement]:
    up2k = [*h.up2k_argv(), "--db", db]
    results = []
    for report in reports:
        for fmt in FORMATS:
            args = [*up2k, "report", *report, "--format", fmt]
            if fmt == "xlsx":
                args += ["--output", str(work / "report.xlsx")]
            results.append(
                h.time_command(
                    f"{db.stem}: report {' '.join(report[:2])} {fmt}", args, runs=runs, warmup=warmup,
                    target=REPORT, label=f"up2k report {' '.join(report)} --format {fmt} ({db.stem})",
                )
            )  # fmt: skip
    return results


def measure(work: Path, runs: int, warmup: int) -> list[h.Measurement]:
    programme = build_programme(work)
    saved = work / "programme-saved.json"
    env = h.bench_env()
    up2k = [*h.up2k_argv(), "--db", programme]
    h.run([*up2k, "batch", "add", "NEW", "--title", "Baru", "--start", "2026-12-01", "--end", "2026-12-20",
           "--quota-per-kelurahan", "0"], env)  # fmt: skip
    h.restore(programme, saved)
    new_ids = [f"K{n:04d}" for n in range(CADRES - 19, CADRES + 1)]  # in no batch yet
    results = [
        h.time_command(
            "enroll 20", [*up2k, "enroll", "--batch", "NEW", *new_ids], runs=runs, warmup=warmup,
            setup=lambda: h.restore(saved, programme), target=FAST, env=env,
            label="up2k enroll --batch NEW (20 cadres) (programme)",
        ),
        h.time_command(
            "batch show", [*up2k, "batch", "show", "B0001"], runs=runs, warmup=warmup, target=FAST, env=env,
            label="up2k batch show B0001 (programme)",
        ),
    ]  # fmt: skip
    results += time_reports(programme, PROGRAMME_REPORTS, work, runs, warmup)
    outcomes = build_outcomes(work)
    results += time_reports(outcomes, OUTCOME_REPORTS, work, runs, warmup)
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
        version = [sys.executable, "-m", "up2k_cli", "--version"]
        base = h.Measurement("--version before", f"python -m up2k_cli --version at {STARTUP_BASELINE_REV}")
        now = h.Measurement("--version now", "python -m up2k_cli --version (now)")
        turns = [(base, version, h.bench_env(PYTHONPATH=str(tree)))]
        turns.append((now, version, h.bench_env(PYTHONPATH=str(repo))))
        h.time_alternating(turns, runs=max(runs, 15), warmup=warmup)
        now.target = base.median * 1.10
        now.note = f"target: within 10% of {base.median:.3f} s (the two run in turns)"
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
        f"Programme benchmark: {CADRES:,} cadres; {BATCHES} batches x {PER_BATCH}; "
        f"{BUSINESSES:,} businesses; {INCOMES:,} incomes",
        results,
        args,
        load_before=load_before,
    )


if __name__ == "__main__":
    raise SystemExit(main())
