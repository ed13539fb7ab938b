"""/event: a dated treatment event (an injection, a scan, a revision, a fall, ...).

Events come from a fixed list, so the report can put them on a timeline and the trend alerts
can name them ("since the injection on 3 May"). A scan may carry its one-line result and a
new diagnosis its name. A revision operation offers, once confirmed, to count the milestones
and the trend baseline from its day (REFERENCE.md §2.3: a new operation starts a new recovery).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from flows.clinical.codes import Finding
from flows.clinical.rules import RECENT_FLAG_DAYS, advice_pointer
from flows.dialogs.dated import WHEN, ask_when, day_problem, read_day
from flows.dialogs.said import advice_said, numbers_of
from flows.i18n import long_date, t
from flows.kit.core import (
    Button,
    Context,
    DeleteTreatmentEvent,
    Effect,
    Event,
    Flow,
    Load,
    Outcome,
    SaveProfile,
    SaveTreatmentEvent,
    Screen,
    SendAdvice,
    SteppedState,
    Text,
    button,
    nav_row,
    step_back,
    step_forward,
    use_buttons,
)
from flows.kit.values import Coded
from flows.records.models import Advice, AdviceSource, Profile
from flows.records.report.treatment import event_line
from flows.records.treatment import (
    DETAIL_MAX_CHARS,
    StoredTreatmentEvent,
    TreatmentEvent,
    TreatmentKind,
)

KIND = Coded("ev_", TreatmentKind)
EVENT_ID = Coded("id", int)
# The latest events /event lists (and offers to remove); older ones are in the report.
EVENTS_SHOWN = 8
# Kinds whose detail line is asked: a scan's result, the name of a new diagnosis.
_DETAILED = frozenset({*(k for k in TreatmentKind if k.imaging), TreatmentKind.DIAGNOSIS})


class EventStep(StrEnum):
    """What /event is waiting for."""

    KIND = "kind"
    DAY = "day"
    DETAIL = "detail"
    CONFIRM = "confirm"
    RESTART = "restart"
    REMOVE = "remove"
    CONFIRM_REMOVE = "confirm_remove"


class EventState(SteppedState):
    """A treatment event being entered, or one being removed."""

    flow: Literal["event"] = "event"
    step: EventStep = EventStep.KIND
    trail: tuple[EventStep, ...] = ()
    kind: TreatmentKind | None = None
    day: date | None = None
    detail: str | None = None
    removing: int | None = None
    # A recent fall was answered with RF-FX's advice: Back and a new day do not send it twice.
    advised: bool = False


def begin(ctx: Context) -> Outcome:
    """Ask which kind of event to add, with the latest ones above."""
    state = EventState()
    return Outcome(state=state, screen=render(state, ctx))


def ask_kind(lang: str, ctx: Context) -> Screen:
    """The fixed list of events, two a row, and Remove when there is one to remove."""
    buttons = [button(t(lang, f"event.kind.{k}"), KIND(k)) for k in TreatmentKind]
    rows: list[tuple[Button, ...]] = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    text = t(lang, "event.ask_kind")
    if ctx.treatment_events:
        lines = "\n".join(f"• {event_line(lang, e)}" for e in latest_events(ctx))
        text = f"{t(lang, 'event.latest', lines=lines)}\n\n{text}"
        rows.append((button(t(lang, "event.remove"), "remove"),))
    return Screen(text=text, buttons=(*rows, nav_row(lang, back=False)))


def ask_detail(lang: str, state: EventState) -> Screen:
    """A scan's result or the diagnosis, in one line, or skip."""
    key = "event.ask_diagnosis" if state.kind is TreatmentKind.DIAGNOSIS else "event.ask_result"
    return Screen(
        text=t(lang, key, limit=DETAIL_MAX_CHARS),
        buttons=((button(t(lang, "event.skip_detail"), "skip"),), nav_row(lang)),
    )


def _event_of(state: EventState, ctx: Context) -> TreatmentEvent:
    return TreatmentEvent(
        event_date=state.day or ctx.today,
        kind=state.kind or TreatmentKind.INJECTION,
        recorded_at=ctx.now,
        detail=state.detail,
    )


