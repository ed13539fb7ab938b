"""Safety advice reaches the patient through every Telegram fault, once (REFERENCE.md §8).

Every test goes through python-telegram-bot's `Application.process_update` with a scripted
offline Bot API, on a real SQLite file: the advice is decided and stored in the outbox in the
unit of work, sent at once, and retried by the courier until Telegram confirms it.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from telegram import Update
from telegram.ext import Application

from bot.engine import Engine, Who
from bot.outbox import Attempt, Courier, Sent
from bot.telegram_bot import build_application, shell_of
from flows.clinical.codes import Tier
from flows.dialogs.router import Command
from flows.records.models import Advice, AdviceKind, AdviceSource, Entry, StoredAdvice
from storage.db import Database
from storage.repo import Session, Store
from tests.clock import FakeClock
from tests.fakes import TOKEN, OfflineBotApi, callback_update, message_update
from tests.faults import FAULTS, TOO_OLD, HttpFault, ScriptedBotApi

ROOT = Path(__file__).resolve().parents[2]
USER = 61
STRANGER = 62
EMERGENCY = "Call 911 or go to the nearest Emergency Department now. Don't drive"
SENT_AGAIN = "Sent again in case my last message did not reach you"


def seed_patient(session: Session, user_id: int = USER, country: str = "US") -> None:
    """Store the account onboarding would make: a patient in New York, operated last year."""
    session.record_consent(user_id, "en", "America/New_York", country)
    profile = session.profile(user_id)
    assert profile is not None
    session.save_profile(
        profile.model_copy(update={"surgery_year": 2025, "surgery_month": 6, "surgery_day": 12})
    )


@dataclass
class Patient:
    """The patient's Telegram app on a scripted Bot API, with the bot's engine behind it."""

    app: Application  # type: ignore[type-arg]
    api: ScriptedBotApi
    engine: Engine
    clock: FakeClock
    next_id: int = 100

    async def send(self, payload: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(payload, self.app.bot))

    async def say(self, text: str, user_id: int = USER) -> None:
        self.next_id += 1
        await self.send(message_update(self.next_id, user_id, text))

    async def tap(self, value: str) -> str:
        [data] = [d for _, d in self.api.last_keyboard() if d.rsplit(":", 1)[1] == value]
        self.next_id += 1
        await self.send(callback_update(self.next_id, USER, data))
        return data

    async def reach_the_symptoms(self) -> None:
        await self.say("/log")
        for value in ("p5", "p4"):
            await self.tap(value)

    async def retry_until_quiet(self, rounds: int = 6) -> None:
        """Let the courier's retry job run as the clock moves past every wait and lease."""
        courier = shell_of(self.app).courier
        for _ in range(rounds):
            self.clock.advance(timedelta(minutes=61))
            await courier.run_once()

    async def outbox(self, user_id: int = USER) -> list[StoredAdvice]:
        far = datetime(2100, 1, 1, tzinfo=self.clock.now.tzinfo)
        start = datetime(2000, 1, 1, tzinfo=self.clock.now.tzinfo)
        return await self.engine.store.read(lambda s: s.advice_between(user_id, start, far))

    async def entries(self) -> list[Entry]:
        return list(
            await self.engine.store.entries_between(USER, date(2026, 1, 1), date(2026, 12, 31))
        )

    def copies(self, words: str = EMERGENCY) -> list[str]:
        return [text for text in self.api.shown_to(USER) if words in text]


@pytest.fixture
async def patient(engine: Engine, clock: FakeClock) -> AsyncIterator[Patient]:
    await engine.store.unit(clock(), seed_patient)
    api = ScriptedBotApi()
    app = build_application(
        TOKEN, engine, request=api, updates_request=OfflineBotApi(), rate_limit=False
    )
    async with app:
        yield Patient(app, api, engine, clock)


