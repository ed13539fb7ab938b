"""Three real webhook workers and one prompt sender on one PostgreSQL database, one of them killed.

Sixty patients each log a day's entry, every update sent to a worker chosen at random,
some sent again to another one (as Telegram redelivers), and one worker SIGKILLed mid-run (its
unanswered updates go to the others, as Telegram retries them). Afterwards every patient's
entry is stored once, with the answers in the order they were given, and every patient due a
check-in got exactly one prompt.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import psycopg
import pytest

from bot.webhook import SECRET_HEADER
from flows.records.models import Profile
from storage import ports
from storage.postgres.store import Store as PostgresStore
from tests.bot.test_service import free_port, wait_for_port
from tests.fakes import TOKEN, callback_update, message_update
from tests.storage.backends import POSTGRES, postgres_schema

SECRET = "several-workers-secret"
LOGGING = 60
PROMPTED = range(1001, 1041)
PRESSES = ("p5", "p2", "done", "dose1", "skip", "save")


class LoopbackBotApi(BaseHTTPRequestHandler):
    """Telegram's Bot API for bots in other processes: every call answered, messages noted."""

    sent: ClassVar[list[tuple[int, str]]] = []
    lock: ClassVar[threading.Lock] = threading.Lock()

    def do_POST(self) -> None:
        method = self.path.rsplit("/", 1)[-1]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        params: dict[str, Any] = {}
        if self.headers.get("Content-Type", "").startswith("application/json") and raw:
            params = json.loads(raw)
        elif raw:
            params = dict(httpx.QueryParams(raw.decode()))
        result: Any = True
        if method == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "BackTrack", "username": "bt_bot"}
        elif method in ("sendMessage", "editMessageText"):
            chat = int(params.get("chat_id", 0))
            if method == "sendMessage":
                with type(self).lock:
                    type(self).sent.append((chat, str(params.get("text", ""))))
            result = {
                "message_id": 9,
                "date": 0,
                "chat": {"id": chat, "type": "private"},
                "text": str(params.get("text", "")),
            }
        body = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


class BusyServer(ThreadingHTTPServer):
    """Takes the bursts of four bots at once; a bot that hung up mid-answer is no error."""

    request_queue_size = 256
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A worker killed mid-call leaves its socket closed: nothing to report."""


@pytest.fixture
def bot_api() -> Iterator[int]:
    LoopbackBotApi.sent = []
    server = BusyServer(("127.0.0.1", 0), LoopbackBotApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def afternoon_zone(now: datetime) -> str:
    """A zone where it is mid-afternoon now: /log asks no day, no prompt is due by the clock."""
    offset = (15 - now.hour) % 24
    offset = offset - 24 if offset > 12 else offset
    # Etc/GMT-3 is three hours ahead of UTC (POSIX signs are reversed).
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


def register(session: ports.Session, zone: str, now: datetime) -> None:
    for user in (*range(1, LOGGING + 1), *PROMPTED):
        session.save_profile(
            Profile(
                user_id=user,
                consented_at=now - timedelta(days=2),
                country="GB",
                timezone=zone,
                details_asked_at=now,
                checkin_time=time(15, 0),
            )
        )
    for user in PROMPTED:
        session.set_next_prompt(user, now - timedelta(minutes=1))


def worker(url: str, api: int, port: int, log: Path, *, sends: bool) -> subprocess.Popen[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{api}/bot",
        "BACKTRACK_DATABASE_URL": url,
        "BACKTRACK_SET_WEBHOOK": "false",
        "BACKTRACK_SEND_PROMPTS": "true" if sends else "false",
        "BACKTRACK_WEBHOOK_LISTEN": "127.0.0.1",
        "PORT": str(port),
    }
    with log.open("w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--webhook", "https://bot.example.org/hook"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
        )


def updates_of(user: int) -> list[dict[str, Any]]:
    """The patient's /log and presses, each update id unique across patients."""
    first = user * 100
    steps = [message_update(first, user, "/log")]
    steps += [
        callback_update(first + step, user, f"bt:{step}:{value}")
        for step, value in enumerate(PRESSES, start=1)
    ]
    return steps


