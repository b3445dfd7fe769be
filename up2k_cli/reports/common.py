"""What several read models share: shares in percent, kelurahan of each cadre, attendance."""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from up2k_cli.domain import batch as rules
from up2k_cli.domain.timeline import Snapshot

# The definition of a new entrepreneur every report counts by (domain/timeline.py).
FIRST_BUSINESS = "first_business"


def pct(part: float, whole: float) -> float | None:
    """A share in percent with one decimal; None when there is nothing to share."""
    return round(100.0 * part / whole, 1) if whole else None


def whole(value: float | None) -> int | None:
    return None if value is None else round(value)


def round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def id_order(ident: str) -> tuple[int, str]:
    """K9999 before K10000: IDs are a letter and zero-padded digits, so length then text."""
    return (len(ident), ident)


def kelurahan_of(snap: Snapshot) -> dict[str, str]:
    """cadre_id -> kelurahan code."""
    return {c["id"]: c["kelurahan_code"] for c in snap.cadres}


def batch_open_on(batch: Mapping[str, Any], day: str) -> bool:
    closed = batch.get("closed_on")
    return not (closed and closed <= day)


def attendance_totals(snap: Snapshot, code: str | None = None) -> tuple[int, int]:
    """(sessions attended, sessions that could have been attended), for held sessions only."""
    held: dict[str, set[str]] = defaultdict(set)
    for e in snap.enrollments:
        held[e["batch"]].update(e["attendance"])
    attended = possible = 0
    for e in snap.enrollments:
        if (code and e["batch"] != code) or e["status"] not in rules.HOLDS_PLACE:
            continue
        attended += len(e["attendance"])
        possible += len(held[e["batch"]])
    return attended, possible


def from_values(kind: Any, value: Any) -> Any:
    """A read model's figures from plain values, as a backend computes them (PostgreSQL's SQL
    read models, storage/postgres/read_models.py, which may not import this package): a mapping
    becomes the dataclass `kind` names, field by field; a list becomes a tuple."""
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type) and isinstance(value, Mapping):
        return kind(**{name: from_values(hint, value[name]) for name, hint in _fields(kind)})
    if origin in (types.UnionType, typing.Union):
        if value is None:
            return None
        inner = [a for a in typing.get_args(kind) if a is not type(None)]
        return from_values(inner[0], value) if len(inner) == 1 else value
    if origin is tuple and isinstance(value, list | tuple):
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_values(args[0], v) for v in value)
        return tuple(from_values(a, v) for a, v in zip(args, value, strict=True))
    return value


@functools.cache
def _fields(kind: type) -> tuple[tuple[str, Any], ...]:
    """A dataclass's fields and their types, resolved once (a list of many is made of them)."""
    hints = typing.get_type_hints(kind)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(kind))
