"""Where an --output (or --rejects) file may go, and how it is written: the one place for both.

- Refused (exit 1, nothing written): a path that resolves, symlinks followed, to the registry
  file, its lock, its backups folder or anything in it, or the command's own input file.
- Written directly, never replaced: character devices (/dev/null, a terminal), FIFOs, and
  /dev/stdout; a write error there (ENOSPC from /dev/full) is an error, exit 1.
- Regular files: written atomically with mode 0600 (a temp file renamed over the old one);
  replacing a file that was there is said on stderr.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from up2k_cli.domain.errors import Up2kError
from up2k_cli.fileio import WriteFailed, atomic_write_bytes, describe_os_error
from up2k_cli.i18n import N_, _

from .escape import visible

STDOUT_NAMES = ("-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")


@dataclass(frozen=True)
class Protected:
    """A path no output may land on: `path` itself, or (`tree`) anything inside it, or (`prefix`)
    any file beside it whose name starts with its name (a lock and its holder file)."""

    path: Path
    what: str  # N_-marked: "the registry file", ...
    tree: bool = False
    prefix: bool = False

    def covers(self, target: Path) -> bool:
        mine = Path(os.path.realpath(self.path))
        if target == mine:
            return True
        if self.tree and mine in target.parents:
            return True
        if self.prefix and target.parent == mine.parent and target.name.startswith(mine.name):
            return True
        return _same_file(target, mine)


REGISTRY = N_("the registry file")
LOCK = N_("the registry's lock")
BACKUPS = N_("the registry's backups folder")
INPUT = N_("this command's input file")


def _same_file(a: Path, b: Path) -> bool:
    """Two names of one file (a hard link)."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino) and stat.S_ISREG(sa.st_mode)


def check(path: Path, protected: Sequence[Protected], option: str = "output") -> None:
    """Refuse a path that would overwrite something the command must not touch."""
    target = Path(os.path.realpath(path))
    for guard in protected:
        if guard.covers(target):
            raise Up2kError(
                _("{option} {path}: that is {what}; choose another file (nothing was written)").format(
                    option=option, path=visible(repr(str(path))), what=_(guard.what)
                )
            )


def is_stdout(path: Path | str | None) -> bool:
    return path is None or str(path) in STDOUT_NAMES


def write(
    path: Path,
    data: bytes,
    *,
    protected: Sequence[Protected] = (),
    notify: Callable[[str], None] | None = None,
    option: str = "output",
) -> None:
    """Put `data` at `path` by the rules above; `notify` hears that an existing file was replaced."""
    if str(path) in STDOUT_NAMES:
        _write_stream(data, path)
        return
    check(path, protected, option)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise _failed(path, exc, option) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise Up2kError(
            _("{option} {path}: that is a folder; name a file (nothing was written)").format(
                option=option, path=visible(repr(str(path)))
            )
        )
    if mode is not None and not stat.S_ISREG(mode):
        _write_device(path, data, option)  # /dev/null, a terminal, a FIFO: into it, never over it
        return
    try:
        atomic_write_bytes(Path(os.path.realpath(path)), data)
    except WriteFailed as exc:
        raise _failed(path, exc, option) from None
    if mode is not None and notify is not None:
        notify(_("Replaced {path}.").format(path=visible(str(path))))


def _write_stream(data: bytes, path: Path) -> None:
    sys.stdout.flush()
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _failed(path, exc, "output") from None


def _write_device(path: Path, data: bytes, option: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise _failed(path, exc, option) from None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            return  # a FIFO whose reader went away: as with a closed pipe on stdout
        raise _failed(path, exc, option) from None
    finally:
        os.close(fd)


def _failed(path: Path, exc: OSError, option: str) -> Up2kError:
    reason = exc.strerror if isinstance(exc, WriteFailed) else describe_os_error(exc)
    return Up2kError(
        _("{option} {path}: cannot write it ({reason}); nothing was written").format(
            option=option, path=visible(repr(str(path))), reason=reason
        )
    )
