"""Ordered schema migrations, applied in memory under the registry lock.

MIGRATIONS[n] turns a version-n registry into version n+1. Add one function per schema change;
never edit a released one.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from up2k_cli.domain.errors import RegistryDamaged
from up2k_cli.i18n import _
from up2k_cli.storage.presets import default_settings

Data = MutableMapping[str, Any]


def _v1_to_v2(data: Data) -> Data:
    """Outcomes: businesses, 7 PAS steps and income follow-ups, and the agency referral map."""
    for table in ("businesses", "steps", "incomes"):
        data.setdefault(table, {})
    data["meta"]["1"].setdefault("settings", default_settings())
    return data


MIGRATIONS: dict[int, Callable[[Data], Data]] = {1: _v1_to_v2}
CURRENT_VERSION = 2


def schema_version(data: Data) -> int:
    meta = data.get("meta", {}).get("1") if isinstance(data.get("meta"), dict) else None
    version = meta.get("schema_version") if isinstance(meta, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RegistryDamaged(_("the meta table has no valid schema_version"))
    return version


def upgrade(
    data: Data,
    migrations: dict[int, Callable[[Data], Data]] | None = None,
    target: int | None = None,
) -> tuple[Data, int]:
    """Apply each migration from the file's version up to `target`; returns (data, steps)."""
    migrations = MIGRATIONS if migrations is None else migrations
    target = CURRENT_VERSION if target is None else target
    version = schema_version(data)
    if version > target:
        raise RegistryDamaged(
            _(
                "it was written by a newer up2k (schema {version}; this program knows up to {known}); "
                "upgrade up2k to use it"
            ).format(version=version, known=target)
        )
    steps = 0
    while version < target:
        data = migrations[version](data)
        version += 1
        data["meta"]["1"]["schema_version"] = version
        steps += 1
    return data, steps
