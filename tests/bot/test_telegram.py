"""The Telegram shell through python-telegram-bot's own Application.process_update."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import date

import pytest
from telegram.ext import Application

from bot.engine import Engine
from bot.reply import Reply
from bot.telegram_bot import build_application, set_commands
from bot.telegram_render import keyboard
from flows.dialogs.profile import ProfileStep
from flows.dialogs.router import Verdict
from flows.kit.core import Screen, nav_row, pain_grid
from tests.fakes import TOKEN, OfflineBotApi, message_update
from tests.onboarding import LABELS as ONBOARDING
from tests.onboarding import presses_to
from tests.patient import Patient, TelegramLine

USER = 31


@pytest.fixture
def api() -> OfflineBotApi:
    return OfflineBotApi()


@pytest.fixture
async def app(engine: Engine, api: OfflineBotApi) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = build_application(TOKEN, engine, request=api, updates_request=OfflineBotApi())
    async with application:
        yield application


@pytest.fixture
def line(app: Application, api: OfflineBotApi) -> TelegramLine:  # type: ignore[type-arg]
    return TelegramLine.of(app, api, USER)


@pytest.fixture
def patient(line: TelegramLine) -> Patient:
    return Patient(line)


async def test_start_onboarding_log_saves_a_row(patient: Patient, engine: Engine) -> None:
    await patient.send("/start")
    assert "Welcome to BackTrack" in patient.last
    for label in ONBOARDING:
        await patient.press(label)
    assert "All set" in patient.last

    await patient.send("/log")
    for label in ("8", "5", "▫️ Pain down one leg", "Done (1 ticked)", "None"):
        await patient.press(label)
    await patient.type("Bad night, <b>no sleep</b>")
    assert "Bad night, &lt;b&gt;no sleep&lt;/b&gt;" in patient.last
    await patient.press("✅ Save")
    assert patient.last.startswith("Saved")

    [entry] = await engine.store.entries_between(USER, date(2026, 1, 1), date(2026, 12, 31))
    assert (entry.back_pain, entry.leg_pain, entry.note) == (8, 5, "Bad night, <b>no sleep</b>")
    assert [str(s) for s in entry.symptoms] == ["pain_one_leg"]
    profile = await engine.store.profile(USER)
    assert profile is not None
    assert (profile.surgery_year, profile.surgery_month, profile.levels) == (2025, 6, 2)


async def test_each_press_is_answered_before_the_message_is_edited(
    patient: Patient, api: OfflineBotApi
) -> None:
    await patient.send("/start")
    await patient.press("✅ I agree, keep my diary")
    methods = [c.method for c in api.calls]
    answer = methods.index("answerCallbackQuery")
    assert methods[answer + 1] == "editMessageText"


async def test_history_is_sent_as_a_fixed_width_table(patient: Patient) -> None:
    await patient.send("/start")
    await patient.press("✅ I agree, keep my diary")
    await patient.send("/history")
    assert "No diary entries" in patient.last


async def test_stale_keyboard_gets_a_friendly_answer_and_changes_nothing(
    patient: Patient, engine: Engine, api: OfflineBotApi
) -> None:
    await patient.send("/start")
    for label in ONBOARDING[: presses_to(ProfileStep.SURGERY_YEAR)]:
        await patient.press(label)
    data = patient.data_of("2023")
    await patient.press("2024")
    edits_before = len(api.sent("editMessageText"))
    await patient.press_data(data, update_id=900)
    [answer] = api.sent("answerCallbackQuery")[-1:]
    assert "earlier message" in answer["text"]
    # The pressed old message shows where the patient is now: the month of 2024.
    assert len(api.sent("editMessageText")) == edits_before + 1
    assert "In which month of 2024?" in patient.last
    profile = await engine.store.profile(USER)
    assert profile is not None
    assert profile.surgery_year is None


async def test_forged_callback_data_gets_a_friendly_answer(
    patient: Patient, api: OfflineBotApi
) -> None:
    await patient.send("/start")
    await patient.press_data("drop table users", update_id=901)
    [answer] = api.sent("answerCallbackQuery")
    assert "isn't one I can use" in answer["text"]


async def test_a_duplicate_update_is_processed_once(
    patient: Patient, engine: Engine, api: OfflineBotApi
) -> None:
    await patient.send("/start")
    for label in ONBOARDING:
        await patient.press(label)
    await patient.send("/log")
    for label in ("3", "3", "Done: none of these", "None", "Skip"):
        await patient.press(label)
    data = await patient.press("✅ Save")
    calls_before = len(api.calls)
    # The same update again, as Telegram redelivers one whose answer it did not get.
    await patient.press_data(data, update_id=patient.last_update_id)
    assert [c.method for c in api.calls[calls_before:]] == ["answerCallbackQuery"]
    entries = await engine.store.entries_between(USER, date(2026, 1, 1), date(2026, 12, 31))
    assert len(entries) == 1


async def test_group_messages_are_politely_refused(
    patient: Patient, engine: Engine, api: OfflineBotApi, line: TelegramLine
) -> None:
    await line.send_update(
        message_update(patient.new_id(), USER, "/log", chat_type="group", chat_id=-100)
    )
    assert "private chat" in api.texts()[-1]
    assert await engine.store.profile(USER) is None


async def test_a_photo_gets_a_clear_answer(patient: Patient, line: TelegramLine) -> None:
    photo = {"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}
    await line.send_update(message_update(800, USER, None, extra={"photo": [photo]}))
    assert "button presses and text" in patient.last


async def test_unknown_command_shows_help(patient: Patient) -> None:
    await patient.send("/frobnicate")
    assert "/log" in patient.last


async def test_the_command_menu_is_set(api: OfflineBotApi, app: Application) -> None:  # type: ignore[type-arg]
    await set_commands(app)
    [call] = api.sent("setMyCommands")
    names = [c["command"] for c in call["commands"]]
    assert names == [
        "log",
        "check",
        "meds",
        "event",
        "history",
        "trend",
        "export",
        "import",
        "privacy",
        "delete",
        "settings",
        "help",
        "cancel",
        "start",
    ]


async def test_diary_text_never_reaches_the_logs(
    patient: Patient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await patient.send("/start")
    for label in ONBOARDING:
        await patient.press(label)
    await patient.send("/log")
    for label in ("3", "3", "Done: none of these", "None"):
        await patient.press(label)
    await patient.type("secret-diary-words")
    await patient.press("✅ Save")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "secret-diary-words" not in logged
    assert TOKEN.split(":")[1] not in logged


async def test_check_stops_at_the_first_emergency_and_saves_it(
    patient: Patient, engine: Engine, api: OfflineBotApi
) -> None:
    await patient.send("/start")
    await patient.press("✅ I agree, keep my diary")
    await patient.send("/check")
    assert "Question 1 of" in patient.last
    await patient.press("Yes")
    await patient.press("New, or worse than before")
    assert "Call your local emergency number (112 in Europe, 911 in North America, 999 in" in (
        patient.last
    )
    assert "reply_markup" not in api.sent("editMessageText")[-1]
    checks = await engine.store.read(lambda s: s.checks(USER))
    assert [c.red_flags for c in checks] == [("RF-CES-1",)]


def test_a_screens_keyboard_is_sent_as_the_bot_api_takes_it() -> None:
    screen = Screen(text="How bad?", buttons=(*pain_grid(2), nav_row("en")))
    markup = keyboard(Reply(verdict=Verdict.ACCEPTED, screen=screen, seq=7), screen)
    assert markup is not None
    sent = markup.to_dict()
    assert sent["inline_keyboard"][0][2] == {"text": "• 2 •", "callback_data": "bt:7:p2"}
    assert [b["callback_data"] for b in sent["inline_keyboard"][-1]] == [
        "bt:7:back",
        "bt:7:cancel",
    ]
    # Code that reads python-telegram-bot's own objects sees the same buttons.
    assert [[b.to_dict() for b in row] for row in markup.inline_keyboard] == sent[
        "inline_keyboard"
    ]
    assert keyboard(Reply(verdict=Verdict.ACCEPTED), Screen(text="No buttons")) is None
