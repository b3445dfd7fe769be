"""Moving a registry between the backends (issue 12), and the same commands on each.

Builds a programme registry file (benchmarks/programme.py: scale 1 is 10,000 cadres, 100
batches of 100 enrollments with attendance, 5,000 businesses, 20,000 income follow-ups and
their history), then times `up2k copy --to` from the file into an empty PostgreSQL database and
from that database back to a new file, and checks that the file that comes back is the first
one byte for byte. Then times a few reading commands on both backends, in turns.

PostgreSQL is a throwaway cluster on this machine (tests/pgcluster.py), with fsync and
synchronous commits on, as a server keeps them.

    python benchmarks/bench_copy.py [--runs 3] [--scale 1] [--json FILE] [--workdir DIR]
"""

from __future__ import annotations

import sys
import time

import harness as h
import programme

sys.path.insert(0, str(h.REPO))
from tests.pgcluster import PostgresCluster

DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
READS = (
    ["cadre", "show", "K0042"],
    ["batch", "show", "B0001"],
    ["cadre", "list", "--kelurahan", "Pondok Labu", "--format", "csv"],
    ["report", "summary", "--format", "json"],
    ["report", "kelurahan", "--format", "json"],
    ["check"],
)


def main(argv: list[str] | None = None) -> int:
    p = h.parser(__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=int, default=1, help="1: the programme's size x 2 (10,000 cadres)")
    args = p.parse_args(argv)
    h.check_args(p, args)
    load_before = h.load_average()
    scale = programme.PROGRAMME.times(args.scale) if args.scale > 1 else programme.PROGRAMME
    with h.workdir(args.workdir) as work, PostgresCluster(settings=DURABLE) as cluster:
        source = work / "registry.json"
        if source.exists():
            source.unlink()
        h.fresh_registry(source)
        h.progress(f"building a registry of {scale.cadres:,} cadres")
        started = time.perf_counter()
        programme.build(source, scale)
        h.progress(f"  built in {time.perf_counter() - started:.1f} s; up2k check")
        h.run([*h.up2k_argv(), "--db", source, "check"])
        pristine = work / "pristine.json"
        h.restore(source, pristine)
        original = source.read_bytes()
        back = work / "back" / "registry.json"
        env = h.bench_env()

        def empty_database() -> None:
            h.restore(pristine, source)  # the copy records itself in its source
            cluster.drop_database("office")
            cluster.create_database("office")

        results = [
            h.time_command(
                "copy file -> PostgreSQL",
                [*h.up2k_argv(), "--db", source, "copy", "--to", cluster.url("office")],
                runs=args.runs,
                warmup=args.warmup,
                setup=empty_database,
                env=env,
                label="up2k --db registry.json copy --to postgresql://…/office",
            )
        ]
        server = cluster.url("office")
        # The database holds the last copy; each copy back records itself there, so every run
        # starts from a database made from this one (CREATE DATABASE ... TEMPLATE, untimed).
        cluster.create_database("office_copied", template="office")

        def no_file() -> None:
            back.unlink(missing_ok=True)
            cluster.drop_database("office")
            cluster.create_database("office", template="office_copied")

        def same_bytes(_proc: object) -> None:
            if back.read_bytes() != original:
                raise h.BenchError(f"{back} differs from the registry copied to the server")

        results.append(
            h.time_command(
                "copy PostgreSQL -> file",
                [*h.up2k_argv(), "--db", server, "copy", "--to", back],
                runs=args.runs,
                warmup=args.warmup,
                setup=no_file,
                check=same_bytes,
                env=env,
                label="up2k --db postgresql://…/office copy --to back.json",
            )
        )
        h.restore(pristine, source)
        turns: list[h.Turn] = []
        for command in READS:
            for backend, location in (("file", source), ("PostgreSQL", server)):
                name = f"{' '.join(command[:2])} ({backend})"
                turns.append(
                    (
                        h.Measurement(name, f"up2k {' '.join(command)} [{backend}]"),
                        [*h.up2k_argv(), "--db", location, *command],
                        env,
                    )
                )
        results += h.time_alternating(turns, runs=args.runs, warmup=args.warmup)
        extra = {"scale": vars(scale), "file_bytes": len(original), "round_trip_identical": True}
        h.progress(f"round trip: {len(original):,} bytes, identical")
        return h.finish(
            "Copies between backends, and reading commands on each", results, args, extra, load_before
        )


if __name__ == "__main__":
    raise SystemExit(main())
