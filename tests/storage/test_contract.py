"""The storage port's contract, held against every backend: SQLite always, PostgreSQL when named.

Each test runs once per backend (tests/storage/backends.py) through `storage.ports` alone, as
the bot does: what is stored is what is read back, a redelivered update is done once, a failed
unit of work writes nothing, one user's units run one at a time, prompts are claimed once, and
an erasure leaves no row. The bot itself runs on each backend at the end.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar

import psycopg
import pytest

from bot.engine import Engine
from bot.reminders import CLAIM_LEASE, Dispatcher, Outgoing, SendResult
from bot.reply import Who
from flows.clinical.codes import CauseId, Finding, Tier
from flows.clinical.trends import AlertKind, SentAlert
from flows.records.models import (
    Advice,
    AdviceKind,
    AdviceSource,
    CheckResult,
    EntrySource,
    FunctionCheckin,
    NewEntry,
    Profile,
    Region,
)
from flows.records.treatment import (
    DrugClass,
    MedicineAction,
    MedicineChange,
    MedicineDose,
    MedicineKind,
    StoredTreatmentEvent,
    TreatmentEvent,
    TreatmentKind,
)
from storage import ports
from storage.postgres.copy import REBUILT
from storage.postgres.copy import TABLES as COPIED
from storage.postgres.store import Store as PostgresStore
from storage.sqlite.migrations import migrate as migrate_sqlite
from tests.clock import FakeClock
from tests.onboarding import onboard
from tests.patient import EngineLine, Patient
from tests.storage.backends import BACKENDS, POSTGRES, opened, postgres_schema

T = TypeVar("T")
NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
# A Telegram id of today's size: it does not fit a 32-bit INTEGER.
BIG = 7_123_456_789


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ports.Store]:
    """A migrated, empty store of each backend."""
    async with opened(request.param, tmp_path) as backend:
        yield backend


async def write(store: ports.Store, now: datetime, work: Callable[[ports.Session], T]) -> T:
    """Run a unit of work that is no redelivery, and return what it returned."""
    done = await store.unit(now, work)
    assert not isinstance(done, ports.Duplicate)
    return done


@asynccontextmanager
async def held_open(
    store: ports.Store,
    work: Callable[[ports.Session], object] = lambda s: None,
    *,
    user_id: int | None = None,
) -> AsyncIterator[None]:
    """A unit of work that has done `work` and stays open, uncommitted, until the block ends."""
    inside = threading.Event()
    release = threading.Event()

    def hold(s: ports.Session) -> None:
        work(s)
        inside.set()
        release.wait(5)

    held = asyncio.create_task(store.unit(NOW, hold, user_id=user_id))
    await asyncio.to_thread(inside.wait, 5)
    try:
        yield
    finally:
        release.set()
        await held


def entry(day: date, back: int | None = 5, leg: int | None = 2, **extra: object) -> NewEntry:
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


async def joined(store: ports.Store, *users: int) -> None:
    def work(s: ports.Session) -> None:
        for user in users:
            s.record_consent(user, "en", "Europe/Berlin", "DE")

    await write(store, NOW, work)


async def test_a_profile_with_a_64_bit_telegram_id_round_trips(store: ports.Store) -> None:
    profile = Profile(
        user_id=BIG,
        consented_at=NOW,
        surgery_year=2024,
        surgery_month=2,
        surgery_day=14,
        region=Region.LUMBOSACRAL,
        levels=3,
        risk_factors=(Finding.SMOKER, Finding.LOW_MOOD),
        timezone="Europe/Berlin",
        country="DE",
        checkin_time=time(21, 0),
        paused=True,
    )
    await write(store, NOW, lambda s: s.save_profile(profile))
    assert await store.profile(BIG) == profile
    assert await store.profile(BIG + 1) is None
    # Consent once more keeps the account as it is.
    await write(store, NOW, lambda s: s.record_consent(BIG, "de", "UTC"))
    assert await store.profile(BIG) == profile


async def test_every_field_of_an_entry_round_trips_and_ids_increase(store: ports.Store) -> None:
    await joined(store, BIG)
    first = entry(
        date(2026, 3, 9),
        symptoms=(Finding.PAIN_ONE_LEG, Finding.FEVER),
        note="Walked 2 km; 100 % sore",
        as_needed_doses=3,
        source=EntrySource.IMPORT,
        timed=False,
    )
    second = entry(date(2026, 3, 10), back=None, leg=4)
    ids = await write(store, NOW, lambda s: (s.add_entry(BIG, first), s.add_entry(BIG, second)))
    assert ids[0] < ids[1]
    stored = await store.entries_between(BIG, date(2026, 3, 1), date(2026, 3, 31))
    assert [e.model_dump(exclude={"id", "user_id"}) for e in stored] == [
        first.model_dump(),
        second.model_dump(),
    ]
    assert [e.id for e in stored] == list(ids)


async def test_entries_are_per_user_by_date_and_counted(store: ports.Store) -> None:
    await joined(store, 1, 2)

    def fill(s: ports.Session) -> None:
        s.add_entry(1, entry(date(2026, 3, 9)))
        s.add_entry(1, entry(date(2026, 3, 10)))
        s.add_entry(1, entry(date(2026, 3, 10), back=7))
        s.add_entry(2, entry(date(2026, 3, 10)))

    await write(store, NOW, fill)
    assert len(await store.entries_between(1, date(2026, 3, 10), date(2026, 3, 10))) == 2
    assert len(await store.entries_between(2, date(2026, 3, 1), date(2026, 3, 31))) == 1
    assert await store.read(lambda s: s.count_entries_on(1, date(2026, 3, 10))) == 2
    counts = await store.read(
        lambda s: s.entry_counts_between(1, date(2026, 3, 1), date(2026, 3, 31))
    )
    assert sorted(counts) == [(date(2026, 3, 9), 1), (date(2026, 3, 10), 2)]


async def test_an_entry_is_changed_deleted_and_imported_once(store: ports.Store) -> None:
    await joined(store, 1)
    quick = entry(date(2026, 3, 9), leg=None, source=EntrySource.QUICK)
    entry_id = await write(store, NOW, lambda s: s.add_entry(1, quick))
    assert await store.read(lambda s: s.quick_entry_on(1, date(2026, 3, 9))) is not None
    changed = entry(date(2026, 3, 9), back=8, note="worse")
    await write(store, NOW, lambda s: s.replace_entry(1, entry_id, changed))
    [stored] = await store.entries_between(1, date(2026, 3, 9), date(2026, 3, 9))
    assert (stored.id, stored.back_pain, stored.note) == (entry_id, 8, "worse")
    rows = [entry(date(2026, 3, d)) for d in (1, 2, 2)]
    # Two entries alike on one day in one file are two entries; the same file again adds none.
    assert await write(store, NOW, lambda s: s.import_entries(1, rows)) == (3, 0)
    assert await write(store, NOW, lambda s: s.import_entries(1, rows)) == (0, 3)
    assert await write(store, NOW, lambda s: s.delete_entry(1, entry_id)) is True
    assert await write(store, NOW, lambda s: s.delete_entry(2, entry_id)) is False
    assert len(await store.entries_between(1, date(2026, 3, 1), date(2026, 3, 31))) == 3


async def test_checks_peg_check_ins_and_alerts_round_trip(store: ports.Store) -> None:
    await joined(store, 1)
    check = CheckResult(
        recorded_at=NOW,
        days_since_surgery=40,
        findings=(Finding.FEVER,),
        unsure=(Finding.BLADDER_CHANGE,),
        tier=Tier.URGENT,
        red_flags=("RF-SSI-1",),
        causes=((CauseId.INFECTION, 4.5), (CauseId.PSEUDARTHROSIS, 1.0)),
    )
    peg = FunctionCheckin(
        entry_date=date(2026, 3, 10), recorded_at=NOW, average_pain=5, enjoyment=6, activity=4
    )
    alert = SentAlert(
        day=date(2026, 3, 10),
        kind=AlertKind.RED_FLAG,
        about=("RF-SSI-1", "fever"),
        tier=Tier.URGENT,
    )

    def work(s: ports.Session) -> int:
        s.add_function_checkin(1, peg)
        s.add_alert(1, alert)
        return s.add_check(1, check)

    assert await write(store, NOW, work) > 0
    assert await store.read(lambda s: s.checks(1)) == [check]
    assert await store.read(lambda s: s.function_checkins(1)) == [peg]
    assert await store.read(lambda s: s.function_checkins(1, after=date(2026, 3, 10))) == []
    # Stored with the moment it was sent, which the report reads.
    sent = alert.model_copy(update={"sent_at": NOW})
    assert await store.read(lambda s: s.alerts_since(1, date(2026, 3, 1))) == [sent]


async def test_the_outbox_leases_retries_and_delivers_once(store: ports.Store) -> None:
    await joined(store, 1)
    advice = Advice(
        kind=AdviceKind.EMERGENCY,
        tier=Tier.EMERGENCY,
        text="Call 112 now",
        source=AdviceSource.LOG,
        red_flags=("RF-CES-1",),
        findings=(Finding.SADDLE_NUMBNESS,),
    )
    advice_id = await write(store, NOW, lambda s: s.add_advice(1, advice))
    [taken] = await write(store, NOW, lambda s: s.claim_advice(1))
    assert (taken.id, taken.text, taken.red_flags) == (advice_id, "Call 112 now", ("RF-CES-1",))
    # Leased: not taken again until its try fails or the lease ends.
    assert await write(store, NOW, lambda s: s.claim_advice()) == []
    await write(store, NOW, lambda s: s.mark_advice_failed(advice_id, "TimedOut"))
    later = NOW + timedelta(minutes=2)
    [again] = await write(store, later, lambda s: s.claim_advice())
    assert again.attempts == 1
    await write(store, later, lambda s: s.mark_advice_delivered(advice_id))
    assert await write(store, later + timedelta(hours=1), lambda s: s.release_advice()) == 0
    [kept] = await store.read(lambda s: s.advice_between(1, NOW, later))
    assert kept.delivered_at is not None


async def test_prompts_are_due_claimed_once_and_recorded(store: ports.Store) -> None:
    await joined(store, 1, 2)
    due = NOW - timedelta(minutes=1)

    def plan(s: ports.Session) -> None:
        s.set_next_prompt(1, due)
        s.set_next_prompt(2, NOW + timedelta(hours=1))

    await write(store, NOW, plan)
    [(profile, at)] = await store.read(lambda s: s.due_users(NOW, 500))
    assert (profile.user_id, at) == (1, due)
    day = date(2026, 3, 10)
    claims = await write(
        store,
        NOW,
        lambda s: [s.claim_prompt(1, "daily", day.isoformat(), day, due) for _ in range(2)],
    )
    assert claims == [True, False]
    await write(store, NOW, lambda s: s.mark_prompt(1, "daily", day.isoformat(), "sent"))
    assert await store.read(lambda s: s.prompt_statuses(1)) == [("daily", day.isoformat(), "sent")]
    await write(store, NOW, lambda s: s.block(2))
    assert await write(store, NOW, lambda s: s.unblock(2)) is True
    assert await store.read(lambda s: s.next_prompt(2)) == NOW + timedelta(hours=1)


async def test_a_redelivered_update_is_done_once_and_a_failed_unit_writes_nothing(
    store: ports.Store,
) -> None:
    await joined(store, 1)
    done = [
        await store.unit(NOW, lambda s: s.add_entry(1, entry(date(2026, 3, 10))), update_id=77)
        for _ in range(2)
    ]
    assert not isinstance(done[0], ports.Duplicate)
    assert isinstance(done[1], ports.Duplicate)

    def half(s: ports.Session) -> None:
        s.add_entry(1, entry(date(2026, 3, 9)))
        raise RuntimeError("the flow failed after its first write")

    with pytest.raises(RuntimeError):
        await store.unit(NOW, half, update_id=78)
    assert len(await store.entries_between(1, date(2026, 3, 1), date(2026, 3, 31))) == 1
    # The failed update's id was not kept either: Telegram's redelivery is done.
    redone = await store.unit(NOW, lambda s: s.count_entries_on(1, date(2026, 3, 9)), update_id=78)
    assert redone == 0


async def test_one_users_units_run_one_at_a_time(store: ports.Store) -> None:
    await joined(store, 1)
    inside = threading.Event()
    seen: list[int] = []

    def first(s: ports.Session) -> None:
        s.add_entry(1, entry(date(2026, 3, 10)))
        inside.set()
        # Held open: a second unit for the same user must wait for this one's commit.
        threading.Event().wait(0.3)

    def second(s: ports.Session) -> None:
        seen.append(s.count_entries_on(1, date(2026, 3, 10)))
        s.add_entry(1, entry(date(2026, 3, 10), back=9))

    slow = asyncio.create_task(store.unit(NOW, first, user_id=1))
    await asyncio.to_thread(inside.wait, 5)
    await store.unit(NOW, second, user_id=1)
    await slow
    assert seen == [1]


async def test_an_erasure_leaves_no_row_of_the_user(store: ports.Store) -> None:
    await joined(store, 1, 2)

    def fill(s: ports.Session) -> None:
        for user in (1, 2):
            s.add_entry(user, entry(date(2026, 3, 10), symptoms=(Finding.FEVER,)))
            s.save_conversation(user, 3, '{"flow": "log"}')
            s.add_alert(
                user,
                SentAlert(
                    day=date(2026, 3, 10),
                    kind=AlertKind.RAPID_RISE,
                    about=("back",),
                    tier=Tier.SOON,
                ),
            )
            s.set_next_prompt(user, NOW)
        s.trend_window(1, date(2026, 3, 10), 245, 14)

    await write(store, NOW, fill)
    await write(store, NOW, lambda s: s.erase_user(1))
    assert await store.profile(1) is None
    assert await store.entries_between(1, date(2026, 1, 1), date(2026, 12, 31)) == []
    assert (await store.read(lambda s: s.conversation(1))).seq == 0
    assert await store.read(lambda s: s.alerts_since(1, date(2026, 1, 1))) == []
    assert await store.read(lambda s: s.days_for_trend(1, date(2026, 3, 10), 245, 14)) == []
    assert len(await store.entries_between(2, date(2026, 1, 1), date(2026, 12, 31))) == 1


async def test_the_trend_window_reads_the_dates_totals_as_the_whole_diary(
    store: ports.Store,
) -> None:
    await joined(store, 1)
    start = date(2025, 1, 1)

    def fill(s: ports.Session) -> None:
        for day in range(400):
            if day % 5 == 3:
                continue
            s.add_entry(1, entry(start + timedelta(days=day), back=3 + day % 4, leg=day % 3))
        s.add_entry(1, entry(start + timedelta(days=10), back=9, symptoms=(Finding.FEVER,)))

    await write(store, NOW, fill)
    last = start + timedelta(days=399)
    days = await store.read(lambda s: s.days_for_trend(1, last, 245, 14))
    earlier, after = await write(store, NOW, lambda s: s.trend_window(1, last, 245, 14))
    # The baselines' dates and the last weeks, in date order; the day of two entries summed.
    assert [d[0] for d in days] == sorted(d[0] for d in days)
    tenth = (start + timedelta(days=10)).toordinal()
    assert next(d for d in days if d[0] == tenth)[1:] == (
        3 + 10 % 4 + 9,
        2,
        10 % 3 + 2,
        2,
        "fever",
    )
    assert len(earlier.logged) + len(after) == len(days)
    # The next check reads only the dates after what the last one kept.
    kept, fresh = await write(store, NOW, lambda s: s.trend_window(1, last, 245, 14))
    assert kept.logged == earlier.logged
    assert fresh == after


async def test_a_patient_logs_and_gets_the_emergency_message_on_each_backend(
    store: ports.Store, clock: FakeClock
) -> None:
    engine = Engine(store, clock)
    who = Who(user_id=BIG)
    await onboard(engine, who)
    patient = Patient(EngineLine(engine, who))
    await patient.send("/log")
    await patient.presses("7", "3", "Bladder problems", "Done (1 ticked)")
    assert "Call 999 or go to the nearest Emergency Department now" in patient.last
    [stored] = await store.entries_between(BIG, date(2026, 1, 1), date(2026, 12, 31))
    assert (stored.back_pain, stored.symptoms) == (7, (Finding.BLADDER_CHANGE,))
    [advice] = await store.read(
        lambda s: s.advice_between(BIG, NOW - timedelta(days=1), NOW + timedelta(days=1))
    )
    assert advice.tier is Tier.EMERGENCY
    assert "999" in advice.text


def _sqlite_columns(folder: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(folder / "schema.db", isolation_level=None)
    try:
        migrate_sqlite(conn)
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        ]
        return {t: sorted(r[1] for r in conn.execute(f"PRAGMA table_info({t})")) for t in tables}
    finally:
        conn.close()


@pytest.mark.skipif(POSTGRES is None, reason="BACKTRACK_TEST_POSTGRES is not set")
async def test_both_schemas_describe_the_same_tables_and_columns(tmp_path: Path) -> None:
    async with postgres_schema() as url:
        backend = await PostgresStore.open(url)
        await backend.close()
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name <> 'schema_version'"
            ).fetchall()
    postgres: dict[str, list[str]] = {}
    for table, column in rows:
        postgres.setdefault(table, []).append(column)
    assert {t: sorted(c) for t, c in postgres.items()} == _sqlite_columns(tmp_path)


async def test_a_claim_younger_than_the_lease_is_left_to_its_sender(store: ports.Store) -> None:
    await joined(store, 1)
    day = date(2026, 3, 10)
    await write(
        store, NOW, lambda s: s.claim_prompt(1, "daily", day.isoformat(), day, NOW, by="h:41")
    )
    later = NOW + timedelta(minutes=5)
    assert await write(store, later, lambda s: s.recover_claims(NOW - timedelta(minutes=10))) == 0
    much_later = NOW + timedelta(minutes=11)
    lease_start = much_later - timedelta(minutes=10)
    assert await write(store, much_later, lambda s: s.recover_claims(lease_start)) == 1
    assert await store.read(lambda s: s.prompt_statuses(1)) == [
        ("daily", day.isoformat(), "uncertain")
    ]


async def test_a_claim_records_which_sender_made_it(store: ports.Store, tmp_path: Path) -> None:
    await joined(store, 1)
    day = date(2026, 3, 10)
    await write(
        store, NOW, lambda s: s.claim_prompt(1, "daily", day.isoformat(), day, NOW, by="h:41")
    )
    # Read as the operator would, with the backend's own client.
    if isinstance(store, PostgresStore):
        with psycopg.connect(store.url) as conn:
            [(by,)] = conn.execute("SELECT claimed_by FROM prompts").fetchall()
    else:
        with sqlite3.connect(tmp_path / "contract.db") as conn:
            [(by,)] = conn.execute("SELECT claimed_by FROM prompts").fetchall()
    assert by == "h:41"


@pytest.mark.skipif(POSTGRES is None, reason="BACKTRACK_TEST_POSTGRES is not set")
async def test_two_senders_never_select_the_same_due_users(tmp_path: Path) -> None:
    async with opened("postgres", tmp_path) as store:
        users = list(range(1, 41))
        await joined(store, *users)

        def due(s: ports.Session) -> None:
            for user in users:
                s.set_next_prompt(user, NOW - timedelta(minutes=1))

        await write(store, NOW, due)
        chosen: list[list[int]] = []

        def select(s: ports.Session) -> None:
            chosen.append([p.user_id for p, _ in s.due_users(NOW, 25)])

        async with held_open(store, select):
            await store.unit(NOW, select)
    assert len(chosen[0]) == 25
    assert len(chosen[1]) == 15
    assert not set(chosen[0]) & set(chosen[1])


@pytest.mark.skipif(POSTGRES is None, reason="BACKTRACK_TEST_POSTGRES is not set")
async def test_a_sender_skips_a_patient_whose_event_another_worker_is_handling(
    tmp_path: Path,
) -> None:
    async with opened("postgres", tmp_path) as store:
        await joined(store, 1)
        async with held_open(store, user_id=1):
            busy = await write(store, NOW, lambda s: s.hold_user(1))
        free = await write(store, NOW, lambda s: s.hold_user(1))
    assert (busy, free) == (False, True)


async def test_the_send_budget_gives_a_seconds_worth_then_says_how_long_to_wait(
    store: ports.Store,
) -> None:
    taken = [await write(store, NOW, lambda s: s.take_send_slot(3.0, 3.0)) for _ in range(4)]
    assert taken[:3] == [0.0, 0.0, 0.0]
    assert taken[3] == pytest.approx(1 / 3)
    # A third of a second later (to the microsecond moments have) one more slot has come back.
    later = NOW + timedelta(seconds=0.34)
    again = [await write(store, later, lambda s: s.take_send_slot(3.0, 3.0)) for _ in range(2)]
    assert again[0] == 0.0
    assert again[1] > 0


@pytest.mark.skipif(POSTGRES is None, reason="BACKTRACK_TEST_POSTGRES is not set")
async def test_senders_in_parallel_share_one_budget(tmp_path: Path) -> None:
    async with opened("postgres", tmp_path) as store:
        tries = await asyncio.gather(
            *(write(store, NOW, lambda s: s.take_send_slot(10.0, 10.0)) for _ in range(25))
        )
    # However the 25 tries interleave, one instant's budget of 10 is given out once.
    assert sum(1 for wait in tries if wait == 0.0) == 10


@pytest.mark.skipif(POSTGRES is None, reason="BACKTRACK_TEST_POSTGRES is not set")
async def test_two_workers_claiming_the_outbox_at_once_take_each_advice_once(
    tmp_path: Path,
) -> None:
    async with opened("postgres", tmp_path) as store:
        await joined(store, 1)
        advice = Advice(
            kind=AdviceKind.EMERGENCY,
            tier=Tier.EMERGENCY,
            text="Call 112",
            source=AdviceSource.LOG,
        )
        await write(store, NOW, lambda s: [s.add_advice(1, advice) for _ in range(3)])
        taken: list[list[int]] = []

        def claim(s: ports.Session) -> None:
            taken.append([a.id for a in s.claim_advice()])

        async with held_open(store, claim):
            await write(store, NOW, claim)
    assert len(taken[0]) == 3
    assert taken[1] == []


async def test_a_note_with_a_nul_is_stored_without_it_on_each_backend(
    store: ports.Store, clock: FakeClock
) -> None:
    engine = Engine(store, clock)
    who = Who(user_id=BIG)
    await onboard(engine, who)
    patient = Patient(EngineLine(engine, who))
    await patient.send("/log")
    await patient.presses("4", "2", "Done: none of these", "None")
    await patient.type("sore\x00after the drive")
    await patient.press("Save")
    [stored] = await store.entries_between(BIG, date(2026, 1, 1), date(2026, 12, 31))
    assert stored.note == "soreafter the drive"


async def test_a_changed_early_entry_is_read_again_by_the_next_trend_check(
    store: ports.Store,
) -> None:
    await joined(store, 1)
    start = date(2025, 6, 1)
    ids = await write(
        store,
        NOW,
        lambda s: [s.add_entry(1, entry(start + timedelta(days=d), back=3)) for d in range(60)],
    )
    last = start + timedelta(days=59)
    earlier, _ = await write(store, NOW, lambda s: s.trend_window(1, last, 245, 14))
    assert earlier.back.values[0] == 3.0
    await write(store, NOW, lambda s: s.replace_entry(1, ids[0], entry(start, back=10)))
    # What the last check kept is gone with the change: the first day reads 10 now.
    again, _ = await write(store, NOW, lambda s: s.trend_window(1, last, 245, 14))
    assert again.back.values[0] == 10.0


def test_the_move_to_postgresql_copies_or_rebuilds_every_table(tmp_path: Path) -> None:
    assert set(_sqlite_columns(tmp_path)) == set(COPIED) | set(REBUILT)


@pytest.mark.skipif(POSTGRES is None, reason="BACKTRACK_TEST_POSTGRES is not set")
async def test_a_sender_defers_a_busy_patient_and_prompts_them_on_its_next_run(
    tmp_path: Path,
) -> None:
    sent: list[int] = []

    async def send(item: Outgoing) -> SendResult:
        sent.append(item.user_id)
        return SendResult.SENT

    async with opened("postgres", tmp_path) as store:
        profile = Profile(
            user_id=1, consented_at=NOW - timedelta(days=3), checkin_time=time(18, 0)
        )

        def due(s: ports.Session) -> None:
            s.save_profile(profile)
            s.set_next_prompt(1, NOW - timedelta(minutes=1))

        await write(store, NOW, due)
        dispatcher = Dispatcher(store, lambda: NOW, send, claim_lease=CLAIM_LEASE)
        async with held_open(store, user_id=1):
            busy = await dispatcher.run_once()
        later = await dispatcher.run_once()
    assert (busy.deferred, busy.sent) == (1, 0)
    assert (later.sent, sent) == (1, [1])


async def test_medicine_changes_and_events_are_kept_apart_per_patient_and_erased(
    store: ports.Store,
) -> None:
    await joined(store, BIG, 7)
    start = MedicineChange(
        medicine=1,
        action=MedicineAction.START,
        changed_on=date(2026, 2, 1),
        recorded_at=NOW,
        name="Tramadol",
        drug_class=DrugClass.OPIOID,
        kind=MedicineKind.AS_NEEDED,
        dose="50 mg",
    )
    change = start.model_copy(
        update={"action": MedicineAction.CHANGE, "changed_on": date(2026, 2, 20), "dose": "100 mg"}
    )
    scan = TreatmentEvent(
        event_date=date(2026, 2, 10), kind=TreatmentKind.MRI, recorded_at=NOW, detail="L4-5 disc"
    )
    dosed = entry(
        date(2026, 2, 21),
        as_needed_doses=2,
        medicine_doses=(MedicineDose(medicine=1, name="Tramadol", opioid=True, doses=2),),
    )

    def work(s: ports.Session) -> int:
        s.add_medicine_change(BIG, change)
        s.add_medicine_change(BIG, start)
        s.add_entry(BIG, dosed)
        return s.add_treatment_event(BIG, scan)

    scan_id = await write(store, NOW, work)
    read = await write(store, NOW, lambda s: (s.medicine_changes(BIG), s.treatment_events(BIG)))
    # Both changes kept, in the order of their dates: the change never overwrote the start.
    assert read == ([start, change], [StoredTreatmentEvent(id=scan_id, **scan.model_dump())])
    [stored] = await write(
        store, NOW, lambda s: s.entries_between(BIG, date(2026, 2, 21), date(2026, 2, 21))
    )
    assert stored.medicine_doses == dosed.medicine_doses
    # Another patient sees none of it, and cannot remove it.
    other = await write(
        store,
        NOW,
        lambda s: (
            s.medicine_changes(7),
            s.treatment_events(7),
            s.delete_treatment_event(7, scan_id),
        ),
    )
    assert other == ([], [], False)
    # A second import of the same changes and event adds nothing.
    again = await write(store, NOW, lambda s: s.import_treatment(BIG, [start, change], [scan]))
    assert again == (0, 3)
    assert await write(store, NOW, lambda s: s.delete_treatment_event(BIG, scan_id))
    await write(store, NOW, lambda s: s.add_treatment_event(BIG, scan))
    await write(store, NOW, lambda s: s.erase_user(BIG))
    gone = await write(store, NOW, lambda s: (s.medicine_changes(BIG), s.treatment_events(BIG)))
    assert gone == ([], [])
