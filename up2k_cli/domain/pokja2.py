"""The figures of `report pokja2`: the UP2K part of PKK's "Data Kegiatan PKK Pokja II" recap,
groups and their members by tier (Pemula, Madya, Utama, Mandiri, and not classed yet) per
kelurahan and in total, at the end of a year or a month. Pure: records in, dataclasses out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .groups import TIER_CODES, UNCLASSED, Period, member_on, tier_on

COLUMNS = (*TIER_CODES, UNCLASSED)


@dataclass(frozen=True)
class TierCount:
    groups: int = 0
    members: int = 0


@dataclass(frozen=True)
class Pokja2Line:
    key: str  # the kelurahan code, or "" for the total
    label: str  # the kelurahan's name or the category; "" on the total line
    tiers: Mapping[str, TierCount]  # every tier of COLUMNS, in that order

    @property
    def groups(self) -> int:
        return sum(t.groups for t in self.tiers.values())

    @property
    def members(self) -> int:
        return sum(t.members for t in self.tiers.values())


@dataclass(frozen=True)
class Pokja2Report:
    period: str  # 2027 or 2027-03
    start: str
    end: str
    as_of: str  # the day counted: the period's end, or today while it runs
    kelurahan: tuple[Pokja2Line, ...]
    total: Pokja2Line


def pokja2_report(
    period: Period,
    kelurahan: Mapping[str, str],
    groups: Iterable[Mapping[str, Any]],
    memberships: Iterable[Mapping[str, Any]],
    tiers: Iterable[Mapping[str, Any]],
) -> Pokja2Report:
    """Groups formed by the period's day, each in the tier in force then, with the members it
    had at the end of that day."""
    day = period.day.isoformat()
    members: dict[str, int] = defaultdict(int)
    for m in memberships:
        if member_on(m, day):
            members[m["group_id"]] += 1
    tiers_of: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for t in tiers:
        tiers_of[t["group_id"]].append(t)
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: {c: [0, 0] for c in COLUMNS})
    for g in groups:
        if g["formed_on"] > day:
            continue
        record = tier_on(tiers_of.get(g["id"], ()), day)
        tier = record["tier"] if record else UNCLASSED
        for key in (g["kelurahan_code"], ""):
            counts[key][tier][0] += 1
            counts[key][tier][1] += members[g["id"]]

    def line(key: str, label: str) -> Pokja2Line:
        found = counts.get(key) or {c: [0, 0] for c in COLUMNS}
        return Pokja2Line(key, label, {c: TierCount(*found[c]) for c in COLUMNS})

    return Pokja2Report(
        period=period.label,
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        as_of=day,
        kelurahan=tuple(line(code, name) for code, name in sorted(kelurahan.items())),
        total=line("", ""),
    )


# The form's signature block, from the registry's settings (`up2k settings pokja2`).
SIGNATURE_FIELDS = ("place", "signer_title", "signer_name")
SIGNATURE_LIMIT = 120


def signature_settings(settings: Mapping[str, Any]) -> dict[str, str]:
    """The signature block in force: place, the signer's title and name ("" when not set)."""
    stored = settings.get("pokja2") or {}
    return {k: str(stored.get(k) or "") for k in SIGNATURE_FIELDS}
