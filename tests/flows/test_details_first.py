"""A patient who joined before the country and the day were asked is asked them once."""

from __future__ import annotations

from flows.dialogs.log import LogState
from flows.dialogs.profile import ProfileMode, ProfileState
from flows.dialogs.router import Command
from flows.kit.core import SaveProfile
from tests.flows.test_profile_flow import old_patient


def test_log_first_asks_the_missing_details_then_opens_the_diary() -> None:
    driver = old_patient()
    driver.command(Command.LOG)
    assert isinstance(driver.state, ProfileState)
    assert driver.state.mode is ProfileMode.DETAILS
    assert "Your country: Germany" in driver.text
    driver.press("Yes, that's right")
    driver.press("Yes, that's right")
    driver.press("12")
    # Straight on to what the patient asked for, the thanks above it.
    assert isinstance(driver.state, LogState)
    assert driver.text.startswith("Thank you")
    assert "BACK pain" in driver.text
    saved = [e.profile for e in driver.effects if isinstance(e, SaveProfile)][-1]
    assert (saved.country, saved.surgery_day) == ("DE", 12)


def test_the_details_are_asked_once_even_when_cancelled() -> None:
    driver = old_patient()
    driver.command(Command.CHECK)
    assert isinstance(driver.state, ProfileState)
    driver.press("Cancel")
    assert driver.state is None
    driver.command(Command.CHECK)
    assert not isinstance(driver.state, ProfileState)
    assert "Question 1 of" in driver.text or "warning" in driver.text.lower()


def test_settings_and_delete_are_never_delayed() -> None:
    for command in (Command.SETTINGS, Command.DELETE):
        driver = old_patient()
        driver.command(command)
        assert not (
            isinstance(driver.state, ProfileState) and driver.state.mode is ProfileMode.DETAILS
        ), command
