"""The output formats: one enum for every command, and what an --output file's extension means."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path


class Format(StrEnum):
    """Every way a command can write what it shows; each command accepts a subset of these."""

    TABLE = "table"  # for people: fitted to the screen, localised
    CSV = "csv"  # for spreadsheets and scripts: stable columns, plain numbers, ISO dates
    JSON = "json"
    JSONL = "jsonl"  # one JSON object a line
    MARKDOWN = "markdown"  # for e-mail
    XLSX = "xlsx"  # an Excel workbook (binary: needs --output)
    IDS = "ids"  # one ID a line, for pipes into other commands
    PNG = "png"  # one chart picture for a phone screen (binary: needs --output)
    SVG = "svg"  # the same chart as scalable vector text
    HTML = "html"  # a self-contained page (the dashboard)

    @property
    def binary(self) -> bool:
        """Bytes that no terminal or text pipe should receive unasked."""
        return self in BINARY


BINARY = frozenset({Format.XLSX, Format.PNG})
PICTURES = frozenset({Format.PNG, Format.SVG})  # one chart instead of the tables

EXTENSIONS = {
    ".csv": Format.CSV,
    ".json": Format.JSON,
    ".jsonl": Format.JSONL,
    ".ndjson": Format.JSONL,
    ".md": Format.MARKDOWN,
    ".markdown": Format.MARKDOWN,
    ".xlsx": Format.XLSX,
    ".png": Format.PNG,
    ".svg": Format.SVG,
    ".html": Format.HTML,
    ".htm": Format.HTML,
}


def from_extension(path: Path | str | None) -> Format | None:
    """The format an --output file's name asks for (`kel.csv`: CSV), or None if it says nothing."""
    if path is None:
        return None
    return EXTENSIONS.get(Path(path).suffix.lower())
