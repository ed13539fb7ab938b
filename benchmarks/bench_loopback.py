"""Update handling through python-telegram-bot's real HTTP client, against a loopback Bot API.

`bench_updates` answers Bot API calls inside the process; here every call goes through
`HTTPXRequest` (PTB's default, as `build_application` makes it) and a socket to a Bot API
server on 127.0.0.1 in another process (`benchmarks.loopback`), so the figures include the
HTTP client, as in production, but not the server's work. Each patient opens /log and presses
through a day's entry, tapping again only once the bot's reply to the last tap arrived; the
updates come by long polling (`getUpdates`) and, in a second run, by webhook (the server
POSTs each update to PTB's webhook server, with the secret token).

Three applications take the same patients: the bare app (answer the press and edit, reply to
/log, under BackTrack's PerUserOrder), BackTrack, and the peer (`benchmarks.peer_bot`: a
persistent ConversationHandler, PicklePersistence and aiosqlite, built as a PTB user would, so
its updates run one at a time). For each: updates handled per second of wall time, and CPU per
update of the bot process (`time.process_time()`, every thread of it; the server's CPU is its
own process's). BackTrack runs twice more by polling: with `concurrent=False`, one update at a
time like the peer; and with `HTTPXRequest(connection_pool_size=8)`. For reference, the CPU of
one Bot API call through the client, and of its parts.

    python -m benchmarks.bench_loopback [--scale X]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import socket
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ExtBot,
)
from telegram.request import HTTPXRequest

from benchmarks import peer_bot
from benchmarks.bench_updates import NOW, PRESSES, STEPS, _bare, register_users, stream
from benchmarks.loopback import HOST, LoopbackServer
from bot.engine import Engine
from bot.ordering import PerUserOrder
from bot.service import Webhook
from bot.telegram_bot import build_application, set_commands
from bot.webhook import WebhookServer
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.offline import TOKEN, OfflineApi

App = Application[Any, Any, Any, Any, Any, Any]
# More patients than PerUserOrder runs at once (64), so BackTrack's concurrency is used up.
USERS = 70
CALLS = 300
CLIENT_ROUNDS = 5
# Below this many patients a run is a smoke test: no warm-up pass.
WARM_FROM_USERS = 20
MODES = ("polling", "webhook")
APPS = ("bare", "backtrack", "peer")
# BackTrack by polling twice more: handling one update at a time (as the peer does), and with
# at most SMALL_POOL connections to the Bot API instead of its own 16 (httpcore's pool checks
# every connection on every request).
SERIAL = "backtrack_serial"
POOL = "backtrack_pool8"
SMALL_POOL = 8
SECRET = "loopback-webhook-secret"
# How long a run may take before its patients count as unanswered: beyond 20 ms an update.
RUN_SECONDS = 20.0
WEBHOOK_PATH = "telegram"
# A screen's worth of text, as the handlers send.
TEXT = "How bad has your <b>back</b> pain been today? 0 = no pain, 10 = worst imaginable. " * 3


@dataclass
class _Subject:
    """An application to play the stream through, and how to check and release it after."""

    app: App
    payloads: list[dict[str, Any]]
    saved: Callable[[], Awaitable[int | None]]
    close: Callable[[], Awaitable[None]]


async def _nothing() -> None:
    return None


async def _no_count() -> int | None:
    return None


async def _subject(name: str, users: int, base_url: str, folder: Path) -> _Subject:
    await asyncio.to_thread(folder.mkdir, parents=True)
    if name == "bare":
        app: App = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(base_url)
            .concurrent_updates(PerUserOrder())
            .build()
        )
        app.add_handler(CommandHandler("log", _bare))
        app.add_handler(CallbackQueryHandler(_bare))
        return _Subject(app, stream(users), _no_count, _nothing)
    if name.startswith("backtrack"):
        db = await Database.open(folder / "backtrack.db")
        store = Store(db)
        await store.unit(NOW, lambda s: register_users(s, users))
        engine = Engine(store, lambda: NOW)
        app = build_application(
            TOKEN,
            engine,
            base_url=base_url,
            request=HTTPXRequest(connection_pool_size=SMALL_POOL) if name == POOL else None,
            rate_limit=False,
            concurrent=name != SERIAL,
        )

        async def entries() -> int | None:
            count: int = await store.read(
                lambda s: s.conn.execute("SELECT count(*) FROM entries").fetchone()[0]
            )
            return count

        return _Subject(app, stream(users), entries, db.close)
    today = datetime.now(UTC).date()
    # The peer's patients have kept the diary for a while, as BackTrack's are registered.
    peer_bot.prefill(folder, users, today)
    app = peer_bot.build_peer_application(folder, token=TOKEN, updater=True, base_url=base_url)

    async def peer_entries() -> int | None:
        with sqlite3.connect(folder / peer_bot.DATABASE_FILE) as conn:
            count: int = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
        conn.close()
        return count

    async def close() -> None:
        # The peer's database closes in post_shutdown; again here if the run failed before.
        assert app.post_shutdown is not None
        await app.post_shutdown(app)

    return _Subject(app, peer_bot.peer_stream(users), peer_entries, close)


async def _up() -> bool:
    """The health check: not measured here."""
    return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


async def _play(
    name: str, mode: str, users: int, server: LoopbackServer, folder: Path
) -> dict[str, float]:
    """Run one stream through one application, by polling or webhook; its figures."""
    subject = await _subject(name, users, server.base_url, folder)
    try:
        app = subject.app
        updater = app.updater
        assert updater is not None
        await server.load(subject.payloads)
        async with app:
            # The order of Application.run_polling, which cannot run inside a running loop.
            if app.post_init is not None:
                await app.post_init(app)
            if name.startswith("backtrack"):
                await set_commands(app)
            await app.start()
            own: WebhookServer | None = None
            try:
                if mode == "polling":
                    await updater.start_polling(allowed_updates=Update.ALL_TYPES)
                elif name.startswith("backtrack"):
                    # BackTrack's own webhook server, as `serve` runs it.
                    port = _free_port()
                    url = f"http://{HOST}:{port}/{WEBHOOK_PATH}"
                    own = WebhookServer(app, Webhook(url, SECRET, HOST, port), _up)
                    await own.start()
                else:
                    port = _free_port()
                    await updater.start_webhook(
                        listen=HOST,
                        port=port,
                        url_path=WEBHOOK_PATH,
                        webhook_url=f"http://{HOST}:{port}/{WEBHOOK_PATH}",
                        secret_token=SECRET,
                        allowed_updates=Update.ALL_TYPES,
                    )
                gc.collect()
                cpu, wall = time.process_time(), time.perf_counter()
                served = await server.run(RUN_SECONDS + len(subject.payloads) * 0.02)
                # The last reply has arrived; its handler may still be finishing.
                await app.update_queue.join()
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            finally:
                stopping = time.process_time()
                if own is not None:
                    await own.stop()
                if updater.running:
                    await updater.stop()
                if app.running:
                    await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
        stopping = time.process_time() - stopping
        saved = await subject.saved()
    finally:
        await subject.close()
    if not served["complete"]:
        raise AssertionError(f"{name} ({mode}): {served['unanswered_users']} patients unanswered")
    if saved is not None and saved != users:
        raise AssertionError(f"{name} ({mode}): expected {users} saved entries, found {saved}")
    updates = len(subject.payloads)
    calls: dict[str, int] = served["calls"]
    polls = calls.get("getUpdates", 0)
    return {
        "updates_per_s": updates / wall,
        "cpu_ms": cpu * 1000 / updates,
        "server_cpu_ms": served["cpu_seconds"] * 1000 / updates,
        "calls_per_update": (sum(calls.values()) - polls) / updates,
        "polls_per_update": polls / updates,
        # Connections to the Bot API at once: the HTTP pool's size, which each call pays for.
        "connections": float(served["peak_connections"]),
        # Persistence written at shutdown (the peer's pickle file) shows here, not above.
        "stop_cpu_ms": stopping * 1000,
        "cpu_with_stop_ms": (cpu + stopping) * 1000 / updates,
    }


async def _per_call(call: Callable[[], Awaitable[object]], calls: int) -> float:
    """CPU ms of one call, made one after the other."""
    for _ in range(max(5, calls // 20)):
        await call()
    gc.collect()
    cpu = time.process_time()
    for _ in range(calls):
        await call()
    return (time.process_time() - cpu) * 1000 / calls


async def _client_costs(base_url: str, calls: int) -> dict[str, float]:
    """CPU of one sendMessage through PTB's client, and of its parts."""
    params: dict[str, Any] = {"chat_id": 7, "text": TEXT, "parse_mode": ParseMode.HTML}
    url = f"{base_url}{TOKEN}/sendMessage"
    form = {key: str(value) for key, value in params.items()}
    # ExtBot, as an Application's bot is; its default request is the HTTPXRequest measured.
    bot: ExtBot[None] = ExtBot(TOKEN, base_url=base_url)
    offline: ExtBot[None] = ExtBot(TOKEN, request=OfflineApi())
    async with bot, offline, httpx.AsyncClient() as client:

        async def post() -> object:
            return (await client.post(url, data=form)).json()

        variants: dict[str, Callable[[], Awaitable[object]]] = {
            "client_cpu_ms_per_call": lambda: bot.send_message(**params),
            # What do_api_request(..., return_type=None) runs, without its warning for a known
            # method: the call as sent, the result left as JSON instead of a Message.
            "client_raw_cpu_ms_per_call": lambda: bot._post("sendMessage", api_kwargs=params),
            "client_offline_cpu_ms_per_call": lambda: offline.send_message(**params),
            "client_httpx_cpu_ms_per_call": post,
        }
        samples: dict[str, list[float]] = {key: [] for key in variants}
        # Interleaved rounds, so a machine that speeds up or slows down moves all alike.
        for _ in range(CLIENT_ROUNDS):
            for key, call in variants.items():
                samples[key].append(await _per_call(call, max(5, calls // CLIENT_ROUNDS)))
    return {key: statistics.median(values) for key, values in samples.items()}


async def measure(users: int, calls: int, folder: Path) -> dict[str, float]:
    """Every application by polling and by webhook, then the client's own cost per call."""
    figures: dict[str, float] = {"users": float(users), "updates": float(users * len(STEPS))}
    runs = iter(range(1_000_000))
    with LoopbackServer() as server:
        for mode in MODES:
            for name in APPS if users >= WARM_FROM_USERS else ():
                # A first small pass warms imports, caches and connections; it is not counted.
                await _play(name, mode, 3, server, folder / str(next(runs)))
        for mode in MODES:
            for name in APPS:
                played = await _play(name, mode, users, server, folder / str(next(runs)))
                figures.update({f"{mode}_{name}_{key}": value for key, value in played.items()})
            for name in ("backtrack", "peer"):
                figures[f"{mode}_{name}_cpu_over_bare"] = (
                    figures[f"{mode}_{name}_cpu_ms"] / figures[f"{mode}_bare_cpu_ms"]
                )
        for name in (SERIAL, POOL):
            played = await _play(name, "polling", users, server, folder / str(next(runs)))
            figures.update({f"polling_{name}_{key}": value for key, value in played.items()})
        figures.update(await _client_costs(server.base_url, calls))
    return figures


def run(scale: float = 1.0) -> dict[str, float]:
    """Measure with `scale` times 70 patients (6 updates each) and 300 client calls."""
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(
            measure(max(3, round(USERS * scale)), max(20, round(CALLS * scale)), Path(folder))
        )


def _print(f: dict[str, float]) -> None:
    print(
        f"{f['users']:.0f} patients, {f['updates']:.0f} updates a run "
        f"(/log and {len(PRESSES)} presses each), through HTTPXRequest and a loopback Bot API"
    )
    print(
        f"{'':>26} {'updates/s':>9} {'CPU ms/upd':>10} {'× bare':>6} {'+stop':>7} "
        f"{'calls/upd':>9} {'polls/upd':>9} {'conns':>5} {'server ms':>9} {'stop ms':>7}"
    )
    rows = [(f"{mode} {name}", f"{mode}_{name}") for mode in MODES for name in APPS]
    rows.append(("polling backtrack, serial", f"polling_{SERIAL}"))
    rows.append((f"polling backtrack, pool {SMALL_POOL}", f"polling_{POOL}"))
    for label, key in rows:
        ratio = f.get(f"{key}_cpu_over_bare")
        print(
            f"{label:>26} {f[key + '_updates_per_s']:>9.0f} {f[key + '_cpu_ms']:>10.3f} "
            f"{'' if ratio is None else f'{ratio:.2f}':>6} {f[key + '_cpu_with_stop_ms']:>7.3f} "
            f"{f[key + '_calls_per_update']:>9.2f} {f[key + '_polls_per_update']:>9.2f} "
            f"{f[key + '_connections']:>5.0f} {f[key + '_server_cpu_ms']:>9.3f} "
            f"{f[key + '_stop_cpu_ms']:>7.0f}"
        )
    print(
        "(+stop: CPU per update with the application's stop and shutdown counted, where the "
        "peer's PicklePersistence writes what changed; conns: the most connections to the Bot "
        "API at once, every call's cost grows with them; server ms: the server process's CPU "
        "per update, not counted in the bot's)"
    )
    print(
        "One sendMessage, CPU ms a call: "
        f"PTB through HTTPXRequest {f['client_cpu_ms_per_call']:.3f}; "
        f"the same without building the Message {f['client_raw_cpu_ms_per_call']:.3f}; "
        f"PTB without HTTP (offline API) {f['client_offline_cpu_ms_per_call']:.3f}; "
        f"httpx alone {f['client_httpx_cpu_ms_per_call']:.3f}"
    )


def main(argv: list[str] | None = None) -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_loopback")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    _print(run(args.scale))
    print(f"in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
