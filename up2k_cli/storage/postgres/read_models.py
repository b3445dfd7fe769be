"""Reports in SQL: the figures of up2k_cli/reports/ computed by the database, for registries
too big to read whole into Python (issue 12: every report <= 1 s at 500,000 cadres).

`read_model(uow, name, **params)` returns the figures of the Python read model (reports/) as
plain values, a mapping of its dataclass's fields (storage may not import reports/; the services
make the dataclass with reports/common.py from_values), or None to leave the report to it (a
report not written here, a viewer, whose views leave out what these queries read, or data these
queries do not model). The database aggregates; Python only puts a few dozen rows of counts
together with the domain's own rules (agencies, percentages). tests/integration/
test_pg_read_models.py holds each one to the Python read model's figures on a tricky registry,
as of several days.

The as-of rules are domain/timeline.py's: a record's dated events (status log, enrollment
events, attendance) say what was true at the end of a day. Migration 0006's generated columns
say when a record's last event is on or before the day: then it stood as it stands now and its
JSON is not read; only records changed after the day are.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

from up2k_cli.domain import batch as rules
from up2k_cli.domain import outcomes as outcome_rules
from up2k_cli.domain.cadre import ACTIVE, BUSINESS_CATEGORIES, INACTIVE
from up2k_cli.domain.facilitation import OVERDUE_LISTED
from up2k_cli.domain.region import kelurahan_names


class PostgresUnitOfWork(Protocol):
    """What these queries use of uow.PostgresUnitOfWork (not imported: it imports this module)."""

    account: str | None
    meta: dict[str, Any]
    cadres: Any
    batches: Any
    enrollments: Any
    businesses: Any
    business_follow_ups: Any
    incomes: Any

    def fetch(self, query: str, params: Any = (), *, rows: bool = True) -> list[tuple[Any, ...]]: ...


FIRST_BUSINESS = "first_business"  # reports/common.py: the definition every report counts by


def pct(part: float, whole: float) -> float | None:
    """reports/common.py pct: a share in percent with one decimal."""
    return round(100.0 * part / whole, 1) if whole else None


def read_model(uow: PostgresUnitOfWork, name: str, **params: Any) -> Any | None:
    if uow.account == "viewer":  # a viewer reads views without the events these queries need
        return None
    compute = MODELS.get(name)
    return None if compute is None else compute(uow, **params)


def _day(as_of: dt.date) -> dict[str, Any]:
    return {"d": as_of.isoformat(), "day": as_of}


# --- the pieces ------------------------------------------------------------------------------------


def cadre_statuses(uow: PostgresUnitOfWork, day: dict[str, Any]) -> Counter[str]:
    """Status of every cadre registered by the day: its status log's last event on or before."""
    found: Counter[str] = Counter()
    for (_kelurahan, status), n in cadre_statuses_by_kelurahan(uow, day).items():
        found[status] += n
    return found


# Each of the status queries below is two: the records settled by the day (their last event on
# or before it: they stood then as they stand now), grouped by the generated columns of migration
# 0006 in one hash; and the few changed after it, found by migration 0008's indexes, whose events
# are read. One grouping of both was planned for the JSON's subqueries and sorted every record
# (enrollment_groups: 0.49 s against 0.29 s at 500,000 cadres). A (key, status) can come from
# both: the rows are added up.


def added_up(rows: list[tuple[Any, ...]]) -> Counter[tuple[str, str]]:
    """(key, status, n) rows -> (key, status) -> n, a pair that comes twice added up."""
    found: Counter[tuple[str, str]] = Counter()
    for key, status, n in rows:
        found[(key, status)] += int(n)
    return found


def cadre_statuses_by_kelurahan(uow: PostgresUnitOfWork, day: dict[str, Any]) -> Counter[tuple[str, str]]:
    """(kelurahan, status on the day) -> cadres registered by the day."""
    rows = uow.fetch(
        f"""
        SELECT c.kelurahan_code, coalesce(c.status_last, %(active)s), count(*)
          FROM {uow.cadres.source} c
         WHERE c.registered_on <= %(day)s AND (c.status_dates[2] IS NULL OR c.status_dates[2] <= %(d)s)
         GROUP BY 1, 2
        UNION ALL
        SELECT kelurahan_code, st, count(*) FROM (
            SELECT c.kelurahan_code,
                   coalesce((SELECT x.e ->> 'status'
                               FROM json_array_elements(c.status_log) WITH ORDINALITY x(e, n)
                              WHERE x.e ->> 'on' <= %(d)s ORDER BY x.n DESC LIMIT 1), %(active)s) AS st
              FROM {uow.cadres.source} c
             WHERE c.registered_on <= %(day)s AND c.status_dates[2] > %(d)s
            OFFSET 0) s
         GROUP BY 1, 2
        """,
        {**day, "active": ACTIVE},
    )
    return added_up(rows)


def enrollment_statuses_by_kelurahan(
    uow: PostgresUnitOfWork, day: dict[str, Any]
) -> Counter[tuple[str, str]]:
    """(the enrollment's kelurahan, its status on the day) -> enrollments with an event by then."""
    rows = uow.fetch(
        f"""
        SELECT e.kelurahan_code, e.event_last, count(*)
          FROM {uow.enrollments.source} e
         WHERE e.event_dates[2] <= %(d)s
         GROUP BY 1, 2
        UNION ALL
        SELECT kelurahan_code, st, count(*) FROM (
            SELECT e.kelurahan_code,
                   (SELECT x.ev ->> 'status'
                      FROM json_array_elements(e.events) WITH ORDINALITY x(ev, n)
                     WHERE x.ev ->> 'on' <= %(d)s ORDER BY x.n DESC LIMIT 1) AS st
              FROM {uow.enrollments.source} e
             WHERE greatest(e.event_dates[2], e.attendance_short[1]) > %(d)s  -- migration 0008's index
               AND e.event_dates[1] <= %(d)s AND e.event_dates[2] > %(d)s
            OFFSET 0) a
         GROUP BY 1, 2
        """,
        day,
    )
    return added_up(rows)


