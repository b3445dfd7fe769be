"""Use cases for batches and enrollment: add, list, show, close; enroll, withdraw, attend,
complete. Each use case enters the unit of work and commits once; helpers take an open one."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from up2k_cli.domain import batch as rules
from up2k_cli.domain import validators as v
from up2k_cli.domain.errors import NotFound, RuleViolation, ValidationError
from up2k_cli.i18n import N_, Msg, _
from up2k_cli.services import cadres as cadre_service
from up2k_cli.services.cadres import bulk_entry, change_entry, create_entry
from up2k_cli.storage.protocol import Record, UnitOfWork

NAME_A_CADRE = N_("name at least one cadre (ID or NIK), or - for stdin")


def add(uow: UnitOfWork, today: dt.date, **fields: Any) -> Record:
    record = rules.new_batch(created_on=today, **fields)
    with uow:
        uow.batches.hold("code", [record["code"]])
        if record["code"] in uow.batches:
            raise RuleViolation(
                _("batch {code} already exists (codes ignore case)").format(code=record["code"])
            )
        uow.batches.add_many([record])
        uow.record_changes([create_entry("batch", record["code"], record)])
        uow.commit()
    return record


def get(uow: UnitOfWork, code: str, *, lock: bool = False) -> Record:
    """A batch by code; in an open unit of work. With `lock`, the batch is held against other
    commands to the end of this one (PostgreSQL: its row lock) before it is read, so that the
    places counted next stay counted: enroll, withdraw, attend, complete and close lock it."""
    key = rules.parse_code(code)
    if lock:
        uow.batches.lock(key)
    record = uow.batches.get(key)
    if record is None:
        raise NotFound(_("batch {code} not found; 'up2k batch list' shows the batches").format(code=key))
    return record


def close(uow: UnitOfWork, code: str, today: dt.date) -> Record:
    with uow:
        batch = get(uow, code, lock=True)
        if batch["status"] == rules.CLOSED:
            raise RuleViolation(_("batch {code} is already closed").format(code=batch["code"]))
        fields = {"status": rules.CLOSED, "closed_on": today.isoformat()}
        uow.batches.update_many({batch["code"]: fields})
        uow.record_changes([change_entry("batch", batch["code"], "close", batch, fields)])
        uow.commit()
    return {**batch, **fields}


def enrollments_of(uow: UnitOfWork, code: str) -> list[Record]:
    return uow.enrollments.find(batch=code)


@dataclass
class BatchFill:
    """How full a batch is: places held, per kelurahan, waitlist, completions."""

    batch: Record
    by_status: Counter[str] = field(default_factory=Counter)
    per_kelurahan: Counter[str] = field(default_factory=Counter)

    @property
    def enrolled(self) -> int:
        return self.by_status[rules.ENROLLED] + self.by_status[rules.COMPLETED]


def fills(uow: UnitOfWork, enrollments: list[Record] | None = None) -> dict[str, BatchFill]:
    """Fill of every batch in one pass over the enrollments (or over the ones given); in an open
    unit of work."""
    out = {b["code"]: BatchFill(b) for b in uow.batches.all()}
    for e in uow.enrollments.all() if enrollments is None else enrollments:
        fill = out.get(e["batch"])
        if fill is None:
            continue
        fill.by_status[e["status"]] += 1
        if e["status"] in rules.HOLDS_PLACE:
            fill.per_kelurahan[e["kelurahan_code"]] += 1
    return out


def list_batches(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every batch with its counts, in the order they start."""
    with uow:
        found = fills(uow)
    return [batch_row(f) for f in sorted(found.values(), key=lambda f: (f.batch["start"], f.batch["code"]))]


@dataclass
class BatchPage:
    """A batch for `batch show`: its row, the fill of each kelurahan against the quota, the roster."""

    batch: Record
    row: dict[str, Any]
    kelurahan: list[dict[str, Any]]
    roster: list[dict[str, Any]]


