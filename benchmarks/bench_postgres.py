"""PostgreSQL benchmark (issue 12): the registry on a server at 500,000 cadres.

Starts a throwaway cluster (tests/pgcluster.py: initdb in a temporary folder, run as the
`postgres` OS user when run as root, a free loopback port), builds the registry fast and times
whole commands as subprocesses, as the coordinator (the schema's owner, not a superuser: row-level
security applies), each run just after a reference: `psql -c 'select count(*) from up2k.cadres'`
(a client starting, connecting and reading the biggest table) and, for `--version`, `python -c
pass`; the table gives the ratio of the medians.

The registry: the 10,000-cadre programme (benchmarks/programme.py FULL: batches with enrollments
and attendance, businesses, income follow-ups, business follow-ups, groups, referrals, their
history, and 7 PAS steps recorded for business owners), built through the use cases into a file,
then repeated x50 with every key renumbered (K0001 of copy 3 is K30001, its NIK a serial of its
own) and loaded with COPY straight into the schema `up2k init` made. This is test data, not the
product's path; it is deterministic and takes about two minutes at 500,000 cadres. The loaded
database is the template of the copies the writing commands, the imports and the writers run on.

Targets (median): register, enroll of 20, cadre show, a kelurahan's list page <= 0.3 s (and, as
commands that change a few records, a business follow-up and an income follow-up, whose triggers
work the cadre's jobs line out again: migration 0007); every
report <= 1 s; import of 50,000 rows <= 5 s; up2k --version <= 0.15 s; 8 concurrent writers x 50
commands (register and enroll into nearly full batches): nothing lost, capacity and quotas exact.

    python benchmarks/bench_postgres.py [--cadres 500000] [--runs 5] [--writers 8 --commands 50]
                                        [--skip-import] [--skip-concurrency] [--only NAME ...]
                                        [--json FILE] [--workdir DIR]
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import harness as h
import programme

sys.path.insert(0, str(h.REPO))
from tests.pgcluster import PostgresCluster

FAST, REPORT, IMPORT, VERSION = 0.3, 1.0, 5.0, 0.15
COPY_SIZE = 10_000  # cadres in one copy of the programme
TEMPLATE = "up2k_template"
KELURAHAN = "Pondok Labu"
REFERENCE = "psql count"
REPORTS = (
    ["summary"],
    ["target"],
    ["kelurahan"],
    ["pipeline"],
    ["weekly", "--week", "2026-W47"],
    ["income"],
    ["agencies"],
    ["batch", "B0001"],
    ["jobs"],
    ["pokja2"],
    ["facilitation"],
)
# Server settings: tests/pgcluster.py's disposable ones (no fsync: a RAM disk) with the buffers
# of a small server, so that the registry's working set is cached as a real one would have it.
SETTINGS = {
    "shared_buffers": "512MB",
    "work_mem": "16MB",
    "maintenance_work_mem": "256MB",
    "effective_cache_size": "2GB",
    "max_connections": "60",
}
# The commands run as the coordinator, the schema's owner, as on a real server: row-level
# security applies to it (issue 13), as it does not to a superuser.
COORDINATOR, COORDINATOR_PASSWORD = "coordinator", "bench-only-password"
NIK_STEM = "317406511299"  # a birth date (11-12-1999, a woman) the generated cadres never have


# --- building the registry ----------------------------------------------------------------------


def programme_file(work: Path) -> dict[str, Any]:
    """The 10,000-cadre programme built through the use cases (benchmarks/programme.py), read back
    as the file holds it, with the 7 PAS steps of business owners added as `up2k step` adds them."""
    from up2k_cli.domain.outcomes import RECORDABLE_STEPS
    from up2k_cli.services.common import create_entry
    from up2k_cli.storage import open_registry

    db = work / "programme.json"
    h.fresh_registry(db)
    programme.build(db, programme.FULL)
    with open_registry(db, command="step") as uow:
        owners: dict[str, str] = {}
        for b in uow.businesses.all():
            owners.setdefault(b["cadre_id"], b["started_on"])
        steps = []
        for n, (cadre_id, on) in enumerate(sorted(owners.items())):
            for i, step in enumerate(RECORDABLE_STEPS):
                if (n + i) % (i + 2) == 0:
                    steps.append({"cadre_id": cadre_id, "step": step, "on": on, "note": None})
        for ident, step in zip(uow.next_ids("step", "S", len(steps)), steps, strict=True):
            step["id"] = ident
        uow.steps.add_many(steps)
        uow.record_changes([create_entry("step", s["id"], s) for s in steps])
        uow.commit()
    return json.loads(db.read_text(encoding="utf-8"))


class Renumber:
    """Keys of copy `i` of the programme: K0042 -> K(i * 10,000 + 42), B0001 -> B(i * 100 + 1),
    history sequence numbers likewise; NIKs keep their region and birth date and take a serial
    of their own; an NIB follows its business's number."""

    def __init__(self, data: dict[str, Any]) -> None:
        from up2k_cli.storage.postgres.ddl import HISTORY_ENTITIES
        from up2k_cli.storage.schema import TABLES

        self.tables = TABLES
        self.entities = {**HISTORY_ENTITIES, "batch": "batches"}
        counters = data["meta"]["1"]["counters"]
        self.span = {name: counters.get(spec.counter or "", 0) for name, spec in TABLES.items()}
        self.span["cadres"] = COPY_SIZE
        self.span["batches"] = len(data["batches"])
        self.span["history"] = counters["history"]
        by_stem: dict[str, int] = {}
        self.nik_rank: dict[str, int] = {}
        for c in data["cadres"].values():
            stem = c["nik"][:12]
            self.nik_rank[c["nik"]] = by_stem.get(stem, 0)
            by_stem[stem] = self.nik_rank[c["nik"]] + 1
        assert max(by_stem.values()) < 100, "too many cadres share a birth date to renumber NIKs"
        self.copy = 0

    def key(self, table: str, key: Any) -> Any:
        if key is None:
            return None
        if table == "batches":
            return f"B{self.copy * self.span['batches'] + int(key[1:]):04d}"
        spec = self.tables[table]
        if spec.prefix is None:
            return key
        n = spec.serial(key)
        return f"{spec.prefix}{self.copy * self.span[table] + n:04d}"

    def nik(self, nik: str | None) -> str | None:
        if nik is None:
            return None
        return f"{nik[:12]}{self.copy * 100 + self.nik_rank[nik] + 1:04d}"

    def record(self, table: str, record: dict[str, Any]) -> dict[str, Any]:
        spec = self.tables[table]
        out = dict(record)
        if table == "history":
            base = self.copy * self.span["history"]
            out["seq"] = base + record["seq"]
            if record.get("op") is not None:
                out["op"] = base + record["op"]
            target = self.entities.get(record["entity"])
            if target is not None:
                out["ref"] = self.key(target, record.get("ref"))
                if record.get("refs") is not None:
                    out["refs"] = [self.key(target, r) for r in record["refs"]]
            return out
        out[spec.key] = self.key(table, record[spec.key])
        for f in spec.fields:
            if f.references and record.get(f.name) is not None:
                out[f.name] = self.key(f.references.split(".")[0], record[f.name])
        if table == "cadres":
            out["nik"] = self.nik(record.get("nik"))
        if table == "businesses" and record.get("nib"):
            out["nib"] = str(9_100_000_000_000 + spec.serial(out["id"]))
        if table == "batches":
            out["title"] = f"Pelatihan UP2K {out['code'][1:].lstrip('0')}"
        return out

    def place(self, table: str, doc_id: str, record: dict[str, Any]) -> int:
        spec = self.tables[table]
        if table == "history":
            return int(record["seq"])
        if spec.prefix is not None:
            return int(spec.serial(record[spec.key]) or 0)
        return self.copy * self.span[table] + int(doc_id)


