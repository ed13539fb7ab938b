"""The PostgreSQL Store: each unit of work one transaction on a pooled connection, in a thread.

A unit of work for a user first takes a transaction-scoped advisory lock on the user's id, so
two workers never run the same patient's events at once (two presses at READ COMMITTED would
both be accepted otherwise), even for a user who has no row yet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool

from flows.records.models import Entry, Profile
from storage.ports import DUPLICATE, Duplicate
from storage.postgres.connection import Translated
from storage.postgres.migrations import migrate
from storage.sql.session import Session as SqlSession

T = TypeVar("T")


class Session(SqlSession):
    """The queries of `storage.sql` in PostgreSQL's words where they differ."""

    _least = "LEAST"
    _greatest = "GREATEST"
    _skip_locked = " FOR UPDATE SKIP LOCKED"
    _for_update = " FOR UPDATE"

    def lock_users(self, user_ids: Sequence[int]) -> None:
        """Wait until no other unit of work holds these users, then hold them for this one."""
        # In id order, as every unit that takes several does: two of them never wait in a ring.
        for user_id in sorted(set(user_ids)):
            self.conn.execute("SELECT pg_advisory_xact_lock(?)", (user_id,))

    def hold_user(self, user_id: int) -> bool:
        """Take the user's lock for this unit of work if it is free; False while another has it."""
        row = self.conn.execute("SELECT pg_try_advisory_xact_lock(?)", (user_id,)).fetchone()
        return bool(row[0])


@dataclass(frozen=True, slots=True)
class Reader:
    """Where the database is: a file worker opens a read of its own there."""

    url: str

    def snapshot(self, work: Callable[[Session], T]) -> T:
        """Run read-only work on a connection of its own, on the diary as at one moment."""
        with psycopg.connect(self.url) as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return work(Session(Translated(conn)))


class Store:
    """The async face of the PostgreSQL backend: one pooled connection per unit of work."""

    def __init__(self, url: str, pool: ConnectionPool[psycopg.Connection[Any]]) -> None:
        self.url = url
        self.pool = pool

    @classmethod
    async def open(cls, url: str, size: int = 8) -> Store:
        """Connect, migrate the schema, and keep a pool of `size` connections."""
        # A connection the server dropped (a restart, a failover) is replaced before a unit of
        # work gets it, not found broken by the patient's event.
        pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url, min_size=1, max_size=size, open=False, check=ConnectionPool.check_connection
        )
        await asyncio.to_thread(pool.open, wait=True, timeout=10.0)
        await asyncio.to_thread(cls._migrate, pool)
        return cls(url, pool)

    @staticmethod
    def _migrate(pool: ConnectionPool[psycopg.Connection[Any]]) -> None:
        with pool.connection() as conn:
            migrate(conn)

    async def close(self) -> None:
        """Close every pooled connection."""
        await asyncio.to_thread(self.pool.close)

    def _unit(
        self,
        now: datetime,
        work: Callable[[Session], T],
        update_id: int | None,
        user_id: int | None,
    ) -> T | Duplicate:
        with self.pool.connection() as conn, conn.transaction():
            if user_id is not None:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (user_id,))
            session = Session(Translated(conn), now)
            if update_id is not None and not session.claim_update(update_id):
                return DUPLICATE
            return work(session)

    async def unit(
        self,
        now: datetime,
        work: Callable[[Session], T],
        *,
        update_id: int | None = None,
        user_id: int | None = None,
    ) -> T | Duplicate:
        """Run work in one write transaction; skip it if the update was already processed."""
        return await asyncio.to_thread(self._unit, now, work, update_id, user_id)

    @property
    def reader(self) -> Reader:
        """What a file worker reads the diary through, away from the event loop."""
        return Reader(self.url)

    async def fold_wal(self) -> bool:
        """Nothing to fold: PostgreSQL's erasure promise is its own (docs/DEPLOY.md)."""
        return True

    def _read(self, work: Callable[[Session], T]) -> T:
        with self.pool.connection() as conn, conn.transaction():
            return work(Session(Translated(conn)))

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run a read-only piece of work on a pooled connection."""
        return await asyncio.to_thread(self._read, work)

    async def profile(self, user_id: int) -> Profile | None:
        """Return a user's profile."""
        return await self.read(lambda s: s.profile(user_id))

    async def entries_between(self, user_id: int, first: date, last: date) -> Sequence[Entry]:
        """Return a user's entries between two dates, oldest first."""
        return await self.read(lambda s: s.entries_between(user_id, first, last))
