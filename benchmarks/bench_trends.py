"""Timing of the trend detector on a long synthetic diary: `python -m benchmarks.bench_trends`.

The goals (brief): assessing a 10-year daily diary after one new entry in under 5 ms, and a
full `backtrack assess` replay of it well under a second.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from flows.codes import Finding
from flows.models import Entry
from flows.trends import Diary, assess_day, evaluate, replay

TEN_YEARS = 3650
SURGERY = date(2015, 1, 5)
FIRST_DAY = date(2015, 3, 1)


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


def run(scale: float = 1.0) -> dict[str, float]:
    """Time the detector on a diary of `scale` times 10 years; figures in milliseconds."""
    days = max(30, round(TEN_YEARS * scale))
    runs = max(3, round(50 * min(scale, 1.0)))
    entries = synthetic_diary(days)
    today = entries[-1].entry_date
    history = entries[:-1]
    new = entries[-1]
    diary = Diary(entries)

    def after_new_entry() -> object:
        # What the bot does after saving an entry: all entries in, today's alerts out.
        return assess_day([*history, new], today, surgery_date=SURGERY)

    def evaluate_only() -> object:
        return evaluate(diary, today, surgery_date=SURGERY)

    def full_replay() -> object:
        return replay(entries, SURGERY)

    return {
        "days": float(days),
        "after_new_entry_ms": _median_ms(after_new_entry, runs),
        "evaluate_only_ms": _median_ms(evaluate_only, runs * 4),
        "full_replay_ms": _median_ms(full_replay, max(3, runs // 10)),
        "alerts_in_replay": float(len(replay(entries, SURGERY))),
    }


def main() -> None:
    """Print the figures for a 10-year daily diary."""
    figures = run(1.0)
    print(f"diary: {figures['days']:.0f} days, one entry a day")
    print(
        "assess after one new entry (all entries in), median: "
        f"{figures['after_new_entry_ms']:.2f} ms"
    )
    print(f"evaluate on an already built diary, median: {figures['evaluate_only_ms']:.3f} ms")
    print(f"full replay (backtrack assess), median: {figures['full_replay_ms']:.0f} ms")
    print(f"alerts in the replay: {figures['alerts_in_replay']:.0f}")


if __name__ == "__main__":
    main()