def businesses_by_owner_kelurahan(uow: PostgresUnitOfWork, day: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """The owner's kelurahan ('' for an owner registered after the day) -> (businesses started
    by the day, cadres with one: new entrepreneurs). The jobs line's kelurahan lines count the
    owners registered by the day (kept ahead: job_figures); the others are looked up apart."""
    from up2k_cli.domain.jobs import KELURAHAN

    lines = job_figures(uow, day, lines="kelurahan")
    found = {key: (f["businesses"], f["owners"]) for (kind, key), f in lines.items() if kind == KELURAHAN}
    businesses, owners = late_owners(uow, day)
    if businesses:
        found[""] = (businesses, owners)
    return found


def late_owners(uow: PostgresUnitOfWork, day: dict[str, Any]) -> tuple[int, int]:
    """(businesses started by the day, cadres with one) of the owners registered after the day,
    which the jobs line leaves out; found through the index on the cadres' registration date."""
    ((businesses, owners),) = uow.fetch(
        f"""SELECT count(*), count(DISTINCT b.cadre_id)
              FROM {uow.cadres.source} c JOIN {uow.businesses.source} b ON b.cadre_id = c.id
             WHERE c.registered_on > %(day)s AND coalesce(b.started_on, b.added_on) <= %(day)s""",
        day,
    )
    return int(businesses), int(owners)


def enrollment_groups(
    uow: PostgresUnitOfWork, day: dict[str, Any]
) -> list[tuple[str, str, int, int, int | None]]:
    """(batch, status on the day, enrollments, sessions attended, sessions as bits) per batch
    and status (a pair may come twice: add them up), over the enrollments with an event on or
    before the day; bits None when a session number does not fit in them."""
    last = "greatest(e.event_dates[2], e.attendance_short[1])"
    rows = uow.fetch(
        f"""
        SELECT e.batch, e.event_last, count(*), coalesce(sum(e.attendance_short[2]::bigint), 0),
               bit_or(e.attendance_short[3]::bigint), bool_or(e.attendance_short[3] IS NULL)
          FROM {uow.enrollments.source} e
         WHERE {last} <= %(d)s AND e.event_dates[1] <= %(d)s  -- attendance alone is no enrollment
         GROUP BY 1, 2
        UNION ALL
        SELECT batch, st, count(*), coalesce(sum(att), 0), bit_or(bits), bool_or(bits IS NULL) FROM (
            SELECT e.batch,
                   CASE WHEN e.event_dates[2] <= %(d)s THEN e.event_last
                        ELSE (SELECT x.ev ->> 'status'
                                FROM json_array_elements(e.events) WITH ORDINALITY x(ev, n)
                               WHERE x.ev ->> 'on' <= %(d)s ORDER BY x.n DESC LIMIT 1)
                   END AS st,
                   CASE WHEN e.attendance_short[1] IS NULL OR e.attendance_short[1] <= %(d)s
                        THEN e.attendance_short[2]::bigint
                        ELSE (SELECT count(*) FROM json_each_text(e.attendance) WHERE value <= %(d)s)
                   END AS att,
                   CASE WHEN e.attendance_short[1] IS NULL OR e.attendance_short[1] <= %(d)s
                        THEN e.attendance_short[3]::bigint
                        ELSE (SELECT CASE WHEN coalesce(bool_and(key ~ '^[0-9]{{1,2}}$'
                                                                  AND key::int < 63), true)
                                          THEN coalesce(bit_or(1::bigint << key::int), 0) END
                                FROM json_each_text(e.attendance) WHERE value <= %(d)s)
                   END AS bits
              FROM {uow.enrollments.source} e
             WHERE e.event_dates[1] <= %(d)s AND {last} > %(d)s
            OFFSET 0) a
         GROUP BY 1, 2
        """,
        day,
    )
    return [(b, st, int(n), int(att), None if odd else int(bits or 0)) for b, st, n, att, bits, odd in rows]


def existing_batches(uow: PostgresUnitOfWork, day: str, enrolled: set[str]) -> list[tuple[str, str, Any]]:
    """(code, kind, closed_on) of the batches that existed on the day: started or entered by
    then, or holding an enrollment then."""
    rows = uow.fetch(f"SELECT code, kind, created_on, start, closed_on FROM {uow.batches.source}")
    return [
        (code, kind, closed)
        for code, kind, created, start, closed in rows
        if min(created, start) <= day or code in enrolled  # dates come as ISO text (server.py)
    ]


def business_categories(uow: PostgresUnitOfWork, day: dict[str, Any]) -> list[tuple[str, bool, int]]:
    """(category, without a P-IRT, businesses) of the businesses started by the day."""
    groups = uow.fetch(
        f"""SELECT category, (pirt IS NULL OR pirt = ''), count(*) FROM {uow.businesses.source}
             WHERE coalesce(started_on, added_on) <= %(day)s GROUP BY 1, 2""",
        day,
    )
    return [(c, bool(no_pirt), int(n)) for c, no_pirt, n in groups]


def new_entrepreneurs(uow: PostgresUnitOfWork, day: dict[str, Any], jobs: dict[str, int]) -> int:
    """How many cadres had a business started by the day: the owners of the jobs line (jobs_total:
    registered by the day), and those registered after it."""
    return jobs["owners"] + late_owners(uow, day)[1]


def changed_after(uow: PostgresUnitOfWork, kept: str, day: dict[str, Any], most: int) -> list[str] | None:
    """The cadres whose kept rows (`kept`: a table and a condition ending in the column of the
    day from which each row holds) changed after the day, to be worked out afresh; None past
    `most` of them, when every cadre is."""
    found = [cadre for (cadre,) in uow.fetch(f"SELECT cadre_id FROM {kept} > %(day)s LIMIT %(most)s",
                                             {**day, "most": most + 1})]  # fmt: skip
    return None if len(found) > most else found


# Cadres whose kept jobs figures changed after a report's day are worked out afresh one by one up
# to this many; past it (a day long past), every cadre is, in one pass over the tables.
AFRESH_AT_MOST = 200_000


def job_figures(
    uow: PostgresUnitOfWork, day: dict[str, Any], *, lines: str = "all"
) -> dict[tuple[str, str], dict[str, int]]:
    """domain/jobs.py _figures: (kelurahan, code) / (category, name) / (total, '') -> the fields
    of its JobFigures. Businesses started by the day whose owner was registered by then, as they
    stood (each measured field from its latest follow-up by the day, else the business's own),
    owners once per line; cadres unemployed at registration who work on the day (domain/work.py
    work_status_on).

    Each cadre's part is kept by the database as it stands now (migration 0007's up2k.owner_jobs,
    one row per cadre and one per category it has businesses in); it holds as of any day on or
    after the row's settled_on. For a cadre settled after the day, its part as it stood the day
    before that (0009's up2k.owner_jobs_before) holds from its own settled_on; none there: it
    had no part. Only the cadres whose part before holds from a later day than the report's are
    worked out afresh, as of the day, by up2k.owner_jobs_as_of: the same rules, over their
    records alone; when they are many (a day long past), every cadre is, in one pass."""
    from up2k_cli.domain.jobs import CATEGORY, KELURAHAN, TOTAL

    params = {**day, "kelurahan": KELURAHAN, "category": CATEGORY, "total": TOTAL}
    figures = """coalesce(sum(businesses), 0), count(*) FILTER (WHERE businesses > 0),
                 count(*) FILTER (WHERE businesses > 0 AND unemployed),
                 coalesce(sum(family_workers), 0), coalesce(sum(paid_workers), 0),
                 coalesce(sum(paid_were_unemployed), 0), coalesce(sum(paid_local), 0),
                 coalesce(sum(micro), 0), coalesce(sum(small), 0), coalesce(sum(medium), 0),
                 coalesce(sum(size_unknown), 0), count(*) FILTER (WHERE moved)"""
    by_kelurahan = f"""
        SELECT CASE WHEN grouping(kelurahan_code) = 0 THEN %(kelurahan)s ELSE %(total)s END,
               coalesce(kelurahan_code, ''), {figures}
          FROM parts WHERE category = '' GROUP BY GROUPING SETS ((kelurahan_code), ())"""
    grouped = {  # `lines`: every line, the total only, or the kelurahan's and the total
        "all": f"{by_kelurahan} UNION ALL "
        f"SELECT %(category)s, category, {figures} FROM parts WHERE category <> '' GROUP BY category",
        "total": f"SELECT %(total)s, '', {figures} FROM parts WHERE category = ''",
        "kelurahan": by_kelurahan,
    }[lines]
    unsettled = changed_after(
        uow, "up2k.owner_jobs_before WHERE category = '' AND settled_on", day, AFRESH_AT_MOST
    )
    if unsettled is None:
        parts = "SELECT * FROM up2k.owner_jobs_as_of(%(day)s, NULL)"
    else:
        parts = """SELECT * FROM up2k.owner_jobs WHERE settled_on <= %(day)s
                   UNION ALL
                   SELECT b.* FROM up2k.owner_jobs o JOIN up2k.owner_jobs_before b ON b.cadre_id = o.cadre_id
                    WHERE o.category = '' AND o.settled_on > %(day)s AND b.settled_on <= %(day)s
                   UNION ALL SELECT * FROM up2k.owner_jobs_as_of(%(day)s, %(unsettled)s)"""
    rows = uow.fetch(f"WITH parts AS ({parts}) {grouped}", {**params, "unsettled": unsettled})
    names = ("businesses", "owners", "owners_formerly_unemployed", "family_workers", "paid_workers",
             "paid_formerly_unemployed", "paid_local", "micro", "small", "medium",
             "size_unknown", "moved_to_work")  # fmt: skip
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, key, *values in rows:
        figures_of = dict(zip(names, (int(v) for v in values), strict=True))
        if kind == CATEGORY:
            figures_of["moved_to_work"] = None
        found[(kind, key)] = figures_of
    return found


def jobs_total(uow: PostgresUnitOfWork, day: dict[str, Any]) -> dict[str, int]:
    """reports/jobs.py JobsTotal: the total line of job_figures."""
    f = job_figures(uow, day, lines="total").get(("total", "")) or {}
    owners, family, paid = f.get("owners", 0), f.get("family_workers", 0), f.get("paid_workers", 0)
    return {
        "jobs": owners + family + paid,
        "owners": owners,
        "family_workers": family,
        "paid_workers": paid,
        "jobs_formerly_unemployed": f.get("paid_formerly_unemployed", 0)
        + f.get("owners_formerly_unemployed", 0),
        "moved_to_work": f.get("moved_to_work") or 0,
    }


def jobs(uow: PostgresUnitOfWork, *, as_of: dt.date, since: dt.date | None = None) -> dict[str, Any]:
    """reports/jobs.py JobsReport, as plain values: domain/jobs.py jobs_report over job_figures."""
    from up2k_cli.domain.cadre import BUSINESS_CATEGORIES
    from up2k_cli.domain.jobs import CATEGORY, KELURAHAN, TOTAL

    uow.fetch("SET LOCAL work_mem = '64MB'", rows=False)
    today = job_figures(uow, _day(as_of))
    past = job_figures(uow, _day(since)) if since is not None else None
    fields = ("businesses", "owners", "family_workers", "paid_workers", "paid_formerly_unemployed",
              "paid_local",
              "owners_formerly_unemployed", "micro", "small", "medium", "size_unknown")  # fmt: skip

    def figures(found: dict[tuple[str, str], dict[str, int]], kind: str, key: str) -> dict[str, Any]:
        empty = {**dict.fromkeys(fields, 0), "moved_to_work": None if kind == CATEGORY else 0}
        return {**empty, **found.get((kind, key), {})}

    def line(kind: str, key: str, label: str) -> dict[str, Any]:
        return {"kind": kind, "key": key, "label": label, "figures": figures(today, kind, key),
                "before": None if past is None else figures(past, kind, key)}  # fmt: skip

    names = kelurahan_names(uow.meta)
    return {
        "as_of": as_of.isoformat(),
        "since": since.isoformat() if since is not None else None,
        "kelurahan": [line(KELURAHAN, code, name) for code, name in sorted(names.items())],
        "categories": [line(CATEGORY, c.label, c.label) for c in BUSINESS_CATEGORIES],
        "total": line(TOTAL, "", ""),
    }


def summary(uow: PostgresUnitOfWork, *, as_of: dt.date) -> dict[str, Any] | None:
    """reports/summary.py SummaryFigures, as plain values."""
    day = _day(as_of)
    iso = day["d"]
    uow.fetch("SET LOCAL work_mem = '64MB'", rows=False)  # a few hashes of 500,000 rows, in memory
    statuses = cadre_statuses(uow, day)
    groups = enrollment_groups(uow, day)
    if any(bits is None for *_, bits in groups):
        return None  # a session number beyond 62: the Python read model counts those
    by_status: Counter[str] = Counter()
    held: dict[str, int] = {}
    holding: Counter[str] = Counter()
    attended = 0
    for batch, status, n, att, bits in groups:
        by_status[status] += n
        held[batch] = held.get(batch, 0) | (bits or 0)
        if status in rules.HOLDS_PLACE:
            holding[batch] += n
            attended += att
    possible = sum(n * held[batch].bit_count() for batch, n in holding.items())
    batches = existing_batches(uow, iso, set(held))
    kinds = Counter(kind for _code, kind, _closed in batches)
    categories, jobs = business_categories(uow, day), jobs_total(uow, day)
    achieved = new_entrepreneurs(uow, day, jobs)
    settings = uow.meta["settings"]
    by_category: Counter[str] = Counter()
    by_agency: Counter[str] = Counter()
    for category, no_pirt, n in categories:
        by_category[category] += n
        for agency in outcome_rules.referrals(
            {"category": category, "pirt": None if no_pirt else "x"}, settings
        ):
            by_agency[agency] += n
    target = uow.meta["target"]
    return dict(
        as_of=iso,
        definition=FIRST_BUSINESS,
        cadres=sum(statuses.values()),
        cadres_active=statuses[ACTIVE],
        cadres_inactive=statuses[INACTIVE],
        batches=len(batches),
        batches_training=kinds[rules.TRAINING],
        batches_mentoring=kinds[rules.MENTORING],
        # reports/common.py batch_open_on: not closed on or before the day
        batches_open=sum(1 for _code, _kind, closed in batches if not (closed and closed <= iso)),
        enrollments_enrolled=by_status[rules.ENROLLED],
        enrollments_completed=by_status[rules.COMPLETED],
        enrollments_waitlisted=by_status[rules.WAITLISTED],
        enrollments_withdrawn=by_status[rules.WITHDRAWN],
        attendance_rate=pct(attended, possible),
        businesses=sum(by_category.values()),
        new_entrepreneurs=achieved,
        target_minimum=target["minimum"],
        target_minimum_pct=pct(achieved, target["minimum"]),
        target_stretch=target["stretch"],
        target_stretch_pct=pct(achieved, target["stretch"]),
        jobs=jobs,
        businesses_by_category=tuple((c.label, by_category[c.label]) for c in BUSINESS_CATEGORIES),
        businesses_by_agency=tuple(sorted(by_agency.items())),
    )


def kelurahan(uow: PostgresUnitOfWork, *, as_of: dt.date) -> dict[str, Any]:
    """reports/kelurahan.py KelurahanFigures, as plain values."""
    day = _day(as_of)
    uow.fetch("SET LOCAL work_mem = '64MB'", rows=False)
    counts: dict[str, Counter[str]] = {}

    def bucket(code: str) -> Counter[str]:
        return counts.setdefault(code, Counter())

    for (code, status), n in cadre_statuses_by_kelurahan(uow, day).items():
        bucket(code)["cadres"] += n
        if status == ACTIVE:
            bucket(code)["active"] += n
    for (code, status), n in enrollment_statuses_by_kelurahan(uow, day).items():
        bucket(code)[status] += n
    for code, (n, owners) in businesses_by_owner_kelurahan(uow, day).items():
        bucket(code)["businesses"] += n
        bucket(code)["new_entrepreneurs"] += owners
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)

    def line(code: str, name: str, c: Counter[str]) -> dict[str, Any]:
        took_place = c[rules.ENROLLED] + c[rules.COMPLETED] + c[rules.WITHDRAWN]
        return {
            "code": code, "name": name, "cadres": c["cadres"], "active": c["active"],
            "enrolled": c[rules.ENROLLED], "completed": c[rules.COMPLETED], "waitlisted": c[rules.WAITLISTED],
            "withdrawn": c[rules.WITHDRAWN], "completion_rate": pct(c[rules.COMPLETED], took_place),
            "businesses": c["businesses"], "new_entrepreneurs": c["new_entrepreneurs"],
        }  # fmt: skip

    names = kelurahan_names(uow.meta)
    return {
        "as_of": day["d"],
        "definition": FIRST_BUSINESS,
        "kelurahan": [line(code, name, counts.get(code, Counter())) for code, name in sorted(names.items())],
        "total": line("", "", total),
    }


