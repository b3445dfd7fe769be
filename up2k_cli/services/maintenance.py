"""Tools for when something went wrong: check, history, backups, and erasure (UU PDP)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from up2k_cli.domain import batch as batch_rules
from up2k_cli.domain import outcomes as outcome_rules
from up2k_cli.domain import validators as v
from up2k_cli.domain.cadre import ACTIVE, INACTIVE
from up2k_cli.domain.errors import RuleViolation, ValidationError
from up2k_cli.i18n import N_, Msg, _
from up2k_cli.services import common
from up2k_cli.services.personal import files_holding
from up2k_cli.storage.protocol import Record, UnitOfWork

ERASED = "(erased)"  # stored in the records: the same in every language
NO_CADRE = N_("cadre {value} does not exist")


# --- check -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    table: str
    record: str
    problem: str  # a Msg: English in CSV/JSON, the current language in the table


def check(uow: UnitOfWork, today: dt.date) -> list[Problem]:
    """Every inconsistency the registry holds, each with the record it concerns; changes made
    outside up2k first."""
    with uow:
        problems = [
            Problem(edit.table, "*", Msg(N_("changed outside up2k: {change}"), change=edit.describe()))
            for edit in uow.outside_edits()
        ]
        problems += _consistency(uow, today)
    return problems


def accept_edits(uow: UnitOfWork) -> list[str]:
    """Accept changes made to the file outside up2k (after checking them): recorded in the history,
    and the file sealed as it now is. Returns what was accepted."""
    with uow:
        edits = uow.outside_edits()
        if not edits:
            return []
        described = [edit.describe() for edit in edits]
        uow.record_changes(
            [{"entity": "registry", "ref": uow.location, "action": "accept-edits",
              "changes": {edit.table: [edit.expected, edit.found] for edit in edits}}]
        )  # fmt: skip
        uow.commit()
    return described


def _consistency(uow: UnitOfWork, today: dt.date) -> list[Problem]:
    problems: list[Problem] = []

    def bad(table: str, record: Any, text: str, **values: Any) -> None:
        problems.append(
            Problem(table, str(record), Msg(text, **values) if not isinstance(text, Msg) else text)
        )

    meta = uow.meta
    kelurahan = {k["code"] for k in meta["region"]["kelurahan"]}
    cadres = {c["id"]: c for c in uow.cadres.all()}
    batches = {b["code"]: b for b in uow.batches.all()}
    _check_counters(uow, bad)
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
    _check_enrollments(uow, cadres, batches, bad)
    nibs: dict[str, list[str]] = defaultdict(list)
    for biz in uow.businesses.all():
        if biz.get("cadre_id") not in cadres:
            bad("businesses", biz["id"], N_("owner {value} is not a cadre"), value=repr(biz.get("cadre_id")))
        if biz.get("nib"):
            nibs[biz["nib"]].append(biz["id"])
    for nib, ids in nibs.items():
        if len(ids) > 1:
            bad("businesses", ", ".join(ids), N_("NIB {nib} is used twice"), nib=nib)
    _check_programme(uow, cadres, bad)
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


def _check_counters(uow: UnitOfWork, bad: Any) -> None:
    """New IDs come from counters: a counter behind the records would hand out an ID again."""
    from up2k_cli.storage.schema import TABLES

    serial = [spec for spec in TABLES.values() if spec.prefix is not None and spec.counter is not None]
    highest_ids = {
        spec.counter: max((common.id_number(r[spec.key]) for r in getattr(uow, spec.name).all()), default=0)
        for spec in serial
    }
    counters = uow.counters()  # read after the records: a record added meanwhile is no problem
    for counter, highest in highest_ids.items():
        if counters.get(counter, 0) < highest:
            bad(
                "meta",
                f"counters.{counter}",
                N_("is {value} but IDs go up to {highest}"),
                value=str(counters.get(counter, 0)),
                highest=str(highest),
            )


def _check_programme(uow: UnitOfWork, cadres: Mapping[str, Record], bad: Any) -> None:
    """Business follow-ups, groups, memberships, tiers and referrals point at records that
    exist, and a cadre is in one group at a time."""
    businesses = {b["id"] for b in uow.businesses.all()}
    groups = {g["id"] for g in uow.groups.all()}
    referrals = {r["id"] for r in uow.referrals.all()}
    for table, key, known, what in (
        ("business_follow_ups", "business_id", businesses, N_("business {value} does not exist")),
        ("memberships", "group_id", groups, N_("group {value} does not exist")),
        ("memberships", "cadre_id", cadres, NO_CADRE),
        ("group_tiers", "group_id", groups, N_("group {value} does not exist")),
        ("referrals", "business_id", businesses, N_("business {value} does not exist")),
        ("referral_updates", "referral_id", referrals, N_("referral {value} does not exist")),
    ):
        for record in getattr(uow, table).all():
            if record.get(key) not in known:
                bad(table, record["id"], what, value=repr(record.get(key)))
    open_groups: dict[str, list[str]] = defaultdict(list)
    for m in uow.memberships.all():
        if m.get("left_on") is None:
            open_groups[m["cadre_id"]].append(m["id"])
        elif m["left_on"] < m["joined_on"]:
            bad("memberships", m["id"], N_("left ({left}) before joining ({joined})"), left=m["left_on"],
                joined=m["joined_on"])  # fmt: skip
    for cadre_id, ids in open_groups.items():
        if len(ids) > 1:
            bad("memberships", ", ".join(ids), N_("cadre {value} is in {count} groups at once"),
                value=cadre_id, count=str(len(ids)))  # fmt: skip


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
    show_nik: bool = False,
) -> list[Record]:
    """Change history, oldest first, filtered; an ID matches the record it concerns. Showing
    whole NIKs is itself recorded (UU PDP)."""
    from up2k_cli.services.personal import require_personal_data

    with uow:
        require_personal_data(uow, "history")
        if ref:
            wanted = ref.strip().upper()
            found = {h["seq"]: h for h in uow.history.find(ref=wanted)}
            found.update({h["seq"]: h for h in uow.history.find_with("refs", wanted)})
            entries: Iterable[Record] = found.values()
        else:
            entries = uow.history.all()
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
        rows = rows[-limit:] if limit else rows
        if show_nik and any("nik" in (h.get("changes") or {}) for h in rows):
            from up2k_cli.services.personal import record_access

            shown = {h["ref"] for h in rows if "nik" in (h.get("changes") or {}) and h.get("ref")}
            record_access(uow, "history --show-nik", shown)
            uow.commit()
    return rows


# --- erasure ---------------------------------------------------------------------------------

# What an erased person's records keep: what anonymous counts need, nothing that names them.
KEPT_FIELDS = frozenset(
    {
        "id", "cadre_id", "batch", "kelurahan_code", "status", "kind", "category", "step", "amount",
        "income", "business_type", "halal", "capacity", "quota_per_kelurahan", "sessions", "records",
        "registered_on", "consent_on", "enrolled_on", "waitlisted_on", "completed_on", "withdrawn_on",
        "started_on", "added_on", "licensed_on", "on", "erased_on", "queue_seq", "attendance", "events",
        "status_log", "completion_forced",
        "work_status", "owner_status", "family_workers", "paid_workers", "paid_were_unemployed", "paid_local",
        "turnover", "business_id", "group", "group_id", "joined_on", "left_on", "referral_id", "agency",
        "need", "referred_on", "outcome", "source",
    }
)  # fmt: skip
# Free text and identifiers, per table: erased wherever the person appears.
ERASED_FIELDS: dict[str, tuple[str, ...]] = {
    "cadres": ("nik", "name", "name_key", "phone", "address", "rt", "rw", "household_size",
               "consent_method", "status_reason"),
    "enrollments": ("withdraw_reason", "forced_reason"),
    "businesses": ("name", "address", "nib", "pirt"),
    "steps": ("note",),
    "incomes": ("note",),
    "memberships": ("leave_reason",),
    "business_follow_ups": ("note",),
    "referrals": ("note",),
    "referral_updates": ("note", "nib", "pirt"),
}  # fmt: skip


@dataclass
class Erasure:
    cadre: Record
    files: list[Record] = field(default_factory=list)  # files written earlier that hold the person
    backups: int | None = None  # backups rewritten, when asked
    backups_left: int = 0  # backups that still hold it, when not asked
    server_backups: bool = False  # the server's backups (pg_dump, PITR) are not up2k's to reach


def forget(
    uow: UnitOfWork, ref: str, reason: str, today: dt.date, *, include_backups: bool = False
) -> Erasure:
    """Erase a person's identifying data and free text everywhere they appear (their records,
    the history about them, and on request the backups); keep an anonymous record so that counts
    stay right; record the erasure, not the data. An erased cadre is accepted again only to
    erase it from the backups."""
    why = v.parse_text(reason, "reason", required=True)
    with uow:
        cadre = common.find(uow, ref, lock=True)
        if cadre.get("erased_on") and not include_backups:
            raise RuleViolation(
                _("cadre {id} was already erased on {date}").format(id=cadre["id"], date=cadre["erased_on"])
            )
        if not cadre.get("erased_on"):
            erase(uow, cadre["id"], today)
            uow.record_changes(
                [{"entity": "cadre", "ref": cadre["id"], "action": "erase",
                  "changes": {"personal data": ["(kept)", ERASED]}, "reason": why, "on": today.isoformat()}]
            )  # fmt: skip
            uow.commit()
        result = Erasure(cadre, files_holding(uow, cadre["id"]), server_backups=uow.backend == "postgresql")
        if include_backups and not result.server_backups:
            result.backups = uow.rewrite_backups(lambda backup: erase(backup, cadre["id"], today))
        else:
            result.backups_left = uow.backup_count()
    return result


def erase(uow: UnitOfWork, cadre_id: str, today: dt.date) -> bool:
    """Erase one person in an open unit of work (the registry, or a backup); True if found."""
    cadre = uow.cadres.get(cadre_id)
    if cadre is None:
        return False
    refs = {cadre_id}
    fields = dict.fromkeys(ERASED_FIELDS["cadres"])
    fields |= {"name": ERASED, "erased_on": cadre.get("erased_on") or today.isoformat()}
    fields["status_log"] = [{**e, "reason": None} for e in cadre.get("status_log") or []]
    uow.cadres.update_many({cadre_id: fields})
    owned: dict[str, list[str]] = {}
    for table in ("enrollments", "businesses", "steps", "incomes", "memberships"):
        owned[table] = _erase_in(uow, table, "cadre_id", [cadre_id])
    # Records about the person's businesses, and about the referrals of those.
    owned["business_follow_ups"] = _erase_in(uow, "business_follow_ups", "business_id", owned["businesses"])
    owned["referrals"] = _erase_in(uow, "referrals", "business_id", owned["businesses"])
    owned["referral_updates"] = _erase_in(uow, "referral_updates", "referral_id", owned["referrals"])
    refs.update(ident for ids in owned.values() for ident in ids)
    uow.redact_history(refs, redacted)
    return True


def _erase_in(uow: UnitOfWork, table: str, field: str, values: list[str]) -> list[str]:
    """Erase the free text and identifiers of a table's records whose `field` is one of
    `values`; returns their IDs."""
    if not values:
        return []
    changes = {}
    for record in getattr(uow, table).find_in(field, values):
        change: Record = dict.fromkeys(ERASED_FIELDS[table])
        if table == "businesses":
            change["name"] = ERASED
        if record.get("events"):
            change["events"] = [{k: x for k, x in e.items() if k != "reason"} for e in record["events"]]
        changes[record["id"]] = change
    getattr(uow, table).update_many(changes)
    return list(changes)


FREE_TEXT_INSIDE = frozenset({"reason", "note"})  # free text within kept values (status_log, events)


def redacted(entry: Mapping[str, Any]) -> Record:
    """The fields of a history entry to change so that it holds nothing but what anonymous counts
    need: every value outside KEPT_FIELDS, every reason and note, and a removed record's text."""
    out: Record = {}
    changes = entry.get("changes") or {}
    scrubbed = {
        name: _scrub(pair) if name in KEPT_FIELDS else _erased(pair) for name, pair in changes.items()
    }
    if scrubbed != changes:
        out["changes"] = scrubbed
    if entry.get("reason") not in (None, ERASED):
        out["reason"] = ERASED
    record = entry.get("record")
    if record:
        kept = {k: (_scrub(v) if k in KEPT_FIELDS else _erased(v)) for k, v in record.items()}
        if kept != record:
            out["record"] = kept
    return out


def _erased(value: Any) -> Any:
    """Old -> new pairs keep their shape, with every value but None erased."""
    if isinstance(value, list) and len(value) == 2:
        return [None if x is None else ERASED for x in value]
    return None if value is None else ERASED


def _scrub(value: Any) -> Any:
    """A kept value with the free text inside it (a status change's reason) erased."""
    if isinstance(value, list):
        return [_scrub(x) for x in value]
    if isinstance(value, dict):
        return {
            k: (ERASED if k in FREE_TEXT_INSIDE and v is not None else _scrub(v)) for k, v in value.items()
        }
    return value


# --- backups ---------------------------------------------------------------------------------


def restore(uow: UnitOfWork, backup_id: str) -> Any:
    """Put a backup back in place. The current file (even a damaged one) is itself kept as a
    backup first, so a restore can be undone by restoring that."""
    return uow.restore_backup(backup_id)
