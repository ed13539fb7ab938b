"""The chart's marks: treatment events and medicine changes on its axis, in the report's words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flows.dialogs.trend_view import (
    MIN_SPAN_DAYS,
    ChartMark,
    MarkKind,
    TrendPeriod,
    mark_line,
    trend_series,
)
from flows.records.models import Entry
from flows.records.report.treatment import event_line, treatment_summary
from flows.records.treatment import (
    MedicineAction,
    TreatmentKind,
)
from tests.treatment import change, event

TODAY = date(2026, 5, 20)


def entry(day: date) -> Entry:
    return Entry.model_validate(
        {
            "id": day.toordinal(),
            "user_id": 7,
            "entry_date": day,
            "recorded_at": datetime.combine(day, datetime.min.time(), tzinfo=UTC),
            "timezone": "UTC",
            "back_pain": 5,
            "leg_pain": 3,
        }
    )


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def test_marks_are_the_events_and_changes_on_the_axis_oldest_first() -> None:
    first = days_ago(29)
    injection = event(days_ago(17), TreatmentKind.INJECTION, "L4-5")
    mri = event(days_ago(3), TreatmentKind.MRI)
    started = change(days_ago(10), MedicineAction.START)
    # The day before the axis, and a change dated after today: neither is on the chart.
    earlier = event(days_ago(30), TreatmentKind.FALL)
    later = change(TODAY + timedelta(days=1), MedicineAction.STOP)
    series = trend_series(
        [entry(days_ago(n)) for n in range(30)],
        first,
        TODAY,
        baselines=(None, None),
        alert_days=(),
        period=TrendPeriod.DAYS_30,
        medicine_changes=[later, started],
        treatment_events=[mri, injection, earlier],
    )
    assert series.marks == (
        ChartMark(days_ago(17), MarkKind.EVENT, injection),
        ChartMark(days_ago(10), MarkKind.MEDICINE, started),
        ChartMark(days_ago(3), MarkKind.EVENT, mri),
    )


def test_a_short_diary_marks_what_falls_on_its_two_weeks_of_axis() -> None:
    # One day of diary is drawn on two weeks of dates; a mark on the axis's first day shows.
    on_axis = event(days_ago(MIN_SPAN_DAYS - 1), TreatmentKind.XRAY)
    off_axis = event(days_ago(MIN_SPAN_DAYS), TreatmentKind.CT)
    series = trend_series(
        [entry(TODAY)],
        TODAY,
        TODAY,
        baselines=(None, None),
        alert_days=(),
        treatment_events=[on_axis, off_axis],
    )
    assert series.days[0] == on_axis.event_date
    assert [m.what for m in series.marks] == [on_axis]


def test_without_events_or_changes_there_are_no_marks() -> None:
    series = trend_series([entry(TODAY)], TODAY, TODAY, baselines=(None, None), alert_days=())
    assert series.marks == ()


def test_a_day_orders_its_changes_before_its_events_as_the_report_does() -> None:
    day = days_ago(5)
    scan = event(day, TreatmentKind.MRI, "disc bulge")
    stopped = change(day, MedicineAction.STOP)
    started = change(days_ago(8), MedicineAction.START)
    changes, events = [stopped, started], [scan]
    series = trend_series(
        [entry(days_ago(n)) for n in range(10)],
        days_ago(9),
        TODAY,
        baselines=(None, None),
        alert_days=(),
        medicine_changes=changes,
        treatment_events=events,
    )
    assert [m.kind for m in series.marks] == [MarkKind.MEDICINE, MarkKind.MEDICINE, MarkKind.EVENT]
    # The words are the report's timeline's, line for line.
    timeline = treatment_summary("en", changes, events, [], days_ago(13), TODAY).timeline
    assert tuple(mark_line("en", m) for m in series.marks) == timeline
    started_line = "Tue 12 May 2026: started Tramadol (opioid), 50 mg, as needed"
    assert mark_line("en", series.marks[0]) == started_line
    assert mark_line("en", series.marks[-1]) == event_line("en", scan)
    assert mark_line("en", series.marks[1]).startswith("Fri 15 May 2026: stopped Tramadol")
