"""Draws the pain chart as a PNG: readable in black and white, rendered off the event loop."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from io import BytesIO
from typing import TYPE_CHECKING

from flows.dialogs.trend_view import (
    ChartMark,
    Grain,
    MarkKind,
    TrendSeries,
    chart_title,
    date_ticks,
    mark_line,
    period_means,
    shortened,
)
from flows.i18n import t

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Matplotlib reads plain numbers on a date axis as days since 1970-01-01.
EPOCH = date(1970, 1, 1)

BACK_COLOUR, LEG_COLOUR, ALERT_COLOUR = "#1f3b73", "#8a4b08", "#b00020"
MARK_COLOUR = "#4d4d4d"
FIGURE_SIZE = (8.0, 5.4)
# Footnotes under the chart naming its marks: more would crowd out the chart itself. The
# latest days are numbered (what changed lately matters most); earlier ones are only counted.
MOST_MARK_NOTES = 8
# A footnote fits in half the chart's width at its font size.
MARK_NOTE_CHARS = 60
MARK_NOTE_SIZE = 7.0
MARK_NOTE_ROW_INCHES = 0.16
# Tags closer than this share of the axis would overlap; the later one is set lower.
TAG_APART = 0.028
TAG_ROWS = 3


def _x(day: date) -> float:
    return float((day - EPOCH).days)


def _values(series: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else v for v in series]


def _alone(values: list[float]) -> list[float]:
    # A line through one point with gaps either side draws nothing; such points get a marker.
    padded = [math.nan, *values, math.nan]
    return [
        v if math.isnan(padded[i]) and math.isnan(padded[i + 2]) else math.nan
        for i, v in enumerate(values)
    ]


def _legend(axes: Axes, columns: list[Sequence[Artist]]) -> None:
    from matplotlib.lines import Line2D

    if not columns:
        return
    # Matplotlib fills a legend column by column, sharing the entries out evenly; blank
    # entries keep back, leg and alerts each in a column of their own.
    rows = max(len(c) for c in columns)
    handles: list[Artist] = []
    labels: list[str] = []
    for column in columns:
        blanks = rows - len(column)
        handles += [*column, *(Line2D([], [], linestyle="none") for _ in range(blanks))]
        labels += [*(str(a.get_label()) for a in column), *([""] * blanks)]
    # Below the plot, so it never hides a day's values.
    axes.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        fontsize=7.5,
        ncol=len(columns),
        frameon=False,
    )


def _by_day(marks: Sequence[ChartMark]) -> list[tuple[date, list[ChartMark]]]:
    days: dict[date, list[ChartMark]] = {}
    for mark in marks:
        days.setdefault(mark.day, []).append(mark)
    return sorted(days.items())


def _numbered(days: list[tuple[date, list[ChartMark]]]) -> int:
    """How many of the latest days get a number, their marks all fitting in the footnotes."""
    notes = count = 0
    for _, marks in reversed(days):
        if notes + len(marks) > MOST_MARK_NOTES and count:
            break
        notes += len(marks)
        count += 1
    return count


def _mark_notes(series: TrendSeries, language: str) -> list[str]:
    """The footnotes naming the numbered marks, then how many earlier ones are not numbered."""
    days = _by_day(series.marks)
    numbered = _numbered(days)
    first = len(days) - numbered
    notes = [
        t(
            language,
            "chart.mark.note",
            tag=n,
            line=shortened(mark_line(language, mark), MARK_NOTE_CHARS),
        )
        for n, (_, marks) in enumerate(days[first:], start=1)
        for mark in marks
    ]
    unnumbered = sum(len(marks) for _, marks in days[:first])
    if unnumbered:
        notes.append(t(language, "chart.mark.more", n=unnumbered))
    return notes


def _draw_marks(axes: Axes, series: TrendSeries, language: str) -> list[Artist]:
    """Draw a line at each marked day and number the latest; return what the legend lists."""
    days = _by_day(series.marks)
    first = len(days) - _numbered(days)
    left, right = _x(series.days[0]) - 0.5, _x(series.days[-1]) + 0.5
    listed: dict[MarkKind, Artist] = {}
    placed: list[tuple[float, int]] = []
    for index, (day, marks) in enumerate(days):
        # A day with an event is drawn as one: one line, solid, whatever else changed that day.
        kind = (
            MarkKind.EVENT if any(m.kind is MarkKind.EVENT for m in marks) else MarkKind.MEDICINE
        )
        line = axes.axvline(
            _x(day),
            color=MARK_COLOUR,
            linestyle="-" if kind is MarkKind.EVENT else (0, (4, 2.5)),
            linewidth=1.0,
            zorder=1.5,
            gid=f"mark.{kind}",
        )
        if kind not in listed:
            line.set_label(t(language, f"chart.mark.{kind}"))
            listed[kind] = line
        if index < first:
            continue
        where = (_x(day) - left) / (right - left)
        taken = {row for x, row in placed if where - x < TAG_APART}
        row = next((r for r in range(TAG_ROWS) if r not in taken), 0)
        placed.append((where, row))
        axes.text(
            _x(day),
            0.985 - 0.055 * row,
            str(index - first + 1),
            transform=axes.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=7,
            color="black",
            gid="mark.tag",
            bbox={"boxstyle": "round,pad=0.18", "facecolor": "white", "edgecolor": MARK_COLOUR},
            zorder=4,
        )
    return [listed[k] for k in MarkKind if k in listed]


def _note_rows(notes: Sequence[str]) -> int:
    # A few footnotes read best in one column; more share two, filled down the first.
    return len(notes) if len(notes) <= 3 else -(-len(notes) // 2)


def _footnotes(figure: Figure, notes: list[str], height: float) -> None:
    rows = _note_rows(notes)
    for n, note in enumerate(notes):
        column, row = divmod(n, rows)
        figure.text(
            0.05 + 0.48 * column,
            (0.12 + (rows - row - 0.5) * MARK_NOTE_ROW_INCHES) / height,
            note,
            fontsize=MARK_NOTE_SIZE,
            va="center",
            gid="mark.note",
        )


def trend_figure(series: TrendSeries, language: str) -> Figure:
    """Return the chart of back and leg pain over the period, with usual levels and alerts."""
    # The object API with the Agg canvas keeps no global state, so it is safe in a thread.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    notes = _mark_notes(series, language) if series.marks else []
    # The footnotes get rows of their own under the chart; a chart without marks is unchanged.
    below = 0.0 if not notes else 0.2 + _note_rows(notes) * MARK_NOTE_ROW_INCHES
    width, height = FIGURE_SIZE[0], FIGURE_SIZE[1] + below
    figure = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    days = [_x(d) for d in series.days]
    grain = series.grain
    means = None if grain is Grain.DAY else period_means(series)
    middles = (
        []
        if means is None
        else [_x(s) + (n - 1) / 2 for s, n in zip(means.starts, means.lengths, strict=True)]
    )
    mean_label = "weekly" if grain is Grain.WEEK else "monthly"
    # The legend lists what was drawn, in columns: back, leg, then alerts.
    columns: list[Sequence[Artist]] = []
    for key, daily, average, mean, baseline, line, colour, style, marker in (
        (
            "back",
            series.back,
            series.back_average,
            None if means is None else means.back,
            series.back_baseline,
            series.back_line,
            BACK_COLOUR,
            "-",
            "o",
        ),
        (
            "leg",
            series.leg,
            series.leg_average,
            None if means is None else means.leg,
            series.leg_baseline,
            series.leg_line,
            LEG_COLOUR,
            "--",
            "s",
        ),
    ):
        drawn: list[Artist] = []
        if mean is None:
            if any(v is not None for v in daily):
                [dots] = axes.plot(
                    days,
                    _values(daily),
                    linestyle="none",
                    marker=marker,
                    markersize=3.5,
                    color=colour,
                    alpha=0.45,
                    label=t(language, f"chart.{key}.daily"),
                )
                drawn.append(dots)
            # Drawn, and so listed, only once the diary has a week with enough days in it.
            if any(v is not None for v in average):
                values = _values(average)
                [trend] = axes.plot(
                    days,
                    values,
                    linestyle=style,
                    linewidth=2.2,
                    color=colour,
                    label=t(language, f"chart.{key}.average"),
                )
                drawn.append(trend)
                axes.plot(
                    days, _alone(values), linestyle="none", marker="D", markersize=4, color=colour
                )
        elif any(v is not None for v in mean):
            # A long chart draws each week's or month's mean, not each day (see DAILY_UP_TO_DAYS).
            [trend] = axes.plot(
                middles,
                _values(mean),
                linestyle=style,
                linewidth=1.6,
                marker=marker,
                markersize=2.5,
                color=colour,
                label=t(language, f"chart.{key}.{mean_label}"),
            )
            drawn.append(trend)
        if baseline is not None and line is not None and line > baseline:
            band = axes.axhspan(
                baseline,
                line,
                color=colour,
                alpha=0.10,
                hatch="//" if key == "leg" else None,
                label=t(language, f"chart.{key}.band"),
            )
            drawn.append(band)
        columns.append(drawn)
    alerts = [
        axes.axvline(_x(day), color=ALERT_COLOUR, linestyle=":", linewidth=1.6)
        for day in series.alert_days
    ]
    if alerts:
        alerts[0].set_label(t(language, "chart.alert"))
    # What happened on a day, alerts and marks, shares the last column: the legend stays narrow.
    columns.append([*alerts[:1], *_draw_marks(axes, series, language)])
    axes.set_title(chart_title(series, language), fontsize=11)
    # Always the whole scale, so that a calm week does not look like a storm.
    axes.set_ylim(-0.3, 10.3)
    axes.set_yticks(range(0, 11, 2))
    axes.set_ylabel(t(language, "chart.axis"))
    # Each day is a column one day wide, centred on its mark: the axis is exactly the period.
    axes.set_xlim(days[0] - 0.5, days[-1] + 0.5)
    ticks = date_ticks(series.days[0], series.days[-1], language)
    axes.set_xticks([_x(d) for d, _ in ticks], [label for _, label in ticks])
    axes.minorticks_off()
    axes.grid(color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    _legend(axes, [c for c in columns if c])
    if notes:
        _footnotes(figure, notes, height)
        figure.tight_layout(rect=(0, below / height, 1, 1))
    else:
        figure.tight_layout()
    return figure


def render_trend_png(series: TrendSeries, language: str) -> bytes:
    """Return the chart as a PNG."""
    buffer = BytesIO()
    trend_figure(series, language).savefig(buffer, format="png")
    return buffer.getvalue()
