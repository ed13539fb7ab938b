"""Runs one user event through the flows and storage, in one transaction.

Telegram and the console both call the engine; it knows nothing about either. Each event is
one unit of work on the database thread: load the conversation and profile, let the flows
decide, write the effects and the new state, and claim the update id, all or nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.effects import carry_out
from bot.exports import MAX_DOCUMENT_BYTES, PDF_ENTRY_ROWS, chart_job, export_job
from bot.workers import WorkerError, Workers
from flows.clinical.after_save import TrendNews, after_entry, after_import
from flows.clinical.codes import RED_FLAG_FINDINGS, Finding
from flows.clinical.emergency import infer_country, numbers_for
from flows.clinical.free_text import red_flags_in_text
from flows.clinical.rules import RECENT_FLAG_DAYS, number_words
from flows.clinical.schedule import local_date, next_slot
from flows.clinical.trends import (
    BASELINE_DAYS,
    LOOKBACK_DAYS,
    SENT_LOOKBACK_DAYS,
    Diary,
    Reading,
    settled_from,
)
from flows.dialogs import router
from flows.dialogs.history import HISTORY_DAYS
from flows.dialogs.log import LOG_DAYS
from flows.dialogs.router import AnyState, Command, Decision, Verdict
from flows.dialogs.transfer import DocumentFile, ExportFormat
from flows.i18n import supported, t
from flows.kit.callback import ButtonData, decode
from flows.kit.core import (
    ChartRequest,
    Context,
    EraseUser,
    ExportFile,
    ImportEntries,
    Load,
    RecordConsent,
    SaveEntry,
    Screen,
    SendAdvice,
)
from flows.records.models import Profile, StoredAdvice
from storage.ports import Duplicate, Session, Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# A trend assessment needs each measure's baseline days (REFERENCE.md §3.2: the first 14 valid
# days, and the first 14 once the recovery from surgery has settled) and the diary's last weeks:
# at most LOOKBACK_DAYS (238: 4-week stretches up to 26 weeks back, for days up to the 28-day
# reminder period back; flows/trends), and a week to spare (tests/bot/test_trend_window.py
# checks that LOOKBACK_DAYS alone decides as the whole diary does).
TREND_RECENT_DAYS = LOOKBACK_DAYS + 7
# Where someone who has not agreed stands (the welcome they were shown) is all that is kept of
# them, and only this long; pruned hourly, so never past a day (/privacy says so).
PRE_CONSENT_KEEP = timedelta(hours=23)


def storable(text: str) -> str:
    """Text with lone surrogates (undecodable input bytes) replaced, so it can be stored."""
    return text.encode("utf-8", "replace").decode("utf-8")


def screen_language(who: Who) -> str:
    """The catalogue language for someone without a stored profile."""
    return supported(who.language_code)


def system_clock() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Who:
    """The person behind an event, as the shell knows them."""

    user_id: int
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """Safety advice from the outbox to send now; `repeated` when a try may have arrived."""

    advice_id: int
    user_id: int
    text: str
    repeated: bool = False
    # Shown in full by the reply's own screen: delivered when that screen is.
    with_screen: bool = False
    # When it was decided, in the patient's zone: a late delivery says what it is about.
    decided_at: datetime | None = None

    @classmethod
    def of(
        cls,
        advice: StoredAdvice,
        on_screen: frozenset[int] = frozenset(),
        timezone: str = "UTC",
    ) -> Delivery:
        """The delivery of an outbox row."""
        return cls(
            advice.id,
            advice.user_id,
            advice.text,
            repeated=advice.attempts > 0,
            with_screen=advice.id in on_screen,
            decided_at=advice.decided_at.astimezone(ZoneInfo(timezone)),
        )


@dataclass(frozen=True, slots=True)
class Reply:
    """What the shell should show: a screen (edited in place for presses) and extra messages."""

    verdict: Verdict
    screen: Screen | None = None
    seq: int = 0
    notices: Sequence[Screen] = field(default_factory=tuple)
    toast: str | None = None
    duplicate: bool = False
    chart_png: bytes | None = None
    document: tuple[str, bytes] | None = None
    # The diary file the event asked for, made by a file worker after the unit of work.
    export: ExportFile | None = None
    erased: bool = False
    # Safety advice written to the outbox by this event, to send at once (and retried later).
    advice: Sequence[Delivery] = field(default_factory=tuple)
    # Safety messages for someone without an account: nothing is stored before consent, so
    # the shell retries these in memory (REFERENCE.md §8.8).
    unstored_safety: Sequence[Screen] = field(default_factory=tuple)

    def button_data(self, value: str) -> str:
        """Return the callback data for a button of this reply's screen."""
        return ButtonData(seq=self.seq, value=value).encode()


DUPLICATE_REPLY = Reply(verdict=Verdict.IGNORED, duplicate=True)
IGNORED_REPLY = Reply(verdict=Verdict.IGNORED)


def _zone_of(session: Session, user_id: int) -> str:
    profile = session.profile(user_id)
    return "UTC" if profile is None else profile.timezone


def _write_news(session: Session, user_id: int, news: TrendNews) -> bool:
    """Record the alerts and queue their messages; True if any message is queued."""
    for alert in news.recorded:
        session.add_alert(user_id, alert)
    for advice in news.advice:
        session.add_advice(user_id, advice)
    return bool(news.advice)


