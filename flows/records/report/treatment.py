"""The report's "medicines and treatment" lines: the list, its changes, doses and events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict

from flows.i18n import long_date, t
from flows.records.models import Entry
from flows.records.treatment import (
    Medicine,
    MedicineChange,
    MedicineKind,
    TreatmentEvent,
    changes_between,
    medicines_on,
)


class TreatmentSummary(BaseModel):
    """What page one says of medicines and treatment events in the period."""

    model_config = ConfigDict(frozen=True)

    current: tuple[str, ...] = ()
    # The medicine changes and treatment events of the period, oldest first.
    timeline: tuple[str, ...] = ()
    doses_text: str | None = None

    @property
    def empty(self) -> bool:
        """Whether there is nothing to say: no list, no change, no dose and no event."""
        return not (self.current or self.timeline or self.doses_text)


def medicine_line(lang: str, medicine: Medicine | MedicineChange) -> str:
    """One medicine as the list and the report say it: "Tramadol (opioid), 50 mg, as needed"."""
    kind = t(lang, f"meds.class.line.{medicine.drug_class}")
    # "paracetamol (paracetamol)" says it twice; so does a name that is the button's label.
    labels = {kind.casefold(), t(lang, f"meds.class.{medicine.drug_class}").casefold()}
    named = medicine.name if medicine.name.casefold() in labels else f"{medicine.name} ({kind})"
    return f"{named}, {how_taken(lang, medicine)}"


def how_taken(lang: str, medicine: Medicine | MedicineChange) -> str:
    """The dose in the patient's words and how often: "50 mg, as needed", "2 times a day"."""
    parts = [medicine.dose] if medicine.dose else []
    if medicine.kind is MedicineKind.AS_NEEDED:
        parts.append(t(lang, "meds.kind.as_needed.short"))
    elif medicine.times_a_day:
        parts.append(t(lang, "meds.times_a_day", n=medicine.times_a_day))
    else:
        parts.append(t(lang, "meds.kind.scheduled.short"))
    return ", ".join(parts)


def event_line(lang: str, event: TreatmentEvent) -> str:
    """One event as the timeline says it: "Tue 3 May 2026: MRI scan (L4-5 disc bulge)"."""
    text = f"{long_date(lang, event.event_date)}: {t(lang, f'event.kind.{event.kind}')}"
    return f"{text} ({event.detail})" if event.detail else text


def _doses_text(lang: str, entries: Sequence[Entry], first: date, last: date) -> str | None:
    counted = [
        e for e in entries if first <= e.entry_date <= last and e.as_needed_doses is not None
    ]
    if not counted:
        return None
    days = {e.entry_date for e in counted}
    dosed = {e.entry_date for e in counted if e.as_needed_doses}
    opioid = {e.entry_date for e in counted for d in e.medicine_doses if d.opioid and d.doses}
    weeks = max(1.0, ((last - first).days + 1) / 7)
    text = t(lang, "report.doses", dosed=len(dosed), days=len(days))
    if any(d.opioid for e in counted for d in e.medicine_doses):
        text += " " + t(lang, "report.opioid_days", per_week=f"{len(opioid) / weeks:.1f}")
    return text


def dated_treatment(
    changes: Iterable[MedicineChange],
    events: Iterable[TreatmentEvent],
    first: date,
    last: date,
) -> list[MedicineChange | TreatmentEvent]:
    """The changes and events dated from first to last, oldest first; a day's medicines first."""
    dated: list[tuple[date, int, MedicineChange | TreatmentEvent]] = [
        (c.changed_on, 0, c) for c in changes_between(changes, first, last)
    ]
    dated.extend((e.event_date, 1, e) for e in events if first <= e.event_date <= last)
    return [what for _, _, what in sorted(dated, key=lambda d: (d[0], d[1]))]


def treatment_line(lang: str, what: MedicineChange | TreatmentEvent) -> str:
    """A change or an event as the timeline says it: "Tue 3 May 2026: started Tramadol"."""
    if isinstance(what, MedicineChange):
        return t(
            lang,
            f"report.medicine.{what.action}",
            date=long_date(lang, what.changed_on),
            medicine=medicine_line(lang, what),
        )
    return event_line(lang, what)


def treatment_summary(
    lang: str,
    changes: Sequence[MedicineChange],
    events: Sequence[TreatmentEvent],
    entries: Sequence[Entry],
    first: date,
    last: date,
) -> TreatmentSummary:
    """The list on the period's last day, the changes and events dated in it, the doses."""
    return TreatmentSummary(
        current=tuple(medicine_line(lang, m) for m in medicines_on(changes, last)),
        timeline=tuple(
            treatment_line(lang, what) for what in dated_treatment(changes, events, first, last)
        ),
        doses_text=_doses_text(lang, entries, first, last),
    )
