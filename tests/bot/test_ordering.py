"""Patients do not wait for each other; one patient's updates never interleave."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update

from bot.engine import Engine
from bot.ordering import PerUserOrder
from bot.telegram_bot import build_application
from flows.records.models import NewEntry
from storage.ports import Session
from tests.bot.test_safety_delivery import seed_patient
from tests.clock import FakeClock
from tests.fakes import TOKEN, OfflineBotApi, callback_update, message_update
from tests.faults import ScriptedBotApi

SLOW, QUICK = 81, 82


@dataclass
class GatedBotApi(ScriptedBotApi):
    """Telegram taking its time: the first message to one chat waits until the gate opens."""

    gated_chat: int = SLOW
    gated_method: str = "sendMessage"
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    held: bool = False

    async def answer(
        self, url: str, method: str, name: str, params: dict[str, Any]
    ) -> tuple[int, bytes]:
        """Hold the first call of the gated method to the gated chat."""
        gated = name == self.gated_method and params.get("chat_id") == self.gated_chat
        if gated and not self.held:
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


async def test_another_patients_press_completes_while_an_export_is_being_sent(
    engine: Engine, clock: FakeClock
) -> None:
    def seed(session: Session) -> None:
        seed_patient(session, SLOW)
        seed_patient(session, QUICK)
        for day in range(1, 9):
            entry_date = clock().date().replace(day=day)
            session.add_entry(
                SLOW,
                NewEntry(
                    entry_date=entry_date,
                    recorded_at=clock(),
                    timezone="UTC",
                    back_pain=day % 10,
                    leg_pain=2,
                ),
            )

    await engine.store.unit(clock(), seed)
    api = GatedBotApi(gated_method="sendDocument")
    app = build_application(
        TOKEN, engine, request=api, updates_request=OfflineBotApi(), rate_limit=False
    )
    async with app:
        await app.start()
        stream = [
            message_update(1, SLOW, "/export"),
            callback_update(2, SLOW, "bt:1:d30"),
            callback_update(3, SLOW, "bt:2:pdf"),
        ]
        for payload in stream:
            await app.update_queue.put(Update.de_json(payload, app.bot))
        await until(lambda: api.held)
        # The PDF is made and on its way; meanwhile another patient opens the diary.
        await app.update_queue.put(Update.de_json(message_update(4, QUICK, "/log"), app.bot))
        await until(lambda: any("BACK pain" in text for text in api.shown_to(QUICK)))
        assert api.sent("sendDocument") == []
        api.gate.set()
        await until(lambda: len(api.sent("sendDocument")) == 1)
        await app.stop()


async def test_one_patients_burst_of_presses_does_not_hold_another_patient() -> None:
    order = PerUserOrder(max_concurrent_updates=4)
    gate = asyncio.Event()
    done: list[str] = []

    async def handle(name: str, held: bool) -> None:
        if held:
            await gate.wait()
        done.append(name)

    def update(update_id: int, user: int) -> Update:
        return Update.de_json(message_update(update_id, user, "/help"), None)

    # Twenty updates of one patient, the first stuck on Telegram: more than all four slots.
    burst = [
        asyncio.create_task(order.process_update(update(i, SLOW), handle(f"slow{i}", i == 0)))
        for i in range(20)
    ]
    await asyncio.sleep(0)
    await asyncio.wait_for(order.process_update(update(99, QUICK), handle("quick", False)), 2)
    assert done == ["quick"]
    gate.set()
    await asyncio.gather(*burst)
    assert done == ["quick", *(f"slow{i}" for i in range(20))]
