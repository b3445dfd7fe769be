"""Use cases for cadres: register, find, list, update, deactivate."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from up2k_cli.domain import validators as v
from up2k_cli.domain.cadre import ACTIVE, INACTIVE, Cadre, clean_fields, similar_key
from up2k_cli.domain.errors import DuplicateWarning, NotFound, RuleViolation, ValidationError
from up2k_cli.i18n import N_, Msg, _
from up2k_cli.storage.repository import Record
from up2k_cli.storage.uow import UnitOfWork

_CADRE_ID = re.compile(r"^[Kk]\d{4,}$")


def kelurahan_choices(meta: Mapping[str, Any]) -> tuple[v.Choice, ...]:
    """The registry's kelurahan, matchable by name, code or the code's last four digits."""
    return tuple(
        v.Choice(k["code"], k["name"], (k["code"].rsplit(".", 1)[-1], *k.get("aliases", ())))
        for k in meta["region"]["kelurahan"]
    )


def kelurahan_names(meta: Mapping[str, Any]) -> dict[str, str]:
    return {k["code"]: k["name"] for k in meta["region"]["kelurahan"]}


def nik_index(uow: UnitOfWork) -> dict[str, str]:
    return {c["nik"]: c["id"] for c in uow.cadres.all() if c.get("nik")}


def find(uow: UnitOfWork, ref: str) -> Record:
    """A cadre by ID (K0001, any case) or by NIK (with or without separators)."""
    text = (ref or "").strip()
    if _CADRE_ID.match(text):
        record = uow.cadres.get(text.upper())
        if record is None:
            raise NotFound(_("cadre {id} not found; 'up2k cadre list' shows the IDs").format(id=text.upper()))
        return record
    digits = re.sub(r"[\s.\-]", "", text)
    if len(digits) == 16 and digits.isdigit():
        same = uow.cadres.where("nik", digits)
        if not same:
            raise NotFound(_("no cadre has NIK {nik}; check the number").format(nik=v.mask_nik(digits)))
        return dict(same[-1])
    raise ValidationError("cadre", ref, _("name a cadre by ID (e.g. K0001) or 16-digit NIK"))


def create_entry(entity: str, ref: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """History entry for a new record: every field from nothing to its value."""
    changes = {k: [None, val] for k, val in record.items() if k != "id" and val is not None}
    return {"entity": entity, "ref": ref, "action": "create", "changes": changes}


def bulk_entry(entity: str, ids: list[str], action: str, changes: dict[str, list[Any]]) -> dict[str, Any]:
    """One history entry for the same change to many records in one command (an import, an
    enrollment of a list, a session's attendance): which records, and old -> new once."""
    return {"entity": entity, "ref": ids[0], "refs": ids, "action": action, "changes": changes}


def bulk_create_entry(entity: str, ids: list[str], source: str) -> dict[str, Any]:
    """An import: which records and from where. Their first values are the records themselves;
    later changes keep old -> new."""
    return bulk_entry(entity, ids, "create", {"source": [None, source], "records": [None, len(ids)]})


def change_entry(
    entity: str, ref: str, action: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> dict[str, Any]:
    changes = {k: [old.get(k), val] for k, val in new.items() if old.get(k) != val}
    return {"entity": entity, "ref": ref, "action": action, "changes": changes}


def check_new_nik(uow: UnitOfWork, nik: str, known: Mapping[str, str] | None = None) -> None:
    if known is None:  # one lookup: the lines of the file that hold it, not an index of every NIK
        known = {c["nik"]: c["id"] for c in uow.cadres.where("nik", nik)}
    if nik in known:
        other = uow.cadres.get(known[nik]) or {}
        raise RuleViolation(
            _(
                "nik {nik} is already registered as {id} ({name}); use 'up2k cadre update {id}' to change it"
            ).format(nik=v.mask_nik(nik), id=known[nik], name=other.get("name", "?"))
        )


def similar_cadres(uow: UnitOfWork) -> dict[tuple[str, str, str], str]:
    return {
        similar_key(c["name"], c["kelurahan_code"], c["nik"]): c["id"]
        for c in uow.cadres.all()
        if c.get("nik")
    }


def find_twin(uow: UnitOfWork, name: str, kelurahan_code: str, nik: str) -> str | None:
    """The cadre with the same name, kelurahan and birth date (another NIK), if any; cheap tests
    first, so one register does not normalise 50,000 names."""
    wanted = similar_key(name, kelurahan_code, nik)
    birth = wanted[2]
    day = int(birth[:2])
    # Only NIKs holding this birth date (a woman's day has 40 added): a few lines of the file.
    near = {c["id"]: c for d in (day, day + 40) for c in uow.cadres.containing("nik", f"{d:02d}{birth[2:]}")}
    for c in sorted(near.values(), key=id_order):
        other = c.get("nik")
        if (
            c["kelurahan_code"] == kelurahan_code
            and other
            and other[8:12] == birth[2:]
            and similar_key(c["name"], kelurahan_code, other) == wanted
        ):
            return c["id"]
    return None


def register(uow: UnitOfWork, raw: Mapping[str, Any], *, today: dt.date, force: bool = False) -> Record:
    """Validate and add one cadre; refuses a known NIK, warns on a likely duplicate person."""
    fields = clean_fields(raw, kelurahan_choices(uow.meta), today)
    check_new_nik(uow, fields["nik"])
    if not force:
        twin = find_twin(uow, fields["name"], fields["kelurahan_code"], fields["nik"])
        if twin:
            raise DuplicateWarning(
                _(
                    "{name} looks already registered as {id} (same name, kelurahan and birth date, "
                    "another NIK); check both NIKs, then add --force if both are real"
                ).format(name=fields["name"], id=twin)
            )
    (cadre_id,) = uow.next_ids("cadre", "K")
    record = Cadre(id=cadre_id, **fields).to_record()
    uow.cadres.add(record)
    uow.record_changes([create_entry("cadre", cadre_id, record)])
    return record


def update(uow: UnitOfWork, ref: str, raw: Mapping[str, Any], *, today: dt.date) -> Record:
    """Change the given fields with the same validation as register; returns the changes."""
    record = find(uow, ref)
    if "consent" in raw:
        raise ValidationError("consent", raw["consent"], _("consent is given at registration"))
    fields = clean_fields(raw, kelurahan_choices(uow.meta), today, partial=True)
    if not fields:
        raise ValidationError("fields", None, _("nothing to change; give at least one --option"))
    if "nik" in fields and fields["nik"] != record["nik"]:
        check_new_nik(uow, fields["nik"])
    entry = change_entry("cadre", record["id"], "update", record, fields)
    if entry["changes"]:
        uow.cadres.update(record["id"], fields)
        uow.record_changes([entry])
    return entry


def set_status(
    uow: UnitOfWork, ref: str, active: bool, reason: str | None, *, on: dt.date, today: dt.date
) -> Record:
    """Deactivate or reactivate, dated, so reports as of an earlier day still count right."""
    record = find(uow, ref)
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
    uow.cadres.update(record["id"], fields)
    action = "reactivate" if active else "deactivate"
    uow.record_changes([change_entry("cadre", record["id"], action, record, fields)])
    return {**record, **fields}


def list_cadres(
    uow: UnitOfWork,
    *,
    kelurahan: str | None = None,
    status: str | None = None,
    search: str | None = None,
) -> list[Record]:
    """Cadres in ID order, filtered; kelurahan names are matched as leniently as on input."""
    if kelurahan:
        code = v.match_choice(kelurahan, kelurahan_choices(uow.meta), "kelurahan").key
        rows = uow.cadres.where("kelurahan_code", code)  # the lines of the file that hold them
    else:
        rows = uow.cadres.all()
    if status:
        rows = [c for c in rows if c["status"] == status]
    if search:
        rows = [c for c in rows if _matches(c, search)]
    return sorted(rows, key=id_order)


def _matches(cadre: Record, needle: str) -> bool:
    text = needle.strip().lower()
    digits = re.sub(r"\D", "", needle)
    if text and text in (cadre.get("name") or "").lower():
        return True
    if len(digits) >= 3:
        phone = cadre.get("phone") or ""
        local = "0" + phone[3:] if phone.startswith("+62") else phone
        return digits in (cadre.get("nik") or "") or digits in phone or digits in local
    return False


def id_order(record: Mapping[str, Any]) -> tuple[int, str]:
    """K9999 before K10000: IDs are a letter and zero-padded digits, so length then text."""
    ident = str(record["id"])
    return (len(ident), ident)


def id_number(ident: str) -> int:
    digits = "".join(ch for ch in ident if ch.isdigit())
    return int(digits) if digits else 0


def history_of(uow: UnitOfWork, entity: str, ref: str) -> list[Record]:
    return [h for h in uow.history.all() if h.get("entity") == entity and concerns(h, ref)]


def concerns(entry: Mapping[str, Any], ref: str) -> bool:
    """Does a history entry concern this record (by itself, or as one of a bulk create)?"""
    return entry.get("ref") == ref or ref in (entry.get("refs") or ())


def derived(record: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """The record plus what follows from it: sex and birth date from the NIK, kelurahan name."""
    nik = record.get("nik")
    return {
        **record,
        "sex": ("F" if v.nik_sex(nik) == "P" else "M") if nik else None,
        "birth_date": v.nik_birth_date(nik).isoformat() if nik else None,
        "kelurahan": names.get(record.get("kelurahan_code", ""), ""),
    }
