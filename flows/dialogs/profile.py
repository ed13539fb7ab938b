"""Onboarding, /settings and the once-only details run: consent, country and time zone,
surgery date, region and levels, risk factors, the name on reports, reminders.

Onboarding walks every step once; /settings opens a menu and edits one section at a time;
the details run asks an older profile only the country or the day of surgery it lacks. All
three use the same steps and the same screens.
"""

from __future__ import annotations

import calendar
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

from flows.clinical.codes import Finding
from flows.clinical.emergency import (
    COUNTRIES,
    country_name,
    numbers_for,
    propose_country,
    zones_for,
    zones_in_use_now,
)
from flows.clinical.schedule import next_slot
from flows.i18n import t
from flows.kit.core import (
    Button,
    Context,
    Effect,
    Event,
    Flow,
    FlowState,
    Outcome,
    Press,
    RecordConsent,
    Reschedule,
    SaveProfile,
    Screen,
    button,
    nav_row,
)
from flows.kit.values import Coded
from flows.records.models import Profile, Region

# The profile risk factors a patient can tick (DESIGN.md "Risk factors"); multilevel_fusion
# and fused_to_sacrum are derived from the levels and region answers instead.
PROFILE_RISKS: tuple[Finding, ...] = (
    Finding.SMOKER,
    Finding.DIABETES,
    Finding.OSTEOPOROSIS_OR_STEROIDS,
    Finding.BMI_OVER_30,
    Finding.AGE_OVER_65,
    Finding.LONG_TERM_NSAIDS,
    Finding.PRIOR_DISCECTOMY,
    Finding.IMMUNOSUPPRESSED,
    Finding.CANCER_HISTORY,
    Finding.LOW_MOOD,
)
YEARS_PER_PAGE = 6
MAX_YEARS_BACK = 40
LEVEL_CHOICES = {"l0": 0, "l1": 1, "l2": 2, "l3": 3}
CHECKIN_TIMES: tuple[time, ...] = tuple(time(h, 0) for h in (8, 10, 12, 17, 18, 19, 20, 21, 22))

# The answers of the profile's steps, as their buttons carry them.
COUNTRY: Coded[str] = Coded("cc.", str.upper, str.lower)
LETTER = Coded("a.", int)
ZONE = Coded("z", int)
# UTC offsets from -12, carried from 0 so that no value has a sign in it.
OFFSET: Coded[int] = Coded("o", lambda text: int(text) - 12, lambda hours: str(hours + 12))
YEAR = Coded("y", int)
MONTH = Coded("m", int)
DAY_OF_MONTH = Coded("d", int)
REGION: Coded[Region] = Coded("r.", Region, lambda region: region.value)
RISK: Coded[Finding] = Coded("k.", Finding, lambda code: code.value)
CHECKIN: Coded[time] = Coded(
    "t", lambda text: time(int(text[:2]), int(text[2:4])), lambda at: at.strftime("%H%M")
)
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
# REFERENCE.md §8.1: the haematoma window is days 0-14, the wound window days 0-90.
RECENT_WEEKS_DAYS = 14
RECENT_MONTHS_DAYS = 90
# The name goes on one line of the report's header; initials are enough.
DISPLAY_NAME_MAX_CHARS = 60
# Joiners shape some scripts' words (Persian, Indic, emoji); other format characters, such
# as bidirectional overrides, could make a printed name read as something else.
_KEPT_FORMAT_CHARS = frozenset("\u200c\u200d")


def offset_zone(hours: int) -> str:
    """Return the fixed-offset zone for UTC+hours (the Etc/GMT sign is inverted by design)."""
    if hours == 0:
        return "UTC"
    return f"Etc/GMT{-hours:+d}"


class ProfileStep(StrEnum):
    """What onboarding, settings or the details run is waiting for."""

    CONSENT = "consent"
    CONFIRM_COUNTRY = "confirm_country"
    COUNTRY = "country"
    COUNTRY_LETTER = "country_letter"
    COUNTRY_OF_LETTER = "country_of_letter"
    TIMEZONE = "timezone"
    TIMEZONE_OFFSET = "timezone_offset"
    CONFIRM_TIMEZONE = "confirm_timezone"
    SURGERY_YEAR = "surgery_year"
    SURGERY_MONTH = "surgery_month"
    SURGERY_DAY = "surgery_day"
    WITHIN_TWO_WEEKS = "within_two_weeks"
    WITHIN_THREE_MONTHS = "within_three_months"
    REGION = "region"
    LEVELS = "levels"
    RISK_FACTORS = "risk_factors"
    DISPLAY_NAME = "display_name"
    CHECKIN_TIME = "checkin_time"
    MENU = "menu"


class ProfileMode(StrEnum):
    """Whether the steps run as onboarding, from the settings menu, or as the details run."""

    ONBOARDING = "onboarding"
    SETTINGS = "settings"
    DETAILS = "details"


class Recent(StrEnum):
    """An answer to "was your operation in the last 2 weeks / 3 months?"."""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


class ProfileState(FlowState):
    """Profile answers collected so far."""

    flow: Literal["profile"] = "profile"
    mode: ProfileMode
    step: ProfileStep
    trail: tuple[ProfileStep, ...] = ()
    # The command the patient had typed when the details run began, started after it.
    then: str | None = None
    year_page: int = 0
    surgery_year: int | None = None
    surgery_month: int | None = None
    surgery_day: int | None = None
    surgery_after: date | None = None
    surgery_before: date | None = None
    within_two_weeks: Recent | None = None
    within_three_months: Recent | None = None
    # The patient's date when they answered the 2-week / 3-month questions.
    recent_asked_on: date | None = None
    region: Region | None = None
    levels: int | None = None
    risk_factors: tuple[Finding, ...] = ()
    display_name: str | None = None
    country: str | None = None
    proposed_country: str | None = None
    country_letter: str | None = None
    country_page: int = 0
    zone_page: int = 0
    checkin_time: time = time(20, 0)
    timezone: str = "UTC"
    paused: bool = False
    # The details run asks the day of surgery after the country.
    ask_date: bool = False


