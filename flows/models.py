"""Plain data shared by flows, storage and the shells: the profile and diary entries."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows.codes import CauseId, Finding, Tier
from flows.emergency import emergency_number

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
    region: Region | None = None
    levels: int | None = Field(default=None, ge=0, le=10)
    risk_factors: tuple[Finding, ...] = ()
    timezone: str = "UTC"
    language: str = "en"
    country: str | None = None
    checkin_time: time = time(20, 0)
    paused: bool = False

    def surgery_date(self) -> date | None:
        """The surgery date as precise as known (mid-month when only the month is known)."""
        if self.surgery_year is None:
            return None
        if self.surgery_month is None:
            return date(self.surgery_year, 7, 1)
        return date(self.surgery_year, self.surgery_month, 15)

    def days_since_surgery(self, today: date) -> int | None:
        """Whole days from the (estimated) surgery date to today, never negative."""
        surgery = self.surgery_date()
        return None if surgery is None else max(0, (today - surgery).days)

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
    source: EntrySource = EntrySource.LOG

    @field_validator("recorded_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("recorded_at must be timezone-aware")
        return value


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
