"""The console entry point: a Ctrl-C at any moment, even while modules load, exits 130 quietly."""

from __future__ import annotations

import gc
import os
import sys

# The registries this process loaded, kept alive to the end (see leave); None outside the
# console script (tests, library use), where they are freed as usual.
KEPT: list[object] | None = None
# Said when Ctrl-C comes before the language is chosen (up2k_cli.i18n.INTERRUPTED otherwise).
INTERRUPTED = "Interrupted (Ctrl-C): nothing more was written; the registry file is whole."


def run() -> None:
    # A command lives for well under a second and builds a million objects when it loads a large
    # registry; the cycle collector would rescan them again and again for nothing.
    gc.disable()
    code: object = 0
    try:
        from up2k_cli.cli.main import main

        global KEPT
        KEPT = []  # see leave()
        main(keep=KEPT.append)
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:
        print(_interrupted(), file=sys.stderr)
        code = 130
    leave(code)


def leave(code: object) -> None:
    """Flush the output and end the process at once. The registry file is written and its lock
    released by now; tearing down the interpreter would only free, one by one, the million
    objects of a large registry (a third of a second) that the OS frees in no time."""
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    status = code if isinstance(code, int) else 0 if code is None else 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away (`| head`), or the stream is closed
            status = status or 1
    os._exit(status)


def _interrupted() -> str:
    """The message in the current language, if the language was chosen before the Ctrl-C."""
    try:
        from up2k_cli.i18n import INTERRUPTED as message
        from up2k_cli.i18n import _

        return _(message)
    except BaseException:  # interrupted again, or while the catalog loads: English will do
        return INTERRUPTED
