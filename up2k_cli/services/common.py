"""What every use case shares: finding records by the references people type, the region's
kelurahan, the order of IDs, and the history entries that describe a change."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from up2k_cli.domain import validators as v
from up2k_cli.domain.cadre import DERIVED_FIELDS
from up2k_cli.domain.errors import NotFound, RuleViolation, ValidationError
from up2k_cli.domain.region import kelurahan_names
from up2k_cli.i18n import N_, Msg, _
from up2k_cli.storage.protocol import Record, Repository, UnitOfWork

__all__ = ["kelurahan_names"]  # the services find it here, with the other lookups

_CADRE_ID = re.compile(r"^[Kk]\d{4,}$")
# The history names a record's kind ("cadre"); the unit of work names its table ("cadres").
TABLE_OF = {
    "cadre": "cadres",
    "batch": "batches",
    "enrollment": "enrollments",
    "business": "businesses",
    "step": "steps",
    "income": "incomes",
    "business-follow-up": "business_follow_ups",
    "group": "groups",
    "membership": "memberships",
    "group-tier": "group_tiers",
    "referral": "referrals",
    "referral-update": "referral_updates",
}


def kelurahan_choices(meta: Mapping[str, Any]) -> tuple[v.Choice, ...]:
    """The registry's kelurahan, matchable by name, code or the code's last four digits."""
    return tuple(
        v.Choice(k["code"], k["name"], (k["code"].rsplit(".", 1)[-1], *k.get("aliases", ())))
        for k in meta["region"]["kelurahan"]
    )


def kelurahan_code(meta: Mapping[str, Any], text: str) -> str:
    return v.match_choice(text, kelurahan_choices(meta), "kelurahan").key


def find(uow: UnitOfWork, ref: str, *, lock: bool = False) -> Record:
    """A cadre by ID (K0001, any case) or by NIK (with or without separators); in an open unit of
    work. With `lock`, the cadre is held against other commands to the end of this one and read
    after (a change built on what it holds: a status log, a baseline)."""
    text = (ref or "").strip()
    if _CADRE_ID.match(text):
        key = text.upper()
        if lock:
            uow.cadres.lock(key)
        record = uow.cadres.get(key)
        if record is None:
            raise NotFound(_("cadre {id} not found; 'up2k cadre list' shows the IDs").format(id=key))
        return record
    digits = re.sub(r"[\s.\-]", "", text)
    if len(digits) == 16 and digits.isdigit():
        same = uow.cadres.find(nik=digits)
        if not same:
            raise NotFound(_("no cadre has NIK {nik}; check the number").format(nik=v.mask_nik(digits)))
        if lock:
            return find(uow, same[-1]["id"], lock=True)
        return same[-1]
    raise ValidationError("cadre", ref, _("name a cadre by ID (e.g. K0001) or 16-digit NIK"))


NAME_A_CADRE = N_("name at least one cadre (ID or NIK), or - for stdin")


def find_cadres(
    uow: UnitOfWork, refs: Sequence[str], refuse: Callable[[Record], str | None] | None = None
) -> list[Record]:
    """The cadres named (ID or NIK), each once, in the order given; in an open unit of work.
    Refused whole, naming every reference that finds no cadre or that `refuse` refuses (it says
    why, or None), so that a command changes all of them or none."""
    if not refs:
        raise ValidationError("cadre", None, Msg(NAME_A_CADRE))
    found: dict[str, Record] = {}
    problems: list[str] = []
    for ref in refs:
        try:
            cadre = find(uow, ref)
        except (NotFound, ValidationError) as exc:
            problems.append(str(exc))
            continue
        refused = refuse(cadre) if refuse is not None else None
        if refused:
            problems.append(refused)
        else:
            found.setdefault(cadre["id"], cadre)
    if problems:
        raise RuleViolation(_("{problems}; nothing was changed").format(problems="; ".join(problems)))
    return list(found.values())


def by_id(table: Repository, ref: str, not_found: str, *, lock: bool = False) -> Record:
    """A record by its ID, in any case (U0001, g0001); `not_found` (translated, with {id}) says
    where the IDs are listed. In an open unit of work; with `lock`, held, then read."""
    key = (ref or "").strip().upper()
    if lock:
        table.lock(key)
    record = table.get(key)
    if record is None:
        raise NotFound(not_found.format(id=repr(key or ref)))
    return record


# --- history entries ---------------------------------------------------------------------------


def create_entry(entity: str, ref: str, record: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """History entry for a new record: which, not its values. The record holds its first values and
    later entries hold every change, so personal data is not copied into the history."""
    return {"entity": entity, "ref": ref, "action": "create", "changes": {}}


def bulk_entry(entity: str, ids: list[str], action: str, changes: dict[str, list[Any]]) -> dict[str, Any]:
    """One history entry for the same change to many records in one command (an import, an
    enrollment of a list, a session's attendance): which records, and old -> new once."""
    return {"entity": entity, "ref": ids[0], "refs": ids, "action": action, "changes": changes}


def bulk_create_entry(entity: str, ids: list[str], source: str) -> dict[str, Any]:
    """An import: which records and from where."""
    return bulk_entry(entity, ids, "create", {"source": [None, source], "records": [None, len(ids)]})


def change_entry(
    entity: str, ref: str, action: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> dict[str, Any]:
    changes = {
        k: [old.get(k), val] for k, val in new.items() if old.get(k) != val and k not in DERIVED_FIELDS
    }
    return {"entity": entity, "ref": ref, "action": action, "changes": changes}


def remove_entry(entity: str, ref: str, record: Mapping[str, Any], reason: str) -> dict[str, Any]:
    """A record removed (a correction): kept whole in the history, so undo can put it back."""
    return {"entity": entity, "ref": ref, "action": "remove", "changes": {}, "reason": reason,
            "record": dict(record)}  # fmt: skip


def history_of(uow: UnitOfWork, entity: str, ref: str) -> list[Record]:
    """Entries about one record, by itself or as one of a bulk change; in an open unit of work."""
    entries = {h["seq"]: h for h in uow.history.find(ref=ref)}
    entries.update({h["seq"]: h for h in uow.history.find_with("refs", ref, entity=entity)})
    return [entries[s] for s in sorted(entries) if entries[s].get("entity") == entity]


def concerns(entry: Mapping[str, Any], ref: str) -> bool:
    """Does a history entry concern this record (by itself, or as one of a bulk create)?"""
    return entry.get("ref") == ref or ref in (entry.get("refs") or ())


def id_order(record: Mapping[str, Any]) -> tuple[int, str]:
    """K9999 before K10000: IDs are a letter and zero-padded digits, so length then text."""
    ident = str(record["id"])
    return (len(ident), ident)


def id_number(ident: str) -> int:
    digits = "".join(ch for ch in ident if ch.isdigit())
    return int(digits) if digits else 0


def derived(record: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """The record plus what follows from it: sex and birth date from the NIK, kelurahan name."""
    nik = record.get("nik")
    return {
        **record,
        "sex": ("F" if v.nik_sex(nik) == "P" else "M") if nik else None,
        "birth_date": v.nik_birth_date(nik).isoformat() if nik else None,
        "kelurahan": names.get(record.get("kelurahan_code", ""), ""),
    }
