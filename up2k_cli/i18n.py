"""Bahasa Indonesia or English, through gettext catalogs (up2k_cli/locales/*/LC_MESSAGES/up2k.po).

The language comes from --lang, else UP2K_LANG, else the locale (LANG=id_ID... means Indonesian),
else English. Messages are marked with _() where they are made and N_() where they are defined
ahead of time (column headers); English is the msgid, so English needs no catalog. Text that
goes into machine output as well (report titles, periods, notes, labels; check's problems) is a
Msg: English as data in CSV/JSON, translated with localise() where people read it.
Catalogs are compiled to .mo when the package is built (setup.py); a checkout that was never
built compiles them on first use. Typer takes its help headings ('Options', 'default: ...') from
the standard gettext.gettext: while Indonesian is current, that default text domain is ours.
The command-line parser's own words (Typer's bundled Click: 'Usage:', 'No such option: ...')
are plain English and stay English. This module imports nothing from up2k_cli.
"""

from __future__ import annotations

import datetime as dt
import gettext
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

DOMAIN = "up2k"
LOCALES = Path(__file__).with_name("locales")
LANGUAGES = ("en", "id")

_language = "en"
_translation: gettext.NullTranslations = gettext.NullTranslations()


def N_(message: str) -> str:
    """Mark a message for the catalog without translating it yet (it is translated when shown)."""
    return message


INTERRUPTED = N_("Interrupted (Ctrl-C): nothing more was written; the registry file is whole.")


def _(message: str) -> str:
    """The message in the current language."""
    return _translation.gettext(message)


def language() -> str:
    return _language


class Msg(str):
    """A message made now and shown later, in whatever language is current when it is shown.

    Its value as a str is the English text, so machine output (CSV, JSON, workbooks) stays the
    same in every language; localise() gives the text people read. The msgid must be marked
    with N_() where the Msg is made: Msg(N_("as of {day}"), day=date). Arguments may be Msgs
    themselves, dates (ISO in English, '17 Agu 2026' in Indonesian) or numbers (12.5 / 12,5).
    """

    msgid: str
    kwargs: dict[str, object]

    def __new__(cls, msgid: str, **kwargs: object) -> Msg:
        self = super().__new__(cls, msgid.format(**kwargs) if kwargs else msgid)
        self.msgid = msgid
        self.kwargs = kwargs
        return self

    def localised(self) -> str:
        if _language == "en":
            return str(self)
        text = _(self.msgid)
        return text.format(**{k: _localised_arg(v) for k, v in self.kwargs.items()}) if self.kwargs else text


def localise(text: object) -> str:
    """A Msg in the current language; any other text as it is."""
    return text.localised() if isinstance(text, Msg) else str(text)


class MsgList(Msg):
    """Messages one after the other ('members 3 of 5; bookkeeping'): English as a str, each part
    in the current language where people read it."""

    parts: tuple[object, ...]
    sep: str

    def __new__(cls, parts: Sequence[object], sep: str = "; ") -> MsgList:
        self = str.__new__(cls, sep.join(str(p) for p in parts))
        self.msgid, self.kwargs, self.parts, self.sep = str(self), {}, tuple(parts), sep
        return self

    def localised(self) -> str:
        return self.sep.join(localise(p) for p in self.parts)


class _Number:
    """A number formatted the Indonesian way: 12,5 and 4.000 (English: 12.5 and 4,000)."""

    def __init__(self, value: float) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec).translate(_SWAP_SEPARATORS)


_SWAP_SEPARATORS = str.maketrans(".,", ",.")


def _localised_arg(value: object) -> object:
    if isinstance(value, Msg):
        return value.localised()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return localised_date(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _Number(value)
    return value


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def localised_date(value: str | dt.date) -> str:
    """27 Nov 2026 in English; 17 Agu 2026, 5 Okt 2026 in Indonesian (CLDR month names)."""
    if not value:
        return ""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if _language == "en":
        return f"{date.day} {_MONTHS_EN[date.month - 1]} {date.year}"
    from babel.dates import format_date

    return format_date(date, "d MMM y", locale=_language)


def localised_number(value: float, pattern: str) -> str:
    """12.5 in English, 12,5 in Indonesian."""
    if _language == "en":
        return format(value, "." + str(pattern.count("0") - 1) + "f")
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##" + pattern, locale=_language)


def normalise(value: str) -> str | None:
    code = value.strip().lower().replace("-", "_")
    if code.startswith(("id", "in_")):
        return "id"
    if code.startswith(("en", "c", "posix")) or code == "":
        return "en"
    return None


def detect(argv: Sequence[str], environ: Mapping[str, str] = os.environ) -> str:
    """--lang (anywhere before '--'), else UP2K_LANG, else the POSIX locale variables."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return normalise(argv[i + 1]) or "en"
        if arg.startswith("--lang="):
            return normalise(arg.split("=", 1)[1]) or "en"
    if environ.get("UP2K_LANG"):
        return normalise(environ["UP2K_LANG"]) or "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return normalise(environ[name]) or "en"
    return "en"


def install(lang: str) -> None:
    """Switch our messages, and Typer's help headings, to `lang`."""
    global _language, _translation
    _language = lang if lang in LANGUAGES else "en"
    if _language == "en":
        _translation = gettext.NullTranslations()
        _leave_default_domain()
    else:
        localedir = compiled_locales()
        _translation = gettext.translation(DOMAIN, localedir, languages=[_language], fallback=True)
        _take_default_domain(localedir)


# The standard default text domain and $LANGUAGE as they were before Indonesian took them.
_saved_default: tuple[str, str | None] | None = None


def _take_default_domain(localedir: Path) -> None:
    """typer.core translates with gettext.gettext, which reads the default text domain and $LANGUAGE."""
    global _saved_default
    if _saved_default is None:
        _saved_default = (gettext.textdomain(), os.environ.get("LANGUAGE"))
    gettext.bindtextdomain(DOMAIN, str(localedir))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = _language


def _leave_default_domain() -> None:
    """Give the default text domain and $LANGUAGE back as they were (nothing to do at start-up)."""
    global _saved_default
    if _saved_default is None:
        return
    domain, language_variable = _saved_default
    _saved_default = None
    gettext.textdomain(domain)
    if language_variable is None:
        os.environ.pop("LANGUAGE", None)
    else:
        os.environ["LANGUAGE"] = language_variable


def compiled_locales() -> Path:
    """The folder holding compiled .mo catalogs; compiles stale or missing ones (dev checkouts)."""
    for po in LOCALES.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            try:
                compile_catalog(po, mo)
            except OSError:
                return _compile_to_cache()
    return LOCALES


def _compile_to_cache() -> Path:
    from platformdirs import user_cache_path

    cache = user_cache_path("up2k", appauthor=False) / "locales"
    for po in LOCALES.glob("*/LC_MESSAGES/*.po"):
        mo = cache / po.relative_to(LOCALES).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        compile_catalog(po, mo)
    return cache


def compile_catalog(po: Path, mo: Path) -> None:
    """.po -> .mo with Babel, written atomically."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parts[-3])
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    tmp = mo.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(buffer.getvalue())
    os.replace(tmp, mo)
