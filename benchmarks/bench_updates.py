"""Update handling, measured against python-telegram-bot's own floor, in one run.

The same stream of button-press updates (each user logging a day through /log) goes through
`Application.process_update` twice: once through BackTrack (flows and an SQLite file), once
through a bare application whose handlers only answer the press and edit the message.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler

from benchmarks.offline import TOKEN, OfflineApi
from bot.engine import Engine
from bot.telegram_bot import build_application
from flows.models import Profile
from storage.db import Database
from storage.repo import Session, Store

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
# After /log (screen 1): back pain 5, leg pain 2, no symptoms, no note, save.
PRESSES = ("p5", "p2", "done", "skip", "save")


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


def register_users(session: Session, users: int) -> None:
    for user in range(1, users + 1):
        session.save_profile(Profile(user_id=user, consented_at=NOW))


async def _bare(update: Update, _: Any) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer()
        await query.edit_message_text("next screen")
    elif update.effective_message is not None:
        await update.effective_message.reply_text("first screen")


async def _timed(app: Application, payloads: list[dict[str, Any]]) -> list[float]:  # type: ignore[type-arg]
    updates = [Update.de_json(p, app.bot) for p in payloads]
    latencies = []
    for update in updates:
        start = time.perf_counter()
        await app.process_update(update)
        latencies.append(time.perf_counter() - start)
    return latencies


def _summary(name: str, latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        f"{name}_updates_per_s": len(ordered) / sum(ordered),
        f"{name}_p50_ms": statistics.median(ordered) * 1000,
        f"{name}_p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        f"{name}_mean_ms": statistics.fmean(ordered) * 1000,
    }


async def measure(users: int, folder: Path) -> dict[str, float]:
    """Run the stream through both applications and return the figures."""
    payloads = stream(users)
    bare = ApplicationBuilder().token(TOKEN).request(OfflineApi()).build()
    bare.add_handler(CommandHandler("log", _bare))
    bare.add_handler(CallbackQueryHandler(_bare))
    async with bare:
        bare_latencies = await _timed(bare, payloads)

    db = await Database.open(folder / "bench.db")
    store = Store(db)
    await store.unit(NOW, lambda s: register_users(s, users))
    engine = Engine(store, lambda: NOW)
    app = build_application(TOKEN, engine, request=OfflineApi(), rate_limit=False)
    async with app:
        ours = await _timed(app, payloads)
    saved = await store.read(
        lambda s: s.conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    )
    await db.close()
    if saved != users:
        raise AssertionError(f"expected {users} saved entries, found {saved}")
    figures = {"updates": float(len(payloads)), **_summary("bare", bare_latencies)}
    figures.update(_summary("backtrack", ours))
    figures["ratio"] = figures["backtrack_mean_ms"] / figures["bare_mean_ms"]
    return figures


def run(scale: float = 1.0) -> dict[str, float]:
    """Measure with `scale` times 1,000 users (6 updates each)."""
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(measure(max(5, round(1000 * scale)), Path(folder)))


def main() -> None:
    """Print the figures for 1,000 users logging a day."""
    f = run(1.0)
    print(f"{f['updates']:.0f} updates (1,000 users each logging a day through /log)")
    for name in ("bare", "backtrack"):
        print(
            f"{name:>9}: {f[name + '_updates_per_s']:.0f} updates/s, "
            f"p50 {f[name + '_p50_ms']:.3f} ms, p99 {f[name + '_p99_ms']:.3f} ms"
        )
    print(f"BackTrack costs {f['ratio']:.2f}x the bare application per update (goal <= 3x)")


if __name__ == "__main__":
    main()
