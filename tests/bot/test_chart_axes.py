"""The /trend chart read by its axes: the period asked for, ending today, dates only, a title.

Each chart is built as the bot builds it (the diary read back, `chart_series`, then the
figure the PNG is saved from) and checked by what it shows, not by its pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import numpy
from matplotlib.axes import Axes
from matplotlib.dates import date2num
from matplotlib.lines import Line2D

from bot.charts import FIGURE_SIZE, MOST_MARK_NOTES, render_trend_png, trend_figure
from bot.engine import Engine
from bot.exports import chart_series, read_for_chart
from bot.reply import Who
from flows.clinical.codes import Tier
from flows.clinical.trends import AlertKind, SentAlert
from flows.dialogs.trend_view import MAX_TICKS, Grain, TrendSeries, date_ticks
from flows.records.models import NewEntry, Profile
from flows.records.treatment import (
    DrugClass,
    MedicineAction,
    MedicineChange,
    MedicineKind,
    TreatmentEvent,
    TreatmentKind,
)
from storage.ports import Session
from tests.clock import FakeClock

PAT = Who(user_id=57)
# The fake clock's today: 2026-03-10 (UTC).
TODAY = date(2026, 3, 10)
PNG = b"\x89PNG\r\n\x1a\n"

DOTS = ["Back pain (each day)", "Leg pain (each day)"]
AVERAGES = ["Back pain, 7-day average", "Leg pain, 7-day average"]
BANDS = ["Back: usual level up to a meaningful rise", "Leg: usual level up to a meaningful rise"]


def pain(offset: int) -> tuple[int, int]:
    """A diary that eases over the first months, with some day-to-day noise."""
    back = max(2, 7 - offset // 30) + (offset * 7919) % 3 - 1
    return back, max(0, back - 2)


async def seed(
    engine: Engine,
    days: int,
    *,
    today: date = TODAY,
    timezone: str = "UTC",
    every: int = 1,
    logged: Sequence[int] | None = None,
    alerts: Sequence[date] = (),
) -> None:
    """A patient whose diary runs for `days` days to `today`, an entry every `every` days.

    With `logged`, only on those days of it (0 is the first).
    """
    entries = []
    for offset in range(0, days, every) if logged is None else logged:
        day = today - timedelta(days=days - 1 - offset)
        back, leg = pain(offset)
        moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
        entries.append(
            NewEntry(
                entry_date=day, recorded_at=moment, timezone=timezone, back_pain=back, leg_pain=leg
            )
        )

    def work(session: Session) -> None:
        session.save_profile(
            Profile(
                user_id=PAT.user_id,
                consented_at=datetime(2010, 1, 1, tzinfo=UTC),
                country="GB",
                timezone=timezone,
            )
        )
        session.import_entries(PAT.user_id, entries)
        for day in alerts:
            session.add_alert(
                PAT.user_id,
                SentAlert(
                    day=day, kind=AlertKind.RAPID_RISE, about=("back_pain",), tier=Tier.ROUTINE
                ),
            )

    await engine.store.unit(datetime(2026, 3, 10, 12, tzinfo=UTC), work)


def series_of(engine: Engine, clock: FakeClock, days: int | None) -> TrendSeries:
    """What chart_job draws for the period (None: everything)."""
    snapshot = read_for_chart(engine.store.reader, PAT.user_id, clock(), days)
    assert snapshot is not None
    return chart_series(snapshot)


def chart(engine: Engine, clock: FakeClock, days: int | None) -> Axes:
    """The chart's axes, from the figure the PNG is saved from."""
    [axes] = trend_figure(series_of(engine, clock, days), "en").axes
    return axes


def x_span(axes: Axes) -> tuple[date, date]:
    """The first and last whole day the x-axis shows."""
    left, right = axes.get_xlim()
    # Each day is a column one day wide, centred on the day's mark.
    first, last = left + 0.5, right - 0.5
    assert first == int(first)
    assert last == int(last)
    epoch = date(1970, 1, 1)
    assert date2num(epoch) == 0.0
    return epoch + timedelta(days=int(first)), epoch + timedelta(days=int(last))


def tick_labels(axes: Axes) -> list[str]:
    return [label.get_text() for label in axes.get_xticklabels()]


