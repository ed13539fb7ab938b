"""The screen for each step of the profile flow."""

from __future__ import annotations

from flows.dialogs.profile.about import (
    ask_checkin_time,
    ask_display_name,
    ask_levels,
    ask_region,
    ask_risk_factors,
)
from flows.dialogs.profile.country import (
    ask_consent,
    ask_country,
    ask_country_is_right,
    ask_country_letter,
    ask_country_of_letter,
    ask_local_time_correct,
    ask_timezone,
    ask_timezone_offset,
)
from flows.dialogs.profile.menu import ask_setting
from flows.dialogs.profile.profile import ProfileState, ProfileStep
from flows.dialogs.profile.surgery import (
    ask_surgery_day,
    ask_surgery_month,
    ask_surgery_year,
    ask_within,
)
from flows.kit.core import Context, Screen


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
