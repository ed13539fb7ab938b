"""Calls to the Bot API share a few connections, one each, and a busy pool is not a lost call."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from telegram.error import TimedOut
from telegram.ext import ExtBot

from bot.connections import OneConnectionEach
from bot.logs import quiet_noisy_loggers
from tests.fakes import TOKEN


class SlowBotApi(BaseHTTPRequestHandler):
    """Answers sendMessage once let go; records which connection each call came on."""

    protocol_version = "HTTP/1.1"
    ports: ClassVar[list[int]] = []
    in_flight: ClassVar[int] = 0
    most: ClassVar[int] = 0
    lock: ClassVar[threading.Lock] = threading.Lock()
    go: ClassVar[threading.Event] = threading.Event()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.endswith("/getMe"):
            self.answer({"id": 1, "is_bot": True, "first_name": "BackTrack", "username": "bt"})
            return
        cls = type(self)
        with cls.lock:
            cls.ports.append(self.client_address[1])
            cls.in_flight += 1
            cls.most = max(cls.most, cls.in_flight)
        cls.go.wait(10)
        with cls.lock:
            cls.in_flight -= 1
        chat = {"id": 7, "type": "private"}
        self.answer({"message_id": 1, "date": 0, "chat": chat, "text": "x"})

    def answer(self, result: object) -> None:
        body = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


async def in_flight(calls: int) -> None:
    """Wait until the Bot API holds this many calls."""
    for _ in range(1000):
        if SlowBotApi.in_flight >= calls:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{calls} calls never arrived together")


@pytest.fixture
def api() -> Iterator[str]:
    SlowBotApi.ports, SlowBotApi.in_flight, SlowBotApi.most = [], 0, 0
    SlowBotApi.go = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowBotApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/bot"
    SlowBotApi.go.set()
    server.shutdown()
    server.server_close()


async def test_many_calls_at_once_share_the_connections_and_all_arrive(api: str) -> None:
    bot: ExtBot[None] = ExtBot(TOKEN, base_url=api, request=OneConnectionEach(3, 30))
    async with bot:
        sending = [asyncio.create_task(bot.send_message(7, f"m{i}")) for i in range(12)]
        await in_flight(3)
        SlowBotApi.go.set()
        sent = await asyncio.gather(*sending)
    assert [m.text for m in sent] == ["x"] * 12
    # Never more than three at once, on three connections kept open and used again.
    assert SlowBotApi.most == 3
    assert len(set(SlowBotApi.ports)) == 3


async def test_a_call_that_finds_no_free_connection_says_it_was_not_sent(api: str) -> None:
    bot: ExtBot[None] = ExtBot(TOKEN, base_url=api, request=OneConnectionEach(1, 0.05))
    async with bot:
        first = asyncio.create_task(bot.send_message(7, "first"))
        await in_flight(1)
        with pytest.raises(TimedOut, match="the request was not sent") as refused:
            await bot.send_message(7, "second")
        # What a prompt's sender reads to know it may try again (bot/telegram_bot.py).
        assert isinstance(refused.value.__cause__, httpx.PoolTimeout)
        SlowBotApi.go.set()
        await first
        # The connection came back: the next call goes through.
        await bot.send_message(7, "third")
    assert len(SlowBotApi.ports) == 2


async def test_a_real_call_at_debug_never_logs_the_token(
    api: str, caplog: pytest.LogCaptureFixture
) -> None:
    # As a fresh process at DEBUG: httpx logs every request's URL, and the URL holds the token.
    logging.getLogger("httpx").setLevel(logging.NOTSET)
    caplog.set_level(logging.DEBUG)
    quiet_noisy_loggers()
    SlowBotApi.go.set()
    bot: ExtBot[None] = ExtBot(TOKEN, base_url=api, request=OneConnectionEach(1, 30))
    async with bot:
        await bot.send_message(7, "x")
    assert SlowBotApi.ports
    assert TOKEN.split(":")[1] not in caplog.text


CHILD = """
import asyncio, logging, sys
from telegram.ext import ExtBot
from bot.connections import OneConnectionEach
from bot.logs import setup_logging

setup_logging("DEBUG")
logging.getLogger("bot").debug("debug lines reach stderr")

async def main() -> None:
    bot = ExtBot(sys.argv[1], base_url=sys.argv[2], request=OneConnectionEach(1, 30))
    async with bot:
        await bot.send_message(7, "x")

asyncio.run(main())
"""


def test_the_bot_process_at_debug_never_writes_the_token_to_its_log(api: str) -> None:
    # A fresh process set up as `backtrack` sets itself up, one real call through httpx, whose
    # INFO line is the request's URL, and the URL holds the token.
    SlowBotApi.go.set()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, TOKEN, api],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert SlowBotApi.ports
    assert "debug lines reach stderr" in done.stderr
    assert TOKEN.split(":")[1] not in done.stderr