def load(url: str, data: dict[str, Any], copies: int) -> dict[str, int]:
    """COPY `copies` renumbered copies of the programme into the registry `up2k init` made."""
    import psycopg

    from up2k_cli.storage.postgres.ddl import POS, q
    from up2k_cli.storage.postgres.uow import insert_rows
    from up2k_cli.storage.schema import TABLES

    renumber = Renumber(data)
    counts: dict[str, int] = {}
    order = sorted(TABLES.values(), key=lambda s: any(f.references for f in s.fields))
    with psycopg.connect(url) as conn:
        for spec in order:
            records = data.get(spec.name) or {}
            if not records:
                continue
            started = time.perf_counter()
            columns = [*spec.field_names, POS]
            for i in range(copies):
                renumber.copy = i
                rows = []
                for doc_id, record in records.items():
                    new = renumber.record(spec.name, record)
                    rows.append(
                        [*(new.get(n) for n in spec.field_names), renumber.place(spec.name, doc_id, new)]
                    )
                insert_rows(conn, spec, columns, rows)
            counts[spec.name] = len(records) * copies
            h.progress(
                f"    {spec.name}: {counts[spec.name]:,} rows in {time.perf_counter() - started:.1f} s"
            )
        for name, spec in TABLES.items():
            if spec.counter and counts.get(name):
                conn.execute(
                    f"SELECT setval('up2k.{q('counter_' + spec.counter)}', %s, true)",
                    (renumber.span[name] * copies,),
                )
        conn.execute("SELECT setval('up2k.counter_history', %s, true)", (renumber.span["history"] * copies,))
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('up2k.batches', '{POS}'), max({POS})) FROM up2k.batches"
        )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")
    return counts


