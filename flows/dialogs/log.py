"""The daily diary: back pain, leg pain, symptoms, an optional note, confirm, save.

An entry can be for any of the last `LOG_DAYS` days, and every step says which day it is for.
The same steps, prefilled, change an entry chosen in /history (`begin_edit`).

A red-flag symptom is answered the moment the symptom step is finished, before the note or
the save, and the advice stands even if the entry is then cancelled (REFERENCE.md §8.6): it
goes to the outbox as `SendAdvice`. An emergency ends the diary there, with the entry saved.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import ValidationError

from flows.clinical.codes import Finding, Tier
from flows.clinical.free_text import red_flags_in_text
from flows.clinical.rules import advice_pointer
from flows.dialogs.log_advice import already_advised, new_advice
from flows.dialogs.log_screens import (
    DAY,
    DIARY_SYMPTOMS,
    DOSES,
    LOG_DAYS,
    SYMPTOM,
    ask_as_needed_doses,
    ask_back_pain,
    ask_confirm,
    ask_day,
    ask_leg_pain,
    ask_medicine_doses,
    ask_note,
    ask_symptoms,
    ask_weakness_speed,
    day_words,
    edit_key,
    entry_card,
    ticked,
)
from flows.dialogs.said import numbers_of
from flows.i18n import t
from flows.kit.core import (
    ClearEntryAside,
    Context,
    Effect,
    Event,
    Flow,
    Load,
    Outcome,
    SaveEntry,
    Screen,
    SendAdvice,
    SteppedState,
    Text,
    step_back,
    step_forward,
)
from flows.kit.values import PAIN
from flows.records.models import (
    NOTE_MAX_CHARS,
    Advice,
    Entry,
    EntrySource,
    NewEntry,
)
from flows.records.treatment import Medicine, MedicineDose, as_needed_on, dose_total

__all__ = [
    "DAY",
    "DIARY_SYMPTOMS",
    "EARLY_HOUR",
    "FLOW",
    "LOG_DAYS",
    "RECORDED_SYMPTOMS",
    "SYMPTOM",
    "LogState",
    "LogStep",
    "begin",
    "begin_edit",
    "carry_on",
    "entry_card",
    "entry_put_aside",
    "has_answers",
    "on_event",
    "put_aside_notice",
    "render",
    "save",
]

# Before this local hour a new entry may well be about yesterday evening.
EARLY_HOUR = 10
# What an entry can record, in the order it is shown: the checklist, with a leg's weakness
# split by how fast it came (§1.2).
RECORDED_SYMPTOMS: tuple[Finding, ...] = (
    *DIARY_SYMPTOMS[: DIARY_SYMPTOMS.index(Finding.LEG_WEAKNESS) + 1],
    Finding.LEG_WEAKNESS_RAPID,
    *DIARY_SYMPTOMS[DIARY_SYMPTOMS.index(Finding.LEG_WEAKNESS) + 1 :],
)


class LogStep(StrEnum):
    """What the diary is waiting for."""

    DAY = "day"
    BACK_PAIN = "back_pain"
    LEG_PAIN = "leg_pain"
    SYMPTOMS = "symptoms"
    WEAKNESS_SPEED = "weakness_speed"
    AS_NEEDED_DOSES = "as_needed_doses"
    NOTE = "note"
    CONFIRM = "confirm"


# The entry's fields the steps answer: shared by LogState and NewEntry, so a new diary field
# is one more name here (begin_edit prefills them, has_answers and save compare and store them).
ANSWERS = (
    "entry_date",
    "back_pain",
    "leg_pain",
    "symptoms",
    "note",
    "as_needed_doses",
    "medicine_doses",
)


class LogState(SteppedState):
    """A diary entry being filled in."""

    flow: Literal["log"] = "log"
    step: LogStep
    trail: tuple[LogStep, ...] = ()
    entry_date: date
    replaces: int | None = None
    back_pain: int | None = None
    leg_pain: int | None = None
    symptoms: tuple[Finding, ...] = ()
    note: str | None = None
    as_needed_doses: int | None = None
    medicine_doses: tuple[MedicineDose, ...] = ()
    # The red flags whose advice was already sent, so going Back and Done again or saving
    # does not send the same message twice.
    advised: tuple[str, ...] = ()
    # The stored entry these steps change (chosen in /history): what the answers do not
    # cover, such as when it was recorded, is kept from it.
    changing: Entry | None = None


def offers_yesterday(ctx: Context) -> bool:
    """Whether to ask which day the entry is for."""
    return ctx.entries_today > 0 or ctx.local_now.hour < EARLY_HOUR or ctx.quick_entry is not None


def begin(ctx: Context) -> Outcome:
    """Start a new diary entry, or carry on with the one that was put aside."""
    if ctx.entry_aside is not None:
        aside = entry_put_aside(ctx)
        if aside is not None:
            hint = t(ctx.language, edit_key(aside, "log.resumed"), day=day_words(aside, ctx))
            screen = render(aside, ctx).with_hint(hint)
            return Outcome(state=aside, screen=screen, effects=(ClearEntryAside(),))
    step = LogStep.DAY if offers_yesterday(ctx) else LogStep.BACK_PAIN
    state = LogState(step=step, entry_date=ctx.today)
    # A put-aside entry an older version saved and this one cannot read is not kept forever.
    effects: tuple[Effect, ...] = (ClearEntryAside(),) if ctx.entry_aside is not None else ()
    return Outcome(state=state, screen=render(state, ctx), effects=effects)


def begin_edit(entry: Entry, ctx: Context) -> Outcome:
    """Walk the diary's steps again for a stored entry, every answer prefilled."""
    state = LogState(
        step=LogStep.BACK_PAIN,
        replaces=entry.id,
        **{name: getattr(entry, name) for name in ANSWERS},
        changing=entry,
        # What the entry already advised on was answered when it was logged: only a warning
        # sign the change adds is answered again, so a flagged entry stays editable.
        advised=already_advised(entry, ctx),
    )
    return Outcome(state=state, screen=render(state, ctx))


