"""Tools for when something went wrong: check, history, backups, and erasure (UU PDP)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from up2k_cli.domain import batch as batch_rules
from up2k_cli.domain import outcomes as outcome_rules
from up2k_cli.domain import validators as v
from up2k_cli.domain.cadre import ACTIVE, INACTIVE
from up2k_cli.domain.errors import RuleViolation, ValidationError
from up2k_cli.i18n import N_, Msg, _
from up2k_cli.services import cadres as cadre_service
from up2k_cli.storage import backups, migrations, tinystore
from up2k_cli.storage.repository import Record
from up2k_cli.storage.uow import UnitOfWork, acquire, lock_for, release

ERASED = "(erased)"  # stored in the records: the same in every language
NO_CADRE = N_("cadre {value} does not exist")
PERSONAL_FIELDS = ("nik", "name", "phone", "address", "rt", "rw", "income")


# --- check -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    table: str
    record: str
    problem: str  # a Msg: English in CSV/JSON, the current language in the table


def check(uow: UnitOfWork, today: dt.date) -> list[Problem]:
    """Every inconsistency the registry holds, each with the record it concerns."""
    problems: list[Problem] = []

    def bad(table: str, record: Any, text: str, **values: Any) -> None:
        problems.append(
            Problem(table, str(record), Msg(text, **values) if not isinstance(text, Msg) else text)
        )

    uow.read_all()  # every table parsed and checked, the ones this check does not look into too
    meta = uow.meta
    kelurahan = {k["code"] for k in meta["region"]["kelurahan"]}
    cadres = {c["id"]: c for c in uow.cadres.all()}
    batches = {b["code"]: b for b in uow.batches.all()}
    _check_counters(uow, meta, bad)
    niks: dict[str, list[str]] = defaultdict(list)
    for c in cadres.values():
        if c.get("erased_on"):
            continue
        try:
            niks[v.parse_nik(c.get("nik"))].append(c["id"])
        except ValidationError as exc:
            bad("cadres", c["id"], exc.message)
        if c.get("kelurahan_code") not in kelurahan:
            bad(
                "cadres",
                c["id"],
                N_("kelurahan_code {value} is not in the region"),
                value=repr(c.get("kelurahan_code")),
            )
        if c.get("status") not in (ACTIVE, INACTIVE):
            bad(
                "cadres", c["id"], N_("status {value} is not active or inactive"), value=repr(c.get("status"))
            )
        if not _iso(c.get("registered_on")) or c["registered_on"] > today.isoformat():
            bad(
                "cadres",
                c["id"],
                N_("registered_on {value} is not a past date"),
                value=repr(c.get("registered_on")),
            )
        if not c.get("consent_on"):
            bad("cadres", c["id"], N_("no consent recorded"))
        log = c.get("status_log") or []
        if log and log[-1]["status"] != c.get("status"):
            bad(
                "cadres",
                c["id"],
                N_("status {status} differs from its last change {change}"),
                status=str(c.get("status")),
                change=str(log[-1]),
            )
    for nik, ids in niks.items():
        if len(ids) > 1:
            bad("cadres", ", ".join(ids), N_("the same NIK {nik} is registered twice"), nik=v.mask_nik(nik))
    for b in batches.values():
        if b["end"] < b["start"]:
            bad(
                "batches",
                b["code"],
                N_("ends ({end}) before it starts ({start})"),
                end=b["end"],
                start=b["start"],
            )
        if b.get("status") not in (batch_rules.OPEN, batch_rules.CLOSED):
            bad("batches", b["code"], N_("status {value} is not open or closed"), value=repr(b.get("status")))
    _check_enrollments(uow, cadres, batches, bad)
    nibs: dict[str, list[str]] = defaultdict(list)
    for biz in uow.businesses.all():
        if biz.get("cadre_id") not in cadres:
            bad("businesses", biz["id"], N_("owner {value} is not a cadre"), value=repr(biz.get("cadre_id")))
        if biz.get("category") not in outcome_rules.DEFAULT_AGENCY_MAP:
            bad("businesses", biz["id"], N_("category {value} is unknown"), value=repr(biz.get("category")))
        if biz.get("nib"):
            nibs[biz["nib"]].append(biz["id"])
    for nib, ids in nibs.items():
        if len(ids) > 1:
            bad("businesses", ", ".join(ids), N_("NIB {nib} is used twice"), nib=nib)
    for s in uow.steps.all():
        if s.get("cadre_id") not in cadres:
            bad("steps", s["id"], NO_CADRE, value=repr(s.get("cadre_id")))
        if s.get("step") not in outcome_rules.RECORDABLE_STEPS:
            bad("steps", s["id"], N_("step {value} cannot be recorded by hand"), value=repr(s.get("step")))
    for r in uow.incomes.all():
        if r.get("cadre_id") not in cadres:
            bad("incomes", r["id"], NO_CADRE, value=repr(r.get("cadre_id")))
        if not isinstance(r.get("amount"), int) or r["amount"] < 0:
            bad(
                "incomes",
                r["id"],
                N_("amount {value} is not a whole Rupiah amount"),
                value=repr(r.get("amount")),
            )
    return problems


def _iso(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None


def _check_counters(uow: UnitOfWork, meta: Mapping[str, Any], bad: Any) -> None:
    """New IDs come from counters: a counter behind the records would hand out an ID again."""
    counters = meta.get("counters", {})
    for kind, records in (("cadre", uow.cadres), ("enrollment", uow.enrollments),
                          ("business", uow.businesses), ("step", uow.steps),
                          ("income", uow.incomes)):  # fmt: skip
        highest = max((cadre_service.id_number(r["id"]) for r in records.all()), default=0)
        if counters.get(kind, 0) < highest:
            bad(
                "meta",
                f"counters.{kind}",
                N_("is {value} but IDs go up to {highest}"),
                value=str(counters.get(kind, 0)),
                highest=str(highest),
            )


def _check_enrollments(
    uow: UnitOfWork, cadres: Mapping[str, Record], batches: Mapping[str, Record], bad: Any
) -> None:
    pairs: Counter[tuple[str, str]] = Counter()
    held: dict[str, list[Record]] = defaultdict(list)
    for e in uow.enrollments.all():
        batch = batches.get(e.get("batch"))
        if e.get("cadre_id") not in cadres:
            bad("enrollments", e["id"], NO_CADRE, value=repr(e.get("cadre_id")))
        if batch is None:
            bad("enrollments", e["id"], N_("batch {value} does not exist"), value=repr(e.get("batch")))
            continue
        pairs[(e["batch"], e.get("cadre_id"))] += 1
        if e.get("status") not in batch_rules.STATUSES:
            bad("enrollments", e["id"], N_("status {value} is unknown"), value=repr(e.get("status")))
            continue
        events = e.get("events") or []
        if not events or events[-1]["status"] != e["status"]:
            bad("enrollments", e["id"], N_("status {status} differs from its last event"), status=e["status"])
        if e["status"] == batch_rules.COMPLETED and not e.get("completed_on"):
            bad("enrollments", e["id"], N_("completed without a completion date"))
        if e["status"] == batch_rules.WITHDRAWN and not e.get("withdrawn_on"):
            bad("enrollments", e["id"], N_("withdrawn without a date"))
        for session, on in (e.get("attendance") or {}).items():
            if not session.isdigit() or not 1 <= int(session) <= batch["sessions"]:
                bad(
                    "enrollments",
                    e["id"],
                    N_("attended session {session}, beyond 1-{sessions}"),
                    session=session,
                    sessions=str(batch["sessions"]),
                )
            if on < batch["start"]:
                bad("enrollments", e["id"], N_("attendance on {date} is before the batch starts"), date=on)
        if e.get("completed_on") and e["completed_on"] < batch["start"]:
            bad(
                "enrollments",
                e["id"],
                N_("completed on {date}, before the batch starts"),
                date=e["completed_on"],
            )
        if e["status"] in batch_rules.HOLDS_PLACE:
            held[e["batch"]].append(e)
    for (code, cadre_id), n in pairs.items():
        if n > 1:
            bad(
                "enrollments",
                f"{code}/{cadre_id}",
                N_("cadre enrolled {count} times in one batch"),
                count=str(n),
            )
    for code, places in held.items():
        batch = batches[code]
        total, per_kelurahan = batch_rules.places_taken(places)
        if total > batch["capacity"]:
            bad(
                "batches",
                code,
                N_("{count} places held, capacity {capacity}"),
                count=str(total),
                capacity=str(batch["capacity"]),
            )
        quota = batch["quota_per_kelurahan"]
        for kel, n in per_kelurahan.items():
            if quota and n > quota:
                bad(
                    "batches",
                    code,
                    N_("{count} places for kelurahan {kelurahan}, quota {quota}"),
                    count=str(n),
                    kelurahan=kel,
                    quota=str(quota),
                )


# --- history ---------------------------------------------------------------------------------


def history(
    uow: UnitOfWork,
    *,
    ref: str | None = None,
    entity: str | None = None,
    user: str | None = None,
    command: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = None,
) -> list[Record]:
    """Change history, oldest first, filtered; an ID matches the record it concerns."""
    entries: Iterable[Record] = uow.history.all()
    if ref:
        wanted = ref.strip().upper()
        entries = [
            h for h in entries if str(h.get("ref", "")).upper() == wanted or wanted in (h.get("refs") or ())
        ]
    if entity:
        entries = [h for h in entries if h.get("entity") == entity]
    if user:
        entries = [h for h in entries if h.get("user") == user]
    if command:
        entries = [h for h in entries if command in h.get("command", "")]
    if since:
        entries = [h for h in entries if h["at"][:10] >= since.isoformat()]
    if until:
        entries = [h for h in entries if h["at"][:10] <= until.isoformat()]
    rows = sorted(entries, key=lambda h: h["seq"])
    return rows[-limit:] if limit else rows


# --- erasure ---------------------------------------------------------------------------------


def forget(uow: UnitOfWork, ref: str, reason: str, today: dt.date, *, again: bool = False) -> Record:
    """Erase a person's identifying data and income history; keep an anonymous record so that
    counts (registrations, enrollments, businesses) stay right; record the erasure, not the data.

    With again=True an already erased cadre is accepted (to erase it from backups afterwards)."""
    cadre = cadre_service.find(uow, ref)
    if cadre.get("erased_on"):
        if again:
            return cadre
        raise RuleViolation(
            _("cadre {id} was already erased on {date}").format(id=cadre["id"], date=cadre["erased_on"])
        )
    why = v.parse_text(reason, "reason", required=True)
    erase_in_data(uow.db.storage.data, cadre["id"], today)
    uow.db.storage.dirty = True
    for records in (uow.cadres, uow.businesses, uow.incomes, uow.history):
        records.forget_cache()
    uow.record_changes(
        [{"entity": "cadre", "ref": cadre["id"], "action": "erase",
          "changes": {"personal data": ["(kept)", ERASED]}, "reason": why, "on": today.isoformat()}]
    )  # fmt: skip
    return cadre


def erase_in_data(data: dict[str, Any], cadre_id: str, today: dt.date) -> bool:
    """Erase one cadre's personal data in a whole registry document; True if it was there."""
    found = False
    for record in data.get("cadres", {}).values():
        if record.get("id") == cadre_id:
            found = True
            for field in PERSONAL_FIELDS:
                record[field] = ERASED if field == "name" else None
            record["erased_on"] = today.isoformat()
    business_ids = set()
    for record in data.get("businesses", {}).values():
        if record.get("cadre_id") == cadre_id:
            business_ids.add(record["id"])
            record["name"], record["address"] = ERASED, None
    income_ids = {
        key for key, record in data.get("incomes", {}).items() if record.get("cadre_id") == cadre_id
    }
    income_refs = {data["incomes"][k]["id"] for k in income_ids}
    for key in income_ids:
        del data["incomes"][key]
    erased_fields = {*PERSONAL_FIELDS, "amount", "address", "note"}
    for entry in data.get("history", {}).values():
        ref = entry.get("ref")
        if ref == cadre_id or ref in business_ids or ref in income_refs:
            changes = entry.get("changes") or {}
            for field, values in changes.items():
                if field in erased_fields or (ref in business_ids and field == "name"):
                    changes[field] = [None if x is None else ERASED for x in values]
    return found


