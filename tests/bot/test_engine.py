"""The engine on a real database: restart-resume, duplicates, stale presses, consent."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

from pypdf import PdfReader

from bot.engine import Engine
from bot.reply import Who
from flows.dialogs.events import EVENTS_SHOWN
from flows.dialogs.router import Verdict
from flows.i18n import long_date
from flows.records.treatment import TreatmentKind
from storage.ports import Session
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.clock import FakeClock
from tests.onboarding import onboard as walk_onboarding
from tests.patient import EngineLine, Patient
from tests.treatment import event

PAT = Who(user_id=11, language_code="en")


async def onboarded(engine: Engine) -> tuple[Patient, EngineLine]:
    """A patient through onboarding, at their phone, and the engine's side of their chat."""
    await walk_onboarding(engine, PAT)
    line = EngineLine(engine, PAT)
    return Patient(line), line


async def entries(engine: Engine) -> list[tuple[int | None, int | None]]:
    rows = await engine.store.entries_between(PAT.user_id, date(2026, 1, 1), date(2026, 12, 31))
    return [(e.back_pain, e.leg_pain) for e in rows]


async def test_a_restart_mid_flow_continues_where_it_was(db_path: Path, clock: FakeClock) -> None:
    db = await Database.open(db_path)
    patient, _ = await onboarded(Engine(Store(db), clock))
    await patient.send("/log")
    await patient.press("6")
    pending = patient.data_of("3")
    await db.close()

    db = await Database.open(db_path)
    engine = Engine(Store(db), clock)
    # The same phone, talking to the restarted bot.
    line = EngineLine(engine, PAT)
    patient.line = line
    await patient.press_data(pending)
    assert line.reply.verdict is Verdict.ACCEPTED
    assert "NEW or WORSE" in patient.last
    await patient.presses("Done: none of these", "None", "Skip", "✅ Save")
    assert await entries(engine) == [(6, 3)]
    await db.close()


async def test_a_redelivered_update_does_not_save_twice(engine: Engine) -> None:
    patient, line = await onboarded(engine)
    await patient.send("/log")
    await patient.presses("5", "2", "Done: none of these", "None", "Skip")
    save = patient.data_of("✅ Save")
    await patient.press_data(save, update_id=500)
    first = line.reply
    await patient.press_data(save, update_id=500)
    again = line.reply
    assert first.screen is not None
    assert first.screen.text.startswith("Saved")
    assert patient.last.startswith("Saved")
    assert again.duplicate
    assert again.screen is None
    assert await entries(engine) == [(5, 2)]


async def test_a_second_press_of_save_from_the_same_card_is_stale(engine: Engine) -> None:
    patient, line = await onboarded(engine)
    await patient.send("/log")
    await patient.presses("5", "2", "Done: none of these", "None", "Skip")
    save = patient.data_of("✅ Save")
    await patient.press_data(save, update_id=600)
    await patient.press_data(save, update_id=601)
    assert line.reply.verdict is Verdict.STALE
    assert "earlier message" in (patient.toast or "")
    assert await entries(engine) == [(5, 2)]


async def test_forged_data_changes_nothing(engine: Engine) -> None:
    patient, line = await onboarded(engine)
    await patient.send("/log")
    shown = line.reply
    for data in ("bt:999:p5", f"bt:{shown.seq}:save", "garbage", "bt:1:" + "x" * 80, None):
        await patient.press_data(data)
        forged = line.reply
        assert forged.verdict in (Verdict.FORGED, Verdict.STALE), data
        # A stale press shows the current screen again, unchanged; a forged one shows nothing.
        if forged.verdict is Verdict.STALE:
            assert forged.screen == shown.screen
            assert forged.seq == shown.seq
        else:
            assert forged.screen is None
    await patient.press("4")
    assert "LEG pain" in patient.last


async def test_declining_consent_leaves_no_row(engine: Engine, db: Database) -> None:
    patient = Patient(EngineLine(engine, PAT))
    await patient.send("/start")
    await patient.press("No thanks")
    counts = await db.run(
        lambda conn: [
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("users", "entries", "conversations")
        ]
    )
    assert counts == [0, 0, 0]


