"""Keep the Indonesian catalog complete.

    python -m tools.catalog update   # add new messages to up2k_cli/locales/id/.../up2k.po
    python -m tools.catalog check    # list messages without an Indonesian translation (exit 1)

Messages come from three places: _() and N_() calls in up2k_cli/ (Babel's extractor), every
command's and option's help text (walked from the Typer app), and the help headings that
typer/core.py passes through the standard gettext ("Options", "default: {default}"; up2k_cli.i18n
makes our catalog the default text domain while Indonesian is current). The parser's own messages
(Typer's bundled Click: "Usage:", "No such option: ...") are plain English and stay English.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "up2k_cli"
PO = PACKAGE / "locales" / "id" / "LC_MESSAGES" / "up2k.po"
KEYWORDS = {"_": None, "N_": None}


def source_messages() -> dict[str, str]:
    """msgid -> where it is used."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=()
    ):
        if isinstance(message, str) and message:
            found.setdefault(message, f"up2k_cli/{filename}:{lineno}")
    return found


def help_messages() -> dict[str, str]:
    import typer

    from up2k_cli.cli.main import app

    found: dict[str, str] = {}

    def walk(command: object, path: str) -> None:
        for attr in ("help", "short_help"):
            text = getattr(command, attr, None)
            if text:
                found.setdefault(inspect.cleandoc(text), f"help of '{path}'")
        for param in getattr(command, "params", []):
            if getattr(param, "help", None):
                found.setdefault(param.help, f"help of '{path}' {param.name}")
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(typer.main.get_command(app), "up2k")
    return found


def typer_messages() -> dict[str, str]:
    """What typer/core.py translates with gettext.gettext (headings, 'default: ...', 'No such command')."""
    import typer

    folder = Path(typer.__file__).parent
    found: dict[str, str] = {}
    for filename, lineno, message, _c, _ctx in extract_from_dir(
        str(folder), method_map=[("core.py", "python")], keywords={"_": None}, comment_tags=()
    ):
        if isinstance(message, str) and message:
            found.setdefault(message, f"typer/{filename}:{lineno}")
    return found


def messages() -> dict[str, str]:
    """Every message up2k can show, with where it comes from."""
    return {**typer_messages(), **help_messages(), **source_messages()}


def load() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f, locale="id")


def missing() -> dict[str, str]:
    catalog = load()
    return {m: where for m, where in messages().items() if not _translated(catalog, m)}


def _translated(catalog: Catalog, msgid: str) -> bool:
    entry = catalog.get(msgid)
    if entry is None or entry.fuzzy:
        return False
    return bool(entry.string)


def update() -> int:
    catalog = load() if PO.exists() else Catalog(locale="id", project="up2k", domain="up2k")
    current = messages()
    gone = [m.id for m in catalog if m.id and m.id not in current]
    for msgid in gone:  # no longer shown anywhere (e.g. a help text that was reworded)
        del catalog[msgid]
    added = 0
    for msgid, where in current.items():
        if msgid not in catalog:
            catalog.add(msgid, "", locations=[(where, 0)])
            added += 1
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as f:
        write_po(f, catalog, width=100, sort_output=False, omit_header=False)
    print(
        f"{added} new message(s) added to {PO.relative_to(ROOT)}, {len(gone)} unused removed; "
        f"{len(missing())} untranslated"
    )
    return 0


def check() -> int:
    gaps = missing()
    for msgid, where in gaps.items():
        print(f"{where}: {msgid!r}")
    print(f"{len(gaps)} message(s) without Indonesian text", file=sys.stderr)
    return 1 if gaps else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    raise SystemExit({"update": update, "check": check}[command]())