def carry_on(state: LogState, ctx: Context) -> Outcome:
    """/log in the middle of an entry: the same step again, saying it carries on."""
    hint = t(ctx.language, edit_key(state, "log.carry_on"), day=day_words(state, ctx))
    return Outcome(state=state, screen=render(state, ctx).with_hint(hint))


def has_answers(state: LogState) -> bool:
    """Whether leaving this entry unsaved would lose something the patient chose."""
    changing = state.changing
    if changing is None:
        return state.back_pain is not None
    # A change not yet made loses nothing: the entry is still stored as it was.
    return any(getattr(state, name) != getattr(changing, name) for name in ANSWERS)


def entry_put_aside(ctx: Context) -> LogState | None:
    """The entry that was put aside, if there is one this version can read."""
    if ctx.entry_aside is None:
        return None
    try:
        return LogState.model_validate_json(ctx.entry_aside)
    except ValidationError:
        return None


def put_aside_notice(state: LogState, ctx: Context) -> str:
    """What the patient is told when another command puts this entry aside."""
    lang = ctx.language
    text = t(lang, edit_key(state, "log.put_aside"), day=day_words(state, ctx))
    earlier = entry_put_aside(ctx)
    if earlier is not None and earlier != state:
        dropped = t(lang, edit_key(earlier, "log.aside_dropped"), day=day_words(earlier, ctx))
        text = f"{text}\n{dropped}"
    return text


