"""Encryption at rest: with BACKTRACK_DB_KEY the file is SQLCipher and unreadable without it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.engine import Engine
from flows.records.models import NewEntry
from storage.sqlite.db import Database, DatabaseKeyError
from storage.sqlite.store import Store
from tests.bot.test_export import export, pdf_text, seed
from tests.clock import FakeClock

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
NOTE = "encrypted-note-c0ffee"
KEY = "correct horse battery staple"


def file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def open_plain(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute("SELECT name FROM sqlite_master"))


async def write_note(path: Path, key: str | None) -> None:
    db = await Database.open(path, key)
    store = Store(db)
    await store.unit(NOW, lambda s: s.record_consent(1, "en", "UTC"))
    entry = NewEntry(
        entry_date=date(2026, 3, 10), recorded_at=NOW, timezone="UTC", back_pain=4, note=NOTE
    )
    await store.unit(NOW, lambda s: s.add_entry(1, entry))
    await db.close()


async def test_with_a_key_the_note_is_not_in_the_file_and_plain_sqlite_cannot_read_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "secret.db"
    await write_note(path, KEY)
    assert NOTE.encode() not in file_bytes(path)
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        open_plain(path)
    db = await Database.open(path, KEY)
    [entry] = await Store(db).entries_between(1, date(2026, 1, 1), date(2026, 12, 31))
    await db.close()
    assert entry.note == NOTE


async def test_a_wrong_or_missing_key_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "secret.db"
    await write_note(path, KEY)
    with pytest.raises(DatabaseKeyError, match="cannot be opened with this BACKTRACK_DB_KEY"):
        await Database.open(path, "wrong key")
    with pytest.raises(DatabaseKeyError, match=r"is encrypted .*: set BACKTRACK_DB_KEY"):
        await Database.open(path)


async def test_without_a_key_nothing_changes(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    await write_note(path, None)
    assert NOTE.encode() in file_bytes(path)
    assert open_plain(path)


def test_the_console_uses_the_key_and_a_wrong_one_is_one_line(tmp_path: Path) -> None:
    def console(key: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "console", "--db", str(tmp_path / "c.db")],
            input="/start\n1\n",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "BACKTRACK_DB_KEY": key},
        )

    first = console(KEY)
    assert first.returncode == 0, first.stderr
    assert "Which country do you live in?" in first.stdout
    wrong = console("nope")
    assert wrong.returncode == 2
    assert wrong.stderr.strip().count("\n") == 0
    assert "cannot be opened with this BACKTRACK_DB_KEY" in wrong.stderr
    assert "nope" not in wrong.stderr
    # Forgotten, or blank: one line each, no traceback, and the diary is not touched.
    missing = console("")
    assert (missing.returncode, missing.stderr.strip().count("\n")) == (2, 0)
    assert "is encrypted (or is not a database): set BACKTRACK_DB_KEY" in missing.stderr
    blank = console("   ")
    assert (blank.returncode, blank.stderr.strip().count("\n")) == (2, 0)
    assert "BACKTRACK_DB_KEY is set but blank" in blank.stderr
    assert console(KEY).returncode == 0


async def test_an_export_from_an_encrypted_diary_is_read_with_the_key(tmp_path: Path) -> None:
    clock = FakeClock()
    db = await Database.open(tmp_path / "secret.db", KEY)
    try:
        # The file worker opens a connection of its own: it must open this file with the key.
        engine = Engine(Store(db), clock)
        await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
        reply = await export(engine, "Last 30 days", "PDF")
    finally:
        await db.close()
    assert reply.document is not None
    assert "stairs, then rest" in pdf_text(reply.document[1])
