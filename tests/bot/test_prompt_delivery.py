"""Check-in prompts at most once: retried only when Telegram never got them, never after a kill."""

# The prompts go through python-telegram-bot's own HTTPXRequest and BackTrack's send limiter,
# as in service, so PTB's own mapping of httpx's errors is what is tested; only the socket
# under the HTTP client is faked (`Wire`). The kill test runs a real bot process, lets its
# Telegram take a prompt, SIGKILLs it before the outcome is recorded, and starts again.

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.engine import Engine
from bot.reminders import Dispatcher
from bot.reply import Who
from bot.telegram_bot import build_application, prompt_sender
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.bot.test_telegram_faults import register
from tests.clock import FakeClock
from tests.fakes import TOKEN, OfflineBotApi
from tests.faults import ScriptedBotApi

ROOT = Path(__file__).resolve().parents[2]
USER = 41
OTHER = 42
START = datetime(2026, 3, 28, 0, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)
CHILD_TIMEOUT_S = 60.0
# Parameters python-telegram-bot sends JSON-encoded; the others (the text) go as they are.
JSON_FIELDS = frozenset({"chat_id", "message_id", "reply_markup"})

# Lost on the way: no connection was had, so Telegram never saw the request.
LOST_BEFORE_TELEGRAM: dict[str, httpx.TransportError] = {
    "connect timeout": httpx.ConnectTimeout("connect timed out"),
    "pool timeout": httpx.PoolTimeout("no free connection in the pool"),
    "connection refused": httpx.ConnectError("[Errno 111] Connection refused"),
}
# Lost after the request left: here Telegram had taken the message, as it may have.
LOST_AFTER_TELEGRAM: dict[str, httpx.TransportError] = {
    "read timeout": httpx.ReadTimeout("read timed out"),
    # The last bytes may go out as the connection closes, so a write timeout proves nothing.
    "write timeout": httpx.WriteTimeout("write timed out"),
    "server disconnected": httpx.RemoteProtocolError("Server disconnected without a response"),
    "connection reset while reading": httpx.ReadError("[Errno 104] Connection reset by peer"),
}
BAD_GATEWAY_PAGE = httpx.Response(
    502, content=b"<html><body><h1>502 Bad Gateway</h1></body></html>"
)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


