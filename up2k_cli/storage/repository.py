"""Repositories: TinyDB tables found by the registry's own stable keys, never by doc_id.

TinyDB's Table rebuilds a whole table dict twice on every insert or update (its
`_update_table`), which is most of the time of a one-record command on a 50,000-record
registry. The registry is already loaded into the command's TinyDB storage, so the repository
reads and writes that same `{table: {doc_id: record}}` structure directly, keeps TinyDB's
numbering of documents, and tells the storage it changed; the file format stays TinyDB's.

A table is parsed from the file when a repository first needs all of it (see tinystore). Until
then `get`, `get_many`, `where`, `update` and `add` read and change only the lines of the file
that hold the records concerned. The change history's documents are numbered by their own
sequence number, so an entry is added without reading the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from tinydb.table import Table

from up2k_cli.domain.errors import RegistryDamaged
from up2k_cli.i18n import _
from up2k_cli.storage.tinystore import Tables

Record = dict[str, Any]


class Records:
    """One table of records keyed by a field of their own (doc_ids are reused after deletes)."""

    def __init__(self, table: Table, key: str = "id", *, key_is_doc_id: bool = False) -> None:
        self.table = table
        self.key = key
        self.key_is_doc_id = key_is_doc_id  # the document ID is str(record[key])
        self._doc_keys: dict[Any, str] | None = None
        self._next_doc: int | None = None

    def _raw(self) -> dict[str, Record]:
        data = self.table.storage.read()
        return data.setdefault(self.table.name, {})

    def _unread(self) -> Tables | None:
        """The command's tables, if this one is not read whole yet."""
        tables, name = self.table.storage.read(), self.table.name
        return tables if isinstance(tables, Tables) and not tables.is_read(name) and name in tables else None

    def _changed(self) -> None:
        storage = self.table.storage
        storage.write(storage.read())  # marks the command's storage dirty: commit() will save
        self.table.clear_cache()

    def all(self) -> list[Record]:
        """Every record, as stored: read them, and change them only through update()."""
        return list(self._raw().values())

    def _index(self) -> dict[Any, str]:
        if self._doc_keys is None:
            self._doc_keys = {doc[self.key]: doc_key for doc_key, doc in self._raw().items()}
        return self._doc_keys

    def forget_cache(self) -> None:
        """After the raw data was changed in place (an erasure), read it afresh."""
        self._doc_keys = None
        self._next_doc = None
        self.table.clear_cache()

    def get(self, key: Any) -> Record | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Iterable[Any]) -> dict[Any, Record]:
        """{key: a copy of the record} for each key that names a record."""
        tables = self._unread()
        if tables is not None:
            found = tables.find_many(self.table.name, self.key, keys)
            if found is not None:
                return {key: dict(doc) for key, doc in found.items()}
        index, raw = self._index(), self._raw()
        return {key: dict(raw[index[key]]) for key in keys if key in index}

    def where(self, field: str, value: str | int) -> list[Record]:
        """The records whose `field` equals `value`, as stored (change them through update())."""
        tables = self._unread()
        if tables is not None:
            docs = tables.where(self.table.name, field, value)
            if docs is not None:
                return docs
        return [doc for doc in self._raw().values() if doc.get(field) == value]

    def __contains__(self, key: Any) -> bool:
        return key in self._index()

    def __len__(self) -> int:
        return len(self._raw())

    def add(self, record: Record) -> None:
        self.add_many([record])

    def add_many(self, records: Iterable[Record]) -> None:
        """Add new records; a key that is taken already stops the command (the registry's ID
        counters were changed by hand): two records with one ID would be worse. Keys must come
        from the counters (next_ids), or have been looked up by the caller."""
        records = list(records)
        keys = [record[self.key] for record in records]
        tables = self._unread()
        # New IDs come from the counters in the meta record, which never hand one out twice:
        # if that record is as up2k wrote it (CRC), looking for them in a table read in parts
        # is not needed. (The history's document ID is its key: append_unread checks it.)
        counted = tables is not None and tables.as_written("meta")
        if records and not self.key_is_doc_id and not counted:
            taken = sorted(self.get_many(keys), key=str)
            if taken or len(set(keys)) != len(keys):
                self._taken(taken or keys)
        if records and tables is not None:
            if self.key_is_doc_id:
                docs = {str(record[self.key]): record for record in records}
            else:
                first = tables.next_doc_id(self.table.name)
                docs = {} if first is None else {str(first + n): r for n, r in enumerate(records)}
            if docs and tables.append_unread(self.table.name, docs):
                self._changed()
                return
        raw = self._raw()
        index = self._doc_keys  # kept up to date if built; not built just to add
        if self._next_doc is None:
            self._next_doc = max(map(int, raw), default=0) + 1
        added = False
        for record in records:
            doc_key = str(record[self.key]) if self.key_is_doc_id else ""
            if not doc_key or doc_key in raw:
                doc_key = str(self._next_doc)
            self._next_doc = max(self._next_doc, int(doc_key)) + 1
            raw[doc_key] = record
            if index is not None:
                index[record[self.key]] = doc_key
            added = True
        if added:
            self._changed()

    def containing(self, field: str, text: str) -> list[Record]:
        """The records whose `field` is a string containing `text`, as stored (change them
        through update()); fastest for ASCII letters and digits."""
        tables = self._unread()
        if tables is not None:
            docs = tables.containing(self.table.name, field, text)
            if docs is not None:
                return docs
        return [r for r in self._raw().values() if isinstance(v := r.get(field), str) and text in v]

    def _taken(self, keys: list[Any]) -> NoReturn:
        where = getattr(self.table.storage.read(), "path", "the registry")
        raise RegistryDamaged(
            _(
                "{path}: {key} {value} is taken already in table {name}; the ID counters in its meta "
                "record were changed (restore a backup, or run 'up2k check')"
            ).format(path=where, key=self.key, value=keys[0], name=self.table.name)
        )

    def update(self, key: Any, fields: Record) -> None:
        self.update_many({key: fields})

    def update_many(self, changes: dict[Any, Record]) -> None:
        """Change several records at once."""
        if not changes:
            return
        tables = self._unread()
        if tables is not None and tables.update_where(self.table.name, self.key, changes):
            self._changed()
            return
        raw = self._raw()
        index = self._index()
        for key, fields in changes.items():
            raw[index[key]].update(fields)
        self._changed()
