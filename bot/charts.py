"""Draws the pain chart as a PNG: readable in black and white, rendered off the event loop."""

from __future__ import annotations

import math
from datetime import date
from io import BytesIO

from flows.i18n import t
from flows.trend_view import TrendSeries

# Matplotlib reads plain numbers on a date axis as days since 1970-01-01.
EPOCH = date(1970, 1, 1)


# The narrowest date axis drawn, in days.
MIN_SPAN_DAYS = 7


def _x(day: date) -> float:
    return float((day - EPOCH).days)


def _values(series: tuple[float | None, ...]) -> list[float]:
    return [math.nan if v is None else v for v in series]


def render_trend_png(series: TrendSeries, language: str) -> bytes:
    """Return a PNG of back and leg pain, their 7-day averages, the usual level and alerts."""
    # The object API with the Agg canvas keeps no global state, so it is safe in a thread.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 5.4), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    days = [_x(d) for d in series.days]
    for label, daily, average, baseline, line, colour, style, marker in (
        (
            "back",
            series.back,
            series.back_average,
            series.back_baseline,
            series.back_line,
            "#1f3b73",
            "-",
            "o",
        ),
        (
            "leg",
            series.leg,
            series.leg_average,
            series.leg_baseline,
            series.leg_line,
            "#8a4b08",
            "--",
            "s",
        ),
    ):
        axes.plot(
            days,
            _values(daily),
            linestyle="none",
            marker=marker,
            markersize=3.5,
            color=colour,
            alpha=0.45,
            label=t(language, f"chart.{label}.daily"),
        )
        axes.plot(
            days,
            _values(average),
            linestyle=style,
            linewidth=2.2,
            color=colour,
            label=t(language, f"chart.{label}.average"),
        )
        if baseline is not None and line is not None:
            axes.axhspan(
                baseline,
                line,
                color=colour,
                alpha=0.10,
                hatch="//" if label == "leg" else None,
                label=t(language, f"chart.{label}.band"),
            )
    for number, day in enumerate(series.alert_days):
        axes.axvline(
            _x(day),
            color="#b00020",
            linestyle=":",
            linewidth=1.6,
            label=t(language, "chart.alert") if number == 0 else None,
        )
    axes.set_ylim(-0.3, 10.3)
    axes.set_yticks(range(0, 11, 2))
    axes.set_ylabel(t(language, "chart.axis"))
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    if days:
        # A diary of a day or two would otherwise be drawn on an axis of years.
        low, high = min(days), max(days)
        pad = max(0.5, (MIN_SPAN_DAYS - (high - low)) / 2)
        axes.set_xlim(low - pad, high + pad)
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    # Below the plot, so it never hides a day's values.
    axes.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.1), fontsize=7.5, ncol=3, frameon=False
    )
    figure.tight_layout()
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
