"""The Telegram shell through python-telegram-bot's own Application.process_update."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.engine import Engine, Reply
from bot.telegram_bot import build_application, keyboard, set_commands
from flows.dialogs.profile import ProfileStep
from flows.dialogs.router import Verdict
from flows.kit.core import Screen, nav_row, pain_grid
from tests.fakes import TOKEN, OfflineBotApi, callback_update, message_update
from tests.onboarding import LABELS as ONBOARDING
from tests.onboarding import presses_to

USER = 31


class Chat:
    """A user's side of the chat: sends updates, reads what the bot answered."""

    def __init__(self, app: Application, api: OfflineBotApi) -> None:  # type: ignore[type-arg]
        self.app = app
        self.api = api
        self.next_id = 1

    async def send(self, payload: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(payload, self.app.bot))

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    async def say(self, text: str, **kwargs: Any) -> None:
        await self.send(message_update(self._id(), USER, text, **kwargs))

    async def tap(self, label: str) -> dict[str, Any]:
        keyboard = self.api.last_keyboard()
        [data] = [d for text, d in keyboard if text == label]
        payload = callback_update(self._id(), USER, data)
        await self.send(payload)
        return payload

    def last_text(self) -> str:
        return self.api.texts()[-1]


@pytest.fixture
async def chat(engine: Engine) -> AsyncIterator[Chat]:
    api = OfflineBotApi()
    app = build_application(TOKEN, engine, request=api, updates_request=OfflineBotApi())
    async with app:
        yield Chat(app, api)


async def test_start_onboarding_log_saves_a_row(chat: Chat, engine: Engine) -> None:
    await chat.say("/start")
    assert "Welcome to BackTrack" in chat.last_text()
    for label in ONBOARDING:
        await chat.tap(label)
    assert "All set" in chat.last_text()

    await chat.say("/log")
    for label in ("8", "5", "▫️ Pain down one leg", "Done (1 ticked)"):
        await chat.tap(label)
    await chat.say("Bad night, <b>no sleep</b>")
    assert "Bad night, &lt;b&gt;no sleep&lt;/b&gt;" in chat.last_text()
    await chat.tap("✅ Save")
    assert chat.last_text().startswith("Saved")

    [entry] = await engine.store.entries_between(USER, date(2026, 1, 1), date(2026, 12, 31))
    assert (entry.back_pain, entry.leg_pain, entry.note) == (8, 5, "Bad night, <b>no sleep</b>")
    assert [str(s) for s in entry.symptoms] == ["pain_one_leg"]
    profile = await engine.store.profile(USER)
    assert profile is not None
    assert (profile.surgery_year, profile.surgery_month, profile.levels) == (2025, 6, 2)


async def test_each_press_is_answered_before_the_message_is_edited(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("✅ I agree, keep my diary")
    methods = [c.method for c in chat.api.calls]
    answer = methods.index("answerCallbackQuery")
    assert methods[answer + 1] == "editMessageText"


async def test_history_is_sent_as_a_fixed_width_table(chat: Chat) -> None:
    await chat.say("/start")
    await chat.tap("✅ I agree, keep my diary")
    await chat.say("/history")
    assert "No diary entries" in chat.last_text()


async def test_stale_keyboard_gets_a_friendly_answer_and_changes_nothing(
    chat: Chat, engine: Engine
) -> None:
    await chat.say("/start")
    for label in ONBOARDING[: presses_to(ProfileStep.SURGERY_YEAR)]:
        await chat.tap(label)
    old_keyboard = chat.api.last_keyboard()
    await chat.tap("2024")
    edits_before = len(chat.api.sent("editMessageText"))
    [data] = [d for text, d in old_keyboard if text == "2023"]
    await chat.send(callback_update(900, USER, data))
    [answer] = chat.api.sent("answerCallbackQuery")[-1:]
    assert "earlier message" in answer["text"]
    # The pressed old message shows where the patient is now: the month of 2024.
    assert len(chat.api.sent("editMessageText")) == edits_before + 1
    assert "In which month of 2024?" in chat.last_text()
    profile = await engine.store.profile(USER)
    assert profile is not None
    assert profile.surgery_year is None


async def test_forged_callback_data_gets_a_friendly_answer(chat: Chat) -> None:
    await chat.say("/start")
    await chat.send(callback_update(901, USER, "drop table users"))
    [answer] = chat.api.sent("answerCallbackQuery")
    assert "isn't one I can use" in answer["text"]


async def test_a_duplicate_update_is_processed_once(chat: Chat, engine: Engine) -> None:
    await chat.say("/start")
    for label in ONBOARDING:
        await chat.tap(label)
    await chat.say("/log")
    for label in ("3", "3", "Done: none of these", "Skip"):
        await chat.tap(label)
    payload = await chat.tap("✅ Save")
    calls_before = len(chat.api.calls)
    await chat.send(payload)
    assert [c.method for c in chat.api.calls[calls_before:]] == ["answerCallbackQuery"]
    entries = await engine.store.entries_between(USER, date(2026, 1, 1), date(2026, 12, 31))
    assert len(entries) == 1


async def test_group_messages_are_politely_refused(chat: Chat, engine: Engine) -> None:
    await chat.say("/log", chat_type="group", chat_id=-100)
    assert "private chat" in chat.last_text()
    assert await engine.store.profile(USER) is None


async def test_a_photo_gets_a_clear_answer(chat: Chat) -> None:
    photo = {"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}
    await chat.send(message_update(800, USER, None, extra={"photo": [photo]}))
    assert "button presses and text" in chat.last_text()


async def test_unknown_command_shows_help(chat: Chat) -> None:
    await chat.say("/frobnicate")
    assert "/log" in chat.last_text()


async def test_the_command_menu_is_set(chat: Chat) -> None:
    await set_commands(chat.app)
    [call] = chat.api.sent("setMyCommands")
    names = [c["command"] for c in call["commands"]]
    assert names == [
        "log",
        "check",
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
    chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await chat.say("/start")
    for label in ONBOARDING:
        await chat.tap(label)
    await chat.say("/log")
    for label in ("3", "3", "Done: none of these"):
        await chat.tap(label)
    await chat.say("secret-diary-words")
    await chat.tap("✅ Save")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "secret-diary-words" not in logged
    assert TOKEN.split(":")[1] not in logged


async def test_check_stops_at_the_first_emergency_and_saves_it(chat: Chat, engine: Engine) -> None:
    await chat.say("/start")
    await chat.tap("✅ I agree, keep my diary")
    await chat.say("/check")
    assert "Question 1 of" in chat.last_text()
    await chat.tap("Yes")
    await chat.tap("New, or worse than before")
    assert "Call your local emergency number (112 in Europe, 911 in North America, 999 in" in (
        chat.last_text()
    )
    assert "reply_markup" not in chat.api.sent("editMessageText")[-1]
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
