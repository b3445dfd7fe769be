"""Every hostile string, stored in every free-text field, through every output format of every
command that shows it: nothing is executed, interpreted or crashes.

- table / plain text: no raw control, format, bidi or zero-width character; Rich markup shown as
  typed; on a real terminal, the only escape codes are up2k's own bold;
- Markdown: rendered, no link, image, tag, emphasis or code comes out of the data;
- CSV: no cell a spreadsheet would run as a formula; the data comes back exactly (unguarded);
- JSON / JSON lines: valid, the data exactly, no raw character a terminal would act on;
- xlsx: no formula cell (openpyxl's data types), the data as text.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from tests.helpers import REPO, run_on_terminal
from tests.security.conftest import FIGURES, HostileRegistry
from tests.security.corpus import ESCAPE_SEQUENCE, HOSTILE, OWN_STYLES, RENDERED_MARKUP, unsafe_chars
from up2k_cli.render.escape import FORMULA_START, markdown_text, unguard_formula, visible, xlsx_text

SIGNED_NUMBER = re.compile(r"[+-]\d+(?:[.,]\d+)*\Z")
ALL = "all"
AGENCIES = "agencies"


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _expected(reg: HostileRegistry, which: str | list[str]) -> list[str]:
    if which == ALL:
        return list(HOSTILE)
    if which == AGENCIES:
        return sorted(reg.agencies)
    return list(which)


def check(fmt: str, stdout: str, keys: list[str], *, path: Path | None = None) -> None:
    """The checks of one output; counts one case per hostile string it must show."""
    FIGURES["outputs"] += 1
    if fmt in ("table", "markdown", "ids"):
        assert not unsafe_chars(stdout), f"raw {sorted(map(hex, map(ord, unsafe_chars(stdout))))} in {fmt}"
    if fmt == "table":
        for key in keys:
            assert visible(HOSTILE[key]) in stdout, (key, "not shown as text")
    elif fmt == "markdown":
        html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(stdout)
        assert not RENDERED_MARKUP.search(html), RENDERED_MARKUP.search(html)
        for key in keys:
            assert markdown_text(HOSTILE[key]) in stdout, (key, "not escaped as Markdown text")
    elif fmt == "csv":
        cells = [c for row in csv.reader(io.StringIO(stdout)) for c in row]
        for c in cells:
            assert not c.startswith(FORMULA_START) or SIGNED_NUMBER.match(c), f"formula cell {c!r}"
        values = [unguard_formula(c) for c in cells]
        for key in keys:
            assert any(HOSTILE[key] in v for v in values), (key, "not in the CSV")
    elif fmt in ("json", "jsonl"):
        assert not unsafe_chars(stdout), "raw characters in JSON"
        docs = [json.loads(line) for line in stdout.splitlines()] if fmt == "jsonl" else [json.loads(stdout)]
        values = [s for doc in docs for s in _strings(doc)]
        for key in keys:
            assert any(HOSTILE[key] in v for v in values), (key, "not in the JSON")
    elif fmt == "xlsx":
        assert path is not None
        values = []
        for sheet in load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"formula cell {cell.coordinate} {cell.value!r}"
                    values.append(str(cell.value))
        for key in keys:
            # XML reads a carriage return back as a line feed: the one change a workbook makes.
            text = xlsx_text(HOSTILE[key]).replace("\r", "\n")
            assert any(text in v for v in values), (key, "not in the workbook")
    FIGURES["cases"] += len(keys)


def run_output(run: Any, db: Path, args: list[str], fmt: str, keys: list[str]) -> None:
    target = db.parent / "out.xlsx"
    extra = ["--format", fmt] + (["--output", str(target)] if fmt == "xlsx" else [])
    if fmt == "table":
        extra += ["--wide"]
    result = run(*args, *extra)
    if result.exit_code != 0 or "internal error" in result.stderr:
        FIGURES["crashes"] += 1
    assert result.exit_code == 0, (args, fmt, result.stderr)
    assert not unsafe_chars(result.stderr), "raw characters in a message"
    try:
        check(fmt, result.stdout, keys, path=target if fmt == "xlsx" else None)
    except AssertionError:
        FIGURES["interpreted"] += 1
        raise


LISTS = ["table", "csv", "json", "jsonl", "markdown", "xlsx"]
EXPORTS = ["csv", "json", "jsonl", "xlsx"]
REPORTS = ["table", "json", "markdown", "xlsx"]

OUTPUTS: list[tuple[list[str], str, str]] = [
    *((["cadre", "list"], fmt, ALL) for fmt in [*LISTS, "ids"]),
    *((["business", "list"], fmt, ALL) for fmt in [*LISTS, "ids"]),
    *((["batch", "list"], fmt, ALL) for fmt in [*LISTS, "ids"]),
    *((["history"], fmt, ALL) for fmt in LISTS),
    *((["settings", "agency-map"], fmt, AGENCIES) for fmt in ["table", "csv", "json", "jsonl", "markdown"]),
    *(
        (["export", what], fmt, ALL)
        for what in ("cadres", "batches", "enrollments", "businesses", "steps", "incomes")
        for fmt in EXPORTS
    ),
    *((["report", "batch", "BALL"], fmt, ALL) for fmt in [*REPORTS, "csv"]),
    *((["report", "agencies", "--with-contacts"], fmt, ALL) for fmt in [*REPORTS, "csv"]),
    *((["report", "agencies"], fmt, AGENCIES) for fmt in [*REPORTS, "csv"]),
    *((["report", "summary"], fmt, AGENCIES) for fmt in REPORTS),
    *((["report", "facilitation"], fmt, ALL) for fmt in [*REPORTS, "csv"]),
    *((["report", "pokja2", "--period", "2026"], fmt, [list(HOSTILE)[-1]]) for fmt in REPORTS),
    *((["settings", "pokja2"], fmt, [list(HOSTILE)[-1]]) for fmt in ["table", "csv", "json", "markdown"]),
    *((["group", "list"], fmt, ALL) for fmt in [*LISTS, "ids"]),
    *((["group", "assess"], fmt, ALL) for fmt in ["table", "csv", "json", "jsonl", "markdown"]),
    *((["referral", "list"], fmt, ALL) for fmt in [*LISTS, "ids"]),
]
# Outputs that carry no free text: the IDs, and a report whose main (CSV) table is figures only.
NO_STRINGS = {("report", "batch", "BALL", "csv"), ("batch", "list", "ids"), ("cadre", "list", "ids"),
              ("business", "list", "ids"), ("group", "list", "ids"), ("referral", "list", "ids")}  # fmt: skip


@pytest.mark.parametrize(("args", "fmt", "which"), OUTPUTS, ids=[f"{' '.join(a)} {f}" for a, f, _ in OUTPUTS])
def test_lists_exports_and_reports(hostile: Any, args: list[str], fmt: str, which: str) -> None:
    reg, run, db = hostile
    keys = [] if (*args, fmt) in NO_STRINGS else _expected(reg, which)
    run_output(run, db, args, fmt, keys)


SHOWS = [
    ("cadre", ["table", "json", "markdown"]),
    ("business", ["table", "json", "markdown"]),
    ("batch", ["table", "csv", "json", "markdown", "xlsx"]),
    ("report-batch", ["table", "json", "markdown"]),
    ("group", ["table", "json", "markdown"]),
    ("referral", ["table", "json", "markdown"]),
]


@pytest.mark.parametrize(("what", "formats"), SHOWS, ids=[w for w, _ in SHOWS])
def test_show_pages_of_every_record(hostile: Any, what: str, formats: list[str]) -> None:
    """Each hostile string has its own cadre, business, batch, group and referral: every one of
    their pages."""
    reg, run, db = hostile
    for key in HOSTILE:
        args = {
            "cadre": ["cadre", "show", reg.cadres[key]],
            "business": ["business", "show", reg.businesses[key]],
            "batch": ["batch", "show", reg.batches[key]],
            "report-batch": ["report", "batch", reg.batches[key]],
            "group": ["group", "show", reg.groups[key]],
            "referral": ["referral", "show", reg.referrals[key]],
        }[what]
        for fmt in formats:
            # batch show --format csv is the roster: names of cadres whose text is the string.
            run_output(run, db, args, fmt, [key])


# --- on a real terminal: Rich draws the styled lines ------------------------------------------------


TERMINAL_COMMANDS = [
    ["cadre", "list", "--wide", "--no-pager"],
    ["business", "list", "--wide", "--no-pager"],
    ["batch", "list", "--wide", "--no-pager"],
    ["history", "--wide", "--limit", "5000"],
    ["report", "batch", "BALL", "--wide"],
    ["report", "agencies", "--with-contacts", "--wide"],
    ["group", "list", "--wide", "--no-pager"],
    ["referral", "list", "--wide", "--no-pager"],
]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("args", TERMINAL_COMMANDS, ids=[" ".join(a[:2]) for a in TERMINAL_COMMANDS])
def test_on_a_terminal_only_up2k_own_styles_are_written(hostile: Any, args: list[str]) -> None:

    _reg, _run, db = hostile
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env |= {"UP2K_DB": str(db), "UP2K_TODAY": "2026-11-27", "UP2K_LANG": "en", "TERM": "xterm-256color",
            "PAGER": "cat", "LINES": "2000", "COLUMNS": "400", "PYTHONPATH": str(REPO)}  # fmt: skip
    code, raw, err = run_on_terminal([sys.executable, "-m", "up2k_cli", *args], env, columns=400, lines=2000)
    out = raw.decode("utf-8")
    if code != 0:
        FIGURES["crashes"] += 1
    assert code == 0, err.decode()
    FIGURES["outputs"] += 1
    sequences = {m.group(0) for m in ESCAPE_SEQUENCE.finditer(out)}
    assert sequences, "a terminal gets the bold titles"
    try:
        assert sequences <= OWN_STYLES, sequences - OWN_STYLES
        plain = ESCAPE_SEQUENCE.sub("", out)
        assert not unsafe_chars(plain, allow="\n\r")
        shown = {key for key, text in HOSTILE.items() if visible(text) in plain}
        assert shown == set(HOSTILE), set(HOSTILE) - shown
    except AssertionError:
        FIGURES["interpreted"] += 1
        raise
    FIGURES["cases"] += len(shown)


def test_every_hostile_string_was_stored_through_the_commands_or_planted(
    hostile_registry: HostileRegistry,
) -> None:
    """Input refuses what it must (control and bidi characters), and accepts the rest as text."""
    bidi = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    refused = {
        k
        for k, v in HOSTILE.items()
        if any(ch in bidi or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in v)
    }
    assert refused <= hostile_registry.planted
    assert "rich-close" not in hostile_registry.planted
    assert "md-link" not in hostile_registry.planted


def test_issue_15_fields_hold_every_hostile_string(hostile_registry: HostileRegistry) -> None:
    """The group, referral, update and follow-up of each string hold it in every free-text field
    they have, so the outputs above show it from there (not only from a cadre's name)."""
    data = json.loads(hostile_registry.data)
    tables = {name: list(data[name].values()) for name in
              ("groups", "memberships", "referrals", "referral_updates", "business_follow_ups")}  # fmt: skip
    for key, text in HOSTILE.items():
        gid, rid = hostile_registry.groups[key], hostile_registry.referrals[key]
        group = next(g for g in tables["groups"] if g["id"] == gid)
        referral = next(r for r in tables["referrals"] if r["id"] == rid)
        assert (group["name"], group["note"], referral["agency"], referral["note"]) == (text,) * 4, key
        assert any(m["group_id"] == gid and m["leave_reason"] == text for m in tables["memberships"]), key
        assert any(u["referral_id"] == rid and u["note"] == text for u in tables["referral_updates"]), key
        uid = hostile_registry.businesses[key]
        assert any(f["business_id"] == uid and f["note"] == text for f in tables["business_follow_ups"]), key


# --- the dashboard (HTML) ---------------------------------------------------------------------------

# Stored strings the dashboard shows: the kelurahan names of the registry's region, and the
# registry's own path. Planted there (no command renames a kelurahan), one hostile string each.
DASHBOARD_NAMES = ["html-script", "html-img", "html-entity", "esc-csi", "bidi-rlo"]
# Tags the dashboard writes itself; anything else would have come out of the data.
DASHBOARD_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "ul", "li",
                  "p", "nav", "a", "main", "section", "div", "figure", "figcaption", "svg", "rect", "line",
                  "polyline", "circle", "text", "table", "caption", "thead", "tbody", "tr", "th", "td",
                  "details", "summary", "footer"}  # fmt: skip


