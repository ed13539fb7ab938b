"""The symptom checker and the red-flag message after a diary entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from flows.clinical.codes import CauseId, Finding, Tier
from flows.clinical.emergency import emergency_number, infer_country, numbers_for
from flows.clinical.rules import advice_for, red_flag_message, triage
from flows.clinical.rules_data import MODIFIER_CAUSE, PATTERN_QUESTIONS, SCREENING_QUESTIONS
from flows.dialogs import check
from flows.kit.core import Outcome, SaveCheck, SendAdvice
from flows.locale.en_rules import MESSAGES
from flows.records.models import AdviceKind, AdviceSource, Profile, Region
from tests.flows.driver import context_at
from tests.patient import FlowLine, Patient

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
TODAY = date(2026, 3, 10)
QUESTION_IDS = [q.id for q in SCREENING_QUESTIONS]
NO_WARNING_SIGNS = "no warning signs"
CRISIS_START = MESSAGES["rules.crisis.message"].split("\n")[0]


def flows_at() -> FlowLine:
    """The pure flows for a consented patient 7 at NOW."""
    line = FlowLine()
    line.driver.ctx = context_at(NOW, consented=True)
    return line


async def checking(profile: Profile | None = None, **context: object) -> tuple[Patient, FlowLine]:
    """A consented patient (with this profile and context) who has sent /check."""
    line = flows_at()
    patient = Patient(line)
    if profile is not None:
        # Asked already (REFERENCE.md §8.1): a month without a day is what the patient knows.
        asked = profile.details_asked_at or NOW
        line.driver.ctx = replace(
            line.driver.ctx, profile=profile.model_copy(update={"details_asked_at": asked})
        )
    if context:
        line.driver.ctx = replace(line.driver.ctx, **context)  # type: ignore[arg-type]
    await patient.send("/check")
    return patient, line


def in_gb(**fields: object) -> Profile:
    return Profile(user_id=7, consented_at=NOW, country="GB", **fields)


def saved_check(line: FlowLine) -> SaveCheck:
    [saved] = [e for e in line.driver.effects if isinstance(e, SaveCheck)]
    return saved


def sent(line: FlowLine) -> list[SendAdvice]:
    return [e for e in line.driver.effects if isinstance(e, SendAdvice)]


async def answer_all_no(patient: Patient, count: int) -> None:
    for _ in range(count):
        await patient.press("No")


async def skip_to(patient: Patient, qid: str) -> None:
    await answer_all_no(patient, QUESTION_IDS.index(qid))
    assert SCREENING_QUESTIONS[QUESTION_IDS.index(qid)].key
    assert f"Question {QUESTION_IDS.index(qid) + 1} of" in patient.last


async def test_first_emergency_stops_the_check_and_sends_the_advice() -> None:
    patient, line = await checking(in_gb())
    assert "Question 1 of" in patient.last
    await patient.press("Yes")
    assert "new, or worse" in patient.last
    await patient.press("New, or worse than before")
    assert line.driver.state is None
    # The screen points to the advice; the advice itself goes through the outbox.
    assert patient.last == (
        "⚠️ Call 999 or go to the nearest Emergency Department now. What to do is in the "
        "message below."
    )
    [advice] = [e.advice for e in sent(line)]
    assert advice.kind is AdviceKind.EMERGENCY
    assert advice.source is AdviceSource.CHECK
    assert "Don't drive yourself if your legs are weak" in advice.text
    assert advice.red_flags == ("RF-CES-1",)
    assert advice.findings == (Finding.BLADDER_CHANGE,)
    result = saved_check(line).result
    assert result.tier is Tier.EMERGENCY
    assert result.red_flags == ("RF-CES-1",)
    assert result.findings == (Finding.BLADDER_CHANGE,)


async def test_the_advice_is_the_shared_rules_advice() -> None:
    patient, line = await checking(in_gb())
    await patient.press("Yes")
    await patient.press("New, or worse than before")
    expected = advice_for(
        triage([Finding.BLADDER_CHANGE]),
        "en",
        numbers_for("GB"),
        AdviceSource.CHECK,
        answered=[Finding.BLADDER_CHANGE],
    )
    assert [e.advice for e in sent(line)] == [expected]


async def test_not_sure_on_an_emergency_item_is_urgent_with_the_if_in_doubt_line() -> None:
    patient, line = await checking(in_gb())
    await patient.press("Not sure")
    await answer_all_no(patient, len(SCREENING_QUESTIONS) - 1)
    assert line.driver.state is None
    assert patient.last.startswith(
        "⚠️ Contact your surgical team today. What to do is in the message below."
    )
    assert "This is not a diagnosis" in patient.last
    [advice] = [e.advice for e in sent(line)]
    assert advice.kind is AdviceKind.SAME_DAY
    assert "If you have any doubt, go to the Emergency Department now." in advice.text
    assert "111" in advice.text
    result = saved_check(line).result
    assert result.tier is Tier.URGENT
    assert result.unsure == (Finding.BLADDER_CHANGE,)


async def test_a_long_standing_known_symptom_is_not_an_emergency() -> None:
    patient, line = await checking()
    await patient.press("Yes")
    await patient.press("Not new")
    assert line.driver.state is not None
    await answer_all_no(patient, len(SCREENING_QUESTIONS) - 1 + len(PATTERN_QUESTIONS))
    result = saved_check(line).result
    assert result.tier is Tier.SOON
    assert result.known == (Finding.BLADDER_CHANGE,)
    assert "long-standing" in patient.last
    assert patient.last.startswith(MESSAGES["rules.pointer.soon"])
    [advice] = [e.advice for e in sent(line)]
    assert advice.kind is AdviceKind.SOON
    assert MESSAGES["rules.finding.bladder_change"] in advice.text


async def test_follow_up_choice_decides_the_finding() -> None:
    patient, line = await checking()
    await skip_to(patient, "both_legs")
    await patient.press("Yes")
    await patient.press("New, or worse than before")
    await patient.press("Slowly, over weeks")
    assert line.driver.state is not None
    await answer_all_no(patient, len(SCREENING_QUESTIONS) - QUESTION_IDS.index("both_legs") - 1)
    result = saved_check(line).result
    assert Finding.BOTH_LEGS_GRADUAL in result.findings
    assert result.tier is Tier.URGENT
    # §8.5: the both-legs flag names nerve compression, listed first.
    assert result.causes[0][0] is CauseId.RECURRENT_COMPRESSION
    assert MESSAGES["rules.cause.recurrent_compression.name"] in patient.last


async def test_all_no_then_pattern_ranks_causes_and_saves_them() -> None:
    profile = Profile(
        user_id=7,
        consented_at=NOW,
        surgery_year=2024,
        surgery_month=9,
        region=Region.LUMBAR,
        levels=3,
        risk_factors=(Finding.SMOKER,),
    )
    patient, line = await checking(profile)
    await answer_all_no(patient, len(SCREENING_QUESTIONS))
    assert "No warning signs" in patient.last
    yes_to = {Finding.NEVER_IMPROVED, Finding.PAIN_MOSTLY_BACK, Finding.PAIN_MECHANICAL}
    for question in PATTERN_QUESTIONS:
        await patient.press("Yes" if question.finding in yes_to else "No")
    assert line.driver.state is None
    assert patient.last.startswith("Your answers show no warning signs")
    assert "Possible reasons your surgeon may want to check (not a diagnosis)" in patient.last
    assert "This is not a diagnosis" in patient.last
    assert sent(line) == []
    result = saved_check(line).result
    assert result.tier is Tier.ROUTINE
    assert CauseId.PSEUDARTHROSIS in [c for c, _ in result.causes[:2]]
    assert set(result.findings) == yes_to
    # CheckResult keeps the estimate of the day (the middle of September 2024).
    assert result.days_since_surgery == (TODAY - date(2024, 9, 15)).days


async def test_the_saved_check_keeps_the_causes_the_patient_was_shown() -> None:
    # Low mood is a modifier, not a cause (REFERENCE.md §2.3 notes): it takes no listed
    # cause's place on the screen, and must take none in the surgeon's report either.
    patient, line = await checking(in_gb(risk_factors=(Finding.LOW_MOOD,)))
    await answer_all_no(patient, len(SCREENING_QUESTIONS))
    for question in PATTERN_QUESTIONS:
        await patient.press("Yes" if question.finding is Finding.PAIN_CONSTANT_NIGHT else "No")
    causes = [cause for cause, _ in saved_check(line).result.causes]
    assert len(causes) == 3
    assert MODIFIER_CAUSE not in causes
    for cause in causes:
        assert MESSAGES[f"rules.cause.{cause.value}.name"] in patient.last


async def test_constant_night_pain_with_diabetes_is_same_day_through_the_infection_cause() -> None:
    # REFERENCE.md §8.5: the first-listed cause is infection, whose next step is same-day.
    patient, line = await checking(in_gb(risk_factors=(Finding.DIABETES,)))
    await answer_all_no(patient, len(SCREENING_QUESTIONS))
    for question in PATTERN_QUESTIONS:
        await patient.press("Yes" if question.finding is Finding.PAIN_CONSTANT_NIGHT else "No")
    assert line.driver.state is None
    assert NO_WARNING_SIGNS not in patient.last.lower()
    assert patient.last.startswith("⚠️ Contact your surgical team today.")
    [advice] = [e.advice for e in sent(line)]
    assert advice.kind is AdviceKind.SAME_DAY
    assert MESSAGES["rules.cause.infection.name"] in advice.text
    assert saved_check(line).result.tier is Tier.URGENT


async def test_back_undoes_exactly_one_answer() -> None:
    patient, line = await checking()
    await patient.press("No")
    assert "Question 2 of" in patient.last
    await patient.press("Back")
    assert "Question 1 of" in patient.last
    await patient.press("Yes")
    await patient.press("Back")
    assert "Question 1 of" in patient.last
    assert line.driver.state is not None
    assert line.driver.state.model_dump()["answers"] == ()


async def test_text_during_the_check_gets_a_hint() -> None:
    patient, _ = await checking()
    await patient.type("my bladder is fine")
    assert patient.last.startswith("Please use the buttons")
    assert "Question 1 of" in patient.last


# ---------------------------------------------------------------------------------------------
# RF-MH: thoughts of ending one's life (REFERENCE.md §8.3)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["Yes", "Not sure"])
async def test_any_answer_but_no_gives_the_crisis_message_at_once(answer: str) -> None:
    patient, line = await checking(in_gb())
    await skip_to(patient, "self_harm")
    await patient.press(answer)
    # No "is this new?" step: the crisis message comes first, the offer only after it.
    assert line.driver.state is not None
    assert patient.last.startswith(CRISIS_START)
    assert "116 123" in patient.last
    assert "call 999" in patient.last
    assert "nerve compression" not in patient.last
    assert patient.last.endswith(MESSAGES["rules.crisis.keep_going"])
    assert patient.labels() == ["Continue the check", "Stop here"]
    [advice] = [e.advice for e in sent(line)]
    assert advice.kind is AdviceKind.CRISIS
    assert advice.tier is Tier.EMERGENCY
    assert advice.red_flags == ("RF-MH",)
    assert advice.findings == (Finding.SELF_HARM_THOUGHTS,)
    assert advice.text == red_flag_message(
        triage([Finding.SELF_HARM_THOUGHTS]), "en", numbers_for("GB")
    )


async def test_crisis_then_continue_never_says_there_are_no_warning_signs() -> None:
    patient, line = await checking(in_gb())
    await skip_to(patient, "self_harm")
    await patient.press("Yes")
    seen = [patient.last]
    await patient.press("Continue the check")
    assert f"Question {QUESTION_IDS.index('self_harm') + 2} of" in patient.last
    # The crisis answer is not undone with Back.
    assert "Back" not in " ".join(patient.labels())
    while line.driver.state is not None:
        seen.append(patient.last)
        await patient.press("No")
    seen.append(patient.last)
    assert not any(NO_WARNING_SIGNS in text.lower() for text in seen)
    assert patient.last.startswith("💙 Please keep yourself safe")
    assert "116 123" in patient.last
    # The crisis advice was sent once, when it was answered.
    assert [e.advice.kind for e in sent(line)] == [AdviceKind.CRISIS]
    result = saved_check(line).result
    assert result.tier is Tier.EMERGENCY
    assert result.red_flags == ("RF-MH",)
    assert result.findings == (Finding.SELF_HARM_THOUGHTS,)


async def test_crisis_then_stop_saves_the_check() -> None:
    patient, line = await checking(in_gb())
    await skip_to(patient, "self_harm")
    await patient.press("Not sure")
    await patient.press("Stop here")
    assert line.driver.state is None
    assert patient.last.startswith(MESSAGES["rules.crisis.stopped"])
    assert NO_WARNING_SIGNS not in patient.last.lower()
    result = saved_check(line).result
    assert (result.tier, result.red_flags) == (Tier.EMERGENCY, ("RF-MH",))
    assert result.unsure == (Finding.SELF_HARM_THOUGHTS,)
    assert len(sent(line)) == 1


async def test_crisis_and_a_later_same_day_flag_send_both_crisis_first() -> None:
    patient, line = await checking(in_gb())
    await skip_to(patient, "self_harm")
    await patient.press("Yes")
    await patient.press("Continue the check")
    await patient.press("Yes")  # calf: one leg swollen
    await patient.press("New, or worse than before")
    await answer_all_no(patient, len(SCREENING_QUESTIONS) - QUESTION_IDS.index("calf") - 1)
    assert line.driver.state is None
    assert [e.advice.kind for e in sent(line)] == [AdviceKind.CRISIS, AdviceKind.SAME_DAY]
    assert patient.last.startswith("💙 Please keep yourself safe")
    assert "⚠️ Contact your surgical team today." in patient.last
    assert saved_check(line).result.red_flags == ("RF-MH", "RF-DVT")


async def test_crisis_then_a_spine_emergency_still_stops_the_check() -> None:
    patient, line = await checking(in_gb())
    await skip_to(patient, "leg_weakness")
    await patient.press("Yes")
    await patient.press("New, or worse than before")
    await patient.press("No, more slowly")
    await answer_all_no(
        patient, QUESTION_IDS.index("self_harm") - QUESTION_IDS.index("leg_weakness") - 1
    )
    await patient.press("Yes")
    await patient.press("Continue the check")
    await answer_all_no(patient, QUESTION_IDS.index("fall") - QUESTION_IDS.index("self_harm") - 1)
    # A fall with a weakening leg is an emergency (RF-FX with a nerve item): the check stops.
    await patient.press("Yes")
    await patient.press("New, or worse than before")
    assert line.driver.state is None
    assert patient.last.startswith("💙 Please keep yourself safe")
    assert "⚠️ Call 999 or go to the nearest Emergency Department now." in patient.last
    assert [e.advice.kind for e in sent(line)] == [AdviceKind.CRISIS, AdviceKind.EMERGENCY]
    [_, emergency] = sent(line)
    assert not emergency.advice.text.startswith(CRISIS_START)
    assert emergency.advice.red_flags == ("RF-FX", "RF-NEU-1")


async def test_near_miss_no_to_the_crisis_question_sends_nothing() -> None:
    patient, line = await checking(in_gb())
    await skip_to(patient, "self_harm")
    await patient.press("No")
    assert sent(line) == []
    assert f"Question {QUESTION_IDS.index('self_harm') + 2} of" in patient.last
    assert "Back" in " ".join(patient.labels())


async def test_a_check_saved_at_the_old_new_or_worse_step_still_gets_the_crisis_message() -> None:
    patient, line = await checking(in_gb())
    index = QUESTION_IDS.index("self_harm")
    state = check.CheckState(step=check.CheckStep.NEW_OR_WORSE, index=index)
    # The conversation as an earlier version stored it, shown again (FlowLine has no verb).
    screen = check.render(state, line.driver.ctx)
    line.receive(Outcome(state=state, screen=screen))
    await patient.press("Not new")
    assert patient.last.startswith(CRISIS_START)
    assert [e.advice.kind for e in sent(line)] == [AdviceKind.CRISIS]


# ---------------------------------------------------------------------------------------------
# Sudden severe back pain (REFERENCE.md §8.4) and days as a range (§8.1)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("surgery", "flag"),
    [(date(2026, 2, 24), "RF-HAEM"), (date(2026, 2, 23), "RF-PAIN")],
    ids=["day 14", "day 15"],
)
async def test_sudden_severe_pain_alone_is_same_day(surgery: date, flag: str) -> None:
    profile = in_gb(
        surgery_year=surgery.year, surgery_month=surgery.month, surgery_day=surgery.day
    )
    patient, line = await checking(profile)
    await skip_to(patient, "sudden_pain")
    await patient.press("Yes")
    await patient.press("New, or worse than before")
    await answer_all_no(patient, len(SCREENING_QUESTIONS) - QUESTION_IDS.index("sudden_pain") - 1)
    assert line.driver.state is None
    result = saved_check(line).result
    assert (result.tier, result.red_flags) == (Tier.URGENT, (flag,))
    [advice] = [e.advice for e in sent(line)]
    assert advice.kind is AdviceKind.SAME_DAY


async def test_in_the_last_2_weeks_without_the_day_opens_the_haematoma_window() -> None:
    # §8.1: the patient answered "in the last 2 weeks?" Yes: days 0..14, never a guess.
    profile = in_gb(surgery_after=date(2026, 2, 24), surgery_before=TODAY)
    patient, line = await checking(profile)
    await skip_to(patient, "sudden_pain")
    await patient.press("Yes")
    await patient.press("New, or worse than before")
    await answer_all_no(patient, len(SCREENING_QUESTIONS) - QUESTION_IDS.index("sudden_pain") - 1)
    result = saved_check(line).result
    assert result.red_flags == ("RF-HAEM",)
    assert result.days_since_surgery == 7


async def test_only_the_month_known_opens_every_window_the_month_overlaps() -> None:
    # Operated some day in January 2026: days 38..68, which overlaps RF-CSF's days 0–42.
    patient, line = await checking(in_gb(surgery_year=2026, surgery_month=1))
    await skip_to(patient, "headache")
    await patient.press("Yes")
    await patient.press("New, or worse than before")
    await answer_all_no(patient, len(SCREENING_QUESTIONS) - QUESTION_IDS.index("headache") - 1)
    assert saved_check(line).result.red_flags == ("RF-CSF",)


async def test_near_miss_a_month_past_every_window_does_not_open_it() -> None:
    patient, line = await checking(in_gb(surgery_year=2025, surgery_month=12))
    await skip_to(patient, "headache")
    await patient.press("Yes")
    await patient.press("New, or worse than before")
    await answer_all_no(patient, len(SCREENING_QUESTIONS) - QUESTION_IDS.index("headache") - 1)
    await answer_all_no(patient, len(PATTERN_QUESTIONS))
    result = saved_check(line).result
    assert result.red_flags == ()
    assert result.tier is Tier.SOON


# ---------------------------------------------------------------------------------------------
# The diary and /check agree (REFERENCE.md §8.7)
# ---------------------------------------------------------------------------------------------


async def test_a_diary_flag_answered_not_new_counts_as_new() -> None:
    ticked = date(2026, 3, 8)
    patient, line = await checking(in_gb(), recent_diary_flags=((Finding.BLADDER_CHANGE, ticked),))
    await patient.press("Yes")
    await patient.press("Not new")
    assert line.driver.state is None
    assert "You ticked new bladder problems in your diary on 2026-03-08" in patient.last
    result = saved_check(line).result
    assert result.tier is Tier.EMERGENCY
    assert result.red_flags == ("RF-CES-1",)
    assert result.findings == (Finding.BLADDER_CHANGE,)
    assert result.known == ()
    [advice] = [e.advice for e in sent(line)]
    assert advice.kind is AdviceKind.EMERGENCY


async def test_a_diary_flag_keeps_its_own_choice_and_says_so_on_the_next_question() -> None:
    seen = ((Finding.LEG_WEAKNESS, date(2026, 3, 4)), (Finding.LEG_WEAKNESS, date(2026, 3, 9)))
    patient, line = await checking(in_gb(), recent_diary_flags=seen)
    await skip_to(patient, "leg_weakness")
    await patient.press("Yes")
    await patient.press("Not new")
    assert patient.last.startswith(
        "You ticked a leg getting weaker in your diary on 2026-03-09, so I count it as new"
    )
    assert f"Question {QUESTION_IDS.index('leg_weakness') + 2} of" in patient.last
    await answer_all_no(patient, len(SCREENING_QUESTIONS) - QUESTION_IDS.index("leg_weakness") - 1)
    result = saved_check(line).result
    assert (result.tier, result.red_flags) == (Tier.URGENT, ("RF-NEU-1",))
    assert "2026-03-09" in patient.last


async def test_near_miss_not_new_without_a_diary_flag_stays_known() -> None:
    patient, line = await checking(
        in_gb(), recent_diary_flags=((Finding.BOWEL_CHANGE, date(2026, 3, 8)),)
    )
    await patient.press("Yes")
    await patient.press("Not new")
    assert line.driver.state is not None
    assert "in your diary" not in patient.last


async def test_near_miss_no_is_taken_as_it_is_even_after_a_diary_flag() -> None:
    patient, line = await checking(
        in_gb(), recent_diary_flags=((Finding.BLADDER_CHANGE, date(2026, 3, 8)),)
    )
    await patient.press("No")
    assert "in your diary" not in patient.last
    assert sent(line) == []


# ---------------------------------------------------------------------------------------------
# The diary
# ---------------------------------------------------------------------------------------------


async def test_diary_entry_with_a_red_flag_sends_the_emergency_advice() -> None:
    line = flows_at()
    patient = Patient(line)
    line.driver.ctx = replace(
        line.driver.ctx, profile=Profile(user_id=7, consented_at=NOW, country="US")
    )
    await patient.send("/log")
    for label in ("5", "3", "Numbness around genitals", "Done (1 ticked)"):
        await patient.press(label)
    assert "Call 911 or go to the nearest Emergency Department now" in patient.last
    [advice] = [e.advice for e in sent(line)]
    assert advice.kind is AdviceKind.EMERGENCY
    assert "Call 911 or go to the nearest Emergency Department now" in advice.text


async def test_diary_entry_without_red_flags_adds_no_message() -> None:
    line = flows_at()
    patient = Patient(line)
    await patient.send("/log")
    for label in ("5", "3", "Muscle tightness", "Done (1 ticked)", "None", "Skip", "Save"):
        await patient.press(label)
    # Every press only changed the diary's screen: no message was added to the chat.
    assert all(seen.edited for seen in patient.seen[1:])
    assert sent(line) == []


def test_emergency_numbers_by_country_with_112_fallback() -> None:
    assert emergency_number("GB") == "999"
    assert emergency_number("us") == "911"
    assert emergency_number("AU") == "000"
    assert emergency_number(None) == "112"
    assert emergency_number("ZZ") == "112"
    assert infer_country("en-GB") == "GB"
    assert infer_country("en") is None
    assert infer_country(None) is None


async def test_settings_change_the_emergency_number() -> None:
    line = flows_at()
    patient = Patient(line)
    await patient.send("/settings")
    assert "Emergency number: your local emergency number" in patient.last
    await patient.press("Country and emergency numbers")
    await patient.press("United Kingdom")
    assert line.driver.ctx.profile is not None
    assert line.driver.ctx.profile.country == "GB"
    assert line.driver.ctx.profile.numbers().emergency == "999"
