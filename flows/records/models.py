"""Plain data shared by flows, storage and the shells: the profile and diary entries."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows.clinical.codes import CauseId, DaysRange, Finding, Tier
from flows.clinical.emergency import LocalNumbers, emergency_number, numbers_for
from flows.records.treatment import MOST_DOSES as MOST_DOSES
from flows.records.treatment import MedicineDose

NOTE_MAX_CHARS = 1000


class Region(StrEnum):
    """Where the operation was."""

    LUMBAR = "lumbar"
    LUMBOSACRAL = "lumbosacral"
    THORACOLUMBAR = "thoracolumbar"
    OTHER = "other"
    UNKNOWN = "unknown"


class Profile(BaseModel):
    """What the user told us about their surgery and health, with their consent."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    consented_at: datetime
    display_name: str | None = None
    surgery_year: int | None = None
    surgery_month: int | None = Field(default=None, ge=1, le=12)
    surgery_day: int | None = Field(default=None, ge=1, le=31)
    # Bounds from "in the last 2 weeks?" / "in the last 3 months?" when the day is not known
    # (REFERENCE.md §8.1): the operation was on or after `surgery_after` and on or before
    # `surgery_before`.
    surgery_after: date | None = None
    surgery_before: date | None = None
    region: Region | None = None
    levels: int | None = Field(default=None, ge=0, le=10)
    risk_factors: tuple[Finding, ...] = ()
    timezone: str = "UTC"
    language: str = "en"
    country: str | None = None
    checkin_time: time = time(20, 0)
    paused: bool = False
    # When the patient was last asked the country and the day of surgery that an older version
    # never asked; they are asked once (None: not yet).
    details_asked_at: datetime | None = None

    def surgery_bounds(self) -> tuple[date | None, date | None] | None:
        """The earliest and latest day the operation can have been on; None if nothing known."""
        earliest: date | None = None
        latest: date | None = None
        year, month, day = self.surgery_year, self.surgery_month, self.surgery_day
        if year is not None:
            if month is None:
                earliest, latest = date(year, 1, 1), date(year, 12, 31)
            elif day is None:
                last_day = calendar.monthrange(year, month)[1]
                earliest, latest = date(year, month, 1), date(year, month, last_day)
            else:
                exact = date(year, month, min(day, calendar.monthrange(year, month)[1]))
                return exact, exact
        after, before = self.surgery_after, self.surgery_before
        narrowed_earliest = max(d for d in (earliest, after) if d) if earliest or after else None
        narrowed_latest = min(d for d in (latest, before) if d) if latest or before else None
        if narrowed_earliest and narrowed_latest and narrowed_earliest > narrowed_latest:
            # The answers contradict the month: the later answer ("in the last 2 weeks") wins.
            narrowed_earliest, narrowed_latest = after, before
        if narrowed_earliest is None and narrowed_latest is None:
            return None
        return narrowed_earliest, narrowed_latest

    def surgery_days(self, today: date) -> DaysRange | None:
        """Days since surgery as precisely as known, for the rules' time windows (§8.1)."""
        bounds = self.surgery_bounds()
        if bounds is None:
            return None
        earliest, latest = bounds
        first = 0 if latest is None else max(0, (today - latest).days)
        last = None if earliest is None else max(first, (today - earliest).days)
        return DaysRange(first, last)

    def surgery_date(self) -> date | None:
        """The day of surgery, or the middle of the days it can have been on (an estimate).

        Only the trend baseline and the report's "weeks since surgery" use the estimate; the
        red-flag windows use `surgery_days`, which never guesses.
        """
        bounds = self.surgery_bounds()
        if bounds is None:
            return None
        earliest, latest = bounds
        if earliest is None or latest is None:
            return latest or earliest
        return earliest + timedelta(days=(latest - earliest).days // 2)

    def days_since_surgery(self, today: date) -> int | None:
        """Whole days from the (estimated) surgery date to today, never negative."""
        surgery = self.surgery_date()
        return None if surgery is None else max(0, (today - surgery).days)

    def numbers(self) -> LocalNumbers:
        """The emergency, same-day and crisis numbers of the country the patient lives in."""
        return numbers_for(self.country)

    def emergency_number(self) -> str:
        """The number to call in an emergency where the user lives."""
        return emergency_number(self.country)

    def profile_findings(self) -> frozenset[Finding]:
        """Risk-factor findings implied by the profile, for the shared rules."""
        found = set(self.risk_factors)
        if self.levels is not None and self.levels >= 3:
            found.add(Finding.MULTILEVEL_FUSION)
        if self.region is Region.LUMBOSACRAL:
            found.add(Finding.FUSED_TO_SACRUM)
        return frozenset(found)


class EntrySource(StrEnum):
    """Which path created a diary entry."""

    LOG = "log"
    CHECK = "check"
    QUICK = "quick"
    IMPORT = "import"


class NewEntry(BaseModel):
    """A diary entry before it is stored."""

    model_config = ConfigDict(frozen=True)

    entry_date: date
    recorded_at: datetime
    timezone: str
    back_pain: int | None = Field(default=None, ge=0, le=10)
    leg_pain: int | None = Field(default=None, ge=0, le=10)
    symptoms: tuple[Finding, ...] = ()
    note: str | None = Field(default=None, max_length=NOTE_MAX_CHARS)
    # Doses of pain medicine taken as needed that day, beyond any regular ones (the question
    # the surgeon asks first: "what are you taking?"); MOST_DOSES stands for that many or more.
    # None: not asked (a quick entry, an import without the column) or not answered.
    as_needed_doses: int | None = Field(default=None, ge=0, le=MOST_DOSES)
    # The same, medicine by medicine, for a patient whose /meds list has as-needed ones; then
    # `as_needed_doses` is their total ("3 or more" from three).
    medicine_doses: tuple[MedicineDose, ...] = ()
    source: EntrySource = EntrySource.LOG
    # False for an entry that came without a clock time (a CSV row with a blank time): its
    # recorded_at is the moment of the import, which says nothing about the time of the day.
    timed: bool = True

    @field_validator("recorded_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("recorded_at must be timezone-aware")
        return value

    def own_time(self) -> time | None:
        """The local clock time of the entry on its own date, or None when it has none."""
        if not self.timed:
            return None
        local = self.recorded_at.astimezone(ZoneInfo(self.timezone))
        # An entry made the next morning "about yesterday" has no time on its own date.
        if local.date() != self.entry_date:
            return None
        return local.time().replace(second=0, microsecond=0)

    def same_as_key(self) -> tuple[object, ...]:
        """What makes two entries the same diary entry: day, own time, scores, symptoms, note.

        The time is the one the CSV shows: none for an entry logged "about yesterday" or
        imported without one, so a blank time in our own export matches it. The note is
        compared as the CSV writes it, without its surrounding whitespace.
        """
        return (
            self.entry_date,
            self.own_time(),
            self.back_pain,
            self.leg_pain,
            tuple(self.symptoms),
            (self.note or "").strip() or None,
            self.as_needed_doses,
            tuple((d.name, d.doses) for d in self.medicine_doses),
        )


class Entry(NewEntry):
    """A stored diary entry."""

    id: int
    user_id: int


class CheckResult(BaseModel):
    """A finished symptom check: the answers and what the shared rules made of them."""

    model_config = ConfigDict(frozen=True)

    recorded_at: datetime
    days_since_surgery: int | None = None
    findings: tuple[Finding, ...] = ()
    unsure: tuple[Finding, ...] = ()
    known: tuple[Finding, ...] = ()
    tier: Tier
    red_flags: tuple[str, ...] = ()
    causes: tuple[tuple[CauseId, float], ...] = ()


class FunctionCheckin(BaseModel):
    """The weekly PEG check-in (REFERENCE.md §3.1): three 0-10 items."""

    model_config = ConfigDict(frozen=True)

    entry_date: date
    recorded_at: datetime
    average_pain: int = Field(ge=0, le=10)
    enjoyment: int = Field(ge=0, le=10)
    activity: int = Field(ge=0, le=10)

    @property
    def score(self) -> float:
        """The PEG score: the mean of the three items."""
        return round((self.average_pain + self.enjoyment + self.activity) / 3, 1)


class AdviceKind(StrEnum):
    """What a safety message is about; emergency, same-day and crisis ones must arrive."""

    EMERGENCY = "emergency"
    SAME_DAY = "same_day"
    SOON = "soon"
    CRISIS = "crisis"
    TREND = "trend"


class AdviceSource(StrEnum):
    """Where the answer that led to the advice was given."""

    LOG = "log"
    CHECK = "check"
    TEXT = "text"
    TREND = "trend"
    # A treatment event the patient entered with /event: a fall is a red flag (RF-FX).
    EVENT = "event"


class Advice(BaseModel):
    """Safety advice the rules decided on, to be delivered until Telegram confirms it."""

    model_config = ConfigDict(frozen=True)

    kind: AdviceKind
    tier: Tier
    text: str
    source: AdviceSource
    red_flags: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


class StoredAdvice(Advice):
    """Advice in the outbox: when it was decided and whether it has reached the patient."""

    id: int
    user_id: int
    decided_at: datetime
    attempts: int = 0
    delivered_at: datetime | None = None
