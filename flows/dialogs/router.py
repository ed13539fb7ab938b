"""Routes commands, button presses and text to the flow that owns the conversation.

This is where a press is checked against the screen it came from: a press whose screen is not
the current one is stale, and a value the current screen does not offer is forged. Neither
changes anything. It is also where a command arriving mid-entry puts the diary entry aside.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import reduce
from typing import Annotated, Any, cast

from pydantic import Field, TypeAdapter

from flows.clinical.codes import Finding
from flows.clinical.emergency import infer_country, numbers_for
from flows.clinical.free_text import red_flags_in_text
from flows.clinical.rules import advice_for, advice_pointer, red_flag_message, triage
from flows.dialogs import history, log, privacy, profile, prompts, transfer, trend_view
from flows.dialogs.registry import FLOWS
from flows.i18n import t
from flows.kit.callback import ButtonData
from flows.kit.core import (
    Context,
    Event,
    Flow,
    FlowState,
    Load,
    Outcome,
    Press,
    SaveProfile,
    Screen,
    SendAdvice,
    SetEntryAside,
    Text,
)
from flows.records.models import AdviceSource

# A saved conversation of any flow: which one is read from its `flow` tag.
AnyState = FlowState
_BY_STATE: dict[type[FlowState], Flow[Any]] = {flow.state: flow for flow in FLOWS}
STATE_TYPES: tuple[type[FlowState], ...] = tuple(_BY_STATE)
_COMMAND_LOADS = {flow.command: flow.loads for flow in FLOWS if flow.command is not None}
# pydantic's discriminated union over the registered states, built from the registry.
_ONE_OF: Any = reduce(operator.or_, STATE_TYPES)
STATE_ADAPTER: TypeAdapter[FlowState] = TypeAdapter(
    cast(Any, Annotated)[_ONE_OF, Field(discriminator="flow")]
)


class Command(StrEnum):
    """The bot's commands, in the order of the command menu."""

    LOG = "log"
    CHECK = "check"
    MEDS = "meds"
    EVENT = "event"
    HISTORY = "history"
    TREND = "trend"
    EXPORT = "export"
    IMPORT = "import"
    PRIVACY = "privacy"
    DELETE = "delete"
    SETTINGS = "settings"
    HELP = "help"
    CANCEL = "cancel"
    START = "start"


MENU_COMMANDS: tuple[Command, ...] = tuple(Command)

# Flows before which a patient who joined before the country and the day of surgery were
# asked is asked them, once (REFERENCE.md §8.1, §8.2); /settings and /delete are never delayed.
DETAILS_FIRST: frozenset[Command] = frozenset(
    {Command.LOG, Command.CHECK, Command.TREND, Command.EXPORT, Command.IMPORT}
)

# Commands that start a flow, all of which need the user's consent first (/history is
# answered on its own: mid-entry it shows the table and leaves the entry open).
FLOW_COMMANDS: dict[Command, Callable[[Context], Outcome]] = {
    Command(flow.command): flow.begin
    for flow in FLOWS
    if flow.command is not None and flow.begin is not None and flow.command != "history"
}


class Verdict(StrEnum):
    """What became of an event."""

    ACCEPTED = "accepted"
    STALE = "stale"
    FORGED = "forged"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class Decision:
    """An outcome to apply, or why nothing changes; `toast` is the short answer to a press."""

    verdict: Verdict
    outcome: Outcome | None = None
    toast: str | None = None
    # Messages beside the screen, as the outcome's notices are: the router's own answers.
    notices: tuple[Screen, ...] = ()
    # Safety advice for someone without an account, which cannot go to the outbox (§8.8).
    safety: Screen | None = None
    # The current screen shown again, unchanged, for a press on an older one.
    again: Screen | None = None


def dump_state(state: AnyState) -> str:
    """Serialise a flow state for storage."""
    return state.model_dump_json()


def load_state(data: str) -> AnyState:
    """Parse a stored flow state."""
    return STATE_ADAPTER.validate_json(data)


def as_any(state: object) -> AnyState | None:
    """Narrow an outcome's state to a known flow state."""
    if state is None:
        return None
    if isinstance(state, STATE_TYPES):
        return state
    raise TypeError(f"unknown flow state {type(state).__name__}")


def loads(state: AnyState | None, command: Command | None = None) -> Load:
    """What the Context must hold for an event in this conversation (and for this command)."""
    needed = Load.NOTHING if state is None else _BY_STATE[type(state)].loads
    if command is not None:
        needed |= _COMMAND_LOADS.get(command.value, Load.NOTHING)
    return needed


def render(state: AnyState, ctx: Context) -> Screen:
    """Return the current screen of a conversation."""
    return _BY_STATE[type(state)].render(state, ctx)


