"""Every input rule in domain/validators.py, with the values people actually type."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import make_nik
from up2k_cli.domain import validators as v
from up2k_cli.domain.errors import ValidationError
from up2k_cli.services.common import kelurahan_choices
from up2k_cli.storage.presets import new_meta

KELURAHAN = kelurahan_choices(new_meta(dt.date(2026, 11, 27), dt.datetime(2026, 11, 27), 1))


def refused(parse, *args) -> ValidationError:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        parse(*args)
    return info.value


# --- NIK -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "nik"),
    [
        ("3174065103900001", "3174065103900001"),
        ("  3174065103900001 ", "3174065103900001"),
        ("317406 510390 0001", "3174065103900001"),
        ("3174.0651.0390.0001", "3174065103900001"),
        ("317406-510390-0001", "3174065103900001"),
        ("1101011101010001", "1101011101010001"),  # province 11, the lowest
        ("9401011101010001", "9401011101010001"),  # province 94, the highest
        ("3174066902000001", "3174066902000001"),  # a woman born 29 Feb 2000
    ],
)
def test_nik_accepts_valid_numbers(text: str, nik: str) -> None:
    assert v.parse_nik(text) == nik


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "required"),
        (None, "required"),
        ("123", "must be 16 digits, this has 3; a spreadsheet may have dropped digits"),
        ("317406510390001", "this has 15"),
        ("31740651039000011", "must be 16 digits, this has 17"),
        ("31740651039O0001", "16 digits (0-9) only"),
        ("٣١٧٤٠٦٥١٠٣٩٠٠٠٠١", "16 digits (0-9) only"),
        ("1074065103900001", "province code (first 2 digits) must be 11-94"),
        ("9574065103900001", "province code (first 2 digits) must be 11-94"),
        ("0074065103900001", "province code"),
        ("3174063203900001", "birth date DDMMYY"),  # day 32
        ("3174067203900001", "birth date DDMMYY"),  # day 72 = 32 for a woman
        ("3174060003900001", "birth date DDMMYY"),  # day 00
        ("3174064003900001", "birth date DDMMYY"),  # day 40 = 0 for a woman
        ("3174061113900001", "birth date DDMMYY"),  # month 13
        ("3174061100900001", "birth date DDMMYY"),  # month 00
        ("3174062902010001", "birth date DDMMYY"),  # 29 Feb 2001 / 1901: no such day
        ("3174065103900000", "serial (last 4 digits) cannot be 0000"),
    ],
)
def test_nik_refuses_bad_numbers(text: str | None, reason: str) -> None:
    error = refused(v.parse_nik, text)
    assert error.field == "nik"
    assert error.value == text
    assert reason in error.reason


@pytest.mark.parametrize("text", ["3,17406E+15", "3.17406E+15", "3,174065E+15", "3.17406e+15", "3,17406E15"])
def test_nik_in_scientific_notation_gets_the_spreadsheet_hint(text: str) -> None:
    error = refused(v.parse_nik, text)
    assert error.reason == v.SPREADSHEET_HINT
    assert "spreadsheet" in str(error)
    assert text in str(error)


def test_nik_error_message_names_field_and_value() -> None:
    assert str(refused(v.parse_nik, "123")).startswith("nik '123': must be 16 digits")


@pytest.mark.parametrize(
    ("nik", "sex", "born"),
    [
        ("3174065103900001", "P", dt.date(1990, 3, 11)),  # woman: day 51 - 40
        ("3174061103900001", "L", dt.date(1990, 3, 11)),
        ("3174067112850002", "P", dt.date(1985, 12, 31)),
        ("3174064101050003", "P", dt.date(2005, 1, 1)),
        ("3174060101000004", "L", dt.date(2000, 1, 1)),
        ("3174062902600005", "L", dt.date(1960, 2, 29)),
    ],
)
def test_sex_and_birth_date_come_from_the_nik(nik: str, sex: str, born: dt.date) -> None:
    assert v.nik_sex(nik) == sex
    assert v.nik_birth_date(nik) == born


def test_birth_date_century_is_the_latest_not_after_today() -> None:
    today = dt.date(2026, 11, 27)
    assert v._nik_birth_date("3174061101260001", today=today) == dt.date(2026, 1, 11)
    assert v._nik_birth_date("3174061101270001", today=today) == dt.date(1927, 1, 11)
    assert v._nik_birth_date("3174061101990001", today=today) == dt.date(1999, 1, 11)


def test_birth_date_is_never_in_the_future() -> None:
    today = dt.date(2026, 11, 27)
    assert v._nik_birth_date("3174063112260001", today=today) == dt.date(1926, 12, 31)
    assert v._nik_birth_date("3174062811260001", today=today) == dt.date(1926, 11, 28)


@pytest.mark.parametrize(
    ("nik", "masked"),
    [("3174065103900001", "317406******0001"), ("", ""), (None, "")],
)
def test_mask_nik_keeps_region_and_serial(nik: str | None, masked: str) -> None:
    assert v.mask_nik(nik) == masked


def test_make_nik_helper_builds_valid_niks() -> None:
    assert make_nik(1) == "3174065103900001"
    assert v.parse_nik(make_nik(9999, day=31, month=12, year=5, female=False)) == ("3174063112059999")


# --- phone -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "0812.3456.7890",
        "(0812) 3456-7890",
        "+6281234567890",
        "+62 812 3456 7890",
        "+62 812-3456-7890",
        "+62-812-3456-7890",
        "6281234567890",
        "62 812 3456 7890",
        " 0812-3456-7890 ",
    ],
)
def test_phone_variants_normalise_to_plus_62(text: str) -> None:
    assert v.parse_phone(text) == "+6281234567890"


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("0812345678", "+62812345678"),  # 08 + 8 digits, the shortest
        ("0812345678901", "+62812345678901"),  # 08 + 11 digits, the longest
        ("0852 1111 2222", "+6285211112222"),
        ("0895-1234-5678", "+6289512345678"),
        ("0881 2345 678", "+628812345678"),
    ],
)
def test_phone_length_limits_and_operators(text: str, normal: str) -> None:
    assert v.parse_phone(text) == normal


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0812-345", "not a mobile number"),
        ("081234567", "not a mobile number"),  # 08 + 7 digits
        ("08123456789012", "not a mobile number"),  # 08 + 12 digits
        ("0842-3456-7890", "not a mobile number"),  # 84 is not a mobile prefix
        ("0802-3456-7890", "not a mobile number"),
        ("021-7654321", "not a mobile number"),  # a Jakarta landline
        ("+62 21 765 4321", "not a mobile number"),
        ("0812-3456-789a", "not a mobile number"),
        ("0812-٣٤٥٦-7890", "not a mobile number"),
        ("812-3456-7890", "write a mobile number as 08..."),
        ("+1 555 123 4567", "write a mobile number as 08..."),
        ("", "write a mobile number as 08..."),
        ("tidak ada", "write a mobile number as 08..."),
    ],
)
def test_phone_refuses_what_is_not_a_mobile_number(text: str, reason: str) -> None:
    error = refused(v.parse_phone, text)
    assert error.field == "phone"
    assert error.value == text
    assert reason in error.reason


# --- money -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("Rp 1.500.000", 1_500_000),
        ("Rp1.750.000", 1_750_000),
        ("Rp. 1.500.000", 1_500_000),
        ("rp 1.500.000", 1_500_000),
        ("RP 1.500.000", 1_500_000),
        ("IDR 1.500.000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("1.500.000,00", 1_500_000),
        ("1500000", 1_500_000),
        ("  1500000  ", 1_500_000),
        ("1,5 jt", 1_500_000),
        ("1,5jt", 1_500_000),
        ("1.5 jt", 1_500_000),
        ("1,5 juta", 1_500_000),
        ("2 jt", 2_000_000),
        ("Rp 2,25 jt", 2_250_000),
        ("750 rb", 750_000),
        ("750rb", 750_000),
        ("750 ribu", 750_000),
        ("750k", 750_000),
        ("500", 500),
        ("0", 0),
        ("Rp 0", 0),
        ("1.000", 1_000),
    ],
)
def test_money_accepts_the_ways_rupiah_are_written(text: str, amount: int) -> None:
    assert v.parse_money(text) == amount


def test_money_accepts_integers() -> None:
    assert v.parse_money(1_500_000) == 1_500_000


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "required"),
        (None, "required"),
        ("Rp", "required"),
        ("banyak", "not an amount"),
        ("-1.500.000", "not an amount"),
        ("Rp -500.000", "not an amount"),
        ("1,5", "not an amount"),  # a decimal without a unit is ambiguous
        ("1.50.000", "not an amount"),
        ("1.500.000,50", "drop the cents"),
        ("1 m", "use jt (juta) or rb (ribu)"),
        ("2 miliar", "use jt (juta) or rb (ribu)"),
        ("10.000.000.000.000", "too large"),
        ("1,5 jt jt", "not an amount"),
        ("1500000 rupiah", "not an amount"),
        ("²", "not an amount"),
    ],
)
def test_money_refuses_negatives_and_garbage(text: str | None, reason: str) -> None:
    error = refused(v.parse_money, text)
    assert error.field == "income"
    assert reason in error.reason


def test_money_refuses_negative_integers() -> None:
    assert refused(v.parse_money, -1).reason == "cannot be negative"


@pytest.mark.parametrize("text", ["1" * 5000, "1" * 400 + " jt"])
def test_money_refuses_absurdly_long_numbers_as_a_field_error(text: str) -> None:
    error = refused(v.parse_money, text)
    assert "too large" in error.reason


@pytest.mark.parametrize(("amount", "text"), [(1_500_000, "Rp 1.500.000"), (0, "Rp 0")])
def test_format_rupiah(amount: int, text: str) -> None:
    assert v.format_rupiah(amount) == text
    assert v.parse_money(text) == amount


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2026-11-27", dt.date(2026, 11, 27)),
        ("27/11/2026", dt.date(2026, 11, 27)),
        (" 27/11/2026 ", dt.date(2026, 11, 27)),
        ("7/1/2026", dt.date(2026, 1, 7)),
        ("07/01/2026", dt.date(2026, 1, 7)),
        ("27-11-2026", dt.date(2026, 11, 27)),
        ("27.11.2026", dt.date(2026, 11, 27)),
        ("29/02/2024", dt.date(2024, 2, 29)),
    ],
)
def test_dates_iso_and_day_first(text: str, date: dt.date) -> None:
    assert v.parse_date(text) == date


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/2026", "no such day"),
        ("2026-02-30", "no such day"),
        ("11/27/2026", "no such day"),  # month first is not how Indonesians write dates
        ("29/02/2025", "no such day"),
        ("2026/11/27", "write dates as 2026-11-27 or 27/11/2026"),
        ("27/11/26", "write dates as 2026-11-27 or 27/11/2026"),
        ("kemarin", "write dates as 2026-11-27 or 27/11/2026"),
        ("", "write dates as"),
    ],
)
def test_dates_refused(text: str, reason: str) -> None:
    error = refused(v.parse_date, text, "registered_on")
    assert error.field == "registered_on"
    assert reason in error.reason


def test_not_in_future() -> None:
    today = dt.date(2026, 11, 27)
    assert v.not_in_future(today, "registered_on", today) == today
    error = refused(v.not_in_future, dt.date(2026, 11, 28), "registered_on", today)
    assert "is in the future (today is 2026-11-27)" in error.reason


def test_format_date() -> None:
    assert v.format_date("2026-11-27") == "27 Nov 2026"
    assert v.format_date(dt.date(2026, 1, 7)) == "7 Jan 2026"
    assert v.format_date(None) == ""


# --- RT / RW ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("5", "005"),
        ("05", "005"),
        ("005", "005"),
        ("0005", "005"),
        (" 5 ", "005"),
        ("RT 005", "005"),
        ("rt.5", "005"),
        ("RW 03", "003"),
        ("RW. 12", "012"),
        ("999", "999"),
        (12, "012"),
    ],
)
def test_rt_rw_normalised_to_three_digits(text: str | int, normal: str) -> None:
    assert v.parse_rt_rw(text, "rt") == normal


@pytest.mark.parametrize("text", ["0", "000", "1000", "abc", "", None, "5a", "-1", "٥", "RT"])
def test_rt_rw_refused(text: str | None) -> None:
    error = refused(v.parse_rt_rw, text, "rw")
    assert error.field == "rw"
    assert "write the RW as a number 1-999" in error.reason


# --- kelurahan and business categories -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Pondok Labu", "31.74.06.1003"),
        ("Kel. Pondok Labu", "31.74.06.1003"),
        ("Kel.Pondok Labu", "31.74.06.1003"),
        ("Kelurahan Pondok Labu", "31.74.06.1003"),
        ("PONDOK LABU", "31.74.06.1003"),
        ("pondok labu", "31.74.06.1003"),
        ("pondok  labu", "31.74.06.1003"),
        ("  Pondok Labu  ", "31.74.06.1003"),
        ("31.74.06.1003", "31.74.06.1003"),
        ("1003", "31.74.06.1003"),
        ("Cilandak Barat", "31.74.06.1001"),
        ("Cilandak Brt", "31.74.06.1001"),
        ("Lebak Bulus", "31.74.06.1002"),
        ("Gandaria Selatan", "31.74.06.1004"),
        ("Gandaria Sel.", "31.74.06.1004"),
        ("Kel. Cipete Selatan", "31.74.06.1005"),
        ("31.74.06.1005", "31.74.06.1005"),
    ],
)
def test_kelurahan_matching(text: str, code: str) -> None:
    assert v.match_choice(text, KELURAHAN, "kelurahan").key == code


def test_kelurahan_near_miss_says_did_you_mean() -> None:
    error = refused(v.match_choice, "Pondok Lbu", KELURAHAN, "kelurahan")
    assert str(error) == "kelurahan 'Pondok Lbu': unknown; did you mean 'Pondok Labu'?"


def test_kelurahan_near_miss_with_prefix_and_case() -> None:
    error = refused(v.match_choice, "KEL. LEBAK BULUSS", KELURAHAN, "kelurahan")
    assert "did you mean 'Lebak Bulus'?" in error.reason


@pytest.mark.parametrize("text", ["Cilandak Timur", "Kemang", "Jagakarsa"])
def test_kelurahan_outside_cilandak_lists_the_five(text: str) -> None:
    error = refused(v.match_choice, text, KELURAHAN, "kelurahan")
    assert error.reason == (
        "unknown; use one of Cilandak Barat, Lebak Bulus, Pondok Labu, Gandaria Selatan, Cipete Selatan"
    )


def test_kelurahan_required() -> None:
    assert refused(v.match_choice, "", KELURAHAN, "kelurahan").reason.startswith("required")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("kuliner", "Kuliner"),
        ("KULINER", "Kuliner"),
        ("Warung", "Perdagangan/Warung"),
        ("Fesyen", "Fesyen/Konveksi"),
        ("konveksi", "Fesyen/Konveksi"),
        ("Pertanian perkotaan", "Pertanian perkotaan/Perikanan"),
        ("Kerajinan", "Kerajinan"),
        ("Jasa", "Jasa"),
        ("lain-lain", "Lainnya"),
    ],
)
def test_business_categories(text: str, label: str) -> None:
    from up2k_cli.domain.cadre import BUSINESS_CATEGORIES

    assert v.match_choice(text, BUSINESS_CATEGORIES, "business_type").label == label


def test_business_category_unknown() -> None:
    from up2k_cli.domain.cadre import BUSINESS_CATEGORIES

    error = refused(v.match_choice, "Tambang", BUSINESS_CATEGORIES, "business_type")
    assert error.reason.startswith("unknown; use one of Kuliner, Fesyen/Konveksi")


# --- small fields ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [("Siti Aminah", "Siti Aminah"), ("  Siti   Aminah ", "Siti Aminah"), ("Ni Made Ayu", None)],
)
def test_name_cleaned(text: str, name: str | None) -> None:
    assert v.parse_name(text) == (name or text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "required"),
        ("   ", "required"),
        ("12345", "must be letters"),
        ("---", "must be letters"),
        ("Siti\x00Aminah", "control character (U+0000)"),
        ("Siti\x1b[31mAminah", "control character (U+001B)"),
        ("Siti\u202eAminah", "control character (U+202E)"),
        ("A" * 101, "longer than 100 characters"),
    ],
)
def test_name_refused(text: str, reason: str) -> None:
    assert reason in refused(v.parse_name, text).reason


@pytest.mark.parametrize(("text", "count"), [("1", 1), ("4", 4), (" 30 ", 30), (7, 7)])
def test_household_size(text: str | int, count: int) -> None:
    assert v.parse_count(text, "household_size") == count


@pytest.mark.parametrize("text", ["0", "31", "abc", "4.5", "-1", "", "٤"])
def test_household_size_refused(text: str) -> None:
    error = refused(v.parse_count, text, "household_size")
    assert error.reason == "must be a whole number from 1 to 30"


def test_household_size_absurdly_long_number_is_a_field_error() -> None:
    refused(v.parse_count, "9" * 5000, "household_size")


@pytest.mark.parametrize("text", ["Ya", "ya ", "YES", "y", "1", "true", "Setuju", "iya"])
def test_yes(text: str) -> None:
    assert v.parse_yes_no(text, "consent") is True


@pytest.mark.parametrize("text", ["Tidak", "no", "N", "0", "false", "tidak setuju", "TDK"])
def test_no(text: str) -> None:
    assert v.parse_yes_no(text, "consent") is False


@pytest.mark.parametrize("text", ["mungkin", "", "2"])
def test_yes_no_refused(text: str) -> None:
    assert refused(v.parse_yes_no, text, "consent").reason == "answer ya/yes or tidak/no"


def test_text_limit_and_required() -> None:
    assert v.parse_text("  Jl.   Pinang  1 ", "address") == "Jl. Pinang 1"
    assert "required" in refused(v.parse_text, " ", "address", True).reason
    assert "longer than 200 characters" in refused(v.parse_text, "x" * 201, "address").reason


def test_error_message_shows_long_values_shortened() -> None:
    error = ValidationError("address", "x" * 100, "too long")
    assert str(error) == f"address '{'x' * 57}...': too long"
    assert str(ValidationError("phone", "", "required")) == "phone (empty): required"


@pytest.mark.parametrize("bad", ["\x1b]8;;http://x\x07", "\x07", "\x7f", "\x9b31m", "\u202e", "\u2066"])
def test_free_text_refuses_control_characters(bad: str) -> None:
    assert "control character" in refused(lambda x: v.parse_text(x, "note"), f"ok {bad} ok").reason


def test_free_text_keeps_ordinary_unicode() -> None:
    assert v.parse_text("Jl. Ségolène – Ruko 3A/5, ☕", "address") == "Jl. Ségolène – Ruko 3A/5, ☕"
