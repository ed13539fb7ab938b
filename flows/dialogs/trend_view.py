"""The /trend view: which period to chart, and the series the chart is drawn from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from flows.clinical.trends import WINDOW_DAYS, Measure, window_mean, worse_line
from flows.i18n import t
from flows.kit.core import (
    ChartRequest,
    Context,
    Event,
    Flow,
    FlowState,
    Outcome,
    Press,
    Screen,
    button,
    use_buttons,
)
from flows.records.models import Entry
from flows.records.report.treatment import dated_treatment, treatment_line
from flows.records.treatment import MedicineChange, TreatmentEvent

# The narrowest chart, in days: a diary of a day or two is still shown on an axis of dates.
MIN_SPAN_DAYS = 14
# Most date marks under a chart; the labels stay apart at the chart's width.
MAX_TICKS = 10
# Daily dots stay apart on the chart up to about four months; beyond that they merge into a
# band, so longer charts draw weekly means (about 105 points for two years) and longer still
# monthly means (120 points for ten years): the trend stays readable, not the noise.
DAILY_UP_TO_DAYS = 120
WEEKLY_UP_TO_DAYS = 731


class TrendPeriod(StrEnum):
    """The periods a chart can show."""

    DAYS_30 = "30"
    DAYS_90 = "90"
    ALL = "all"

    @property
    def days(self) -> int | None:
        """Days shown, None for the whole diary."""
        return None if self is TrendPeriod.ALL else int(self.value)

    @classmethod
    def of(cls, days: int | None) -> TrendPeriod | None:
        """The period of the last `days` days (None: the whole diary); None if not one of ours."""
        return next((p for p in cls if p.days == days), None)


class TrendState(FlowState):
    """The chart on screen."""

    flow: Literal["trend"] = "trend"
    period: TrendPeriod = TrendPeriod.DAYS_30


def begin(ctx: Context) -> Outcome:
    """Show the last 30 days."""
    state = TrendState()
    return Outcome(state=state, screen=render(state, ctx))


def render(state: TrendState, ctx: Context) -> Screen:
    """The chart's caption and the period buttons."""
    lang = ctx.language
    periods = tuple(
        button(("• " if p is state.period else "") + t(lang, f"trend.period.{p.value}"), p.value)
        for p in TrendPeriod
    )
    return Screen(
        text=t(lang, f"trend.title.{state.period.value}"),
        chart=ChartRequest(days=state.period.days),
        buttons=(periods, (button(t(lang, "trend.close"), "close"),)),
    )


def on_event(state: TrendState, event: Event, ctx: Context) -> Outcome:
    """Switch period, or close the chart."""
    lang = ctx.language
    if not isinstance(event, Press):
        return use_buttons(state, render(state, ctx), ctx)
    if event.value == "close":
        return Outcome(state=None, screen=Screen(text=t(lang, "trend.closed")))
    chosen = state.model_copy(update={"period": TrendPeriod(event.value)})
    return Outcome(state=chosen, screen=render(chosen, ctx))


class Grain(StrEnum):
    """What one point of the chart stands for."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class MarkKind(StrEnum):
    """What a mark on the chart stands for."""

    EVENT = "event"
    MEDICINE = "medicine"


@dataclass(frozen=True, slots=True)
class ChartMark:
    """A treatment event or a medicine change, marked on the chart at its day."""

    day: date
    kind: MarkKind
    # What is marked; its words depend on the language, so they are made where it is drawn.
    what: TreatmentEvent | MedicineChange


def dated_marks(
    medicine_changes: Iterable[MedicineChange],
    treatment_events: Iterable[TreatmentEvent],
    first: date,
    last: date,
) -> tuple[ChartMark, ...]:
    """The events and medicine changes dated from first to last, as the report's timeline."""
    return tuple(
        ChartMark(what.changed_on, MarkKind.MEDICINE, what)
        if isinstance(what, MedicineChange)
        else ChartMark(what.event_date, MarkKind.EVENT, what)
        for what in dated_treatment(medicine_changes, treatment_events, first, last)
    )