def needs_details(profile: Profile) -> bool:
    """Whether an older profile should be asked, once, its country or its day of surgery."""
    if profile.details_asked_at is not None:
        return False
    day_missing = profile.surgery_year is not None and profile.surgery_day is None
    return profile.country is None or day_missing


def _state_of(profile: Profile, mode: ProfileMode, step: ProfileStep) -> ProfileState:
    return ProfileState(
        mode=mode,
        step=step,
        surgery_year=profile.surgery_year,
        surgery_month=profile.surgery_month,
        surgery_day=profile.surgery_day,
        surgery_after=profile.surgery_after,
        surgery_before=profile.surgery_before,
        region=profile.region,
        levels=profile.levels,
        risk_factors=profile.risk_factors,
        display_name=profile.display_name,
        country=profile.country,
        checkin_time=profile.checkin_time,
        timezone=profile.timezone,
        paused=profile.paused,
    )


def begin_onboarding(ctx: Context) -> Outcome:
    """Start with the welcome and the consent question."""
    # Reminders stay off until the patient picks a time: an onboarding left half-way must not
    # start prompts at a default hour in a zone that may not be theirs.
    state = ProfileState(mode=ProfileMode.ONBOARDING, step=ProfileStep.CONSENT, paused=True)
    return Outcome(state=state, screen=render(state, ctx))


def begin_settings(ctx: Context) -> Outcome:
    """Open the settings menu with the current profile filled in."""
    profile = ctx.profile
    if profile is None:
        return begin_onboarding(ctx)
    state = _state_of(profile, ProfileMode.SETTINGS, ProfileStep.MENU)
    return Outcome(state=state, screen=render(state, ctx))


def begin_details(ctx: Context, then: str | None) -> Outcome:
    """Ask only the country or the day of surgery the profile lacks, then carry on."""
    profile = ctx.profile
    if profile is None:
        return begin_onboarding(ctx)
    # Stamped before the first answer, so a patient who cancels is not asked again.
    stamp = SaveProfile(profile=profile.model_copy(update={"details_asked_at": ctx.now}))
    state = _state_of(profile, ProfileMode.DETAILS, ProfileStep.MENU).model_copy(
        update={
            "then": then,
            "ask_date": profile.surgery_year is not None and profile.surgery_day is None,
        }
    )
    if profile.country is None:
        outcome = _start_country(state, ctx)
    elif state.ask_date:
        outcome = _start_day(state, ctx)
    else:
        outcome = _finish_details(state, ctx)
    if not isinstance(outcome.state, ProfileState):
        return Outcome(state=None, screen=outcome.screen, effects=(stamp, *outcome.effects))
    # The first question has nothing to go back to.
    first = outcome.state.model_copy(update={"trail": ()})
    intro = t(ctx.language, "details.intro")
    return Outcome(
        state=first, screen=render(first, ctx).with_hint(intro), effects=(stamp, *outcome.effects)
    )


def render(state: ProfileState, ctx: Context) -> Screen:
    """Return the screen for the current step."""
    lang = ctx.language
    match state.step:
        case ProfileStep.CONSENT:
            return ask_consent(lang)
        case ProfileStep.CONFIRM_COUNTRY:
            return ask_country_is_right(lang, state)
        case ProfileStep.COUNTRY:
            return ask_country(lang, state)
        case ProfileStep.COUNTRY_LETTER:
            return ask_country_letter(lang, state)
        case ProfileStep.COUNTRY_OF_LETTER:
            return ask_country_of_letter(lang, state)
        case ProfileStep.TIMEZONE:
            return ask_timezone(lang, state, ctx)
        case ProfileStep.TIMEZONE_OFFSET:
            return ask_timezone_offset(lang, state)
        case ProfileStep.CONFIRM_TIMEZONE:
            return ask_local_time_correct(lang, state, ctx)
        case ProfileStep.SURGERY_YEAR:
            return ask_surgery_year(lang, state, ctx)
        case ProfileStep.SURGERY_MONTH:
            return ask_surgery_month(lang, state, ctx)
        case ProfileStep.SURGERY_DAY:
            return ask_surgery_day(lang, state, ctx)
        case ProfileStep.WITHIN_TWO_WEEKS:
            return ask_within(lang, state, "onboarding.ask_two_weeks")
        case ProfileStep.WITHIN_THREE_MONTHS:
            return ask_within(lang, state, "onboarding.ask_three_months")
        case ProfileStep.REGION:
            return ask_region(lang, state)
        case ProfileStep.LEVELS:
            return ask_levels(lang, state)
        case ProfileStep.RISK_FACTORS:
            return ask_risk_factors(lang, state)
        case ProfileStep.DISPLAY_NAME:
            return ask_display_name(lang, state)
        case ProfileStep.CHECKIN_TIME:
            return ask_checkin_time(lang, state)
        case ProfileStep.MENU:
            return ask_setting(lang, state)


def _nav(lang: str, state: ProfileState) -> tuple[Button, ...]:
    return nav_row(lang, back=bool(state.trail))


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


