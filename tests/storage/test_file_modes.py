"""The database and its -wal and -shm files are readable by their owner alone."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.sqlite.db import Database

KEY = "correct horse battery staple"


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    # The common default, under which files are created readable by everyone.
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def write_something(path: Path, key: str | None = None) -> Database:
    db = await Database.open(path, key)
    await db.write(lambda c: c.execute("INSERT INTO processed_updates VALUES (1, 'x')"))
    return db


@pytest.mark.parametrize("key", [None, KEY])
async def test_a_new_database_and_its_wal_are_owner_only(tmp_path: Path, key: str | None) -> None:
    path = tmp_path / "bot.db"
    db = await write_something(path, key)
    try:
        parts = [path, path.with_name("bot.db-wal"), path.with_name("bot.db-shm")]
        assert all(part.exists() for part in parts)
        assert [mode(part) for part in parts] == [0o600, 0o600, 0o600]
    finally:
        await db.close()


def modes(folder: Path) -> dict[str, int]:
    return {part.name: mode(part) for part in folder.iterdir()}


async def test_a_database_made_readable_before_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    db = await write_something(path)
    try:
        # Readable by everyone, as an older version left them (the WAL still open here).
        for name in modes(tmp_path):
            (tmp_path / name).chmod(0o644)
        assert set(modes(tmp_path).values()) == {0o644}
        again = await Database.open(path)
        await again.close()
        assert modes(tmp_path) == {"bot.db": 0o600, "bot.db-wal": 0o600, "bot.db-shm": 0o600}
    finally:
        await db.close()
