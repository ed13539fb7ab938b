"""What one worker serves on PostgreSQL beside SQLite: the same patients, the same round trips.

Every patient sends /log and presses through a saved entry, all at once, through one bot
process with BackTrack's per-user concurrency and a Bot API that takes `latency` seconds a
call. The same stream runs on a SQLite file and on a fresh PostgreSQL schema, in turns, and the
figures are updates a second, the wait from arrival to answer, and PostgreSQL / SQLite.

    BACKTRACK_TEST_POSTGRES=postgresql://postgres@127.0.0.1:5432/test \\
        python -m benchmarks.bench_postgres [--users N] [--latency SECONDS] [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg

from benchmarks.bench_concurrency import answer_times
from benchmarks.bench_updates import NOW
from flows.records.models import Profile
from storage import ports
from storage.postgres.store import Store as PostgresStore
from storage.sqlite.db import Database
from storage.sqlite.store import Store as SqliteStore


def _register(session: ports.Session, users: int) -> None:
    """Patients onboarded today, as bench_updates registers them, through the port alone."""
    for user in range(1, users + 1):
        session.save_profile(
            Profile(user_id=user, consented_at=NOW, country="GB", details_asked_at=NOW)
        )


async def _serve(store: ports.Store, users: int, latency: float) -> list[float]:
    """The stream through the bot on `store`, the patients registered through the port."""
    await store.unit(NOW, lambda s: _register(s, users))
    return await answer_times(store, users, latency)


async def _sqlite(users: int, latency: float, folder: Path) -> list[float]:
    db = await Database.open(folder / f"{uuid.uuid4().hex}.db")
    try:
        return await _serve(SqliteStore(db), users, latency)
    finally:
        await db.close()


async def _postgres(url: str, users: int, latency: float) -> list[float]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in url else "?"
    store = await PostgresStore.open(f"{url}{joiner}options={quote(f'-csearch_path={schema}')}")
    try:
        return await _serve(store, users, latency)
    finally:
        await store.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _figures(name: str, waits: list[list[float]]) -> dict[str, float]:
    every = sorted(w for run in waits for w in run)
    totals = [max(run) for run in waits]
    return {
        f"{name}_updates_per_s": statistics.median(len(run) / max(run) for run in waits),
        f"{name}_p50_ms": 1000 * every[len(every) // 2],
        f"{name}_p99_ms": 1000 * every[int(0.99 * (len(every) - 1))],
        f"{name}_total_s": statistics.median(totals),
    }


def run(url: str, users: int = 100, latency: float = 0.05, rounds: int = 3) -> dict[str, float]:
    """Both backends on the same stream, in turns; figures and PostgreSQL / SQLite ratios."""

    async def turns() -> tuple[list[list[float]], list[list[float]]]:
        lite: list[list[float]] = []
        pg: list[list[float]] = []
        with tempfile.TemporaryDirectory() as folder:
            for _ in range(rounds):
                lite.append(await _sqlite(users, latency, Path(folder)))
                pg.append(await _postgres(url, users, latency))
        return lite, pg

    lite, pg = asyncio.run(turns())
    figures: dict[str, Any] = {"users": users, "latency_ms": 1000 * latency, "rounds": rounds}
    figures |= _figures("sqlite", lite) | _figures("postgres", pg)
    figures["throughput_ratio"] = (
        figures["postgres_updates_per_s"] / figures["sqlite_updates_per_s"]
    )
    figures["p99_ratio"] = figures["postgres_p99_ms"] / figures["sqlite_p99_ms"]
    return {k: float(v) for k, v in figures.items()}


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    url = os.environ.get("BACKTRACK_TEST_POSTGRES")
    if not url:
        parser.error("set BACKTRACK_TEST_POSTGRES to a PostgreSQL server to measure on")
    f = run(url, args.users, args.latency, args.rounds)
    print(
        f"{f['users']:.0f} patients logging a day at once through one worker, "
        f"{f['latency_ms']:.0f} ms per Bot API call, {f['rounds']:.0f} rounds in turns:"
    )
    for name in ("sqlite", "postgres"):
        print(
            f"  {name:8s} {f[name + '_updates_per_s']:.0f} updates/s; p50 "
            f"{f[name + '_p50_ms']:.0f} ms, p99 {f[name + '_p99_ms']:.0f} ms"
        )
    print(
        f"  PostgreSQL / SQLite: throughput {f['throughput_ratio']:.2f}x, "
        f"p99 {f['p99_ratio']:.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