class Wire(httpx.AsyncBaseTransport):
    """The socket under HTTPXRequest: carries each call to the fake Bot API, or fails it."""

    def __init__(self, api: ScriptedBotApi) -> None:
        self.api = api
        # chat id -> the faults for its next messages, in turn: an error raised before or
        # after Telegram took the message, or an answer given instead of Telegram's
        self.faults: dict[int, list[tuple[httpx.TransportError | httpx.Response, bool]]] = {}

    def fail_next(
        self,
        chat: int,
        fault: httpx.TransportError | httpx.Response,
        *,
        taken: bool = False,
        times: int = 1,
    ) -> None:
        """Fail the next messages to a chat; `taken` when Telegram gets each one first."""
        self.faults.setdefault(chat, []).extend([(fault, taken)] * times)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Hand the call to Telegram, unless the network loses it before or after."""
        params: dict[str, Any] = {
            key: json.loads(value) if key in JSON_FIELDS else value
            for key, value in parse_qsl((await request.aread()).decode())
        }
        name = request.url.path.rsplit("/", 1)[-1]
        queue = self.faults.get(int(params.get("chat_id", 0)))
        fault, taken = queue.pop(0) if queue and name == "sendMessage" else (None, False)
        if isinstance(fault, httpx.Response):
            return fault
        if fault is not None and not taken:
            raise fault
        status, payload = await self.api.answer(str(request.url), request.method, name, params)
        if fault is not None:
            raise fault
        return httpx.Response(status, content=payload)


class Bot:
    """The prompt dispatcher on a database file, as service runs it, with a fake clock."""

    def __init__(self, path: Path, clock: FakeClock, wire: Wire) -> None:
        self.path = path
        self.clock = clock
        self.wire = wire
        self.db: Database | None = None
        self.app: Application | None = None  # type: ignore[type-arg]
        self.dispatcher: Dispatcher | None = None

    @property
    def store(self) -> Store:
        assert self.db is not None
        return Store(self.db)

    async def start(self) -> None:
        self.db = await Database.open(self.path)
        request = HTTPXRequest(httpx_kwargs={"transport": self.wire})
        # The send limiter is on, as in service: it must pass the client's error on unchanged.
        self.app = build_application(TOKEN, Engine(self.store, self.clock), request=request)
        await self.app.initialize()
        self.dispatcher = Dispatcher(self.store, self.clock, prompt_sender(self.app.bot))
        await self.dispatcher.recover()

    async def stop(self) -> None:
        assert self.app is not None
        assert self.db is not None
        await self.app.shutdown()
        await self.db.close()

    async def run(self, until: datetime) -> None:
        """Run the dispatcher every five minutes up to `until`."""
        assert self.dispatcher is not None
        while self.clock.now < until:
            await self.dispatcher.run_once()
            self.clock.advance(STEP)

    async def statuses(self, user_id: int) -> list[tuple[str, str, str]]:
        return await self.store.read(lambda s: s.prompt_statuses(user_id))

    def attempts_to(self, chat: int) -> int:
        """How many of the messages to a chat reached Telegram."""
        return sum(
            1
            for c in self.wire.api.calls
            if c.method == "sendMessage" and c.params.get("chat_id") == chat
        )


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    made = Bot(tmp_path / "prompts.db", FakeClock(START), Wire(ScriptedBotApi()))
    await made.start()
    await made.store.unit(START, lambda s: register(s, {USER: time(12), OTHER: time(12)}, START))
    yield made
    await made.stop()


@pytest.mark.parametrize("fault", sorted(LOST_BEFORE_TELEGRAM))
async def test_a_prompt_the_network_lost_before_telegram_is_sent_later_that_day(
    bot: Bot, fault: str
) -> None:
    bot.wire.fail_next(USER, LOST_BEFORE_TELEGRAM[fault])
    bot.clock.now = utc(28, 11, 55)

    await bot.run(utc(28, 13, 0))

    [prompt] = bot.wire.api.shown_to(USER)
    assert "BACK pain" in prompt
    assert bot.attempts_to(USER) == 1
    assert await bot.statuses(USER) == [("daily", "2026-03-28", "sent")]
    assert len(bot.wire.api.shown_to(OTHER)) == 1


async def test_a_prompt_telegram_answered_with_a_bad_gateway_page_is_sent_later_that_day(
    bot: Bot,
) -> None:
    bot.wire.fail_next(USER, BAD_GATEWAY_PAGE)
    bot.clock.now = utc(28, 11, 55)

    await bot.run(utc(28, 13, 0))

    assert len(bot.wire.api.shown_to(USER)) == 1
    assert await bot.statuses(USER) == [("daily", "2026-03-28", "sent")]


@pytest.mark.parametrize("fault", sorted(LOST_AFTER_TELEGRAM))
async def test_a_prompt_telegram_may_have_got_is_never_sent_again(bot: Bot, fault: str) -> None:
    bot.wire.fail_next(USER, LOST_AFTER_TELEGRAM[fault], taken=True)
    bot.clock.now = utc(28, 11, 55)

    await bot.run(utc(28, 16, 0))

    assert len(bot.wire.api.shown_to(USER)) == 1
    assert bot.attempts_to(USER) == 1
    assert await bot.statuses(USER) == [("daily", "2026-03-28", "uncertain")]


async def test_a_prompt_the_network_loses_all_afternoon_is_given_up_after_the_grace_window(
    bot: Bot,
) -> None:
    bot.wire.fail_next(USER, LOST_BEFORE_TELEGRAM["connection refused"], times=1000)
    bot.clock.now = utc(28, 11, 55)
    await bot.run(utc(28, 18, 0))
    assert bot.wire.api.shown_to(USER) == []
    assert await bot.statuses(USER) == [("daily", "2026-03-28", "missed")]

    bot.wire.faults.clear()
    await bot.run(utc(29, 13, 0))

    # Not sent late the evening after; the next day's comes at its time.
    assert len(bot.wire.api.shown_to(USER)) == 1
    assert await bot.statuses(USER) == [
        ("daily", "2026-03-28", "missed"),
        ("daily", "2026-03-29", "sent"),
    ]


# --- a bot process killed after Telegram took its prompt ----------------------------------


class TakingBotApi(OfflineBotApi):
    """The killed process's Telegram: takes each message, says so on stdout, never answers."""

    async def answer(
        self, url: str, method: str, name: str, params: dict[str, Any]
    ) -> tuple[int, bytes]:
        """Answer at once, except a message: that one is taken and its answer never comes."""
        if name != "sendMessage":
            return await super().answer(url, method, name, params)
        print(json.dumps(params, default=str), flush=True)
        await asyncio.Event().wait()
        raise AssertionError("the process is killed while Telegram's answer is on its way")


