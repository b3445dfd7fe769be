"""Storage behind one interface (protocol.py): a TinyDB file by default, PostgreSQL for offices
that share one registry. Only this package knows a backend's insides."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .locations import SERVER_SCHEMES, is_server, shown
from .protocol import UnitOfWork

__all__ = ["SERVER_SCHEMES", "is_server", "shown"]


def server_backend() -> Any:
    """storage.postgres, loaded now: only a postgresql:// registry needs psycopg."""
    try:
        from . import postgres
    except ImportError as exc:
        if exc.name is None or not exc.name.startswith("psycopg"):
            raise
        from up2k_cli.domain.errors import RegistryUnusable
        from up2k_cli.i18n import _

        raise RegistryUnusable(
            _("a PostgreSQL registry needs psycopg, which is not installed: pip install 'up2k[postgresql]'")
        ) from None
    return postgres


def named(location: str | Path) -> str:
    """A registry as a page for others names it: a file's path, or 'database up2k on
    db.example:5432' for a database, as messages do (never its user or password)."""
    if not is_server(location):
        return str(location)
    server_backend()  # psycopg, or a clear error
    from .postgres.server import Server

    return Server.parse(str(location)).where()


def registry_exists(location: str | Path, *, lock_timeout: float = 5.0) -> bool:
    """Is there a registry at `location` (a file; the up2k schema in a database)?"""
    if is_server(location):
        return server_backend().registry_exists(str(location), lock_timeout=lock_timeout)
    return Path(location).exists()


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
        return server_backend().PostgresUnitOfWork(
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
    from .schema import META, TABLES

    data: dict[str, Any] = {**{name: {} for name in TABLES}, META: {"1": meta}}
    if is_server(location):
        return server_backend().create(str(location), data, lock_timeout=lock_timeout, layout=False)
    from .tiny import create

    return create(Path(location), data, lock_timeout)


def create_copy(location: str | Path, data: dict[str, Any], *, lock_timeout: float = 5.0) -> bool:
    """A new registry holding `data` exactly (a whole registry as `UnitOfWork.data()` gives it):
    a new file, or the schema in an empty database; False, and nothing changed, if there is a
    registry at `location` already."""
    if is_server(location):
        return server_backend().create(str(location), data, lock_timeout=lock_timeout)
    from .tiny import create

    return create(Path(location), data, lock_timeout)