def first_businesses(uow: PostgresUnitOfWork, day: dict[str, Any], since: str) -> dict[str, tuple[int, int]]:
    """The owner's kelurahan ('' for an owner registered after the day) -> (new entrepreneurs by
    the day, those of them whose first business started after `since`)."""
    rows = uow.fetch(
        f"""
        SELECT coalesce(c.kelurahan_code, ''), count(*), count(*) FILTER (WHERE f.first > %(since)s)
          FROM (SELECT cadre_id, min(coalesce(started_on, added_on)) AS first FROM {uow.businesses.source}
                 WHERE coalesce(started_on, added_on) <= %(day)s GROUP BY cadre_id) f
          LEFT JOIN {uow.cadres.source} c ON c.id = f.cadre_id AND c.registered_on <= %(day)s
         GROUP BY 1
        """,
        {**day, "since": dt.date.fromisoformat(since)},
    )
    return {kel: (int(n), int(recent)) for kel, n, recent in rows}


def target(uow: PostgresUnitOfWork, *, as_of: dt.date) -> dict[str, Any]:
    """reports/target.py TargetFigures, as plain values (its arithmetic, over counts from SQL)."""
    pace_weeks = 12  # reports/target.py PACE_WEEKS
    day = _day(as_of)
    uow.fetch("SET LOCAL work_mem = '64MB'", rows=False)
    goal = uow.meta["target"]
    start = dt.date.fromisoformat(goal["start"])
    try:
        end = start.replace(year=start.year + goal["years"])
    except ValueError:  # 29 February
        end = start.replace(year=start.year + goal["years"], day=28)
    span = (end - start).days
    elapsed = min(max((as_of - start).days, 0), span)
    weeks_left = max((end - as_of).days, 0) / 7
    since = (as_of - dt.timedelta(weeks=pace_weeks)).isoformat()
    firsts = first_businesses(uow, day, since)
    names = kelurahan_names(uow.meta)
    share = 1 / (len(names) or 1)

    def rounded(value: float) -> float | int:
        return int(value) if float(value).is_integer() else round(value, 1)

    def line(code: str, name: str, done: int, recent: int, part: float) -> dict[str, Any]:
        minimum, stretch = goal["minimum"] * part, goal["stretch"] * part
        pace = recent / pace_weeks

        def needed(aim: float) -> float | None:
            return None if weeks_left <= 0 else round(max(aim - done, 0) / weeks_left, 2)

        return {
            "code": code, "name": name, "share": part, "achieved": done, "target_minimum": rounded(minimum),
            "target_stretch": rounded(stretch), "minimum_pct": pct(done, minimum),
            "stretch_pct": pct(done, stretch),
            "needed_per_week_minimum": needed(minimum), "needed_per_week_stretch": needed(stretch),
            "pace_last_12_weeks": round(pace, 2), "projected_at_end": round(done + pace * max(weeks_left, 0)),
        }  # fmt: skip

    return {
        "as_of": day["d"],
        "definition": FIRST_BUSINESS,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "years": goal["years"],
        "minimum": goal["minimum"],
        "stretch": goal["stretch"],
        "span_days": span,
        "elapsed_days": elapsed,
        "elapsed_pct": pct(elapsed, span),
        "weeks_left": round(weeks_left, 1),
        "pace_weeks": pace_weeks,
        "kelurahan": [
            line(code, name, *firsts.get(code, (0, 0)), share) for code, name in sorted(names.items())
        ],
        "total": line("", "", sum(n for n, _ in firsts.values()), sum(r for _, r in firsts.values()), 1),
        "jobs": jobs_total(uow, day),
    }


