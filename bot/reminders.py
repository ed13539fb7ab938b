"""Check-in prompts driven from the database: who is due now, exactly once each.

One repeating job calls `Dispatcher.run_once`. In one transaction it takes the users whose
prompt is due, moves each one's next prompt to their next local check-in time, claims the
prompt (a unique row per user, kind and day, so a prompt is never sent twice) and starts its
flow. Then it sends, and records what happened in a second transaction. A prompt that never
reached Telegram (no connection was had) or that Telegram refused with an error is retried
within the grace window. One Telegram may have (the request was lost after it left) is never
sent again, nor is one claimed by a process that died before recording it (`recover`): that
claim looks the same whether or not Telegram took the prompt.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.reply import Clock, Reply
from flows.clinical.schedule import GRACE, SNOOZE, choose_prompt, local_date, next_slot
from flows.dialogs import prompts, router
from flows.dialogs.log import LogState, has_answers, put_aside_notice
from flows.dialogs.router import Verdict
from flows.kit.core import Context, Screen
from storage.ports import Conversation, Duplicate, Session, Store

log = logging.getLogger(__name__)

BATCH = 500
RETRY_AFTER_FAILURE = timedelta(minutes=5)
# A user who pressed a button this recently is mid-conversation: a prompt would pull the
# screen from under them, so it waits an hour.
BUSY_FOR = timedelta(minutes=15)


class SendResult(StrEnum):
    """What became of one message."""

    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    # Telegram may or may not have it (lost after the request left): never sent twice.
    UNCERTAIN = "uncertain"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A prompt claimed for sending."""

    user_id: int
    kind: str
    key: str
    screen: Screen
    reply: Reply
    due: datetime


Send = Callable[[Outgoing], Awaitable[SendResult]]


