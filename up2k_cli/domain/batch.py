"""Training and mentoring batches, and the rules of enrollment: capacity, quota, waitlist,
attendance and completion. Pure functions over plain records; the services load and save."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from up2k_cli.i18n import N_, Msg, _

from . import validators as v
from .errors import RuleViolation, ValidationError, ValidationErrors

TRAINING, MENTORING = "training", "mentoring"
KINDS = (TRAINING, MENTORING)
OPEN, CLOSED = "open", "closed"
WAITLISTED, ENROLLED, COMPLETED, WITHDRAWN = "waitlisted", "enrolled", "completed", "withdrawn"
NOT_PLACED = "not-placed"  # still waiting when the batch closed: the waitlist ended without a place
STATUSES = (WAITLISTED, ENROLLED, COMPLETED, WITHDRAWN, NOT_PLACED)
# Statuses that hold a place in the batch (count against capacity and quota).
HOLDS_PLACE = frozenset({ENROLLED, COMPLETED})

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,29}$")


def parse_code(value: str | None, field_name: str = "batch") -> str:
    """Batch codes are case-insensitive: stored and compared in upper case."""
    text = (value or "").strip()
    if not _CODE.match(text):
        raise ValidationError(
            field_name, value, Msg(N_("a batch code is 1-30 letters, digits, '-', '_' or '.', e.g. B01"))
        )
    return text.upper()


EDITABLE = ("title", "start", "end", "capacity", "quota_per_kelurahan", "sessions", "min_attendance",
            "mentor", "venue")  # fmt: skip


def new_batch(
    *,
    code: str,
    title: str,
    start: str,
    end: str,
    kind: str = TRAINING,
    capacity: int = 100,
    quota_per_kelurahan: int = 20,
    sessions: int = 1,
    min_attendance: int = 75,
    mentor: str | None = None,
    venue: str | None = None,
    created_on: dt.date,
) -> dict[str, Any]:
    """A validated batch record; every bad field is reported at once."""
    errors: list[ValidationError] = []

    def check(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except ValidationError as exc:
            errors.append(exc)
            return None

    record = {
        "code": check(parse_code, code, "code"),
        "title": check(lambda: v.parse_text(title, "title", required=True, limit=120)),
        "kind": check(_parse_kind, kind),
        "start": check(v.parse_date, start, "start"),
        "end": check(v.parse_date, end, "end"),
        "capacity": check(_int_in, capacity, "capacity", 1, 100_000),
        "quota_per_kelurahan": check(_int_in, quota_per_kelurahan, "quota_per_kelurahan", 0, 100_000),
        "sessions": check(_int_in, sessions, "sessions", 1, 1000),
        "min_attendance": check(_int_in, min_attendance, "min_attendance", 0, 100),
        "mentor": check(lambda: v.parse_text(mentor, "mentor", limit=120) or None),
        "venue": check(lambda: v.parse_text(venue, "venue", limit=120) or None),
        "status": OPEN,
        "created_on": created_on.isoformat(),
        "closed_on": None,
    }
    if record["start"] and record["end"] and record["end"] < record["start"]:
        errors.append(
            ValidationError(
                "end", record["end"].isoformat(), Msg(N_("is before start {start}"), start=record["start"])
            )
        )
    if errors:
        raise ValidationErrors(errors)
    record["start"] = record["start"].isoformat()
    record["end"] = record["end"].isoformat()
    return record


def _parse_kind(value: str) -> str:
    text = (value or "").strip().lower()
    aliases = {"pelatihan": TRAINING, "pendampingan": MENTORING}
    text = aliases.get(text, text)
    if text not in KINDS:
        raise ValidationError("kind", value, Msg(N_("use training (pelatihan) or mentoring (pendampingan)")))
    return text


def _int_in(value: Any, name: str, low: int, high: int) -> int:
    if not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(name, value, v.whole_number(low, high))
    return value


# --- enrollment --------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A cadre to be enrolled, with the kelurahan its quota counts against."""

    cadre_id: str
    kelurahan_code: str


@dataclass
class EnrollmentPlan:
    enroll: list[Candidate] = field(default_factory=list)
    waitlist: list[Candidate] = field(default_factory=list)
    already: list[tuple[str, str]] = field(default_factory=list)  # (cadre_id, status)
    over_quota: Counter[str] = field(default_factory=Counter)
    over_capacity: int = 0

    @property
    def refused(self) -> bool:
        return bool(self.over_quota or self.over_capacity)


def places_taken(enrollments: Iterable[Mapping[str, Any]]) -> tuple[int, Counter[str]]:
    """Places held in a batch: in total and per kelurahan."""
    per_kelurahan: Counter[str] = Counter()
    total = 0
    for e in enrollments:
        if e["status"] in HOLDS_PLACE:
            total += 1
            per_kelurahan[e["kelurahan_code"]] += 1
    return total, per_kelurahan


def fits(batch: Mapping[str, Any], total: int, per_kelurahan: Mapping[str, int], kel: str) -> bool:
    """The one capacity-and-quota rule: is there a place for one more from this kelurahan?"""
    if total >= batch["capacity"]:
        return False
    quota = batch["quota_per_kelurahan"]
    return not (quota and per_kelurahan.get(kel, 0) >= quota)


def free_places(batch: Mapping[str, Any], per_kelurahan: Mapping[str, int], kel: str) -> int | None:
    """Places left for a kelurahan under its quota (None: the batch has no per-kelurahan quota)."""
    quota = batch["quota_per_kelurahan"]
    return quota - per_kelurahan.get(kel, 0) if quota else None