def with_pre_consent_pointer(reply: Reply, ctx: Context) -> Reply:
    """Every reply before consent ends with a line pointing to the emergency number (§8.8)."""
    numbers = numbers_for(infer_country(ctx.language_code))
    line = t(ctx.language, "safety.pre_consent_pointer", **number_words(ctx.language, numbers))

    def footed(screen: Screen) -> Screen:
        return screen.with_text(f"{screen.text}\n\n{line}")

    screen = footed(reply.screen) if reply.screen is not None else None
    notices = tuple(footed(n) for n in reply.notices)
    if screen is None and not notices and reply.toast is None:
        notices = (Screen(text=line),)
    return replace(reply, screen=screen, notices=notices)


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
            return self._apply(session, who, decision, conversation.seq, ctx, lost)

        result = await self.store.unit(now, work, update_id=update_id)
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

    def _apply(
        self,
        session: Session,
        who: Who,
        decision: Decision,
        seq: int,
        ctx: Context,
        lost: bool,
    ) -> Reply:
        notices: list[Screen] = []
        if lost:
            notices.append(Screen(text=t(ctx.language, "common.expired")))
        if decision.message is not None:
            notices.append(decision.message)
        unstored = (decision.safety,) if decision.safety is not None else ()
        outcome = decision.outcome
        if outcome is None:
            if lost:
                session.save_conversation(who.user_id, seq + 1, None)
            reply = Reply(
                verdict=decision.verdict,
                # Shown with the current screen number, so it and the latest message both work.
                screen=decision.again,
                seq=seq,
                notices=tuple(notices),
                toast=decision.toast,
                unstored_safety=unstored,
            )
            return reply if ctx.profile is not None else with_pre_consent_pointer(reply, ctx)
        advised = False
        on_screen: set[int] = set()
        for effect in outcome.effects:
            if isinstance(effect, ImportEntries):
                added, skipped = session.import_entries(who.user_id, effect.entries)
                done = t(ctx.language, "import.done", added=added, skipped=skipped)
                notices.append(Screen(text=done))
                if added and ctx.profile is not None:
                    first = min(e.entry_date for e in effect.entries)
                    imported = self._import_alerts(session, ctx.profile, first, ctx.today)
                    advised = imported or advised
            elif isinstance(effect, ExportFile):
                # Made by a file worker once this unit of work is stored (Reply.export).
                continue
            elif isinstance(effect, SendAdvice):
                advice_id = session.add_advice(who.user_id, effect.advice)
                if effect.on_screen:
                    on_screen.add(advice_id)
                advised = True
            else:
                carry_out(session, who.user_id, effect)
        saved_days = [e.entry.entry_date for e in outcome.effects if isinstance(e, SaveEntry)]
        if saved_days and ctx.profile is not None:
            advised = self._trend_alerts(session, ctx.profile, max(saved_days)) or advised
        new_state = router.as_any(outcome.state)
        kinds = {type(e) for e in outcome.effects}
        has_account = (
            ctx.profile is not None or RecordConsent in kinds
        ) and EraseUser not in kinds
        if new_state is None and not has_account:
            # Without consent nothing is kept, not even where the conversation stood.
            session.forget_conversation(who.user_id)
        else:
            state_json = None if new_state is None else router.dump_state(new_state)
            session.save_conversation(who.user_id, seq + 1, state_json)
        # Taken in the transaction that decided it, so the advice goes out with this reply
        # and the retry job does not send it a second time.
        deliveries = (
            tuple(
                Delivery.of(a, frozenset(on_screen), ctx.timezone)
                for a in session.claim_advice(who.user_id)
            )
            if advised and has_account
            else ()
        )
        reply = Reply(
            verdict=decision.verdict,
            screen=outcome.screen,
            seq=seq + 1,
            notices=(*notices, *outcome.notices),
            toast=decision.toast,
            erased=EraseUser in kinds,
            export=next((e for e in outcome.effects if isinstance(e, ExportFile)), None),
            advice=deliveries,
            unstored_safety=unstored,
        )
        return reply if has_account else with_pre_consent_pointer(reply, ctx)

    def _trend_alerts(self, session: Session, profile: Profile, day: date) -> bool:
        """Assess the diary after a saved entry; put the alerts in the outbox (True if any)."""
        user_id = profile.user_id
        settled = settled_from(profile.surgery_date())
        earlier, days = session.trend_window(
            user_id, day, TREND_RECENT_DAYS, BASELINE_DAYS, settled
        )
        since = day - timedelta(days=TREND_RECENT_DAYS)
        pegs = [
            Reading(entry_date=c.entry_date, peg=c.score)
            for c in session.function_checkins(user_id, after=since)
        ]
        sent = session.alerts_since(user_id, day - timedelta(days=SENT_LOOKBACK_DAYS))
        diary = Diary.from_days(days, pegs, earlier=earlier)
        return _write_news(session, user_id, after_entry(diary, day, profile, sent))

    def _import_alerts(self, session: Session, profile: Profile, first: date, today: date) -> bool:
        """After an import, write the alerts its replay still calls for (True if any is sent)."""
        user_id = profile.user_id
        # Each replayed day reads its own last weeks, all inside these, and the baseline days.
        recent = (today - first).days + TREND_RECENT_DAYS
        settled = settled_from(profile.surgery_date())
        # The days after recovery settled too: the bot after each entry reads them (issue 16).
        days = session.days_for_trend(user_id, today, recent, BASELINE_DAYS, settled)
        since = first - timedelta(days=TREND_RECENT_DAYS)
        pegs = [
            Reading(entry_date=c.entry_date, peg=c.score)
            for c in session.function_checkins(user_id, after=since)
        ]
        diary = Diary.from_days(days, pegs)
        sent = session.alerts_since(user_id, first - timedelta(days=SENT_LOOKBACK_DAYS))
        return _write_news(session, user_id, after_import(diary, first, today, profile, sent))