def _transition(state: AnyState, event: Event, ctx: Context) -> Outcome:
    if isinstance(event, Press) and event.value == "cancel":
        return Outcome(state=None, screen=Screen(text=t(ctx.language, "common.cancelled")))
    return _BY_STATE[type(state)].on_event(state, event, ctx)


def ask_consent_first(ctx: Context) -> Screen:
    """Tell a user without an account to start with /start."""
    return Screen(text=t(ctx.language, "common.start_first"))


def needs_consent(ctx: Context) -> Decision:
    """Refuse a command that needs an account, pointing to /start."""
    return Decision(Verdict.ACCEPTED, notices=(ask_consent_first(ctx),))


def on_command(command: Command, state: AnyState | None, ctx: Context) -> Decision:
    """Start, restart or leave a flow for a command; an unsaved diary entry is put aside."""
    decision = _on_command(command, state, ctx)
    # /cancel is the one way to drop an entry on purpose, and it says so.
    return decision if command is Command.CANCEL else _put_aside(state, decision, ctx)


def _put_aside(state: AnyState | None, decision: Decision, ctx: Context) -> Decision:
    """A diary entry that another flow replaces is kept for /log, and the patient told so."""
    outcome = decision.outcome
    if (
        not isinstance(state, log.LogState)
        or not log.has_answers(state)
        or outcome is None
        or outcome.state is state
    ):
        return decision
    aside = SetEntryAside(draft=dump_state(state))
    kept = replace(
        outcome,
        screen=outcome.screen.with_hint(log.put_aside_notice(state, ctx)),
        effects=(aside, *outcome.effects),
    )
    return replace(decision, outcome=kept)


def _left_freely(state: AnyState | None) -> bool:
    """Whether /history may close this conversation: nothing chosen in it would be lost."""
    if state is None or isinstance(state, history.HistoryState | trend_view.TrendState):
        return True
    return isinstance(state, prompts.PromptState) and state.step not in prompts.PEG_STEPS[1:]


def _history(state: AnyState | None, ctx: Context) -> Decision:
    if ctx.profile is None:
        return needs_consent(ctx)
    if _left_freely(state):
        return Decision(Verdict.ACCEPTED, history.begin(ctx))
    # Mid-entry (or mid-check) the table comes as a message and the open step stays usable.
    return Decision(Verdict.ACCEPTED, notices=(history.glance(ctx),))


def _on_command(command: Command, state: AnyState | None, ctx: Context) -> Decision:
    lang = ctx.language
    if command is Command.LOG and isinstance(state, log.LogState):
        # /log in the middle of an entry carries on with it rather than drop what was chosen.
        return Decision(Verdict.ACCEPTED, log.carry_on(state, ctx))
    if command is Command.HISTORY:
        return _history(state, ctx)
    begin = FLOW_COMMANDS.get(command)
    if begin is not None:
        if ctx.profile is None:
            return needs_consent(ctx)
        if command in DETAILS_FIRST and profile.needs_details(ctx.profile):
            return Decision(Verdict.ACCEPTED, profile.begin_details(ctx, then=command.value))
        return Decision(Verdict.ACCEPTED, begin(ctx))
    match command:
        case Command.START:
            if ctx.profile is None:
                return Decision(Verdict.ACCEPTED, profile.begin_onboarding(ctx))
            return Decision(
                Verdict.ACCEPTED,
                Outcome(state=None, screen=Screen(text=t(lang, "start.welcome_back"))),
            )
        case Command.PRIVACY:
            return Decision(Verdict.ACCEPTED, notices=(privacy.privacy_notice(ctx),))
        case Command.CANCEL:
            key = "common.cancelled" if state is not None else "common.nothing_to_cancel"
            return Decision(
                Verdict.ACCEPTED, Outcome(state=None, screen=Screen(text=t(lang, key)))
            )
        case _:
            return Decision(Verdict.ACCEPTED, notices=(Screen(text=t(lang, "help.text")),))


def on_press(
    state: AnyState | None, data: ButtonData | None, current_seq: int, ctx: Context
) -> Decision:
    """Apply a button press if it belongs to the current screen and offers that value."""
    lang = ctx.language
    if data is None:
        return Decision(Verdict.FORGED, toast=t(lang, "button.forged"))
    if state is None:
        return Decision(Verdict.STALE, toast=t(lang, "button.stale"))
    if data.seq != current_seq:
        # Most often the screen this press came from never reached the patient (an edit that
        # failed): show where the conversation stands rather than only refuse the press.
        return Decision(Verdict.STALE, toast=t(lang, "button.stale"), again=render(state, ctx))
    # The screen is drawn again with the context of this press, so the transition only ever
    # sees values that this context offers (a quick entry completed at 23:58 is gone at 00:02).
    if data.value not in render(state, ctx).values():
        return Decision(Verdict.FORGED, toast=t(lang, "button.forged"))
    return Decision(
        Verdict.ACCEPTED, _carry_on(state, _transition(state, Press(data.value), ctx), ctx)
    )


