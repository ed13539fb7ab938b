"""Consent, then the country (its emergency numbers) and the time zone (when prompts come)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from flows.clinical.emergency import (
    COUNTRIES,
    country_name,
    numbers_for,
    zones_for,
    zones_in_use_now,
)
from flows.dialogs.profile.profile import ProfileState, nav
from flows.i18n import t
from flows.kit.core import Button, Context, Screen, button
from flows.kit.values import Coded

# The answers of the profile's steps, as their buttons carry them.
COUNTRY: Coded[str] = Coded("cc.", str.upper, str.lower)
LETTER = Coded("a.", int)
ZONE = Coded("z", int)
# UTC offsets from -12, carried from 0 so that no value has a sign in it.
OFFSET: Coded[int] = Coded("o", lambda text: int(text) - 12, lambda hours: str(hours + 12))
# Offered first, before "another country"; most patients find theirs here in one tap.
COMMON_COUNTRIES: tuple[str, ...] = (
    "US",
    "GB",
    "CA",
    "AU",
    "IE",
    "NZ",
    "IN",
    "ZA",
    "DE",
    "FR",
    "ES",
    "IT",
)
LETTERS_PER_ROW = 5
COUNTRIES_PER_PAGE = 8
ZONES_PER_PAGE = 8
CITIES_PER_ZONE_LABEL = 3
UTC_OFFSETS: tuple[int, ...] = tuple(range(-12, 15))


def offset_zone(hours: int) -> str:
    """Return the fixed-offset zone for UTC+hours (the Etc/GMT sign is inverted by design)."""
    if hours == 0:
        return "UTC"
    return f"Etc/GMT{-hours:+d}"


def ask_consent(lang: str) -> Screen:
    """Show the welcome, what the bot is not, and ask for consent to store health data."""
    return Screen(
        text=t(lang, "onboarding.welcome"),
        buttons=(
            (button(t(lang, "onboarding.agree"), "agree"),),
            (button(t(lang, "onboarding.decline"), "decline"),),
        ),
    )


# --- Country -----------------------------------------------------------------------------


def number_text(lang: str, country: str | None) -> str:
    """The country's emergency number, or the generic words when it has none."""
    return numbers_for(country).emergency or t(lang, "rules.emergency_number.generic")


def country_text(lang: str, country: str | None) -> str:
    """The country's name, or the words for unknown."""
    return t(lang, "summary.unknown") if country is None else country_name(lang, country)


def ask_country_is_right(lang: str, state: ProfileState) -> Screen:
    """Show the country the bot guessed, with its emergency number, and ask if it is right."""
    country = state.proposed_country
    text = t(
        lang,
        "country.ask_confirm",
        country=country_text(lang, country),
        number=number_text(lang, country),
    )
    return Screen(
        text=text,
        buttons=(
            (button(t(lang, "country.right"), "right"),),
            (button(t(lang, "country.choose_other"), "other"),),
            nav(lang, state),
        ),
    )


def _country_button(lang: str, code: str) -> Button:
    return button(country_name(lang, code), COUNTRY(code))


def ask_country(lang: str, state: ProfileState) -> Screen:
    """Ask the country from a short list of common ones, or any other by its first letter."""
    common = [_country_button(lang, c) for c in COMMON_COUNTRIES]
    rows: list[tuple[Button, ...]] = [tuple(common[i : i + 2]) for i in range(0, len(common), 2)]
    rows.append((button(t(lang, "country.another"), "letters"),))
    rows.append(nav(lang, state))
    return Screen(text=t(lang, "country.ask"), buttons=tuple(rows))


def _folded(name: str) -> str:
    # Accents are dropped so that "Åland Islands" files under A and sorts beside "Albania".
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


@cache
def countries_by_letter(lang: str) -> dict[str, tuple[str, ...]]:
    """The countries by the first letter of their name in `lang`, sorted."""
    named = sorted(COUNTRIES, key=lambda code: _folded(country_name(lang, code)).casefold())
    letters: dict[str, list[str]] = {}
    for code in named:
        letter = _folded(country_name(lang, code))[:1].upper()
        letters.setdefault(letter, []).append(code)
    return {letter: tuple(codes) for letter, codes in sorted(letters.items())}


def ask_country_letter(lang: str, state: ProfileState) -> Screen:
    """Ask the first letter of the country's name."""
    letters = [button(letter, LETTER(i)) for i, letter in enumerate(countries_by_letter(lang))]
    rows: list[tuple[Button, ...]] = [
        tuple(letters[i : i + LETTERS_PER_ROW]) for i in range(0, len(letters), LETTERS_PER_ROW)
    ]
    rows.append(nav(lang, state))
    return Screen(text=t(lang, "country.ask_letter"), buttons=tuple(rows))


