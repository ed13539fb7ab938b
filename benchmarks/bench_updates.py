"""Update handling, measured against python-telegram-bot's own floor, in one run.

The same stream of updates (each user opens /log and presses through a day's entry) goes
through `Application.process_update` of three applications, in interleaved rounds so a
machine that speeds up or slows down moves all three alike:

- bare: handlers that only answer the press and edit the message (or reply to /log);
- floor: the same plus one write transaction on the database thread that claims the update
  id, the least any bot that stores its state in SQLite through aiosqlite must do;
- BackTrack: flows and storage on an SQLite file whose users each have a year of daily
  entries (the trend check after every save reads its baseline and recent weeks);
- empty: BackTrack with the same users and no history, to show what the history costs.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler

from bot.effects import TREND_RECENT_DAYS
from bot.engine import Engine
from bot.telegram_bot import build_application
from flows.clinical.trends import BASELINE_DAYS
from flows.records.models import Profile
from storage.sql.session import Session
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.offline import TOKEN, OfflineApi

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
# After /log (screen 1): back pain 5, leg pain 2, no symptoms, no note, save.
PRESSES = ("p5", "p2", "done", "dose0", "skip", "save")
STEPS = ("/log", *PRESSES)


def command_update(update_id: int, user: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": user, "type": "private"},
            "from": {"id": user, "is_bot": False, "first_name": "P"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


def press_update(update_id: int, user: int, data: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "from": {"id": user, "is_bot": False, "first_name": "P"},
            "chat_instance": "c",
            "data": data,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": user, "type": "private"},
                "from": {"id": 424242, "is_bot": True, "first_name": "BackTrack"},
                "text": "screen",
            },
        },
    }


def stream(users: int) -> list[dict[str, Any]]:
    """Every user opens /log and presses through a day's entry, users interleaved."""
    payloads: list[dict[str, Any]] = []
    update_id = 1
    for step in range(1 + len(PRESSES)):
        for user in range(1, users + 1):
            if step == 0:
                payloads.append(command_update(update_id, user, "/log"))
            else:
                payloads.append(press_update(update_id, user, f"bt:{step}:{PRESSES[step - 1]}"))
            update_id += 1
    return payloads


def register_users(session: Session, users: int, history_days: int = 0) -> None:
    """Patients onboarded today (country known, nothing left to ask before /log).

    With `history_days`, each has a daily diary up to yesterday, steady enough to alert nobody,
    and what yesterday's trend check kept.
    """
    for user in range(1, users + 1):
        session.save_profile(
            Profile(user_id=user, consented_at=NOW, country="GB", details_asked_at=NOW)
        )
    days = [NOW.date() - timedelta(days=back) for back in range(history_days, 0, -1)]
    rows = [
        (day.isoformat(), f"{day.isoformat()}T19:00:00+00:00", "UTC", 4 + day.day % 2, 2, "log")
        for day in days
    ]
    session.conn.executemany(
        "INSERT INTO entries (entry_date, recorded_at, timezone, back_pain, leg_pain, symptoms, "
        "note, source, user_id) VALUES (?, ?, ?, ?, ?, '', NULL, ?, ?)",
        [(*row, user) for user in range(1, users + 1) for row in rows],
    )
    if days:
        # What yesterday's save left for today's trend check, as in a diary logged every day.
        for user in range(1, users + 1):
            session.trend_window(user, days[-1], TREND_RECENT_DAYS, BASELINE_DAYS)


Handler = Callable[[Update, Any], Coroutine[Any, Any, None]]
APPS = ("bare", "floor", "backtrack", "empty")
HISTORY_DAYS = 365
_RUNS = itertools.count()


async def _bare(update: Update, _: Any) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer()
        await query.edit_message_text("next screen")
    elif update.effective_message is not None:
        await update.effective_message.reply_text("first screen")


def _floor(db: Database) -> Handler:
    def claim(conn: sqlite3.Connection, update_id: int) -> None:
        conn.execute(
            "INSERT INTO processed_updates (update_id, processed_at) VALUES (?, ?)",
            (update_id, NOW.isoformat()),
        )

    async def handle(update: Update, context: Any) -> None:
        await db.write(lambda conn: claim(conn, update.update_id))
        await _bare(update, context)

    return handle


def _plain_app(handler: Handler) -> Application:  # type: ignore[type-arg]
    app = ApplicationBuilder().token(TOKEN).request(OfflineApi()).build()
    app.add_handler(CommandHandler("log", handler))
    app.add_handler(CallbackQueryHandler(handler))
    return app


async def _timed(app: Application, payloads: list[dict[str, Any]]) -> list[float]:  # type: ignore[type-arg]
    updates = [Update.de_json(p, app.bot) for p in payloads]
    latencies = []
    async with app:
        for update in updates:
            start = time.perf_counter()
            await app.process_update(update)
            latencies.append(time.perf_counter() - start)
    return latencies


async def with_history(users: int, folder: Path) -> Path:
    """A database of `users` patients with a year's diary each, made once and copied per run."""
    path = folder / f"history-{users}.db"
    if not path.exists():
        db = await Database.open(path)
        try:
            await Store(db).unit(NOW, lambda s: register_users(s, users, HISTORY_DAYS))
        finally:
            await db.close()
    return path


