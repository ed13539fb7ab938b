"""Check-in prompts: the daily one-tap entry, the weekly PEG, milestones and the nudge.

A prompt is a flow like any other: the dispatcher starts it when the prompt is sent, so its
buttons are checked like every other screen's. A patient with medicines taken as needed on
their list counts the day's doses of each in one tap after the pain, as /log asks them; an
opioid offers the drowsiness red flag there too (RF-OPI, REFERENCE.md §1).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from enum import StrEnum
from typing import Literal

from flows.clinical.codes import Finding
from flows.clinical.rules import advice_pointer
from flows.clinical.schedule import SNOOZE, PromptChoice, PromptKind
from flows.dialogs import check, log
from flows.dialogs.log_screens import DOSES, ask_medicine_doses, medicine_doses_line
from flows.dialogs.said import advice_said, numbers_of
from flows.i18n import t
from flows.kit.core import (
    Context,
    Event,
    Flow,
    FlowState,
    Load,
    Outcome,
    Press,
    SaveEntry,
    SaveFunctionCheckin,
    Screen,
    SendAdvice,
    SnoozePrompt,
    button,
    nav_row,
    pain_grid,
    use_buttons,
)
from flows.kit.values import PAIN
from flows.records.models import EntrySource, FunctionCheckin, NewEntry
from flows.records.treatment import Medicine, MedicineDose, as_needed_on, dose_total


class PromptStep(StrEnum):
    """What a check-in prompt is waiting for."""

    DAILY_PAIN = "daily_pain"
    DAILY_DOSES = "daily_doses"
    PEG_PAIN = "peg_pain"
    PEG_ENJOYMENT = "peg_enjoyment"
    PEG_ACTIVITY = "peg_activity"
    NUDGE = "nudge"


PEG_STEPS = (PromptStep.PEG_PAIN, PromptStep.PEG_ENJOYMENT, PromptStep.PEG_ACTIVITY)


class PromptState(FlowState):
    """A prompt that was sent and is waiting for an answer."""

    flow: Literal["prompt"] = "prompt"
    kind: PromptKind
    key: str
    day: date
    step: PromptStep
    peg: tuple[int, ...] = ()
    # The daily prompt's back pain, once tapped, and the doses counted so far.
    pain: int | None = None
    doses: tuple[MedicineDose, ...] = ()


def begin(choice: PromptChoice, day: date, ctx: Context) -> Outcome:
    """Start the prompt the scheduler chose."""
    match choice.kind:
        case PromptKind.DAILY:
            step = PromptStep.DAILY_PAIN
        case PromptKind.NUDGE:
            step = PromptStep.NUDGE
        case PromptKind.WEEKLY | PromptKind.MILESTONE:
            step = PromptStep.PEG_PAIN
    state = PromptState(kind=choice.kind, key=choice.key, day=day, step=step)
    return Outcome(state=state, screen=render(state, ctx))


def render(state: PromptState, ctx: Context) -> Screen:
    """Return the prompt's current screen."""
    lang = ctx.language
    match state.step:
        case PromptStep.DAILY_PAIN:
            return ask_daily_pain(lang)
        case PromptStep.DAILY_DOSES:
            medicine = _pending(state, ctx)
            if medicine is None:
                # The list changed since the pain was tapped: nothing is left to count.
                return ask_daily_pain(lang)
            return ask_medicine_doses(lang, medicine, None)
        case PromptStep.NUDGE:
            return ask_to_come_back(lang)
        case _:
            return ask_peg_item(lang, state)


def ask_daily_pain(lang: str) -> Screen:
    """Ask for today's back pain in one tap, with the full diary, snooze and skip."""
    return Screen(
        text=t(lang, "prompt.daily"),
        buttons=(
            *pain_grid(),
            (button(t(lang, "prompt.full_log"), "full"),),
            (
                button(t(lang, "prompt.snooze"), "snooze"),
                button(t(lang, "prompt.skip"), "skip"),
            ),
        ),
    )


def ask_to_come_back(lang: str) -> Screen:
    """A gentle nudge after a few quiet days."""
    return Screen(
        text=t(lang, "prompt.nudge"),
        buttons=((button(t(lang, "prompt.log_now"), "full"),),),
    )


def ask_peg_item(lang: str, state: PromptState) -> Screen:
    """Ask one of the three PEG items (REFERENCE.md §3.1)."""
    index = PEG_STEPS.index(state.step)
    intro = ""
    if index == 0 and state.kind is PromptKind.MILESTONE:
        intro = t(lang, "prompt.milestone", milestone=t(lang, f"milestone.{state.key}")) + "\n\n"
    elif index == 0:
        intro = t(lang, "prompt.weekly") + "\n\n"
    text = intro + t(lang, f"prompt.{state.step.value}", n=index + 1)
    return Screen(text=text, buttons=(*pain_grid(), nav_row(lang, back=index > 0)))


def on_event(state: PromptState, event: Event, ctx: Context) -> Outcome:
    """Apply an answer to a prompt."""
    if not isinstance(event, Press):
        medicine = _pending(state, ctx) if state.step is PromptStep.DAILY_DOSES else None
        if medicine is not None:
            # A typed "two" is an answer the patient thinks they gave: say which buttons.
            hint = t(ctx.language, "prompt.doses.use_buttons", name=medicine.name)
            return Outcome(state=state, screen=render(state, ctx).with_hint(hint))
        return use_buttons(state, render(state, ctx), ctx)
    value = event.value
    if value == "full":
        return log.begin(ctx)
    match state.step:
        case PromptStep.DAILY_PAIN:
            return _on_daily(state, value, ctx)
        case PromptStep.DAILY_DOSES if _pending(state, ctx) is not None:
            return _on_doses(state, value, ctx)
        case PromptStep.DAILY_DOSES:
            # The list changed since the pain was tapped: the pain is asked again.
            return _on_daily(state, value, ctx)
        case PromptStep.NUDGE:
            return log.begin(ctx)
        case _:
            return _on_peg(state, value, ctx)


