"""The file backend: the registry is one plain TinyDB JSON file, read once and written once.

TinyDB's own extension points do the work: a Storage that reads with orjson and writes
atomically (temp file, fsync, rename, fsync of the folder, mode 0600), a Middleware that keeps
the data in memory so a command writes once, at commit, and a Table whose documents are the
caller's own copies. `TinyDB('registry.json')` opens the file and queries it as any TinyDB file.

Serial IDs double as document IDs (K0042 is document 42 of `cadres`), so one record is found
without a search; a file written by other hands is still read (a search finds what the shortcut
does not).

A whole-file CRC-32 per table (`seal` in the meta record) tells a change made outside up2k: a
command that is about to write refuses (exit 3) until the edit is checked and accepted.
"""

from __future__ import annotations

import contextlib
import operator
import os
import stat
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from functools import partial
from itertools import compress, repeat
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.middlewares import Middleware
from tinydb.storages import MemoryStorage, Storage
from tinydb.table import Document, Table

from up2k_cli.domain.errors import RegistryDamaged, RegistryMissing, RegistryUnusable, RegistryWriteFailed
from up2k_cli.fileio import WriteFailed, atomic_write_bytes, describe_os_error
from up2k_cli.i18n import _

from . import backups, crc, locking, migrations
from .protocol import BaseUnitOfWork, Record
from .schema import META, META_FIELDS, TABLES, TableSpec, record_problems

LEGACY_TABLES = ("_crc32",)  # the line layout's checksums (schema 2): dropped on reading
APPEND_ONLY = frozenset({"history", "files"})  # changes there alone need no backup


# --- TinyDB extension points ------------------------------------------------------------------


class OrjsonStorage(Storage):
    """Reads the whole file with orjson; writes it atomically and privately, sealed."""

    def __init__(
        self, path: str, *, backup: Callable[[], int] = lambda: backups.KEEP, command: str = ""
    ) -> None:
        self.path = Path(path)
        self.backup = backup  # how many backups to keep for this write (0: make none)
        self.command = command
        self.sealed: bool | None = None  # as read: True as up2k wrote it, False changed, None no seal

    def read(self) -> dict[str, Any] | None:
        raw = read_bytes(self.path)
        if not raw.strip():
            raise RegistryDamaged(_("{path} is empty").format(path=self.path))
        body_crc = in_background(sealed_crc, raw)  # on the other core, while orjson parses
        data = parse_json(raw, self.path)
        self.sealed = is_sealed(data, body_crc())
        return data

    def write(self, data: dict[str, Any]) -> None:
        save(self.path, serialise(data), backup=self.backup(), command=self.command)

    def close(self) -> None:
        pass


class CommitMiddleware(Middleware):
    """CachingMiddleware's idea, strictly: read once, keep every change in memory, write only on
    commit (never by itself after N writes, never on close)."""

    def __init__(self, storage_cls: Any) -> None:
        super().__init__(storage_cls)
        self.cache: dict[str, Any] | None = None
        self.dirty = False

    def read(self) -> dict[str, Any] | None:
        if self.cache is None:
            self.cache = self.storage.read()
        return self.cache

    def write(self, data: dict[str, Any]) -> None:
        self.cache = data
        self.dirty = True

    def flush(self) -> None:
        if self.dirty and self.cache is not None:
            self.storage.write(self.cache)
            self.dirty = False

    def close(self) -> None:
        pass  # leaving without commit writes nothing


def copy_nested(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value))


class InPlaceTable(Table):
    """A TinyDB Table that changes the stored table itself instead of rebuilding it.

    TinyDB 4's `Table._update_table` (private) copies the whole table twice for every insert,
    update or remove (to int document IDs for the updater, then back to str); on a registry of
    50,000 cadres and 130,000 history entries that is about a tenth of a second per command, for one
    new record. Overridden here (tinydb pinned below 5 in pyproject.toml), with the same result
    to the byte: keys and order as TinyDB leaves them, and a failed change leaves nothing behind.
    A table whose IDs are not as TinyDB writes them (a hand edit, '042') goes TinyDB's own way,
    which renumbers it."""

    def _update_table(self, updater: Callable[[dict[int, Mapping[str, Any]]], None]) -> None:
        tables = self._storage.read()
        stored = tables.get(self.name) if type(tables) is dict else None
        if type(stored) is not dict or self.document_id_class is not int or not tinydb_ids(stored):
            super()._update_table(updater)
            return
        self._changing = numbered = ByNumber(stored)
        try:
            updater(numbered)  # type: ignore[arg-type]
        except BaseException:
            numbered.undo()
            raise
        finally:
            self._changing = None
        self._storage.write(tables)
        self.clear_cache()

    _changing: ByNumber | None = None

    def _get_next_id(self) -> int:
        # TinyDB numbers a new document after the highest ID of the table as stored before the
        # change (its changed copy is stored only at the end): here too, though changed in place.
        changing = self._changing
        if self._next_id is not None or changing is None or not (changing.added or changing.saved):
            return super()._get_next_id()
        added = set(changing.added)
        before = changing.stored if changing.saved is None else changing.saved
        next_id = max((int(key) for key in before if key not in added), default=0) + 1
        self._next_id = next_id + 1
        return next_id


