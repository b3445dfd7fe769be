"""The command-line option of the golden-file tests (pytest reads options only from a conftest at
the root of the run): `pytest --update-goldens` rewrites tests/goldens/ from today's output."""

from __future__ import annotations

from typing import Any


def pytest_addoption(parser: Any) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the approved output in tests/goldens/ instead of comparing with it",
    )
