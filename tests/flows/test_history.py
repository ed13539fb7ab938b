"""The /history table."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flows.codes import Finding
from flows.core import Context
from flows.history import render_history
from flows.models import Entry

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)


def entry(day: int, back: int, leg: int | None, month: int = 3, **extra: object) -> Entry:
    return Entry.model_validate(
        {
            "id": day,
            "user_id": 7,
            "entry_date": date(2026, month, day),
            "recorded_at": datetime(2026, month, day, 20, 0, tzinfo=UTC),
            "timezone": "UTC",
            "back_pain": back,
            "leg_pain": leg,
            **extra,
        }
    )


def test_rows_for_entries_and_dots_for_missing_days() -> None:
    ctx = Context(now=NOW, user_id=7)
    entries = [
        entry(9, 6, 2, symptoms=(Finding.FEVER, Finding.MUSCLE_TIGHTNESS), note="sore"),
        entry(10, 4, 0),
        entry(1, 9, 9),
        entry(20, 1, 1, month=2),
    ]
    screen = render_history(entries, ctx)
    assert screen.table is not None
    lines = screen.table.splitlines()
    assert len(lines) == 1 + 14
    assert lines[-2] == "Mon  9    6   2  ⚠1 +1 ✎"
    assert lines[-1] == "Tue 10    4   0"
    assert lines[1] == "Wed 25    ·   ·"
    assert lines[5] == "Sun  1    9   9"
    assert "(3 with entries)" in screen.text
    assert "Fri 20" not in screen.table


def test_empty_history_says_so() -> None:
    screen = render_history([], Context(now=NOW, user_id=7))
    assert screen.table is None
    assert "No diary entries" in screen.text
