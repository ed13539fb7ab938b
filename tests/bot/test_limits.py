"""The send limit shared fairly: replies before waiting prompts, flood waits per chat."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from telegram.error import RetryAfter

from bot.limits import BULK, FairLimiter


async def test_a_reply_goes_at_once_during_a_wave_of_prompts() -> None:
    limiter = FairLimiter(rate=200)
    await limiter.initialize()
    order: list[str] = []

    async def send(name: str) -> bool:
        order.append(name)
        return True

    async def call(name: str, bulk: bool) -> Any:
        return await limiter.process_request(
            send, (name,), {}, "sendMessage", {"chat_id": 1}, BULK if bulk else None
        )

    try:
        wave = [asyncio.create_task(call(f"prompt{i}", True)) for i in range(20)]
        await asyncio.sleep(0.012)
        reply = asyncio.create_task(call("reply", False))
        await asyncio.gather(*wave, reply)
    finally:
        await limiter.shutdown()
    # Sent as it arrived (two or three prompts had their slots), not after the twenty.
    assert order.index("reply") <= 4, order
    assert len(order) == 21


async def test_a_flood_wait_for_one_chat_does_not_hold_another() -> None:
    limiter = FairLimiter(rate=200)
    await limiter.initialize()
    done: list[str] = []
    flooded = {"once": False}

    async def send(chat: int) -> bool:
        if chat == 1 and not flooded["once"]:
            flooded["once"] = True
            raise RetryAfter(1)
        done.append(f"chat{chat}")
        return True

    async def call(chat: int) -> Any:
        return await limiter.process_request(
            send, (chat,), {}, "sendMessage", {"chat_id": chat}, None
        )

    try:
        first = asyncio.create_task(call(1))
        await asyncio.sleep(0.05)
        await asyncio.wait_for(call(2), timeout=0.5)
        # The other chat went through while the first waits out its flood.
        assert done == ["chat2"]
        await first
    finally:
        await limiter.shutdown()
    assert done == ["chat2", "chat1"]


async def test_replies_and_answers_never_wait_and_replies_hold_back_the_prompts() -> None:
    limiter = FairLimiter(rate=10)
    await limiter.initialize()
    sent: list[str] = []

    async def send(name: str) -> bool:
        sent.append(name)
        return True

    try:
        for i in range(20):
            # At 10 a second, twenty paced calls would take two seconds; none waits here.
            await asyncio.wait_for(
                limiter.process_request(
                    send, (f"answer{i}",), {}, "answerCallbackQuery", {"chat_id": i}, None
                ),
                timeout=0.5,
            )
        assert limiter.backlog == 0.0
        for i in range(20):
            await asyncio.wait_for(
                limiter.process_request(
                    send, (f"edit{i}",), {}, "editMessageText", {"chat_id": i}, None
                ),
                timeout=0.5,
            )
        # The twenty replies spent two seconds of the shared pace: prompts wait that long.
        assert 1.5 < limiter.backlog <= 2.0
        prompt = asyncio.create_task(
            limiter.process_request(send, ("prompt",), {}, "sendMessage", {"chat_id": 99}, BULK)
        )
        await asyncio.sleep(0.1)
        assert "prompt" not in sent
        prompt.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await prompt
    finally:
        await limiter.shutdown()
    assert len(sent) == 40
