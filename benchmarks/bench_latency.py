"""No patient waits for another: update-to-reply latency over a Bot API with round trips.

Every Bot API call answers after `latency` seconds (50 ms by default, Telegram's round trip),
optionally spread uniformly by ± `jitter`. N patients (1, 10, 100, 1,000) each log a day
(/log, then five presses to a saved entry) through the real `Application`'s update queue,
all starting at once; each patient taps again only once the previous screen has arrived (a
real patient taps what they see), after `think` seconds. The same patients go through a bare
python-telegram-bot application (answer the press and edit, reply to /log) under the same
update processor (`PerUserOrder`, same maximum of concurrent updates), in interleaved rounds
so that a machine speeding up or slowing down moves both alike.

When an update was answered: the offline API stamps, per chat, the moment each message call
(sendMessage, editMessageText, sendDocument) completed. A handler in group 1 runs after
BackTrack's (group 0) handler has awaited all its calls; it wakes the patient, who reads their
chat's stamp. Each patient has one update in flight, so that stamp is the last reply the
patient saw for it (the edited screen of a press, the screen sent for /log): the figure is
from the update entering the queue to that reply having arrived, without the bookkeeping the
handler may still do after it.

Then one patient with a ten-year daily diary, already at /export → Everything, presses PDF
(in other rounds FHIR) as 100 others start logging a day; the file is made in a worker
process, as the service makes it. The others' p99 with and without the export, in interleaved
rounds, shows how much one heavy export holds everyone else.

Goals (issue 13): at 50 ms and 100 patients, BackTrack's throughput ≥ 80 % of the bare
application's and p99 < 1 s; an export raises the others' p99 by < 200 ms.

    python -m benchmarks.bench_latency [--latency S] [--jitter S] [--think S] [--scale X]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    TypeHandler,
)
from telegram.request import RequestData

from benchmarks.bench_export import TEN_YEARS, sample
from benchmarks.bench_trends import SURGERY
from benchmarks.bench_updates import (
    NOW,
    PRESSES,
    _bare,
    command_update,
    press_update,
    register_users,
)
from bot.engine import Engine
from bot.ordering import MAX_CONCURRENT_UPDATES, PerUserOrder
from bot.telegram_bot import build_application
from bot.workers import Workers
from storage.sql.session import Session
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.offline import MESSAGE_METHODS, TOKEN, OfflineApi

PATIENTS = (1, 10, 100, 1000)
EXPORT_OTHERS = 100
# Far above any user id the patients get, so the diary's rows are told apart from theirs.
EXPORTER = 1_000_000
EXPORTS = ("none", "pdf", "fhir")
# An update that takes this long is lost, not slow: fail instead of hanging.
GIVE_UP_S = 120.0
# Less than this is no diary file: an export that failed is explained in a message instead.
MIN_DOCUMENT_BYTES = 1024
_RUNS = itertools.count()


# bench_concurrency's SlowApi sleeps a fixed time inside `answer`; this one needs the jitter
# and the stamps around the same sleep, so it extends the offline API directly.
class LatencyApi(OfflineApi):
    """The offline Bot API with a jittered round trip; it stamps each chat's latest reply."""

    def __init__(self, latency: float, jitter: float = 0.0, seed: int = 13) -> None:
        super().__init__()
        self.latency = latency
        self.jitter = jitter
        # Seeded: every run draws the same spread of round trips.
        self._rng = random.Random(seed)
        self.replied: dict[int, float] = {}
        self.documents: dict[int, int] = {}

    def uploaded(self, name: str, params: dict[str, Any], request_data: RequestData) -> None:
        """Note the size of a file sent."""
        if name == "sendDocument":
            size = sum(
                len(content)
                for _, content, _ in request_data.multipart_data.values()
                if isinstance(content, bytes)
            )
            chat = int(params.get("chat_id", 0))
            self.documents[chat] = self.documents.get(chat, 0) + size

    async def answer(
        self, url: str, method: str, name: str, params: dict[str, Any]
    ) -> tuple[int, bytes]:
        """Answer after the round trip; stamp the chat when a message call completes."""
        spread = self._rng.uniform(-self.jitter, self.jitter) if self.jitter else 0.0
        await asyncio.sleep(max(0.0, self.latency + spread))
        answer = await super().answer(url, method, name, params)
        if name in MESSAGE_METHODS and "chat_id" in params:
            self.replied[int(params["chat_id"])] = time.perf_counter()
        return answer


