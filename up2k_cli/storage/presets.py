"""Region presets: the places and the target a new registry starts with."""

from __future__ import annotations

import datetime as dt
from typing import Any

from up2k_cli.domain.groups import DEFAULT_TIER_CRITERIA
from up2k_cli.domain.outcomes import DEFAULT_AGENCY_MAP, DEFAULT_LICENSING_AGENCY

# Kemendagri codes, Kepmendagri 300.2.2-2138/2025 (see shared/docs/domain.md).
CILANDAK: dict[str, Any] = {
    "province": {"code": "31", "name": "DKI Jakarta"},
    "city": {"code": "31.74", "name": "Kota Administrasi Jakarta Selatan"},
    "kecamatan": {"code": "31.74.06", "name": "Cilandak"},
    "kelurahan": [
        {"code": "31.74.06.1001", "name": "Cilandak Barat", "aliases": []},
        {"code": "31.74.06.1002", "name": "Lebak Bulus", "aliases": []},
        {"code": "31.74.06.1003", "name": "Pondok Labu", "aliases": []},
        {"code": "31.74.06.1004", "name": "Gandaria Selatan", "aliases": []},
        {"code": "31.74.06.1005", "name": "Cipete Selatan", "aliases": []},
    ],
}

TARGET_MINIMUM = 4000
TARGET_STRETCH = 5000
TARGET_YEARS = 5


def new_meta(start: dt.date, now: dt.datetime, schema_version: int) -> dict[str, Any]:
    """The meta record of a fresh Cilandak registry."""
    return {
        "schema_version": schema_version,
        "created_at": now.isoformat(timespec="seconds"),
        "region": CILANDAK,
        "target": {
            "minimum": TARGET_MINIMUM,
            "stretch": TARGET_STRETCH,
            "years": TARGET_YEARS,
            "start": start.isoformat(),
        },
        "counters": {},
        "settings": default_settings(),
        "registry_id": new_registry_id(),
    }


def new_registry_id() -> str:
    """A registry's identity, which bundles and exports name as their origin: random, so that two
    offices never pick the same one."""
    import secrets

    return secrets.token_hex(8)


def default_settings() -> dict[str, Any]:
    """Which agency facilitates each business category, and the criteria of the UP2K group
    tiers (a starting point); changeable with `up2k settings`."""
    return {
        "agency_map": dict(DEFAULT_AGENCY_MAP),
        "licensing_agency": DEFAULT_LICENSING_AGENCY,
        "group_tiers": {tier: dict(criteria) for tier, criteria in DEFAULT_TIER_CRITERIA.items()},
    }