def legend(axes: Axes) -> list[str]:
    found = axes.get_legend()
    return [] if found is None else [t.get_text() for t in found.get_texts() if t.get_text()]


def values(line: Line2D) -> list[float]:
    return [float(y) for y in numpy.asarray(line.get_ydata(), dtype=float)]


def positions(line: Line2D) -> list[float]:
    return [float(x) for x in numpy.asarray(line.get_xdata(), dtype=float)]


def drawn(axes: Axes) -> list[str]:
    """The labels of what is on the chart: lines with at least one value, bands, alerts."""
    lines = [
        str(line.get_label())
        for line in axes.get_lines()
        if not str(line.get_label()).startswith("_")
        and any(not math.isnan(y) for y in values(line))
    ]
    bands = [str(p.get_label()) for p in axes.patches if not str(p.get_label()).startswith("_")]
    return lines + bands


def legend_of(axes: Axes) -> list[str]:
    """The legend, having checked that it lists exactly what is drawn."""
    assert sorted(legend(axes)) == sorted(drawn(axes))
    return legend(axes)


def points(axes: Axes, label: str) -> int:
    """How many values a labelled line draws."""
    [line] = [line for line in axes.get_lines() if line.get_label() == label]
    return sum(not math.isnan(y) for y in values(line))


def assert_pain_scale(axes: Axes) -> None:
    low, high = axes.get_ylim()
    assert -0.5 <= low <= 0
    assert 10 <= high <= 10.5
    assert list(axes.get_yticks()) == [0, 2, 4, 6, 8, 10]
    assert axes.get_ylabel() == "Pain (0 = none, 10 = worst)"


def assert_dates_only(axes: Axes) -> None:
    labels = tick_labels(axes)
    assert 3 <= len(labels) <= MAX_TICKS
    assert all(label and ":" not in label for label in labels)
    # Every mark is on a day (midnight), never between days.
    assert all(float(x) == int(x) for x in axes.get_xticks())


async def test_a_first_day_is_drawn_on_two_weeks_of_dates_ending_today(
    engine: Engine, clock: FakeClock
) -> None:
    await seed(engine, 1)
    axes = chart(engine, clock, None)
    assert x_span(axes) == (TODAY - timedelta(days=13), TODAY)
    assert_dates_only(axes)
    assert tick_labels(axes)[-1] == "10 Mar"
    assert axes.get_title() == "Back and leg pain, whole diary: 10 Mar 2026"
    # One day: no 7-day average and no usual level yet, and the legend says no more.
    assert legend_of(axes) == DOTS
    assert_pain_scale(axes)
    month = chart(engine, clock, 30)
    assert x_span(month) == (TODAY - timedelta(days=29), TODAY)
    assert month.get_title() == "Back and leg pain, last 30 days: 9 Feb – 10 Mar 2026"
    assert legend_of(month) == DOTS


async def test_two_days_show_dates_not_hours(engine: Engine, clock: FakeClock) -> None:
    await seed(engine, 2)
    axes = chart(engine, clock, None)
    assert x_span(axes) == (TODAY - timedelta(days=13), TODAY)
    assert_dates_only(axes)
    assert tick_labels(axes) == ["26 Feb", "28 Feb", "2 Mar", "4 Mar", "6 Mar", "8 Mar", "10 Mar"]
    assert axes.get_title() == "Back and leg pain, whole diary: 9 Mar – 10 Mar 2026"
    assert legend_of(axes) == DOTS
    assert points(axes, DOTS[0]) == 2


async def test_thirty_days_show_each_day_the_averages_the_usual_level_and_alerts(
    engine: Engine, clock: FakeClock
) -> None:
    await seed(engine, 30, alerts=[TODAY - timedelta(days=3)])
    axes = chart(engine, clock, 30)
    assert x_span(axes) == (TODAY - timedelta(days=29), TODAY)
    assert_dates_only(axes)
    assert tick_labels(axes) == ["10 Feb", "17 Feb", "24 Feb", "3 Mar", "10 Mar"]
    assert axes.get_title() == "Back and leg pain, last 30 days: 9 Feb – 10 Mar 2026"
    # Back in one column of the legend, leg in the next, then the alert.
    assert legend_of(axes) == [
        DOTS[0],
        AVERAGES[0],
        BANDS[0],
        DOTS[1],
        AVERAGES[1],
        BANDS[1],
        "Alert sent",
    ]
    assert points(axes, DOTS[0]) == points(axes, DOTS[1]) == 30
    # The first average needs five of its seven days.
    assert points(axes, AVERAGES[0]) == 26
    assert_pain_scale(axes)


