"""Registry benchmark (issue 2): import, register, list and --version on 50,000 cadres.

Targets on the project's 2-core machine (median of the timed runs):
import of 50,000 cadres <= 3 s and faster than `sqlite-utils insert` of the same CSV;
register one more <= 0.5 s; `cadre list --kelurahan "Pondok Labu" --format csv` <= 0.5 s;
`up2k --version` <= 0.25 s.

    python benchmarks/bench_registry.py [--runs 5] [--json FILE] [--no-fail] [--count 50000]
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import harness as h

IMPORT_TARGET = 3.0
REGISTER_TARGET = 0.5
LIST_TARGET = 0.5
VERSION_TARGET = 0.25
DEFAULT_COUNT = 50_000
LIST_KELURAHAN = "Pondok Labu"


def main(argv: list[str] | None = None) -> int:
    p = h.parser(__doc__.split("\n", 1)[0])
    p.add_argument(
        "--count",
        type=int,
        default=DEFAULT_COUNT,
        help=f"cadres in the registry (default {DEFAULT_COUNT:,})",
    )
    args = p.parse_args(argv)
    h.check_args(p, args)
    if args.count < 5:
        p.error("--count must be at least 5 (one per kelurahan)")
    load_before = h.load_average()
    try:
        with h.workdir(args.workdir) as work:
            results = measure(work, args.count, args.runs, args.warmup)
    except h.BenchError as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 2
    return h.finish(
        f"Registry benchmark: {args.count:,} cadres",
        results,
        args,
        extra={"count": args.count, "runs": args.runs, "warmup": args.warmup},
        load_before=load_before,
    )


def measure(work: Path, count: int, runs: int, warmup: int) -> list[h.Measurement]:
    gen = h.load_generator()
    up2k = h.up2k_argv()
    env = h.bench_env()

    h.progress(f"Generating {count:,} fictional cadres in {work} ...")
    factory = gen.CadreFactory(gen.DEFAULT_SEED)
    rows = factory.rows(count)
    extra = factory.cadre(LIST_KELURAHAN)  # unique NIK and person: register accepts it
    big_csv = work / "big.csv"
    big_csv.write_bytes(gen.to_bytes(rows))
    listed = gen.spread(count, len(gen.KELURAHAN))[list(gen.KELURAHAN).index(LIST_KELURAHAN)]

    imported = work / "import.json"

    def expect_import(proc: subprocess.CompletedProcess[bytes]) -> None:
        message = proc.stderr.decode("utf-8", "replace")
        if f"Imported {count} new cadres" not in message:
            raise h.BenchError(f"import did not report {count} new cadres: {message.strip()}")

    results = [
        h.time_command(
            "import",
            [*up2k, "--db", imported, "import", "cadres", big_csv],
            label=f"up2k import cadres ({count:,} rows)",
            runs=runs,
            warmup=warmup,
            setup=lambda: h.fresh_registry(imported, env),
            check=expect_import,
            env=env,
            target=IMPORT_TARGET,
            faster_than="sqlite-utils insert",
        )
    ]

    sqlite_db = work / "new.db"

    def fresh_sqlite() -> None:
        sqlite_db.unlink(missing_ok=True)

    def expect_sqlite(proc: subprocess.CompletedProcess[bytes]) -> None:
        with sqlite3.connect(sqlite_db) as conn:
            (n,) = conn.execute("select count(*) from cadres").fetchone()
        if n != count:
            raise h.BenchError(f"sqlite-utils loaded {n} rows, not {count}")

    results.append(
        h.time_command(
            "sqlite-utils insert",
            [
                *h.tool_argv("sqlite-utils"),
                "insert",
                sqlite_db,
                "cadres",
                big_csv,
                "--csv",
                "--delimiter",
                ";",
                "--encoding",
                "utf-8-sig",
            ],
            label=f"sqlite-utils insert ({count:,} rows)",
            runs=runs,
            warmup=warmup,
            setup=fresh_sqlite,
            check=expect_sqlite,
            env=env,
        )
    )

    # The last import left a registry of `count` cadres: keep it as the base for the rest.
    base = work / "registry.json"
    h.restore(imported, base)
    target = work / "register.json"

    def expect_id(proc: subprocess.CompletedProcess[bytes]) -> None:
        out = proc.stdout.decode().strip()
        if not re.fullmatch(r"K0*" + str(count + 1), out):
            raise h.BenchError(f"register printed {out!r}, not the ID of cadre {count + 1}")

    results.append(
        h.time_command(
            "register",
            [
                *up2k,
                "--db",
                target,
                "register",
                "--nik",
                extra["NIK"],
                "--name",
                extra["Nama Lengkap"],
                "--kelurahan",
                extra["Kelurahan"],
                "--rw",
                extra["RW"],
                "--rt",
                extra["RT"],
                "--address",
                extra["Alamat"],
                "--phone",
                extra["No. HP"],
                "--business-type",
                extra["Jenis Usaha"],
                "--household-size",
                extra["Jumlah Anggota Keluarga"],
                "--income",
                extra["Penghasilan per Bulan"],
                "--date",
                extra["Tanggal Daftar"],
                "--consent",
            ],
            label=f"up2k register (into {count:,})",
            runs=runs,
            warmup=warmup,
            setup=lambda: h.restore(base, target),
            check=expect_id,
            env=env,
            target=REGISTER_TARGET,
        )
    )

    def expect_rows(proc: subprocess.CompletedProcess[bytes]) -> None:
        lines = proc.stdout.count(b"\n")
        if lines != listed + 1:
            raise h.BenchError(f"cadre list printed {lines} lines, expected {listed} + header")

    results.append(
        h.time_command(
            "list",
            [
                *up2k,
                "--db",
                base,
                "cadre",
                "list",
                "--kelurahan",
                LIST_KELURAHAN,
                "--format",
                "csv",
            ],
            label=f'up2k cadre list --kelurahan "{LIST_KELURAHAN}" --format csv',
            runs=runs,
            warmup=warmup,
            check=expect_rows,
            env=env,
            target=LIST_TARGET,
        )
    )
    results[-1].note = f"{listed:,} rows out of {count:,}"

    results.append(
        h.time_command(
            "version",
            [*up2k, "--version"],
            label="up2k --version",
            runs=runs,
            warmup=warmup,
            env=env,
            target=VERSION_TARGET,
        )
    )
    return results


if __name__ == "__main__":
    sys.exit(main())
