"""TinyDB storage for one command: the file is read once and written at most once, atomically.

The file is an ordinary TinyDB JSON document, laid out in lines:

    {
    "meta":{
    "1":{...}
    },
    "cadres":{
    "1":{...},"2":{...},...,"256":{...},
    "257":{...},...
    },
    ...
    "_crc32":{"1":{"meta":123,"cadres":456,...}}
    }

Each table starts on a line of its own, and its records follow in lines of up to 256. JSON
strings cannot hold a raw newline, so the lines split the file without parsing it. A command
parses only what it uses: a report never reads the change history; `batch show` reads the lines
that hold its batch's enrollments and its cadres, not all 50,000. What a command did not read
is written back byte for byte, and records are added in new lines without reading the others.

The last line holds a CRC-32 of every table. A table is read in parts, or copied unread into the
next file, only when it matches: so a part never stands in for a table changed by hand, and
damage is never carried silently into the next file and its backups (such a table is parsed and
checked whole instead). A file in any other layout (hand-written, pretty-printed) is parsed
whole, and the next change writes it back in this one.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import orjson
from tinydb.storages import Storage

from up2k_cli.domain.errors import RegistryDamaged, RegistryMissing, RegistryWriteFailed
from up2k_cli.fileio import WriteFailed, atomic_write_bytes, describe_os_error
from up2k_cli.i18n import _
from up2k_cli.storage import backups
from up2k_cli.storage.migrations import CURRENT_VERSION

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
LINE_RECORDS = 256  # records per line
FEW_KEYS = 4  # up to this many keys are looked for one by one, more through a map of all keys

Doc = dict[str, Any]
Chunk = bytes | memoryview


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


@dataclass
class Unread:
    """A table still in the file: where its value and each line of records lie, which lines
    were parsed (and changed), and records added since."""

    value: tuple[int, int]
    lines: list[tuple[int, int]]
    crc: int | None
    verified: bool = False
    parsed: dict[int, dict[str, Doc]] = field(default_factory=dict)
    changed: set[int] = field(default_factory=set)
    added: dict[str, Doc] = field(default_factory=dict)
    keys: dict[tuple[str, type], dict[bytes, int]] = field(default_factory=dict)  # see _key_lines


class Tables(MutableMapping[str, dict[str, Any]]):
    """The registry's tables by name; a table still in the file is parsed when first used,
    whole (as a mapping) or in parts (find, where, update, append)."""

    def __init__(
        self,
        path: Path,
        parsed: dict[str, dict[str, Any]] | None = None,
        unread: Mapping[str, Unread] | None = None,
        raw: bytes = b"",
    ) -> None:
        self.path = path
        self._parsed = parsed if parsed is not None else {}
        self._raw = raw  # the file as read
        self._unread = dict(unread or {})
        self._names = list(dict.fromkeys([*self._parsed, *self._unread]))
        self.advice: Callable[[], str] | None = None  # what to say after damage found later
        self._as_written: set[str] = set()  # tables read whose CRC matched

    def as_written(self, name: str) -> bool:
        """True if the table was read and is as up2k wrote it (its CRC matched)."""
        return name in self._as_written

    # -- the mapping: whole tables ------------------------------------------------------------
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
        self._parsed[name] = table

    def __delitem__(self, name: str) -> None:
        if name not in self._names:
            raise KeyError(name)
        self._names.remove(name)
        self._parsed.pop(name, None)
        self._unread.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._parsed or name in self._unread

    def is_read(self, name: str) -> bool:
        return name in self._parsed

    def read_all(self) -> dict[str, dict[str, Any]]:
        """Every table parsed and checked in full (what `up2k check` and the tests want)."""
        for name in list(self._unread):
            self._parse(name, trust=False)
        return {name: self[name] for name in self._names}

    def _parse(self, name: str, *, trust: bool = True) -> dict[str, Any]:
        """Parse a whole table. Its records' shape and keys are checked unless its CRC shows it
        is as up2k wrote it (up2k writes only what it checked): 20-50 ms less on a report."""
        part = self._unread[name]
        view = self._view(*part.value)
        if trust and (part.verified or zlib.crc32(view) == part.crc):
            table = self._checked(name, lambda: parse_json(view, self.path), deep=False)
            self._as_written.add(name)
        else:
            table = self._checked(name, lambda: parse_unique(view, self.path))
        for docs in part.parsed.values():  # the records handed out already, maybe changed
            table.update(docs)
        table.update(part.added)
        del self._unread[name]
        self._parsed[name] = table
        return table

    def _checked(self, name: str, parse: Callable[[], Any], *, deep: bool = True) -> dict[str, Any]:
        try:
            table = parse()
            if deep:
                check_table(table, name, self.path)
            elif type(table) is not dict:
                raise not_records(self.path, name)
        except RegistryDamaged as exc:
            if self.advice is None:
                raise
            raise RegistryDamaged(f"{exc}; {self.advice()}") from None
        return table  # type: ignore[no-any-return]

    def _view(self, start: int, end: int) -> memoryview:
        return memoryview(self._raw)[start:end]

    # -- parts of a table ---------------------------------------------------------------------
    def _part(self, name: str) -> Unread | None:
        """The unread table, if it may be read in parts: it is as up2k wrote it (CRC)."""
        part = self._unread.get(name)
        if part is None:
            return None
        if not part.verified:
            if zlib.crc32(self._view(*part.value)) != part.crc:
                self._parse(name)  # changed by hand, or damaged: read and check it whole
                return None
            part.verified = True
        return part

    def _line(self, name: str, part: Unread, index: int) -> dict[str, Doc]:
        docs = part.parsed.get(index)
        if docs is None:
            start, end = part.lines[index]
            docs = self._checked(name, lambda: parse_json(b"{%s}" % self._view(start, end), self.path))
            part.parsed[index] = docs
        return docs

    def _lines_with(self, part: Unread, needle: bytes) -> list[int]:
        """The lines that may hold a record concerned: those where `needle` occurs as read, and
        every line parsed already (its records may have changed since)."""
        find, spans = self._raw.find, part.lines
        start, stop = part.value
        found = set(part.parsed)
        at, index = find(needle, start, stop), 0
        while at >= 0:
            while spans[index][1] < at:
                index += 1
            found.add(index)
            at = find(needle, spans[index][1], stop)
        return sorted(found)

    def _docs(self, name: str, part: Unread, lines: Iterable[int]) -> Iterator[Doc]:
        """The records of these lines, then the ones added since the file was read."""
        for index in lines:
            yield from self._line(name, part, index).values()
        yield from part.added.values()

    def _key_lines(self, part: Unread, key: str, kind: type) -> dict[bytes, int]:
        """The line in which each value of the field `key` last appears, as JSON text, found by
        a pattern without parsing (about 40 ms for 50,000 records)."""
        keys = part.keys.get((key, kind))
        if keys is None:
            value = rb'"((?:[^"\\]|\\.)*)"' if kind is str else rb"(-?\d+)[,}]"
            pattern = re.compile(rb'"%s":%s' % (re.escape(key.encode()), value))
            keys = {}
            for index, (start, end) in enumerate(part.lines):
                keys.update(dict.fromkeys(pattern.findall(self._raw, start, end), index))
            part.keys[(key, kind)] = keys
        return keys

    def find_many(self, name: str, key: str, values: Iterable[Any]) -> dict[Any, Doc] | None:
        """{value: record} for the records whose `key` field has one of `values` (all str or all
        int), parsing only the lines that hold them; None if the table must be read whole."""
        wanted = set(values)
        part = self._part(name)
        if part is None:
            return None
        if not wanted:
            return {}
        kind = str if all(isinstance(v, str) for v in wanted) else int
        if kind is int and not all(type(v) is int for v in wanted):
            return None  # a mix: read whole
        texts = {value: orjson.dumps(value) for value in wanted}
        lines = set(part.parsed)
        unsure = list(texts.values())  # searched for one by one
        if len(wanted) > FEW_KEYS:  # then a map of all keys is quicker
            known = self._key_lines(part, key, kind)
            unsure = []
            for text in texts.values():
                index = known.get(text[1:-1] if kind is str else text)
                if index is not None:
                    lines.add(index)
                    unsure.append(text)  # unless found there (see below)
        found = {doc[key]: doc for doc in self._docs(name, part, sorted(lines)) if doc.get(key) in wanted}
        for text in unsure:
            value = orjson.loads(text)
            if value in found:
                continue
            # Not (yet) in the line the map names: that may have been the value inside another
            # field, the record in an earlier line. Look in every line it occurs in.
            more = self._lines_with(part, b'"%s":%s' % (key.encode(), text))
            for doc in self._docs(name, part, more):
                if doc.get(key) == value:
                    found[value] = doc
        return found

    def where(self, name: str, key: str, value: str | int) -> list[Doc] | None:
        """The records whose `key` field equals `value`, in table order, parsing only the lines
        that may hold them; None if the table must be read whole instead."""
        part = self._part(name)
        if part is None:
            return None
        lines = self._lines_with(part, b'"%s":%s' % (key.encode(), orjson.dumps(value)))
        return [doc for doc in self._docs(name, part, lines) if doc.get(key) == value]

    def containing(self, name: str, key: str, text: str) -> list[Doc] | None:
        """The records whose `key` field is a string containing `text`, parsing only the lines
        where `text` occurs; None if the table must be read whole instead (also for text other
        than ASCII letters and digits, which JSON may write otherwise)."""
        part = self._part(name)
        if part is None or not (text.isascii() and text.isalnum()):
            return None
        lines = self._lines_with(part, text.encode())
        return [doc for doc in self._docs(name, part, lines) if text in _text(doc.get(key))]

    def update_where(self, name: str, key: str, changes: Mapping[Any, Doc]) -> bool:
        """Change records found by their `key` field without reading the table whole; False if
        it must be read whole (or a record is missing) instead."""
        found = self.find_many(name, key, changes)
        if found is None or len(found) != len(changes):
            return False
        part = self._unread[name]
        targets = {id(doc) for doc in found.values()}
        for index, docs in part.parsed.items():
            if any(id(doc) in targets for doc in docs.values()):
                part.changed.add(index)
        for value, fields in changes.items():
            found[value].update(fields)
        return True

    def append_unread(self, name: str, docs: dict[str, Doc]) -> bool:
        """Add documents under the given document IDs without reading the table; False if that
        cannot be done safely (the table is read already, or an ID may be taken)."""
        part = self._part(name)
        if part is None:
            return False
        # up2k writes document IDs in rising order (dump_lines), so IDs above the last line's
        # are free. Any other is looked for: every document appears as `"ID":{` in the file, and
        # a match anywhere (even a false one, inside a record) makes us read the table instead.
        last = self._last_doc_id(name, part)
        for doc_id in docs:
            if doc_id in part.added or not doc_id.isdecimal():
                return False
            if int(doc_id) <= last and self._raw.find(b'"%s":{' % doc_id.encode(), *part.value) >= 0:
                return False
        part.added.update(docs)
        return True

    def next_doc_id(self, name: str) -> int | None:
        """The next free document ID of an unread table (after the last line's, as IDs only
        grow), or None if the table must be read whole to know it."""
        part = self._part(name)
        if part is None:
            return None
        return max(self._last_doc_id(name, part), *map(int, part.added), 0) + 1

    def _last_doc_id(self, name: str, part: Unread) -> int:
        """The highest document ID in the file's lines of this table (the last line's)."""
        return max(map(int, self._line(name, part, len(part.lines) - 1)), default=0) if part.lines else 0

    # -- writing ------------------------------------------------------------------------------
    def lines(self) -> list[Chunk]:
        """The file's content, in its layout."""
        out: list[Chunk] = [b"{\n"]
        sums: dict[str, int] = {}
        for name in self._names:
            records = self._records(name)
            value: list[Chunk] = [b"{\n"]  # the table's value, which its CRC covers
            for i, chunk in enumerate(records):
                value += [b",\n", chunk] if i else [chunk]
            value.append(b"\n}" if records else b"}")
            crc = 0
            for piece in value:
                crc = zlib.crc32(piece, crc)
            sums[name] = crc
            out += [orjson.dumps(name), b":", *value, b",\n"]
        out += [orjson.dumps(CHECKSUMS), b":", orjson.dumps({"1": sums}), b"\n}\n"]
        return out

    def _records(self, name: str) -> list[Chunk]:
        """A table's lines of records: unchanged ones as they were read, the rest serialised."""
        if name in self._parsed:
            return dump_lines(self._parsed[name])
        part = self._part(name)
        if part is None:  # read whole just now
            return dump_lines(self._parsed[name])
        records: list[Chunk] = [
            memoryview(orjson.dumps(part.parsed[index]))[1:-1] if index in part.changed else self._view(*span)
            for index, span in enumerate(part.lines)
        ]
        added = list(part.added.items())
        if added and part.lines:  # the last line is filled up first: lines stay whole
            last = self._line(name, part, len(part.lines) - 1)
            room = max(0, LINE_RECORDS - len(last))
            if room:
                records[-1] = memoryview(orjson.dumps({**last, **dict(added[:room])}))[1:-1]
                added = added[room:]
        return records + dump_lines(dict(added))


