"""Units of work queued together commit together; one that fails takes only itself back."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from storage.sqlite.db import Database


def add(value: int, fail: bool = False) -> Callable[[sqlite3.Connection], int]:
    def unit(conn: sqlite3.Connection) -> int:
        conn.execute("INSERT INTO notes (value) VALUES (?)", (value,))
        if fail:
            raise ValueError(f"unit {value} failed")
        return value

    return unit


async def test_a_failing_unit_among_many_is_rolled_back_alone(db: Database) -> None:
    await db.run(lambda c: c.execute("CREATE TABLE notes (value INTEGER NOT NULL)"))
    results = await asyncio.gather(
        *(db.write(add(i, fail=i == 7)) for i in range(20)),
        return_exceptions=True,
    )
    failed = [r for r in results if isinstance(r, BaseException)]
    assert [str(e) for e in failed] == ["unit 7 failed"]
    assert [r for r in results if not isinstance(r, BaseException)] == [
        i for i in range(20) if i != 7
    ]
    stored = await db.run(lambda c: [v for (v,) in c.execute("SELECT value FROM notes")])
    assert stored == [i for i in range(20) if i != 7]


async def test_what_a_write_returned_is_on_disk_for_a_new_connection(db: Database) -> None:
    await db.run(lambda c: c.execute("CREATE TABLE notes (value INTEGER NOT NULL)"))
    await asyncio.gather(*(db.write(add(i)) for i in range(50)))
    # Another connection sees every acknowledged unit: each was committed before returning.
    with sqlite3.connect(db.path) as other:
        assert other.execute("SELECT count(*) FROM notes").fetchone() == (50,)


async def test_a_write_to_a_closed_database_raises_instead_of_hanging(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "closed.db")
    await db.close()
    with pytest.raises(ValueError, match="Connection closed"):
        await asyncio.wait_for(db.write(lambda c: c.execute("SELECT 1")), timeout=5)


async def test_a_unit_raising_stopiteration_fails_its_caller_instead_of_hanging(
    db: Database,
) -> None:
    def unit(conn: sqlite3.Connection) -> int:
        return next(iter(()))

    with pytest.raises(RuntimeError, match="StopIteration"):
        await asyncio.wait_for(db.write(unit), timeout=5)
    assert await db.write(lambda c: 1) == 1


async def test_writes_whose_commit_was_cancelled_before_it_ran_fail_and_later_ones_go_on(
    db: Database,
) -> None:
    await db.run(lambda c: c.execute("CREATE TABLE notes (value INTEGER NOT NULL)"))
    first = asyncio.ensure_future(db.write(add(1)))
    await asyncio.sleep(0)
    # What a shutdown does to a commit not yet started: cancels the task that would send it.
    for flush in list(db._flushes):
        flush.cancel()
    with pytest.raises(RuntimeError, match="cancelled"):
        await asyncio.wait_for(first, timeout=5)
    assert await asyncio.wait_for(db.write(add(2)), timeout=5) == 2
    stored = await db.run(lambda c: [v for (v,) in c.execute("SELECT value FROM notes")])
    assert stored == [2]
