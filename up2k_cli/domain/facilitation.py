"""The figures of `report facilitation`: per agency and need, how many businesses were referred,
are still open, done, closed without result; the median days to an outcome; open referrals
older than 30 and 90 days (the list an agency meeting goes through); capital received. As of a
day. Pure: records in, dataclasses out."""

from __future__ import annotations

import datetime as dt
import heapq
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from up2k_cli.i18n import N_, Msg

from .errors import ValidationError
from .referrals import CLOSED, DONE, NEED_CODES, OPEN, days_between, standing

OVERDUE_DAYS = (30, 90)
# How many of the open referrals past 30 days a report lists, the oldest first, unless asked
# (`report facilitation --overdue N|all`): an agency meeting goes through a page, not 137,000 lines.
OVERDUE_LISTED = 20
ALL = "all"


@dataclass(frozen=True)
class FacilitationFigures:
    referred: int = 0
    open: int = 0  # referred, contacted or in progress on the day
    done: int = 0
    closed: int = 0  # closed without result
    median_days_to_outcome: float | None = None  # over the done ones: referred -> done
    open_over_30: int = 0  # open, referred more than 30 days before the day
    open_over_90: int = 0
    capital_received: int = 0  # Rupiah, from the outcomes 'capital received'


@dataclass(frozen=True)
class FacilitationLine:
    agency: str  # "" on the total line
    need: str | None  # None on an agency's line and on the total
    figures: FacilitationFigures


@dataclass(frozen=True)
class OpenReferral:
    """An open referral past 30 days: IDs and facts only, no personal data."""

    id: str
    business_id: str
    kelurahan_code: str | None
    agency: str
    need: str
    referred_on: str
    status: str
    since: str  # the day of its last update (or of the referral)
    days_open: int
    kelurahan: str = ""  # the kelurahan's name


@dataclass(frozen=True)
class FacilitationReport:
    as_of: str
    lines: tuple[FacilitationLine, ...]  # per agency and need, agencies in name order
    agencies: tuple[FacilitationLine, ...]  # per agency, every need
    total: FacilitationLine
    overdue: tuple[OpenReferral, ...]  # open over 30 days, the oldest first: at most the limit asked
    overdue_total: int  # how many are open over 30 days in all (= total.figures.open_over_30)


def overdue_limit(value: int | str | None) -> int | None:
    """How many overdue referrals to list: a whole number from 0, or 'all' (None: every one)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    text = value.strip() if isinstance(value, str) else ""
    if text.lower() == ALL:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    raise ValidationError("overdue", value, Msg(N_("use a whole number from 0, or all to list every one")))


def facilitation_report(
    day: dt.date,
    referrals: Iterable[Mapping[str, Any]],
    updates: Iterable[Mapping[str, Any]],
    kelurahan_of: Mapping[str, str],
    names: Mapping[str, str] | None = None,
    overdue_listed: int | str | None = OVERDUE_LISTED,
) -> FacilitationReport:
    """`kelurahan_of` gives each business's kelurahan code (its owner's), `names` the kelurahan's
    names by code; `overdue_listed` how many of the overdue ones to list (overdue_limit)."""
    limit = overdue_limit(overdue_listed)
    iso = day.isoformat()
    by_referral: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for u in updates:
        by_referral[u["referral_id"]].append(u)
    tally: dict[tuple[str, str | None], dict[str, Any]] = defaultdict(
        lambda: {"counts": defaultdict(int), "days": [], "capital": 0}
    )
    overdue = []
    for r in referrals:
        now = standing(r, by_referral.get(r["id"], ()), iso)
        if now is None:
            continue
        age = days_between(r["referred_on"], iso)
        keys = ((r["agency"], r["need"]), (r["agency"], None), ("", None))
        for key in keys:
            t = tally[key]
            t["counts"]["referred"] += 1
            if now.status in OPEN:
                t["counts"]["open"] += 1
                t["counts"]["open_over_30"] += age > OVERDUE_DAYS[0]
                t["counts"]["open_over_90"] += age > OVERDUE_DAYS[1]
            elif now.status == DONE:
                t["counts"]["done"] += 1
                t["days"].append(days_between(r["referred_on"], now.since))
                if now.final is not None and now.final.get("outcome") == "capital":
                    t["capital"] += now.final.get("amount") or 0
            elif now.status == CLOSED:
                t["counts"]["closed"] += 1
        if now.status in OPEN and age > OVERDUE_DAYS[0]:
            overdue.append(
                OpenReferral(r["id"], r["business_id"], kelurahan_of.get(r["business_id"]), r["agency"],
                             r["need"], r["referred_on"], now.status, now.since, age,
                             (names or {}).get(kelurahan_of.get(r["business_id"]) or "", ""))
            )  # fmt: skip

    def line(key: tuple[str, str | None]) -> FacilitationLine:
        t = tally.get(key) or {"counts": {}, "days": [], "capital": 0}
        figures = FacilitationFigures(
            **t["counts"],
            median_days_to_outcome=float(statistics.median(t["days"])) if t["days"] else None,
            capital_received=t["capital"],
        )
        return FacilitationLine(key[0], key[1], figures)

    listed = (
        sorted(overdue, key=oldest_first) if limit is None else heapq.nsmallest(limit, overdue, oldest_first)
    )
    agencies = sorted({a for a, need in tally if a and need is None})
    pairs = sorted((k for k in tally if k[1] is not None), key=lambda k: (k[0], NEED_CODES.index(str(k[1]))))
    return FacilitationReport(
        as_of=iso,
        lines=tuple(line(k) for k in pairs),
        agencies=tuple(line((a, None)) for a in agencies),
        total=line(("", None)),
        overdue=tuple(listed),
        overdue_total=len(overdue),
    )


def oldest_first(o: OpenReferral) -> tuple[str, str]:
    return (o.referred_on, o.id)