@dataclass(frozen=True, slots=True)
class Run:
    """One run: the measured patients' arrivals and waits for a reply (s), and the exporter's."""

    latencies: list[float]
    arrivals: list[float]
    updates: int
    wall: float
    export_start: float
    export_end: float
    document_bytes: int


def _log_script(user: int, ids: itertools.count[int]) -> list[dict[str, Any]]:
    presses = [
        press_update(next(ids), user, f"bt:{step}:{value}")
        for step, value in enumerate(PRESSES, start=1)
    ]
    return [command_update(next(ids), user, "/log"), *presses]


def _export_script(fmt: str, ids: itertools.count[int]) -> list[dict[str, Any]]:
    return [
        command_update(next(ids), EXPORTER, "/export"),
        press_update(next(ids), EXPORTER, "bt:1:all"),
        press_update(next(ids), EXPORTER, f"bt:2:{fmt}"),
    ]


@dataclass(frozen=True, slots=True)
class Bench:
    """What every run shares: the Bot API's timing, the patients' pace, files and workers."""

    latency: float
    jitter: float
    think: float
    folder: Path
    # One set for the whole benchmark, as the service keeps one for its lifetime.
    workers: Workers

    def api(self) -> LatencyApi:
        """A fresh offline Bot API with this benchmark's round trip."""
        return LatencyApi(self.latency, self.jitter)


async def _drive(
    app: Application,  # type: ignore[type-arg]
    api: LatencyApi,
    users: int,
    think: float,
    export: str = "none",
) -> Run:
    """Let every patient log a day (and the exporter export) at once; time the replies."""
    ids = itertools.count(1)
    payloads = [_log_script(user, ids) for user in range(1, users + 1)]
    if export != "none":
        payloads.append(_export_script(export, ids))
    loop = asyncio.get_running_loop()
    pending: dict[int, asyncio.Future[None]] = {}

    async def answered(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        waiting = pending.pop(update.update_id, None)
        if waiting is not None:
            waiting.set_result(None)

    # Group 1 runs after the update's group-0 handler has awaited every call it made.
    app.add_handler(TypeHandler(Update, answered), group=1)

    async def patient(script: list[Update]) -> list[tuple[float, float]]:
        times = []
        for update in script:
            chat = update.effective_chat.id if update.effective_chat else 0
            pending[update.update_id] = loop.create_future()
            arrived = time.perf_counter()
            await app.update_queue.put(update)
            await asyncio.wait_for(pending[update.update_id], GIVE_UP_S)
            replied = api.replied.get(chat, 0.0)
            if replied < arrived:
                raise AssertionError(f"update {update.update_id} was handled without a reply")
            times.append((arrived, replied))
            if think:
                await asyncio.sleep(think)
        return times

    async with app:
        scripts = [[Update.de_json(p, app.bot) for p in script] for script in payloads]
        await app.start()
        if export != "none":
            # At the format question when the others arrive: the file is asked for as they
            # start, and made while they log.
            await patient(scripts[-1][:-1])
            scripts[-1] = scripts[-1][-1:]
        results = await asyncio.gather(*(patient(script) for script in scripts))
        await app.stop()
    measured = [t for times in results[:users] for t in times]
    exporter = results[users] if export != "none" else []
    if exporter and api.documents.get(EXPORTER, 0) < MIN_DOCUMENT_BYTES:
        raise AssertionError(f"the {export} export sent no diary file")
    return Run(
        latencies=[replied - arrived for arrived, replied in measured],
        arrivals=[arrived for arrived, _ in measured],
        updates=len(measured),
        wall=max(r for _, r in measured) - min(a for a, _ in measured),
        # The last press asks for the file; the document is the last reply to it.
        export_start=exporter[-1][0] if exporter else 0.0,
        export_end=exporter[-1][1] if exporter else 0.0,
        document_bytes=api.documents.get(EXPORTER, 0),
    )


async def _bare_run(bench: Bench, users: int) -> Run:
    api = bench.api()
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(api)
        .concurrent_updates(PerUserOrder(MAX_CONCURRENT_UPDATES))
        .get_updates_request(OfflineApi())
        .build()
    )
    app.add_handler(CommandHandler("log", _bare))
    app.add_handler(CallbackQueryHandler(_bare))
    return await _drive(app, api, users, bench.think)


