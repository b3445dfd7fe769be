"""Helpers the tests share: paths, valid NIKs, `register` arguments, subprocess commands."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# Test data lives in the repository, so a fresh clone needs nothing beside it.
TEST_DATA = REPO / "tests" / "data"
SAMPLE_CSV = TEST_DATA / "kader-pondok-labu.csv"
TODAY = "2026-11-27"

# Environment variables that would change what the CLI does; tests start without them.
CLEARED_ENV = (
    "UP2K_DB",
    "UP2K_LOCK_TIMEOUT",
    "UP2K_DEBUG",
    "NO_COLOR",
    "FORCE_COLOR",
    "TTY_COMPATIBLE",
)


def make_nik(
    serial: int = 1,
    *,
    day: int = 11,
    month: int = 3,
    year: int = 90,
    female: bool = True,
    region: str = "317406",
) -> str:
    """A valid NIK: region PPKKCC, birth date DDMMYY (women: day + 40), serial SSSS."""
    return f"{region}{day + (40 if female else 0):02d}{month:02d}{year % 100:02d}{serial:04d}"


DEFAULT_FIELDS: dict[str, str] = {
    "nik": make_nik(101),
    "name": "Siti Aminah",
    "kelurahan": "Pondok Labu",
    "rw": "3",
    "rt": "5",
    "address": "Jl. Pinang No. 1",
    "phone": "0812-3456-7890",
    "business-type": "Kuliner",
    "household-size": "4",
    "income": "Rp 1.500.000",
}


def register_args(*, consent: bool = True, **fields: str | None) -> list[str]:
    """`register` arguments: the defaults above, overridden by keyword (None drops an option)."""
    values: dict[str, str | None] = dict(DEFAULT_FIELDS)
    values.update({k.replace("_", "-"): v for k, v in fields.items()})
    args = ["register"]
    for key, value in values.items():
        if value is not None:
            args += [f"--{key}", value]
    if consent:
        args.append("--consent")
    return args


def up2k_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "up2k_cli", *args]


def location(db: Any) -> str:
    """What --db and UP2K_DB take: a path, or a registry handle's URL (tests/backends.py)."""
    return str(getattr(db, "location", db))


def cli_runner(db: Any, *, check_default: bool = True, columns: str = "250") -> Callable[..., Any]:
    """run(*args, input=None, check=...) on the registry `db` (a path, or the `db` fixture's
    handle on either backend), in-process, with a fixed 'today'.

    With check, a non-zero exit fails the test at once, showing the command's stderr.
    """
    from typer.testing import CliRunner

    from up2k_cli.cli.main import app

    runner = CliRunner()
    env = {"UP2K_DB": location(db), "COLUMNS": columns, "UP2K_TODAY": TODAY}

    def run(*args: str, input: str | None = None, check: bool = check_default) -> Any:
        result = runner.invoke(app, list(args), input=input, env=env)
        if check:
            assert result.exit_code == 0, (args, result.stderr)
        return result

    return run


def edit_registry(path: Any, change: Callable[[dict[str, Any]], None]) -> None:
    """Change a registry as if up2k itself had written it (a file: sealed), for tests that need a
    registry holding what the commands would refuse to make. (An unsealed hand edit is refused
    by every writing command: tests/integration/test_storage.py.) A database handle is rebuilt
    from the changed dump; it refuses what its constraints refuse."""
    if getattr(path, "backend", "file") == "postgresql":
        path.edit(change)
        return
    import orjson

    from up2k_cli.storage.tiny import write_plain

    data = orjson.loads(path.read_bytes())
    change(data)
    write_plain(path, data)
    path.chmod(0o600)


def run_on_terminal(
    argv: list[str], env: dict[str, str], *, columns: int = 100, lines: int = 40
) -> tuple[int, bytes, bytes]:
    """Run a command with its stdout on a pseudo-terminal of that size (stdin empty, stderr a
    pipe): (exit status, what the terminal got, stderr). POSIX only."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal's other end closed: the command is done with it
            break
        if not data:
            break
        chunks.append(data)
    code = proc.wait(timeout=120)
    os.close(master)
    err = proc.stderr.read() if proc.stderr else b""
    return code, b"".join(chunks), err
