"""The console entry point: a Ctrl-C at any moment, even while modules load, exits 130 quietly."""

from __future__ import annotations

import sys

INTERRUPTED = "Interrupted (Ctrl-C): nothing more was written; the registry file is whole."


def run() -> None:
    try:
        from up2k_cli.cli.main import main

        main()
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        sys.exit(130)