async def _doomed(path: Path, now: datetime) -> None:
    """Run the bot's dispatcher once, as service does, until the parent kills the process."""
    db = await Database.open(path)
    clock = FakeClock(now)
    app = build_application(TOKEN, Engine(Store(db), clock), request=TakingBotApi())
    await app.initialize()
    dispatcher = Dispatcher(Store(db), clock, prompt_sender(app.bot))
    await dispatcher.recover()
    await dispatcher.run_once()


async def test_a_prompt_telegram_took_before_a_sigkill_is_not_sent_again(tmp_path: Path) -> None:
    path = tmp_path / "prompts.db"
    db = await Database.open(path)
    await Store(db).unit(START, lambda s: register(s, {USER: time(12), OTHER: time(13)}, START))
    await db.close()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.bot.test_prompt_delivery",
        str(path),
        utc(28, 12).isoformat(),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), CHILD_TIMEOUT_S)
    finally:
        # Already gone if it failed to start: its exit status below says why.
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGKILL)
        _, stderr = await proc.communicate()
    assert proc.returncode == -signal.SIGKILL, stderr.decode(errors="replace")[-2000:]
    taken = json.loads(line)
    assert taken["chat_id"] == USER

    bot = Bot(path, FakeClock(utc(28, 12, 1)), Wire(ScriptedBotApi()))
    await bot.start()
    try:
        await bot.run(utc(28, 16, 0))
        # The 28 March prompt reached the patient once, before the kill; OTHER's came at 13:00.
        assert bot.wire.api.shown_to(USER) == []
        assert len(bot.wire.api.shown_to(OTHER)) == 1
        assert await bot.statuses(USER) == [("daily", "2026-03-28", "uncertain")]
        # The prompt that got through still works: its button saves the day's pain.
        buttons = {
            b["text"]: b["callback_data"]
            for row in taken["reply_markup"]["inline_keyboard"]
            for b in row
        }
        reply = await Engine(bot.store, bot.clock).on_press(Who(USER), buttons["6"])
        assert reply.screen is not None
        assert "back pain 6/10" in reply.screen.text

        await bot.run(utc(29, 13, 0))
        [next_day] = bot.wire.api.shown_to(USER)
        assert next_day == taken["text"]
        assert await bot.statuses(USER) == [
            ("daily", "2026-03-28", "uncertain"),
            ("daily", "2026-03-29", "sent"),
        ]
    finally:
        await bot.stop()


if __name__ == "__main__":
    asyncio.run(_doomed(Path(sys.argv[1]), datetime.fromisoformat(sys.argv[2])))
