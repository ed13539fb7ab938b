"""Telegram's send limit shared fairly: a patient's own replies never wait for check-in prompts.

Telegram allows bulk messages at about 30 a second overall. python-telegram-bot's
AIORateLimiter paces every request, answers to button presses included, in arrival order, and
on a flood wait (HTTP 429) for one chat pauses every request. Here only bulk requests (the
check-in prompts) wait for a slot of the shared pace. A reply to a patient's own press or
command goes at once and spends a slot, so the prompts behind it slow down and the total stays
within the pace; an answer to a press spends none (it is not a message). A flood wait holds
only the chat it was given for.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

# rate_limit_args of a bulk request (a check-in prompt); None marks a reply.
BULK = 1
MAX_RETRIES = 3


# Not messages: they never wait, and spend no slot.
UNCOUNTED = frozenset({"answerCallbackQuery", "getMe", "getUpdates", "getFile"})


class FairLimiter(BaseRateLimiter[int]):
    """Bulk messages at `rate` a second, less the replies sent meanwhile; flood waits per chat."""

    def __init__(self, rate: float, max_retries: int = MAX_RETRIES) -> None:
        self.interval = 1 / rate
        self.max_retries = max_retries
        self._bulk: deque[asyncio.Future[None]] = deque()
        self._waiting = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None
        self._held: dict[object, float] = {}
        # The loop time from which the next bulk message may go.
        self._next_free = 0.0

    async def initialize(self) -> None:
        """Start handing out slots."""
        if self._pump is None:
            self._pump = asyncio.create_task(self._hand_out())

    async def shutdown(self) -> None:
        """Stop handing out slots."""
        if self._pump is not None:
            self._pump.cancel()
            await asyncio.gather(self._pump, return_exceptions=True)
            self._pump = None
        # A request still waiting for a slot must not hang the shutdown that follows.
        while self._bulk:
            waiter = self._bulk.popleft()
            if not waiter.done():
                waiter.cancel()

    @property
    def backlog(self) -> float:
        """Seconds until the next bulk message may go."""
        return max(0.0, self._next_free - asyncio.get_running_loop().time())

    def _spend(self) -> None:
        now = asyncio.get_running_loop().time()
        self._next_free = max(self._next_free, now) + self.interval

    async def _hand_out(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            while not self._bulk:
                self._waiting.clear()
                await self._waiting.wait()
            # Replies sent meanwhile push the next slot on; look again after waiting.
            delay = self._next_free - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
                continue
            waiter = self._bulk.popleft()
            if waiter.done():
                continue
            waiter.set_result(None)
            # From the slot's due time, not from the moment the timer woke, so a wave keeps the
            # full pace instead of losing the timer's lateness at every message; but never
            # more than a fortieth of a slot back, so a late loop never bunches messages.
            now = loop.time()
            self._next_free = max(self._next_free, now - self.interval / 40) + self.interval

    async def _bulk_slot(self) -> None:
        if self._pump is None:
            await self.initialize()
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._bulk.append(waiter)
        self._waiting.set()
        await waiter

    async def _wait_for_chat(self, chat: object) -> None:
        loop = asyncio.get_running_loop()
        until = self._held.get(chat)
        if until is None:
            return
        if until <= loop.time():
            del self._held[chat]
            return
        await asyncio.sleep(until - loop.time())

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Send within the shared pace; after a flood wait, retry this chat only."""
        chat = data.get("chat_id")
        bulk = rate_limit_args == BULK
        counted = endpoint not in UNCOUNTED
        for attempt in range(self.max_retries + 1):
            # Every reply comes through here: no awaits of its own unless a chat is held.
            if self._held:
                await self._wait_for_chat(chat)
            if counted:
                if bulk:
                    await self._bulk_slot()
                else:
                    self._spend()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == self.max_retries:
                    log.warning("flood wait after %d retries; giving up this call", attempt)
                    raise
                delay = error.retry_after
                seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
                wait = seconds + 0.1
                self._held[chat] = asyncio.get_running_loop().time() + wait
                log.info("flood wait of %.1f s for one chat; other chats go on", wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")
