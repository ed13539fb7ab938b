"""/export choices and /import checking, preview and confirmation, and the dates it takes."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.clinical.codes import Finding
from flows.dialogs.log import RECORDED_SYMPTOMS
from flows.dialogs.transfer import MAX_IMPORT_ROWS, DocumentFile, ImportState
from flows.kit.core import ExportFile, ImportEntries
from flows.records.treatment import DrugClass, MedicineAction, MedicineChange, MedicineKind
from tests.flows.driver import context_at
from tests.patient import FlowLine, Patient

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
CSV = (
    "date,time,back_pain,leg_pain,symptoms,note\n"
    "2026-02-01,20:15,5,2,,first\n"
    "2026-02-02,,12,2,,out of range\n"
    '2026-02-03,21:00,4,,muscle_tightness;fever,"a note, with a comma"\n'
    "2026-02-04,08:00,3,1,not_a_code,\n"
)


def consented() -> tuple[Patient, FlowLine]:
    """A consented patient 7 at NOW, and their line to the pure flows."""
    line = FlowLine()
    line.driver.ctx = context_at(NOW, consented=True)
    return Patient(line), line


async def test_export_asks_period_then_format_and_names_the_file() -> None:
    patient, line = consented()
    await patient.send("/export")
    await patient.press("Last 90 days")
    await patient.press("PDF")
    assert line.driver.state is None
    assert patient.last.startswith("Here is your diary as a PDF.")
    assert line.driver.effects == [ExportFile(days=90, format="pdf")]


async def test_export_back_returns_to_the_period() -> None:
    patient, _ = consented()
    await patient.send("/export")
    await patient.press("Everything")
    await patient.press("Back")
    assert "Which period?" in patient.last


async def test_import_previews_rows_and_skipped_lines_then_saves_on_confirm() -> None:
    patient, line = consented()
    await patient.send("/import")
    assert "CSV file" in patient.last
    line.send_file(DocumentFile(filename="d.csv", text=CSV))
    assert "I found 3 entries from 2026-02-01 to 2026-02-04." in patient.last
    assert "1 row will be skipped" in patient.last
    assert "line 3: back_pain 12 is out of range" in patient.last
    assert "• line 5: symptom 'not_a_code' not understood" in patient.last
    assert line.driver.effects == []
    await patient.press("Import")
    [imported] = [e for e in line.driver.effects if isinstance(e, ImportEntries)]
    first, second, third = imported.entries
    assert (third.entry_date, third.back_pain, third.leg_pain, third.symptoms) == (
        date(2026, 2, 4),
        3,
        1,
        (),
    )
    assert (first.entry_date, first.back_pain, first.leg_pain, first.note) == (
        date(2026, 2, 1),
        5,
        2,
        "first",
    )
    assert first.recorded_at == datetime(2026, 2, 1, 20, 15, tzinfo=UTC)
    assert second.note == "a note, with a comma"
    assert [str(s) for s in second.symptoms] == ["muscle_tightness", "fever"]


async def test_the_import_prompt_lists_the_symptom_codes_and_says_labels_work_too() -> None:
    patient, _ = consented()
    await patient.send("/import")
    for code in RECORDED_SYMPTOMS:
        assert code.value in patient.last
    # Not the profile's risk factors: nobody writes "age_over_65" in a diary.
    assert Finding.AGE_OVER_65.value not in patient.last
    assert '"Pain down one leg"' in patient.last


async def test_a_row_without_a_time_gets_none_and_is_recorded_at_the_import() -> None:
    patient, line = living_in("Europe/Berlin")
    preview_of(patient, line, "2026-03-01,,4,2,,", "2026-03-10,,5,2,,", "2026-03-02,21:30,3,1,,")
    await patient.press("Import")
    [imported] = [e for e in line.driver.effects if isinstance(e, ImportEntries)]
    assert [(e.entry_date, e.own_time(), e.recorded_at) for e in imported.entries] == [
        (date(2026, 3, 1), None, NOW),
        (date(2026, 3, 10), None, NOW),
        (date(2026, 3, 2), time(21, 30), datetime(2026, 3, 2, 20, 30, tzinfo=UTC)),
    ]


async def test_the_preview_lists_what_it_did_not_understand_with_the_line_and_value() -> None:
    patient, line = living_in("UTC")
    text = preview_of(
        patient,
        line,
        "2026-03-01,,4,7,muscle_spasm,stiff",
        "2026-03-02,,4,7,Pain down one leg;leg hurts;fever,",
        "2026-03-03,,14,7,,",
    )
    assert text == (
        "I found 2 entries from 2026-03-01 to 2026-03-02.\n\n"
        "1 row will be skipped:\n"
        "• line 4: back_pain 14 is out of range 0–10\n\n"
        "2 symptoms were not understood and left out; the rest of their rows is imported:\n"
        "• line 2: symptom 'muscle_spasm' not understood\n"
        "• line 3: symptom 'leg hurts' not understood\n\n"
        "Entries already in your diary are not added twice. Import now?"
    )
    await patient.press("Import")
    [imported] = [e for e in line.driver.effects if isinstance(e, ImportEntries)]
    assert [(e.back_pain, e.leg_pain, e.symptoms, e.note) for e in imported.entries] == [
        (4, 7, (), "stiff"),
        (4, 7, (Finding.PAIN_ONE_LEG, Finding.FEVER), None),
    ]


def test_a_file_sent_without_import_starts_one() -> None:
    patient, line = consented()
    line.send_file(DocumentFile(filename="d.csv", text=CSV))
    assert isinstance(line.driver.state, ImportState)
    assert "Import now?" in patient.last


async def test_unreadable_large_and_empty_files_get_a_clear_answer() -> None:
    patient, line = consented()
    await patient.send("/import")
    line.send_file(DocumentFile(filename="big.csv", problem="too_large"))
    assert "too large (the limit is 5 MB)" in patient.last
    line.send_file(DocumentFile(filename="x.bin", problem="not_text"))
    assert "UTF-8" in patient.last
    line.send_file(DocumentFile(filename="e.csv", text="date,back_pain\n"))
    assert "no entries I could import" in patient.last
    rows = "date,back_pain\n" + "2026-01-01,3\n" * (MAX_IMPORT_ROWS + 1)
    line.send_file(DocumentFile(filename="many.csv", text=rows))
    assert f"more than {MAX_IMPORT_ROWS} rows" in patient.last
    assert line.driver.effects == []


async def test_a_malformed_header_is_reported() -> None:
    patient, line = consented()
    await patient.send("/import")
    line.send_file(DocumentFile(filename="h.csv", text="day,pain\n2026-01-01,3\n"))
    assert "line 1" in patient.last


def living_in(zone: str, **profile: object) -> tuple[Patient, FlowLine]:
    """A consented patient living in this zone, with these profile fields."""
    patient, line = consented()
    assert line.driver.ctx.profile is not None
    changed = line.driver.ctx.profile.model_copy(update={"timezone": zone, **profile})
    line.driver.ctx = replace(line.driver.ctx, timezone=zone, profile=changed)
    return patient, line


def preview_of(patient: Patient, line: FlowLine, *rows: str) -> str:
    text = "date,time,back_pain,leg_pain,symptoms,note\n" + "".join(f"{r}\n" for r in rows)
    line.send_file(DocumentFile(filename="d.csv", text=text))
    return patient.last


async def imported_dates(patient: Patient, line: FlowLine) -> list[date]:
    await patient.press("Import")
    [imported] = [e for e in line.driver.effects if isinstance(e, ImportEntries)]
    return [entry.entry_date for entry in imported.entries]


FUTURE = "is in the future; the latest date I can take is"


@pytest.mark.parametrize(
    ("zone", "today"),
    [("America/Los_Angeles", "2026-03-10"), ("Pacific/Kiritimati", "2026-03-11")],
)
async def test_the_last_day_and_the_end_of_time_are_refused_after_the_users_own_today(
    zone: str, today: str
) -> None:
    # 18:30 UTC is 10:30 on 10 March in Los Angeles and 08:30 on 11 March in Kiritimati.
    patient, line = living_in(zone)
    text = preview_of(
        patient,
        line,
        "2026-03-01,09:00,4,2,,",
        f"{today},23:59,5,2,,",
        "2026-03-12,08:00,5,2,,",
        "9999-12-31,23:59,6,2,,",
        "0001-01-01,00:00,6,2,,",
    )
    assert f"I found 2 entries from 2026-03-01 to {today}." in text
    assert "3 rows will be skipped" in text
    assert f"• line 4: date 2026-03-12 {FUTURE} {today}" in text
    assert f"• line 5: date 9999-12-31 {FUTURE} {today}" in text
    assert "• line 6: date 0001-01-01 is too long ago; I can take entries from 1990-01-01 on" in (
        text
    )
    assert await imported_dates(patient, line) == [date(2026, 3, 1), date.fromisoformat(today)]


async def test_tomorrow_alone_is_nothing_to_import() -> None:
    patient, line = living_in("UTC")
    await patient.send("/import")
    text = preview_of(patient, line, "2026-03-11,,4,2,,")
    assert text.startswith(f"I found no entries I could import:\nline 2: date 2026-03-11 {FUTURE}")
    assert isinstance(line.driver.state, ImportState)
    assert line.driver.effects == []


async def test_the_floor_is_five_years_before_the_year_of_the_operation() -> None:
    patient, line = living_in("Europe/London", surgery_year=2024, surgery_month=6)
    text = preview_of(patient, line, "2019-01-01,,4,2,,", "2018-12-31,,4,2,,")
    assert "I found 1 entry from 2019-01-01 to 2019-01-01." in text
    assert (
        "line 3: date 2018-12-31 is too long before your operation; I can take entries from "
        "2019-01-01 on (5 years before the year of the operation)"
    ) in text
    assert await imported_dates(patient, line) == [date(2019, 1, 1)]


def test_without_a_year_of_operation_the_floor_is_1990() -> None:
    patient, line = living_in("Europe/London")
    text = preview_of(patient, line, "1990-01-01,,4,2,,", "1989-12-31,,4,2,,")
    assert "I found 1 entry from 1990-01-01 to 1990-01-01." in text
    assert "line 3: date 1989-12-31 is too long ago" in text
    assert "once its year is set in /settings" in text


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(),
    at=st.times().map(lambda moment: moment.strftime("%H:%M")),
    zone=st.sampled_from(("America/Los_Angeles", "Pacific/Kiritimati", "Etc/GMT+12", "UTC")),
    surgery_year=st.one_of(st.none(), st.integers(1, 9999)),
)
def test_no_date_the_reader_accepts_breaks_the_preview(
    day: date, at: str, zone: str, surgery_year: int | None
) -> None:
    patient, line = living_in(zone, surgery_year=surgery_year)
    text = preview_of(patient, line, f"{day.isoformat()},{at},4,2,,")
    assert text.startswith("I found 1 entry ") or text.startswith(
        "I found no entries I could import:\nline 2: date "
    )


async def test_an_exported_diary_with_doses_imports_them_and_one_without_has_none() -> None:
    patient, line = living_in("Europe/Berlin")
    text = "date,time,back_pain,leg_pain,symptoms,note,as_needed_doses\n"
    text += "2026-03-01,,4,2,,,2\n2026-03-02,,5,2,,,\n2026-03-03,,5,2,,,7\n"
    line.send_file(DocumentFile(filename="d.csv", text=text))
    assert "I found 3 entries" in patient.last
    await patient.press("Import")
    [imported] = [e for e in line.driver.effects if isinstance(e, ImportEntries)]
    assert [e.as_needed_doses for e in imported.entries] == [2, None, 3]


async def test_a_files_medicines_are_filed_under_the_patients_own_keys() -> None:
    patient, line = living_in("Europe/Berlin")
    mine = MedicineChange(
        medicine=1,
        action=MedicineAction.START,
        changed_on=date(2026, 2, 1),
        recorded_at=datetime(2026, 2, 1, 9, tzinfo=UTC),
        name="Ibuprofen",
        drug_class=DrugClass.NSAID,
        kind=MedicineKind.AS_NEEDED,
    )
    line.driver.ctx = replace(line.driver.ctx, medicine_changes=(mine,))
    # The file's key 1 is another diary's Tramadol; its Ibuprofen is the patient's own.
    theirs = [
        {
            "date": "2026-02-10",
            "action": "start",
            "medicine": 1,
            "name": "Tramadol",
            "class": "opioid",
            "kind": "as_needed",
        },
        {
            "date": "2026-02-01",
            "action": "start",
            "medicine": 2,
            "name": "ibuprofen",
            "class": "nsaid",
            "kind": "as_needed",
        },
    ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [
            ["date", "back_pain", "medicine_doses", "medicine_changes"],
            ["2026-03-01", 4, "Tramadol: 2; Ibuprofen: 1; Codeine: 1", json.dumps(theirs)],
        ]
    )
    line.send_file(DocumentFile(filename="d.csv", text=out.getvalue()))
    assert "With them: 2 medicine changes.\n" in patient.last
    await patient.press("Import")
    [imported] = [e for e in line.driver.effects if isinstance(e, ImportEntries)]
    assert [(c.medicine, c.name) for c in imported.medicine_changes] == [
        (2, "Tramadol"),
        (1, "ibuprofen"),
    ]
    [entry] = imported.entries
    # A name on no list still keeps its doses, under a key of its own.
    assert [(d.medicine, d.name, d.opioid, d.doses) for d in entry.medicine_doses] == [
        (2, "Tramadol", True, 2),
        (1, "Ibuprofen", False, 1),
        (3, "Codeine", False, 1),
    ]
