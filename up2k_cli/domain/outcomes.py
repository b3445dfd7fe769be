"""What training leads to: businesses, their licences and referral agency, the OK OCE 7 PAS steps,
and household income. Pure rules over plain records."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Iterable, Mapping
from typing import Any

from up2k_cli.i18n import N_, Msg

from . import validators as v
from .cadre import BUSINESS_CATEGORIES
from .errors import ValidationError, ValidationErrors
from .work import measures

# --- 7 PAS (7 Langkah Pasti Akan Sukses), in order -------------------------------------------
STEPS: tuple[tuple[str, str], ...] = (
    ("pendaftaran", "registration"),
    ("pelatihan", "training"),
    ("pendampingan", "mentoring"),
    ("perizinan", "licensing"),
    ("pemasaran", "marketing"),
    ("pelaporan-keuangan", "financial reporting"),
    ("permodalan", "access to capital"),
)
STEP_NAMES = tuple(name for name, _ in STEPS)
# Steps the registry reaches by itself, and how; the others are recorded with `up2k step`.
AUTOMATIC_STEPS = {
    "pendaftaran": N_("reached at registration"),
    "pelatihan": N_("reached when a training batch is completed"),
    "perizinan": N_("reached when a business has an NIB or P-IRT (business add/update --nib/--pirt)"),
}
RECORDABLE_STEPS = tuple(s for s in STEP_NAMES if s not in AUTOMATIC_STEPS)
STEP_CHOICES = tuple(
    v.Choice(name, name, (gloss, name.replace("-", " "), str(i + 1))) for i, (name, gloss) in enumerate(STEPS)
)


def parse_step(value: str | None) -> str:
    return v.match_choice(value, STEP_CHOICES, "step").key


# --- businesses ------------------------------------------------------------------------------

KULINER = "Kuliner"
DEFAULT_AGENCY_MAP: dict[str, str] = {
    "Kuliner": "Sudin PPKUKM",
    "Fesyen/Konveksi": "Sudin PPKUKM",
    "Kerajinan": "Sudin PPKUKM",
    "Jasa": "Sudin PPKUKM",
    "Perdagangan/Warung": "Sudin PPKUKM",
    "Pertanian perkotaan/Perikanan": "Sudin KPKP",
    "Lainnya": "Sudin PPKUKM",
}
# A culinary business without a P-IRT is also referred to the one-stop service for the licence.
DEFAULT_LICENSING_AGENCY = "DPMPTSP (PTSP)"

_DIGITS = re.compile(r"[\s.\-/]")


def parse_category(value: str | None) -> str:
    return v.match_choice(value, BUSINESS_CATEGORIES, "category").label


def parse_nib(value: str | None) -> str:
    """NIB (Nomor Induk Berusaha): exactly 13 digits, as OSS issues it."""
    digits = _DIGITS.sub("", (value or "").strip())
    if not (digits.isascii() and digits.isdigit() and len(digits) == 13):
        raise ValidationError("nib", value, Msg(N_("an NIB is 13 digits (from oss.go.id)")))
    return digits


def parse_pirt(value: str | None) -> str:
    """SPP-IRT / P-IRT number: 15 or more digits."""
    digits = _DIGITS.sub("", (value or "").strip())
    if not (digits.isascii() and digits.isdigit() and 15 <= len(digits) <= 20):
        raise ValidationError("pirt", value, Msg(N_("a P-IRT number has 15 or more digits (up to 20)")))
    return digits


def business_fields(raw: Mapping[str, Any], today: dt.date, *, partial: bool) -> dict[str, Any]:
    """Validate business input, reporting every bad field at once (the owner status, workers and
    turnover too: domain/work.py)."""
    parsers = {
        "name": lambda x: v.parse_text(x, "name", required=True, limit=120),
        "category": parse_category,
        "started_on": lambda x: v.not_in_future(v.parse_date(x, "started"), "started", today).isoformat(),
        "nib": lambda x: parse_nib(x) if x else None,
        "pirt": lambda x: parse_pirt(x) if x else None,
        "halal": lambda x: v.parse_yes_no(x, "halal"),
        "address": lambda x: v.parse_text(x, "address") or None,
    }
    out: dict[str, Any] = {}
    errors: list[ValidationError] = []
    for key, parse in parsers.items():
        if key not in raw:
            if not partial and key in ("name", "category"):
                errors.append(ValidationError(key, None, Msg(N_("required: give the --{name}"), name=key)))
            continue
        try:
            out[key] = parse(raw[key])
        except ValidationError as exc:
            errors.append(exc)
    measured, bad = measures(raw)
    out.update(measured)
    errors += bad
    if errors:
        raise ValidationErrors(errors)
    return out


def agency_for(category: str, agency_map: Mapping[str, str]) -> str:
    return agency_map.get(category) or agency_map.get("Lainnya") or "Sudin PPKUKM"


def referrals(business: Mapping[str, Any], settings: Mapping[str, Any]) -> list[str]:
    """Agencies a business is referred to: by category, plus licensing for food without P-IRT."""
    agencies = [agency_for(business["category"], settings["agency_map"])]
    if business["category"] == KULINER and not business.get("pirt"):
        licensing = settings.get("licensing_agency") or DEFAULT_LICENSING_AGENCY
        if licensing not in agencies:
            agencies.append(licensing)
    return agencies


def lacks(business: Mapping[str, Any]) -> list[str]:
    """What a business still needs: an NIB always; a P-IRT and halal certificate for food."""
    missing = []
    if not business.get("nib"):
        missing.append("NIB")
    if business["category"] == KULINER:
        if not business.get("pirt"):
            missing.append("P-IRT")
        if not business.get("halal"):
            missing.append("halal")
    return missing


def business_start(business: Mapping[str, Any]) -> str:
    """When a business counts as started: its start date, or the day it was added."""
    return business.get("started_on") or business["added_on"]


def since_start(business: Mapping[str, Any], on: dt.date, today: dt.date, field: str = "date") -> str:
    """A day in a business's life (a follow-up, a referral): not in the future, not before it
    started. Returns the ISO date."""
    day = v.not_in_future(on, field, today).isoformat()
    start = business_start(business)
    if day < start:
        raise ValidationError(
            field,
            day,
            Msg(N_("is before {id} started ({date})"), id=business["id"], date=dt.date.fromisoformat(start)),
        )
    return day


def licensed_on(business: Mapping[str, Any]) -> str | None:
    return business.get("licensed_on") if (business.get("nib") or business.get("pirt")) else None


# --- steps reached ----------------------------------------------------------------------------


def steps_reached(
    cadre: Mapping[str, Any],
    completions: Mapping[str, str],
    mentoring: Mapping[str, str],
    licences: Mapping[str, str],
    recorded: Iterable[Mapping[str, Any]],
    day: str,
) -> dict[str, str]:
    """step -> the first day it was reached, up to `day`. Steps may come in any order."""
    cid = cadre["id"]
    # Called for every cadre of a report: plain comparisons, no helper call per step.
    reached: dict[str, str] = {}
    for step, on in (
        ("pendaftaran", cadre["registered_on"]),
        ("pelatihan", completions.get(cid)),
        ("pendampingan", mentoring.get(cid)),
        ("perizinan", licences.get(cid)),
    ):
        if on and on <= day:
            reached[step] = on
    for record in recorded:
        step, on = record["step"], record["on"]
        if on and on <= day and (step not in reached or on < reached[step]):
            reached[step] = on
    return reached


def in_order_reached(reached: Mapping[str, str]) -> list[tuple[str, str]]:
    """Steps in the order they were reached (ties in 7 PAS order)."""
    return sorted(reached.items(), key=lambda kv: (kv[1], STEP_NAMES.index(kv[0])))


# --- income ----------------------------------------------------------------------------------


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def income_change(baseline: int, latest: int) -> tuple[int, float | None]:
    """(change in Rupiah, change in percent of the baseline)."""
    change = latest - baseline
    return change, (100.0 * change / baseline if baseline else None)