def plan_enrollment(
    batch: Mapping[str, Any],
    existing: Sequence[Mapping[str, Any]],
    candidates: Sequence[Candidate],
    *,
    waitlist: bool,
) -> EnrollmentPlan:
    """Who gets a place, who waits, who was already there, and by how much limits are broken.

    Candidates are taken in the order given, so the first named get the places.
    """
    if batch["status"] != OPEN:
        raise RuleViolation(_("batch {code} is closed; no more enrollment").format(code=batch["code"]))
    current = {e["cadre_id"]: e["status"] for e in existing}
    total, per_kelurahan = places_taken(existing)
    plan = EnrollmentPlan()
    seen: set[str] = set()
    for cand in candidates:
        if cand.cadre_id in seen:
            continue
        seen.add(cand.cadre_id)
        status = current.get(cand.cadre_id)
        if status is not None and status != WITHDRAWN:
            plan.already.append((cand.cadre_id, status))
            continue
        if fits(batch, total, per_kelurahan, cand.kelurahan_code):
            plan.enroll.append(cand)
            total += 1
            per_kelurahan[cand.kelurahan_code] += 1
        elif waitlist:
            plan.waitlist.append(cand)
        elif total >= batch["capacity"]:
            plan.over_capacity += 1
        else:
            plan.over_quota[cand.kelurahan_code] += 1
    return plan


def refusal_message(batch: Mapping[str, Any], plan: EnrollmentPlan, names: Mapping[str, str]) -> str:
    parts = [
        _("{kelurahan} over its quota of {quota} by {count}").format(
            kelurahan=names.get(kel, kel), quota=batch["quota_per_kelurahan"], count=n
        )
        for kel, n in sorted(plan.over_quota.items())
    ]
    if plan.over_capacity:
        parts.append(
            _("the batch over its capacity of {capacity} by {count}").format(
                capacity=batch["capacity"], count=plan.over_capacity
            )
        )
    return _(
        "enrolling these would put {parts}; nothing was enrolled. "
        "Enroll fewer, or add --waitlist to queue those beyond the limit"
    ).format(parts="; ".join(parts))


def next_from_waitlist(
    batch: Mapping[str, Any], enrollments: Sequence[Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The first waitlisted enrollment (in queue order) for whom a place is now free."""
    total, per_kelurahan = places_taken(enrollments)
    queue = sorted((e for e in enrollments if e["status"] == WAITLISTED), key=lambda e: e["queue_seq"])
    for entry in queue:
        if fits(batch, total, per_kelurahan, entry["kelurahan_code"]):
            return entry
    return None


def check_session(batch: Mapping[str, Any], session: int) -> int:
    if not 1 <= session <= batch["sessions"]:
        raise ValidationError(
            "session",
            session,
            Msg(N_("batch {code} has sessions 1-{sessions}"), code=batch["code"], sessions=batch["sessions"]),
        )
    return session


def check_activity_date(batch: Mapping[str, Any], date: dt.date, today: dt.date) -> str:
    """Attendance and completion happen from the batch's start and never in the future."""
    if date > today:
        raise ValidationError("date", date.isoformat(), v.in_future(today))
    if date.isoformat() < batch["start"]:
        raise ValidationError(
            "date",
            date.isoformat(),
            Msg(
                N_("is before batch {code} starts ({start})"),
                code=batch["code"],
                start=dt.date.fromisoformat(batch["start"]),
            ),
        )
    return date.isoformat()


def attendance_share(batch: Mapping[str, Any], enrollment: Mapping[str, Any]) -> float:
    """Share of the planned sessions attended, in percent."""
    return 100.0 * len(enrollment.get("attendance", {})) / batch["sessions"]


def meets_attendance(batch: Mapping[str, Any], enrollment: Mapping[str, Any]) -> bool:
    return attendance_share(batch, enrollment) + 1e-9 >= batch["min_attendance"]


def check_change(
    batch: Mapping[str, Any], fields: Mapping[str, Any], enrollments: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Why a batch may not take these new values, given who is in it (empty: it may). A smaller
    capacity or quota than the places already held, fewer sessions than some attended, a start
    after recorded attendance or completion would each leave records that break the batch's rules."""
    after = {**batch, **fields}
    problems = []
    total, per_kelurahan = places_taken(enrollments)
    if total > after["capacity"]:
        problems.append(_("capacity {capacity} is below the {count} places held").format(
            capacity=after["capacity"], count=total))  # fmt: skip
    quota = after["quota_per_kelurahan"]
    over = {kel: n for kel, n in per_kelurahan.items() if quota and n > quota}
    if over:
        problems.append(_("quota {quota} is below the places held by {kelurahan}").format(
            quota=quota, kelurahan=", ".join(f"{k} ({n})" for k, n in sorted(over.items()))))  # fmt: skip
    attended = [int(s) for e in enrollments for s in (e.get("attendance") or {})]
    if attended and max(attended) > after["sessions"]:
        problems.append(_("{sessions} sessions, but session {session} has attendance recorded").format(
            sessions=after["sessions"], session=max(attended)))  # fmt: skip
    dated = [
        d for e in enrollments for d in (*(e.get("attendance") or {}).values(), e.get("completed_on")) if d
    ]
    if dated and after["start"] > min(dated):
        problems.append(_("start {start} is after attendance or completion recorded on {date}").format(
            start=after["start"], date=min(dated)))  # fmt: skip
    if after["end"] < after["start"]:
        problems.append(_("end {end} is before start {start}").format(end=after["end"], start=after["start"]))
    return problems


def finished(batch: Mapping[str, Any], day: str) -> bool:
    """Has the batch ended by `day` (ISO)? A finished batch takes no one from its waitlist."""
    return batch["end"] < day
