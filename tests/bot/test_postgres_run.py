"""BACKTRACK_DATABASE_URL puts the same product on PostgreSQL; a wrong one is one clear line."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from tests.bot.test_console import script
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
