"""/privacy and /delete: what is kept and where, and erasing everything after a confirmation."""

from __future__ import annotations

from typing import Literal

from flows.i18n import t
from flows.kit.core import (
    Context,
    EraseUser,
    Event,
    Flow,
    FlowState,
    Outcome,
    Press,
    Screen,
    button,
    nav_row,
)


class DeleteState(FlowState):
    """Waiting for the user to confirm that everything should be erased."""

    flow: Literal["delete"] = "delete"


def privacy_notice(ctx: Context) -> Screen:
    """Say what is stored, where, for how long, who can see it, and how to export or erase."""
    return Screen(text=t(ctx.language, "privacy.text"))


def begin_delete(ctx: Context) -> Outcome:
    """Ask for confirmation before erasing."""
    state = DeleteState()
    return Outcome(state=state, screen=ask_erase_everything(ctx.language))


def ask_erase_everything(lang: str) -> Screen:
    """Explain what will be erased and ask to confirm."""
    return Screen(
        text=t(lang, "delete.confirm"),
        buttons=((button(t(lang, "delete.yes"), "erase"),), nav_row(lang, back=False)),
    )


def render(state: DeleteState, ctx: Context) -> Screen:
    """The confirmation the patient is asked."""
    return ask_erase_everything(ctx.language)


def on_event(state: DeleteState, event: Event, ctx: Context) -> Outcome:
    """Erase on confirmation; anything typed is not a confirmation."""
    lang = ctx.language
    if isinstance(event, Press) and event.value == "erase":
        return Outcome(
            state=None, screen=Screen(text=t(lang, "delete.done")), effects=(EraseUser(),)
        )
    return Outcome(
        state=state, screen=ask_erase_everything(lang).with_hint(t(lang, "delete.press"))
    )


FLOW = Flow(DeleteState, render, on_event, command="delete", begin=begin_delete)
