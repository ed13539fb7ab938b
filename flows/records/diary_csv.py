"""The diary CSV of DESIGN.md: what /export writes and /import and `backtrack assess` read.

Pure: text in, values out. One row per diary entry; several entries on one date are allowed;
columns the reader does not know are ignored. Errors carry the line number as the user sees
it in a text editor (the header is line 1), so a malformed file can be fixed in one pass.

A symptom is a finding code or a label the bot shows for it (any case); one the reader does
not understand is named with its line, and the rest of its row is still read: losing a day's
pain scores and note over one word would lose more than the word.

The file is opened by surgeons in spreadsheets, so a note that a spreadsheet would run as a
formula is written with a leading quote, and the reader takes exactly that quote off again.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import MINYEAR, date, time
from functools import cache

from flows.clinical.codes import Finding
from flows.i18n import CATALOGUES, t
from flows.records.models import MOST_DOSES, NOTE_MAX_CHARS
from flows.records.treatment import MedicineChange, TreatmentEvent
from flows.records.treatment_csv import (
    CHANGES_COLUMN,
    DOSES_COLUMN,
    EVENTS_COLUMN,
    CellProblem,
    attach,
    changes_cell,
    doses_cell,
    events_cell,
    read_changes,
    read_doses,
    read_events,
)

__all__ = [
    "COLUMNS",
    "YEARS_BEFORE_SURGERY",
    "DateWindow",
    "DiaryRow",
    "ParsedDiary",
    "RowError",
    "date_window",
    "parse_diary",
    "symptom_names",
    "write_diary",
]

COLUMNS: tuple[str, ...] = (
    "date",
    "time",
    "back_pain",
    "leg_pain",
    "symptoms",
    "note",
    # After DESIGN.md's six, which older readers read alone: 0 to MOST_DOSES (that many or
    # more), blank when not asked.
    "as_needed_doses",
    # Each as-needed medicine's doses, then the medicine changes and treatment events
    # (flows.records.treatment_csv says how they ride on the entries' rows).
    DOSES_COLUMN,
    CHANGES_COLUMN,
    EVENTS_COLUMN,
)
PAIN_COLUMNS: tuple[str, ...] = ("back_pain", "leg_pain")
SYMPTOM_SEPARATOR = ";"
PAIN_MIN, PAIN_MAX = 0, 10

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
_INTEGER = re.compile(r"[+-]?\d+")

# A spreadsheet may run a cell that starts with = + - @ tab or CR as a formula (OWASP, "CSV
# Injection"); a leading quote makes it text. The quotes already in front count too, so that
# writing (one quote more) and reading (one quote less) are inverses: a note that really
# starts with "'=" is written "''=" and read back as "'=", never as "=".
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")

# A diary may start this many years before the year of the operation: the pain that led to it
# is part of what the surgeon wants to see.
YEARS_BEFORE_SURGERY = 5
# Without a year of surgery a floor is still needed: a blank date cell that a spreadsheet
# formatted becomes 1899-12-30 or 1900-01-01, and a typo such as 0001-01-01 leaves the chart
# and the PDF with a two-thousand-year axis. 1990 is earlier than any diary a patient is
# likely to bring; one whose operation was older tells us its year, and the floor follows it.
EARLIEST_WITHOUT_SURGERY = date(1990, 1, 1)


@dataclass(frozen=True, slots=True)
class DiaryRow:
    """One diary entry as it appears in the CSV file."""

    entry_date: date
    back_pain: int | None = None
    leg_pain: int | None = None
    symptoms: tuple[Finding, ...] = ()
    note: str | None = None
    entry_time: time | None = None
    as_needed_doses: int | None = None
    # Each as-needed medicine's name and that day's doses (3: "3 or more").
    medicine_doses: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem in the file, with the line it is on (the header is line 1)."""

    line: int
    key: str
    values: tuple[tuple[str, object], ...] = ()

    def text(self, language: str) -> str:
        """The problem as the user reads it, starting with its line number."""
        return t(language, "diary_csv.line", line=self.line, problem=self.problem(language))

    def problem(self, language: str) -> str:
        """The problem without the line number."""
        return t(language, self.key, **dict(self.values))

    @property
    def message(self) -> str:
        """The problem in English, for the command line."""
        return self.text("en")


