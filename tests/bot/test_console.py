"""The terminal console: numbered buttons, commands, text, clean exit at end of input."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.console import run_console
from bot.engine import Engine
from flows.log import EARLY_HOUR
from tests.clock import FakeClock
from tests.onboarding import TIMEZONE, console_lines

LOG_AND_HISTORY = (
    "7",  # back pain 6
    "3",  # leg pain 2
    "6",  # a leg getting weaker
    "2",  # slowly, over weeks
    "20",  # done: same-day advice is printed at once, before the note
    "Stiff after the drive",
    "1",  # save
    "/history",
    "99",
    "",
)


def script(now: datetime) -> str:
    """Onboarding as the console numbers its buttons at `now`, then a diary entry."""
    # Before 10:00 where the patient lives, /log first asks whether the entry is for today.
    early = now.astimezone(ZoneInfo(TIMEZONE)).hour < EARLY_HOUR
    log = ["/log", *(["1"] if early else [])]
    return "\n".join(["/start", *console_lines(now), *log, *LOG_AND_HISTORY])


async def test_onboard_log_and_see_history(engine: Engine, clock: FakeClock) -> None:
    out = io.StringIO()
    status = await run_console(engine, 3, io.StringIO(script(clock.now)), out)
    text = out.getvalue()
    assert status == 0
    assert "[1] ✅ I agree, keep my diary" in text
    assert "Note: Stiff after the drive" in text
    assert "Saved ✅" in text
    # The advice came at Done, before the note was asked for (REFERENCE.md §8.6).
    advice = text.index("Please contact your surgical team or the on-call spinal service today")
    assert text.index("Anything else to note") < advice < text.index("Please check your entry")
    assert "Tue 10    6   2  ⚠1 ✎" in text
    assert "There is no button 99" in text


def test_backtrack_console_runs_on_the_database_file(tmp_path: Path) -> None:
    db = tmp_path / "console.db"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--user", "5", "--db", str(db)],
        input=script(datetime.now(UTC)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Saved ✅" in result.stdout
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT user_id, back_pain, leg_pain, note FROM entries").fetchall()
    assert rows == [(5, 6, 2, "Stiff after the drive")]


async def test_check_in_the_console_reaches_the_emergency_screen(engine: Engine) -> None:
    script = "\n".join(["/start", "1", "/check", "2", "1", "1", ""])
    out = io.StringIO()
    assert await run_console(engine, 4, io.StringIO(script), out) == 0
    text = out.getvalue()
    assert "Question 2 of" in text
    assert "Call your local emergency number (112 in Europe, 911 in North America, 999 in" in text
