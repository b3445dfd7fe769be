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
from up2k_cli.services import common
from up2k_cli.services.common import bulk_entry, change_entry, create_entry
from up2k_cli.storage.protocol import Record, UnitOfWork


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
        day = today.isoformat()
        fields = {"status": rules.CLOSED, "closed_on": day}
        entries = [change_entry("batch", batch["code"], "close", batch, fields)]
        ended = {}
        for e in enrollments_of(uow, batch["code"]):  # the waitlist ends: no place for them here
            if e["status"] == rules.WAITLISTED:
                ended[e["id"]] = {"status": rules.NOT_PLACED, "events": _event(e, rules.NOT_PLACED, day)}
                entries.append(change_entry("enrollment", e["id"], "close", e, ended[e["id"]]))
        uow.batches.update_many({batch["code"]: fields})
        uow.enrollments.update_many(ended)
        uow.record_changes(entries)
        uow.commit()
    return {**batch, **fields, "not_placed": len(ended)}


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


def fills(
    uow: UnitOfWork, enrollments: list[Record] | None = None, batches: list[Record] | None = None
) -> dict[str, BatchFill]:
    """Fill of every batch (or of the batches given) in one pass over the enrollments (or over
    the ones given); in an open unit of work."""
    out = {b["code"]: BatchFill(b) for b in (uow.batches.all() if batches is None else batches)}
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
        origin = uow.meta.get("registry_id")
    rows = [batch_row(f) for f in sorted(found.values(), key=lambda f: (f.batch["start"], f.batch["code"]))]
    return [{**r, "registry": origin} for r in rows]


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
        fill = fills(uow, enrollments, [batch])[batch["code"]]
        rows = roster(uow, batch, enrollments)
        names = common.kelurahan_names(uow.meta)
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
        "not_placed": fill.by_status[rules.NOT_PLACED],
        "created_on": b.get("created_on"),
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
    names = common.kelurahan_names(uow.meta)
    cadres = uow.cadres.get_many([e["cadre_id"] for e in enrollments])
    rows = [enrollment_row(batch, e, names, cadres.get(e["cadre_id"], {}).get("name")) for e in enrollments]
    order = {
        rules.ENROLLED: 0,
        rules.COMPLETED: 0,
        rules.WAITLISTED: 1,
        rules.NOT_PLACED: 2,
        rules.WITHDRAWN: 3,
    }
    return sorted(
        rows,
        key=lambda r: (order[r["status"]], r["queue_seq"] or 0, common.id_order(r)),
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
    def inactive(cadre: Record) -> str | None:
        if cadre["status"] == "active":
            return None
        return _("cadre {id} is inactive ({reason})").format(
            id=cadre["id"], reason=cadre.get("status_reason")
        )

    return common.find_cadres(uow, refs, inactive)


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
        names = common.kelurahan_names(uow.meta)
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
    cadre = common.find(uow, ref)
    for e in enrollments_of(uow, batch["code"]):
        if e["cadre_id"] == cadre["id"]:
            return cadre, e
    raise RuleViolation(
        _("cadre {id} is not enrolled in batch {code}").format(id=cadre["id"], code=batch["code"])
    )


@dataclass
class Withdrawal:
    withdrawn: list[Record] = field(default_factory=list)
    promoted: list[Record] = field(default_factory=list)


def withdraw(
    uow: UnitOfWork, code: str, refs: Sequence[str], *, reason: str, on: dt.date, today: dt.date
) -> Withdrawal:
    """Withdraw cadres (all or none); while the batch is open and not over, the first waitlisted
    cadres who now fit take the places freed."""
    with uow:
        result = _withdraw(uow, code, refs, reason=reason, on=on, today=today)
        uow.commit()
    return result


def _withdraw(
    uow: UnitOfWork, code: str, refs: Sequence[str], *, reason: str, on: dt.date, today: dt.date
) -> Withdrawal:
    batch = get(uow, code, lock=True)
    v.not_in_future(on, "date", today)
    reason_text = v.parse_text(reason, "reason", required=True)
    targets = _participants(uow, batch, refs, (rules.ENROLLED, rules.WAITLISTED), "withdraw")
    date = on.isoformat()
    updates: dict[str, Record] = {}
    entries = []
    result = Withdrawal()
    freed = False
    for _cid, e in targets:
        fields = {
            "status": rules.WITHDRAWN,
            "withdrawn_on": date,
            "withdraw_reason": reason_text,
            "queue_seq": None,
            "events": _event(e, rules.WITHDRAWN, date, reason=reason_text),
        }
        updates[e["id"]] = fields
        entries.append(change_entry("enrollment", e["id"], "withdraw", e, fields))
        result.withdrawn.append({**e, **fields})
        freed = freed or e["status"] == rules.ENROLLED
    if freed and batch["status"] == rules.OPEN and not rules.finished(batch, date):
        after = [{**x, **updates.get(x["id"], {})} for x in enrollments_of(uow, batch["code"])]
        while (nxt := rules.next_from_waitlist(batch, after)) is not None:
            promo = {
                "status": rules.ENROLLED,
                "enrolled_on": date,
                "queue_seq": None,
                "events": _event(nxt, rules.ENROLLED, date, promoted=True),
            }
            updates[nxt["id"]] = promo
            entries.append(change_entry("enrollment", nxt["id"], "promote", nxt, promo))
            result.promoted.append({**nxt, **promo})
            after = [{**x, **promo} if x["id"] == nxt["id"] else x for x in after]
    uow.enrollments.update_many(updates)
    uow.record_changes(entries)
    return result


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
        raise ValidationError("cadre", None, Msg(common.NAME_A_CADRE))
    by_cadre = {e["cadre_id"]: e for e in enrollments_of(uow, batch["code"])}
    out, problems = [], []
    for ref in refs:
        try:
            cadre = common.find(uow, ref)
        except (NotFound, ValidationError) as exc:
            problems.append(str(exc))
            continue
        e = by_cadre.get(cadre["id"])
        if e is None or e["status"] not in allowed:
            state = e["status"] if e else _("not enrolled")
            message = {
                "attend": _("cadre {id} cannot attend: {state} in {code}"),
                "complete": _("cadre {id} cannot complete: {state} in {code}"),
                "withdraw": _("cadre {id} cannot withdraw: {state} in {code}"),
                "correct": _("cadre {id} has nothing to correct: {state} in {code}"),
            }[verb]
            problems.append(message.format(id=cadre["id"], state=state, code=batch["code"]))
            continue
        out.append((cadre["id"], e))
    if problems:
        raise RuleViolation(_("{problems}; nothing was recorded").format(problems="; ".join(problems)))
    return out


@dataclass
class Completion:
    completed: list[str] = field(default_factory=list)
    below: list[str] = field(default_factory=list)  # with --eligible: those left enrolled, and why


def complete(
    uow: UnitOfWork,
    code: str,
    refs: Sequence[str],
    *,
    on: dt.date,
    today: dt.date,
    force: bool = False,
    reason: str | None = None,
    eligible: bool = False,
) -> Completion:
    """Mark completion; below the batch's minimum attendance only with --force and a reason. With
    `eligible` (and no cadres named), everyone enrolled at or above the minimum completes and the
    others are listed; cadres named are all-or-nothing."""
    with uow:
        result = _complete(uow, code, refs, on=on, today=today, force=force, reason=reason, eligible=eligible)
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
    eligible: bool = False,
) -> Completion:
    batch = get(uow, code, lock=True)
    date = rules.check_activity_date(batch, on, today)
    if force and not (reason and reason.strip()):
        raise ValidationError("reason", reason, _("--force needs --reason saying why"))
    result = Completion()
    if eligible:
        if refs or force:
            raise ValidationError(
                "eligible", None, _("--eligible completes everyone who qualifies: name no cadre, no --force")
            )
        enrolled = sorted((e for e in enrollments_of(uow, batch["code"]) if e["status"] == rules.ENROLLED),
                          key=lambda e: common.id_order({"id": e["cadre_id"]}))  # fmt: skip
        targets = [(e["cadre_id"], e) for e in enrolled if rules.meets_attendance(batch, e)]
        result.below = [
            _attendance_text(batch, e["cadre_id"], e)
            for e in enrolled
            if not rules.meets_attendance(batch, e)
        ]
    else:
        targets = _participants(uow, batch, refs, (rules.ENROLLED,), "complete")
    low = [_attendance_text(batch, cid, e) for cid, e in targets if not rules.meets_attendance(batch, e)]
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
    result.completed = [cid for cid, _ in targets]
    return result