def show(uow: UnitOfWork, code: str) -> BatchPage:
    with uow:
        batch = get(uow, code)
        enrollments = enrollments_of(uow, batch["code"])
        fill = fills(uow, enrollments)[batch["code"]]
        rows = roster(uow, batch, enrollments)
        names = cadre_service.kelurahan_names(uow.meta)
    quota = batch["quota_per_kelurahan"]
    waiting = Counter(r["kelurahan_code"] for r in rows if r["status"] == rules.WAITLISTED)
    per_kel = [
        {
            "kelurahan_code": k,
            "kelurahan": name,
            "enrolled": fill.per_kelurahan.get(k, 0),
            "quota": quota or None,
            "free": rules.free_places(batch, fill.per_kelurahan, k),
            "waitlisted": waiting[k],
        }
        for k, name in sorted(names.items())
    ]
    return BatchPage(batch, batch_row(fill), per_kel, rows)


def batch_row(fill: BatchFill) -> dict[str, Any]:
    """A batch with its counts, as list, show and export present it."""
    b = fill.batch
    return {
        **{k: b.get(k) for k in BATCH_FIELDS},
        "enrolled": fill.enrolled,
        "completed": fill.by_status[rules.COMPLETED],
        "waitlisted": fill.by_status[rules.WAITLISTED],
        "withdrawn": fill.by_status[rules.WITHDRAWN],
    }


BATCH_FIELDS = (
    "code",
    "title",
    "kind",
    "start",
    "end",
    "capacity",
    "quota_per_kelurahan",
    "sessions",
    "min_attendance",
    "mentor",
    "venue",
    "status",
    "closed_on",
)


def roster(uow: UnitOfWork, batch: Record, enrollments: list[Record]) -> list[dict[str, Any]]:
    """Who is in the batch: ID, name, kelurahan, status, attendance. No NIK, phone or address."""
    names = cadre_service.kelurahan_names(uow.meta)
    cadres = uow.cadres.get_many([e["cadre_id"] for e in enrollments])
    rows = [enrollment_row(batch, e, names, cadres.get(e["cadre_id"], {}).get("name")) for e in enrollments]
    order = {rules.ENROLLED: 0, rules.COMPLETED: 0, rules.WAITLISTED: 1, rules.WITHDRAWN: 2}
    return sorted(
        rows,
        key=lambda r: (order[r["status"]], r["queue_seq"] or 0, cadre_service.id_order(r)),
    )


def enrollment_row(
    batch: Mapping[str, Any], e: Mapping[str, Any], names: Mapping[str, str], name: str | None
) -> dict[str, Any]:
    return {
        "id": e["cadre_id"],
        "enrollment_id": e["id"],
        "batch": e["batch"],
        "cadre_id": e["cadre_id"],
        "name": name,
        "kelurahan_code": e["kelurahan_code"],
        "kelurahan": names.get(e["kelurahan_code"], ""),
        "status": e["status"],
        "enrolled_on": e.get("enrolled_on"),
        "waitlisted_on": e.get("waitlisted_on"),
        "queue_seq": e.get("queue_seq") if e["status"] == rules.WAITLISTED else None,
        "sessions_attended": len(e.get("attendance", {})),
        "sessions_planned": batch["sessions"],
        "attendance_pct": round(rules.attendance_share(batch, e), 1),
        "completed_on": e.get("completed_on"),
        "completion_forced": bool(e.get("forced_reason")),
        "withdrawn_on": e.get("withdrawn_on"),
        "reason": e.get("withdraw_reason") or e.get("forced_reason"),
    }


# --- enrollment use cases ------------------------------------------------------------------


@dataclass
class EnrollResult:
    enrolled: list[str] = field(default_factory=list)
    waitlisted: list[str] = field(default_factory=list)
    already: list[tuple[str, str]] = field(default_factory=list)


def _active_cadres(uow: UnitOfWork, refs: Sequence[str]) -> list[Record]:
    if not refs:
        raise ValidationError("cadre", None, Msg(NAME_A_CADRE))
    found, problems = [], []
    for ref in refs:
        try:
            cadre = cadre_service.find(uow, ref)
        except (NotFound, ValidationError) as exc:
            problems.append(str(exc))
            continue
        if cadre["status"] != "active":
            problems.append(
                _("cadre {id} is inactive ({reason})").format(
                    id=cadre["id"], reason=cadre.get("status_reason")
                )
            )
            continue
        found.append(cadre)
    if problems:
        raise RuleViolation(_("{problems}; nothing was changed").format(problems="; ".join(problems)))
    return found