# Cadres whose kept steps changed after a report's day are worked out afresh one by one up to this
# many; past it (a day long past), every cadre's are, in one pass over the tables.
STEPS_AFRESH_AT_MOST = 100_000


def steps_reached(uow: PostgresUnitOfWork, day: dict[str, Any]) -> Counter[tuple[str, str]]:
    """(kelurahan, 7 PAS step) -> cadres registered by the day who reached the step by then
    (domain/timeline.py steps_by_cadre): registration; a training or mentoring batch completed;
    a licence; a step recorded.

    Each cadre's steps are kept by the database as they stand now, as bits (1 << the step's place
    in STEP_NAMES; migration 0008's up2k.cadre_figures, kept by triggers), with the last date of
    the events that reach them: as of a day on or after it, the steps kept are the steps. The
    cadres changed after the day have theirs worked out by up2k.cadre_steps_as_of, the same
    rules over their records alone; past STEPS_AFRESH_AT_MOST of them, every cadre's are.

    An office's are all worked out afresh: the rows are kept from every enrollment, and an
    office does not see the enrollments a cadre made in another kelurahan before it moved."""
    names = list(outcome_rules.STEP_NAMES)
    counted = ",\n".join(f"count(*) FILTER (WHERE r.steps & {1 << i} <> 0)" for i in range(1, len(names)))
    kept = "up2k.cadre_figures WHERE registered_on <= %(day)s AND steps_settled_on"
    unsettled = None if uow.account == "office" else changed_after(uow, kept, day, STEPS_AFRESH_AT_MOST)
    if unsettled is None:
        lines = """SELECT f.kelurahan_code, coalesce(a.steps, 0) AS steps
                     FROM up2k.cadre_figures f LEFT JOIN up2k.cadre_steps_as_of(%(day)s, NULL) a
                       ON a.cadre_id = f.cadre_id
                    WHERE f.registered_on <= %(day)s"""
    else:
        lines = """SELECT f.kelurahan_code, f.steps FROM up2k.cadre_figures f
                    WHERE f.registered_on <= %(day)s
                      AND (f.steps_settled_on IS NULL OR f.steps_settled_on <= %(day)s)
                   UNION ALL
                   SELECT f.kelurahan_code, coalesce(a.steps, 0) FROM up2k.cadre_figures f
                     LEFT JOIN up2k.cadre_steps_as_of(%(day)s, %(unsettled)s) a ON a.cadre_id = f.cadre_id
                    WHERE f.cadre_id = ANY (%(unsettled)s) AND f.registered_on <= %(day)s"""
    rows = uow.fetch(
        f"SELECT kelurahan_code, count(*), {counted} FROM ({lines}) r GROUP BY 1",
        {**day, "unsettled": unsettled},
    )
    found: Counter[tuple[str, str]] = Counter()
    for kel, *n in rows:
        for step, count in zip(names, n, strict=True):
            if count:
                found[(kel, step)] += int(count)
    return found


