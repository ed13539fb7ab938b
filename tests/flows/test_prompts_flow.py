"""The prompt flows: the weekly PEG, the milestone check-in and the nudge."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flows.clinical.schedule import PromptChoice, PromptKind
from flows.dialogs import prompts
from flows.dialogs.check import CheckState
from flows.kit.core import SaveFunctionCheckin
from tests.flows.driver import FlowDriver

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)


def started(kind: PromptKind, key: str) -> FlowDriver:
    driver = FlowDriver(NOW, consented=True)
    driver.start(prompts.begin(PromptChoice(kind, key), date(2026, 3, 10), driver.ctx))
    return driver


def test_weekly_peg_asks_three_items_and_saves_the_score() -> None:
    driver = started(PromptKind.WEEKLY, "2026-03-10")
    assert "weekly check-in" in driver.text
    assert "1 of 3" in driver.text
    driver.press("6")
    assert "enjoyment of life" in driver.text
    driver.press("Back")
    assert "1 of 3" in driver.text
    driver.press("5")
    driver.press("7")
    assert "general activity" in driver.text
    driver.press("3")
    [saved] = [e for e in driver.effects if isinstance(e, SaveFunctionCheckin)]
    checkin = saved.checkin
    assert (checkin.average_pain, checkin.enjoyment, checkin.activity) == (5, 7, 3)
    assert checkin.score == 5.0
    assert "score is 5.0" in driver.text
    assert driver.state is None


def test_milestone_goes_on_into_the_red_flag_screen() -> None:
    driver = started(PromptKind.MILESTONE, "3m")
    assert "three months since your operation" in driver.text
    for value in ("4", "4", "4"):
        driver.press(value)
    assert isinstance(driver.state, CheckState)
    assert "Question 1 of" in driver.text
    assert "score is 4.0" in driver.text


def test_nudge_opens_the_diary() -> None:
    driver = started(PromptKind.NUDGE, "2026-03-07")
    assert "a few days since your last diary entry" in driver.text
    driver.press("Add an entry")
    assert "BACK pain" in driver.text


def test_typing_at_a_prompt_gets_a_hint_and_skip_saves_nothing() -> None:
    driver = started(PromptKind.DAILY, "2026-03-10")
    driver.type("six")
    assert driver.text.startswith("Please use the buttons")
    driver.press("Skip today")
    assert driver.state is None
    assert driver.effects == []
    assert "no diary today" in driver.text
