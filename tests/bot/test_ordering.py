"""Patients do not wait for each other; one patient's updates never interleave."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update

from bot.engine import Engine
from bot.telegram_bot import build_application
from storage.repo import Session
from tests.bot.test_safety_delivery import seed_patient
from tests.clock import FakeClock
from tests.fakes import TOKEN, OfflineBotApi, message_update
from tests.faults import ScriptedBotApi

SLOW, QUICK = 81, 82


@dataclass
class GatedBotApi(ScriptedBotApi):
    """Telegram taking its time: the first message to one chat waits until the gate opens."""

    gated_chat: int = SLOW
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    held: bool = False

    async def answer(
        self, url: str, method: str, name: str, params: dict[str, Any]
    ) -> tuple[int, bytes]:
        """Hold the first sendMessage to the gated chat."""
        if name == "sendMessage" and params.get("chat_id") == self.gated_chat and not self.held:
            self.held = True
            await self.gate.wait()
        return await super().answer(url, method, name, params)


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


async def test_a_slow_reply_to_one_patient_does_not_hold_another_nor_its_own_next_update(
    engine: Engine, clock: FakeClock
) -> None:
    def seed(session: Session) -> None:
        seed_patient(session, SLOW)
        seed_patient(session, QUICK)

    await engine.store.unit(clock(), seed)
    api = GatedBotApi()
    app = build_application(
        TOKEN, engine, request=api, updates_request=OfflineBotApi(), rate_limit=False
    )
    async with app:
        await app.start()
        for update_id, user, text in ((1, SLOW, "/help"), (2, SLOW, "/log"), (3, QUICK, "/log")):
            await app.update_queue.put(
                Update.de_json(message_update(update_id, user, text), app.bot)
            )
        # The other patient is answered while the first waits on Telegram...
        await until(lambda: any("BACK pain" in text for text in api.shown_to(QUICK)))
        # ...and the first patient's /log has not started: their /help is not done yet.
        waiting = await engine.store.read(lambda s: s.conversation(SLOW))
        assert waiting.state is None
        api.gate.set()
        await until(lambda: len(api.shown_to(SLOW)) == 2)
        first, second = api.shown_to(SLOW)
        assert "/log" in first
        assert "BACK pain" in second
        await app.stop()
