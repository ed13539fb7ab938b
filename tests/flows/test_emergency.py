"""Every country's numbers (REFERENCE.md §8.2): the table, its sources, lookups and proposals."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from flows.clinical.countries_data import BY_CODE, ROWS, CountryNumbers
from flows.clinical.emergency import (
    COUNTRIES,
    COUNTRY_CHOICES,
    FALLBACK_NUMBER,
    UNKNOWN,
    LocalNumbers,
    countries_markdown,
    country_for_zone,
    country_name,
    emergency_number,
    infer_country,
    numbers_for,
    propose_country,
    zones_for,
)
from flows.locale import en_countries
from flows.locale.en import MESSAGES

DOC = Path(__file__).resolve().parents[2] / "docs" / "countries.md"


def tzdata_countries() -> set[str]:
    text = resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text("utf-8")
    return {line.split("\t")[0] for line in text.splitlines() if line and line[0] != "#"}


# (code, ambulance, same-day route or None, crisis line or None), REFERENCE.md §8.2 and the brief.
PINNED: list[tuple[str, str, str | None, str | None]] = [
    ("US", "911", None, "the 988 Suicide & Crisis Lifeline (call or text 988)"),
    (
        "CA",
        "911",
        "your province's health line on 811",
        "the 9-8-8 Suicide Crisis Helpline (call or text 988)",
    ),
    ("GB", "999", "NHS 111 (dial 111)", "Samaritans on 116 123"),
    ("IE", "112 or 999", None, "Samaritans on 116 123"),
    (
        "AU",
        "000",
        "healthdirect on 1800 022 222 (in Queensland 13 HEALTH on 13 43 25 84, "
        "in Victoria NURSE-ON-CALL on 1300 60 60 24)",
        "Lifeline on 13 11 14",
    ),
    ("NZ", "111", "Healthline on 0800 611 116", "1737 (call or text)"),
    ("BR", "192", None, "CVV on 188"),
    ("IN", "112 or 108", None, "Tele-MANAS on 14416"),
    ("JP", "119", None, None),
    ("CN", "120", None, None),
    (
        "DE",
        "112",
        "the on-call doctor service on 116117",
        "TelefonSeelsorge on 0800 111 0 111, 0800 111 0 222 or 116 123",
    ),
    ("FR", "15 or 112", None, "the national suicide prevention line on 3114"),
    ("RU", "103 or 112", None, None),
    (
        "ZA",
        "10177 (112 from a mobile)",
        None,
        "the SADAG Suicide Crisis Helpline on 0800 567 567",
    ),
    ("MX", "911", None, "Línea de la Vida on 800 911 2000"),
]


@pytest.mark.parametrize(("code", "emergency", "same_day", "crisis"), PINNED)
def test_pinned_countries_have_their_numbers(
    code: str, emergency: str, same_day: str | None, crisis: str | None
) -> None:
    assert numbers_for(code) == LocalNumbers(
        country=code, emergency=emergency, same_day=same_day, crisis=crisis
    )
    assert emergency_number(code.lower()) == emergency


def test_pinned_reference_numbers_are_in_the_messages_strings() -> None:
    # REFERENCE.md §8.2 names these digits; each must be what the patient is told to dial.
    digits = {"US": "911", "CA": "911", "GB": "999", "AU": "000", "NZ": "111", "BR": "192"}
    digits |= {"JP": "119", "CN": "120", "DE": "112", "ES": "112", "IT": "112"}
    for code, number in digits.items():
        assert number in (numbers_for(code).emergency or ""), code
    assert "116 123" in (numbers_for("GB").crisis or "")
    assert "13 11 14" in (numbers_for("AU").crisis or "")
    assert "1737" in (numbers_for("NZ").crisis or "")
    assert "988" in (numbers_for("US").crisis or "")
    assert "111" in (numbers_for("GB").same_day or "")
    assert "116117" in (numbers_for("DE").same_day or "")


def test_every_tzdata_country_has_exactly_one_row() -> None:
    codes = [row.code for row in ROWS]
    assert len(codes) == len(set(codes))
    assert set(codes) == tzdata_countries()
    assert len(codes) == 249
    assert set(COUNTRIES) == set(codes)


def test_every_number_has_a_source_marked_checked_or_not() -> None:
    for row in ROWS:
        for value, source in (
            (row.emergency, row.emergency_source),
            (row.same_day, row.same_day_source),
            (row.crisis, row.crisis_source),
        ):
            assert (value is None) == (source is None), row.code
            if source is not None:
                for part in source.split("; "):
                    assert part.endswith(("✓", "(K)")), (row.code, part)


def test_a_row_without_an_ambulance_number_says_why() -> None:
    missing = {row.code for row in ROWS if row.emergency is None}
    assert {"AQ", "BV", "HM", "CD", "GN"} <= missing
    assert all(BY_CODE[code].note for code in missing)


def test_the_table_refuses_a_number_without_a_source() -> None:
    with pytest.raises(ValueError, match="source"):
        CountryNumbers(code="XX", emergency="112", emergency_source=None)
    with pytest.raises(ValueError, match=r"✓ or \(K\)"):
        CountryNumbers(code="XX", emergency="112", emergency_source="somewhere")
    with pytest.raises(ValueError, match="note"):
        CountryNumbers(code="XX", emergency=None, emergency_source=None)


def test_ambulance_numbers_are_dialable_text() -> None:
    # What follows "Call" must be digits with "or" between alternatives, never a sentence.
    shape = re.compile(r"^\d{2,5}( or \d{2,5})*( \(112 from a mobile\))?$")
    for row in ROWS:
        if row.emergency is not None:
            assert shape.match(row.emergency), (row.code, row.emergency)


@pytest.mark.parametrize("code", ["AQ", "BV", "CD", "GQ", "SO"])
def test_countries_without_an_established_number_get_the_generic_words(code: str) -> None:
    assert numbers_for(code) == UNKNOWN
    assert emergency_number(code) == FALLBACK_NUMBER


@pytest.mark.parametrize("code", [None, "", "ZZ", "XK", "usa", "G", "1A", "  ", "gb-eng"])
def test_unknown_and_malformed_codes_give_unknown(code: str | None) -> None:
    assert numbers_for(code) == UNKNOWN


def test_codes_are_read_whatever_their_case_and_spacing() -> None:
    assert numbers_for(" gb ") == numbers_for("GB")
    assert numbers_for("gb").country == "GB"


@pytest.mark.parametrize(
    ("zone", "language", "expected"),
    [
        ("America/New_York", None, "US"),
        ("Europe/London", "de-DE", "GB"),
        ("Australia/Sydney", "en-US", "AU"),
        ("Asia/Kolkata", None, "IN"),
        ("UTC", None, None),
        ("Etc/UTC", "en", None),
        ("Not/A_Zone", None, None),
        (None, "pt-BR", "BR"),
        ("UTC", "pt-br", "BR"),
        (None, "en", None),
        (None, "zh-Hant-TW", "TW"),
        (None, "es-419", None),
        (None, "en-XA", None),
        (None, None, None),
        ("", "", None),
    ],
)
def test_proposals_come_from_the_zone_then_the_language_region(
    zone: str | None, language: str | None, expected: str | None
) -> None:
    assert propose_country(zone, language) == expected


def test_infer_country_reads_only_a_real_region() -> None:
    assert infer_country("en-GB") == "GB"
    assert infer_country("pt_BR") == "BR"
    assert infer_country("sr-Latn-RS") == "RS"
    assert infer_country("en") is None
    assert infer_country("zh-Hans") is None
    assert infer_country("en-UK") is None


def test_zones_follow_tzdata_order() -> None:
    us = zones_for("US")
    assert us[0] == "America/New_York"
    assert "America/Los_Angeles" in us
    assert zones_for("gb") == ("Europe/London",)
    assert zones_for("ZZ") == ()
    assert country_for_zone("America/Los_Angeles") == "US"
    assert country_for_zone("UTC") is None


def test_every_row_has_an_english_name() -> None:
    assert set(en_countries.MESSAGES) == {f"country.name.{row.code}" for row in ROWS}
    for row in ROWS:
        assert MESSAGES[f"country.name.{row.code}"] == country_name("en", row.code)
    assert country_name("en", "GB") == "United Kingdom"
    assert country_name("en", "us") == "United States"
    assert country_name("xx", "DE") == "Germany"
    assert country_name("en", "ZZ") == "ZZ"


def test_no_other_catalogue_defines_country_names() -> None:
    others = {k for k in MESSAGES if k.startswith("country.name.")}
    assert others == set(en_countries.MESSAGES)


def test_countries_are_sorted_by_english_name_ignoring_accents() -> None:
    names = [country_name("en", code) for code in COUNTRIES]
    assert names[:3] == ["Afghanistan", "Åland Islands", "Albania"]
    assert names[-1] == "Zimbabwe"
    assert COUNTRIES.index("GB") < COUNTRIES.index("US")


def test_common_choices_are_countries_with_numbers() -> None:
    assert COUNTRY_CHOICES[:2] == ("GB", "US")
    assert all(numbers_for(code).emergency for code in COUNTRY_CHOICES)


def test_countries_document_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == countries_markdown(), (
        "docs/countries.md is stale: run `python -m bot.gen_docs`"
    )


def test_countries_document_lists_every_row() -> None:
    doc = countries_markdown()
    for row in ROWS:
        assert f"| {row.code} | {country_name('en', row.code)} |" in doc
    assert "| GB | United Kingdom | 999 | NHS 111 (dial 111) | Samaritans on 116 123 |" in doc
