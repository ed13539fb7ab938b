"""Check-in prompt figures: due-user selection among many users, and the sustained send rate.

Run: `python -m benchmarks.bench_prompts` (full size) or `run(scale)` from a smoke test.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time as clock
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.engine import Engine
from bot.reminders import Outgoing, SendResult
from bot.reply import Reply
from bot.telegram_bot import MAX_MESSAGES_PER_SECOND, build_application, prompt_sender
from flows.dialogs.router import Verdict
from flows.kit.core import Screen
from storage.sql.session import Session
from storage.sqlite.db import Database
from storage.sqlite.migrations import migrate
from storage.sqlite.store import Store
from tests.offline import TOKEN, OfflineApi

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def fill_users(path: Path, users: int) -> None:
    """Create a database with users whose check-ins are spread over the day."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    migrate(conn)
    rng = random.Random(7)
    start = NOW - timedelta(hours=12)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO users (user_id, consented_at, timezone, updated_at, next_prompt_at, paused) "
        "VALUES (?, '2026-01-01T00:00:00+00:00', 'UTC', '2026-01-01T00:00:00+00:00', ?, ?)",
        (
            (
                uid,
                (start + timedelta(seconds=rng.randrange(86_400))).isoformat(timespec="seconds"),
                int(uid % 20 == 0),
            )
            for uid in range(1, users + 1)
        ),
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def due_selection_ms(path: Path, repeats: int) -> float:
    """Median time to select one batch of due users, in milliseconds."""
    conn = sqlite3.connect(path, isolation_level=None)
    session = Session(conn, NOW)
    times = []
    for i in range(repeats):
        moment = NOW - timedelta(minutes=i % 60)
        started = clock.perf_counter()
        session.due_users(moment, 500)
        times.append((clock.perf_counter() - started) * 1000)
    conn.close()
    return statistics.median(times)


class ThrottledBotApi(OfflineApi):
    """An offline Bot API that answers 429 when more than the limit arrive within a second."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.window: deque[float] = deque()
        self.flood_errors = 0

    def refuse(self, name: str, params: dict[str, Any]) -> tuple[int, bytes] | None:
        """Refuse with a flood wait when over the limit."""
        now = clock.monotonic()
        while self.window and now - self.window[0] >= 1.0:
            self.window.popleft()
        if len(self.window) >= self.limit:
            self.flood_errors += 1
            body = {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests",
                "parameters": {"retry_after": 1},
            }
            return 429, json.dumps(body).encode()
        self.window.append(now)
        return None


async def send_rate(messages: int, db_path: Path) -> tuple[float, int]:
    """Send prompts through the rate limiter; returns (messages per second, flood errors)."""
    api = ThrottledBotApi(MAX_MESSAGES_PER_SECOND)
    db = await Database.open(db_path)
    app = build_application(TOKEN, Engine(Store(db)), request=api)
    await app.initialize()
    send = prompt_sender(app.bot)
    screen = Screen(text="Time for your diary.")
    reply = Reply(verdict=Verdict.ACCEPTED, screen=screen, seq=1)
    items = [Outgoing(uid, "daily", "2026-03-10", screen, reply, NOW) for uid in range(messages)]
    started = clock.perf_counter()
    results = await asyncio.gather(*(send(item) for item in items))
    elapsed = clock.perf_counter() - started
    await app.shutdown()
    await db.close()
    assert all(r is SendResult.SENT for r in results)
    return messages / elapsed, api.flood_errors


def run(scale: float = 1.0) -> dict[str, float]:
    """Measure both figures; scale 1.0 is the issue's size (1,000,000 users, 600 messages)."""
    users = max(1000, int(1_000_000 * scale))
    messages = max(MAX_MESSAGES_PER_SECOND + 10, int(600 * scale))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        fill_users(path, users)
        select_ms = due_selection_ms(path, repeats=max(5, int(200 * scale)))
        rate, floods = asyncio.run(send_rate(messages, Path(folder) / "send.db"))
    return {
        "users": users,
        "due_selection_ms": round(select_ms, 3),
        "messages": messages,
        "send_rate_per_s": round(rate, 1),
        "send_rate_of_limit": round(rate / MAX_MESSAGES_PER_SECOND, 3),
        "flood_errors": floods,
    }


if __name__ == "__main__":
    figures = run()
    print(
        f"due-user selection among {figures['users']:,.0f} users: "
        f"{figures['due_selection_ms']:.2f} ms (goal < 50 ms)"
    )
    print(
        f"sustained send rate: {figures['send_rate_per_s']:.1f} messages/s = "
        f"{figures['send_rate_of_limit']:.1%} of {MAX_MESSAGES_PER_SECOND}/s (goal >= 95%), "
        f"flood errors: {figures['flood_errors']:.0f}"
    )
