"""The diary CSV's rows from the entries, with their local times."""

from __future__ import annotations

from collections.abc import Iterable

from flows.records.diary_csv import DiaryRow
from flows.records.models import Entry
from flows.records.report.words import local_time


def rows_from_entries(entries: Iterable[Entry]) -> list[DiaryRow]:
    """The diary CSV rows of DESIGN.md for the entries, oldest first, with local times."""
    ordered = sorted(entries, key=lambda e: (e.entry_date, e.recorded_at))
    return [
        DiaryRow(
            entry_date=entry.entry_date,
            back_pain=entry.back_pain,
            leg_pain=entry.leg_pain,
            symptoms=entry.symptoms,
            # The CSV reader strips a note's surrounding whitespace, so the file round-trips.
            note=(entry.note or "").strip() or None,
            entry_time=local_time(entry),
            as_needed_doses=entry.as_needed_doses,
            medicine_doses=tuple(
                (d.name, d.doses) for d in entry.medicine_doses if d.doses is not None
            ),
        )
        for entry in ordered
    ]
