"""Storage behind one interface (protocol.py): a TinyDB file by default, PostgreSQL for offices
that share one registry. Only this package knows a backend's insides."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .protocol import UnitOfWork

SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server(location: str | Path) -> bool:
    """A PostgreSQL URL rather than a file path."""
    return str(location).startswith(SERVER_SCHEMES)


def open_registry(
    location: str | Path,
    *,
    lock_timeout: float = 5.0,
    command: str = "",
    user: str | None = None,
    warn: Callable[[str], None] | None = None,
    keep: Callable[[object], None] | None = None,
    **options: Any,
) -> UnitOfWork:
    """A unit of work on the registry at `location` (not entered yet)."""
    if is_server(location):
        from .postgres import PostgresUnitOfWork

        return PostgresUnitOfWork(
            str(location), lock_timeout=lock_timeout, command=command, user=user, warn=warn, **options
        )
    from .tiny import FileUnitOfWork

    return FileUnitOfWork(
        Path(location), lock_timeout=lock_timeout, command=command, user=user, warn=warn, keep=keep, **options
    )


def list_backups(location: str | Path) -> list[Any]:
    """The backups of a file registry, newest first (works on a damaged registry too)."""
    refuse_on_server(location)
    from . import backups

    return backups.list_backups(Path(os.path.realpath(location)))


def restore_backup(location: str | Path, backup_id: str, *, lock_timeout: float, command: str) -> Any:
    refuse_on_server(location)
    from .protocol import os_user
    from .tiny import restore

    return restore(Path(location), backup_id, lock_timeout=lock_timeout, command=command, user=os_user())


def refuse_on_server(location: str | Path) -> None:
    if is_server(location):
        from up2k_cli.domain.errors import Up2kError
        from up2k_cli.i18n import _

        raise Up2kError(
            _(
                "backups of a PostgreSQL registry are the server's business (pg_dump, point-in-time "
                "recovery); the README's section 'Backups on PostgreSQL' shows the commands"
            )
        )


def create_registry(location: str | Path, meta: dict[str, Any], *, lock_timeout: float = 5.0) -> bool:
    """A new, empty registry holding `meta`; False (nothing changed) if one is there already."""
    if is_server(location):
        from .postgres import create

        return create(str(location), meta)
    from .schema import META, TABLES
    from .tiny import create

    data: dict[str, Any] = {META: {"1": meta}, **{name: {} for name in TABLES}}
    return create(Path(location), data, lock_timeout)