def tinydb_ids(table: dict[str, Any]) -> bool:
    """Are the document IDs all as TinyDB writes them (str of a positive int)? In C, on one string."""
    joined = ",".join(table)
    if not joined:
        return not table
    if not joined.isascii():
        return False
    text = b",%s," % joined.encode()
    return b",0" not in text and b",," not in text and text.replace(b",", b"").isdigit()


class ByNumber(MutableMapping[int, Any]):
    """A stored table as TinyDB's updaters see it (documents by int ID), over the dict itself.
    Keeps what `undo` needs: the IDs added and, from the first removal or replacement on (rare),
    a shallow copy of the table."""

    def __init__(self, stored: dict[str, Any]) -> None:
        self.stored = stored
        self.added: list[str] = []
        self.saved: dict[str, Any] | None = None

    def __getitem__(self, doc_id: int) -> Any:
        return self.stored[str(doc_id)]

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self.stored

    def __iter__(self) -> Iterator[int]:
        return map(int, self.stored)

    def __len__(self) -> int:
        return len(self.stored)

    def __setitem__(self, doc_id: int, doc: Any) -> None:
        key = str(doc_id)
        if key in self.stored:
            self._save()
        else:
            self.added.append(key)
        self.stored[key] = doc

    def __delitem__(self, doc_id: int) -> None:
        key = str(doc_id)
        if key not in self.stored:
            raise KeyError(doc_id)
        self._save()
        del self.stored[key]

    def clear(self) -> None:
        self._save()
        self.stored.clear()

    def _save(self) -> None:
        if self.saved is None:
            self.saved = dict(self.stored)

    def undo(self) -> None:
        """Put the table back as it was (TinyDB's own way replaces it only on success)."""
        if self.saved is not None:
            self.stored.clear()
            self.stored.update(self.saved)
        for key in self.added:
            self.stored.pop(key, None)


def table_class(spec: TableSpec, *, copies: bool = True) -> type[Table]:
    """A TinyDB Table whose documents are copies all the way down: a record changed in place
    never reaches the file; only add, update and remove do. Without `copies` (a unit of work that
    only reads), TinyDB's own documents: the nested values are the stored ones, not copied."""
    nested = spec.nested
    if not nested or not copies:
        return InPlaceTable  # TinyDB's documents are copies of flat records already

    loads, dumps = orjson.loads, orjson.dumps

    class Copy(Document):
        def __init__(self, value: Mapping[str, Any], doc_id: int) -> None:
            dict.__init__(self, value)
            self.doc_id = doc_id
            for name in nested:
                inner = value.get(name)
                if inner is not None:
                    self[name] = loads(dumps(inner))

    class RecordTable(InPlaceTable):
        document_class = Copy

    return RecordTable


def condition(predicate: Callable[[Mapping[str, Any]], bool]) -> Callable[[Mapping[str, Any]], bool]:
    """A search condition for TinyDB: a plain function (several times faster than a Query on
    every document), never cached (each is made for one search)."""
    predicate.is_cacheable = lambda: False  # type: ignore[attr-defined]
    return predicate


