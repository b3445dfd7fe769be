"""The sample programme on top of the sample cadres: businesses with their workers and turnover
and dated follow-ups, income follow-ups with work status, UP2K groups at every tier, and
referrals at every status, so that a newcomer sees every figure of the registry filled.

Everything is fictional and deterministic: the same imported file gives the same registry.
It goes through up2k's own use cases (the rules every command applies), so run it with up2k
installed, on a registry holding just the import of kader-cilandak.csv:

    up2k init && up2k import cadres sample_data/kader-cilandak.csv
    python sample_data/programme.py            # the registry of $UP2K_DB (or --db PATH)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEED = 3174_06
LAST_DAY = dt.date(2026, 11, 27)  # the sample's last registration day; nothing happens after it
KELURAHAN = ("31.74.06.1001", "31.74.06.1002", "31.74.06.1003", "31.74.06.1004", "31.74.06.1005")


@dataclass(frozen=True)
class GroupPlan:
    """A sample group: its size, its joint capital at the first assessment (no books, no reach
    yet), and what it has at the end. Under the starting criteria the groups end Mandiri,
    Utama, Madya, Pemula, or below Pemula."""

    name: str
    members: int
    capital_then: str
    capital: str
    bookkeeping: bool = False
    reach: str | None = None
    savings_loans: bool = False


GROUPS: dict[str, tuple[GroupPlan, ...]] = {
    "31.74.06.1001": (GroupPlan("Kelompok UP2K Kenanga Mandiri", 20, "2 jt", "120 jt", True, "city", True),),
    "31.74.06.1002": (GroupPlan("Kelompok UP2K Mawar", 16, "3 jt", "30 jt", True, "kecamatan"),
                      GroupPlan("Kelompok UP2K Delman", 4, "500 rb", "1 jt")),
    "31.74.06.1003": (GroupPlan("Kelompok UP2K Melati", 11, "1 jt", "6 jt", True, "kelurahan"),
                      GroupPlan("Kelompok UP2K Pinang", 6, "1 jt", "2 jt", False, "neighbourhood")),
    "31.74.06.1004": (GroupPlan("Kelompok UP2K Cempaka", 8, "1 jt", "3 jt", True, "neighbourhood"),
                      GroupPlan("Kelompok UP2K Flamboyan", 7, "750 rb", "2 jt")),
    "31.74.06.1005": (GroupPlan("Kelompok UP2K Teratai", 12, "2 jt", "8 jt", True, "kelurahan"),
                      GroupPlan("Kelompok UP2K Kamboja", 5, "1 jt", "1,5 jt")),
}  # fmt: skip
BUSINESS_WORDS = {
    "Kuliner": ("Kue", "Katering", "Keripik", "Sambal", "Nasi Uduk"),
    "Fesyen/Konveksi": ("Jahit", "Konveksi", "Batik"),
    "Kerajinan": ("Tas Daur Ulang", "Anyaman", "Bunga Kering"),
    "Jasa": ("Servis", "Laundry", "Salon"),
    "Perdagangan/Warung": ("Warung", "Toko", "Kios"),
    "Pertanian perkotaan/Perikanan": ("Bibit", "Lele", "Hidroponik"),
    "Lainnya": ("Usaha",),
}


class Programme:
    """Runs each use case on the registry, one unit of work per step, as the commands do."""

    def __init__(self, db: Path, today: dt.date) -> None:
        from up2k_cli.storage import open_registry

        self.today = today
        self.open = lambda: open_registry(db, command="sample programme")
        self.rng = random.Random(SEED)
        self.counts: dict[str, int] = defaultdict(int)

    def __call__(self, what: str, use_case: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self.counts[what] += 1
        return use_case(self.open(), *args, today=self.today, **kwargs)

    def day(self, after: str, lo: int, hi: int, last: dt.date = LAST_DAY) -> dt.date:
        """A day `lo`-`hi` days after `after`, never past `last`."""
        return min(dt.date.fromisoformat(after) + dt.timedelta(days=self.rng.randint(lo, hi)), last)


def build(db: Path, today: dt.date) -> dict[str, int]:
    from up2k_cli.services import follow_ups, groups, outcomes, referrals

    run = Programme(db, today)
    rng = run.rng
    with run.open() as uow:
        cadres = sorted(uow.cadres.all(), key=lambda c: (len(c["id"]), c["id"]))
        if uow.groups.count() or uow.businesses.count():
            raise SystemExit("this registry has businesses or groups already: run on a fresh import")
    if len(cadres) != 100:
        raise SystemExit(f"expected the 100 cadres of kader-cilandak.csv, found {len(cadres)}")

    # Businesses: about half the cadres, started within three months of registering.
    businesses: list[tuple[str, dict[str, Any]]] = []
    for cadre in cadres:
        start = run.day(cadre["registered_on"], 7, 90, LAST_DAY - dt.timedelta(days=7))
        if rng.random() > 0.55 or start.isoformat() < cadre["registered_on"]:
            continue
        category = cadre["business_type"] or "Lainnya"
        family, paid = rng.choice((0, 0, 1, 1, 2)), rng.choice((0, 0, 0, 1, 2, 3))
        status = "helped-permanent" if paid else ("helped-temporary" if family else "own-account")
        fields = {"name": f"{rng.choice(BUSINESS_WORDS[category])} {cadre['name'].split()[0]}",
                  "category": category, "started_on": start.isoformat(), "owner_status": status,
                  "family_workers": str(family), "paid_workers": str(paid),
                  "paid_were_unemployed": str(rng.randint(0, paid)), "paid_local": str(paid),
                  "turnover": str(rng.choice((2, 3, 4, 5, 7, 9, 12, 15, 25)) * 1_000_000)}  # fmt: skip
        record = run("businesses", outcomes.add_business, cadre["id"], fields)
        businesses.append((cadre["id"], record))
    # A few owners start a second business: still one job each (jobs count people once).
    for owner, record in businesses[::12]:
        started = run.day(record["started_on"], 10, 40).isoformat()
        fields = {"name": f"Warung {record['name'].split()[-1]}", "category": "Perdagangan/Warung",
                  "started_on": started, "owner_status": "own-account", "turnover": "3 jt"}  # fmt: skip
        businesses.append((owner, run("businesses", outcomes.add_business, owner, fields)))
    # Two businesses grew past micro (12 x turnover over Rp 2 billion): small.
    for _owner, record in businesses[3:5]:
        run("business follow-ups", follow_ups.add_follow_up, record["id"],
            {"paid_workers": "6", "owner_status": "helped-permanent", "turnover": "180 jt"},
            on=run.day(record["started_on"], 20, 60))  # fmt: skip
    # About half measured again: more workers, more turnover.
    for _owner, record in businesses[5::2]:
        paid = int(record["paid_workers"] or 0) + rng.randint(1, 3)
        run("business follow-ups", follow_ups.add_follow_up, record["id"],
            {"paid_workers": str(paid), "paid_were_unemployed": str(rng.randint(0, paid)),
             "paid_local": str(paid), "owner_status": "helped-permanent",
             "turnover": str(int(record["turnover"]) + rng.choice((1, 2, 5)) * 1_000_000)},
            on=run.day(record["started_on"], 14, 75))  # fmt: skip

    # Income follow-ups with the work status then: most who looked for work found it.
    owners = {owner for owner, _record in businesses}
    for cadre in cadres:
        if cadre["work_status"] not in ("unemployed", "housekeeping") or rng.random() > 0.7:
            continue
        status = "working" if cadre["id"] in owners or rng.random() < 0.5 else cadre["work_status"]
        amount = (cadre["income"] or 1_500_000) + rng.choice((-1, 1, 2, 4)) * 250_000
        run("income follow-ups", outcomes.add_income, cadre["id"], str(max(amount, 500_000)),
            on=run.day(cadre["registered_on"], 30, 120), note="survei UP2K", work_status=status)  # fmt: skip

    # Groups: the tier history is built the way a coordinator builds it, assessing twice.
    by_kelurahan: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for cadre in cadres:
        by_kelurahan[cadre["kelurahan_code"]].append(cadre)
    made: list[tuple[str, GroupPlan]] = []
    for code in KELURAHAN:
        people = list(by_kelurahan[code])
        for plan in GROUPS[code]:
            members, people = people[: plan.members], people[plan.members :]
            formed = dt.date(2026, 2, 2) + dt.timedelta(days=rng.randint(0, 60))
            raw = {"name": plan.name, "kelurahan_code": code, "rw": str(rng.randint(1, 12)),
                   "formed_on": formed.isoformat(), "capital": plan.capital_then}  # fmt: skip
            group = run("groups", groups.add_group, raw)["id"]
            for cadre in members:
                joined = min(
                    max(formed, dt.date.fromisoformat(cadre["registered_on"])) + dt.timedelta(days=3),
                    LAST_DAY,
                )
                run("memberships", groups.join, group, [cadre["id"]], on=joined)
            made.append((group, plan))
    # One member moves to another group: her time in the first stays in its history.
    moved = by_kelurahan["31.74.06.1004"][8]
    run("memberships", groups.leave, "G0007", [moved["id"]], on=dt.date(2026, 11, 1), reason="pindah RT")
    run("memberships", groups.join, "G0006", [moved["id"]], on=dt.date(2026, 11, 1))
    for assessed_on, final in ((dt.date(2026, 7, 31), False), (dt.date(2026, 11, 26), True)):
        for group, plan in made if final else ():
            raw = {"capital": plan.capital, "bookkeeping": "ya" if plan.bookkeeping else "tidak",
                   "savings_loans": "ya" if plan.savings_loans else "tidak"}  # fmt: skip
            run(
                "group updates",
                groups.update_group,
                group,
                raw | ({"reach": plan.reach} if plan.reach else {}),
            )
        found = run("assessments", groups.assess, None, on=assessed_on)
        chosen = {a.group["id"]: a.proposal.tier for a in found if a.changes}
        run("assessments", groups.confirm, chosen, on=assessed_on)

    # Referrals at every status: some done (NIB, P-IRT, halal, capital, a market), some closed
    # without result, some open for weeks or months.
    nibs: set[str] = set()
    for index, (_owner, record) in enumerate(businesses):
        kuliner = record["category"] == "Kuliner"
        needs = (
            ["nib"]
            + (["pirt"] if kuliner else [])
            + [("capital", "marketing", "mentoring", "halal")[index % 4]]
        )
        for need in needs[: 1 + index % 3]:
            if need == "halal" and not kuliner:
                need = "marketing"
            referred = run.day(record["started_on"], 3, 40, LAST_DAY - dt.timedelta(days=2))
            agency = {"capital": rng.choice(("Bank DKI", "Sudin PPKUKM")), "mentoring": "OK OCE"}.get(need)
            ident = run("referrals", referrals.refer, record["id"], need=need, agency=agency, on=referred)[
                "id"
            ]
            fate = (index + len(need)) % 6
            if fate == 0:
                continue  # still open since it was referred
            contacted = run.day(referred.isoformat(), 2, 10, referred + dt.timedelta(days=10))
            if contacted > LAST_DAY:
                continue
            run("referral updates", referrals.update, ident, {"status": "contacted"}, on=contacted)
            if fate == 1:
                continue
            if fate == 2:
                run("referral updates", referrals.update, ident, {"status": "in-progress"},
                    on=run.day(contacted.isoformat(), 3, 20))  # fmt: skip
                continue
            finished = run.day(contacted.isoformat(), 5, 45)
            if fate == 3:
                why = rng.choice(
                    ("pemilik belum siap", "tidak hadir saat dihubungi", "usaha berhenti sementara")
                )
                run(
                    "referral updates",
                    referrals.update,
                    ident,
                    {"status": "closed", "note": why},
                    on=finished,
                )
                continue
            details = {"status": "done"}
            if need == "nib":
                while (nib := f"9120{rng.randrange(10**9):09d}") in nibs:
                    pass
                nibs.add(nib)
                details["nib"] = nib
            elif need == "pirt":
                details["pirt"] = f"2063174{rng.randrange(10**8):08d}"
            elif need == "capital":
                details |= {
                    "amount": f"{rng.choice((3, 5, 10, 25))} jt",
                    "source": rng.choice(("kur", "city")),
                }
            elif need == "marketing":
                details["note"] = rng.choice(("Bazar JakPreneur Cilandak", "Pasar Rakyat Lebak Bulus"))
            run("referral updates", referrals.update, ident, details, on=finished)
    return dict(run.counts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", default=os.environ.get("UP2K_DB"), help="registry file (default: $UP2K_DB)")
    args = parser.parse_args(argv)
    if not args.db:
        parser.error("name the registry with --db or UP2K_DB")
    fixed = os.environ.get("UP2K_TODAY")
    today = dt.date.fromisoformat(fixed) if fixed else dt.date.today()
    from up2k_cli.domain.errors import Up2kError

    try:
        counts = build(Path(args.db), today)
    except Up2kError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print("Sample programme: " + ", ".join(f"{n} {what}" for what, n in counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
