"""TinyDB storage for one command: the file is read once and written at most once, atomically.

The file is an ordinary TinyDB JSON document, laid out one table per line:

    {
    "meta":{"1":{...}},
    "cadres":{"1":{...},"2":{...}},
    ...
    "_crc32":{"1":{"meta":123,"cadres":456,...}}
    }

JSON strings cannot hold a raw newline, so the lines split the file into its tables without
parsing it. A command parses only the tables it uses (a report never reads the change history);
the tables it did not read are written back byte for byte, and the history can be appended to
without reading it. The last line holds a CRC-32 of every table's line: a table that is copied
unread into a new file is checked against it first, so damage is never carried silently into the
next file and its backups. A file in any other layout (hand-written, pretty-printed) is parsed
whole, and is written back in this layout by the next change.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any, NoReturn

import orjson
from tinydb.storages import Storage

from up2k_cli.domain.errors import RegistryDamaged, RegistryMissing, RegistryWriteFailed
from up2k_cli.fileio import WriteFailed, atomic_write_bytes, describe_os_error
from up2k_cli.i18n import _
from up2k_cli.storage import backups

TABLES = (
    "meta",
    "cadres",
    "batches",
    "enrollments",
    "businesses",
    "steps",
    "incomes",
    "history",
)
CHECKSUMS = "_crc32"  # the layout's own last line, never shown as a table


class CommandStorage(Storage):
    """Holds the registry in memory for the length of one command.

    TinyDB reads and writes whole databases through a Storage; this one never touches disk,
    so a command sees one consistent snapshot and `flush` writes its result in one go.
    """

    def __init__(self, data: MutableMapping[str, Any]) -> None:
        self.data = data
        self.dirty = False

    def read(self) -> MutableMapping[str, Any]:
        return self.data

    def write(self, data: MutableMapping[str, Any]) -> None:
        self.data = data
        self.dirty = True


class Tables(MutableMapping[str, dict[str, Any]]):
    """The registry's tables by name; a table still in the file is parsed when first used."""

    def __init__(
        self,
        path: Path,
        parsed: dict[str, dict[str, Any]] | None = None,
        unread: Mapping[str, tuple[int, int]] | None = None,
        raw: bytes = b"",
        sums: Mapping[str, Any] | None = None,
    ) -> None:
        self.path = path
        self._parsed = parsed if parsed is not None else {}
        self._raw = raw  # the file as read; a table not parsed yet is its span in it
        self._unread = dict(unread or {})
        self._sums = dict(sums or {})
        self._appended: dict[str, dict[str, Any]] = {}
        self._names = list(dict.fromkeys([*self._parsed, *self._unread]))
        self.advice: Callable[[], str] | None = None  # what to say after damage found later

    # -- the mapping --------------------------------------------------------------------------
    def __getitem__(self, name: str) -> dict[str, Any]:
        table = self._parsed.get(name)
        if table is None:
            if name not in self._unread:
                raise KeyError(name)
            table = self._parse(name)
        return table

    def __setitem__(self, name: str, table: dict[str, Any]) -> None:
        if name not in self._names:
            self._names.append(name)
        self._unread.pop(name, None)
        self._appended.pop(name, None)
        self._parsed[name] = table

    def __delitem__(self, name: str) -> None:
        if name not in self._names:
            raise KeyError(name)
        self._names.remove(name)
        for part in (self._parsed, self._unread, self._appended):
            part.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._parsed or name in self._unread

    # -- reading lazily -----------------------------------------------------------------------
    def is_read(self, name: str) -> bool:
        return name in self._parsed

    def read_all(self) -> dict[str, dict[str, Any]]:
        """Every table parsed and checked (what `up2k check` and the tests want)."""
        return {name: self[name] for name in self._names}

    def _parse(self, name: str) -> dict[str, Any]:
        try:
            table = parse_json(self._line(name), self.path)
            check_table(table, name, self.path)
        except RegistryDamaged as exc:
            if self.advice is None:
                raise
            raise RegistryDamaged(f"{exc}; {self.advice()}") from None
        table.update(self._appended.pop(name, {}))
        del self._unread[name]
        self._parsed[name] = table
        return table

    def append_unread(self, name: str, docs: dict[str, dict[str, Any]]) -> bool:
        """Add documents to a table without reading it; False if that cannot be done safely
        (the table is read already, or one of the document IDs may be taken)."""
        span = self._unread.get(name)
        if span is None:
            return False
        pending = self._appended.setdefault(name, {})
        for doc_id in docs:
            # Every document of a table appears as `"ID":{` in its line; a match anywhere
            # (even a false one, inside a record) makes us read the table instead.
            if doc_id in pending or self._raw.find(b'"%s":{' % doc_id.encode(), *span) >= 0:
                return False
        pending.update(docs)
        return True

    def _line(self, name: str) -> memoryview:
        start, end = self._unread[name]
        return memoryview(self._raw)[start:end]

    # -- writing ------------------------------------------------------------------------------
    def lines(self) -> list[bytes | memoryview]:
        """The file's content in its one-table-per-line layout."""
        chunks: list[bytes | memoryview] = [b"{\n"]
        sums: dict[str, int] = {}
        for name in self._names:
            segment = self._segment(name)
            sums[name] = zlib.crc32(segment)
            chunks += [orjson.dumps(name), b":", segment, b",\n"]
        chunks += [orjson.dumps(CHECKSUMS), b":", orjson.dumps({"1": sums}), b"\n}\n"]
        return chunks

    def _segment(self, name: str) -> bytes | memoryview:
        if name in self._parsed:
            return orjson.dumps(self._parsed[name])
        segment = self._line(name)
        if zlib.crc32(segment) != self._sums.get(name):
            # Changed outside up2k, or damaged: read it (a damaged table stops the write here).
            return orjson.dumps(self._parse(name))
        appended = self._appended.get(name)
        if not appended:
            return segment
        more = orjson.dumps(appended)
        if len(segment) == 2:  # "{}"
            return more
        return b"".join((segment[:-1], b",", memoryview(more)[1:]))


