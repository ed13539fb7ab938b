"""BackTrack's CPU per update against the peer's (`benchmarks.peer_bot`), its persistence included.

The same users run the same /log (bench_updates' stream; the peer's callback data lack
BackTrack's screen prefix) through `Application.process_update` of BackTrack and of the peer,
in interleaved rounds, on the offline Bot API. BackTrack's patients have a year of diary in
SQLite, as in bench_updates; the peer's have two weeks in user_data. CPU is
`time.process_time()` around each round's updates (every thread: aiosqlite's too), divided
by the updates; wall p50/p99 are per update.

BackTrack's figure includes its durability: every update is committed to SQLite before it is
answered. The peer's round does not: PTB saves its PicklePersistence only in
`Application.update_persistence`, run every `update_interval` (60 s by default) on the event
loop, and the round's file is thrown away unsaved. That run is measured apart:

- on a file holding N users (1,000 and 100,000), a few of them run the /log, then one
  `await app.update_persistence()` is timed. With PicklePersistence's defaults
  (`single_file=True`, `on_flush=False`) that run calls `update_user_data` once per user whose
  data changed, and each such call pickles the WHOLE file again; so the run costs one full
  pickle per patient who logged since the last run, and blocks the loop that long.
- amortized: one run per round, as PTB runs one at least once a minute, covering every user
  of the round. A user's /log changes their user_data (draft gone, history grown) while their
  conversation ends where it began (None) and their chat_data stays empty, so that run costs
  one pickle per user of the round (two per run, user_data and conversation, for a /log that
  spans two runs). The peer's CPU per update with persistence is therefore its round's CPU
  per update plus a sixth of the measured per-user cost (each user sends 6 updates): the least
  PTB's defaults allow at any load; it grows with the users in the file.
- `..._one_pickle_...` figures, for comparison: what the peer would cost if it pickled its
  file once per round instead (`on_flush=True` plus a flush each minute: a round's 6,000
  updates a minute is 100 updates/s); fewer updates a minute cost more each.

The ratios are BackTrack's CPU per update over the peer's: issue 13's goal is at most 1 with
the peer's persistence included. Figures named 1k and 100k are for the file sizes in
`persist_1k_users` and `persist_100k_users` (smaller when `scale` is below 1).
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import PicklePersistence

from benchmarks import peer_bot
from benchmarks.bench_updates import NOW, STEPS, stream, with_history
from bot.engine import Engine
from bot.telegram_bot import build_application
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.offline import TOKEN, OfflineApi

APPS = ("backtrack", "peer")
# Users who log on the probe's files before its one persistence run: one pickle each.
PROBE_CHANGED = {"small": 10, "big": 1}
_RUNS = itertools.count()


async def _timed(app: Any, payloads: list[dict[str, Any]]) -> tuple[list[float], float]:
    """Wall time of each update and the process's CPU time of them all (app initialized)."""
    updates = [Update.de_json(p, app.bot) for p in payloads]
    latencies = []
    gc.collect()
    cpu = time.process_time()
    for update in updates:
        start = time.perf_counter()
        await app.process_update(update)
        latencies.append(time.perf_counter() - start)
    return latencies, time.process_time() - cpu