def _number_text(lang: str, country: str | None) -> str:
    return numbers_for(country).emergency or t(lang, "rules.emergency_number.generic")


def _country_text(lang: str, country: str | None) -> str:
    return t(lang, "summary.unknown") if country is None else country_name(lang, country)


def ask_country_is_right(lang: str, state: ProfileState) -> Screen:
    """Show the country the bot guessed, with its emergency number, and ask if it is right."""
    country = state.proposed_country
    text = t(
        lang,
        "country.ask_confirm",
        country=_country_text(lang, country),
        number=_number_text(lang, country),
    )
    return Screen(
        text=text,
        buttons=(
            (button(t(lang, "country.right"), "right"),),
            (button(t(lang, "country.choose_other"), "other"),),
            _nav(lang, state),
        ),
    )


def _country_button(lang: str, code: str) -> Button:
    return button(country_name(lang, code), COUNTRY(code))


def ask_country(lang: str, state: ProfileState) -> Screen:
    """Ask the country from a short list of common ones, or any other by its first letter."""
    common = [_country_button(lang, c) for c in COMMON_COUNTRIES]
    rows: list[tuple[Button, ...]] = [tuple(common[i : i + 2]) for i in range(0, len(common), 2)]
    rows.append((button(t(lang, "country.another"), "letters"),))
    rows.append(_nav(lang, state))
    return Screen(text=t(lang, "country.ask"), buttons=tuple(rows))


def _folded(name: str) -> str:
    # Accents are dropped so that "Åland Islands" files under A and sorts beside "Albania".
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


@cache
def _countries_by_letter(lang: str) -> dict[str, tuple[str, ...]]:
    named = sorted(COUNTRIES, key=lambda code: _folded(country_name(lang, code)).casefold())
    letters: dict[str, list[str]] = {}
    for code in named:
        letter = _folded(country_name(lang, code))[:1].upper()
        letters.setdefault(letter, []).append(code)
    return {letter: tuple(codes) for letter, codes in sorted(letters.items())}


def ask_country_letter(lang: str, state: ProfileState) -> Screen:
    """Ask the first letter of the country's name."""
    letters = [button(letter, LETTER(i)) for i, letter in enumerate(_countries_by_letter(lang))]
    rows: list[tuple[Button, ...]] = [
        tuple(letters[i : i + LETTERS_PER_ROW]) for i in range(0, len(letters), LETTERS_PER_ROW)
    ]
    rows.append(_nav(lang, state))
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
    codes = _countries_by_letter(lang).get(letter, ())
    shown, earlier, later = _page(
        [_country_button(lang, c) for c in codes], state.country_page, COUNTRIES_PER_PAGE
    )
    rows: list[tuple[Button, ...]] = [(b,) for b in shown]
    rows.extend(_paging(lang, earlier, later))
    rows.append(_nav(lang, state))
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


def _groups(state: ProfileState, ctx: Context) -> tuple[tuple[str, ...], ...]:
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
    groups = _groups(state, ctx)
    choices = [button(_zone_label(lang, g, ctx), ZONE(i)) for i, g in enumerate(groups)]
    shown, earlier, later = _page(choices, state.zone_page, ZONES_PER_PAGE)
    rows: list[tuple[Button, ...]] = [(b,) for b in shown]
    rows.extend(_paging(lang, earlier, later))
    rows.append((button(t(lang, "settings.by_offset"), "offsets"),))
    rows.append(_nav(lang, state))
    text = t(lang, "settings.ask_timezone", country=_country_text(lang, state.country))
    return Screen(text=text, buttons=tuple(rows))


def ask_timezone_offset(lang: str, state: ProfileState) -> Screen:
    """Ask the time zone as a UTC offset, saying that it will not follow daylight saving."""
    offsets = [button(f"UTC{h:+d}" if h else "UTC", OFFSET(h)) for h in UTC_OFFSETS]
    rows = tuple(tuple(offsets[i : i + 4]) for i in range(0, len(offsets), 4))
    return Screen(text=t(lang, "settings.ask_offset"), buttons=(*rows, _nav(lang, state)))


def ask_local_time_correct(lang: str, state: ProfileState, ctx: Context) -> Screen:
    """Show the country, its emergency number and the local time, so the user can confirm."""
    local = ctx.now.astimezone(ZoneInfo(state.timezone))
    text = t(
        lang,
        "settings.confirm_timezone",
        country=_country_text(lang, state.country),
        number=_number_text(lang, state.country),
        time=local.strftime("%H:%M"),
        weekday=t(lang, f"weekday.{local.weekday()}"),
    )
    return Screen(
        text=text,
        buttons=(
            (button(t(lang, "settings.zone_right"), "right"),),
            (button(t(lang, "settings.zone_wrong"), "wrong"),),
            _nav(lang, state),
        ),
    )


# --- Surgery date ------------------------------------------------------------------------


def _today(state: ProfileState, ctx: Context) -> date:
    # The zone just chosen, not the one stored: a new patient's stored zone is still UTC.
    return ctx.now.astimezone(ZoneInfo(state.timezone)).date()


def _year_choices(state: ProfileState, today: date) -> list[int]:
    newest = today.year - state.year_page * YEARS_PER_PAGE
    oldest = max(newest - YEARS_PER_PAGE + 1, today.year - MAX_YEARS_BACK)
    return list(range(newest, oldest - 1, -1))


