"""Atomic, private file writes: the one way up2k puts bytes on disk."""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from queue import SimpleQueue

from up2k_cli.i18n import N_, _

PRIVATE = 0o600


class WriteFailed(OSError):
    """The new content could not be written; the old file, if any, is untouched."""


def describe_os_error(exc: OSError) -> str:
    causes = {
        errno.ENOSPC: N_("the disk is full"),
        errno.EDQUOT: N_("the disk quota is used up"),
        errno.EACCES: N_("permission denied"),
        errno.EPERM: N_("permission denied"),
        errno.EROFS: N_("the file system is read-only"),
        errno.ENOENT: N_("the folder does not exist"),
    }
    cause = causes.get(exc.errno or 0)
    return _(cause) if cause else exc.strerror or str(exc)


def atomic_write_bytes(path: Path, data: bytes | Iterable[bytes | memoryview], mode: int = PRIVATE) -> None:
    """Write a temp file beside `path`, fsync it, rename it over `path`, fsync the folder.

    `data` is the content, or its parts in order, written on a second thread as they come: when
    they are still being made (serialise), making the next part overlaps writing this one.
    A crash at any moment leaves either the old file or the new one, never a mix; an error or
    Ctrl-C while writing removes the temp file.
    """
    folder = path.parent
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            if isinstance(data, bytes | bytearray | memoryview):
                _write_all(fd, data)
            else:
                _write_as_made(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise WriteFailed(exc.errno, describe_os_error(exc), str(path)) from exc
        raise
    fsync_folder(folder)


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_as_made(fd: int, parts: Iterable[bytes | memoryview]) -> None:
    """Write each part on another thread while this one makes the next (os.write lets go of the
    GIL). The first failure of either side stops both and is raised here, once the writer is
    done. The writer has its own descriptor of the file, which it closes: even a Ctrl-C that
    cuts the wait short cannot have the caller's descriptor closed (and its number reused)
    under it."""
    queue: SimpleQueue[bytes | memoryview | None] = SimpleQueue()
    failed: list[BaseException] = []
    done = threading.Event()  # not Thread.join: a Ctrl-C during a join marks the thread stopped
    own = os.dup(fd)

    def write() -> None:
        try:
            while (part := queue.get()) is not None:
                if not failed:
                    try:
                        _write_all(own, part)
                    except BaseException as exc:
                        failed.append(exc)
        finally:
            os.close(own)
            done.set()

    try:
        threading.Thread(target=write, name="up2k-writer", daemon=True).start()
    except BaseException:
        os.close(own)
        raise
    try:
        for part in parts:
            if failed:
                break  # the disk is full, say: no use making the rest
            queue.put(part)
    except BaseException as exc:  # making a part failed, or Ctrl-C: the writer skips the rest
        failed.append(exc)
        raise
    finally:
        queue.put(None)
        while not done.is_set():
            try:
                done.wait()
            except KeyboardInterrupt as exc:  # Ctrl-C while waiting: the writer skips the rest
                failed.append(exc)
    if failed:
        raise failed[0]


def fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
