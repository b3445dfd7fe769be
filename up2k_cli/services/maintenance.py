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
from up2k_cli.services import cadres as cadre_service
from up2k_cli.storage import backups, migrations, tinystore
from up2k_cli.storage.repository import Record
from up2k_cli.storage.uow import UnitOfWork, acquire, lock_for, release

ERASED = "(erased)"
PERSONAL_FIELDS = ("nik", "name", "phone", "address", "rt", "rw", "income")


# --- check -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    table: str
    record: str
    problem: str


def check(uow: UnitOfWork, today: dt.date) -> list[Problem]:
    """Every inconsistency the registry holds, each with the record it concerns."""
    problems: list[Problem] = []

    def bad(table: str, record: Any, text: str) -> None:
        problems.append(Problem(table, str(record), text))

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
            bad("cadres", c["id"], str(exc))
        if c.get("kelurahan_code") not in kelurahan:
            bad(
                "cadres",
                c["id"],
                f"kelurahan_code {c.get('kelurahan_code')!r} is not in the region",
            )
        if c.get("status") not in (ACTIVE, INACTIVE):
            bad("cadres", c["id"], f"status {c.get('status')!r} is not active or inactive")
        if not _iso(c.get("registered_on")) or c["registered_on"] > today.isoformat():
            bad("cadres", c["id"], f"registered_on {c.get('registered_on')!r} is not a past date")
        if not c.get("consent_on"):
            bad("cadres", c["id"], "no consent recorded")
        log = c.get("status_log") or []
        if log and log[-1]["status"] != c.get("status"):
            bad(
                "cadres",
                c["id"],
                f"status {c.get('status')} differs from its last change {log[-1]}",
            )
    for nik, ids in niks.items():
        if len(ids) > 1:
            bad("cadres", ", ".join(ids), f"the same NIK {v.mask_nik(nik)} is registered twice")
    for b in batches.values():
        if b["end"] < b["start"]:
            bad("batches", b["code"], f"ends ({b['end']}) before it starts ({b['start']})")
        if b.get("status") not in (batch_rules.OPEN, batch_rules.CLOSED):
            bad("batches", b["code"], f"status {b.get('status')!r} is not open or closed")
    _check_enrollments(uow, cadres, batches, bad)
    nibs: dict[str, list[str]] = defaultdict(list)
    for biz in uow.businesses.all():
        if biz.get("cadre_id") not in cadres:
            bad("businesses", biz["id"], f"owner {biz.get('cadre_id')!r} is not a cadre")
        if biz.get("category") not in outcome_rules.DEFAULT_AGENCY_MAP:
            bad("businesses", biz["id"], f"category {biz.get('category')!r} is unknown")
        if biz.get("nib"):
            nibs[biz["nib"]].append(biz["id"])
    for nib, ids in nibs.items():
        if len(ids) > 1:
            bad("businesses", ", ".join(ids), f"NIB {nib} is used twice")
    for s in uow.steps.all():
        if s.get("cadre_id") not in cadres:
            bad("steps", s["id"], f"cadre {s.get('cadre_id')!r} does not exist")
        if s.get("step") not in outcome_rules.RECORDABLE_STEPS:
            bad("steps", s["id"], f"step {s.get('step')!r} cannot be recorded by hand")
    for r in uow.incomes.all():
        if r.get("cadre_id") not in cadres:
            bad("incomes", r["id"], f"cadre {r.get('cadre_id')!r} does not exist")
        if not isinstance(r.get("amount"), int) or r["amount"] < 0:
            bad("incomes", r["id"], f"amount {r.get('amount')!r} is not a whole Rupiah amount")
    return problems


def _iso(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None


def _check_counters(uow: UnitOfWork, meta: Mapping[str, Any], bad: Any) -> None:
    """New IDs come from counters: a counter behind the records would hand out an ID again."""
    counters = meta.get("counters", {})
    for kind, records in (("cadre", uow.cadres), ("enrollment", uow.enrollments),
                          ("business", uow.businesses), ("step", uow.steps),
                          ("income", uow.incomes)):  # fmt: skip
        highest = max((cadre_service.id_order(r)[0] for r in records.all()), default=0)
        if counters.get(kind, 0) < highest:
            bad("meta", f"counters.{kind}", f"is {counters.get(kind, 0)} but IDs go up to {highest}")


def _check_enrollments(
    uow: UnitOfWork, cadres: Mapping[str, Record], batches: Mapping[str, Record], bad: Any
) -> None:
    pairs: Counter[tuple[str, str]] = Counter()
    held: dict[str, list[Record]] = defaultdict(list)
    for e in uow.enrollments.all():
        batch = batches.get(e.get("batch"))
        if e.get("cadre_id") not in cadres:
            bad("enrollments", e["id"], f"cadre {e.get('cadre_id')!r} does not exist")
        if batch is None:
            bad("enrollments", e["id"], f"batch {e.get('batch')!r} does not exist")
            continue
        pairs[(e["batch"], e.get("cadre_id"))] += 1
        if e.get("status") not in batch_rules.STATUSES:
            bad("enrollments", e["id"], f"status {e.get('status')!r} is unknown")
            continue
        events = e.get("events") or []
        if not events or events[-1]["status"] != e["status"]:
            bad("enrollments", e["id"], f"status {e['status']} differs from its last event")
        if e["status"] == batch_rules.COMPLETED and not e.get("completed_on"):
            bad("enrollments", e["id"], "completed without a completion date")
        if e["status"] == batch_rules.WITHDRAWN and not e.get("withdrawn_on"):
            bad("enrollments", e["id"], "withdrawn without a date")
        for session, on in (e.get("attendance") or {}).items():
            if not session.isdigit() or not 1 <= int(session) <= batch["sessions"]:
                bad(
                    "enrollments",
                    e["id"],
                    f"attended session {session}, beyond 1-{batch['sessions']}",
                )
            if on < batch["start"]:
                bad("enrollments", e["id"], f"attendance on {on} is before the batch starts")
        if e.get("completed_on") and e["completed_on"] < batch["start"]:
            bad("enrollments", e["id"], f"completed on {e['completed_on']}, before the batch starts")
        if e["status"] in batch_rules.HOLDS_PLACE:
            held[e["batch"]].append(e)
    for (code, cadre_id), n in pairs.items():
        if n > 1:
            bad("enrollments", f"{code}/{cadre_id}", f"cadre enrolled {n} times in one batch")
    for code, places in held.items():
        batch = batches[code]
        total, per_kelurahan = batch_rules.places_taken(places)
        if total > batch["capacity"]:
            bad("batches", code, f"{total} places held, capacity {batch['capacity']}")
        quota = batch["quota_per_kelurahan"]
        for kel, n in per_kelurahan.items():
            if quota and n > quota:
                bad("batches", code, f"{n} places for kelurahan {kel}, quota {quota}")


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
        entries = [h for h in entries if str(h.get("ref", "")).upper() == wanted]
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
        raise RuleViolation(f"cadre {cadre['id']} was already erased on {cadre['erased_on']}")
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
    import orjson

    from up2k_cli.fileio import atomic_write_bytes

    done = 0
    for backup in backups.list_backups(path):
        data = orjson.loads(backup.path.read_bytes())
        if erase_in_data(data, cadre_id, today):
            atomic_write_bytes(backup.path, orjson.dumps(data))
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
