"""Migrations on a real SQLite file."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from storage.sql.session import Session
from storage.sqlite.db import Database
from storage.sqlite.migrations import MIGRATIONS, migrate, schema_version

# The text of each shipped migration, pinned: editing one breaks every existing database.
SHIPPED = {
    1: "966c32a2",
    2: "960d1d9c",
    3: "d5c3fca0",
    4: "ee247740",
    5: "7f5e5093",
    6: "97d98eb1",
    7: "adf1f6cd",
    8: "0a4d655c",
    9: "4e26f1dc",
    10: "55eaeba3",
    11: "e5002e8a",
    12: "ac6a61f2",
    13: "0d3c9063",
    14: "81f9bc07",
}


async def test_migrates_an_empty_file_to_the_latest_version(db_path: Path) -> None:
    db = await Database.open(db_path)
    await db.close()
    with sqlite3.connect(db_path) as conn:
        assert schema_version(conn) == len(MIGRATIONS)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"users", "entries", "conversations", "processed_updates"} <= tables


async def test_reopening_is_idempotent(db_path: Path) -> None:
    for _ in range(3):
        db = await Database.open(db_path)
        await db.close()
    with sqlite3.connect(db_path) as conn:
        assert migrate(conn) == len(MIGRATIONS)


def test_a_newer_database_is_refused(db_path: Path) -> None:
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
        with pytest.raises(RuntimeError, match="newer than this program"):
            migrate(conn)


def test_a_failing_migration_leaves_the_version_unchanged(db_path: Path) -> None:
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        conn.execute("CREATE TABLE users (user_id INTEGER)")
        with pytest.raises(sqlite3.OperationalError):
            migrate(conn)
        assert schema_version(conn) == 0


def test_shipped_migrations_are_append_only() -> None:
    for number, digest in SHIPPED.items():
        text = MIGRATIONS[number - 1]
        assert hashlib.sha256(text.encode()).hexdigest()[:8] == digest, number


def test_an_onboarding_left_before_its_reminder_step_says_reminders_are_off(
    db_path: Path,
) -> None:
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        for text in MIGRATIONS[:7]:
            conn.executescript(text)
        conn.execute("PRAGMA user_version = 7")
        row = "INSERT INTO users (user_id, consented_at, updated_at, next_prompt_at) VALUES "
        conn.execute(row + "(1, 'x', 'x', NULL), (2, 'x', 'x', '2026-03-10T20:00:00+00:00')")
        assert migrate(conn) == len(MIGRATIONS)
        paused = dict(conn.execute("SELECT user_id, paused FROM users").fetchall())
    conn.close()
    # Left at consent: never scheduled, now "off". Onboarded: reminders stay on.
    assert paused == {1: 1, 2: 0}


def test_an_existing_diary_gets_its_dates_totals(db_path: Path) -> None:
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        for text in MIGRATIONS[:8]:
            conn.executescript(text)
        conn.execute("PRAGMA user_version = 8")
        conn.execute("INSERT INTO users (user_id, consented_at, updated_at) VALUES (1, 'x', 'x')")
        entry = (
            "INSERT INTO entries (user_id, entry_date, recorded_at, timezone, back_pain, "
            "leg_pain, symptoms, source) VALUES (1, ?, 'x', 'UTC', ?, ?, ?, 'log')"
        )
        conn.execute(entry, ("2026-03-09", 4, None, ""))
        conn.execute(entry, ("2026-03-10", 6, 2, "fever"))
        conn.execute(entry, ("2026-03-10", 3, None, "pain_one_leg;fever"))
        assert migrate(conn) == len(MIGRATIONS)
        days = conn.execute("SELECT * FROM entry_days ORDER BY day").fetchall()
    conn.close()
    march_9 = date(2026, 3, 9).toordinal()
    assert days == [
        (1, march_9, 4, 1, None, 0, ""),
        (1, march_9 + 1, 9, 2, 2, 1, "fever;pain_one_leg;fever"),
    ]


async def test_alerts_sent_before_about_was_a_list_read_back_flag_by_flag(db_path: Path) -> None:
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        for text in MIGRATIONS[:9]:
            conn.executescript(text)
        conn.execute("PRAGMA user_version = 9")
        conn.execute("INSERT INTO users (user_id, consented_at, updated_at) VALUES (1, 'x', 'x')")
        alert = (
            "INSERT INTO alerts (user_id, day, kind, which, tier, sent_at) "
            "VALUES (1, ?, ?, ?, ?, '2026-03-10T20:00:00+00:00')"
        )
        conn.execute(alert, ("2026-03-09", "red_flag", "RF-SSI-1+fever", "urgent"))
        conn.execute(alert, ("2026-03-10", "rapid_rise", "back", "soon"))
        assert migrate(conn) == len(MIGRATIONS)
    conn.close()
    db = await Database.open(db_path)
    try:
        sent = await db.run(lambda conn: Session(conn).alerts_since(1, date(2026, 3, 1)))
    finally:
        await db.close()
    assert [(a.kind.value, a.about) for a in sent] == [
        ("red_flag", ("RF-SSI-1", "fever")),
        ("rapid_rise", ("back",)),
    ]


async def test_entries_logged_before_the_doses_were_asked_read_back_without_them(
    db_path: Path,
) -> None:
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        for text in MIGRATIONS[:10]:
            conn.executescript(text)
        conn.execute("PRAGMA user_version = 10")
        conn.execute("INSERT INTO users (user_id, consented_at, updated_at) VALUES (1, 'x', 'x')")
        conn.execute(
            "INSERT INTO entries (user_id, entry_date, recorded_at, timezone, back_pain, "
            "leg_pain, symptoms, source) VALUES (1, '2026-03-09', "
            "'2026-03-09T18:00:00+00:00', 'UTC', 4, 2, '', 'log')"
        )
        assert migrate(conn) == len(MIGRATIONS)
    conn.close()
    db = await Database.open(db_path)
    try:
        [entry] = await db.run(
            lambda conn: Session(conn).entries_between(1, date(2026, 3, 1), date(2026, 3, 31))
        )
    finally:
        await db.close()
    assert (entry.back_pain, entry.leg_pain, entry.as_needed_doses) == (4, 2, None)
    # Migration 14: an entry from before /meds has no doses medicine by medicine.
    assert entry.medicine_doses == ()