def _diary_writer(days: int) -> Callable[[Session], None]:
    """Return the work that stores a ten-year diary (scaled) for the exporting patient."""
    data = sample(days)
    # The sample diary starts in 2015 whatever its length; moved to end yesterday, "Everything"
    # spans the diary, not the years up to today.
    shift = NOW.date() - timedelta(days=1) - data.last
    surgery = SURGERY + shift
    # Asked already: /export goes straight to the period question.
    profile = data.profile.model_copy(
        update={
            "user_id": EXPORTER,
            "country": "GB",
            "details_asked_at": NOW,
            "consented_at": data.profile.consented_at + shift,
            "surgery_year": surgery.year,
            "surgery_month": surgery.month,
        }
    )
    entries = [
        e.model_copy(
            update={"entry_date": e.entry_date + shift, "recorded_at": e.recorded_at + shift}
        )
        for e in data.entries
    ]
    checks = [c.model_copy(update={"recorded_at": c.recorded_at + shift}) for c in data.checks]
    alerts = [a.model_copy(update={"day": a.day + shift}) for a in data.alerts]

    def write(session: Session) -> None:
        session.save_profile(profile)
        for entry in entries:
            session.add_entry(EXPORTER, entry)
        for check in checks:
            session.add_check(EXPORTER, check)
        for alert in alerts:
            session.add_alert(EXPORTER, alert)

    return write


async def _backtrack_run(
    bench: Bench,
    users: int,
    export: str = "none",
    diary: Callable[[Session], None] | None = None,
) -> Run:
    db = await Database.open(bench.folder / f"backtrack-{next(_RUNS)}.db")
    try:
        store = Store(db)

        def seed(session: Session) -> None:
            register_users(session, users)
            if diary is not None:
                diary(session)

        await store.unit(NOW, seed)
        engine = Engine(store, lambda: NOW, bench.workers)
        api = bench.api()
        app = build_application(
            TOKEN,
            engine,
            request=api,
            # Never polled; the default would build an HTTPS client (and load the CA store).
            updates_request=OfflineApi(),
            # As the service runs it: the send limiter must not hold a patient's replies.
            rate_limit=True,
            concurrent=True,
        )
        run = await _drive(app, api, users, bench.think, export)
        saved = await store.read(
            lambda s: s.conn.execute(
                "SELECT count(*), count(DISTINCT user_id) FROM entries "
                "WHERE user_id <= ? AND entry_date = ?",
                (users, NOW.date().isoformat()),
            ).fetchone()
        )
        if tuple(saved) != (users, users):
            raise AssertionError(f"expected today's entry for each of {users}, found {saved}")
        return run
    finally:
        await db.close()