def _on_daily(state: PromptState, value: str, ctx: Context) -> Outcome:
    lang = ctx.language
    if value == "snooze":
        until = ctx.now + SNOOZE
        return Outcome(
            state=None,
            screen=Screen(text=t(lang, "prompt.snoozed")),
            effects=(SnoozePrompt(prompt_kind=state.kind.value, key=state.key, until=until),),
        )
    if value == "skip":
        return Outcome(state=None, screen=Screen(text=t(lang, "prompt.skipped")))
    counting = state.model_copy(
        update={"step": PromptStep.DAILY_DOSES, "pain": PAIN.of(value), "doses": ()}
    )
    if _pending(counting, ctx) is not None:
        return Outcome(state=counting, screen=render(counting, ctx))
    return _save(counting, ctx)


def _pending(state: PromptState, ctx: Context) -> Medicine | None:
    answered = {d.medicine for d in state.doses}
    taken = as_needed_on(ctx.medicine_changes, state.day)
    return next((m for m in taken if m.key not in answered), None)


def _on_doses(state: PromptState, value: str, ctx: Context) -> Outcome:
    if value == "back":
        if state.doses:
            previous = state.model_copy(update={"doses": state.doses[:-1]})
        else:
            previous = state.model_copy(update={"step": PromptStep.DAILY_PAIN, "pain": None})
        return Outcome(state=previous, screen=render(previous, ctx))
    medicine = _pending(state, ctx)
    if medicine is None:
        return _save(state, ctx)
    if value == "drowsy":
        return _drowsy(state, ctx)
    doses = None if value == "skip" else DOSES.of(value)
    answer = MedicineDose(
        medicine=medicine.key, name=medicine.name, opioid=medicine.opioid, doses=doses
    )
    counted = state.model_copy(update={"doses": (*state.doses, answer)})
    if _pending(counted, ctx) is not None:
        return Outcome(state=counted, screen=render(counted, ctx))
    return _save(counted, ctx)


def _entry(state: PromptState, ctx: Context, symptoms: tuple[Finding, ...] = ()) -> NewEntry:
    return NewEntry(
        entry_date=state.day,
        recorded_at=ctx.now,
        timezone=ctx.timezone,
        back_pain=state.pain,
        symptoms=symptoms,
        as_needed_doses=dose_total(state.doses),
        medicine_doses=state.doses,
        source=EntrySource.QUICK,
    )


def _saved_text(state: PromptState, ctx: Context) -> str:
    lang = ctx.language
    text = t(lang, "prompt.quick_saved", n=state.pain)
    counted = [d for d in state.doses if d.doses is not None]
    if counted:
        text += "\n" + medicine_doses_line(lang, counted)
    return text


def _save(state: PromptState, ctx: Context) -> Outcome:
    entry = _entry(state, ctx)
    return Outcome(
        state=None,
        screen=Screen(text=_saved_text(state, ctx)),
        effects=(SaveEntry(entry=entry),),
    )


def _drowsy(state: PromptState, ctx: Context) -> Outcome:
    """Very drowsy after an opioid: the emergency at once, and the day saved with it (§1.4)."""
    ticked = (Finding.OPIOID_DROWSINESS,)
    advice = advice_said(ticked, state.day, ctx, answered=ticked)
    saved = SaveEntry(entry=_entry(state, ctx, ticked))
    if advice is None:
        return Outcome(state=None, screen=Screen(text=_saved_text(state, ctx)), effects=(saved,))
    pointer = advice_pointer(advice, ctx.language, numbers_of(ctx))
    text = f"{pointer}\n\n{_saved_text(state, ctx)}"
    return Outcome(
        state=None, screen=Screen(text=text), effects=(SendAdvice(advice=advice), saved)
    )


def _on_peg(state: PromptState, value: str, ctx: Context) -> Outcome:
    index = PEG_STEPS.index(state.step)
    if value == "back":
        previous = state.model_copy(update={"step": PEG_STEPS[index - 1], "peg": state.peg[:-1]})
        return Outcome(state=previous, screen=render(previous, ctx))
    answers = (*state.peg, PAIN.of(value))
    if index + 1 < len(PEG_STEPS):
        nxt = state.model_copy(update={"step": PEG_STEPS[index + 1], "peg": answers})
        return Outcome(state=nxt, screen=render(nxt, ctx))
    pain, enjoyment, activity = answers
    checkin = FunctionCheckin(
        entry_date=state.day,
        recorded_at=ctx.now,
        average_pain=pain,
        enjoyment=enjoyment,
        activity=activity,
    )
    saved = SaveFunctionCheckin(checkin=checkin)
    lang = ctx.language
    thanks = t(lang, "prompt.peg_saved", score=checkin.score)
    if state.kind is PromptKind.MILESTONE:
        # The milestone check-in goes on into the red-flag screen (issue: milestones include it).
        screening = check.begin(ctx)
        return replace(screening, screen=screening.screen.with_hint(thanks), effects=(saved,))
    return Outcome(state=None, screen=Screen(text=thanks), effects=(saved,))


# Started by a check-in prompt the scheduler sends, not by a command.
# A prompt's answer goes on into the diary's steps, which name the days with entries; the
# daily prompt counts the doses of the as-needed medicines on the list.
FLOW = Flow(PromptState, render, on_event, loads=Load.DAY_COUNTS | Load.MEDICINES)