def _event(e: Mapping[str, Any], status: str, on: str, **extra: Any) -> list[dict[str, Any]]:
    return [*e.get("events", []), {"status": status, "on": on, **extra}]


def enroll(
    uow: UnitOfWork,
    code: str,
    refs: Sequence[str],
    *,
    on: dt.date,
    today: dt.date,
    waitlist: bool = False,
) -> EnrollResult:
    """Enroll cadres in order; all-or-nothing when capacity or a quota would break."""
    with uow:
        result = _enroll(uow, code, refs, on=on, today=today, waitlist=waitlist)
        uow.commit()
    return result


def _enroll(
    uow: UnitOfWork, code: str, refs: Sequence[str], *, on: dt.date, today: dt.date, waitlist: bool
) -> EnrollResult:
    batch = get(uow, code, lock=True)
    v.not_in_future(on, "date", today)
    cadres = _active_cadres(uow, refs)
    late = [c["id"] for c in cadres if c["registered_on"] > on.isoformat()]
    if late:
        raise ValidationError(
            "date",
            on.isoformat(),
            Msg(N_("is before {ids} registered; enroll from then on"), ids=", ".join(late)),
        )
    existing = enrollments_of(uow, batch["code"])
    plan = rules.plan_enrollment(
        batch,
        existing,
        [rules.Candidate(c["id"], c["kelurahan_code"]) for c in cadres],
        waitlist=waitlist,
    )
    if plan.refused:
        names = cadre_service.kelurahan_names(uow.meta)
        raise RuleViolation(rules.refusal_message(batch, plan, names))
    previous = {e["cadre_id"]: e for e in existing}
    date = on.isoformat()
    new: list[Record] = []
    changed: dict[str, Record] = {}
    entries = []
    queue = iter(uow.reserve("queue", len(plan.waitlist))) if plan.waitlist else iter(())
    for cand, status in [(c, rules.ENROLLED) for c in plan.enroll] + [
        (c, rules.WAITLISTED) for c in plan.waitlist
    ]:
        fields = {
            "status": status,
            "kelurahan_code": cand.kelurahan_code,
            "enrolled_on": date if status == rules.ENROLLED else None,
            "waitlisted_on": date if status == rules.WAITLISTED else None,
            "queue_seq": next(queue) if status == rules.WAITLISTED else None,
            "withdrawn_on": None,
            "withdraw_reason": None,
        }
        old = previous.get(cand.cadre_id)
        if old is not None:  # enrolling again after a withdrawal
            fields["events"] = _event(old, status, date)
            changed[old["id"]] = fields
            entries.append(change_entry("enrollment", old["id"], status, old, fields))
        else:
            new.append(
                {
                    "batch": batch["code"],
                    "cadre_id": cand.cadre_id,
                    "attendance": {},
                    "completed_on": None,
                    "forced_reason": None,
                    **fields,
                    "events": [{"status": status, "on": date}],
                }
            )
    ids = uow.next_ids("enrollment", "E", len(new)) if new else []
    by_status: dict[str, list[str]] = {}
    for ident, record in zip(ids, new, strict=True):
        record["id"] = ident
        by_status.setdefault(record["status"], []).append(ident)
    for status, same in by_status.items():
        entries.append(
            bulk_entry("enrollment", same, "create",
                       {"batch": [None, batch["code"]], "status": [None, status], "on": [None, date]})
        )  # fmt: skip
    uow.enrollments.add_many(new)
    uow.enrollments.update_many(changed)
    uow.record_changes(entries)
    return EnrollResult(
        enrolled=[c.cadre_id for c in plan.enroll],
        waitlisted=[c.cadre_id for c in plan.waitlist],
        already=plan.already,
    )


def _enrollment(uow: UnitOfWork, batch: Record, ref: str) -> tuple[Record, Record]:
    cadre = cadre_service.find(uow, ref)
    for e in enrollments_of(uow, batch["code"]):
        if e["cadre_id"] == cadre["id"]:
            return cadre, e
    raise RuleViolation(
        _("cadre {id} is not enrolled in batch {code}").format(id=cadre["id"], code=batch["code"])
    )


