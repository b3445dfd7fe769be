"""The registry's tables and the shape of their records: one description both backends follow.

The file backend checks loaded records against it (a value up2k does not know is damage, never
an internal error later); the PostgreSQL backend builds its tables, keys and CHECKs from it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from up2k_cli.domain.batch import CLOSED, OPEN
from up2k_cli.domain.batch import KINDS as BATCH_KINDS
from up2k_cli.domain.batch import STATUSES as ENROLLMENT_STATUSES
from up2k_cli.domain.cadre import ACTIVE, BUSINESS_CATEGORIES, INACTIVE
from up2k_cli.domain.groups import REACH_CODES, TIER_CODES
from up2k_cli.domain.outcomes import STEP_NAMES
from up2k_cli.domain.referrals import NEED_CODES, OUTCOME_CODES, SOURCE_CODES, STATUS_CODES
from up2k_cli.domain.work import OWNER_STATUS_CODES, WORK_STATUS_CODES

# Field kinds: text, int, bool, date (ISO text), stamp (ISO date-time text), json (nested).
TEXT, INT, BOOL, DATE, STAMP, JSON = "text", "int", "bool", "date", "stamp", "json"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = TEXT
    required: bool = False
    choices: tuple[str, ...] = ()  # the only values allowed (besides None when not required)
    unique: bool = False
    references: str | None = None  # "table.field"
    optional: bool = False  # left out of the record when None (history entries' extras)
    items: str | None = None  # a json list whose items are all of this kind (PostgreSQL: an array)


@dataclass(frozen=True)
class Unique:
    """Fields unique together among the records whose `while_none` field is None: a cadre's
    one open membership (PostgreSQL: a partial unique index; the services keep it on files)."""

    fields: tuple[str, ...]
    while_none: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """One table: its key field, the prefix of its serial IDs (K0001), and its fields."""

    name: str
    key: str
    fields: tuple[Field, ...]
    prefix: str | None = None  # serial IDs: the document ID is the number (K0042 -> 42)
    counter: str | None = None  # the counter its IDs come from
    since: int = 1  # the schema version that added it
    # What the services search by, and field sets no two records share (PostgreSQL builds its
    # indexes and UNIQUE constraints from them; a file is searched whole).
    indexes: tuple[tuple[str, ...], ...] = ()
    unique_together: tuple[tuple[str, ...], ...] = ()
    uniques: tuple[Unique, ...] = ()

    @functools.cached_property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def nested(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.kind == JSON)

    def shaped(self, record: Any) -> dict[str, Any]:
        """The record as stored: every field of the table in its order (optional ones only when
        set). A field the table does not have is a mistake in the code, refused at once."""
        unknown = [k for k in record if k not in self._names]
        if unknown:
            raise ValueError(f"table {self.name} has no field {unknown[0]!r}")
        return {
            f.name: record.get(f.name) for f in self.fields if not (f.optional and record.get(f.name) is None)
        }

    @functools.cached_property
    def _names(self) -> frozenset[str]:
        return frozenset(self.field_names)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def serial(self, key: Any) -> int | None:
        """The number in a serial ID (K0042 -> 42), or None for keys of another shape."""
        if self.prefix is None:
            return key if isinstance(key, int) and not isinstance(key, bool) and key > 0 else None
        if isinstance(key, str) and key.startswith(self.prefix) and key[len(self.prefix) :].isdigit():
            return int(key[len(self.prefix) :]) or None
        return None


CADRE_STATUSES = (ACTIVE, INACTIVE)
BATCH_STATUSES = (OPEN, CLOSED)
CATEGORIES = tuple(c.label for c in BUSINESS_CATEGORIES)

CADRES = TableSpec(
    "cadres",
    "id",
    (
        Field("id", required=True, unique=True),
        Field("nik", unique=True),  # None once erased
        Field("name", required=True),
        Field("kelurahan_code", required=True),
        Field("rw"),
        Field("rt"),
        Field("address"),
        Field("phone"),
        Field("business_type", choices=CATEGORIES),
        Field("household_size", INT),
        Field("income", INT),
        Field("registered_on", DATE, required=True),
        Field("consent_on", DATE, required=True),
        Field("consent_method"),
        Field("status", required=True, choices=CADRE_STATUSES),
        Field("status_reason"),
        Field("status_log", JSON),
        Field("name_key"),  # the name as compared and searched (validators.name_key)
        Field("erased_on", DATE),
        Field("work_status", choices=WORK_STATUS_CODES),  # at registration (since 4)
    ),
    prefix="K",
    counter="cadre",
    indexes=(("kelurahan_code", "name_key"), ("phone",)),
)
BATCHES = TableSpec(
    "batches",
    "code",
    (
        Field("code", required=True, unique=True),
        Field("title", required=True),
        Field("kind", required=True, choices=BATCH_KINDS),
        Field("start", DATE, required=True),
        Field("end", DATE, required=True),
        Field("capacity", INT, required=True),
        Field("quota_per_kelurahan", INT, required=True),
        Field("sessions", INT, required=True),
        Field("min_attendance", INT, required=True),
        Field("mentor"),
        Field("venue"),
        Field("status", required=True, choices=BATCH_STATUSES),
        Field("created_on", DATE, required=True),
        Field("closed_on", DATE),
    ),
)
ENROLLMENTS = TableSpec(
    "enrollments",
    "id",
    (
        Field("id", required=True, unique=True),
        Field("batch", required=True, references="batches.code"),
        Field("cadre_id", required=True, references="cadres.id"),
        Field("status", required=True, choices=ENROLLMENT_STATUSES),
        Field("kelurahan_code", required=True),
        Field("enrolled_on", DATE),
        Field("waitlisted_on", DATE),
        Field("queue_seq", INT),
        Field("withdrawn_on", DATE),
        Field("withdraw_reason"),
        Field("attendance", JSON),
        Field("completed_on", DATE),
        Field("forced_reason"),
        Field("events", JSON),
    ),
    prefix="E",
    counter="enrollment",
    indexes=(("cadre_id",),),
    unique_together=(("batch", "cadre_id"),),  # also the index of a batch's enrollments
)
# A business's measured figures: at its start (in the business) and at each dated follow-up.
MEASURES = (
    Field("owner_status", choices=OWNER_STATUS_CODES),  # Sakernas employment status
    Field("family_workers", INT),  # unpaid family workers
    Field("paid_workers", INT),
    Field("paid_were_unemployed", INT),  # of the paid workers: unemployed before
    Field("paid_local", INT),  # of the paid workers: living in the kecamatan
    Field("turnover", INT),  # monthly, Rupiah (PP 7/2021 size: 12 x this)
)
BUSINESSES = TableSpec(
    "businesses",
    "id",
    (
        Field("id", required=True, unique=True),
        Field("cadre_id", required=True, references="cadres.id"),
        Field("name", required=True),
        Field("category", required=True, choices=CATEGORIES),
        Field("started_on", DATE),
        Field("added_on", DATE, required=True),
        Field("nib", unique=True),
        Field("pirt"),
        Field("halal", BOOL),
        Field("address"),
        Field("licensed_on", DATE),
        *MEASURES,  # what the business was at its start (since 4); changes: business_follow_ups
    ),
    prefix="U",
    counter="business",
    since=2,
    indexes=(("cadre_id",),),
)
STEPS = TableSpec(
    "steps",
    "id",
    (
        Field("id", required=True, unique=True),
        Field("cadre_id", required=True, references="cadres.id"),
        Field("step", required=True, choices=STEP_NAMES),
        Field("on", DATE, required=True),
        Field("note"),
    ),
    prefix="S",
    counter="step",
    since=2,
    indexes=(("cadre_id",),),
)
INCOMES = TableSpec(
    "incomes",
    "id",
    (
        Field("id", required=True, unique=True),
        Field("cadre_id", required=True, references="cadres.id"),
        Field("amount", INT, required=True),
        Field("on", DATE, required=True),
        Field("note"),
        Field("work_status", choices=WORK_STATUS_CODES),  # at this follow-up (since 4)
    ),
    prefix="I",
    counter="income",
    since=2,
    indexes=(("cadre_id",),),
)
# A business measured again on a day: only what was measured is set (the rest carries over).
BUSINESS_FOLLOW_UPS = TableSpec(
    "business_follow_ups",
    "id",
    (
        Field("id", required=True, unique=True),
        Field("business_id", required=True, references="businesses.id"),
        Field("on", DATE, required=True),
        *MEASURES,
        Field("note"),
    ),
    prefix="UF",
    counter="business_follow_up",
    since=4,
    indexes=(("business_id",),),
)
GROUPS = TableSpec(
    "groups",
    "id",
    (
        Field("id", required=True, unique=True),
        Field("name", required=True),
        Field("kelurahan_code", required=True),
        Field("rw"),
        Field("formed_on", DATE, required=True),
        Field("capital", INT),  # joint capital, Rupiah
        Field("savings_loans", BOOL),  # runs savings and loans (simpan pinjam)
        Field("bookkeeping", BOOL),
        Field("reach", choices=REACH_CODES),  # marketing reach
        Field("note"),
    ),
    prefix="G",
    counter="group",
    since=4,
    indexes=(("kelurahan_code",),),
)
# A cadre's time in a group: at most one open (left_on None) per cadre; history kept.
MEMBERSHIPS = TableSpec(
    "memberships",
    "id",
    (
        Field("id", required=True, unique=True),
        Field("group_id", required=True, references="groups.id"),
        Field("cadre_id", required=True, references="cadres.id"),
        Field("joined_on", DATE, required=True),
        Field("left_on", DATE),
        Field("leave_reason"),
    ),
    prefix="M",
    counter="membership",
    since=4,
    indexes=(("group_id",), ("cadre_id",)),
    uniques=(Unique(("cadre_id",), while_none="left_on"),),
)
# Each tier a group reached, confirmed by the coordinator on a day; the last one is in force.
GROUP_TIERS = TableSpec(
    "group_tiers",
    "id",
    (
        Field("id", required=True, unique=True),
        Field("group_id", required=True, references="groups.id"),
        Field("tier", required=True, choices=TIER_CODES),
        Field("on", DATE, required=True),
        Field("facts", JSON),  # what the group had when assessed: members, capital, ...
    ),
    prefix="T",
    counter="group_tier",
    since=4,
    indexes=(("group_id",),),
)
REFERRALS = TableSpec(
    "referrals",
    "id",
    (
        Field("id", required=True, unique=True),
        Field("business_id", required=True, references="businesses.id"),
        Field("agency", required=True),
        Field("need", required=True, choices=NEED_CODES),
        Field("referred_on", DATE, required=True),
        Field("note"),
    ),
    prefix="R",
    counter="referral",
    since=4,
    indexes=(("business_id",),),
)
# A referral's dated steps; its status is the last one's (referred before any).
REFERRAL_UPDATES = TableSpec(
    "referral_updates",
    "id",
    (
        Field("id", required=True, unique=True),
        Field("referral_id", required=True, references="referrals.id"),
        Field("on", DATE, required=True),
        Field("status", required=True, choices=STATUS_CODES[1:]),
        Field("outcome", choices=OUTCOME_CODES),  # with status done
        Field("nib"),  # outcome nib: the number issued
        Field("pirt"),  # outcome pirt: the number issued
        Field("amount", INT),  # outcome capital: Rupiah received
        Field("source", choices=SOURCE_CODES),  # outcome capital: KUR, a city programme, ...
        Field("note"),  # why it closed without result (required then)
    ),
    prefix="RU",
    counter="referral_update",
    since=4,
    indexes=(("referral_id",),),
)
# Every file up2k wrote that holds personal data (UU PDP): where, when, by which command, and
# whose data, so that an erasure can name the copies it cannot reach.
FILES = TableSpec(
    "files",
    "id",
    (
        Field("id", required=True, unique=True),
        Field("at", STAMP, required=True),
        Field("user", required=True),
        Field("command", required=True),
        Field("path", required=True),
        Field("what", required=True),
        Field("records", INT, required=True),
        Field("cadres", JSON),  # the cadre IDs it holds, as ranges: [["K0001", "K0450"], ...]
    ),
    prefix="F",
    counter="file",
    since=3,
)
# Working as several offices (schema 5). Each registry has an identity (meta `registry_id`); a
# record that came from another registry (a bundle, an import of an export) keeps where it came
# from, so that the next bundle from there updates it instead of adding it again.
ORIGINS = TableSpec(
    "origins",
    "id",
    (
        Field("id", required=True, unique=True),  # "<origin registry>/<table>"
        Field("origin", required=True),  # the registry_id of the registry the records came from
        Field("table", required=True),
        Field("keys", JSON, required=True),  # {key there: key here}, e.g. {"K0001": "K0035"}
    ),
    since=5,
)
# The registries whose bundles were merged here: the last bundle's number, and what both sides
# held of each record after that merge (a hash per record), so that the next merge tells a
# record changed there, here, or on both sides since.
PEERS = TableSpec(
    "peers",
    "id",
    (
        Field("id", required=True, unique=True),  # the peer's registry_id
        Field("label", required=True),  # what its bundles call it: "Kelurahan Pondok Labu"
        Field("seq", INT, required=True),  # the number of the last bundle merged from it
        Field("merged_at", STAMP, required=True),
        Field("bundle", required=True),  # the file name of that bundle
        Field("bases", JSON, required=True),  # {table: {key here: hash of the record agreed}}
    ),
    since=5,
)
HISTORY = TableSpec(
    "history",
    "seq",
    (
        Field("seq", INT, required=True, unique=True),
        Field("at", STAMP, required=True),
        Field("user", required=True),
        Field("command", required=True),
        Field("entity", required=True),
        Field("ref"),
        Field("action", required=True),
        Field("changes", JSON),
        Field("op", INT, optional=True),  # the seq of its command's first entry: one command, one op
        Field("refs", JSON, optional=True, items=TEXT),  # the records of a bulk change
        Field("reason", optional=True),
        Field("on", DATE, optional=True),
        Field("record", JSON, optional=True),  # a removed record, whole, so that it can be put back
    ),
    counter="history",
    indexes=(("ref",), ("refs",)),
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        CADRES, BATCHES, ENROLLMENTS, BUSINESSES, STEPS, INCOMES, FILES, HISTORY,
        BUSINESS_FOLLOW_UPS, GROUPS, MEMBERSHIPS, GROUP_TIERS, REFERRALS, REFERRAL_UPDATES,
        ORIGINS, PEERS,
    )
}  # fmt: skip
# Every ID counter: one per table with serial IDs, the history's sequence numbers, and the
# waiting list's queue numbers, and the bundles this registry wrote (schema 5).
COUNTERS: tuple[str, ...] = (*(spec.counter for spec in TABLES.values() if spec.counter), "queue", "bundle")
META = "meta"
# The meta record (document 1 of the meta table in the file): what it must hold.
META_FIELDS = ("schema_version", "region", "target", "counters")


@dataclass
class Problem:
    """A stored value up2k does not know: which table, record and field."""

    table: str
    record: str
    field: str
    value: Any
    expected: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


_KIND_TYPES: dict[str, tuple[type, ...]] = {
    TEXT: (str,),
    INT: (int,),
    BOOL: (bool,),
    DATE: (str,),
    STAMP: (str,),
    JSON: (list, dict),
}


def record_problems(spec: TableSpec, records: Any, limit: int = 20) -> list[Problem]:
    """Values of the wrong type, or not among a field's choices (e.g. a status 'enrollex')."""
    problems: list[Problem] = []
    checks = [(f, _KIND_TYPES[f.kind]) for f in spec.fields]
    for record in records:
        ident = str(record.get(spec.key))
        for f, types in checks:
            value = record.get(f.name)
            if value is None:
                if f.required:
                    problems.append(Problem(spec.name, ident, f.name, value, "a value"))
                continue
            if not isinstance(value, types) or (f.kind == INT and isinstance(value, bool)):
                problems.append(Problem(spec.name, ident, f.name, value, f.kind))
            elif f.choices and value not in f.choices:
                problems.append(Problem(spec.name, ident, f.name, value, " | ".join(f.choices)))
        if len(problems) >= limit:
            break
    return problems