DOC_ID = re.compile(rb'[{,]\s*"\d+"\s*:\s*\{')  # a record under its document ID


def check_unique_keys(raw: bytes | memoryview, records: int, path: Path) -> None:
    """JSON parsers keep the last of two equal keys, so a document ID written twice (by hand)
    would lose a record without a word. Count the IDs in the text; only if the count differs
    from the records parsed, parse again keeping every key, and name the one written twice."""
    if len(DOC_ID.findall(raw)) == records:
        return

    def no_twins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _value in pairs]
        if len(set(keys)) != len(keys):
            twin = next(key for i, key in enumerate(keys) if key in keys[:i])
            raise RegistryDamaged(
                _("{path} is damaged: the key {key} appears twice in one object").format(
                    path=path, key=repr(twin)
                )
            )
        return dict(pairs)

    import json

    json.loads(bytes(raw), object_pairs_hook=no_twins)


def parse_unique(raw: bytes | memoryview, path: Path) -> Any:
    """Parse a table changed outside up2k: a document ID written twice is damage."""
    table = parse_json(raw, path)
    if isinstance(table, dict):
        check_unique_keys(raw, len(table), path)
    return table


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def dump_lines(table: Mapping[str, Doc]) -> list[Chunk]:
    """A table's records serialised in lines of LINE_RECORDS, in document ID order."""
    items = list(table.items())
    ids = list(map(int, table))
    if ids != sorted(set(ids)):  # only in a file written by other hands
        items.sort(key=lambda item: int(item[0]))
    return [
        memoryview(orjson.dumps(dict(items[i : i + LINE_RECORDS])))[1:-1]
        for i in range(0, len(items), LINE_RECORDS)
    ]


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
    unread = split_lines(raw)
    if unread is None:
        data = parse_json(raw, path)
        if isinstance(data, dict):
            check_unique_keys(raw, sum(len(t) for t in data.values() if isinstance(t, dict)), path)
            data.pop(CHECKSUMS, None)  # checksums of lines this file no longer has
        check_shape(data, path)
        return Tables(path, parsed=data)
    if "meta" not in unread:
        raise RegistryDamaged(_("{path} is not an up2k registry (no meta table)").format(path=path))
    tables = Tables(path, unread=unread, raw=raw)
    check_meta(tables["meta"], list(tables), path)
    return tables


