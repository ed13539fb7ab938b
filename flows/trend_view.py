"""The /trend view: which period to chart, and the series the chart is drawn from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from flows.core import (
    ChartRequest,
    Context,
    Event,
    FlowState,
    Outcome,
    Press,
    Screen,
    button,
)
from flows.i18n import t
from flows.models import Entry
from flows.trends import WINDOW_DAYS


class TrendPeriod(StrEnum):
    """The periods a chart can show."""

    DAYS_30 = "30"
    DAYS_90 = "90"
    ALL = "all"

    @property
    def days(self) -> int | None:
        """Days shown, None for the whole diary."""
        return None if self is TrendPeriod.ALL else int(self.value)


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
        return Outcome(
            state=state, screen=render(state, ctx).with_hint(t(lang, "common.use_buttons"))
        )
    if event.value == "close":
        return Outcome(state=None, screen=Screen(text=t(lang, "trend.closed")))
    chosen = state.model_copy(update={"period": TrendPeriod(event.value)})
    return Outcome(state=chosen, screen=render(chosen, ctx))


@dataclass(frozen=True, slots=True)
class TrendSeries:
    """Everything a pain chart shows, day by day (None where nothing was logged)."""

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


def _daily(entries: Iterable[Entry], field: str) -> dict[date, float]:
    sums: dict[date, list[int]] = {}
    for entry in entries:
        value = getattr(entry, field)
        if value is not None:
            sums.setdefault(entry.entry_date, []).append(value)
    return {day: sum(v) / len(v) for day, v in sums.items()}


def _rolling(days: Sequence[date], daily: dict[date, float]) -> tuple[float | None, ...]:
    # A 7-day mean needs most of its week: missing days are never read as "no pain" (§3.3.7).
    needed = -(-WINDOW_DAYS * 7 // 10)
    out: list[float | None] = []
    for day in days:
        window = [
            daily[d] for d in (day - timedelta(days=i) for i in range(WINDOW_DAYS)) if d in daily
        ]
        out.append(round(sum(window) / len(window), 2) if len(window) >= needed else None)
    return tuple(out)


def trend_series(
    entries: Sequence[Entry],
    first: date,
    last: date,
    *,
    baselines: tuple[float | None, float | None],
    lines: tuple[float | None, float | None],
    alert_days: Iterable[date],
) -> TrendSeries:
    """Return the daily values, 7-day averages, baselines and alert days from first to last."""
    days = tuple(first + timedelta(days=i) for i in range((last - first).days + 1))
    back = _daily(entries, "back_pain")
    leg = _daily(entries, "leg_pain")
    return TrendSeries(
        days=days,
        back=tuple(back.get(d) for d in days),
        leg=tuple(leg.get(d) for d in days),
        back_average=_rolling(days, back),
        leg_average=_rolling(days, leg),
        back_baseline=baselines[0],
        leg_baseline=baselines[1],
        back_line=lines[0],
        leg_line=lines[1],
        alert_days=tuple(d for d in sorted(set(alert_days)) if first <= d <= last),
    )