def build_template(pg: PostgresCluster, work: Path, cadres: int) -> dict[str, int]:
    if cadres % COPY_SIZE:
        raise h.BenchError(f"--cadres must be a multiple of {COPY_SIZE:,}")
    started = time.perf_counter()
    h.progress("Building the 10,000-cadre programme through the use cases ...")
    data = programme_file(work)
    pg.create_role(COORDINATOR, COORDINATOR_PASSWORD)
    pg.create_database(TEMPLATE, template="template0", owner=COORDINATOR)
    url = coordinator_url(pg, TEMPLATE)
    h.run([*h.up2k_argv(), "--db", url, "init", "--start", "2026-01-01"])
    h.progress(f"Loading it x{cadres // COPY_SIZE} with COPY ...")
    counts = load(pg.url(TEMPLATE), data, cadres // COPY_SIZE)  # the superuser: COPY past row security
    up2k = [*h.up2k_argv(), "--db", url]
    h.run(
        [
            *up2k,
            "batch",
            "add",
            "NEW",
            "--title",
            "Baru",
            "--start",
            "2026-11-20",
            "--end",
            "2026-12-20",
            "--capacity",
            "100000",
            "--quota-per-kelurahan",
            "0",
        ]
    )
    size = pg.execute("SELECT pg_size_pretty(pg_database_size(%s))", (TEMPLATE,))[0][0]
    h.progress(f"  built in {time.perf_counter() - started:.0f} s; {size}")
    return counts


# --- timing ---------------------------------------------------------------------------------------


def coordinator_url(pg: PostgresCluster, db: str) -> str:
    return pg.url(db, COORDINATOR, COORDINATOR_PASSWORD)


def database(pg: PostgresCluster, name: str) -> str:
    """A fresh copy of the built registry; the coordinator's URL."""
    pg.drop_database(name)
    pg.create_database(name, template=TEMPLATE, owner=COORDINATOR)
    return coordinator_url(pg, name)


def time_each(
    name: str,
    argv_of: Callable[[int], list[str]],
    *,
    runs: int,
    warmup: int,
    target: float | None,
    label: str,
    reference: h.Measurement,
    reference_argv: list[str],
    setup: Callable[[], None] | None = None,
) -> h.Measurement:
    """As harness.time_command, with each run's own arguments (a new NIK, other cadres), and the
    reference timed just before each run: the machine is shared, and the ratio of the medians
    then compares times taken under the same load."""
    result = h.Measurement(name, label, target=target, reference=reference.name)
    h.progress(f"  {name}: {warmup} warm-up + {runs} timed run(s), each after the reference")
    env = h.bench_env()
    for i in range(warmup + runs):
        if setup is not None:
            setup()
        before = h._run_once(reference_argv, env, None)
        elapsed = h._run_once(argv_of(i), env, None)
        if i >= warmup:
            reference.times.append(before)
            result.times.append(elapsed)
    h.progress(f"    median {result.median:.3f} s (min {result.min:.3f}, max {result.max:.3f})")
    return result


def psql_count(pg: PostgresCluster, db: str) -> list[str]:
    return [
        str(pg._psql_path()),
        "-X",
        "-q",
        "-t",
        "-c",
        "select count(*) from up2k.cadres",
        coordinator_url(pg, db),
    ]


def measure_commands(
    pg: PostgresCluster, runs: int, warmup: int, cadres: int, only: list[str] | None = None
) -> list[h.Measurement]:
    url = database(pg, "timed")
    up2k = [*h.up2k_argv(), "--db", url]
    reference = h.Measurement(
        REFERENCE, "psql -c 'select count(*) from up2k.cadres' (reference, before each run)"
    )
    reference_argv = psql_count(pg, "timed")
    results = [reference]
    with _connect(pg, "timed") as conn:
        free = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM up2k.cadres c WHERE registered_on <= '2026-11-20' AND NOT EXISTS "
                "(SELECT 1 FROM up2k.enrollments e WHERE e.cadre_id = c.id) ORDER BY pos DESC LIMIT %s",
                (20 * (runs + warmup),),
            ).fetchall()
        ]
        busy = conn.execute(
            "SELECT cadre_id FROM up2k.businesses GROUP BY cadre_id ORDER BY count(*) DESC, cadre_id LIMIT 1"
        ).fetchone()[0]
        business = conn.execute(
            "SELECT min(id) FROM up2k.businesses WHERE cadre_id = %s", (busy,)
        ).fetchone()[0]
    middle = f"K{cadres // 2 + 42:04d}"

    def register(i: int) -> list[str]:
        return [
            *up2k,
            "register",
            "--nik",
            f"{NIK_STEM}{9000 + i:04d}",
            "--name",
            f"Kader Baru {i}",
            "--kelurahan",
            KELURAHAN,
            "--rw",
            "1",
            "--rt",
            "2",
            "--address",
            "Jl. Baru",
            "--consent",
        ]

    def enroll(i: int) -> list[str]:
        return [*up2k, "enroll", "--batch", "NEW", *free[20 * i : 20 * i + 20]]

    def follow_up(i: int) -> list[str]:
        measured = ["--paid-workers", "5", "--paid-were-unemployed", "1", "--paid-local", "1"]
        return [*up2k, "business", "follow-up", business, *measured, "--family-workers", str(i % 3 + 1)]

    def income(i: int) -> list[str]:
        return [*up2k, "income", "add", busy, "--amount", f"{i + 1} jt", "--work-status", "working"]

    fixed = [
        ("cadre show", ["cadre", "show", middle], FAST),
        ("cadre show (busiest)", ["cadre", "show", busy], FAST),
        ("list page", ["cadre", "list", "--kelurahan", KELURAHAN, "--limit", "50"], FAST),
        (
            "list page 1000",
            ["cadre", "list", "--kelurahan", KELURAHAN, "--limit", "50", "--offset", "50000"],
            FAST,
        ),
        ("batch show", ["batch", "show", "B0001"], FAST),
        *((f"report {r[0]}", ["report", *r], REPORT) for r in REPORTS),
    ]
    wanted = (lambda name: True) if not only else (lambda name: name in only)
    timed = [
        ("register", register, "up2k register"),
        ("enroll 20", enroll, "up2k enroll --batch NEW (20 cadres)"),
        # changes the database's triggers answer by working a cadre's jobs line out again
        ("business follow-up", follow_up, f"up2k business follow-up {business} --family-workers N"),
        ("income add", income, f"up2k income add {busy} --amount 'N jt' --work-status working"),
        *((name, (lambda i, a=args: [*up2k, *a]), f"up2k {' '.join(args)}") for name, args, _t in fixed),
    ]
    targets = {"register": FAST, "enroll 20": FAST, "business follow-up": FAST, "income add": FAST,
               **{name: t for name, _a, t in fixed}}  # fmt: skip
    for name, argv_of, label in timed:
        if wanted(name):
            results.append(
                time_each(name, argv_of, runs=runs, warmup=warmup, target=targets[name], label=label,
                          reference=reference, reference_argv=reference_argv)
            )  # fmt: skip
    return results


