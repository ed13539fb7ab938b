"""The pain table: baseline, last 7 days and the meaningful change of back and leg pain.

- Baseline: the personal baseline as known at the end of the period (median of the first 14
  diary days, REFERENCE.md §3.2, or of the first 14 from week 12 after surgery when the diary
  started before then), from the whole diary, not only the period shown. The report names
  those days (`Diary.baseline_days`) and how many of them were imported, since rows imported
  from before the first logged day move the baseline.
- Last 7 days: the detector's 7-day mean ending on the last day, shown only with 5 of the 7
  days logged (§3.3 item 7); a gap is never read as "no change".
- Meaningful change: `rise_needed` (baseline-aware, §3.1–3.2); crossed when the detector's
  status is worse or better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flows.clinical.trends import (
    BASELINE_DAYS,
    NRS_MEASURES,
    WINDOW_DAYS,
    Diary,
    Measure,
    StatusKind,
    evaluate,
    rise_needed,
)
from flows.i18n import t
from flows.records.models import Entry, EntrySource
from flows.records.report.models import MeasureRow


@dataclass(frozen=True, slots=True)
class _BaselineDays:
    first: date
    last: date
    imported: int
    settled: bool


def _baseline_days(
    diary: Diary, entries: Sequence[Entry], measure: Measure, last: date, surgery: date | None
) -> _BaselineDays | None:
    """The days the baseline known on `last` is the median of, and how many were imported."""
    days = diary.baseline_days(measure, last, surgery)
    if days is None:
        return None
    wanted = set(days.dates)
    dated: dict[date, bool] = {}
    for entry in entries:
        value = entry.back_pain if measure is Measure.BACK else entry.leg_pain
        if value is not None and entry.entry_date in wanted:
            from_file = entry.source is EntrySource.IMPORT
            dated[entry.entry_date] = dated.get(entry.entry_date, True) and from_file
    # A date counts as imported only when every value on it came from a file.
    imported = sum(1 for day in days.dates if dated.get(day))
    return _BaselineDays(days.first, days.last, imported, days.settled)


def _measure_row(
    measure: Measure,
    status_kind: StatusKind,
    baseline: float | None,
    recent: float | None,
    logged: int,
    needed: int,
    language: str,
    days: _BaselineDays | None = None,
) -> MeasureRow:
    name = t(language, f"report.measure.{measure.value}")
    mcid = None if baseline is None else rise_needed(measure, baseline)
    change = None if baseline is None or recent is None else recent - baseline
    if baseline is None:
        baseline_text = t(language, "report.baseline.missing", logged=logged, needed=needed)
        recent_text = t(language, "report.not_available")
    else:
        baseline_text = f"{baseline:.1f}"
        recent_text = (
            t(language, "report.recent.gaps", logged=logged, window=WINDOW_DAYS)
            if recent is None
            else t(
                language, "report.recent", mean=f"{recent:.1f}", logged=logged, window=WINDOW_DAYS
            )
        )
    crossed = status_kind in (StatusKind.WORSE, StatusKind.BETTER)
    if status_kind is StatusKind.WORSE:
        crossed_key = "report.crossed.worse"
    elif status_kind is StatusKind.BETTER:
        crossed_key = "report.crossed.better"
    elif status_kind is StatusKind.NO_CLEAR_CHANGE:
        crossed_key = "report.crossed.no"
    else:
        crossed_key = "report.crossed.unknown"
    return MeasureRow(
        measure=measure,
        name=name,
        baseline=baseline,
        recent=recent,
        recent_logged=logged if baseline is not None else 0,
        change=change,
        mcid=mcid,
        status=status_kind,
        crossed=crossed,
        baseline_first=None if days is None else days.first,
        baseline_last=None if days is None else days.last,
        baseline_imported=0 if days is None else days.imported,
        baseline_settled=days is not None and days.settled,
        baseline_text=baseline_text,
        recent_text=recent_text,
        change_text=t(language, "report.not_available") if change is None else f"{change:+.1f}",
        mcid_text=(
            t(language, "report.not_available")
            if mcid is None
            else t(language, "report.mcid.value", points=f"{mcid:.1f}")
        ),
        crossed_text=t(language, crossed_key),
    )


def measure_rows(
    diary: Diary, known: Sequence[Entry], last: date, surgery: date | None, language: str
) -> list[MeasureRow]:
    """The pain table's rows, one per measure, as the trend detector sees them on `last`."""
    assessment = evaluate(diary, last, surgery_date=surgery)
    by_measure = {status.measure: status for status in assessment.status}
    rows = []
    for measure in NRS_MEASURES:
        status = by_measure[measure]
        rows.append(
            _measure_row(
                measure,
                status.kind,
                status.baseline,
                status.recent,
                status.logged,
                status.needed,
                language,
                _baseline_days(diary, known, measure, last, surgery),
            )
        )
    return rows


def baseline_line(rows: Sequence[MeasureRow], first: date, language: str) -> str:
    """Which days the baseline is the median of, and how many of them were imported."""
    # Back and leg share their days unless one was left blank on some: one span for each set.
    spans: dict[tuple[date, date, int, bool], list[str]] = {}
    for row in rows:
        if row.baseline is None or row.baseline_first is None or row.baseline_last is None:
            continue
        value = t(
            language,
            "report.baseline.value",
            measure=t(language, f"report.baseline.{row.measure.value}"),
            value=f"{row.baseline:.1f}",
        )
        key = (row.baseline_first, row.baseline_last, row.baseline_imported, row.baseline_settled)
        spans.setdefault(key, []).append(value)
    if not spans:
        return t(language, "report.baseline.none", days=BASELINE_DAYS)
    parts = []
    for (start, end, imported, settled), values in spans.items():
        notes = []
        if settled:
            notes.append(t(language, "report.baseline.settled"))
        if end < first:
            notes.append(t(language, "report.baseline.before"))
        if imported:
            notes.append(t(language, "report.baseline.imported", count=imported))
        span = t(language, "report.baseline.span", first=start.isoformat(), last=end.isoformat())
        if notes:
            span = t(language, "report.baseline.noted", span=span, notes="; ".join(notes))
        parts.append(t(language, "report.baseline.part", span=span, values=", ".join(values)))
    return t(language, "report.baseline.line", days=BASELINE_DAYS, parts="; ".join(parts))
