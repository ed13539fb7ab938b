"""Onboarding and settings, pressed by label."""

from __future__ import annotations

from flows.codes import Finding
from flows.core import RecordConsent, SaveProfile
from flows.models import Region
from flows.router import Command
from tests.flows.driver import FlowDriver


def onboarded() -> FlowDriver:
    driver = FlowDriver()
    driver.command(Command.START)
    driver.press("I agree")
    driver.press("2024")
    driver.press("Sep")
    driver.press("fused to the sacrum")
    driver.press("3 or more")
    driver.press("I smoke")
    driver.press("Diabetes")
    driver.press("Done")
    driver.press("19:00")
    driver.press("Berlin, Paris, Madrid, Rome")
    assert "Tue 19:30" in driver.text
    driver.press("Yes, that's right")
    return driver


def test_welcome_says_what_the_bot_is_not_and_asks_consent() -> None:
    driver = FlowDriver()
    driver.command(Command.START)
    assert "does not diagnose" in driver.text
    assert "emergency number" in driver.text
    assert driver.labels() == ["✅ I agree, keep my diary", "No thanks"]


def test_declining_stores_nothing_and_ends() -> None:
    driver = FlowDriver()
    driver.command(Command.START)
    driver.press("No thanks")
    assert driver.effects == []
    assert driver.state is None
    assert "stored nothing" in driver.text


def test_onboarding_records_consent_then_the_whole_profile() -> None:
    driver = onboarded()
    assert isinstance(driver.effects[0], RecordConsent)
    saves = [e for e in driver.effects if isinstance(e, SaveProfile)]
    profile = saves[-1].profile
    assert (profile.surgery_year, profile.surgery_month) == (2024, 9)
    assert profile.region is Region.LUMBOSACRAL
    assert profile.levels == 3
    assert profile.risk_factors == (Finding.SMOKER, Finding.DIABETES)
    assert {Finding.MULTILEVEL_FUSION, Finding.FUSED_TO_SACRUM} <= profile.profile_findings()
    assert driver.state is None
    assert "All set" in driver.text
    assert "Sep 2024" in driver.text


def test_every_step_after_consent_has_back_and_cancel() -> None:
    driver = FlowDriver()
    driver.command(Command.START)
    driver.press("I agree")
    for answer in ("2024", "Sep", "Lower back (lumbar)", "1 level"):
        assert "✖️ Cancel" in driver.labels()
        driver.press(answer)
    assert "⬅️ Back" in driver.labels()
    assert "✖️ Cancel" in driver.labels()


def test_back_from_month_returns_to_year_and_unsure_skips_the_date() -> None:
    driver = FlowDriver()
    driver.command(Command.START)
    driver.press("I agree")
    driver.press("2025")
    assert "2025" in driver.text
    driver.press("Back")
    assert "which year" in driver.text
    driver.press("Not sure")
    assert "part of your spine" in driver.text
    saves = [e for e in driver.effects if isinstance(e, SaveProfile)]
    assert saves[-1].profile.surgery_year is None


def test_earlier_years_page_back_in_time() -> None:
    driver = FlowDriver()
    driver.command(Command.START)
    driver.press("I agree")
    assert "2026" in driver.labels()
    driver.press("Earlier years")
    assert "2020" in driver.labels()
    assert "2026" not in driver.labels()
    driver.press("2018")
    assert "2018" in driver.text


def test_months_after_today_are_not_offered_for_this_year() -> None:
    driver = FlowDriver()
    driver.command(Command.START)
    driver.press("I agree")
    driver.press("2026")
    assert "Mar" in driver.labels()
    assert "Apr" not in driver.labels()


def test_leaving_onboarding_half_way_keeps_the_answers_given() -> None:
    driver = FlowDriver()
    driver.command(Command.START)
    driver.press("I agree")
    driver.press("2023")
    driver.press("May")
    driver.command(Command.LOG)
    assert driver.ctx.profile is not None
    assert (driver.ctx.profile.surgery_year, driver.ctx.profile.surgery_month) == (2023, 5)


def test_settings_changes_one_section_and_returns_to_the_menu() -> None:
    driver = onboarded()
    driver.command(Command.SETTINGS)
    assert "Sep 2024" in driver.text
    driver.press("Health factors")
    driver.press("I smoke")
    driver.press("Done")
    assert "What would you like to change?" in driver.text
    driver.press("Where and how many levels")
    driver.press("Lower back (lumbar)")
    driver.press("2 levels")
    driver.press("Done")
    assert driver.state is None
    profile = driver.ctx.profile
    assert profile is not None
    assert profile.risk_factors == (Finding.DIABETES,)
    assert (profile.region, profile.levels) == (Region.LUMBAR, 2)
    assert (profile.surgery_year, profile.surgery_month) == (2024, 9)


def test_typing_during_onboarding_gets_a_hint() -> None:
    driver = FlowDriver()
    driver.command(Command.START)
    driver.type("yes")
    assert driver.text.startswith("Please use the buttons")
    assert driver.effects == []


def test_onboarding_sets_reminders_and_schedules_the_first_prompt() -> None:
    from datetime import UTC, datetime, time

    from flows.core import Reschedule

    driver = onboarded()
    profile = driver.ctx.profile
    assert profile is not None
    assert (profile.checkin_time, profile.timezone) == (time(19, 0), "Europe/Berlin")
    [schedule] = [e for e in driver.effects if isinstance(e, Reschedule)]
    assert schedule.next_at == datetime(2026, 3, 11, 18, 0, tzinfo=UTC)
    assert "every day at 19:00 (Europe/Berlin)" in driver.text


def test_timezone_by_utc_offset_and_choosing_again() -> None:
    driver = onboarded()
    driver.command(Command.SETTINGS)
    driver.press("Reminder time and time zone")
    driver.press("08:00")
    driver.press("Other: choose by UTC offset")
    driver.press("UTC+5")
    assert "Tue 23:30" in driver.text
    driver.press("No, choose again")
    driver.press("Other: choose by UTC offset")
    driver.press("UTC+3")
    assert "Tue 21:30" in driver.text
    driver.press("Yes, that's right")
    assert driver.ctx.profile is not None
    assert driver.ctx.profile.timezone == "Etc/GMT-3"


def test_pause_stops_prompts_and_resume_restarts_them() -> None:
    from flows.core import Reschedule

    driver = onboarded()
    driver.command(Command.SETTINGS)
    driver.press("Pause reminders")
    assert "Reminders: paused" in driver.text
    assert driver.effects[-1] == Reschedule(next_at=None)
    driver.press("Resume reminders")
    last = driver.effects[-1]
    assert isinstance(last, Reschedule)
    assert last.next_at is not None
