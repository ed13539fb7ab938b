"""Emergency, same-day and crisis numbers by country, and a best guess of the country.

REFERENCE.md §8.2: every emergency message names the patient's own ambulance number, every
same-day message the country's urgent non-emergency route (or "your doctor or an urgent care
service" where there is none) and every crisis message the country's crisis line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

FALLBACK_NUMBER = "112"


@dataclass(frozen=True, slots=True)
class LocalNumbers:
    """What a patient in one country calls: an ambulance, same-day care, a crisis line.

    None means the country is unknown (emergency) or has no such service (same-day, crisis);
    the message then uses the catalogue's generic words (REFERENCE.md §8.2).
    """

    country: str | None
    emergency: str | None
    same_day: str | None = None
    crisis: str | None = None


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

UNKNOWN = LocalNumbers(country=None, emergency=None)


def numbers_for(country: str | None) -> LocalNumbers:
    """Return the numbers of a country code; UNKNOWN when the country is not known."""
    if country is None:
        return UNKNOWN
    code = country.upper()
    number = EMERGENCY_NUMBERS.get(code)
    if number is None:
        return UNKNOWN
    return LocalNumbers(country=code, emergency=number)


def emergency_number(country: str | None) -> str:
    """Return the emergency number for a country code, 112 when unknown."""
    return numbers_for(country).emergency or FALLBACK_NUMBER


def infer_country(language_code: str | None) -> str | None:
    """Guess the country from a language tag's region (en-GB -> GB); None when it has none."""
    if not language_code or "-" not in language_code:
        return None
    region = language_code.split("-")[-1].upper()
    return region if len(region) == 2 and region.isalpha() else None


@cache
def _zone_table() -> tuple[tuple[str, str], ...]:
    # tzdata's own zone.tab: one row per zone, "CC<TAB>coordinates<TAB>Zone[<TAB>comment]".
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    rows: list[tuple[str, str]] = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        rows.append((fields[0], fields[2]))
    return tuple(rows)


def zones_for(country: str) -> tuple[str, ...]:
    """The IANA time zones of a country, in tzdata's order (most populous region first)."""
    code = country.upper()
    return tuple(zone for cc, zone in _zone_table() if cc == code)


def country_for_zone(zone: str) -> str | None:
    """The country a time zone belongs to (Europe/London -> GB); None for UTC and offsets."""
    for cc, name in _zone_table():
        if name == zone:
            return cc
    return None
