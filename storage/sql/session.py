"""The SQLite backend's Session: every query of a unit of work, on one connection."""

from __future__ import annotations

from storage.sql.accounts import Accounts
from storage.sql.entries import Entries
from storage.sql.outbox import Outbox
from storage.sql.prompts import Prompts
from storage.sql.treatment import Treatment
from storage.sql.trend_window import TrendWindow


class Session(Accounts, Entries, Treatment, TrendWindow, Outbox, Prompts):
    """Synchronous access to one connection, used inside a unit of work on the DB thread."""
