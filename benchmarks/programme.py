"""A programme registry at a given scale, built as the commands build it (for the benchmarks).

    scale 1 (the programme's real size x 2): 10,000 cadres; 100 batches of 100 enrollments, each
    with three sessions of attendance and most cadres completed; 5,000 businesses (a third with an
    NIB) with their owner status, workers and turnover; 20,000 income follow-ups (a third with a
    work status); the history those commands write.
    FULL (issue 15): the same, and 5,000 business follow-ups, 400 UP2K groups with their members
    and tiers, 5,000 referrals with their updates (a third more bytes to parse). The timings of
    issue 12 stay on PROGRAMME, so that they compare with earlier runs.

Cadres come in through `import cadres` (one history entry); batches, enrollment, attendance and
completion through the services' own steps, in one open unit of work; businesses and incomes are
made as `business add` and `income add` make them (one history entry each), added in bulk because
TinyDB rewrites a table on every insert and a million single inserts would take hours. The result
is checked with `up2k check` by the benchmarks before anything is timed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
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
    follow_ups: int = 0
    groups: int = 0
    referrals: int = 0

    def __str__(self) -> str:
        more = (
            f", {self.follow_ups:,} business follow-ups, {self.groups:,} groups, {self.referrals:,} referrals"
        )
        return (
            f"{self.cadres:,} cadres, {self.batches} batches x {self.per_batch}, "
            f"{self.businesses:,} businesses, {self.incomes:,} incomes"
            + (more if self.follow_ups or self.groups or self.referrals else "")
        )


PROGRAMME = Scale()
FULL = replace(PROGRAMME, follow_ups=5_000, groups=400, referrals=5_000)
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
                "licensed_on": started.isoformat() if licensed else None, **measures(rng),
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
                "work_status": rng.choice(("working", "unemployed", "housekeeping")) if n % 3 == 0 else None,
            }  # fmt: skip
            incomes.append(record)
            entries.append(create_entry("income", record["id"]))
        del ids
        uow.businesses.add_many(businesses)
        uow.incomes.add_many(incomes)
        uow.record_changes(entries)
        if scale.follow_ups or scale.groups or scale.referrals:
            build_groups_and_referrals(uow, scale, rng, everyone, businesses, today)
        uow.commit()


def measures(rng: random.Random, start: bool = True) -> dict[str, Any]:
    """Owner status, workers and turnover that hold together (a follow-up measures some of them)."""
    paid, family = rng.choice((0, 0, 1, 2, 3, 5)), rng.choice((0, 1, 2))
    status = "helped-permanent" if paid else ("helped-temporary" if family else "own-account")
    values = {"owner_status": status, "family_workers": family, "paid_workers": paid,
              "paid_were_unemployed": rng.randint(0, paid), "paid_local": rng.randint(0, paid),
              "turnover": rng.choice((2, 4, 8, 15, 40, 180)) * 1_000_000}  # fmt: skip
    return values if start else {k: values[k] for k in ("owner_status", "paid_workers", "turnover")}


def build_groups_and_referrals(
    uow: Any,
    scale: Scale,
    rng: random.Random,
    everyone: list[dict[str, Any]],
    businesses: list[dict[str, Any]],
    today: dt.date,
) -> None:
    """Business follow-ups, groups with members and tiers, referrals with updates, in bulk, each
    with the history entry its command writes, in an open unit of work."""
    from up2k_cli.domain.groups import TIER_CODES
    from up2k_cli.services.common import bulk_entry, create_entry

    entries: list[dict[str, Any]] = []
    follow_ups = []
    for n in uow.reserve("business_follow_up", scale.follow_ups):
        business = rng.choice(businesses)
        on = max(today - dt.timedelta(days=rng.randrange(120)), dt.date.fromisoformat(business["started_on"]))
        record = {"id": f"UF{n:04d}", "business_id": business["id"], "on": on.isoformat(), "note": None}
        follow_ups.append({**record, **measures(rng, start=False)})
        entries.append(create_entry("business-follow-up", record["id"]))
    by_kelurahan: dict[str, list[dict[str, Any]]] = {}
    for c in everyone:
        by_kelurahan.setdefault(c["kelurahan_code"], []).append(c)
    pools = {k: iter(v) for k, v in by_kelurahan.items()}  # each cadre in one group
    groups, tiers, members = [], [], []
    for n in uow.reserve("group", scale.groups):
        code = rng.choice(sorted(by_kelurahan))
        formed = today - dt.timedelta(days=rng.randrange(60, 300))
        ident = f"G{n:04d}"
        groups.append(
            {
                "id": ident, "name": f"Kelompok {n}", "kelurahan_code": code, "rw": f"{n % 12 + 1:03d}",
                "formed_on": formed.isoformat(), "capital": rng.randrange(1, 120) * 1_000_000,
                "savings_loans": n % 3 == 0, "bookkeeping": n % 2 == 0, "reach": "kelurahan", "note": None,
            }
        )  # fmt: skip
        entries.append(create_entry("group", ident))
        joining = [c for c in (next(pools[code], None) for _ in range(rng.randint(5, 20))) if c]
        members.append((ident, formed, joining))
        for step, tier in enumerate(TIER_CODES[: rng.randint(0, 3)]):
            on = min(formed + dt.timedelta(days=30 + 60 * step), today)
            tiers.append({"group_id": ident, "tier": tier, "on": on.isoformat(), "facts": None})
    for n, tier in zip(uow.reserve("group_tier", len(tiers)), tiers, strict=True):
        tier["id"] = f"T{n:04d}"
        entries.append(create_entry("group-tier", tier["id"]))
    memberships = []
    numbers = iter(uow.reserve("membership", sum(len(joining) for _g, _f, joining in members)))
    for group, formed, joining in members:
        ids = []
        for cadre in joining:
            joined = max(formed, dt.date.fromisoformat(cadre["registered_on"])).isoformat()
            ids.append(f"M{next(numbers):04d}")
            memberships.append({"id": ids[-1], "group_id": group, "cadre_id": cadre["id"],
                                "joined_on": joined, "left_on": None, "leave_reason": None})  # fmt: skip
        if ids:  # one entry per join, as `group join` writes it
            entries.append(bulk_entry("membership", ids, "create", {"group": [None, group]}))
    referrals, updates = [], []
    agencies = ("Sudin PPKUKM", "Sudin KPKP", "DPMPTSP (PTSP)", "Bank DKI")
    for n in uow.reserve("referral", scale.referrals):
        business = rng.choice(businesses)
        on = max(today - dt.timedelta(days=rng.randrange(240)), dt.date.fromisoformat(business["started_on"]))
        ident = f"R{n:04d}"
        need = rng.choice(("nib", "pirt", "halal", "capital", "marketing", "mentoring"))
        referrals.append({"id": ident, "business_id": business["id"], "agency": rng.choice(agencies),
                          "need": need, "referred_on": on.isoformat(), "note": None})  # fmt: skip
        entries.append(create_entry("referral", ident))
        for status in ("contacted", "in-progress", rng.choice(("done", "closed")))[: rng.randint(0, 3)]:
            on = min(on + dt.timedelta(days=rng.randrange(1, 30)), today)
            outcome = {"capital": "capital", "marketing": "market"}.get(need) if status == "done" else None
            amount = rng.randrange(1, 50) * 1_000_000 if outcome == "capital" else None
            updates.append({"referral_id": ident, "on": on.isoformat(), "status": status, "outcome": outcome,
                            "nib": None, "pirt": None, "amount": amount, "source": None,
                            "note": "-" if status == "closed" else None})  # fmt: skip
    for n, update in zip(uow.reserve("referral_update", len(updates)), updates, strict=True):
        update["id"] = f"RU{n:04d}"
        entries.append(create_entry("referral-update", update["id"]))
    uow.business_follow_ups.add_many(follow_ups)
    uow.groups.add_many(groups)
    uow.memberships.add_many(memberships)
    uow.group_tiers.add_many(tiers)
    uow.referrals.add_many(referrals)
    uow.referral_updates.add_many(updates)
    uow.record_changes(entries)
