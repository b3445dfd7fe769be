"""Ordered schema migrations of a registry file, applied in memory under the lock.

MIGRATIONS[n] turns a version-n registry (TinyDB's {table: {doc_id: record}}) into version n+1,
in place. Add one function per schema change; never edit a released one. The PostgreSQL backend
keeps its own numbered SQL migrations (storage/postgres) at the same version numbers.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from up2k_cli.domain.errors import RegistryDamaged
from up2k_cli.i18n import _
from up2k_cli.storage.presets import default_settings, new_registry_id

Data = MutableMapping[str, Any]


def _v1_to_v2(data: Data) -> None:
    """Outcomes: businesses, 7 PAS steps and income follow-ups, and the agency referral map."""
    for table in ("businesses", "steps", "incomes"):
        data.setdefault(table, {})
    data["meta"]["1"].setdefault("settings", default_settings())


def _v2_to_v3(data: Data) -> None:
    """The plain TinyDB layout: a serial ID is its document's ID (K0042 is document 42), the
    history's sequence number likewise; a log of the personal-data files up2k wrote; each
    cadre's name key (how names are compared and searched)."""
    from up2k_cli.domain.validators import name_key
    from up2k_cli.storage.schema import TABLES

    for cadre in data.get("cadres", {}).values():
        cadre["name_key"] = name_key(cadre.get("name")) if not cadre.get("erased_on") else None
    for name, spec in TABLES.items():
        table = data.setdefault(name, {})
        for doc_id, record in table.items():  # every field, in the schema's order (others kept after)
            known = {k: v for k, v in record.items() if k in spec.field_names}
            table[doc_id] = {**spec.shaped(known), **{k: v for k, v in record.items() if k not in known}}
        numbers = [spec.serial(record.get(spec.key)) for record in table.values()]
        if table and None not in numbers and len(set(numbers)) == len(numbers):
            data[name] = {str(n): record for n, record in sorted(zip(numbers, table.values(), strict=True))}


def _v3_to_v4(data: Data) -> None:
    """Jobs, UP2K groups and facilitation: work status of cadres and income follow-ups; owner
    status, workers and turnover of businesses (and their dated follow-ups); groups, their
    memberships and tiers; referrals and their updates; the tier criteria setting."""
    from up2k_cli.domain.groups import DEFAULT_TIER_CRITERIA
    from up2k_cli.storage.schema import TABLES

    for name in ("cadres", "businesses", "incomes"):  # the new fields, in the schema's order
        spec = TABLES[name]
        table = data.setdefault(name, {})
        for doc_id, record in table.items():
            known = {k: record.get(k) for k in spec.field_names}
            table[doc_id] = {**spec.shaped(known), **{k: v for k, v in record.items() if k not in known}}
    for name, spec in TABLES.items():
        if spec.since == 4:
            data.setdefault(name, {})
    settings = data["meta"]["1"].setdefault("settings", default_settings())
    settings.setdefault("group_tiers", {t: dict(c) for t, c in DEFAULT_TIER_CRITERIA.items()})


def _v4_to_v5(data: Data) -> None:
    """Working as several offices: the registry's own identity (which bundles and exports name as
    their origin), where records from other registries came from, and the registries merged."""
    from up2k_cli.storage.schema import TABLES

    data["meta"]["1"].setdefault("registry_id", new_registry_id())
    for name, spec in TABLES.items():
        if spec.since == 5:
            data.setdefault(name, {})


def _v5_to_v6(data: Data) -> None:
    """Indexes of a registry on PostgreSQL (its migration 0006); nothing changes in a file."""


def _v6_to_v7(data: Data) -> None:
    """The jobs line kept ahead by PostgreSQL (its migration 0007); nothing changes in a file."""


def _v7_to_v8(data: Data) -> None:
    """Each cadre's income line and 7 PAS steps kept ahead by PostgreSQL (its migration 0008);
    nothing changes in a file."""


def _v8_to_v9(data: Data) -> None:
    """The jobs line kept also as it stood before each cadre's last event by PostgreSQL (its
    migration 0009); nothing changes in a file."""


def _v9_to_v10(data: Data) -> None:
    """Row-level security's functions marked parallel safe on PostgreSQL (its migration 0010);
    nothing changes in a file."""


MIGRATIONS: dict[int, Callable[[Data], None]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
    5: _v5_to_v6,
    6: _v6_to_v7,
    7: _v7_to_v8,
    8: _v8_to_v9,
    9: _v9_to_v10,
}
CURRENT_VERSION = 10


def schema_version(data: Data) -> int:
    meta = data.get("meta", {}).get("1") if isinstance(data.get("meta"), dict) else None
    version = meta.get("schema_version") if isinstance(meta, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RegistryDamaged(_("the meta table has no valid schema_version"))
    return version


def upgrade(
    data: Data,
    migrations: dict[int, Callable[[Data], None]] | None = None,
    target: int | None = None,
) -> int:
    """Apply each migration from the file's version up to `target`; returns how many ran."""
    migrations = MIGRATIONS if migrations is None else migrations
    target = CURRENT_VERSION if target is None else target
    version = schema_version(data)
    if version > target:
        raise RegistryDamaged(too_new(version, target))
    steps = 0
    while version < target:
        migrations[version](data)
        version += 1
        data["meta"]["1"]["schema_version"] = version
        steps += 1
    return steps


def too_new(version: int, known: int) -> str:
    return _(
        "it was written by a newer up2k (schema {version}; this program knows up to {known}); "
        "upgrade up2k to use it"
    ).format(version=version, known=known)