async def _run_app(name: str, users: int, folder: Path) -> list[float]:
    """Push one stream through a fresh application (and a fresh database file)."""
    payloads = stream(users)
    if name == "bare":
        return await _timed(_plain_app(_bare), payloads)
    path = folder / f"{name}-{next(_RUNS)}.db"
    if name == "backtrack":
        shutil.copyfile(await with_history(users, folder), path)
    db = await Database.open(path)
    try:
        if name == "floor":
            return await _timed(_plain_app(_floor(db)), payloads)
        store = Store(db)
        if name == "empty":
            await store.unit(NOW, lambda s: register_users(s, users))
        engine = Engine(store, lambda: NOW)
        app = build_application(TOKEN, engine, request=OfflineApi(), rate_limit=False)
        latencies = await _timed(app, payloads)
        saved = await store.read(
            lambda s: s.conn.execute(
                "SELECT count(*) FROM entries WHERE entry_date = ?", (NOW.date().isoformat(),)
            ).fetchone()[0]
        )
        if saved != users:
            raise AssertionError(f"expected {users} saved entries, found {saved}")
        return latencies
    finally:
        await db.close()


def _summary(name: str, latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        f"{name}_updates_per_s": len(ordered) / sum(ordered),
        f"{name}_p50_ms": statistics.median(ordered) * 1000,
        f"{name}_p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        f"{name}_mean_ms": statistics.fmean(ordered) * 1000,
    }


async def measure(users: int, folder: Path, rounds: int = 3) -> dict[str, float]:
    """Run the stream through the three applications, interleaved, and return the figures."""
    for name in APPS:
        # A first pass warms imports, caches and the file system; it is not counted.
        await _run_app(name, max(5, users // 20), folder)
    pooled: dict[str, list[float]] = {name: [] for name in APPS}
    # The stream is step by step (every user's /log, then every user's first press, ...).
    by_step: dict[str, list[list[float]]] = {name: [[] for _ in STEPS] for name in APPS}
    ratios: list[float] = []
    for _ in range(rounds):
        means = {}
        for name in APPS:
            latencies = await _run_app(name, users, folder)
            pooled[name] += latencies
            for step in range(len(STEPS)):
                by_step[name][step] += latencies[step * users : (step + 1) * users]
            means[name] = statistics.fmean(latencies)
        ratios.append(means["backtrack"] / means["bare"])
    figures = {"updates": float(len(stream(users))), "rounds": float(rounds)}
    for name in APPS:
        figures.update(_summary(name, pooled[name]))
        for step, label in enumerate(STEPS):
            figures[f"{name}_{label}_ms"] = statistics.fmean(by_step[name][step]) * 1000
    figures["ratio"] = figures["backtrack_mean_ms"] / figures["bare_mean_ms"]
    figures["floor_ratio"] = figures["floor_mean_ms"] / figures["bare_mean_ms"]
    figures["over_floor"] = figures["backtrack_mean_ms"] / figures["floor_mean_ms"]
    figures["ratio_min"], figures["ratio_max"] = min(ratios), max(ratios)
    figures["history_save_ratio"] = figures["backtrack_save_ms"] / figures["empty_save_ms"]
    figures["history_days"] = float(HISTORY_DAYS)
    return figures


def run(scale: float = 1.0, rounds: int = 3, *, one_cpu: bool = False) -> dict[str, float]:
    """Measure with `scale` times 1,000 users (6 updates each), in `rounds` rounds.

    With `one_cpu` the calling thread, and the threads it starts (the database thread among
    them), run on one CPU where the operating system allows it; `one_cpu` in the result says
    whether they did.
    """
    allowed = os.sched_getaffinity(0) if one_cpu and hasattr(os, "sched_setaffinity") else set()
    pinned = False
    if allowed:
        try:
            os.sched_setaffinity(0, {min(allowed)})
        except OSError:
            # A container may forbid it; the figures are then those of the normal run.
            allowed = set()
        else:
            pinned = True
    try:
        with tempfile.TemporaryDirectory() as folder:
            figures = asyncio.run(measure(max(5, round(1000 * scale)), Path(folder), rounds))
    finally:
        if pinned:
            os.sched_setaffinity(0, allowed)
    figures["one_cpu"] = float(pinned)
    return figures


def _print(f: dict[str, float]) -> None:
    for name in APPS:
        print(
            f"{name:>9}: {f[name + '_updates_per_s']:.0f} updates/s, "
            f"mean {f[name + '_mean_ms']:.3f} ms, p50 {f[name + '_p50_ms']:.3f} ms, "
            f"p99 {f[name + '_p99_ms']:.3f} ms"
        )
    print("mean ms by step: " + ", ".join(STEPS))
    for name in APPS:
        print(f"{name:>9}: " + "  ".join(f"{f[f'{name}_{s}_ms']:.3f}" for s in STEPS))
    print(
        f"BackTrack costs {f['ratio']:.2f}x the bare application per update (goal <= 3x; "
        f"rounds {f['ratio_min']:.2f}-{f['ratio_max']:.2f}); one database-thread "
        f"transaction alone costs {f['floor_ratio']:.2f}x; BackTrack is "
        f"{f['over_floor']:.2f}x that floor"
    )
    print(
        f"A save with a year of history costs {f['history_save_ratio']:.2f}x a save on an "
        "empty diary (goal <= 1.5x)"
    )


def main() -> None:
    """Print the figures for 1,000 users logging a day, three rounds, then on one CPU."""
    f = run(1.0)
    print(
        f"{f['updates']:.0f} updates a round (1,000 users each logging a day through /log), "
        f"{f['rounds']:.0f} rounds interleaved"
    )
    _print(f)
    pinned = run(1.0, one_cpu=True)
    if pinned["one_cpu"]:
        print("The same with the process on one CPU:")
        _print(pinned)


if __name__ == "__main__":
    main()
