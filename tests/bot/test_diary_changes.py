"""Issue 15 through the engine on a real database: entries put aside, days that already have
entries, and an entry changed or deleted from /history (gone from the file and the exports)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.engine import Engine
from bot.reply import Who
from flows.records.models import Entry, Profile
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.clock import FakeClock
from tests.patient import EngineLine, Patient

PAT = Who(user_id=71, language_code="en")
NOTE = "walked-to-the-shop-4e1f"
MORNING = datetime(2026, 3, 10, 7, 5, tzinfo=UTC)


async def a_patient(engine: Engine) -> None:
    """An account as onboarding leaves it (UK, the day of surgery known, nothing left to ask)."""
    now = engine.clock()
    joined = now - timedelta(days=200)
    profile = Profile(
        user_id=PAT.user_id,
        consented_at=joined,
        timezone="Europe/London",
        country="GB",
        surgery_year=2025,
        surgery_month=6,
        surgery_day=15,
        details_asked_at=joined,
    )
    await engine.store.unit(now, lambda s: s.save_profile(profile))


def at_phone(engine: Engine) -> tuple[Patient, EngineLine]:
    """The patient at their phone, and the engine's side of the chat."""
    line = EngineLine(engine, PAT)
    return Patient(line), line


def shown(line: EngineLine) -> str:
    """The text of the screen the bot's latest reply showed."""
    screen = line.reply.screen
    assert screen is not None
    return screen.text


async def diary(engine: Engine) -> list[Entry]:
    return list(
        await engine.store.entries_between(PAT.user_id, date(2026, 1, 1), date(2026, 12, 31))
    )


async def aside_of(engine: Engine) -> str | None:
    return await engine.store.read(lambda s: s.conversation(PAT.user_id).entry_aside)


async def test_another_command_mid_entry_puts_it_aside_and_log_carries_on(
    engine: Engine,
) -> None:
    await a_patient(engine)
    patient, line = at_phone(engine)
    await patient.send("/log")
    await patient.press("6")

    await patient.send("/check")
    assert (
        "Your unsaved entry for today, Tue 10 Mar was put aside: /log carries on where you "
        "left it." in shown(line)
    )
    assert await aside_of(engine) is not None
    await patient.send("/cancel")

    await patient.send("/log")
    assert "Carrying on with your unsaved entry for today, Tue 10 Mar" in shown(line)
    assert "LEG pain" in shown(line)
    assert await aside_of(engine) is None
    await patient.presses("3", "Done: none of these", "None", "Skip", "Save")
    assert shown(line).startswith("Saved ✅")
    assert [(e.back_pain, e.leg_pain) for e in await diary(engine)] == [(6, 3)]


async def test_log_in_the_middle_of_an_entry_carries_on_with_it(engine: Engine) -> None:
    await a_patient(engine)
    patient, line = at_phone(engine)
    await patient.send("/log")
    await patient.press("6")

    await patient.send("/log")
    assert "You are in the middle of an entry for today, Tue 10 Mar" in shown(line)
    assert "LEG pain" in shown(line)
    await patient.press("Back")
    assert line.reply.screen is not None
    assert "• 6 •" in line.reply.screen.labels()


async def test_cancel_drops_an_entry_carried_on_and_the_next_log_starts_afresh(
    engine: Engine,
) -> None:
    await a_patient(engine)
    patient, line = at_phone(engine)
    await patient.send("/log")
    await patient.press("6")
    await patient.send("/settings")
    await patient.send("/log")
    assert "Carrying on" in shown(line)
    await patient.press("Cancel")
    assert "Cancelled" in shown(line)

    await patient.send("/log")
    assert "Carrying on" not in shown(line)
    assert "BACK pain" in shown(line)
    assert await diary(engine) == []


async def test_nothing_is_put_aside_before_the_first_answer(engine: Engine) -> None:
    await a_patient(engine)
    patient, line = at_phone(engine)
    await patient.send("/log")
    await patient.send("/check")
    assert "put aside" not in shown(line)
    assert await aside_of(engine) is None