@pytest.mark.skipif(POSTGRES is None, reason="BACKTRACK_TEST_POSTGRES is not set")
async def test_three_workers_and_a_sender_lose_nothing_and_do_nothing_twice(
    tmp_path: Path, bot_api: int
) -> None:
    now = datetime.now(UTC)
    zone = afternoon_zone(now)
    rng = random.Random(18)
    async with postgres_schema() as url:
        store = await PostgresStore.open(url)
        try:
            await store.unit(now, lambda s: register(s, zone, now))
        finally:
            await store.close()
        ports_ = [free_port() for _ in range(3)]
        workers = [worker(url, bot_api, p, tmp_path / f"{p}.log", sends=False) for p in ports_]
        sender_port = free_port()
        sender = worker(url, bot_api, sender_port, tmp_path / "sender.log", sends=True)
        try:
            for port in (*ports_, sender_port):
                await asyncio.wait_for(wait_for_port(port), 60)
            alive = list(ports_)
            sent_count = 0
            killed = asyncio.Event()

            async def deliver(client: httpx.AsyncClient, payload: dict[str, Any]) -> None:
                nonlocal sent_count
                # As Telegram: sent until a worker answers 200, to another if one is gone.
                while True:
                    port = rng.choice(alive)
                    try:
                        answer = await client.post(
                            f"http://127.0.0.1:{port}/hook",
                            headers={SECRET_HEADER: SECRET},
                            json=payload,
                            timeout=30,
                        )
                    except httpx.TransportError:
                        await asyncio.sleep(0.05)
                        continue
                    if answer.status_code == 200:
                        break
                sent_count += 1
                if sent_count == LOGGING * 2 and not killed.is_set():
                    killed.set()
                    victim = alive.pop(0)
                    workers[ports_.index(victim)].send_signal(signal.SIGKILL)
                if rng.random() < 0.1:
                    # A redelivery of the same update, to another worker.
                    await deliver_once_more(client, payload)

            async def deliver_once_more(
                client: httpx.AsyncClient, payload: dict[str, Any]
            ) -> None:
                for port in rng.sample(alive, len(alive)):
                    try:
                        answer = await client.post(
                            f"http://127.0.0.1:{port}/hook",
                            headers={SECRET_HEADER: SECRET},
                            json=payload,
                            timeout=30,
                        )
                    except httpx.TransportError:
                        continue
                    if answer.status_code == 200:
                        return

            async def patient(client: httpx.AsyncClient, user: int) -> None:
                for payload in updates_of(user):
                    await deliver(client, payload)

            async with httpx.AsyncClient() as client:
                await asyncio.gather(*(patient(client, u) for u in range(1, LOGGING + 1)))
            # The sender runs its prompt job every minute; its first run is a second after start.
            for _ in range(100):
                if {c for c, _ in LoopbackBotApi.sent} >= set(PROMPTED):
                    break
                await asyncio.sleep(0.2)
        finally:
            for process in (*workers, sender):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in (*workers, sender):
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT user_id, back_pain, leg_pain, as_needed_doses FROM entries "
                "ORDER BY user_id"
            ).fetchall()
            claims = conn.execute(
                "SELECT user_id, count(*) FROM prompts GROUP BY user_id ORDER BY user_id"
            ).fetchall()
            statuses = conn.execute("SELECT DISTINCT status FROM prompts").fetchall()
    assert killed.is_set()
    # Every patient's entry once, with the answers in the order they were given.
    assert rows == [(user, 5, 2, 1) for user in range(1, LOGGING + 1)]
    # Every due patient prompted once: one claim and one message each; nobody else prompted.
    assert claims == [(user, 1) for user in PROMPTED]
    assert statuses == [("sent",)]
    prompts = [chat for chat, text in LoopbackBotApi.sent if chat in PROMPTED]
    assert sorted(prompts) == list(PROMPTED)
    # The workers that were not killed stopped cleanly, with nothing of a diary in their logs.
    for log in (*(tmp_path / f"{p}.log" for p in ports_[1:]), tmp_path / "sender.log"):
        text = log.read_text()
        assert "Traceback" not in text
        assert "stopped; database closed" in text