def _connect(pg: PostgresCluster, db: str) -> Any:
    import psycopg

    return psycopg.connect(pg.url(db), autocommit=True)


def measure_import(pg: PostgresCluster, work: Path, runs: int, warmup: int) -> list[h.Measurement]:
    """50,000 new cadres into the big registry (a fresh copy each run) and into an empty one."""
    count = 50_000
    csv = work / "import.csv"
    gen = h.load_generator()
    rows = gen.CadreFactory(gen.DEFAULT_SEED + 1).rows(count)
    for n, row in enumerate(rows):  # NIKs of serials the registry's cadres do not have (9000 on)
        day, month, serial = 41 + n % 28, 1 + n // 28 % 12, 9000 + n // 336
        row["NIK"] = f"317406{day:02d}{month:02d}00{serial:04d}"
    csv.write_bytes(gen.to_bytes(rows))
    reference = h.Measurement(
        "psql count (import)", "psql -c 'select count(*) from up2k.cadres' (reference, before each import)"
    )
    reference_argv = psql_count(pg, "timed")
    url = coordinator_url(pg, "imported")
    big = time_each(
        "import 50k",
        lambda i: [*h.up2k_argv(), "--db", url, "import", "cadres", str(csv)],
        runs=runs,
        warmup=warmup,
        setup=lambda: database(pg, "imported") and None,
        target=IMPORT,
        reference=reference,
        reference_argv=reference_argv,
        label=f"up2k import cadres ({count:,} rows into the big registry)",
    )

    def empty() -> None:
        pg.drop_database("empty")
        pg.create_database("empty", template="template0", owner=COORDINATOR)
        h.run([*h.up2k_argv(), "--db", coordinator_url(pg, "empty"), "init", "--start", "2026-01-01"])

    small = time_each(
        "import 50k (new)",
        lambda i: [*h.up2k_argv(), "--db", coordinator_url(pg, "empty"), "import", "cadres", str(csv)],
        runs=runs,
        warmup=warmup,
        setup=empty,
        target=IMPORT,
        reference=reference,
        reference_argv=reference_argv,
        label=f"up2k import cadres ({count:,} rows into a new registry)",
    )
    return [reference, big, small]


