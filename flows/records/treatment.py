"""Medicines and treatment events: what a surgeon asks first, kept as dated history.

A medicine is never overwritten: starting, changing and stopping it are each a dated
`MedicineChange`, and the list on any day is read from them (`medicines_on`). A treatment
event (an injection, imaging, a revision, a fall, ...) is one dated row. Neither carries any
dosing advice: the dose is the patient's own words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

NAME_MAX_CHARS = 60
DOSE_MAX_CHARS = 40
DETAIL_MAX_CHARS = 120
MOST_TIMES_A_DAY = 6
# The most as-needed doses a day the diary tells apart: the last button is "3 or more".
MOST_DOSES = 3
# The most as-needed medicines /log asks about one by one; more would make the diary a chore.
MOST_AS_NEEDED = 4
# The most medicines a list holds at once: a longer list is a pharmacy's, not a diary's.
MOST_MEDICINES = 20


class DrugClass(StrEnum):
    """The kinds of pain medicine the list offers to pick from (issue: /meds)."""

    PARACETAMOL = "paracetamol"
    NSAID = "nsaid"
    GABAPENTINOID = "gabapentinoid"
    OPIOID = "opioid"
    MUSCLE_RELAXANT = "muscle_relaxant"
    ANTIDEPRESSANT = "antidepressant"
    OTHER = "other"


class MedicineKind(StrEnum):
    """How a medicine is taken: on a schedule, or as needed."""

    SCHEDULED = "scheduled"
    AS_NEEDED = "as_needed"


class MedicineAction(StrEnum):
    """What a dated change of the list did."""

    START = "start"
    CHANGE = "change"
    STOP = "stop"


def _one_line(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.replace("\x00", "").split())
    return text or None


def _name(value: str | None) -> str | None:
    # The CSV's doses cell separates one medicine from the next with ";".
    text = _one_line(value)
    return None if text is None else text.replace(";", ",")


class MedicineChange(BaseModel):
    """One dated start, change or stop of a medicine; `medicine` names it across its changes."""

    model_config = ConfigDict(frozen=True)

    medicine: int = Field(ge=1)
    action: MedicineAction
    changed_on: date
    recorded_at: datetime
    name: str = Field(min_length=1, max_length=NAME_MAX_CHARS)
    drug_class: DrugClass
    kind: MedicineKind
    dose: str | None = Field(default=None, max_length=DOSE_MAX_CHARS)
    times_a_day: int | None = Field(default=None, ge=1, le=MOST_TIMES_A_DAY)

    @field_validator("name", mode="before")
    @classmethod
    def _plain_name(cls, value: str | None) -> str | None:
        return _name(value)

    @field_validator("dose", mode="before")
    @classmethod
    def _single_line(cls, value: str | None) -> str | None:
        return _one_line(value)


class Medicine(BaseModel):
    """A medicine on the list on some day: as last changed, and since when it is taken."""

    model_config = ConfigDict(frozen=True)

    key: int
    name: str
    drug_class: DrugClass
    kind: MedicineKind
    dose: str | None = None
    times_a_day: int | None = None
    started_on: date
    changed_on: date

    @property
    def as_needed(self) -> bool:
        """Whether it is taken as needed (its doses are logged in the diary)."""
        return self.kind is MedicineKind.AS_NEEDED

    @property
    def opioid(self) -> bool:
        """Whether it is an opioid (the drowsiness red flag is offered, REFERENCE.md §1)."""
        return self.drug_class is DrugClass.OPIOID


def _in_order(changes: Iterable[MedicineChange]) -> list[MedicineChange]:
    return sorted(changes, key=lambda c: (c.changed_on, c.recorded_at))


def medicines_on(changes: Iterable[MedicineChange], day: date) -> tuple[Medicine, ...]:
    """The medicines taken on `day`, by the changes dated on or before it, in start order."""
    current: dict[int, Medicine] = {}
    for change in _in_order(changes):
        if change.changed_on > day:
            break
        if change.action is MedicineAction.STOP:
            current.pop(change.medicine, None)
            continue
        before = current.get(change.medicine)
        current[change.medicine] = Medicine(
            key=change.medicine,
            name=change.name,
            drug_class=change.drug_class,
            kind=change.kind,
            dose=change.dose,
            times_a_day=change.times_a_day,
            started_on=change.changed_on if before is None else before.started_on,
            changed_on=change.changed_on,
        )
    return tuple(sorted(current.values(), key=lambda m: (m.started_on, m.key)))


def changes_between(
    changes: Iterable[MedicineChange], first: date | None, last: date
) -> list[MedicineChange]:
    """The changes dated in a period (from its first day, or all before its last), in order."""
    return [
        c
        for c in _in_order(changes)
        if (first is None or c.changed_on >= first) and c.changed_on <= last
    ]


def changes_of_period(
    changes: Iterable[MedicineChange], first: date | None, last: date
) -> list[MedicineChange]:
    """Every change, to `last`, of the medicines taken in a period: their story, not a slice.

    A medicine started before the period and still taken in it keeps its start, so a file of
    the last 30 days still says since when and how it is taken.
    """
    ordered = changes_between(changes, None, last)
    if first is None:
        return ordered
    taken = {m.key for m in medicines_on(ordered, first)}
    taken |= {c.medicine for c in ordered if c.changed_on >= first}
    return [c for c in ordered if c.medicine in taken]


def as_needed_on(changes: Iterable[MedicineChange], day: date) -> tuple[Medicine, ...]:
    """The as-needed medicines on the list on `day` whose doses the diary asks, one by one."""
    return tuple(m for m in medicines_on(changes, day) if m.as_needed)[:MOST_AS_NEEDED]


def dose_total(doses: Iterable[MedicineDose]) -> int | None:
    """The day's as-needed doses of all medicines ("3 or more" from three); None if none said."""
    known = [d.doses for d in doses if d.doses is not None]
    return min(sum(known), MOST_DOSES) if known else None