async def test_a_second_entry_for_yesterday_says_there_is_one_already(
    db: Database,
) -> None:
    engine = Engine(Store(db), FakeClock(MORNING))
    await a_patient(engine)
    patient, line = at_phone(engine)
    await patient.send("/log")
    await patient.presses("Yesterday", "4", "2", "Done: none of these", "None", "Skip", "Save")

    await patient.send("/log")
    assert line.reply.screen is not None
    assert "Yesterday (1 entry)" in line.reply.screen.labels()
    await patient.press("Yesterday")
    assert "You already have an entry for yesterday, Mon 9 Mar" in shown(line)
    await patient.presses("5", "1", "Done: none of these", "None", "Skip", "Save")
    assert [e.entry_date for e in await diary(engine)] == [date(2026, 3, 9)] * 2


async def test_an_entry_for_an_earlier_day_is_stored_for_that_day(engine: Engine) -> None:
    await a_patient(engine)
    patient, line = at_phone(engine)
    await patient.send("/log")
    await patient.presses("Another day", "Fri 6 Mar")
    assert "📅 Diary for Fri 6 Mar" in shown(line)
    await patient.presses("4", "2", "Done: none of these", "None", "Skip", "Save")
    assert "📅 Fri 6 Mar 2026" in shown(line)
    [entry] = await diary(engine)
    assert entry.entry_date == date(2026, 3, 6)


async def log_one(patient: Patient, back: str, leg: str, note: str | None = None) -> None:
    await patient.send("/log")
    if any(label.startswith("Today") for label in patient.labels()):
        await patient.press("Today")
    await patient.presses(back, leg, "Done: none of these", "None")
    if note is None:
        await patient.press("Skip")
    else:
        await patient.type(note)
    await patient.press("Save")


async def test_an_entry_changed_from_history_is_changed_in_place(
    engine: Engine, clock: FakeClock
) -> None:
    await a_patient(engine)
    patient, line = at_phone(engine)
    await log_one(patient, "6", "3", NOTE)
    [before] = await diary(engine)
    clock.advance(timedelta(hours=2))

    await patient.send("/history")
    assert line.reply.screen is not None
    assert line.reply.screen.table is not None
    await patient.presses("Change or delete", "Tue 10 Mar, 18:30", "Change it")
    assert "✏️ Changing your entry for today, Tue 10 Mar" in shown(line)
    await patient.presses("5", "3", "Done: none of these", "None")
    assert NOTE in shown(line)
    await patient.presses("Keep this note", "Save the changes")
    assert shown(line).startswith("Changed ✅")

    [after] = await diary(engine)
    assert after.id == before.id
    assert (after.back_pain, after.leg_pain, after.note) == (5, 3, NOTE)
    assert after.recorded_at == before.recorded_at


def file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def test_a_deleted_entry_is_gone_from_the_database_the_file_and_later_exports(
    db_path: Path, clock: FakeClock
) -> None:
    db = await Database.open(db_path)
    engine = Engine(Store(db), clock)
    try:
        await a_patient(engine)
        patient, line = at_phone(engine)
        await log_one(patient, "6", "3", NOTE)
        clock.advance(timedelta(minutes=30))
        await log_one(patient, "2", "1", "kept-note")

        await patient.send("/history")
        await patient.presses("Change or delete", "18:30", "Delete it")
        assert shown(line).startswith("Delete the entry of Tue 10 Mar, 18:30: back 6, leg 3?")
        assert len(await diary(engine)) == 2
        await patient.press("Yes, delete it")
        assert shown(line).startswith("Deleted.")
        assert [(e.back_pain, e.note) for e in await diary(engine)] == [(2, "kept-note")]

        await patient.send("/export")
        await patient.presses("Everything", "CSV")
        assert line.reply.document is not None
        csv = line.reply.document[1].decode()
        assert NOTE not in csv
        assert "kept-note" in csv

        await patient.send("/history")
        assert line.reply.screen is not None
        assert line.reply.screen.table is not None
        assert "Tue 10    2   1  ✎" in line.reply.screen.table
        assert "Tue 10    6   3" not in line.reply.screen.table
    finally:
        await db.close()
    # secure_delete zeroed the row; closing folded the WAL's older copy of its page.
    assert NOTE.encode() not in file_bytes(db_path)
    assert b"kept-note" in file_bytes(db_path)
