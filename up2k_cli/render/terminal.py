"""Where drawn lines go: a terminal (styled through Rich, fitted to its width), a pager, or a pipe.

- Width: `COLUMNS` when set, else the terminal's; a pipe or a file gets each table at its natural
  width (scripts and cron mails are not cut to 80 columns).
- Style: bold titles and headers only on a terminal, and never when `NO_COLOR` is set or
  `TERM=dumb`: then not one escape code is written (no colour, no bold, no italic).
- Pager: long lists on a terminal go through `$PAGER` (default `less -FRX`, as git does);
  `--no-pager`, an empty `PAGER` or `PAGER=cat` turn it off.
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterable
from typing import IO, Any

from .text import Line, plain

DEFAULT_PAGER = "less -FRX"


def is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def styled(stream: IO[str]) -> bool:
    """May escape codes (bold) go to this stream? Only a terminal's, and not under NO_COLOR."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return is_terminal(stream)


def columns_env() -> int | None:
    value = os.environ.get("COLUMNS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def width(stream: IO[str]) -> int | None:
    """Columns to fit: COLUMNS, else the terminal's width; None (natural width) for a pipe."""
    fixed = columns_env()
    if fixed is not None:
        return fixed
    if is_terminal(stream):
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError):
            return shutil.get_terminal_size().columns
    return None


def height(stream: IO[str]) -> int:
    """Lines of the terminal (LINES when set)."""
    value = os.environ.get("LINES", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return os.get_terminal_size(stream.fileno()).lines
    except (OSError, ValueError):
        return shutil.get_terminal_size().lines


def write_lines(lines: Iterable[Line], stream: IO[str] | None = None) -> None:
    """Lines to a stream: styled through Rich on a terminal that takes styles, plain otherwise."""
    out = stream or sys.stdout
    if not styled(out):
        out.write(plain(lines))
        out.flush()
        return
    console = _console(out)
    for line in lines:
        if all(style is None for _text, style in line):
            out.write("".join(text for text, _style in line) + "\n")
        else:
            console.print(_rich_text(line), soft_wrap=True, crop=False)
    out.flush()


def _console(stream: IO[str]) -> Any:
    from rich.console import Console

    return Console(
        file=stream,
        force_terminal=True,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
        width=10_000,
    )


def _rich_text(line: Line) -> Any:
    """A line as rich.text.Text: cells are appended as plain text, never parsed as markup."""
    from rich.text import Text

    text = Text(no_wrap=True, overflow="ignore")
    for part, style in line:
        text.append(part, style=style)
    return text


# --- pager ----------------------------------------------------------------------------------------


def pager_command() -> str | None:
    """The pager to use (git's rule: $PAGER, else less -FRX), or None when there is none to run."""
    command = os.environ.get("PAGER", DEFAULT_PAGER).strip()
    if not command or command == "cat":
        return None
    try:
        program = shlex.split(command)[0]
    except (ValueError, IndexError):
        return None
    return command if shutil.which(program) else None


def page(lines: Iterable[Line], command: str) -> None:
    """Send the lines through the pager, styled as the terminal would show them, and wait for it.

    Lines are drawn while the pager shows the first ones. The pager owns the terminal until it
    ends: Ctrl-C belongs to it (less stops a search with it), and a pager quit early (q) simply
    ends the output, as with git log.
    """
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    keep_style = styled(sys.stdout)
    sys.stdout.flush()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
        assert proc.stdin is not None
        stream = io.TextIOWrapper(proc.stdin, encoding="utf-8", errors="replace")
        try:
            console = _console(stream) if keep_style else None
            for line in lines:
                if console is not None and any(style for _text, style in line):
                    console.print(_rich_text(line), soft_wrap=True, crop=False)
                else:
                    stream.write("".join(text for text, _style in line) + "\n")
            stream.flush()
        except OSError:
            pass  # the reader quit before the end (BrokenPipeError): nothing more to show
        finally:
            with contextlib.suppress(OSError):
                stream.close()
        proc.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
