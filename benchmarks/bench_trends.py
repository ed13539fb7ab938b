"""Timing of the trend detector on a long diary: `python -m benchmarks.bench_trends`.

The goals (issue 16): the trend assessment the bot runs after each entry of a 10-year daily
diary in under 5 ms, the SQLite read of its window included, and a full `backtrack assess`
replay of it well under a second. Each figure is also given as a ratio to the plainest check
one could write, timed in the same run (from the same dates' totals, a median of the first 14
days and a 7-day mean), so a slower or busier machine moves both alike.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.effects import TREND_RECENT_DAYS
from flows.clinical.codes import Finding
from flows.clinical.trends import (
    BASELINE_DAYS,
    DayTotals,
    Diary,
    alerts_on,
    assess_day,
    evaluate,
    replay,
    settled_from,
)
from flows.records.models import Entry, NewEntry
from storage.sql.session import Session
from storage.sqlite.migrations import migrate

TEN_YEARS = 3650
SURGERY = date(2015, 1, 5)
FIRST_DAY = date(2015, 3, 1)
NOW = datetime(2025, 3, 1, tzinfo=UTC)


def synthetic_diary(days: int, seed: int = 7) -> list[Entry]:
    """One entry a day: pain wandering around its level, one worsening and one red flag."""
    rng = random.Random(seed)
    entries: list[Entry] = []
    back, leg = 3.5, 2.5
    for offset in range(days):
        day = FIRST_DAY + timedelta(days=offset)
        # Day-to-day noise that carries over a little, like the sample diaries (lag-1 r ≈ 0.5).
        back = 0.5 * back + 0.5 * 3.5 + rng.gauss(0, 0.8)
        leg = 0.5 * leg + 0.5 * 2.5 + rng.gauss(0, 0.8)
        shift = 3.0 if days // 2 <= offset < days // 2 + 60 else 0.0
        symptoms = (Finding.FEVER,) if offset == days - days // 3 else ()
        entries.append(
            Entry(
                id=offset + 1,
                user_id=1,
                entry_date=day,
                recorded_at=datetime(day.year, day.month, day.day, 20, 0, tzinfo=UTC),
                timezone="UTC",
                back_pain=max(0, min(10, round(back + shift))),
                leg_pain=max(0, min(10, round(leg))),
                symptoms=symptoms,
            )
        )
    return entries


def _median_ms(action: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def plain_check(days: Sequence[DayTotals], today: date) -> bool:
    """The plainest trend check: this week's back-pain mean against the first 14 days' median."""
    means = [(day, total / n) for day, total, n, *_ in days if total is not None and n]
    if len(means) < BASELINE_DAYS:
        return False
    base = statistics.median(mean for _, mean in means[:BASELINE_DAYS])
    last = today.toordinal()
    week = [mean for day, mean in means if 0 <= last - day < 7]
    return bool(week) and statistics.fmean(week) >= base + 2


def _stored(entries: Sequence[Entry], folder: Path) -> tuple[sqlite3.Connection, Session]:
    """The diary in a SQLite file, as the bot keeps it."""
    conn = sqlite3.connect(folder / "bench.db", isolation_level=None)
    migrate(conn)
    session = Session(conn, NOW)
    conn.execute("BEGIN IMMEDIATE")
    session.record_consent(1, "en", "UTC")
    for entry in entries:
        session.add_entry(
            1,
            NewEntry(
                entry_date=entry.entry_date,
                recorded_at=entry.recorded_at,
                timezone=entry.timezone,
                back_pain=entry.back_pain,
                leg_pain=entry.leg_pain,
                symptoms=entry.symptoms,
            ),
        )
    conn.execute("COMMIT")
    return conn, session


def run(scale: float = 1.0) -> dict[str, float]:
    """Time the detector on a diary of `scale` times 10 years; figures in milliseconds."""
    days = max(30, round(TEN_YEARS * scale))
    runs = max(3, round(50 * min(scale, 1.0)))
    entries = synthetic_diary(days)
    today = entries[-1].entry_date
    settled = settled_from(SURGERY)
    with tempfile.TemporaryDirectory() as folder:
        conn, session = _stored(entries, Path(folder))

        def read() -> list[object]:
            found = session.days_for_trend(1, today, TREND_RECENT_DAYS, BASELINE_DAYS, settled)
            return list(found)

        def kept_read() -> object:
            return session.trend_window(1, today, TREND_RECENT_DAYS, BASELINE_DAYS, settled)

        window = session.days_for_trend(1, today, TREND_RECENT_DAYS, BASELINE_DAYS, settled)
        read_ms = _median_ms(read, runs)
        # Yesterday's check kept what it read up to two weeks back; today's reads the rest.
        earlier, after = session.trend_window(1, today, TREND_RECENT_DAYS, BASELINE_DAYS, settled)
        kept_read_ms = _median_ms(kept_read, runs)
        conn.close()
    diary = Diary(entries)

    def after_new_entry() -> object:
        # What the bot does after saving an entry, once the window is read: today's alerts.
        return alerts_on(Diary.from_days(after, earlier=earlier), today, surgery_date=SURGERY)

    def whole_window() -> object:
        # The same from the whole window's totals, as when nothing was kept.
        return alerts_on(Diary.from_days(window), today, surgery_date=SURGERY)

    def all_entries() -> object:
        # The same with every stored entry passed in (an export's status, say).
        return assess_day(entries, today, surgery_date=SURGERY)

    def evaluate_only() -> object:
        return evaluate(diary, today, surgery_date=SURGERY)

    def plain() -> object:
        return plain_check(window, today)

    def full_replay() -> object:
        return replay(entries, SURGERY)

    assess_ms = _median_ms(after_new_entry, runs)
    whole_ms = _median_ms(whole_window, runs)
    plain_ms = _median_ms(plain, runs)
    replay_ms = _median_ms(full_replay, max(3, runs // 10))
    per_entry = kept_read_ms + assess_ms
    return {
        "days": float(days),
        "window_rows": float(len(window)),
        "fresh_rows": float(len(after)),
        "read_ms": read_ms,
        "kept_read_ms": kept_read_ms,
        "assess_ms": assess_ms,
        "after_new_entry_ms": per_entry,
        "nothing_kept_ms": read_ms + whole_ms,
        "all_entries_ms": _median_ms(all_entries, runs),
        "evaluate_only_ms": _median_ms(evaluate_only, runs * 4),
        "plain_ms": plain_ms,
        "after_new_entry_ratio": per_entry / plain_ms,
        "full_replay_ms": replay_ms,
        "full_replay_ratio": replay_ms / plain_ms,
        "alerts_in_replay": float(len(replay(entries, SURGERY))),
    }


def main() -> None:
    """Print the figures for a 10-year daily diary."""
    f = run(1.0)
    print(
        f"diary: {f['days']:.0f} days, one entry a day; a check looks at {f['window_rows']:.0f} "
        f"dates and reads {f['fresh_rows']:.0f} of them when the last check kept the rest"
    )
    print(
        f"after one new entry, median: {f['after_new_entry_ms']:.2f} ms (SQLite read "
        f"{f['kept_read_ms']:.2f} ms + assessment {f['assess_ms']:.2f} ms) = "
        f"{f['after_new_entry_ratio']:.1f}× the plain check ({f['plain_ms']:.3f} ms); "
        f"with nothing kept {f['nothing_kept_ms']:.2f} ms"
    )
    print(
        f"assess with all {f['days']:.0f} entries passed in, median: {f['all_entries_ms']:.2f} ms"
    )
    print(f"evaluate on an already built diary, median: {f['evaluate_only_ms']:.3f} ms")
    print(
        f"full replay (backtrack assess), median: {f['full_replay_ms']:.0f} ms "
        f"({f['full_replay_ratio']:.0f}× the plain check)"
    )
    print(f"alerts in the replay: {f['alerts_in_replay']:.0f}")


if __name__ == "__main__":
    main()
