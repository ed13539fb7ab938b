"""BackTrack's webhook server over real HTTP: secret first, bodies capped, nothing logged."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sqlite3
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from telegram.ext import ExtBot

from bot.config import Settings
from bot.engine import Engine
from bot.service import Webhook, serve
from bot.telegram_bot import build_application
from bot.webhook import MAX_UPDATE_BYTES, SECRET_HEADER, WebhookServer, register_webhook
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.bot.test_service import SECRET, free_port, wait_for_port
from tests.fakes import TOKEN, OfflineBotApi, message_update

# Diary text no log line may hold.
NOTE = "slept badly, the left calf tingles again zq-7731"
# A guard against a hang, not a timing assertion: the old server waited for the whole body.
GUARD_SECONDS = 5


@dataclass
class Running:
    """The bot served by serve() in webhook mode, on the offline Bot API."""

    api: OfflineBotApi
    port: int

    @property
    def hook(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    api = OfflineBotApi()
    port = free_port()
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        telegram_webhook_secret=SecretStr(SECRET),
        _env_file=None,
    )
    webhook = Webhook(
        url="https://bot.example.org/hook", secret=SECRET, listen="127.0.0.1", port=port
    )
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(settings, tmp_path / "w.db", stop, webhook=webhook, request=api)
    )
    await wait_for_port(port)
    yield Running(api, port)
    stop.set()
    await asyncio.wait_for(task, 10)


def log_everything(caplog: pytest.LogCaptureFixture) -> None:
    """Capture every logger at DEBUG, even those the bot raised to INFO on start."""
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            caplog.set_level(logging.DEBUG, logger=name)


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return caplog.text + "\n".join(r.getMessage() for r in caplog.records)


def head(length: int | None, secret: str | None, *, chunked: bool = False) -> bytes:
    """The head of a POST to the update path, as raw HTTP/1.1."""
    lines = ["POST /hook HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    if secret is not None:
        lines.append(f"{SECRET_HEADER}: {secret}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def exchange(port: int, *parts: bytes, until_hang_up: bool = True) -> int:
    """Send the parts, nothing more, and return the status; by default wait for the hang-up."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for part in parts:
            writer.write(part)
            await writer.drain()
        async with asyncio.timeout(GUARD_SECONDS):
            response = await reader.readuntil(b"\r\n\r\n")
            if until_hang_up:
                # Returns at the server's hang-up only: a server awaiting the rest hangs here.
                with suppress(ConnectionResetError):
                    await reader.read()
    finally:
        writer.close()
        with suppress(ConnectionError):
            await writer.wait_closed()
    return int(response.split()[1])


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


async def test_without_the_right_secret_the_body_is_never_read(running: Running) -> None:
    # 90 MB announced, a few bytes sent: the answer comes, and the server hangs up, unread.
    start = b'{"update_id": 1, "message": {"text": "'
    for secret in (None, "not-the-secret-at-all", SECRET[:-1], ""):
        status = await exchange(running.port, head(90_000_000, secret), start)
        assert status == 403, secret
    assert running.api.sent("sendMessage") == []