@dataclass(frozen=True, slots=True)
class ParsedDiary:
    """The rows that could be read and the problems found; use the rows only without errors."""

    rows: list[DiaryRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()
    # Symptoms left out of rows that were read all the same, each with its line and value.
    not_understood: list[RowError] = field(default_factory=list)
    # The medicine changes and treatment events of the whole file, each with its own date.
    medicine_changes: list[MedicineChange] = field(default_factory=list)
    events: list[TreatmentEvent] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the whole file was read without a problem."""
        return not self.errors


@dataclass(frozen=True, slots=True)
class DateWindow:
    """The first and last date a diary row may have; other dates are refused with their line."""

    earliest: date
    latest: date
    # Whether `earliest` comes from the year of the operation (it changes what the user is told).
    from_surgery: bool = False


def date_window(today: date, surgery_year: int | None) -> DateWindow:
    """Rows from 5 years before the year of the operation (or 1990) up to the user's today."""
    if surgery_year is None:
        return DateWindow(earliest=EARLIEST_WITHOUT_SURGERY, latest=today)
    # Onboarding offers the last 40 years. A year it never offers (a damaged profile) is
    # clamped: not before year 2, so that noon on 1 January still converts to UTC for a user
    # east of it, and not after this year.
    year = min(max(surgery_year - YEARS_BEFORE_SURGERY, MINYEAR + 1), today.year)
    return DateWindow(earliest=date(year, 1, 1), latest=today, from_surgery=True)


def _error(line: int, key: str, **values: object) -> RowError:
    return RowError(line=line, key=key, values=tuple(values.items()))


def _header(cells: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    if names:
        # Spreadsheet programs often save UTF-8 with a byte-order mark.
        names[0] = names[0].removeprefix("\ufeff")
    return names


def _parse_date(text: str, line: int, errors: list[RowError]) -> date | None:
    if not text:
        errors.append(_error(line, "diary_csv.date_missing"))
        return None
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    errors.append(_error(line, "diary_csv.date_invalid", value=text))
    return None


def _check_date(
    day: date, window: DateWindow | None, line: int, errors: list[RowError]
) -> date | None:
    if window is None:
        return day
    if day < window.earliest:
        key = (
            "diary_csv.date_before_surgery" if window.from_surgery else "diary_csv.date_too_early"
        )
        earliest = window.earliest.isoformat()
        errors.append(
            _error(line, key, value=day.isoformat(), earliest=earliest, years=YEARS_BEFORE_SURGERY)
        )
        return None
    if day > window.latest:
        errors.append(
            _error(
                line,
                "diary_csv.date_in_future",
                value=day.isoformat(),
                latest=window.latest.isoformat(),
            )
        )
        return None
    return day


def _parse_time(text: str, line: int, errors: list[RowError]) -> time | None:
    if not text:
        return None
    if _TIME.fullmatch(text):
        return time.fromisoformat(text)
    errors.append(_error(line, "diary_csv.time_invalid", value=text))
    return None


def _parse_pain(column: str, text: str, line: int, errors: list[RowError]) -> int | None:
    if not text:
        return None
    if not _INTEGER.fullmatch(text):
        errors.append(_error(line, "diary_csv.pain_not_integer", column=column, value=text))
        return None
    value = int(text)
    if not PAIN_MIN <= value <= PAIN_MAX:
        errors.append(
            _error(
                line,
                "diary_csv.pain_out_of_range",
                column=column,
                value=value,
                low=PAIN_MIN,
                high=PAIN_MAX,
            )
        )
        return None
    return value


def _parse_doses(text: str, line: int, errors: list[RowError]) -> int | None:
    if not text:
        return None
    try:
        doses = int(text)
    except ValueError:
        doses = -1
    if doses < 0:
        errors.append(_error(line, "diary_csv.doses_invalid", value=text))
        return None
    # The diary tells apart none, 1, 2 and "3 or more": a count of 5 is "3 or more".
    return min(doses, MOST_DOSES)


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


@cache
def symptom_names() -> Mapping[str, Finding]:
    """Every way a symptom may be written, folded: its code, and each label the bot shows."""
    names: dict[str, set[Finding]] = {}
    for finding in Finding:
        names.setdefault(_folded(finding.value), set()).add(finding)
        # The diary's buttons and the report's words, in every catalogue, as patients copy them.
        for catalogue in CATALOGUES.values():
            for key in (f"symptom.{finding.value}", f"report.finding.{finding.value}"):
                label = catalogue.get(key)
                if label and SYMPTOM_SEPARATOR not in label:
                    names.setdefault(_folded(label), set()).add(finding)
    # A label two findings share would be a guess: it is not understood instead.
    return {name: next(iter(found)) for name, found in names.items() if len(found) == 1}


def _parse_symptoms(text: str, line: int, not_understood: list[RowError]) -> tuple[Finding, ...]:
    found: dict[Finding, None] = {}
    names = symptom_names()
    for part in text.split(SYMPTOM_SEPARATOR):
        value = part.strip()
        if not value:
            continue
        finding = names.get(_folded(value))
        if finding is None:
            not_understood.append(_error(line, "diary_csv.symptom_not_understood", value=value))
        else:
            found[finding] = None
    return tuple(found)


def _parse_row(
    cells: list[str],
    columns: dict[str, int],
    width: int,
    line: int,
    errors: list[RowError],
    window: DateWindow | None,
    not_understood: list[RowError],
) -> DiaryRow | None:
    if len(cells) > width:
        errors.append(_error(line, "diary_csv.too_many_fields", found=len(cells), expected=width))
        return None

    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    before = len(errors)
    entry_date = _parse_date(cell("date"), line, errors)
    if entry_date is not None:
        entry_date = _check_date(entry_date, window, line, errors)
    entry_time = _parse_time(cell("time"), line, errors)
    back = _parse_pain("back_pain", cell("back_pain"), line, errors)
    leg = _parse_pain("leg_pain", cell("leg_pain"), line, errors)
    unclear: list[RowError] = []
    symptoms = _parse_symptoms(cell("symptoms"), line, unclear)
    index = columns.get("note")
    # Notes keep their inner spacing; only the surrounding whitespace goes. The length is the
    # note's, not the cell's: the quote that neutralised a formula is not the patient's.
    note = _read_text(cells[index].strip()) if index is not None and index < len(cells) else ""
    if len(note) > NOTE_MAX_CHARS:
        errors.append(_error(line, "diary_csv.note_too_long", limit=NOTE_MAX_CHARS))
    doses = _parse_doses(cell("as_needed_doses"), line, errors)
    index = columns.get(DOSES_COLUMN)
    medicine_doses, problems = read_doses(
        _read_text(cells[index].strip()) if index is not None and index < len(cells) else ""
    )
    unclear.extend(_error(line, p.key, value=p.value) for p in problems)
    pain_given = any(cell(name) for name in PAIN_COLUMNS)
    if not pain_given:
        errors.append(_error(line, "diary_csv.pain_missing"))
    if len(errors) > before or entry_date is None:
        # A row skipped anyway lists every problem, so that the file is fixed in one pass.
        errors.extend(unclear)
        return None
    not_understood.extend(unclear)
    return DiaryRow(
        entry_date=entry_date,
        entry_time=entry_time,
        back_pain=back,
        leg_pain=leg,
        symptoms=symptoms,
        note=note or None,
        as_needed_doses=doses,
        medicine_doses=medicine_doses,
    )


@dataclass(slots=True)
class _Treatment:
    changes: list[MedicineChange] = field(default_factory=list)
    events: list[TreatmentEvent] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)

    def read(
        self, cells: list[str], columns: dict[str, int], line: int, window: DateWindow | None
    ) -> None:
        """Take the row's medicine changes and events, each checked against the window."""

        def cell(name: str) -> str:
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        changes, problems = read_changes(cell(CHANGES_COLUMN), len(self.changes))
        events, more = read_events(cell(EVENTS_COLUMN), len(self.events))
        self._note(line, [*problems, *more])
        for change in changes:
            if self._dated(change.changed_on, window, line):
                self.changes.append(change)
        for event in events:
            if self._dated(event.event_date, window, line):
                self.events.append(event)

    def _note(self, line: int, problems: list[CellProblem]) -> None:
        self.problems.extend(_error(line, p.key, value=_clipped(p.value)) for p in problems)

    def _dated(self, day: date, window: DateWindow | None, line: int) -> bool:
        refused: list[RowError] = []
        if _check_date(day, window, line, refused) is not None:
            return True
        self.problems.extend(refused)
        return False


# An item not understood is quoted in its problem; a long one is cut, never the whole cell.
_QUOTED_CHARS = 120


def _clipped(text: str) -> str:
    return text if len(text) <= _QUOTED_CHARS else text[: _QUOTED_CHARS - 1] + "…"


def parse_diary(text: str, window: DateWindow | None = None) -> ParsedDiary:
    """Read a diary CSV; every malformed row, or row outside `window`, is named by its line."""
    # A NUL carries nothing of a diary and PostgreSQL refuses it in text: left out.
    text = text.replace("\x00", "")
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    errors: list[RowError] = []
    try:
        header = next(reader, None)
    except csv.Error:
        return ParsedDiary(errors=[_error(1, "diary_csv.unreadable")])
    if header is None or not any(cell.strip() for cell in header):
        return ParsedDiary(errors=[_error(1, "diary_csv.empty")])
    names = _header(header)
    missing = [name for name in ("date",) if name not in names]
    if not any(name in names for name in PAIN_COLUMNS):
        missing.append(" or ".join(PAIN_COLUMNS))
    if missing:
        return ParsedDiary(
            errors=[_error(1, "diary_csv.missing_columns", columns=", ".join(missing))]
        )
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        columns.setdefault(name, index)
    ignored = tuple(name for name in dict.fromkeys(names) if name not in COLUMNS)
    rows: list[DiaryRow] = []
    not_understood: list[RowError] = []
    treatment = _Treatment()
    last_line = reader.line_num
    while True:
        start = last_line + 1
        try:
            cells = next(reader, None)
        except csv.Error:
            errors.append(_error(start, "diary_csv.unreadable_row"))
            break
        if cells is None:
            break
        last_line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        row = _parse_row(cells, columns, len(names), start, errors, window, not_understood)
        if row is not None:
            rows.append(row)
        if len(cells) <= len(names):
            # A medicine or an event is its own fact: a row skipped for its pain keeps them.
            treatment.read(cells, columns, start, window)
    return ParsedDiary(
        rows=rows,
        errors=errors,
        ignored_columns=ignored,
        not_understood=[*not_understood, *treatment.problems],
        medicine_changes=treatment.changes,
        events=treatment.events,
    )


def _cell(value: int | None) -> str:
    return "" if value is None else str(value)


def _text_cell(text: str) -> str:
    return "'" + text if _FORMULA.match(text) else text


def _read_text(cell: str) -> str:
    return cell[1:] if _NEUTRALISED.match(cell) else cell


def write_diary(
    rows: Iterable[DiaryRow],
    medicine_changes: Sequence[MedicineChange] = (),
    events: Sequence[TreatmentEvent] = (),
) -> str:
    """Write diary rows as the CSV of DESIGN.md; a note a spreadsheet would run stays text.

    Each medicine change and event goes on the row of the first entry on or after its date;
    with no rows there is nowhere to put them, and the file holds only its header.
    """
    ordered = list(rows)
    days = [row.entry_date for row in ordered]
    changes_on: dict[int, list[MedicineChange]] = {}
    events_on: dict[int, list[TreatmentEvent]] = {}
    if ordered:
        for change in medicine_changes:
            changes_on.setdefault(attach(days, change.changed_on), []).append(change)
        for event in events:
            events_on.setdefault(attach(days, event.event_date), []).append(event)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    # The writer quotes a field holding its line end "\n" but not one holding a lone "\r",
    # which every reader takes as a line break: such a row is written with all fields quoted.
    quoting = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    for index, row in enumerate(ordered):
        # The note and the medicines' names are typed by the user; the rest is ours.
        note = _text_cell(row.note or "")
        (quoting if "\r" in note else writer).writerow(
            (
                row.entry_date.isoformat(),
                "" if row.entry_time is None else row.entry_time.strftime("%H:%M"),
                _cell(row.back_pain),
                _cell(row.leg_pain),
                SYMPTOM_SEPARATOR.join(code.value for code in row.symptoms),
                note,
                _cell(row.as_needed_doses),
                _text_cell(doses_cell(row.medicine_doses)),
                changes_cell(changes_on.get(index, ())),
                events_cell(events_on.get(index, ())),
            )
        )
    return buffer.getvalue()
