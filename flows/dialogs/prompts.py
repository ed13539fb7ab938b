"""Check-in prompts: the daily one-tap entry, the weekly PEG, milestones and the nudge.

A prompt is a flow like any other: the dispatcher starts it when the prompt is sent, so its
buttons are checked like every other screen's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from enum import StrEnum
from typing import Literal

from flows.clinical.schedule import SNOOZE, PromptChoice, PromptKind
from flows.dialogs import check, log
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
    SnoozePrompt,
    button,
    nav_row,
    pain_grid,
    use_buttons,
)
from flows.kit.values import PAIN
from flows.records.models import EntrySource, FunctionCheckin, NewEntry


class PromptStep(StrEnum):
    """What a check-in prompt is waiting for."""

    DAILY_PAIN = "daily_pain"
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
        return use_buttons(state, render(state, ctx), ctx)
    value = event.value
    if value == "full":
        return log.begin(ctx)
    match state.step:
        case PromptStep.DAILY_PAIN:
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
    pain = PAIN.of(value)
    entry = NewEntry(
        entry_date=state.day,
        recorded_at=ctx.now,
        timezone=ctx.timezone,
        back_pain=pain,
        source=EntrySource.QUICK,
    )
    return Outcome(
        state=None,
        screen=Screen(text=t(lang, "prompt.quick_saved", n=pain)),
        effects=(SaveEntry(entry=entry),),
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
# A prompt's answer goes on into the diary's steps, which name the days with entries.
FLOW = Flow(PromptState, render, on_event, loads=Load.DAY_COUNTS)
