"""Crash safety: SIGKILL the storage mid-burst again and again; no acknowledged write may be lost.

Run: `python -m benchmarks.crash_safety [--kills N] [--db PATH] [--seed S]` (exits 1 on any loss
or corruption), or `run(kills, folder)` from a smoke test. A child process writes diary entries
through the real `Database` and `Store` from concurrent tasks and appends each write's id to an
ack file only after its unit of work has returned; the parent kills the child at a random moment,
then checks that the database is intact and holds every acknowledged write. Each next child opens
the same file, so recovery from the WAL the killed child left behind is part of every round.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flows.records.models import NewEntry
from storage.ports import DUPLICATE
from storage.sql.session import Session
from storage.sqlite.db import Database
from storage.sqlite.store import Store

ROOT = Path(__file__).resolve().parents[1]
USER_ID = 4242
WRITERS = 8
KILL_AFTER_S = (0.05, 0.4)
READY_TIMEOUT_S = 60.0


# The child: the bot's storage under a burst of concurrent diary writes, until it is killed.


def _read_acks(path: Path) -> set[str]:
    """The acknowledged ids: complete lines only, though a line is never torn."""
    if not path.exists():
        return set()
    text = path.read_text()
    lines = text.split("\n")
    return {line for line in lines[:-1] if line}


def _last_update(session: Session) -> int:
    """The highest update id committed so far."""
    row = session.conn.execute("SELECT coalesce(max(update_id), 0) FROM processed_updates")
    return int(row.fetchone()[0])


def _adder(entry: NewEntry) -> Callable[[Session], int]:
    """The unit of work that stores one entry (a function, so each task binds its own entry)."""
    return lambda session: session.add_entry(USER_ID, entry)


async def _writer(store: Store, ids: Iterator[int], ack_fd: int) -> None:
    """Store entries one after another, acknowledging each only once its commit returned."""
    while True:
        n = next(ids)
        now = datetime.now(UTC)
        entry = NewEntry(
            entry_date=now.date(),
            recorded_at=now,
            timezone="UTC",
            back_pain=n % 11,
            leg_pain=n * 7 % 11,
            note=f"w-{n}",
        )
        if await store.unit(now, _adder(entry), update_id=n) is DUPLICATE:
            raise RuntimeError(f"update {n} was already processed; ids must be fresh")
        # One write() of a whole line on an O_APPEND fd cannot be torn by SIGKILL, and the
        # fsync puts the ack on disk before this task starts its next write.
        os.write(ack_fd, f"w-{n}\n".encode())
        os.fsync(ack_fd)


async def _child(db_path: Path, ack_path: Path) -> None:
    """Open the database like the bot does, then write from concurrent tasks forever."""
    db = await Database.open(db_path)
    store = Store(db)
    await store.unit(datetime.now(UTC), lambda s: s.record_consent(USER_ID, "en", "UTC"))
    # Start past every committed id, acknowledged or not, so no write is a duplicate update,
    # and past every acknowledged one, so a lost write cannot come back under its old id.
    committed = await store.read(_last_update)
    acked = max((int(ack.removeprefix("w-")) for ack in _read_acks(ack_path)), default=0)
    ids = itertools.count(max(committed, acked) + 1)
    ack_fd = os.open(ack_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    print("ready", flush=True)
    await asyncio.gather(*(_writer(store, ids, ack_fd) for _ in range(WRITERS)))


# The parent: start, kill, check, repeat.


@dataclass
class Tally:
    """What the rounds found so far."""

    kills: int = 0
    integrity_failures: int = 0
    torn: int = 0
    duplicates: int = 0
    child_errors: int = 0
    wal_left: int = 0
    run_s: float = 0.0
    acked: set[str] = field(default_factory=set)
    found: set[str] = field(default_factory=set)
    lost: set[str] = field(default_factory=set)
    rows: int = 0
    problems: list[str] = field(default_factory=list)


def _wait_ready(proc: subprocess.Popen[bytes]) -> bool:
    """Wait for the child's ready line; False if it died or hung first."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], READY_TIMEOUT_S)
    return bool(ready) and proc.stdout.readline().strip() == b"ready"


def _snapshot(db: Path, scratch: Path) -> Path:
    """Copy the database and its WAL (not the wal-index) for checking, and return the copy."""
    # Checking a copy keeps the original as the killed child left it: a plain connection on
    # the original would checkpoint the WAL into the file when it closed, and the next child
    # would then never have to recover from a WAL.
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    copy = scratch / db.name
    for suffix in ("", "-wal"):
        source = db.with_name(db.name + suffix)
        if source.exists():
            shutil.copyfile(source, copy.with_name(copy.name + suffix))
    return copy


