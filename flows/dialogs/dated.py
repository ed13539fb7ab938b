"""The "when was it?" step /meds and /event share: today, yesterday, or a typed date."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flows.i18n import long_date, t
from flows.kit.core import Button, Screen, button, nav_row
from flows.kit.values import Coded

WHEN = Coded("on", date.fromisoformat, date.isoformat)
# Events are back-dated to the operation and before it (the scan that led to it); a date
# further back than this is a typing slip.
EARLIEST_YEARS = 30

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# A weekday in front ("Wed 2 Dec 2026", as the bot writes dates) says nothing more.
_WEEKDAY = re.compile(r"(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?")
_DAY_MONTH = re.compile(r"(\d{1,2})\s+([a-z]+)\.?(?:\s+(\d{4}))?")
_MONTH_DAY = re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?")


def ask_when(lang: str, question: str, today: date, chosen: date | None = None) -> Screen:
    """Ask the day: today, yesterday or two days ago as buttons, any other day typed."""

    def label(day: date, name: str) -> str:
        return f"• {name} •" if day == chosen else name

    days: tuple[Button, ...] = tuple(
        button(label(today - timedelta(days=n), t(lang, f"when.{n}")), WHEN(today - timedelta(n)))
        for n in range(3)
    )
    text = f"{question}\n\n{t(lang, 'when.type', example=long_date(lang, today))}"
    return Screen(text=text, buttons=(days, nav_row(lang)))


def _year(text: str | None, today: date, day: int, month: int) -> int | None:
    if text is None:
        # No year: the last such day up to today, as people name a recent date.
        try:
            this_year = date(today.year, month, day)
        except ValueError:
            return None
        return today.year if this_year <= today else today.year - 1
    year = int(text)
    return year + 2000 if year < 100 else year


def _built(year: int | None, month: int, day: int) -> date | None:
    if year is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def read_day(text: str, today: date) -> date | None:
    """The day a typed date names ("2026-05-03", "3.5.2026", "3 May", "May 3"), or None."""
    typed = " ".join(text.strip().casefold().split())
    if weekday := _WEEKDAY.match(typed):
        typed = typed[weekday.end() :]
    found: date | None = None
    if match := _ISO.fullmatch(typed):
        found = _built(int(match[1]), int(match[2]), int(match[3]))
    elif match := _NUMERIC.fullmatch(typed):
        # Day before month, as most of the world writes it.
        day, month = int(match[1]), int(match[2])
        found = _built(_year(match[3], today, day, month), month, day) if month <= 12 else None
    elif (match := _DAY_MONTH.fullmatch(typed)) and match[2] in _MONTHS:
        day, month = int(match[1]), _MONTHS[match[2]]
        found = _built(_year(match[3], today, day, month), month, day)
    elif (match := _MONTH_DAY.fullmatch(typed)) and match[1] in _MONTHS:
        day, month = int(match[2]), _MONTHS[match[1]]
        found = _built(_year(match[3], today, day, month), month, day)
    return found


def day_problem(day: date | None, today: date) -> str | None:
    """Why a typed date cannot be used (the text key), or None when it can."""
    if day is None:
        return "when.unreadable"
    if day > today:
        return "when.future"
    if day.year < today.year - EARLIEST_YEARS:
        return "when.too_early"
    return None
