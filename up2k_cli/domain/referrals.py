"""Facilitation followed through: a business referred to an agency for a need, dated updates,
and the outcome that writes through to the business and its owner's 7 PAS steps. Pure rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from up2k_cli.i18n import N_, Msg

from . import outcomes as outcome_rules
from . import validators as v
from .errors import RuleViolation, ValidationError, ValidationErrors

NEEDS: tuple[v.Choice, ...] = (
    v.Choice("nib", "NIB", ("oss", "nomor induk berusaha", "business registration")),
    v.Choice("pirt", "P-IRT", ("spp-irt", "sppirt", "izin pangan", "food licence", "food license")),
    v.Choice("halal", N_("halal certificate"), ("sertifikat halal", "halal")),
    v.Choice("capital", N_("capital"), ("modal", "permodalan", "kur", "pinjaman", "loan")),
    v.Choice("marketing", N_("marketing"), ("pemasaran", "market", "bazar", "bazaar", "pasar")),
    v.Choice("mentoring", N_("mentoring"), ("pendampingan", "coaching")),
)
NEED_CODES = tuple(n.key for n in NEEDS)

REFERRED, CONTACTED, IN_PROGRESS, DONE, CLOSED = "referred", "contacted", "in-progress", "done", "closed"
# The statuses an update sets (a referral starts as 'referred').
UPDATE_STATUSES: tuple[v.Choice, ...] = (
    v.Choice(CONTACTED, N_("contacted"), ("dihubungi", "contact")),
    v.Choice(IN_PROGRESS, N_("in progress"), ("diproses", "proses", "progress", "in progress")),
    v.Choice(DONE, N_("done"), ("selesai", "berhasil", "finished")),
    v.Choice(CLOSED, N_("closed without result"), ("ditutup", "tutup", "gagal", "closed")),
)
STATUS_CODES = (REFERRED, *(s.key for s in UPDATE_STATUSES))
STATUS_LABELS = {REFERRED: N_("referred"), **{s.key: s.label for s in UPDATE_STATUSES}}
OPEN = frozenset({REFERRED, CONTACTED, IN_PROGRESS})

OUTCOMES: tuple[v.Choice, ...] = (
    v.Choice("nib", N_("NIB issued"), ("oss",)),
    v.Choice("pirt", N_("P-IRT issued"), ("spp-irt", "sppirt")),
    v.Choice("halal", N_("halal certified"), ("sertifikat halal",)),
    v.Choice("capital", N_("capital received"), ("modal", "kur", "pinjaman")),
    v.Choice(
        "market", N_("joined a market or bazaar"), ("marketing", "pemasaran", "bazar", "bazaar", "pasar")
    ),
)
OUTCOME_CODES = tuple(o.key for o in OUTCOMES)
# The outcome that answers each need, when an update says only 'done'.
NEED_OUTCOME: dict[str, str | None] = {
    "nib": "nib", "pirt": "pirt", "halal": "halal", "capital": "capital", "marketing": "market",
    "mentoring": None,
}  # fmt: skip

SOURCES: tuple[v.Choice, ...] = (
    v.Choice("kur", "KUR", ("kredit usaha rakyat",)),
    v.Choice("bank", N_("bank loan"), ("kredit bank", "pinjaman bank")),
    v.Choice(
        "city",
        N_("city programme"),
        ("pemprov", "pemda", "program kota", "jakpreneur", "dki", "city program"),
    ),
    v.Choice("csr", "CSR", ("tjsl",)),
    v.Choice("cooperative", N_("cooperative"), ("koperasi",)),
    v.Choice("other", N_("other"), ("lainnya", "lain")),
)
SOURCE_CODES = tuple(s.key for s in SOURCES)


def parse_need(value: str | None) -> str:
    return v.match_choice(value, NEEDS, "need").key


def parse_status(value: str | None) -> str:
    return v.match_choice(value, UPDATE_STATUSES, "status").key


def parse_outcome(value: str | None) -> str:
    return v.match_choice(value, OUTCOMES, "outcome").key


def parse_source(value: str | None) -> str:
    return v.match_choice(value, SOURCES, "source").key


def default_agency(business: Mapping[str, Any], need: str, settings: Mapping[str, Any]) -> str:
    """Who a need goes to when no agency is named: licences to the one-stop service, the rest
    to the agency the registry's map gives the business's category."""
    if need in ("nib", "pirt"):
        return settings.get("licensing_agency") or outcome_rules.DEFAULT_LICENSING_AGENCY
    return outcome_rules.agency_for(business["category"], settings["agency_map"])


def agency_name(value: str | None, settings: Mapping[str, Any]) -> str:
    """An agency as typed, spelt as the registry knows it when it is one of the map's (so that
    'sudin ppkukm' and 'Sudin PPKUKM' count as one in reports)."""
    text = v.parse_text(value, "agency", required=True, limit=80)
    known = [*settings["agency_map"].values(), settings.get("licensing_agency") or ""]
    wanted = v.normalise_label(text)
    return next((a for a in known if a and v.normalise_label(a) == wanted), text)


# --- where a referral stands ------------------------------------------------------------------


def update_order(record: Mapping[str, Any]) -> tuple[str, int, str]:
    ident = str(record.get("id") or "")
    return (record["on"], len(ident), ident)


@dataclass(frozen=True)
class Standing:
    """A referral at the end of a day: its status, since when, and its final update if any."""

    status: str
    since: str
    final: Mapping[str, Any] | None = None


def standing(referral: Mapping[str, Any], updates: Iterable[Mapping[str, Any]], day: str) -> Standing | None:
    """Where the referral stood at the end of `day`; None if it was not yet made."""
    if referral["referred_on"] > day:
        return None
    result = Standing(REFERRED, referral["referred_on"])
    for u in sorted(updates, key=update_order):
        if u["on"] > day:
            break
        result = Standing(u["status"], u["on"], u if u["status"] in (DONE, CLOSED) else None)
    return result


def days_between(first: str, last: str) -> int:
    return (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days


# --- an update ---------------------------------------------------------------------------------


@dataclass
class WriteThrough:
    """What an outcome changes outside the referral: business fields and a 7 PAS step."""

    business: dict[str, Any] = field(default_factory=dict)
    step: str | None = None


DETAILS = {"nib": "nib", "pirt": "pirt", "amount": "capital", "source": "capital"}


def update_fields(
    referral: Mapping[str, Any],
    updates: Iterable[Mapping[str, Any]],
    raw: Mapping[str, Any],
    *,
    on: dt.date,
    today: dt.date,
) -> dict[str, Any]:
    """Validate an update against the referral's past: a date in order, an open referral, an
    outcome only with 'done' (defaulting to the one that answers the need) and with its details,
    a reason for closing without result. Returns the update's fields."""
    past = sorted(updates, key=update_order)
    now = standing(referral, past, "9999-12-31")
    assert now is not None
    if now.status not in OPEN:
        raise RuleViolation(
            Msg(
                N_("referral {id} is {status} since {date}; refer the business again for a new need"),
                id=referral["id"],
                status=Msg(STATUS_LABELS[now.status]),
                date=dt.date.fromisoformat(now.since),
            ).localised()
        )
    errors: list[ValidationError] = []
    out: dict[str, Any] = {"status": None, "outcome": None, "nib": None, "pirt": None, "amount": None,
                           "source": None, "note": None}  # fmt: skip

    def attempt(key: str, parse: Any) -> None:
        try:
            out[key] = parse()
        except ValidationError as exc:
            errors.append(exc)

    attempt("status", lambda: parse_status(raw.get("status")))
    day = on.isoformat()
    earliest = past[-1]["on"] if past else referral["referred_on"]
    if on > today:
        errors.append(ValidationError("date", day, v.in_future(today)))
    elif day < earliest:
        errors.append(
            ValidationError(
                "date",
                day,
                Msg(
                    N_("is before {date}, when {id} was referred or last updated; updates go in date order"),
                    id=referral["id"],
                    date=dt.date.fromisoformat(earliest),
                ),
            )
        )
    attempt("note", lambda: v.parse_text(raw.get("note"), "note") or None)
    status = out["status"]
    if raw.get("outcome"):
        attempt("outcome", lambda: parse_outcome(raw["outcome"]))
        if status and status != DONE:
            errors.append(ValidationError("outcome", raw["outcome"], Msg(N_("goes with --status done"))))
    elif status == DONE:
        out["outcome"] = NEED_OUTCOME[referral["need"]]
    if status == CLOSED and not out["note"]:
        errors.append(ValidationError("note", None, Msg(N_("required to close without result: say why"))))
    outcome = out["outcome"] if status == DONE else None
    parsers = {
        "nib": lambda: outcome_rules.parse_nib(raw["nib"]),
        "pirt": lambda: outcome_rules.parse_pirt(raw["pirt"]),
        "amount": lambda: v.parse_money(raw["amount"], "amount"),
        "source": lambda: parse_source(raw["source"]),
    }
    for key, parse in parsers.items():
        wanted_with = DETAILS[key]
        if raw.get(key):
            if outcome != wanted_with:
                errors.append(
                    ValidationError(
                        key,
                        raw[key],
                        Msg(N_("goes with --status done --outcome {outcome}"), outcome=wanted_with),
                    )
                )
            else:
                attempt(key, parse)
        elif outcome == wanted_with and key != "source":
            errors.append(
                ValidationError(key, None, Msg(N_("required for outcome {outcome}: give --{key}"),
                                               outcome=wanted_with, key=key))
            )  # fmt: skip
    if errors:
        raise ValidationErrors(errors)
    return {"on": day, **out}


def write_through(update: Mapping[str, Any]) -> WriteThrough:
    """An outcome's effect: an issued NIB or P-IRT fills the business's number (and so its
    perizinan step), halal sets its flag; capital received reaches permodalan, a market
    pemasaran."""
    outcome = update.get("outcome") if update.get("status") == DONE else None
    if outcome == "nib":
        return WriteThrough(business={"nib": update["nib"]})
    if outcome == "pirt":
        return WriteThrough(business={"pirt": update["pirt"]})
    if outcome == "halal":
        return WriteThrough(business={"halal": True})
    if outcome == "capital":
        return WriteThrough(step="permodalan")
    if outcome == "market":
        return WriteThrough(step="pemasaran")
    return WriteThrough()
