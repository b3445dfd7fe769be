"""Property tests for the parsers people feed the most varied text: NIK, phone, money."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from up2k_cli.domain import validators as v
from up2k_cli.domain.errors import ValidationError
from up2k_cli.services.common import kelurahan_choices
from up2k_cli.storage.presets import new_meta

KELURAHAN = kelurahan_choices(new_meta(dt.date(2026, 11, 27), dt.datetime(2026, 11, 27), 1))

# Birth dates whose two-digit year is unambiguous until 2039 (1940-1999 and 2000-2008).
birth_dates = st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2008, 12, 31))


@st.composite
def niks(draw: st.DrawFn) -> tuple[str, str, dt.date]:
    """A valid NIK with the sex and birth date it encodes."""
    province = draw(st.integers(11, 94))
    regency = draw(st.integers(0, 99))
    kecamatan = draw(st.integers(0, 99))
    born = draw(birth_dates)
    female = draw(st.booleans())
    serial = draw(st.integers(1, 9999))
    day = born.day + (40 if female else 0)
    nik = (
        f"{province:02d}{regency:02d}{kecamatan:02d}"
        f"{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    )
    return nik, ("P" if female else "L"), born


@given(niks())
def test_valid_nik_round_trips_with_its_sex_and_birth_date(
    case: tuple[str, str, dt.date],
) -> None:
    nik, sex, born = case
    assert v.parse_nik(nik) == nik
    assert v.nik_sex(nik) == sex
    assert v.nik_birth_date(nik) == born
    assert v.mask_nik(nik) == nik[:6] + "******" + nik[12:]


@given(niks(), st.sampled_from([" ", ".", "-"]))
def test_nik_written_in_groups_parses_to_the_same_digits(case: tuple[str, str, dt.date], sep: str) -> None:
    nik = case[0]
    grouped = sep.join([nik[:6], nik[6:12], nik[12:]])
    assert v.parse_nik(f" {grouped} ") == nik


@given(niks(), st.integers(0, 15))
def test_nik_with_a_digit_dropped_is_refused(case: tuple[str, str, dt.date], at: int) -> None:
    nik = case[0]
    with pytest.raises(ValidationError, match="must be 16 digits, this has 15"):
        v.parse_nik(nik[:at] + nik[at + 1 :])


@given(niks())
def test_nik_as_excel_shows_it_is_refused_with_the_hint(case: tuple[str, str, dt.date]) -> None:
    nik = case[0]
    for shown in (
        f"{nik[0]},{nik[1:6]}E+15",
        f"{int(nik):.5E}",
        f"{int(nik):.5E}".replace(".", ","),
    ):
        with pytest.raises(ValidationError) as info:
            v.parse_nik(shown)
        assert info.value.reason == v.SPREADSHEET_HINT


@given(niks())
def test_serial_0000_never_accepted(case: tuple[str, str, dt.date]) -> None:
    with pytest.raises(ValidationError, match="cannot be 0000"):
        v.parse_nik(case[0][:12] + "0000")


# --- phone -----------------------------------------------------------------------------------


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    """The subscriber part after +62: 8, an operator digit, then 7-10 digits."""
    operator = draw(st.sampled_from("1235789"))
    rest = draw(st.text(alphabet="0123456789", min_size=7, max_size=10))
    return "8" + operator + rest


def _grouped(digits: str, cuts: list[int], sep: str) -> str:
    points = sorted({c % len(digits) for c in cuts if c % len(digits)})
    parts, last = [], 0
    for point in points:
        parts.append(digits[last:point])
        last = point
    parts.append(digits[last:])
    return sep.join(parts)


@given(
    mobiles(),
    st.sampled_from(["0", "62", "+62", "+62 ", "62 ", "+62-", "(+62) ", "0"]),
    st.sampled_from(["", " ", "-", ".", " - "]),
    st.lists(st.integers(1, 12), max_size=3),
)
def test_any_written_form_of_a_mobile_normalises_to_the_same_plus_62(
    subscriber: str, prefix: str, sep: str, cuts: list[int]
) -> None:
    written = prefix + _grouped(subscriber, cuts, sep)
    assert v.parse_phone(written) == "+62" + subscriber
    assert v.parse_phone(v.parse_phone(written)) == "+62" + subscriber


@given(mobiles())
def test_local_and_international_forms_agree(subscriber: str) -> None:
    assert v.parse_phone("0" + subscriber) == v.parse_phone("+62" + subscriber)
    assert v.parse_phone("62" + subscriber) == v.parse_phone("+62 " + subscriber)


@given(st.sampled_from("1235789"), st.text(alphabet="0123456789", max_size=6))
def test_too_short_mobile_numbers_refused(operator: str, digits: str) -> None:
    with pytest.raises(ValidationError, match="not a mobile number"):
        v.parse_phone("08" + operator + digits)


# --- money -----------------------------------------------------------------------------------


def dotted(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


@given(
    st.integers(0, 10**12),
    st.sampled_from(["{}", "Rp {}", "Rp{}", "Rp. {}", "rp {}", "IDR {}", " {} "]),
    st.booleans(),
)
@example(1_500_000, "Rp {}", True)
def test_any_amount_written_in_indonesian_style_parses_back(
    amount: int, template: str, with_thousands: bool
) -> None:
    number = dotted(amount) if with_thousands else str(amount)
    assert v.parse_money(template.format(number)) == amount


@given(st.integers(0, 10**12))
def test_format_rupiah_round_trips(amount: int) -> None:
    assert v.parse_money(v.format_rupiah(amount)) == amount


@given(st.integers(0, 99_999), st.sampled_from(["jt", " jt", " juta", "jt."]))
def test_millions_with_one_decimal_parse_exactly(tenths: int, unit: str) -> None:
    text = f"{tenths // 10},{tenths % 10}{unit}"
    assert v.parse_money(text) == tenths * 100_000


@given(st.integers(0, 999_999), st.sampled_from(["rb", " rb", " ribu", "k"]))
def test_thousands_unit(amount: int, unit: str) -> None:
    assert v.parse_money(f"{amount}{unit}") == amount * 1000


@given(st.integers(1, 10**12))
def test_negative_amounts_always_refused(amount: int) -> None:
    for text in (f"-{amount}", f"-{dotted(amount)}", f"Rp -{dotted(amount)}"):
        with pytest.raises(ValidationError):
            v.parse_money(text)


# --- arbitrary text --------------------------------------------------------------------------

PARSERS = {
    "nik": v.parse_nik,
    "phone": v.parse_phone,
    "money": v.parse_money,
    "date": v.parse_date,
    "rt": lambda x: v.parse_rt_rw(x, "rt"),
    "count": lambda x: v.parse_count(x, "household_size"),
    "name": v.parse_name,
    "yes_no": lambda x: v.parse_yes_no(x, "consent"),
    "kelurahan": lambda x: v.match_choice(x, KELURAHAN, "kelurahan"),
}

# Text that looks like what the parsers expect, mixed with anything at all.
lookalike = st.one_of(
    st.text(),
    st.text(alphabet="0123456789.,+-eE /RpjtbkJTm", max_size=30),
    st.from_regex(r"\A(Rp ?)?[0-9.,]{1,20} ?(jt|rb|k|juta|m)?\Z"),
    st.from_regex(r"\A\+?[0-9 ()\-]{0,20}\Z"),
)


@pytest.mark.parametrize("name", list(PARSERS))
@given(text=lookalike)
def test_arbitrary_text_raises_only_validation_error(name: str, text: str) -> None:
    try:
        PARSERS[name](text)
    except ValidationError as error:
        assert error.reason
        assert str(error)