def ask_surgery_year(lang: str, state: ProfileState, ctx: Context) -> Screen:
    """Ask the year of the operation."""
    today = _today(state, ctx)
    years = _year_choices(state, today)
    rows: list[tuple[Button, ...]] = [
        tuple(button(str(y), YEAR(y)) for y in years[i : i + 3]) for i in range(0, len(years), 3)
    ]
    paging: list[Button] = []
    if state.year_page > 0:
        paging.append(button(t(lang, "onboarding.years_later"), "later"))
    if years and years[-1] > today.year - MAX_YEARS_BACK:
        paging.append(button(t(lang, "onboarding.years_earlier"), "earlier"))
    if paging:
        rows.append(tuple(paging))
    rows.append((button(t(lang, "onboarding.not_sure"), "unsure"),))
    rows.append(_nav(lang, state))
    return Screen(text=t(lang, "onboarding.ask_year"), buttons=tuple(rows))


def ask_surgery_month(lang: str, state: ProfileState, ctx: Context) -> Screen:
    """Ask the month of the operation, offering only months that have happened."""
    today = _today(state, ctx)
    last = today.month if state.surgery_year == today.year else 12
    months = [button(t(lang, f"month.{m}"), MONTH(m)) for m in range(1, last + 1)]
    rows = [tuple(months[i : i + 4]) for i in range(0, len(months), 4)]
    rows.append((button(t(lang, "onboarding.month_unsure"), "unsure"),))
    rows.append(_nav(lang, state))
    return Screen(
        text=t(lang, "onboarding.ask_month", year=state.surgery_year), buttons=tuple(rows)
    )


def _days_offered(state: ProfileState, today: date) -> range:
    year, month = state.surgery_year, state.surgery_month
    if year is None or month is None:
        return range(0)
    if (year, month) == (today.year, today.month):
        return range(1, today.day + 1)
    if (year, month) > (today.year, today.month):
        return range(0)
    return range(1, calendar.monthrange(year, month)[1] + 1)


def ask_surgery_day(lang: str, state: ProfileState, ctx: Context) -> Screen:
    """Ask the day of the operation, offering only days that exist and have happened."""
    days = [button(str(d), DAY_OF_MONTH(d)) for d in _days_offered(state, _today(state, ctx))]
    rows = [tuple(days[i : i + 7]) for i in range(0, len(days), 7)]
    rows.append((button(t(lang, "onboarding.day_unsure"), "unsure"),))
    rows.append(_nav(lang, state))
    month = t(lang, f"month.{state.surgery_month}") if state.surgery_month else ""
    text = t(lang, "onboarding.ask_day", month=month, year=state.surgery_year)
    return Screen(text=text, buttons=tuple(rows))


def ask_within(lang: str, state: ProfileState, key: str) -> Screen:
    """Ask whether the operation was within a recent period (yes, no, not sure)."""
    return Screen(
        text=t(lang, key),
        buttons=(
            (button(t(lang, "recent.yes"), Recent.YES.value),),
            (button(t(lang, "recent.no"), Recent.NO.value),),
            (button(t(lang, "recent.unsure"), Recent.UNSURE.value),),
            _nav(lang, state),
        ),
    )


def _month_range(state: ProfileState, today: date) -> tuple[date | None, date]:
    """The earliest and latest day the year and month answers allow, never after today."""
    year, month = state.surgery_year, state.surgery_month
    if year is None:
        return None, today
    if month is None:
        return date(year, 1, 1), min(date(year, 12, 31), today)
    last = calendar.monthrange(year, month)[1]
    return date(year, month, 1), min(date(year, month, last), today)


def _worth_asking(earliest: date | None, latest: date, start: date) -> bool:
    """Whether the answer can narrow things: the known days lie both before and after start."""
    return latest >= start and (earliest is None or earliest < start)


def recent_bounds(
    two_weeks: Recent | None, three_months: Recent | None, asked_on: date
) -> tuple[date | None, date | None]:
    """The bounds (on or after, on or before) the answers give, asked on `asked_on`."""
    after: date | None = None
    before: date | None = None
    if two_weeks is Recent.YES:
        after, before = asked_on - timedelta(days=RECENT_WEEKS_DAYS), asked_on
    elif two_weeks is Recent.NO:
        before = asked_on - timedelta(days=RECENT_WEEKS_DAYS + 1)
    if three_months is Recent.YES:
        start = asked_on - timedelta(days=RECENT_MONTHS_DAYS)
        after = start if after is None else max(after, start)
        before = asked_on if before is None else before
    elif three_months is Recent.NO:
        end = asked_on - timedelta(days=RECENT_MONTHS_DAYS + 1)
        before = end if before is None else min(before, end)
    return after, before


def _clear_day(state: ProfileState, **changes: object) -> ProfileState:
    return state.model_copy(
        update={
            "surgery_day": None,
            "surgery_after": None,
            "surgery_before": None,
            "within_two_weeks": None,
            "within_three_months": None,
            "recent_asked_on": None,
            **changes,
        }
    )


# --- Region, levels, risks, reminders, menu ----------------------------------------------


def ask_region(lang: str, state: ProfileState) -> Screen:
    """Ask which part of the spine was operated on."""
    rows = tuple((button(t(lang, f"region.{r}"), REGION(r)),) for r in Region)
    return Screen(text=t(lang, "onboarding.ask_region"), buttons=(*rows, _nav(lang, state)))


def ask_levels(lang: str, state: ProfileState) -> Screen:
    """Ask how many levels were fused."""
    rows = tuple((button(t(lang, f"levels.{v}"), v),) for v in LEVEL_CHOICES)
    unsure = (button(t(lang, "onboarding.not_sure"), "unsure"),)
    return Screen(
        text=t(lang, "onboarding.ask_levels"), buttons=(*rows, unsure, _nav(lang, state))
    )


