"""The one storage interface the services use: a unit of work and a repository per table.

    with uow:                      # lock / transaction, registry loaded once
        cadre = uow.cadres.get("K0001")
        uow.cadres.update("K0001", {"phone": "+62812..."})
        uow.record_changes([...])
        uow.commit()               # written once, atomically; leaving without it writes nothing

Records are plain dicts. Every record handed out is the caller's own copy: changing it changes
nothing stored; changes go through add, update and remove. Records come in the order they were
added. Both backends (a TinyDB file, PostgreSQL) and the in-memory fake of the unit tests meet
this contract; tests/integration run the same checks on each.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, Self

Record = dict[str, Any]


class Repository(Protocol):
    """One table, found by each record's own key (K0001, B01, history sequence numbers)."""

    key: str

    def get(self, key: Any) -> Record | None: ...

    def get_many(self, keys: Iterable[Any]) -> dict[Any, Record]: ...

    def find(self, **equal: Any) -> list[Record]:
        """The records whose fields equal all the values given."""
        ...

    def find_in(self, field: str, values: Iterable[Any]) -> list[Record]:
        """The records whose field holds one of the values."""
        ...

    def find_with(self, field: str, value: Any, **equal: Any) -> list[Record]:
        """The records whose list field holds the value (a bulk history entry's refs), and whose
        other fields equal the values given (an entry's entity)."""
        ...

    def all(self) -> list[Record]: ...

    def values(self, *fields: str) -> list[tuple[Any, ...]]:
        """These fields of every record, as tuples, in the order the records were added: what a
        check against the whole table needs (an import's known NIKs), without whole records."""
        ...

    def page(self, limit: int, offset: int = 0, **equal: Any) -> tuple[list[Record], int]:
        """One page of the records whose fields equal the values given, in the order of their
        serial IDs (K9999 before K10000): rows offset+1 to offset+limit, and how many there are
        in all. A list's page costs a page's work on a database."""
        ...

    def count(self) -> int: ...

    def __contains__(self, key: object) -> bool: ...

    def add_many(self, records: Iterable[Record]) -> None:
        """Add new records; a key that is taken already is damage (RegistryDamaged)."""
        ...

    def update_many(self, changes: Mapping[Any, Record]) -> None:
        """Set the given fields of each named record."""
        ...

    def remove_many(self, keys: Iterable[Any]) -> None: ...

    def lock(self, key: Any) -> None:
        """Hold this record against other commands' changes until commit (PostgreSQL: a row lock;
        a file is locked whole for every command). Lock, then read what you count or change."""
        ...

    def hold(self, field: str, values: Iterable[Any] | None = None) -> None:
        """Hold these values of a field (None: every value) until commit, so that a check that
        a value is free (a new NIK) stays true until the record is written (PostgreSQL: advisory
        locks; a file is locked whole for every command). Hold, then check."""
        ...


class UnitOfWork(Protocol):
    """One command's hold on the registry: entered once, committed at most once."""

    cadres: Repository
    batches: Repository
    enrollments: Repository
    businesses: Repository
    steps: Repository
    incomes: Repository
    files: Repository
    history: Repository
    business_follow_ups: Repository
    groups: Repository
    memberships: Repository
    group_tiers: Repository
    referrals: Repository
    referral_updates: Repository
    location: str  # the registry, for messages: a path or a database name, never a password
    backend: str  # "file", "postgresql" or "memory"
    command: str
    user: str
    now: dt.datetime

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None: ...

    @property
    def meta(self) -> Record:
        """Schema version, created_at, region, target and settings of the registry (a copy)."""
        ...

    def update_meta(self, fields: Record) -> None: ...

    def next_ids(self, kind: str, prefix: str, count: int = 1) -> list[str]: ...

    def peek_ids(self, kind: str, prefix: str, count: int = 1) -> list[str]:
        """The IDs next_ids would give now, without taking them (a dry run)."""
        ...

    def counters(self) -> dict[str, int]: ...

    def record_changes(self, entries: list[Record]) -> None: ...

    def cadres_born_alike(self, keys: Iterable[tuple[str, str, str]]) -> list[tuple[Any, ...]]:
        """(id, nik, name_key, kelurahan_code) of the cadres, in the order they were added, whose
        (kelurahan_code, name_key, birth month and year of the NIK) is one of these: the cadres
        that may be twins of new ones (an import's), for domain/cadre.py similar_key to decide.
        A database finds them through its tables, rather than handing out every cadre's."""
        ...

    def data(self) -> dict[str, Any]:
        """The whole registry as a file holds it ({table: {document ID: record}} and the meta
        record with its counters): what `up2k copy` moves between backends."""
        ...

    def outside_edits(self) -> list[Any]:
        """Changes made to the registry outside up2k since it last wrote it (file backend)."""
        ...

    def backup_count(self) -> int: ...

    def rewrite_backups(self, change: Callable[[UnitOfWork], bool]) -> int:
        """Apply a change (an erasure) to every backup the backend keeps; how many it changed."""
        ...

    def redact_history(self, refs: set[str], redact: Callable[[Record], Record]) -> int:
        """Erasure (UU PDP): give every history entry about these records (by `ref` or in `refs`)
        to `redact`, which returns the fields to set (empty: leave it), and set them; returns how
        many entries changed. The only change the application makes to the history, which it
        otherwise only appends to."""
        ...


