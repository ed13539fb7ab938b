"""Emergency numbers by country, and a best guess of the country from Telegram's language."""

from __future__ import annotations

FALLBACK_NUMBER = "112"

# The numbers a patient should call for an ambulance (REFERENCE.md §0 and §5.3: UK 999,
# EU 112, US 911); 112 also works from mobiles in most other countries.
EMERGENCY_NUMBERS: dict[str, str] = {
    "GB": "999",
    "IE": "112",
    "US": "911",
    "CA": "911",
    "AU": "000",
    "NZ": "111",
    "IN": "112",
    "ZA": "112",
    "DE": "112",
    "FR": "112",
    "ES": "112",
    "IT": "112",
    "NL": "112",
}

# Countries offered in /settings, in this order; "other" keeps the 112 fallback.
COUNTRY_CHOICES: tuple[str, ...] = ("GB", "US", "CA", "IE", "AU", "NZ", "DE", "FR", "ES", "IT")


def emergency_number(country: str | None) -> str:
    """Return the emergency number for a country code, 112 when unknown."""
    if country is None:
        return FALLBACK_NUMBER
    return EMERGENCY_NUMBERS.get(country.upper(), FALLBACK_NUMBER)


def infer_country(language_code: str | None) -> str | None:
    """Guess the country from a language tag's region (en-GB -> GB); None when it has none."""
    if not language_code or "-" not in language_code:
        return None
    region = language_code.split("-")[-1].upper()
    return region if len(region) == 2 and region.isalpha() else None