def measure_version(runs: int, warmup: int) -> list[h.Measurement]:
    python = h.time_command(
        "python",
        [sys.executable, "-c", "pass"],
        runs=max(runs, 10),
        warmup=warmup,
        label="python -c pass (reference)",
    )
    version = h.time_command(
        "--version",
        [*h.up2k_argv(), "--version"],
        runs=max(runs, 10),
        warmup=warmup,
        target=VERSION,
        label="up2k --version",
        reference="python",
    )
    return [python, version]


# --- concurrent writers -----------------------------------------------------------------------------


def writer_main(url: str, writer: int, commands: int, batches: list[str], pool: list[str], out: str) -> None:
    """One writer (a process of its own): `commands` up2k commands in turn, register and enroll,
    each outcome written down (exit status and what it was asked)."""
    rng = random.Random(writer)
    up2k = [*h.up2k_argv(), "--db", url]
    env = h.bench_env()
    log = []
    for n in range(commands):
        if n % 2 == 0:
            nik = f"{NIK_STEM[:6]}5{writer}0199{9000 + n}"
            argv = [
                *up2k,
                "register",
                "--nik",
                nik,
                "--name",
                f"Penulis {writer} {n}",
                "--kelurahan",
                KELURAHAN,
                "--rw",
                "3",
                "--rt",
                "4",
                "--address",
                "Jl. Serentak",
                "--consent",
            ]
            kind, what = "register", nik
        else:
            batch = rng.choice(batches)
            chosen = rng.sample(pool, 3)
            argv = [*up2k, "enroll", "--batch", batch, *chosen]
            kind, what = "enroll", [batch, chosen]
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env)
        log.append({"kind": kind, "what": what, "rc": proc.returncode, "err": proc.stderr[-400:]})
    Path(out).write_text(json.dumps(log))


