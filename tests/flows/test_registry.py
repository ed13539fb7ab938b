"""The registry is the one list of flows: commands, saved states and screens all come from it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from flows.clinical.schedule import PromptChoice, PromptKind
from flows.dialogs import prompts, router
from flows.dialogs.registry import FLOWS
from flows.dialogs.router import Command
from flows.kit.core import Context, Flow, Outcome
from flows.records.models import Entry, Profile

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
# One entry yesterday, so that /history has a table to open on.
YESTERDAY = Entry(
    id=1, user_id=7, entry_date=date(2026, 3, 9), recorded_at=NOW, timezone="UTC", back_pain=4
)
CTX = Context(
    now=NOW,
    user_id=7,
    # Asked their details already, so a command goes to its own flow, not the details first.
    profile=Profile(user_id=7, consented_at=NOW, country="GB", details_asked_at=NOW),
    diary=(YESTERDAY,),
)


def started(flow: Flow[Any]) -> Outcome:
    """The flow begun as a patient begins it."""
    if flow.begin is not None:
        return flow.begin(CTX)
    # Only the check-in prompt has no command: the scheduler sends it.
    return prompts.begin(PromptChoice(PromptKind.DAILY, "2026-03-10"), NOW.date(), CTX)


def test_every_flow_has_its_own_tag_and_a_command_of_the_menu() -> None:
    names = [flow.name for flow in FLOWS]
    assert len(set(names)) == len(names)
    for flow in FLOWS:
        if flow.command is not None:
            assert Command(flow.command).value == flow.command
            assert flow.begin is not None, flow.name


@pytest.mark.parametrize("flow", [f for f in FLOWS if f.command], ids=lambda f: f.name)
def test_each_flows_command_starts_that_flow(flow: Flow[Any]) -> None:
    assert flow.command is not None
    decision = router.on_command(Command(flow.command), None, CTX)
    assert decision.outcome is not None
    assert type(decision.outcome.state) is flow.state


@pytest.mark.parametrize("flow", FLOWS, ids=lambda flow: flow.name)
def test_a_started_flow_is_saved_read_back_and_drawn_again(flow: Flow[Any]) -> None:
    outcome = started(flow)
    assert outcome.state is not None
    loaded = router.load_state(router.dump_state(outcome.state))
    assert loaded == outcome.state
    assert type(loaded) is type(outcome.state)
    assert router.render(loaded, CTX).values() == outcome.screen.values()


def test_a_saved_state_of_an_unknown_flow_is_refused() -> None:
    with pytest.raises(ValidationError):
        router.load_state('{"flow": "medicines"}')