def missing(path: Path) -> NoReturn:
    raise RegistryMissing(
        _("no registry at {path}; create it with 'up2k init' (or pass --db / set UP2K_DB)").format(path=path)
    )


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        missing(path)
    except OSError as exc:
        raise RegistryDamaged(
            _("cannot read {path}: {reason}").format(path=path, reason=describe_os_error(exc))
        ) from None


def parse_json(raw: bytes | memoryview, path: Path) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if raw and not bytes(raw[-64:]).rstrip().endswith(b"}"):
            message = _("{path} is not valid JSON (the file looks cut short): {error}")
        else:
            message = _("{path} is not valid JSON: {error}")
        raise RegistryDamaged(message.format(path=path, error=exc)) from None


def open_tables(path: Path) -> Tables:
    """The registry's tables, each parsed when first used; the meta table is checked now."""
    raw = read_bytes(path)
    split = split_lines(raw)
    if split is None:
        data = parse_json(raw, path)
        check_shape(data, path)
        data.pop(CHECKSUMS, None)
        return Tables(path, parsed=data)
    unread, sums = split
    if "meta" not in unread:
        raise RegistryDamaged(_("{path} is not an up2k registry (no meta table)").format(path=path))
    tables = Tables(path, unread=unread, raw=raw, sums=sums)
    check_meta(tables["meta"], list(tables), path)
    return tables


def load(path: Path) -> dict[str, dict[str, Any]]:
    """Parse and check the whole registry file; damage is reported, never repaired silently."""
    return open_tables(path).read_all()


def split_lines(raw: bytes) -> tuple[dict[str, tuple[int, int]], dict[str, Any]] | None:
    """Where each table's value lies in the file (start, end), and their checksums; None if the
    file is not in the one-table-per-line layout (then it is parsed whole)."""
    if not (raw.startswith(b"{\n") and raw.endswith(b"\n}\n")):
        return None
    tables: dict[str, tuple[int, int]] = {}
    start, end = 2, len(raw) - 3
    while start < end:
        stop = raw.find(b"\n", start, end)
        stop = end if stop < 0 else stop
        last = stop - 1 if raw[stop - 1] == 0x2C else stop  # without the comma
        colon = raw.find(b'":', start, stop)
        if raw[start] != 0x22 or colon < 0 or raw[colon + 2] != 0x7B or raw[last - 1] != 0x7D:
            return None  # each line is "name":{...}
        name = raw[start + 1 : colon].decode("ascii", "replace")
        if not name.replace("_", "a").isalnum() or name in tables:
            return None
        tables[name] = (colon + 2, last)
        start = stop + 1
    try:
        start, end = tables.pop(CHECKSUMS)
        sums = orjson.loads(memoryview(raw)[start:end])["1"]
    except (KeyError, TypeError, orjson.JSONDecodeError):
        return None
    return (tables, sums) if isinstance(sums, dict) else None