async def test_ninety_days_asked_with_ten_days_of_diary_span_ninety_days(
    engine: Engine, clock: FakeClock
) -> None:
    await seed(engine, 10)
    axes = chart(engine, clock, 90)
    assert x_span(axes) == (TODAY - timedelta(days=89), TODAY)
    assert_dates_only(axes)
    assert tick_labels(axes)[-1] == "10 Mar"
    assert axes.get_title() == "Back and leg pain, last 90 days: 11 Dec 2025 – 10 Mar 2026"
    assert legend_of(axes) == [DOTS[0], AVERAGES[0], DOTS[1], AVERAGES[1]]
    # The three periods are three different charts, though the diary fits in each.
    month, everything = chart(engine, clock, 30), chart(engine, clock, None)
    assert x_span(month) == (TODAY - timedelta(days=29), TODAY)
    assert x_span(everything) == (TODAY - timedelta(days=13), TODAY)
    assert everything.get_title() == "Back and leg pain, whole diary: 1 Mar – 10 Mar 2026"


async def test_everything_starts_at_the_first_entry(engine: Engine, clock: FakeClock) -> None:
    await seed(engine, 45)
    axes = chart(engine, clock, None)
    assert x_span(axes) == (TODAY - timedelta(days=44), TODAY)
    assert axes.get_title() == "Back and leg pain, whole diary: 25 Jan – 10 Mar 2026"
    assert_dates_only(axes)


async def test_a_ten_year_diary_draws_monthly_means_under_yearly_marks(
    engine: Engine, clock: FakeClock
) -> None:
    await seed(engine, 3653)
    axes = chart(engine, clock, None)
    first = TODAY - timedelta(days=3652)
    assert x_span(axes) == (first, TODAY)
    assert_dates_only(axes)
    assert tick_labels(axes) == [str(year) for year in range(2017, 2027)]
    assert axes.get_title() == "Back and leg pain, whole diary: 10 Mar 2016 – 10 Mar 2026"
    monthly = ["Back pain, monthly average", "Leg pain, monthly average"]
    assert legend_of(axes) == [monthly[0], BANDS[0], monthly[1], BANDS[1]]
    # One point a month (121 months touched), not 3,653 dots in a band.
    assert points(axes, monthly[0]) == 121
    assert all(len(positions(line)) <= 121 for line in axes.get_lines())
    assert_pain_scale(axes)
    # Its last 30 days are still drawn day by day.
    month = chart(engine, clock, 30)
    assert points(month, DOTS[0]) == 30
    assert points(month, AVERAGES[0]) == 30


async def test_a_year_logged_every_third_day_draws_weekly_means(
    engine: Engine, clock: FakeClock
) -> None:
    await seed(engine, 365, every=3)
    axes = chart(engine, clock, None)
    assert x_span(axes) == (TODAY - timedelta(days=364), TODAY)
    assert_dates_only(axes)
    assert tick_labels(axes) == ["May 2025", "Jul", "Sep", "Nov", "Jan 2026", "Mar"]
    weekly = ["Back pain, weekly average", "Leg pain, weekly average"]
    # Never five days of seven: no 7-day average could be drawn, but every week has a mean.
    assert legend_of(axes) == [weekly[0], BANDS[0], weekly[1], BANDS[1]]
    assert points(axes, weekly[0]) == 53


async def test_the_chart_ends_on_the_patients_local_today(
    engine: Engine, clock: FakeClock
) -> None:
    # 18:30 UTC on 10 March is 07:30 on 11 March in Auckland.
    await seed(engine, 5, today=TODAY + timedelta(days=1), timezone="Pacific/Auckland")
    axes = chart(engine, clock, 30)
    assert x_span(axes) == (TODAY - timedelta(days=28), TODAY + timedelta(days=1))
    assert axes.get_title() == "Back and leg pain, last 30 days: 10 Feb – 11 Mar 2026"
    assert points(axes, DOTS[0]) == 5


