"""Shared fixtures: a real SQLite file, the engine with a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine import Engine
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.clock import FakeClock


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Return a path for a fresh database file."""
    return tmp_path / "backtrack.db"


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[Database]:
    """Open a migrated database file."""
    database = await Database.open(db_path)
    yield database
    await database.close()


@pytest.fixture
def clock() -> FakeClock:
    """Return a clock at 2026-03-10 18:30 UTC."""
    return FakeClock()


@pytest.fixture
def engine(db: Database, clock: FakeClock) -> Engine:
    """Return the engine on the database with the fake clock."""
    return Engine(Store(db), clock)
