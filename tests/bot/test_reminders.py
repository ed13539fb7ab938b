"""Check-in prompts: 48 simulated hours in several time zones, a restart, faults."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.engine import Engine
from bot.reminders import Dispatcher, Outgoing, SendResult, shared_budget
from bot.reply import Reply, Who
from bot.telegram_bot import build_application, prompt_sender
from flows.clinical.schedule import next_slot
from flows.dialogs.router import Command, Verdict
from flows.kit.core import Screen
from flows.records.models import NewEntry, Profile
from storage.ports import Session
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.clock import FakeClock
from tests.fakes import TOKEN, OfflineBotApi

START = datetime(2026, 3, 28, 0, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)


@dataclass(frozen=True)
class Reminded:
    """A patient's reminder settings: their zone, the local time and whether they paused."""

    user_id: int
    zone: str
    at: time
    paused: bool = False


PATIENTS = (
    # 02:30 does not exist in Berlin on 29 March: that prompt comes at 03:30 local time.
    Reminded(1, "Europe/Berlin", time(2, 30)),
    Reminded(2, "America/New_York", time(8, 0)),
    Reminded(3, "Asia/Kolkata", time(21, 0)),
    Reminded(4, "Pacific/Auckland", time(19, 0)),
    Reminded(5, "UTC", time(12, 0), paused=True),
    Reminded(6, "UTC", time(12, 0)),
)


def register(session: Session, now: datetime) -> None:
    for p in PATIENTS:
        profile = Profile(
            user_id=p.user_id,
            consented_at=datetime(2026, 3, 25, tzinfo=UTC),
            timezone=p.zone,
            checkin_time=p.at,
            paused=p.paused,
            country="US",
        )
        session.save_profile(profile)
        session.add_entry(
            p.user_id,
            NewEntry(entry_date=date(2026, 3, 27), recorded_at=now, timezone=p.zone, back_pain=3),
        )
        if not p.paused:
            session.set_next_prompt(p.user_id, next_slot(now, p.at, p.zone))


@dataclass
class Sent:
    at: datetime
    user_id: int
    kind: str


class Harness:
    """The bot's prompt machinery on a file, restartable, with a recording Telegram edge."""

    def __init__(self, path: Path, clock: FakeClock, api: OfflineBotApi) -> None:
        self.path = path
        self.clock = clock
        self.api = api
        self.sent: list[Sent] = []
        self.waited: list[float] = []
        self.db: Database | None = None
        self.app: Application | None = None  # type: ignore[type-arg]
        self.dispatcher: Dispatcher | None = None

    async def start(self) -> None:
        self.db = await Database.open(self.path)
        self.app = build_application(
            TOKEN, Engine(Store(self.db), self.clock), request=self.api, rate_limit=False
        )
        await self.app.initialize()
        telegram_send = prompt_sender(self.app.bot, sleep=self.wait)

        async def send(item: Outgoing) -> SendResult:
            result = await telegram_send(item)
            if result is SendResult.SENT:
                self.sent.append(Sent(self.clock(), item.user_id, item.kind))
            return result

        self.dispatcher = Dispatcher(Store(self.db), self.clock, send)
        await self.dispatcher.recover()

    async def wait(self, seconds: float) -> None:
        """Flood waits pass on the fake clock, not in real time."""
        self.waited.append(seconds)
        self.clock.advance(timedelta(seconds=seconds))

    async def stop(self) -> None:
        assert self.app is not None
        assert self.db is not None
        await self.app.shutdown()
        await self.db.close()

    async def tick(self) -> None:
        assert self.dispatcher is not None
        await self.dispatcher.run_once()

    @property
    def store(self) -> Store:
        assert self.db is not None
        return Store(self.db)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    clock = FakeClock(START)
    h = Harness(tmp_path / "prompts.db", clock, OfflineBotApi())
    await h.start()
    await h.store.unit(START, lambda s: register(s, START))
    yield h
    await h.stop()


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def add_entry(session: Session, entry: NewEntry) -> int:
    return session.add_entry(3, entry)


