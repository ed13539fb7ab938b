"""Each table's columns and how a row of them becomes a model and back, named once per table.

A column is named as the model field it holds. NULL and None stand for each other; a column's
`store` and `load` convert every other value (kept as it is when they are None). The SELECT
list, the placeholders and the parameters all come from one tuple of columns, so a value can
only meet its own column: a new diary field is one `Column` in `_ENTRY_FIELDS` (and the
migration that adds it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from functools import lru_cache
from operator import attrgetter
from typing import Any, Generic, TypeVar

from flows.clinical.codes import CauseId, Finding, Tier
from flows.clinical.trends import AlertKind, SentAlert
from flows.records.models import (
    Advice,
    AdviceKind,
    AdviceSource,
    CheckResult,
    Entry,
    EntrySource,
    FunctionCheckin,
    NewEntry,
    Profile,
    Region,
    StoredAdvice,
)
from flows.records.treatment import (
    DrugClass,
    MedicineAction,
    MedicineChange,
    MedicineDose,
    MedicineKind,
    StoredTreatmentEvent,
    TreatmentEvent,
    TreatmentKind,
)
from storage.ports import Conversation

M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class KeptTrend:
    """A trend_cache row: what the last trend check kept of the dates up to `upto`, packed."""

    upto: int
    settled: int | None
    recent: int
    baseline: int
    measures: str
    back_days: bytes
    back_values: bytes
    leg_days: bytes
    leg_values: bytes
    logged: bytes
    symptoms: str


def iso(moment: datetime) -> str:
    """A moment as stored: UTC, ISO 8601, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@lru_cache(maxsize=1024)
def _codes(text: str) -> tuple[Finding, ...]:
    return tuple(Finding(c) for c in text.split(";") if c)


def _joined(values: Sequence[str]) -> str:
    return ";".join(values)


def _names(text: str) -> tuple[str, ...]:
    return tuple(f for f in text.split(";") if f)


def _value(member: StrEnum) -> str:
    return member.value


def _dump_doses(doses: Sequence[MedicineDose]) -> str:
    return json.dumps([dose.model_dump() for dose in doses])


def _doses(text: str) -> tuple[MedicineDose, ...]:
    return tuple(MedicineDose.model_validate(item) for item in json.loads(text))


def _causes(text: str) -> tuple[tuple[CauseId, float], ...]:
    return tuple((CauseId(c), float(s)) for c, s in json.loads(text))


def _dump_causes(causes: Sequence[tuple[CauseId, float]]) -> str:
    return json.dumps([[cause.value, score] for cause, score in causes])


def _clock(at: time) -> str:
    return at.strftime("%H:%M")


def _day(day: date) -> str:
    return day.isoformat()


@dataclass(frozen=True, slots=True)
class Column:
    """One column, named as the model field it holds, and how a value is stored and read."""

    name: str
    store: Callable[[Any], object] | None = None
    load: Callable[[Any], object] | None = None


class Table(Generic[M]):
    """Some columns of one table and the model a row of them stands for."""

    def __init__(self, table: str, model: Callable[..., M], *columns: Column) -> None:
        self.table = table
        self.model = model
        self.names = tuple(c.name for c in columns)
        self.select_list = ", ".join(self.names)
        self.placeholders = ", ".join("?" * len(columns))
        self.assignments = ", ".join(f"{name} = ?" for name in self.names)
        getter = attrgetter(*self.names)
        # attrgetter of one name gives the value itself, not a tuple of one.
        self._fields: Callable[[M], Sequence[object]] = (
            getter if len(columns) > 1 else lambda model: (getter(model),)
        )
        self._stores = tuple(c.store for c in columns)
        self._loads = tuple((c.name, c.load) for c in columns)

    def excluded(self, *kept: str) -> str:
        """An upsert's SET list: each column takes the value it tried to insert, but `kept`."""
        unknown = set(kept) - set(self.names)
        if unknown:
            raise ValueError(f"{self.table} has no columns {sorted(unknown)} here")
        return ", ".join(f"{n} = excluded.{n}" for n in self.names if n not in kept)

    def to_row(self, model: M) -> tuple[object, ...]:
        """The model's values in column order, as stored: the parameters of `placeholders`."""
        return tuple(
            value if value is None or store is None else store(value)
            for value, store in zip(self._fields(model), self._stores, strict=True)
        )

    def from_row(self, row: Sequence[Any]) -> M:
        """The model of a row that selected `select_list`."""
        return self.model(
            **{
                name: value if value is None or load is None else load(value)
                for (name, load), value in zip(self._loads, row, strict=True)
            }
        )


_ID = Column("id", load=int)
_USER_ID = Column("user_id", load=int)
_RECORDED_AT = Column("recorded_at", iso, datetime.fromisoformat)
_TIER = Column("tier", _value, Tier)
_RED_FLAGS = Column("red_flags", _joined, _names)
_FINDINGS = Column("findings", _joined, _codes)