def ask_risk_factors(lang: str, state: ProfileState) -> Screen:
    """Show the optional health factors as toggles."""
    rows: list[tuple[Button, ...]] = []
    for code in PROFILE_RISKS:
        mark = "✅ " if code in state.risk_factors else "▫️ "
        rows.append((button(mark + t(lang, f"risk.{code}"), RISK(code)),))
    rows.append((button(t(lang, "onboarding.risks_done"), "done"),))
    rows.append(_nav(lang, state))
    return Screen(text=t(lang, "onboarding.ask_risks"), buttons=tuple(rows))


def clean_display_name(text: str) -> str:
    """The typed name as reports print it: one line, single spaces, no control characters."""
    kept = (
        " " if c.isspace() else c
        for c in unicodedata.normalize("NFC", text)
        if c.isspace() or c in _KEPT_FORMAT_CHARS or not unicodedata.category(c).startswith("C")
    )
    return " ".join("".join(kept).split())


def ask_display_name(lang: str, state: ProfileState) -> Screen:
    """Ask the name or initials the reports for the surgeon should show, with Skip."""
    choices: tuple[tuple[Button, ...], ...]
    if state.display_name is None:
        text = t(lang, "name.ask", limit=DISPLAY_NAME_MAX_CHARS)
        choices = ((button(t(lang, "name.skip"), "skip"),),)
    else:
        text = t(lang, "name.ask_again", name=state.display_name, limit=DISPLAY_NAME_MAX_CHARS)
        choices = (
            (button(t(lang, "name.keep"), "skip"),),
            (button(t(lang, "name.remove"), "clear"),),
        )
    return Screen(text=text, buttons=(*choices, _nav(lang, state)))


def ask_checkin_time(lang: str, state: ProfileState) -> Screen:
    """Ask when the daily check-in should arrive."""
    labels = [button(at.strftime("%H:%M"), CHECKIN(at)) for at in CHECKIN_TIMES]
    rows = tuple(tuple(labels[i : i + 3]) for i in range(0, len(labels), 3))
    return Screen(text=t(lang, "settings.ask_checkin"), buttons=(*rows, _nav(lang, state)))


def ask_setting(lang: str, state: ProfileState) -> Screen:
    """Show the profile and what can be changed."""
    return Screen(
        text=t(lang, "settings.menu", summary=profile_summary(lang, state)),
        buttons=(
            (button(t(lang, "settings.name"), "edit_name"),),
            (button(t(lang, "settings.country"), "edit_country"),),
            (button(t(lang, "settings.surgery_date"), "edit_date"),),
            (button(t(lang, "settings.region_levels"), "edit_region"),),
            (button(t(lang, "settings.risks"), "edit_risks"),),
            (button(t(lang, "settings.reminders"), "edit_checkin"),),
            (
                button(
                    t(lang, "settings.resume" if state.paused else "settings.pause"),
                    "resume" if state.paused else "pause",
                ),
            ),
            (button(t(lang, "settings.close"), "close"),),
        ),
    )


def _day_text(lang: str, day: date) -> str:
    return t(lang, "summary.date", day=day.day, month=t(lang, f"month.{day.month}"), year=day.year)


def surgery_text(lang: str, state: ProfileState) -> str:
    """The operation date as known: the day, the month, the year, or the range answered."""
    year, month, day = state.surgery_year, state.surgery_month, state.surgery_day
    if year is not None and month is not None and day is not None:
        return _day_text(lang, date(year, month, min(day, calendar.monthrange(year, month)[1])))
    if year is None:
        when = t(lang, "summary.unknown")
    elif month is None:
        when = str(year)
    else:
        when = f"{t(lang, f'month.{month}')} {year}"
    if state.surgery_after is None and state.surgery_before is None:
        return when
    # Profile holds the one definition of how the month and the answers narrow each other.
    probe = Profile(
        user_id=0,
        consented_at=datetime(2000, 1, 1, tzinfo=UTC),
        surgery_year=year,
        surgery_month=month,
        surgery_after=state.surgery_after,
        surgery_before=state.surgery_before,
    )
    bounds = probe.surgery_bounds()
    if bounds is None:
        return when
    earliest, latest = bounds
    if earliest is not None and latest is not None:
        return t(
            lang, "summary.between", first=_day_text(lang, earliest), last=_day_text(lang, latest)
        )
    if latest is not None:
        return t(lang, "summary.before", last=_day_text(lang, latest))
    assert earliest is not None
    return t(lang, "summary.after", first=_day_text(lang, earliest))


def profile_summary(lang: str, state: ProfileState) -> str:
    """Return the profile as a few readable lines."""
    region = t(lang, f"region.{state.region}") if state.region else t(lang, "summary.unknown")
    levels = (
        t(lang, f"levels.l{min(state.levels, 3)}")
        if state.levels is not None
        else t(lang, "summary.unknown")
    )
    risks = ", ".join(t(lang, f"risk.{c}") for c in state.risk_factors) or t(lang, "summary.none")
    return t(
        lang,
        "summary.profile",
        name=state.display_name or t(lang, "summary.no_name"),
        when=surgery_text(lang, state),
        region=region,
        levels=levels,
        risks=risks,
        country=_country_text(lang, state.country),
        number=_number_text(lang, state.country),
        reminders=t(
            lang,
            "summary.reminders_paused" if state.paused else "summary.reminders",
            time=state.checkin_time.strftime("%H:%M"),
            zone=state.timezone,
        ),
    )


def details_summary(lang: str, state: ProfileState) -> str:
    """Return the country and the operation date as two readable lines."""
    return t(
        lang,
        "summary.details",
        when=surgery_text(lang, state),
        country=_country_text(lang, state.country),
        number=_number_text(lang, state.country),
    )