class TinyRepository:
    """One TinyDB table, keyed by each record's own key."""

    def __init__(
        self,
        db: TinyDB,
        spec: TableSpec,
        before_change: Callable[[str], None],
        *,
        serial_keyed: bool = False,
        copies: bool = True,
    ) -> None:
        self.spec = spec
        # Every record with a serial ID is the document of that number (as up2k writes files):
        # a record not at its number is not there at all, with no need to search.
        self.serial_keyed = serial_keyed
        self.key = spec.key
        self.table = table_class(spec, copies=copies)(db.storage, spec.name)
        self.copies = copies
        self._before_change = before_change

    def _doc(self, key: Any) -> Document | None:
        serial = self.spec.serial(key)
        if serial is not None:
            doc = self.table.get(doc_id=serial)
            if doc is not None and doc.get(self.key) == key:
                return doc
            if doc is None and self.serial_keyed:
                return None
        name = self.key
        return self.table.get(condition(lambda doc: doc.get(name) == key))

    def get(self, key: Any) -> Record | None:
        return self._doc(key)

    def get_many(self, keys: Iterable[Any]) -> dict[Any, Record]:
        wanted = list(dict.fromkeys(keys))
        if len(wanted) <= 8:
            found = {k: self._doc(k) for k in wanted}
            return {k: doc for k, doc in found.items() if doc is not None}
        return {doc[self.key]: doc for doc in self.find_in(self.key, wanted)}

    def find(self, **equal: Any) -> list[Record]:
        return self._where(*((name, partial(operator.eq, value)) for name, value in equal.items()))

    def find_in(self, field: str, values: Iterable[Any]) -> list[Record]:
        return self._where((field, set(values).__contains__))

    def _where(self, *tests: tuple[str, Callable[[Any], bool]]) -> list[Record]:
        """The records whose fields pass every test, as TinyDB's search gives them. Each test is a
        builtin, applied in C (no Python function called per record: a third of a search's time),
        and only the records that pass them all are copied."""
        stored = self._stored()
        found: Iterable[tuple[str, Any]] = stored.items()
        docs: Iterable[Any] = stored.values()
        for field, test in tests:
            found = list(compress(found, map(test, map(dict.get, docs, repeat(field)))))
            docs = map(operator.itemgetter(1), found)
        make, number = self.table.document_class, self.table.document_id_class
        return [make(doc, number(doc_id)) for doc_id, doc in found]

    def find_with(self, field: str, value: Any, **equal: Any) -> list[Record]:
        pairs = list(equal.items())

        def holds(doc: Mapping[str, Any]) -> bool:
            inner = doc.get(field)
            return isinstance(inner, list) and value in inner and all(doc.get(k) == v for k, v in pairs)

        return self.table.search(condition(holds))

    def _stored(self) -> dict[str, Any]:
        """The table as TinyDB holds it in memory (document ID -> record): not copies."""
        return (self.table.storage.read() or {}).get(self.spec.name) or {}

    def all(self) -> list[Record]:
        if not self.copies:  # reading only: the stored records themselves, as TinyDB holds them
            return list(self._stored().values())
        return self.table.all()

    def values(self, *fields: str) -> list[tuple[Any, ...]]:
        unknown = [f for f in fields if f not in self.spec.field_names]
        if unknown:
            raise ValueError(f"table {self.spec.name} has no field {unknown[0]!r}")
        return [tuple(doc.get(f) for f in fields) for doc in self.table.all()]

    def page(self, limit: int, offset: int = 0, **equal: Any) -> tuple[list[Record], int]:
        found = self.find(**equal) if equal else self.all()
        serial = self.spec.serial
        found.sort(key=lambda r: (serial(r.get(self.key)) is None, serial(r.get(self.key)) or 0))
        return found[offset : offset + limit], len(found)

    def count(self) -> int:
        return len(self.table)

    def __contains__(self, key: object) -> bool:
        return self._doc(key) is not None

    def lock(self, key: Any) -> None:
        """Nothing to do: the whole file is locked for the command."""

    def hold(self, field: str, values: Iterable[Any] | None = None) -> None:
        """Nothing to do: the whole file is locked for the command."""

    def _doc_id(self, key: Any) -> int | None:
        doc = self._doc(key)
        return None if doc is None else doc.doc_id

    def add(self, record: Record) -> None:
        self.add_many([record])

    def add_many(self, records: Iterable[Record]) -> None:
        records = [self.spec.shaped(r) for r in records]
        if not records:
            return
        self._before_change(self.spec.name)
        keys = [r[self.key] for r in records]
        serial = self.spec.serial
        if len(keys) <= 8 or (self.serial_keyed and all(serial(k) is not None for k in keys)):
            taken = [k for k in keys if k in self]  # each looked up by its number: no search
        else:
            taken = list(self.get_many(keys))
        if taken or len(set(keys)) != len(keys):
            raise RegistryDamaged(
                _(
                    "{key} {value} is taken already in table {name}; the ID counters were changed "
                    "(restore a backup, or run 'up2k check')"
                ).format(key=self.key, value=(taken or keys)[0], name=self.spec.name)
            )
        docs: list[Mapping[str, Any]] = []
        for record in records:
            serial = self.spec.serial(record[self.key])
            if serial is not None and self.table.get(doc_id=serial) is None:
                docs.append(self.table.document_class(record, serial))
            else:  # a key without a number, or its number's document is taken (hand edits)
                docs.append(record)
        self.table.insert_multiple(docs)

    def update(self, key: Any, fields: Record) -> None:
        self.update_many({key: fields})

    def update_many(self, changes: Mapping[Any, Record]) -> None:
        if not changes:
            return
        self._before_change(self.spec.name)
        doc_ids = []
        for key in changes:
            doc_id = self._doc_id(key)
            if doc_id is None:
                raise KeyError(f"{self.spec.name}: no record {key!r}")
            doc_ids.append(doc_id)
        names = set(self.spec.field_names)
        for fields in changes.values():
            if not fields.keys() <= names:
                unknown = sorted(fields.keys() - names)[0]
                raise ValueError(f"table {self.spec.name} has no field {unknown!r}")
        stored = {key: copy_nested(dict(fields)) for key, fields in changes.items()}
        self.table.update(lambda doc: doc.update(stored[doc[self.key]]), doc_ids=doc_ids)

    def remove(self, key: Any) -> None:
        self.remove_many([key])

    def remove_many(self, keys: Iterable[Any]) -> None:
        doc_ids = [d for d in (self._doc_id(k) for k in keys) if d is not None]
        if doc_ids:
            self._before_change(self.spec.name)
            self.table.remove(doc_ids=doc_ids)


