"""The SQLite backend's Store: units of work on the database thread, and file readers."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from flows.records.models import Entry, Profile
from storage.ports import DUPLICATE, Duplicate
from storage.sql.session import Session
from storage.sqlite.db import Database, Location, open_reader

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Reader:
    """Where the database file is: a file worker opens a read of its own there."""

    location: Location

    def snapshot(self, work: Callable[[Session], T]) -> T:
        """Run read-only work on a connection of its own, on the diary as at one moment."""
        conn = open_reader(self.location)
        try:
            # One read transaction: the chart or file shows the diary as it was at one moment.
            conn.execute("BEGIN")
            return work(Session(conn))
        finally:
            conn.close()


class Store:
    """The async face of storage: one database-thread hop per call."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def unit(
        self,
        now: datetime,
        work: Callable[[Session], T],
        *,
        update_id: int | None = None,
        user_id: int | None = None,
    ) -> T | Duplicate:
        """Run work in one write transaction; skip it if the update was already processed.

        `user_id` needs nothing here: the one database thread runs every unit in turn.
        """

        def run(conn: sqlite3.Connection) -> T | Duplicate:
            session = Session(conn, now)
            if update_id is not None and not session.claim_update(update_id):
                return DUPLICATE
            return work(session)

        return await self.db.write(run)

    @property
    def reader(self) -> Reader:
        """What a file worker reads the diary through, away from the database thread."""
        return Reader(self.db.location)

    async def fold_wal(self) -> bool:
        """Empty the WAL after an erasure; False while a reader still holds it (retried)."""
        return await self.db.fold_wal()

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run a read-only piece of work on the database thread."""
        return await self.db.run(lambda conn: work(Session(conn)))

    async def profile(self, user_id: int) -> Profile | None:
        """Return a user's profile."""
        return await self.read(lambda s: s.profile(user_id))

    async def entries_between(self, user_id: int, first: date, last: date) -> Sequence[Entry]:
        """Return a user's entries between two dates, oldest first."""
        return await self.read(lambda s: s.entries_between(user_id, first, last))
