"""The PostgreSQL backend: the registry in tables of the `up2k` schema, one transaction per
command, psycopg 3 and plain SQL.

Isolation: a command reads one snapshot of the registry (REPEATABLE READ) until it first locks,
holds or writes; then, nothing being written yet, its transaction starts again as READ
COMMITTED. So a report or `check` sees one moment (never an enrollment without its cadre),
while a command that counts or changes what others may change at the same moment takes a row
lock first (`lock`: SELECT ... FOR NO KEY UPDATE; a batch for enrollment) or holds the values
it checks (`hold`: a new NIK), and then reads what is committed: it never has to be retried.
The database keeps the rules it can on its own (keys, NOT NULL, CHECKs, foreign keys, places
held against capacity and quota, an append-only history), also against psql.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import orjson
import psycopg
from psycopg import IsolationLevel
from psycopg.types.json import Json

from up2k_cli.domain.errors import RegistryDamaged, RegistryMissing, RegistryUnusable, RuleViolation
from up2k_cli.i18n import _
from up2k_cli.storage import migrations
from up2k_cli.storage.presets import new_registry_id
from up2k_cli.storage.protocol import BaseUnitOfWork, Record
from up2k_cli.storage.schema import COUNTERS, INT, JSON, META, TABLES, TableSpec

from . import migrate
from .ddl import POS, pos_is_generated, q, sql_type, table
from .server import Server, connect, described, first_line, no_registry, translate, translated

# The meta record's fields in the order `up2k init` writes them (a file copy keeps its own).
META_ORDER = ("schema_version", "created_at", "region", "target", "counters", "settings", "registry_id")
META_COLUMNS = ("schema_version", "created_at", "region", "target", "settings", "registry_id")
NESTED_META = frozenset({"region", "target", "settings"})
HOLD_MANY = 64  # more values than this: the whole field is held (advisory locks are finite)
INSERT_MANY = 10  # more records than this go in with COPY

_COPY_TYPES = {"text": "text", "bigint": "int8", "boolean": "bool", "date": "text", "json": "json"}


class PostgresRepository:
    """One table. Records hold exactly the table's fields and come in the order they were added
    (`pos`: a serial ID's number, as IDs are handed out rising and a file numbers its documents
    so; the next number of the table's identity for other keys, batch codes)."""

    def __init__(self, uow: PostgresUnitOfWork, spec: TableSpec) -> None:
        self.uow = uow
        self.spec = spec
        self.key = spec.key
        self.table = table(spec.name)
        self.names = spec.field_names
        self.columns = ", ".join(q(n) for n in self.names)
        self.view = f"up2k.{q('viewer_' + spec.name)}"
        self.types = {f.name: sql_type(f) for f in spec.fields}
        self.json = frozenset(f.name for f in spec.fields if f.kind == JSON and f.items is None)
        self.key_python = int if spec.field(spec.key).kind == INT else str

    # -- reading ---------------------------------------------------------------------------

    @property
    def source(self) -> str:
        """What reading commands read: the table, or for a viewer its view without personal data."""
        return self.view if self.uow.account == "viewer" else self.table

    def rows(self, where: str = "", params: Iterable[Any] = (), *, order: bool = True) -> list[Record]:
        ordered = f" ORDER BY {POS}" if order else ""
        found = self.uow.fetch(f"SELECT {self.columns} FROM {self.source} {where}{ordered}", params)
        return records_of(self.spec, found)

    def _keys(self, keys: Iterable[Any]) -> list[Any]:
        """Keys of the key's type only: another type names no record (as in a file)."""
        kind = self.key_python
        return [k for k in dict.fromkeys(keys) if type(k) is kind]

    def get(self, key: Any) -> Record | None:
        if type(key) is not self.key_python:
            return None
        found = self.rows(f"WHERE {q(self.key)} = %s", (key,))
        return found[0] if found else None

    def get_many(self, keys: Iterable[Any]) -> dict[Any, Record]:
        wanted = self._keys(keys)
        if not wanted:
            return {}
        return {r[self.key]: r for r in self.find_in(self.key, wanted)}

    def find(self, **equal: Any) -> list[Record]:
        if not equal:
            return self.all()
        return self.rows(*self._where(equal))

    def values(self, *fields: str) -> list[tuple[Any, ...]]:
        for name in fields:
            self._field(name)
        cols = ", ".join(q(n) for n in fields)
        return [tuple(row) for row in self.uow.fetch(f"SELECT {cols} FROM {self.source} ORDER BY {POS}")]

    def page(self, limit: int, offset: int = 0, **equal: Any) -> tuple[list[Record], int]:
        """LIMIT and OFFSET in the database (a serial ID's number is its record's place, `pos`),
        through an index on the field and `pos` (migration 0006)."""
        where, params = self._where(equal)
        (total,) = self.uow.fetch(f"SELECT count(*) FROM {self.source} {where}", params)[0]
        if not total or offset >= total:
            return [], int(total)
        if offset:  # the page's first place from the index alone, then only the page is read
            first = f"SELECT {POS} FROM {self.source} {where} ORDER BY {POS} OFFSET %s LIMIT 1"
            where = f"{where} AND" if where else "WHERE"
            where = f"{where} {POS} >= ({first})"
            params = [*params, *params, offset]
        found = self.rows(f"{where} ORDER BY {POS} LIMIT %s", [*params, limit], order=False)
        return found, int(total)

    def _where(self, equal: Mapping[str, Any]) -> tuple[str, list[Any]]:
        terms, params = [], []
        for name, value in equal.items():
            self._field(name)
            if value is None:
                terms.append(f"{q(name)} IS NULL")
            else:
                terms.append(f"{q(name)} = %s")
                params.append(value)
        return ("WHERE " + " AND ".join(terms) if terms else ""), params

    def find_in(self, field: str, values: Iterable[Any]) -> list[Record]:
        self._field(field)
        wanted = [v for v in dict.fromkeys(values) if v is not None]
        if not wanted:
            return []
        return self.rows(f"WHERE {q(field)} = ANY(%s::{self.types[field]}[])", (wanted,))

    def find_with(self, field: str, value: Any, **equal: Any) -> list[Record]:
        """Records whose list field holds the value: a field stored as an array (the history's
        refs, found through its GIN index). Where row-level security applies (the coordinator,
        an office), @> may not use an index (it is not leakproof): the other fields given and
        IS NOT NULL narrow the search first (history: migration 0006's index of bulk entries)."""
        if self._field(field).items is None:
            raise ValueError(f"table {self.spec.name}: {field!r} is not a list of plain values")
        where, params = self._where(equal)
        where = f"{where} AND" if where else "WHERE"
        return self.rows(
            f"{where} {q(field)} IS NOT NULL AND {q(field)} @> ARRAY[%s]::{self.types[field]}",
            [*params, value],
        )

    def all(self) -> list[Record]:
        return self.rows()

    def count(self) -> int:
        return int(self.uow.fetch(f"SELECT count(*) FROM {self.source}")[0][0])

    def __contains__(self, key: object) -> bool:
        if type(key) is not self.key_python:
            return False
        return bool(self.uow.fetch(f"SELECT 1 FROM {self.source} WHERE {q(self.key)} = %s", (key,)))

    def _field(self, name: str) -> Any:
        if name not in self.types:
            raise ValueError(f"table {self.spec.name} has no field {name!r}")
        return self.spec.field(name)

    # -- locking ---------------------------------------------------------------------------

    def lock(self, key: Any) -> None:
        """A row lock to the end of the transaction. NO KEY UPDATE, the lock an UPDATE takes:
        commands that lock the same record wait for each other, while inserts that only refer
        to it (an enrollment of its batch, its cadre) do not wait."""
        self.uow.writing()
        if type(key) is self.key_python:
            self.uow.fetch(f"SELECT 1 FROM {self.table} WHERE {q(self.key)} = %s FOR NO KEY UPDATE", (key,))

    def hold(self, field: str, values: Iterable[Any] | None = None) -> None:
        """Hold these values of `field` (all of them: None, or many) to the end of the transaction:
        another command checking the same value waits, then sees this one's record."""
        self._field(field)
        self.uow.writing()
        name = f"{self.spec.name}.{field}"
        wanted = None if values is None else sorted({str(v) for v in values if v is not None})
        if wanted is not None and not wanted:
            return
        if wanted is not None and len(wanted) > HOLD_MANY:
            wanted = None
        self.uow.fetch("SELECT up2k.hold(%s, %s::text[])", (name, wanted))

    # -- changing --------------------------------------------------------------------------

    def add_many(self, records: Iterable[Record]) -> None:
        shaped = [self.spec.shaped(r) for r in records]
        if not shaped:
            return
        self.uow.writing()
        columns = list(self.names)
        rows = [[r.get(n) for n in self.names] for r in shaped]
        if not pos_is_generated(self.spec):
            columns.append(POS)
            for row, place in zip(rows, self._places(shaped), strict=True):
                row.append(place)
        self.uow.insert(self.spec, columns, rows)

    def _places(self, records: list[Record]) -> list[int]:
        """A serial ID's number is its record's place (K0042 -> 42, as in a file); a key of
        another shape takes the next place after the last."""
        places = [self.spec.serial(r[self.key]) for r in records]
        if None in places:
            (last,) = self.uow.fetch(f"SELECT coalesce(max({POS}), 0) FROM {self.table}")[0]
            after = max([int(last), *(p for p in places if p is not None)])
            filled = []
            for place in places:
                if place is None:
                    after += 1
                    place = after
                filled.append(place)
            return filled
        return [p for p in places if p is not None]

    def update_many(self, changes: Mapping[Any, Record]) -> None:
        if changes:
            self.uow.writing()
        groups: dict[tuple[str, ...], list[list[Any]]] = {}
        for key, fields in changes.items():
            if type(key) is not self.key_python:
                raise KeyError(f"{self.spec.name}: no record {key!r}")
            unknown = sorted(set(fields) - set(self.names))
            if unknown:
                raise ValueError(f"table {self.spec.name} has no field {unknown[0]!r}")
            names = tuple(fields)
            groups.setdefault(names, []).append([self._value(n, fields[n]) for n in names] + [key])
        for names, params in groups.items():
            if not names:
                missing = [p[-1] for p in params if p[-1] not in self]
                if missing:
                    raise KeyError(f"{self.spec.name}: no record {missing[0]!r}")
                continue
            sets = ", ".join(f"{q(n)} = %s" for n in names)
            done = self.uow.execute_many(f"UPDATE {self.table} SET {sets} WHERE {q(self.key)} = %s", params)
            if done != len(params):
                missing = [p[-1] for p in params if p[-1] not in self]
                raise KeyError(f"{self.spec.name}: no record {missing[0] if missing else '?'!r}")

    def _value(self, name: str, value: Any) -> Any:
        return Json(value) if name in self.json and value is not None else value

    def remove_many(self, keys: Iterable[Any]) -> None:
        wanted = self._keys(keys)
        if wanted:
            self.uow.writing()
            self.uow.fetch(
                f"DELETE FROM {self.table} WHERE {q(self.key)} = ANY(%s::{self.types[self.key]}[])",
                (wanted,),
                rows=False,
            )


class PostgresUnitOfWork(BaseUnitOfWork):
    """One command's transaction on a PostgreSQL registry: entered, committed at most once;
    leaving without commit (an error, Ctrl-C) rolls everything back."""

    backend = "postgresql"
    cadres: PostgresRepository
    batches: PostgresRepository
    enrollments: PostgresRepository
    businesses: PostgresRepository
    steps: PostgresRepository
    incomes: PostgresRepository
    files: PostgresRepository
    history: PostgresRepository

    def __init__(
        self,
        url: str,
        *,
        lock_timeout: float = 5.0,
        accept_edits: bool = False,  # a file's notion: nothing is edited outside up2k here
        keep: Callable[[object], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.server = Server.parse(url)
        self.location = self.server.shown
        self.lock_timeout = lock_timeout
        self._conn: psycopg.Connection[Any] | None = None
        self._meta: dict[str, Any] = {}
        self._snapshot = False
        self._row_security: bool | None = None
        self.account: str | None = None  # 'office' or 'viewer' for an account of `office add`
        for name, spec in TABLES.items():
            setattr(self, name, PostgresRepository(self, spec))

    # -- the transaction -----------------------------------------------------------------------

    def __enter__(self) -> PostgresUnitOfWork:
        self._conn = connect(self.server, lock_timeout=self.lock_timeout)
        try:
            self._meta = self._open()
            self._conn.isolation_level = IsolationLevel.REPEATABLE_READ
            self._snapshot = True
        except BaseException:
            self._close()
            raise
        return self

    def writing(self) -> None:
        """Before the first lock, hold or write: the snapshot read so far is let go (nothing was
        written in it) and the transaction starts again as READ COMMITTED, so that what is read
        after a lock is what other commands committed before it."""
        self._refuse_if_reading()
        if self._snapshot:
            conn = self._connection()
            with self._translated():
                conn.rollback()
            conn.isolation_level = IsolationLevel.READ_COMMITTED
            self._snapshot = False

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        """Closing without COMMIT: the server rolls the transaction back."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def commit(self) -> None:
        self._refuse_if_reading()
        conn = self._connection()
        try:
            conn.commit()
        except psycopg.OperationalError as exc:
            raise RegistryUnusable(
                _(
                    "lost the connection to {where} while saving ({reason}); whether the change was "
                    "saved is unknown: 'up2k history --limit 5' shows the last changes"
                ).format(where=self.server.where(), reason=self.server.scrub(first_line(str(exc))))
            ) from None
        except psycopg.Error as exc:
            raise translate(exc, self.server, lock_timeout=self.lock_timeout) from None

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None:
            raise RuntimeError("the unit of work is not entered")
        return self._conn

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        with translated(self.server, lock_timeout=self.lock_timeout):
            yield

    def fetch(
        self, query: str, params: Iterable[Any] | Mapping[str, Any] = (), *, rows: bool = True
    ) -> list[tuple[Any, ...]]:
        values = params if isinstance(params, Mapping) else tuple(params)
        with self._translated():
            cur = self._connection().execute(query, values)  # type: ignore[arg-type]
            return cur.fetchall() if rows and cur.description else []

    def execute_many(self, query: str, params: list[list[Any]]) -> int:
        with self._translated():
            cur = self._connection().cursor()
            cur.executemany(query, params)  # type: ignore[arg-type]
            return cur.rowcount

    def insert(self, spec: TableSpec, columns: list[str], rows: list[list[Any]]) -> None:
        with self._translated():
            insert_rows(self._connection(), spec, columns, rows, copy=not self.row_security)

    def read_model(self, name: str, **params: Any) -> Any | None:
        """A report's figures computed in SQL (read_models.py), or None: the Python read model's."""
        from .read_models import read_model

        return read_model(self, name, **params)

    def cadres_born_alike(self, keys: Iterable[tuple[str, str, str]]) -> list[tuple[Any, ...]]:
        """Through the cadres' table with the keys hashed: substr(nik, 9, 4) is domain/cadre.py
        birth_month_year (tests/integration hold the two alike)."""
        wanted = list(set(keys))
        if not wanted:
            return []
        kelurahan, name, born = (list(column) for column in zip(*wanted, strict=True))
        found = self.fetch(
            f"""SELECT id, nik, name_key, kelurahan_code FROM {self.cadres.source}
                 WHERE (kelurahan_code, name_key, substr(nik, 9, 4)) IN
                       (SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]))
                 ORDER BY {POS}""",
            (kelurahan, name, born),
        )
        return [tuple(row) for row in found]

    # -- accounts (`up2k office`) ------------------------------------------------------------------

    def accounts(self) -> list[Record]:
        rows = self.fetch(
            "SELECT login, kind, kelurahan_code, created_at FROM up2k.offices ORDER BY created_at, login"
        )
        return [
            dict(zip(("login", "kind", "kelurahan_code", "created_at"), row, strict=True)) for row in rows
        ]

    def add_account(self, login: str, kind: str, kelurahan_code: str | None, password: str) -> None:
        """A login role that can do nothing but what up2k.grant_account gives its kind. The
        password reaches the server as a SCRAM verifier, never as text a log could keep."""
        from psycopg import sql

        self.writing()
        conn = self._connection()
        try:
            with conn.transaction():
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN NOINHERIT PASSWORD {}").format(
                        sql.Identifier(login), sql.Literal(scram_verifier(password))
                    )
                )
                conn.execute(
                    "INSERT INTO up2k.offices (login, kind, kelurahan_code, created_at) "
                    "VALUES (%s, %s, %s, %s)",
                    (login, kind, kelurahan_code, self.now.isoformat(timespec="seconds")),
                )
                conn.execute("SELECT up2k.grant_account(%s, %s)", (login, kind))
        except psycopg.errors.DuplicateObject:
            raise RuleViolation(
                _("login {login} exists already on {where}; choose another name with --login").format(
                    login=login, where=self.server.where()
                )
            ) from None
        except psycopg.errors.InsufficientPrivilege as exc:
            raise RuleViolation(
                _(
                    "role {user} may not create logins on {where} ({reason}): the coordinator's role needs "
                    "CREATEROLE (ALTER ROLE {user} CREATEROLE, as a superuser)"
                ).format(user=self.server.user, where=self.server.where(), reason=first_line(str(exc)))
            ) from None
        except psycopg.Error as exc:
            raise translate(exc, self.server, lock_timeout=self.lock_timeout) from None

    def remove_account(self, login: str) -> None:
        from psycopg import sql

        self.writing()
        conn = self._connection()
        try:
            with conn.transaction():
                conn.execute("SELECT up2k.revoke_account(%s)", (login,))
                conn.execute("DELETE FROM up2k.offices WHERE login = %s", (login,))
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(login)))
        except psycopg.errors.DependentObjectsStillExist as exc:
            raise RuleViolation(
                _(
                    "login {login} still holds rights elsewhere on the server ({reason}); nothing was removed"
                ).format(login=login, reason=first_line(exc.diag.message_detail or str(exc)))
            ) from None
        except psycopg.Error as exc:
            raise translate(exc, self.server, lock_timeout=self.lock_timeout) from None

    @property
    def personal_data(self) -> bool:
        """Does this account read personal data (every account but a viewer)?"""
        return self.account != "viewer"

    @property
    def login(self) -> str:
        return self.server.user

    @property
    def row_security(self) -> bool:
        """Does row-level security apply to this role (an office; the schema's owner, as it is
        forced)? Then rows go in with INSERT, as PostgreSQL refuses COPY there."""
        if self._row_security is None:
            (active,) = self.fetch("SELECT row_security_active('up2k.cadres')")[0]
            self._row_security = bool(active)
        return self._row_security

    def _open(self) -> dict[str, Any]:
        """The meta row, in a transaction of its own (autocommit). A registry of an older schema
        is upgraded at once, by whichever command of the newer up2k comes first: a schema is the
        server's, not one command's (the file's migration is kept when it is next written)."""
        conn = self._connection()
        conn.autocommit = True
        try:
            with self._translated():
                try:
                    meta = read_meta(conn)
                except psycopg.errors.UndefinedTable:
                    raise RegistryMissing(no_registry(self.server)) from None
                version = meta["schema_version"]
                if version > migrations.CURRENT_VERSION:
                    raise RegistryDamaged(
                        f"{self.server.where()}: {migrations.too_new(version, migrations.CURRENT_VERSION)}"
                    )
                if version < migrations.CURRENT_VERSION:
                    with conn.transaction():
                        conn.execute(
                            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (migrate.SCHEMA_LATCH,)
                        )
                        migrate.apply(conn, read_meta(conn)["schema_version"])
                    meta = read_meta(conn)
                found = conn.execute("SELECT kind FROM up2k.offices WHERE login = current_user").fetchone()
                self.account = found[0] if found else None
        finally:
            conn.autocommit = False
        return meta

    # -- the registry's own record and counters ------------------------------------------------

    @property
    def meta(self) -> Record:
        order = (self._meta.get("layout") or {}).get("meta") or META_ORDER
        order = [*order, *(k for k in META_ORDER if k not in order)]
        record = {k: self._meta[k] for k in order if k in META_COLUMNS and self._meta.get(k) is not None}
        return orjson.loads(orjson.dumps(record))

    def update_meta(self, fields: Record) -> None:
        unknown = sorted(set(fields) - set(META_COLUMNS))
        if unknown:
            raise ValueError(f"the meta record has no field {unknown[0]!r}")
        if not fields:
            return
        self.writing()
        sets = ", ".join(f"{q(k)} = %s" for k in fields)
        values = [Json(v) if k in NESTED_META and v is not None else v for k, v in fields.items()]
        self.fetch(f"UPDATE up2k.meta SET {sets}", values, rows=False)
        self._meta.update(orjson.loads(orjson.dumps(dict(fields))))

    def reserve(self, kind: str, count: int) -> range:
        """`count` numbers in a row; never handed out again, even if this command rolls back."""
        self._refuse_if_reading()
        if kind not in COUNTERS:
            raise ValueError(f"no counter {kind!r}")
        if count < 1:
            return range(0)
        (first,) = self.fetch("SELECT up2k.reserve(%s, %s)", (kind, count))[0]
        return range(int(first), int(first) + count)

    def counters(self) -> dict[str, int]:
        with self._translated():
            return read_counters(self._connection(), self._meta.get("layout"))

    def redact_history(self, refs: set[str], redact: Callable[[Record], Record]) -> int:
        """The erasure, computed by the service as for a file; the database takes an update of
        the history only when it replaces values with the erasure's mark."""
        wanted = sorted(refs)
        entries = self.history.rows('WHERE "ref" = ANY(%s::text[]) OR "refs" && %s::text[]', (wanted, wanted))
        changed = {e["seq"]: fields for e in entries if (fields := redact(e))}
        self.history.update_many(changed)
        return len(changed)

    def outside_edits(self) -> list[Any]:
        return []  # the database keeps its own rules; nothing is sealed

    def backup_count(self) -> int:
        return 0  # backups are the server's business (pg_dump, PITR)

    def rewrite_backups(self, change: Callable[[Any], bool]) -> int:
        return 0

    def data(self) -> dict[str, Any]:
        """The whole registry as a file holds it ({table: {document ID: record}}, the meta record
        with its counters), read in one snapshot of what is committed (a separate read-only
        transaction: nothing waits for it, and it waits for nothing)."""
        conn = connect(self.server, lock_timeout=self.lock_timeout)
        try:
            conn.isolation_level = IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            with self._translated():
                return dump(conn)
        finally:
            conn.close()


def scram_verifier(password: str, iterations: int = 4096) -> str:
    """PostgreSQL's SCRAM-SHA-256 verifier of a password (RFC 5802/7677), as CREATE ROLE takes it."""
    import base64
    import hashlib
    import hmac
    import os

    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


# --- whole registries: read, create, copy in ---------------------------------------------------


def read_meta(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """The meta row, whatever the schema version (registry_id came with schema 5)."""
    row = conn.execute("SELECT row_to_json(m) FROM up2k.meta m").fetchone()
    if row is None:
        raise RegistryDamaged(_("the registry's meta table is empty"))
    found = row[0]
    return {name: found.get(name) for name in (*META_COLUMNS, "layout")}


def read_counters(conn: psycopg.Connection[Any], layout: Mapping[str, Any] | None) -> dict[str, int]:
    """The counters in use (a sequence never called is a counter the file would not list yet),
    in the order the registry's file listed them."""
    union = " UNION ALL ".join(
        f"SELECT {i}, last_value, is_called FROM up2k.{q('counter_' + kind)}"
        for i, kind in enumerate(COUNTERS)
    )
    found = {COUNTERS[i]: int(value) for i, value, called in conn.execute(union).fetchall() if called}
    order = [*((layout or {}).get("counters") or ()), *COUNTERS]
    return {kind: found[kind] for kind in dict.fromkeys(order) if kind in found}


def dump(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """{table: {document ID: record}, ..., "meta": {"1": meta record}} in the registry's order."""
    meta = read_meta(conn)
    layout = meta.pop("layout") or {}
    out: dict[str, Any] = {}
    for name in dict.fromkeys([*(layout.get("tables") or ()), *TABLES]):
        out[name] = read_table(conn, TABLES[name])
    counters = read_counters(conn, layout)
    record: dict[str, Any] = {}
    keys = layout.get("meta") or [k for k in META_ORDER if k == "counters" or meta.get(k) is not None]
    keys = [*keys, *(k for k in META_ORDER if k not in keys and meta.get(k) is not None)]
    for key in keys:
        record[key] = counters if key == "counters" else meta.get(key)
    out[META] = {"1": record}
    return out


def records_of(spec: TableSpec, rows: Iterable[Iterable[Any]]) -> list[Record]:
    """Rows of the table's fields, in order, as records: optional fields only when set."""
    names = spec.field_names
    records = [dict(zip(names, row, strict=True)) for row in rows]
    optional = [f.name for f in spec.fields if f.optional]
    for record in records if optional else ():
        for name in optional:
            if record[name] is None:
                del record[name]
    return records


def read_table(conn: psycopg.Connection[Any], spec: TableSpec) -> dict[str, Record]:
    """A whole table as a file holds it: {document ID: record}, the ID being the record's place."""
    cols = ", ".join(q(n) for n in spec.field_names)
    rows = conn.execute(f"SELECT {POS}, {cols} FROM {table(spec.name)} ORDER BY {POS}").fetchall()
    records = records_of(spec, (row[1:] for row in rows))
    return {str(row[0]): record for row, record in zip(rows, records, strict=True)}


def insert_rows(
    conn: psycopg.Connection[Any],
    spec: TableSpec,
    columns: list[str],
    rows: list[list[Any]],
    *,
    copy: bool = True,
) -> None:
    """A few rows with INSERT (one round trip each, pipelined); many with COPY (`copy`). Where
    COPY is refused (row-level security), many go by COPY into a temporary table and from it in
    one INSERT, the policies checking each row; without the right to make temporary tables, as
    one JSON array read into the table's row type."""
    names = ", ".join(q(n) if n != POS else POS for n in columns)
    target = table(spec.name)
    if len(rows) > INSERT_MANY:
        if copy:
            _copy_rows(conn, spec, target, columns, names, rows)
        elif conn.execute("SELECT has_database_privilege(current_database(), 'TEMP')").fetchone()[0]:  # type: ignore[index]
            conn.execute(
                f"CREATE TEMP TABLE up2k_incoming ON COMMIT DROP AS SELECT {names} FROM {target} WITH NO DATA"
            )
            _copy_rows(conn, spec, "pg_temp.up2k_incoming", columns, names, rows)
            conn.execute(f"INSERT INTO {target} ({names}) SELECT {names} FROM pg_temp.up2k_incoming")
            conn.execute("DROP TABLE pg_temp.up2k_incoming")
        else:
            payload = orjson.dumps([dict(zip(columns, row, strict=True)) for row in rows]).decode()
            records = f"json_populate_recordset(NULL::{target}, %s::json)"
            conn.execute(f"INSERT INTO {target} ({names}) SELECT {names} FROM {records}", (payload,))
        return
    json_fields = {i for i, n in enumerate(columns) if n in spec.field_names and spec.field(n).kind == JSON
                   and spec.field(n).items is None}  # fmt: skip
    marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    params = [
        [Json(v) if i in json_fields and v is not None else v for i, v in enumerate(row)] for row in rows
    ]
    conn.cursor().executemany(f"INSERT INTO {target} ({names}) VALUES {marks}", params)


def _copy_rows(
    conn: psycopg.Connection[Any],
    spec: TableSpec,
    into: str,
    columns: list[str],
    names: str,
    rows: list[list[Any]],
) -> None:
    types = [
        "int8" if n == POS else _COPY_TYPES.get(sql_type(spec.field(n)), sql_type(spec.field(n)))
        for n in columns
    ]
    with conn.cursor().copy(f"COPY {into} ({names}) FROM STDIN") as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def registry_exists(url: str, *, lock_timeout: float = 5.0) -> bool:
    server = Server.parse(url)
    conn = connect(server, lock_timeout=lock_timeout, autocommit=True)
    try:
        with translated(server, lock_timeout=lock_timeout):
            return bool(conn.execute("SELECT to_regclass('up2k.meta') IS NOT NULL").fetchone()[0])  # type: ignore[index]
    finally:
        conn.close()


def create(url: str, data: Mapping[str, Any], *, lock_timeout: float = 5.0, layout: bool = True) -> bool:
    """Build the schema in an existing database and fill it with `data` (a file's tables and meta
    record); False, and nothing changed, when the database holds a registry already. `layout`
    keeps the order of the file's tables, meta fields and counters for a copy back."""
    server = Server.parse(url)
    rows = prepared(data)
    conn = connect(server, lock_timeout=lock_timeout)
    try:
        with translated(server, lock_timeout=lock_timeout):
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (migrate.SCHEMA_LATCH,))
            if conn.execute("SELECT to_regnamespace('up2k') IS NOT NULL").fetchone()[0]:  # type: ignore[index]
                return False
            migrate.apply(conn, 0)
            meta = data[META]["1"]
            shape = {
                "tables": [n for n in data if n != META],
                "meta": [k for k in meta if k != "seal"],
                "counters": list(meta.get("counters") or {}),
            }
            conn.execute(
                "INSERT INTO up2k.meta (schema_version, created_at, region, target, settings, layout, "
                "registry_id) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (
                    meta["schema_version"],
                    meta.get("created_at"),
                    Json(meta["region"]),
                    Json(meta["target"]),
                    Json(meta["settings"]) if meta.get("settings") is not None else None,
                    Json(shape) if layout else None,
                    meta.get("registry_id") or new_registry_id(),
                ),
            )
            # COPY is refused where row-level security applies (to the schema's owner, as it is
            # forced): the new tables are filled before it is, in this same transaction.
            for spec in TABLES.values():
                conn.execute(f"ALTER TABLE {table(spec.name)} NO FORCE ROW LEVEL SECURITY")
        for spec, columns, table_rows in rows:
            try:
                insert_rows(conn, spec, columns, table_rows)
            except psycopg.errors.OperationalError as exc:
                raise translate(exc, server, lock_timeout=lock_timeout) from None
            except psycopg.Error as exc:
                raise RuleViolation(
                    _("table {table} cannot go into the database: {reason}; nothing was copied").format(
                        table=spec.name, reason=described(exc, server)
                    )
                ) from None
        with translated(server, lock_timeout=lock_timeout):
            for spec in TABLES.values():
                conn.execute(f"ALTER TABLE {table(spec.name)} FORCE ROW LEVEL SECURITY")
            for kind, value in (data[META]["1"].get("counters") or {}).items():
                conn.execute(f"SELECT setval('up2k.{q('counter_' + kind)}', %s, true)", (value,))
            for spec in TABLES.values():
                if pos_is_generated(spec):
                    conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table(spec.name)}', '{POS}'), max({POS})) "
                        f"FROM {table(spec.name)} HAVING max({POS}) IS NOT NULL"
                    )
            conn.commit()
        return True
    finally:
        conn.close()