def load(path: Path) -> dict[str, dict[str, Any]]:
    """Parse and check the whole registry file; damage is reported, never repaired silently."""
    return open_tables(path).read_all()


def split_lines(raw: bytes) -> dict[str, Unread] | None:
    """Where each table and each of its lines of records lie in the file, with the tables'
    checksums; None if the file is not in this layout (then it is parsed whole)."""
    if not (raw.startswith(b"{\n") and raw.endswith(b"\n}\n")):
        return None
    tables: dict[str, Unread] = {}
    find, pos = raw.find, 2
    while not raw.startswith(b'"%s":' % CHECKSUMS.encode(), pos):
        stop = find(b"\n", pos)
        if stop < 0 or raw[pos] != 0x22 or raw[stop - 3 : stop] != b'":{':
            return None  # a table starts with a line "name":{
        name = raw[pos + 1 : stop - 3].decode("ascii", "replace")
        if not name.replace("_", "a").isalnum() or name in tables:
            return None
        start, lines, pos = stop - 1, [], stop + 1
        while True:
            stop = find(b"\n", pos)
            if stop < 0:
                return None
            if raw[pos] == 0x7D:  # its last line: }, (the checksums always follow)
                if raw[pos:stop] != b"},":
                    return None
                break
            last = stop - 1 if raw[stop - 1] == 0x2C else stop  # without the comma
            if raw[pos] != 0x22 or raw[last - 1] != 0x7D:
                return None  # a line of records: "1":{...},"2":{...}
            lines.append((pos, last))
            pos = stop + 1
        tables[name] = Unread((start, pos + 1), lines, None)
        pos = stop + 1
    stop = find(b"\n", pos)
    if stop != len(raw) - 3:
        return None
    try:
        sums = orjson.loads(memoryview(raw)[pos + len(CHECKSUMS) + 3 : stop])["1"]
    except (KeyError, TypeError, orjson.JSONDecodeError):
        return None
    for name, part in tables.items():
        part.crc = sums.get(name) if isinstance(sums, dict) else None
    return tables


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
    tables = {name: table for name, table in data.items() if name != CHECKSUMS}  # the layout's own
    for name, table in tables.items():
        _check_records(table, name, path)
    check_meta(data["meta"], list(tables), path)
    for name, table in tables.items():
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
    counters, region = record["counters"], record["region"]
    for name, good in (
        ("region", isinstance(region, dict) and isinstance(region.get("kelurahan"), list)),
        ("target", isinstance(record["target"], dict)),
        ("counters", isinstance(counters, dict) and all(type(n) is int for n in counters.values())),
    ):
        if not good:
            raise RegistryDamaged(
                _("{path} is damaged: the meta record's {field} is not what up2k writes").format(
                    path=path, field=name
                )
            )
    version = record.get("schema_version")
    required = TABLES if isinstance(version, int) and version >= 2 else V1_TABLES
    missing = [t for t in required if t not in names]
    if missing:
        raise RegistryDamaged(
            _("{path} is damaged: table(s) {tables} missing").format(path=path, tables=", ".join(missing))
        )
    unknown = [t for t in names if t not in TABLES]
    if unknown and isinstance(version, int) and version <= CURRENT_VERSION:  # newer: said later
        raise RegistryDamaged(
            _("{path} is damaged: it holds a table {name} that up2k does not know").format(
                path=path, name=repr(unknown[0])
            )
        )


def not_records(path: Path, name: str) -> RegistryDamaged:
    return RegistryDamaged(
        _("{path} is damaged: table {name} is not a set of records").format(path=path, name=repr(name))
    )


def _check_records(table: Any, name: str, path: Path) -> None:
    # set(map(type, ...)) runs in C: this check costs milliseconds on 100,000 records.
    if type(table) is not dict or not set(map(type, table.values())) <= {dict}:
        raise not_records(path, name)
    if not all(map(str.isdecimal, table)):  # TinyDB's document IDs are numbers
        bad = next(doc_id for doc_id in table if not doc_id.isdecimal())
        raise RegistryDamaged(
            _("{path} is damaged: table {name} has a document ID {id} that is not a number").format(
                path=path, name=repr(name), id=repr(bad)
            )
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
