"""One connection inside a unit of work, and the moment the unit stands for."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol

from storage.sql.tables import iso


class Cursor(Protocol):
    """What the queries read of a statement's result (sqlite3's and psycopg's cursors)."""

    @property
    def rowcount(self) -> int:
        """How many rows the statement changed."""

    def fetchone(self) -> Any:
        """The next row, or None."""

    def fetchall(self) -> list[Any]:
        """The remaining rows."""


class Connection(Protocol):
    """A DB-API connection as the queries use it: `?` placeholders, one statement a call."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor:
        """Run one statement."""

    def executemany(self, sql: str, seq_of_parameters: Iterable[Sequence[Any]], /) -> Cursor:
        """Run one statement once for each set of parameters."""


class Connected:
    """Synchronous access to one connection, used inside a unit of work on the DB thread."""

    # SQLite's scalar min() and max() of several values; PostgreSQL names them LEAST, GREATEST.
    _least = "min"
    _greatest = "max"
    # SQLite has one writer at a time; PostgreSQL senders skip the users another one locked.
    _skip_locked = ""
    _for_update = ""

    def __init__(self, conn: Connection, now: datetime | None = None) -> None:
        self.conn = conn
        self._now = now

    @property
    def now(self) -> datetime:
        """The moment the unit of work stands for; writes stamp rows with it."""
        if self._now is None:
            raise RuntimeError("a read-only session has no clock; use Store.unit to write")
        return self._now

    @cached_property
    def now_iso(self) -> str:
        """The unit of work's moment as stored: UTC, ISO 8601, to the second."""
        return iso(self.now)