def _carry_on(state: AnyState, outcome: Outcome, ctx: Context) -> Outcome:
    """After the once-only questions, start the flow the patient had asked for."""
    if not (
        isinstance(state, profile.ProfileState)
        and state.mode is profile.ProfileMode.DETAILS
        and state.then is not None
        and outcome.state is None
        and outcome.effects
    ):
        return outcome
    begin = FLOW_COMMANDS.get(Command(state.then))
    saved = [e.profile for e in outcome.effects if isinstance(e, SaveProfile)]
    if begin is None or not saved:
        return outcome
    after = replace(ctx, profile=saved[-1], timezone=saved[-1].timezone)
    started = begin(after)
    return Outcome(
        state=started.state,
        screen=started.screen.with_hint(outcome.screen.text),
        effects=(*outcome.effects, *started.effects),
        notices=(*outcome.notices, *started.notices),
    )


def on_text(state: AnyState | None, text: str, ctx: Context) -> Decision:
    """Apply typed text to the current step, or explain what to do."""
    if state is None:
        named = red_flags_in_text(text)
        if named:
            return on_named_red_flags(named, ctx)
        if ctx.profile is None:
            return Decision(Verdict.IGNORED, notices=(ask_consent_first(ctx),))
        return Decision(Verdict.IGNORED, notices=(Screen(text=t(ctx.language, "common.no_flow")),))
    # The diary's note reads its own text (and answers a named symptom there); at any other
    # step typed words are not an answer, so a named symptom is answered here (§8.8).
    note = isinstance(state, log.LogState) and state.step is log.LogStep.NOTE
    named = () if note else red_flags_in_text(text)
    if named:
        return on_named_red_flags(named, ctx, state)
    return Decision(Verdict.ACCEPTED, _transition(state, Text(text=text), ctx))


def on_edited_text(state: AnyState | None, text: str, ctx: Context) -> Decision:
    """An earlier message edited: not an answer or a command, but a named symptom is answered."""
    named = red_flags_in_text(text)
    if not named:
        return Decision(Verdict.IGNORED)
    return on_named_red_flags(named, ctx, state)


def on_named_red_flags(
    named: tuple[Finding, ...], ctx: Context, state: AnyState | None = None
) -> Decision:
    """Typed words that name a cauda equina symptom get the emergency message at once (§8.8).

    Inside a flow the step stays where it was, shown again under the pointer.
    """
    lang = ctx.language
    profile = ctx.profile
    numbers = profile.numbers() if profile else numbers_for(infer_country(ctx.language_code))
    found = set(named) | (profile.profile_findings() if profile else frozenset())
    result = triage(found, (), profile.surgery_days(ctx.today) if profile else None)
    heading = t(lang, "safety.free_text_heading")
    after = t(lang, "safety.free_text_after" if profile else "safety.free_text_after_start")
    if profile is None:
        text = f"{heading}\n\n{red_flag_message(result, lang, numbers)}\n\n{after}"
        again = None if state is None else render(state, ctx)
        return Decision(Verdict.ACCEPTED, safety=Screen(text=text), again=again)
    advice = advice_for(result, lang, numbers, AdviceSource.TEXT, answered=named)
    if advice is None:
        return Decision(Verdict.IGNORED, notices=(Screen(text=t(lang, "common.no_flow")),))
    pointer = advice_pointer(advice, lang, numbers)
    send = SendAdvice(advice=advice)
    if state is not None:
        screen = render(state, ctx).with_hint(f"{heading}\n{pointer}")
        return Decision(Verdict.ACCEPTED, Outcome(state=state, screen=screen, effects=(send,)))
    return Decision(
        Verdict.ACCEPTED,
        Outcome(
            state=None,
            screen=Screen(text=f"{heading}\n{pointer}\n\n{after}"),
            effects=(send,),
        ),
    )


def on_document(state: AnyState | None, document: transfer.DocumentFile, ctx: Context) -> Decision:
    """A file sent at any point is taken as a diary to import."""
    if ctx.profile is None:
        return needs_consent(ctx)
    waiting = state if isinstance(state, transfer.ImportState) else None
    return _put_aside(
        state, Decision(Verdict.ACCEPTED, transfer.on_document(waiting, document, ctx)), ctx
    )
