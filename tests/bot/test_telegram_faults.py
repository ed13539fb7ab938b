"""Telegram failing: flood waits, server errors, timeouts, blocked users; replies and prompts."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram.error import TimedOut
from telegram.ext import Application

from bot.engine import Engine
from bot.reminders import Dispatcher, Outgoing, SendResult
from bot.reply import Who
from bot.telegram_bot import build_application, prompt_sender
from flows.clinical.schedule import next_slot
from flows.i18n import t
from flows.records.models import NewEntry, Profile
from storage.sql.session import Session
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.clock import FakeClock
from tests.fakes import TOKEN, ApiCall, OfflineBotApi
from tests.onboarding import LABELS as ONBOARDING
from tests.patient import EngineLine, Patient, TelegramLine

USER = 41
OTHER = 42
NOTE = "secret-note-words: took 2 oxycodone, numb left foot"
SECRET = TOKEN.split(":", 1)[1]
# The Bot API methods that put something in front of the user.
SHOWN = frozenset(
    {"sendMessage", "editMessageText", "sendPhoto", "sendDocument", "editMessageMedia"}
)


@dataclass
class Delivery:
    """A message that reached a chat, and when."""

    at: datetime | None
    chat: int
    method: str
    text: str


@dataclass
class FaultyBotApi(OfflineBotApi):
    """OfflineBotApi that also times out, fails in turn, fails edits, and notes deliveries."""

    # chat id -> whether Telegram had taken the message when the answer timed out; every call
    # for the chat times out until the entry is removed
    timeouts: dict[int, bool] = field(default_factory=dict)
    # chat id -> answers given in turn, one per call, before calls succeed again
    queued: dict[int, list[tuple[int, str, int | None]]] = field(default_factory=dict)
    # chat id -> (status, description) answered to every editMessageText for the chat
    edit_failures: dict[int, tuple[int, str]] = field(default_factory=dict)
    clock: Callable[[], datetime] | None = None
    received: list[Delivery] = field(default_factory=list)

    def _deliver(self, name: str, params: dict[str, Any]) -> None:
        chat = int(params["chat_id"])
        text = str(params.get("text", params.get("caption", "")))
        self.received.append(Delivery(self.clock() if self.clock else None, chat, name, text))

    async def answer(
        self, url: str, method: str, name: str, params: dict[str, Any]
    ) -> tuple[int, bytes]:
        """Answer a fault set for the chat, or as the offline API does."""
        chat = params.get("chat_id")
        if isinstance(chat, int) and name in SHOWN:
            if chat in self.timeouts:
                self.calls.append(ApiCall(name, params, reached=self.timeouts[chat]))
                if self.timeouts[chat]:
                    # Sent and taken: only the answer was lost.
                    self._deliver(name, params)
                    raise TimedOut("Timed out") from httpx.ReadTimeout("read timed out")
                raise TimedOut("Timed out") from httpx.ConnectTimeout("connect timed out")
            queue = self.queued.get(chat)
            if queue:
                self.calls.append(ApiCall(name, params, reached=False))
                status, description, retry_after = queue.pop(0)
                body: dict[str, Any] = {"ok": False, "error_code": status}
                body["description"] = description
                if retry_after is not None:
                    body["parameters"] = {"retry_after": retry_after}
                return status, _json(body)
            if name == "editMessageText" and chat in self.edit_failures:
                self.calls.append(ApiCall(name, params, reached=False))
                status, description = self.edit_failures[chat]
                return status, _json(
                    {"ok": False, "error_code": status, "description": description}
                )
        status, payload = await super().answer(url, method, name, params)
        if status == 200 and isinstance(chat, int) and name in SHOWN:
            self._deliver(name, params)
        return status, payload

    def shown_to(self, chat: int) -> list[str]:
        """Every text that reached a chat, in order."""
        # Not `Patient.seen`: the line shows every try the bot made, and a try that failed
        # never reached the patient.
        return [d.text for d in self.received if d.chat == chat]


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


def reply_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The parts of replies the shell logged as not sent (by error type only)."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.telegram_bot"
        and r.getMessage().startswith(("part of a reply not sent", "edit failed"))
    ]


def handler_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The messages the error handler logged."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.telegram_bot" and r.getMessage().startswith("error while handling")
    ]


# --- (a) replies to commands and presses ------------------------------------------------


async def onboard_and_reach_the_note(patient: Patient) -> None:
    """Onboard, then log both pains and no symptoms, up to the question for a note."""
    await patient.send("/start")
    await patient.presses(*ONBOARDING)
    await patient.send("/log")
    await patient.presses("7", "5", "Done", "None")


async def entries(engine: Engine) -> list[tuple[int | None, int | None, str | None]]:
    """USER's stored entries of 2026: back pain, leg pain, note."""
    found = await engine.store.entries_between(USER, date(2026, 1, 1), date(2026, 12, 31))
    return [(e.back_pain, e.leg_pain, e.note) for e in found]


