"""Emergency, same-day and crisis numbers by country, and a best guess of the country.

REFERENCE.md §8.2: every emergency message names the patient's own ambulance number, every
same-day message the country's urgent non-emergency route (or "your doctor or an urgent care
service" where there is none) and every crisis message the country's crisis line. The numbers
and their sources live in flows/clinical/countries_data.py; this module is what the rest of
the code asks.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from flows.clinical.countries_data import BY_CODE, ROWS, CountryNumbers
from flows.i18n import DEFAULT_LANGUAGE, t

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


UNKNOWN = LocalNumbers(country=None, emergency=None)

# A short list of commonly chosen countries, for screens that offer a few before "other".
COUNTRY_CHOICES: tuple[str, ...] = ("GB", "US", "CA", "IE", "AU", "NZ", "DE", "FR", "ES", "IT")


def _fold(text: str) -> str:
    """The text without accents and case, so that Åland sorts with the A's."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def country_name(language: str, code: str) -> str:
    """The country's short name in the user's language (GB -> United Kingdom)."""
    key = code.strip().upper()
    if key not in BY_CODE:
        return code
    return t(language, f"country.name.{key}")


# Every country and territory, in the order of their English names.
COUNTRIES: tuple[str, ...] = tuple(
    sorted(BY_CODE, key=lambda code: _fold(country_name(DEFAULT_LANGUAGE, code)))
)


def _known_code(country: str | None) -> str | None:
    """The table's code for a country code as typed (" gb" -> "GB"), None if it has none."""
    if country is None:
        return None
    code = country.strip().upper()
    return code if code in BY_CODE else None


def numbers_for(country: str | None) -> LocalNumbers:
    """Return the numbers of a country code; UNKNOWN when the country or its number is unknown."""
    code = _known_code(country)
    if code is None:
        return UNKNOWN
    row = BY_CODE[code]
    if row.emergency is None:
        # §8.2: where no ambulance number is established, the generic words, never a guess.
        return UNKNOWN
    return LocalNumbers(
        country=code, emergency=row.emergency, same_day=row.same_day, crisis=row.crisis
    )


def emergency_number(country: str | None) -> str:
    """Return the emergency number for a country code, 112 when unknown."""
    return numbers_for(country).emergency or FALLBACK_NUMBER


def infer_country(language_code: str | None) -> str | None:
    """Guess the country from a language tag's region (en-GB -> GB); None when it has none."""
    if not language_code:
        return None
    subtags = language_code.strip().replace("_", "-").split("-")
    for subtag in subtags[1:]:
        if len(subtag) == 4 and subtag.isascii() and subtag.isalpha():
            continue  # a script (zh-Hant-TW): the region follows it
        if len(subtag) == 2 and subtag.isascii() and subtag.isalpha():
            return _known_code(subtag)
        # A numeric region (es-419) names no one country.
        return None
    return None


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
    code = country.strip().upper()
    return tuple(zone for cc, zone in _zone_table() if cc == code)


def country_for_zone(zone: str) -> str | None:
    """The country a time zone belongs to (Europe/London -> GB); None for UTC and offsets."""
    for cc, name in _zone_table():
        if name == zone:
            return cc
    return None


def propose_country(timezone: str | None, language_code: str | None) -> str | None:
    """The country to offer first at onboarding: the time zone's, else the language tag's."""
    if timezone:
        # A zone belongs to one country; a language tag is often the phone's default (en-US).
        from_zone = _known_code(country_for_zone(timezone.strip()))
        if from_zone is not None:
            return from_zone
    return infer_country(language_code)


# ---------------------------------------------------------------------------------------------
# docs/countries.md
# ---------------------------------------------------------------------------------------------


def _cell(text: str | None) -> str:
    """A table cell: a dash for nothing, pipes escaped."""
    return "–" if not text else text.replace("|", "\\|")


def _sources(row: CountryNumbers) -> str:
    """The sources of one row, one line per number, then the note."""
    lines = [
        f"{label}: {source}"
        for label, source in (
            ("Ambulance", row.emergency_source),
            ("Same day", row.same_day_source),
            ("Crisis", row.crisis_source),
        )
        if source
    ]
    if row.note:
        lines.append(f"Note: {row.note}")
    return "<br>".join(lines)


def countries_markdown() -> str:
    """docs/countries.md: every country's numbers and their sources, for a clinician to review."""
    with_number = sum(1 for row in ROWS if row.emergency)
    lines = [
        "# Emergency, same-day and crisis numbers by country",
        "",
        "Generated from `flows/clinical/countries_data.py` by `python -m bot.gen_docs`; do not "
        "edit by hand. REFERENCE.md §8.2: the patient's country picks every number.",
        "",
        f"{len(ROWS)} countries and territories (tzdata's iso3166.tab), {with_number} with an "
        "ambulance number. A source ending in ✓ was checked against the text it names; one "
        "ending in (K) was not (REFERENCE.md §0): check it before release. Where a country "
        "has no ambulance number, messages say "
        f'"{t(DEFAULT_LANGUAGE, "rules.emergency_number.generic")}"; where it has no same-day '
        f'route, "{t(DEFAULT_LANGUAGE, "rules.same_day.generic")}"; where it has no crisis '
        f'line, "{t(DEFAULT_LANGUAGE, "rules.crisis_line.generic")}".',
        "",
        "| Code | Country | Ambulance | Same day | Crisis line | Sources |",
        "|---|---|---|---|---|---|",
    ]
    for code in COUNTRIES:
        row = BY_CODE[code]
        cells = (
            code,
            country_name(DEFAULT_LANGUAGE, code),
            row.emergency,
            row.same_day,
            row.crisis,
            _sources(row),
        )
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


@cache
def zones_in_use_now() -> frozenset[str]:
    """The best-known zone of each set of clocks that agree from now on (tzdata's zonenow.tab)."""
    # The most populous zone of each set: the city a patient is most likely to recognise.
    text = resources.files("tzdata").joinpath("zoneinfo", "zonenow.tab").read_text("utf-8")
    return frozenset(
        line.split("\t")[2] for line in text.splitlines() if line and not line.startswith("#")
    )