def _attendance_text(batch: Mapping[str, Any], cadre_id: str, e: Mapping[str, Any]) -> str:
    return _("{id} attended {count}/{sessions} sessions ({percent:.0f}%)").format(
        id=cadre_id,
        count=len(e.get("attendance", {})),
        sessions=batch["sessions"],
        percent=rules.attendance_share(batch, e),
    )


# --- corrections ---------------------------------------------------------------------------------


def update(uow: UnitOfWork, code: str, raw: Mapping[str, Any], *, reason: str) -> Record:
    """Correct a batch's title, dates, venue, mentor, capacity, quota, sessions or minimum
    attendance; refused when the batch's records would then break a rule."""
    why = v.parse_text(reason, "reason", required=True)
    with uow:
        batch = get(uow, code, lock=True)
        given = {k: x for k, x in raw.items() if k in rules.EDITABLE and x is not None}
        if not given:
            raise ValidationError("fields", None, _("nothing to change; give at least one --option"))
        checked = rules.new_batch(
            code=batch["code"], kind=batch["kind"], created_on=dt.date.fromisoformat(batch["created_on"]),
            **{**{k: batch.get(k) for k in rules.EDITABLE}, **given},
        )  # fmt: skip
        fields = {k: checked[k] for k in given}
        problems = rules.check_change(batch, fields, enrollments_of(uow, batch["code"]))
        if problems:
            raise RuleViolation(
                _("batch {code} cannot change: {problems}; nothing was changed").format(
                    code=batch["code"], problems="; ".join(problems)
                )
            )
        entry = {**change_entry("batch", batch["code"], "update", batch, fields), "reason": why}
        if entry["changes"]:
            uow.batches.update_many({batch["code"]: fields})
            uow.record_changes([entry])
            uow.commit()
    return entry


