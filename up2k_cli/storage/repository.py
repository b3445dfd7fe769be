"""Repositories: TinyDB tables found by the registry's own stable keys, never by doc_id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tinydb.table import Table

Record = dict[str, Any]


class Records:
    """One table of records keyed by a field of their own (doc_ids are reused after deletes)."""

    def __init__(self, table: Table, key: str = "id") -> None:
        self.table = table
        self.key = key
        self._cache: list[Record] | None = None
        self._doc_ids: dict[str, int] | None = None

    def all(self) -> list[Record]:
        if self._cache is None:
            self._cache = [dict(doc) for doc in self.table.all()]
        return self._cache

    def _index(self) -> dict[str, int]:
        if self._doc_ids is None:
            self._doc_ids = {doc[self.key]: doc.doc_id for doc in self.table.all()}
        return self._doc_ids

    def forget_cache(self) -> None:
        """After the raw data was changed in place (an erasure), read it afresh."""
        self._cache = None
        self._doc_ids = None
        self.table.clear_cache()

    def get(self, key: str) -> Record | None:
        doc_id = self._index().get(key)
        if doc_id is None:
            return None
        doc = self.table.get(doc_id=doc_id)
        return dict(doc) if doc is not None else None

    def __contains__(self, key: str) -> bool:
        return key in self._index()

    def __len__(self) -> int:
        return len(self.table)

    def add(self, record: Record) -> None:
        self.add_many([record])

    def add_many(self, records: Iterable[Record]) -> None:
        records = list(records)
        if not records:
            return
        index = self._index()
        doc_ids = self.table.insert_multiple(records)
        for record, doc_id in zip(records, doc_ids, strict=True):
            index[record[self.key]] = doc_id
        self._cache = None

    def update(self, key: str, fields: Record) -> None:
        self.table.update(fields, doc_ids=[self._index()[key]])
        self._cache = None

    def update_many(self, changes: dict[str, Record]) -> None:
        """Several records changed in one table rewrite (not one per record)."""
        if not changes:
            return
        index = self._index()
        by_doc = {index[key]: fields for key, fields in changes.items()}

        def apply(table: dict[int, Record]) -> None:
            for doc_id, fields in by_doc.items():
                table[doc_id].update(fields)

        self.table._update_table(apply)  # TinyDB's own single-rewrite primitive
        self._cache = None
