"""The SQLite connection: WAL, foreign keys, and units of work run on aiosqlite's thread."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import aiosqlite

from storage.sqlite.migrations import migrate

T = TypeVar("T")


# A checkpoint that a reader blocks is tried again, a little later each time.
BUSY_TIMEOUT_MS = 5000
CHECKPOINT_TRIES = 10
CHECKPOINT_RETRY_SECONDS = 0.05


class DatabaseKeyError(Exception):
    """The database cannot be opened with the key given (one line for the operator)."""


def _encrypted_connector(file: Path, key: str) -> Callable[[], sqlite3.Connection]:
    try:
        import sqlcipher3
    except ImportError:
        raise DatabaseKeyError(
            "BACKTRACK_DB_KEY is set but SQLCipher is not installed: "
            "pip install 'backtrack[encryption]'"
        ) from None

    def connect() -> sqlite3.Connection:
        conn = sqlcipher3.connect(str(file), isolation_level=None, check_same_thread=False)
        # SQLCipher writes a wrong key's errors straight to stderr; the caller reports it once.
        conn.execute("PRAGMA cipher_log_level = NONE")
        # PRAGMA takes no bound parameters; doubling quotes keeps any key a string literal.
        conn.execute("PRAGMA key = '{}'".format(key.replace("'", "''")))
        return cast(sqlite3.Connection, conn)

    return connect


@dataclass(frozen=True, slots=True)
class Location:
    """What another thread or process needs to open the same database file."""

    path: Path
    key: str | None = field(default=None, repr=False)


def open_reader(location: Location) -> sqlite3.Connection:
    """A connection of its own for one long read, so the database thread is not held by it.

    WAL lets it read a consistent snapshot while the bot goes on writing; `query_only` makes
    sure it never writes.
    """
    if location.key is None:
        conn = sqlite3.connect(location.path, isolation_level=None)
    else:
        conn = _encrypted_connector(location.path, location.key)()
    conn.execute("PRAGMA query_only = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


class Database:
    """One aiosqlite connection; reads and write transactions each cost one thread hop."""

    def __init__(self, conn: aiosqlite.Connection, path: Path, key: str | None = None) -> None:
        self._conn = conn
        self.path = path
        self._key = key
        # Units of work waiting for the next group commit; shared with the database thread.
        self._queued: list[_Unit[Any]] = []
        self._queued_lock = threading.Lock()
        self._flushes: set[asyncio.Task[None]] = set()
        # An erased diary's old pages may still be in the WAL: the next fold must empty it.
        self.erasure_in_wal = False

    @property
    def location(self) -> Location:
        """Where this database is, for a reader of its own (file workers)."""
        return Location(self.path, self._key)

    @classmethod
    async def open(cls, path: str | Path, key: str | None = None) -> Database:
        """Open (creating if needed) and migrate the database file; with a key, SQLCipher."""
        file = Path(path)
        _owner_only(file)
        if key is None:
            conn = await aiosqlite.connect(file, isolation_level=None, check_same_thread=False)
        else:
            conn = await aiosqlite.Connection(_encrypted_connector(file, key), 64)
        db = cls(conn, file, key)
        try:
            await db.run(_configure)
        except BaseException as error:
            await conn.close()
            if "file is not a database" not in str(error):
                raise
            if key is not None:
                raise DatabaseKeyError(
                    f"{file} cannot be opened with this BACKTRACK_DB_KEY: the key is wrong, "
                    "or the file was created without encryption"
                ) from None
            raise DatabaseKeyError(
                f"{file} is encrypted (or is not a database): set BACKTRACK_DB_KEY to its key"
            ) from None
        return db

    async def close(self) -> None:
        """Checkpoint and close the connection."""
        await self.run(lambda c: c.execute("PRAGMA optimize"))
        await self._conn.close()

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run fn with the raw connection on the database thread, in one hop."""
        return await run_on_thread(self._conn, fn)

    async def compact(self) -> bool:
        """Fold the WAL into the file and rebuild it (at start-up: it blocks the database).

        Also what an erasure left behind when the process died before it folded the WAL. True
        once the WAL is empty; a reader in another process can keep it from emptying, and then
        the fold is retried (`fold_if_pending`) until it does.
        """
        self.erasure_in_wal = True
        if not await self.fold_wal():
            return False
        await self.run(lambda conn: conn.execute("VACUUM"))
        self.erasure_in_wal = True
        return await self.fold_wal()

    async def fold_wal(self, tries: int = CHECKPOINT_TRIES) -> bool:
        """Fold the WAL into the file and empty it; True once SQLite says it did all of it.

        After an erasure, secure_delete has already zeroed the rows in their pages; the WAL
        still holds older copies of those pages until this checkpoint. It is quick, unlike a
        VACUUM, so other patients do not wait; a reader holding the WAL (a file worker reading
        a snapshot) makes it retry, between tries rather than inside SQLite's busy wait, which
        would hold the database thread, and every patient, for seconds.
        """
        for attempt in range(tries):
            busy, _frames, _done = await self.run(_checkpoint_now)
            if busy == 0:
                self.erasure_in_wal = False
                return True
            if attempt + 1 < tries:
                await asyncio.sleep(CHECKPOINT_RETRY_SECONDS * (attempt + 1))
        self.erasure_in_wal = True
        return False

    async def fold_if_pending(self) -> bool:
        """Try once more to empty a WAL that still holds an erasure; True if none is left."""
        if not self.erasure_in_wal:
            return True
        return await self.fold_wal(tries=1)

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run fn in a write transaction on the database thread; return once it is committed.

        Units of work that queue while the thread is busy are committed together (group
        commit): one BEGIN IMMEDIATE, a savepoint each, one COMMIT. A unit that raises is
        rolled back to its savepoint alone and raises to its caller; the others commit. Each
        caller returns only after the commit that holds its unit, as with one transaction each.
        """
        unit: _Unit[T] = _Unit(fn, asyncio.get_running_loop())
        with self._queued_lock:
            self._queued.append(unit)
            first = len(self._queued) == 1
        if first:
            # The first unit of a group sends the commit; the ones after it ride along.
            flush = asyncio.ensure_future(self.run(self._commit_queued))
            self._flushes.add(flush)
            flush.add_done_callback(self._flushed)
        return await unit.future

    def _flushed(self, flush: asyncio.Task[None]) -> None:
        self._flushes.discard(flush)
        if flush.cancelled():
            error: BaseException | None = RuntimeError("the write was cancelled before it ran")
        else:
            error = flush.exception()
        if error is None:
            return
        # The group never reached the database thread (it was closed, or the flush was
        # cancelled at shutdown): its callers must hear, and the next write must start a new
        # group. Units the database thread already took are settled there, never here.
        with self._queued_lock:
            group, self._queued = self._queued, []
        for unit in group:
            unit.settle(None, error)

    def _commit_queued(self, conn: sqlite3.Connection) -> None:
        with self._queued_lock:
            group, self._queued = self._queued, []
        done: list[tuple[_Unit[Any], object, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for unit in group:
                conn.execute("SAVEPOINT unit")
                try:
                    value = unit.fn(conn)
                except Exception as error:
                    conn.execute("ROLLBACK TO unit")
                    conn.execute("RELEASE unit")
                    done.append((unit, None, error))
                else:
                    conn.execute("RELEASE unit")
                    done.append((unit, value, None))
            conn.execute("COMMIT")
        except BaseException as error:
            # Nothing of the group was committed: every caller hears why, even if the
            # rollback itself fails.
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            finally:
                for unit in group:
                    unit.settle(None, error)
            return
        for unit, value, failure in done:
            unit.settle(value, failure)


async def run_on_thread(conn: aiosqlite.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    """Run fn with aiosqlite's sqlite3 connection on aiosqlite's thread; return its result."""

    # aiosqlite has no public call for "run this function on your thread", and without one a
    # unit of work of N statements would cost N awaits. Its private `_execute` queues a
    # callable for the connection's worker thread and returns (or raises) what it did, and
    # `_connection` is the sqlite3 connection that thread owns (None once closed). This is the
    # only use of aiosqlite's private names: tests/storage/test_aiosqlite_contract.py fails if
    # a release changes either.
    def call() -> T:
        raw = conn._connection
        if raw is None:
            raise RuntimeError("database is closed")
        return fn(raw)

    execute = cast(Callable[[Callable[[], T]], Awaitable[T]], conn._execute)
    return await execute(call)


class _Unit(Generic[T]):
    """One caller's unit of work, and the future its caller awaits on the event loop."""

    __slots__ = ("fn", "future", "loop")

    def __init__(self, fn: Callable[[sqlite3.Connection], T], loop: asyncio.AbstractEventLoop):
        self.fn = fn
        self.loop = loop
        self.future: asyncio.Future[T] = loop.create_future()

    def settle(self, value: object, error: BaseException | None) -> None:
        """Hand the outcome to the event loop (called on the database thread)."""
        self.loop.call_soon_threadsafe(self._set, value, error)

    def _set(self, value: object, error: BaseException | None) -> None:
        if self.future.done():
            return
        if isinstance(error, StopIteration):
            # A future cannot hold StopIteration; its caller would wait for ever.
            error = RuntimeError(f"a unit of work raised StopIteration: {error!r}")
        if error is not None:
            self.future.set_exception(error)
        else:
            self.future.set_result(cast(T, value))


def _owner_only(file: Path) -> None:
    """Create the database file readable by its owner alone, and tighten one made before."""
    # SQLite gives the -wal and -shm files it creates the database file's permissions.
    descriptor = os.open(file, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(descriptor)
    for part in (file, file.with_name(f"{file.name}-wal"), file.with_name(f"{file.name}-shm")):
        if part.exists() and part.stat().st_mode & 0o077:
            part.chmod(0o600)


def _checkpoint_now(conn: sqlite3.Connection) -> tuple[int, int, int]:
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        busy, frames, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return int(busy), int(frames), int(done)


def _configure(conn: sqlite3.Connection) -> int:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    # Deleted rows are overwritten with zeros, so an erased diary is not left in free pages.
    conn.execute("PRAGMA secure_delete = ON")
    # NORMAL is durable across application crashes in WAL mode; only power loss can drop
    # the last commits.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA cache_size = -32768")
    return migrate(conn)
