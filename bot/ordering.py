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


def _user_of(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None


class PerUserOrder(BaseUpdateProcessor):
    """Runs different users' updates concurrently and each user's in the order they came."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the same user's earlier updates, then handle this one."""
        user = _user_of(update)
        if user is None:
            await coroutine
            return
        lock = self._locks.setdefault(user, asyncio.Lock())
        self._holders[user] = self._holders.get(user, 0) + 1
        try:
            async with lock:
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
