"""Medicine changes and treatment events as the tests write them: Tramadol unless told."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flows.records.treatment import (
    DrugClass,
    MedicineAction,
    MedicineChange,
    MedicineKind,
    StoredTreatmentEvent,
    TreatmentKind,
)


def noon(day: date) -> datetime:
    """Noon UTC on the day: when a test's change or event was entered, unless told."""
    return datetime.combine(day, time(12), tzinfo=UTC)


def change(
    day: date,
    action: MedicineAction = MedicineAction.START,
    *,
    dose: str | None = "50 mg",
    recorded_at: datetime | None = None,
    **fields: object,
) -> MedicineChange:
    """A dated change of medicine 1, an as-needed opioid "Tramadol" unless `fields` say."""
    values: dict[str, object] = {
        "medicine": 1,
        "name": "Tramadol",
        "drug_class": DrugClass.OPIOID,
        "kind": MedicineKind.AS_NEEDED,
        **fields,
    }
    return MedicineChange.model_validate(
        {
            **values,
            "action": action,
            "changed_on": day,
            "recorded_at": recorded_at or noon(day),
            "dose": dose,
        }
    )


def event(
    day: date,
    kind: TreatmentKind,
    detail: str | None = None,
    *,
    recorded_at: datetime | None = None,
) -> StoredTreatmentEvent:
    """A stored treatment event on the day, its id the day's ordinal."""
    return StoredTreatmentEvent(
        id=day.toordinal(),
        event_date=day,
        kind=kind,
        recorded_at=recorded_at or noon(day),
        detail=detail,
    )
