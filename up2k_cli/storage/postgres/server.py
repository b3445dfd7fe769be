"""Reaching the server: the URL taken apart for messages (never the password), the connection
with the settings every command needs, and the one place psycopg's errors become up2k's."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import psycopg
from psycopg import errors as pg_errors
from psycopg.types.json import set_json_dumps, set_json_loads
from psycopg.types.string import TextLoader

from up2k_cli.domain.errors import (
    RegistryDamaged,
    RegistryLocked,
    RegistryMissing,
    RegistryUnusable,
    RuleViolation,
    Up2kError,
)
from up2k_cli.i18n import _
from up2k_cli.storage.locations import shown

CONNECT_TIMEOUT = 10  # seconds: a server that does not answer is reported, not waited for
# A client that stops answering mid-command (a laptop put to sleep) must not hold its locks for
# ever; a command's own pauses between statements (validating an import) are far shorter.
IDLE_IN_TRANSACTION = "5min"


@dataclass(frozen=True)
class Server:
    """Where a PostgreSQL registry lives, as far as messages need to say."""

    url: str
    host: str
    port: str
    dbname: str
    user: str
    password: str | None

    @classmethod
    def parse(cls, url: str) -> Server:
        try:
            params = psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise RegistryUnusable(
                _("{url} is not a PostgreSQL URL up2k can use: {reason}").format(
                    url=shown(url), reason=first_line(str(exc))
                )
            ) from None
        env = os.environ
        user = str(params.get("user") or env.get("PGUSER") or _os_user())
        return cls(
            url=url,
            host=str(params.get("host") or env.get("PGHOST") or "localhost"),
            port=str(params.get("port") or env.get("PGPORT") or "5432"),
            dbname=str(params.get("dbname") or env.get("PGDATABASE") or user),
            user=user,
            password=str(params["password"]) if params.get("password") else None,
        )

    @property
    def shown(self) -> str:
        return shown(self.url)

    def where(self) -> str:
        """'database up2k on db.example:5432': what a message names."""
        return _("database {dbname} on {host}:{port}").format(
            dbname=self.dbname, host=self.host, port=self.port
        )

    def scrub(self, text: str) -> str:
        """A server or driver message with the password taken out, should it ever hold it."""
        return text.replace(self.password, "***") if self.password else text


def _os_user() -> str:
    from up2k_cli.storage.protocol import os_user

    return os_user()


def first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip() if text.strip() else text


def connect(server: Server, *, lock_timeout: float, autocommit: bool = False) -> psycopg.Connection[Any]:
    """A connection that reads dates as ISO text and nested values with orjson (key order kept);
    waits for a lock at most `lock_timeout` seconds. Unreachable: exit 3 naming host, port and
    database."""
    options = (
        f"-c lock_timeout={max(1, round(lock_timeout * 1000))} -c DateStyle=ISO,YMD "
        f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION}"
    )
    try:
        conn = psycopg.connect(
            server.url,
            autocommit=autocommit,
            connect_timeout=CONNECT_TIMEOUT,
            application_name="up2k",
            options=options,
        )
    except psycopg.Error as exc:
        raise RegistryUnusable(
            _("cannot connect to {where}: {reason}").format(
                where=server.where(), reason=_connect_reason(server, exc)
            )
        ) from None
    set_json_dumps(orjson.dumps, conn)
    set_json_loads(orjson.loads, conn)
    conn.adapters.register_loader("date", TextLoader)
    return conn


def _connect_reason(server: Server, exc: psycopg.Error) -> str:
    """libpq's reason without its preamble ('connection failed: connection to server at ...')."""
    text = server.scrub(str(exc))
    reasons = [line.strip() for line in text.splitlines() if line.strip()]
    last = reasons[0] if reasons else type(exc).__name__
    for line in reasons:
        if "failed:" in line:
            last = line.rsplit("failed:", 1)[1].strip() or last
    return re.sub(r"^(FATAL|ERROR):\s+", "", last)