# --- Transitions -------------------------------------------------------------------------


def _forward(state: ProfileState, step: ProfileStep, **changes: object) -> ProfileState:
    return state.model_copy(update={"step": step, "trail": (*state.trail, state.step), **changes})


def _show(state: ProfileState, ctx: Context, *effects: Effect) -> Outcome:
    return Outcome(state=state, screen=render(state, ctx), effects=effects)


def _profile_from(state: ProfileState, ctx: Context) -> Profile:
    base = ctx.profile or Profile(
        user_id=ctx.user_id, consented_at=ctx.now, timezone=ctx.timezone, language=ctx.language
    )
    asked = base.details_asked_at
    if asked is None and state.mode is ProfileMode.DETAILS:
        asked = ctx.now
    return base.model_copy(
        update={
            "surgery_year": state.surgery_year,
            "surgery_month": state.surgery_month,
            "surgery_day": state.surgery_day,
            "surgery_after": state.surgery_after,
            "surgery_before": state.surgery_before,
            "region": state.region,
            "levels": state.levels,
            "risk_factors": state.risk_factors,
            "display_name": state.display_name,
            "country": state.country,
            "checkin_time": state.checkin_time,
            "timezone": state.timezone,
            "paused": state.paused,
            "details_asked_at": asked,
        }
    )


def _save(state: ProfileState, ctx: Context) -> SaveProfile:
    return SaveProfile(profile=_profile_from(state, ctx))


def _reschedule(state: ProfileState, ctx: Context) -> Reschedule:
    """Move the next check-in prompt to the chosen time in the chosen zone (none if paused)."""
    if state.paused:
        return Reschedule(next_at=None)
    return Reschedule(next_at=next_slot(ctx.now, state.checkin_time, state.timezone))


def _to_menu(state: ProfileState, ctx: Context, *effects: Effect) -> Outcome:
    menu = state.model_copy(update={"step": ProfileStep.MENU, "trail": ()})
    return _show(menu, ctx, *effects)


def _section_done(state: ProfileState, ctx: Context, next_step: ProfileStep) -> Outcome:
    """Save the answers so far; go on in onboarding, back to the menu in settings."""
    # Saving per section means a user who leaves onboarding half-way keeps what they told us.
    save = _save(state, ctx)
    if state.mode is ProfileMode.ONBOARDING:
        return _show(_forward(state, next_step), ctx, save)
    return _to_menu(state, ctx, save, _reschedule(state, ctx))


def _finish_onboarding(state: ProfileState, ctx: Context) -> Outcome:
    lang = ctx.language
    return Outcome(
        state=None,
        screen=Screen(text=t(lang, "onboarding.done", summary=profile_summary(lang, state))),
        effects=(_save(state, ctx), _reschedule(state, ctx)),
    )


def _saved_with_zone(state: ProfileState, ctx: Context) -> tuple[Effect, ...]:
    """Save the answers, and move the next prompt if the time zone changed."""
    if ctx.profile is not None and ctx.profile.timezone == state.timezone:
        return (_save(state, ctx),)
    return (_save(state, ctx), _reschedule(state, ctx))


def _finish_details(state: ProfileState, ctx: Context) -> Outcome:
    lang = ctx.language
    return Outcome(
        state=None,
        screen=Screen(text=t(lang, "details.done", summary=details_summary(lang, state))),
        effects=_saved_with_zone(state, ctx),
    )


def _start_country(state: ProfileState, ctx: Context, *effects: Effect) -> Outcome:
    """The proposal to confirm when the country can be guessed; the list otherwise."""
    proposal = None
    if state.mode is not ProfileMode.SETTINGS or state.country is None:
        proposal = propose_country(ctx.timezone, ctx.language_code)
    if proposal is not None and proposal in COUNTRIES:
        step = _forward(state, ProfileStep.CONFIRM_COUNTRY, proposed_country=proposal)
        return _show(step, ctx, *effects)
    return _show(_forward(state, ProfileStep.COUNTRY), ctx, *effects)


def _start_zone(state: ProfileState, ctx: Context, *effects: Effect) -> Outcome:
    """The country's time zones to choose from, skipped when there is only one."""
    groups = _groups(state, ctx)
    if not groups:
        return _show(_forward(state, ProfileStep.TIMEZONE_OFFSET), ctx, *effects)
    current = [g for g in groups if state.timezone in g]
    if len(groups) == 1 or current:
        zone = state.timezone if current else groups[0][0]
        return _show(_forward(state, ProfileStep.CONFIRM_TIMEZONE, timezone=zone), ctx, *effects)
    return _show(_forward(state, ProfileStep.TIMEZONE, zone_page=0), ctx, *effects)


def _choose_country(state: ProfileState, code: str, ctx: Context) -> Outcome:
    chosen = state.model_copy(update={"country": code})
    # Saved at once: the country decides every emergency number, even if the zone is left.
    return _start_zone(chosen, ctx, _save(chosen, ctx))


def _after_zone(state: ProfileState, ctx: Context) -> Outcome:
    match state.mode:
        case ProfileMode.ONBOARDING:
            return _section_done(state, ctx, ProfileStep.SURGERY_YEAR)
        case ProfileMode.SETTINGS:
            return _section_done(state, ctx, ProfileStep.MENU)
        case ProfileMode.DETAILS:
            if state.ask_date:
                return _start_day(state, ctx, *_saved_with_zone(state, ctx))
            return _finish_details(state, ctx)