async def test_48_hours_each_user_gets_exactly_their_prompts(harness: Harness) -> None:
    end = START + timedelta(hours=48)
    down = (utc(29, 5, 30), utc(29, 7, 0))  # 1.5 h outage: Auckland's 06:00 prompt is late
    long_down = (utc(28, 11, 0), utc(28, 15, 10))  # over 3 h: New York's 12:00 is missed
    while harness.clock.now < end:
        now = harness.clock.now
        if now in (down[0], long_down[0]):
            await harness.stop()
        if now in (down[1], long_down[1]):
            await harness.start()
        offline = down[0] <= now < down[1] or long_down[0] <= now < long_down[1]
        if now == utc(29, 10, 0):
            # India logs before its evening check-in on 29 March: no prompt that day.
            entry = NewEntry(
                entry_date=date(2026, 3, 29), recorded_at=now, timezone="Asia/Kolkata", back_pain=4
            )
            await harness.store.unit(now, partial(add_entry, entry=entry))
        if not offline:
            await harness.tick()
        harness.clock.advance(STEP)

    got = [(s.user_id, s.at) for s in harness.sent]
    assert sorted(got) == sorted(
        [
            (1, utc(28, 1, 30)),  # Berlin 02:30 CET
            (1, utc(29, 1, 30)),  # Berlin 03:30 CEST: 02:30 did not exist
            (2, utc(29, 12, 0)),  # New York 08:00 EDT; 28 March was lost in the long outage
            (3, utc(28, 15, 30)),  # Kolkata 21:00; on 29 March the user had logged
            (4, utc(28, 6, 0)),  # Auckland 19:00 NZDT
            (4, utc(29, 7, 0)),  # sent when the bot came back, 1 h late, once
            (6, utc(29, 12, 0)),  # UTC noon; 28 March was lost in the long outage
        ]
    )
    assert {s.kind for s in harness.sent} == {"daily"}
    statuses = await harness.store.read(lambda s: s.prompt_statuses(4))
    assert statuses == [("daily", "2026-03-28", "sent"), ("daily", "2026-03-29", "sent")]


async def test_a_second_run_at_the_same_moment_sends_nothing(harness: Harness) -> None:
    harness.clock.now = utc(28, 12, 0)
    await harness.tick()
    await harness.tick()
    # Berlin's and Auckland's slots passed more than 3 hours ago: missed, not sent late.
    assert [(s.user_id, s.kind) for s in harness.sent] == [(2, "daily"), (6, "daily")]


async def test_a_claim_left_by_a_crash_is_never_sent_after_restart(harness: Harness) -> None:
    # Claimed and its next prompt moved on, as run_once does, then the process died: whether
    # Telegram took the prompt cannot be known, so it is not sent again.
    harness.clock.now = utc(28, 12, 0)
    await harness.store.unit(
        harness.clock.now,
        lambda s: s.claim_prompt(6, "daily", "2026-03-28", date(2026, 3, 28), utc(28, 12)),
    )
    await harness.store.unit(harness.clock.now, lambda s: s.set_next_prompt(6, utc(29, 12)))
    await harness.stop()
    harness.clock.advance(timedelta(minutes=10))
    await harness.start()
    for minutes in (10, 15, 60, 120):
        harness.clock.now = utc(28, 12) + timedelta(minutes=minutes)
        await harness.tick()
    assert 6 not in [s.user_id for s in harness.sent]
    harness.clock.now = utc(29, 12, 0)
    await harness.tick()
    assert [s.at for s in harness.sent if s.user_id == 6] == [utc(29, 12)]
    assert await harness.store.read(lambda s: s.prompt_statuses(6)) == [
        ("daily", "2026-03-28", "uncertain"),
        ("daily", "2026-03-29", "sent"),
    ]


async def test_a_user_who_blocked_the_bot_is_not_prompted_until_start(harness: Harness) -> None:
    harness.api.failures[6] = (403, "Forbidden: bot was blocked by the user", None)
    harness.clock.now = utc(28, 12, 0)
    await harness.tick()
    assert 6 not in [s.user_id for s in harness.sent]
    del harness.api.failures[6]
    harness.clock.now = utc(29, 12, 0)
    await harness.tick()
    assert 6 not in [s.user_id for s in harness.sent]
    assert harness.db is not None
    await Engine(Store(harness.db), harness.clock).on_command(Who(6), Command.START)
    harness.clock.now = utc(30, 12, 0)
    await harness.tick()
    assert [s.user_id for s in harness.sent].count(6) == 1


async def test_a_flood_wait_is_waited_out_and_the_prompt_sent_once(harness: Harness) -> None:
    harness.api.failures[6] = (429, "Too Many Requests: retry after 7", 7)
    harness.clock.now = utc(28, 12, 0)
    await harness.tick()
    assert [s.user_id for s in harness.sent].count(6) == 1
    assert harness.waited == [7.0]