# --- the unit of work -------------------------------------------------------------------------


class TinyUnitOfWork(BaseUnitOfWork):
    """A unit of work over a TinyDB database held in memory for the command (see FileUnitOfWork
    for the file; MemoryUnitOfWork, in memory only, is the services' fake in unit tests)."""

    cadres: TinyRepository
    batches: TinyRepository
    enrollments: TinyRepository
    businesses: TinyRepository
    steps: TinyRepository
    incomes: TinyRepository
    files: TinyRepository
    history: TinyRepository

    def _open(self, db: TinyDB, *, serial_keyed: bool = False) -> None:
        """The repositories over this TinyDB database."""
        self.db = db
        for name, spec in TABLES.items():
            repository = TinyRepository(
                db, spec, self._before_change, serial_keyed=serial_keyed, copies=not self.reading
            )
            setattr(self, name, repository)
        self._meta_table = db.table(META)
        self.touched: set[str] = set()

    def _before_change(self, table: str) -> None:
        self._refuse_if_reading()
        self._check_writable()
        self.touched.add(table)

    def _check_writable(self) -> None:
        """Backends that may refuse a change check here, before the first one."""

    @property
    def meta(self) -> Record:
        doc = self._meta_table.get(doc_id=1)
        assert doc is not None
        record = copy_nested(dict(doc))
        for internal in ("seal", "counters"):
            record.pop(internal, None)
        return record

    def update_meta(self, fields: Record) -> None:
        self._before_change(META)
        self._meta_table.update(dict(fields), doc_ids=[1])

    def counters(self) -> dict[str, int]:
        doc = self._meta_table.get(doc_id=1)
        return dict(doc.get("counters", {})) if doc else {}

    def reserve(self, kind: str, count: int) -> range:
        """Reserve `count` serial numbers of a kind; they are never handed out again."""
        self._refuse_if_reading()
        self._check_writable()
        counters = self.counters()
        start = counters.get(kind, 0)
        counters[kind] = start + count
        self._meta_table.update({"counters": counters}, doc_ids=[1])
        return range(start + 1, start + count + 1)

    def redact_history(self, refs: set[str], redact: Callable[[Record], Record]) -> int:
        changed: dict[Any, Record] = {}
        for entry in self.history.all():
            if entry.get("ref") in refs or refs.intersection(entry.get("refs") or ()):
                fields = redact(entry)
                if fields:
                    changed[entry["seq"]] = fields
        self.history.update_many(changed)
        return len(changed)

    def commit(self) -> None:
        self._refuse_if_reading()
        self.db.storage.flush()

    def __exit__(self, *exc: object) -> None:
        pass

    def data(self) -> dict[str, Any]:
        """The whole database as TinyDB holds it (a copy)."""
        return copy_nested(self.db.storage.read() or {})

    def outside_edits(self) -> list[TableEdit]:
        return []

    def backup_count(self) -> int:
        return 0

    def rewrite_backups(self, change: Callable[[Any], bool]) -> int:
        return 0


