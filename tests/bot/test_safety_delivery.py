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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from telegram.ext import Application

from bot.engine import Engine
from bot.outbox import Attempt, Courier, Sent
from bot.reply import Who
from bot.telegram_bot import build_application, shell_of
from flows.clinical.codes import Tier
from flows.records.models import Advice, AdviceKind, AdviceSource, Entry, StoredAdvice
from storage.ports import Session
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.clock import FakeClock
from tests.fakes import TOKEN, OfflineBotApi
from tests.faults import FAULTS, TOO_OLD, HttpFault, ScriptedBotApi
from tests.patient import EngineLine, Patient, TelegramLine

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


def bot_of(engine: Engine, api: ScriptedBotApi) -> Application:  # type: ignore[type-arg]
    """The bot on a scripted Telegram, without the rate limiter's pacing."""
    return build_application(
        TOKEN, engine, request=api, updates_request=OfflineBotApi(), rate_limit=False
    )


@pytest.fixture
def api() -> ScriptedBotApi:
    return ScriptedBotApi()


@pytest.fixture
async def app(engine: Engine, clock: FakeClock, api: ScriptedBotApi) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The bot on a scripted Telegram, USER's account stored."""
    await engine.store.unit(clock(), seed_patient)
    async with bot_of(engine, api) as application:
        yield application


@pytest.fixture
def patient(app: Application, api: ScriptedBotApi) -> Patient:  # type: ignore[type-arg]
    """USER, whose account is stored, at their Telegram app."""
    return Patient(TelegramLine.of(app, api, USER))


@pytest.fixture
def stranger(app: Application, api: ScriptedBotApi) -> Patient:  # type: ignore[type-arg]
    """Someone who has not agreed to anything yet."""
    return Patient(TelegramLine.of(app, api, STRANGER))


async def reach_the_symptoms(patient: Patient) -> None:
    """Open the diary and rate both pains, up to the list of new or worse symptoms."""
    await patient.send("/log")
    await patient.presses("5", "4")


async def retry_until_quiet(
    app: Application,  # type: ignore[type-arg]
    clock: FakeClock,
    rounds: int = 6,
) -> None:
    """Let the courier's retry job run as the clock moves past every wait and lease."""
    courier = shell_of(app).courier
    for _ in range(rounds):
        clock.advance(timedelta(minutes=61))
        await courier.run_once()


async def outbox(engine: Engine, user_id: int = USER) -> list[StoredAdvice]:
    """Every piece of advice stored for a patient."""
    far = datetime(2100, 1, 1, tzinfo=UTC)
    start = datetime(2000, 1, 1, tzinfo=UTC)
    return await engine.store.read(lambda s: s.advice_between(user_id, start, far))


async def entries(engine: Engine) -> list[Entry]:
    """USER's stored diary entries of 2026."""
    return list(await engine.store.entries_between(USER, date(2026, 1, 1), date(2026, 12, 31)))


def copies(api: ScriptedBotApi, words: str = EMERGENCY, chat: int = USER) -> list[str]:
    """The messages holding these words that reached the chat."""
    # What the scripted API took, not `Patient.seen`: the line shows every try the bot made,
    # and a try Telegram refused never reached the patient.
    return [text for text in api.shown_to(chat) if words in text]


async def test_an_emergency_ticked_in_the_diary_arrives_at_once_with_the_countrys_number(
    patient: Patient, api: ScriptedBotApi, engine: Engine
) -> None:
    await reach_the_symptoms(patient)
    await patient.presses("Bladder problems", "Done")

    [copy] = copies(api)
    assert "Call 911" in copy
    assert "112" not in copy
    [stored] = await outbox(engine)
    assert stored.delivered_at is not None
    assert stored.red_flags == ("RF-CES-1",)
    # The pressed message now points to the advice and says the entry is saved.
    assert any("I saved this entry for you" in text for text in patient.texts[-2:])
    assert [e.symptoms for e in await entries(engine)] == [("bladder_change",)]


FAULT_CASES = [
    (method, name)
    for method in ("answerCallbackQuery", "editMessageText", "sendMessage")
    for name in FAULTS
] + [("answerCallbackQuery", "too old")]


