"""A programme registry at a given scale, built as the commands build it (for the benchmarks).

    scale 1 (the programme's real size x 2): 10,000 cadres; 100 batches of 100 enrollments, each
    with three sessions of attendance and most cadres completed; 5,000 businesses (a third with an
    NIB); 20,000 income follow-ups; the history those commands write.

Cadres come in through `import cadres` (one history entry); batches, enrollment, attendance and
completion through the services' own steps, in one open unit of work; businesses and incomes are
made as `business add` and `income add` make them (one history entry each), added in bulk because
TinyDB rewrites a table on every insert and a million single inserts would take hours. The result
is checked with `up2k check` by the benchmarks before anything is timed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness as h


@dataclass(frozen=True)
class Scale:
    cadres: int = 10_000
    batches: int = 100
    per_batch: int = 100
    businesses: int = 5_000
    incomes: int = 20_000

    def __str__(self) -> str:
        return (
            f"{self.cadres:,} cadres, {self.batches} batches x {self.per_batch}, "
            f"{self.businesses:,} businesses, {self.incomes:,} incomes"
        )


PROGRAMME = Scale()
STRESS = Scale(cadres=50_000, batches=500, per_batch=100, businesses=25_000, incomes=100_000)


def build(location: str | Path, scale: Scale = PROGRAMME, seed: int = 5) -> None:
    """Fill an empty registry (a file, or a PostgreSQL URL) with a programme of this scale."""
    from up2k_cli.domain import outcomes as outcome_rules
    from up2k_cli.domain.batch import new_batch
    from up2k_cli.services import batches, importer
    from up2k_cli.services.common import create_entry
    from up2k_cli.storage import open_registry

    gen = h.load_generator()
    today = gen.LAST_DAY
    rng = random.Random(seed)
    rows = gen.CadreFactory(gen.DEFAULT_SEED).rows(scale.cadres)
    importer.import_cadres(
        open_registry(location, command="import cadres"),
        importer.read_csv(gen.to_bytes(rows)),
        today=today,
        source_name="benchmark.csv",
    )
    with open_registry(location, command="benchmark build") as uow:
        everyone = sorted(uow.cadres.all(), key=lambda c: (len(c["id"]), c["id"]))
        by_kelurahan: dict[str, list[dict[str, Any]]] = {}
        for c in sorted(everyone, key=lambda c: c["registered_on"]):
            by_kelurahan.setdefault(c["kelurahan_code"], []).append(c)
        taken = dict.fromkeys(by_kelurahan, 0)  # how many of each kelurahan's list are enrolled
        quota = scale.per_batch // max(len(by_kelurahan), 1)
        new_batches = []
        for b in range(1, scale.batches + 1):
            # Batches in the programme's last months, in order, so that cadres registered earlier fill them.
            start = today - dt.timedelta(days=160) + dt.timedelta(days=b * 130 // scale.batches)
            new_batches.append(
                new_batch(
                    code=f"B{b:04d}",
                    title=f"Pelatihan UP2K {b}",
                    start=start.isoformat(),
                    end=(start + dt.timedelta(days=14)).isoformat(),
                    kind="training" if b % 5 else "mentoring",
                    capacity=scale.per_batch,
                    quota_per_kelurahan=quota,
                    sessions=3,
                    min_attendance=60,
                    created_on=start,
                )
            )
        uow.batches.add_many(new_batches)
        uow.record_changes([create_entry("batch", b["code"]) for b in new_batches])
        for batch in new_batches:
            start = dt.date.fromisoformat(batch["start"])
            chosen = []
            for kel, pool in by_kelurahan.items():  # the earliest registered first, once each
                ready = pool[taken[kel] : taken[kel] + quota]
                ready = [c for c in ready if c["registered_on"] <= batch["start"]]
                taken[kel] += len(ready)
                chosen += [c["id"] for c in ready]
            if not chosen:
                continue
            code = batch["code"]
            batches._enroll(uow, code, chosen, on=start, today=today, waitlist=False)
            for session in (1, 2, 3):
                present = [c for i, c in enumerate(chosen) if (i + session) % 7]
                batches._attend(
                    uow, code, session, present, on=start + dt.timedelta(days=session), today=today
                )
            done = [c for i, c in enumerate(chosen) if i % 7 not in (0, 1)]
            batches._complete(
                uow, code, done, on=start + dt.timedelta(days=14), today=today, force=False, reason=None
            )
        ids = [c["id"] for c in everyone]
        categories = list(outcome_rules.DEFAULT_AGENCY_MAP)
        businesses, incomes, entries = [], [], []
        for n in uow.reserve("business", scale.businesses):
            owner = rng.choice(everyone)
            started = max(
                today - dt.timedelta(days=rng.randrange(300)), dt.date.fromisoformat(owner["registered_on"])
            )
            licensed = n % 3 == 0
            record = {
                "id": f"U{n:04d}", "cadre_id": owner["id"], "name": f"Usaha {n}",
                "category": rng.choice(categories), "started_on": started.isoformat(),
                "added_on": started.isoformat(), "nib": f"{9_100_000_000_000 + n}" if licensed else None,
                "pirt": None, "halal": n % 4 == 0, "address": None,
                "licensed_on": started.isoformat() if licensed else None,
            }  # fmt: skip
            businesses.append(record)
            entries.append(create_entry("business", record["id"]))
        for n in uow.reserve("income", scale.incomes):
            owner = rng.choice(everyone)
            on = max(
                today - dt.timedelta(days=rng.randrange(200)), dt.date.fromisoformat(owner["registered_on"])
            )
            record = {
                "id": f"I{n:04d}", "cadre_id": owner["id"], "amount": rng.randrange(5, 80) * 100_000,
                "on": on.isoformat(), "note": None,
            }  # fmt: skip
            incomes.append(record)
            entries.append(create_entry("income", record["id"]))
        del ids
        uow.businesses.add_many(businesses)
        uow.incomes.add_many(incomes)
        uow.record_changes(entries)
        uow.commit()
