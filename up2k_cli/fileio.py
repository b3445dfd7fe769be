"""Atomic, private file writes: the one way up2k puts bytes on disk."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Sequence
from pathlib import Path

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


def atomic_write_bytes(path: Path, data: bytes | Sequence[bytes | memoryview], mode: int = PRIVATE) -> None:
    """Write a temp file beside `path`, fsync it, rename it over `path`, fsync the folder.

    `data` is the content, or its parts in order. A crash at any moment leaves either the old
    file or the new one, never a mix.
    """
    chunks = [data] if isinstance(data, bytes | bytearray | memoryview) else data
    folder = path.parent
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            for chunk in chunks:
                view = memoryview(chunk)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WriteFailed(exc.errno, describe_os_error(exc), str(path)) from exc
    fsync_folder(folder)


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