def _pct(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _throughput(run: Run) -> float:
    return run.updates / run.wall


def _p99(run: Run) -> float:
    return _pct(sorted(run.latencies), 0.99)


def _summary(prefix: str, runs: list[Run]) -> dict[str, float]:
    ordered = sorted(x for run in runs for x in run.latencies)
    return {
        f"{prefix}_updates_per_s": sum(r.updates for r in runs) / sum(r.wall for r in runs),
        f"{prefix}_p50_ms": statistics.median(ordered) * 1000,
        f"{prefix}_p99_ms": _pct(ordered, 0.99) * 1000,
    }


def _overlap(run: Run) -> float:
    """The share of the others' updates that arrived while the export was being made."""
    during = sum(run.export_start <= a <= run.export_end for a in run.arrivals)
    return during / len(run.arrivals)


async def measure(bench: Bench, scale: float, rounds: int) -> dict[str, float]:
    """Every N, bare and BackTrack interleaved; then the export rounds; flat figures."""
    days = max(30, round(TEN_YEARS * scale))
    others = max(2, round(EXPORT_OTHERS * scale))
    diary = _diary_writer(days)
    if scale >= 1:
        # Warm-up, not counted: imports, caches, and the file worker started with its modules.
        await _backtrack_run(bench, 2, "pdf", diary)
        await _bare_run(bench, 5)
        await _backtrack_run(bench, 5)
    figures: dict[str, float] = {
        "latency_ms": bench.latency * 1000,
        "jitter_ms": bench.jitter * 1000,
        "think_ms": bench.think * 1000,
        "max_concurrent_updates": float(MAX_CONCURRENT_UPDATES),
        "file_workers": float(bench.workers.processes),
    }
    # Below scale 1 several N shrink to the same number of patients; they are measured once.
    measured: dict[int, dict[str, list[Run]]] = {}
    for nominal in PATIENTS:
        users = max(1, round(nominal * scale))
        # The largest N takes most of the time: fewer rounds keep the whole run bounded.
        count = max(1, rounds // 3) if nominal == max(PATIENTS) else rounds
        if users not in measured:
            measured[users] = {"bare": [], "backtrack": []}
            for _ in range(count):
                measured[users]["bare"].append(await _bare_run(bench, users))
                measured[users]["backtrack"].append(await _backtrack_run(bench, users))
        runs = measured[users]
        key = f"n{nominal}"
        figures[f"{key}_patients"] = float(users)
        figures[f"{key}_rounds"] = float(len(runs["bare"]))
        for name, done in runs.items():
            figures.update(_summary(f"{key}_{name}", done))
        figures[f"{key}_ratio"] = (
            figures[f"{key}_backtrack_updates_per_s"] / figures[f"{key}_bare_updates_per_s"]
        )
        ratios = [
            _throughput(t) / _throughput(b)
            for b, t in zip(runs["bare"], runs["backtrack"], strict=True)
        ]
        figures[f"{key}_ratio_min"], figures[f"{key}_ratio_max"] = min(ratios), max(ratios)
    exports: dict[str, list[Run]] = {name: [] for name in EXPORTS}
    # A round's p99 rests on its few worst moments; the export gets more rounds to pool.
    export_rounds = rounds + 2 if scale >= 1 else rounds
    for _ in range(export_rounds):
        for name in EXPORTS:
            exports[name].append(await _backtrack_run(bench, others, name, diary))
    figures["export_days"] = float(days)
    figures["export_others"] = float(others)
    figures["export_rounds"] = float(export_rounds)
    for name, done in exports.items():
        figures.update(_summary(f"export_{name}", done))
        if name == "none":
            continue
        for stat in ("p50", "p99"):
            figures[f"export_{name}_{stat}_increase_ms"] = (
                figures[f"export_{name}_{stat}_ms"] - figures[f"export_none_{stat}_ms"]
            )
        # Each round against the round's own run without an export: the spread of the rise.
        rises = [
            (_p99(run) - _p99(alone)) * 1000
            for alone, run in zip(exports["none"], done, strict=True)
        ]
        figures[f"export_{name}_p99_increase_min_ms"] = min(rises)
        figures[f"export_{name}_p99_increase_max_ms"] = max(rises)
        figures[f"export_{name}_bytes"] = float(min(r.document_bytes for r in done))
        figures[f"export_{name}_ms"] = (
            statistics.median(r.export_end - r.export_start for r in done) * 1000
        )
        figures[f"export_{name}_overlap"] = statistics.fmean(_overlap(r) for r in done)
    return figures


def run(
    scale: float = 1.0,
    *,
    latency: float | None = None,
    jitter: float = 0.0,
    think: float = 0.0,
    rounds: int | None = None,
    file_workers: int | None = None,
) -> dict[str, float]:
    """Measure at `scale` times the patients and the diary; latency 50 ms, 5 ms below scale 1.

    Files are made by `file_workers` worker processes, one as the service's default, or with
    0 in threads as the console and the tests do (the default below scale 1: a worker takes
    seconds to start).

    Keys, for each N in 1, 10, 100, 1000 (`n100_...`): `_patients`, `_rounds`,
    `_bare_updates_per_s`, `_bare_p50_ms`, `_bare_p99_ms`, the same for `_backtrack_`,
    `_ratio` (BackTrack's throughput over bare's, rounds pooled), `_ratio_min` and
    `_ratio_max` (round by round). For the export rounds, `export_none_`, `export_pdf_` and
    `export_fhir_` `updates_per_s`, `p50_ms` and `p99_ms` (the others'), and for pdf and fhir:
    `_p99_increase_ms` and `_p50_increase_ms` (pooled), `_p99_increase_min_ms` and
    `_p99_increase_max_ms` (round by round), `_bytes`, `_ms` (the press to the file sent),
    `_overlap` (the share of the others' updates that arrived meanwhile). Also
    `export_days`, `export_others`, `export_rounds`, `latency_ms`, `jitter_ms`, `think_ms`,
    `max_concurrent_updates` and `file_workers`.
    """
    full = scale >= 1
    workers = Workers(processes=file_workers if file_workers is not None else int(full))
    try:
        with tempfile.TemporaryDirectory() as folder:
            bench = Bench(
                latency=latency if latency is not None else (0.05 if full else 0.005),
                jitter=jitter,
                think=think,
                folder=Path(folder),
                workers=workers,
            )
            chosen = rounds if rounds is not None else (3 if full else 1)
            return asyncio.run(measure(bench, scale, chosen))
    finally:
        workers.close()


def _print(f: dict[str, float]) -> None:
    files = f"{f['file_workers']:.0f} worker processes" if f["file_workers"] else "threads"
    print(
        f"Bot API round trip {f['latency_ms']:.0f} ms ± {f['jitter_ms']:.0f} ms, think time "
        f"{f['think_ms']:.0f} ms, at most {f['max_concurrent_updates']:.0f} updates at once, "
        f"files made in {files}; update → reply arrived:"
    )
    print(
        f"{'patients':>8} {'rounds':>6}  {'app':<9} {'updates/s':>9} {'p50 ms':>8} {'p99 ms':>8}"
        "  BackTrack/bare throughput (rounds)"
    )
    for nominal in PATIENTS:
        key = f"n{nominal}"
        for name in ("bare", "backtrack"):
            ratio = ""
            if name == "backtrack":
                spread = f"{f[key + '_ratio_min']:.0%}–{f[key + '_ratio_max']:.0%}"
                ratio = f"{f[key + '_ratio']:.0%} ({spread})"
            print(
                f"{f[key + '_patients']:>8.0f} {f[key + '_rounds']:>6.0f}  {name:<9} "
                f"{f[f'{key}_{name}_updates_per_s']:>9.0f} {f[f'{key}_{name}_p50_ms']:>8.0f} "
                f"{f[f'{key}_{name}_p99_ms']:>8.0f}  {ratio}"
            )
    print(
        f"Goals at N=100: throughput ≥ 80 % of bare ({f['n100_ratio']:.0%}), "
        f"p99 < 1 s ({f['n100_backtrack_p99_ms']:.0f} ms)"
    )
    print(
        f"{f['export_others']:.0f} patients logging a day while one exports "
        f"{f['export_days']:.0f} daily entries (Everything), {f['export_rounds']:.0f} rounds:"
    )
    print(f"{'export':>8}  {'p50 ms':>8} {'p99 ms':>8} {'p99 +ms':>8} {'(rounds)':>13}  file")
    for name in EXPORTS:
        extra = increase = spread = ""
        if name != "none":
            increase = f"{f[f'export_{name}_p99_increase_ms']:+.0f}"
            spread = (
                f"({f[f'export_{name}_p99_increase_min_ms']:+.0f}…"
                f"{f[f'export_{name}_p99_increase_max_ms']:+.0f})"
            )
            extra = (
                f"{f[f'export_{name}_bytes'] / 1024:.0f} KiB in {f[f'export_{name}_ms']:.0f} ms; "
                f"{f[f'export_{name}_overlap']:.0%} of the others' updates arrived meanwhile"
            )
        print(
            f"{name:>8}  {f[f'export_{name}_p50_ms']:>8.0f} {f[f'export_{name}_p99_ms']:>8.0f} "
            f"{increase:>8} {spread:>13}  {extra}"
        )
    print("Goal: the others' p99 rises < 200 ms during an export")


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=None, help="seconds (default 0.05)")
    parser.add_argument("--jitter", type=float, default=0.0, help="± seconds, uniform")
    parser.add_argument("--think", type=float, default=0.0, help="seconds between taps")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--file-workers", type=int, default=None, help="0: threads")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    f = run(
        args.scale,
        latency=args.latency,
        jitter=args.jitter,
        think=args.think,
        rounds=args.rounds,
        file_workers=args.file_workers,
    )
    _print(f)
    print(f"measured in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
