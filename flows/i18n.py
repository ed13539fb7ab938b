"""The message catalogue: every user-facing string, looked up by key and language."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from datetime import date

from flows.locale import en

DEFAULT_LANGUAGE = "en"

CATALOGUES: Mapping[str, Mapping[str, str]] = {"en": en.MESSAGES}


def supported(language: str | None) -> str:
    """Return the catalogue language to use for a Telegram language code."""
    if language:
        base = language.split("-")[0].lower()
        if base in CATALOGUES:
            return base
    return DEFAULT_LANGUAGE


def t(language: str, key: str, /, **values: object) -> str:
    """Return the text for key in the language, falling back to English, formatted."""
    catalogue = CATALOGUES.get(language, CATALOGUES[DEFAULT_LANGUAGE])
    template = catalogue.get(key)
    if template is None:
        template = CATALOGUES[DEFAULT_LANGUAGE][key]
        language = DEFAULT_LANGUAGE
    if not values:
        return template
    # Only templates with a counted word pay for the slower formatter.
    if "|" in template:
        return _Counted(PLURAL_RULES.get(language, _one_or_other)).format(template, **values)
    return template.format(**values)


def _one_or_other(n: int) -> int:
    return 0 if n == 1 else 1


# Which form of a counted word a number takes, by language: the index into the forms a
# template lists (English: "one|other"). A language added later brings its own rule.
PLURAL_RULES: Mapping[str, Callable[[int], int]] = {"en": _one_or_other}


class _Counted(string.Formatter):
    """str.format, plus counted words: "{n:# entry|# entries}" is "1 entry" or "2 entries".

    A field whose format spec holds a "|" lists the forms of the word in the language's order;
    "#" in the chosen form stands for the number.
    """

    def __init__(self, rule: Callable[[int], int]) -> None:
        self.rule = rule

    def format_field(self, value: object, format_spec: str) -> str:
        """Format one field, choosing the counted form when the spec lists forms."""
        if "|" not in format_spec:
            return str(super().format_field(value, format_spec))
        if not isinstance(value, int):
            raise TypeError(f"a counted word needs an int, not {type(value).__name__}")
        forms = format_spec.split("|")
        return forms[min(self.rule(value), len(forms) - 1)].replace("#", str(value))


def short_date(language: str, day: date) -> str:
    """A day as the diary shows it: "Mon 1 Dec"."""
    return t(
        language,
        "date.short",
        weekday=t(language, f"weekday.{day.weekday()}"),
        day=day.day,
        month=t(language, f"month.{day.month}"),
    )


def long_date(language: str, day: date) -> str:
    """A day with its year, for what is saved: "Mon 1 Dec 2026"."""
    return t(language, "date.long", date=short_date(language, day), year=day.year)
