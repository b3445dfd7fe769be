"""What several read models share: shares in percent, kelurahan of each cadre, attendance."""

from __future__ import annotations

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
