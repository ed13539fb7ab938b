"""Telegram's send limit shared fairly: a patient's own replies before bulk check-in prompts.

Telegram allows about 30 messages a second overall. python-telegram-bot's AIORateLimiter
serves requests in arrival order and, on a flood wait (HTTP 429) for one chat, pauses every
request. Here each request waits for a slot of the shared pace, a reply taking the next slot
before any waiting prompt, and a flood wait holds only the chat it was given for.
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


class FairLimiter(BaseRateLimiter[int]):
    """One message per slot at `rate` a second; replies first; flood waits per chat."""

    def __init__(self, rate: float, max_retries: int = MAX_RETRIES) -> None:
        self.interval = 1 / rate
        self.max_retries = max_retries
        self._replies: deque[asyncio.Future[None]] = deque()
        self._bulk: deque[asyncio.Future[None]] = deque()
        self._waiting = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None
        self._held: dict[object, float] = {}

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
        for queue in (self._replies, self._bulk):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.cancel()

    async def _hand_out(self) -> None:
        while True:
            while not self._replies and not self._bulk:
                self._waiting.clear()
                await self._waiting.wait()
            queue = self._replies if self._replies else self._bulk
            waiter = queue.popleft()
            if waiter.done():
                continue
            waiter.set_result(None)
            # A slot every interval, never two at once: a leaky bucket of one.
            await asyncio.sleep(self.interval)

    async def _slot(self, bulk: bool) -> None:
        if self._pump is None:
            await self.initialize()
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._bulk if bulk else self._replies).append(waiter)
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
        for attempt in range(self.max_retries + 1):
            await self._wait_for_chat(chat)
            await self._slot(bulk)
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