@pytest.mark.parametrize(("method", "name"), FAULT_CASES)
async def test_every_fault_loses_no_advice_and_sends_none_twice(
    patient: Patient,
    api: ScriptedBotApi,
    app: Application,  # type: ignore[type-arg]
    engine: Engine,
    clock: FakeClock,
    method: str,
    name: str,
) -> None:
    await reach_the_symptoms(patient)
    await patient.press("Bladder problems")
    api.fail_next(method, TOO_OLD if name == "too old" else FAULTS[name])

    await patient.press("Done")
    if method == "sendMessage" and name == "403":
        # Blocked: nothing can reach the patient until they come back with /start.
        assert copies(api) == []
        await patient.send("/start")
    await retry_until_quiet(app, clock)

    [stored] = await outbox(engine)
    assert stored.delivered_at is not None, "the advice was never confirmed"
    sent = copies(api)
    if method == "sendMessage" and name == "read timeout":
        # Telegram took the first try but its answer was lost: the only way not to lose the
        # advice is to send it again, saying so.
        assert len(sent) == 2
        assert SENT_AGAIN in sent[1]
    else:
        assert len(sent) == 1, sent
    assert len(await entries(engine)) == 1


async def test_advice_survives_telegram_down_for_a_while(
    patient: Patient,
    api: ScriptedBotApi,
    app: Application,  # type: ignore[type-arg]
    engine: Engine,
    clock: FakeClock,
) -> None:
    await reach_the_symptoms(patient)
    await patient.press("Numbness around genitals or bottom")
    api.fail_next("sendMessage", *[HttpFault(502, "Bad Gateway")] * 5)
    await patient.press("Done")
    assert copies(api) == []
    [waiting] = await outbox(engine)
    assert waiting.delivered_at is None
    assert waiting.attempts == 1

    await retry_until_quiet(app, clock, rounds=8)
    [copy] = copies(api)
    assert SENT_AGAIN in copy
    [stored] = await outbox(engine)
    assert stored.delivered_at is not None


async def test_a_flood_wait_delays_the_advice_by_what_telegram_asked(
    patient: Patient,
    api: ScriptedBotApi,
    app: Application,  # type: ignore[type-arg]
    clock: FakeClock,
) -> None:
    await reach_the_symptoms(patient)
    await patient.press("Bowel control problems")
    api.fail_next("sendMessage", HttpFault(429, "Too Many Requests: retry after 30", 30))
    await patient.press("Done")
    courier = shell_of(app).courier

    clock.advance(timedelta(seconds=20))
    await courier.run_once()
    assert copies(api) == []
    clock.advance(timedelta(seconds=11))
    await courier.run_once()
    assert len(copies(api)) == 1


async def test_same_day_advice_stands_when_the_entry_is_then_cancelled(
    patient: Patient, api: ScriptedBotApi, engine: Engine
) -> None:
    await reach_the_symptoms(patient)
    await patient.presses("A leg getting weaker", "Slowly, over weeks", "Done")
    [copy] = copies(api, "on-call spinal service today")
    assert "today" in copy
    await patient.press("Cancel")
    [stored] = await outbox(engine)
    assert stored.delivered_at is not None
    assert await entries(engine) == []


async def test_a_press_whose_reply_was_lost_shows_the_current_screen(
    patient: Patient, api: ScriptedBotApi
) -> None:
    await patient.send("/log")
    again = patient.data_of("6")
    # The next screen never reaches the patient: the edit and the new message both fail.
    api.fail_next("editMessageText", HttpFault(500, "Internal Server Error"))
    api.fail_next("sendMessage", HttpFault(500, "Internal Server Error"))
    await patient.press("6")
    assert not any("LEG pain" in text for text in api.shown_to(USER))

    # Still looking at the back-pain screen (the line holds the lost one), they press 6 again.
    await patient.press_data(again)
    assert "LEG pain" in patient.last
    assert "earlier message" in str(patient.toast)
    await patient.press("3")
    assert "NEW or WORSE" in patient.last


async def test_a_refused_late_answer_to_a_stale_press_is_said_in_the_chat(
    patient: Patient, api: ScriptedBotApi
) -> None:
    await patient.send("/log")
    old = patient.buttons[0].data
    await patient.press("Cancel")
    api.fail_next("answerCallbackQuery", TOO_OLD)
    await patient.press_data(old)
    assert "earlier message" in patient.last


async def test_advice_decided_before_a_restart_is_sent_after_it(
    db_path: Path, clock: FakeClock
) -> None:
    """The process dies after the decision was stored and before it was sent."""
    db = await Database.open(db_path)
    engine = Engine(Store(db), clock)
    await engine.store.unit(clock(), seed_patient)
    patient = Patient(EngineLine(engine, Who(user_id=USER)))
    await patient.send("/log")
    await patient.presses(
        "5", "4", "Fever over 38 °C", "Wound red, hot, leaking or opening", "Done"
    )
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
        from bot.engine import Engine
        from bot.reply import Who
        from storage.sqlite.db import Database
        from storage.sqlite.store import Store
        from tests.bot.test_safety_delivery import seed_patient
        from tests.clock import FakeClock
        from tests.patient import EngineLine, Patient

        async def main():
            clock = FakeClock()
            db = await Database.open(Path({str(db_path)!r}))
            engine = Engine(Store(db), clock)
            await engine.store.unit(clock(), seed_patient)
            patient = Patient(EngineLine(engine, Who(user_id={USER})))
            await patient.send("/log")
            await patient.presses("5", "4", "Numbness around genitals or bottom", "Done")
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
        async with bot_of(engine, api) as app:
            assert await engine.recover_advice() == 1
            await shell_of(app).courier.run_once()
            await shell_of(app).courier.run_once()
        assert len(copies(api, expected_words)) == 1
        [stored] = await outbox(engine)
        assert stored.delivered_at is not None
    finally:
        await db.close()