def measure_concurrency(
    pg: PostgresCluster, work: Path, writers: int, commands: int
) -> tuple[h.Measurement, dict]:
    """`writers` processes x `commands` commands on one registry, then every rule checked."""
    url = database(pg, "concurrent")
    up2k = [*h.up2k_argv(), "--db", url]
    batches = []
    for b in range(1, 5):  # small batches: capacity 12, 3 per kelurahan, nearly full at once
        code = f"C{b}"
        h.run(
            [
                *up2k,
                "batch",
                "add",
                code,
                "--title",
                f"Serentak {b}",
                "--start",
                "2026-11-25",
                "--end",
                "2026-12-05",
                "--capacity",
                "12",
                "--quota-per-kelurahan",
                "3",
            ]
        )
        batches.append(code)
    with _connect(pg, "concurrent") as conn:
        pool = [  # 12 active cadres of each kelurahan: 60 for 48 places, 3 per kelurahan a batch
            r[0]
            for r in conn.execute(
                "SELECT id FROM (SELECT id, pos, "
                "row_number() OVER (PARTITION BY kelurahan_code ORDER BY pos DESC) AS n FROM up2k.cadres "
                "WHERE status = 'active' AND registered_on <= '2026-11-25') c "
                "WHERE n <= 12 ORDER BY pos"
            ).fetchall()
        ]
        before = conn.execute("SELECT count(*) FROM up2k.cadres").fetchone()[0]
    h.progress(f"  {writers} writers x {commands} commands (register and enroll, 4 batches of 12) ...")
    started = time.perf_counter()
    procs = []
    for w in range(writers):
        out = work / f"writer-{w}.json"
        code = (
            f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import bench_postgres as b; "
            f"b.writer_main({url!r}, {w}, {commands}, {batches!r}, {pool!r}, {str(out)!r})"
        )
        procs.append((out, subprocess.Popen([sys.executable, "-c", code], env=h.bench_env())))
    for _, proc in procs:
        if proc.wait() != 0:
            raise h.BenchError("a writer process failed")
    elapsed = time.perf_counter() - started
    logs = [json.loads(out.read_text()) for out, _ in procs]
    facts = check_concurrency(pg, logs, batches, before)
    m = h.Measurement(
        "concurrency",
        f"{writers} writers x {commands} commands (register/enroll), wall clock",
        times=[elapsed, elapsed, elapsed],
        note=facts["summary"],
    )
    return m, facts


