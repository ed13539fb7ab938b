"""The diary CSV of DESIGN.md: what /export writes and /import and `backtrack assess` read.

Pure: text in, values out. One row per diary entry; several entries on one date are allowed;
columns the reader does not know are ignored. Errors carry the line number as the user sees
it in a text editor (the header is line 1), so a malformed file can be fixed in one pass.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time

from flows.codes import Finding, UnknownCodeError, parse_finding
from flows.i18n import t
from flows.models import NOTE_MAX_CHARS

__all__ = [
    "COLUMNS",
    "DiaryRow",
    "ParsedDiary",
    "RowError",
    "parse_diary",
    "write_diary",
]

COLUMNS: tuple[str, ...] = ("date", "time", "back_pain", "leg_pain", "symptoms", "note")
PAIN_COLUMNS: tuple[str, ...] = ("back_pain", "leg_pain")
SYMPTOM_SEPARATOR = ";"
PAIN_MIN, PAIN_MAX = 0, 10

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
_INTEGER = re.compile(r"[+-]?\d+")


@dataclass(frozen=True, slots=True)
class DiaryRow:
    """One diary entry as it appears in the CSV file."""

    entry_date: date
    back_pain: int | None = None
    leg_pain: int | None = None
    symptoms: tuple[Finding, ...] = ()
    note: str | None = None
    entry_time: time | None = None


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

    @property
    def ok(self) -> bool:
        """Whether the whole file was read without a problem."""
        return not self.errors


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


def _parse_symptoms(text: str, line: int, errors: list[RowError]) -> tuple[Finding, ...]:
    found: dict[Finding, None] = {}
    for part in text.split(SYMPTOM_SEPARATOR):
        code = part.strip()
        if not code:
            continue
        try:
            found[parse_finding(code)] = None
        except UnknownCodeError:
            errors.append(_error(line, "diary_csv.unknown_code", code=code))
    return tuple(found)


def _parse_row(
    cells: list[str], columns: dict[str, int], width: int, line: int, errors: list[RowError]
) -> DiaryRow | None:
    if len(cells) > width:
        errors.append(_error(line, "diary_csv.too_many_fields", found=len(cells), expected=width))
        return None

    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    before = len(errors)
    entry_date = _parse_date(cell("date"), line, errors)
    entry_time = _parse_time(cell("time"), line, errors)
    back = _parse_pain("back_pain", cell("back_pain"), line, errors)
    leg = _parse_pain("leg_pain", cell("leg_pain"), line, errors)
    symptoms = _parse_symptoms(cell("symptoms"), line, errors)
    index = columns.get("note")
    # Notes keep their inner spacing; only the surrounding whitespace goes.
    note = cells[index].strip() if index is not None and index < len(cells) else ""
    if len(note) > NOTE_MAX_CHARS:
        errors.append(_error(line, "diary_csv.note_too_long", limit=NOTE_MAX_CHARS))
    pain_given = any(cell(name) for name in PAIN_COLUMNS)
    if not pain_given:
        errors.append(_error(line, "diary_csv.pain_missing"))
    if len(errors) > before or entry_date is None:
        return None
    return DiaryRow(
        entry_date=entry_date,
        entry_time=entry_time,
        back_pain=back,
        leg_pain=leg,
        symptoms=symptoms,
        note=note or None,
    )


def parse_diary(text: str) -> ParsedDiary:
    """Read a diary CSV; every malformed row is reported with its line number."""
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
        row = _parse_row(cells, columns, len(names), start, errors)
        if row is not None:
            rows.append(row)
    return ParsedDiary(rows=rows, errors=errors, ignored_columns=ignored)


def _cell(value: int | None) -> str:
    return "" if value is None else str(value)


def write_diary(rows: Iterable[DiaryRow]) -> str:
    """Write diary rows as the CSV of DESIGN.md: header row, one line per entry."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            (
                row.entry_date.isoformat(),
                "" if row.entry_time is None else row.entry_time.strftime("%H:%M"),
                _cell(row.back_pain),
                _cell(row.leg_pain),
                SYMPTOM_SEPARATOR.join(code.value for code in row.symptoms),
                row.note or "",
            )
        )
    return buffer.getvalue()