def withdraw(
    uow: UnitOfWork, code: str, ref: str, *, reason: str, on: dt.date, today: dt.date
) -> tuple[Record, Record | None]:
    """Withdraw a cadre; the first waitlisted cadre who now fits is promoted (and returned)."""
    with uow:
        result = _withdraw(uow, code, ref, reason=reason, on=on, today=today)
        uow.commit()
    return result


def _withdraw(
    uow: UnitOfWork, code: str, ref: str, *, reason: str, on: dt.date, today: dt.date
) -> tuple[Record, Record | None]:
    batch = get(uow, code, lock=True)
    v.not_in_future(on, "date", today)
    reason_text = v.parse_text(reason, "reason", required=True)
    cadre, e = _enrollment(uow, batch, ref)
    if e["status"] not in (rules.ENROLLED, rules.WAITLISTED):
        raise RuleViolation(
            _("cadre {id} is {status} in {code}; cannot withdraw").format(
                id=cadre["id"], status=e["status"], code=batch["code"]
            )
        )
    date = on.isoformat()
    fields = {
        "status": rules.WITHDRAWN,
        "withdrawn_on": date,
        "withdraw_reason": reason_text,
        "events": _event(e, rules.WITHDRAWN, date, reason=reason_text),
    }
    updates = {e["id"]: fields}
    entries = [change_entry("enrollment", e["id"], "withdraw", e, fields)]
    promoted = None
    if batch["status"] == rules.OPEN and e["status"] == rules.ENROLLED:
        after = [{**x, **updates.get(x["id"], {})} for x in enrollments_of(uow, batch["code"])]
        nxt = rules.next_from_waitlist(batch, after)
        if nxt is not None:
            promo = {
                "status": rules.ENROLLED,
                "enrolled_on": date,
                "queue_seq": None,
                "events": _event(nxt, rules.ENROLLED, date, promoted=True),
            }
            updates[nxt["id"]] = promo
            entries.append(change_entry("enrollment", nxt["id"], "promote", nxt, promo))
            promoted = {**nxt, **promo}
    uow.enrollments.update_many(updates)
    uow.record_changes(entries)
    return {**e, **fields}, promoted


def attend(
    uow: UnitOfWork, code: str, session: int, refs: Sequence[str], *, on: dt.date, today: dt.date
) -> tuple[list[str], list[str]]:
    """Record attendance of one session; returns (recorded, already recorded)."""
    with uow:
        result = _attend(uow, code, session, refs, on=on, today=today)
        uow.commit()
    return result


def _attend(
    uow: UnitOfWork, code: str, session: int, refs: Sequence[str], *, on: dt.date, today: dt.date
) -> tuple[list[str], list[str]]:
    batch = get(uow, code, lock=True)
    rules.check_session(batch, session)
    date = rules.check_activity_date(batch, on, today)
    targets = _participants(uow, batch, refs, (rules.ENROLLED, rules.COMPLETED), "attend")
    updates, entries, recorded, already = {}, [], [], []
    key = str(session)
    for cadre_id, e in targets:
        if key in e.get("attendance", {}):
            already.append(cadre_id)
            continue
        fields = {"attendance": {**e.get("attendance", {}), key: date}}
        updates[e["id"]] = fields
        recorded.append(cadre_id)
    if updates:
        entries.append(
            bulk_entry("enrollment", list(updates), "attend", {f"session {session}": [None, date]})
        )
    uow.enrollments.update_many(updates)
    uow.record_changes(entries)
    return recorded, already


def _participants(
    uow: UnitOfWork, batch: Record, refs: Sequence[str], allowed: tuple[str, ...], verb: str
) -> list[tuple[str, Record]]:
    if not refs:
        raise ValidationError("cadre", None, Msg(NAME_A_CADRE))
    by_cadre = {e["cadre_id"]: e for e in enrollments_of(uow, batch["code"])}
    out, problems = [], []
    for ref in refs:
        try:
            cadre = cadre_service.find(uow, ref)
        except (NotFound, ValidationError) as exc:
            problems.append(str(exc))
            continue
        e = by_cadre.get(cadre["id"])
        if e is None or e["status"] not in allowed:
            state = e["status"] if e else _("not enrolled")
            message = (
                _("cadre {id} cannot attend: {state} in {code}")
                if verb == "attend"
                else _("cadre {id} cannot complete: {state} in {code}")
            )
            problems.append(message.format(id=cadre["id"], state=state, code=batch["code"]))
            continue
        out.append((cadre["id"], e))
    if problems:
        raise RuleViolation(_("{problems}; nothing was recorded").format(problems="; ".join(problems)))
    return out


