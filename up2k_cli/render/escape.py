"""Stored text is data, never code or markup: the one place that makes it safe for each output.

Input refuses control characters today, but older or hand-made registries can hold anything, so
every writer passes the text people typed through the function here for its kind of output:

- terminals and plain text (tables, `show`, history, notes, Markdown): `visible` writes control,
  format and bidi characters as `\\x1b` / `\\u202e` instead of sending them to the terminal;
- Rich: cells reach Rich only as `rich.text.Text` built from `visible` text (render/terminal.py),
  never as markup strings;
- CSV: `guard_formula` puts a `'` before text a spreadsheet would run as a formula, and
  `unguard_formula` (used by `import cadres`) takes it off again, so export -> import is exact;
- Markdown: `markdown_text` escapes Markdown and HTML, so a name is never a link or an image;
- JSON: `json_safe` writes the few characters JSON lets through raw as `\\uXXXX` escapes (the
  same data once parsed);
- xlsx: `xlsx_text` keeps what the XML of a workbook cannot hold from breaking it; text cells are
  always written as text (render/xlsx.py);
- HTML and inline SVG (the dashboard): `html_text` writes `& < > " '` as entities after `visible`,
  so a stored string is text in an element or an attribute, never a tag, a script or a URL.
"""

from __future__ import annotations

import re

# Every character of Unicode's categories Cc (control), Cf (format: zero-width, bidi, tags), Zl and
# Zp (line and paragraph separators): nothing a person reads, all things a terminal or an editor
# acts on. Listed as ranges so that start-up stays fast; tests/unit/test_render_escape.py checks
# the list against Python's Unicode database. C0 (U+0000-U+001F) apart: JSON escapes it itself.
_C0 = "\x00-\x1f"
_OTHERS = (
    "\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_UNSAFE = re.compile(f"[{_C0}{_OTHERS}]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: str) -> str:
    """The text with every control, format and bidi character written out (ESC as `\\x1b`, U+202E
    as `\\u202e`): what reaches a terminal is always plain characters."""
    return _UNSAFE.sub(_shown, text) if _UNSAFE.search(text) else text


def needs_escape(text: str) -> bool:
    """Does the text hold anything `visible` would write out?"""
    return _UNSAFE.search(text) is not None


def visible_lines(text: str) -> str:
    """`visible` for messages that are meant to span lines: the line ends stay."""
    return "\n".join(visible(line) for line in text.split("\n"))


# --- CSV: spreadsheet formulas ------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A number with a sign (a phone stored as +6281234567890): a spreadsheet reads it as a number and
# runs nothing, so it is left as it was written before the guard existed.
_SIGNED_NUMBER = re.compile(r"[+-]\d+(?:[.,]\d+)*\Z")


def needs_guard(text: str) -> bool:
    """Would a spreadsheet run this cell as a formula? Also true for text that already starts with
    the guard's `'` before a formula character, whose `'` must then be doubled so that import gives
    back exactly this text."""
    if text.startswith(FORMULA_START):
        return not _SIGNED_NUMBER.match(text)
    return text.startswith("'") and (text[1:2] in FORMULA_START or needs_guard(text[1:]))


def guard_formula(value: object) -> object:
    """'=cmd' becomes \"'=cmd\" so that Excel and LibreOffice show it instead of running it."""
    if isinstance(value, str) and needs_guard(value):
        return "'" + value
    return value


def unguard_formula(text: str) -> str:
    """Undo guard_formula (unguard_formula(guard_formula(x)) == x for every text x), and the `'`
    people type in a spreadsheet to keep a + or = as text."""
    if text.startswith("'") and (text[1:2] in FORMULA_START or needs_guard(text[1:])):
        return text[1:]
    return text


# --- Markdown (mail bodies) ---------------------------------------------------------------------

_MARKDOWN = str.maketrans(
    {"\\": "\\\\", "`": "\\`", "*": "\\*", "[": "\\[", "]": "\\]", "|": "\\|", "~": "\\~", "<": "&lt;"}
)  # fmt: skip
_MARKDOWN_SPECIAL = re.compile(r"[\\`*\[\]|~<]")
# An underscore between letters (cadres_active) is plain text in GitHub Markdown; only one that
# could open or close emphasis is escaped.
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_ENTITY = re.compile(r"&(?=#?\w+;)")


def markdown_text(text: str) -> str:
    """Text that Markdown and HTML show as it is, wherever it stands (a cell, a heading, a list
    item): no link, image, tag, emphasis, code or table cell break can come out of it. Only what
    could start one is escaped, so that the mail still reads as plain text."""
    shown = visible(text)
    if "&" in shown:
        shown = _ENTITY.sub("&amp;", shown)
    if _MARKDOWN_SPECIAL.search(shown):
        shown = shown.translate(_MARKDOWN)
    return _EMPHASIS_UNDERSCORE.sub(r"\\_", shown) if "_" in shown else shown


# --- JSON -----------------------------------------------------------------------------------------

# json.dumps escapes U+0000-U+001F itself; these it lets through raw.
_JSON_RAW = re.compile(f"[{_OTHERS}]")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_safe(text: str) -> str:
    """Serialised JSON with DEL, C1 controls, bidi and zero-width characters as \\u escapes: the
    same data once parsed, but nothing a terminal acts on when the JSON is printed."""
    return _JSON_RAW.sub(_json_escape, text) if _JSON_RAW.search(text) else text


# --- xlsx -----------------------------------------------------------------------------------------

# What the XML inside a workbook cannot hold (openpyxl refuses it with IllegalCharacterError).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xlsx_text(text: str) -> str:
    """Text a workbook can hold: characters XML forbids are written out as `\\x1b`."""
    return _XML_ILLEGAL.sub(_shown, text) if _XML_ILLEGAL.search(text) else text


# --- HTML -----------------------------------------------------------------------------------------

_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def html_text(text: object) -> str:
    """Text for HTML, in an element or a quoted attribute: controls written out (`visible`), then
    the five characters that could end text or start markup as entities."""
    return visible(str(text)).translate(_HTML)
