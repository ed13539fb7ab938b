"""The trend check after a save reads the baselines and the last weeks, and decides as the whole.

The bot assesses each new entry from `Session.days_for_trend` (each measure's first 14 dates,
the first 14 once the recovery from surgery has settled, and the last `TREND_RECENT_DAYS`);
`backtrack assess` and the import replay the whole diary. Both must send the same alerts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import TypeVar

from bot.effects import TREND_RECENT_DAYS
from flows.clinical.trends import (
    BASELINE_DAYS,
    LOOKBACK_DAYS,
    SENT_LOOKBACK_DAYS,
    Alert,
    DayTotals,
    Diary,
    PainRecord,
    evaluate,
    replay,
    settled_from,
)
from flows.records.models import NewEntry
from storage.ports import Session
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.flows.test_trends import day_of, labels, rows_of
from tests.synthetic import SyntheticDiary, diaries, diary

Rec = TypeVar("Rec", bound=PainRecord)

# Synthetic diaries for the comparison: every seventh of the first 280 seeds (7 and the 10
# kinds have no common factor, so every kind is in), a few seconds of the suite.
SAMPLE = range(1, 281, 7)


def _edge(rows: Sequence[PainRecord], start: date | None) -> date:
    """The later measure's 14th logged date from `start` (date.min if neither has any)."""
    edges = []
    for scores in (
        [r.entry_date for r in rows if r.back_pain is not None],
        [r.entry_date for r in rows if r.leg_pain is not None],
    ):
        dates = sorted({d for d in scores if start is None or d >= start})
        if dates:
            edges.append(dates[:BASELINE_DAYS][-1])
    return max(edges, default=date.min)


def read_for_trend(
    rows: Sequence[Rec], today: date, recent_days: int, settled: date | None = None
) -> list[Rec]:
    """What `Session.days_for_trend` reads, the same three ranges of dates, as entries."""
    upto = [r for r in rows if r.entry_date <= today]
    edge = _edge(upto, None)
    start = today - timedelta(days=recent_days)
    settled_edge = _edge(upto, settled) if settled is not None else date.min
    return [
        r
        for r in upto
        if r.entry_date <= edge
        or (
            settled is not None
            and r.entry_date >= settled
            and edge < r.entry_date <= min(start, settled_edge)
        )
        or r.entry_date > max(start, edge)
    ]


def day_totals(rows: Sequence[PainRecord]) -> list[DayTotals]:
    """Each date's totals, as the database keeps them (symptoms sorted, once each)."""
    by_day: dict[date, list[PainRecord]] = {}
    for row in rows:
        by_day.setdefault(row.entry_date, []).append(row)
    totals = []
    for day, found in sorted(by_day.items()):
        back = [r.back_pain for r in found if r.back_pain is not None]
        leg = [r.leg_pain for r in found if r.leg_pain is not None]
        codes = ";".join(sorted({code.value for r in found for code in r.symptoms}))
        totals.append(
            (
                day.toordinal(),
                sum(back) if back else None,
                len(back),
                sum(leg) if leg else None,
                len(leg),
                codes,
            )
        )
    return totals


def tidy(days: Sequence[DayTotals]) -> list[DayTotals]:
    """The totals with each date's symptom codes sorted and once each, to compare."""
    return [(*d[:5], ";".join(sorted({c for c in d[5].split(";") if c}))) for d in days]


def differences(
    rows: Sequence[PainRecord], surgery: date | None, days: Sequence[date], recent_days: int
) -> list[date]:
    """The days on which the windowed read decides otherwise than the whole diary."""
    sent = replay(rows, surgery)
    settled = settled_from(surgery)
    found = []
    for day in days:
        before: list[Alert] = [
            a for a in sent if a.day < day and (day - a.day).days < SENT_LOOKBACK_DAYS
        ]
        # Built as the bot builds it: from each date's totals.
        read = Diary.from_days(day_totals(read_for_trend(rows, day, recent_days, settled)))
        alerts = list(evaluate(read, day, surgery_date=surgery, sent=before).alerts)
        if alerts != [a for a in sent if a.day == day]:
            found.append(day)
    return found


@cache
def sampled() -> tuple[SyntheticDiary, ...]:
    return tuple(diaries(SAMPLE))


def compared_days(made: SyntheticDiary) -> list[date]:
    # Every third date, and every date past the window, where the window matters.
    dates = sorted({r.entry_date for r in made.readings})
    late = made.first + timedelta(days=LOOKBACK_DAYS - 30)
    return [d for k, d in enumerate(dates) if k % 3 == 0 or d >= late]


def test_the_bot_reads_at_least_what_an_evaluation_looks_at() -> None:
    assert TREND_RECENT_DAYS >= LOOKBACK_DAYS


def test_every_sample_diary_alerts_alike_from_the_window_and_from_the_whole_diary() -> None:
    compared = 0
    for name, label in labels().items():
        rows = rows_of(name)
        surgery = day_of(label, "surgery_date")
        days = sorted({r.entry_date for r in rows})[::3]
        assert differences(rows, surgery, days, LOOKBACK_DAYS) == [], name
        compared += len(days)
    assert compared > 1400


def test_synthetic_diaries_alert_alike_from_the_window_and_from_the_whole_diary() -> None:
    compared = alerted = longer = 0
    for made in sampled():
        days = compared_days(made)
        assert differences(made.readings, made.surgery, days, LOOKBACK_DAYS) == [], made.seed
        compared += len(days)
        alerted += len(replay(made.readings, made.surgery))
        longer += (made.last - made.first).days > LOOKBACK_DAYS
    # Enough days, alerts and diaries longer than the window for the comparison to mean something.
    assert compared > 2000
    assert alerted > 30
    assert longer >= 3


def test_a_shorter_window_would_decide_otherwise() -> None:
    # The comparison can fail: with two months, the usual level (11 weeks) is cut short.
    assert any(
        differences(made.readings, made.surgery, compared_days(made), 60) for made in sampled()
    )


async def test_the_database_reads_the_same_three_ranges(db: Database) -> None:
    # A diary that starts days after surgery, longer than the window, several entries some days.
    made = next(
        diary(seed)
        for seed in range(1000)
        if diary(seed).post_op
        and (diary(seed).last - diary(seed).first).days > LOOKBACK_DAYS
        and len({r.entry_date for r in diary(seed).readings}) < len(diary(seed).readings)
    )
    settled = settled_from(made.surgery)
    assert settled is not None

    def store(session: Session) -> None:
        session.record_consent(31, "en", "UTC")
        for reading in made.readings:
            moment = datetime.combine(reading.entry_date, time(20, 0), tzinfo=UTC)
            session.add_entry(
                31,
                NewEntry(
                    entry_date=reading.entry_date,
                    recorded_at=moment,
                    timezone="UTC",
                    back_pain=reading.back_pain,
                    leg_pain=reading.leg_pain,
                    symptoms=reading.symptoms,
                ),
            )

    store_ = Store(db)
    await store_.unit(datetime(2026, 3, 10, tzinfo=UTC), store)
    days = [made.first + timedelta(days=k) for k in range(0, (made.last - made.first).days, 9)]
    for with_settled in (settled, None):
        for today in days:

            def read(
                session: Session, today: date = today, settled: date | None = with_settled
            ) -> list[DayTotals]:
                found = session.days_for_trend(
                    31, today, TREND_RECENT_DAYS, BASELINE_DAYS, settled
                )
                return tidy(found)

            expected = day_totals(
                read_for_trend(made.readings, today, TREND_RECENT_DAYS, with_settled)
            )
            assert await store_.read(read) == expected, (today, with_settled)
