"""Work and jobs: a cadre's work status, a business's owner status (Sakernas), its workers and
turnover, and its size under PP 7/2021. Pure rules over plain records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from up2k_cli.i18n import N_, Msg

from . import validators as v
from .errors import ValidationError, ValidationErrors

# --- a person's work status (registration, income follow-ups) ---------------------------------

WORKING, UNEMPLOYED, HOUSEKEEPING, SCHOOL, OTHER = "working", "unemployed", "housekeeping", "school", "other"
# Stable codes in CSV/JSON; the labels are msgids shown in the reader's language. Aliases are
# the ways kelurahan sheets write them (Sakernas: open unemployment = without work and looking).
WORK_STATUSES: tuple[v.Choice, ...] = (
    v.Choice(WORKING, N_("working"), ("bekerja", "kerja", "employed", "wiraswasta", "karyawan", "berusaha")),
    v.Choice(
        UNEMPLOYED,
        N_("looking for work"),
        ("mencari kerja", "mencari pekerjaan", "menganggur", "pengangguran", "looking", "jobless"),
    ),
    v.Choice(
        HOUSEKEEPING,
        N_("housekeeping"),
        ("mengurus rumah tangga", "ibu rumah tangga", "irt", "rumah tangga", "homemaker"),
    ),
    v.Choice(SCHOOL, N_("in school"), ("sekolah", "student", "pelajar", "mahasiswa", "kuliah")),
    v.Choice(OTHER, N_("other"), ("lainnya", "lain", "lain-lain", "others")),
)
WORK_STATUS_CODES = tuple(c.key for c in WORK_STATUSES)


def parse_work_status(value: str | None, field: str = "work_status") -> str:
    return v.match_choice(value, WORK_STATUSES, field).key


# --- a business's owner and workers (Sakernas employment status) -----------------------------

OWN_ACCOUNT, HELPED_TEMPORARY, HELPED_PERMANENT = "own-account", "helped-temporary", "helped-permanent"
OWNER_STATUSES: tuple[v.Choice, ...] = (
    v.Choice(OWN_ACCOUNT, N_("own-account worker"), ("berusaha sendiri", "sendiri", "own account", "alone")),
    v.Choice(
        HELPED_TEMPORARY,
        N_("employer helped by temporary or unpaid workers"),
        ("dibantu buruh tidak tetap", "dibantu pekerja tidak dibayar", "buruh tidak tetap", "temporary"),
    ),
    v.Choice(
        HELPED_PERMANENT,
        N_("employer helped by permanent paid workers"),
        ("dibantu buruh tetap", "buruh tetap", "dibayar", "permanent"),
    ),
)
OWNER_STATUS_CODES = tuple(c.key for c in OWNER_STATUSES)

# The measured fields of a business (at its start, and in each dated follow-up).
WORKER_FIELDS = ("family_workers", "paid_workers", "paid_were_unemployed", "paid_local")
MEASURES = ("owner_status", *WORKER_FIELDS, "turnover")
MAX_WORKERS = 999


def parse_owner_status(value: str | None, field: str = "owner_status") -> str:
    return v.match_choice(value, OWNER_STATUSES, field).key


def parse_workers(value: str | int | None, field: str) -> int:
    return v.parse_count(value, field, low=0, high=MAX_WORKERS)


MEASURE_PARSERS: dict[str, Any] = {
    "owner_status": parse_owner_status,
    **{name: (lambda x, name=name: parse_workers(x, name)) for name in WORKER_FIELDS},
    "turnover": lambda x: v.parse_money(x, "turnover"),
}


def measures(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[ValidationError]]:
    """The measured fields given (None and empty text mean 'not given'), and every bad one."""
    out: dict[str, Any] = {}
    errors: list[ValidationError] = []
    for name, parse in MEASURE_PARSERS.items():
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            out[name] = parse(value)
        except ValidationError as exc:
            errors.append(exc)
    return out, errors


def check_workers(state: Mapping[str, Any]) -> None:
    """Workers that cannot be true together: more formerly unemployed or local paid workers than
    paid workers, or an owner status the workers contradict (Sakernas: an own-account worker
    has no helpers; an employer of permanent paid workers has at least one paid worker)."""
    paid = state.get("paid_workers")
    family = state.get("family_workers")
    errors: list[ValidationError] = []
    for name in ("paid_were_unemployed", "paid_local"):
        value = state.get(name)
        if value is not None and paid is not None and value > paid:
            errors.append(
                ValidationError(
                    name,
                    value,
                    Msg(N_("is more than the {paid} paid workers; it counts some of them"), paid=paid),
                )
            )
    status = state.get("owner_status")
    helpers = (paid or 0) + (family or 0)
    if status == OWN_ACCOUNT and helpers:
        errors.append(
            ValidationError(
                "owner_status",
                status,
                Msg(N_("an own-account worker has no helpers, but the business has {count}"), count=helpers),
            )
        )
    elif status == HELPED_PERMANENT and paid == 0:
        errors.append(
            ValidationError(
                "owner_status", status, Msg(N_("needs at least one paid worker (paid_workers is 0)"))
            )
        )
    elif status == HELPED_TEMPORARY and paid == 0 and family == 0:
        errors.append(
            ValidationError(
                "owner_status", status, Msg(N_("needs a helper: give the paid or family workers"))
            )
        )
    if errors:
        raise ValidationErrors(errors)


def business_state(
    business: Mapping[str, Any], follow_ups: Iterable[Mapping[str, Any]], day: str | None = None
) -> dict[str, Any]:
    """The business's measured fields at the end of `day` (all follow-ups when None): its own
    values from its start, then each follow-up's, in date order; a follow-up changes only what
    it measured, and of two on one date the later recorded one counts."""
    state = {name: business.get(name) for name in MEASURES}
    for f in sorted(follow_ups, key=follow_up_order):
        if day is not None and f["on"] > day:
            break
        state.update({name: f[name] for name in MEASURES if f.get(name) is not None})
    return state


def follow_up_order(record: Mapping[str, Any]) -> tuple[str, int, str]:
    """Date order; on one date, the order they were recorded in (their serial IDs)."""
    ident = str(record.get("id") or "")
    return (record["on"], len(ident), ident)


# --- business size (PP 7/2021) ----------------------------------------------------------------

MICRO, SMALL, MEDIUM = "micro", "small", "medium"
MICRO_MAX_SALES = 2_000_000_000  # annual sales, Rupiah
SMALL_MAX_SALES = 15_000_000_000
SIZE_LABELS = {MICRO: N_("micro"), SMALL: N_("small"), MEDIUM: N_("medium")}


def size_class(monthly_turnover: int | None) -> str | None:
    """Micro, small or medium under PP 7/2021 from annual sales (12 x the monthly turnover):
    micro up to Rp 2 billion, small above that up to Rp 15 billion; None when unknown."""
    if monthly_turnover is None:
        return None
    annual = 12 * monthly_turnover
    if annual <= MICRO_MAX_SALES:
        return MICRO
    if annual <= SMALL_MAX_SALES:
        return SMALL
    return MEDIUM


# --- a person's work status on a day ----------------------------------------------------------


def work_status_on(
    cadre: Mapping[str, Any],
    follow_ups: Iterable[Mapping[str, Any]],
    business_starts: Iterable[str],
    day: str,
) -> str | None:
    """The latest thing known about a cadre's work at the end of `day`: the status given at
    registration or at an income follow-up, or a business of their own started (an owner
    works). On one date a stated status beats the inference from a business, and of two
    follow-ups the later recorded one counts."""
    latest: tuple[str, int] | None = None
    status = None
    if cadre.get("work_status") and cadre["registered_on"] <= day:
        latest, status = (cadre["registered_on"], 1), cadre["work_status"]
    for start in business_starts:
        if start <= day and (latest is None or (start, 0) > latest):
            latest, status = (start, 0), WORKING
    for f in sorted(follow_ups, key=follow_up_order):
        if f.get("work_status") and f["on"] <= day and (latest is None or (f["on"], 1) >= latest):
            latest, status = (f["on"], 1), f["work_status"]
    return status