def prepared(data: Mapping[str, Any]) -> list[tuple[TableSpec, list[str], list[list[Any]]]]:
    """Each table's rows for COPY, parents before the tables that refer to them; refuses what a
    database table cannot hold as it is (a field up2k does not know) before anything is written."""
    meta = data[META]["1"]
    unknown_meta = sorted(set(meta) - {*META_ORDER, "seal"})
    if unknown_meta:
        raise RuleViolation(
            _("the meta record holds {field}, which up2k does not know; nothing was copied").format(
                field=repr(unknown_meta[0])
            )
        )
    unknown_counters = sorted(set(meta.get("counters") or {}) - set(COUNTERS))
    if unknown_counters:
        raise RuleViolation(
            _("the meta record holds a counter {name}, which up2k does not know; nothing was copied").format(
                name=repr(unknown_counters[0])
            )
        )
    out = []
    for spec in sorted(TABLES.values(), key=lambda s: any(f.references for f in s.fields)):
        names = spec.field_names
        known = set(names)
        rows = []
        for doc_id, record in (data.get(spec.name) or {}).items():
            extra = [k for k in record if k not in known]
            if extra:
                raise RuleViolation(
                    _(
                        "table {table}, record {record} holds a field {field} that up2k does not know; "
                        "nothing was copied"
                    ).format(table=spec.name, record=record.get(spec.key, doc_id), field=repr(extra[0]))
                )
            rows.append([*(record.get(n) for n in names), int(doc_id)])
        out.append((spec, [*names, POS], rows))
    return out
