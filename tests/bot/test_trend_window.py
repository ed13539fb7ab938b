"""The trend check after a save reads the baselines and eight weeks, and decides as the whole."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.engine import TREND_RECENT_DAYS
from flows.diary_csv import DiaryRow
from flows.trends import BASELINE_DAYS, SENT_LOOKBACK_DAYS, Alert, assess_day, replay
from tests.flows.test_trends import day_of, labels, rows_of


def read_for_trend(rows: Sequence[DiaryRow], today: date) -> list[DiaryRow]:
    """What `Session.readings_for_trend` reads: each measure's first 14 dates, the last weeks."""
    upto = [r for r in rows if r.entry_date <= today]
    edges = []
    for measure in ("back_pain", "leg_pain"):
        dates = sorted({r.entry_date for r in upto if getattr(r, measure) is not None})
        if dates:
            edges.append(dates[:BASELINE_DAYS][-1])
    edge = max(edges, default=date.min)
    start = today - timedelta(days=TREND_RECENT_DAYS)
    return [r for r in upto if r.entry_date <= edge or r.entry_date > start]


def test_every_sample_diary_alerts_alike_from_the_window_and_from_the_whole_diary() -> None:
    compared = alerted = 0
    for name, label in labels().items():
        rows = rows_of(name)
        surgery = day_of(label, "surgery_date")
        # The whole diary, logged day by day: what the bot would have sent.
        sent = replay(rows, surgery)
        for day in sorted({r.entry_date for r in rows})[::2]:
            before: list[Alert] = [
                a for a in sent if a.day < day and (day - a.day).days < SENT_LOOKBACK_DAYS
            ]
            read = read_for_trend(rows, day)
            found = list(assess_day(read, day, surgery_date=surgery, sent=before).alerts)
            assert found == [a for a in sent if a.day == day], (name, day)
            compared += 1
            alerted += bool(found)
    # Enough days, and enough alerts among them, for the comparison to mean something.
    assert compared > 2000
    assert alerted > 20
