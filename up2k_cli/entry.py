"""The console entry point: a Ctrl-C at any moment, even while modules load, exits 130 quietly."""

from __future__ import annotations

import gc
import sys


def N_(message: str) -> str:
    """up2k_cli.i18n.N_, repeated so that nothing is imported before the Ctrl-C guard."""
    return message


INTERRUPTED = N_("Interrupted (Ctrl-C): nothing more was written; the registry file is whole.")


def run() -> None:
    # A command lives for well under a second and builds a million objects when it loads a large
    # registry; the cycle collector would rescan them again and again for nothing.
    gc.disable()
    try:
        from up2k_cli.cli.main import main

        main()
    except KeyboardInterrupt:
        print(_interrupted(), file=sys.stderr)
        sys.exit(130)


def _interrupted() -> str:
    """The message in the current language, if the language was chosen before the Ctrl-C."""
    try:
        from up2k_cli.i18n import _

        return _(INTERRUPTED)
    except BaseException:  # interrupted again, or while the catalog loads: English will do
        return INTERRUPTED
