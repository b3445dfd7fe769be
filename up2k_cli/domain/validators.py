"""Parsers for what people type: each turns text into a clean value or a ValidationError.

Every input rule of the registry lives here once; register, update and import all call these.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from up2k_cli.i18n import N_, Msg

from .errors import ValidationError

# --- NIK -------------------------------------------------------------------------------------

_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_NIK_SEPARATORS = re.compile(r"[\s.\-]")
SPREADSHEET_HINT = N_(
    "the spreadsheet stored the NIK as a number and lost digits; "
    "format the column as Text and type the 16 digits again"
)


def parse_nik(value: str | None, field: str = "nik") -> str:
    """A valid 16-digit NIK, or ValidationError (spreadsheet damage gets its own hint)."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(field, value, Msg(N_("required: the 16-digit NIK from the KTP")))
    if _SCIENTIFIC.match(raw.replace(" ", "")):
        raise ValidationError(field, value, Msg(SPREADSHEET_HINT))
    nik = _NIK_SEPARATORS.sub("", raw)
    if not nik.isascii() or not nik.isdigit():
        raise ValidationError(field, value, Msg(N_("must be 16 digits (0-9) only")))
    if len(nik) < 16:
        raise ValidationError(
            field,
            value,
            Msg(
                N_(
                    "must be 16 digits, this has {count}; "
                    "a spreadsheet may have dropped digits, use a Text column"
                ),
                count=len(nik),
            ),
        )
    if len(nik) > 16:
        raise ValidationError(field, value, Msg(N_("must be 16 digits, this has {count}"), count=len(nik)))
    if not 11 <= int(nik[:2]) <= 94:
        raise ValidationError(field, value, Msg(N_("province code (first 2 digits) must be 11-94")))
    if _nik_birth_date(nik) is None:
        raise ValidationError(
            field, value, Msg(N_("digits 7-12 must be a birth date DDMMYY (women: day + 40)"))
        )
    if nik[12:] == "0000":
        raise ValidationError(field, value, Msg(N_("serial (last 4 digits) cannot be 0000")))
    return nik


EXACT_LIMIT = 2**53  # above this a spreadsheet number cannot hold every integer exactly


def nik_from_number(value: float, field: str = "nik") -> tuple[str, str]:
    """A NIK a spreadsheet stored as a number: (nik, note) when exact, else ValidationError.

    16 digits survive as a number only below 2^53 (and only if nothing rounded them before);
    above it, or with a fraction or exponent, the digits cannot be trusted.
    """
    if isinstance(value, float) and not value.is_integer():
        raise ValidationError(field, value, Msg(SPREADSHEET_HINT))
    number = int(value)
    if number >= EXACT_LIMIT:
        raise ValidationError(
            field,
            number,
            Msg(
                N_(
                    "stored as a number above 2^53, where a spreadsheet loses digits; "
                    "format the column as Text and type the 16 digits again"
                )
            ),
        )
    nik = parse_nik(str(number), field)
    return nik, Msg(N_("stored as a number, but below 2^53 so exact; keep NIKs in a Text column"))


def _nik_birth_date(nik: str, today: dt.date | None = None) -> dt.date | None:
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40
    today = today or process_today()
    valid = []
    for year in (2000 + year2, 1900 + year2):
        try:
            valid.append(dt.date(year, month, day))
        except ValueError:
            continue
    # The latest century that does not put the birth in the future.
    return next((d for d in valid if d <= today), valid[-1] if valid else None)


@functools.cache
def process_today() -> dt.date:
    """Today's date, read once per command (a command may run past midnight)."""
    return dt.date.today()


def nik_sex(nik: str) -> str:
    """'P' (perempuan) when the NIK's day is over 40, else 'L' (laki-laki)."""
    return "P" if int(nik[6:8]) > 40 else "L"


def nik_birth_date(nik: str, today: dt.date | None = None) -> dt.date:
    """Birth date from a valid NIK; the century is the latest one not in the future."""
    date = _nik_birth_date(nik, today)
    assert date is not None, "nik_birth_date needs a NIK that passed parse_nik"
    return date


def mask_nik(nik: str | None) -> str:
    """Keep the issuing region and the serial, hide the birth date: 317406******0001."""
    if not nik:
        return ""
    if len(nik) != 16 or not nik.isdigit():
        return nik  # not an NIK (e.g. "(erased)"): nothing to hide
    return nik[:6] + "*" * 6 + nik[12:]


