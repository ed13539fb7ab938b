"""Repository round trips on a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import pytest

from flows.clinical.codes import CauseId, Finding, Tier
from flows.clinical.trends import BASELINE_DAYS, AlertKind, Assessment, Diary, assess_day, evaluate
from flows.records.models import (
    CheckResult,
    EntrySource,
    FunctionCheckin,
    NewEntry,
    Profile,
    Region,
)
from storage.ports import DUPLICATE
from storage.sql.session import Session
from storage.sqlite.db import Database
from storage.sqlite.store import Store

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)


def new_entry(day: date, back: int | None = 5, leg: int | None = 2, **extra: object) -> NewEntry:
    return NewEntry.model_validate(
        {
            "entry_date": day,
            "recorded_at": NOW,
            "timezone": "Europe/Berlin",
            "back_pain": back,
            "leg_pain": leg,
            **extra,
        }
    )


async def test_profile_round_trip(db: Database) -> None:
    store = Store(db)
    profile = Profile(
        user_id=5,
        consented_at=NOW,
        surgery_year=2024,
        surgery_month=2,
        region=Region.LUMBOSACRAL,
        levels=3,
        risk_factors=(Finding.SMOKER, Finding.LOW_MOOD),
        timezone="Europe/Berlin",
        language="en",
        country="DE",
    )
    await store.unit(NOW, lambda s: s.save_profile(profile))
    assert await store.profile(5) == profile
    assert await store.profile(6) is None


async def test_consent_creates_the_account_once(db: Database) -> None:
    store = Store(db)
    await store.unit(NOW, lambda s: s.record_consent(5, "en", "UTC"))
    later = datetime(2026, 4, 1, tzinfo=UTC)
    await store.unit(later, lambda s: s.record_consent(5, "en", "UTC"))
    profile = await store.profile(5)
    assert profile is not None
    assert profile.consented_at == NOW


async def test_entry_round_trip_keeps_every_field(db: Database) -> None:
    store = Store(db)
    await store.unit(NOW, lambda s: s.record_consent(5, "en", "UTC"))
    entry = new_entry(
        date(2026, 3, 10),
        symptoms=(Finding.FEVER, Finding.PAIN_ONE_LEG),
        note="Ünïcode ✎; commas, too",
        source=EntrySource.LOG,
    )
    entry_id = await store.unit(NOW, lambda s: s.add_entry(5, entry))
    [stored] = await store.entries_between(5, date(2026, 3, 1), date(2026, 3, 31))
    assert stored.id == entry_id
    assert stored.user_id == 5
    assert stored.model_dump(exclude={"id", "user_id"}) == entry.model_dump()


async def test_entries_are_per_user_and_by_date(db: Database) -> None:
    store = Store(db)

    def fill(s: Session) -> None:
        for user in (5, 6):
            s.record_consent(user, "en", "UTC")
        s.add_entry(5, new_entry(date(2026, 3, 1), back=1))
        s.add_entry(5, new_entry(date(2026, 3, 10), back=2))
        s.add_entry(6, new_entry(date(2026, 3, 10), back=9))

    await store.unit(NOW, fill)
    mine = await store.entries_between(5, date(2026, 3, 5), date(2026, 3, 10))
    assert [e.back_pain for e in mine] == [2]
    assert await store.read(lambda s: s.count_entries_on(6, date(2026, 3, 10))) == 1


async def test_an_entry_needs_an_account(db: Database) -> None:
    store = Store(db)
    with pytest.raises(sqlite3.IntegrityError):
        await store.unit(NOW, lambda s: s.add_entry(99, new_entry(date(2026, 3, 1))))


async def test_a_failed_unit_of_work_writes_nothing(db: Database) -> None:
    store = Store(db)

    def half(s: Session) -> None:
        s.record_consent(5, "en", "UTC")
        s.add_entry(5, new_entry(date(2026, 3, 1)))
        raise RuntimeError("crash in the middle")

    with pytest.raises(RuntimeError):
        await store.unit(NOW, half)
    assert await store.profile(5) is None


async def test_an_update_id_is_processed_once(db: Database) -> None:
    store = Store(db)
    first = await store.unit(NOW, lambda s: "done", update_id=77)
    second = await store.unit(NOW, lambda s: "done", update_id=77)
    assert (first, second) == ("done", DUPLICATE)


async def test_conversation_round_trip(db: Database) -> None:
    store = Store(db)
    await store.unit(NOW, lambda s: s.save_conversation(5, 3, '{"flow": "log"}'))
    conversation = await store.read(lambda s: s.conversation(5))
    assert (conversation.seq, conversation.state) == (3, '{"flow": "log"}')
    assert (await store.read(lambda s: s.conversation(6))).seq == 0


async def test_check_result_round_trip(db: Database) -> None:
    store = Store(db)
    result = CheckResult(
        recorded_at=NOW,
        days_since_surgery=400,
        findings=(Finding.PAIN_MECHANICAL,),
        unsure=(Finding.BLADDER_CHANGE,),
        known=(Finding.LEG_WEAKNESS,),
        tier=Tier.URGENT,
        red_flags=("RF-CES-1",),
        causes=((CauseId.PSEUDARTHROSIS, 7.5), (CauseId.HARDWARE_FAILURE, 3.0)),
    )
    await store.unit(NOW, lambda s: s.record_consent(5, "en", "UTC", "GB"))
    await store.unit(NOW, lambda s: s.add_check(5, result))
    assert await store.read(lambda s: s.checks(5)) == [result]
    assert await store.read(lambda s: s.checks(6)) == []
    profile = await store.profile(5)
    assert profile is not None
    assert profile.emergency_number() == "999"


async def test_function_checkins_after_a_date_reads_only_the_later_ones(db: Database) -> None:
    store = Store(db)

    def seed(session: Session) -> None:
        session.record_consent(5, "en", "UTC")
        for day in (date(2026, 1, 5), date(2026, 2, 1), date(2026, 2, 2), date(2026, 3, 1)):
            checkin = FunctionCheckin(
                entry_date=day, recorded_at=NOW, average_pain=5, enjoyment=4, activity=3
            )
            session.add_function_checkin(5, checkin)

    await store.unit(NOW, seed)
    every = await store.read(lambda s: s.function_checkins(5))
    later = await store.read(lambda s: s.function_checkins(5, after=date(2026, 2, 1)))
    assert [c.entry_date for c in every] == [
        date(2026, 1, 5),
        date(2026, 2, 1),
        date(2026, 2, 2),
        date(2026, 3, 1),
    ]
    assert [c.entry_date for c in later] == [date(2026, 2, 2), date(2026, 3, 1)]


def long_diary(session: Session, user_id: int, days: int) -> date:
    """A daily back-pain diary whose leg pain is logged only every ninth day, rising at the end."""
    session.record_consent(user_id, "en", "Europe/Berlin")
    last = date(2026, 3, 10)
    for back_days in range(days - 1, -1, -1):
        day = date.fromordinal(last.toordinal() - back_days)
        rising = back_days < 10
        session.add_entry(
            user_id,
            new_entry(
                day,
                back=(7 if rising else 3 + back_days % 2),
                leg=(2 + back_days % 3) if back_days % 9 == 0 else None,
                symptoms=(Finding.PAIN_ONE_LEG,) if back_days in (0, 2, 3) else (),
            ),
        )
    return last


async def test_the_trend_check_after_a_save_reads_little_and_decides_as_the_whole_diary(
    db: Database,
) -> None:
    store = Store(db)
    last = await store.unit(NOW, lambda s: long_diary(s, 9, 400))
    assert isinstance(last, date)

    def both(session: Session) -> tuple[int, Assessment, Assessment]:
        days = session.days_for_trend(9, last, 56, BASELINE_DAYS)
        whole = session.entries_between(9, date.min, last)
        return len(days), evaluate(Diary.from_days(days), last), assess_day(whole, last)

    read, from_days, from_whole = await store.read(both)
    # Leg pain's 14th logged day is the diary's 121st (it is logged every ninth day); then the
    # last 56 days: 177 of the 400 dates.
    assert read == 177
    assert from_days == from_whole
    assert {a.kind for a in from_whole.alerts} == {
        AlertKind.SUSTAINED_WORSENING,
        AlertKind.NEW_NERVE_SYMPTOMS,
    }
