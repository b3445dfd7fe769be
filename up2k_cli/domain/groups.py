"""UP2K groups (kelompok UP2K-PKK): their fields, one group at a time per cadre, the tiers
Pemula / Madya / Utama / Mandiri and the locally set criteria that propose them. Pure rules."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from up2k_cli.i18n import N_, Msg

from . import validators as v
from .errors import ValidationError, ValidationErrors

# --- tiers and the criteria that propose them ------------------------------------------------

# PKK's own words, kept in every language (like the 7 PAS step names).
TIERS: tuple[v.Choice, ...] = (
    v.Choice("pemula", "Pemula", ("beginner", "1")),
    v.Choice("madya", "Madya", ("intermediate", "2")),
    v.Choice("utama", "Utama", ("advanced", "3")),
    v.Choice("mandiri", "Mandiri", ("independent", "self-reliant", "4")),
)
TIER_CODES = tuple(t.key for t in TIERS)
UNCLASSED = "unclassed"  # a group no tier was confirmed for (yet)

# How far a group sells, narrowest first.
REACHES: tuple[v.Choice, ...] = (
    v.Choice(
        "neighbourhood", N_("neighbourhood (RT/RW)"), ("rt", "rw", "rt/rw", "lingkungan", "neighborhood")
    ),
    v.Choice("kelurahan", "Kelurahan", ("kel", "urban village")),
    v.Choice("kecamatan", "Kecamatan", ("kec", "district")),
    v.Choice("city", N_("city (Jakarta)"), ("kota", "jakarta", "provinsi", "province")),
    v.Choice(
        "beyond", N_("beyond the city, online"), ("luar kota", "nasional", "online", "daring", "ekspor")
    ),
)
REACH_CODES = tuple(r.key for r in REACHES)

CRITERIA_FIELDS = ("members", "capital", "bookkeeping", "savings_loans", "reach")
# A starting point for the kecamatan's PKK to change (`up2k settings group-tiers`); PKK sets
# these criteria locally, and no national rule is implied.
DEFAULT_TIER_CRITERIA: dict[str, dict[str, Any]] = {
    "pemula": {"members": 5, "capital": 0, "bookkeeping": False, "savings_loans": False, "reach": None},
    "madya": {"members": 10, "capital": 5_000_000, "bookkeeping": True, "savings_loans": False,
              "reach": "kelurahan"},
    "utama": {"members": 15, "capital": 25_000_000, "bookkeeping": True, "savings_loans": False,
              "reach": "kecamatan"},
    "mandiri": {"members": 20, "capital": 100_000_000, "bookkeeping": True, "savings_loans": True,
                "reach": "city"},
}  # fmt: skip
CRITERIA_NOTE = N_(
    "The tier criteria are a starting point set by the kecamatan's PKK, not national rules; "
    "change them with 'up2k settings group-tiers'."
)
MAX_MEMBERS = 1000


def parse_tier(value: str | None, field: str = "tier") -> str:
    return v.match_choice(value, TIERS, field).key


def parse_reach(value: str | None, field: str = "reach") -> str:
    return v.match_choice(value, REACHES, field).key


def reach_rank(code: str | None) -> int:
    """-1 for unknown, then 0 (neighbourhood) up to 4 (beyond the city)."""
    return REACH_CODES.index(code) if code in REACH_CODES else -1


def tier_criteria(settings: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The criteria in force: the registry's setting, else the starting point."""
    stored = settings.get("group_tiers") or {}
    return {t: {**DEFAULT_TIER_CRITERIA[t], **(stored.get(t) or {})} for t in TIER_CODES}


def criteria_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the criteria given for one tier (members, capital, bookkeeping, savings and
    loans, reach; 'any' for no reach required), reporting every bad one."""
    parsers = {
        "members": lambda x: v.parse_count(x, "members", low=0, high=MAX_MEMBERS),
        "capital": lambda x: v.parse_money(x, "capital"),
        "bookkeeping": lambda x: v.parse_yes_no(x, "bookkeeping"),
        "savings_loans": lambda x: v.parse_yes_no(x, "savings-loans"),
        "reach": lambda x: None if str(x).strip().lower() in ("any", "-", "") else parse_reach(x),
    }
    return _parsed(raw, parsers)


def check_criteria(criteria: Mapping[str, Mapping[str, Any]]) -> None:
    """A higher tier never asks less than the one below it: the tiers stay in order."""
    errors = []
    for lower, higher in itertools.pairwise(TIER_CODES):
        low, high = criteria[lower], criteria[higher]
        for name in CRITERIA_FIELDS:
            rank = reach_rank if name == "reach" else (lambda x: int(x or 0))
            if rank(high[name]) < rank(low[name]):
                errors.append(
                    ValidationError(
                        f"{higher} {name}",
                        high[name],
                        Msg(
                            N_("asks less than {lower} ({value}); a higher tier cannot ask less"),
                            lower=lower.capitalize(),
                            value=str(low[name]),
                        ),
                    )
                )
    if errors:
        raise ValidationErrors(errors)


@dataclass(frozen=True)
class Facts:
    """What the criteria are checked against: a group as it stands on a day."""

    members: int
    capital: int
    bookkeeping: bool
    savings_loans: bool
    reach: str | None


@dataclass(frozen=True)
class Proposal:
    tier: str | None  # the highest tier whose criteria (and those below) the group meets
    next_tier: str | None
    lacks: tuple[Msg, ...]  # what the group lacks for the next tier


def unmet(facts: Facts, wanted: Mapping[str, Any]) -> list[Msg]:
    """The criteria of one tier a group does not meet, said the way a coordinator reads them."""
    missing = []
    if facts.members < wanted["members"]:
        missing.append(Msg(N_("members {have} of {need}"), have=facts.members, need=wanted["members"]))
    if facts.capital < wanted["capital"]:
        missing.append(
            Msg(
                N_("joint capital {have} of {need}"),
                have=v.format_rupiah(facts.capital),
                need=v.format_rupiah(wanted["capital"]),
            )
        )
    if wanted["bookkeeping"] and not facts.bookkeeping:
        missing.append(Msg(N_("bookkeeping")))
    if wanted["savings_loans"] and not facts.savings_loans:
        missing.append(Msg(N_("savings and loans")))
    if wanted["reach"] and reach_rank(facts.reach) < reach_rank(wanted["reach"]):
        missing.append(Msg(N_("marketing reach {reach}"), reach=v.choice_label(wanted["reach"], REACHES)))
    return missing


def propose(facts: Facts, criteria: Mapping[str, Mapping[str, Any]]) -> Proposal:
    """The tier a group's facts meet, climbing from Pemula and stopping at the first it misses."""
    reached = None
    for tier in TIER_CODES:
        missing = unmet(facts, criteria[tier])
        if missing:
            return Proposal(reached, tier, tuple(missing))
        reached = tier
    return Proposal(reached, None, ())