async def test_a_server_error_is_retried_within_the_grace_window(harness: Harness) -> None:
    harness.api.failures[6] = (500, "Internal Server Error", None)
    harness.clock.now = utc(28, 12, 0)
    await harness.tick()
    assert 6 not in [s.user_id for s in harness.sent]
    del harness.api.failures[6]
    harness.clock.now = utc(28, 12, 5)
    await harness.tick()
    assert [s.user_id for s in harness.sent].count(6) == 1


async def test_quick_entry_from_the_prompt_then_completed_with_log(harness: Harness) -> None:
    harness.clock.now = utc(28, 12, 0)
    await harness.tick()
    [prompt] = [c for c in harness.api.calls if c.params.get("chat_id") == 6]
    markup = prompt.params["reply_markup"]
    buttons = {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}
    assert {"6", "📝 Full diary entry", "⏰ In 1 hour", "Skip today"} <= buttons.keys()
    assert harness.db is not None
    engine = Engine(Store(harness.db), harness.clock)
    reply = await engine.on_press(Who(6), buttons["6"])
    assert reply.screen is not None
    assert "back pain 6/10" in reply.screen.text
    reply = await engine.on_command(Who(6), Command.LOG)
    assert reply.screen is not None
    [complete] = [b for row in reply.screen.buttons for b in row if "quick entry" in b.label]
    reply = await engine.on_press(Who(6), reply.button_data(complete.value))
    assert reply.screen is not None
    assert "LEG pain" in reply.screen.text
    for label in ("2", "Done: none of these", "None", "Skip", "✅ Save"):
        assert reply.screen is not None
        [b] = [b for row in reply.screen.buttons for b in row if b.label == label]
        reply = await engine.on_press(Who(6), reply.button_data(b.value))
    entries = await harness.store.entries_between(6, date(2026, 3, 28), date(2026, 3, 28))
    assert [(e.back_pain, e.leg_pain) for e in entries] == [(6, 2)]


async def test_snooze_sends_the_prompt_again_an_hour_later_once(harness: Harness) -> None:
    harness.clock.now = utc(28, 12, 0)
    await harness.tick()
    [prompt] = [c for c in harness.api.calls if c.params.get("chat_id") == 6]
    markup = prompt.params["reply_markup"]
    buttons = {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}
    assert harness.db is not None
    await Engine(Store(harness.db), harness.clock).on_press(Who(6), buttons["⏰ In 1 hour"])
    for minutes in (30, 60, 65, 90):
        harness.clock.now = utc(28, 12) + timedelta(minutes=minutes)
        await harness.tick()
    assert [s.at for s in harness.sent if s.user_id == 6] == [utc(28, 12), utc(28, 13)]


async def test_an_entry_left_open_is_put_aside_by_a_prompt_not_overwritten(
    harness: Harness,
) -> None:
    assert harness.db is not None
    engine = Engine(Store(harness.db), harness.clock)
    harness.clock.now = utc(28, 11, 30)
    reply = await engine.on_command(Who(6), Command.LOG)
    assert reply.screen is not None
    [six] = [b for row in reply.screen.buttons for b in row if b.label == "6"]
    await engine.on_press(Who(6), reply.button_data(six.value))
    # Half an hour later the patient is no longer busy, and the day's prompt is due.
    harness.clock.now = utc(28, 12, 0)
    await harness.tick()

    [prompt] = [c for c in harness.api.calls if c.params.get("chat_id") == 6]
    assert "Your unsaved entry for today" in prompt.params["text"]
    again = await engine.on_command(Who(6), Command.LOG)
    assert again.screen is not None
    assert "Carrying on with your unsaved entry" in again.screen.text
    assert "LEG pain" in again.screen.text


async def test_a_shared_budget_holds_prompts_until_the_database_has_a_slot(
    harness: Harness,
) -> None:
    sent: list[int] = []
    slept: list[float] = []

    async def send(item: Outgoing) -> SendResult:
        sent.append(item.user_id)
        return SendResult.SENT

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        harness.clock.advance(timedelta(seconds=seconds))

    budgeted = shared_budget(send, harness.store, harness.clock, rate=2.0, sleep=sleep)
    screen = Screen(text="How is your back today?")
    item = Outgoing(1, "daily", "2026-03-10", screen, Reply(Verdict.ACCEPTED, screen), START)
    for _ in range(3):
        await budgeted(item)
    # Two go at once (a second's worth at 2 a second); the third waits half a second.
    assert sent == [1, 1, 1]
    assert slept == [pytest.approx(0.5)]
