"""The storage port: what the bot asks of a database, whichever backend keeps it.

The bot is typed against these protocols and names no backend outside its composition root
(`tests/test_boundaries.py`). `storage.sqlite` is the SQLite backend; `tests/storage/test_ports.py`
holds it to them (every public method, with its parameters), so a second backend has one list
to satisfy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, TypeVar

from flows.clinical.schedule import PromptChoice, PromptFacts
from flows.clinical.trends import DayTotals, DayValues, SentAlert
from flows.records.models import (
    Advice,
    CheckResult,
    Entry,
    FunctionCheckin,
    NewEntry,
    Profile,
    StoredAdvice,
)
from flows.records.treatment import MedicineChange, StoredTreatmentEvent, TreatmentEvent

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Conversation:
    """Where a user's conversation stands: the live screen's number and the flow state."""

    seq: int
    state: str | None
    updated_at: datetime | None = None
    # An unsaved diary entry put aside for /log (its flow state), if any.
    entry_aside: str | None = None


class Duplicate:
    """Returned instead of a result when a Telegram update was already processed."""


DUPLICATE = Duplicate()


class Session(Protocol):
    """Synchronous access to one connection, used inside a unit of work on the DB thread."""

    @property
    def now(self) -> datetime:
        """The moment the unit of work stands for; writes stamp rows with it."""

    @property
    def now_iso(self) -> str:
        """The unit of work's moment as stored: UTC, ISO 8601, to the second."""

    def profile(self, user_id: int) -> Profile | None:
        """Return the user's profile, or None before they consented."""

    def conversation(self, user_id: int) -> Conversation:
        """Return the user's conversation position (seq 0 and no state when new)."""

    def set_entry_aside(self, user_id: int, draft: str | None) -> None:
        """Keep (or, with None, forget) the unsaved diary entry put aside for /log."""

    def save_conversation(self, user_id: int, seq: int, state: str | None) -> None:
        """Store the conversation position."""

    def forget_conversation(self, user_id: int) -> None:
        """Remove the conversation row entirely."""

    def count_entries_on(self, user_id: int, day: date) -> int:
        """Return how many entries the user has for a local date."""

    def entry_counts_between(
        self, user_id: int, first: date, last: date
    ) -> list[tuple[date, int]]:
        """Return how many entries each date from `first` to `last` has (none: left out)."""

    def entries_between(self, user_id: int, first: date, last: date) -> list[Entry]:
        """Return the user's entries with dates in [first, last], oldest first."""

    def trend_window(
        self,
        user_id: int,
        last: date,
        recent_days: int,
        baseline_dates: int,
        settled_from: date | None = None,
    ) -> tuple[DayValues, list[DayTotals]]:
        """Return what the trend check after a save reads: the dates of `days_for_trend`."""

    def days_for_trend(
        self,
        user_id: int,
        last: date,
        recent_days: int,
        baseline_dates: int,
        settled_from: date | None = None,
    ) -> list[DayTotals]:
        """Return what a trend assessment reads: the baselines' dates and the last weeks."""

    def add_entry(self, user_id: int, entry: NewEntry) -> int:
        """Store a diary entry and return its id."""

    def record_consent(
        self, user_id: int, language: str, timezone: str, country: str | None = None
    ) -> None:
        """Create the user's account at the moment they consent (kept if it exists)."""

    def add_check(self, user_id: int, result: CheckResult) -> int:
        """Store a symptom-check result and return its id."""

    def checks(self, user_id: int) -> list[CheckResult]:
        """Return the user's symptom-check results, oldest first."""

    def save_profile(self, profile: Profile) -> None:
        """Store every profile field."""

    def add_advice(self, user_id: int, advice: Advice) -> int:
        """Put safety advice in the outbox, due at once, and return its id."""

    def claim_advice(self, user_id: int | None = None, limit: int = 100) -> list[StoredAdvice]:
        """Take the advice due for a try now (of one user, or everyone), oldest first."""

    def release_advice(self, user_id: int | None = None) -> int:
        """Make undelivered advice due now: at start-up, or when a blocked patient is back."""

    def advice_between(self, user_id: int, first: datetime, last: datetime) -> list[StoredAdvice]:
        """Every piece of safety advice decided for the user in a period, oldest first."""

    def mark_advice_delivered(self, advice_id: int) -> None:
        """Record that Telegram confirmed the advice reached the patient."""

    def mark_advice_failed(
        self, advice_id: int, error: str, wait_seconds: float | None = None
    ) -> None:
        """Record a failed try (the error's type only) and when to try again."""

    def import_entries(self, user_id: int, entries: Sequence[NewEntry]) -> tuple[int, int]:
        """Add entries not already in the diary; returns (added, skipped as already present)."""

    def replace_entry(self, user_id: int, entry_id: int, entry: NewEntry) -> None:
        """Complete or change an earlier entry in place (only the user's own)."""

    def delete_entry(self, user_id: int, entry_id: int) -> bool:
        """Delete one of the user's entries; True if there was one."""

    def quick_entry_on(self, user_id: int, day: date) -> Entry | None:
        """Return the day's latest quick entry that has no leg pain yet, if any."""

    def add_medicine_change(self, user_id: int, change: MedicineChange) -> int:
        """Store one dated start, change or stop of a medicine; earlier ones stay as they are."""

    def medicine_changes(self, user_id: int) -> list[MedicineChange]:
        """Every change of the patient's medicines, in the order they were dated and entered."""

    def add_treatment_event(self, user_id: int, event: TreatmentEvent) -> int:
        """Store a dated treatment event and return its id."""

    def treatment_events(
        self, user_id: int, first: date | None = None, last: date | None = None
    ) -> list[StoredTreatmentEvent]:
        """The patient's treatment events dated in [first, last] (open ends: all), oldest first."""

    def delete_treatment_event(self, user_id: int, event_id: int) -> bool:
        """Remove one of the patient's treatment events; False if they have no such event."""

    def import_treatment(
        self,
        user_id: int,
        changes: Sequence[MedicineChange],
        events: Sequence[TreatmentEvent],
    ) -> tuple[int, int]:
        """Add medicine changes and events the diary lacks; (added, skipped as present)."""

    def add_function_checkin(self, user_id: int, checkin: FunctionCheckin) -> None:
        """Store a weekly PEG check-in."""

    def function_checkins(self, user_id: int, after: date | None = None) -> list[FunctionCheckin]:
        """Return the user's PEG check-ins (those dated after `after`, if given), oldest first."""

    def add_alert(self, user_id: int, alert: SentAlert) -> None:
        """Record a trend or red-flag alert that was sent."""

    def alerts_since(self, user_id: int, first: date) -> list[SentAlert]:
        """Return the alerts sent for days from `first` on, oldest first."""

    def set_next_prompt(self, user_id: int, at: datetime | None) -> None:
        """Set when the user's next check-in prompt is due."""

    def next_prompt(self, user_id: int) -> datetime | None:
        """Return when the user's next check-in prompt is due."""

    def block(self, user_id: int) -> None:
        """Mark that the user blocked the bot: no prompts until they come back (`unblock`)."""

    def unblock(self, user_id: int) -> bool:
        """Mark a user who had blocked the bot as back; True if they had blocked it."""

    def due_users(self, now: datetime, limit: int) -> list[tuple[Profile, datetime]]:
        """Return users whose prompt is due, with the instant it was due, earliest first."""

    def prompt_facts(self, profile: Profile, day: date) -> PromptFacts:
        """Gather what the scheduler needs to choose a user's prompt for a local date."""

    def claim_prompt(
        self, user_id: int, kind: str, key: str, day: date, due: datetime, by: str = ""
    ) -> bool:
        """Record a prompt as being sent (by which sender); False if it already was."""

    def mark_prompt(self, user_id: int, kind: str, key: str, status: str) -> None:
        """Record what became of a claimed prompt: sent, blocked, failed, uncertain, missed."""

    def failed_prompt(
        self, user_id: int, since: datetime
    ) -> tuple[PromptChoice, date, datetime] | None:
        """The user's failed prompt still worth retrying (due since `since`), if any."""

    def take_send_slot(self, rate: float, burst: float) -> float:
        """Take one bulk send from the bot-wide budget: 0 when taken, else seconds to wait."""

    def lock_users(self, user_ids: Sequence[int]) -> None:
        """Wait until no other unit of work holds these users, then hold them for this one."""

    def hold_user(self, user_id: int) -> bool:
        """Take the user's lock for this unit of work if it is free; False while another has it."""

    def recover_claims(self, before: datetime | None = None) -> int:
        """Mark prompts claimed (before `before`) but never recorded as uncertain; how many."""

    def reopen_prompt(self, user_id: int, kind: str, key: str) -> None:
        """Let a snoozed prompt be sent once more."""

    def prompt_statuses(self, user_id: int) -> list[tuple[str, str, str]]:
        """Return (kind, key, status) of the user's prompts in the order they were made."""

    def erase_user(self, user_id: int) -> None:
        """Erase every row about the user; the foreign keys take the rest with the account."""

    def forget_unconsented(self, before: datetime) -> int:
        """Forget where people who never agreed stood, if they last answered before a moment."""

    def claim_update(self, update_id: int) -> bool:
        """Record a Telegram update as processed; False if it already was."""

    def prune_updates(self, before: datetime) -> int:
        """Forget processed update ids older than a moment; Telegram redelivers for a day."""


class Reader(Protocol):
    """What a file worker reads the diary through: picklable, so a process pool can take it."""

    def snapshot(self, work: Callable[[Session], T]) -> T:
        """Run read-only work on a connection of its own, on the diary as at one moment."""


class Store(Protocol):
    """The async face of storage: one database-thread hop per call."""

    async def unit(
        self,
        now: datetime,
        work: Callable[[Session], T],
        *,
        update_id: int | None = None,
        user_id: int | None = None,
    ) -> T | Duplicate:
        """Run work in one write transaction; skip it if the update was already processed.

        With `user_id`, no other unit of work for that user runs at the same time, in this
        process or another.
        """

    @property
    def reader(self) -> Reader:
        """What a file worker reads the diary through, away from the database thread."""

    async def fold_wal(self) -> bool:
        """Empty the WAL after an erasure; False while a reader still holds it (retried)."""

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run a read-only piece of work on the database thread."""

    async def profile(self, user_id: int) -> Profile | None:
        """Return a user's profile."""

    async def entries_between(self, user_id: int, first: date, last: date) -> Sequence[Entry]:
        """Return a user's entries between two dates, oldest first."""
