"""The content of the surgeon's report: every number and sentence of page one, and CSV rows.

Pure: the diary, checks and sent alerts come in, plain values go out; the shell lays them out
(bot.pdf_report) or writes them (flows.records.diary_csv). The numbers are the trend detector's own
(flows.clinical.trends), so the report never disagrees with what the bot told the patient.

One module for each part of the report: `models` its values, `pain` the pain table and the
baseline, `alerts` the alerts the patient was sent, `events` the red flags and warning signs,
`checks` the symptom checks and the rules' key, `build` the period and surgery header and
`build_report` that joins them, `rows` the diary CSV's rows, and `words` the wording they share.
"""

from flows.records.report.build import build_report
from flows.records.report.checks import period_checks
from flows.records.report.events import period_events
from flows.records.report.models import (
    AdviceLine,
    AlertLine,
    CauseLine,
    CheckLine,
    CheckSummary,
    EventSource,
    MeasureRow,
    RedFlagEvent,
    Report,
    Sighting,
)
from flows.records.report.rows import rows_from_entries
from flows.records.report.words import finding_words, local_time, recorded_local

__all__ = [
    "AdviceLine",
    "AlertLine",
    "CauseLine",
    "CheckLine",
    "CheckSummary",
    "EventSource",
    "MeasureRow",
    "RedFlagEvent",
    "Report",
    "Sighting",
    "build_report",
    "finding_words",
    "local_time",
    "period_checks",
    "period_events",
    "recorded_local",
    "rows_from_entries",
]
