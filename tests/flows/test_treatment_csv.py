"""The diary CSV's medicine and treatment columns: written, read back, read by older readers."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time

from flows.records.diary_csv import DateWindow, DiaryRow, parse_diary, write_diary
from flows.records.treatment import (
    DrugClass,
    MedicineAction,
    MedicineChange,
    MedicineKind,
    TreatmentEvent,
    TreatmentKind,
)
from tests.treatment import change

DESIGN_SIX = ["date", "time", "back_pain", "leg_pain", "symptoms", "note"]
HEADER = "date,back_pain,medicine_doses,medicine_changes,treatment_events\n"


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


TRAMADOL = change(date(2026, 2, 20))
PREGABALIN = change(
    date(2026, 3, 2),
    dose="75 mg",
    medicine=2,
    name="Pregabalin",
    drug_class=DrugClass.GABAPENTINOID,
    kind=MedicineKind.SCHEDULED,
    times_a_day=2,
)
STOPPED = PREGABALIN.model_copy(
    update={
        "action": MedicineAction.STOP,
        "changed_on": date(2026, 3, 9),
        "recorded_at": at(date(2026, 3, 9)),
    }
)
INJECTION = TreatmentEvent(
    event_date=date(2026, 3, 2),
    kind=TreatmentKind.INJECTION,
    recorded_at=at(date(2026, 3, 4)),
    detail='L4-5 facet, "left"',
)
MRI = TreatmentEvent(
    event_date=date(2026, 3, 20), kind=TreatmentKind.MRI, recorded_at=at(date(2026, 3, 20))
)
ROWS = [
    DiaryRow(entry_date=date(2026, 3, 1), back_pain=4, medicine_doses=(("Tramadol", 2),)),
    DiaryRow(entry_date=date(2026, 3, 3), back_pain=6, medicine_doses=(("Tramadol", 0),)),
    DiaryRow(entry_date=date(2026, 3, 10), back_pain=3, leg_pain=2),
]


def written() -> str:
    return write_diary(ROWS, [TRAMADOL, PREGABALIN, STOPPED], [INJECTION, MRI])


def test_doses_changes_and_events_are_read_back_as_written() -> None:
    parsed = parse_diary(written())
    assert parsed.ok
    assert parsed.not_understood == []
    assert parsed.rows == ROWS
    assert parsed.medicine_changes == [TRAMADOL, PREGABALIN, STOPPED]
    assert parsed.events == [INJECTION, MRI]


def test_each_change_and_event_rides_on_the_first_entry_on_or_after_its_day() -> None:
    rows = list(csv.DictReader(io.StringIO(written(), newline="")))
    dated = [
        (
            row["date"],
            [c["date"] for c in json.loads(row["medicine_changes"] or "[]")],
            [e["kind"] for e in json.loads(row["treatment_events"] or "[]")],
        )
        for row in rows
    ]
    # Tramadol was started before the first entry; the MRI came after the last one.
    assert dated == [
        ("2026-03-01", ["2026-02-20"], []),
        ("2026-03-03", ["2026-03-02"], ["injection"]),
        ("2026-03-10", ["2026-03-09"], ["mri"]),
    ]
    assert [row["medicine_doses"] for row in rows] == ["Tramadol: 2", "Tramadol: 0", ""]


def test_a_reader_of_the_design_columns_alone_reads_every_entry_as_before() -> None:
    rows = list(csv.DictReader(io.StringIO(written(), newline="")))
    assert [name for name in rows[0] if name in DESIGN_SIX] == DESIGN_SIX
    assert [(r["date"], r["back_pain"], r["leg_pain"]) for r in rows] == [
        ("2026-03-01", "4", ""),
        ("2026-03-03", "6", ""),
        ("2026-03-10", "3", "2"),
    ]


def test_with_no_entries_the_file_is_its_header_alone() -> None:
    assert write_diary([], [TRAMADOL], [INJECTION]).count("\n") == 1


def test_a_broken_cell_is_named_with_its_line_and_the_rest_of_the_row_is_kept() -> None:
    good = json.dumps([{"date": "2026-03-02", "kind": "injection"}])
    out = io.StringIO()
    row = ["2026-03-01", 4, "Tramadol: x; Naproxen: 1", "[not json", good]
    csv.writer(out, lineterminator="\n").writerow(row)
    text = HEADER + out.getvalue()
    parsed = parse_diary(text)
    assert parsed.ok
    assert [r.back_pain for r in parsed.rows] == [4]
    assert parsed.rows[0].medicine_doses == (("Naproxen", 1),)
    assert [e.kind for e in parsed.events] == [TreatmentKind.INJECTION]
    assert [p.message for p in parsed.not_understood] == [
        "line 2: medicine_doses 'Tramadol: x' is not a medicine and a number of doses, like "
        "'Tramadol: 2'; the rest of the row is kept",
        "line 2: medicine_changes [not json is not a medicine change I can read (a date, an "
        "action start, change or stop, and a name); the rest is kept",
    ]


def test_an_unknown_kind_or_action_is_named_and_the_good_items_are_kept() -> None:
    events = [
        {"date": "2026-03-02", "kind": "acupuncture"},
        {"date": "2026-03-03", "kind": "fall"},
    ]
    changes = [{"date": "2026-03-02", "action": "pause", "name": "Tramadol"}]
    cells = [json.dumps(events), json.dumps(changes)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(["2026-03-04", 4, "", cells[1], cells[0]])
    parsed = parse_diary(HEADER + out.getvalue())
    assert [e.kind for e in parsed.events] == [TreatmentKind.FALL]
    assert parsed.medicine_changes == []
    assert [p.key for p in parsed.not_understood] == [
        "diary_csv.medicine_changes_invalid",
        "diary_csv.treatment_events_invalid",
    ]
    assert "acupuncture" in parsed.not_understood[1].message


def test_an_event_dated_after_today_is_refused_with_its_line() -> None:
    out = io.StringIO()
    cell = json.dumps([{"date": "2026-04-02", "kind": "injection"}])
    csv.writer(out, lineterminator="\n").writerow(["2026-03-04", 4, "", "", cell])
    window = DateWindow(earliest=date(2020, 1, 1), latest=date(2026, 3, 31))
    parsed = parse_diary(HEADER + out.getvalue(), window)
    assert parsed.events == []
    assert [p.key for p in parsed.not_understood] == ["diary_csv.date_in_future"]
    assert [r.back_pain for r in parsed.rows] == [4]


def test_a_row_skipped_for_its_pain_keeps_its_injection() -> None:
    out = io.StringIO()
    cell = json.dumps([{"date": "2026-03-02", "kind": "injection"}])
    csv.writer(out, lineterminator="\n").writerow(["2026-03-04", 14, "", "", cell])
    parsed = parse_diary(HEADER + out.getvalue())
    assert parsed.rows == []
    assert [e.kind for e in parsed.events] == [TreatmentKind.INJECTION]


def test_a_hand_written_change_without_times_gets_noon_in_file_order() -> None:
    cell = json.dumps(
        [
            {"date": "2026-03-02", "action": "start", "name": "Ibuprofen", "class": "nsaid"},
            {"date": "2026-03-02", "action": "stop", "name": "Ibuprofen", "class": "nsaid"},
        ]
    )
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(["2026-03-04", 4, "", cell, ""])
    first, second = parse_diary(HEADER + out.getvalue()).medicine_changes
    assert first.recorded_at == at(date(2026, 3, 2), 12)
    assert second.recorded_at > first.recorded_at
    assert (first.kind, second.action) == (MedicineKind.SCHEDULED, MedicineAction.STOP)


def test_a_medicine_named_like_a_formula_stays_text_and_reads_back() -> None:
    rows = [DiaryRow(entry_date=date(2026, 3, 1), back_pain=4, medicine_doses=(("=cmd", 1),))]
    text = write_diary(rows)
    [row] = list(csv.DictReader(io.StringIO(text, newline="")))
    assert row["medicine_doses"] == "'=cmd: 1"
    assert parse_diary(text).rows == rows


def test_more_than_three_doses_read_as_three_or_more() -> None:
    parsed = parse_diary(HEADER + "2026-03-01,4,Tramadol: 7,,\n")
    assert parsed.rows[0].medicine_doses == (("Tramadol", 3),)


def test_a_semicolon_in_a_medicine_name_never_splits_it() -> None:
    named = MedicineChange.model_validate({**TRAMADOL.model_dump(), "name": "Co-codamol; 30/500"})
    assert named.name == "Co-codamol, 30/500"