def tier_label(code: str | None) -> str:
    """A tier's name, or 'not classed' for a group without one."""
    return v.choice_label(code, TIERS) or Msg(N_("not classed"))


# --- groups and memberships -------------------------------------------------------------------


def _parsed(raw: Mapping[str, Any], parsers: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    errors: list[ValidationError] = []
    for key, parse in parsers.items():
        if key not in raw:
            continue
        try:
            out[key] = parse(raw[key])
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationErrors(errors)
    return out


def group_fields(
    raw: Mapping[str, Any], kelurahan: tuple[v.Choice, ...], today: dt.date, *, partial: bool
) -> dict[str, Any]:
    """Validate group input (name, kelurahan, RW, formed, capital, savings and loans,
    bookkeeping, reach, note), reporting every bad field at once."""
    parsers = {
        "name": lambda x: v.parse_text(x, "name", required=True, limit=100),
        "kelurahan_code": lambda x: v.match_choice(x, kelurahan, "kelurahan").key,
        "rw": lambda x: v.parse_rt_rw(x, "rw") if x else None,
        "formed_on": lambda x: v.not_in_future(v.parse_date(x, "formed"), "formed", today).isoformat(),
        "capital": lambda x: v.parse_money(x, "capital"),
        "savings_loans": lambda x: v.parse_yes_no(x, "savings-loans"),
        "bookkeeping": lambda x: v.parse_yes_no(x, "bookkeeping"),
        "reach": parse_reach,
        "note": lambda x: v.parse_text(x, "note") or None,
    }
    errors: list[ValidationError] = []
    if not partial:
        for key, field, option in (("name", "name", "NAME"), ("kelurahan_code", "kelurahan", "--kelurahan"),
                                   ("formed_on", "formed", "--formed")):  # fmt: skip
            if raw.get(key) in (None, ""):
                errors.append(ValidationError(field, None, Msg(N_("required: give the {name}"), name=option)))
    try:
        out = _parsed(raw, parsers)
    except ValidationErrors as exc:
        errors += exc.errors
        out = {}
    if errors:
        raise ValidationErrors(errors)
    return out


def member_on(membership: Mapping[str, Any], day: str) -> bool:
    """A member at the end of `day`: joined on or before it, and not left by then."""
    left = membership.get("left_on")
    return membership["joined_on"] <= day and (left is None or left > day)


def current(memberships: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The memberships not ended: a cadre has at most one."""
    return [m for m in memberships if m.get("left_on") is None]


def tier_on(tiers: Iterable[Mapping[str, Any]], day: str) -> Mapping[str, Any] | None:
    """The tier record in force at the end of `day`: the last confirmed on or before it."""
    found = None
    for record in sorted(tiers, key=lambda t: (t["on"], len(t["id"]), t["id"])):
        if record["on"] <= day:
            found = record
    return found


# --- report periods ---------------------------------------------------------------------------

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")


@dataclass(frozen=True)
class Period:
    """A year or a month a report covers; `day` is its last day, or today while it runs."""

    label: str
    start: dt.date
    end: dt.date
    day: dt.date


def parse_period(value: str | None, today: dt.date) -> Period:
    """'2027' or '2027-03' (default: the current month); a period not begun yet is refused."""
    text = (value or f"{today.year}-{today.month:02d}").strip()
    m = _PERIOD.match(text)
    month = int(m[2]) if m and m[2] else None
    if not m or (month is not None and not 1 <= month <= 12) or not 1900 < int(m[1]) < 3000:
        raise ValidationError("period", value, Msg(N_("write a year (2027) or a month (2027-03)")))
    year = int(m[1])
    if month is None:
        start, end, label = dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}"
    else:
        start = dt.date(year, month, 1)
        end = (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
        label = f"{year}-{month:02d}"
    if start > today:
        raise ValidationError("period", value, v.in_future(today))
    return Period(label, start, end, min(end, today))