async def test_an_emergency_ticked_in_the_diary_arrives_at_once_with_the_countrys_number(
    patient: Patient,
) -> None:
    await patient.reach_the_symptoms()
    await patient.tap("s.bladder_change")
    await patient.tap("done")

    [copy] = patient.copies()
    assert "Call 911" in copy
    assert "112" not in copy
    [stored] = await patient.outbox()
    assert stored.delivered_at is not None
    assert stored.red_flags == ("RF-CES-1",)
    # The pressed message now points to the advice and says the entry is saved.
    assert "I saved this entry for you" in patient.api.texts()[-2] + patient.api.texts()[-1]
    entries = await patient.engine.store.entries_between(
        USER, date(2026, 1, 1), date(2026, 12, 31)
    )
    assert [e.symptoms for e in entries] == [("bladder_change",)]


FAULT_CASES = [
    (method, name)
    for method in ("answerCallbackQuery", "editMessageText", "sendMessage")
    for name in FAULTS
] + [("answerCallbackQuery", "too old")]


@pytest.mark.parametrize(("method", "name"), FAULT_CASES)
async def test_every_fault_loses_no_advice_and_sends_none_twice(
    patient: Patient, method: str, name: str
) -> None:
    await patient.reach_the_symptoms()
    await patient.tap("s.bladder_change")
    patient.api.fail_next(method, TOO_OLD if name == "too old" else FAULTS[name])

    await patient.tap("done")
    if method == "sendMessage" and name == "403":
        # Blocked: nothing can reach the patient until they come back with /start.
        assert patient.copies() == []
        await patient.say("/start")
    await patient.retry_until_quiet()

    [stored] = await patient.outbox()
    assert stored.delivered_at is not None, "the advice was never confirmed"
    copies = patient.copies()
    if method == "sendMessage" and name == "read timeout":
        # Telegram took the first try but its answer was lost: the only way not to lose the
        # advice is to send it again, saying so.
        assert len(copies) == 2
        assert SENT_AGAIN in copies[1]
    else:
        assert len(copies) == 1, copies
    entries = await patient.engine.store.entries_between(
        USER, date(2026, 1, 1), date(2026, 12, 31)
    )
    assert len(entries) == 1


async def test_advice_survives_telegram_down_for_a_while(patient: Patient) -> None:
    await patient.reach_the_symptoms()
    await patient.tap("s.saddle_numbness")
    patient.api.fail_next("sendMessage", *[HttpFault(502, "Bad Gateway")] * 5)
    await patient.tap("done")
    assert patient.copies() == []
    [waiting] = await patient.outbox()
    assert waiting.delivered_at is None
    assert waiting.attempts == 1

    await patient.retry_until_quiet(rounds=8)
    [copy] = patient.copies()
    assert SENT_AGAIN in copy
    [stored] = await patient.outbox()
    assert stored.delivered_at is not None


async def test_a_flood_wait_delays_the_advice_by_what_telegram_asked(patient: Patient) -> None:
    await patient.reach_the_symptoms()
    await patient.tap("s.bowel_change")
    patient.api.fail_next("sendMessage", HttpFault(429, "Too Many Requests: retry after 30", 30))
    await patient.tap("done")
    courier = shell_of(patient.app).courier

    patient.clock.advance(timedelta(seconds=20))
    await courier.run_once()
    assert patient.copies() == []
    patient.clock.advance(timedelta(seconds=11))
    await courier.run_once()
    assert len(patient.copies()) == 1


async def test_same_day_advice_stands_when_the_entry_is_then_cancelled(patient: Patient) -> None:
    await patient.reach_the_symptoms()
    await patient.tap("s.leg_weakness")
    await patient.tap("slow")
    await patient.tap("done")
    [copy] = patient.copies("on-call spinal service today")
    assert "today" in copy
    await patient.tap("cancel")
    [stored] = await patient.outbox()
    assert stored.delivered_at is not None
    entries = await patient.engine.store.entries_between(
        USER, date(2026, 1, 1), date(2026, 12, 31)
    )
    assert entries == []


