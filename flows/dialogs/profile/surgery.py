"""The operation's date: year, month and day, or how recent it was when those are unsure."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flows.dialogs.profile.profile import ProfileState, Recent, nav
from flows.i18n import t
from flows.kit.core import Button, Context, Screen, button
from flows.kit.values import Coded

YEARS_PER_PAGE = 6
MAX_YEARS_BACK = 40
# The answers of the profile's steps, as their buttons carry them.
YEAR = Coded("y", int)
MONTH = Coded("m", int)
DAY_OF_MONTH = Coded("d", int)
# REFERENCE.md §8.1: the haematoma window is days 0-14, the wound window days 0-90.
RECENT_WEEKS_DAYS = 14
RECENT_MONTHS_DAYS = 90


def local_today(state: ProfileState, ctx: Context) -> date:
    """The patient's date in the time zone the answers hold."""
    # The zone just chosen, not the one stored: a new patient's stored zone is still UTC.
    return ctx.now.astimezone(ZoneInfo(state.timezone)).date()


def _year_choices(state: ProfileState, today: date) -> list[int]:
    newest = today.year - state.year_page * YEARS_PER_PAGE
    oldest = max(newest - YEARS_PER_PAGE + 1, today.year - MAX_YEARS_BACK)
    return list(range(newest, oldest - 1, -1))


def ask_surgery_year(lang: str, state: ProfileState, ctx: Context) -> Screen:
    """Ask the year of the operation."""
    today = local_today(state, ctx)
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
    rows.append(nav(lang, state))
    return Screen(text=t(lang, "onboarding.ask_year"), buttons=tuple(rows))


def ask_surgery_month(lang: str, state: ProfileState, ctx: Context) -> Screen:
    """Ask the month of the operation, offering only months that have happened."""
    today = local_today(state, ctx)
    last = today.month if state.surgery_year == today.year else 12
    months = [button(t(lang, f"month.{m}"), MONTH(m)) for m in range(1, last + 1)]
    rows = [tuple(months[i : i + 4]) for i in range(0, len(months), 4)]
    rows.append((button(t(lang, "onboarding.month_unsure"), "unsure"),))
    rows.append(nav(lang, state))
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
    days = [button(str(d), DAY_OF_MONTH(d)) for d in _days_offered(state, local_today(state, ctx))]
    rows = [tuple(days[i : i + 7]) for i in range(0, len(days), 7)]
    rows.append((button(t(lang, "onboarding.day_unsure"), "unsure"),))
    rows.append(nav(lang, state))
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
            nav(lang, state),
        ),
    )


def month_range(state: ProfileState, today: date) -> tuple[date | None, date]:
    """The earliest and latest day the year and month answers allow, never after today."""
    year, month = state.surgery_year, state.surgery_month
    if year is None:
        return None, today
    if month is None:
        return date(year, 1, 1), min(date(year, 12, 31), today)
    last = calendar.monthrange(year, month)[1]
    return date(year, month, 1), min(date(year, month, last), today)


def worth_asking(earliest: date | None, latest: date, start: date) -> bool:
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


def clear_day(state: ProfileState, **changes: object) -> ProfileState:
    """Forget the day and the recent-period answers, with `changes` applied."""
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