def forget_in_backups(path: Path, cadre_id: str, today: dt.date) -> int:
    """Apply an erasure to every backup of the registry (call it holding the registry's lock);
    returns how many backups were rewritten."""
    from up2k_cli.fileio import atomic_write_bytes

    done = 0
    for backup in backups.list_backups(path):
        data = tinystore.load(backup.path)
        if erase_in_data(data, cadre_id, today):
            atomic_write_bytes(backup.path, tinystore.serialise(data, backup.path))
            done += 1
    return done


# --- backups ---------------------------------------------------------------------------------


def restore(path: Path, backup_id: str, *, lock_timeout: float, command: str, user: str) -> backups.Backup:
    """Put a backup back in place. The current file (even a damaged one) is itself kept as a
    backup first, so a restore can be undone by restoring that."""
    chosen = backups.find(path, backup_id)
    lock = lock_for(path, lock_timeout)
    acquire(lock, path, lock_timeout, command)
    try:
        data = tinystore.load(chosen.path)
        data, _ = migrations.upgrade(data)
        seq = max((h["seq"] for h in data.get("history", {}).values()), default=0) + 1
        data["meta"]["1"].setdefault("counters", {})["history"] = seq
        table = data.setdefault("history", {})
        table[str(max((int(k) for k in table), default=0) + 1)] = {
            "seq": seq,
            "at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "user": user,
            "command": command,
            "entity": "registry",
            "ref": chosen.id,
            "action": "restore",
            "changes": {"backup": [None, chosen.id]},
        }
        tinystore.save(path, data)
    finally:
        release(lock, path)
    return chosen
