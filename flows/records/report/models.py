"""The report's values: one model for each part of page one, with its numbers and sentences.

Each carries its sentences as the report shows them; the FHIR export keeps its own wording
(`name`, `tier_text` and `flags_text` below).
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.clinical.codes import CauseId, Finding, Tier
from flows.clinical.trends import AlertKind, Measure, StatusKind
from flows.records.models import AdviceKind, AdviceSource, Region
from flows.records.report.treatment import TreatmentSummary


class MeasureRow(BaseModel):
    """One line of the pain table: baseline, last 7 days, change and the meaningful change."""

    model_config = ConfigDict(frozen=True)

    measure: Measure
    name: str
    baseline: float | None
    recent: float | None
    recent_logged: int
    change: float | None
    mcid: float | None
    status: StatusKind
    crossed: bool
    # The days the baseline is the median of, and how many of them came from an import.
    baseline_first: date | None = None
    baseline_last: date | None = None
    baseline_imported: int = 0
    # Re-taken once the recovery from surgery had settled (flows.clinical.trends.settled_from).
    baseline_settled: bool = False
    baseline_text: str
    recent_text: str
    change_text: str
    mcid_text: str
    crossed_text: str


class AlertLine(BaseModel):
    """An alert the patient was sent, with what it was about in words."""

    model_config = ConfigDict(frozen=True)

    day: date
    kind: AlertKind
    tier: Tier
    about: tuple[str, ...]
    reason: str
    text: str


class EventSource(StrEnum):
    """Where a red flag or warning sign was seen."""

    DIARY = "diary"
    CHECK = "check"
    MESSAGE = "message"
    TREND = "trend"
    EVENT = "event"


class Sighting(BaseModel):
    """One place a red flag or warning sign was seen, and when (local time)."""

    model_config = ConfigDict(frozen=True)

    source: EventSource
    # When it was recorded, which for a diary entry logged "about yesterday" is a later day.
    at: datetime
    entry_id: int | None = None
    # False: known only from the advice it led to (a message, a diary entry then cancelled, a
    # check not finished); the advice stands all the same (REFERENCE.md §8.6).
    recorded: bool = True
    text: str


class AdviceLine(BaseModel):
    """Safety advice the bot decided on, and whether Telegram confirmed it reached the patient."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: AdviceKind
    tier: Tier
    source: AdviceSource
    decided_at: datetime
    delivered_at: datetime | None
    attempts: int
    text: str

    @property
    def delivered(self) -> bool:
        """Whether the advice reached the patient."""
        return self.delivered_at is not None


class RedFlagEvent(BaseModel):
    """One red flag or warning sign on one day, with every place it was seen and its advice."""

    model_config = ConfigDict(frozen=True)

    day: date
    time: time | None
    tier: Tier
    # The red flag's ID (RF-...); None for a warning sign that fires no red flag (tier T3).
    flag_id: str | None
    warning: Finding | None
    # The flag's or sign's name alone, with the flag's ID and tier code (FHIR), and as the
    # report shows it (`title`, `urgency_text`: plain words, the ID in the report's key).
    label: str
    name: str
    title: str
    seen: tuple[Sighting, ...]
    advice: tuple[AdviceLine, ...]
    when_text: str
    tier_text: str
    urgency_text: str
    seen_text: str
    advice_text: str
    text: str

    @property
    def sources(self) -> tuple[EventSource, ...]:
        """The places it was seen, each once, diary first."""
        found = {s.source for s in self.seen}
        return tuple(source for source in EventSource if source in found)

    @property
    def entry_ids(self) -> tuple[int, ...]:
        """The stored diary entries it was seen in."""
        return tuple(s.entry_id for s in self.seen if s.entry_id is not None)

    @property
    def delivered(self) -> bool | None:
        """Whether all its advice reached the patient; None when no advice was decided."""
        return None if not self.advice else all(a.delivered for a in self.advice)


class CauseLine(BaseModel):
    """A possible cause from a symptom check, as ranked by the rules."""

    model_config = ConfigDict(frozen=True)

    id: CauseId
    score: float
    name: str


class CheckSummary(BaseModel):
    """The latest symptom check: result, red flags, top causes and tests to consider."""

    model_config = ConfigDict(frozen=True)

    day: date
    tier: Tier
    # The flags' names, and their IDs.
    red_flags: tuple[str, ...]
    red_flag_ids: tuple[str, ...] = ()
    causes: tuple[CauseLine, ...]
    tests: tuple[str, ...]
    heading: str
    details: tuple[str, ...]
    causes_heading: str
    cause_lines: tuple[str, ...]
    tests_text: str


class CheckLine(BaseModel):
    """One symptom check of the period: when, the result, its red flags and top causes."""

    model_config = ConfigDict(frozen=True)

    recorded_at: datetime
    day: date
    time: time
    tier: Tier
    red_flags: tuple[str, ...]
    findings: tuple[Finding, ...]
    unsure: tuple[Finding, ...]
    causes: tuple[CauseLine, ...]
    tier_text: str
    # With the flags' IDs (FHIR), and by name alone (the report).
    flags_text: str
    flag_names_text: str
    causes_text: str
    text: str


class Report(BaseModel):
    """Every number and sentence of the report: page one and its warning signs and checks."""

    model_config = ConfigDict(frozen=True)

    language: str
    first: date
    last: date
    generated_on: date
    patient_label: str | None
    patient_text: str
    period_text: str
    generated_text: str
    surgery_date: date | None
    levels: int | None
    region: Region | None
    surgery_text: str
    days_since_surgery: int | None
    since_text: str
    measures: tuple[MeasureRow, ...]
    baseline_text: str
    pain_note: str
    alerts: tuple[AlertLine, ...]
    red_flags: tuple[RedFlagEvent, ...]
    flag_count_text: str
    flag_summary_text: str
    checks: tuple[CheckLine, ...]
    check_count_text: str
    check_summary_text: str
    latest_check: CheckSummary | None
    check_none_text: str
    days_logged: int
    days_in_period: int
    entry_count: int
    completeness_text: str
    not_a_diagnosis: str
    # What the report's urgency words and red-flag names stand for in the clinical rules.
    urgency_key: str
    rule_key: tuple[str, ...]
    # Medicines and treatment events of the period (issue: what a surgeon asks first).
    treatment: TreatmentSummary = TreatmentSummary()