async def test_a_press_whose_reply_was_lost_shows_the_current_screen(patient: Patient) -> None:
    await patient.say("/log")
    first = patient.api.last_keyboard()
    # The next screen never reaches the patient: the edit and the new message both fail.
    patient.api.fail_next("editMessageText", HttpFault(500, "Internal Server Error"))
    patient.api.fail_next("sendMessage", HttpFault(500, "Internal Server Error"))
    await patient.tap("p6")
    assert not any("LEG pain" in text for text in patient.api.shown_to(USER))

    # Still looking at the back-pain screen, the patient presses again.
    [data] = [d for label, d in first if label == "6"]
    patient.next_id += 1
    await patient.send(callback_update(patient.next_id, USER, data))
    assert "LEG pain" in patient.api.shown_to(USER)[-1]
    assert "earlier message" in str(patient.api.sent("answerCallbackQuery")[-1].get("text"))
    await patient.tap("p3")
    assert "NEW or WORSE" in patient.api.texts()[-1]


async def test_a_refused_late_answer_to_a_stale_press_is_said_in_the_chat(
    patient: Patient,
) -> None:
    await patient.say("/log")
    old = patient.api.last_keyboard()[0][1]
    await patient.tap("cancel")
    patient.api.fail_next("answerCallbackQuery", TOO_OLD)
    patient.next_id += 1
    await patient.send(callback_update(patient.next_id, USER, old))
    assert "earlier message" in patient.api.texts()[-1]


async def test_advice_decided_before_a_restart_is_sent_after_it(
    db_path: Path, clock: FakeClock
) -> None:
    """The process dies after the decision was stored and before it was sent."""
    db = await Database.open(db_path)
    engine = Engine(Store(db), clock)
    await engine.store.unit(clock(), seed_patient)
    await engine.on_command(Who(user_id=USER), Command.LOG, update_id=1)
    for number, value in enumerate(("p5", "p4", "s.fever", "s.wound_infection_signs", "done")):
        seq = (await engine.store.read(lambda s: s.conversation(USER))).seq
        await engine.on_press(Who(user_id=USER), f"bt:{seq}:{value}", update_id=10 + number)
    await db.close()

    await _restart_and_count(db_path, clock, expected_words="surgical team")


