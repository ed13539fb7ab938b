"""BACKTRACK_DATABASE_URL puts the same product on PostgreSQL; a wrong one is one clear line."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest

from bot.cli import main
from bot.engine import Engine
from bot.reply import Who
from storage.postgres.copy import TABLES as COPIED
from storage.postgres.store import Store as PostgresStore
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.bot.test_console import script
from tests.clock import FakeClock
from tests.onboarding import onboard
from tests.patient import EngineLine, Patient
from tests.storage.backends import POSTGRES, postgres_schema

needs_postgres = pytest.mark.skipif(POSTGRES is None, reason="BACKTRACK_TEST_POSTGRES is not set")


def backtrack(
    tmp_path: Path, *args: str, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", **env},
    )


def test_a_database_url_that_is_not_postgresql_is_refused_in_one_line(tmp_path: Path) -> None:
    result = backtrack(
        tmp_path, "console", env={"BACKTRACK_DATABASE_URL": "mysql://root:hunter2@db/x"}
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "backtrack: BACKTRACK_DATABASE_URL must be a postgresql:// URL (unset it for the SQLite "
        "file BACKTRACK_DB)"
    )
    assert "hunter2" not in result.stderr + result.stdout
    assert not (tmp_path / "backtrack.db").exists()


@needs_postgres
async def test_the_console_keeps_the_diary_in_postgresql_and_no_file(tmp_path: Path) -> None:
    async with postgres_schema() as url:
        result = backtrack(
            tmp_path,
            "console",
            "--user",
            "7123456789",
            env={"BACKTRACK_DATABASE_URL": url},
            stdin=script(datetime.now(UTC)),
        )
        assert result.returncode == 0, result.stderr
        assert "Saved ✅" in result.stdout
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT user_id, back_pain, leg_pain, as_needed_doses, note FROM entries"
            ).fetchall()
    assert rows == [(7123456789, 6, 2, 0, "Stiff after the drive")]
    assert not (tmp_path / "backtrack.db").exists()


async def _a_diary_in_sqlite(path: Path) -> None:
    """A patient onboarded, two days logged, a red flag advised, a check saved."""
    db = await Database.open(path)
    try:
        engine = Engine(Store(db), FakeClock())
        who = Who(user_id=7123456789)
        await onboard(engine, who)
        patient = Patient(EngineLine(engine, who))
        await patient.send("/log")
        await patient.presses("6", "2", "Done: none of these", "2 doses", "Skip", "Save")
        await patient.send("/log")
        await patient.presses("Yesterday", "5", "No leg pain", "Fever over 38 °C")
        await patient.presses("Wound red, hot, leaking or opening", "Done (2 ticked)")
        await patient.presses("None", "Skip", "Save")
    finally:
        await db.close()


@needs_postgres
async def test_migrate_to_postgres_copies_every_row_and_the_bot_goes_on_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.db"
    await _a_diary_in_sqlite(path)
    with sqlite3.connect(path) as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in (*COPIED, "entry_days")
        }
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))
    db = await Database.open(path)
    try:
        old = Store(db)
        before = (
            await old.profile(7123456789),
            await old.entries_between(7123456789, date(2026, 1, 1), date(2026, 12, 31)),
            await old.read(lambda s: s.advice_between(7123456789, *window)),
            await old.read(lambda s: s.conversation(7123456789)),
        )
    finally:
        await db.close()
    async with postgres_schema() as url:
        os.environ["BACKTRACK_DATABASE_URL"] = url
        try:
            assert await asyncio.to_thread(main, ["migrate-to-postgres", "--db", str(path)]) == 0
            said = capsys.readouterr().out
            again = await asyncio.to_thread(main, ["migrate-to-postgres", "--db", str(path)])
        finally:
            del os.environ["BACKTRACK_DATABASE_URL"]
        assert said.startswith(f"Copied {path} into PostgreSQL: users 1, entries 2")
        assert again == 1
        assert "is not empty; nothing was copied" in capsys.readouterr().err
        with psycopg.connect(url) as conn:
            copied = {
                t: conn.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in counts
            }
        assert copied == counts
        store = await PostgresStore.open(url)
        try:
            # What the bot reads is the same, field for field, before and after the move.
            assert (
                await store.profile(7123456789),
                await store.entries_between(7123456789, date(2026, 1, 1), date(2026, 12, 31)),
                await store.read(lambda s: s.advice_between(7123456789, *window)),
                await store.read(lambda s: s.conversation(7123456789)),
            ) == before
            entries = await store.entries_between(7123456789, date(2026, 1, 1), date(2026, 12, 31))
            assert [(e.back_pain, e.leg_pain, e.as_needed_doses) for e in entries] == [
                (5, 0, 0),
                (6, 2, 2),
            ]
            # The bot goes on on PostgreSQL: a new entry gets the next id, not a copied one's.
            engine = Engine(store, FakeClock())
            patient = Patient(EngineLine(engine, Who(user_id=7123456789)))
            await patient.send("/log")
            await patient.presses("Today", "4", "1", "Done: none of these", "None", "Skip", "Save")
            assert patient.last.startswith("Saved ✅")
            after = await store.entries_between(7123456789, date(2026, 1, 1), date(2026, 12, 31))
            assert len({e.id for e in after}) == 3
        finally:
            await store.close()
