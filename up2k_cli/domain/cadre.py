"""The cadre (kader PKK): its fields, the rules that build one from raw input, derived facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from up2k_cli.i18n import N_, Msg

from . import validators as v
from .errors import ValidationError, ValidationErrors
from .work import parse_work_status

BUSINESS_CATEGORIES: tuple[v.Choice, ...] = (
    v.Choice("kuliner", "Kuliner", ("makanan", "minuman", "food", "culinary", "katering", "kue")),
    v.Choice(
        "fesyen",
        "Fesyen/Konveksi",
        ("fesyen", "fashion", "konveksi", "garmen", "busana", "pakaian", "garment"),
    ),
    v.Choice("kerajinan", "Kerajinan", ("craft", "handicraft", "daur ulang", "recycled goods")),
    v.Choice("jasa", "Jasa", ("services", "service", "penjahit", "servis", "tailoring")),
    v.Choice(
        "perdagangan",
        "Perdagangan/Warung",
        ("perdagangan", "warung", "dagang", "toko", "kelontong", "trade", "shop"),
    ),
    v.Choice(
        "pertanian",
        "Pertanian perkotaan/Perikanan",
        ("pertanian perkotaan", "pertanian", "perikanan", "urban farming", "fisheries", "ikan"),
    ),
    v.Choice("lainnya", "Lainnya", ("lain", "lain-lain", "other", "others")),
)

ACTIVE, INACTIVE = "active", "inactive"
# What a registration cannot do without (`register` asks for these on a terminal, and names them
# when it cannot ask); consent is required too, apart.
REQUIRED_FIELDS = ("nik", "name", "kelurahan", "rw", "rt", "address")
# Where to find the person: asked at registration, but a kelurahan's sheet may not have them.
CONTACT_FIELDS = ("rw", "rt", "address")
# How consent was given, when the person registering does not say: recorded with the cadre.
CONSENT_BY_FLAG = "register --consent"
CONSENT_AT_PROMPT = "confirmed at the up2k prompt"
CONSENT_REFUSED = N_(
    "the person has not agreed to their data being kept (UU PDP); register only with consent"
)


def consent_method_given(method: str | None, *, asked_at_prompt: bool) -> str:
    """The consent method to record: what was said, else how `register` learnt of the consent."""
    if method:
        return method
    return CONSENT_AT_PROMPT if asked_at_prompt else CONSENT_BY_FLAG


@dataclass
class Cadre:
    id: str
    nik: str
    name: str
    kelurahan_code: str
    rw: str
    rt: str
    address: str
    phone: str | None
    business_type: str | None
    household_size: int | None
    income: int | None
    registered_on: str
    consent_on: str
    consent_method: str
    status: str = ACTIVE
    status_reason: str | None = None
    # Dated status changes [{"status", "on", "reason"}], so reports can look back in time.
    status_log: list[dict[str, Any]] = field(default_factory=list)
    name_key: str | None = None  # derived from the name: how names are compared and searched
    work_status: str | None = None  # at registration: working, unemployed, ... (domain/work.py)

    def __post_init__(self) -> None:
        self.name_key = v.name_key(self.name)

    @property
    def sex(self) -> str:
        return v.nik_sex(self.nik)

    @property
    def birth_date(self) -> dt.date:
        return v.nik_birth_date(self.nik)

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    def to_record(self) -> dict[str, Any]:
        return {**self.__dict__, "status_log": [dict(e) for e in self.status_log]}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Cadre:
        return cls(**{name: record[name] for name in _FIELD_NAMES if name in record})


_FIELD_NAMES = tuple(f.name for f in fields(Cadre))


def _optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return parse(value)

    return run


def clean_fields(
    raw: Mapping[str, Any],
    kelurahan: tuple[v.Choice, ...],
    today: dt.date,
    *,
    partial: bool = False,
) -> dict[str, Any]:
    """Validate raw input into cadre fields, collecting every bad field before refusing.

    Input keys: nik, name, kelurahan, rw, rt, address, phone, business_type, household_size,
    income, registered_on, consent, consent_on, consent_method, work_status. With partial=True
    (an update) only the keys present are checked and required fields may be absent.
    """
    return FieldCleaner(kelurahan, today).clean(raw, partial=partial)


class FieldCleaner:
    """clean_fields for many rows: the table of parsers is built once, not once per row."""

    def __init__(self, kelurahan: tuple[v.Choice, ...], today: dt.date) -> None:
        self.today = today
        self.parsers: dict[str, tuple[str, Callable[[Any], Any]]] = {
            "nik": ("nik", v.parse_nik),
            "name": ("name", v.parse_name),
            "kelurahan": ("kelurahan_code", lambda x: v.match_choice(x, kelurahan, "kelurahan").key),
            "rw": ("rw", lambda x: v.parse_rt_rw(x, "rw")),
            "rt": ("rt", lambda x: v.parse_rt_rw(x, "rt")),
            "address": ("address", lambda x: v.parse_text(x, "address", required=True)),
            "phone": ("phone", _optional(v.parse_phone)),
            "business_type": (
                "business_type",
                _optional(lambda x: v.match_choice(x, BUSINESS_CATEGORIES, "business_type").label),
            ),
            "household_size": ("household_size", _optional(lambda x: v.parse_count(x, "household_size"))),
            "income": ("income", _optional(v.parse_money)),
            "registered_on": ("registered_on", _optional(lambda x: _past_date(x, "registered_on", today))),
            "consent_on": ("consent_on", _optional(lambda x: _past_date(x, "consent_on", today))),
            "consent_method": (
                "consent_method",
                _optional(lambda x: v.parse_text(x, "consent_method", limit=100)),
            ),
            "work_status": ("work_status", _optional(parse_work_status)),
        }

    def clean_one(self, key: str, value: Any) -> Any:
        """One input field, checked as `clean` checks it (an answer at a prompt, as it is typed):
        the cleaned value, None for an optional field left empty; ValidationError otherwise."""
        _target, parse = self.parsers[key]
        if key in REQUIRED_FIELDS and not str(value or "").strip():
            raise ValidationError(key, None, v.required_field(key))
        return parse(value)

    def clean(
        self, raw: Mapping[str, Any], *, partial: bool = False, contact_required: bool = True
    ) -> dict[str, Any]:
        """With contact_required=False (an import) RT, RW and address may be empty: the cadre is
        registered, and listed as incomplete until they are known."""
        errors: list[ValidationError] = []
        out: dict[str, Any] = {}
        for key, (target, parse) in self.parsers.items():
            optional = not contact_required and key in CONTACT_FIELDS
            if key not in raw or (optional and not str(raw[key] or "").strip()):
                if not partial and key in REQUIRED_FIELDS and not optional:
                    errors.append(ValidationError(key, None, v.required_field(key)))
                continue
            try:
                out[target] = parse(raw[key])
            except ValidationError as exc:
                errors.append(exc)
        if "consent" in raw:
            try:
                if not v.parse_yes_no(raw["consent"], "consent"):
                    errors.append(ValidationError("consent", raw["consent"], Msg(CONSENT_REFUSED)))
            except ValidationError as exc:
                errors.append(exc)
        elif not partial and not out.get("consent_on"):
            errors.append(ValidationError("consent", None, Msg(CONSENT_REFUSED)))
        with_derived(out)
        if not partial:
            for target, _parse in self.parsers.values():
                out.setdefault(target, None)
            if not out.get("registered_on"):
                out["registered_on"] = self.today.isoformat()
            if not out.get("consent_on"):
                out["consent_on"] = out["registered_on"]
            if not out.get("consent_method"):
                out["consent_method"] = "stated"
        if errors:
            raise ValidationErrors(errors)
        return out


def _past_date(value: Any, field: str, today: dt.date) -> str:
    return v.not_in_future(v.parse_date(value, field), field, today).isoformat()


# Fields up2k works out itself: never asked for, never shown as a change in the history.
DERIVED_FIELDS = frozenset({"name_key"})


def with_derived(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields with those derived from them (a name's key) brought up to date."""
    if "name" in fields:
        fields["name_key"] = v.name_key(fields["name"]) if fields["name"] else None
    return fields


def similar_key(name_key: str, kelurahan_code: str, nik: str) -> tuple[str, str, str]:
    """Same person, different NIK? Name, kelurahan and birth date together say 'probably'."""
    return (name_key, kelurahan_code, birth_key(nik))


def birth_key(nik: str) -> str:
    """The NIK's birth date as DDMMYY, a woman's 40 taken off the day."""
    day = int(nik[6:8])
    return f"{day - 40 if day > 40 else day:02d}{birth_month_year(nik)}"


def birth_month_year(nik: str) -> str:
    """The NIK's birth month and year (MMYY, digits 9-12), as they are: the end of its birth key,
    which a database can narrow a search for twins by (UnitOfWork.cadres_born_alike)."""
    return nik[8:12]


def status_on(record: Mapping[str, Any], day: str) -> str | None:
    """The cadre's status at the end of `day` (ISO), or None if not yet registered."""
    if record["registered_on"] > day:
        return None
    status = ACTIVE
    for event in record.get("status_log") or ():
        if event["on"] <= day:
            status = event["status"]
    return status
