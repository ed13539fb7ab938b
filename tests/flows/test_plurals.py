"""Counted words in the catalogue: "1 entry", never "1 entries"."""

from __future__ import annotations

import re
import string

import pytest

from flows.i18n import CATALOGUES, t

# A count placed straight before "entries" reads "1 entries" for one of them.
BARE_COUNT = re.compile(r"\{[a-z_]+\} entr(y|ies)\b")


def test_no_template_puts_a_bare_count_before_entries() -> None:
    bare = {k: m.group(0) for k, v in CATALOGUES["en"].items() if (m := BARE_COUNT.search(v))}
    assert bare == {}


@pytest.mark.parametrize(
    ("key", "values", "one"),
    [
        ("import.done", {"added": 1, "skipped": 0}, "Done: 1 entry added"),
        ("import.preview", {"n": 1, "first": "a", "last": "b"}, "I found 1 entry from"),
        ("import.saving", {"n": 1}, "Importing 1 entry…"),
        ("import.skipped", {"n": 1, "lines": ""}, "1 row will be skipped"),
        ("export.pdf_capped", {"n": 1, "limit": 0}, "Your diary has 1 entry in"),
        ("report.entries.latest", {"n": 1, "limit": 0}, "This period holds 1 entry;"),
        ("report.since.days", {"days": 1}, "end of the period: 1 day."),
        ("fhir.advice.pending", {"attempts": 1}, "Not delivered yet (1 try so far)"),
        ("history.title", {"days": 14, "logged": 1}, "Your last 14 days (1 day with entries)"),
        ("log.day.with_entries", {"day": "Today", "n": 1}, "Today (1 entry)"),
    ],
)
def test_one_of_a_counted_thing_reads_in_the_singular(
    key: str, values: dict[str, object], one: str
) -> None:
    assert one in t("en", key, **values)
    many = t("en", key, **{k: 2 if v == 1 else v for k, v in values.items()})
    assert "1 " not in many.replace("1 entry", "")
    assert re.search(r"\b2 (entries|rows|days|tries)\b", many), many


def test_a_counted_word_takes_its_form_from_the_number() -> None:
    assert t("en", "log.day_has_entries", n=1, day="Mon 9 Mar").startswith(
        "You already have an entry for Mon 9 Mar"
    )
    assert t("en", "log.day_has_entries", n=3, day="Mon 9 Mar").startswith(
        "You already have 3 entries for Mon 9 Mar"
    )
    assert t("en", "log.day.with_entries", day="Today", n=0) == "Today (0 entries)"


def test_counted_fields_name_a_plain_identifier_so_every_template_stays_parseable() -> None:
    for key, template in CATALOGUES["en"].items():
        for _, field, spec, _ in string.Formatter().parse(template):
            if spec and "|" in spec:
                assert field is not None
                assert field.isidentifier(), key


def test_a_counted_word_needs_a_number() -> None:
    with pytest.raises(TypeError):
        t("en", "import.saving", n="one")


def test_a_second_entry_for_a_day_with_several_is_added_beside_them() -> None:
    assert "This one is added beside it;" in t("en", "log.day_has_entries", n=1, day="today")
    several = t("en", "log.day_has_entries", n=2, day="today")
    assert several.startswith(
        "You already have 2 entries for today. This one is added beside them;"
    )
