"""Creating a registry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from up2k_cli.domain import validators as v
from up2k_cli.storage import migrations, presets, tinystore, uow


def init_registry(
    path: Path, *, start: str | None, today: dt.date, lock_timeout: float
) -> tuple[bool, dict[str, Any]]:
    """Create `path` with the Cilandak preset; (False, existing meta) if it already exists."""
    start_date = v.parse_date(start, "start") if start else today
    meta = presets.new_meta(start_date, dt.datetime.now().astimezone(), migrations.CURRENT_VERSION)
    data: dict[str, Any] = {"meta": {"1": meta}, **{t: {} for t in tinystore.TABLES if t != "meta"}}
    if uow.create(path, data, lock_timeout):
        return True, meta
    with uow.UnitOfWork(path, lock_timeout=lock_timeout) as existing:
        return False, existing.meta
