"""Merging a kelurahan's bundle at the kecamatan (issue 13): target ≤ 2 s on the file backend.

Builds the programme registry (benchmarks/programme.py: 10,000 cadres at scale 1, 100 batches
of 100 enrollments with attendance, 5,000 businesses, 20,000 income follow-ups, their history),
then splits it as the offices would hold it:

- the kecamatan's registry: everything but Pondok Labu's cadres and what hangs from them;
- Pondok Labu's office: a registry of its own, which got the kecamatan's batches by merging the
  kecamatan's bundle (`export bundle --kelurahan "Pondok Labu"`), and holds its cadres (about a
  fifth: 2,000), their enrollments, businesses, steps and incomes as records made there.

The office writes its bundle (`up2k export bundle`, encrypted), and the kecamatan merges it:
every cadre and record new (the first merge), every batch matched. Timed as whole commands, the
kecamatan's registry put back before each run: the first merge, then merging the same bundle
again (nothing changes), and as the reference in the same run `up2k check` of the kecamatan's
registry (a full read of every record), with the ratio.

    python benchmarks/bench_merge.py [--runs 5] [--json FILE] [--workdir DIR]
"""

from __future__ import annotations

import sys
import time
from typing import Any

import harness as h
import programme

sys.path.insert(0, str(h.REPO))

KELURAHAN = "Pondok Labu"
CODE = "31.74.06.1003"
PASSPHRASE = "bench passphrase for the bundle"


def split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(the programme without Pondok Labu's records, Pondok Labu's records by table): its cadres
    and every record that hangs from them, followed through schema.py's references."""
    from up2k_cli.services.bundles import merged_tables

    share: dict[str, dict[str, Any]] = {}
    gone: dict[str, set[str]] = {}
    for spec in merged_tables():
        refs = [(f.name, f.references.split(".")[0]) for f in spec.fields if f.references]
        table = data.get(spec.name) or {}

        def theirs(r: dict[str, Any], refs: list[tuple[str, str]] = refs) -> bool:
            return r.get("kelurahan_code") == CODE or any(r.get(f) in gone.get(t, ()) for f, t in refs)

        share[spec.name] = {d: r for d, r in table.items() if theirs(r)}
        gone[spec.name] = {str(r[spec.key]) for r in share[spec.name].values()}
        data[spec.name] = {d: r for d, r in table.items() if d not in share[spec.name]}
    return data, {t: r for t, r in share.items() if r}


def main(argv: list[str] | None = None) -> int:
    from up2k_cli.storage.tiny import load, write_plain

    p = h.parser(__doc__.split("\n\n")[0])
    args = p.parse_args(argv)
    h.check_args(p, args)
    load_before = h.load_average()
    with h.workdir(args.workdir) as work:
        source = work / "programme.json"
        source.unlink(missing_ok=True)
        h.fresh_registry(source)
        h.progress(f"building a registry of {programme.PROGRAMME.cadres:,} cadres")
        started = time.perf_counter()
        programme.build(source, programme.PROGRAMME)
        h.progress(f"  built in {time.perf_counter() - started:.1f} s")
        kec = work / "kecamatan.json"
        kec.unlink(missing_ok=True)
        data, share = split(load(source))
        write_plain(kec, data)
        kec.chmod(0o600)
        h.run([*h.up2k_argv(), "--db", kec, "check"])
        env = h.bench_env(UP2K_PASSPHRASE=PASSPHRASE)
        office = work / "pondok-labu.json"
        office.unlink(missing_ok=True)
        h.fresh_registry(office)
        batches = work / "kecamatan-to-pondok-labu.up2k"
        h.run(
            [*h.up2k_argv(), "--db", kec, "export", "bundle", "--kelurahan", KELURAHAN, "--output", batches],
            env,
        )
        h.run([*h.up2k_argv(), "--db", office, "merge", batches], env)
        mine = load(office)
        for table, records in share.items():
            mine[table].update(records)
        counters = mine["meta"]["1"]["counters"]
        from up2k_cli.storage.schema import TABLES

        for table in share:
            kind = TABLES[table].counter
            if kind:
                counters[kind] = max([counters.get(kind, 0), *(int(d) for d in mine[table])])
        counters["queue"] = max(
            [counters.get("queue", 0), *(r.get("queue_seq") or 0 for r in mine["enrollments"].values())]
        )
        write_plain(office, mine)
        office.chmod(0o600)
        h.run([*h.up2k_argv(), "--db", office, "check"])
        bundle = work / "pondok-labu.up2k"
        h.run([*h.up2k_argv(), "--db", office, "export", "bundle", "--output", bundle], env)
        pristine = work / "kecamatan-pristine.json"
        h.restore(kec, pristine)
        counts = {t: len(r) for t, r in share.items()}
        h.progress(f"  the bundle: {bundle.stat().st_size:,} bytes; Pondok Labu's share: {counts}")

        def fresh() -> None:
            h.restore(pristine, kec)

        def merged(proc: Any) -> None:
            if b"records created" not in proc.stderr:
                raise h.BenchError(f"the merge created nothing: {proc.stderr.decode()[:300]}")

        results = [
            h.time_command(
                "check (reference)",
                [*h.up2k_argv(), "--db", kec, "check"],
                runs=args.runs,
                warmup=args.warmup,
                env=env,
                label="up2k --db kecamatan.json check",
            ),
            h.time_command(
                "merge: first bundle",
                [*h.up2k_argv(), "--db", kec, "merge", bundle],
                runs=args.runs,
                warmup=args.warmup,
                setup=fresh,
                check=merged,
                env=env,
                target=2.0,
                reference="check (reference)",
                label="up2k --db kecamatan.json merge pondok-labu.up2k",
            ),
        ]
        h.run([*h.up2k_argv(), "--db", kec, "merge", bundle], env)
        merged_once = work / "kecamatan-merged.json"
        h.restore(kec, merged_once)
        h.run([*h.up2k_argv(), "--db", kec, "check"])

        def unchanged(proc: Any) -> None:
            if b"Nothing to merge" not in proc.stderr:
                raise h.BenchError(f"the second merge changed something: {proc.stderr.decode()[:300]}")

        results.append(
            h.time_command(
                "merge: the same bundle again",
                [*h.up2k_argv(), "--db", kec, "merge", bundle],
                runs=args.runs,
                warmup=args.warmup,
                check=unchanged,
                env=env,
                target=2.0,
                reference="check (reference)",
                label="up2k --db kecamatan.json merge pondok-labu.up2k (again)",
            )
        )
        extra = {
            "scale": vars(programme.PROGRAMME),
            "share": counts,
            "bundle_bytes": bundle.stat().st_size,
            "registry_bytes": pristine.stat().st_size,
        }
        return h.finish("Merging one kelurahan's bundle at the kecamatan", results, args, extra, load_before)


if __name__ == "__main__":
    raise SystemExit(main())
