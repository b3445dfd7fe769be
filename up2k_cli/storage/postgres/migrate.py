"""Numbered SQL migrations (migrations/NNNN.sql), at the same numbers as the file's schema
versions: NNNN.sql turns a database of the version before it into version NNNN. The first one
on PostgreSQL is 0003 (schema 3 was current when the backend came); it builds from nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from up2k_cli.storage import migrations

FOLDER = Path(__file__).with_name("migrations")
# Taken by whoever creates or upgrades a database's schema, so that two at once do not collide.
SCHEMA_LATCH = "up2k.schema"


def steps() -> dict[int, Path]:
    return {int(path.stem): path for path in sorted(FOLDER.glob("[0-9][0-9][0-9][0-9].sql"))}


def pending(version: int, target: int | None = None) -> list[int]:
    """The migrations that take a database of `version` (0: none yet) to `target`."""
    target = migrations.CURRENT_VERSION if target is None else target
    return [n for n in sorted(steps()) if version < n <= target]


def apply(conn: Any, version: int, target: int | None = None) -> int:
    """Run the pending migrations in the caller's transaction (DDL is transactional: all or
    none); the meta row, if there is one yet, records the new version. Returns how many ran."""
    todo = pending(version, target)
    for number in todo:
        conn.execute(steps()[number].read_text(encoding="utf-8"))
    if todo and version:
        conn.execute("UPDATE up2k.meta SET schema_version = %s", (todo[-1],))
    return len(todo)