def render(state: LogState, ctx: Context) -> Screen:
    """Return the screen for the current step, with the day it is for."""
    lang = ctx.language
    match state.step:
        case LogStep.DAY:
            return ask_day(lang, state, ctx)
        case LogStep.BACK_PAIN:
            screen = ask_back_pain(lang, state, ctx)
        case LogStep.LEG_PAIN:
            screen = ask_leg_pain(lang, state)
        case LogStep.SYMPTOMS:
            screen = ask_symptoms(lang, state)
        case LogStep.WEAKNESS_SPEED:
            screen = ask_weakness_speed(lang)
        case LogStep.AS_NEEDED_DOSES:
            pending = _pending_medicine(state, ctx)
            if pending is None:
                screen = ask_as_needed_doses(lang, state)
            else:
                screen = ask_medicine_doses(lang, pending, _earlier_doses(state, pending))
        case LogStep.NOTE:
            screen = ask_note(lang, state)
        case LogStep.CONFIRM:
            # The card names the day itself.
            return ask_confirm(lang, state)
    # Below the question, next to the buttons: the step's own words still come first.
    return screen.with_text(f"{screen.text}\n\n{_heading(lang, state, ctx)}")


def _heading(lang: str, state: LogState, ctx: Context) -> str:
    key = "log.heading.edit" if state.changing is not None else "log.heading"
    return t(lang, key, day=day_words(state, ctx))


def _advance(state: LogState, ctx: Context) -> Outcome:
    return Outcome(state=state, screen=render(state, ctx))


def _chosen_day(value: str, ctx: Context) -> date:
    return DAY.of(value)


def on_event(state: LogState, event: Event, ctx: Context) -> Outcome:
    """Apply one button press or text to the diary entry being filled in."""
    lang = ctx.language
    if isinstance(event, Text):
        if state.step is not LogStep.NOTE:
            # Typing the medicine's name is what a patient does here: the note takes it.
            at_doses = state.step is LogStep.AS_NEEDED_DOSES
            pending = _pending_medicine(state, ctx) if at_doses else None
            if pending is not None and ctx.keeps_medicine_list:
                # The question names the medicine already: the note is not where it goes.
                hint = t(lang, "log.medicine_doses.use_buttons", name=pending.name)
            else:
                hint = t(lang, "log.doses.use_buttons" if at_doses else "log.use_buttons")
            return Outcome(state=state, screen=render(state, ctx).with_hint(hint))
        note = event.text.strip()
        if len(note) > NOTE_MAX_CHARS:
            hint = t(lang, "log.note_too_long", n=len(note), limit=NOTE_MAX_CHARS)
            return Outcome(state=state, screen=render(state, ctx).with_hint(hint))
        # A note that names a cauda equina symptom is answered like a ticked one (§8.8), and
        # recorded as one, so /check, the export and `assess` see it too.
        named = tuple(f for f in red_flags_in_text(note) if f not in state.symptoms)
        confirming = step_forward(
            state,
            LogStep.CONFIRM,
            note=note or None,
            symptoms=_in_order({*state.symptoms, *named}),
        )
        decided = new_advice(confirming, ctx)
        if decided is None:
            return _advance(confirming, ctx)
        return _with_advice(confirming, ctx, decided)

    value = event.value
    if value == "back" and state.trail:
        previous = step_back(state)
        if previous.step is LogStep.AS_NEEDED_DOSES and previous.medicine_doses:
            # Back to a medicine's question takes its answer back, to be given again.
            previous = previous.model_copy(update={"medicine_doses": state.medicine_doses[:-1]})
        return _advance(previous, ctx)
    match state.step:
        case LogStep.DAY:
            quick = ctx.quick_entry
            if value == "complete" and quick is not None:
                # The quick entry from today's prompt already has the back pain: go on from there.
                completing = step_forward(
                    state,
                    LogStep.LEG_PAIN,
                    entry_date=quick.entry_date,
                    back_pain=quick.back_pain,
                    replaces=quick.id,
                )
                return _advance(completing, ctx)
            day = _chosen_day(value, ctx)
            if state.trail[-1:] == (LogStep.BACK_PAIN,):
                # "Another day" from the first question: back to it, for the day chosen.
                first = {"step": LogStep.BACK_PAIN, "trail": state.trail[:-1], "entry_date": day}
                return _advance(state.model_copy(update=first), ctx)
            return _advance(step_forward(state, LogStep.BACK_PAIN, entry_date=day), ctx)
        case LogStep.BACK_PAIN:
            if value == "day":
                return _advance(step_forward(state, LogStep.DAY), ctx)
            return _advance(step_forward(state, LogStep.LEG_PAIN, back_pain=PAIN.of(value)), ctx)
        case LogStep.LEG_PAIN:
            leg = 0 if value == "none" else PAIN.of(value)
            return _advance(step_forward(state, LogStep.SYMPTOMS, leg_pain=leg), ctx)
        case LogStep.SYMPTOMS:
            if value == "done":
                return _symptoms_done(state, ctx)
            code = SYMPTOM.of(value)
            if code is Finding.LEG_WEAKNESS and not ticked(state, code):
                return _advance(step_forward(state, LogStep.WEAKNESS_SPEED), ctx)
            return _advance(state.model_copy(update={"symptoms": _toggled(state, code)}), ctx)
        case LogStep.WEAKNESS_SPEED:
            # "Not sure" counts as the faster course: a missed rapid weakness is the costlier
            # mistake (REFERENCE.md §1.1 rule 5).
            speed = Finding.LEG_WEAKNESS if value == "slow" else Finding.LEG_WEAKNESS_RAPID
            back = state.model_copy(
                update={
                    "step": LogStep.SYMPTOMS,
                    "trail": state.trail[:-1],
                    "symptoms": _toggled(state, speed),
                }
            )
            return _advance(back, ctx)
        case LogStep.AS_NEEDED_DOSES:
            pending = _pending_medicine(state, ctx)
            if pending is not None:
                return _medicine_doses(state, pending, value, ctx)
            doses = None if value == "skip" else DOSES.of(value)
            return _advance(step_forward(state, LogStep.NOTE, as_needed_doses=doses), ctx)
        case LogStep.NOTE:
            # "keep" is offered only with a note already given; Skip and Remove leave none.
            kept = state.note if value == "keep" else None
            return _advance(step_forward(state, LogStep.CONFIRM, note=kept), ctx)
        case LogStep.CONFIRM:
            return save(state, ctx)


