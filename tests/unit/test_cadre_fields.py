"""domain/cadre.py: building a cadre from raw input reports every bad field at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from up2k_cli.domain.cadre import CONSENT_REFUSED, Cadre, clean_fields, similar_key
from up2k_cli.domain.errors import ValidationErrors
from up2k_cli.domain.validators import name_key
from up2k_cli.services.common import kelurahan_choices
from up2k_cli.storage.presets import new_meta

TODAY = dt.date(2026, 11, 27)
KELURAHAN = kelurahan_choices(new_meta(TODAY, dt.datetime(2026, 11, 27), 1))

GOOD: dict[str, Any] = {
    "nik": "3174065103900001",
    "name": " Siti  Aminah ",
    "kelurahan": "Kel. Pondok Labu",
    "rw": "3",
    "rt": "RT 05",
    "address": "Jl. Pinang No. 1",
    "phone": "0812-3456-7890",
    "business_type": "warung",
    "household_size": "4",
    "income": "1,5 jt",
    "consent": "Ya",
}


def clean(raw: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return clean_fields(raw, KELURAHAN, TODAY, **kwargs)


def errors_of(raw: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ValidationErrors) as info:
        clean(raw, **kwargs)
    return {e.field: e.reason for e in info.value.errors}


def test_good_input_becomes_clean_fields_with_defaults() -> None:
    assert clean(GOOD) == {
        "nik": "3174065103900001",
        "name_key": "sitiaminah",
        "name": "Siti Aminah",
        "kelurahan_code": "31.74.06.1003",
        "rw": "003",
        "rt": "005",
        "address": "Jl. Pinang No. 1",
        "phone": "+6281234567890",
        "business_type": "Perdagangan/Warung",
        "household_size": 4,
        "income": 1_500_000,
        "registered_on": "2026-11-27",
        "consent_on": "2026-11-27",
        "consent_method": "stated",
        "work_status": None,
    }


def test_given_dates_and_consent_method_are_kept() -> None:
    fields = clean(
        {
            **GOOD,
            "registered_on": "01/11/2026",
            "consent_on": "2026-10-30",
            "consent_method": "signed form",
        }
    )
    assert fields["registered_on"] == "2026-11-01"
    assert fields["consent_on"] == "2026-10-30"
    assert fields["consent_method"] == "signed form"


def test_consent_date_defaults_to_registration_date() -> None:
    assert clean({**GOOD, "registered_on": "2026-11-01"})["consent_on"] == "2026-11-01"


def test_empty_optional_fields_become_none() -> None:
    fields = clean({**GOOD, "phone": " ", "business_type": "", "household_size": "", "income": ""})
    assert fields["phone"] is None
    assert fields["business_type"] is None
    assert fields["household_size"] is None
    assert fields["income"] is None


def test_every_bad_field_is_reported_not_just_the_first() -> None:
    raw = {
        **GOOD,
        "nik": "3,17406E+15",
        "kelurahan": "Pondok Lbu",
        "rw": "0",
        "phone": "0812-345",
        "business_type": "Tambang",
        "household_size": "0",
        "income": "banyak",
        "registered_on": "2026-12-01",
    }
    errors = errors_of(raw)
    assert set(errors) == {
        "nik",
        "kelurahan",
        "rw",
        "phone",
        "business_type",
        "household_size",
        "income",
        "registered_on",
    }
    assert "spreadsheet" in errors["nik"]
    assert "did you mean 'Pondok Labu'" in errors["kelurahan"]
    assert "in the future" in errors["registered_on"]


def test_missing_required_fields_are_all_listed() -> None:
    errors = errors_of({"consent": "ya", "phone": "0812-3456-7890"})
    assert set(errors) == {"nik", "name", "kelurahan", "rw", "rt", "address"}


def test_message_of_collected_errors_names_each_field() -> None:
    with pytest.raises(ValidationErrors) as info:
        clean({**GOOD, "nik": "123", "phone": "0812-345"})
    text = str(info.value)
    assert "nik '123'" in text
    assert "phone '0812-345'" in text


@pytest.mark.parametrize("answer", ["Tidak", "no", "0"])
def test_consent_refused(answer: str) -> None:
    assert errors_of({**GOOD, "consent": answer}) == {"consent": CONSENT_REFUSED}


def test_no_consent_at_all_is_refused() -> None:
    raw = {k: x for k, x in GOOD.items() if k != "consent"}
    assert errors_of(raw) == {"consent": CONSENT_REFUSED}


def test_a_consent_date_stands_for_consent() -> None:
    raw = {k: x for k, x in GOOD.items() if k != "consent"}
    assert clean({**raw, "consent_on": "2026-11-01"})["consent_on"] == "2026-11-01"


def test_unclear_consent_answer_is_refused() -> None:
    assert errors_of({**GOOD, "consent": "mungkin"}) == {"consent": "answer ya/yes or tidak/no"}


def test_partial_checks_only_what_is_given() -> None:
    assert clean({"phone": "+62 812 3456 7890"}, partial=True) == {"phone": "+6281234567890"}
    assert clean({}, partial=True) == {}
    assert set(errors_of({"rt": "abc", "income": "-1"}, partial=True)) == {"rt", "income"}


def test_cadre_derives_sex_and_birth_date() -> None:
    cadre = Cadre(id="K0001", status="active", **clean(GOOD))
    assert cadre.sex == "P"
    assert cadre.birth_date == dt.date(1990, 3, 11)
    assert cadre.active
    assert Cadre.from_record(cadre.to_record()) == cadre


def test_similar_key_ignores_case_spacing_and_look_alike_letters() -> None:
    a = similar_key(name_key("Siti Aminah"), "31.74.06.1003", "3174065103900001")
    for twin in ("SITI  aminah", "Siti\u200b Aminah", "\u0405iti Aminah", "Sití Aminah"):
        assert similar_key(name_key(twin), "31.74.06.1003", "3201015103900077") == a, twin
    assert a != similar_key(name_key("Siti Aminah"), "31.74.06.1002", "3174065103900001")


def test_an_ascii_name_takes_the_short_way_to_the_same_key() -> None:
    """name_key skips the Unicode normalisations for ASCII: the key is the one they would give."""
    import unicodedata

    from up2k_cli.domain import validators

    def full(name: str) -> str:
        text = unicodedata.normalize("NFKC", name).translate(validators._LOOK_ALIKES)
        bare = unicodedata.normalize("NFD", text)
        return "".join(ch for ch in bare.casefold() if ch.isalnum() and unicodedata.category(ch) != "Mn")

    every = "".join(chr(n) for n in range(128))
    for name in (every, every[::-1], "Nur'aini", "NURAINI  bt. H. Ahmad", "K-0042\t", "", "ß"):
        assert name_key(name) == full(name), repr(name)
    assert name_key("Zoë") == "zoe" and name_key("Nurаini") == "nuraini"  # the long way: ë, Cyrillic а
