"""Runs one user event through the flows and storage, in one transaction.

Telegram and the console both call the engine; it knows nothing about either. Each event is
one unit of work on the database thread: load the conversation and profile, let the flows
decide, write the effects and the new state, and claim the update id, all or nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

from pydantic import ValidationError

from bot.effects import apply_decision
from bot.exports import MAX_DOCUMENT_BYTES, PDF_ENTRY_ROWS, chart_job, export_job
from bot.reply import (
    DUPLICATE_REPLY,
    IGNORED_REPLY,
    Clock,
    Delivery,
    Reply,
    Who,
    screen_language,
    storable,
    system_clock,
)
from bot.workers import WorkerError, Workers
from flows.clinical.codes import RED_FLAG_FINDINGS, Finding
from flows.clinical.free_text import red_flags_in_text
from flows.clinical.rules import RECENT_FLAG_DAYS
from flows.clinical.schedule import local_date, next_slot
from flows.dialogs import router
from flows.dialogs.history import HISTORY_DAYS
from flows.dialogs.log import LOG_DAYS
from flows.dialogs.router import AnyState, Command, Decision
from flows.dialogs.transfer import DocumentFile, ExportFormat
from flows.i18n import supported, t
from flows.kit.callback import decode
from flows.kit.core import (
    ChartRequest,
    Context,
    ExportFile,
    Load,
)
from storage.ports import Duplicate, Session, Store

log = logging.getLogger(__name__)


# Where someone who has not agreed stands (the welcome they were shown) is all that is kept of
# them, and only this long; pruned hourly, so never past a day (/privacy says so).
PRE_CONSENT_KEEP = timedelta(hours=23)
# Longer than a loaded database's slowest read, shorter than a load balancer's check.
HEALTH_TIMEOUT_SECONDS = 2.0


def _zone_of(session: Session, user_id: int) -> str:
    profile = session.profile(user_id)
    return "UTC" if profile is None else profile.timezone


def _megabytes(size: int) -> str:
    """A file size as people read it: 67 MB, 2.4 MB, 0.1 MB."""
    megabytes = size / 1_000_000
    return f"{megabytes:.0f}" if megabytes >= 10 else f"{max(megabytes, 0.1):.1f}"


class Engine:
    """Turns commands, presses and texts into replies, storing what the flows decide."""

    def __init__(
        self,
        store: Store,
        clock: Clock = system_clock,
        workers: Workers | None = None,
        *,
        max_document_bytes: int = MAX_DOCUMENT_BYTES,
        pdf_entry_rows: int = PDF_ENTRY_ROWS,
    ) -> None:
        self.store = store
        self.clock = clock
        # Telegram's limit on a file a bot sends (the console has none, but keeps it alike).
        self.max_document_bytes = max_document_bytes
        # How many entries a PDF lists in full; its summary and chart cover them all.
        self.pdf_entry_rows = pdf_entry_rows
        # Threads unless told otherwise: the console has one patient, and tests start fast.
        self.workers = workers if workers is not None else Workers(processes=0)

    async def on_command(self, who: Who, command: Command, update_id: int | None = None) -> Reply:
        """Handle a /command."""
        return await self._decide(
            who,
            update_id,
            lambda state, _seq, ctx: router.on_command(command, state, ctx),
            # /start is how a user who blocked the bot comes back to its prompts.
            unblock=command is Command.START,
            command=command,
        )

    async def on_press(self, who: Who, data: str | None, update_id: int | None = None) -> Reply:
        """Handle a button press carrying callback data."""
        parsed = decode(data)
        return await self._decide(
            who, update_id, lambda state, seq, ctx: router.on_press(state, parsed, seq, ctx)
        )

    async def on_document(
        self, who: Who, document: DocumentFile, update_id: int | None = None
    ) -> Reply:
        """Handle a file the user sent (a diary CSV to import)."""
        return await self._decide(
            who,
            update_id,
            lambda state, _seq, ctx: router.on_document(state, document, ctx),
        )

    async def on_text(self, who: Who, text: str, update_id: int | None = None) -> Reply:
        """Handle typed text."""
        clean = storable(text)
        return await self._decide(
            who, update_id, lambda state, _seq, ctx: router.on_text(state, clean, ctx)
        )

    async def on_edited_text(self, who: Who, text: str, update_id: int | None = None) -> Reply:
        """An edited message: only a symptom it names is answered; nothing else changes."""
        clean = storable(text)
        if not red_flags_in_text(clean):
            # Read nothing, store nothing, send nothing: an edit is not a new message.
            return IGNORED_REPLY
        return await self._decide(
            who, update_id, lambda state, _seq, ctx: router.on_edited_text(state, clean, ctx)
        )

    async def undelivered(self, user_id: int | None = None, limit: int = 100) -> list[Delivery]:
        """Safety advice due for a try now (of one user, or of everyone), oldest first."""
        now = self.clock()

        def claim(session: Session) -> list[Delivery]:
            taken = session.claim_advice(user_id, limit)
            zones = {a.user_id: _zone_of(session, a.user_id) for a in taken}
            return [Delivery.of(a, timezone=zones[a.user_id]) for a in taken]

        result = await self.store.unit(now, claim)
        return [] if isinstance(result, Duplicate) else result

    async def recover_advice(self, user_id: int | None = None) -> int:
        """At start-up: undelivered advice (of everyone, or of one user) is due again at once."""
        result = await self.store.unit(self.clock(), lambda s: s.release_advice(user_id))
        return 0 if isinstance(result, Duplicate) else result

    async def delivered(self, advice_id: int) -> None:
        """Record that Telegram confirmed a piece of advice."""
        await self.store.unit(self.clock(), lambda s: s.mark_advice_delivered(advice_id))

    async def not_delivered(
        self, advice_id: int, error: str, wait_seconds: float | None = None
    ) -> None:
        """Record a failed try; the advice is tried again later."""
        await self.store.unit(
            self.clock(), lambda s: s.mark_advice_failed(advice_id, error, wait_seconds)
        )

    async def mark_blocked(self, user_id: int) -> None:
        """Stop prompting a user who blocked the bot, until they send /start."""
        await self.store.unit(self.clock(), lambda s: s.block(user_id))

    async def healthy(self) -> bool:
        """Whether the database answers a read in time (the load balancer's /healthz)."""
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
                await self.store.read(lambda s: s.conversation(0))
        except Exception as error:
            log.warning("the database did not answer the health check (%s)", type(error).__name__)
            return False
        return True

    async def prune(self, keep: timedelta = timedelta(days=2)) -> int:
        """Forget processed update ids older than keep, and unconsented visitors after a day."""
        now = self.clock()

        def work(session: Session) -> int:
            session.forget_unconsented(now - PRE_CONSENT_KEEP)
            return session.prune_updates(now - keep)

        result = await self.store.unit(now, work)
        return 0 if isinstance(result, Duplicate) else result

    def _context(
        self,
        session: Session,
        who: Who,
        now: datetime,
        loads: Load = Load.NOTHING,
        *,
        entry_aside: str | None = None,
    ) -> Context:
        # Checked before the local date is read: a naive time would be taken as the server's.
        if now.tzinfo is None:
            raise ValueError("the clock must give timezone-aware times")
        profile = session.profile(who.user_id)
        if profile is None:
            return Context(
                now=now,
                user_id=who.user_id,
                language=supported(who.language_code),
                language_code=who.language_code,
            )
        today = local_date(now, profile.timezone)
        first = today - timedelta(days=HISTORY_DAYS - 1)
        counts = (
            tuple(
                session.entry_counts_between(
                    who.user_id, today - timedelta(days=LOG_DAYS - 1), today
                )
            )
            if Load.DAY_COUNTS in loads
            else ()
        )
        count = (
            dict(counts).get(today, 0)
            if Load.DAY_COUNTS in loads
            else session.count_entries_on(who.user_id, today)
        )
        recent: tuple[tuple[Finding, date], ...] = ()
        if Load.DIARY_FLAGS in loads:
            recent = tuple(
                (code, entry.entry_date)
                for entry in session.entries_between(
                    who.user_id, today - timedelta(days=RECENT_FLAG_DAYS - 1), today
                )
                for code in entry.symptoms
                if code in RED_FLAG_FINDINGS
            )
        return Context(
            now=now,
            user_id=who.user_id,
            language=profile.language,
            timezone=profile.timezone,
            profile=profile,
            entries_today=count,
            quick_entry=session.quick_entry_on(who.user_id, today) if count else None,
            language_code=who.language_code,
            recent_diary_flags=recent,
            diary=(
                tuple(session.entries_between(who.user_id, first, today))
                if Load.DIARY in loads
                else ()
            ),
            day_counts=counts,
            entry_aside=entry_aside,
            medicine_changes=(
                tuple(session.medicine_changes(who.user_id)) if Load.MEDICINES in loads else ()
            ),
            # Every event: /history shows its days' own, /event its latest (EVENTS_SHOWN).
            treatment_events=(
                tuple(session.treatment_events(who.user_id)) if Load.EVENTS in loads else ()
            ),
        )

    async def _decide(
        self,
        who: Who,
        update_id: int | None,
        decide: Callable[[AnyState | None, int, Context], Decision],
        *,
        unblock: bool = False,
        command: Command | None = None,
    ) -> Reply:
        now = self.clock()

        def work(session: Session) -> Reply:
            conversation = session.conversation(who.user_id)
            state: AnyState | None = None
            lost = False
            if conversation.state is not None:
                try:
                    state = router.load_state(conversation.state)
                except ValidationError:
                    # A state saved by an older version that no longer parses: start over
                    # rather than fail every event of this user.
                    lost = True
            ctx = self._context(
                session,
                who,
                now,
                router.loads(state, command),
                entry_aside=conversation.entry_aside,
            )
            profile = ctx.profile
            returned = unblock and session.unblock(who.user_id)
            if returned and profile and not profile.paused:
                session.set_next_prompt(
                    who.user_id, next_slot(now, profile.checkin_time, profile.timezone)
                )
            if returned:
                # Advice that could not reach a patient who had blocked the bot goes out now.
                session.release_advice(who.user_id)
            decision = decide(state, conversation.seq, ctx)
            return apply_decision(session, who, decision, conversation.seq, ctx, lost)

        result = await self.store.unit(now, work, update_id=update_id, user_id=who.user_id)
        if isinstance(result, Duplicate):
            log.info("duplicate update %s skipped", update_id)
            return DUPLICATE_REPLY
        if result.erased and not await self.store.fold_wal():
            # The rows are zeroed in the file already; the WAL's old copies go as soon as the
            # reader lets go (the service retries), or at the next start-up.
            log.warning("the WAL could not be emptied after an erasure yet; retrying")
        if result.screen is not None and result.screen.chart is not None:
            return await self._with_chart(who, result, result.screen.chart)
        if result.export is not None:
            return await self._with_export(who, result, result.export)
        return result

    async def _with_chart(self, who: Who, reply: Reply, request: ChartRequest) -> Reply:
        """Fill in a requested chart, read and drawn by a file worker."""
        screen = reply.screen
        assert screen is not None
        reader, now = self.store.reader, self.clock()
        try:
            chart = await self.workers.run(chart_job, reader, who.user_id, now, request.days)
        except WorkerError:
            failed = t(screen_language(who), "trend.failed")
            return replace(reply, screen=screen.with_text(f"{screen.text}\n\n{failed}"))
        if chart is None:
            empty = screen.with_text(t(screen_language(who), "trend.empty"))
            return replace(reply, screen=empty)
        text = f"{screen.text}\n\n{chart.summary}"
        return replace(reply, screen=screen.with_text(text), chart_png=chart.png)

    async def _with_export(self, who: Who, reply: Reply, request: ExportFile) -> Reply:
        """Make the requested export file, read and written by a file worker."""
        screen = reply.screen
        assert screen is not None
        fmt = ExportFormat(request.format)
        reader, now = self.store.reader, self.clock()
        try:
            made = await self.workers.run(
                export_job,
                reader,
                who.user_id,
                now,
                request.days,
                fmt,
                self.max_document_bytes,
                self.pdf_entry_rows,
            )
        except WorkerError:
            return replace(
                reply, screen=screen.with_text(t(screen_language(who), "export.failed"))
            )
        if made is None:
            empty = screen.with_text(t(screen_language(who), "export.empty"))
            return replace(reply, screen=empty)
        if made.too_large:
            size, limit = _megabytes(made.size), _megabytes(self.max_document_bytes)
            text = t(made.language, "export.too_large", size=size, limit=limit)
            return replace(reply, screen=screen.with_text(text))
        rows = self.pdf_entry_rows
        if fmt is ExportFormat.PDF and made.entries > rows:
            more = t(made.language, "export.pdf_capped", n=made.entries, limit=rows)
            screen = screen.with_text(f"{screen.text}\n\n{more}")
        return replace(reply, screen=screen, document=(made.name, made.content))