async def test_a_sigkill_between_decision_and_send_loses_nothing(
    db_path: Path, clock: FakeClock
) -> None:
    """A real SIGKILL: the child process decides, stores, and dies before any send."""
    child = textwrap.dedent(
        f"""
        import asyncio, os, signal
        from pathlib import Path
        from bot.engine import Engine, Who
        from flows.dialogs.router import Command
        from storage.db import Database
        from storage.repo import Store
        from tests.bot.test_safety_delivery import seed_patient
        from tests.clock import FakeClock

        async def main():
            clock = FakeClock()
            db = await Database.open(Path({str(db_path)!r}))
            engine = Engine(Store(db), clock)
            await engine.store.unit(clock(), seed_patient)
            who = Who(user_id={USER})
            await engine.on_command(who, Command.LOG, update_id=1)
            for n, value in enumerate(("p5", "p4", "s.saddle_numbness", "done")):
                seq = (await engine.store.read(lambda s: s.conversation({USER}))).seq
                await engine.on_press(who, f"bt:{{seq}}:{{value}}", update_id=10 + n)
            os.kill(os.getpid(), signal.SIGKILL)

        asyncio.run(main())
        """
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        child,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == -signal.SIGKILL, stderr.decode()[-2000:]
    await _restart_and_count(db_path, clock, expected_words=EMERGENCY)


async def _restart_and_count(db_path: Path, clock: FakeClock, expected_words: str) -> None:
    db = await Database.open(db_path)
    try:
        engine = Engine(Store(db), clock)
        api = ScriptedBotApi()
        app = build_application(
            TOKEN, engine, request=api, updates_request=OfflineBotApi(), rate_limit=False
        )
        async with app:
            assert await engine.recover_advice() == 1
            await shell_of(app).courier.run_once()
            await shell_of(app).courier.run_once()
        copies = [text for text in api.shown_to(USER) if expected_words in text]
        assert len(copies) == 1
        far = datetime(2100, 1, 1, tzinfo=clock.now.tzinfo)
        start = datetime(2000, 1, 1, tzinfo=clock.now.tzinfo)
        [stored] = await engine.store.read(lambda s: s.advice_between(USER, start, far))
        assert stored.delivered_at is not None
    finally:
        await db.close()


async def test_before_consent_named_cauda_equina_symptoms_get_the_emergency_message(
    patient: Patient,
) -> None:
    shell_of(patient.app).sleep = _no_wait
    patient.api.fail_next("sendMessage", HttpFault(500, "Internal Server Error"))
    await patient.say("I can't pee properly and my bottom feels numb", user_id=STRANGER)
    await shell_of(patient.app).drain()

    texts = patient.api.shown_to(STRANGER)
    emergency = [t for t in texts if "go to the nearest Emergency Department now" in t]
    assert len(emergency) == 1
    assert "I didn't catch that" not in " ".join(texts)
    # Nothing is stored before consent, not even the emergency.
    assert await patient.engine.store.profile(STRANGER) is None
    assert await patient.outbox(STRANGER) == []


async def test_every_reply_before_consent_points_to_the_emergency_number(
    patient: Patient,
) -> None:
    for text in ("/help", "/log", "hello", "/start"):
        await patient.say(text, user_id=STRANGER)
        assert "In an emergency, call" in patient.api.shown_to(STRANGER)[-1], text


async def test_free_text_after_consent_goes_through_the_outbox(patient: Patient) -> None:
    await patient.say("both my legs are weak since this morning")
    [stored] = await patient.outbox()
    assert stored.tier == "emergency"
    assert stored.source == "text"
    assert len(patient.copies()) == 1


async def _no_wait(_: float) -> None:
    return None


@pytest.mark.parametrize(
    ("surgery", "expected"),
    [
        ((2026, 2, 25), "Call 911 or go to the nearest Emergency Department now"),
        # Only the month known: every window the month leaves possible is open (§8.1).
        ((2026, 2, None), "Call 911 or go to the nearest Emergency Department now"),
        # Six weeks after surgery the haematoma window is closed: same day, not now.
        ((2026, 1, 25), "on-call spinal service today"),
    ],
)
async def test_the_haematoma_window_counts_from_the_day_of_surgery(
    engine: Engine, clock: FakeClock, surgery: tuple[int, int, int | None], expected: str
) -> None:
    """Operated on the 25th, sudden severe pain and a weakening leg on day 11: now, not today."""
    year, month, day = surgery

    def seed(session: Session) -> None:
        seed_patient(session)
        profile = session.profile(USER)
        assert profile is not None
        session.save_profile(
            profile.model_copy(
                update={
                    "surgery_year": year,
                    "surgery_month": month,
                    "surgery_day": day,
                    # Asked already: the patient said they are not sure of the day.
                    "details_asked_at": session.now,
                }
            )
        )

    clock.now = datetime(2026, 3, 8, 18, 0, tzinfo=clock.now.tzinfo)
    await engine.store.unit(clock(), seed)
    api = ScriptedBotApi()
    app = build_application(
        TOKEN, engine, request=api, updates_request=OfflineBotApi(), rate_limit=False
    )
    async with app:
        patient = Patient(app, api, engine, clock)
        await patient.reach_the_symptoms()
        await patient.tap("s.sudden_severe_pain")
        await patient.tap("s.leg_weakness")
        await patient.tap("slow")
        await patient.tap("done")
        [stored] = await patient.outbox()
        assert expected in stored.text
        assert len(patient.copies(expected)) >= 1


async def answer_no_until(patient: Patient, words: str) -> None:
    for _ in range(30):
        if words in patient.api.shown_to(USER)[-1]:
            return
        await patient.tap("no")
    raise AssertionError(f"never asked {words!r}")


CRISIS = "Call the 988 Suicide & Crisis Lifeline"
NO_WARNING = "no warning signs"


@pytest.mark.parametrize("answer", ["yes", "unsure"])
async def test_thoughts_of_ending_life_get_the_crisis_message_once_and_never_reassurance(
    patient: Patient, answer: str
) -> None:
    await patient.say("/check")
    await answer_no_until(patient, "thoughts of ending your life")
    await patient.tap(answer)

    crisis = patient.copies("988")
    assert len(crisis) == 1, crisis
    assert "911" in crisis[0]
    assert "nerve compression" not in crisis[0]
    assert "Samaritans" not in crisis[0]
    [stored] = await patient.outbox()
    assert stored.kind == "crisis"
    assert stored.delivered_at is not None
    # Only after the message: the offer to go on.
    assert "Continue the check" in [label for label, _ in patient.api.last_keyboard()]
    await patient.tap("continue")
    for _ in range(40):
        values = [d.rsplit(":", 1)[1] for _, d in patient.api.last_keyboard()]
        if "no" not in values:
            break
        await patient.tap("no")
    assert not any(NO_WARNING in text.lower() for text in patient.api.shown_to(USER))


async def test_the_crisis_message_is_sent_apart_when_its_screen_fails(patient: Patient) -> None:
    await patient.say("/check")
    await answer_no_until(patient, "thoughts of ending your life")
    patient.api.fail_next("editMessageText", HttpFault(500, "Internal Server Error"))
    patient.api.fail_next("sendMessage", HttpFault(502, "Bad Gateway"))
    await patient.tap("yes")
    # The screen that held it never arrived, so the advice went out on its own at once.
    assert len(patient.copies("988")) == 1
    await patient.retry_until_quiet()
    assert len(patient.copies("988")) == 1
    [stored] = await patient.outbox()
    assert stored.delivered_at is not None


async def test_a_diary_red_flag_is_not_cancelled_by_not_new_in_check(patient: Patient) -> None:
    """REFERENCE.md §8.7: the check says it saw the diary's flag and keeps its advice."""
    await patient.reach_the_symptoms()
    await patient.tap("s.calf_swelling")
    await patient.tap("done")
    await patient.tap("skip")
    await patient.tap("save")
    before = len(await patient.outbox())
    patient.clock.advance(timedelta(days=2))

    await patient.say("/check")
    await answer_no_until(patient, "swollen")
    await patient.tap("yes")
    await patient.tap("known")
    for _ in range(40):
        values = [d.rsplit(":", 1)[1] for _, d in patient.api.last_keyboard()]
        if "no" not in values:
            break
        await patient.tap("no")
    shown = " ".join(patient.api.shown_to(USER))
    assert "in your diary on" in shown
    stored = await patient.outbox()
    assert len(stored) == before + 1
    assert "RF-DVT" in stored[-1].red_flags


async def test_delete_erases_the_safety_messages_too(patient: Patient) -> None:
    await patient.reach_the_symptoms()
    await patient.tap("s.fever")
    await patient.tap("s.wound_infection_signs")
    await patient.tap("done")
    assert len(await patient.outbox()) == 1
    await patient.say("/delete")
    await patient.tap("erase")
    assert await patient.outbox() == []
    assert await patient.engine.store.profile(USER) is None


async def test_named_symptoms_after_pressing_start_still_get_the_emergency_message(
    patient: Patient,
) -> None:
    """Telegram sends /start first: the consent screen is waiting, and words still count."""
    shell_of(patient.app).sleep = _no_wait
    await patient.say("/start", user_id=STRANGER)
    await patient.say("I can't pee properly and my bottom feels numb", user_id=STRANGER)
    await shell_of(patient.app).drain()
    texts = patient.api.shown_to(STRANGER)
    assert any("go to the nearest Emergency Department now" in t for t in texts)
    # The consent question is shown again, still waiting.
    assert any("Do you agree?" in t for t in texts[-2:])
    assert await patient.engine.store.profile(STRANGER) is None


async def test_named_symptoms_in_the_middle_of_a_check_are_answered_at_once(
    patient: Patient,
) -> None:
    await patient.say("/check")
    await patient.say("my legs are weak and numb")
    [stored] = await patient.outbox()
    assert stored.tier == "emergency"
    assert len(patient.copies()) == 1
    # Still in the check, at the same question.
    assert "Question 1 of" in patient.api.shown_to(USER)[-2] + patient.api.shown_to(USER)[-1]


async def test_a_slow_try_for_one_patient_does_not_let_another_get_two_copies(
    engine: Engine, clock: FakeClock
) -> None:
    """The retry job leases one row at a time, so a try that hangs for minutes never leaves
    another patient's row leased-but-expired while the reply path delivers it."""
    first, second = 71, 72

    def seed(session: Session) -> None:
        for user_id in (first, second):
            seed_patient(session, user_id)
            session.add_advice(
                user_id,
                Advice(
                    kind=AdviceKind.EMERGENCY,
                    tier=Tier.EMERGENCY,
                    text=f"Call 911 ({user_id})",
                    source=AdviceSource.LOG,
                ),
            )

    await engine.store.unit(clock(), seed)
    received: list[int] = []

    async def quick(user_id: int, _: str) -> Attempt:
        received.append(user_id)
        return Attempt(Sent.DELIVERED)

    reply_path = Courier(engine, quick)

    async def slow(user_id: int, text: str) -> Attempt:
        if user_id == first:
            # A flood wait inside the rate limiter, or a hanging API: 11 minutes.
            clock.advance(timedelta(minutes=11))
            # Meanwhile the second patient presses a button: the reply path claims their row.
            await reply_path.deliver(await engine.undelivered(second))
        return await quick(user_id, text)

    await Courier(engine, slow).run_once()
    assert sorted(received) == [first, second]


async def test_a_red_flag_found_only_by_check_is_in_the_surgeons_pdf(patient: Patient) -> None:
    """No diary entry at all: the export still carries the check's red flag and its advice."""
    await patient.say("/check")
    await answer_no_until(patient, "thoughts of ending your life")
    await patient.tap("yes")
    await patient.tap("stop")
    assert await patient.entries() == []
    engine, who = patient.engine, Who(user_id=USER)
    reply = await engine.on_command(who, Command.EXPORT)
    for value in ("d30", "pdf"):
        reply = await engine.on_press(who, reply.button_data(value))
    assert reply.document is not None
    pages = PdfReader(io.BytesIO(reply.document[1])).pages
    text = " ".join(page.extract_text() for page in pages)
    assert "RF-MH" in text
    assert "delivered" in text


async def test_advice_that_reaches_a_patient_late_says_when_it_was_about(
    patient: Patient,
) -> None:
    await patient.reach_the_symptoms()
    await patient.tap("s.bladder_change")
    patient.api.fail_next("sendMessage", FAULTS["403"])
    await patient.tap("done")
    assert patient.copies() == []
    # Two days later the patient unblocks the bot; Telegram sends /start.
    patient.clock.advance(timedelta(days=2))
    await patient.say("/start")
    await shell_of(patient.app).courier.run_once()
    [copy] = patient.copies()
    # Decided at 18:30 UTC, 14:30 in New York.
    assert copy.startswith("⏰ I could not reach you earlier.")
    assert "10 Mar 2026, 14:30" in copy


async def test_advice_sent_at_once_has_no_late_line(patient: Patient) -> None:
    await patient.reach_the_symptoms()
    await patient.tap("s.bladder_change")
    await patient.tap("done")
    [copy] = patient.copies()
    assert "could not reach you earlier" not in copy
