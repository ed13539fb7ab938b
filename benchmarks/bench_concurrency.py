"""Many patients tapping at once over a Bot API with real round-trip times.

Every Bot API call waits `latency` seconds (Telegram's round trip), as over the network. The
same stream, every patient sending /log and then five presses to a saved entry, all at the
same moment, goes through the application's update queue twice: with updates handled one at
a time (the baseline) and with BackTrack's per-user ordered concurrency. It reports how long
each update waited from arrival to being answered, and the ratio of the two runs.

    python -m benchmarks.bench_concurrency [--users N] [--latency SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from benchmarks.bench_updates import NOW, register_users, stream
from bot.engine import Engine
from bot.telegram_bot import build_application
from storage import ports
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.offline import TOKEN, OfflineApi


class SlowApi(OfflineApi):
    """The offline Bot API with a network round trip on every call."""

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency

    async def answer(
        self, url: str, method: str, name: str, params: dict[str, Any]
    ) -> tuple[int, bytes]:
        """Answer after the round trip."""
        await asyncio.sleep(self.latency)
        return await super().answer(url, method, name, params)


async def answer_times(
    store: ports.Store, users: int, latency: float, *, concurrent: bool = True
) -> list[float]:
    """Run the stream through the bot on `store`; each update's wait from arrival to answer."""
    engine = Engine(store, lambda: NOW)
    app: Application = build_application(  # type: ignore[type-arg]
        TOKEN,
        engine,
        request=SlowApi(latency),
        rate_limit=False,
        concurrent=concurrent,
    )
    done: dict[int, float] = {}

    async def finished(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        done[update.update_id] = time.perf_counter()

    # Group 1 runs after BackTrack's handler of the same update has answered it.
    app.add_handler(TypeHandler(Update, finished), group=1)
    updates = [Update.de_json(p, app.bot) for p in stream(users)]
    async with app:
        await app.start()
        start = time.perf_counter()
        for update in updates:
            await app.update_queue.put(update)
        await app.update_queue.join()
        await app.stop()
    today = NOW.date()
    saved = sum([len(await store.entries_between(u, today, today)) for u in range(1, users + 1)])
    if saved != users:
        raise AssertionError(f"expected {users} saved entries, found {saved}")
    return [done[u.update_id] - start for u in updates]


async def _one_run(users: int, latency: float, concurrent: bool, folder: Path) -> list[float]:
    db = await Database.open(folder / f"{'concurrent' if concurrent else 'serial'}.db")
    try:
        store = Store(db)
        await store.unit(NOW, lambda s: register_users(s, users))
        return await answer_times(store, users, latency, concurrent=concurrent)
    finally:
        await db.close()


def run(users: int = 60, latency: float = 0.05) -> dict[str, float]:
    """Both runs on the same stream; figures in seconds and the serial/concurrent ratios."""

    async def both() -> tuple[list[float], list[float]]:
        with tempfile.TemporaryDirectory() as folder:
            serial = await _one_run(users, latency, False, Path(folder))
            concurrent = await _one_run(users, latency, True, Path(folder))
            return serial, concurrent

    serial, concurrent = asyncio.run(both())
    figures = {"users": float(users), "latency_s": latency}
    for name, waits in (("serial", serial), ("concurrent", concurrent)):
        ordered = sorted(waits)
        figures[f"{name}_median_s"] = statistics.median(ordered)
        figures[f"{name}_p95_s"] = ordered[int(0.95 * (len(ordered) - 1))]
        figures[f"{name}_total_s"] = max(ordered)
    figures["median_ratio"] = figures["serial_median_s"] / figures["concurrent_median_s"]
    figures["total_ratio"] = figures["serial_total_s"] / figures["concurrent_total_s"]
    return figures


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args(argv)
    f = run(args.users, args.latency)
    print(
        f"{f['users']:.0f} patients tapping at once, {f['latency_s'] * 1000:.0f} ms per Bot API "
        "call; wait from arrival to answer:"
    )
    for name in ("serial", "concurrent"):
        print(
            f"  {name:10s} median {f[name + '_median_s']:.2f} s, p95 {f[name + '_p95_s']:.2f} s,"
            f" all answered after {f[name + '_total_s']:.2f} s"
        )
    print(
        f"  serial/concurrent: median {f['median_ratio']:.1f}x, all answered "
        f"{f['total_ratio']:.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
