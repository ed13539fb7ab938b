"""A patient who joined before the country and the day were asked is asked them once."""

from __future__ import annotations

from flows.dialogs.log import LogState
from flows.dialogs.profile import ProfileMode, ProfileState
from flows.kit.core import SaveProfile
from tests.flows.test_profile_flow import joined_before


async def test_log_first_asks_the_missing_details_then_opens_the_diary() -> None:
    patient, line = joined_before()
    await patient.send("/log")
    assert isinstance(line.driver.state, ProfileState)
    assert line.driver.state.mode is ProfileMode.DETAILS
    assert "Your country: Germany" in patient.last
    await patient.press("Yes, that's right")
    await patient.press("Yes, that's right")
    await patient.press("12")
    # Straight on to what the patient asked for, the thanks above it.
    assert isinstance(line.driver.state, LogState)
    assert patient.last.startswith("Thank you")
    assert "BACK pain" in patient.last
    saved = [e.profile for e in line.driver.effects if isinstance(e, SaveProfile)][-1]
    assert (saved.country, saved.surgery_day) == ("DE", 12)


async def test_the_details_are_asked_once_even_when_cancelled() -> None:
    patient, line = joined_before()
    await patient.send("/check")
    assert isinstance(line.driver.state, ProfileState)
    await patient.press("Cancel")
    assert line.driver.state is None
    await patient.send("/check")
    assert not isinstance(line.driver.state, ProfileState)
    assert "Question 1 of" in patient.last or "warning" in patient.last.lower()


async def test_settings_and_delete_are_never_delayed() -> None:
    for command in ("/settings", "/delete"):
        patient, line = joined_before()
        await patient.send(command)
        assert not (
            isinstance(line.driver.state, ProfileState)
            and line.driver.state.mode is ProfileMode.DETAILS
        ), command