def mark_line(language: str, mark: ChartMark) -> str:
    """A mark as the report's timeline says it: "Tue 3 May 2026: started Tramadol (opioid)"."""
    return treatment_line(language, mark.what)


def shortened(text: str, chars: int) -> str:
    """The text cut to at most `chars` characters, ending in "…" where it was cut."""
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class TrendSeries:
    """Everything a pain chart shows, day by day (None where nothing was logged)."""

    # Every day on the chart's axis, to its last day (the patient's today).
    days: tuple[date, ...]
    back: tuple[float | None, ...]
    leg: tuple[float | None, ...]
    back_average: tuple[float | None, ...]
    leg_average: tuple[float | None, ...]
    back_baseline: float | None
    leg_baseline: float | None
    back_line: float | None
    leg_line: float | None
    alert_days: tuple[date, ...]
    # The first day of the period the title names; the axis may start earlier, never later.
    since: date
    # The period asked for; None when the caller named none (the title then gives dates only).
    period: TrendPeriod | None
    # The treatment events and medicine changes dated on the axis, oldest first.
    marks: tuple[ChartMark, ...] = ()

    @property
    def grain(self) -> Grain:
        """Whether the chart draws each day, or weekly or monthly means."""
        if len(self.days) <= DAILY_UP_TO_DAYS:
            return Grain.DAY
        return Grain.WEEK if len(self.days) <= WEEKLY_UP_TO_DAYS else Grain.MONTH


@dataclass(frozen=True, slots=True)
class PeriodMeans:
    """Pain averaged over each week or month of a long chart (None where nothing was logged)."""

    grain: Grain
    # Each week's or month's first day on the axis, and how many of its days are on it.
    starts: tuple[date, ...]
    lengths: tuple[int, ...]
    back: tuple[float | None, ...]
    leg: tuple[float | None, ...]


def _daily(entries: Iterable[Entry], field: str, last: date) -> dict[date, float]:
    sums: dict[date, list[int]] = {}
    for entry in entries:
        value = getattr(entry, field)
        if value is not None and entry.entry_date <= last:
            sums.setdefault(entry.entry_date, []).append(value)
    return {day: sum(v) / len(v) for day, v in sums.items()}


def _rolling(days: Sequence[date], daily: dict[date, float]) -> tuple[float | None, ...]:
    # The detector's 7-day mean (§3.3 item 7), to a hundredth: the chart draws no finer.
    out: list[float | None] = []
    for day in days:
        window = [
            daily[d] for d in (day - timedelta(days=i) for i in range(WINDOW_DAYS)) if d in daily
        ]
        mean = window_mean(window)
        out.append(None if mean is None else round(mean, 2))
    return tuple(out)


def _worse_line(measure: Measure, baseline: float | None) -> float | None:
    return None if baseline is None else worse_line(measure, baseline)


def trend_series(
    entries: Sequence[Entry],
    first: date,
    last: date,
    *,
    baselines: tuple[float | None, float | None],
    alert_days: Iterable[date],
    period: TrendPeriod | None = None,
    medicine_changes: Iterable[MedicineChange] = (),
    treatment_events: Iterable[TreatmentEvent] = (),
) -> TrendSeries:
    """Return the daily values, 7-day averages, baselines, worse lines, alerts and marks."""
    # The axis spans at least MIN_SPAN_DAYS. Entries before it are not drawn, but count
    # towards the 7-day averages of its first days, as they do on any other day.
    start = min(first, last - timedelta(days=MIN_SPAN_DAYS - 1))
    days = tuple(start + timedelta(days=i) for i in range((last - start).days + 1))
    back = _daily(entries, "back_pain", last)
    leg = _daily(entries, "leg_pain", last)
    return TrendSeries(
        days=days,
        back=tuple(back.get(d) for d in days),
        leg=tuple(leg.get(d) for d in days),
        back_average=_rolling(days, back),
        leg_average=_rolling(days, leg),
        back_baseline=baselines[0],
        leg_baseline=baselines[1],
        back_line=_worse_line(Measure.BACK, baselines[0]),
        leg_line=_worse_line(Measure.LEG, baselines[1]),
        alert_days=tuple(d for d in sorted(set(alert_days)) if start <= d <= last),
        since=first,
        period=period,
        marks=dated_marks(medicine_changes, treatment_events, start, last),
    )