def _page(items: Sequence[Button], page: int, per_page: int) -> tuple[list[Button], bool, bool]:
    """The buttons of one page, and whether there are earlier and later pages."""
    start = page * per_page
    return list(items[start : start + per_page]), page > 0, start + per_page < len(items)


def _paging(lang: str, earlier: bool, later: bool) -> list[tuple[Button, ...]]:
    row = []
    if earlier:
        row.append(button(t(lang, "settings.page_previous"), "prev"))
    if later:
        row.append(button(t(lang, "settings.page_next"), "next"))
    return [tuple(row)] if row else []


def ask_country_of_letter(lang: str, state: ProfileState) -> Screen:
    """Ask the country among those whose name starts with the chosen letter."""
    letter = state.country_letter or ""
    codes = countries_by_letter(lang).get(letter, ())
    shown, earlier, later = _page(
        [_country_button(lang, c) for c in codes], state.country_page, COUNTRIES_PER_PAGE
    )
    rows: list[tuple[Button, ...]] = [(b,) for b in shown]
    rows.extend(_paging(lang, earlier, later))
    rows.append(nav(lang, state))
    return Screen(text=t(lang, "country.ask_of_letter", letter=letter), buttons=tuple(rows))


# --- Time zone ---------------------------------------------------------------------------


def zone_city(zone: str) -> str:
    """The city a zone is named after: "America/New_York" -> "New York"."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


@cache
def zone_groups(country: str, year: int) -> tuple[tuple[str, ...], ...]:
    """The country's zones, grouped where their clocks agree all year; best-known city first."""
    # Probing the 1st of each month tells apart zones with or without daylight saving time
    # and with different offsets; zones that agree on all of them give the same local time.
    probes = [datetime(year, month, 1, 12, tzinfo=UTC) for month in range(1, 13)]
    groups: dict[tuple[timedelta | None, ...], list[str]] = {}
    for zone in zones_for(country):
        info = ZoneInfo(zone)
        key = tuple(p.astimezone(info).utcoffset() for p in probes)
        groups.setdefault(key, []).append(zone)
    known = zones_in_use_now()
    return tuple(tuple(sorted(zones, key=lambda z: z not in known)) for zones in groups.values())


def zone_groups_of(state: ProfileState, ctx: Context) -> tuple[tuple[str, ...], ...]:
    """The chosen country's zone groups; none while the country is unknown."""
    if state.country is None:
        return ()
    return zone_groups(state.country, ctx.now.year)


def _zone_label(lang: str, zones: tuple[str, ...], ctx: Context) -> str:
    cities = ", ".join(zone_city(z) for z in zones[:CITIES_PER_ZONE_LABEL])
    key = "zone.choice_more" if len(zones) > CITIES_PER_ZONE_LABEL else "zone.choice"
    local = ctx.now.astimezone(ZoneInfo(zones[0]))
    return t(lang, key, cities=cities, time=local.strftime("%H:%M"))


def ask_timezone(lang: str, state: ProfileState, ctx: Context) -> Screen:
    """Ask which of the country's time zones the patient is in, by city and local time."""
    groups = zone_groups_of(state, ctx)
    choices = [button(_zone_label(lang, g, ctx), ZONE(i)) for i, g in enumerate(groups)]
    shown, earlier, later = _page(choices, state.zone_page, ZONES_PER_PAGE)
    rows: list[tuple[Button, ...]] = [(b,) for b in shown]
    rows.extend(_paging(lang, earlier, later))
    rows.append((button(t(lang, "settings.by_offset"), "offsets"),))
    rows.append(nav(lang, state))
    text = t(lang, "settings.ask_timezone", country=country_text(lang, state.country))
    return Screen(text=text, buttons=tuple(rows))


def ask_timezone_offset(lang: str, state: ProfileState) -> Screen:
    """Ask the time zone as a UTC offset, saying that it will not follow daylight saving."""
    offsets = [button(f"UTC{h:+d}" if h else "UTC", OFFSET(h)) for h in UTC_OFFSETS]
    rows = tuple(tuple(offsets[i : i + 4]) for i in range(0, len(offsets), 4))
    return Screen(text=t(lang, "settings.ask_offset"), buttons=(*rows, nav(lang, state)))


def ask_local_time_correct(lang: str, state: ProfileState, ctx: Context) -> Screen:
    """Show the country, its emergency number and the local time, so the user can confirm."""
    local = ctx.now.astimezone(ZoneInfo(state.timezone))
    text = t(
        lang,
        "settings.confirm_timezone",
        country=country_text(lang, state.country),
        number=number_text(lang, state.country),
        time=local.strftime("%H:%M"),
        weekday=t(lang, f"weekday.{local.weekday()}"),
    )
    return Screen(
        text=text,
        buttons=(
            (button(t(lang, "settings.zone_right"), "right"),),
            (button(t(lang, "settings.zone_wrong"), "wrong"),),
            nav(lang, state),
        ),
    )