# --- phone -----------------------------------------------------------------------------------

_PHONE_JUNK = re.compile(r"[\s\-.()/]")
_MOBILE = re.compile(r"8[1-35-9]\d{7,10}")


def parse_phone(value: str | None, field: str = "phone") -> str:
    """An Indonesian mobile number as +62..., from 08..., 62..., +62 ... with any separators."""
    raw = (value or "").strip()
    digits = _PHONE_JUNK.sub("", raw)
    if digits.startswith("+62"):
        rest = digits[3:]
    elif digits.startswith("62"):
        rest = digits[2:]
    elif digits.startswith("0"):
        rest = digits[1:]
    else:
        raise ValidationError(field, value, Msg(N_("write a mobile number as 08..., 62 8... or +62 8...")))
    if not (rest.isascii() and _MOBILE.fullmatch(rest)):
        raise ValidationError(
            field, value, Msg(N_("not a mobile number: 08 then 8-11 digits, e.g. 0812-3456-7890"))
        )
    return "+62" + rest


# --- money -----------------------------------------------------------------------------------

_MONEY_PREFIX = re.compile(r"^(rp\.?|idr)\s*")
_MONEY_SUFFIX = re.compile(r"^(?P<num>\d+(?:[.,]\d+)?)\s*(?P<unit>jt|juta|rb|ribu|k|m|miliar|milyar)\.?$")
_UNITS = {"jt": 10**6, "juta": 10**6, "rb": 10**3, "ribu": 10**3, "k": 10**3}
_DOTTED = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?$")
_COMMAED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?$")
MAX_RUPIAH = 10**12


