"""Onboarding, /settings and the once-only details run: consent, country and time zone,
surgery date, region and levels, risk factors, the name on reports, reminders.

Onboarding walks every step once; /settings opens a menu and edits one section at a time;
the details run asks an older profile only the country or the day of surgery it lacks. All
three use the same steps and the same screens.

One module for each part of what the patient is asked: `profile` the state and its steps (its
diagram is `profile.md` beside it), `country` consent, the country and the time zone, `surgery`
the operation's date, `about` the region, levels, risk factors, name and check-in time, `menu`
the settings menu and the summaries; `screens` draws a step, `transitions` saves a section and
moves on, and `flow` holds the entries, `on_event` and `FLOW`.
"""

from flows.dialogs.profile.about import (
    CHECKIN,
    CHECKIN_TIMES,
    DISPLAY_NAME_MAX_CHARS,
    LEVEL_CHOICES,
    PROFILE_RISKS,
    REGION,
    RISK,
    ask_checkin_time,
    ask_display_name,
    ask_levels,
    ask_region,
    ask_risk_factors,
    clean_display_name,
)
from flows.dialogs.profile.country import (
    CITIES_PER_ZONE_LABEL,
    COMMON_COUNTRIES,
    COUNTRIES_PER_PAGE,
    COUNTRY,
    LETTER,
    LETTERS_PER_ROW,
    OFFSET,
    UTC_OFFSETS,
    ZONE,
    ZONES_PER_PAGE,
    ask_consent,
    ask_country,
    ask_country_is_right,
    ask_country_letter,
    ask_country_of_letter,
    ask_local_time_correct,
    ask_timezone,
    ask_timezone_offset,
    offset_zone,
    zone_city,
    zone_groups,
)
from flows.dialogs.profile.flow import (
    FLOW,
    begin_details,
    begin_onboarding,
    begin_settings,
    needs_details,
    on_event,
)
from flows.dialogs.profile.menu import (
    ask_setting,
    details_summary,
    profile_summary,
    surgery_text,
)
from flows.dialogs.profile.profile import (
    ProfileMode,
    ProfileState,
    ProfileStep,
    Recent,
)
from flows.dialogs.profile.screens import (
    render,
)
from flows.dialogs.profile.surgery import (
    DAY_OF_MONTH,
    MAX_YEARS_BACK,
    MONTH,
    RECENT_MONTHS_DAYS,
    RECENT_WEEKS_DAYS,
    YEAR,
    YEARS_PER_PAGE,
    ask_surgery_day,
    ask_surgery_month,
    ask_surgery_year,
    ask_within,
    recent_bounds,
)

__all__ = [
    "CHECKIN",
    "CHECKIN_TIMES",
    "CITIES_PER_ZONE_LABEL",
    "COMMON_COUNTRIES",
    "COUNTRIES_PER_PAGE",
    "COUNTRY",
    "DAY_OF_MONTH",
    "DISPLAY_NAME_MAX_CHARS",
    "FLOW",
    "LETTER",
    "LETTERS_PER_ROW",
    "LEVEL_CHOICES",
    "MAX_YEARS_BACK",
    "MONTH",
    "OFFSET",
    "PROFILE_RISKS",
    "RECENT_MONTHS_DAYS",
    "RECENT_WEEKS_DAYS",
    "REGION",
    "RISK",
    "UTC_OFFSETS",
    "YEAR",
    "YEARS_PER_PAGE",
    "ZONE",
    "ZONES_PER_PAGE",
    "ProfileMode",
    "ProfileState",
    "ProfileStep",
    "Recent",
    "ask_checkin_time",
    "ask_consent",
    "ask_country",
    "ask_country_is_right",
    "ask_country_letter",
    "ask_country_of_letter",
    "ask_display_name",
    "ask_levels",
    "ask_local_time_correct",
    "ask_region",
    "ask_risk_factors",
    "ask_setting",
    "ask_surgery_day",
    "ask_surgery_month",
    "ask_surgery_year",
    "ask_timezone",
    "ask_timezone_offset",
    "ask_within",
    "begin_details",
    "begin_onboarding",
    "begin_settings",
    "clean_display_name",
    "details_summary",
    "needs_details",
    "offset_zone",
    "on_event",
    "profile_summary",
    "recent_bounds",
    "render",
    "surgery_text",
    "zone_city",
    "zone_groups",
]