async def test_users_never_see_each_others_diary(engine: Engine) -> None:
    patient, _ = await onboarded(engine)
    await patient.send("/log")
    await patient.presses("9", "9", "Done: none of these", "None")
    skip = patient.data_of("Skip")
    await patient.type("private note")
    other_line = EngineLine(engine, Who(user_id=12))
    other = Patient(other_line)
    await other.press_data(skip)
    assert other_line.reply.verdict is Verdict.STALE
    await other.send("/history")
    history = other_line.reply
    assert all("9" not in (n.table or "") for n in history.notices)
    assert "/start" in history.notices[0].text
    assert not any("private note" in text for text in other.texts)


async def test_history_shows_the_entry_just_saved(engine: Engine) -> None:
    patient, line = await onboarded(engine)
    await patient.send("/log")
    await patient.presses("7", "No leg pain", "Done: none of these", "None", "Skip", "✅ Save")
    await patient.send("/history")
    screen = line.reply.screen
    assert screen is not None
    assert screen.table is not None
    assert screen.table.splitlines()[-1] == "Tue 10    7   0"


async def test_a_state_that_no_longer_parses_is_closed_kindly(engine: Engine) -> None:
    patient, _ = await onboarded(engine)
    await engine.store.unit(
        engine.clock(),
        lambda s: s.save_conversation(PAT.user_id, 40, '{"flow": "gone"}'),
    )
    await patient.type("hello")
    assert any("could not be resumed" in text for text in patient.texts)
    await patient.send("/log")
    assert "BACK pain" in patient.last


async def test_history_marks_every_event_of_its_days_and_event_lists_the_latest(
    engine: Engine,
) -> None:
    patient, line = await onboarded(engine)
    await patient.send("/log")
    await patient.presses("7", "No leg pain", "Done: none of these", "None", "Skip", "✅ Save")
    today = engine.clock().date()
    days = [today - timedelta(days=n) for n in range(10, 0, -1)]

    def store(session: Session) -> None:
        for day in days:
            session.add_treatment_event(PAT.user_id, event(day, TreatmentKind.FALL))

    await engine.store.unit(engine.clock(), store)
    await patient.send("/history")
    screen = line.reply.screen
    assert screen is not None
    assert screen.table is not None
    # Ten events in its two weeks, more than /event lists: /history has each under its day.
    assert screen.table.count("A fall") == 10
    assert f"{long_date('en', days[0])}: A fall" in screen.table
    await patient.send("/event")
    listed = patient.last.split("What happened?")[0]
    assert listed.count("A fall") == EVENTS_SHOWN
    assert long_date("en", days[0]) not in listed


async def test_a_fall_entered_in_event_is_answered_and_kept_in_the_outbox(
    engine: Engine,
) -> None:
    patient, line = await onboarded(engine)
    await patient.send("/event")
    await patient.press("A fall")
    await patient.press("Today")
    [advice] = line.reply.advice
    assert "You may need an X-ray today." in advice.text
    now = engine.clock()
    stored = await engine.store.read(
        lambda s: s.advice_between(PAT.user_id, now - timedelta(minutes=1), now)
    )
    assert [a.text for a in stored] == [advice.text]
    # Cancelled before Save: the advice stands, the fall is not kept.
    await patient.press("✖️ Cancel")
    events = await engine.store.read(lambda s: s.treatment_events(PAT.user_id))
    assert events == []


async def test_the_report_says_a_fall_was_seen_in_a_treatment_event(engine: Engine) -> None:
    patient, line = await onboarded(engine)
    await patient.send("/log")
    await patient.presses("3", "No leg pain", "Done: none of these", "None", "Skip", "✅ Save")
    await patient.send("/event")
    await patient.presses("A fall", "Today", "✅ Save")
    await patient.send("/export")
    await patient.presses("Last 30 days", "📄 PDF to read (one-page summary first)")
    assert line.reply.document is not None
    reader = PdfReader(io.BytesIO(line.reply.document[1]))
    page = " ".join(reader.pages[0].extract_text().split())
    assert "A fall, injury or sudden 'snap' · seen in: treatment event" in page
    assert "entry not saved" not in page