async def test_a_seven_day_average_on_one_day_alone_is_marked(
    engine: Engine, clock: FakeClock
) -> None:
    # Five of the last seven days, today among them: an average for today and no other day.
    await seed(engine, 7, logged=[0, 2, 3, 4, 6])
    axes = chart(engine, clock, 30)
    [average] = [line for line in axes.get_lines() if line.get_label() == AVERAGES[0]]
    [value] = [y for y in values(average) if not math.isnan(y)]
    today = float(date2num(TODAY))
    # A line through one point draws nothing; a marker shows it.
    marked = [
        (x, y)
        for line in axes.get_lines()
        if str(line.get_label()).startswith("_") and line.get_marker() not in ("None", "")
        for x, y in zip(positions(line), values(line), strict=True)
    ]
    assert (today, value) in marked
    assert AVERAGES[0] in legend_of(axes)


def test_the_png_is_the_figure_the_axes_come_from() -> None:
    series = TrendSeries(
        days=(TODAY,),
        back=(4.0,),
        leg=(None,),
        back_average=(None,),
        leg_average=(None,),
        back_baseline=None,
        leg_baseline=None,
        back_line=None,
        leg_line=None,
        alert_days=(),
        since=TODAY,
        period=None,
    )
    assert render_trend_png(series, "en").startswith(PNG)
    [axes] = trend_figure(series, "en").axes
    assert axes.get_title() == "Back and leg pain: 10 Mar 2026"
    assert legend_of(axes) == ["Back pain (each day)"]


def test_date_marks_stay_few_and_whole_days_from_two_weeks_to_twenty_years() -> None:
    last = date(2026, 12, 1)
    for span in [*range(14, 800), *range(800, 7400, 37)]:
        first = last - timedelta(days=span - 1)
        ticks = date_ticks(first, last, "en")
        days = [d for d, _ in ticks]
        assert 3 <= len(ticks) <= MAX_TICKS, span
        assert days == sorted(days), span
        assert all(first <= d <= last for d in days), span
        assert all(label and ":" not in label for _, label in ticks), span


# --- Treatment events and medicine changes (issue 19) -------------------------------------

MARKS = ["Treatment event", "Medicine change"]


async def add_marks(
    engine: Engine,
    events: Sequence[tuple[date, TreatmentKind, str | None]] = (),
    changes: Sequence[tuple[date, MedicineAction]] = (),
) -> None:
    """Store treatment events, and starts, changes or stops of one medicine, on those days."""
    at = datetime(2026, 3, 10, 12, tzinfo=UTC)

    def work(session: Session) -> None:
        for day, kind, detail in events:
            session.add_treatment_event(
                PAT.user_id,
                TreatmentEvent(event_date=day, kind=kind, recorded_at=at, detail=detail),
            )
        for day, action in changes:
            session.add_medicine_change(
                PAT.user_id,
                MedicineChange(
                    medicine=1,
                    action=action,
                    changed_on=day,
                    recorded_at=at,
                    name="Pregabalin",
                    drug_class=DrugClass.GABAPENTINOID,
                    kind=MedicineKind.SCHEDULED,
                    dose="75 mg",
                    times_a_day=2,
                ),
            )

    await engine.store.unit(at, work)


def mark_lines(axes: Axes) -> list[Line2D]:
    return [line for line in axes.get_lines() if str(line.get_gid()).startswith("mark.")]


def mark_days(axes: Axes) -> list[tuple[date, str]]:
    """Each marked day and how its line is drawn: "-" solid (an event), else dashed."""
    epoch = date(1970, 1, 1)
    found = []
    for line in mark_lines(axes):
        [x, same] = positions(line)
        assert x == same == int(x)
        style = "-" if line.get_linestyle() == "-" else "dashed"
        found.append((epoch + timedelta(days=int(x)), style))
    return found


def tags(axes: Axes) -> list[tuple[float, str]]:
    return [
        (float(t.get_position()[0]), t.get_text()) for t in axes.texts if t.get_gid() == "mark.tag"
    ]


def notes(axes: Axes) -> list[str]:
    figure = axes.get_figure()
    assert figure is not None
    return [t.get_text() for t in figure.texts if t.get_gid() == "mark.note"]


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


