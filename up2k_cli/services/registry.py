"""Creating a registry, and copying one whole to another place (a file, a PostgreSQL database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from up2k_cli import storage
from up2k_cli.domain import validators as v
from up2k_cli.domain.errors import RuleViolation
from up2k_cli.i18n import _
from up2k_cli.storage import migrations, presets
from up2k_cli.storage.protocol import UnitOfWork
from up2k_cli.storage.schema import META


def init_registry(
    location: str | Path, *, start: str | None, today: dt.date, lock_timeout: float
) -> tuple[bool, dict[str, Any]]:
    """Create the registry with the Cilandak preset; (False, existing meta) if it already exists."""
    start_date = v.parse_date(start, "start") if start else today
    meta = presets.new_meta(start_date, dt.datetime.now().astimezone(), migrations.CURRENT_VERSION)
    if storage.create_registry(location, meta, lock_timeout=lock_timeout):
        return True, meta
    with storage.open_registry(location, lock_timeout=lock_timeout) as existing:
        return False, existing.meta


@dataclass
class Copied:
    source: str
    target: str
    counts: dict[str, int]


def copy_registry(source: UnitOfWork, target: str | Path, *, lock_timeout: float) -> Copied:
    """Copy the whole registry to a new file or an empty database: every table and the meta
    record (settings, counters) as they are, so that the copy is an exact replica. Then the
    copy is recorded in the source alone: a file with everyone's personal data (UU PDP), which
    `cadre forget` will name."""
    from up2k_cli.services.personal import record_file

    shown = storage.shown(target)
    with source:
        if storage.shown(source.location) == shown:
            raise RuleViolation(
                _("{target} is the registry itself; copy to another place").format(target=shown)
            )
        data = source.data()  # before the record below: the copy is an exact replica
        counts = {name: len(table) for name, table in data.items() if name != META}
        cadre_ids = [record["id"] for record in data["cadres"].values()]
        # Recorded first, committed last: a source that may not be written (a file changed
        # outside up2k, read-only) refuses before the copy is made, and a failed copy is not
        # recorded.
        record_file(source, "copy of the registry", shown, cadre_ids, counts["cadres"])
        if not storage.create_copy(target, data, lock_timeout=lock_timeout):
            raise RuleViolation(
                _(
                    "{target} holds a registry already; 'up2k copy' writes only a new file or into an "
                    "empty database. Nothing was copied"
                ).format(target=shown)
            )
        source.commit()
    return Copied(source.location, shown, counts)
