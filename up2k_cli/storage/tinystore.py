"""TinyDB storage for one command: the file is read once and written at most once, atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import orjson
from tinydb.storages import Storage

from up2k_cli.domain.errors import RegistryDamaged, RegistryMissing, RegistryWriteFailed
from up2k_cli.fileio import WriteFailed, atomic_write_bytes, describe_os_error
from up2k_cli.i18n import _
from up2k_cli.storage import backups

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


def missing(path: Path) -> NoReturn:
    raise RegistryMissing(
        _("no registry at {path}; create it with 'up2k init' (or pass --db / set UP2K_DB)").format(path=path)
    )


def load(path: Path) -> dict[str, Any]:
    """Parse and sanity-check the registry file; damage is reported, never repaired silently."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        missing(path)
    except OSError as exc:
        raise RegistryDamaged(
            _("cannot read {path}: {reason}").format(path=path, reason=describe_os_error(exc))
        ) from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if raw and not raw.rstrip().endswith(b"}"):
            message = _("{path} is not valid JSON (the file looks cut short): {error}")
        else:
            message = _("{path} is not valid JSON: {error}")
        raise RegistryDamaged(message.format(path=path, error=exc)) from None
    check_shape(data, path)
    return data


V1_TABLES = ("meta", "cadres", "batches", "enrollments", "history")
# The field that identifies a record in each table, and its type.
KEYS: dict[str, tuple[str, type]] = {
    "cadres": ("id", str),
    "batches": ("code", str),
    "enrollments": ("id", str),
    "businesses": ("id", str),
    "steps": ("id", str),
    "incomes": ("id", str),
    "history": ("seq", int),
}
META_FIELDS = ("schema_version", "region", "target", "counters")


def check_shape(data: Any, path: Path) -> None:
    """Refuse anything that is not a whole registry: every later step may then trust it."""
    if not isinstance(data, dict):
        raise RegistryDamaged(
            _("{path} is not an up2k registry (the top level is not an object)").format(path=path)
        )
    if "meta" not in data:
        raise RegistryDamaged(_("{path} is not an up2k registry (no meta table)").format(path=path))
    for name, table in data.items():
        # set(map(type, ...)) runs in C: this check costs milliseconds on 100,000 records.
        if type(table) is not dict or not set(map(type, table.values())) <= {dict}:
            raise RegistryDamaged(
                _("{path} is damaged: table {name} is not a set of records").format(
                    path=path, name=repr(name)
                )
            )
    meta = data["meta"].get("1")
    if not isinstance(meta, dict) or any(f not in meta for f in META_FIELDS):
        raise RegistryDamaged(
            _("{path} is damaged: the meta record lacks {fields}").format(
                path=path, fields=", ".join(META_FIELDS)
            )
        )
    version = meta.get("schema_version")
    required = TABLES if isinstance(version, int) and version >= 2 else V1_TABLES
    missing = [t for t in required if t not in data]
    if missing:
        raise RegistryDamaged(
            _("{path} is damaged: table(s) {tables} missing").format(path=path, tables=", ".join(missing))
        )
    for name, (key, kind) in KEYS.items():
        if name in data:
            _check_keys(data[name], name, key, kind, path)


def _check_keys(table: dict[str, Any], name: str, key: str, kind: type, path: Path) -> None:
    keys = [record.get(key) for record in table.values()]
    if not set(map(type, keys)) <= {kind}:
        bad = next(k for k in keys if type(k) is not kind)
        raise RegistryDamaged(
            _("{path} is damaged: table {name} has a record whose {key} is {value}, not a {kind}").format(
                path=path, name=repr(name), key=key, value=repr(bad), kind=kind.__name__
            )
        )
    if len(set(keys)) != len(keys):
        seen: set[Any] = set()
        dup = next(k for k in keys if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise RegistryDamaged(
            _("{path} is damaged: {key} {value} appears twice in table {name}").format(
                path=path, key=key, value=repr(dup), name=repr(name)
            )
        )


def save(path: Path, data: dict[str, Any]) -> None:
    """Serialise first, keep the old file as a backup, then replace it atomically."""
    payload = orjson.dumps(data)
    try:
        backups.keep(path)
        clean_leftovers(path)
        atomic_write_bytes(path, payload)
    except WriteFailed as exc:
        raise RegistryWriteFailed(not_saved(path, exc.strerror)) from None
    except OSError as exc:
        raise RegistryWriteFailed(not_saved(path, describe_os_error(exc))) from None


def not_saved(path: Path, reason: str | None) -> str:
    return _("could not save {path}: {reason}; the registry was not changed").format(path=path, reason=reason)


def clean_leftovers(path: Path) -> None:
    """Remove temp files of writers that were killed (we hold the lock: none is running)."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        leftover.unlink(missing_ok=True)
