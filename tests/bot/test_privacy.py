"""/privacy says what is kept; /delete erases everything, down to the bytes of the file."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr

from bot.config import Settings
from bot.engine import Engine
from bot.reply import Who
from bot.service import serve
from flows.dialogs.router import Command
from tests.bot.test_log_privacy import PollingApi
from tests.clock import FakeClock
from tests.fakes import TOKEN
from tests.onboarding import onboard
from tests.patient import EngineLine, Patient

PAT = Who(user_id=61)
OTHER = Who(user_id=62)
NOTE = "my-private-note-7f3a9c"


async def onboard_and_log(engine: Engine, who: Who, note: str) -> tuple[Patient, EngineLine]:
    """A patient who logged an entry with this note and answered a check with a red flag."""
    await onboard(engine, who)
    line = EngineLine(engine, who)
    patient = Patient(line)
    await patient.send("/log")
    await patient.presses("6", "No leg pain", "Fever", "Done (1 ticked)", "None")
    await patient.type(note)
    await patient.press("Save")
    await patient.send("/check")
    await patient.presses("Yes", "New, or worse")
    return patient, line


def rows_about(path: Path, user_id: int) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        counts = {}
        for table in tables:
            columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]
            if "user_id" in columns:
                query = f"SELECT count(*) FROM {table} WHERE user_id = ?"
                counts[table] = conn.execute(query, (user_id,)).fetchone()[0]
    return counts


def file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def test_privacy_says_what_where_how_long_who_and_how_to_erase(engine: Engine) -> None:
    reply = await engine.on_command(PAT, Command.PRIVACY)
    [notice] = reply.notices
    for words in (
        "What is stored",
        "Where",
        "For how long",
        "secret chats",
        "/export",
        "/delete",
        "Backups",
    ):
        assert words in notice.text


async def test_someone_who_never_agrees_is_forgotten_within_a_day(
    engine: Engine, db_path: Path, clock: FakeClock
) -> None:
    await engine.on_command(PAT, Command.START)
    await onboard(engine, OTHER)
    # /start alone keeps where the welcome stands, so its consent button works.
    assert rows_about(db_path, PAT.user_id)["conversations"] == 1

    clock.advance(timedelta(hours=22))
    await engine.prune()
    assert rows_about(db_path, PAT.user_id)["conversations"] == 1
    clock.advance(timedelta(hours=2))
    await engine.prune()

    assert set(rows_about(db_path, PAT.user_id).values()) == {0}
    # A patient who agreed keeps where they stand, however long ago.
    assert rows_about(db_path, OTHER.user_id)["conversations"] == 1
    [notice] = (await engine.on_command(PAT, Command.PRIVACY)).notices
    assert "forgotten within a day" in notice.text


async def test_delete_erases_every_row_and_every_byte(engine: Engine, db_path: Path) -> None:
    patient, _ = await onboard_and_log(engine, PAT, NOTE)
    await onboard_and_log(engine, OTHER, "the other user's note")
    assert rows_about(db_path, PAT.user_id)["entries"] == 1
    assert rows_about(db_path, PAT.user_id)["checks"] == 1
    assert NOTE.encode() in file_bytes(db_path)

    await patient.send("/delete")
    assert "cannot be undone" in patient.last
    await patient.press("Yes, erase everything")
    assert "has been erased" in patient.last

    assert set(rows_about(db_path, PAT.user_id).values()) == {0}
    assert NOTE.encode() not in file_bytes(db_path)
    assert rows_about(db_path, OTHER.user_id)["entries"] == 1
    assert b"the other user's note" in file_bytes(db_path)
    history = await engine.on_command(PAT, Command.HISTORY)
    assert "/start" in history.notices[0].text


async def test_cancelling_delete_erases_nothing(engine: Engine, db_path: Path) -> None:
    patient, line = await onboard_and_log(engine, PAT, NOTE)
    await patient.send("/delete")
    await patient.type("yes")
    assert line.reply.screen is not None
    assert line.reply.screen.text.startswith("Please tap a button")
    await patient.press("Cancel")
    assert "Cancelled" in patient.last
    assert rows_about(db_path, PAT.user_id)["entries"] == 1


# The erasure commits, then the process is killed before it can empty the WAL.
ERASE_THEN_DIE = """
import asyncio, os, signal, sys
from datetime import UTC, datetime
from flows.records.models import Profile
from storage.sqlite.db import Database
from storage.sqlite.store import Store

async def main() -> None:
    db = await Database.open(sys.argv[1])
    store, now = Store(db), datetime(2026, 3, 10, tzinfo=UTC)
    profile = Profile(user_id=5, consented_at=now, display_name=sys.argv[2])
    await store.unit(now, lambda s: s.save_profile(profile))
    await store.unit(now, lambda s: s.erase_user(5))
    os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main())
"""


async def test_an_erasure_cut_short_by_a_kill_is_finished_at_start_up(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    killed = await asyncio.create_subprocess_exec(
        sys.executable, "-c", ERASE_THEN_DIE, str(path), NOTE
    )
    assert await asyncio.wait_for(killed.wait(), 60) == -signal.SIGKILL
    assert NOTE.encode() in file_bytes(path)

    api = PollingApi()
    settings = Settings(telegram_bot_token=SecretStr(TOKEN), _env_file=None)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, path, stop, request=api))
    for _ in range(1000):
        if api.polls or task.done():
            break
        await asyncio.sleep(0.01)
    assert api.polls, "the bot never started"
    # Already at start-up, before the bot takes its first update.
    assert NOTE.encode() not in file_bytes(path)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert NOTE.encode() not in file_bytes(path)