@dataclass
class DispatchReport:
    """What one run did, for logs and tests (counts only, never content)."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    uncertain: int = 0
    missed: int = 0
    deferred: int = 0
    quiet: int = 0
    outgoing: list[Outgoing] = field(default_factory=list)


# How long a sender may take between claiming a prompt and recording it: a batch of 500 at
# Telegram's 30 messages a second takes under a minute. Older claims are a dead sender's.
CLAIM_LEASE = timedelta(minutes=10)


def shared_budget(
    send: Send,
    store: Store,
    clock: Clock,
    rate: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Send:
    """Send each prompt only when the bot-wide budget in the database has a slot for it."""

    # Several senders on one PostgreSQL database each have their own limiter; the budget row
    # keeps them together under Telegram's bulk limit. A second's worth may go at once.
    async def budgeted(item: Outgoing) -> SendResult:
        while True:
            wait = await store.unit(clock(), lambda s: s.take_send_slot(rate, rate))
            if isinstance(wait, Duplicate) or wait <= 0:
                break
            await sleep(wait)
        return await send(item)

    return budgeted


class Dispatcher:
    """Sends every due check-in prompt."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        send: Send,
        batch: int = BATCH,
        claim_lease: timedelta | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.send = send
        self.batch = batch
        # With one sender (SQLite) every claim at start-up is a dead process's; with several
        # (PostgreSQL) only a claim older than the lease is, and each run gives those up.
        self.claim_lease = claim_lease
        # Stored with each claim, for the operator: which host and process sent it.
        self.sender = f"{socket.gethostname()}:{os.getpid()}"

    async def recover(self) -> int:
        """Give up prompts a previous process claimed but never recorded; returns how many."""
        now = self.clock()
        before = None if self.claim_lease is None else now - self.claim_lease
        result = await self.store.unit(now, lambda s: s.recover_claims(before))
        given_up = 0 if isinstance(result, Duplicate) else result
        if given_up:
            log.warning("%d prompts claimed before the restart may have been sent", given_up)
        return given_up

    async def run_once(self) -> DispatchReport:
        """Send all prompts due now, in batches."""
        report = DispatchReport()
        if self.claim_lease is not None:
            await self.recover()
        while True:
            now = self.clock()
            planned = await self.store.unit(now, lambda s: self._plan(s, report))
            if isinstance(planned, Duplicate):
                break
            outgoing, due_count = planned
            results = list(await asyncio.gather(*(self.send(item) for item in outgoing)))
            await self.store.unit(self.clock(), self._recorder(outgoing, results))
            for item, result in zip(outgoing, results, strict=True):
                setattr(report, result.value, getattr(report, result.value) + 1)
                report.outgoing.append(item)
            if due_count < self.batch:
                break
        if report.sent or report.blocked or report.failed or report.uncertain:
            log.info(
                "prompts: %d sent, %d blocked, %d failed, %d uncertain, %d missed, %d deferred",
                report.sent,
                report.blocked,
                report.failed,
                report.uncertain,
                report.missed,
                report.deferred,
            )
        return report

    def _plan(self, session: Session, report: DispatchReport) -> tuple[list[Outgoing], int]:
        now = session.now
        due = session.due_users(now, self.batch)
        outgoing: list[Outgoing] = []
        for profile, slot in due:
            uid, zone = profile.user_id, profile.timezone
            if not session.hold_user(uid):
                # The patient's own event is being handled on another worker: next run.
                report.deferred += 1
                continue
            session.set_next_prompt(uid, next_slot(max(now, slot), profile.checkin_time, zone))
            retry = session.failed_prompt(uid, now - GRACE)
            if retry is not None:
                # A retry keeps its own slot: its day, its key and its grace window.
                choice, day, slot = retry
            else:
                if now - slot > GRACE:
                    report.missed += 1
                    continue
                day = local_date(slot, zone)
                found = choose_prompt(session.prompt_facts(profile, day))
                if found is None:
                    report.quiet += 1
                    continue
                choice = found
            conversation = session.conversation(uid)
            if _busy(conversation, now):
                session.set_next_prompt(uid, now + SNOOZE)
                report.deferred += 1
                continue
            claimed = session.claim_prompt(
                uid, choice.kind.value, choice.key, day, slot, by=self.sender
            )
            if not claimed:
                continue
            ctx = Context(
                now=now,
                user_id=uid,
                language=profile.language,
                timezone=zone,
                profile=profile,
                entry_aside=conversation.entry_aside,
            )
            outcome = prompts.begin(choice, day, ctx)
            open_entry = _open_entry(conversation)
            if open_entry is not None:
                # An entry left open past the busy time is kept for /log, not overwritten.
                session.set_entry_aside(uid, conversation.state)
                notice = put_aside_notice(open_entry, ctx)
                outcome = replace(outcome, screen=outcome.screen.with_hint(notice))
            seq = conversation.seq + 1
            state = router.as_any(outcome.state)
            saved = None if state is None else router.dump_state(state)
            session.save_conversation(uid, seq, saved)
            reply = Reply(verdict=Verdict.ACCEPTED, screen=outcome.screen, seq=seq)
            outgoing.append(
                Outgoing(uid, choice.kind.value, choice.key, outcome.screen, reply, slot)
            )
        return outgoing, len(due)

    def _recorder(
        self, outgoing: list[Outgoing], results: list[SendResult]
    ) -> Callable[[Session], None]:
        return lambda session: self._record(session, outgoing, results)

    def _record(
        self, session: Session, outgoing: list[Outgoing], results: list[SendResult]
    ) -> None:
        # As a patient's own unit of work does, before touching their rows: an erasure
        # running at the same time is waited for, never deadlocked with.
        session.lock_users([item.user_id for item in outgoing])
        for item, result in zip(outgoing, results, strict=True):
            session.mark_prompt(item.user_id, item.kind, item.key, result.value)
            if result is SendResult.BLOCKED:
                session.block(item.user_id)
            elif result is SendResult.FAILED:
                retry_at = session.now + RETRY_AFTER_FAILURE
                if retry_at - item.due < GRACE:
                    session.set_next_prompt(item.user_id, retry_at)
                else:
                    # Past the grace window the prompt is given up; the next slot stands.
                    session.mark_prompt(item.user_id, item.kind, item.key, "missed")


def _open_entry(conversation: Conversation) -> LogState | None:
    """The diary entry the conversation holds with answers in it, if any."""
    if conversation.state is None:
        return None
    try:
        state = router.load_state(conversation.state)
    except ValueError:
        return None
    if isinstance(state, LogState) and has_answers(state):
        return state
    return None


def _busy(conversation: Conversation, now: datetime) -> bool:
    """Whether the user is in the middle of a flow (an unanswered prompt does not count)."""
    if conversation.state is None or conversation.updated_at is None:
        return False
    if now - conversation.updated_at >= BUSY_FOR:
        return False
    try:
        state = router.load_state(conversation.state)
    except ValueError:
        return False
    return not isinstance(state, prompts.PromptState)
