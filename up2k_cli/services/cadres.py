"""Use cases for cadres: register, find, list, show, update, deactivate.

Each use case takes a unit of work that is not yet entered, enters it (lock or transaction),
and commits once if it changed anything. Helpers that take an already entered unit of work say so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from up2k_cli.domain import validators as v
from up2k_cli.domain.cadre import ACTIVE, INACTIVE, Cadre, FieldCleaner, birth_key, clean_fields
from up2k_cli.domain.errors import DuplicateWarning, RuleViolation, ValidationError
from up2k_cli.i18n import N_, Msg, _
from up2k_cli.storage.protocol import Record, UnitOfWork

from .common import (
    change_entry,
    create_entry,
    derived,
    find,
    history_of,
    id_order,
    kelurahan_choices,
    kelurahan_code,
    kelurahan_names,
)

# --- register and update -----------------------------------------------------------------------


def check_new_nik(uow: UnitOfWork, nik: str) -> None:
    """Refuse an NIK someone already has; in an open unit of work. The NIK is held first, so
    that a command registering it at the same moment (PostgreSQL) is refused here too."""
    uow.cadres.hold("nik", [nik])
    same = uow.cadres.find(nik=nik)
    if same:
        other = same[0]
        raise RuleViolation(
            _(
                "nik {nik} is already registered as {id} ({name}); use 'up2k cadre update {id}' to change it"
            ).format(nik=v.mask_nik(nik), id=other["id"], name=other.get("name", "?"))
        )


def answer_checker(uow: UnitOfWork, *, today: dt.date) -> Callable[[str, Any], Any]:
    """Check a registration's answers one at a time, as they are typed at a prompt: each field by
    register's own rules and, for an NIK, that nobody has it yet. The checker returns the cleaned
    value (None for an optional field left empty) or raises the error register would; register
    checks everything again when it writes."""
    with uow:
        cleaner = FieldCleaner(kelurahan_choices(uow.meta), today)

    def check(key: str, value: Any) -> Any:
        cleaned = cleaner.clean_one(key, value)
        if key == "nik":
            with uow:
                check_new_nik(uow, cleaned)
        return cleaned

    return check


def find_twin(uow: UnitOfWork, fields: Mapping[str, Any]) -> str | None:
    """The cadre with the same name, kelurahan and birth date (another NIK), if any."""
    born = birth_key(fields["nik"])
    uow.cadres.hold("name_key", [fields["name_key"]])
    for c in uow.cadres.find(kelurahan_code=fields["kelurahan_code"], name_key=fields["name_key"]):
        if c.get("nik") and c["nik"] != fields["nik"] and birth_key(c["nik"]) == born:
            return c["id"]
    return None


def same_phone(uow: UnitOfWork, phone: str | None, own_id: str | None = None) -> list[Record]:
    """Other cadres with this phone number (a warning, not a refusal: families share phones)."""
    if not phone:
        return []
    return [c for c in uow.cadres.find(phone=phone) if c["id"] != own_id]


@dataclass
class Registered:
    record: Record
    kelurahan: str
    warnings: list[str] = field(default_factory=list)


def register(uow: UnitOfWork, raw: Mapping[str, Any], *, today: dt.date, force: bool = False) -> Registered:
    """Validate and add one cadre; refuses a known NIK and, unless forced, a likely duplicate."""
    with uow:
        fields = clean_fields(raw, kelurahan_choices(uow.meta), today)
        check_new_nik(uow, fields["nik"])
        if not force:
            twin = find_twin(uow, fields)
            if twin:
                raise DuplicateWarning(
                    _(
                        "{name} looks already registered as {id} (same name, kelurahan and birth date, "
                        "another NIK); check both NIKs, then add --force if both are real"
                    ).format(name=fields["name"], id=twin)
                )
        (cadre_id,) = uow.next_ids("cadre", "K")
        record = Cadre(id=cadre_id, **fields).to_record()
        uow.cadres.add_many([record])
        uow.record_changes([create_entry("cadre", cadre_id, record)])
        warnings = phone_warnings(uow, record)
        names = kelurahan_names(uow.meta)
        uow.commit()
    return Registered(record, names.get(record["kelurahan_code"], record["kelurahan_code"]), warnings)


def phone_warnings(uow: UnitOfWork, record: Mapping[str, Any]) -> list[str]:
    others = same_phone(uow, record.get("phone"), record["id"])
    if not others:
        return []
    return [
        _("Warning: phone {phone} is also the phone of {ids}; check it is right").format(
            phone=record["phone"], ids=", ".join(f"{c['id']} ({c['name']})" for c in others[:5])
        )
    ]


@dataclass
class Updated:
    entry: Record
    warnings: list[str] = field(default_factory=list)


def update(uow: UnitOfWork, ref: str, raw: Mapping[str, Any], *, today: dt.date) -> Updated:
    """Change the given fields with the same validation as register; returns the changes."""
    with uow:
        record = find(uow, ref)
        if record.get("erased_on"):
            raise RuleViolation(_("cadre {id} was erased; it cannot be changed").format(id=record["id"]))
        if "consent" in raw:
            raise ValidationError("consent", raw["consent"], _("consent is given at registration"))
        fields = clean_fields(raw, kelurahan_choices(uow.meta), today, partial=True)
        if not fields:
            raise ValidationError("fields", None, _("nothing to change; give at least one --option"))
        if "nik" in fields and fields["nik"] != record["nik"]:
            check_new_nik(uow, fields["nik"])
        entry = change_entry("cadre", record["id"], "update", record, fields)
        warnings: list[str] = []
        if entry["changes"]:
            uow.cadres.update_many({record["id"]: fields})
            uow.record_changes([entry])
            if "phone" in entry["changes"]:
                warnings = phone_warnings(uow, {**record, **fields})
            uow.commit()
    return Updated(entry, warnings)


def set_status(
    uow: UnitOfWork, ref: str, active: bool, reason: str | None, *, on: dt.date, today: dt.date
) -> Record:
    """Deactivate or reactivate, dated, so reports as of an earlier day still count right."""
    with uow:
        record = find(uow, ref, lock=True)
        wanted = ACTIVE if active else INACTIVE
        if record["status"] == wanted:
            message = _("cadre {id} is already active") if active else _("cadre {id} is already inactive")
            raise RuleViolation(message.format(id=record["id"]))
        reason_text = v.parse_text(reason, "reason", required=not active)
        day = v.not_in_future(on, "date", today).isoformat()
        log = record.get("status_log") or []
        earliest = max([record["registered_on"], *(e["on"] for e in log)])
        if day < earliest:
            raise ValidationError(
                "date",
                day,
                Msg(
                    N_("is before {id}'s last registration or status change ({date})"),
                    id=record["id"],
                    date=dt.date.fromisoformat(earliest),
                ),
            )
        event = {"status": wanted, "on": day, "reason": reason_text or None}
        fields = {"status": wanted, "status_reason": reason_text or None, "status_log": [*log, event]}
        uow.cadres.update_many({record["id"]: fields})
        action = "reactivate" if active else "deactivate"
        uow.record_changes([change_entry("cadre", record["id"], action, record, fields)])
        uow.commit()
    return {**record, **fields}


# --- lists and pages ---------------------------------------------------------------------------


def list_cadres(
    uow: UnitOfWork,
    *,
    kelurahan: str | None = None,
    status: str | None = None,
    search: str | None = None,
    show_nik: bool = False,
    trained_no_business: bool = False,
    no_follow_up_since: dt.date | None = None,
    incomplete: bool = False,
) -> list[Record]:
    """Cadres in ID order, filtered, with their kelurahan's name; kelurahan names are matched as
    leniently as on input. The coordinator's follow-up lists: trained but no business yet, no
    income follow-up since a day, records missing a phone, RT, RW or address. A list with whole
    NIKs is recorded as personal data leaving up2k."""
    from up2k_cli.services.personal import require_personal_data

    with uow:
        require_personal_data(uow, "cadre list")
        names = kelurahan_names(uow.meta)
        if kelurahan:
            rows = uow.cadres.find(kelurahan_code=kelurahan_code(uow.meta, kelurahan))
        else:
            rows = uow.cadres.all()
        if status:
            rows = [c for c in rows if c["status"] == status]
        if search:
            rows = [c for c in rows if _matches(c, search)]
        if incomplete:
            rows = [
                c for c in rows if not c.get("erased_on") and any(not c.get(f) for f in INCOMPLETE_IF_MISSING)
            ]
        if trained_no_business:
            trained = _completed_training(uow)
            owners = {b["cadre_id"] for b in uow.businesses.all()}
            rows = [c for c in rows if c["id"] in trained and c["id"] not in owners]
        if no_follow_up_since is not None:
            since = no_follow_up_since.isoformat()
            recent = {r["cadre_id"] for r in uow.incomes.all() if r["on"] >= since}
            rows = [c for c in rows if c["id"] not in recent and c["registered_on"] < since]
        if show_nik:
            from up2k_cli.services.personal import record_file

            record_file(uow, "cadre list --show-nik", None, [r["id"] for r in rows], len(rows))
            uow.commit()
    return [{**r, "kelurahan": names.get(r["kelurahan_code"], "")} for r in sorted(rows, key=id_order)]


def list_page(
    uow: UnitOfWork, *, limit: int, offset: int = 0, kelurahan: str | None = None, status: str | None = None
) -> tuple[list[Record], int]:
    """One page of `list_cadres` (rows offset+1 to offset+limit, in ID order) and how many cadres
    the whole list holds: a page costs a page's work. Kelurahan and status only; the other
    filters read the whole list."""
    from up2k_cli.services.personal import require_personal_data

    with uow:
        require_personal_data(uow, "cadre list")
        names = kelurahan_names(uow.meta)
        equal: dict[str, Any] = {}
        if kelurahan:
            equal["kelurahan_code"] = kelurahan_code(uow.meta, kelurahan)
        if status:
            equal["status"] = status
        rows, total = uow.cadres.page(limit, offset, **equal)
    return [{**r, "kelurahan": names.get(r["kelurahan_code"], "")} for r in rows], total


# A record without these is incomplete: the coordinator cannot visit or call the person.
INCOMPLETE_IF_MISSING = ("phone", "rt", "rw", "address")


def _completed_training(uow: UnitOfWork) -> set[str]:
    """Cadres who completed a training batch (in an open unit of work)."""
    from up2k_cli.domain.batch import COMPLETED, TRAINING

    training = {b["code"] for b in uow.batches.find(kind=TRAINING)}
    return {e["cadre_id"] for e in uow.enrollments.find(status=COMPLETED) if e["batch"] in training}


def _matches(cadre: Record, needle: str) -> bool:
    text = v.name_key(needle)
    digits = re.sub(r"\D", "", needle)
    if text and not text.isdigit() and text in (cadre.get("name_key") or ""):
        return True
    if len(digits) >= 3:
        phone = cadre.get("phone") or ""
        local = "0" + phone[3:] if phone.startswith("+62") else phone
        return digits in (cadre.get("nik") or "") or digits in phone or digits in local
    return False


def export_cadres(uow: UnitOfWork, *, output: str | None) -> list[dict[str, Any]]:
    """Every cadre with every field (whole NIKs): recorded as personal data leaving up2k."""
    from up2k_cli.services.personal import record_file

    with uow:
        names = kelurahan_names(uow.meta)
        rows = sorted(uow.cadres.all(), key=id_order)
        record_file(uow, "export cadres", output, [r["id"] for r in rows], len(rows))
        uow.commit()
        origin = uow.meta.get("registry_id")
    return [{**derived(r, names), "registry": origin} for r in rows]


@dataclass
class CadrePage:
    """Everything known about one cadre, for `cadre show`: one person's records only."""

    cadre: Record
    batches: list[Record]
    businesses: list[Record]
    steps: list[Record]
    incomes: list[Record]
    history: list[Record]
    origin: str | None = None  # "K0001 of Kelurahan Pondok Labu (3f2a…)": a cadre merged from a bundle


def page(uow: UnitOfWork, ref: str, *, today: dt.date, show_nik: bool = False) -> CadrePage:
    """One cadre's page; with show_nik the whole NIK is shown, which is recorded (UU PDP)."""
    from up2k_cli.services import batches, outcomes
    from up2k_cli.services.personal import require_personal_data

    with uow:
        require_personal_data(uow, "cadre show")
        record = find(uow, ref)
        cid = record["id"]
        page = CadrePage(
            cadre=derived(record, kelurahan_names(uow.meta)),
            batches=batches.cadre_batches(uow, cid),
            businesses=outcomes.businesses_of(uow, [record]),
            steps=outcomes.step_rows(uow, today, [record]),
            incomes=outcomes.income_rows(uow, [record]),
            history=history_of(uow, "cadre", cid),
        )
        from up2k_cli.services.bundles import origin_of

        found = origin_of(uow, "cadres", cid)
        if found is not None:
            registry_id, their_key, label = found
            page.origin = _("{key} of {label} (registry {registry})").format(
                key=their_key, label=label, registry=registry_id
            )
        if show_nik:
            from up2k_cli.services.personal import record_access

            record_access(uow, f"cadre show {cid} --show-nik", [cid])
            uow.commit()
    return page
