"""Nothing of a diary reaches the logs on the real polling path, at DEBUG, in any library."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.config import Settings
from bot.engine import Engine
from bot.service import serve
from bot.telegram_bot import build_application
from bot.updates import readable_updates
from tests.bot.test_export import export, seed
from tests.clock import FakeClock
from tests.fakes import TOKEN, ApiCall, OfflineBotApi, message_update
from tests.onboarding import LABELS as ONBOARDING
from tests.patient import Patient, TelegramLine

USER = 77
NOTE = "zebra-walnut knee note"
NAME = "Priya-Secretname"


@dataclass
class PollingApi(OfflineBotApi):
    """A Bot API that hands the bot's long poll whatever batches the test queues."""

    batches: asyncio.Queue[list[dict[str, Any]]] = field(default_factory=asyncio.Queue)
    polls: int = 0

    async def answer(
        self, url: str, method: str, name: str, params: dict[str, Any]
    ) -> tuple[int, bytes]:
        """Answer a long poll with the next queued batch, or nothing after a short wait."""
        if name != "getUpdates":
            return await super().answer(url, method, name, params)
        self.polls += 1
        self.calls.append(ApiCall(name, params))
        try:
            batch = await asyncio.wait_for(self.batches.get(), 0.05)
        except TimeoutError:
            batch = []
        return 200, json.dumps({"ok": True, "result": batch}).encode()


async def delivered(api: PollingApi, *updates: dict[str, Any]) -> None:
    """Hand one batch to the bot's long poll and wait until the bot has answered it."""
    answered = len(api.calls)
    await api.batches.put(list(updates))
    for _ in range(500):
        await asyncio.sleep(0.01)
        done = [c for c in api.calls[answered:] if c.method != "getUpdates"]
        if done and api.batches.empty():
            await asyncio.sleep(0.02)
            return
    raise AssertionError("the bot never answered")


@pytest.fixture
def api() -> PollingApi:
    return PollingApi()


@pytest.fixture
async def phone(
    tmp_path: Path, api: PollingApi, debug_everywhere: pytest.LogCaptureFixture
) -> AsyncIterator[Patient]:
    """A patient whose phone's updates reach a whole bot process by its long poll."""
    settings = Settings(telegram_bot_token=SecretStr(TOKEN), _env_file=None)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, tmp_path / "bot.db", stop, request=api))
    for _ in range(500):
        if api.polls:
            break
        await asyncio.sleep(0.01)

    async def deliver(update: dict[str, Any]) -> None:
        await delivered(api, update)

    yield Patient(TelegramLine(api, deliver, USER, first_name=NAME))
    stop.set()
    await asyncio.wait_for(task, 10)


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record as a handler would write it, tracebacks included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


@pytest.fixture
def debug_everywhere(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    # As in a fresh process at BACKTRACK_LOG_LEVEL=DEBUG: no library logger quietened yet.
    for name in list(logging.root.manager.loggerDict):
        logging.getLogger(name).setLevel(logging.NOTSET)
    caplog.set_level(logging.DEBUG)
    return caplog


async def test_a_whole_diary_day_at_debug_leaves_nothing_of_it_in_the_logs(
    phone: Patient, api: PollingApi, debug_everywhere: pytest.LogCaptureFixture
) -> None:
    await phone.send("/start")
    for label in ONBOARDING:
        await phone.press(label)
    await phone.send("/log")
    if "Today" in phone.labels():
        # Early in the morning (the bot's real clock) it asks which day the entry is for.
        await phone.press("Today")
    for label in ("7", "6", "Done: none of these", "None"):
        await phone.press(label)
    await phone.type(NOTE)
    await phone.press("✅ Save")
    await phone.send("/history")
    assert any(NOTE in text for text in api.texts()), "the note was not even saved"
    logged = everything_logged(debug_everywhere)
    for secret in (NOTE, NAME, TOKEN.split(":")[1], "zebra"):
        assert secret not in logged
    # The bot asked Telegram only for what it handles.
    [first, *_] = api.sent("getUpdates")
    assert first["allowed_updates"] == ["message", "edited_message", "callback_query"]


async def test_an_unreadable_update_is_skipped_and_the_rest_of_its_batch_handled(
    phone: Patient, api: PollingApi, debug_everywhere: pytest.LogCaptureFixture
) -> None:
    broken = message_update(150, USER, NOTE)
    broken["message"]["chat"] = NOTE
    await delivered(api, broken, message_update(151, USER, "/privacy"))
    assert any("Your data in BackTrack" in text for text in api.texts())
    logged = everything_logged(debug_everywhere)
    assert "update 150 from Telegram could not be read (TypeError)" in logged
    assert NOTE not in logged
    assert "zebra" not in logged
    # Polling moved past it: the next poll asks from the update after the batch.
    await phone.send("/help")
    assert 152 in [call.get("offset") for call in api.sent("getUpdates")]


def test_an_unreadable_update_keeps_only_its_id() -> None:
    good = message_update(2, USER, "/help")
    payload = json.dumps({"ok": True, "result": [{"update_id": 1, "message": NOTE}, good]})
    body = json.loads(readable_updates(payload.encode()))
    assert body["result"] == [{"update_id": 1}, good]
    intact = json.dumps({"ok": True, "result": [good]}).encode()
    assert readable_updates(intact) is intact


async def test_a_pdf_export_at_debug_spells_out_nothing_of_the_notes(
    engine: Engine, clock: FakeClock, debug_everywhere: pytest.LogCaptureFixture
) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    reply = await export(engine, "Last 30 days", "PDF")
    assert reply.document is not None
    assert reply.document[1].startswith(b"%PDF")
    records = debug_everywhere.records
    # fontTools lists the glyphs a PDF keeps, which spell out the letters of every note.
    assert [r.name for r in records if r.name.startswith("fontTools")] == []
    assert "stairs" not in everything_logged(debug_everywhere)


async def test_an_error_is_logged_with_where_it_happened_but_not_what_it_quoted(
    engine: Engine, debug_everywhere: pytest.LogCaptureFixture
) -> None:
    async def fails_on_the_note(update: Update, context: object) -> None:
        # As pydantic or a JSON reader would: the message quotes the input.
        raise ValueError(f"input_value={NOTE!r}")

    app = build_application(TOKEN, engine, request=OfflineBotApi(), rate_limit=False)
    app.add_handler(MessageHandler(filters.ALL, fails_on_the_note), group=-1)
    async with app:
        await app.process_update(Update.de_json(message_update(9, USER, NOTE), app.bot))
    logged = everything_logged(debug_everywhere)
    assert "error while handling an update: ValueError" in logged
    assert "fails_on_the_note" in logged
    assert NOTE not in logged
