"""Automatic backups: before each change the previous registry is kept in a rotation.

The old file is hard-linked into `backups/` beside the registry just before the new one is
renamed over it, so a backup costs no copy; where links are impossible it is copied. Its name
says when, and which command replaced it (`registry-20261127-093012-123456-cadre-update.json`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from up2k_cli.domain.errors import NotFound
from up2k_cli.i18n import _

KEEP = 30  # the default of the setting `backups_kept`
FOLDER = "backups"
_STAMP = "%Y%m%d-%H%M%S-%f"


@dataclass(frozen=True)
class Backup:
    id: str
    path: Path
    taken: dt.datetime
    size: int
    command: str = ""  # the command whose change replaced this file


def folder(registry: Path) -> Path:
    return registry.parent / FOLDER


def _pattern(registry: Path) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(registry.stem)}-(\d{{8}}-\d{{6}}-\d{{6}})(?:-([a-z0-9-]+))?\.json$")


def keep(registry: Path, keep_last: int = KEEP, command: str = "") -> Backup | None:
    """Keep the current registry file as a backup (before `command` replaces it); prune old ones."""
    if not registry.exists():
        return None
    target_dir = folder(registry)
    target_dir.mkdir(mode=0o700, exist_ok=True)
    stamp = dt.datetime.now().strftime(_STAMP)
    slug = re.sub(r"[^a-z0-9]+", "-", command.lower()).strip("-")
    target = target_dir / f"{registry.stem}-{stamp}{'-' + slug if slug else ''}.json"
    try:
        os.link(registry, target)
    except OSError:
        shutil.copyfile(registry, target)
    os.chmod(target, 0o600)
    prune(registry, keep_last)
    return Backup(
        stamp, target, dt.datetime.strptime(stamp, _STAMP), target.stat().st_size, slug.replace("-", " ")
    )


def prune(registry: Path, keep_last: int = KEEP) -> None:
    for old in list_backups(registry)[keep_last:]:
        old.path.unlink(missing_ok=True)


def list_backups(registry: Path) -> list[Backup]:
    """Newest first."""
    directory = folder(registry)
    if not directory.is_dir():
        return []
    pattern = _pattern(registry)
    found = []
    for entry in directory.iterdir():
        m = pattern.match(entry.name)
        if m:
            taken = dt.datetime.strptime(m[1], _STAMP)
            found.append(Backup(m[1], entry, taken, entry.stat().st_size, (m[2] or "").replace("-", " ")))
    return sorted(found, key=lambda b: b.id, reverse=True)


def find(registry: Path, backup_id: str) -> Backup:
    wanted = backup_id.strip()
    for backup in list_backups(registry):
        if backup.id == wanted:
            return backup
    raise NotFound(
        _("no backup {id} of {path}; 'up2k backup list' shows them").format(id=repr(wanted), path=registry)
    )


def describe(registry: Path, limit: int = 3) -> str:
    """A hint for error messages: the newest backups and how to restore one."""
    found = list_backups(registry)
    if not found:
        return _("no backups exist")
    names = ", ".join(b.id for b in found[:limit])
    return _("backups: {ids}; restore one with 'up2k backup restore ID'").format(ids=names)
