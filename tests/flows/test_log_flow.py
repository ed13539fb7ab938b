"""The daily diary flow, pressed by label."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from flows.clinical.codes import Finding, Tier
from flows.dialogs import log, router
from flows.dialogs.log import LogState, LogStep
from flows.dialogs.router import Command, Verdict
from flows.kit.callback import ButtonData
from flows.kit.core import Context
from flows.records.models import NOTE_MAX_CHARS, AdviceKind, Entry, EntrySource, Profile
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
    assert "over hours or a day or two" in driver.text
    driver.press("Slowly, over weeks")
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
    assert "📅 Diary for yesterday, Mon 9 Mar" in driver.text
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
    assert driver.labels()[:2] == ["Today (1 entry)", "Yesterday"]
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


def test_yesterday_drawn_before_midnight_and_pressed_after_it_is_still_that_day() -> None:
    late = datetime(2026, 3, 10, 23, 58, tzinfo=UTC)
    profile = Profile(user_id=7, consented_at=late - timedelta(days=30))
    shown = Context(now=late, user_id=7, profile=profile, entries_today=1)
    state = LogState(step=LogStep.DAY, entry_date=late.date())
    screen = router.render(state, shown)
    [yesterday] = [b.value for row in screen.buttons for b in row if b.label == "Yesterday"]

    after_midnight = Context(now=late + timedelta(minutes=4), user_id=7, profile=profile)
    decision = router.on_press(state, ButtonData(seq=4, value=yesterday), 4, after_midnight)

    assert decision.outcome is not None
    chosen = decision.outcome.state
    assert isinstance(chosen, LogState)
    # Monday 9 March, as the button said, not Tuesday 10 (yesterday by then).
    assert chosen.entry_date == date(2026, 3, 9)


def profile_in(country: str | None, now: datetime = EVENING) -> Profile:
    return Profile(user_id=7, consented_at=now - timedelta(days=200), country=country)


def at_symptoms(country: str | None = "US") -> FlowDriver:
    driver = logging_driver()
    driver.ctx = replace(driver.ctx, profile=profile_in(country))
    driver.press("5")
    driver.press("4")
    return driver


def test_the_diary_lists_every_red_flag_a_patient_notices_between_checks() -> None:
    """REFERENCE.md §8.6: bladder, bowel, saddle or genital numbness, both legs, weakness, ..."""
    driver = at_symptoms()
    labels = " | ".join(driver.labels())
    for words in (
        "Bladder",
        "Bowel",
        "Numbness around genitals or bottom",
        "numbness of the genitals",
        "both legs",
        "A leg getting weaker",
        "Sudden severe back pain",
        "Fever",
        "Feeling unwell",
        "Wound",
        "Thoughts of ending my life",
    ):
        assert words in labels, words


def test_an_emergency_ticked_is_answered_at_done_and_the_entry_saved_at_once() -> None:
    driver = at_symptoms("US")
    driver.press("Bladder problems")
    assert driver.sent_advice() == []
    driver.press("Done (1 ticked)")
    [advice] = driver.sent_advice()
    assert advice.advice.kind is AdviceKind.EMERGENCY
    assert advice.advice.red_flags == ("RF-CES-1",)
    assert "Call 911" in advice.advice.text
    assert "Call 911 or go to the nearest Emergency Department now" in driver.text
    assert driver.state is None
    [saved] = driver.saved_entries()
    assert saved.entry.symptoms == (Finding.BLADDER_CHANGE,)
    assert (saved.entry.back_pain, saved.entry.leg_pain) == (5, 4)


def test_same_day_advice_comes_before_the_note_and_stands_after_cancel() -> None:
    driver = at_symptoms("GB")
    driver.press("A leg getting weaker")
    driver.press("Slowly, over weeks")
    driver.press("Done (1 ticked)")
    [advice] = driver.sent_advice()
    assert advice.advice.kind is AdviceKind.SAME_DAY
    assert "999" in advice.advice.text
    assert "not saved yet" in driver.text
    assert "Anything else to note" in driver.text
    driver.press("Cancel")
    assert driver.saved_entries() == []
    assert len(driver.sent_advice()) == 1


def test_done_again_after_back_sends_no_second_copy() -> None:
    driver = at_symptoms()
    driver.press("Wound")
    driver.press("Done (1 ticked)")
    driver.press("Back")
    driver.press("Done (1 ticked)")
    driver.press("Skip")
    driver.press("Save")
    assert len(driver.sent_advice()) == 1
    assert len(driver.saved_entries()) == 1


def test_a_leg_weakening_over_hours_is_an_emergency_and_not_sure_counts_as_fast() -> None:
    for answer in ("Over hours or a day or two", "Not sure"):
        driver = at_symptoms()
        driver.press("A leg getting weaker")
        driver.press(answer)
        assert "✅ A leg getting weaker" in " ".join(driver.labels())
        driver.press("Done (1 ticked)")
        [advice] = driver.sent_advice()
        assert advice.advice.tier is Tier.EMERGENCY, answer
        assert driver.saved_entries()[0].entry.symptoms == (Finding.LEG_WEAKNESS_RAPID,)


def test_unticking_the_weakness_removes_its_speed() -> None:
    driver = at_symptoms()
    driver.press("A leg getting weaker")
    driver.press("Slowly, over weeks")
    driver.press("A leg getting weaker")
    assert "▫️ A leg getting weaker" in driver.labels()
    driver.press("Done: none of these")
    assert driver.sent_advice() == []


def test_a_pattern_symptom_alone_sends_no_advice() -> None:
    driver = at_symptoms()
    driver.press("Muscle tightness")
    driver.press("Done (1 ticked)")
    assert driver.sent_advice() == []
    assert "not saved yet" not in driver.text


def test_a_note_naming_a_cauda_equina_symptom_gets_the_emergency_advice() -> None:
    driver = at_symptoms("AU")
    driver.press("Done: none of these")
    driver.type("since this morning I can't pee properly")
    [advice] = driver.sent_advice()
    assert advice.advice.tier is Tier.EMERGENCY
    assert "Call 000" in advice.advice.text
    [saved] = driver.saved_entries()
    assert saved.entry.note == "since this morning I can't pee properly"


def test_thoughts_of_not_being_safe_get_the_crisis_advice() -> None:
    driver = at_symptoms("US")
    driver.press("Thoughts of ending my life")
    driver.press("Done (1 ticked)")
    [advice] = driver.sent_advice()
    assert advice.advice.kind is AdviceKind.CRISIS
    assert "988" in advice.advice.text


def test_without_a_country_the_advice_names_the_generic_numbers() -> None:
    driver = at_symptoms(None)
    driver.press("Bowel control problems")
    driver.press("Done (1 ticked)")
    [advice] = driver.sent_advice()
    assert "112 in Europe, 911 in North America, 999 in the UK" in advice.advice.text


def test_a_weakness_that_turns_out_faster_raises_same_day_advice_to_emergency() -> None:
    driver = at_symptoms("US")
    driver.press("A leg getting weaker")
    driver.press("Slowly, over weeks")
    driver.press("Done (1 ticked)")
    driver.press("Back")
    driver.press("A leg getting weaker")
    driver.press("A leg getting weaker")
    driver.press("Over hours or a day or two")
    driver.press("Done (1 ticked)")
    tiers = [a.advice.tier for a in driver.sent_advice()]
    assert tiers == [Tier.URGENT, Tier.EMERGENCY]
    assert driver.saved_entries()[0].entry.symptoms == (Finding.LEG_WEAKNESS_RAPID,)


def test_a_warning_sign_that_fires_no_red_flag_still_gets_its_advice() -> None:
    """A fever 200 days after surgery and feeling unwell alone fire no flag; the rules still
    say how soon to act (REFERENCE.md §8.5, other warnings), and the diary must say it too."""
    for label in ("Fever", "Feeling unwell"):
        driver = at_symptoms("GB")
        driver.ctx = replace(
            driver.ctx,
            profile=profile_in("GB").model_copy(
                update={"surgery_year": 2025, "surgery_month": 8, "surgery_day": 22}
            ),
        )
        driver.press(label)
        driver.press("Done (1 ticked)")
        [advice] = driver.sent_advice()
        assert advice.advice.tier is not Tier.ROUTINE, label


# --- Issue 15: notes, marks, days, entries already there ----------------------------------


def a_stored_entry(
    day: date, back: int, leg: int | None, entry_id: int = 31, **extra: object
) -> Entry:
    return Entry.model_validate(
        {
            "id": entry_id,
            "user_id": 7,
            "entry_date": day,
            "recorded_at": datetime.combine(day, datetime.min.time(), tzinfo=UTC)
            + timedelta(hours=20),
            "timezone": "UTC",
            "back_pain": back,
            "leg_pain": leg,
            **extra,
        }
    )


def test_a_typed_note_is_still_there_after_back_and_forward_again() -> None:
    driver = logging_driver()
    for label in ("6", "3", "Done: none of these"):
        driver.press(label)
    driver.type("Walked 2 km, then sore")
    driver.press("Back")
    assert "Your note:\nWalked 2 km, then sore" in driver.text
    assert "✅ Keep this note" in driver.labels()
    assert "Skip" not in driver.labels()
    driver.press("Back")
    driver.press("Done: none of these")
    assert "Your note:\nWalked 2 km, then sore" in driver.text
    driver.press("Keep this note")
    assert "Note: Walked 2 km, then sore" in driver.text
    driver.press("Save")
    [saved] = driver.saved_entries()
    assert saved.entry.note == "Walked 2 km, then sore"
    assert "Note: Walked 2 km, then sore" in driver.text


def test_a_kept_note_can_be_replaced_or_removed() -> None:
    driver = logging_driver()
    for label in ("6", "3", "Done: none of these"):
        driver.press(label)
    driver.type("first words")
    driver.press("Back")
    driver.type("second words")
    assert "Note: second words" in driver.text
    driver.press("Back")
    driver.press("Remove the note")
    assert "Note:" not in driver.text
    driver.press("Save")
    assert driver.saved_entries()[0].entry.note is None


def test_both_pain_screens_mark_the_answer_given_when_coming_back() -> None:
    driver = logging_driver()
    driver.press("7")
    driver.press("3")
    driver.press("Back")
    assert "LEG pain" in driver.text
    assert "• 3 •" in driver.labels()
    driver.press("Back")
    assert "• 7 •" in driver.labels()
    driver.press("7")
    driver.press("No leg pain")
    driver.press("Back")
    assert "• 0 •" in driver.labels()


def test_an_entry_can_be_for_any_of_the_last_seven_days_and_every_screen_says_which() -> None:
    driver = logging_driver()
    assert "📅 Diary for today, Tue 10 Mar" in driver.text
    driver.press("Another day")
    assert driver.labels()[:7] == [
        "Today",
        "Yesterday",
        "Sun 8 Mar",
        "Sat 7 Mar",
        "Fri 6 Mar",
        "Thu 5 Mar",
        "Wed 4 Mar",
    ]
    assert "Tue 3 Mar" not in " ".join(driver.labels())
    driver.press("Thu 5 Mar")
    seen = [driver.text]
    for label in ("5", "2", "A leg getting weaker"):
        driver.press(label)
        seen.append(driver.text)
    driver.press("Slowly, over weeks")
    driver.press("Done (1 ticked)")
    seen.append(driver.text)
    assert all("📅 Diary for Thu 5 Mar" in text for text in seen), seen
    driver.press("Cancel")

    driver.command(Command.LOG)
    driver.press("Another day")
    driver.press("Thu 5 Mar")
    for label in ("5", "2", "Done: none of these", "Skip"):
        driver.press(label)
    assert "📅 Thu 5 Mar 2026" in driver.text
    driver.press("Save")
    saved = driver.saved_entries()[-1].entry
    assert saved.entry_date == date(2026, 3, 5)
    assert "📅 Thu 5 Mar 2026" in driver.text


def test_a_day_before_the_last_seven_or_after_today_is_refused() -> None:
    driver = logging_driver()
    driver.press("Another day")
    for value in ("d2026-03-03", "d2026-03-11", "d2026-13-01"):
        decision = driver.press_data(ButtonData(seq=driver.seq, value=value))
        assert decision.verdict is Verdict.FORGED, value
    driver.press("Back")
    assert "📅 Diary for today, Tue 10 Mar" in driver.text


def test_an_earlier_day_pressed_after_midnight_keeps_the_day_it_showed() -> None:
    driver = logging_driver(datetime(2026, 3, 10, 23, 58, tzinfo=UTC))
    driver.press("Another day")
    driver.ctx = replace(driver.ctx, now=datetime(2026, 3, 11, 0, 2, tzinfo=UTC))
    driver.press("Sun 8 Mar")
    assert "📅 Diary for Sun 8 Mar" in driver.text


def test_a_day_that_already_has_an_entry_says_so_before_a_second_one_is_added() -> None:
    driver = FlowDriver(MORNING, consented=True)
    yesterday = a_stored_entry(date(2026, 3, 9), 6, 2)
    driver.ctx = replace(driver.ctx, diary=(yesterday,))
    driver.command(Command.LOG)
    assert "Yesterday (1 entry)" in driver.labels()
    driver.press("Yesterday")
    assert "You already have an entry for yesterday, Mon 9 Mar" in driver.text
    assert "/history" in driver.text
    driver.press("Back")
    driver.press("Today")
    assert "You already have" not in driver.text


def test_a_symptom_the_checklist_does_not_list_is_kept_when_another_is_ticked() -> None:
    """An imported entry may carry any finding code; changing it must not lose one."""
    stored = a_stored_entry(
        date(2026, 3, 9), 6, 2, symptoms=(Finding.WEIGHT_LOSS,), source=EntrySource.IMPORT
    )
    driver = FlowDriver(EVENING, consented=True)
    driver.start(log.begin_edit(stored, driver.ctx))
    for label in ("6", "2", "Muscle tightness", "Done (2 ticked)"):
        driver.press(label)
    driver.press("Skip")
    assert "weight loss without trying" in driver.text
    driver.press("Save the changes")
    [saved] = driver.saved_entries()
    assert saved.entry.symptoms == (Finding.MUSCLE_TIGHTNESS, Finding.WEIGHT_LOSS)
    assert saved.entry.source is EntrySource.IMPORT
