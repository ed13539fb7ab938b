"""The daily diary flow, pressed by label."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from flows.clinical.codes import Finding, Tier
from flows.dialogs import log, router
from flows.dialogs.log import LogState, LogStep
from flows.dialogs.router import Verdict
from flows.kit.callback import ButtonData
from flows.kit.core import Context
from flows.records.models import NOTE_MAX_CHARS, AdviceKind, Entry, EntrySource, Profile
from tests.flows.driver import context_at
from tests.patient import FlowLine, Patient

EVENING = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
MORNING = datetime(2026, 3, 10, 7, 5, tzinfo=UTC)


def flows_at(now: datetime = EVENING, *, consented: bool = True) -> FlowLine:
    """The pure flows for patient 7 at `now`."""
    line = FlowLine()
    line.driver.ctx = context_at(now, consented=consented)
    return line


async def logging(now: datetime = EVENING) -> tuple[Patient, FlowLine]:
    """A consented patient who has sent /log."""
    line = flows_at(now)
    patient = Patient(line)
    await patient.send("/log")
    return patient, line


async def test_full_entry_is_saved_with_every_answer() -> None:
    patient, line = await logging()
    assert "BACK pain" in patient.last
    await patient.press("6")
    assert "LEG pain" in patient.last
    await patient.press("3")
    await patient.press("A leg getting weaker")
    assert "over hours or a day or two" in patient.last
    await patient.press("Slowly, over weeks")
    await patient.press("Pain down one leg")
    await patient.press("Done (2 ticked)")
    await patient.press("None")
    await patient.type("  Walked 2 km, then sore  ")
    assert "Back pain: 6/10" in patient.last
    assert "Note: Walked 2 km, then sore" in patient.last
    assert line.driver.saved_entries() == []
    await patient.press("Save")

    [saved] = line.driver.saved_entries()
    entry = saved.entry
    assert (entry.back_pain, entry.leg_pain) == (6, 3)
    assert entry.symptoms == (Finding.LEG_WEAKNESS, Finding.PAIN_ONE_LEG)
    assert entry.note == "Walked 2 km, then sore"
    assert entry.entry_date == date(2026, 3, 10)
    assert entry.recorded_at == EVENING
    assert entry.source is EntrySource.LOG
    assert line.driver.state is None
    assert patient.last.startswith("Saved")


async def test_ticking_twice_unticks_and_no_leg_pain_is_zero() -> None:
    patient, line = await logging()
    await patient.press("2")
    await patient.press("No leg pain")
    await patient.press("Fever")
    assert "✅ Fever over 38 °C" in patient.labels()
    await patient.press("Fever")
    assert "▫️ Fever over 38 °C" in patient.labels()
    await patient.press("Done: none of these")
    await patient.press("None")
    await patient.press("Skip")
    await patient.press("Save")
    [saved] = line.driver.saved_entries()
    assert saved.entry.leg_pain == 0
    assert saved.entry.symptoms == ()
    assert saved.entry.note is None


async def test_back_returns_to_the_previous_step_keeping_answers() -> None:
    patient, line = await logging()
    await patient.press("7")
    await patient.press("Back")
    assert "BACK pain" in patient.last
    assert "• 7 •" in patient.labels()
    await patient.press("5")
    await patient.press("1")
    await patient.press("Done")
    await patient.press("None")
    await patient.press("Skip")
    await patient.press("Save")
    assert line.driver.saved_entries()[0].entry.back_pain == 5


async def test_cancel_saves_nothing() -> None:
    patient, line = await logging()
    await patient.press("4")
    await patient.press("Cancel")
    assert line.driver.state is None
    assert line.driver.saved_entries() == []
    assert "Cancelled" in patient.last


async def test_yesterday_is_offered_early_in_the_day_and_dates_the_entry() -> None:
    patient, line = await logging(MORNING)
    assert patient.labels()[:2] == ["Today", "Yesterday"]
    await patient.press("Yesterday")
    assert "📅 Diary for yesterday, Mon 9 Mar" in patient.last
    await patient.press("3")
    await patient.press("0")
    await patient.press("Done")
    await patient.press("None")
    await patient.press("Skip")
    await patient.press("Save")
    assert line.driver.saved_entries()[0].entry.entry_date == date(2026, 3, 9)


async def test_yesterday_is_offered_again_after_a_first_entry_today() -> None:
    patient, line = await logging()
    assert "Yesterday" not in patient.labels()
    for label in ("3", "0", "Done", "None", "Skip", "Save"):
        await patient.press(label)
    await patient.send("/log")
    assert patient.labels()[:2] == ["Today (1 entry)", "Yesterday"]
    await patient.press("Today")
    for label in ("8", "2", "Done", "None", "Skip", "Save"):
        await patient.press(label)
    assert [s.entry.back_pain for s in line.driver.saved_entries()] == [3, 8]


async def test_text_where_a_number_is_expected_gets_a_hint_and_keeps_the_step() -> None:
    patient, _ = await logging()
    await patient.type("seven")
    assert patient.last.startswith("Please use the buttons")
    assert "BACK pain" in patient.last
    await patient.press("7")
    assert "LEG pain" in patient.last


async def test_too_long_note_is_refused_with_its_length_and_nothing_is_lost() -> None:
    patient, line = await logging()
    for label in ("5", "5", "Done", "None"):
        await patient.press(label)
    await patient.type("x" * (NOTE_MAX_CHARS + 1))
    assert f"{NOTE_MAX_CHARS + 1} characters" in patient.last
    await patient.type("shorter")
    await patient.press("Save")
    [saved] = line.driver.saved_entries()
    assert (saved.entry.back_pain, saved.entry.note) == (5, "shorter")


async def test_stale_press_changes_nothing() -> None:
    patient, line = await logging()
    old_seq = line.driver.seq
    await patient.press("6")
    await patient.press_data(ButtonData(seq=old_seq, value="p9").encode())
    assert line.decisions[-1].verdict is Verdict.STALE
    assert "earlier message" in (patient.toast or "")
    await patient.press("2")
    await patient.press("Done")
    await patient.press("None")
    await patient.press("Skip")
    await patient.press("Save")
    assert line.driver.saved_entries()[0].entry.back_pain == 6


async def test_forged_value_for_the_current_step_changes_nothing() -> None:
    patient, line = await logging()
    for value in ("p11", "save", "s.bladder_change", "y2020"):
        await patient.press_data(ButtonData(seq=line.driver.seq, value=value).encode())
        assert line.decisions[-1].verdict is Verdict.FORGED, value
    await patient.press_data(None)
    assert line.decisions[-1].verdict is Verdict.FORGED
    assert "BACK pain" in patient.last


async def test_log_needs_consent_first() -> None:
    line = flows_at(consented=False)
    patient = Patient(line)
    await patient.send("/log")
    assert line.driver.state is None
    assert "/start" in patient.last


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


async def test_yesterday_drawn_before_midnight_and_pressed_after_it_is_still_that_day() -> None:
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


async def at_symptoms(country: str | None = "US") -> tuple[Patient, FlowLine]:
    """A patient in `country` who has given both pains and sees the symptom checklist."""
    patient, line = await logging()
    line.driver.ctx = replace(line.driver.ctx, profile=profile_in(country))
    await patient.press("5")
    await patient.press("4")
    return patient, line


async def test_the_diary_lists_every_red_flag_a_patient_notices_between_checks() -> None:
    """REFERENCE.md §8.6: bladder, bowel, saddle or genital numbness, both legs, weakness, ..."""
    patient, _ = await at_symptoms()
    labels = " | ".join(patient.labels())
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


async def test_an_emergency_ticked_is_answered_at_done_and_the_entry_saved_at_once() -> None:
    patient, line = await at_symptoms("US")
    await patient.press("Bladder problems")
    assert line.driver.sent_advice() == []
    await patient.press("Done (1 ticked)")
    [advice] = line.driver.sent_advice()
    assert advice.advice.kind is AdviceKind.EMERGENCY
    assert advice.advice.red_flags == ("RF-CES-1",)
    assert "Call 911" in advice.advice.text
    assert "Call 911 or go to the nearest Emergency Department now" in patient.last
    assert line.driver.state is None
    [saved] = line.driver.saved_entries()
    assert saved.entry.symptoms == (Finding.BLADDER_CHANGE,)
    assert (saved.entry.back_pain, saved.entry.leg_pain) == (5, 4)


async def test_same_day_advice_comes_at_done_and_stands_after_cancel() -> None:
    patient, line = await at_symptoms("GB")
    await patient.press("A leg getting weaker")
    await patient.press("Slowly, over weeks")
    await patient.press("Done (1 ticked)")
    [advice] = line.driver.sent_advice()
    assert advice.advice.kind is AdviceKind.SAME_DAY
    assert "999" in advice.advice.text
    assert "not saved yet" in patient.last
    assert "Did you take any pain medicine AS NEEDED" in patient.last
    await patient.press("Cancel")
    assert line.driver.saved_entries() == []
    assert len(line.driver.sent_advice()) == 1


async def test_done_again_after_back_sends_no_second_copy() -> None:
    patient, line = await at_symptoms()
    await patient.press("Wound")
    await patient.press("Done (1 ticked)")
    await patient.press("Back")
    await patient.press("Done (1 ticked)")
    await patient.press("None")
    await patient.press("Skip")
    await patient.press("Save")
    assert len(line.driver.sent_advice()) == 1
    assert len(line.driver.saved_entries()) == 1


async def test_a_leg_weakening_over_hours_is_an_emergency_and_not_sure_counts_as_fast() -> None:
    for answer in ("Over hours or a day or two", "Not sure"):
        patient, line = await at_symptoms()
        await patient.press("A leg getting weaker")
        await patient.press(answer)
        assert "✅ A leg getting weaker" in " ".join(patient.labels())
        await patient.press("Done (1 ticked)")
        [advice] = line.driver.sent_advice()
        assert advice.advice.tier is Tier.EMERGENCY, answer
        assert line.driver.saved_entries()[0].entry.symptoms == (Finding.LEG_WEAKNESS_RAPID,)


async def test_unticking_the_weakness_removes_its_speed() -> None:
    patient, line = await at_symptoms()
    await patient.press("A leg getting weaker")
    await patient.press("Slowly, over weeks")
    await patient.press("A leg getting weaker")
    assert "▫️ A leg getting weaker" in patient.labels()
    await patient.press("Done: none of these")
    assert line.driver.sent_advice() == []


async def test_a_pattern_symptom_alone_sends_no_advice() -> None:
    patient, line = await at_symptoms()
    await patient.press("Muscle tightness")
    await patient.press("Done (1 ticked)")
    assert line.driver.sent_advice() == []
    assert "not saved yet" not in patient.last


async def test_a_note_naming_a_cauda_equina_symptom_gets_the_emergency_advice() -> None:
    patient, line = await at_symptoms("AU")
    await patient.press("Done: none of these")
    await patient.press("None")
    await patient.type("since this morning I can't pee properly")
    [advice] = line.driver.sent_advice()
    assert advice.advice.tier is Tier.EMERGENCY
    assert "Call 000" in advice.advice.text
    [saved] = line.driver.saved_entries()
    assert saved.entry.note == "since this morning I can't pee properly"


async def test_thoughts_of_not_being_safe_get_the_crisis_advice() -> None:
    patient, line = await at_symptoms("US")
    await patient.press("Thoughts of ending my life")
    await patient.press("Done (1 ticked)")
    [advice] = line.driver.sent_advice()
    assert advice.advice.kind is AdviceKind.CRISIS
    assert "988" in advice.advice.text


async def test_without_a_country_the_advice_names_the_generic_numbers() -> None:
    patient, line = await at_symptoms(None)
    await patient.press("Bowel control problems")
    await patient.press("Done (1 ticked)")
    [advice] = line.driver.sent_advice()
    assert "112 in Europe, 911 in North America, 999 in the UK" in advice.advice.text


async def test_a_weakness_that_turns_out_faster_raises_same_day_advice_to_emergency() -> None:
    patient, line = await at_symptoms("US")
    await patient.press("A leg getting weaker")
    await patient.press("Slowly, over weeks")
    await patient.press("Done (1 ticked)")
    await patient.press("Back")
    await patient.press("A leg getting weaker")
    await patient.press("A leg getting weaker")
    await patient.press("Over hours or a day or two")
    await patient.press("Done (1 ticked)")
    tiers = [a.advice.tier for a in line.driver.sent_advice()]
    assert tiers == [Tier.URGENT, Tier.EMERGENCY]
    assert line.driver.saved_entries()[0].entry.symptoms == (Finding.LEG_WEAKNESS_RAPID,)


async def test_a_warning_sign_that_fires_no_red_flag_still_gets_its_advice() -> None:
    """A fever 200 days after surgery and feeling unwell alone fire no flag; the rules still
    say how soon to act (REFERENCE.md §8.5, other warnings), and the diary must say it too."""
    for label in ("Fever", "Feeling unwell"):
        patient, line = await at_symptoms("GB")
        line.driver.ctx = replace(
            line.driver.ctx,
            profile=profile_in("GB").model_copy(
                update={"surgery_year": 2025, "surgery_month": 8, "surgery_day": 22}
            ),
        )
        await patient.press(label)
        await patient.press("Done (1 ticked)")
        [advice] = line.driver.sent_advice()
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


async def test_a_typed_note_is_still_there_after_back_and_forward_again() -> None:
    patient, line = await logging()
    for label in ("6", "3", "Done: none of these", "None"):
        await patient.press(label)
    await patient.type("Walked 2 km, then sore")
    await patient.press("Back")
    assert "Your note:\nWalked 2 km, then sore" in patient.last
    assert "✅ Keep this note" in patient.labels()
    assert "Skip" not in patient.labels()
    await patient.press("Back")
    assert "• None •" in patient.labels()
    await patient.press("Back")
    await patient.press("Done: none of these")
    await patient.press("None")
    assert "Your note:\nWalked 2 km, then sore" in patient.last
    await patient.press("Keep this note")
    assert "Note: Walked 2 km, then sore" in patient.last
    await patient.press("Save")
    [saved] = line.driver.saved_entries()
    assert saved.entry.note == "Walked 2 km, then sore"
    assert "Note: Walked 2 km, then sore" in patient.last


async def test_a_kept_note_can_be_replaced_or_removed() -> None:
    patient, line = await logging()
    for label in ("6", "3", "Done: none of these", "None"):
        await patient.press(label)
    await patient.type("first words")
    await patient.press("Back")
    await patient.type("second words")
    assert "Note: second words" in patient.last
    await patient.press("Back")
    await patient.press("Remove the note")
    assert "Note:" not in patient.last
    await patient.press("Save")
    assert line.driver.saved_entries()[0].entry.note is None


async def test_both_pain_screens_mark_the_answer_given_when_coming_back() -> None:
    patient, _ = await logging()
    await patient.press("7")
    await patient.press("3")
    await patient.press("Back")
    assert "LEG pain" in patient.last
    assert "• 3 •" in patient.labels()
    await patient.press("Back")
    assert "• 7 •" in patient.labels()
    await patient.press("7")
    await patient.press("No leg pain")
    await patient.press("Back")
    assert "• 0 •" in patient.labels()


async def test_an_entry_can_be_for_any_of_the_last_seven_days_and_every_screen_says_which() -> (
    None
):
    patient, line = await logging()
    assert "📅 Diary for today, Tue 10 Mar" in patient.last
    await patient.press("Another day")
    assert patient.labels()[:7] == [
        "Today",
        "Yesterday",
        "Sun 8 Mar",
        "Sat 7 Mar",
        "Fri 6 Mar",
        "Thu 5 Mar",
        "Wed 4 Mar",
    ]
    assert "Tue 3 Mar" not in " ".join(patient.labels())
    await patient.press("Thu 5 Mar")
    seen = [patient.last]
    for label in ("5", "2", "A leg getting weaker"):
        await patient.press(label)
        seen.append(patient.last)
    await patient.press("Slowly, over weeks")
    await patient.press("Done (1 ticked)")
    seen.append(patient.last)
    assert all("📅 Diary for Thu 5 Mar" in text for text in seen), seen
    await patient.press("Cancel")

    await patient.send("/log")
    await patient.press("Another day")
    await patient.press("Thu 5 Mar")
    for label in ("5", "2", "Done: none of these", "None", "Skip"):
        await patient.press(label)
    assert "📅 Thu 5 Mar 2026" in patient.last
    await patient.press("Save")
    saved = line.driver.saved_entries()[-1].entry
    assert saved.entry_date == date(2026, 3, 5)
    assert "📅 Thu 5 Mar 2026" in patient.last


async def test_a_day_before_the_last_seven_or_after_today_is_refused() -> None:
    patient, line = await logging()
    await patient.press("Another day")
    for value in ("d2026-03-03", "d2026-03-11", "d2026-13-01"):
        await patient.press_data(ButtonData(seq=line.driver.seq, value=value).encode())
        assert line.decisions[-1].verdict is Verdict.FORGED, value
    await patient.press("Back")
    assert "📅 Diary for today, Tue 10 Mar" in patient.last


async def test_an_earlier_day_pressed_after_midnight_keeps_the_day_it_showed() -> None:
    patient, line = await logging(datetime(2026, 3, 10, 23, 58, tzinfo=UTC))
    await patient.press("Another day")
    line.driver.ctx = replace(line.driver.ctx, now=datetime(2026, 3, 11, 0, 2, tzinfo=UTC))
    await patient.press("Sun 8 Mar")
    assert "📅 Diary for Sun 8 Mar" in patient.last


async def test_a_day_that_already_has_an_entry_says_so_before_a_second_one_is_added() -> None:
    line = flows_at(MORNING)
    patient = Patient(line)
    yesterday = a_stored_entry(date(2026, 3, 9), 6, 2)
    line.driver.ctx = replace(line.driver.ctx, diary=(yesterday,))
    await patient.send("/log")
    assert "Yesterday (1 entry)" in patient.labels()
    await patient.press("Yesterday")
    assert "You already have an entry for yesterday, Mon 9 Mar" in patient.last
    assert "/history" in patient.last
    await patient.press("Back")
    await patient.press("Today")
    assert "You already have" not in patient.last


async def test_a_symptom_the_checklist_does_not_list_is_kept_when_another_is_ticked() -> None:
    """An imported entry may carry any finding code; changing it must not lose one."""
    stored = a_stored_entry(
        date(2026, 3, 9), 6, 2, symptoms=(Finding.WEIGHT_LOSS,), source=EntrySource.IMPORT
    )
    line = flows_at()
    patient = Patient(line)
    # FlowLine has no verb for a screen the shell opens: show it as the line shows a decision.
    line.receive(log.begin_edit(stored, line.driver.ctx))
    for label in ("6", "2", "Muscle tightness", "Done (2 ticked)", "None"):
        await patient.press(label)
    await patient.press("Skip")
    assert "weight loss without trying" in patient.last
    await patient.press("Save the changes")
    [saved] = line.driver.saved_entries()
    assert saved.entry.symptoms == (Finding.MUSCLE_TIGHTNESS, Finding.WEIGHT_LOSS)
    assert saved.entry.source is EntrySource.IMPORT


async def test_the_doses_taken_as_needed_are_asked_after_the_symptoms_and_saved() -> None:
    patient, line = await logging()
    await patient.presses("6", "3", "Done: none of these")
    assert "Did you take any pain medicine AS NEEDED" in patient.last
    assert "📅 Diary for today, Tue 10 Mar" in patient.last
    assert patient.labels()[:5] == ["None", "1 dose", "2 doses", "3 or more", "Rather not say"]
    await patient.press("2 doses")
    assert "Anything else to note" in patient.last
    # Back shows the answer given, marked; a new answer replaces it.
    await patient.press("Back")
    assert "• 2 doses •" in patient.labels()
    await patient.presses("3 or more", "Skip")
    assert "Pain medicine as needed: 3 or more doses" in patient.last
    await patient.press("Save")
    [saved] = line.driver.saved_entries()
    assert saved.entry.as_needed_doses == 3


async def test_none_is_zero_doses_and_rather_not_say_is_not_recorded() -> None:
    for label, doses, card in (
        ("None", 0, "Pain medicine as needed: none"),
        ("1 dose", 1, "Pain medicine as needed: 1 dose"),
        ("Rather not say", None, None),
    ):
        patient, line = await logging()
        await patient.presses("4", "No leg pain", "Done: none of these", label, "Skip")
        if card is None:
            assert "Pain medicine" not in patient.last
        else:
            assert card in patient.last
        await patient.press("Save")
        [saved] = line.driver.saved_entries()
        assert saved.entry.as_needed_doses == doses, label


async def test_text_at_the_doses_step_asks_for_the_buttons_and_keeps_the_step() -> None:
    patient, line = await logging()
    await patient.presses("6", "3", "Done: none of these")
    await patient.type("two paracetamol")
    assert patient.last.startswith(
        "Please tap how many doses (or Rather not say). You can name the medicine in the note"
    )
    assert "Did you take any pain medicine AS NEEDED" in patient.last
    state = line.driver.state
    assert isinstance(state, LogState)
    assert (state.step, state.as_needed_doses) == (LogStep.AS_NEEDED_DOSES, None)