PROFILES = Table(
    "users",
    Profile,
    _USER_ID,
    Column("consented_at", iso, datetime.fromisoformat),
    Column("language", load=str),
    Column("timezone", load=str),
    Column("country", load=str),
    Column("display_name", load=str),
    Column("surgery_year", load=int),
    Column("surgery_month", load=int),
    Column("region", _value, Region),
    Column("levels", load=int),
    Column("risk_factors", _joined, _codes),
    Column("checkin_time", _clock, time.fromisoformat),
    Column("paused", int, bool),
    Column("surgery_day", load=int),
    Column("surgery_after", _day, date.fromisoformat),
    Column("surgery_before", _day, date.fromisoformat),
    Column("details_asked_at", iso, datetime.fromisoformat),
)

# What a diary entry stores, in the order an INSERT and an UPDATE name it.
_ENTRY_FIELDS = (
    Column("entry_date", _day, date.fromisoformat),
    _RECORDED_AT,
    Column("timezone", load=str),
    Column("back_pain", load=int),
    Column("leg_pain", load=int),
    Column("symptoms", _joined, _codes),
    Column("note", load=str),
    Column("as_needed_doses", load=int),
    Column("source", _value, EntrySource),
    Column("timed", int, bool),
    Column("medicine_doses", _dump_doses, _doses),
)
NEW_ENTRIES = Table("entries", NewEntry, *_ENTRY_FIELDS)
ENTRIES = Table("entries", Entry, _ID, _USER_ID, *_ENTRY_FIELDS)

_ADVICE_FIELDS = (
    Column("kind", _value, AdviceKind),
    _TIER,
    Column("source", _value, AdviceSource),
    _RED_FLAGS,
    _FINDINGS,
    Column("text", load=str),
)
ADVICE = Table("outbox", Advice, *_ADVICE_FIELDS)
STORED_ADVICE = Table(
    "outbox",
    StoredAdvice,
    _ID,
    _USER_ID,
    Column("decided_at", iso, datetime.fromisoformat),
    *_ADVICE_FIELDS,
    Column("attempts", load=int),
    Column("delivered_at", iso, datetime.fromisoformat),
)

CHECKS = Table(
    "checks",
    CheckResult,
    _RECORDED_AT,
    Column("days_since_surgery", load=int),
    _FINDINGS,
    Column("unsure", _joined, _codes),
    Column("known", _joined, _codes),
    _TIER,
    _RED_FLAGS,
    Column("causes", _dump_causes, _causes),
)

FUNCTION_CHECKINS = Table(
    "function_checkins",
    FunctionCheckin,
    Column("entry_date", _day, date.fromisoformat),
    _RECORDED_AT,
    Column("average_pain", load=int),
    Column("enjoyment", load=int),
    Column("activity", load=int),
)

ALERTS = Table(
    "alerts",
    SentAlert,
    Column("day", _day, date.fromisoformat),
    Column("kind", _value, AlertKind),
    Column("about", _joined, _names),
    _TIER,
    Column("sent_at", iso, datetime.fromisoformat),
)

MEDICINE_CHANGES = Table(
    "medicine_changes",
    MedicineChange,
    Column("medicine", load=int),
    Column("action", _value, MedicineAction),
    Column("changed_on", _day, date.fromisoformat),
    _RECORDED_AT,
    Column("name", load=str),
    Column("drug_class", _value, DrugClass),
    Column("kind", _value, MedicineKind),
    Column("dose", load=str),
    Column("times_a_day", load=int),
)

_TREATMENT_FIELDS = (
    Column("event_date", _day, date.fromisoformat),
    Column("kind", _value, TreatmentKind),
    _RECORDED_AT,
    Column("detail", load=str),
)
TREATMENT_EVENTS = Table("treatment_events", TreatmentEvent, *_TREATMENT_FIELDS)
STORED_TREATMENT_EVENTS = Table("treatment_events", StoredTreatmentEvent, _ID, *_TREATMENT_FIELDS)

CONVERSATIONS = Table(
    "conversations",
    Conversation,
    Column("seq", load=int),
    Column("state", load=str),
    Column("updated_at", iso, datetime.fromisoformat),
    Column("entry_aside", load=str),
)

# Stored and read as they are: storage.sql.trend_window packs a trend check's dates into them.
TREND_CACHE = Table(
    "trend_cache",
    KeptTrend,
    Column("upto"),
    Column("settled"),
    Column("recent"),
    Column("baseline"),
    Column("measures"),
    Column("back_days"),
    Column("back_values"),
    Column("leg_days"),
    Column("leg_values"),
    Column("logged"),
    Column("symptoms"),
)

# Each date's totals, as flows.clinical.trends.DayTotals has them (a tuple, read as it comes).
DAY_TOTALS = "day, back_sum, back_n, leg_sum, leg_n, symptoms"
