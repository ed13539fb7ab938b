"""Delivers the outbox: safety advice is sent until Telegram confirms it, whatever fails.

The advice was written to the outbox in the transaction that decided it (REFERENCE.md §8,
DESIGN.md "Safety messages have an outbox"). The reply path sends it at once; this courier
also retries what failed, every few seconds, and at start-up what a restart interrupted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.engine import Engine
from bot.reply import Delivery
from flows.i18n import t

log = logging.getLogger(__name__)

# How often the retry job looks for advice that is due again, and how many it tries per pass.
RETRY_EVERY_SECONDS = 5
PASS_LIMIT = 200
# Advice sent this long after it was decided says which moment it is about.
LATE_AFTER = timedelta(minutes=10)
# A blocked bot or a refused chat cannot be reached by retrying soon; the advice waits for the
# patient's next /start, and is tried again hourly in case the refusal was Telegram's mistake.
REFUSED_RETRY_SECONDS = 3600


class Sent(StrEnum):
    """What became of one try to send a piece of advice."""

    DELIVERED = "delivered"
    FAILED = "failed"
    BLOCKED = "blocked"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Attempt:
    """The result of one try, the error's type (never its text) and any wait Telegram asked."""

    sent: Sent
    error: str = ""
    wait_seconds: float | None = None


SendAdviceText = Callable[[int, str], Awaitable[Attempt]]


class Courier:
    """Sends safety advice and records each try in the outbox."""

    def __init__(self, engine: Engine, send: SendAdviceText, language: str = "en") -> None:
        self.engine = engine
        self.send = send
        self.language = language
        self._lock = asyncio.Lock()

    def text_of(self, delivery: Delivery) -> str:
        """The message as sent: a late one says when it was about, a retry that it may repeat."""
        text = delivery.text
        decided = delivery.decided_at
        if decided is not None and self.engine.clock() - decided > LATE_AFTER:
            # A patient back after an outage or a block must not read old advice as new news.
            when = t(self.language, "safety.late", when=decided.strftime("%d %b %Y, %H:%M"))
            text = f"{when}\n\n{text}"
        if delivery.repeated:
            text = f"{text}\n\n{t(self.language, 'safety.repeated')}"
        return text

    async def deliver(self, deliveries: Sequence[Delivery]) -> int:
        """Send each piece of advice once now; returns how many Telegram confirmed."""
        confirmed = 0
        for delivery in deliveries:
            try:
                attempt = await self.send(delivery.user_id, self.text_of(delivery))
            except Exception as error:
                attempt = Attempt(Sent.FAILED, type(error).__name__)
            if attempt.sent is Sent.DELIVERED:
                await self.engine.delivered(delivery.advice_id)
                confirmed += 1
                continue
            log.warning("safety advice not delivered yet (%s); it will be retried", attempt.error)
            if attempt.sent is Sent.BLOCKED:
                await self.engine.mark_blocked(delivery.user_id)
            wait = attempt.wait_seconds
            if attempt.sent in (Sent.BLOCKED, Sent.REFUSED):
                wait = REFUSED_RETRY_SECONDS
            await self.engine.not_delivered(delivery.advice_id, attempt.error, wait)
        return confirmed

    async def settle(self, deliveries: Sequence[Delivery], *, shown: bool) -> int:
        """Advice the reply's screen showed in full: delivered if that screen was, else sent."""
        if not shown:
            return await self.deliver(deliveries)
        for delivery in deliveries:
            await self.engine.delivered(delivery.advice_id)
        return len(deliveries)

    async def run_once(self) -> int:
        """Send every piece of advice that is due again; returns how many were confirmed."""
        # One pass at a time: a slow pass must not overlap the next tick of the job.
        if self._lock.locked():
            return 0
        async with self._lock:
            confirmed = 0
            # One row leased at a time: a lease never outlives the try it covers.
            for _ in range(PASS_LIMIT):
                due = await self.engine.undelivered(limit=1)
                if not due:
                    break
                confirmed += await self.deliver(due)
            return confirmed