def ask_confirm(lang: str, state: EventState, ctx: Context) -> Screen:
    """The event about to be kept."""
    line = event_line(lang, _event_of(state, ctx))
    return Screen(
        text=t(lang, "event.confirm", event=line),
        buttons=((button(t(lang, "event.save"), "save"),), nav_row(lang)),
    )


def ask_restart(lang: str, state: EventState, ctx: Context) -> Screen:
    """After a revision: count the milestones and the baseline from its day?"""
    day = long_date(lang, state.day or ctx.today)
    return Screen(
        text=t(lang, "event.ask_restart", date=day),
        buttons=(
            (button(t(lang, "event.restart.yes"), "restart"),),
            (button(t(lang, "event.restart.no"), "keep"),),
        ),
    )


def ask_remove(lang: str, ctx: Context) -> Screen:
    """Which of the latest events was entered by mistake."""
    rows = tuple((button(event_line(lang, e), EVENT_ID(e.id)),) for e in latest_events(ctx))
    return Screen(text=t(lang, "event.ask_remove"), buttons=(*rows, nav_row(lang)))


def latest_events(ctx: Context) -> tuple[StoredTreatmentEvent, ...]:
    """The latest events, as /event lists them and offers to remove one."""
    return ctx.treatment_events[-EVENTS_SHOWN:]


def _removing(state: EventState, ctx: Context) -> StoredTreatmentEvent | None:
    return next((e for e in latest_events(ctx) if e.id == state.removing), None)


def ask_confirm_remove(lang: str, event: StoredTreatmentEvent) -> Screen:
    """Remove this event for good?"""
    return Screen(
        text=t(lang, "event.confirm_remove", event=event_line(lang, event)),
        buttons=((button(t(lang, "event.remove_yes"), "delete"),), nav_row(lang)),
    )


def render(state: EventState, ctx: Context) -> Screen:
    """The screen of the current step."""
    lang = ctx.language
    match state.step:
        case EventStep.KIND:
            return ask_kind(lang, ctx)
        case EventStep.DAY:
            question = t(lang, "event.ask_day", kind=t(lang, f"event.kind.{state.kind}"))
            return ask_when(lang, question, ctx.today, state.day)
        case EventStep.DETAIL:
            return ask_detail(lang, state)
        case EventStep.CONFIRM:
            return ask_confirm(lang, state, ctx)
        case EventStep.RESTART:
            return ask_restart(lang, state, ctx)
        case EventStep.REMOVE:
            return ask_remove(lang, ctx)
        case EventStep.CONFIRM_REMOVE:
            removing = _removing(state, ctx)
            return (
                ask_remove(lang, ctx) if removing is None else ask_confirm_remove(lang, removing)
            )


def _show(state: EventState, ctx: Context) -> Outcome:
    return Outcome(state=state, screen=render(state, ctx))


def _hinted(state: EventState, ctx: Context, key: str, **values: object) -> Outcome:
    return Outcome(
        state=state, screen=render(state, ctx).with_hint(t(ctx.language, key, **values))
    )


def fall_advice(day: date, ctx: Context) -> Advice | None:
    """A fall in the last days is RF-FX: an X-ray today, an emergency with a nerve sign (§1.2).

    The fall is answered as the diary answers a ticked red flag, at once, with the warning
    signs the patient ticked in the last days (§8.7) and their profile: a fall with a weak leg
    is an emergency. One long past is history for the report, not a reason for an X-ray today.
    """
    if (ctx.today - day).days >= RECENT_FLAG_DAYS:
        return None
    found = {Finding.FALL_OR_SNAP, *(finding for finding, _ in ctx.recent_diary_flags)}
    return advice_said(found, day, ctx, (Finding.FALL_OR_SNAP,), AdviceSource.EVENT)


def _after_day(state: EventState, day: date, ctx: Context) -> Outcome:
    step = EventStep.DETAIL if state.kind in _DETAILED else EventStep.CONFIRM
    nxt = step_forward(state, step, day=day)
    advice = None
    if state.kind is TreatmentKind.FALL and not state.advised:
        advice = fall_advice(day, ctx)
    if advice is None:
        return _show(nxt, ctx)
    advised = nxt.model_copy(update={"advised": True})
    pointer = advice_pointer(advice, ctx.language, numbers_of(ctx))
    # Sent now, before Save: the advice must not wait on a button the patient may never press.
    return Outcome(
        state=advised,
        screen=render(advised, ctx).with_hint(pointer),
        effects=(SendAdvice(advice=advice),),
    )