async def test_thirty_days_mark_each_event_and_medicine_change_at_its_day(
    engine: Engine, clock: FakeClock
) -> None:
    await seed(engine, 60)
    await add_marks(
        engine,
        events=[
            (days_ago(17), TreatmentKind.INJECTION, "L4-5"),
            (days_ago(3), TreatmentKind.MRI, None),
            # A day before the 30 days: on the 90-day chart only.
            (days_ago(30), TreatmentKind.FALL, None),
        ],
        changes=[(days_ago(10), MedicineAction.START)],
    )
    axes = chart(engine, clock, 30)
    assert mark_days(axes) == [
        (days_ago(17), "-"),
        (days_ago(10), "dashed"),
        (days_ago(3), "-"),
    ]
    assert tags(axes) == [
        (float(date2num(d)), str(n))
        for n, d in enumerate([days_ago(17), days_ago(10), days_ago(3)], start=1)
    ]
    assert notes(axes) == [
        "1  Sat 21 Feb 2026: Injection or nerve block (L4-5)",
        "2  Sat 28 Feb 2026: started Pregabalin (gabapentinoid), 75 mg,…",
        "3  Sat 7 Mar 2026: MRI scan",
    ]
    # The legend says which line is which, beside the pain lines, all in three columns.
    assert legend_of(axes)[-2:] == MARKS
    assert x_span(axes) == (days_ago(29), TODAY)
    quarter = chart(engine, clock, 90)
    assert [day for day, _ in mark_days(quarter)] == [
        days_ago(30),
        days_ago(17),
        days_ago(10),
        days_ago(3),
    ]
    assert notes(quarter)[0] == "1  Sun 8 Feb 2026: A fall"


async def test_a_day_with_an_event_and_a_change_has_one_solid_line_and_one_number(
    engine: Engine, clock: FakeClock
) -> None:
    await seed(engine, 30)
    await add_marks(
        engine,
        events=[(days_ago(6), TreatmentKind.INJECTION, None)],
        changes=[(days_ago(6), MedicineAction.STOP)],
    )
    axes = chart(engine, clock, 30)
    assert mark_days(axes) == [(days_ago(6), "-")]
    assert [text for _, text in tags(axes)] == ["1"]
    assert [note[:3] for note in notes(axes)] == ["1  ", "1  "]
    # Only what is drawn is in the legend: no dashed line, so no "Medicine change".
    assert legend_of(axes)[-1:] == MARKS[:1]


async def test_a_year_of_marks_numbers_the_latest_and_counts_the_rest(
    engine: Engine, clock: FakeClock
) -> None:
    await seed(engine, 365, every=3)
    kinds = list(TreatmentKind)
    event_days = [days_ago(n) for n in (340, 300, 250, 200, 160, 120, 90, 60, 30)]
    change_days = [days_ago(n) for n in (330, 160, 58)]
    await add_marks(
        engine,
        events=[(day, kinds[n], None) for n, day in enumerate(event_days)],
        changes=list(
            zip(
                change_days,
                (MedicineAction.START, MedicineAction.CHANGE, MedicineAction.STOP),
                strict=True,
            )
        ),
    )
    series = series_of(engine, clock, None)
    assert series.grain is Grain.WEEK
    axes = chart(engine, clock, None)
    # Weekly means, yet each mark at its own day; the shared day drawn once.
    assert [day for day, _ in mark_days(axes)] == sorted(set(event_days + change_days))
    numbered = tags(axes)
    assert [text for _, text in numbered] == [str(n) for n in range(1, len(numbered) + 1)]
    # The latest days are numbered, as many as their footnotes fit.
    assert numbered[-1][0] == float(date2num(days_ago(30)))
    listed = notes(axes)
    assert len(listed) <= MOST_MARK_NOTES + 1
    assert listed[-1] == "+4 earlier marks not numbered"
    assert listed[0] == "1  Fri 22 Aug 2025: Radiofrequency ablation"
    assert all(len(note) <= 64 for note in listed)


async def test_a_chart_without_marks_looks_as_before(engine: Engine, clock: FakeClock) -> None:
    await seed(engine, 30)
    # An event long before the period is no mark on it.
    await add_marks(engine, events=[(days_ago(200), TreatmentKind.REVISION, None)])
    figure = trend_figure(series_of(engine, clock, 30), "en")
    [axes] = figure.axes
    assert mark_lines(axes) == []
    assert tags(axes) == []
    assert notes(axes) == []
    assert tuple(figure.get_size_inches()) == FIGURE_SIZE
    assert not any(label in MARKS for label in legend(axes))