def complete(
    uow: UnitOfWork,
    code: str,
    refs: Sequence[str],
    *,
    on: dt.date,
    today: dt.date,
    force: bool = False,
    reason: str | None = None,
) -> list[str]:
    """Mark completion; below the batch's minimum attendance only with --force and a reason."""
    with uow:
        result = _complete(uow, code, refs, on=on, today=today, force=force, reason=reason)
        uow.commit()
    return result


def _complete(
    uow: UnitOfWork,
    code: str,
    refs: Sequence[str],
    *,
    on: dt.date,
    today: dt.date,
    force: bool,
    reason: str | None,
) -> list[str]:
    batch = get(uow, code, lock=True)
    date = rules.check_activity_date(batch, on, today)
    if force and not (reason and reason.strip()):
        raise ValidationError("reason", reason, _("--force needs --reason saying why"))
    targets = _participants(uow, batch, refs, (rules.ENROLLED,), "complete")
    low = [
        _("{id} attended {count}/{sessions} sessions ({percent:.0f}%)").format(
            id=cid,
            count=len(e.get("attendance", {})),
            sessions=batch["sessions"],
            percent=rules.attendance_share(batch, e),
        )
        for cid, e in targets
        if not rules.meets_attendance(batch, e)
    ]
    if low and not force:
        raise RuleViolation(
            _(
                "below the minimum attendance of {minimum}% in {code}: {cadres}; "
                "record attendance, or use --force --reason"
            ).format(minimum=batch["min_attendance"], code=batch["code"], cadres=", ".join(low))
        )
    updates: dict[str, dict[str, Any]] = {}
    forced_ids: list[str] = []
    why = v.parse_text(reason, "reason") if force else None
    for _cid, e in targets:
        forced = not rules.meets_attendance(batch, e)
        fields = {
            "status": rules.COMPLETED,
            "completed_on": date,
            "forced_reason": why if forced else None,
            "events": _event(e, rules.COMPLETED, date),
        }
        updates[e["id"]] = fields
        if forced:
            forced_ids.append(e["id"])
    entries = []
    plain = [i for i in updates if i not in forced_ids]
    changes = {"status": [rules.ENROLLED, rules.COMPLETED], "completed_on": [None, date]}
    if plain:
        entries.append(bulk_entry("enrollment", plain, "complete", changes))
    if forced_ids:
        entries.append(
            bulk_entry("enrollment", forced_ids, "complete", {**changes, "forced_reason": [None, why]})
        )
    uow.enrollments.update_many(updates)
    uow.record_changes(entries)
    return [cid for cid, _ in targets]


def cadre_batches(uow: UnitOfWork, cadre_id: str) -> list[dict[str, Any]]:
    """A cadre's batches with status and attendance, for 'cadre show'; in an open unit of work."""
    names = cadre_service.kelurahan_names(uow.meta)
    mine = uow.enrollments.find(cadre_id=cadre_id)
    batches = uow.batches.get_many({e["batch"] for e in mine})
    rows = [
        {**enrollment_row(batches[e["batch"]], e, names, None), "title": batches[e["batch"]]["title"]}
        for e in mine
        if e["batch"] in batches
    ]
    return sorted(rows, key=lambda r: r["batch"])


def all_enrollment_rows(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every enrollment in batch then enrollment order (no personal data beyond the IDs)."""
    with uow:
        names = cadre_service.kelurahan_names(uow.meta)
        batches = {b["code"]: b for b in uow.batches.all()}
        enrollments = uow.enrollments.all()
    rows = [enrollment_row(batches[e["batch"]], e, names, None) for e in enrollments if e["batch"] in batches]
    return sorted(rows, key=lambda r: (r["batch"], cadre_service.id_order({"id": r["enrollment_id"]})))