def _in_order(chosen: set[Finding]) -> tuple[Finding, ...]:
    """Checklist order, with the chosen weakness speed where the weakness row stands."""
    listed = tuple(c for c in RECORDED_SYMPTOMS if c in chosen)
    # Codes the checklist does not show (an imported or /check entry being changed) are kept.
    return (*listed, *(c for c in Finding if c in chosen and c not in RECORDED_SYMPTOMS))


def _toggled(state: LogState, code: Finding) -> tuple[Finding, ...]:
    speeds = {Finding.LEG_WEAKNESS, Finding.LEG_WEAKNESS_RAPID}
    kept = set(state.symptoms)
    # Unticking the weakness row removes whichever speed was chosen with it.
    chosen = kept - speeds if code in speeds and kept & speeds else kept ^ {code}
    return _in_order(chosen)


def _with_advice(
    state: LogState, ctx: Context, decided: tuple[Advice, tuple[str, ...]]
) -> Outcome:
    """Send the advice now; an emergency saves the entry and ends the diary (§1.4, §8.6)."""
    advice, keys = decided
    numbers = numbers_of(ctx)
    pointer = advice_pointer(advice, ctx.language, numbers)
    advised = state.model_copy(update={"advised": tuple(dict.fromkeys((*state.advised, *keys)))})
    send = SendAdvice(advice=advice)
    if advice.tier is Tier.EMERGENCY:
        saved = save(advised, ctx)
        card = entry_card(ctx.language, advised)
        text = t(ctx.language, "log.saved_at_once", pointer=pointer, card=card)
        return Outcome(state=None, screen=Screen(text=text), effects=(send, *saved.effects))
    hint = t(ctx.language, "log.advice_given", pointer=pointer)
    return Outcome(state=advised, screen=render(advised, ctx).with_hint(hint), effects=(send,))


