"""TinyDB storage for one command: the file is read once and written at most once, atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from up2k_cli.domain.errors import RegistryDamaged, RegistryMissing, RegistryWriteFailed
from up2k_cli.fileio import WriteFailed, atomic_write_bytes, describe_os_error

TABLES = (
    "meta",
    "cadres",
    "batches",
    "enrollments",
    "businesses",
    "steps",
    "incomes",
    "history",
)


class CommandStorage(Storage):
    """Holds the registry in memory for the length of one command.

    TinyDB reads and writes whole databases through a Storage; this one never touches disk,
    so a command sees one consistent snapshot and `flush` writes its result in one go.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.dirty = False

    def read(self) -> dict[str, Any]:
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        self.data = data
        self.dirty = True


def load(path: Path) -> dict[str, Any]:
    """Parse and sanity-check the registry file; damage is reported, never repaired silently."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RegistryMissing(
            f"no registry at {path}; create it with 'up2k init' (or pass --db / set UP2K_DB)"
        ) from None
    except OSError as exc:
        raise RegistryDamaged(f"cannot read {path}: {describe_os_error(exc)}") from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        cut = " (the file looks cut short)" if raw and not raw.rstrip().endswith(b"}") else ""
        raise RegistryDamaged(f"{path} is not valid JSON{cut}: {exc}") from None
    check_shape(data, path)
    return data


def check_shape(data: Any, path: Path) -> None:
    if not isinstance(data, dict):
        raise RegistryDamaged(f"{path} is not an up2k registry (the top level is not an object)")
    if "meta" not in data:
        raise RegistryDamaged(f"{path} is not an up2k registry (no meta table)")
    for name, table in data.items():
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            raise RegistryDamaged(f"{path} is damaged: table {name!r} is not a set of records")


def save(path: Path, data: dict[str, Any]) -> None:
    try:
        atomic_write_bytes(path, orjson.dumps(data))
    except WriteFailed as exc:
        raise RegistryWriteFailed(
            f"could not save {path}: {exc.strerror}; nothing was changed"
        ) from None
