"""Each date's totals (migration 9) stay those of its entries through every kind of write."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.effects import TREND_RECENT_DAYS
from flows.clinical.codes import Finding
from flows.clinical.trends import BASELINE_DAYS, DayTotals, Diary, Reading, alerts_on, settled_from
from flows.dialogs.history import HISTORY_DAYS
from flows.records.models import NewEntry
from storage.sql.session import Session
from storage.sql.trend_window import KEPT_BEFORE
from storage.sqlite.migrations import migrate
from tests.bot.test_trend_window import day_totals
from tests.synthetic import diaries

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
FIRST = date(2026, 3, 1)
CODES = (Finding.FEVER, Finding.PAIN_ONE_LEG, Finding.PAIN_NEUROPATHIC)


@contextmanager
def session() -> Iterator[Session]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrate(conn)
    conn.execute("PRAGMA foreign_keys = ON")
    try:
        for user in (1, 2):
            Session(conn, NOW).record_consent(user, "en", "UTC")
        yield Session(conn, NOW)
    finally:
        conn.close()


def entry(day: int, back: int | None, leg: int | None, codes: tuple[Finding, ...]) -> NewEntry:
    return NewEntry(
        entry_date=FIRST + timedelta(days=day),
        recorded_at=NOW,
        timezone="UTC",
        back_pain=back,
        leg_pain=leg if back is not None or leg is not None else 3,
        symptoms=codes,
    )


def kept(s: Session, user: int) -> list[DayTotals]:
    """The totals the database keeps, read as the trend check reads them (symptoms sorted)."""
    found = s.days_for_trend(user, FIRST + timedelta(days=40), 100, 14)
    return [(*d[:5], ";".join(sorted({c for c in d[5].split(";") if c}))) for d in found]


def counted(s: Session, user: int) -> list[DayTotals]:
    """The same totals counted again from the user's entries."""
    return day_totals(s.entries_between(user, date.min, date.max))


scores = st.one_of(st.none(), st.integers(0, 10))
written = st.tuples(
    st.integers(0, 12), scores, scores, st.lists(st.sampled_from(CODES), max_size=2)
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from((1, 2)), written),
        st.tuples(st.just("replace"), st.integers(0, 30), written),
        st.tuples(st.just("delete"), st.integers(0, 30), written),
        st.tuples(st.just("import"), st.sampled_from((1, 2)), written),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(operations)
def test_every_write_leaves_each_dates_totals_those_of_its_entries(
    ops: list[tuple[str, int, tuple[int, int | None, int | None, list[Finding]]]],
) -> None:
    with session() as s:
        for kind, target, (day, back, leg, codes) in ops:
            new = entry(day, back, leg, tuple(codes))
            ids = [e.id for e in s.entries_between(1, date.min, date.max)]
            if kind == "add":
                s.add_entry(target, new)
            elif kind == "import":
                s.import_entries(target, [new, new])
            elif ids and kind == "replace":
                s.replace_entry(1, ids[target % len(ids)], new)
            elif ids and kind == "delete":
                s.delete_entry(1, ids[target % len(ids)])
            for user in (1, 2):
                assert kept(s, user) == counted(s, user)


def test_two_entries_of_a_day_are_one_date_and_a_deleted_one_leaves_the_other() -> None:
    with session() as s:
        first = s.add_entry(1, entry(3, 6, 2, (Finding.FEVER,)))
        s.add_entry(1, entry(3, 3, None, ()))
        day = (FIRST + timedelta(days=3)).toordinal()
        assert kept(s, 1) == [(day, 9, 2, 2, 1, "fever")]
        s.delete_entry(1, first)
        assert kept(s, 1) == [(day, 3, 1, None, 0, "")]


def test_an_entry_moved_to_another_day_leaves_its_old_date() -> None:
    with session() as s:
        moved = s.add_entry(1, entry(3, 6, 2, ()))
        s.replace_entry(1, moved, entry(5, 7, None, ()))
        assert kept(s, 1) == [((FIRST + timedelta(days=5)).toordinal(), 7, 1, None, 0, "")]