def next_key(changes: Sequence[MedicineChange]) -> int:
    """The key a newly started medicine gets: one more than any the patient has had."""
    return max((c.medicine for c in changes), default=0) + 1


class TreatmentKind(StrEnum):
    """The treatment events /event offers (a fixed list, so the report can sort and count)."""

    # The ones a surgeon most needs to see first: a scan and a new operation.
    MRI = "mri"
    REVISION = "revision"
    INJECTION = "injection"
    RADIOFREQUENCY = "radiofrequency"
    CT = "ct"
    XRAY = "xray"
    PHYSIO_START = "physio_start"
    PHYSIO_END = "physio_end"
    HARDWARE_REMOVAL = "hardware_removal"
    SCS_TRIAL = "scs_trial"
    SCS_IMPLANT = "scs_implant"
    DIAGNOSIS = "diagnosis"
    FALL = "fall"

    @property
    def imaging(self) -> bool:
        """Whether it is a scan, which may carry a one-line result."""
        return self in (TreatmentKind.MRI, TreatmentKind.CT, TreatmentKind.XRAY)


class TreatmentEvent(BaseModel):
    """A dated treatment event, with an optional one-line result or diagnosis."""

    model_config = ConfigDict(frozen=True)

    event_date: date
    kind: TreatmentKind
    recorded_at: datetime
    detail: str | None = Field(default=None, max_length=DETAIL_MAX_CHARS)

    @field_validator("detail", mode="before")
    @classmethod
    def _single_line(cls, value: str | None) -> str | None:
        return _one_line(value)


class StoredTreatmentEvent(TreatmentEvent):
    """A treatment event as stored, with the id /delete names it by."""

    id: int


class MedicineDose(BaseModel):
    """How many doses of one as-needed medicine were taken on a diary day (None: not said)."""

    model_config = ConfigDict(frozen=True)

    medicine: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=NAME_MAX_CHARS)
    opioid: bool = False
    doses: int | None = Field(default=None, ge=0, le=MOST_DOSES)

    @field_validator("name", mode="before")
    @classmethod
    def _plain_name(cls, value: str | None) -> str | None:
        return _name(value)
