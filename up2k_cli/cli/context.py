"""What every command shares: the registry location, the unit of work, messages, today."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from up2k_cli.render.destination import Protected
    from up2k_cli.storage.protocol import UnitOfWork


@dataclass
class Settings:
    db: str  # a file, or a postgresql:// URL kept as given (a Path would fold its '//')
    lock_timeout: float
    keep: Callable[[object], None] | None = None  # keeps a loaded registry alive until os._exit

    @property
    def shown(self) -> str:
        """The registry as messages name it: a URL's password is never printed."""
        from up2k_cli.storage import shown

        return shown(self.db)


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("up2k", appauthor=False) / "registry.json"


def settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    assert isinstance(obj, Settings), "the root callback sets the settings"
    return obj


def command_name(ctx: typer.Context) -> str:
    """'cadre update' for history entries: which command, never its (personal) arguments, and
    not how up2k was started (`up2k`, `python -m up2k_cli`)."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


def registry(ctx: typer.Context, **options: Any) -> UnitOfWork:
    """The registry this command works on, as a unit of work the service will enter."""
    from up2k_cli.storage import open_registry

    s = settings(ctx)
    return open_registry(
        s.db, lock_timeout=s.lock_timeout, command=command_name(ctx), warn=note, keep=s.keep, **options
    )


def today() -> dt.date:
    """Today, or UP2K_TODAY (ISO date) so that tests and demos can fix the calendar."""
    fixed = os.environ.get("UP2K_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()


def day(value: str | None, field: str = "date") -> dt.date:
    """A --date option: the parsed date, or today when not given."""
    from up2k_cli.domain.validators import parse_date

    return parse_date(value, field) if value else today()


def note(message: str) -> None:
    """A message for the person: always stderr, so stdout stays clean for data. Stored text it
    names (a name, a reason) is shown visibly, never sent raw to the terminal."""
    from up2k_cli.render.escape import visible_lines

    typer.echo(visible_lines(message), err=True)


def note_updated(entry: dict[str, Any]) -> None:
    """Say which fields a change entry changed ('Updated K0001: phone, rt.')."""
    from up2k_cli.i18n import _

    changed = ", ".join(entry["changes"]) or _("nothing (same values)")
    note(_("Updated {id}: {changes}.").format(id=entry["ref"], changes=changed))


def protected_paths(ctx: typer.Context, inputs: Iterable[str | Path] = ()) -> tuple[Protected, ...]:
    """What this command's --output or --rejects must never overwrite: the registry file, its lock
    (and the lock's holder file), its backups folder, and the command's own input files. A
    PostgreSQL registry has no file to protect."""
    from up2k_cli.render.destination import BACKUPS, INPUT, LOCK, REGISTRY, Protected
    from up2k_cli.storage import is_server

    found = [Protected(Path(p), INPUT) for p in inputs if str(p) != "-"]
    location = settings(ctx).db
    if is_server(location):
        return tuple(found)
    from up2k_cli.storage.backups import folder
    from up2k_cli.storage.locking import lock_path

    real = Path(os.path.realpath(location))
    found += [
        Protected(real, REGISTRY),
        Protected(lock_path(real), LOCK, prefix=True),
        Protected(folder(real), BACKUPS, tree=True),
    ]
    return tuple(found)


def stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def read_refs(refs: list[str]) -> list[str]:
    """Command-line references, with '-' meaning one per line from stdin."""
    out: list[str] = []
    for ref in refs:
        if ref == "-":
            out.extend(line.strip() for line in sys.stdin if line.strip())
        else:
            out.append(ref)
    return out