def pipeline(uow: PostgresUnitOfWork, *, as_of: dt.date) -> dict[str, Any]:
    """reports/pipeline.py PipelineFigures, as plain values."""
    day = _day(as_of)
    reached = steps_reached(uow, day)
    counts: dict[str, Counter[str]] = {}
    for (code, step), n in reached.items():
        counts.setdefault(code, Counter())[step] += n
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)
    names = kelurahan_names(uow.meta)
    steps = outcome_rules.STEP_NAMES

    def line(code: str, name: str, c: Counter[str]) -> dict[str, Any]:
        return {"code": code, "name": name, "steps": {s: c[s] for s in steps}}

    registered = total["pendaftaran"]
    return {
        "as_of": day["d"],
        "registered": registered,
        "kelurahan": [line(code, name, counts.get(code, Counter())) for code, name in sorted(names.items())],
        "total": line("", "", total),
        "funnel": [
            {
                "order": i + 1,
                "step": step,
                "gloss": gloss,
                "cadres": total[step],
                "pct_of_registered": pct(total[step], registered),
            }
            for i, (step, gloss) in enumerate(outcome_rules.STEPS)
        ],
    }


def _median(low: Any, high: Any) -> Any:
    """statistics.median from the two middle values (the same one when there are an odd number):
    their mean, or the value itself; None for no values."""
    if low is None:
        return None
    return low if low == high else (low + high) / 2


# Households whose latest income follow-up is after a report's day are worked out afresh one by one
# up to this many; past it (a day long past), every household's is, in one pass over the follow-ups.
INCOMES_AFRESH_AT_MOST = 100_000


def households(uow: PostgresUnitOfWork, day: dict[str, Any]) -> str:
    """The query of (kelurahan_code, baseline, latest) of every cadre registered by the day: the
    baseline income and the latest income follow-up by the day, by date then place.

    Each cadre's line is kept by the database as it stands now (migration 0008's
    up2k.cadre_figures, kept by triggers), with its latest follow-up's date: as of a day on or
    after it, the line kept is the line. The cadres whose latest follow-up is after the day have
    theirs worked out from their follow-ups; past INCOMES_AFRESH_AT_MOST of them, every cadre's is.
    """
    latest = """(max(ARRAY[i."on" - DATE '2000-01-01', i.pos, i.amount]))[3]"""
    (late,) = uow.fetch(
        """SELECT count(*) FROM (SELECT 1 FROM up2k.cadre_figures
                                   WHERE latest_on > %(day)s LIMIT %(most)s) x""",
        {**day, "most": INCOMES_AFRESH_AT_MOST + 1},
    )[0]
    if late > INCOMES_AFRESH_AT_MOST:
        return f"""
            SELECT c.kelurahan_code, c.income AS baseline, l.amount AS latest
              FROM {uow.cadres.source} c
              LEFT JOIN (SELECT i.cadre_id, {latest} AS amount FROM {uow.incomes.source} i
                          WHERE i."on" <= %(day)s GROUP BY i.cadre_id) l ON l.cadre_id = c.id
             WHERE c.registered_on <= %(day)s"""
    return f"""
        SELECT h.kelurahan_code, h.baseline,
               CASE WHEN h.latest_on IS NULL OR h.latest_on <= %(day)s THEN h.latest_amount
                    ELSE (SELECT {latest} FROM {uow.incomes.source} i
                           WHERE i.cadre_id = h.cadre_id AND i."on" <= %(day)s)
               END AS latest
          FROM up2k.cadre_figures h
         WHERE h.registered_on <= %(day)s"""


