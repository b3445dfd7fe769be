"""The OS-level lock a file registry is held under for a whole command, and who holds it."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock, Timeout

from up2k_cli.domain.errors import RegistryLocked, RegistryUnusable
from up2k_cli.i18n import _

DEFAULT_LOCK_TIMEOUT = 5.0


def lock_path(path: Path) -> Path:
    return Path(str(path) + ".lock")


def lock_for(path: Path, timeout: float) -> FileLock:
    return FileLock(str(lock_path(path)), timeout=timeout, mode=0o600)


def _holder_file(path: Path) -> Path:
    return Path(str(path) + ".lock.info")


def acquire(
    lock: FileLock, path: Path, timeout: float, command: str = "", warn: Callable[[str], None] | None = None
) -> None:
    """Take the registry's lock; while another command holds it, say who (PID, command, since
    when) and wait up to `timeout` seconds, then give up naming them."""
    try:
        if warn is not None and timeout > 0:
            try:
                lock.acquire(timeout=0)
                timeout = -1  # taken at once
            except Timeout:
                warn(
                    _("Waiting up to {seconds} s for {path}: it is locked by {holder}").format(
                        seconds=f"{timeout:g}", path=path, holder=_holder(path)
                    )
                )
        if timeout >= 0:
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


@contextlib.contextmanager
def held(path: Path, timeout: float, command: str = ""):  # type: ignore[no-untyped-def]
    """The lock, for work on the file outside a unit of work (init, restore)."""
    lock = lock_for(path, timeout)
    acquire(lock, path, timeout, command)
    try:
        yield
    finally:
        release(lock, path)