class MemoryUnitOfWork(TinyUnitOfWork):
    """The in-memory fake: the same repositories over TinyDB's MemoryStorage, no file, no lock.
    `commit()` keeps the changes; leaving without it throws them away."""

    def __init__(self, data: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        db = TinyDB(storage=MemoryStorage)
        if data is not None:
            db.storage.write(copy_nested(data))
        self._open(db)
        self.committed = 0

    def __enter__(self) -> MemoryUnitOfWork:
        self._saved = copy_nested(self.db.storage.read() or {})
        self.touched = set()
        self.op = None  # each command its own op in the history
        return self

    def commit(self) -> None:
        self._refuse_if_reading()
        self._saved = copy_nested(self.db.storage.read() or {})
        self.committed += 1

    def __exit__(self, *exc: object) -> None:
        self.db.storage.write(self._saved)
        for name in TABLES:
            getattr(self, name).table.clear_cache()
        self._meta_table.clear_cache()


class FileUnitOfWork(TinyUnitOfWork):
    """One command's view of a registry file, held under an exclusive OS-level lock."""

    backend = "file"

    def __init__(
        self,
        path: Path,
        *,
        lock_timeout: float = locking.DEFAULT_LOCK_TIMEOUT,
        keep: Callable[[object], None] | None = None,
        accept_edits: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.given = path
        self.path = Path(os.path.realpath(path))  # a symlinked registry: the real file
        self.location = str(path)
        self.lock_timeout = lock_timeout
        self.keep = keep
        self.accept_edits = accept_edits
        self._lock = locking.lock_for(self.path, lock_timeout)
        self.sealed: bool | None = None
        self._verified = False
        self._edits: list[TableEdit] | None = None

    def __enter__(self) -> FileUnitOfWork:
        if not self.path.is_file():
            missing(self.given)  # before the lock: a missing registry leaves no lock file behind
        locking.acquire(self._lock, self.path, self.lock_timeout, self.command, self.warn)
        try:
            clean_leftovers(self.path)
            db = TinyDB(
                str(self.path),
                storage=CommitMiddleware(OrjsonStorage),
                backup=self._backups_to_keep,
                command=self.command,
            )
            try:
                data = db.storage.read()
                self.sealed = db.storage.storage.sealed
                self.version_read = check_shape(data, self.given, deep=not self.sealed)
                if migrations.CURRENT_VERSION > self.version_read >= 3:  # before migrations change it
                    self._edits = self.outside_edits(data)
                steps = migrations.upgrade(data)
                if not self.sealed or steps:
                    check_records(data, self.given)
            except RegistryDamaged as exc:
                raise RegistryDamaged(damaged(exc, self.given)) from None
            # Sealed files are as up2k writes them; schema 3 renumbered older ones.
            self._open(db, serial_keyed=bool(self.sealed) or self.version_read < 3)
            if steps:
                db.storage.dirty = True
            self._warn_if_readable()
        except BaseException:
            locking.release(self._lock, self.path)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        locking.release(self._lock, self.path)
        if self.keep is not None and hasattr(self, "db"):
            self.keep(self.db)  # the console script ends with os._exit: nothing to free

    def _check_writable(self) -> None:
        """Before the first change: may this registry be written at all?"""
        if self._verified:
            return
        if not stat.S_IMODE(self.path.stat().st_mode) & stat.S_IWUSR:
            raise RegistryUnusable(
                _("{path}: the registry is read-only (mode {mode}); nothing was written").format(
                    path=self.given, mode=f"{stat.S_IMODE(self.path.stat().st_mode):o}"
                )
            )
        if not self.accept_edits:
            edits = self.outside_edits()
            if edits:
                raise RegistryDamaged(
                    _(
                        "{path} was changed outside up2k: {changes}. Nothing was written. Compare it "
                        "with a backup, then restore one or accept the edit with "
                        "'up2k check --accept-edits'; {advice}"
                    ).format(
                        path=self.given,
                        changes="; ".join(e.describe() for e in edits),
                        advice=backups.describe(self.path),
                    )
                )
        self._verified = True

    def outside_edits(self, data: Mapping[str, Any] | None = None) -> list[TableEdit]:
        """What changed outside up2k since its last write (worked out once, as the file was read)."""
        if self._edits is None:
            if self.sealed:
                self._edits = []
            else:
                self._edits = outside_edits(data or self.db.storage.read(), self.version_read)
        return self._edits

    def _backups_to_keep(self) -> int:
        """A change keeps the file it replaces (as many as the setting says); a write that only
        records an export or an access (history, files) makes no backup."""
        if not self.touched - APPEND_ONLY:
            return 0
        return int(self.meta.get("settings", {}).get("backups_kept", backups.KEEP))

    def backup_count(self) -> int:
        return len(backups.list_backups(self.path))

    def rewrite_backups(self, change: Callable[[Any], bool]) -> int:
        """Apply `change` (which takes a unit of work) to every backup, holding this registry's
        lock; returns how many backups it changed. An erasure reaches the backups this way."""
        done = 0
        for backup in backups.list_backups(self.path):
            with MemoryUnitOfWork(load(backup.path), command=self.command, user=self.user) as copy:
                if change(copy):
                    copy.commit()
                    write_plain(backup.path, copy.data())
                    done += 1
        return done

    def _warn_if_readable(self) -> None:
        mode = self.path.stat().st_mode & 0o777
        if mode & 0o077:
            self.warn(
                _(
                    "Warning: {path} can be read by other users of this machine (mode {mode}); "
                    "it holds personal data: run 'chmod 600 {path}'"
                ).format(path=self.given, mode=f"{mode:o}")
            )

    def commit(self) -> None:
        self._refuse_if_reading()
        storage = self.db.storage
        if storage.dirty:
            self._check_writable()  # a migration alone: the same checks before it is written
        storage.flush()


# --- reading and checking the file ------------------------------------------------------------


def missing(path: Path) -> None:
    raise RegistryMissing(
        _("no registry at {path}; create it with 'up2k init' (or pass --db / set UP2K_DB)").format(path=path)
    )


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        missing(path)
        raise  # pragma: no cover
    except OSError as exc:
        raise RegistryDamaged(
            _("cannot read {path}: {reason}").format(path=path, reason=describe_os_error(exc))
        ) from None


def parse_json(raw: bytes, path: Path) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if raw and not raw[-64:].rstrip().endswith(b"}"):
            message = _("{path} is not valid JSON (the file looks cut short): {error}")
        else:
            message = _("{path} is not valid JSON: {error}")
        raise RegistryDamaged(message.format(path=path, error=exc)) from None


def damaged(exc: RegistryDamaged, path: Path) -> str:
    problem = str(exc) if str(path) in str(exc) else f"{path}: {exc}"
    return f"{problem}; {backups.describe(Path(os.path.realpath(path)))}"


def check_shape(data: Any, path: Path, *, deep: bool = True) -> int:
    """Refuse anything that is not a whole registry; returns the schema version it was written in.
    A file sealed as up2k wrote it needs no deep check of every record (`deep=False`)."""
    if not isinstance(data, dict):
        raise RegistryDamaged(
            _("{path} is not an up2k registry (the top level is not an object)").format(path=path)
        )
    for legacy in LEGACY_TABLES:
        data.pop(legacy, None)
    if META not in data:
        raise RegistryDamaged(_("{path} is not an up2k registry (no meta table)").format(path=path))
    for name, table in data.items():
        if deep or name == META:
            _check_records(table, name, path)
    record = data[META].get("1")
    if not isinstance(record, dict) or any(f not in record for f in META_FIELDS):
        raise RegistryDamaged(
            _("{path} is damaged: the meta record lacks {fields}").format(
                path=path, fields=", ".join(META_FIELDS)
            )
        )
    version = migrations.schema_version(data)
    for name, good in (
        (
            "region",
            isinstance(record["region"], dict) and isinstance(record["region"].get("kelurahan"), list),
        ),
        ("target", isinstance(record["target"], dict)),
        (
            "counters",
            isinstance(record["counters"], dict) and all(type(n) is int for n in record["counters"].values()),
        ),
    ):
        if not good:
            raise RegistryDamaged(
                _("{path} is damaged: the meta record's {field} is not what up2k writes").format(
                    path=path, field=name
                )
            )
    if version > migrations.CURRENT_VERSION:
        return version  # the migrations refuse it, naming the version
    missing_tables = [n for n, spec in TABLES.items() if spec.since <= version and n not in data]
    if missing_tables:
        raise RegistryDamaged(
            _("{path} is damaged: table(s) {tables} missing").format(
                path=path, tables=", ".join(missing_tables)
            )
        )
    unknown = [n for n in data if n != META and n not in TABLES]
    if unknown:
        raise RegistryDamaged(
            _("{path} is damaged: it holds a table {name} that up2k does not know").format(
                path=path, name=repr(unknown[0])
            )
        )
    if deep:
        for name, table in data.items():
            if name in TABLES:
                _check_keys(table, TABLES[name], path)
    return version


def _check_records(table: Any, name: str, path: Path) -> None:
    # set(map(type, ...)) runs in C: this check costs milliseconds on 100,000 records.
    if type(table) is not dict or not set(map(type, table.values())) <= {dict}:
        raise RegistryDamaged(
            _("{path} is damaged: table {name} is not a set of records").format(path=path, name=repr(name))
        )
    if not all(map(str.isdecimal, table)):  # TinyDB's document IDs are numbers
        bad = next(doc_id for doc_id in table if not doc_id.isdecimal())
        raise RegistryDamaged(
            _("{path} is damaged: table {name} has a document ID {id} that is not a number").format(
                path=path, name=repr(name), id=repr(bad)
            )
        )


def _check_keys(table: dict[str, Any], spec: TableSpec, path: Path) -> None:
    kind = int if spec.key == "seq" else str
    keys = list(map(dict.get, table.values(), [spec.key] * len(table)))
    if not set(map(type, keys)) <= {kind}:
        bad = next(k for k in keys if type(k) is not kind)
        raise RegistryDamaged(
            _("{path} is damaged: table {name} has a record whose {key} is {value}, not a {kind}").format(
                path=path, name=repr(spec.name), key=spec.key, value=repr(bad), kind=kind.__name__
            )
        )
    if len(set(keys)) != len(keys):
        seen: set[Any] = set()
        dup = next(k for k in keys if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise RegistryDamaged(
            _("{path} is damaged: {key} {value} appears twice in table {name}").format(
                path=path, key=spec.key, value=repr(dup), name=repr(spec.name)
            )
        )


def check_records(data: Mapping[str, Any], path: Path) -> None:
    """Every value a command reads must be one up2k knows: an unknown status ('enrollex'), a count
    that is text, is damage now (exit 3), never an internal error later in some command."""
    for name, spec in TABLES.items():
        table = data.get(name)
        if not table:
            continue
        records = list(table.values())
        for f in spec.fields:
            values = list(map(dict.get, records, [f.name] * len(records)))
            if not _fits(f, values):
                problem = record_problems(spec, records, limit=1)[0]
                raise RegistryDamaged(
                    _(
                        "{path} is damaged: table {table}, record {record}: {field} is {value}, "
                        "which up2k does not know (expected {expected})"
                    ).format(
                        path=path,
                        table=name,
                        record=problem.record,
                        field=problem.field,
                        value=repr(problem.value),
                        expected=problem.expected,
                    )
                )


_TYPES = {"text": {str}, "int": {int}, "bool": {bool}, "date": {str}, "stamp": {str}, "json": {list, dict}}


def _fits(f: Any, values: list[Any]) -> bool:
    """One field of every record at once (sets built in C)."""
    types = set(map(type, values))
    allowed = _TYPES[f.kind] | ({type(None)} if not f.required else set())
    if not types <= allowed:
        return False
    if f.choices and not set(values) - {None} <= set(f.choices):
        return False
    return not (f.kind == "date" and set(map(len, filter(None, values))) - {10})


# --- the seal: was the file changed outside up2k? ---------------------------------------------
#
# The meta table is written last; its record holds the CRC-32 of every byte before it and of
# each table. Reading, one CRC over the bytes says "as up2k wrote it" (then no record needs a
# deep check); only a file changed by other hands is examined table by table.

_META_AT = b',"meta":{"1":'
_LARGE = 1 << 20  # bytes: a table's CRC worth a thread of its own


def _crc(value: Any) -> int:
    return zlib.crc32(orjson.dumps(value))


def serialise(data: dict[str, Any]) -> Iterator[bytes]:
    """The file, in parts, made one table at a time as the writer takes them: every table, then
    the meta record with the seal of all that comes before it. Byte for byte what orjson.dumps
    gives for the same tables in this order."""
    meta = data[META]["1"]
    meta.pop("seal", None)
    parts = []
    for name, table in data.items():
        if name == META:
            continue
        part = orjson.dumps(table)
        head = b'%s"%s":' % (b"," if parts else b"{", name.encode())
        yield head
        yield part
        # A large table's CRC on the other core while the next table is serialised.
        table_crc = in_background(zlib.crc32, part) if len(part) > _LARGE else partial(zlib.crc32, part)
        parts.append((name, len(table), head, len(part), table_crc))
    tables: dict[str, list[int]] = {}
    body = 0
    for name, count, head, size, table_crc in parts:
        tables[name] = [count, table_crc()]
        body = crc.combine(zlib.crc32(head, body), tables[name][1], size)  # each byte read once
    meta["seal"] = {"body": body, "meta": _crc(meta), "tables": tables}
    data[META] = data.pop(META)  # the meta table last, in memory as in the file
    yield b',"meta":' if parts else b'{"meta":'
    yield orjson.dumps(data[META])
    yield b"}"


def sealed_crc(raw: bytes) -> int | None:
    """The CRC-32 of every byte before the meta table (None: no meta table where up2k puts it)."""
    at = raw.rfind(_META_AT)
    return zlib.crc32(memoryview(raw)[:at]) if at > 0 else None  # a view: raw[:at] copies 80 MB


def is_sealed(data: Any, body_crc: int | None) -> bool | None:
    """True when the file is exactly as up2k wrote it (`body_crc`: its sealed_crc); None when it
    holds no seal."""
    try:
        meta = dict(data[META]["1"])
    except (KeyError, TypeError):
        return None
    seal = meta.pop("seal", None)
    if not isinstance(seal, dict):
        return None
    return body_crc is not None and seal.get("body") == body_crc and seal.get("meta") == _crc(meta)


def in_background(work: Callable[[bytes], int | None], raw: bytes) -> Callable[[], int | None]:
    """Start `work(raw)` in a thread; returns the function that waits for its result. zlib's CRC
    lets go of the GIL, so it runs on the other core while this one parses."""
    done: list[int | None] = []

    def run() -> None:
        with contextlib.suppress(Exception):
            done.append(work(raw))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def result() -> int | None:
        thread.join()
        return done[0] if done else work(raw)  # it failed in the thread: again here, to be seen

    return result


class TableEdit:
    """A table that differs from what up2k last wrote."""

    def __init__(self, table: str, expected: int | None, found: int) -> None:
        self.table, self.expected, self.found = table, expected, found

    def describe(self) -> str:
        if self.table == META:
            return _("the meta record (settings, ID counters) was changed")
        if self.expected is None:
            return _("table {table} was added").format(table=self.table)
        if self.found < self.expected:
            return _(
                "table {table} has {found} records where up2k wrote {expected} ({count} missing)"
            ).format(
                table=self.table, found=self.found, expected=self.expected, count=self.expected - self.found
            )
        if self.found > self.expected:
            return _("table {table} has {found} records where up2k wrote {expected} ({count} more)").format(
                table=self.table, found=self.found, expected=self.expected, count=self.found - self.expected
            )
        return _("records of table {table} were changed ({found} records)").format(
            table=self.table, found=self.found
        )


def outside_edits(data: Mapping[str, Any], version_read: int) -> list[TableEdit]:
    """The tables whose content is not what up2k wrote last (none for a file from before seals);
    the slow way, table by table, for a file whose seal no longer matches."""
    meta = dict(data[META]["1"])
    seal = meta.pop("seal", None)
    if seal is None:
        return [] if version_read < 3 else [TableEdit(META, None, 0)]
    edits = []
    if not isinstance(seal, dict) or seal.get("meta") != _crc(meta):
        edits.append(TableEdit(META, None, 0))
        if not isinstance(seal, dict):
            return edits
    sealed = seal.get("tables", {}) if isinstance(seal, dict) else {}
    for name, table in data.items():
        if name == META:
            continue
        expected = sealed.get(name)
        if expected is None:
            if table:
                edits.append(TableEdit(name, None, len(table)))
        elif expected != [len(table), _crc(table)]:
            edits.append(TableEdit(name, expected[0], len(table)))
    return edits


# --- writing the file -------------------------------------------------------------------------


def save(
    path: Path, payload: bytes | Iterable[bytes], *, backup: int = backups.KEEP, command: str = ""
) -> None:
    """Keep the old file as a backup (`backup` of them; none for a record of an export), then
    replace it atomically. `payload` may be made as it is written (serialise): a part that
    cannot be made stops the write, and the backup just taken is the unchanged file."""
    try:
        if backup:
            backups.keep(path, backup, command)
        atomic_write_bytes(path, payload)
    except WriteFailed as exc:
        raise RegistryWriteFailed(not_saved(path, exc.strerror)) from None
    except OSError as exc:
        raise RegistryWriteFailed(not_saved(path, describe_os_error(exc))) from None


def not_saved(path: Path, reason: str | None) -> str:
    return _("could not save {path}: {reason}; the registry was not changed").format(path=path, reason=reason)


def clean_leftovers(path: Path) -> None:
    """Remove temp files of writers that were killed: each is a full copy of the registry
    (personal data). We hold the lock, so no writer is running."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def create(path: Path, data: dict[str, Any], lock_timeout: float) -> bool:
    """Create a new registry file under the lock; False (and nothing written) if one exists."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    real = Path(os.path.realpath(path))
    with locking.held(real, lock_timeout, "init"):
        if real.exists():
            return False
        save(real, serialise(data), backup=0)
        return True


def load(path: Path) -> dict[str, Any]:
    """Parse and check a whole registry file (a backup, say), upgraded to the current schema."""
    data = parse_json(read_bytes(path), path)
    check_shape(data, path)
    migrations.upgrade(data)
    check_records(data, path)
    return data


def write_plain(path: Path, data: dict[str, Any]) -> None:
    """Write a whole registry (sealed) without a backup: a backup rewritten, a copy."""
    save(path, serialise(data), backup=0)


def restore(path: Path, backup_id: str, *, lock_timeout: float, command: str, user: str) -> backups.Backup:
    """Put a backup back as the registry, holding the lock; works on a damaged registry too. The
    current file is kept as a backup first, so a restore can be undone by restoring that."""
    real = Path(os.path.realpath(path))
    chosen = backups.find(real, backup_id)
    with locking.held(real, lock_timeout, command):
        with MemoryUnitOfWork(load(chosen.path), command=command, user=user) as copy:
            copy.record_changes(
                [{"entity": "registry", "ref": chosen.id, "action": "restore",
                  "changes": {"backup": [None, chosen.id]}}]
            )  # fmt: skip
            copy.commit()
            data = copy.data()
        save(real, serialise(data), backup=backups.KEEP if real.exists() else 0, command=command)
    return chosen
