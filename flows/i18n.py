"""The message catalogue: every user-facing string, looked up by key and language."""

from __future__ import annotations

from collections.abc import Mapping

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
    return template.format(**values) if values else template
