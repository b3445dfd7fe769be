"""Where a registry is: a file path, or a PostgreSQL URL; and how messages name it. Nothing here
loads a backend, so the CLI and the PostgreSQL backend can both use it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server(location: str | Path) -> bool:
    """A PostgreSQL URL rather than a file path."""
    return str(location).startswith(SERVER_SCHEMES)


def shown(location: str | Path) -> str:
    """The location as messages show it: a path, or a URL with its password masked."""
    text = str(location)
    if not is_server(text):
        return text
    parts = urlsplit(text)
    netloc = parts.netloc
    if "@" in netloc:
        auth, _at, hosts = netloc.rpartition("@")
        user, colon, _password = auth.partition(":")
        netloc = f"{user}{':***' if colon else ''}@{hosts}"
    query = "&".join(
        "password=***" if pair.partition("=")[0] == "password" else pair for pair in parts.query.split("&")
    )
    # Put together by hand: urlunsplit drops the '//' of a URL without a host (postgresql:///db).
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if parts.query else "")
