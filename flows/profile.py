"""Onboarding and /settings: consent, surgery date, region and levels, risk factors.

Onboarding walks every step once; /settings opens a menu and edits one section at a time,
both with the same steps and the same screens.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from flows.codes import Finding
from flows.core import (
    Button,
    Context,
    Effect,
    Event,
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
from flows.emergency import COUNTRY_CHOICES, emergency_number, infer_country
from flows.i18n import t
from flows.models import Profile, Region
from flows.schedule import next_slot

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
# Cities by IANA zone; the label key names the city.
CITY_ZONES: tuple[str, ...] = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "Africa/Johannesburg",
    "UTC",
)
UTC_OFFSETS: tuple[int, ...] = tuple(range(-12, 15))


def offset_zone(hours: int) -> str:
    """Return the fixed-offset zone for UTC+hours (the Etc/GMT sign is inverted by design)."""
    if hours == 0:
        return "UTC"
    return f"Etc/GMT{-hours:+d}"


class ProfileStep(StrEnum):
    """What onboarding or settings is waiting for."""

    CONSENT = "consent"
    SURGERY_YEAR = "surgery_year"
    SURGERY_MONTH = "surgery_month"
    REGION = "region"
    LEVELS = "levels"
    RISK_FACTORS = "risk_factors"
    COUNTRY = "country"
    CHECKIN_TIME = "checkin_time"
    TIMEZONE = "timezone"
    TIMEZONE_OFFSET = "timezone_offset"
    CONFIRM_TIMEZONE = "confirm_timezone"
    MENU = "menu"


class ProfileMode(StrEnum):
    """Whether the steps run as first-time onboarding or from the settings menu."""

    ONBOARDING = "onboarding"
    SETTINGS = "settings"


class ProfileState(FlowState):
    """Profile answers collected so far."""

    flow: Literal["profile"] = "profile"
    mode: ProfileMode
    step: ProfileStep
    trail: tuple[ProfileStep, ...] = ()
    year_page: int = 0
    surgery_year: int | None = None
    surgery_month: int | None = None
    region: Region | None = None
    levels: int | None = None
    risk_factors: tuple[Finding, ...] = ()
    country: str | None = None
    checkin_time: time = time(20, 0)
    timezone: str = "UTC"
    paused: bool = False


def begin_onboarding(ctx: Context) -> Outcome:
    """Start with the welcome and the consent question."""
    state = ProfileState(mode=ProfileMode.ONBOARDING, step=ProfileStep.CONSENT)
    return Outcome(state=state, screen=render(state, ctx))


def begin_settings(ctx: Context) -> Outcome:
    """Open the settings menu with the current profile filled in."""
    profile = ctx.profile
    if profile is None:
        return begin_onboarding(ctx)
    state = ProfileState(
        mode=ProfileMode.SETTINGS,
        step=ProfileStep.MENU,
        surgery_year=profile.surgery_year,
        surgery_month=profile.surgery_month,
        region=profile.region,
        levels=profile.levels,
        risk_factors=profile.risk_factors,
        country=profile.country,
        checkin_time=profile.checkin_time,
        timezone=profile.timezone,
        paused=profile.paused,
    )
    return Outcome(state=state, screen=render(state, ctx))


def render(state: ProfileState, ctx: Context) -> Screen:
    """Return the screen for the current step."""
    lang = ctx.language
    match state.step:
        case ProfileStep.CONSENT:
            return ask_consent(lang)
        case ProfileStep.SURGERY_YEAR:
            return ask_surgery_year(lang, state, ctx)
        case ProfileStep.SURGERY_MONTH:
            return ask_surgery_month(lang, state, ctx)
        case ProfileStep.REGION:
            return ask_region(lang)
        case ProfileStep.LEVELS:
            return ask_levels(lang)
        case ProfileStep.RISK_FACTORS:
            return ask_risk_factors(lang, state)
        case ProfileStep.COUNTRY:
            return ask_country(lang)
        case ProfileStep.CHECKIN_TIME:
            return ask_checkin_time(lang)
        case ProfileStep.TIMEZONE:
            return ask_timezone(lang)
        case ProfileStep.TIMEZONE_OFFSET:
            return ask_timezone_offset(lang)
        case ProfileStep.CONFIRM_TIMEZONE:
            return ask_local_time_correct(lang, state, ctx)
        case ProfileStep.MENU:
            return ask_setting(lang, state)


def ask_consent(lang: str) -> Screen:
    """Show the welcome, what the bot is not, and ask for consent to store health data."""
    return Screen(
        text=t(lang, "onboarding.welcome"),
        buttons=(
            (button(t(lang, "onboarding.agree"), "agree"),),
            (button(t(lang, "onboarding.decline"), "decline"),),
        ),
    )


def _year_choices(state: ProfileState, ctx: Context) -> list[int]:
    newest = ctx.today.year - state.year_page * YEARS_PER_PAGE
    oldest = max(newest - YEARS_PER_PAGE + 1, ctx.today.year - MAX_YEARS_BACK)
    return list(range(newest, oldest - 1, -1))


def ask_surgery_year(lang: str, state: ProfileState, ctx: Context) -> Screen:
    """Ask the year of the operation."""
    years = _year_choices(state, ctx)
    rows: list[tuple[Button, ...]] = [
        tuple(button(str(y), f"y{y}") for y in years[i : i + 3]) for i in range(0, len(years), 3)
    ]
    paging: list[Button] = []
    if state.year_page > 0:
        paging.append(button(t(lang, "onboarding.years_later"), "later"))
    if years and years[-1] > ctx.today.year - MAX_YEARS_BACK:
        paging.append(button(t(lang, "onboarding.years_earlier"), "earlier"))
    if paging:
        rows.append(tuple(paging))
    rows.append((button(t(lang, "onboarding.not_sure"), "unsure"),))
    rows.append(nav_row(lang, back=bool(state.trail)))
    return Screen(text=t(lang, "onboarding.ask_year"), buttons=tuple(rows))


def ask_surgery_month(lang: str, state: ProfileState, ctx: Context) -> Screen:
    """Ask the month of the operation, offering only months that have happened."""
    last = ctx.today.month if state.surgery_year == ctx.today.year else 12
    months = [button(t(lang, f"month.{m}"), f"m{m}") for m in range(1, last + 1)]
    rows = [tuple(months[i : i + 4]) for i in range(0, len(months), 4)]
    rows.append((button(t(lang, "onboarding.month_unsure"), "unsure"),))
    rows.append(nav_row(lang))
    return Screen(
        text=t(lang, "onboarding.ask_month", year=state.surgery_year), buttons=tuple(rows)
    )


def ask_region(lang: str) -> Screen:
    """Ask which part of the spine was operated on."""
    rows = tuple((button(t(lang, f"region.{r}"), f"r.{r}"),) for r in Region)
    return Screen(text=t(lang, "onboarding.ask_region"), buttons=(*rows, nav_row(lang)))


def ask_levels(lang: str) -> Screen:
    """Ask how many levels were fused."""
    rows = tuple((button(t(lang, f"levels.{v}"), v),) for v in LEVEL_CHOICES)
    unsure = (button(t(lang, "onboarding.not_sure"), "unsure"),)
    return Screen(text=t(lang, "onboarding.ask_levels"), buttons=(*rows, unsure, nav_row(lang)))


def ask_risk_factors(lang: str, state: ProfileState) -> Screen:
    """Show the optional health factors as toggles."""
    rows: list[tuple[Button, ...]] = []
    for code in PROFILE_RISKS:
        mark = "✅ " if code in state.risk_factors else "▫️ "
        rows.append((button(mark + t(lang, f"risk.{code}"), f"k.{code}"),))
    rows.append((button(t(lang, "onboarding.risks_done"), "done"),))
    rows.append(nav_row(lang))
    return Screen(text=t(lang, "onboarding.ask_risks"), buttons=tuple(rows))


def ask_checkin_time(lang: str) -> Screen:
    """Ask when the daily check-in should arrive."""
    labels = [button(at.strftime("%H:%M"), f"t{at.strftime('%H%M')}") for at in CHECKIN_TIMES]
    rows = tuple(tuple(labels[i : i + 3]) for i in range(0, len(labels), 3))
    return Screen(text=t(lang, "settings.ask_checkin"), buttons=(*rows, nav_row(lang)))


def ask_timezone(lang: str) -> Screen:
    """Ask the user's time zone by city."""
    cities = [button(t(lang, f"zone.{z}"), f"z{i}") for i, z in enumerate(CITY_ZONES)]
    rows = [tuple(cities[i : i + 2]) for i in range(0, len(cities), 2)]
    rows.append((button(t(lang, "settings.by_offset"), "offsets"),))
    return Screen(text=t(lang, "settings.ask_timezone"), buttons=(*rows, nav_row(lang)))