def reopen(uow: UnitOfWork, code: str, *, reason: str, today: dt.date) -> Record:
    """Open a closed batch again; those it left without a place go back on its waitlist."""
    why = v.parse_text(reason, "reason", required=True)
    with uow:
        batch = get(uow, code, lock=True)
        if batch["status"] == rules.OPEN:
            raise RuleViolation(_("batch {code} is open already").format(code=batch["code"]))
        fields = {"status": rules.OPEN, "closed_on": None}
        entries = [{**change_entry("batch", batch["code"], "reopen", batch, fields), "reason": why}]
        day = today.isoformat()
        back = {}
        for e in enrollments_of(uow, batch["code"]):
            if e["status"] == rules.NOT_PLACED:
                back[e["id"]] = {"status": rules.WAITLISTED, "events": _event(e, rules.WAITLISTED, day)}
                entries.append(change_entry("enrollment", e["id"], "reopen", e, back[e["id"]]))
        uow.batches.update_many({batch["code"]: fields})
        uow.enrollments.update_many(back)
        uow.record_changes(entries)
        uow.commit()
    return {**batch, **fields}


def remove_attendance(
    uow: UnitOfWork, code: str, session: int, refs: Sequence[str], *, reason: str
) -> list[str]:
    """Take back attendance recorded by mistake; refused where a completion stands on it (undo the
    completion first)."""
    why = v.parse_text(reason, "reason", required=True)
    with uow:
        batch = get(uow, code, lock=True)
        rules.check_session(batch, session)
        key = str(session)
        targets = _participants(
            uow, batch, refs, (rules.ENROLLED, rules.COMPLETED, rules.WITHDRAWN), "correct"
        )
        problems, updates, entries = [], {}, []
        for cid, e in targets:
            attendance = dict(e.get("attendance") or {})
            if key not in attendance:
                problems.append(
                    _("{id} has no attendance for session {session}").format(id=cid, session=session)
                )
                continue
            del attendance[key]
            after = {**e, "attendance": attendance}
            if (
                e["status"] == rules.COMPLETED
                and not e.get("forced_reason")
                and not rules.meets_attendance(batch, after)
            ):
                problems.append(
                    _(
                        "{id}'s completion rests on it (below {minimum}% without it); "
                        "undo the completion first"
                    ).format(id=cid, minimum=batch["min_attendance"])
                )
                continue
            updates[e["id"]] = {"attendance": attendance}
            entries.append({**change_entry("enrollment", e["id"], "remove attendance", e, updates[e["id"]]),
                            "reason": why})  # fmt: skip
        if problems:
            raise RuleViolation(_("{problems}; nothing was changed").format(problems="; ".join(problems)))
        uow.enrollments.update_many(updates)
        uow.record_changes(entries)
        uow.commit()
    return [cid for cid, _ in targets]


def undo_completion(uow: UnitOfWork, code: str, refs: Sequence[str], *, reason: str) -> list[str]:
    """Take back completions recorded by mistake: the cadres are enrolled again, as if the
    completion had never been recorded (the history keeps it)."""
    why = v.parse_text(reason, "reason", required=True)
    with uow:
        batch = get(uow, code, lock=True)
        targets = _participants(uow, batch, refs, (rules.COMPLETED,), "correct")
        updates, entries = {}, []
        for _cid, e in targets:
            events = list(e.get("events") or [])
            while events and events[-1]["status"] == rules.COMPLETED:
                events.pop()
            fields = {"status": rules.ENROLLED, "completed_on": None, "forced_reason": None, "events": events}
            updates[e["id"]] = fields
            entries.append(
                {**change_entry("enrollment", e["id"], "undo completion", e, fields), "reason": why}
            )
        uow.enrollments.update_many(updates)
        uow.record_changes(entries)
        uow.commit()
    return [cid for cid, _ in targets]


def cadre_batches(uow: UnitOfWork, cadre_id: str) -> list[dict[str, Any]]:
    """A cadre's batches with status and attendance, for 'cadre show'; in an open unit of work."""
    names = common.kelurahan_names(uow.meta)
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
        names = common.kelurahan_names(uow.meta)
        batches = {b["code"]: b for b in uow.batches.all()}
        enrollments = uow.enrollments.all()
        origin = uow.meta.get("registry_id")
    rows = [
        {
            **enrollment_row(batches[e["batch"]], e, names, None),
            "registry": origin,
            **{
                k: e.get(k) for k in ("queue_seq", "withdraw_reason", "forced_reason", "attendance", "events")
            },
        }
        for e in enrollments
        if e["batch"] in batches
    ]
    return sorted(rows, key=lambda r: (r["batch"], common.id_order({"id": r["enrollment_id"]})))
