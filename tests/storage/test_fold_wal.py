"""After an erasure the WAL is emptied, and a reader holding it makes the checkpoint retry."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from flows.models import Profile
from storage.db import Database
from storage.repo import Store


async def test_a_reader_holding_the_wal_is_waited_for_and_then_it_is_emptied(
    db: Database, db_path: Path
) -> None:
    now = datetime(2026, 3, 10, tzinfo=UTC)
    await Store(db).unit(now, lambda s: s.save_profile(Profile(user_id=5, consented_at=now)))
    reader = sqlite3.connect(db_path)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM users").fetchone()
        # A second writer's commit so the WAL has frames the reader still needs.
        await Store(db).unit(now, lambda s: s.save_profile(Profile(user_id=6, consented_at=now)))
        assert await db.fold_wal(tries=2) is False
        reader.execute("COMMIT")
    finally:
        reader.close()
    assert await db.fold_wal() is True
    wal = db_path.with_name(db_path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