def period_means(series: TrendSeries) -> PeriodMeans:
    """Return the mean of the logged days of each week (ending today) or calendar month."""
    buckets: dict[int, list[int]] = {}
    last = series.days[-1]
    monthly = series.grain is Grain.MONTH
    for index, day in enumerate(series.days):
        # Weeks end on the last day, so the last point is the latest whole week.
        key = day.year * 12 + day.month if monthly else -((last - day).days // 7)
        buckets.setdefault(key, []).append(index)

    def mean(values: tuple[float | None, ...], indices: list[int]) -> float | None:
        # The days logged, however few: a long diary is often kept less than daily, and a
        # missing day is left out, never read as "no pain" (§3.3.7).
        logged = [v for v in (values[i] for i in indices) if v is not None]
        return round(sum(logged) / len(logged), 2) if logged else None

    groups = [buckets[k] for k in sorted(buckets)]
    return PeriodMeans(
        grain=series.grain,
        starts=tuple(series.days[g[0]] for g in groups),
        lengths=tuple(len(g) for g in groups),
        back=tuple(mean(series.back, g) for g in groups),
        leg=tuple(mean(series.leg, g) for g in groups),
    )


def _date(lang: str, day: date, *, year: bool) -> str:
    month = t(lang, f"month.{day.month}")
    if year:
        return t(lang, "chart.date", day=day.day, month=month, year=day.year)
    return t(lang, "chart.day_month", day=day.day, month=month)


def _month(lang: str, day: date, *, year: bool) -> str:
    month = t(lang, f"month.{day.month}")
    return t(lang, "chart.month_year", month=month, year=day.year) if year else month


def _span(lang: str, first: date, last: date) -> str:
    if first == last:
        return _date(lang, last, year=True)
    since = _date(lang, first, year=first.year != last.year)
    return t(lang, "chart.span", first=since, last=_date(lang, last, year=True))


def chart_title(series: TrendSeries, language: str) -> str:
    """The chart's title: what it shows and for which days."""
    span = _span(language, series.since, series.days[-1])
    if series.period is None:
        return t(language, "chart.title.dates", span=span)
    if series.period.days is None:
        return t(language, "chart.title.all", span=span)
    return t(language, "chart.title.days", days=series.period.days, span=span)


def date_ticks(first: date, last: date, language: str) -> tuple[tuple[date, str], ...]:
    """The days marked under a chart from first to last, and their labels: days to years."""
    span = (last - first).days + 1
    # Days, counted back from the last, so that today is always marked.
    for step in (1, 2, 7, 14):
        if (span - 1) // step < MAX_TICKS:
            days = [last - timedelta(days=i) for i in range(0, span, step)][::-1]
            return tuple((d, _date(language, d, year=False)) for d in days)
    starts = [
        date(year, month, 1)
        for year in range(first.year, last.year + 1)
        for month in range(1, 13)
        if first <= date(year, month, 1) <= last
    ]
    for step in (1, 2, 3, 6):
        months = [d for d in starts if (d.month - 1) % step == 0]
        if len(months) <= MAX_TICKS:
            # The year on the first mark and wherever it changes.
            return tuple(
                (d, _month(language, d, year=n == 0 or d.month == 1)) for n, d in enumerate(months)
            )
    years = [d for d in starts if d.month == 1]
    step = 1
    while len(marks := [d for d in years if d.year % step == 0]) > MAX_TICKS:
        step = {1: 2, 2: 5}.get(step, step * 2)
    return tuple((d, str(d.year)) for d in marks)


FLOW = Flow(TrendState, render, on_event, command="trend", begin=begin)
