"""The profile flow's state: what it waits for, in which mode, and the answers so far."""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Literal

from flows.clinical.codes import Finding
from flows.kit.core import Button, SteppedState, nav_row, step_forward
from flows.records.models import Region


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


class ProfileState(SteppedState):
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


def nav(lang: str, state: ProfileState) -> tuple[Button, ...]:
    """The Back and Cancel row, with Back only when there is a step to go back to."""
    return nav_row(lang, back=bool(state.trail))


def forward(state: ProfileState, step: ProfileStep, **changes: object) -> ProfileState:
    """Move on to `step`, remembering the step left for Back."""
    return step_forward(state, step, **changes)