def _on_text(state: EventState, event: Text, ctx: Context) -> Outcome:
    typed = " ".join(event.text.replace("\x00", "").split())
    if state.step is EventStep.DAY:
        day = read_day(typed, ctx.today)
        problem = day_problem(day, ctx.today)
        if problem is not None or day is None:
            return _hinted(state, ctx, problem or "when.unreadable")
        return _after_day(state, day, ctx)
    if state.step is EventStep.DETAIL:
        if len(typed) > DETAIL_MAX_CHARS:
            return _hinted(state, ctx, "event.detail_too_long", limit=DETAIL_MAX_CHARS)
        return _show(step_forward(state, EventStep.CONFIRM, detail=typed or None), ctx)
    return use_buttons(state, render(state, ctx), ctx)


def on_event(state: EventState, event: Event, ctx: Context) -> Outcome:
    """Apply one press or typed answer to the event being entered or removed."""
    if isinstance(event, Text):
        return _on_text(state, event, ctx)
    value = event.value
    if value == "back" and state.trail:
        previous = step_back(state)
        return _show(previous, ctx)
    match state.step:
        case EventStep.KIND:
            if value == "remove":
                return _show(step_forward(state, EventStep.REMOVE), ctx)
            return _show(step_forward(state, EventStep.DAY, kind=KIND.of(value)), ctx)
        case EventStep.DAY:
            return _after_day(state, WHEN.of(value), ctx)
        case EventStep.DETAIL:
            return _show(step_forward(state, EventStep.CONFIRM, detail=None), ctx)
        case EventStep.CONFIRM:
            return _save(state, ctx)
        case EventStep.RESTART:
            return _restart(state, value == "restart", ctx)
        case EventStep.REMOVE:
            return _show(
                step_forward(state, EventStep.CONFIRM_REMOVE, removing=EVENT_ID.of(value)), ctx
            )
        case EventStep.CONFIRM_REMOVE:
            return _remove(state, ctx)


def _save(state: EventState, ctx: Context) -> Outcome:
    lang = ctx.language
    event = _event_of(state, ctx)
    save: tuple[Effect, ...] = (SaveTreatmentEvent(event=event),)
    saved = t(lang, "event.saved", event=event_line(lang, event))
    if event.kind is TreatmentKind.REVISION and ctx.profile is not None:
        asking = step_forward(state, EventStep.RESTART)
        screen = ask_restart(lang, asking, ctx).with_hint(saved)
        # Kept now: the question after it only decides whether the milestones move too.
        return Outcome(state=asking.model_copy(update={"trail": ()}), screen=screen, effects=save)
    return Outcome(state=None, screen=Screen(text=saved), effects=save)


def restarted_profile(profile: Profile, day: date) -> Profile:
    """The profile with the operation's day moved to a revision's: milestones count from it."""
    return profile.model_copy(
        update={
            "surgery_year": day.year,
            "surgery_month": day.month,
            "surgery_day": day.day,
            "surgery_after": None,
            "surgery_before": None,
        }
    )


def _restart(state: EventState, restart: bool, ctx: Context) -> Outcome:
    lang = ctx.language
    day = state.day or ctx.today
    if not restart or ctx.profile is None:
        return Outcome(state=None, screen=Screen(text=t(lang, "event.restart.kept")))
    profile = restarted_profile(ctx.profile, day)
    text = t(lang, "event.restart.done", date=long_date(lang, day))
    return Outcome(state=None, screen=Screen(text=text), effects=(SaveProfile(profile=profile),))


def _remove(state: EventState, ctx: Context) -> Outcome:
    removing = _removing(state, ctx)
    if removing is None:
        return _hinted(EventState(), ctx, "event.gone")
    text = t(ctx.language, "event.removed", event=event_line(ctx.language, removing))
    return Outcome(
        state=None,
        screen=Screen(text=text),
        effects=(DeleteTreatmentEvent(event_id=removing.id),),
    )


# A fall is answered with the warning signs of the last days (fall_advice).
FLOW = Flow(
    EventState,
    render,
    on_event,
    command="event",
    begin=begin,
    loads=Load.EVENTS | Load.DIARY_FLAGS,
)