class BaseUnitOfWork:
    """What every backend shares: IDs from counters, and history entries stamped alike."""

    history: Repository
    cadres: Repository
    backend = "memory"
    location = "memory"

    def __init__(
        self,
        *,
        command: str = "",
        user: str | None = None,
        now: dt.datetime | None = None,
        warn: Callable[[str], None] | None = None,
        reading: bool = False,
    ) -> None:
        self.command = command
        self.user = user or os_user()
        self.now = now or dt.datetime.now().astimezone()
        self.warn = warn or (lambda message: None)
        # A command that only reads (a report): the backend may hand out its records without
        # copying them (the file's are shared with its cache), so any change or commit is refused.
        self.reading = reading

    def _refuse_if_reading(self) -> None:
        """A change or a commit in a reading unit of work: a bug in the command, never data."""
        if self.reading:
            raise RuntimeError(f"{self.command or 'this command'} opened the registry for reading only")

    def reserve(self, kind: str, count: int) -> range:  # pragma: no cover - each backend's own
        raise NotImplementedError

    # Accounts (`up2k office`) are logins of a database server; a file is one office's registry.
    def _no_accounts(self) -> None:
        from up2k_cli.domain.errors import RuleViolation
        from up2k_cli.i18n import _

        raise RuleViolation(
            _(
                "office accounts are logins of a registry on PostgreSQL; {location} is a file, which one "
                "office keeps: send its work to the kecamatan with 'up2k export bundle' instead"
            ).format(location=self.location)
        )

    def accounts(self) -> list[Record]:
        self._no_accounts()
        return []

    def add_account(self, login: str, kind: str, kelurahan_code: str | None, password: str) -> None:
        self._no_accounts()

    def remove_account(self, login: str) -> None:
        self._no_accounts()

    def next_ids(self, kind: str, prefix: str, count: int = 1) -> list[str]:
        """New IDs short enough to type: K0001, K0002, ... (more digits once past 9999)."""
        return [f"{prefix}{n:04d}" for n in self.reserve(kind, count)]

    def peek_ids(self, kind: str, prefix: str, count: int = 1) -> list[str]:
        start = self.counters().get(kind, 0)
        return [f"{prefix}{n:04d}" for n in range(start + 1, start + count + 1)]

    def counters(self) -> dict[str, int]:  # pragma: no cover - each backend's own
        raise NotImplementedError

    def record_changes(self, entries: list[Record]) -> None:
        """Append to the change history: when, who, which command, old -> new per field."""
        if not entries:
            return
        seqs = self.reserve("history", len(entries))
        stamp = self.now.isoformat(timespec="seconds")
        self.op = getattr(self, "op", None) or seqs[0]  # every entry of one command: one op, for undo
        base = {"at": stamp, "user": self.user, "command": self.command, "changes": {}, "op": self.op}
        self.history.add_many({"seq": seq, **base, **entry} for seq, entry in zip(seqs, entries, strict=True))

    def cadres_born_alike(self, keys: Iterable[tuple[str, str, str]]) -> list[tuple[Any, ...]]:
        from up2k_cli.domain.cadre import birth_month_year

        wanted = set(keys)
        everyone = self.cadres.values("id", "nik", "name_key", "kelurahan_code")
        return [row for row in everyone if row[1] and (row[3], row[2], birth_month_year(row[1])) in wanted]


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"
