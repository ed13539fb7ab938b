"""Check-in times across time zones and daylight saving, and which prompt is chosen."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from flows.clinical.schedule import (
    PromptFacts,
    PromptKind,
    choose_prompt,
    local_instant,
    next_slot,
)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "at", "zone", "expected"),
    [
        (date(2026, 3, 10), time(20, 0), "UTC", utc(2026, 3, 10, 20, 0)),
        (date(2026, 3, 10), time(20, 0), "Asia/Kolkata", utc(2026, 3, 10, 14, 30)),
        (date(2026, 3, 10), time(8, 0), "Pacific/Auckland", utc(2026, 3, 9, 19, 0)),
        (date(2026, 3, 10), time(20, 0), "America/New_York", utc(2026, 3, 11, 0, 0)),
        # the day after New York springs forward (8 March 2026) the offset is -4
        (date(2026, 3, 9), time(20, 0), "America/New_York", utc(2026, 3, 10, 0, 0)),
        (date(2026, 3, 7), time(20, 0), "America/New_York", utc(2026, 3, 8, 1, 0)),
        # 02:30 does not exist in Berlin on 29 March 2026: moved forward by the hour gap
        (date(2026, 3, 29), time(2, 30), "Europe/Berlin", utc(2026, 3, 29, 1, 30)),
        # 02:30 happens twice in Berlin on 25 October 2026: the first one
        (date(2026, 10, 25), time(2, 30), "Europe/Berlin", utc(2026, 10, 25, 0, 30)),
        (date(2026, 3, 10), time(20, 0), "Etc/GMT-5", utc(2026, 3, 10, 15, 0)),
    ],
)
def test_local_instant(day: date, at: time, zone: str, expected: datetime) -> None:
    assert local_instant(day, at, zone) == expected


def test_next_slot_is_strictly_after() -> None:
    at = time(20, 0)
    assert next_slot(utc(2026, 3, 10, 19, 59), at, "UTC") == utc(2026, 3, 10, 20, 0)
    assert next_slot(utc(2026, 3, 10, 20, 0), at, "UTC") == utc(2026, 3, 11, 20, 0)
    # across the New York spring-forward night the wall-clock time stays 20:00
    assert next_slot(utc(2026, 3, 8, 1, 0), at, "America/New_York") == utc(2026, 3, 9, 0, 0)


def facts(**changes: object) -> PromptFacts:
    base: dict[str, object] = {
        "day": date(2026, 3, 10),
        "logged_today": False,
        "last_entry": date(2026, 3, 9),
        "registered": date(2026, 3, 5),
        "last_weekly": None,
        "nudged_for": None,
        "milestones_sent": frozenset(),
        "surgery": None,
    }
    base.update(changes)
    return PromptFacts(**base)  # type: ignore[arg-type]


def test_daily_prompt_only_when_not_logged_today() -> None:
    choice = choose_prompt(facts())
    assert choice is not None
    assert (choice.kind, choice.key) == (PromptKind.DAILY, "2026-03-10")
    assert choose_prompt(facts(logged_today=True)) is None


def test_weekly_function_check_in_every_seven_days() -> None:
    choice = choose_prompt(facts(registered=date(2026, 3, 1)))
    assert choice is not None
    assert choice.kind is PromptKind.WEEKLY
    week_ago = choose_prompt(facts(registered=date(2026, 1, 1), last_weekly=date(2026, 3, 3)))
    assert week_ago is not None
    assert week_ago.kind is PromptKind.WEEKLY
    near_miss = choose_prompt(facts(registered=date(2026, 1, 1), last_weekly=date(2026, 3, 4)))
    assert near_miss is not None
    assert near_miss.kind is PromptKind.DAILY


def test_one_nudge_after_three_silent_days_then_quiet() -> None:
    silent = facts(last_entry=date(2026, 3, 7))
    choice = choose_prompt(silent)
    assert choice is not None
    assert (choice.kind, choice.key) == (PromptKind.NUDGE, "2026-03-07")
    assert choose_prompt(facts(last_entry=date(2026, 3, 7), nudged_for=date(2026, 3, 7))) is None
    two_days = choose_prompt(facts(last_entry=date(2026, 3, 8)))
    assert two_days is not None
    assert two_days.kind is PromptKind.DAILY


def test_milestones_on_time_and_not_too_late() -> None:
    surgery = date(2025, 12, 9)  # 91 days before 10 March 2026
    choice = choose_prompt(facts(surgery=surgery, logged_today=True))
    assert choice is not None
    assert (choice.kind, choice.key) == (PromptKind.MILESTONE, "3m")
    assert choose_prompt(facts(surgery=surgery, milestones_sent=frozenset({"3m"}))) == (
        choose_prompt(facts())
    )
    late = choose_prompt(facts(surgery=date(2025, 12, 1)))
    assert late is not None
    assert late.kind is PromptKind.DAILY
