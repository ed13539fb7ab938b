"""The row mappers: each names its model's fields and its table's columns, and round-trips."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from flows.clinical.codes import Finding, Tier
from flows.clinical.trends import AlertKind, SentAlert
from flows.records.models import (
    Advice,
    AdviceKind,
    AdviceSource,
    EntrySource,
    FunctionCheckin,
    NewEntry,
    Profile,
    Region,
)
from storage.sql.session import Session
from storage.sql.tables import (
    ADVICE,
    ALERTS,
    CHECKS,
    CONVERSATIONS,
    ENTRIES,
    FUNCTION_CHECKINS,
    NEW_ENTRIES,
    PROFILES,
    STORED_ADVICE,
    TREND_CACHE,
    Table,
)
from storage.sqlite.db import Database
from storage.sqlite.store import Store

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
MAPPERS: dict[str, Table[Any]] = {
    "profiles": PROFILES,
    "new_entries": NEW_ENTRIES,
    "entries": ENTRIES,
    "advice": ADVICE,
    "stored_advice": STORED_ADVICE,
    "checks": CHECKS,
    "function_checkins": FUNCTION_CHECKINS,
    "alerts": ALERTS,
    "conversations": CONVERSATIONS,
    "trend_cache": TREND_CACHE,
}


def model_fields(model: Any) -> set[str]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return set(model.model_fields)
    return {f.name for f in dataclasses.fields(model)}


@pytest.mark.parametrize("name", sorted(MAPPERS))
async def test_a_mapper_names_every_field_of_its_model_and_only_columns_its_table_has(
    db: Database, name: str
) -> None:
    mapper = MAPPERS[name]
    columns = await db.run(
        lambda c: {row[1] for row in c.execute(f"PRAGMA table_info({mapper.table})")}
    )
    # A model field without its column here (or a column without its migration) fails.
    assert set(mapper.names) == model_fields(mapper.model)
    assert set(mapper.names) <= columns
    assert len(set(mapper.names)) == len(mapper.names)


def test_an_upsert_list_refuses_a_column_the_mapper_does_not_have() -> None:
    assert "consented_at" not in PROFILES.excluded("user_id", "consented_at")
    with pytest.raises(ValueError, match="created_at"):
        PROFILES.excluded("created_at")


async def test_every_profile_field_round_trips_and_a_second_save_keeps_the_consent(
    db: Database,
) -> None:
    store = Store(db)
    profile = Profile(
        user_id=5,
        consented_at=NOW,
        display_name="Ana",
        surgery_year=2025,
        surgery_month=11,
        surgery_day=4,
        surgery_after=date(2025, 11, 1),
        surgery_before=date(2025, 11, 7),
        region=Region.THORACOLUMBAR,
        levels=2,
        risk_factors=(Finding.SMOKER,),
        timezone="Asia/Tokyo",
        language="de",
        country="JP",
        checkin_time=time(7, 45),
        paused=True,
        details_asked_at=NOW - timedelta(days=3),
    )
    await store.unit(NOW, lambda s: s.save_profile(profile))
    assert await store.profile(5) == profile
    changed = profile.model_copy(
        update={"consented_at": NOW + timedelta(days=1), "language": "en", "region": None}
    )
    await store.unit(NOW, lambda s: s.save_profile(changed))
    assert await store.profile(5) == changed.model_copy(update={"consented_at": NOW})


async def test_an_entry_changed_in_place_keeps_its_id_and_takes_every_new_value(
    db: Database,
) -> None:
    store = Store(db)
    first = NewEntry(
        entry_date=date(2026, 3, 9),
        recorded_at=NOW,
        timezone="Europe/Berlin",
        back_pain=4,
        leg_pain=None,
        note="stiff",
        source=EntrySource.QUICK,
    )
    second = NewEntry(
        entry_date=date(2026, 3, 8),
        recorded_at=NOW + timedelta(minutes=5),
        timezone="UTC",
        back_pain=None,
        leg_pain=6,
        symptoms=(Finding.PAIN_ONE_LEG,),
        note=None,
        source=EntrySource.IMPORT,
        timed=False,
    )

    def write(s: Session) -> int:
        s.record_consent(5, "en", "UTC")
        entry_id = s.add_entry(5, first)
        s.replace_entry(5, entry_id, second)
        return entry_id

    entry_id = await store.unit(NOW, write)
    [stored] = await store.entries_between(5, date(2026, 3, 1), date(2026, 3, 31))
    assert (stored.id, stored.user_id) == (entry_id, 5)
    assert NewEntry.model_validate(stored.model_dump(exclude={"id", "user_id"})) == second
    raw = await db.run(
        lambda c: c.execute("SELECT back_pain, note, timed FROM entries").fetchone()
    )
    assert raw == (None, None, 0)


async def test_advice_comes_out_of_the_outbox_as_it_went_in(db: Database) -> None:
    store = Store(db)
    advice = Advice(
        kind=AdviceKind.SAME_DAY,
        tier=Tier.URGENT,
        text="Call your surgeon's team today.",
        source=AdviceSource.CHECK,
        red_flags=("RF-A", "RF-B"),
        findings=(Finding.FEVER, Finding.PAIN_ONE_LEG),
    )

    def write(s: Session) -> int:
        s.record_consent(5, "en", "UTC")
        return s.add_advice(5, advice)

    advice_id = await store.unit(NOW, write)
    assert isinstance(advice_id, int)
    claimed = await store.unit(NOW, lambda s: s.claim_advice(5))
    assert isinstance(claimed, list)
    [taken] = claimed
    assert taken.id == advice_id
    assert Advice.model_validate(taken.model_dump(include=set(Advice.model_fields))) == advice
    assert (taken.user_id, taken.decided_at, taken.attempts, taken.delivered_at) == (
        5,
        NOW,
        0,
        None,
    )
    later = NOW + timedelta(seconds=30)
    await store.unit(later, lambda s: s.mark_advice_delivered(advice_id))
    [delivered] = await store.read(lambda s: s.advice_between(5, NOW, later))
    assert (delivered.attempts, delivered.delivered_at) == (1, later)


async def test_alerts_and_checkins_round_trip(db: Database) -> None:
    store = Store(db)
    alert = SentAlert(
        day=date(2026, 3, 9), kind=AlertKind.RAPID_RISE, about=("leg",), tier=Tier.SOON
    )
    checkin = FunctionCheckin(
        entry_date=date(2026, 3, 9), recorded_at=NOW, average_pain=6, enjoyment=3, activity=8
    )

    def write(s: Session) -> None:
        s.record_consent(5, "en", "UTC")
        s.add_alert(5, alert)
        s.add_function_checkin(5, checkin)

    await store.unit(NOW, write)
    # Stored with the moment it was sent, which the report reads.
    sent = alert.model_copy(update={"sent_at": NOW})
    assert await store.read(lambda s: s.alerts_since(5, date(2026, 3, 1))) == [sent]
    assert await store.read(lambda s: s.function_checkins(5)) == [checkin]


async def test_a_conversation_reads_back_its_moment_and_the_entry_put_aside(
    db: Database,
) -> None:
    store = Store(db)

    def write(s: Session) -> None:
        s.save_conversation(5, 4, None)
        s.set_entry_aside(5, '{"step": "leg"}')

    await store.unit(NOW, write)
    conversation = await store.read(lambda s: s.conversation(5))
    assert (conversation.seq, conversation.state) == (4, None)
    assert (conversation.updated_at, conversation.entry_aside) == (NOW, '{"step": "leg"}')