def _entries(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        count: int = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    conn.close()
    return count


async def _backtrack(users: int, folder: Path) -> tuple[list[float], float]:
    """BackTrack as bench_updates builds it, on a fresh copy of its patients' database."""
    path = folder / f"backtrack-{next(_RUNS)}.db"
    shutil.copyfile(await with_history(users, folder), path)
    db = await Database.open(path)
    try:
        store = Store(db)
        engine = Engine(store, lambda: NOW)
        app = build_application(TOKEN, engine, request=OfflineApi(), rate_limit=False)
        async with app:
            timed = await _timed(app, stream(users))
        saved = await store.read(
            lambda s: s.conn.execute(
                "SELECT count(*) FROM entries WHERE entry_date = ?", (NOW.date().isoformat(),)
            ).fetchone()[0]
        )
    finally:
        await db.close()
    if saved != users:
        raise AssertionError(f"BackTrack: expected {users} saved entries, found {saved}")
    return timed


def _peer_app(total: int, folder: Path) -> Any:
    """A fresh peer whose file holds `total` patients with two weeks of diary."""
    folder.mkdir()
    peer_bot.prefill(folder, total, NOW.date())
    return peer_bot.build_peer_application(folder, OfflineApi(), clock=lambda: NOW)


async def _peer(users: int, folder: Path) -> tuple[list[float], float]:
    """The peer's round; its file is dropped unsaved (the probe measures saving)."""
    app = _peer_app(users, folder)
    async with peer_bot.running(app):
        timed = await _timed(app, peer_bot.peer_stream(users))
        # Shutting down would save every user of the round, one full pickle each.
        app.persistence = None
    saved = _entries(folder / peer_bot.DATABASE_FILE)
    if saved != users:
        raise AssertionError(f"peer: expected {users} saved entries, found {saved}")
    return timed


async def _probe(total: int, changed: int, folder: Path, *, load: bool) -> dict[str, float]:
    """Start a peer on `total` patients, let `changed` of them log, time one persistence run."""
    # Without `load` the file holds only the patients who log and the others are put straight
    # into the persistence's memory, as its start-up would have loaded them: the run pickles
    # exactly the same, without waiting for the start-up's copying (PTB deep-copies all it
    # loads: half a minute for 100,000 patients).
    app = _peer_app(total if load else changed, folder)
    wall = time.perf_counter()
    async with peer_bot.running(app):
        figures = {"start_s": time.perf_counter() - wall} if load else {}
        if not load:
            _fill(app.persistence, peer_bot.persistence_data(total, NOW.date()))
        await _timed(app, peer_bot.peer_stream(changed))
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        await app.update_persistence()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if total <= 10_000:
            # Saved means in the file: today's entry is in the history on disk.
            reread: PicklePersistence[Any, Any, Any] = PicklePersistence(
                folder / peer_bot.PERSISTENCE_FILE
            )
            on_disk = await reread.get_user_data()
            if len(on_disk) != total or NOW.date().isoformat() not in on_disk[1]["history"]:
                raise AssertionError("peer: the persistence run did not save the new entry")
        # Only this run is measured; shutting down would pickle the file once more.
        app.persistence = None
    saved = _entries(folder / peer_bot.DATABASE_FILE)
    if saved != changed:
        raise AssertionError(f"peer probe: expected {changed} saved entries, found {saved}")
    return figures | {
        "users": float(total),
        "changed": float(changed),
        "per_user_s": wall / changed,
        "per_user_cpu_s": cpu / changed,
    }


def _fill(persistence: object, data: dict[str, Any]) -> None:
    """Add a file's worth of patients to a running PicklePersistence's memory."""
    assert isinstance(persistence, PicklePersistence)
    assert persistence.user_data is not None
    assert persistence.chat_data is not None
    assert persistence.conversations is not None
    # The patients already loaded from the file keep their own (equal) records.
    persistence.user_data.update(
        (user, record)
        for user, record in data["user_data"].items()
        if user not in persistence.user_data
    )
    persistence.chat_data.update(data["chat_data"])
    conversations = persistence.conversations.setdefault(peer_bot.CONVERSATION, {})
    for key, state in data["conversations"][peer_bot.CONVERSATION].items():
        conversations.setdefault(key, state)


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def measure(
    users: int, big: int, folder: Path, rounds: int = 3, *, load_big: bool = False
) -> dict[str, float]:
    """Interleaved rounds of BackTrack and the peer, then the peer's persistence probes."""
    warm = max(5, users // 20)
    # A first pass warms imports, caches and the file system; it is not counted.
    await _backtrack(warm, folder)
    await _peer(warm, folder / f"peer-{next(_RUNS)}")
    latencies: dict[str, list[float]] = {name: [] for name in APPS}
    cpu: dict[str, float] = dict.fromkeys(APPS, 0.0)
    ratios: list[float] = []
    for _ in range(rounds):
        back_lat, back_cpu = await _backtrack(users, folder)
        peer_lat, peer_cpu = await _peer(users, folder / f"peer-{next(_RUNS)}")
        latencies["backtrack"] += back_lat
        latencies["peer"] += peer_lat
        cpu["backtrack"] += back_cpu
        cpu["peer"] += peer_cpu
        ratios.append(back_cpu / peer_cpu)
    updates = len(stream(users))
    figures: dict[str, float] = {
        "users": float(users),
        "updates": float(updates),
        "rounds": float(rounds),
    }
    for name in APPS:
        ordered = sorted(latencies[name])
        figures[f"{name}_cpu_ms"] = cpu[name] * 1000 / (updates * rounds)
        figures[f"{name}_p50_ms"] = statistics.median(ordered) * 1000
        figures[f"{name}_p99_ms"] = _percentile(ordered, 0.99) * 1000
        figures[f"{name}_mean_ms"] = statistics.fmean(ordered) * 1000
    changed = min(users, PROBE_CHANGED["small"])
    small = await _probe(users, changed, folder / "probe-small", load=True)
    large = await _probe(big, PROBE_CHANGED["big"], folder / "probe-big", load=load_big)
    for label, probe in (("1k", small), ("100k", large)):
        figures[f"persist_{label}_users"] = probe["users"]
        figures[f"persist_{label}_changed"] = probe["changed"]
        figures[f"persist_{label}_s"] = probe["per_user_s"]
        figures[f"persist_{label}_cpu_s"] = probe["per_user_cpu_s"]
        if "start_s" in probe:
            figures[f"peer_start_{label}_s"] = probe["start_s"]
        # The round's one persistence run saves each of its users: a full pickle each.
        figures[f"persist_round_{label}_s"] = probe["per_user_s"] * users
    per_user_steps = len(STEPS)
    peer_ms = figures["peer_cpu_ms"]
    back_ms = figures["backtrack_cpu_ms"]
    figures["peer_cpu_with_persistence_ms"] = (
        peer_ms + figures["persist_1k_cpu_s"] * 1000 / per_user_steps
    )
    figures["peer_cpu_with_persistence_100k_ms"] = (
        peer_ms + figures["persist_100k_cpu_s"] * 1000 / per_user_steps
    )
    figures["peer_cpu_one_pickle_ms"] = peer_ms + figures["persist_1k_cpu_s"] * 1000 / updates
    figures["peer_cpu_one_pickle_100k_ms"] = (
        peer_ms + figures["persist_100k_cpu_s"] * 1000 / updates
    )
    figures["ratio_without_persistence"] = back_ms / peer_ms
    figures["ratio_with_persistence"] = back_ms / figures["peer_cpu_with_persistence_ms"]
    figures["ratio_with_persistence_100k"] = back_ms / figures["peer_cpu_with_persistence_100k_ms"]
    figures["ratio_one_pickle"] = back_ms / figures["peer_cpu_one_pickle_ms"]
    figures["ratio_one_pickle_100k"] = back_ms / figures["peer_cpu_one_pickle_100k_ms"]
    figures["ratio_without_persistence_min"] = min(ratios)
    figures["ratio_without_persistence_max"] = max(ratios)
    return figures


def run(scale: float = 1.0, rounds: int = 3, *, load_big: bool = False) -> dict[str, float]:
    """Measure with `scale` times 1,000 users in the rounds and 100,000 in the large file."""
    # With load_big the peer starts from the large file too and peer_start_100k_s is
    # reported; that start takes half a minute or more.
    users = max(5, round(1000 * scale))
    big = max(users, round(100_000 * scale))
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(measure(users, big, Path(folder), rounds, load_big=load_big))


def _print(f: dict[str, float]) -> None:
    small, big = f"{f['persist_1k_users']:,.0f}", f"{f['persist_100k_users']:,.0f}"
    print(
        f"{f['updates']:.0f} updates a round ({f['users']:.0f} users each logging a day "
        f"through /log), {f['rounds']:.0f} rounds interleaved, offline Bot API"
    )
    for name in APPS:
        print(
            f"{name:>9}: CPU {f[name + '_cpu_ms']:.3f} ms/update; wall mean "
            f"{f[name + '_mean_ms']:.3f} ms, p50 {f[name + '_p50_ms']:.3f} ms, "
            f"p99 {f[name + '_p99_ms']:.3f} ms"
        )
    for label in ("1k", "100k"):
        print(
            f"peer persistence, {f[f'persist_{label}_users']:.0f} users in the file: "
            f"update_persistence() blocks the loop {f[f'persist_{label}_s'] * 1000:.0f} ms "
            f"(CPU {f[f'persist_{label}_cpu_s'] * 1000:.0f} ms) per user changed since the "
            f"last run (measured with {f[f'persist_{label}_changed']:.0f}); so one run after a "
            f"round's {f['users']:.0f} users: {f[f'persist_round_{label}_s']:.1f} s"
            + (
                f"; start-up (load and copy) {f[f'peer_start_{label}_s']:.2f} s"
                if f"peer_start_{label}_s" in f
                else ""
            )
        )
    print(
        f"peer CPU/update with persistence: {f['peer_cpu_with_persistence_ms']:.3f} ms "
        f"({small} users in the file), {f['peer_cpu_with_persistence_100k_ms']:.3f} ms "
        f"({big}); pickling once a round instead: {f['peer_cpu_one_pickle_ms']:.3f} ms "
        f"({small}), {f['peer_cpu_one_pickle_100k_ms']:.3f} ms ({big})"
    )
    print(
        f"BackTrack CPU/update / peer's: {f['ratio_without_persistence']:.2f} without its "
        f"persistence (rounds {f['ratio_without_persistence_min']:.2f}-"
        f"{f['ratio_without_persistence_max']:.2f}); with it {f['ratio_with_persistence']:.3f} "
        f"({small}), {f['ratio_with_persistence_100k']:.5f} ({big}); pickling once a round "
        f"{f['ratio_one_pickle']:.2f} ({small}), {f['ratio_one_pickle_100k']:.2f} ({big}). "
        "Goal (issue 13): <= 1 with persistence"
    )


def main() -> None:
    """Print the figures for 1,000 users logging a day, three rounds, and the 100k file."""
    started = time.perf_counter()
    _print(run(1.0))
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