def income(uow: PostgresUnitOfWork, *, as_of: dt.date) -> dict[str, Any]:
    """reports/income.py IncomeFigures, as plain values: every household's baseline and latest
    follow-up by the day, the medians' two middle values taken by the database."""
    day = _day(as_of)
    uow.fetch("SET LOCAL work_mem = '64MB'", rows=False)
    # The two middle values of n from one sort: the row at ceil(0.5 n) and at ceil((0.5 + e) n),
    # which is n/2 + 1 for an even n and the same middle row for an odd one (e n < 1/2).
    medians = ", ".join(
        f"percentile_disc(ARRAY[0.5, 0.5 + 1e-9]::float8[]) WITHIN GROUP (ORDER BY {v})"
        for v in ("baseline", "latest", "change", "change_pct")
    )
    rows = uow.fetch(
        f"""
        WITH h AS ({households(uow, day)}
        ), p AS (
            -- grouped by the codes' bytes: the same groups as the collation's, sorted sooner
            SELECT kelurahan_code COLLATE "C" AS kelurahan_code, baseline, latest,
                   latest - baseline AS change,
                   CASE WHEN baseline <> 0
                        THEN 100.0::float8 * (latest - baseline)::float8 / baseline::float8
                   END AS change_pct
              FROM h
        )
        SELECT grouping(kelurahan_code), kelurahan_code, count(*), count(baseline), count(latest),
               count(change), count(*) FILTER (WHERE change > 0), {medians}
          FROM p GROUP BY GROUPING SETS ((kelurahan_code), ())
        """,
        day,
    )
    lines: dict[str | None, dict[str, Any]] = {}
    registered = 0
    for total, code, n, baselines, latests, both, rose, *middles in rows:
        b, latest, change, change_pct = (_median(*(m or (None, None))) for m in middles)
        lines[None if total else code] = {
            "with_baseline": int(baselines), "with_follow_up": int(latests), "with_both": int(both),
            "median_baseline": None if b is None else round(b),
            "median_latest": None if latest is None else round(latest),
            "median_change": None if change is None else round(change),
            "median_change_pct": None if change_pct is None else round(change_pct, 1),
            "rose_pct": pct(int(rose), int(both)),
        }  # fmt: skip
        if total:
            registered = int(n)
    empty: dict[str, Any] = {"with_baseline": 0, "with_follow_up": 0, "with_both": 0, "rose_pct": None}
    empty |= dict.fromkeys(("median_baseline", "median_latest", "median_change", "median_change_pct"))
    names = kelurahan_names(uow.meta)
    return {
        "as_of": day["d"],
        "registered": registered,
        "kelurahan": [
            {"code": code, "name": name, **lines.get(code, empty)} for code, name in sorted(names.items())
        ],
        "total": {"code": "", "name": "", **lines.get(None, empty)},
    }


WEEKLY_METRICS = ("registrations", "enrollments", "attendance", "completions", "withdrawals", "businesses",
                  "new_entrepreneurs")  # reports/weekly.py METRICS, in its order  # fmt: skip
WEEKLY_EVENTS = {
    rules.ENROLLED: "enrollments",
    rules.COMPLETED: "completions",
    rules.WITHDRAWN: "withdrawals",
}


def _week(week: str | None, today: dt.date) -> tuple[dt.date, dt.date, bool]:
    """reports/weekly.py parse_week, for a week its check() let through: (monday, the last day
    counted, complete?)."""
    text = (week or "").strip().lower()
    if text == "current":
        return today - dt.timedelta(days=today.weekday()), today, False
    if not text:
        monday = today - dt.timedelta(days=today.weekday() + 7)
        return monday, monday + dt.timedelta(days=6), True
    year, number = text.upper().split("-W")
    monday = dt.date.fromisocalendar(int(year), int(number), 1)
    sunday = monday + dt.timedelta(days=6)
    return monday, min(sunday, today), sunday <= today


def week_activity(
    uow: PostgresUnitOfWork, day: dict[str, Any], windows: list[tuple[dt.date, dt.date]]
) -> Counter[tuple[int, str, str]]:
    """(window, metric, kelurahan) -> what happened in each window of days (inclusive) by the
    day: registrations, enrollment events, sessions attended, businesses started and first
    businesses (by the owner's kelurahan, '' for an owner registered after the day)."""
    (lo0, hi0), (lo1, hi1) = windows
    params = {**day, "lo0": lo0, "hi0": hi0, "lo1": lo1, "hi1": hi1, "tlo0": lo0.isoformat(),
              "thi0": hi0.isoformat(), "tlo1": lo1.isoformat(), "thi1": hi1.isoformat(),
              "tlo": min(lo0, lo1).isoformat(), "thi": max(hi0, hi1).isoformat()}  # fmt: skip
    events = ", ".join(f"('{status}', '{metric}')" for status, metric in WEEKLY_EVENTS.items())
    cadres, enrollments, businesses = uow.cadres.source, uow.enrollments.source, uow.businesses.source
    # Each part is found by an index on its date (migration 0008): the records of the two weeks,
    # not every record by the day. The businesses' owners are looked up once each; an owner's
    # first business is one started in the weeks with none before them, which is asked of the
    # index of each owner's businesses (OFFSET 0: not over every business before the weeks).
    changed = "greatest(e.event_dates[2], e.attendance_short[1]) >= %(tlo)s"
    start = "coalesce(b.started_on, b.added_on)"
    rows = uow.fetch(
        f"""
        WITH started AS MATERIALIZED (
            SELECT b.cadre_id, {start} AS on_ FROM {businesses} b
             WHERE {start} BETWEEN least(%(lo0)s, %(lo1)s) AND %(day)s
        ), owners AS MATERIALIZED (
            SELECT f.cadre_id, f.first, coalesce(c.kelurahan_code, '') AS kel
              FROM (SELECT cadre_id, min(on_) AS first FROM started GROUP BY cadre_id) f
              LEFT JOIN {cadres} c ON c.id = f.cadre_id AND c.registered_on <= %(day)s
        ), happened AS (
            SELECT 'registrations' AS metric, kelurahan_code AS kel, registered_on::text AS on_ FROM {cadres}
             WHERE registered_on BETWEEN least(%(lo0)s, %(lo1)s) AND %(day)s
            UNION ALL
            SELECT m.metric, e.kelurahan_code, x.ev ->> 'on'
              FROM {enrollments} e, json_array_elements(e.events) x(ev), (VALUES {events}) m(status, metric)
             WHERE {changed} AND e.event_dates[1] <= %(d)s AND e.event_dates[2] >= %(tlo)s
               AND e.event_dates[1] <= %(thi)s AND x.ev ->> 'status' = m.status AND x.ev ->> 'on' <= %(d)s
            UNION ALL
            SELECT 'attendance', e.kelurahan_code, a.value
              FROM {enrollments} e, json_each_text(e.attendance) a
             WHERE {changed} AND e.event_dates[1] <= %(d)s AND e.attendance_short[1] >= %(tlo)s
               AND a.value <= %(d)s
            UNION ALL
            SELECT 'businesses', o.kel, s.on_::text FROM started s JOIN owners o ON o.cadre_id = s.cadre_id
            UNION ALL
            SELECT 'new_entrepreneurs', o.kel, o.first::text FROM owners o
             WHERE NOT EXISTS (SELECT 1 FROM {businesses} b
                                WHERE b.cadre_id = o.cadre_id AND {start} < least(%(lo0)s, %(lo1)s) OFFSET 0)
        )
        SELECT CASE WHEN on_ BETWEEN %(tlo0)s AND %(thi0)s THEN 0
                    WHEN on_ BETWEEN %(tlo1)s AND %(thi1)s THEN 1 END AS slot, metric, kel, count(*)
          FROM happened
         WHERE on_ BETWEEN %(tlo0)s AND %(thi0)s OR on_ BETWEEN %(tlo1)s AND %(thi1)s
         GROUP BY 1, 2, 3
        """,
        params,
    )
    return Counter({(int(slot), metric, kel): int(n) for slot, metric, kel, n in rows})


