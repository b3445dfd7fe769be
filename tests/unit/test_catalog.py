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
    assert i18n._("Usage: ") == "Penggunaan: "
    assert i18n._("Error: {message}").format(message="x") == "Kesalahan: x"
    assert i18n._("a message nobody marked") == "a message nobody marked"
    i18n.install("en")
    assert i18n._("Usage: ") == "Usage: "


def test_a_lazy_message_is_english_as_data_and_indonesian_when_shown() -> None:
    import datetime as dt

    message = i18n.Msg(i18n.N_("{start} to {end}, as of {day}"), start=dt.date(2026, 8, 17),
                       end=dt.date(2026, 10, 5), day=dt.date(2026, 11, 27))  # fmt: skip
    i18n.install("id")
    assert str(message) == "2026-08-17 to 2026-10-05, as of 2026-11-27"
    assert i18n.localise(message) == "17 Agu 2026 s.d. 5 Okt 2026, per 27 Nov 2026"
    percent = i18n.Msg(i18n.N_("Enrolled below the minimum attendance ({minimum}%)"), minimum=12.5)
    assert i18n.localise(percent).endswith("(12,5%)")
    i18n.install("en")
    assert i18n.localise(message) == str(message)