def ask_timezone_offset(lang: str) -> Screen:
    """Ask the time zone as a UTC offset."""
    offsets = [button(f"UTC{h:+d}" if h else "UTC", f"o{h + 12}") for h in UTC_OFFSETS]
    rows = tuple(tuple(offsets[i : i + 4]) for i in range(0, len(offsets), 4))
    return Screen(text=t(lang, "settings.ask_offset"), buttons=(*rows, nav_row(lang)))


def ask_local_time_correct(lang: str, state: ProfileState, ctx: Context) -> Screen:
    """Show the local time in the chosen zone so the user can confirm it."""
    local = ctx.now.astimezone(ZoneInfo(state.timezone))
    text = t(
        lang,
        "settings.confirm_timezone",
        time=local.strftime("%H:%M"),
        weekday=t(lang, f"weekday.{local.weekday()}"),
    )
    return Screen(
        text=text,
        buttons=(
            (button(t(lang, "settings.zone_right"), "right"),),
            (button(t(lang, "settings.zone_wrong"), "wrong"),),
            nav_row(lang),
        ),
    )


def ask_country(lang: str) -> Screen:
    """Ask where the user lives, to give the right emergency number."""
    rows = [
        (button(t(lang, f"country.{c}", number=emergency_number(c)), f"cc.{c.lower()}"),)
        for c in COUNTRY_CHOICES
    ]
    rows.append((button(t(lang, "country.other", number=emergency_number(None)), "cc.other"),))
    return Screen(text=t(lang, "settings.ask_country"), buttons=(*rows, nav_row(lang)))


