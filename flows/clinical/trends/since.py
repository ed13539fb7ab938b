"""The treatment change a worsening comes after: "since the injection on Sun 3 May".

A surgeon reading "back pain 2.5 points above usual" asks first what changed (REFERENCE.md
§3.1 lists medicine changes among the diary's items; §3.2 re-baselines after any
intervention). A trend alert therefore names the most recent treatment event or medicine
change in the four weeks before it. It names, it never explains: the words say "since", not
"because", and the red-flag messages stay exactly as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from flows.i18n import short_date, t
from flows.records.treatment import (
    MedicineAction,
    MedicineChange,
    TreatmentEvent,
    TreatmentKind,
)

# A product decision, not a source's figure: the sustained rules read the last 14 to 28 days
# (§3.2, §3.3), so a change up to four weeks back is still "what came before" the worsening.
RECENT_CHANGE_DAYS = 28

# A scan or a new diagnosis changes what is known, not what is done to the back: an alert
# "since the MRI" would read as blame. Everything else here is done to the back, or is a fall.
NAMED_KINDS = frozenset(TreatmentKind) - {
    TreatmentKind.MRI,
    TreatmentKind.CT,
    TreatmentKind.XRAY,
    TreatmentKind.DIAGNOSIS,
}


class Since(BaseModel):
    """The treatment event or medicine change an alert came after, and its day."""

    model_config = ConfigDict(frozen=True)

    day: date
    event: TreatmentKind | None = None
    medicine: str | None = None
    action: MedicineAction | None = None

    def text(self, language: str, alert_day: date) -> str:
        """The sentence the alert ends with: "This is 12 days since the injection on Sun 3 May"."""
        if self.event is not None:
            what = t(language, f"event.kind.short.{self.event.value}")
        else:
            action = self.action or MedicineAction.CHANGE
            what = t(language, f"trends.since.medicine.{action.value}", name=self.medicine)
        days = (alert_day - self.day).days
        when = short_date(language, self.day)
        if days <= 0:
            return t(language, "trends.since.same_day", what=what, date=when)
        return t(language, "trends.since.days", what=what, date=when, days=days)


@dataclass(frozen=True, slots=True)
class TreatmentHistory:
    """The patient's treatment events and medicine changes, as the alerts read them."""

    events: tuple[TreatmentEvent, ...] = ()
    changes: tuple[MedicineChange, ...] = ()

    @classmethod
    def of(
        cls, events: Iterable[TreatmentEvent] = (), changes: Iterable[MedicineChange] = ()
    ) -> TreatmentHistory:
        """The history from whatever order the caller has them in."""
        return cls(tuple(events), tuple(changes))

    def before(
        self, day: date, days: int = RECENT_CHANGE_DAYS, known_at: datetime | None = None
    ) -> Since | None:
        """The latest named change in the `days` days up to `day`, None when there is none.

        With `known_at`, only what had been entered by then: a fall entered after an alert was
        sent is not what that alert named.
        """
        first = day.toordinal() - days
        last = day.toordinal()
        found: list[tuple[date, int, datetime, Since]] = []
        for event in self.events:
            if known_at is not None and event.recorded_at > known_at:
                continue
            if event.kind in NAMED_KINDS and first <= event.event_date.toordinal() <= last:
                # On one day a procedure is what the patient remembers, before a new pill.
                since = Since(day=event.event_date, event=event.kind)
                found.append((event.event_date, 1, event.recorded_at, since))
        for change in self.changes:
            if known_at is not None and change.recorded_at > known_at:
                continue
            if first <= change.changed_on.toordinal() <= last:
                since = Since(day=change.changed_on, medicine=change.name, action=change.action)
                found.append((change.changed_on, 0, change.recorded_at, since))
        if not found:
            return None
        return max(found, key=lambda item: item[:3])[3]


NO_TREATMENT = TreatmentHistory()