async def blocked(db: Database, user_id: int = USER) -> bool:
    """Whether the bot has the user marked as having blocked it."""
    row = await db.run(
        lambda conn: conn.execute(
            "SELECT blocked FROM users WHERE user_id = ?", (user_id,)
        ).fetchone()
    )
    return bool(row[0])


def assert_logs_are_clean(caplog: pytest.LogCaptureFixture) -> None:
    """Neither the typed note nor the token's secret reached the logs."""
    logged = caplog.text
    assert NOTE not in logged
    assert SECRET not in logged


@pytest.fixture
def api() -> FaultyBotApi:
    return FaultyBotApi()


async def _patient(
    engine: Engine, api: FaultyBotApi, caplog: pytest.LogCaptureFixture, *, rate_limit: bool
) -> AsyncIterator[Patient]:
    caplog.set_level(logging.DEBUG)
    app = build_application(
        TOKEN, engine, request=api, updates_request=OfflineBotApi(), rate_limit=rate_limit
    )
    async with app:
        yield Patient(TelegramLine.of(app, api, USER))


@pytest.fixture
async def patient(
    engine: Engine, api: FaultyBotApi, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[Patient]:
    """USER's Telegram app, through the real Application to a faulty Telegram."""
    async for made in _patient(engine, api, caplog, rate_limit=False):
        yield made


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The flood waits the rate limiter asked for, none of them slept."""
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def no_wait(delay: float, result: object = None) -> object:
        waits.append(delay)
        return await real_sleep(0, result)

    # The limiter waits out a flood with asyncio.sleep; its pacing uses loop timers instead.
    monkeypatch.setattr(asyncio, "sleep", no_wait)
    return waits


@pytest.fixture
async def limited_patient(
    engine: Engine, api: FaultyBotApi, caplog: pytest.LogCaptureFixture, slept: list[float]
) -> AsyncIterator[Patient]:
    """USER's app on the production set-up, rate limiter included, its waits not slept."""
    async for made in _patient(engine, api, caplog, rate_limit=True):
        yield made


async def test_a_flood_wait_on_a_reply_is_waited_out_and_the_screen_arrives_once(
    limited_patient: Patient,
    api: FaultyBotApi,
    slept: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    api.failures[USER] = (429, "Too Many Requests: retry after 5", 5)

    await limited_patient.send("/start")

    welcome = [text for text in api.shown_to(USER) if "Welcome to BackTrack" in text]
    assert len(welcome) == 1
    assert 5.1 in slept
    assert handler_errors(caplog) == []
    assert_logs_are_clean(caplog)


async def test_a_flood_wait_longer_than_the_limiters_retries_is_logged_not_crashed(
    limited_patient: Patient, api: FaultyBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    await onboard_and_reach_the_note(limited_patient)
    api.queued[USER] = [(429, "Too Many Requests: retry after 3", 3)] * 4

    await limited_patient.type(NOTE)

    # Each part of the reply is tried; the one the flood held back is logged by type.
    assert handler_errors(caplog) == []
    assert "part of a reply not sent (RetryAfter)" in reply_failures(caplog)
    assert_logs_are_clean(caplog)


FAULTS: dict[str, tuple[int, str] | None] = {
    "500": (500, "Internal Server Error"),
    "502": (502, "Bad Gateway"),
    "503": (503, "Service Unavailable"),
    "504": (504, "Gateway Timeout"),
    "timeout": None,
}
ERROR_TYPES = {"timeout": "TimedOut"}


def break_replies(api: FaultyBotApi, fault: tuple[int, str] | None) -> None:
    if fault is None:
        api.timeouts[USER] = False
    else:
        api.failures[USER] = (*fault, None)


def mend_replies(api: FaultyBotApi) -> None:
    api.timeouts.pop(USER, None)
    api.failures.pop(USER, None)
    api.edit_failures.pop(USER, None)


@pytest.mark.parametrize("kind", FAULTS)
async def test_a_failed_reply_is_logged_by_type_and_the_typed_note_is_not_lost(
    patient: Patient,
    api: FaultyBotApi,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
    kind: str,
) -> None:
    await onboard_and_reach_the_note(patient)
    break_replies(api, FAULTS[kind])

    await patient.type(NOTE)

    error = ERROR_TYPES.get(kind, "NetworkError")
    assert handler_errors(caplog) == []
    assert reply_failures(caplog) == [f"part of a reply not sent ({error})"]
    assert not any(NOTE in text for text in api.shown_to(USER))
    assert_logs_are_clean(caplog)

    # What the code does: the note was taken before the reply failed, so once Telegram is
    # back any text brings the entry card (with the note) back, and Save keeps it once.
    mend_replies(api)
    await patient.type("hello?")
    assert any(NOTE in text for text in api.shown_to(USER))
    await patient.press("Save")
    assert await entries(engine) == [(7, 5, NOTE)]
    assert_logs_are_clean(caplog)


@pytest.mark.parametrize("kind", FAULTS)
async def test_a_failed_edit_after_save_keeps_the_entry_once(
    patient: Patient,
    api: FaultyBotApi,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
    kind: str,
) -> None:
    await onboard_and_reach_the_note(patient)
    await patient.type(NOTE)
    fault = FAULTS[kind]
    if fault is None:
        api.timeouts[USER] = False
    else:
        api.edit_failures[USER] = fault

    save = await patient.press("Save")
    mend_replies(api)
    # The user sees no change and presses Save again on the same card.
    await patient.press_data(save)

    assert await entries(engine) == [(7, 5, NOTE)]
    assert handler_errors(caplog) == []
    error = ERROR_TYPES.get(kind, "NetworkError")
    assert f"edit failed ({error}); sending a new message" in reply_failures(caplog)
    assert patient.toast == t("en", "button.stale")
    assert_logs_are_clean(caplog)


async def test_a_failed_edit_after_save_does_not_say_nothing_was_saved(
    patient: Patient, api: FaultyBotApi, engine: Engine
) -> None:
    await onboard_and_reach_the_note(patient)
    await patient.type(NOTE)
    # One transient gateway error on the edit; the error handler's own message gets through.
    api.queued[USER] = [(502, "Bad Gateway", None)]

    await patient.press("Save")

    assert await entries(engine) == [(7, 5, NOTE)]
    told = api.shown_to(USER)[-1]
    assert "nothing was changed" not in told


@pytest.mark.parametrize("kind", FAULTS)
async def test_a_failed_reply_to_a_command_is_logged_and_the_command_works_after(
    patient: Patient,
    api: FaultyBotApi,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
    kind: str,
) -> None:
    await onboard_and_reach_the_note(patient)
    break_replies(api, FAULTS[kind])

    await patient.send("/log")

    error = ERROR_TYPES.get(kind, "NetworkError")
    assert handler_errors(caplog) == []
    assert reply_failures(caplog) == [f"part of a reply not sent ({error})"]
    mend_replies(api)
    await patient.send("/log")
    # /log carries on with the entry under way, at the step the lost reply would have shown.
    shown = patient.last
    assert "You are in the middle of an entry" in shown
    assert "Anything else to note" in shown
    assert await entries(engine) == []
    assert_logs_are_clean(caplog)


async def test_a_flood_wait_on_a_press_is_waited_out_and_the_screen_edited_once(
    limited_patient: Patient,
    api: FaultyBotApi,
    engine: Engine,
    slept: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await onboard_and_reach_the_note(limited_patient)
    await limited_patient.type(NOTE)
    api.queued[USER] = [(429, "Too Many Requests: retry after 4", 4)]

    await limited_patient.press("Save")

    assert 4.1 in slept
    edits = [d for d in api.received if d.method == "editMessageText"]
    assert edits[-1].text.startswith("Saved ✅")
    assert sum(1 for d in edits if d.text.startswith("Saved ✅")) == 1
    assert await entries(engine) == [(7, 5, NOTE)]
    assert handler_errors(caplog) == []
    assert_logs_are_clean(caplog)


@pytest.mark.parametrize("event", ["text", "press"])
async def test_forbidden_on_a_reply_does_not_crash_or_leak(
    patient: Patient,
    api: FaultyBotApi,
    db: Database,
    caplog: pytest.LogCaptureFixture,
    event: str,
) -> None:
    await onboard_and_reach_the_note(patient)
    if event == "press":
        await patient.type(NOTE)
    # One refusal: the bot does not try a second, doomed reply.
    api.queued[USER] = [(403, "Forbidden: bot was blocked by the user", None)]

    if event == "press":
        await patient.press("Save")
    else:
        await patient.type(NOTE)

    assert handler_errors(caplog) == []
    assert await blocked(db)
    assert_logs_are_clean(caplog)
    # The user is still served when they write again.
    assert api.queued[USER] == []
    await patient.send("/help")
    assert patient.last == t("en", "help.text")


async def test_forbidden_on_a_reply_marks_the_user_blocked(
    patient: Patient, api: FaultyBotApi, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await onboard_and_reach_the_note(patient)
    api.failures[USER] = (403, "Forbidden: bot was blocked by the user", None)

    await patient.type(NOTE)

    assert await blocked(db)
    assert handler_errors(caplog) == []


# --- (b) check-in prompts through the Dispatcher ----------------------------------------

START = datetime(2026, 3, 28, 0, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


class PromptBench:
    """The prompt dispatcher on a database file, with a fake clock and a faulty Telegram."""

    def __init__(self, db: Database, clock: FakeClock, api: FaultyBotApi) -> None:
        self.db = db
        self.clock = clock
        self.api = api
        self.waited: list[float] = []
        self.results: list[tuple[datetime, int, SendResult]] = []
        self.app: Application | None = None  # type: ignore[type-arg]
        self.dispatcher: Dispatcher | None = None

    @property
    def store(self) -> Store:
        return Store(self.db)

    async def start(self) -> None:
        self.app = build_application(
            TOKEN, Engine(self.store, self.clock), request=self.api, rate_limit=False
        )
        await self.app.initialize()
        telegram_send = prompt_sender(self.app.bot, sleep=self.wait)

        async def send(item: Outgoing) -> SendResult:
            result = await telegram_send(item)
            self.results.append((self.clock(), item.user_id, result))
            return result

        self.dispatcher = Dispatcher(self.store, self.clock, send)

    async def wait(self, seconds: float) -> None:
        """Flood waits pass on the fake clock."""
        self.waited.append(seconds)
        self.clock.advance(timedelta(seconds=seconds))

    async def run(self, until: datetime) -> None:
        """Run the dispatcher every five minutes up to `until`."""
        assert self.dispatcher is not None
        while self.clock.now < until:
            await self.dispatcher.run_once()
            # On to the next five-minute tick; a flood wait may have moved the clock off it.
            self.clock.now = START + ((self.clock.now - START) // STEP + 1) * STEP

    def prompts_to(self, chat: int) -> list[datetime]:
        """When prompts reached a chat."""
        return [d.at for d in self.api.received if d.chat == chat and d.at is not None]

    def attempts_to(self, chat: int) -> int:
        return sum(
            1
            for c in self.api.calls
            if c.method == "sendMessage" and c.params.get("chat_id") == chat
        )

    async def statuses(self, user_id: int) -> list[tuple[str, str, str]]:
        return await self.store.read(lambda s: s.prompt_statuses(user_id))

    async def blocked(self, user_id: int) -> bool:
        return await blocked(self.db, user_id)


def register(session: Session, users: dict[int, time], now: datetime) -> None:
    for user_id, at in users.items():
        profile = Profile(
            user_id=user_id,
            consented_at=datetime(2026, 3, 25, tzinfo=UTC),
            timezone="UTC",
            checkin_time=at,
        )
        session.save_profile(profile)
        entry = NewEntry(
            entry_date=date(2026, 3, 27), recorded_at=now, timezone="UTC", back_pain=3
        )
        session.add_entry(user_id, entry)
        session.set_next_prompt(user_id, next_slot(now, at, "UTC"))


async def _bench(tmp_path: Path, users: dict[int, time]) -> AsyncIterator[PromptBench]:
    clock = FakeClock(START)
    db = await Database.open(tmp_path / "prompts.db")
    bench = PromptBench(db, clock, FaultyBotApi(clock=clock))
    await bench.store.unit(START, lambda s: register(s, users, START))
    await bench.start()
    yield bench
    assert bench.app is not None
    await bench.app.shutdown()
    await db.close()


@pytest.fixture
async def bench(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[PromptBench]:
    caplog.set_level(logging.DEBUG)
    async for made in _bench(tmp_path, {USER: time(12, 0), OTHER: time(12, 0)}):
        yield made


async def test_a_flood_wait_beyond_the_senders_retries_is_retried_later_and_sent_once(
    bench: PromptBench,
) -> None:
    bench.api.queued[USER] = [(429, "Too Many Requests: retry after 7", 7)] * 3
    bench.clock.now = utc(28, 11, 55)

    await bench.run(utc(28, 13, 0))

    assert bench.waited == [7.0, 7.0, 7.0]
    # Failed at 12:00:21 after three waits; retried at the first tick five minutes on.
    assert bench.prompts_to(USER) == [utc(28, 12, 10)]
    [other] = bench.prompts_to(OTHER)
    assert utc(28, 12, 0) <= other < utc(28, 12, 1)
    assert await bench.statuses(USER) == [("daily", "2026-03-28", "sent")]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_server_error_is_retried_within_the_grace_window_and_sent_once(
    bench: PromptBench, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    bench.api.failures[USER] = (status, "Server Error", None)
    bench.clock.now = utc(28, 11, 55)
    await bench.run(utc(28, 12, 15))
    assert bench.prompts_to(USER) == []
    assert await bench.statuses(USER) == [("daily", "2026-03-28", "failed")]

    del bench.api.failures[USER]
    await bench.run(utc(29, 11, 0))

    assert bench.prompts_to(USER) == [utc(28, 12, 15)]
    assert bench.attempts_to(USER) == 4
    assert bench.prompts_to(OTHER) == [utc(28, 12, 0)]
    assert await bench.statuses(USER) == [("daily", "2026-03-28", "sent")]
    assert "prompt not sent: NetworkError" in caplog.text
    assert SECRET not in caplog.text


async def test_a_timeout_before_delivery_is_retried_and_sent_once(bench: PromptBench) -> None:
    bench.api.timeouts[USER] = False
    bench.clock.now = utc(28, 11, 55)
    await bench.run(utc(28, 12, 10))
    del bench.api.timeouts[USER]

    await bench.run(utc(29, 11, 0))

    assert bench.prompts_to(USER) == [utc(28, 12, 10)]
    assert [r for _, u, r in bench.results if u == USER] == [
        SendResult.FAILED,
        SendResult.FAILED,
        SendResult.SENT,
    ]


async def test_a_timeout_after_delivery_is_not_sent_again(bench: PromptBench) -> None:
    bench.api.timeouts[USER] = True
    bench.clock.now = utc(28, 11, 55)
    await bench.run(utc(28, 12, 5))
    del bench.api.timeouts[USER]

    await bench.run(utc(29, 11, 0))

    assert bench.prompts_to(USER) == [utc(28, 12, 0)]


@pytest.mark.parametrize(
    "description", ["Forbidden: bot was blocked by the user", "Forbidden: user is deactivated"]
)
async def test_forbidden_marks_the_user_blocked_and_stops_their_prompts(
    bench: PromptBench, caplog: pytest.LogCaptureFixture, description: str
) -> None:
    bench.api.failures[USER] = (403, description, None)
    bench.clock.now = utc(28, 11, 55)

    await bench.run(utc(29, 13, 0))

    assert await bench.blocked(USER)
    assert not await bench.blocked(OTHER)
    assert await bench.statuses(USER) == [("daily", "2026-03-28", "blocked")]
    assert bench.attempts_to(USER) == 1
    assert bench.prompts_to(OTHER) == [utc(28, 12, 0), utc(29, 12, 0)]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    # Coming back with /start is how prompts resume.
    del bench.api.failures[USER]
    await Patient(EngineLine(Engine(bench.store, bench.clock), Who(USER))).send("/start")
    await bench.run(utc(30, 13, 0))
    assert not await bench.blocked(USER)
    assert bench.prompts_to(USER) == [utc(30, 12, 0)]


@pytest.fixture
async def evening(tmp_path: Path) -> AsyncIterator[PromptBench]:
    """One user whose check-in is at 21:00 UTC."""
    async for made in _bench(tmp_path, {USER: time(21, 0)}):
        yield made


async def test_a_prompt_failing_past_the_grace_window_is_given_up(evening: PromptBench) -> None:
    evening.api.failures[USER] = (500, "Internal Server Error", None)
    evening.clock.now = utc(28, 20, 55)
    await evening.run(utc(29, 2, 0))
    del evening.api.failures[USER]

    await evening.run(utc(29, 21, 30))

    # The 28 March prompt is missed; 29 March's comes at 21:00, not at 02:00.
    assert evening.prompts_to(USER) == [utc(29, 21, 0)]
    # Retries every 5 minutes within the 3 hours after 21:00, then no more.
    assert evening.attempts_to(USER) <= 37
