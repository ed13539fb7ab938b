"""The prompt flows: the weekly PEG, the milestone check-in and the nudge."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flows.clinical.schedule import PromptChoice, PromptKind
from flows.dialogs import prompts
from flows.dialogs.check import CheckState
from flows.kit.core import SaveFunctionCheckin
from tests.flows.driver import context_at
from tests.patient import FlowLine, Patient

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)


def started(kind: PromptKind, key: str) -> tuple[Patient, FlowLine]:
    """A consented patient shown the prompt the dispatcher sent."""
    line = FlowLine()
    line.driver.ctx = context_at(NOW, consented=True)
    outcome = prompts.begin(PromptChoice(kind, key), date(2026, 3, 10), line.driver.ctx)
    # FlowLine has no verb for a message the bot starts: show it as the line shows a decision.
    line.receive(outcome)
    return Patient(line), line


async def test_weekly_peg_asks_three_items_and_saves_the_score() -> None:
    patient, line = started(PromptKind.WEEKLY, "2026-03-10")
    assert "weekly check-in" in patient.last
    assert "1 of 3" in patient.last
    await patient.press("6")
    assert "enjoyment of life" in patient.last
    await patient.press("Back")
    assert "1 of 3" in patient.last
    await patient.press("5")
    await patient.press("7")
    assert "general activity" in patient.last
    await patient.press("3")
    [saved] = [e for e in line.driver.effects if isinstance(e, SaveFunctionCheckin)]
    checkin = saved.checkin
    assert (checkin.average_pain, checkin.enjoyment, checkin.activity) == (5, 7, 3)
    assert checkin.score == 5.0
    assert "score is 5.0" in patient.last
    assert line.driver.state is None


async def test_milestone_goes_on_into_the_red_flag_screen() -> None:
    patient, line = started(PromptKind.MILESTONE, "3m")
    assert "three months since your operation" in patient.last
    await patient.presses("4", "4", "4")
    assert isinstance(line.driver.state, CheckState)
    assert "Question 1 of" in patient.last
    assert "score is 4.0" in patient.last


async def test_nudge_opens_the_diary() -> None:
    patient, _ = started(PromptKind.NUDGE, "2026-03-07")
    assert "a few days since your last diary entry" in patient.last
    await patient.press("Add an entry")
    assert "BACK pain" in patient.last


async def test_typing_at_a_prompt_gets_a_hint_and_skip_saves_nothing() -> None:
    patient, line = started(PromptKind.DAILY, "2026-03-10")
    await patient.type("six")
    assert patient.last.startswith("Please use the buttons")
    await patient.press("Skip today")
    assert line.driver.state is None
    assert line.driver.effects == []
    assert "no diary today" in patient.last