V1_TABLES = ("meta", "cadres", "batches", "enrollments", "history")
# The field that identifies a record in each table, and its type.
KEYS: dict[str, tuple[str, type]] = {
    "cadres": ("id", str),
    "batches": ("code", str),
    "enrollments": ("id", str),
    "businesses": ("id", str),
    "steps": ("id", str),
    "incomes": ("id", str),
    "history": ("seq", int),
}
META_FIELDS = ("schema_version", "region", "target", "counters")


def check_shape(data: Any, path: Path) -> None:
    """Refuse anything that is not a whole registry: every later step may then trust it."""
    if not isinstance(data, dict):
        raise RegistryDamaged(
            _("{path} is not an up2k registry (the top level is not an object)").format(path=path)
        )
    if "meta" not in data:
        raise RegistryDamaged(_("{path} is not an up2k registry (no meta table)").format(path=path))
    for name, table in data.items():
        _check_records(table, name, path)
    check_meta(data["meta"], list(data), path)
    for name, table in data.items():
        _check_keys(table, name, path)


def check_table(table: Any, name: str, path: Path) -> None:
    """One table, as it is parsed: a set of records with unique keys of the right type."""
    _check_records(table, name, path)
    _check_keys(table, name, path)


def check_meta(meta: dict[str, Any], names: list[str], path: Path) -> None:
    """The meta record, and the tables its schema version requires."""
    record = meta.get("1")
    if not isinstance(record, dict) or any(f not in record for f in META_FIELDS):
        raise RegistryDamaged(
            _("{path} is damaged: the meta record lacks {fields}").format(
                path=path, fields=", ".join(META_FIELDS)
            )
        )
    version = record.get("schema_version")
    required = TABLES if isinstance(version, int) and version >= 2 else V1_TABLES
    missing = [t for t in required if t not in names]
    if missing:
        raise RegistryDamaged(
            _("{path} is damaged: table(s) {tables} missing").format(path=path, tables=", ".join(missing))
        )


def _check_records(table: Any, name: str, path: Path) -> None:
    # set(map(type, ...)) runs in C: this check costs milliseconds on 100,000 records.
    if type(table) is not dict or not set(map(type, table.values())) <= {dict}:
        raise RegistryDamaged(
            _("{path} is damaged: table {name} is not a set of records").format(path=path, name=repr(name))
        )


def _check_keys(table: dict[str, Any], name: str, path: Path) -> None:
    if name not in KEYS:
        return
    key, kind = KEYS[name]
    keys = list(map(dict.get, table.values(), [key] * len(table)))
    if not set(map(type, keys)) <= {kind}:
        bad = next(k for k in keys if type(k) is not kind)
        raise RegistryDamaged(
            _("{path} is damaged: table {name} has a record whose {key} is {value}, not a {kind}").format(
                path=path, name=repr(name), key=key, value=repr(bad), kind=kind.__name__
            )
        )
    if len(set(keys)) != len(keys):
        seen: set[Any] = set()
        dup = next(k for k in keys if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise RegistryDamaged(
            _("{path} is damaged: {key} {value} appears twice in table {name}").format(
                path=path, key=key, value=repr(dup), name=repr(name)
            )
        )


def serialise(data: Mapping[str, Any], path: Path | None = None) -> list[bytes | memoryview]:
    """The registry as the chunks of its file, in the one-table-per-line layout."""
    if not isinstance(data, Tables):
        data = Tables(path or Path(), parsed={k: v for k, v in data.items() if k != CHECKSUMS})
    return data.lines()


def save(path: Path, data: Mapping[str, Any]) -> None:
    """Serialise first, keep the old file as a backup, then replace it atomically."""
    payload = serialise(data, path)
    try:
        backups.keep(path)
        clean_leftovers(path)
        atomic_write_bytes(path, payload)
    except WriteFailed as exc:
        raise RegistryWriteFailed(not_saved(path, exc.strerror)) from None
    except OSError as exc:
        raise RegistryWriteFailed(not_saved(path, describe_os_error(exc))) from None


def not_saved(path: Path, reason: str | None) -> str:
    return _("could not save {path}: {reason}; the registry was not changed").format(path=path, reason=reason)


def clean_leftovers(path: Path) -> None:
    """Remove temp files of writers that were killed (we hold the lock: none is running)."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        leftover.unlink(missing_ok=True)
