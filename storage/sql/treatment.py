"""The medicine list's dated changes and the treatment events of one patient."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flows.records.treatment import MedicineChange, StoredTreatmentEvent, TreatmentEvent
from storage.sql.base import Connected
from storage.sql.tables import MEDICINE_CHANGES, STORED_TREATMENT_EVENTS, TREATMENT_EVENTS


class Treatment(Connected):
    """The medicine and treatment-event queries of a unit of work."""

    def add_medicine_change(self, user_id: int, change: MedicineChange) -> int:
        """Store one dated start, change or stop of a medicine; earlier ones stay as they are."""
        cursor = self.conn.execute(
            f"INSERT INTO medicine_changes ({MEDICINE_CHANGES.select_list}, user_id) "
            f"VALUES ({MEDICINE_CHANGES.placeholders}, ?) RETURNING id",
            (*MEDICINE_CHANGES.to_row(change), user_id),
        )
        return int(cursor.fetchone()[0])

    def medicine_changes(self, user_id: int) -> list[MedicineChange]:
        """Every change of the patient's medicines, in the order they were dated and entered."""
        rows = self.conn.execute(
            f"SELECT {MEDICINE_CHANGES.select_list} FROM medicine_changes WHERE user_id = ? "
            "ORDER BY changed_on, recorded_at, id",
            (user_id,),
        ).fetchall()
        return [MEDICINE_CHANGES.from_row(r) for r in rows]

    def add_treatment_event(self, user_id: int, event: TreatmentEvent) -> int:
        """Store a dated treatment event and return its id."""
        cursor = self.conn.execute(
            f"INSERT INTO treatment_events ({TREATMENT_EVENTS.select_list}, user_id) "
            f"VALUES ({TREATMENT_EVENTS.placeholders}, ?) RETURNING id",
            (*TREATMENT_EVENTS.to_row(event), user_id),
        )
        return int(cursor.fetchone()[0])

    def treatment_events(
        self, user_id: int, first: date | None = None, last: date | None = None
    ) -> list[StoredTreatmentEvent]:
        """The patient's treatment events dated in [first, last] (open ends: all), oldest first."""
        rows = self.conn.execute(
            f"SELECT {STORED_TREATMENT_EVENTS.select_list} FROM treatment_events "
            "WHERE user_id = ? AND event_date >= ? AND event_date <= ? "
            "ORDER BY event_date, recorded_at, id",
            (
                user_id,
                "" if first is None else first.isoformat(),
                "9999-12-31" if last is None else last.isoformat(),
            ),
        ).fetchall()
        return [STORED_TREATMENT_EVENTS.from_row(r) for r in rows]

    def delete_treatment_event(self, user_id: int, event_id: int) -> bool:
        """Remove one of the patient's treatment events; False if they have no such event."""
        cursor = self.conn.execute(
            "DELETE FROM treatment_events WHERE id = ? AND user_id = ?", (event_id, user_id)
        )
        return bool(cursor.rowcount)

    def import_treatment(
        self,
        user_id: int,
        changes: Sequence[MedicineChange],
        events: Sequence[TreatmentEvent],
    ) -> tuple[int, int]:
        """Add medicine changes and events the diary lacks; (added, skipped as present).

        The caller has filed each medicine under the patient's own key (flows.dialogs.transfer
        matches a file's medicine to theirs by name and first date); a change already stored
        with the same name, action, date, dose and kind is skipped.
        """
        added = skipped = 0
        stored = self.medicine_changes(user_id)
        seen = {(c.name.casefold(), c.action, c.changed_on, c.dose, c.kind) for c in stored}
        for change in changes:
            key = (
                change.name.casefold(),
                change.action,
                change.changed_on,
                change.dose,
                change.kind,
            )
            if key in seen:
                skipped += 1
                continue
            seen.add(key)
            self.add_medicine_change(user_id, change)
            added += 1
        kept = {(e.event_date, e.kind, e.detail) for e in self.treatment_events(user_id)}
        for event in events:
            key2 = (event.event_date, event.kind, event.detail)
            if key2 in kept:
                skipped += 1
                continue
            kept.add(key2)
            self.add_treatment_event(user_id, event)
            added += 1
        return added, skipped