async def test_before_consent_named_cauda_equina_symptoms_get_the_emergency_message(
    stranger: Patient,
    api: ScriptedBotApi,
    app: Application,  # type: ignore[type-arg]
    engine: Engine,
) -> None:
    shell_of(app).sleep = _no_wait
    api.fail_next("sendMessage", HttpFault(500, "Internal Server Error"))
    await stranger.type("I can't pee properly and my bottom feels numb")
    await shell_of(app).drain()

    texts = api.shown_to(STRANGER)
    emergency = [t for t in texts if "go to the nearest Emergency Department now" in t]
    assert len(emergency) == 1
    assert "I didn't catch that" not in " ".join(texts)
    # Nothing is stored before consent, not even the emergency.
    assert await engine.store.profile(STRANGER) is None
    assert await outbox(engine, STRANGER) == []


async def test_every_reply_before_consent_points_to_the_emergency_number(
    stranger: Patient,
) -> None:
    for text in ("/help", "/log", "hello", "/start"):
        if text.startswith("/"):
            await stranger.send(text)
        else:
            await stranger.type(text)
        assert "In an emergency, call" in stranger.last, text


async def test_free_text_after_consent_goes_through_the_outbox(
    patient: Patient, api: ScriptedBotApi, engine: Engine
) -> None:
    await patient.type("both my legs are weak since this morning")
    [stored] = await outbox(engine)
    assert stored.tier == "emergency"
    assert stored.source == "text"
    assert len(copies(api)) == 1


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
    async with bot_of(engine, api) as app:
        patient = Patient(TelegramLine.of(app, api, USER))
        await reach_the_symptoms(patient)
        await patient.presses(
            "Sudden severe back pain", "A leg getting weaker", "Slowly, over weeks", "Done"
        )
        [stored] = await outbox(engine)
        assert expected in stored.text
        assert len(copies(api, expected)) >= 1


async def answer_no_until(patient: Patient, words: str) -> None:
    """Answer No to each question until the one holding these words is asked."""
    for _ in range(30):
        if words in patient.last:
            return
        await patient.press("No")
    raise AssertionError(f"never asked {words!r}")


async def answer_no_while_asked(patient: Patient) -> None:
    """Answer No for as long as the screen offers it, up to the check's length."""
    for _ in range(40):
        if "No" not in patient.labels():
            return
        await patient.press("No")


CRISIS = "Call the 988 Suicide & Crisis Lifeline"
NO_WARNING = "no warning signs"


@pytest.mark.parametrize(
    "answer", [pytest.param("Yes", id="yes"), pytest.param("Not sure", id="unsure")]
)
async def test_thoughts_of_ending_life_get_the_crisis_message_once_and_never_reassurance(
    patient: Patient, api: ScriptedBotApi, engine: Engine, answer: str
) -> None:
    await patient.send("/check")
    await answer_no_until(patient, "thoughts of ending your life")
    await patient.press(answer)

    crisis = copies(api, "988")
    assert len(crisis) == 1, crisis
    assert "911" in crisis[0]
    assert "nerve compression" not in crisis[0]
    assert "Samaritans" not in crisis[0]
    [stored] = await outbox(engine)
    assert stored.kind == "crisis"
    assert stored.delivered_at is not None
    # Only after the message: the offer to go on.
    assert "Continue the check" in patient.labels()
    await patient.press("Continue the check")
    await answer_no_while_asked(patient)
    assert not any(NO_WARNING in text.lower() for text in patient.texts)


async def test_the_crisis_message_is_sent_apart_when_its_screen_fails(
    patient: Patient,
    api: ScriptedBotApi,
    app: Application,  # type: ignore[type-arg]
    engine: Engine,
    clock: FakeClock,
) -> None:
    await patient.send("/check")
    await answer_no_until(patient, "thoughts of ending your life")
    api.fail_next("editMessageText", HttpFault(500, "Internal Server Error"))
    api.fail_next("sendMessage", HttpFault(502, "Bad Gateway"))
    await patient.press("Yes")
    # The screen that held it never arrived, so the advice went out on its own at once.
    assert len(copies(api, "988")) == 1
    await retry_until_quiet(app, clock)
    assert len(copies(api, "988")) == 1
    [stored] = await outbox(engine)
    assert stored.delivered_at is not None