async def test_a_body_over_the_cap_is_refused_with_the_right_secret(running: Running) -> None:
    announced = await exchange(running.port, head(MAX_UPDATE_BYTES + 1, SECRET), b"{")
    spaces = [chunk(b" " * 65536)] * (MAX_UPDATE_BYTES // 65536)
    # One byte past the cap, and no last chunk: only a server that counts answers at all.
    grown = await exchange(running.port, head(None, SECRET, chunked=True), *spaces, chunk(b"{"))
    update = json.dumps(message_update(3, 73, "/start")).encode()
    # The same spaces before an update: the cap exactly, which is taken.
    within = await exchange(
        running.port,
        head(None, SECRET, chunked=True),
        *spaces[:-1],
        chunk(b" " * (65536 - len(update))),
        chunk(update),
        b"0\r\n\r\n",
        until_hang_up=False,
    )
    assert (announced, grown, within) == (413, 413, 200)


async def test_healthz_answers_without_the_secret_and_the_update_path_only_takes_post(
    running: Running,
) -> None:
    async with httpx.AsyncClient() as client:
        health = await client.get(f"http://127.0.0.1:{running.port}/healthz")
        get_hook = await client.get(running.hook, headers={SECRET_HEADER: SECRET})
        elsewhere = await client.post(
            f"http://127.0.0.1:{running.port}/other", headers={SECRET_HEADER: SECRET}
        )
    assert (health.status_code, health.text) == (200, "ok\n")
    assert "server" not in health.headers
    assert SECRET not in str(health.headers)
    assert (get_hook.status_code, get_hook.headers["allow"]) == (405, "POST")
    assert elsewhere.status_code == 404


async def test_an_unreadable_body_is_refused_or_skipped_and_the_log_holds_none_of_it(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    log_everything(caplog)
    unreadable = [
        b'{"update_id": 5, "message": {"text": "' + NOTE.encode(),
        json.dumps([NOTE]).encode(),
        json.dumps({"message": {"text": NOTE}}).encode(),
        # From Telegram, but not readable by python-telegram-bot: skipped, not refused, or
        # Telegram would send it again and again and hold every later update behind it.
        json.dumps({"update_id": 6, "message": NOTE}).encode(),
    ]
    async with httpx.AsyncClient() as client:
        statuses = [
            (
                await client.post(
                    running.hook,
                    content=body,
                    headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"},
                )
            ).status_code
            for body in unreadable
        ]
    assert statuses == [400, 400, 400, 200]
    text = logged(caplog)
    assert "could not be read (JSONDecodeError)" in text
    assert "update 6 from Telegram could not be read (AttributeError); it is skipped" in text
    for fragment in ("calf tingles", "zq-7731", SECRET):
        assert fragment not in text
    assert running.api.sent("sendMessage") == []


async def test_an_update_is_registered_for_and_handled_end_to_end_without_logging_its_text(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    [registered] = running.api.sent("setWebhook")
    allowed = registered["allowed_updates"]
    assert (json.loads(allowed) if isinstance(allowed, str) else allowed) == [
        "message",
        "edited_message",
        "callback_query",
    ]
    assert (registered["url"], registered["secret_token"]) == (
        "https://bot.example.org/hook",
        SECRET,
    )
    assert "drop_pending_updates" not in registered
    log_everything(caplog)
    async with httpx.AsyncClient() as client:
        started = await client.post(
            running.hook, json=message_update(1, 71, "/start"), headers={SECRET_HEADER: SECRET}
        )
        noted = await client.post(
            running.hook, json=message_update(2, 71, NOTE), headers={SECRET_HEADER: SECRET}
        )
    assert (started.status_code, noted.status_code) == (200, 200)
    for _ in range(200):
        if len(running.api.sent("sendMessage")) >= 2:
            break
        await asyncio.sleep(0.01)
    replies = running.api.sent("sendMessage")
    assert "Welcome to BackTrack" in replies[0]["text"]
    assert all(r["chat_id"] == 71 for r in replies)
    assert len(replies) >= 2, "the note got no answer"
    text = logged(caplog)
    for fragment in ("calf tingles", "zq-7731", SECRET):
        assert fragment not in text


async def test_a_port_in_use_is_the_error_the_operator_sees(tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = int(taken.getsockname()[1])
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        telegram_webhook_secret=SecretStr(SECRET),
        _env_file=None,
    )
    webhook = Webhook(
        url="https://bot.example.org/hook", secret=SECRET, listen="127.0.0.1", port=port
    )
    try:
        with pytest.raises(OSError, match="in use"):
            await serve(
                settings,
                tmp_path / "w.db",
                asyncio.Event(),
                webhook=webhook,
                request=OfflineBotApi(),
            )
    finally:
        taken.close()


async def test_a_worker_that_does_not_register_the_webhook_still_serves_it(
    tmp_path: Path,
) -> None:
    """BACKTRACK_SET_WEBHOOK=false: no setWebhook call; the worker takes updates all the same."""
    api = OfflineBotApi()
    port = free_port()
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        telegram_webhook_secret=SecretStr(SECRET),
        backtrack_set_webhook=False,
        backtrack_send_prompts=False,
        _env_file=None,
    )
    webhook = Webhook(
        url="https://bot.example.org/hook", secret=SECRET, listen="127.0.0.1", port=port
    )
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(settings, tmp_path / "w.db", stop, webhook=webhook, request=api)
    )
    try:
        await wait_for_port(port)
        async with httpx.AsyncClient() as client:
            health = await client.get(f"http://127.0.0.1:{port}/healthz")
            taken = await client.post(
                f"http://127.0.0.1:{port}/hook",
                headers={SECRET_HEADER: SECRET},
                json=message_update(1, 42, "/help"),
            )
        for _ in range(100):
            if "sendMessage" in [c.method for c in api.calls]:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert (health.status_code, health.text) == (200, "ok\n")
    assert taken.status_code == 200
    methods = [c.method for c in api.calls]
    assert "setWebhook" not in methods
    assert "sendMessage" in methods


def hook_at(port: int) -> Webhook:
    return Webhook(
        url="https://bot.example.org/hook", secret=SECRET, listen="127.0.0.1", port=port
    )


async def test_healthz_is_503_while_the_database_does_not_answer(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "down.db")
    engine = Engine(Store(db))
    assert await engine.healthy()
    await db.close()
    assert not await engine.healthy()
    api = OfflineBotApi()
    app = build_application(TOKEN, engine, request=api, rate_limit=False)
    port = free_port()
    webhook = hook_at(port)
    server = WebhookServer(app, webhook, engine.healthy, register=False)
    await server.start()
    try:
        async with httpx.AsyncClient() as client:
            health = await client.get(f"http://127.0.0.1:{port}/healthz")
            head = await client.head(f"http://127.0.0.1:{port}/healthz")
    finally:
        await server.stop()
    assert (health.status_code, health.text) == (503, "database unavailable\n")
    assert head.status_code == 503


async def test_set_webhook_registers_the_url_with_the_secret_once() -> None:
    api = OfflineBotApi()
    bot = ExtBot(TOKEN, request=api)
    async with bot:
        await register_webhook(bot, "https://bot.example.org/hook", SECRET)
    [call] = [c for c in api.calls if c.method == "setWebhook"]
    assert call.params["url"] == "https://bot.example.org/hook"
    assert call.params["secret_token"] == SECRET
    assert call.params["max_connections"] == 100


async def test_telegram_is_answered_only_once_the_update_is_handled_and_stored(
    tmp_path: Path,
) -> None:
    """A worker killed before its answer leaves Telegram to send the update again."""
    api = OfflineBotApi()
    port = free_port()
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        telegram_webhook_secret=SecretStr(SECRET),
        _env_file=None,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(settings, tmp_path / "w.db", stop, webhook=hook_at(port), request=api)
    )
    try:
        await wait_for_port(port)
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"http://127.0.0.1:{port}/hook",
                headers={SECRET_HEADER: SECRET},
                json=message_update(31, 42, "/start"),
            )
            # Nothing awaited in between: what the answer promises is already true.
            replied = [c.params.get("chat_id") for c in api.calls if c.method == "sendMessage"]
            with sqlite3.connect(tmp_path / "w.db") as conn:
                claimed = conn.execute(
                    "SELECT count(*) FROM processed_updates WHERE update_id = 31"
                ).fetchone()[0]
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert answer.status_code == 200
    assert 42 in replied
    assert claimed == 1