def test_the_dashboard_shows_hostile_names_as_text(hostile: Any) -> None:
    from html.parser import HTMLParser

    from tests.helpers import edit_registry
    from tests.security.conftest import _runner

    reg, _run, db = hostile
    hostile_path = db.with_name("<b>reg<img src=x> & 'q' \"x\".json")
    db.rename(hostile_path)

    def plant(data: dict[str, Any]) -> None:
        meta = next(iter(data["meta"].values()))
        for place, key in zip(meta["region"]["kelurahan"], DASHBOARD_NAMES, strict=True):
            place["name"] = HOSTILE[key]

    edit_registry(hostile_path, plant)
    out = db.with_name("dashboard.html")
    result = _runner(reg.env(hostile_path))("report", "dashboard", "--output", str(out))
    FIGURES["outputs"] += 1
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")

    class Page(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
            self.text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append((tag, attrs))

        def handle_data(self, data: str) -> None:
            self.text.append(data)

    page = Page()
    page.feed(html)
    assert {t for t, _ in page.tags} <= DASHBOARD_TAGS
    assert all(not name.startswith("on") for _t, attrs in page.tags for name, _v in attrs)
    assert not unsafe_chars(html), "raw characters in the page"
    words = "".join(page.text)
    for key in DASHBOARD_NAMES:
        assert visible(HOSTILE[key]) in words, (key, "not shown as text")
    assert str(hostile_path) in words
    FIGURES["cases"] += len(DASHBOARD_NAMES) + 1
