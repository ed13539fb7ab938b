"""The diary CSV's treatment cells: each medicine's doses, and the medicine changes and events.

The CSV stays one row per diary entry (DESIGN.md), so a reader that knows only the six first
columns still reads every entry. Medicines and events are not entries: each medicine change
and each event is written, with its own date, on the row of the first entry on or after that
date (or the last row, for those after it), as a JSON list in its column. JSON because the
patient's own words (a medicine's name, a scan's result) may hold any character; a
spreadsheet shows it as text, and the PDF is where a person reads it.

`medicine_doses` is for people and spreadsheets too: "Tramadol: 2; Ibuprofen: 0", the doses of
each medicine taken as needed that day (3 means "3 or more", as the diary's last button).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from pydantic import ValidationError

from flows.records.treatment import (
    MOST_DOSES,
    DrugClass,
    MedicineChange,
    MedicineKind,
    TreatmentEvent,
)

DOSES_COLUMN = "medicine_doses"
CHANGES_COLUMN = "medicine_changes"
EVENTS_COLUMN = "treatment_events"
DOSE_SEPARATOR = ";"


@dataclass(frozen=True, slots=True)
class CellProblem:
    """Why a treatment cell, or one item of it, was not understood."""

    key: str
    value: str


def doses_cell(doses: Sequence[tuple[str, int]]) -> str:
    """The `medicine_doses` cell: "Tramadol: 2; Ibuprofen: 0"."""
    return f"{DOSE_SEPARATOR} ".join(f"{name}: {count}" for name, count in doses)


def read_doses(cell: str) -> tuple[tuple[tuple[str, int], ...], list[CellProblem]]:
    """Each medicine's doses from a `medicine_doses` cell, and the parts not understood."""
    found: dict[str, tuple[str, int]] = {}
    problems: list[CellProblem] = []
    for part in cell.split(DOSE_SEPARATOR):
        text = part.strip()
        if not text:
            continue
        name, colon, count = text.rpartition(":")
        name = " ".join(name.split())
        try:
            doses = int(count.strip()) if colon and name else -1
        except ValueError:
            doses = -1
        if doses < 0:
            problems.append(CellProblem("diary_csv.medicine_doses_invalid", text))
            continue
        # A count of 5 is "3 or more", as the diary's buttons tell them apart.
        found[name.casefold()] = (name, min(doses, MOST_DOSES))
    return tuple(found.values()), problems


def _recorded(value: object, day: date, index: int) -> datetime:
    if isinstance(value, str):
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    # A file written by hand has no times: noon of the day, in the file's order.
    return datetime.combine(day, time(12), tzinfo=UTC) + timedelta(microseconds=index)


def _items(cell: str, problems: list[CellProblem], key: str) -> list[dict[str, object]]:
    if not cell:
        return []
    try:
        loaded = json.loads(cell)
    except ValueError:
        problems.append(CellProblem(key, cell))
        return []
    if not isinstance(loaded, list):
        problems.append(CellProblem(key, cell))
        return []
    items: list[dict[str, object]] = []
    for item in loaded:
        if isinstance(item, dict):
            items.append(item)
        else:
            problems.append(CellProblem(key, json.dumps(item, ensure_ascii=False)))
    return items


def _day(item: dict[str, object]) -> date:
    value = item.get("date")
    if not isinstance(value, str):
        raise ValueError("no date")
    return date.fromisoformat(value)


def changes_cell(changes: Sequence[MedicineChange]) -> str:
    """The `medicine_changes` cell: a JSON list, each change with its own date."""
    if not changes:
        return ""
    items = []
    for change in changes:
        item: dict[str, object] = {
            "date": change.changed_on.isoformat(),
            "action": change.action.value,
            "medicine": change.medicine,
            "name": change.name,
            "class": change.drug_class.value,
            "kind": change.kind.value,
        }
        if change.dose is not None:
            item["dose"] = change.dose
        if change.times_a_day is not None:
            item["times_a_day"] = change.times_a_day
        item["recorded"] = change.recorded_at.isoformat()
        items.append(item)
    return json.dumps(items, ensure_ascii=False)


def read_changes(cell: str, start: int) -> tuple[list[MedicineChange], list[CellProblem]]:
    """The medicine changes of a `medicine_changes` cell, and the items not understood."""
    problems: list[CellProblem] = []
    changes: list[MedicineChange] = []
    key = "diary_csv.medicine_changes_invalid"
    for index, item in enumerate(_items(cell, problems, key)):
        try:
            day = _day(item)
            changes.append(
                MedicineChange.model_validate(
                    {
                        "medicine": item.get("medicine", 1),
                        "action": item.get("action"),
                        "changed_on": day,
                        "recorded_at": _recorded(item.get("recorded"), day, start + index),
                        "name": item.get("name"),
                        "drug_class": item.get("class", DrugClass.OTHER.value),
                        "kind": item.get("kind", MedicineKind.SCHEDULED.value),
                        "dose": item.get("dose"),
                        "times_a_day": item.get("times_a_day"),
                    }
                )
            )
        except (ValueError, ValidationError):
            problems.append(CellProblem(key, json.dumps(item, ensure_ascii=False)))
    return changes, problems


def events_cell(events: Sequence[TreatmentEvent]) -> str:
    """The `treatment_events` cell: a JSON list, each event with its own date."""
    if not events:
        return ""
    items = []
    for event in events:
        item: dict[str, object] = {"date": event.event_date.isoformat(), "kind": event.kind.value}
        if event.detail is not None:
            item["detail"] = event.detail
        item["recorded"] = event.recorded_at.isoformat()
        items.append(item)
    return json.dumps(items, ensure_ascii=False)


def read_events(cell: str, start: int) -> tuple[list[TreatmentEvent], list[CellProblem]]:
    """The treatment events of a `treatment_events` cell, and the items not understood."""
    problems: list[CellProblem] = []
    events: list[TreatmentEvent] = []
    key = "diary_csv.treatment_events_invalid"
    for index, item in enumerate(_items(cell, problems, key)):
        try:
            day = _day(item)
            events.append(
                TreatmentEvent.model_validate(
                    {
                        "event_date": day,
                        "kind": item.get("kind"),
                        "recorded_at": _recorded(item.get("recorded"), day, start + index),
                        "detail": item.get("detail"),
                    }
                )
            )
        except (ValueError, ValidationError):
            problems.append(CellProblem(key, json.dumps(item, ensure_ascii=False)))
    return events, problems


def attach(days: Sequence[date], day: date) -> int:
    """The row a change or an event dated `day` is written on: the first on or after it."""
    for index, row_day in enumerate(days):
        if row_day >= day:
            return index
    return len(days) - 1
