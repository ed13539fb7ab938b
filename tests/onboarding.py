"""Onboarding as one patient walks it, for every test that needs an onboarded patient.

When onboarding changes, this file changes, not every test that walks it. The walk assumes
what a new test user looks like: no stored zone (UTC) and a language tag without a country
("en"), so no country is proposed and the list of countries comes first.
"""

from __future__ import annotations

from collections.abc import Coroutine
from datetime import date, datetime
from typing import Any

from bot.engine import Engine
from bot.reply import Reply, Who
from flows.dialogs.profile import ProfileState, ProfileStep
from flows.dialogs.router import Command
from flows.kit.callback import decode
from tests.flows.driver import context_at
from tests.patient import FlowLine, Patient

# The patient lives in the United Kingdom (one time zone, so no list of zones), had the
# operation on 15 June 2025 in the lower back, 2 levels, no health factors, gives no name for
# the reports, and wants the reminder at 21:00. Each step: the button value, then its label.
WALK: tuple[tuple[str, str], ...] = (
    ("agree", "✅ I agree, keep my diary"),
    ("cc.gb", "United Kingdom"),
    ("right", "✅ Yes, that's right"),
    ("y2025", "2025"),
    ("m6", "Jun"),
    ("d15", "15"),
    ("r.lumbar", "Lower back (lumbar)"),
    ("l2", "2 levels"),
    ("done", "Done"),
    ("skip", "Skip"),
    ("t2100", "21:00"),
)
VALUES: tuple[str, ...] = tuple(value for value, _ in WALK)
LABELS: tuple[str, ...] = tuple(label for _, label in WALK)
COUNTRY = "GB"
TIMEZONE = "Europe/London"
SURGERY_DAY = date(2025, 6, 15)


# `presses_to` and `console_lines` are asked for outside any event loop (while a test module
# is collected) and inside a running one (in an async test) alike, so the walk runs no loop.
def _at_once(step: Coroutine[Any, Any, object]) -> None:
    """Run one of the patient's verbs on the pure flows, whose line never waits, to its end."""
    try:
        step.send(None)
    except StopIteration:
        return
    step.close()
    raise AssertionError("the line to the pure flows waited")


def _value(data: str) -> str:
    """The flow value a button's callback data carries."""
    button = decode(data)
    assert button is not None, f"{data!r} is not the bot's button data"
    return button.value


def _walk(now: datetime | None) -> tuple[list[int], list[ProfileStep | None]]:
    """Walk the pure flows: each press's position on its screen, and the step after it."""
    line = FlowLine()
    line.driver.ctx = context_at(now)
    patient = Patient(line)
    _at_once(patient.send("/start"))
    positions: list[int] = []
    steps: list[ProfileStep | None] = []
    for value in VALUES:
        offered = [_value(button.data) for button in patient.buttons]
        assert value in offered, f"onboarding no longer offers {value!r}: {offered}"
        positions.append(offered.index(value) + 1)
        _at_once(patient.press_value(value))
        state = line.driver.state
        steps.append(state.step if isinstance(state, ProfileState) else None)
    assert line.driver.state is None, "the walk no longer finishes onboarding"
    return positions, steps


def presses_to(step: ProfileStep) -> int:
    """How many presses of the walk, after /start, bring a new patient to `step`."""
    _, steps = _walk(None)
    if step is ProfileStep.CONSENT:
        return 0
    return steps.index(step) + 1


def console_lines(now: datetime | None = None) -> list[str]:
    """The walk as the console takes it: the number of each button (from 1), at `now`."""
    positions, _ = _walk(now)
    return [str(n) for n in positions]


async def onboard(engine: Engine, who: Who) -> Reply:
    """Walk onboarding through the engine, by button value; returns the last reply."""
    reply = await engine.on_command(who, Command.START)
    for value in VALUES:
        assert reply.screen is not None
        assert value in reply.screen.values(), f"{value!r} not offered: {reply.screen.text!r}"
        reply = await engine.on_press(who, reply.button_data(value))
    return reply
