"""The engine on a real database: restart-resume, duplicates, stale presses, consent."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.engine import Engine, Reply, Who
from flows.dialogs.router import Command, Verdict
from storage.db import Database
from storage.repo import Store
from tests.clock import FakeClock
from tests.onboarding import onboard as walk_onboarding

PAT = Who(user_id=11, language_code="en")


def value_of(reply: Reply, label: str) -> str:
    assert reply.screen is not None
    [button] = [b for row in reply.screen.buttons for b in row if b.label == label]
    return reply.button_data(button.value)


async def press(engine: Engine, reply: Reply, label: str, update_id: int | None = None) -> Reply:
    return await engine.on_press(PAT, value_of(reply, label), update_id)


async def onboard(engine: Engine) -> None:
    await walk_onboarding(engine, PAT)


async def entries(engine: Engine) -> list[tuple[int | None, int | None]]:
    rows = await engine.store.entries_between(PAT.user_id, date(2026, 1, 1), date(2026, 12, 31))
    return [(e.back_pain, e.leg_pain) for e in rows]


async def test_a_restart_mid_flow_continues_where_it_was(db_path: Path, clock: FakeClock) -> None:
    db = await Database.open(db_path)
    engine = Engine(Store(db), clock)
    await onboard(engine)
    reply = await engine.on_command(PAT, Command.LOG)
    reply = await press(engine, reply, "6")
    pending = value_of(reply, "3")
    await db.close()

    db = await Database.open(db_path)
    engine = Engine(Store(db), clock)
    reply = await engine.on_press(PAT, pending)
    assert reply.verdict is Verdict.ACCEPTED
    assert reply.screen is not None
    assert "NEW or WORSE" in reply.screen.text
    reply = await press(engine, reply, "Done: none of these")
    reply = await press(engine, reply, "Skip")
    await press(engine, reply, "✅ Save")
    assert await entries(engine) == [(6, 3)]
    await db.close()


async def test_a_redelivered_update_does_not_save_twice(engine: Engine) -> None:
    await onboard(engine)
    reply = await engine.on_command(PAT, Command.LOG)
    for label in ("5", "2", "Done: none of these", "Skip"):
        reply = await press(engine, reply, label)
    save = value_of(reply, "✅ Save")
    first = await engine.on_press(PAT, save, update_id=500)
    again = await engine.on_press(PAT, save, update_id=500)
    assert first.screen is not None
    assert first.screen.text.startswith("Saved")
    assert again.duplicate
    assert again.screen is None
    assert await entries(engine) == [(5, 2)]


async def test_a_second_press_of_save_from_the_same_card_is_stale(engine: Engine) -> None:
    await onboard(engine)
    reply = await engine.on_command(PAT, Command.LOG)
    for label in ("5", "2", "Done: none of these", "Skip"):
        reply = await press(engine, reply, label)
    save = value_of(reply, "✅ Save")
    await engine.on_press(PAT, save, update_id=600)
    double_tap = await engine.on_press(PAT, save, update_id=601)
    assert double_tap.verdict is Verdict.STALE
    assert "earlier message" in (double_tap.toast or "")
    assert await entries(engine) == [(5, 2)]


async def test_forged_data_changes_nothing(engine: Engine) -> None:
    await onboard(engine)
    reply = await engine.on_command(PAT, Command.LOG)
    for data in ("bt:999:p5", f"bt:{reply.seq}:save", "garbage", "bt:1:" + "x" * 80, None):
        forged = await engine.on_press(PAT, data)
        assert forged.verdict in (Verdict.FORGED, Verdict.STALE), data
        # A stale press shows the current screen again, unchanged; a forged one shows nothing.
        if forged.verdict is Verdict.STALE:
            assert forged.screen == reply.screen
            assert forged.seq == reply.seq
        else:
            assert forged.screen is None
    reply = await press(engine, reply, "4")
    assert reply.screen is not None
    assert "LEG pain" in reply.screen.text


async def test_declining_consent_leaves_no_row(engine: Engine, db_path: Path) -> None:
    reply = await engine.on_command(PAT, Command.START)
    await press(engine, reply, "No thanks")
    counts = await engine.store.read(
        lambda s: [
            s.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("users", "entries", "conversations")
        ]
    )
    assert counts == [0, 0, 0]


async def test_users_never_see_each_others_diary(engine: Engine) -> None:
    await onboard(engine)
    reply = await engine.on_command(PAT, Command.LOG)
    for label in ("9", "9", "Done: none of these"):
        reply = await press(engine, reply, label)
    await engine.on_text(PAT, "private note")
    other = Who(user_id=12)
    stolen = await engine.on_press(other, value_of(reply, "Skip"))
    assert stolen.verdict is Verdict.STALE
    history = await engine.on_command(other, Command.HISTORY)
    assert all("9" not in (n.table or "") for n in history.notices)
    assert "/start" in history.notices[0].text


async def test_history_shows_the_entry_just_saved(engine: Engine) -> None:
    await onboard(engine)
    reply = await engine.on_command(PAT, Command.LOG)
    for label in ("7", "No leg pain", "Done: none of these", "Skip", "✅ Save"):
        reply = await press(engine, reply, label)
    history = await engine.on_command(PAT, Command.HISTORY)
    screen = history.screen
    assert screen is not None
    assert screen.table is not None
    assert screen.table.splitlines()[-1] == "Tue 10    7   0"


async def test_a_state_that_no_longer_parses_is_closed_kindly(engine: Engine) -> None:
    await onboard(engine)
    await engine.store.unit(
        engine.clock(),
        lambda s: s.save_conversation(PAT.user_id, 40, '{"flow": "gone"}'),
    )
    reply = await engine.on_text(PAT, "hello")
    assert any("could not be resumed" in n.text for n in reply.notices)
    reply = await engine.on_command(PAT, Command.LOG)
    assert reply.screen is not None
    assert "BACK pain" in reply.screen.text
