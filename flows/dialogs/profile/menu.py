"""The /settings menu and the summaries of the profile it and the other modes end with."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime

from flows.dialogs.profile.country import country_text, number_text
from flows.dialogs.profile.profile import ProfileState
from flows.i18n import t
from flows.kit.core import Screen, button
from flows.records.models import Profile


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
        country=country_text(lang, state.country),
        number=number_text(lang, state.country),
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
        country=country_text(lang, state.country),
        number=number_text(lang, state.country),
    )