def _check(copy: Path, acked: set[str], tally: Tally, kill: int) -> None:
    """Check one post-kill state: integrity, every acknowledged write, whole transactions."""
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        integrity = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        notes = [
            str(row[0]) for row in conn.execute("SELECT note FROM entries WHERE note LIKE 'w-%'")
        ]
        claims = {f"w-{row[0]}" for row in conn.execute("SELECT update_id FROM processed_updates")}
        rows = int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
    finally:
        conn.close()
    found = set(notes)
    lost = acked - found
    # An entry and its update claim are one transaction: one without the other is torn.
    torn = len(found ^ claims)
    if integrity != ["ok"]:
        tally.integrity_failures += 1
        tally.problems.append(f"kill {kill}: integrity_check: {' | '.join(integrity)[:300]}")
    if lost:
        tally.problems.append(
            f"kill {kill}: {len(lost)} acknowledged writes missing, e.g. {sorted(lost)[:5]}"
        )
    if torn:
        tally.problems.append(f"kill {kill}: {torn} torn transactions")
    if len(notes) != len(found):
        tally.problems.append(f"kill {kill}: {len(notes) - len(found)} duplicated writes")
    tally.lost |= lost
    tally.torn = max(tally.torn, torn)
    tally.duplicates = max(tally.duplicates, len(notes) - len(found))
    tally.acked = acked
    tally.found = found & acked
    tally.rows = rows


def _round(kill: int, db: Path, acks: Path, rng: random.Random, tally: Tally) -> None:
    """Start a child, kill it at a random moment once it writes, and check what it left."""
    child = ["--child", "--db", str(db), "--ack", str(acks)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.crash_safety", *child],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    ready = _wait_ready(proc)
    started = time.perf_counter()
    if ready:
        time.sleep(rng.uniform(*KILL_AFTER_S))
    proc.send_signal(signal.SIGKILL)
    tally.run_s += time.perf_counter() - started if ready else 0.0
    _, stderr = proc.communicate()
    tally.kills += 1
    if not ready or proc.returncode != -signal.SIGKILL:
        tally.child_errors += 1
        tail = stderr.decode(errors="replace").strip().splitlines()[-3:]
        tally.problems.append(
            f"kill {kill}: child {'never got ready' if not ready else 'died on its own'} "
            f"(exit {proc.returncode}): {' | '.join(tail)}"
        )
    wal = db.with_name(db.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        tally.wal_left += 1
    _check(_snapshot(db, db.with_name(db.name + ".check")), _read_acks(acks), tally, kill)


def run(
    kills: int, folder: Path, *, db: Path | None = None, seed: int | None = None
) -> dict[str, float]:
    """Kill the writing child `kills` times and return the figures."""
    db = db or folder / "crash.db"
    acks = db.with_name(db.name + ".acks")
    acks.write_text("")
    rng = random.Random(seed)
    tally = Tally()
    started = time.perf_counter()
    for kill in range(1, kills + 1):
        _round(kill, db, acks, rng, tally)
    elapsed = time.perf_counter() - started
    shutil.rmtree(db.with_name(db.name + ".check"), ignore_errors=True)
    for problem in tally.problems:
        print(problem)
    return {
        "kills": tally.kills,
        "acknowledged": len(tally.acked),
        "found": len(tally.found),
        "lost": len(tally.lost),
        "integrity_failures": tally.integrity_failures,
        "torn_transactions": tally.torn,
        "duplicates": tally.duplicates,
        "child_errors": tally.child_errors,
        "rows": tally.rows,
        "unacknowledged_present": tally.rows - len(tally.found),
        "wal_left": tally.wal_left,
        "writes_per_s": round(len(tally.acked) / tally.run_s, 1) if tally.run_s else 0.0,
        "seconds": round(elapsed, 1),
    }


def failed(figures: dict[str, float]) -> bool:
    """Whether the figures show a lost write, corruption, a torn write or a crashed child."""
    keys = ("lost", "integrity_failures", "torn_transactions", "duplicates", "child_errors")
    return any(figures[key] for key in keys)


def main(argv: list[str] | None = None) -> int:
    """Run the parent loop (or, with --child, be the writing child)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.crash_safety")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--db", type=Path, help="database file (default: a temporary one)")
    parser.add_argument("--seed", type=int, help="seed for the kill moments")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ack", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        asyncio.run(_child(args.db, args.ack))
        return 0
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    temp = None if args.db is not None else Path(tempfile.mkdtemp(prefix="crash-safety-"))
    db: Path = args.db.resolve() if temp is None else temp / "crash.db"
    figures = run(args.kills, db.parent, db=db, seed=seed)
    print(
        f"seed {seed}, {figures['kills']:.0f} SIGKILLs at 50-400 ms into a burst of "
        f"{WRITERS} concurrent writers, in {figures['seconds']:.1f} s"
    )
    print(
        f"acknowledged writes: {figures['acknowledged']:,.0f}, found after the kills: "
        f"{figures['found']:,.0f}, lost: {figures['lost']:.0f} (must be 0)"
    )
    print(
        f"integrity_check failures: {figures['integrity_failures']:.0f} (must be 0), "
        f"torn transactions: {figures['torn_transactions']:.0f}, "
        f"duplicates: {figures['duplicates']:.0f}, child errors: {figures['child_errors']:.0f}"
    )
    print(
        f"rows in entries: {figures['rows']:,.0f} ({figures['unacknowledged_present']:.0f} "
        f"committed but killed before their ack), kills that left a WAL to recover: "
        f"{figures['wal_left']:.0f}"
    )
    print(f"children's write rate: {figures['writes_per_s']:,.0f} acknowledged writes/s")
    bad = failed(figures)
    if temp is not None:
        if bad:
            print(f"database kept for inspection in {temp}", file=sys.stderr)
        else:
            shutil.rmtree(temp)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
