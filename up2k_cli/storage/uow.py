"""Unit of work: lock the registry, load it once, and commit once, atomically.

    with UnitOfWork(path) as uow:
        ...change things through uow.cadres, uow.history...
        uow.commit()

Leaving the block without commit() writes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from tinydb import TinyDB

from up2k_cli import entry
from up2k_cli.domain.errors import RegistryDamaged, RegistryLocked, RegistryUnusable
from up2k_cli.i18n import _

from . import backups, migrations, tinystore
from .repository import Record, Records

DEFAULT_LOCK_TIMEOUT = 5.0


def lock_for(path: Path, timeout: float) -> FileLock:
    return FileLock(str(path) + ".lock", timeout=timeout, mode=0o600)


class UnitOfWork:
    """One command's view of the registry, held under an exclusive OS-level lock."""

    def __init__(
        self,
        path: Path,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        command: str = "",
        user: str | None = None,
        now: dt.datetime | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.path = path
        self.warn = warn or (lambda message: print(message, file=sys.stderr))
        self.lock_timeout = lock_timeout
        self.command = command
        self.user = user or os_user()
        self.now = now or dt.datetime.now().astimezone()
        self._lock = lock_for(path, lock_timeout)
        self._storage: Any = None

    # -- lifecycle --------------------------------------------------------------------------
    def __enter__(self) -> UnitOfWork:
        if not self.path.is_file():
            tinystore.missing(self.path)  # before the lock: a missing registry leaves no file behind
        acquire(self._lock, self.path, self.lock_timeout, self.command)
        try:
            try:
                data = tinystore.open_tables(self.path)
                data.advice = functools.partial(backups.describe, self.path)
                data, steps = migrations.upgrade(data)
            except RegistryDamaged as exc:
                problem = str(exc) if str(self.path) in str(exc) else f"{self.path}: {exc}"
                raise RegistryDamaged(f"{problem}; {backups.describe(self.path)}") from None
            self._open(data)
            if steps:
                self._storage.dirty = True
            self._warn_if_readable()
        except BaseException:
            release(self._lock, self.path)
            raise
        return self

    def _warn_if_readable(self) -> None:
        mode = self.path.stat().st_mode & 0o777
        if mode & 0o077:
            self.warn(
                _(
                    "Warning: {path} can be read by other users of this machine (mode {mode}); "
                    "it holds personal data: run 'chmod 600 {path}'"
                ).format(path=self.path, mode=f"{mode:o}")
            )

    def _open(self, data: tinystore.Tables) -> None:
        self.db = TinyDB(data, storage=tinystore.CommandStorage)
        self._storage = self.db.storage
        self.cadres = Records(self.db.table("cadres"))
        self.batches = Records(self.db.table("batches"), key="code")
        self.enrollments = Records(self.db.table("enrollments"))
        self.businesses = Records(self.db.table("businesses"))
        self.steps = Records(self.db.table("steps"))
        self.incomes = Records(self.db.table("incomes"))
        self.history = Records(self.db.table("history"), key="seq", key_is_doc_id=True)
        self._meta_table = self.db.table("meta")

    def __exit__(self, *exc: object) -> None:
        release(self._lock, self.path)
        if entry.KEPT is not None:  # the console script ends with os._exit: nothing to free
            entry.KEPT.append(self.db)

    def commit(self) -> None:
        """Write the registry once, atomically, if anything changed."""
        assert self._storage is not None, "commit() outside 'with'"
        if self._storage.dirty:
            tinystore.save(self.path, self._storage.data)
            self._storage.dirty = False

    def read_all(self) -> None:
        """Parse and check every table now (tables are otherwise read when first used)."""
        self._storage.data.read_all()

    # -- registry-wide settings -------------------------------------------------------------
    @property
    def meta(self) -> Record:
        doc = self._meta_table.get(doc_id=1)
        assert doc is not None
        return dict(doc)

    def update_meta(self, fields: Record) -> None:
        self._meta_table.update(fields, doc_ids=[1])

    def reserve(self, kind: str, count: int = 1) -> range:
        """Reserve `count` serial numbers of a kind; they are never handed out again."""
        counters = dict(self.meta.get("counters", {}))
        start = counters.get(kind, 0)
        counters[kind] = start + count
        self.update_meta({"counters": counters})
        return range(start + 1, start + count + 1)

    def next_ids(self, kind: str, prefix: str, count: int = 1) -> list[str]:
        """New IDs short enough to type: K0001, K0002, ... (more digits once past 9999)."""
        return [f"{prefix}{n:04d}" for n in self.reserve(kind, count)]

    def record_changes(self, entries: list[Record]) -> None:
        """Append to the change history: when, who, which command, old -> new per field."""
        if not entries:
            return
        seqs = self.reserve("history", len(entries))
        stamp = self.now.isoformat(timespec="seconds")
        self.history.add_many(
            {"seq": seq, "at": stamp, "user": self.user, "command": self.command, **entry}
            for seq, entry in zip(seqs, entries, strict=True)
        )


def _holder_file(path: Path) -> Path:
    return Path(str(path) + ".lock.info")


def acquire(lock: FileLock, path: Path, timeout: float, command: str = "") -> None:
    """Take the registry's lock, or say who holds it (PID, command, since when) and give up."""
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise RegistryLocked(
            _(
                "{path} is locked by {holder}; waited {seconds} s. "
                "Try again when it finishes, or wait longer with --lock-timeout"
            ).format(path=path, holder=_holder(path), seconds=f"{timeout:g}")
        ) from None
    except OSError as exc:
        raise RegistryUnusable(
            _("cannot lock {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    since = dt.datetime.now().isoformat(timespec="seconds")
    info = json.dumps({"pid": os.getpid(), "command": command, "since": since}).encode()
    # Who holds the lock is a courtesy for the next waiter: no fsync, and failure is harmless.
    with contextlib.suppress(OSError):
        fd = os.open(_holder_file(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, info)
        finally:
            os.close(fd)


def release(lock: FileLock, path: Path) -> None:
    with contextlib.suppress(OSError):
        _holder_file(path).unlink()
    lock.release()


def _holder(path: Path) -> str:
    try:
        info = json.loads(_holder_file(path).read_text())
        command = f"up2k {info['command']}" if info["command"] else "up2k"
        return _("{command} (PID {pid}, since {since})").format(
            command=command, pid=info["pid"], since=info["since"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return _("another up2k command")


def create(path: Path, data: dict[str, Any], lock_timeout: float) -> bool:
    """Create a new registry file under the lock; False (and nothing written) if one exists."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = lock_for(path, lock_timeout)
    acquire(lock, path, lock_timeout, "init")
    try:
        if path.exists():
            return False
        tinystore.save(path, data)
        return True
    finally:
        release(lock, path)


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"