def weekly(uow: PostgresUnitOfWork, *, week: str | None = None, as_of: dt.date) -> dict[str, Any]:
    """reports/weekly.py WeeklyFigures, as plain values."""
    monday, last_day, complete = _week(week, as_of)
    day = _day(last_day)
    uow.fetch("SET LOCAL work_mem = '64MB'", rows=False)
    previous = monday - dt.timedelta(days=7)
    counts = week_activity(uow, day, [(previous, previous + dt.timedelta(days=6)), (monday, last_day)])
    names = kelurahan_names(uow.meta)

    def line(code: str, name: str) -> dict[str, Any]:
        def part(slot: int) -> dict[str, int]:
            if code:
                return {m: counts[(slot, m, code)] for m in WEEKLY_METRICS}
            return {m: sum(n for (s, metric, _k), n in counts.items() if s == slot and metric == m)
                    for m in WEEKLY_METRICS}  # fmt: skip

        return {"code": code, "name": name, "this_week": part(1), "week_before": part(0)}

    jobs = jobs_total(uow, day)
    achieved = new_entrepreneurs(uow, day, jobs)
    target = uow.meta["target"]
    year, number, _ = monday.isocalendar()
    return {
        "as_of": day["d"],
        "definition": FIRST_BUSINESS,
        "week": f"{year}-W{number:02d}",
        "start": monday.isoformat(),
        "end": day["d"],
        "complete": complete,
        "kelurahan": [line(code, name) for code, name in sorted(names.items())],
        "total": line("", ""),
        "cadres_active": cadre_statuses(uow, day)[ACTIVE],
        "new_entrepreneurs": achieved,
        "target_minimum": target["minimum"],
        "target_minimum_pct": pct(achieved, target["minimum"]),
        "target_stretch": target["stretch"],
        "target_stretch_pct": pct(achieved, target["stretch"]),
        "jobs": jobs,
    }


def agencies(
    uow: PostgresUnitOfWork, *, as_of: dt.date, agency: str | None = None, with_contacts: bool = False
) -> dict[str, Any] | None:
    """reports/agencies.py AgenciesFigures without contacts, as plain values: the businesses
    started by the day counted by what decides their agencies and what they lack. The hand-over
    list (contacts) and an agency nobody is referred to (refused, naming the agencies) are left
    to the Python read model."""
    from up2k_cli.domain.validators import normalise_label

    if with_contacts:
        return None
    day = _day(as_of)
    rows = uow.fetch(
        f"""SELECT category, coalesce(pirt, '') <> '', coalesce(nib, '') <> '', coalesce(halal, false),
                   count(*) FROM {uow.businesses.source} WHERE coalesce(started_on, added_on) <= %(day)s
             GROUP BY 1, 2, 3, 4""",
        day,
    )
    settings = uow.meta["settings"]
    wanted = normalise_label(agency) if agency else None
    per_agency: dict[str, Counter[str]] = {}
    for category, pirt, nib, halal, n in rows:
        business = {"category": category, "pirt": "x" if pirt else None, "nib": "x" if nib else None,
                    "halal": halal}  # fmt: skip
        missing = outcome_rules.lacks(business)
        for name in outcome_rules.referrals(business, settings):
            if wanted and normalise_label(name) != wanted:
                continue
            tally = per_agency.setdefault(name, Counter())
            tally["businesses"] += int(n)
            for m in missing:
                tally[f"lacks_{m}"] += int(n)
    if wanted and not per_agency:
        return None
    return {
        "as_of": day["d"],
        "agency": agency,
        "agencies": [
            {
                "agency": name,
                "businesses": c["businesses"],
                "lacks_nib": c["lacks_NIB"],
                "lacks_pirt": c["lacks_P-IRT"],
                "lacks_halal": c["lacks_halal"],
            }
            for name, c in sorted(per_agency.items())
        ],
        "with_contacts": False,
        "contacts": [],
    }


