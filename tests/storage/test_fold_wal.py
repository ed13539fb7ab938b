"""After an erasure the WAL is emptied, and a reader holding it makes the checkpoint retry."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from flows.records.models import Profile
from storage.sqlite.db import Database
from storage.sqlite.store import Store


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


def file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


NAME = "erased-name-4d2b91"


async def test_an_erasure_a_reader_kept_in_the_wal_is_folded_once_it_lets_go(
    db: Database, db_path: Path
) -> None:
    now = datetime(2026, 3, 10, tzinfo=UTC)
    store = Store(db)
    await store.unit(now, lambda s: s.save_profile(Profile(user_id=5, consented_at=now)))
    reader = sqlite3.connect(db_path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM users").fetchone()
    try:
        profile = Profile(user_id=5, consented_at=now, display_name=NAME)
        await store.unit(now, lambda s: s.save_profile(profile))
        await store.unit(now, lambda s: s.erase_user(5))
        assert await db.fold_wal(tries=1) is False
        # What the reader holds, the WAL still holds; nothing has given up on it.
        assert NAME.encode() in file_bytes(db_path)
        assert db.erasure_in_wal
        assert await db.fold_if_pending() is False
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert await db.fold_if_pending() is True
    assert NAME.encode() not in file_bytes(db_path)
    assert not db.erasure_in_wal