def parse_money(value: str | int | None, field: str = "income") -> int:
    """Whole Rupiah from 'Rp 1.500.000', '1.500.000', '1500000', '1,5 jt', '750 rb'."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _check_amount(value, value, field)
    raw = (value or "").strip()
    text = _MONEY_PREFIX.sub("", raw.lower()).replace(" ", "") if raw else ""
    if not text:
        raise ValidationError(field, value, Msg(N_("required: an amount in Rupiah, e.g. 1.500.000")))
    if not text.isascii():
        raise ValidationError(
            field, value, Msg(N_("not an amount: write Rupiah like 1.500.000, Rp 1.500.000 or 1,5 jt"))
        )
    if sum(ch.isdigit() for ch in text) > 15:  # beyond any household amount, and beyond float
        return _check_amount(MAX_RUPIAH + 1, value, field)
    if m := _MONEY_SUFFIX.match(text):
        unit = m["unit"]
        if unit not in _UNITS:
            raise ValidationError(field, value, Msg(N_("use jt (juta) or rb (ribu), e.g. 1,5 jt")))
        number = float(m["num"].replace(",", "."))
        return _check_amount(round(number * _UNITS[unit]), value, field)
    if text.isascii() and text.isdigit():
        return _check_amount(int(text), value, field)
    if _DOTTED.match(text):
        whole, _, cents = text.partition(",")
        return _check_amount(_whole(whole.replace(".", ""), cents, value, field), value, field)
    if _COMMAED.match(text):
        whole, _, cents = text.partition(".")
        return _check_amount(_whole(whole.replace(",", ""), cents, value, field), value, field)
    raise ValidationError(
        field, value, Msg(N_("not an amount: write Rupiah like 1.500.000, Rp 1.500.000 or 1,5 jt"))
    )


def _whole(digits: str, cents: str, value: object, field: str) -> int:
    if cents and int(cents) != 0:
        raise ValidationError(field, value, Msg(N_("Rupiah amounts are whole numbers, drop the cents")))
    return int(digits)


def _check_amount(amount: int, value: object, field: str) -> int:
    if amount < 0:
        raise ValidationError(field, value, Msg(N_("cannot be negative")))
    if amount > MAX_RUPIAH:
        raise ValidationError(field, value, Msg(N_("too large for a household amount; check the digits")))
    return amount


def format_rupiah(amount: int | None) -> str:
    """Rp 1.500.000, as Indonesian readers expect."""
    if amount is None:
        return ""
    return "Rp " + f"{amount:,}".replace(",", ".")


# --- dates -----------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$")
_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def parse_date(value: str | dt.date | None, field: str = "date") -> dt.date:
    """A date from ISO 2026-11-27 or Indonesian 27/11/2026 (day first)."""
    if isinstance(value, dt.date):
        return value
    raw = (value or "").strip()
    try:
        if m := _DMY.match(raw):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if len(raw) == 10 and raw[4] == "-":
            return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(field, value, Msg(N_("no such day in the calendar"))) from None
    raise ValidationError(field, value, Msg(N_("write dates as 2026-11-27 or 27/11/2026")))


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    import calendar

    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def format_date(value: str | dt.date | None) -> str:
    """27 Nov 2026, for tables people read."""
    if not value:
        return ""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{date.day} {_MONTHS_EN[date.month - 1]} {date.year}"


def in_future(today: dt.date) -> Msg:
    return Msg(N_("is in the future (today is {today})"), today=today)


def not_in_future(date: dt.date, field: str, today: dt.date) -> dt.date:
    if date > today:
        raise ValidationError(field, date.isoformat(), in_future(today))
    return date


# --- small fields ----------------------------------------------------------------------------

_RT_RW = re.compile(r"^(?:rt|rw)?\.?\s*0*(\d{1,3})$")
_SPACES = re.compile(r"\s+")


def parse_rt_rw(value: str | int | None, field: str) -> str:
    """RT or RW as three digits: '5', '05', 'RT 005' -> '005'."""
    raw = str(value if value is not None else "").strip().lower()
    m = _RT_RW.match(raw)
    if not m or not raw.isascii() or int(m[1]) == 0:
        raise ValidationError(
            field, value, Msg(N_("write the {name} as a number 1-999, e.g. 005"), name=field.upper())
        )
    return f"{int(m[1]):03d}"


# Characters that change how a terminal or an editor shows text rather than being text: control
# codes (ESC, BEL, DEL, the 8-bit CSI U+009B) and the bidirectional overrides (U+202E).
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def plain_text(text: str, field: str, value: object) -> str:
    """Refuse free text that holds a control character: stored, it could drive a terminal."""
    for ch in text:
        if unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS:
            raise ValidationError(
                field,
                value,
                Msg(
                    N_("holds a control character (U+{code}) that could change what screens show; remove it"),
                    code=f"{ord(ch):04X}",
                ),
            )
    return text


def parse_name(value: str | None, field: str = "name") -> str:
    text = _SPACES.sub(" ", (value or "").strip())
    if not text:
        raise ValidationError(field, value, Msg(N_("required: the full name as on the KTP")))
    if len(text) > 100:
        raise ValidationError(field, value, too_long(100))
    if not any(ch.isalpha() for ch in text):
        raise ValidationError(field, value, Msg(N_("must be letters (a name), not numbers or symbols")))
    return plain_text(text, field, value)


def parse_text(value: str | None, field: str, required: bool = False, limit: int = 200) -> str:
    text = _SPACES.sub(" ", (value or "").strip())
    if required and not text:
        raise ValidationError(field, value, required_field(field))
    if len(text) > limit:
        raise ValidationError(field, value, too_long(limit))
    return plain_text(text, field, value)


def required_field(name: str) -> Msg:
    return Msg(N_("required: give the {name}"), name=name)


def too_long(limit: int) -> Msg:
    return Msg(N_("longer than {limit} characters"), limit=limit)


def whole_number(low: int, high: int) -> Msg:
    return Msg(N_("must be a whole number from {low} to {high}"), low=low, high=high)


def parse_count(value: str | int | None, field: str, low: int = 1, high: int = 30) -> int:
    raw = str(value if value is not None else "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or not low <= int(raw) <= high:
        raise ValidationError(field, value, whole_number(low, high))
    return int(raw)


_YES = {"ya", "y", "yes", "1", "true", "setuju", "bersedia", "iya"}
_NO = {"tidak", "no", "n", "0", "false", "tidak setuju", "tdk", "t"}


def parse_yes_no(value: str | bool | None, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = _SPACES.sub(" ", (value or "").strip().lower())
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValidationError(field, value, Msg(N_("answer ya/yes or tidak/no")))


# --- names from a list (kelurahan, categories) -----------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One allowed value with the spellings people use for it."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()


def choice_label(key: str | None, choices: tuple[Choice, ...]) -> Msg | None:
    """The label people read for a stored key (English in machine output, translated where shown)."""
    found = next((c for c in choices if c.key == key), None)
    return Msg(found.label) if found else None


_PREFIXES = re.compile(r"^(kelurahan|kel)\s+")
_ABBREVIATIONS = {"brt": "barat", "sel": "selatan", "slt": "selatan", "tim": "timur"}


# Cyrillic and Greek letters drawn like Latin ones (Unicode's confusables, for the letters of
# names): a name typed with a look-alike is still the same name.
_LOOK_ALIKES = str.maketrans(
    "АВЕЅІЈКМНОРСТХУаеіјоорсухѕԁһӏԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοιν",
    "ABESIJKMHOPCTXYaeijoopcyxsdhlqwABEZHIKMNOPTYXaoiv",
)


_NOT_ASCII_ALNUM = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=65536)
def name_key(name: str | None) -> str:
    """What a name is compared and searched by: letters and digits only, lower case, without
    diacritics; look-alike letters of other scripts (Cyrillic А) and invisible characters (zero
    width spaces) folded away, so 'Nur'aini', 'Nuraini' and 'NURAINI' are one key. (Names repeat:
    an import of 50,000 rows asks for a few thousand keys, each twice.)"""
    if name is not None and name.isascii():  # the normalisations change nothing in ASCII
        return _NOT_ASCII_ALNUM.sub("", name.lower())
    text = unicodedata.normalize("NFKC", name or "").translate(_LOOK_ALIKES)
    bare = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in bare.casefold() if ch.isalnum() and unicodedata.category(ch) != "Mn")


@functools.lru_cache(maxsize=4096)
def normalise_label(text: str) -> str:
    """Lower case, punctuation to spaces, no 'Kel.' prefix, common abbreviations expanded."""
    words = re.sub(r"[.,/\-_]+", " ", text.lower()).split()
    joined = _PREFIXES.sub("", " ".join(words))
    return "".join(_ABBREVIATIONS.get(w, w) for w in joined.split())


_LOOKUPS: dict[int, tuple[tuple[Choice, ...], dict[str, Choice]]] = {}


def _spellings(choices: tuple[Choice, ...]) -> dict[str, Choice]:
    """Every spelling of every choice, normalised; built once per list (found by identity, since
    hashing the list on each of 50,000 imported rows costs more than the lookup itself)."""
    hit = _LOOKUPS.get(id(choices))
    if hit is not None and hit[0] is choices:
        return hit[1]
    lookup: dict[str, Choice] = {}
    for choice in choices:
        for spelling in (choice.key, choice.label, *choice.aliases):
            lookup.setdefault(normalise_label(spelling), choice)
    _LOOKUPS[id(choices)] = (choices, lookup)
    return lookup


SHORTEST_START = 3


def _by_start(wanted: str, choices: tuple[Choice, ...]) -> Choice | None:
    """An unambiguous beginning of one choice's name: 'gandaria', 'cipete', 'pondok', 'lebak'."""
    if len(wanted) < SHORTEST_START or wanted.isdigit():
        return None
    starting = {c.key: c for c in choices if normalise_label(c.label).startswith(wanted)}
    return next(iter(starting.values())) if len(starting) == 1 else None


def match_choice(value: str | None, choices: tuple[Choice, ...], field: str) -> Choice:
    """The choice a spelling means; a near miss says 'did you mean'."""
    raw = (value or "").strip()
    lookup = _spellings(choices)
    if raw:
        found = lookup.get(normalise_label(raw))
        if found is not None:
            return found
        found = _by_start(normalise_label(raw), choices)
        if found is not None:
            return found
    names = ", ".join(c.label for c in choices)
    if not raw:
        raise ValidationError(field, value, Msg(N_("required: one of {names}"), names=names))
    wanted = normalise_label(raw)
    import difflib  # only for a near miss

    close = difflib.get_close_matches(wanted, list(lookup), n=1, cutoff=0.75)
    if close:
        raise ValidationError(
            field, value, Msg(N_("unknown; did you mean {name}?"), name=repr(lookup[close[0]].label))
        )
    raise ValidationError(field, value, Msg(N_("unknown; use one of {names}"), names=names))