def facilitation(
    uow: PostgresUnitOfWork, *, as_of: dt.date, overdue: int | str | None = OVERDUE_LISTED
) -> dict[str, Any]:
    """reports/facilitation.py FacilitationReport, as plain values: where each referral stood at
    the end of the day (domain/referrals.py standing: its latest update by then, in the order
    recorded), counted per agency and need, per agency and in total; the oldest `overdue` (default
    OVERDUE_LISTED; 'all' or None: every one) of the open ones past 30 days listed (LIMIT: the
    database never builds the whole list), and their number in all (the total line's count)."""
    from up2k_cli.domain.facilitation import OVERDUE_DAYS, overdue_limit
    from up2k_cli.domain.referrals import CLOSED, DONE, NEED_CODES, OPEN, REFERRED

    limit = overdue_limit(overdue)
    day = _day(as_of)
    uow.fetch("SET LOCAL work_mem = '64MB'", rows=False)
    params = {**day, "referred": REFERRED, "open": sorted(OPEN), "done": DONE, "closed": CLOSED,
              "over30": OVERDUE_DAYS[0], "over90": OVERDUE_DAYS[1]}  # fmt: skip
    standing = f"""
        WITH u AS (
            SELECT DISTINCT ON (referral_id) referral_id, status, "on", outcome, amount
              FROM {uow.referral_updates.source} WHERE "on" <= %(day)s
             ORDER BY referral_id, "on" DESC, pos DESC
        ), r AS (
            SELECT r.id, r.business_id, r.agency, r.need, r.referred_on,
                   coalesce(u.status, %(referred)s) AS status, coalesce(u."on", r.referred_on) AS since,
                   (%(day)s - r.referred_on) AS age,
                   CASE WHEN u.status = %(done)s AND u.outcome = 'capital' THEN coalesce(u.amount, 0) END
                       AS capital
              FROM {uow.referrals.source} r LEFT JOIN u ON u.referral_id = r.id
             WHERE r.referred_on <= %(day)s
        )"""
    sets = "GROUPING SETS ((agency, need), (agency), ())"
    # One pass over where each referral stood (r, read three times, is computed once): the counts
    # (hashed), the medians of the referrals done (sorted: only those), and the oldest open ones
    # past 30 days, cut (LIMIT NULL: none cut) before their owners' kelurahan are looked up, one
    # by one through the keys (OFFSET 0: not a hash of every business).
    rows = uow.fetch(
        f"""{standing}, counts AS (
            SELECT grouping(agency) AS no_agency, grouping(need) AS no_need, agency, need, count(*) AS n,
                   count(*) FILTER (WHERE status = ANY(%(open)s)) AS open_,
                   count(*) FILTER (WHERE status = ANY(%(open)s) AND age > %(over30)s) AS over30,
                   count(*) FILTER (WHERE status = ANY(%(open)s) AND age > %(over90)s) AS over90,
                   count(*) FILTER (WHERE status = %(done)s) AS done,
                   count(*) FILTER (WHERE status = %(closed)s) AS closed, coalesce(sum(capital), 0) AS capital
              FROM r GROUP BY {sets}
        ), medians AS (
            SELECT grouping(agency) AS no_agency, grouping(need) AS no_need, agency, need,
                   percentile_disc(0.5) WITHIN GROUP (ORDER BY since - referred_on) AS low,
                   percentile_disc(0.5) WITHIN GROUP (ORDER BY since - referred_on DESC) AS high
              FROM r WHERE status = %(done)s GROUP BY {sets}
        ), late AS (
            SELECT id, business_id, agency, need, referred_on, status, since, age FROM r
             WHERE status = ANY(%(open)s) AND age > %(over30)s
             ORDER BY referred_on, id COLLATE "C" LIMIT %(listed)s
        )
        SELECT false, c.no_agency, c.no_need, c.agency, c.need, c.n, c.open_, c.over30, c.over90, c.done,
               c.closed, c.capital, m.low, m.high,
               NULL::text, NULL::text, NULL::text, NULL::date, NULL::text, NULL::date, NULL::integer
          FROM counts c LEFT JOIN medians m
            ON (m.no_agency, m.no_need, m.agency, m.need)
               IS NOT DISTINCT FROM (c.no_agency, c.no_need, c.agency, c.need)
        UNION ALL
        SELECT true, NULL, NULL, late.agency, late.need, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               NULL, late.id, late.business_id, o.kelurahan_code, late.referred_on, late.status, late.since,
               late.age
          FROM late LEFT JOIN LATERAL (
                SELECT c.kelurahan_code FROM {uow.businesses.source} b
                  JOIN {uow.cadres.source} c ON c.id = b.cadre_id
                 WHERE b.id = late.business_id OFFSET 0) o ON true
        """,
        {**params, "listed": limit},
    )
    lines: dict[tuple[str, str | None], dict[str, Any]] = {}
    overdue = []
    for listed, no_agency, no_need, agency, need, *n in rows:
        if listed:  # one of the oldest overdue: its own columns, after the figures'
            ident, business, kel, referred, status, since, age = n[-7:]
            overdue.append((ident, business, kel, agency, need, referred, status, since, age))
            continue
        *counts, low, high = n[:-7]
        referred, open_, over30, over90, done, closed, capital = (int(x) for x in counts)
        middle = _median(low, high)
        key = ("", None) if no_agency else (agency, None if no_need else need)
        lines[key] = {"referred": referred, "open": open_, "done": done, "closed": closed,
                      "median_days_to_outcome": None if middle is None else float(middle),
                      "open_over_30": over30, "open_over_90": over90,
                      "capital_received": capital}  # fmt: skip
    overdue.sort(key=lambda o: (o[5], o[0]))  # referred_on, id: the order of the LIMIT, as Python sorts
    names = kelurahan_names(uow.meta)
    empty = {"referred": 0, "open": 0, "done": 0, "closed": 0, "median_days_to_outcome": None,
             "open_over_30": 0, "open_over_90": 0, "capital_received": 0}  # fmt: skip

    def line(key: tuple[str, str | None]) -> dict[str, Any]:
        return {"agency": key[0], "need": key[1], "figures": lines.get(key, empty)}

    agencies = sorted({a for a, need in lines if a and need is None})
    pairs = sorted((k for k in lines if k[1] is not None), key=lambda k: (k[0], NEED_CODES.index(str(k[1]))))
    return {
        "as_of": day["d"],
        "lines": [line(k) for k in pairs],
        "agencies": [line((a, None)) for a in agencies],
        "total": line(("", None)),
        "overdue": [
            {
                "id": ident,
                "business_id": business,
                "kelurahan_code": kel,
                "agency": agency,
                "need": need,
                "referred_on": referred,
                "status": status,
                "since": since,
                "days_open": int(age),
                "kelurahan": names.get(kel or "", ""),
            }
            for ident, business, kel, agency, need, referred, status, since, age in overdue
        ],
        "overdue_total": lines.get(("", None), empty)["open_over_30"],
    }


MODELS: dict[str, Callable[..., Any]] = {
    "summary": summary,
    "kelurahan": kelurahan,
    "target": target,
    "pipeline": pipeline,
    "income": income,
    "weekly": weekly,
    "agencies": agencies,
    "jobs": jobs,
    "facilitation": facilitation,
}
