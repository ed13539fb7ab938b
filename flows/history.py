"""The /history view: the last days of the diary as a compact table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from flows.codes import RED_FLAG_FINDINGS
from flows.core import Context, Screen
from flows.i18n import t
from flows.models import Entry

HISTORY_DAYS = 14


def _cell(value: int | None) -> str:
    return "–" if value is None else str(value)


def render_history(entries: Sequence[Entry], ctx: Context, days: int = HISTORY_DAYS) -> Screen:
    """Show one row per entry for the last days, with empty days marked, oldest first."""
    lang = ctx.language
    first = ctx.today - timedelta(days=days - 1)
    by_day: dict[object, list[Entry]] = {}
    for entry in sorted(entries, key=lambda e: (e.entry_date, e.recorded_at)):
        if first <= entry.entry_date <= ctx.today:
            by_day.setdefault(entry.entry_date, []).append(entry)
    if not by_day:
        return Screen(text=t(lang, "history.empty", days=days))
    lines = [t(lang, "history.header")]
    for offset in range(days):
        day = first + timedelta(days=offset)
        label = f"{t(lang, f'weekday.{day.weekday()}')} {day.day:>2}"
        day_entries = by_day.get(day, [])
        if not day_entries:
            lines.append(f"{label}    ·   ·")
            continue
        for entry in day_entries:
            flags = sum(1 for s in entry.symptoms if s in RED_FLAG_FINDINGS)
            marks = []
            if flags:
                marks.append(f"⚠{flags}")
            if len(entry.symptoms) > flags:
                marks.append(f"+{len(entry.symptoms) - flags}")
            if entry.note:
                marks.append("✎")
            row = (
                f"{label} {_cell(entry.back_pain):>4}{_cell(entry.leg_pain):>4}  {' '.join(marks)}"
            )
            lines.append(row.rstrip())
    logged = len(by_day)
    return Screen(
        text=t(lang, "history.title", days=days, logged=logged),
        table="\n".join(lines),
    )
