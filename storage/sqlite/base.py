"""One connection inside a unit of work, and the moment the unit stands for."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from functools import cached_property

from storage.sqlite.tables import iso


class Connected:
    """Synchronous access to one connection, used inside a unit of work on the DB thread."""

    def __init__(self, conn: sqlite3.Connection, now: datetime | None = None) -> None:
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
