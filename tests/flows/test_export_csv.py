"""The exported diary CSV reads back as the same diary (DESIGN.md "Diary CSV")."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time

from flows.clinical.codes import Finding
from flows.records.diary_csv import COLUMNS, parse_diary, write_diary
from flows.records.models import Entry
from flows.records.report import rows_from_entries


def entry(
    number: int,
    day: date,
    at: datetime,
    zone: str,
    back: int | None,
    leg: int | None,
    symptoms: tuple[Finding, ...] = (),
    note: str | None = None,
) -> Entry:
    return Entry(
        id=number,
        user_id=3,
        entry_date=day,
        recorded_at=at,
        timezone=zone,
        back_pain=back,
        leg_pain=leg,
        symptoms=symptoms,
        note=note,
    )


ENTRIES = [
    entry(1, date(2025, 3, 29), datetime(2025, 3, 29, 19, 0, tzinfo=UTC), "Europe/London", 4, 2),
    # The day after the clocks went forward: 19:00 UTC is 20:00 in London.
    entry(
        2,
        date(2025, 3, 30),
        datetime(2025, 3, 30, 19, 0, tzinfo=UTC),
        "Europe/London",
        5,
        None,
        (Finding.PAIN_ONE_LEG, Finding.PAIN_NEUROPATHIC),
        'Sat too long, "pins and needles", left leg',
    ),
    entry(
        3,
        date(2025, 3, 30),
        datetime(2025, 3, 30, 22, 45, tzinfo=UTC),
        "America/New_York",
        None,
        6,
        (Finding.BLADDER_CHANGE,),
        "Line one\nline two; é ü – ✓",
    ),
    # Logged the next morning about the day before: no time on its date.
    entry(4, date(2025, 3, 31), datetime(2025, 4, 1, 6, 30, tzinfo=UTC), "Europe/Paris", 3, 1),
]


def test_rows_written_and_read_back_are_the_same() -> None:
    rows = rows_from_entries(ENTRIES)
    text = write_diary(rows)
    parsed = parse_diary(text)
    assert parsed.ok, [e.message for e in parsed.errors]
    assert parsed.rows == rows


def test_the_file_is_the_design_format() -> None:
    text = write_diary(rows_from_entries(ENTRIES))
    lines = text.splitlines()
    # DESIGN.md's six columns first, as older readers read them; the doses after them.
    assert (
        lines[0]
        == ",".join(COLUMNS)
        == (
            "date,time,back_pain,leg_pain,symptoms,note,as_needed_doses,"
            "medicine_doses,medicine_changes,treatment_events"
        )
    )
    assert lines[1] == "2025-03-29,19:00,4,2,,,,,,"
    assert lines[2] == (
        '2025-03-30,20:00,5,,pain_one_leg;pain_neuropathic,"Sat too long, ""pins and needles"", '
        'left leg",,,,'
    )


def test_the_read_back_diary_matches_the_entries() -> None:
    parsed = parse_diary(write_diary(rows_from_entries(ENTRIES))).rows
    assert [(r.entry_date, r.back_pain, r.leg_pain, r.symptoms, r.note) for r in parsed] == [
        (e.entry_date, e.back_pain, e.leg_pain, e.symptoms, e.note) for e in ENTRIES
    ]
    assert [r.entry_time for r in parsed] == [time(19, 0), time(20, 0), time(18, 45), None]


def test_formula_notes_are_text_in_the_file_and_the_same_notes_when_read_back() -> None:
    notes = ["=1+1", "+SUM(1,1)", "-", "@A1", "'=x", "x = 1"]
    entries = [
        entry(10 + n, date(2025, 4, 1 + n), datetime(2025, 4, 1 + n, 9, tzinfo=UTC), "UTC", 3, 1)
        for n in range(len(notes))
    ]
    entries = [e.model_copy(update={"note": note}) for e, note in zip(entries, notes, strict=True)]
    text = write_diary(rows_from_entries(entries))
    assert [row["note"] for row in csv.DictReader(io.StringIO(text, newline=""))] == [
        "'=1+1",
        "'+SUM(1,1)",
        "'-",
        "'@A1",
        "''=x",
        "x = 1",
    ]
    assert [row.note for row in parse_diary(text).rows] == notes
