"""The Indonesian catalog is complete, and each translation keeps its message's placeholders."""

from __future__ import annotations

import string

import pytest

from tools import catalog
from up2k_cli import i18n


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.install("en")


def test_every_message_has_its_indonesian_text() -> None:
    gaps = catalog.missing()
    listed = "\n".join(f"  {where}: {msgid!r}" for msgid, where in sorted(gaps.items(), key=lambda kv: kv[1]))
    assert not gaps, (
        f"{len(gaps)} message(s) without Indonesian text; run 'python -m tools.catalog update' and "
        f"translate them in {catalog.PO.relative_to(catalog.ROOT)}:\n{listed}"
    )


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_translations_keep_the_placeholders() -> None:
    """A missing or renamed {placeholder} would crash .format() in Indonesian only.

    {s} (an English plural ending) is the one placeholder a translation may leave out.
    """
    wrong = []
    for message in catalog.load():
        if not message.id or not message.string:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        text = message.string[0] if isinstance(message.string, tuple) else message.string
        if _fields(msgid) - {"s"} != _fields(text) - {"s"}:
            wrong.append((msgid, text))
    assert wrong == []


def test_no_message_is_left_unused_in_the_catalog() -> None:
    used = catalog.messages()
    stale = [
        m.id for m in catalog.load() if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id) not in used
    ]
    assert stale == [], "run 'python -m tools.catalog update' to drop them"


def test_the_catalog_compiles_and_translates() -> None:
    i18n.install("id")
    assert i18n._("Error: {message}").format(message="x") == "Kesalahan: x"
    assert i18n._("a message nobody marked") == "a message nobody marked"
    i18n.install("en")
    assert i18n._("Error: {message}") == "Error: {message}"


def test_typer_headings_are_in_the_catalog() -> None:
    """typer/core.py translates these with the standard gettext; the catalog must carry them."""
    assert {"Options", "Commands", "default: {default}", "env var: {var}"} <= set(catalog.typer_messages())
    i18n.install("id")
    import gettext

    assert [gettext.gettext(m) for m in ("Options", "Commands")] == ["Opsi", "Perintah"]


def test_i18n_imports_nothing_from_up2k_cli() -> None:
    """It sits at the bottom of the package: everything else imports it, never the other way."""
    import ast
    from pathlib import Path

    imported: list[str] = []
    for node in ast.walk(ast.parse(Path(i18n.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append("." * node.level + (node.module or ""))
    assert "gettext" in imported
    assert [name for name in imported if name.startswith((".", "up2k_cli"))] == []


def test_i18n_at_work_loads_no_other_up2k_module() -> None:
    """The same, in a fresh process that uses every part of it (lazy imports included)."""
    import subprocess
    import sys

    script = (
        "import datetime as dt, sys\n"
        "from up2k_cli import i18n\n"
        "i18n.install('id')\n"
        "m = i18n.Msg(i18n.N_('{start} to {end}, as of {day}'), start=dt.date(2026, 8, 17),"
        " end=dt.date(2026, 10, 5), day=dt.date(2026, 11, 27))\n"
        "assert i18n.localise(m) == '17 Agu 2026 s.d. 5 Okt 2026, per 27 Nov 2026', i18n.localise(m)\n"
        "assert i18n.localised_number(12.5, '0.0') == '12,5'\n"
        "i18n.install('en')\n"
        "assert (i18n.localised_date('2026-11-27'), i18n.localised_number(12.5, '0.0')) == ('27 Nov 2026', '12.5')\n"
        "print(sorted(n for n in sys.modules if n.startswith('up2k_cli')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['up2k_cli', 'up2k_cli.i18n']"