def _start_day(state: ProfileState, ctx: Context, *effects: Effect) -> Outcome:
    """The details run asks the month first if that is not known either."""
    step = ProfileStep.SURGERY_MONTH if state.surgery_month is None else ProfileStep.SURGERY_DAY
    return _show(_forward(state, step), ctx, *effects)


def _after_date(state: ProfileState, ctx: Context) -> Outcome:
    match state.mode:
        case ProfileMode.ONBOARDING:
            return _section_done(state, ctx, ProfileStep.REGION)
        case ProfileMode.SETTINGS:
            return _section_done(state, ctx, ProfileStep.MENU)
        case ProfileMode.DETAILS:
            return _finish_details(state, ctx)


def _ask_recent(state: ProfileState, ctx: Context) -> Outcome:
    """Ask about the last 2 weeks, then 3 months, where the answer can narrow the date."""
    today = state.recent_asked_on or _today(state, ctx)
    earliest, latest = _month_range(state, today)
    if state.within_two_weeks is None:
        start = today - timedelta(days=RECENT_WEEKS_DAYS)
        if _worth_asking(earliest, latest, start):
            asking = state.model_copy(update={"recent_asked_on": today})
            return _show(_forward(asking, ProfileStep.WITHIN_TWO_WEEKS), ctx)
    if state.within_two_weeks is not Recent.YES and state.within_three_months is None:
        if state.surgery_before is not None:
            latest = min(latest, state.surgery_before)
        start = today - timedelta(days=RECENT_MONTHS_DAYS)
        if _worth_asking(earliest, latest, start):
            asking = state.model_copy(update={"recent_asked_on": today})
            return _show(_forward(asking, ProfileStep.WITHIN_THREE_MONTHS), ctx)
    return _after_date(state, ctx)


def _on_recent(state: ProfileState, value: str, ctx: Context) -> Outcome:
    answer = Recent(value)
    asked_on = state.recent_asked_on or _today(state, ctx)
    two_weeks: Recent | None = answer
    three_months: Recent | None = None
    if state.step is ProfileStep.WITHIN_THREE_MONTHS:
        two_weeks, three_months = state.within_two_weeks, answer
    after, before = recent_bounds(two_weeks, three_months, asked_on)
    answered = state.model_copy(
        update={
            "within_two_weeks": two_weeks,
            "within_three_months": three_months,
            "surgery_after": after,
            "surgery_before": before,
        }
    )
    return _ask_recent(answered, ctx)


def on_event(state: ProfileState, event: Event, ctx: Context) -> Outcome:
    """Apply one answer to the profile being edited."""
    lang = ctx.language
    if not isinstance(event, Press):
        if state.step is ProfileStep.DISPLAY_NAME:
            return _on_name(state, event.text, ctx)
        hint = t(lang, "common.use_buttons")
        return Outcome(state=state, screen=render(state, ctx).with_hint(hint))
    value = event.value
    if value == "back" and state.trail:
        previous = state.model_copy(update={"step": state.trail[-1], "trail": state.trail[:-1]})
        return _show(previous, ctx)
    match state.step:
        case ProfileStep.CONSENT:
            return _on_consent(state, value, ctx)
        case ProfileStep.CONFIRM_COUNTRY:
            if value == "right" and state.proposed_country is not None:
                return _choose_country(state, state.proposed_country, ctx)
            return _show(_forward(state, ProfileStep.COUNTRY), ctx)
        case ProfileStep.COUNTRY | ProfileStep.COUNTRY_LETTER | ProfileStep.COUNTRY_OF_LETTER:
            return _on_country(state, value, ctx)
        case ProfileStep.TIMEZONE | ProfileStep.TIMEZONE_OFFSET:
            return _on_zone(state, value, ctx)
        case ProfileStep.CONFIRM_TIMEZONE:
            if value == "wrong":
                many = len(_groups(state, ctx)) > 1
                step = ProfileStep.TIMEZONE if many else ProfileStep.TIMEZONE_OFFSET
                return _show(_forward(state, step, zone_page=0), ctx)
            return _after_zone(state, ctx)
        case ProfileStep.SURGERY_YEAR:
            return _on_year(state, value, ctx)
        case ProfileStep.SURGERY_MONTH:
            if value == "unsure":
                return _ask_recent(_clear_day(state, surgery_month=None), ctx)
            month = _clear_day(state, surgery_month=MONTH.of(value))
            return _show(_forward(month, ProfileStep.SURGERY_DAY), ctx)
        case ProfileStep.SURGERY_DAY:
            if value == "unsure":
                return _ask_recent(_clear_day(state), ctx)
            return _after_date(_clear_day(state, surgery_day=DAY_OF_MONTH.of(value)), ctx)
        case ProfileStep.WITHIN_TWO_WEEKS | ProfileStep.WITHIN_THREE_MONTHS:
            return _on_recent(state, value, ctx)
        case ProfileStep.REGION:
            region = REGION.of(value)
            return _show(_forward(state, ProfileStep.LEVELS, region=region), ctx)
        case ProfileStep.LEVELS:
            levels = LEVEL_CHOICES.get(value)
            return _section_done(
                state.model_copy(update={"levels": levels}), ctx, ProfileStep.RISK_FACTORS
            )
        case ProfileStep.RISK_FACTORS:
            if value == "done":
                return _section_done(state, ctx, ProfileStep.DISPLAY_NAME)
            code = RISK.of(value)
            chosen = tuple(c for c in PROFILE_RISKS if (c in state.risk_factors) != (c == code))
            return _show(state.model_copy(update={"risk_factors": chosen}), ctx)
        case ProfileStep.DISPLAY_NAME:
            if value == "clear":
                cleared = state.model_copy(update={"display_name": None})
                return _section_done(cleared, ctx, ProfileStep.CHECKIN_TIME)
            # Skip changes nothing, so there is nothing to save.
            if state.mode is ProfileMode.ONBOARDING:
                return _show(_forward(state, ProfileStep.CHECKIN_TIME), ctx)
            return _to_menu(state, ctx)
        case ProfileStep.CHECKIN_TIME:
            # Choosing the time a reminder comes is asking for reminders: it turns them on.
            chosen_at = CHECKIN.of(value)
            at = state.model_copy(update={"checkin_time": chosen_at, "paused": False})
            if state.mode is ProfileMode.ONBOARDING:
                return _finish_onboarding(at, ctx)
            return _start_zone(at, ctx)
        case ProfileStep.MENU:
            return _on_menu(state, value, ctx)


