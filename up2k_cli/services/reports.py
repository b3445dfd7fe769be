"""Reports: figures computed from the registry as it stood at the end of a day.

Every report is built from a Snapshot (records with their status on that day, from the dated
events the registry keeps) and returned as a Document of plain tables (render/model.py); the
output layer draws it as a table, CSV, JSON, Markdown or a workbook. No report carries NIK,
phone or address.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from up2k_cli.domain import batch as rules
from up2k_cli.domain import outcomes as outcome_rules
from up2k_cli.domain.cadre import ACTIVE, BUSINESS_CATEGORIES, INACTIVE
from up2k_cli.domain.errors import ValidationError
from up2k_cli.domain.timeline import (
    NEW_ENTREPRENEUR,
    Snapshot,
    new_entrepreneurs,
    steps_by_cadre,
)
from up2k_cli.i18n import N_, Msg
from up2k_cli.render.columns import KELURAHAN, KELURAHAN_CODE
from up2k_cli.render.model import LAST, Column, Document, Kind, Table, per_kelurahan
from up2k_cli.services import batches as batch_service
from up2k_cli.services import common
from up2k_cli.services.snapshots import snapshot
from up2k_cli.storage.protocol import UnitOfWork

PACE_WEEKS = 12


# --- what counts as a new entrepreneur -------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """How the target is counted: which cadres are 'new entrepreneurs', and since when."""

    key: str
    text: str
    dates: Callable[[Snapshot, str], dict[str, str]]  # cadre_id -> the day it first counted


NEW_BUSINESS = Definition("first_business", NEW_ENTREPRENEUR, lambda snap, _day: new_entrepreneurs(snap))


def definition_for(uow: UnitOfWork) -> Definition:
    """The definition in force: by businesses started (the outcomes issue)."""
    return NEW_BUSINESS


def build(uow: UnitOfWork, report: Callable[..., Document], *args: Any) -> Document:
    """Run one report in its own read of the registry."""
    with uow:
        return report(uow, *args)


def _pct(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def kelurahan_rows(snap: Snapshot) -> list[tuple[str, str]]:
    return sorted(snap.kelurahan.items())


def as_of_period(snap: Snapshot) -> Msg:
    return Msg(N_("as of {day}"), day=snap.day)


# --- summary ----------------------------------------------------------------------------------


def summary(uow: UnitOfWork, as_of: dt.date) -> Document:
    snap = snapshot(uow, as_of)
    definition = definition_for(uow)
    statuses = Counter(c["status"] for c in snap.cadres)
    kinds = Counter(b["kind"] for b in snap.batches.values())
    open_batches = sum(1 for b in snap.batches.values() if _batch_open_on(b, snap.iso))
    by_status = Counter(e["status"] for e in snap.enrollments)
    attended, possible = attendance_totals(snap)
    achieved = len(definition.dates(snap, snap.iso))
    target = snap.meta["target"]
    metric = Column("metric", N_("Metric"), priority=LAST)
    rows = [
        ("cadres", N_("Cadres registered"), len(snap.cadres), "int"),
        ("cadres_active", N_("  active"), statuses[ACTIVE], "int"),
        ("cadres_inactive", N_("  inactive"), statuses[INACTIVE], "int"),
        ("batches", N_("Batches"), len(snap.batches), "int"),
        ("batches_training", N_("  training"), kinds[rules.TRAINING], "int"),
        ("batches_mentoring", N_("  mentoring"), kinds[rules.MENTORING], "int"),
        ("batches_open", N_("  open for enrollment"), open_batches, "int"),
        ("enrollments_enrolled", N_("Enrollments: enrolled"), by_status[rules.ENROLLED], "int"),
        ("enrollments_completed", N_("Enrollments: completed"), by_status[rules.COMPLETED], "int"),
        ("enrollments_waitlisted", N_("Enrollments: waitlisted"), by_status[rules.WAITLISTED], "int"),
        ("enrollments_withdrawn", N_("Enrollments: withdrawn"), by_status[rules.WITHDRAWN], "int"),
        ("attendance_rate", N_("Attendance rate"), _pct(attended, possible), "pct"),
        ("businesses", N_("Businesses started"), len(snap.businesses), "int"),
        ("new_entrepreneurs", N_("New entrepreneurs"), achieved, "int"),
        ("target_minimum", N_("Target (minimum)"), target["minimum"], "int"),
        ("target_minimum_pct", N_("  reached"), _pct(achieved, target["minimum"]), "pct"),
        ("target_stretch", N_("Target (stretch)"), target["stretch"], "int"),
        ("target_stretch_pct", N_("  reached"), _pct(achieved, target["stretch"]), "pct"),
    ]
    table = Table(
        "summary",
        Msg(N_("Summary")),
        (metric, Column("label", N_("Figure"), priority=0), Column("value", N_("Value"), "auto", priority=0)),
        [{"metric": m, "label": Msg(label), "value": value, "kind": kind} for m, label, value, kind in rows],
    )
    return Document(
        "summary",
        Msg(N_("UP2K Kecamatan Cilandak: summary")),
        as_of_period(snap),
        snap.iso,
        [table, *business_breakdown(snap)],
        notes=[
            definition.text,
            Msg(
                N_(
                    "attendance rate = sessions attended / (places held x sessions held so far), "
                    "over enrolled and completed cadres"
                )
            ),
        ],
    )


def business_breakdown(snap: Snapshot) -> list[Table]:
    """Businesses started, by category and by the agency that facilitates them."""
    settings = snap.meta["settings"]
    by_category = Counter(b["category"] for b in snap.businesses)
    by_agency: Counter[str] = Counter()
    for b in snap.businesses:
        by_agency.update(outcome_rules.referrals(b, settings))
    categories = [c.label for c in BUSINESS_CATEGORIES]
    return [
        Table(
            "businesses_by_category",
            Msg(N_("Businesses started, by category")),
            (Column("category", N_("Category")), Column("businesses", N_("Businesses"), "int")),
            [{"category": c, "businesses": by_category[c]} for c in categories],
        ),
        Table(
            "businesses_by_agency",
            Msg(N_("Businesses referred, by agency")),
            (Column("agency", N_("Agency")), Column("businesses", N_("Businesses"), "int")),
            [{"agency": a, "businesses": n} for a, n in sorted(by_agency.items())],
        ),
    ]


def _batch_open_on(batch: Mapping[str, Any], day: str) -> bool:
    closed = batch.get("closed_on")
    return not (closed and closed <= day)


def attendance_totals(snap: Snapshot, code: str | None = None) -> tuple[int, int]:
    """(sessions attended, sessions that could have been attended), for held sessions only."""
    held: dict[str, set[str]] = defaultdict(set)
    for e in snap.enrollments:
        held[e["batch"]].update(e["attendance"])
    attended = possible = 0
    for e in snap.enrollments:
        if (code and e["batch"] != code) or e["status"] not in rules.HOLDS_PLACE:
            continue
        attended += len(e["attendance"])
        possible += len(held[e["batch"]])
    return attended, possible


# --- per kelurahan ----------------------------------------------------------------------------

KELURAHAN_COLUMNS = (
    KELURAHAN_CODE,
    KELURAHAN,
    Column("cadres", N_("Cadres"), "int", priority=3),
    Column("active", N_("Active"), "int", priority=6),
    Column("enrolled", N_("Enrolled"), "int", priority=4),
    Column("completed", N_("Completed"), "int", priority=3),
    Column("waitlisted", N_("Waitlisted"), "int", priority=7),
    Column("withdrawn", N_("Withdrawn"), "int", priority=7),
    Column("completion_rate", N_("Completion"), "pct", priority=2),
    Column("businesses", N_("Businesses"), "int", priority=5),
    Column("new_entrepreneurs", N_("New entrepr."), "int", priority=1),
)


def kelurahan(uow: UnitOfWork, as_of: dt.date) -> Document:
    snap = snapshot(uow, as_of)
    definition = definition_for(uow)
    achieved = definition.dates(snap, snap.iso)
    kel_of = {c["id"]: c["kelurahan_code"] for c in snap.cadres}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for c in snap.cadres:
        counts[c["kelurahan_code"]]["cadres"] += 1
        if c["status"] == ACTIVE:
            counts[c["kelurahan_code"]]["active"] += 1
    for e in snap.enrollments:
        counts[e["kelurahan_code"]][e["status"]] += 1
    for cadre_id in achieved:
        counts[kel_of.get(cadre_id, "")]["new_entrepreneurs"] += 1
    for b in snap.businesses:
        counts[kel_of.get(b["cadre_id"], "")]["businesses"] += 1
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)
    rows = per_kelurahan(
        kelurahan_rows(snap), lambda code: _kelurahan_figures(counts[code]), _kelurahan_figures(total)
    )
    return Document(
        "kelurahan",
        Msg(N_("UP2K Kecamatan Cilandak: per kelurahan")),
        as_of_period(snap),
        snap.iso,
        [Table("kelurahan", Msg(N_("Per kelurahan")), KELURAHAN_COLUMNS, rows)],
        notes=[
            Msg(
                N_(
                    "enrolled, completed, waitlisted and withdrawn count enrollments (a cadre in two "
                    "batches counts twice); completion = completed / (enrolled + completed + withdrawn)"
                )
            ),
            definition.text,
        ],
    )


def _kelurahan_figures(c: Counter[str]) -> dict[str, Any]:
    took_place = c[rules.ENROLLED] + c[rules.COMPLETED] + c[rules.WITHDRAWN]
    return {
        "cadres": c["cadres"],
        "active": c["active"],
        "enrolled": c[rules.ENROLLED],
        "completed": c[rules.COMPLETED],
        "waitlisted": c[rules.WAITLISTED],
        "withdrawn": c[rules.WITHDRAWN],
        "completion_rate": _pct(c[rules.COMPLETED], took_place),
        "businesses": c["businesses"],
        "new_entrepreneurs": c["new_entrepreneurs"],
    }


# --- one batch --------------------------------------------------------------------------------


def batch(uow: UnitOfWork, code: str, as_of: dt.date) -> Document:
    found = batch_service.get(uow, code)
    snap = snapshot(uow, as_of)
    b = snap.batches.get(found["code"])
    if b is None:
        raise ValidationError(
            "as-of", snap.iso, Msg(N_("batch {code} did not exist yet then"), code=found["code"])
        )
    mine = [e for e in snap.enrollments if e["batch"] == b["code"]]
    names = {c["id"]: c["name"] for c in uow.cadres.all()}
    quota = b["quota_per_kelurahan"] or None
    fill: dict[str, Counter[str]] = defaultdict(Counter)
    for e in mine:
        fill[e["kelurahan_code"]][e["status"]] += 1
    fill_rows = []
    for kel_code, kel_name in kelurahan_rows(snap):
        c = fill[kel_code]
        places = c[rules.ENROLLED] + c[rules.COMPLETED]
        fill_rows.append(
            {
                "kelurahan_code": kel_code,
                "kelurahan": kel_name,
                "places": places,
                "quota": quota,
                "fill_pct": _pct(places, quota) if quota else None,
                "completed": c[rules.COMPLETED],
                "waitlisted": c[rules.WAITLISTED],
                "withdrawn": c[rules.WITHDRAWN],
            }
        )
    holding = [e for e in mine if e["status"] in rules.HOLDS_PLACE]
    session_rows = []
    for s in range(1, b["sessions"] + 1):
        present = sum(1 for e in holding if str(s) in e["attendance"])
        dates = sorted({e["attendance"][str(s)] for e in holding if str(s) in e["attendance"]})
        session_rows.append(
            {
                "session": s,
                "date": dates[0] if dates else None,
                "present": present,
                "places": len(holding),
                "attendance_pct": _pct(present, len(holding)) if present else None,
            }
        )
    below = [
        {
            "cadre_id": e["cadre_id"],
            "name": names.get(e["cadre_id"]),
            "kelurahan": snap.kelurahan.get(e["kelurahan_code"], ""),
            "sessions_attended": len(e["attendance"]),
            "attendance_pct": round(rules.attendance_share(b, e), 1),
        }
        for e in sorted(holding, key=lambda x: common.id_order({"id": x["cadre_id"]}))
        if e["status"] == rules.ENROLLED and not rules.meets_attendance(b, e)
    ]
    completed = sum(1 for e in holding if e["status"] == rules.COMPLETED)
    return Document(
        "batch",
        Msg(N_("UP2K batch {code}: {title}"), code=b["code"], title=b["title"]),
        Msg(
            N_("{start} to {end}, as of {day}"),
            start=dt.date.fromisoformat(b["start"]),
            end=dt.date.fromisoformat(b["end"]),
            day=snap.day,
        ),
        snap.iso,
        [
            Table(
                "fill",
                Msg(
                    N_("Fill per kelurahan (capacity {capacity}, quota {quota})"),
                    capacity=b["capacity"],
                    quota=quota or Msg(N_("none")),
                ),
                (
                    KELURAHAN_CODE,
                    KELURAHAN,
                    Column("places", N_("Places"), "int", priority=2),
                    Column("quota", N_("Quota"), "int", priority=4),
                    Column("fill_pct", N_("Fill"), "pct", priority=2),
                    Column("completed", N_("Completed"), "int", priority=3),
                    Column("waitlisted", N_("Waitlisted"), "int", priority=5),
                    Column("withdrawn", N_("Withdrawn"), "int", priority=5),
                ),
                fill_rows,
            ),
            Table(
                "sessions",
                Msg(N_("Attendance per session ({count} planned)"), count=b["sessions"]),
                (
                    Column("session", N_("Session"), "int"),
                    Column("date", N_("Date"), "date"),
                    Column("present", N_("Present"), "int"),
                    Column("places", N_("Places"), "int"),
                    Column("attendance_pct", N_("Attendance"), "pct"),
                ),
                session_rows,
            ),
            Table(
                "below_minimum",
                Msg(N_("Enrolled below the minimum attendance ({minimum}%)"), minimum=b["min_attendance"]),
                (
                    Column("cadre_id", "ID", Kind.ID, priority=0),
                    Column("name", N_("Name"), "free", priority=0),
                    KELURAHAN,
                    Column("sessions_attended", N_("Sessions"), "int"),
                    Column("attendance_pct", N_("Attendance"), "pct"),
                ),
                below,
            ),
        ],
        notes=[
            Msg(
                N_("{completed} of {places} places completed ({percent:.1f}%); capacity {capacity}"),
                completed=completed,
                places=len(holding),
                percent=_pct(completed, len(holding)) or 0,
                capacity=b["capacity"],
            ),
        ],
        data={"batch": b["code"], "capacity": b["capacity"], "completed": completed},
    )


# --- weekly -----------------------------------------------------------------------------------

WEEKLY_METRICS = (
    ("registrations", N_("New registrations")),
    ("enrollments", N_("Enrollments")),
    ("attendance", N_("Attendance records")),
    ("completions", N_("Completions")),
    ("withdrawals", N_("Withdrawals")),
    ("businesses", N_("Businesses started")),
    ("new_entrepreneurs", N_("New entrepreneurs")),
)


# Which weekly figures stay on a narrow screen: new entrepreneurs and registrations first.
WEEKLY_PRIORITY = {"registrations": 2, "enrollments": 4, "attendance": 5, "completions": 3,
                   "withdrawals": 6, "businesses": 4, "new_entrepreneurs": 1}  # fmt: skip


def parse_week(value: str | None, today: dt.date) -> tuple[dt.date, dt.date, bool]:
    """(monday, last day counted, complete?) for '2026-W48', 'current', or the last full week."""
    text = (value or "").strip().lower()
    if text == "current":
        monday = today - dt.timedelta(days=today.weekday())
        return monday, today, False
    if not text:
        monday = today - dt.timedelta(days=today.weekday() + 7)
        return monday, monday + dt.timedelta(days=6), True
    try:
        year, week = text.upper().split("-W")
        monday = dt.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ValidationError(
            "week", value, Msg(N_("write an ISO week like 2026-W48, or 'current'"))
        ) from None
    sunday = monday + dt.timedelta(days=6)
    if monday > today:
        raise ValidationError("week", value, Msg(N_("has not started yet (today is {today})"), today=today))
    return monday, min(sunday, today), sunday <= today


def week_label(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


EVENT_METRICS = {
    rules.ENROLLED: "enrollments",
    rules.COMPLETED: "completions",
    rules.WITHDRAWN: "withdrawals",
}


def _activity(
    snap: Snapshot, achieved: Mapping[str, str], windows: Sequence[tuple[str, str]]
) -> list[dict[str, Counter[str]]]:
    """Counts per metric per kelurahan of what happened in each window of days (inclusive),
    in one pass over the registry."""
    outs: list[dict[str, Counter[str]]] = [{m: Counter() for m, _ in WEEKLY_METRICS} for _ in windows]
    lo, hi = min(w[0] for w in windows), max(w[1] for w in windows)

    def slot(day: str) -> dict[str, Counter[str]] | None:
        if lo <= day <= hi:
            for out, (first, last) in zip(outs, windows, strict=True):
                if first <= day <= last:
                    return out
        return None

    kel_of = {c["id"]: c["kelurahan_code"] for c in snap.cadres}
    for c in snap.cadres:
        if (out := slot(c["registered_on"])) is not None:
            out["registrations"][c["kelurahan_code"]] += 1
    for e in snap.enrollments:
        kel = e["kelurahan_code"]
        for ev in e.get("events") or ():
            key = EVENT_METRICS.get(ev["status"])
            if key and (out := slot(ev["on"])) is not None:
                out[key][kel] += 1
        for day in e["attendance"].values():
            if (out := slot(day)) is not None:
                out["attendance"][kel] += 1
    for cadre_id, on in achieved.items():
        if (out := slot(on)) is not None:
            out["new_entrepreneurs"][kel_of.get(cadre_id, "")] += 1
    for b in snap.businesses:
        if (out := slot(outcome_rules.business_start(b))) is not None:
            out["businesses"][kel_of.get(b["cadre_id"], "")] += 1
    return outs


def weekly(uow: UnitOfWork, week: str | None, today: dt.date) -> Document:
    monday, last_day, complete = parse_week(week, today)
    prev_monday = monday - dt.timedelta(days=7)
    snap = snapshot(uow, last_day)
    definition = definition_for(uow)
    achieved = definition.dates(snap, snap.iso)
    previous = (prev_monday.isoformat(), (prev_monday + dt.timedelta(days=6)).isoformat())
    before, this = _activity(snap, achieved, [previous, (monday.isoformat(), last_day.isoformat())])
    totals = []
    for metric, label in WEEKLY_METRICS:
        now_n, prev_n = sum(this[metric].values()), sum(before[metric].values())
        totals.append(
            {"metric": metric, "label": Msg(label), "this_week": now_n, "week_before": prev_n,
             "change": now_n - prev_n}
        )  # fmt: skip

    def figures(now: Callable[[str], int], prev: Callable[[str], int]) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for metric, _ in WEEKLY_METRICS:
            now_n, prev_n = now(metric), prev(metric)
            change = now_n - prev_n
            row[metric] = now_n
            row[f"{metric}_prev"] = prev_n
            row[f"{metric}_change"] = change
            row[f"{metric}_view"] = f"{now_n} ({change:+d})" if change else str(now_n)
        return row

    per_kel = per_kelurahan(
        kelurahan_rows(snap),
        lambda code: figures(lambda m: this[m][code], lambda m: before[m][code]),
        figures(lambda m: sum(this[m].values()), lambda m: sum(before[m].values())),
    )
    target = snap.meta["target"]
    cumulative = [
        {"metric": "cadres_active", "label": Msg(N_("Active cadres")),
         "value": sum(1 for c in snap.cadres if c["status"] == ACTIVE), "kind": "int"},
        {"metric": "new_entrepreneurs", "label": Msg(N_("New entrepreneurs so far")),
         "value": len(achieved), "kind": "int"},
        {"metric": "target_minimum_pct",
         "label": Msg(N_("of the minimum target ({target})"), target=target["minimum"]),
         "value": _pct(len(achieved), target["minimum"]), "kind": "pct"},
        {"metric": "target_stretch_pct",
         "label": Msg(N_("of the stretch target ({target})"), target=target["stretch"]),
         "value": _pct(len(achieved), target["stretch"]), "kind": "pct"},
    ]  # fmt: skip
    label = week_label(monday)
    period = Msg(
        N_("ISO week {week}: {start} to {end}")
        if complete
        else N_("ISO week {week}: {start} to {end} (week so far)"),
        week=label,
        start=monday,
        end=last_day,
    )
    csv_columns = [KELURAHAN_CODE, KELURAHAN]
    for metric, title in WEEKLY_METRICS:
        csv_columns += [
            Column(metric, title, "int"),
            Column(f"{metric}_prev", N_("week before"), "int"),
            Column(f"{metric}_change", N_("change"), "signed"),
        ]
    return Document(
        "weekly",
        Msg(N_("UP2K Kecamatan Cilandak: weekly report {week}"), week=label),
        period,
        snap.iso,
        [
            Table(
                "kelurahan",
                Msg(N_("Per kelurahan: this week (change from the week before)")),
                tuple(csv_columns),
                per_kel,
                display=(
                    KELURAHAN_CODE,
                    KELURAHAN,
                    *(
                        Column(f"{m}_view", title, Kind.FIGURE, priority=WEEKLY_PRIORITY[m])
                        for m, title in WEEKLY_METRICS
                    ),
                ),
            ),
            Table(
                "totals",
                Msg(N_("This week and the week before")),
                (
                    Column("metric", N_("Metric"), priority=LAST),
                    Column("label", N_("Activity"), priority=0),
                    Column("this_week", N_("This week"), "int"),
                    Column("week_before", N_("Week before"), "int"),
                    Column("change", N_("Change"), "signed"),
                ),
                totals,
            ),
            Table(
                "cumulative",
                Msg(N_("Cumulative at the end of {day}"), day=last_day),
                (
                    Column("metric", N_("Metric"), priority=LAST),
                    Column("label", N_("Figure"), priority=0),
                    Column("value", N_("Value"), "auto"),
                ),
                cumulative,
            ),
        ],
        notes=[definition.text],
        data={
            "week": label,
            "from": monday.isoformat(),
            "to": last_day.isoformat(),
            "complete": complete,
        },
    )


# --- target -----------------------------------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class Progress:
    achieved: int
    minimum: float
    stretch: float
    recent: int  # achieved in the last PACE_WEEKS weeks
    weeks_left: float

    def row(self) -> dict[str, Any]:
        pace = self.recent / PACE_WEEKS

        def needed(goal: float) -> float | None:
            if self.weeks_left <= 0:
                return None
            return round(max(goal - self.achieved, 0) / self.weeks_left, 2)

        return {
            "achieved": self.achieved,
            "target_minimum": _round_target(self.minimum),
            "target_stretch": _round_target(self.stretch),
            "minimum_pct": _pct(self.achieved, self.minimum),
            "stretch_pct": _pct(self.achieved, self.stretch),
            "needed_per_week_minimum": needed(self.minimum),
            "needed_per_week_stretch": needed(self.stretch),
            "pace_last_12_weeks": round(pace, 2),
            "projected_at_end": round(self.achieved + pace * max(self.weeks_left, 0)),
        }


def _round_target(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 1)


def target(uow: UnitOfWork, as_of: dt.date) -> Document:
    snap = snapshot(uow, as_of)
    definition = definition_for(uow)
    achieved = definition.dates(snap, snap.iso)
    goal = snap.meta["target"]
    start = dt.date.fromisoformat(goal["start"])
    end = add_years(start, goal["years"])
    span = (end - start).days
    elapsed = min(max((as_of - start).days, 0), span)
    weeks_left = max((end - as_of).days, 0) / 7
    since = (as_of - dt.timedelta(weeks=PACE_WEEKS)).isoformat()
    kel_of = {c["id"]: c["kelurahan_code"] for c in snap.cadres}
    n_kel = len(snap.kelurahan) or 1

    def figures(days: list[str], share: float) -> dict[str, Any]:
        progress = Progress(
            achieved=len(days),
            minimum=goal["minimum"] * share,
            stretch=goal["stretch"] * share,
            recent=sum(1 for d in days if d > since),
            weeks_left=weeks_left,
        )
        row = progress.row()
        row["bar"] = progress_bar(row["achieved"], progress.minimum, progress.stretch)
        return row

    rows = per_kelurahan(
        kelurahan_rows(snap),
        lambda code: figures([d for cid, d in achieved.items() if kel_of.get(cid) == code], 1 / n_kel),
        figures(list(achieved.values()), 1),
    )
    columns = (
        KELURAHAN_CODE,
        KELURAHAN,
        Column("achieved", N_("Achieved"), "int", priority=1),
        Column("target_minimum", N_("Minimum"), "int", priority=6),
        Column("minimum_pct", N_("% min."), "pct", priority=2),
        Column("target_stretch", N_("Stretch"), "int", priority=6),
        Column("stretch_pct", N_("% stretch"), "pct", priority=3),
        Column("needed_per_week_minimum", N_("Need/wk (min.)"), "dec", priority=4),
        Column("needed_per_week_stretch", N_("Need/wk (stretch)"), "dec", priority=7),
        Column("pace_last_12_weeks", N_("Pace/wk (12 wk)"), "dec", priority=5),
        Column("projected_at_end", N_("Projected"), "int", priority=4),
        Column("bar", N_("Progress to stretch (| = minimum)"), "bar", priority=3),
    )
    total = rows[-1]
    return Document(
        "target",
        Msg(N_("UP2K Kecamatan Cilandak: progress toward the target")),
        Msg(N_("{start} to {end}, as of {day}"), start=start, end=end, day=snap.day),
        snap.iso,
        [Table("target", Msg(N_("Progress per kelurahan")), columns, rows)],
        notes=[
            definition.text,
            Msg(
                N_(
                    "elapsed: {percent:.1f}% of the {years} years ({elapsed} of {span} days); "
                    "{weeks:.1f} weeks left"
                ),
                percent=_pct(elapsed, span) or 0,
                years=goal["years"],
                elapsed=elapsed,
                span=span,
                weeks=weeks_left,
            ),
            Msg(
                N_(
                    "total: {achieved} of {minimum} (minimum) and {stretch} (stretch); "
                    "each kelurahan's share of the target is an equal fifth"
                ),
                achieved=total["achieved"],
                minimum=goal["minimum"],
                stretch=goal["stretch"],
            ),
            Msg(
                N_(
                    "pace = new entrepreneurs in the last {weeks} weeks / {weeks}; "
                    "projected = achieved + pace x weeks left"
                ),
                weeks=PACE_WEEKS,
            ),
        ],
        data={
            "definition": definition.key,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "elapsed_pct": _pct(elapsed, span),
            "weeks_left": round(weeks_left, 1),
        },
    )


BAR_WIDTH = 30


def bar(value: float, whole: float) -> str:
    """A text bar (no colour needed to see the gap): readable in a terminal, a pipe or an e-mail."""
    if whole <= 0:
        return ""
    filled = min(round(BAR_WIDTH * value / whole), BAR_WIDTH)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def progress_bar(achieved: float, minimum: float, stretch: float) -> str:
    """A bar scaled to the stretch target, with a '|' where the minimum target lies."""
    if stretch <= 0:
        return ""
    cells = list(bar(achieved, stretch))
    cells.insert(min(round(BAR_WIDTH * minimum / stretch), BAR_WIDTH - 1), "|")
    return "".join(cells)


# --- 7 PAS pipeline ---------------------------------------------------------------------------


def pipeline(uow: UnitOfWork, as_of: dt.date) -> Document:
    snap = snapshot(uow, as_of)
    reached = steps_by_cadre(snap)
    kel_of = {c["id"]: c["kelurahan_code"] for c in snap.cadres}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for cadre_id, steps in reached.items():
        counts[kel_of[cadre_id]].update(steps.keys())
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)
    step_names = outcome_rules.STEP_NAMES
    rows = per_kelurahan(
        kelurahan_rows(snap),
        lambda code: {s: counts[code][s] for s in step_names},
        {s: total[s] for s in step_names},
    )
    registered = total["pendaftaran"]
    funnel = [
        {
            "order": i + 1,
            "step": step,
            "gloss": gloss,
            "cadres": total[step],
            "pct_of_registered": _pct(total[step], registered),
            "bar": bar(total[step], registered),
        }
        for i, (step, gloss) in enumerate(outcome_rules.STEPS)
    ]
    return Document(
        "pipeline",
        Msg(N_("UP2K Kecamatan Cilandak: OK OCE 7 PAS pipeline")),
        as_of_period(snap),
        snap.iso,
        [
            Table(
                "kelurahan",
                Msg(N_("Cadres who reached each step, per kelurahan")),
                (
                    KELURAHAN_CODE,
                    KELURAHAN,
                    *(Column(s, s, "int", priority=2 + i) for i, s in enumerate(step_names)),
                ),
                rows,
            ),
            Table(
                "funnel",
                Msg(N_("Funnel (all kelurahan)")),
                (
                    Column("order", "#", "int"),
                    Column("step", N_("Step"), priority=0),
                    Column("gloss", N_("In English")),
                    Column("cadres", N_("Cadres"), "int"),
                    Column("pct_of_registered", N_("% of registered"), "pct"),
                    Column("bar", N_("Share of registered"), "bar"),
                ),
                funnel,
            ),
        ],
        notes=[
            Msg(
                N_(
                    "steps may be reached in any order (JakPreneur treats them as facilities); a cadre "
                    "counts at every step reached by the day of the report"
                )
            ),
            Msg(
                N_(
                    "pendaftaran: registration; pelatihan: a training batch completed; pendampingan: a "
                    "mentoring batch completed or recorded; perizinan: a business with an NIB or P-IRT; "
                    "the others as recorded with 'up2k step'"
                )
            ),
        ],
    )


# --- household income -------------------------------------------------------------------------

INCOME_COLUMNS = (
    KELURAHAN_CODE,
    KELURAHAN,
    Column("with_baseline", N_("Baseline"), "int", priority=5),
    Column("with_follow_up", N_("Follow-up"), "int", priority=5),
    Column("with_both", N_("Both"), "int", priority=3),
    Column("median_baseline", N_("Median baseline"), "money", priority=4),
    Column("median_latest", N_("Median latest"), "money", priority=4),
    Column("median_change", N_("Median change"), "money", priority=2),
    Column("median_change_pct", N_("Median change %"), "pct", priority=2),
    Column("rose_pct", N_("Rose"), "pct", priority=3),
)


def households(snap: Snapshot) -> dict[str, list[tuple[int | None, int | None]]]:
    """(baseline, latest follow-up) of every household, by kelurahan: what the income figures
    (and the dashboard's distribution) are taken from."""
    latest: dict[str, tuple[str, int, str, int]] = {}  # cadre -> (on, id order, amount): the newest
    for r in snap.incomes:
        key = (r["on"], len(r["id"]), r["id"], r["amount"])
        if key > latest.get(r["cadre_id"], ("",)):
            latest[r["cadre_id"]] = key
    found: dict[str, list[tuple[int | None, int | None]]] = defaultdict(list)
    for c in snap.cadres:  # one pass, by kelurahan
        newest = latest.get(c["id"])
        found[c["kelurahan_code"]].append((c.get("income"), newest[3] if newest else None))
    return found


def income(uow: UnitOfWork, as_of: dt.date) -> Document:
    snap = snapshot(uow, as_of)
    figures = {code: _income_figures(pairs) for code, pairs in households(snap).items()}
    whole = IncomeFigures.merged(figures.values())  # each household walked once
    rows = per_kelurahan(
        kelurahan_rows(snap), lambda code: figures.get(code, IncomeFigures()).row(), whole.row()
    )
    total = rows[-1]
    return Document(
        "income",
        Msg(N_("UP2K Kecamatan Cilandak: household income")),
        as_of_period(snap),
        snap.iso,
        [Table("income", Msg(N_("Monthly household income, per kelurahan")), INCOME_COLUMNS, rows)],
        notes=[
            Msg(
                N_(
                    "baseline: the income given at registration; latest: the most recent follow-up on "
                    "or before the report's day"
                )
            ),
            Msg(
                N_(
                    "change figures count only households with both a baseline and a follow-up: "
                    "{both} of {registered} registered"
                ),
                both=total["with_both"],
                registered=len(snap.cadres),
            ),
            Msg(N_("medians, not averages, so that a few large incomes do not hide the typical change")),
        ],
    )


@dataclass
class IncomeFigures:
    """The incomes of a set of households: what the income report's medians are taken from."""

    baselines: list[int] = field(default_factory=list)
    latests: list[int] = field(default_factory=list)
    changes: list[int] = field(default_factory=list)  # households with both
    pcts: list[float] = field(default_factory=list)
    rose: int = 0

    @classmethod
    def merged(cls, parts: Iterable[IncomeFigures]) -> IncomeFigures:
        whole = cls()
        for part in parts:
            whole.baselines += part.baselines
            whole.latests += part.latests
            whole.changes += part.changes
            whole.pcts += part.pcts
            whole.rose += part.rose
        return whole

    def row(self) -> dict[str, Any]:
        return {
            "with_baseline": len(self.baselines),
            "with_follow_up": len(self.latests),
            "with_both": len(self.changes),
            "median_baseline": _whole(outcome_rules.median(self.baselines)),
            "median_latest": _whole(outcome_rules.median(self.latests)),
            "median_change": _whole(outcome_rules.median(self.changes)),
            "median_change_pct": _round1(outcome_rules.median(self.pcts)),
            "rose_pct": _pct(self.rose, len(self.changes)),
        }


def _income_figures(pairs: list[tuple[int | None, int | None]]) -> IncomeFigures:
    figures = IncomeFigures(
        baselines=[b for b, _ in pairs if b is not None], latests=[n for _, n in pairs if n is not None]
    )
    for baseline, newest in pairs:
        if baseline is None or newest is None:
            continue
        change, pct = outcome_rules.income_change(baseline, newest)
        figures.changes.append(change)
        if pct is not None:
            figures.pcts.append(pct)
        figures.rose += change > 0
    return figures


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


def _round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- agencies ---------------------------------------------------------------------------------


def agencies(
    uow: UnitOfWork, as_of: dt.date, agency: str | None = None, with_contacts: bool = False
) -> Document:
    from up2k_cli.domain.validators import normalise_label

    snap = snapshot(uow, as_of)
    settings = snap.meta["settings"]
    owners = {c["id"]: c for c in uow.cadres.all()}
    wanted = normalise_label(agency) if agency else None
    per_agency: dict[str, Counter[str]] = defaultdict(Counter)
    contacts = []
    for b in sorted(snap.businesses, key=common.id_order):
        missing = outcome_rules.lacks(b)
        for name in outcome_rules.referrals(b, settings):
            if wanted and normalise_label(name) != wanted:
                continue
            tally = per_agency[name]
            tally["businesses"] += 1
            tally.update(f"lacks_{m}" for m in missing)
            if with_contacts:
                owner = owners.get(b["cadre_id"], {})
                contacts.append(
                    {
                        "agency": name,
                        "business_id": b["id"],
                        "cadre_id": b["cadre_id"],
                        "business": b["name"],
                        "category": b["category"],
                        "owner": owner.get("name"),
                        "phone": owner.get("phone"),
                        "kelurahan": snap.kelurahan.get(owner.get("kelurahan_code", ""), ""),
                        "lacks": ", ".join(missing),
                    }
                )
    if wanted and not per_agency:
        known = sorted({a for b in snap.businesses for a in outcome_rules.referrals(b, settings)})
        raise ValidationError(
            "agency",
            agency,
            Msg(N_("no business is referred to it; agencies: {agencies}"), agencies=", ".join(known))
            if known
            else Msg(N_("no business is referred to it; agencies: none yet")),
        )
    rows = [
        {
            "agency": name,
            "businesses": c["businesses"],
            "lacks_nib": c["lacks_NIB"],
            "lacks_pirt": c["lacks_P-IRT"],
            "lacks_halal": c["lacks_halal"],
        }
        for name, c in sorted(per_agency.items())
    ]
    tables = [
        Table(
            "agencies",
            Msg(N_("Businesses referred per agency, and what they still lack")),
            (
                Column("agency", N_("Agency"), priority=0),
                Column("businesses", N_("Businesses"), "int"),
                Column("lacks_nib", N_("No NIB"), "int"),
                Column("lacks_pirt", N_("No P-IRT (food)"), "int"),
                Column("lacks_halal", N_("No halal (food)"), "int"),
            ),
            rows,
        )
    ]
    notes = [
        Msg(
            N_(
                "each business is referred by its category (see 'up2k settings agency-map'); a culinary "
                "business without a P-IRT is also referred to the licensing one-stop service"
            )
        )
    ]
    if with_contacts:
        tables.insert(
            0,
            Table(
                "contacts",
                Msg(N_("Hand-over list (personal data: for the agency only)")),
                (
                    Column("agency", N_("Agency"), priority=2),
                    Column("business_id", "ID", Kind.ID, priority=0),
                    Column("business", N_("Business"), "free", priority=3),
                    Column("category", N_("Category"), priority=5),
                    Column("owner", N_("Owner"), "free", priority=0),
                    Column("phone", N_("Phone"), Kind.CODE, priority=0),
                    Column("kelurahan", "Kelurahan", priority=4),
                    Column("lacks", N_("Lacks"), priority=3),
                ),
                contacts,
            ),
        )
        notes.append(Msg(N_("contains names and phone numbers; its export is recorded in the history")))
    return Document(
        "agencies",
        Msg(N_("UP2K Kecamatan Cilandak: agency referrals ({agency})"), agency=agency)
        if agency
        else Msg(N_("UP2K Kecamatan Cilandak: agency referrals")),
        as_of_period(snap),
        snap.iso,
        tables,
        notes=notes,
        data={"with_contacts": with_contacts, "contacts": len(contacts)},
    )


def record_contacts(uow: UnitOfWork, report: Document, output: str | None) -> None:
    """UU PDP: the hand-over list (names, phones) leaves a trace of who made it, when and where."""
    from up2k_cli.services.personal import record_file

    contacts = report.tables[0].rows
    record_file(
        uow, "report agencies --with-contacts", output, [r["cadre_id"] for r in contacts], len(contacts)
    )
    uow.commit()
