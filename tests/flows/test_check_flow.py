"""The symptom checker and the red-flag message after a diary entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from flows.codes import CauseId, Finding, Tier
from flows.core import SaveCheck
from flows.emergency import emergency_number, infer_country
from flows.models import Profile, Region
from flows.router import Command
from flows.rules_data import PATTERN_QUESTIONS, SCREENING_QUESTIONS
from tests.flows.driver import FlowDriver

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)


def checking(profile: Profile | None = None) -> FlowDriver:
    driver = FlowDriver(NOW, consented=True)
    if profile is not None:
        driver.ctx = replace(driver.ctx, profile=profile)
    driver.command(Command.CHECK)
    return driver


def saved_check(driver: FlowDriver) -> SaveCheck:
    [saved] = [e for e in driver.effects if isinstance(e, SaveCheck)]
    return saved


def answer_all_no(driver: FlowDriver, count: int) -> None:
    for _ in range(count):
        driver.press("No")


def test_first_emergency_stops_the_check_with_only_the_emergency_screen() -> None:
    driver = checking(Profile(user_id=7, consented_at=NOW, country="GB"))
    assert "Question 1 of" in driver.text
    driver.press("Yes")
    assert "new, or worse" in driver.text
    driver.press("New, or worse than before")
    assert driver.state is None
    assert "Call 999" in driver.text
    assert "Don't drive yourself if your legs are weak" in driver.text
    assert "Possible reasons" not in driver.text
    result = saved_check(driver).result
    assert result.tier is Tier.EMERGENCY
    assert result.red_flags == ("RF-CES-1",)
    assert result.findings == (Finding.BLADDER_CHANGE,)


def test_not_sure_on_an_emergency_item_is_urgent_with_the_if_in_doubt_line() -> None:
    driver = checking()
    driver.press("Not sure")
    answer_all_no(driver, len(SCREENING_QUESTIONS) - 1)
    assert driver.state is None
    assert "today" in driver.text
    assert "If you have any doubt, go to the Emergency Department now." in driver.text
    result = saved_check(driver).result
    assert result.tier is Tier.URGENT
    assert result.unsure == (Finding.BLADDER_CHANGE,)


def test_a_long_standing_known_symptom_is_not_an_emergency() -> None:
    driver = checking()
    driver.press("Yes")
    driver.press("Not new")
    assert driver.state is not None
    answer_all_no(driver, len(SCREENING_QUESTIONS) - 1 + len(PATTERN_QUESTIONS))
    result = saved_check(driver).result
    assert result.tier is Tier.SOON
    assert result.known == (Finding.BLADDER_CHANGE,)
    assert "long-standing" in driver.text


def test_follow_up_choice_decides_the_finding() -> None:
    driver = checking()
    both_legs = [q.id for q in SCREENING_QUESTIONS].index("both_legs")
    answer_all_no(driver, both_legs)
    driver.press("Yes")
    driver.press("New, or worse than before")
    driver.press("Slowly, over weeks")
    assert driver.state is not None
    answer_all_no(driver, len(SCREENING_QUESTIONS) - both_legs - 1)
    result = saved_check(driver).result
    assert Finding.BOTH_LEGS_GRADUAL in result.findings
    assert result.tier is Tier.URGENT


def test_all_no_then_pattern_ranks_causes_and_saves_them() -> None:
    profile = Profile(
        user_id=7,
        consented_at=NOW,
        surgery_year=2024,
        surgery_month=9,
        region=Region.LUMBAR,
        levels=3,
        risk_factors=(Finding.SMOKER,),
    )
    driver = checking(profile)
    answer_all_no(driver, len(SCREENING_QUESTIONS))
    assert "No warning signs" in driver.text
    yes_to = {Finding.NEVER_IMPROVED, Finding.PAIN_MOSTLY_BACK, Finding.PAIN_MECHANICAL}
    for question in PATTERN_QUESTIONS:
        driver.press("Yes" if question.finding in yes_to else "No")
    assert driver.state is None
    assert "Possible reasons your surgeon may want to check (not a diagnosis)" in driver.text
    assert "This is not a diagnosis" in driver.text
    result = saved_check(driver).result
    assert result.tier is Tier.ROUTINE
    assert CauseId.PSEUDARTHROSIS in [c for c, _ in result.causes[:2]]
    assert set(result.findings) == yes_to


def test_back_undoes_exactly_one_answer() -> None:
    driver = checking()
    driver.press("No")
    assert "Question 2 of" in driver.text
    driver.press("Back")
    assert "Question 1 of" in driver.text
    driver.press("Yes")
    driver.press("Back")
    assert "Question 1 of" in driver.text
    assert driver.state is not None
    assert driver.state.model_dump()["answers"] == ()


def test_text_during_the_check_gets_a_hint() -> None:
    driver = checking()
    driver.type("my bladder is fine")
    assert driver.text.startswith("Please use the buttons")
    assert "Question 1 of" in driver.text


def test_diary_entry_with_a_red_flag_shows_the_tier_message_after_saving() -> None:
    driver = FlowDriver(NOW, consented=True)
    driver.ctx = replace(driver.ctx, profile=Profile(user_id=7, consented_at=NOW, country="US"))
    driver.command(Command.LOG)
    for label in ("5", "3", "Numbness around genitals", "Done (1 ticked)", "Skip", "Save"):
        driver.press(label)
    assert driver.text.startswith("Saved")
    [warning] = driver.messages
    assert "Call 911 or go to the nearest Emergency Department now" in warning.text


def test_diary_entry_without_red_flags_adds_no_message() -> None:
    driver = FlowDriver(NOW, consented=True)
    driver.command(Command.LOG)
    for label in ("5", "3", "Muscle tightness", "Done (1 ticked)", "Skip", "Save"):
        driver.press(label)
    assert driver.messages == []


def test_emergency_numbers_by_country_with_112_fallback() -> None:
    assert emergency_number("GB") == "999"
    assert emergency_number("us") == "911"
    assert emergency_number("AU") == "000"
    assert emergency_number(None) == "112"
    assert emergency_number("ZZ") == "112"
    assert infer_country("en-GB") == "GB"
    assert infer_country("en") is None
    assert infer_country(None) is None


def test_settings_change_the_emergency_number() -> None:
    driver = FlowDriver(NOW, consented=True)
    driver.command(Command.SETTINGS)
    assert "Emergency number: 112" in driver.text
    driver.press("Emergency number")
    driver.press("United Kingdom (999)")
    assert "Emergency number: 999" in driver.text
    assert driver.ctx.profile is not None
    assert driver.ctx.profile.country == "GB"