def _on_name(state: ProfileState, text: str, ctx: Context) -> Outcome:
    lang = ctx.language
    name = clean_display_name(text)
    if not name:
        hint = t(lang, "name.empty")
    elif len(name) > DISPLAY_NAME_MAX_CHARS:
        hint = t(lang, "name.too_long", n=len(name), limit=DISPLAY_NAME_MAX_CHARS)
    else:
        named = state.model_copy(update={"display_name": name})
        return _section_done(named, ctx, ProfileStep.CHECKIN_TIME)
    return Outcome(state=state, screen=render(state, ctx).with_hint(hint))


def _on_consent(state: ProfileState, value: str, ctx: Context) -> Outcome:
    lang = ctx.language
    if value == "decline":
        return Outcome(state=None, screen=Screen(text=t(lang, "onboarding.declined")))
    # The country is not stored until the patient confirms it (REFERENCE.md §8.2).
    consent = RecordConsent(language=lang, timezone=ctx.timezone, country=None)
    # Onboarding asks the country and the day itself, so the details run never repeats them;
    # a conversation begun before onboarding asked them never gets this stamp.
    profile = _profile_from(state, ctx).model_copy(update={"details_asked_at": ctx.now})
    started = _start_country(state, ctx, consent, SaveProfile(profile=profile))
    # The account exists from here: Back cannot return to the question (declining it would
    # say nothing is stored); taking consent back is /delete's.
    assert isinstance(started.state, ProfileState)
    return _show(started.state.model_copy(update={"trail": ()}), ctx, *started.effects)


def _on_country(state: ProfileState, value: str, ctx: Context) -> Outcome:
    if value == "letters":
        return _show(_forward(state, ProfileStep.COUNTRY_LETTER), ctx)
    if LETTER.owns(value):
        letter = list(_countries_by_letter(ctx.language))[LETTER.of(value)]
        chosen = _forward(
            state, ProfileStep.COUNTRY_OF_LETTER, country_letter=letter, country_page=0
        )
        return _show(chosen, ctx)
    if value in ("prev", "next"):
        page = state.country_page + (1 if value == "next" else -1)
        return _show(state.model_copy(update={"country_page": page}), ctx)
    return _choose_country(state, COUNTRY.of(value), ctx)


def _on_zone(state: ProfileState, value: str, ctx: Context) -> Outcome:
    if value == "offsets":
        return _show(_forward(state, ProfileStep.TIMEZONE_OFFSET), ctx)
    if value in ("prev", "next"):
        page = state.zone_page + (1 if value == "next" else -1)
        return _show(state.model_copy(update={"zone_page": page}), ctx)
    if OFFSET.owns(value):
        zone = offset_zone(OFFSET.of(value))
    else:
        zone = _groups(state, ctx)[ZONE.of(value)][0]
    return _show(_forward(state, ProfileStep.CONFIRM_TIMEZONE, timezone=zone), ctx)


def _on_year(state: ProfileState, value: str, ctx: Context) -> Outcome:
    if value in ("earlier", "later"):
        page = state.year_page + (1 if value == "earlier" else -1)
        return _show(state.model_copy(update={"year_page": page}), ctx)
    if value == "unsure":
        return _ask_recent(_clear_day(state, surgery_year=None, surgery_month=None), ctx)
    year = _clear_day(state, surgery_year=YEAR.of(value), surgery_month=None)
    return _show(_forward(year, ProfileStep.SURGERY_MONTH), ctx)


def _on_menu(state: ProfileState, value: str, ctx: Context) -> Outcome:
    lang = ctx.language
    match value:
        case "edit_name":
            return _show(_forward(state, ProfileStep.DISPLAY_NAME), ctx)
        case "edit_country":
            return _start_country(state, ctx)
        case "edit_date":
            return _show(_forward(state, ProfileStep.SURGERY_YEAR, year_page=0), ctx)
        case "edit_region":
            return _show(_forward(state, ProfileStep.REGION), ctx)
        case "edit_risks":
            return _show(_forward(state, ProfileStep.RISK_FACTORS), ctx)
        case "edit_checkin" | "resume":
            # Reminders come back only at a time and in a zone the patient has just seen: the
            # stored ones may be defaults never chosen (an onboarding left before that step).
            return _show(_forward(state, ProfileStep.CHECKIN_TIME), ctx)
        case "pause":
            return _section_done(state.model_copy(update={"paused": True}), ctx, ProfileStep.MENU)
        case _:
            return Outcome(
                state=None,
                screen=Screen(
                    text=t(lang, "settings.closed", summary=profile_summary(lang, state))
                ),
            )


FLOW = Flow(ProfileState, render, on_event, command="settings", begin=begin_settings)
