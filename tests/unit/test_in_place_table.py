"""InPlaceTable changes the stored table itself; every TinyDB operation must leave exactly what
TinyDB's own Table leaves (keys, order, values, return values, and nothing after a failure)."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Document, Table

from up2k_cli.storage.tiny import InPlaceTable, tinydb_ids

doc_ids = st.integers(min_value=1, max_value=12)
values = st.fixed_dictionaries({"n": st.integers(0, 3)})
operations = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), values),
        st.tuples(st.just("insert_id"), doc_ids, values),  # a taken ID fails
        st.tuples(st.just("insert_multiple"), st.lists(st.tuples(st.none() | doc_ids, values), max_size=4)),
        st.tuples(st.just("update_ids"), st.lists(doc_ids, max_size=3), values),
        st.tuples(st.just("update_cond"), st.integers(0, 3), values),
        st.tuples(st.just("remove_ids"), st.lists(doc_ids, max_size=3)),
        st.tuples(st.just("remove_cond"), st.integers(0, 3)),
        st.tuples(st.just("upsert"), doc_ids, values),
        st.tuples(st.just("truncate")),
    ),
    max_size=8,
)
stored_ids = st.lists(
    st.sampled_from(["1", "2", "3", "5", "8", "10", "042", "0"]), unique=True, max_size=5
)  # '042' and '0' are not as TinyDB writes IDs: those tables take TinyDB's own way


def apply(table: Table, op: tuple[Any, ...]) -> Any:
    kind, *args = op
    if kind == "insert":
        return table.insert(dict(args[0]))
    if kind == "insert_id":
        return table.insert(Document(dict(args[1]), args[0]))
    if kind == "insert_multiple":
        return table.insert_multiple([dict(v) if i is None else Document(dict(v), i) for i, v in args[0]])
    if kind == "update_ids":
        return table.update(dict(args[1]), doc_ids=args[0])
    if kind == "update_cond":
        return table.update(dict(args[1]), cond=lambda doc, n=args[0]: doc.get("n") == n)
    if kind == "remove_ids":
        return table.remove(doc_ids=args[0])
    if kind == "remove_cond":
        return table.remove(cond=lambda doc, n=args[0]: doc.get("n") == n)
    if kind == "upsert":
        return table.upsert(Document(dict(args[1]), args[0]))
    return table.truncate()


@settings(max_examples=300, deadline=None)
@given(stored_ids, operations)
def test_every_operation_leaves_what_tinydb_leaves(ids: list[str], ops: list[tuple[Any, ...]]) -> None:
    start = {"t": {key: {"n": int(key) % 4} for key in ids}, "other": {"1": {}}}
    theirs, ours = TinyDB(storage=MemoryStorage), TinyDB(storage=MemoryStorage)
    theirs.storage.write(copy.deepcopy(start))
    ours.storage.write(copy.deepcopy(start))
    tables = Table(theirs.storage, "t"), InPlaceTable(ours.storage, "t")
    for op in ops:
        results = []
        for table in tables:
            try:
                results.append(("ok", apply(table, op)))
            except (ValueError, KeyError) as exc:  # TinyDB's own failures, both ways alike
                results.append(("failed", repr(exc)))
        assert results[0] == results[1], op
        assert orjson.dumps(ours.storage.read()) == orjson.dumps(theirs.storage.read()), op


def test_a_failed_insert_leaves_the_table_as_it_was() -> None:
    db = TinyDB(storage=MemoryStorage)
    db.storage.write({"t": {"1": {"n": 1}, "2": {"n": 2}}})
    table = InPlaceTable(db.storage, "t")
    with pytest.raises(ValueError, match="already exists"):
        table.insert_multiple([Document({"n": 3}, 3), Document({"n": 4}, 4), Document({"n": 9}, 1)])
    assert db.storage.read() == {"t": {"1": {"n": 1}, "2": {"n": 2}}}
    assert list(db.storage.read()["t"]) == ["1", "2"]


@pytest.mark.parametrize(
    ("ids", "as_tinydb_writes"),
    [
        ([], True),
        (["1", "2", "10", "100000"], True),
        (["1", "042"], False),
        (["0"], False),
        (["1", ""], False),
        (["1", "٤"], False),  # a decimal digit, not ASCII
        (["1", "²"], False),
        (["1", "1a"], False),
        (["1", " 2"], False),
    ],
)
def test_document_ids_as_tinydb_writes_them(ids: list[str], as_tinydb_writes: bool) -> None:
    assert tinydb_ids({key: {} for key in ids}) is as_tinydb_writes
