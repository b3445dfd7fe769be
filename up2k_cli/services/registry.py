"""Creating a registry, and copying one whole to another place (a file, a PostgreSQL database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from up2k_cli import storage
from up2k_cli.domain import validators as v
from up2k_cli.storage import migrations, presets


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
