"""When check-in prompts are due, and which one: across time zones and daylight saving.

All instants are UTC; a user's check-in time is a wall-clock time in their own zone. A local
time that does not exist on a spring-forward day is moved forward by the length of the gap;
a local time that happens twice on a fall-back day is taken the first time (PEP 495 fold=0).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

DEFAULT_CHECKIN = time(20, 0)
# A bot that was down sends the prompts it missed if it is back within this window.
GRACE = timedelta(hours=3)
SNOOZE = timedelta(hours=1)
# One gentle nudge after this many days without an entry, then quiet until the next entry.
NUDGE_AFTER_DAYS = 3
WEEKLY_EVERY_DAYS = 7
# Milestone check-ins after surgery (6 weeks, 3, 6, 12 and 24 months), in days; a milestone
# missed for a week is not sent late.
MILESTONES: tuple[tuple[str, int], ...] = (
    ("6w", 42),
    ("3m", 91),
    ("6m", 182),
    ("12m", 365),
    ("24m", 730),
)
MILESTONE_LATE_DAYS = 7


class PromptKind(StrEnum):
    """The kinds of check-in prompt."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MILESTONE = "milestone"
    NUDGE = "nudge"


def local_instant(day: date, at: time, timezone: str) -> datetime:
    """Return the UTC instant when the clock in timezone reads `at` on `day`."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def next_slot(after: datetime, at: time, timezone: str) -> datetime:
    """Return the first check-in instant strictly after `after`."""
    today = after.astimezone(ZoneInfo(timezone)).date()
    for offset in range(-1, 3):
        candidate = local_instant(today + timedelta(days=offset), at, timezone)
        if candidate > after:
            return candidate
    raise AssertionError("a check-in time recurs within three days")


def local_date(moment: datetime, timezone: str) -> date:
    """Return the date in timezone at an instant."""
    return moment.astimezone(ZoneInfo(timezone)).date()


@dataclass(frozen=True, slots=True)
class PromptFacts:
    """What the scheduler knows about one due user on the local date of the slot."""

    day: date
    logged_today: bool
    last_entry: date | None
    registered: date
    last_weekly: date | None
    nudged_for: date | None
    milestones_sent: frozenset[str]
    surgery: date | None


@dataclass(frozen=True, slots=True)
class PromptChoice:
    """The prompt to send, and the key that makes it once-only."""

    kind: PromptKind
    key: str


def due_milestone(facts: PromptFacts) -> str | None:
    """Return the milestone whose check-in is due on this day, if any."""
    if facts.surgery is None:
        return None
    since = (facts.day - facts.surgery).days
    for name, days in MILESTONES:
        if name not in facts.milestones_sent and 0 <= since - days < MILESTONE_LATE_DAYS:
            return name
    return None


def choose_prompt(facts: PromptFacts) -> PromptChoice | None:
    """Decide which prompt, if any, a due user gets today."""
    milestone = due_milestone(facts)
    if milestone is not None:
        return PromptChoice(PromptKind.MILESTONE, milestone)
    since_entry = (facts.day - (facts.last_entry or facts.registered)).days
    if since_entry >= NUDGE_AFTER_DAYS:
        anchor = facts.last_entry or facts.registered
        if facts.nudged_for == anchor:
            return None
        return PromptChoice(PromptKind.NUDGE, anchor.isoformat())
    weekly_anchor = facts.last_weekly or facts.registered
    if (facts.day - weekly_anchor).days >= WEEKLY_EVERY_DAYS:
        return PromptChoice(PromptKind.WEEKLY, facts.day.isoformat())
    if facts.logged_today:
        return None
    return PromptChoice(PromptKind.DAILY, facts.day.isoformat())
