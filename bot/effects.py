"""Carries out a decision in the unit of work that made it: its effects, alerts and reply."""

from __future__ import annotations

from datetime import date, timedelta

from bot.reply import Delivery, Reply, Who, with_pre_consent_pointer
from flows.clinical.after_save import TrendNews, after_entry, after_import
from flows.clinical.trends import (
    BASELINE_DAYS,
    LOOKBACK_DAYS,
    RECENT_CHANGE_DAYS,
    SENT_LOOKBACK_DAYS,
    Diary,
    Reading,
    TreatmentHistory,
    settled_from,
)
from flows.dialogs import router
from flows.dialogs.router import Decision
from flows.dialogs.transfer import imported
from flows.i18n import t
from flows.kit.core import (
    ClearEntryAside,
    Context,
    DeleteEntry,
    DeleteTreatmentEvent,
    Effect,
    EraseUser,
    ExportFile,
    ImportEntries,
    RecordConsent,
    Reschedule,
    SaveCheck,
    SaveEntry,
    SaveFunctionCheckin,
    SaveMedicineChange,
    SaveProfile,
    SaveTreatmentEvent,
    Screen,
    SendAdvice,
    SetEntryAside,
    SnoozePrompt,
)
from flows.records.models import Profile
from storage.ports import Session


def carry_out(session: Session, user_id: int, effect: Effect) -> None:
    """Store what one effect says; `apply_decision` answers advice, imports and exports."""
    match effect:
        case RecordConsent():
            session.record_consent(user_id, effect.language, effect.timezone, effect.country)
        case SaveCheck():
            session.add_check(user_id, effect.result)
        case SaveProfile():
            session.save_profile(effect.profile.model_copy(update={"user_id": user_id}))
        case SaveEntry():
            if effect.replaces is None:
                session.add_entry(user_id, effect.entry)
            else:
                session.replace_entry(user_id, effect.replaces, effect.entry)
        case DeleteEntry():
            session.delete_entry(user_id, effect.entry_id)
        case SetEntryAside():
            session.set_entry_aside(user_id, effect.draft)
        case ClearEntryAside():
            session.set_entry_aside(user_id, None)
        case SaveFunctionCheckin():
            session.add_function_checkin(user_id, effect.checkin)
        case SaveMedicineChange():
            session.add_medicine_change(user_id, effect.change)
        case SaveTreatmentEvent():
            session.add_treatment_event(user_id, effect.event)
        case DeleteTreatmentEvent():
            session.delete_treatment_event(user_id, effect.event_id)
        case EraseUser():
            session.erase_user(user_id)
        case Reschedule():
            session.set_next_prompt(user_id, effect.next_at)
        case SnoozePrompt():
            session.reopen_prompt(user_id, effect.prompt_kind, effect.key)
            session.set_next_prompt(user_id, effect.until)
        case SendAdvice() | ImportEntries() | ExportFile():
            # Their results go into the reply (the advice's id, the import's counts, the file).
            raise TypeError(f"{type(effect).__name__} is answered by apply_decision")


# A trend assessment needs each measure's baseline days (REFERENCE.md §3.2: the first 14 valid
# days, and the first 14 once the recovery from surgery has settled) and the diary's last weeks:
# at most LOOKBACK_DAYS (238: 4-week stretches up to 26 weeks back, for days up to the 28-day
# reminder period back; flows/trends), and a week to spare (tests/bot/test_trend_window.py
# checks that LOOKBACK_DAYS alone decides as the whole diary does).
TREND_RECENT_DAYS = LOOKBACK_DAYS + 7


def _write_news(session: Session, user_id: int, news: TrendNews) -> bool:
    """Record the alerts and queue their messages; True if any message is queued."""
    for alert in news.recorded:
        session.add_alert(user_id, alert)
    for advice in news.advice:
        session.add_advice(user_id, advice)
    return bool(news.advice)


def apply_decision(
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
    notices.extend(decision.notices)
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
            kept = again = 0
            if effect.medicine_changes or effect.events:
                kept, again = session.import_treatment(
                    who.user_id, effect.medicine_changes, effect.events
                )
            notices.append(imported(ctx.language, added, skipped, kept, again))
            if added and ctx.profile is not None:
                first = min(e.entry_date for e in effect.entries)
                alerted = _import_alerts(session, ctx.profile, first, ctx.today)
                advised = alerted or advised
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
        advised = _trend_alerts(session, ctx.profile, max(saved_days)) or advised
    new_state = router.as_any(outcome.state)
    kinds = {type(e) for e in outcome.effects}
    has_account = (ctx.profile is not None or RecordConsent in kinds) and EraseUser not in kinds
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


def _trend_alerts(session: Session, profile: Profile, day: date) -> bool:
    """Assess the diary after a saved entry; put the alerts in the outbox (True if any)."""
    user_id = profile.user_id
    settled = settled_from(profile.surgery_date())
    earlier, days = session.trend_window(user_id, day, TREND_RECENT_DAYS, BASELINE_DAYS, settled)
    since = day - timedelta(days=TREND_RECENT_DAYS)
    pegs = [
        Reading(entry_date=c.entry_date, peg=c.score)
        for c in session.function_checkins(user_id, after=since)
    ]
    sent = session.alerts_since(user_id, day - timedelta(days=SENT_LOOKBACK_DAYS))
    diary = Diary.from_days(days, pegs, earlier=earlier)
    treatment = _treatment(session, user_id, day, day)
    return _write_news(session, user_id, after_entry(diary, day, profile, sent, treatment))


def _import_alerts(session: Session, profile: Profile, first: date, today: date) -> bool:
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
    treatment = _treatment(session, user_id, first, today)
    news = after_import(diary, first, today, profile, sent, treatment)
    return _write_news(session, user_id, news)


def _treatment(session: Session, user_id: int, first: date, last: date) -> TreatmentHistory:
    """The events and medicine changes an alert from `first` to `last` may name."""
    since = first - timedelta(days=RECENT_CHANGE_DAYS)
    events = session.treatment_events(user_id, since, last)
    changes = [c for c in session.medicine_changes(user_id) if since <= c.changed_on <= last]
    return TreatmentHistory.of(events, changes)