def check_concurrency(pg: PostgresCluster, logs: list[list[dict]], batches: list[str], before: int) -> dict:
    registered = [e for log in logs for e in log if e["kind"] == "register" and e["rc"] == 0]
    enrolled = [e for log in logs for e in log if e["kind"] == "enroll" and e["rc"] == 0]
    failed = [e for log in logs for e in log if e["rc"] != 0]
    unexpected = [
        e
        for e in failed
        if e["rc"] not in (1, 2)
        or "serializ" in e["err"].lower()
        or "Traceback" in e["err"]
        or "deadlock" in e["err"].lower()
    ]
    problems = []
    with _connect(pg, "concurrent") as conn:
        after = conn.execute("SELECT count(*) FROM up2k.cadres").fetchone()[0]
        niks = {
            r[0]
            for r in conn.execute(
                "SELECT nik FROM up2k.cadres WHERE nik = ANY(%s)", ([e["what"] for e in registered],)
            ).fetchall()
        }
        if after - before != len(registered):
            problems.append(f"{after - before} cadres added, {len(registered)} registrations succeeded")
        if len(niks) != len(registered):
            problems.append(f"{len(registered) - len(niks)} registered NIK(s) missing")
        for batch, chosen in (e["what"] for e in enrolled):
            found = conn.execute(
                "SELECT count(*) FROM up2k.enrollments WHERE batch = %s AND cadre_id = ANY(%s) "
                "AND status IN ('enrolled', 'completed')",
                (batch, chosen),
            ).fetchone()[0]
            if found != len(chosen):
                problems.append(f"enroll {batch} {chosen}: {found} of {len(chosen)} enrolled")
        for code in batches:
            cap, quota = conn.execute(
                "SELECT capacity, quota_per_kelurahan FROM up2k.batches WHERE code = %s", (code,)
            ).fetchone()
            per = conn.execute(
                "SELECT kelurahan_code, count(*) FROM up2k.enrollments WHERE batch = %s AND "
                "status IN ('enrolled', 'completed') GROUP BY 1",
                (code,),
            ).fetchall()
            total = sum(n for _, n in per)
            if total > cap or any(n > quota for _, n in per):
                problems.append(f"batch {code}: {total} enrolled of {cap}, per kelurahan {dict(per)}")
        fills = conn.execute(
            "SELECT batch, count(*) FROM up2k.enrollments WHERE batch = ANY(%s) AND "
            "status IN ('enrolled', 'completed') GROUP BY 1",
            (batches,),
        ).fetchall()
    problems += [f"{e['kind']} {e['what']}: exit {e['rc']}: {e['err'].strip()[-200:]}" for e in unexpected]
    summary = (
        f"{len(registered)} registered, {len(enrolled)} enrollments of 3 succeeded, {len(failed)} refused "
        f"(full or quota: exit 1), batch fill {dict(sorted(fills))}; "
        + ("0 lost, capacity and quotas held" if not problems else f"PROBLEMS: {'; '.join(problems[:5])}")
    )
    h.progress(f"    {summary}")
    return {
        "summary": summary,
        "problems": problems,
        "registered": len(registered),
        "enrolled": len(enrolled),
        "refused": len(failed),
    }


# --- main ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def cluster() -> Iterator[PostgresCluster]:
    base = tempfile.mkdtemp(
        prefix="up2k-bench-pg-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    )
    os.chmod(base, 0o755)
    pg = PostgresCluster(base, settings=SETTINGS).start()
    try:
        yield pg
    finally:
        pg.stop()
        os.rmdir(base)


def main(argv: list[str] | None = None) -> int:
    p = h.parser(__doc__.split("\n", 1)[0])
    p.add_argument(
        "--cadres", type=int, default=500_000, help="cadres (a multiple of 10,000; default 500,000)"
    )
    p.add_argument("--writers", type=int, default=8, help="concurrent writer processes (default 8)")
    p.add_argument("--commands", type=int, default=50, help="commands per writer (default 50)")
    p.add_argument("--skip-import", action="store_true", help="leave out the imports")
    p.add_argument("--skip-concurrency", action="store_true", help="leave out the concurrent writers")
    p.add_argument(
        "--only", nargs="*", metavar="NAME", help="time only these commands (e.g. 'report summary')"
    )
    args = p.parse_args(argv)
    h.check_args(p, args)
    load_before = h.load_average()
    extra: dict[str, Any] = {"cadres": args.cadres}
    try:
        with h.workdir(args.workdir) as work, cluster() as pg:
            extra["tables"] = build_template(pg, work, args.cadres)
            results = measure_version(args.runs, args.warmup)
            results += measure_commands(pg, args.runs, args.warmup, args.cadres, args.only)
            if not args.skip_import:
                results += measure_import(pg, work, args.runs, args.warmup)
            if not args.skip_concurrency:
                m, facts = measure_concurrency(pg, work, args.writers, args.commands)
                results.append(m)
                extra["concurrency"] = facts
    except h.BenchError as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 2
    status = h.finish(
        f"Storage benchmark (PostgreSQL, {args.cadres:,} cadres)",
        results,
        args,
        extra,
        load_before=load_before,
    )
    if extra.get("concurrency", {}).get("problems"):
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
