"""The SQLite backend's Session: every query of a unit of work, on one connection."""

from __future__ import annotations

from storage.sqlite.accounts import Accounts
from storage.sqlite.entries import Entries
from storage.sqlite.outbox import Outbox
from storage.sqlite.prompts import Prompts
from storage.sqlite.trend_window import TrendWindow


class Session(Accounts, Entries, TrendWindow, Outbox, Prompts):
    """Synchronous access to one connection, used inside a unit of work on the DB thread."""
