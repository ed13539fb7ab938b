"""The daily diary flow, pressed by label."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flows import router
from flows.callback import ButtonData
from flows.codes import Finding
from flows.core import Context
from flows.log import LogState, LogStep
from flows.models import NOTE_MAX_CHARS, Entry, EntrySource, Profile
from flows.router import Command, Verdict
from tests.flows.driver import FlowDriver

EVENING = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
MORNING = datetime(2026, 3, 10, 7, 5, tzinfo=UTC)


def logging_driver(now: datetime = EVENING) -> FlowDriver:
    driver = FlowDriver(now, consented=True)
    driver.command(Command.LOG)
    return driver


def test_full_entry_is_saved_with_every_answer() -> None:
    driver = logging_driver()
    assert "BACK pain" in driver.text
    driver.press("6")
    assert "LEG pain" in driver.text
    driver.press("3")
    driver.press("A leg getting weaker")
    driver.press("Pain down one leg")
    driver.press("Done (2 ticked)")
    driver.type("  Walked 2 km, then sore  ")
    assert "Back pain: 6/10" in driver.text
    assert "Note: Walked 2 km, then sore" in driver.text
    assert driver.saved_entries() == []
    driver.press("Save")

    [saved] = driver.saved_entries()
    entry = saved.entry
    assert (entry.back_pain, entry.leg_pain) == (6, 3)
    assert entry.symptoms == (Finding.LEG_WEAKNESS, Finding.PAIN_ONE_LEG)
    assert entry.note == "Walked 2 km, then sore"
    assert entry.entry_date == date(2026, 3, 10)
    assert entry.recorded_at == EVENING
    assert entry.source is EntrySource.LOG
    assert driver.state is None
    assert driver.text.startswith("Saved")


def test_ticking_twice_unticks_and_no_leg_pain_is_zero() -> None:
    driver = logging_driver()
    driver.press("2")
    driver.press("No leg pain")
    driver.press("Fever")
    assert "✅ Fever over 38 °C" in driver.labels()
    driver.press("Fever")
    assert "▫️ Fever over 38 °C" in driver.labels()
    driver.press("Done: none of these")
    driver.press("Skip")
    driver.press("Save")
    [saved] = driver.saved_entries()
    assert saved.entry.leg_pain == 0
    assert saved.entry.symptoms == ()
    assert saved.entry.note is None


def test_back_returns_to_the_previous_step_keeping_answers() -> None:
    driver = logging_driver()
    driver.press("7")
    driver.press("Back")
    assert "BACK pain" in driver.text
    assert "• 7 •" in driver.labels()
    driver.press("5")
    driver.press("1")
    driver.press("Done")
    driver.press("Skip")
    driver.press("Save")
    assert driver.saved_entries()[0].entry.back_pain == 5


def test_cancel_saves_nothing() -> None:
    driver = logging_driver()
    driver.press("4")
    driver.press("Cancel")
    assert driver.state is None
    assert driver.saved_entries() == []
    assert "Cancelled" in driver.text


def test_yesterday_is_offered_early_in_the_day_and_dates_the_entry() -> None:
    driver = logging_driver(MORNING)
    assert driver.labels()[:2] == ["Today", "Yesterday"]
    driver.press("Yesterday")
    assert "2026-03-09" in driver.text
    driver.press("3")
    driver.press("0")
    driver.press("Done")
    driver.press("Skip")
    driver.press("Save")
    assert driver.saved_entries()[0].entry.entry_date == date(2026, 3, 9)


def test_yesterday_is_offered_again_after_a_first_entry_today() -> None:
    driver = logging_driver()
    assert "Yesterday" not in driver.labels()
    for label in ("3", "0", "Done", "Skip", "Save"):
        driver.press(label)
    driver.command(Command.LOG)
    assert driver.labels()[:2] == ["Today", "Yesterday"]
    driver.press("Today")
    for label in ("8", "2", "Done", "Skip", "Save"):
        driver.press(label)
    assert [s.entry.back_pain for s in driver.saved_entries()] == [3, 8]


def test_text_where_a_number_is_expected_gets_a_hint_and_keeps_the_step() -> None:
    driver = logging_driver()
    driver.type("seven")
    assert driver.text.startswith("Please use the buttons")
    assert "BACK pain" in driver.text
    driver.press("7")
    assert "LEG pain" in driver.text


def test_too_long_note_is_refused_with_its_length_and_nothing_is_lost() -> None:
    driver = logging_driver()
    for label in ("5", "5", "Done"):
        driver.press(label)
    driver.type("x" * (NOTE_MAX_CHARS + 1))
    assert f"{NOTE_MAX_CHARS + 1} characters" in driver.text
    driver.type("shorter")
    driver.press("Save")
    [saved] = driver.saved_entries()
    assert (saved.entry.back_pain, saved.entry.note) == (5, "shorter")


def test_stale_press_changes_nothing() -> None:
    driver = logging_driver()
    old_seq = driver.seq
    driver.press("6")
    decision = driver.press_data(ButtonData(seq=old_seq, value="p9"))
    assert decision.verdict is Verdict.STALE
    assert "earlier message" in (decision.toast or "")
    driver.press("2")
    driver.press("Done")
    driver.press("Skip")
    driver.press("Save")
    assert driver.saved_entries()[0].entry.back_pain == 6


def test_forged_value_for_the_current_step_changes_nothing() -> None:
    driver = logging_driver()
    for value in ("p11", "save", "s.bladder_change", "y2020"):
        decision = driver.press_data(ButtonData(seq=driver.seq, value=value))
        assert decision.verdict is Verdict.FORGED, value
    assert driver.press_data(None).verdict is Verdict.FORGED
    assert "BACK pain" in driver.text


def test_log_needs_consent_first() -> None:
    driver = FlowDriver()
    driver.command(Command.LOG)
    assert driver.state is None
    assert "/start" in driver.messages[-1].text


def test_completing_a_quick_entry_after_midnight_is_refused_not_misapplied() -> None:
    """The day screen offered "complete" at 23:58; at 00:02 that quick entry is yesterday's."""
    late = datetime(2026, 3, 10, 23, 58, tzinfo=UTC)
    quick = Entry(
        id=9,
        user_id=7,
        entry_date=late.date(),
        recorded_at=late - timedelta(hours=3),
        timezone="UTC",
        back_pain=6,
        source=EntrySource.QUICK,
    )
    profile = Profile(user_id=7, consented_at=late - timedelta(days=30))
    shown = Context(now=late, user_id=7, profile=profile, entries_today=1, quick_entry=quick)
    state = LogState(step=LogStep.DAY, entry_date=late.date())
    assert "complete" in router.render(state, shown).values()

    after_midnight = Context(now=late + timedelta(minutes=4), user_id=7, profile=profile)
    decision = router.on_press(state, ButtonData(seq=4, value="complete"), 4, after_midnight)
    assert decision.verdict is Verdict.FORGED
    assert decision.outcome is None
