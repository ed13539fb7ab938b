"""Updates of different patients handled at the same time; one patient's never interleaved.

python-telegram-bot hands every update to an update processor. This one lets updates of
different users run concurrently, so no patient waits on another's network round trips (a
press answered after about 15 s is refused by Telegram), and queues each user's own updates
in arrival order, so two presses of one patient never run against the same screen at once.
Units of work still meet, one at a time, on the database thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates in progress at once, across all users; more wait in Telegram's arrival order.
MAX_CONCURRENT_UPDATES = 64
# python-telegram-bot takes a slot of its own semaphore before calling this processor, so a
# patient's updates waiting for their turn would hold slots: one patient's burst of a hundred
# presses would then stall everyone. Its semaphore is made too wide to matter; the slots are
# taken here, after the patient's turn has come.
_UNBOUNDED = 2**31 - 1


def _user_of(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None


class PerUserOrder(BaseUpdateProcessor):
    """Runs different users' updates concurrently and each user's in the order they came."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be at least 1")
        # The base class sizes its semaphore from max_concurrent_updates, read in its own
        # constructor: it must see the unbounded value there, the real limit afterwards.
        self._limit = _UNBOUNDED
        super().__init__(_UNBOUNDED)
        self._limit = max_concurrent_updates
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}
        self._watched: dict[int, asyncio.Future[None]] = {}

    def watch(self, update_id: int) -> asyncio.Future[None]:
        """A future done once the update has been handled, or failed: a webhook answer waits."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._watched[update_id] = future
        return future

    def unwatch(self, update_id: int) -> None:
        """Stop watching an update (its answer could not wait any longer)."""
        self._watched.pop(update_id, None)

    def _handled(self, update: object) -> None:
        if isinstance(update, Update):
            future = self._watched.pop(update.update_id, None)
            if future is not None and not future.done():
                future.set_result(None)

    @property
    def max_concurrent_updates(self) -> int:
        """How many updates are handled at once, across all users."""
        return self._limit

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the same user's earlier updates, then for a free slot, then handle it."""
        try:
            await self._in_turn(update, coroutine)
        finally:
            self._handled(update)

    async def _in_turn(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = _user_of(update)
        if user is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(user, asyncio.Lock())
        self._holders[user] = self._holders.get(user, 0) + 1
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            # Forget a user's lock once nothing of theirs is waiting: memory stays flat.
            self._holders[user] -= 1
            if not self._holders[user]:
                del self._holders[user]
                del self._locks[user]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