async def test_a_diary_red_flag_is_not_cancelled_by_not_new_in_check(
    patient: Patient, engine: Engine, clock: FakeClock
) -> None:
    """REFERENCE.md §8.7: the check says it saw the diary's flag and keeps its advice."""
    await reach_the_symptoms(patient)
    await patient.presses("One calf or thigh swollen and sore", "Done", "None", "Skip", "Save")
    before = len(await outbox(engine))
    clock.advance(timedelta(days=2))

    await patient.send("/check")
    await answer_no_until(patient, "swollen")
    await patient.presses("Yes", "Not new")
    await answer_no_while_asked(patient)
    assert "in your diary on" in " ".join(patient.texts)
    stored = await outbox(engine)
    assert len(stored) == before + 1
    assert "RF-DVT" in stored[-1].red_flags


async def test_delete_erases_the_safety_messages_too(patient: Patient, engine: Engine) -> None:
    await reach_the_symptoms(patient)
    await patient.presses("Fever over 38 °C", "Wound red, hot, leaking or opening", "Done")
    assert len(await outbox(engine)) == 1
    await patient.send("/delete")
    await patient.press("erase everything")
    assert await outbox(engine) == []
    assert await engine.store.profile(USER) is None


async def test_named_symptoms_after_pressing_start_still_get_the_emergency_message(
    stranger: Patient,
    app: Application,  # type: ignore[type-arg]
    engine: Engine,
) -> None:
    """Telegram sends /start first: the consent screen is waiting, and words still count."""
    shell_of(app).sleep = _no_wait
    await stranger.send("/start")
    await stranger.type("I can't pee properly and my bottom feels numb")
    await shell_of(app).drain()
    texts = stranger.texts
    assert any("go to the nearest Emergency Department now" in t for t in texts)
    # The consent question is shown again, still waiting.
    assert any("Do you agree?" in t for t in texts[-2:])
    assert await engine.store.profile(STRANGER) is None


async def test_named_symptoms_in_the_middle_of_a_check_are_answered_at_once(
    patient: Patient, api: ScriptedBotApi, engine: Engine
) -> None:
    await patient.send("/check")
    await patient.type("my legs are weak and numb")
    [stored] = await outbox(engine)
    assert stored.tier == "emergency"
    assert len(copies(api)) == 1
    # Still in the check, at the same question.
    assert any("Question 1 of" in text for text in patient.texts[-2:])


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


async def test_a_red_flag_found_only_by_check_is_in_the_surgeons_pdf(
    patient: Patient, engine: Engine
) -> None:
    """No diary entry at all: the export still carries the check's red flag and its advice."""
    await patient.send("/check")
    await answer_no_until(patient, "thoughts of ending your life")
    await patient.presses("Yes", "Stop here")
    assert await entries(engine) == []
    # The same patient exports on the engine's line, where the file itself can be read.
    line = EngineLine(engine, Who(user_id=USER))
    exporter = Patient(line)
    await exporter.send("/export")
    await exporter.presses("Last 30 days", "PDF")
    assert line.reply.document is not None
    pages = PdfReader(io.BytesIO(line.reply.document[1])).pages
    text = " ".join(page.extract_text() for page in pages)
    assert "RF-MH" in text
    assert "delivered" in text


async def test_advice_that_reaches_a_patient_late_says_when_it_was_about(
    patient: Patient,
    api: ScriptedBotApi,
    app: Application,  # type: ignore[type-arg]
    clock: FakeClock,
) -> None:
    await reach_the_symptoms(patient)
    await patient.press("Bladder problems")
    api.fail_next("sendMessage", FAULTS["403"])
    await patient.press("Done")
    assert copies(api) == []
    # Two days later the patient unblocks the bot; Telegram sends /start.
    clock.advance(timedelta(days=2))
    await patient.send("/start")
    await shell_of(app).courier.run_once()
    [copy] = copies(api)
    # Decided at 18:30 UTC, 14:30 in New York.
    assert copy.startswith("⏰ I could not reach you earlier.")
    assert "10 Mar 2026, 14:30" in copy


async def test_advice_sent_at_once_has_no_late_line(patient: Patient, api: ScriptedBotApi) -> None:
    await reach_the_symptoms(patient)
    await patient.presses("Bladder problems", "Done")
    [copy] = copies(api)
    assert "could not reach you earlier" not in copy