def ask_setting(lang: str, state: ProfileState) -> Screen:
    """Show the profile and what can be changed."""
    return Screen(
        text=t(lang, "settings.menu", summary=profile_summary(lang, state)),
        buttons=(
            (button(t(lang, "settings.surgery_date"), "edit_date"),),
            (button(t(lang, "settings.region_levels"), "edit_region"),),
            (button(t(lang, "settings.risks"), "edit_risks"),),
            (button(t(lang, "settings.country"), "edit_country"),),
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


def profile_summary(lang: str, state: ProfileState) -> str:
    """Return the profile as a few readable lines."""
    if state.surgery_year is None:
        when = t(lang, "summary.unknown")
    elif state.surgery_month is None:
        when = str(state.surgery_year)
    else:
        when = f"{t(lang, f'month.{state.surgery_month}')} {state.surgery_year}"
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
        when=when,
        region=region,
        levels=levels,
        risks=risks,
        number=emergency_number(state.country),
        reminders=t(
            lang,
            "summary.reminders_paused" if state.paused else "summary.reminders",
            time=state.checkin_time.strftime("%H:%M"),
            zone=state.timezone,
        ),
    )


def _forward(state: ProfileState, step: ProfileStep, **changes: object) -> ProfileState:
    return state.model_copy(update={"step": step, "trail": (*state.trail, state.step), **changes})


def _show(state: ProfileState, ctx: Context, *effects: Effect) -> Outcome:
    return Outcome(state=state, screen=render(state, ctx), effects=effects)


def _profile_from(state: ProfileState, ctx: Context) -> Profile:
    base = ctx.profile or Profile(
        user_id=ctx.user_id, consented_at=ctx.now, timezone=ctx.timezone, language=ctx.language
    )
    return base.model_copy(
        update={
            "surgery_year": state.surgery_year,
            "surgery_month": state.surgery_month,
            "region": state.region,
            "levels": state.levels,
            "risk_factors": state.risk_factors,
            "country": state.country,
            "checkin_time": state.checkin_time,
            "timezone": state.timezone,
            "paused": state.paused,
        }
    )


def _reschedule(state: ProfileState, ctx: Context) -> Reschedule:
    """Move the next check-in prompt to the chosen time in the chosen zone (none if paused)."""
    if state.paused:
        return Reschedule(next_at=None)
    return Reschedule(next_at=next_slot(ctx.now, state.checkin_time, state.timezone))


def _section_done(state: ProfileState, ctx: Context, next_step: ProfileStep) -> Outcome:
    """Save the answers so far; go on in onboarding, back to the menu in settings."""
    # Saving per section means a user who leaves onboarding half-way keeps what they told us.
    save = SaveProfile(profile=_profile_from(state, ctx))
    if state.mode is ProfileMode.ONBOARDING:
        return _show(_forward(state, next_step), ctx, save)
    menu = state.model_copy(update={"step": ProfileStep.MENU, "trail": ()})
    return _show(menu, ctx, save, _reschedule(state, ctx))


def on_event(state: ProfileState, event: Event, ctx: Context) -> Outcome:
    """Apply one answer to the profile being edited."""
    lang = ctx.language
    if not isinstance(event, Press):
        hint = t(lang, "common.use_buttons")
        return Outcome(state=state, screen=render(state, ctx).with_hint(hint))
    value = event.value
    if value == "back" and state.trail:
        previous = state.model_copy(update={"step": state.trail[-1], "trail": state.trail[:-1]})
        return _show(previous, ctx)
    match state.step:
        case ProfileStep.CONSENT:
            if value == "decline":
                return Outcome(state=None, screen=Screen(text=t(lang, "onboarding.declined")))
            country = infer_country(ctx.language_code)
            consent = RecordConsent(language=ctx.language, timezone=ctx.timezone, country=country)
            answered = _forward(state, ProfileStep.SURGERY_YEAR, country=country)
            return _show(answered, ctx, consent)
        case ProfileStep.SURGERY_YEAR:
            if value in ("earlier", "later"):
                page = state.year_page + (1 if value == "earlier" else -1)
                return _show(state.model_copy(update={"year_page": page}), ctx)
            if value == "unsure":
                return _section_done(
                    state.model_copy(update={"surgery_year": None, "surgery_month": None}),
                    ctx,
                    ProfileStep.REGION,
                )
            year = int(value[1:])
            return _show(_forward(state, ProfileStep.SURGERY_MONTH, surgery_year=year), ctx)
        case ProfileStep.SURGERY_MONTH:
            month = None if value == "unsure" else int(value[1:])
            return _section_done(
                state.model_copy(update={"surgery_month": month}), ctx, ProfileStep.REGION
            )
        case ProfileStep.REGION:
            region = Region(value.removeprefix("r."))
            return _show(_forward(state, ProfileStep.LEVELS, region=region), ctx)
        case ProfileStep.LEVELS:
            levels = LEVEL_CHOICES.get(value)
            return _section_done(
                state.model_copy(update={"levels": levels}), ctx, ProfileStep.RISK_FACTORS
            )
        case ProfileStep.RISK_FACTORS:
            if value == "done":
                return _finish_risks(state, ctx)
            code = Finding(value.removeprefix("k."))
            chosen = tuple(c for c in PROFILE_RISKS if (c in state.risk_factors) != (c == code))
            return _show(state.model_copy(update={"risk_factors": chosen}), ctx)
        case ProfileStep.COUNTRY:
            chosen_country = value.removeprefix("cc.")
            country = None if chosen_country == "other" else chosen_country.upper()
            return _section_done(
                state.model_copy(update={"country": country}), ctx, ProfileStep.MENU
            )
        case ProfileStep.CHECKIN_TIME:
            at = time(int(value[1:3]), int(value[3:5]))
            return _show(_forward(state, ProfileStep.TIMEZONE, checkin_time=at), ctx)
        case ProfileStep.TIMEZONE | ProfileStep.TIMEZONE_OFFSET:
            return _on_zone(state, value, ctx)
        case ProfileStep.CONFIRM_TIMEZONE:
            return _on_confirm_zone(state, value, ctx)
        case ProfileStep.MENU:
            return _on_menu(state, value, ctx)


def _finish_risks(state: ProfileState, ctx: Context) -> Outcome:
    return _section_done(state, ctx, ProfileStep.CHECKIN_TIME)


def _finish_onboarding(state: ProfileState, ctx: Context) -> Outcome:
    lang = ctx.language
    return Outcome(
        state=None,
        screen=Screen(
            text=t(lang, "onboarding.done", summary=profile_summary(lang, state)),
        ),
        effects=(SaveProfile(profile=_profile_from(state, ctx)), _reschedule(state, ctx)),
    )


def _on_zone(state: ProfileState, value: str, ctx: Context) -> Outcome:
    if value == "offsets":
        return _show(_forward(state, ProfileStep.TIMEZONE_OFFSET), ctx)
    if value.startswith("o"):
        zone = offset_zone(int(value[1:]) - 12)
    else:
        zone = CITY_ZONES[int(value[1:])]
    return _show(_forward(state, ProfileStep.CONFIRM_TIMEZONE, timezone=zone), ctx)


def _on_confirm_zone(state: ProfileState, value: str, ctx: Context) -> Outcome:
    if value == "wrong":
        return _show(_forward(state, ProfileStep.TIMEZONE), ctx)
    if state.mode is ProfileMode.ONBOARDING:
        return _finish_onboarding(state, ctx)
    return _section_done(state, ctx, ProfileStep.MENU)


def _on_menu(state: ProfileState, value: str, ctx: Context) -> Outcome:
    lang = ctx.language
    match value:
        case "edit_date":
            return _show(_forward(state, ProfileStep.SURGERY_YEAR, year_page=0), ctx)
        case "edit_region":
            return _show(_forward(state, ProfileStep.REGION), ctx)
        case "edit_risks":
            return _show(_forward(state, ProfileStep.RISK_FACTORS), ctx)
        case "edit_country":
            return _show(_forward(state, ProfileStep.COUNTRY), ctx)
        case "edit_checkin":
            return _show(_forward(state, ProfileStep.CHECKIN_TIME), ctx)
        case "pause" | "resume":
            return _section_done(
                state.model_copy(update={"paused": value == "pause"}), ctx, ProfileStep.MENU
            )
        case _:
            return Outcome(
                state=None,
                screen=Screen(
                    text=t(lang, "settings.closed", summary=profile_summary(lang, state))
                ),
            )
