"""The region a registry serves (its meta record's `region`: the kecamatan and its kelurahan),
by name. Pure: the meta record in, names out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def kelurahan_names(meta: Mapping[str, Any]) -> dict[str, str]:
    """Kelurahan code -> name, from the registry's region."""
    return {k["code"]: k["name"] for k in meta["region"]["kelurahan"]}


def kecamatan_name(meta: Mapping[str, Any]) -> str:
    """The kecamatan the registry serves, as its settings name it (report titles)."""
    return str(meta["region"]["kecamatan"]["name"])