def as_needed_medicines(state: LogState, ctx: Context) -> tuple[Medicine, ...]:
    """The as-needed medicines on the patient's list on the entry's day, asked one by one."""
    return as_needed_on(ctx.medicine_changes, state.entry_date)


def _pending_medicine(state: LogState, ctx: Context) -> Medicine | None:
    answered = {d.medicine for d in state.medicine_doses}
    return next((m for m in as_needed_medicines(state, ctx) if m.key not in answered), None)


def _earlier_doses(state: LogState, medicine: Medicine) -> int | None:
    before = () if state.changing is None else state.changing.medicine_doses
    return next((d.doses for d in before if d.medicine == medicine.key), None)


def _medicine_doses(state: LogState, medicine: Medicine, value: str, ctx: Context) -> Outcome:
    if value == "drowsy":
        drowsy = {*state.symptoms, Finding.OPIOID_DROWSINESS}
        flagged = state.model_copy(update={"symptoms": _in_order(drowsy)})
        decided = new_advice(flagged, ctx)
        if decided is None:
            return _advance(flagged, ctx)
        return _with_advice(flagged, ctx, decided)
    doses = None if value == "skip" else DOSES.of(value)
    answer = MedicineDose(
        medicine=medicine.key, name=medicine.name, opioid=medicine.opioid, doses=doses
    )
    answered = (*state.medicine_doses, answer)
    counted = step_forward(state, LogStep.AS_NEEDED_DOSES, medicine_doses=answered)
    if _pending_medicine(counted, ctx) is not None:
        return _advance(counted, ctx)
    noting = step_forward(
        state, LogStep.NOTE, medicine_doses=answered, as_needed_doses=dose_total(answered)
    )
    return _advance(noting, ctx)


def _after_symptoms(state: LogState, ctx: Context) -> LogState:
    """The doses next: one general question without a list, per medicine with one."""
    if not ctx.keeps_medicine_list:
        return step_forward(state, LogStep.AS_NEEDED_DOSES)
    if as_needed_medicines(state, ctx):
        return step_forward(state, LogStep.AS_NEEDED_DOSES, medicine_doses=())
    # A list with no as-needed medicine: nothing to count, the question is skipped.
    return step_forward(state, LogStep.NOTE, medicine_doses=(), as_needed_doses=None)


def _symptoms_done(state: LogState, ctx: Context) -> Outcome:
    noting = _after_symptoms(state, ctx)
    decided = new_advice(noting, ctx)
    if decided is None:
        return _advance(noting, ctx)
    return _with_advice(noting, ctx, decided)


def save(state: LogState, ctx: Context) -> Outcome:
    """End the flow with the entry saved."""
    answers = {name: getattr(state, name) for name in ANSWERS}
    if state.changing is None:
        fresh = {"recorded_at": ctx.now, "timezone": ctx.timezone, "source": EntrySource.LOG}
        entry = NewEntry.model_validate({**fresh, **answers})
    else:
        # A change corrects the entry: its time and origin stay as they were (the day too).
        kept = state.changing.model_dump(exclude={"id", "user_id"})
        entry = NewEntry.model_validate({**kept, **answers, "entry_date": kept["entry_date"]})
    lang = ctx.language
    effects: list[Effect] = []
    # A safety net: advice for any flag not yet answered (there is none after Done).
    decided = new_advice(state, ctx)
    if decided is not None:
        effects.append(SendAdvice(advice=decided[0]))
    effects.append(SaveEntry(entry=entry, replaces=state.replaces))
    return Outcome(
        state=None,
        screen=Screen(text=t(lang, edit_key(state, "log.saved"), card=entry_card(lang, state))),
        effects=tuple(effects),
    )


FLOW = Flow(
    LogState,
    render,
    on_event,
    command="log",
    begin=begin,
    loads=Load.DAY_COUNTS | Load.MEDICINES,
)