def test_erasing_a_user_leaves_no_totals_of_theirs_and_keeps_the_others() -> None:
    with session() as s:
        for day in range(10):
            s.add_entry(1, entry(day, 5, 2, (Finding.FEVER,)))
            s.add_entry(1, entry(day, 4, None, ()))
            s.add_entry(2, entry(day, 1, 1, ()))
        s.erase_user(1)
        users = s.conn.execute("SELECT DISTINCT user_id FROM entry_days").fetchall()
        assert users == [(2,)]
        assert len(kept(s, 2)) == 10


def test_the_database_counts_a_date_as_python_does() -> None:
    with session() as s:
        for day in (date(1970, 1, 1), date(2000, 2, 29), date(2026, 12, 31)):
            s.add_entry(1, entry((day - FIRST).days, 5, None, ()))
        days = [d for (d,) in s.conn.execute("SELECT day FROM entry_days ORDER BY day").fetchall()]
        assert days == [
            d.toordinal() for d in (date(1970, 1, 1), date(2000, 2, 29), date(2026, 12, 31))
        ]


def _stored(reading: Reading) -> NewEntry:
    return NewEntry(
        entry_date=reading.entry_date,
        recorded_at=datetime.combine(reading.entry_date, time(20, 0), tzinfo=UTC),
        timezone="UTC",
        back_pain=reading.back_pain,
        leg_pain=reading.leg_pain,
        symptoms=tuple(reading.symptoms),
    )


def test_the_check_after_each_save_reads_what_it_kept_and_alerts_as_the_whole_diary() -> None:
    # Post-operative diaries of 7 to 10 months, with several entries on some days, logged
    # day by day; now and then an entry of three weeks ago is changed or removed, which must
    # drop what was kept.
    made = [
        d
        for d in diaries(range(1, 400, 3))
        if d.post_op and (d.last - d.first).days > 200 and len(d.logged) == 2
    ][:4]
    assert len(made) == 4
    kept_reads = whole = 0
    for number, diary in enumerate(made):
        surgery = settled_from(diary.surgery)
        rng = random.Random(number)
        with session() as s:
            by_day: dict[date, list[Reading]] = {}
            for reading in diary.readings:
                by_day.setdefault(reading.entry_date, []).append(reading)
            for day, readings in sorted(by_day.items()):
                for reading in readings:
                    s.add_entry(1, _stored(reading))
                if rng.random() < 0.05:
                    old = s.entries_between(1, day - timedelta(days=30), day - timedelta(days=20))
                    if old:
                        if rng.random() < 0.5:
                            s.delete_entry(1, old[0].id)
                        else:
                            s.replace_entry(
                                1, old[0].id, _stored(Reading(old[0].entry_date, 9, 9))
                            )
                was_kept = s.conn.execute("SELECT upto FROM trend_cache").fetchone()
                earlier, after = s.trend_window(1, day, TREND_RECENT_DAYS, BASELINE_DAYS, surgery)
                if was_kept is not None and was_kept[0] < day.toordinal() - HISTORY_DAYS:
                    kept_reads += 1
                windowed = alerts_on(
                    Diary.from_days(after, earlier=earlier), day, surgery_date=diary.surgery
                )
                everything = s.entries_between(1, date.min, day)
                assert windowed == alerts_on(Diary(everything), day, surgery_date=diary.surgery), (
                    diary.seed,
                    day,
                )
                whole += 1
    # Most checks read only the weeks after what was kept: all but the first 14 weeks or so,
    # until the baseline after recovery is complete.
    assert kept_reads > whole * 0.7


def test_what_is_kept_leaves_out_every_day_history_can_change() -> None:
    assert KEPT_BEFORE >= HISTORY_DAYS


def test_a_change_before_what_was_kept_drops_it_and_a_later_one_does_not() -> None:
    with session() as s:
        for day in range(60):
            s.add_entry(1, entry(day, 4, 2, ()))
        last = FIRST + timedelta(days=59)
        s.trend_window(1, last, TREND_RECENT_DAYS, BASELINE_DAYS)
        upto = (last - timedelta(days=HISTORY_DAYS)).toordinal()
        assert s.conn.execute("SELECT upto FROM trend_cache").fetchall() == [(upto,)]
        s.add_entry(1, entry(59 - 3, 6, 2, ()))
        assert s.conn.execute("SELECT count(*) FROM trend_cache").fetchone() == (1,)
        s.add_entry(1, entry(59 - HISTORY_DAYS, 6, 2, ()))
        assert s.conn.execute("SELECT count(*) FROM trend_cache").fetchone() == (0,)