@contextlib.contextmanager
def translated(server: Server, *, lock_timeout: float) -> Iterator[None]:
    """psycopg's errors as up2k's: one line, the right exit status, no traceback."""
    try:
        yield
    except psycopg.Error as exc:
        raise translate(exc, server, lock_timeout=lock_timeout) from None


def translate(exc: psycopg.Error, server: Server, *, lock_timeout: float) -> Up2kError:
    diag = exc.diag
    message = server.scrub(first_line(diag.message_primary or str(exc)))
    where = server.where()
    if isinstance(exc, pg_errors.LockNotAvailable):
        return RegistryLocked(
            _(
                "{where}: another command held the records this one needs for more than {seconds} s; "
                "nothing was written. Try again when it finishes, or wait longer with --lock-timeout"
            ).format(where=where, seconds=f"{lock_timeout:g}")
        )
    if isinstance(exc, pg_errors.SerializationFailure | pg_errors.DeadlockDetected):
        return RuleViolation(
            _(
                "another command changed the same records at the same moment; nothing was written. "
                "Run the command again"
            )
        )
    if isinstance(exc, pg_errors.UndefinedTable | pg_errors.InvalidSchemaName):
        return RegistryMissing(no_registry(server))
    if isinstance(exc, pg_errors.UniqueViolation):
        return _duplicate(exc, server)
    if isinstance(exc, pg_errors.IntegrityError):
        return RuleViolation(
            _("the database refused the change: {reason}; nothing was written").format(reason=message)
        )
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        if "row-level security" in message:
            found = re.search(r'table "([^"]+)"', message)
            return RuleViolation(
                _(
                    "role {user} may not write this record into table {table}: it is not of the "
                    "kelurahan the account is for (row-level security); nothing was written"
                ).format(user=server.user, table=found[1] if found else "?")
            )
        return RuleViolation(
            _("{where}: role {user} may not do this: {reason}; nothing was written").format(
                where=where, user=server.user, reason=message
            )
        )
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return RegistryUnusable(
            _("lost the connection to {where}: {reason}; nothing was written").format(
                where=where, reason=message or _("the server closed it")
            )
        )
    return RegistryUnusable(_("{where}: {reason}; nothing was written").format(where=where, reason=message))


def described(exc: psycopg.Error, server: Server) -> str:
    """The server's message and its detail (which record, which value), NIKs masked."""
    from up2k_cli.domain.validators import mask_nik

    primary = server.scrub(first_line(exc.diag.message_primary or str(exc)))
    detail = server.scrub(first_line(exc.diag.message_detail or ""))
    found = _KEY.match(detail)
    if found and found["fields"] == "nik":
        detail = f"Key (nik)=({mask_nik(found['values'])}) already exists."
    return f"{primary} ({detail})" if detail else primary


_KEY = re.compile(r"^Key \((?P<fields>[^)]*)\)=\((?P<values>.*)\) already exists\.?$")


def _duplicate(exc: psycopg.Error, server: Server) -> Up2kError:
    """A value taken twice. Commands hold the values they check (Repository.hold), so this is a
    write made outside up2k at the same moment, or ID counters set back by hand."""
    from up2k_cli.domain.validators import mask_nik

    constraint = exc.diag.constraint_name or ""
    table = exc.diag.table_name or "?"
    found = _KEY.match(exc.diag.message_detail or "")
    fields, value = (found["fields"], found["values"]) if found else ("?", "?")
    if fields == "nik":
        value = mask_nik(value)
    if constraint.endswith("_pkey") or constraint.endswith("_pos_key"):
        return RegistryDamaged(
            _(
                "{field} {value} is taken already in table {table} of {where}; the ID counters were "
                "set back outside up2k. Nothing was written; 'up2k check' shows the counters"
            ).format(field=fields, value=value, table=table, where=server.where())
        )
    return RuleViolation(
        _(
            "{field} {value} was taken in table {table} at the same moment by a change made outside "
            "up2k; nothing was written. Run the command again"
        ).format(field=fields, value=value, table=table)
    )


def no_registry(server: Server) -> str:
    """The file backend's words: the URL (password masked) names host, port and database."""
    return _("no registry at {path}; create it with 'up2k init' (or pass --db / set UP2K_DB)").format(
        path=server.shown
    )
