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
from flows.dialogs.router import Command
from flows.kit.core import SaveCheck, SendAdvice
from flows.locale.en_rules import MESSAGES
from flows.records.models import AdviceKind, AdviceSource, Profile, Region
from tests.flows.driver import FlowDriver

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
TODAY = date(2026, 3, 10)
QUESTION_IDS = [q.id for q in SCREENING_QUESTIONS]
NO_WARNING_SIGNS = "no warning signs"
CRISIS_START = MESSAGES["rules.crisis.message"].split("\n")[0]


def checking(profile: Profile | None = None, **context: object) -> FlowDriver:
    driver = FlowDriver(NOW, consented=True)
    if profile is not None:
        # Asked already (REFERENCE.md §8.1): a month without a day is what the patient knows.
        asked = profile.details_asked_at or NOW
        driver.ctx = replace(
            driver.ctx, profile=profile.model_copy(update={"details_asked_at": asked})
        )
    if context:
        driver.ctx = replace(driver.ctx, **context)  # type: ignore[arg-type]
    driver.command(Command.CHECK)
    return driver


def in_gb(**fields: object) -> Profile:
    return Profile(user_id=7, consented_at=NOW, country="GB", **fields)


def saved_check(driver: FlowDriver) -> SaveCheck:
    [saved] = [e for e in driver.effects if isinstance(e, SaveCheck)]
    return saved


def sent(driver: FlowDriver) -> list[SendAdvice]:
    return [e for e in driver.effects if isinstance(e, SendAdvice)]


def answer_all_no(driver: FlowDriver, count: int) -> None:
    for _ in range(count):
        driver.press("No")


def skip_to(driver: FlowDriver, qid: str) -> None:
    answer_all_no(driver, QUESTION_IDS.index(qid))
    assert SCREENING_QUESTIONS[QUESTION_IDS.index(qid)].key
    assert f"Question {QUESTION_IDS.index(qid) + 1} of" in driver.text


def screens_seen(driver: FlowDriver) -> list[str]:
    return [driver.text, *(m.text for m in driver.messages)]


def test_first_emergency_stops_the_check_and_sends_the_advice() -> None:
    driver = checking(in_gb())
    assert "Question 1 of" in driver.text
    driver.press("Yes")
    assert "new, or worse" in driver.text
    driver.press("New, or worse than before")
    assert driver.state is None
    # The screen points to the advice; the advice itself goes through the outbox.
    assert driver.text == (
        "⚠️ Call 999 or go to the nearest Emergency Department now. What to do is in the "
        "message below."
    )
    [advice] = [e.advice for e in sent(driver)]
    assert advice.kind is AdviceKind.EMERGENCY
    assert advice.source is AdviceSource.CHECK
    assert "Don't drive yourself if your legs are weak" in advice.text
    assert advice.red_flags == ("RF-CES-1",)
    assert advice.findings == (Finding.BLADDER_CHANGE,)
    result = saved_check(driver).result
    assert result.tier is Tier.EMERGENCY
    assert result.red_flags == ("RF-CES-1",)
    assert result.findings == (Finding.BLADDER_CHANGE,)


def test_the_advice_is_the_shared_rules_advice() -> None:
    driver = checking(in_gb())
    driver.press("Yes")
    driver.press("New, or worse than before")
    expected = advice_for(
        triage([Finding.BLADDER_CHANGE]),
        "en",
        numbers_for("GB"),
        AdviceSource.CHECK,
        answered=[Finding.BLADDER_CHANGE],
    )
    assert [e.advice for e in sent(driver)] == [expected]


def test_not_sure_on_an_emergency_item_is_urgent_with_the_if_in_doubt_line() -> None:
    driver = checking(in_gb())
    driver.press("Not sure")
    answer_all_no(driver, len(SCREENING_QUESTIONS) - 1)
    assert driver.state is None
    assert driver.text.startswith(
        "⚠️ Contact your surgical team today. What to do is in the message below."
    )
    assert "This is not a diagnosis" in driver.text
    [advice] = [e.advice for e in sent(driver)]
    assert advice.kind is AdviceKind.SAME_DAY
    assert "If you have any doubt, go to the Emergency Department now." in advice.text
    assert "111" in advice.text
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
    assert driver.text.startswith(MESSAGES["rules.pointer.soon"])
    [advice] = [e.advice for e in sent(driver)]
    assert advice.kind is AdviceKind.SOON
    assert MESSAGES["rules.finding.bladder_change"] in advice.text


def test_follow_up_choice_decides_the_finding() -> None:
    driver = checking()
    skip_to(driver, "both_legs")
    driver.press("Yes")
    driver.press("New, or worse than before")
    driver.press("Slowly, over weeks")
    assert driver.state is not None
    answer_all_no(driver, len(SCREENING_QUESTIONS) - QUESTION_IDS.index("both_legs") - 1)
    result = saved_check(driver).result
    assert Finding.BOTH_LEGS_GRADUAL in result.findings
    assert result.tier is Tier.URGENT
    # §8.5: the both-legs flag names nerve compression, listed first.
    assert result.causes[0][0] is CauseId.RECURRENT_COMPRESSION
    assert MESSAGES["rules.cause.recurrent_compression.name"] in driver.text


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
    assert driver.text.startswith("Your answers show no warning signs")
    assert "Possible reasons your surgeon may want to check (not a diagnosis)" in driver.text
    assert "This is not a diagnosis" in driver.text
    assert sent(driver) == []
    result = saved_check(driver).result
    assert result.tier is Tier.ROUTINE
    assert CauseId.PSEUDARTHROSIS in [c for c, _ in result.causes[:2]]
    assert set(result.findings) == yes_to
    # CheckResult keeps the estimate of the day (the middle of September 2024).
    assert result.days_since_surgery == (TODAY - date(2024, 9, 15)).days


def test_the_saved_check_keeps_the_causes_the_patient_was_shown() -> None:
    # Low mood is a modifier, not a cause (REFERENCE.md §2.3 notes): it takes no listed
    # cause's place on the screen, and must take none in the surgeon's report either.
    driver = checking(in_gb(risk_factors=(Finding.LOW_MOOD,)))
    answer_all_no(driver, len(SCREENING_QUESTIONS))
    for question in PATTERN_QUESTIONS:
        driver.press("Yes" if question.finding is Finding.PAIN_CONSTANT_NIGHT else "No")
    causes = [cause for cause, _ in saved_check(driver).result.causes]
    assert len(causes) == 3
    assert MODIFIER_CAUSE not in causes
    for cause in causes:
        assert MESSAGES[f"rules.cause.{cause.value}.name"] in driver.text


def test_constant_night_pain_with_diabetes_is_same_day_through_the_infection_cause() -> None:
    # REFERENCE.md §8.5: the first-listed cause is infection, whose next step is same-day.
    driver = checking(in_gb(risk_factors=(Finding.DIABETES,)))
    answer_all_no(driver, len(SCREENING_QUESTIONS))
    for question in PATTERN_QUESTIONS:
        driver.press("Yes" if question.finding is Finding.PAIN_CONSTANT_NIGHT else "No")
    assert driver.state is None
    assert NO_WARNING_SIGNS not in driver.text.lower()
    assert driver.text.startswith("⚠️ Contact your surgical team today.")
    [advice] = [e.advice for e in sent(driver)]
    assert advice.kind is AdviceKind.SAME_DAY
    assert MESSAGES["rules.cause.infection.name"] in advice.text
    assert saved_check(driver).result.tier is Tier.URGENT


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


# ---------------------------------------------------------------------------------------------
# RF-MH: thoughts of ending one's life (REFERENCE.md §8.3)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["Yes", "Not sure"])
def test_any_answer_but_no_gives_the_crisis_message_at_once(answer: str) -> None:
    driver = checking(in_gb())
    skip_to(driver, "self_harm")
    driver.press(answer)
    # No "is this new?" step: the crisis message comes first, the offer only after it.
    assert driver.state is not None
    assert driver.text.startswith(CRISIS_START)
    assert "116 123" in driver.text
    assert "call 999" in driver.text
    assert "nerve compression" not in driver.text
    assert driver.text.endswith(MESSAGES["rules.crisis.keep_going"])
    assert driver.labels() == ["Continue the check", "Stop here"]
    [advice] = [e.advice for e in sent(driver)]
    assert advice.kind is AdviceKind.CRISIS
    assert advice.tier is Tier.EMERGENCY
    assert advice.red_flags == ("RF-MH",)
    assert advice.findings == (Finding.SELF_HARM_THOUGHTS,)
    assert advice.text == red_flag_message(
        triage([Finding.SELF_HARM_THOUGHTS]), "en", numbers_for("GB")
    )


def test_crisis_then_continue_never_says_there_are_no_warning_signs() -> None:
    driver = checking(in_gb())
    skip_to(driver, "self_harm")
    driver.press("Yes")
    seen = [driver.text]
    driver.press("Continue the check")
    assert f"Question {QUESTION_IDS.index('self_harm') + 2} of" in driver.text
    # The crisis answer is not undone with Back.
    assert "Back" not in " ".join(driver.labels())
    while driver.state is not None:
        seen.append(driver.text)
        driver.press("No")
    seen.append(driver.text)
    assert not any(NO_WARNING_SIGNS in text.lower() for text in seen)
    assert driver.text.startswith("💙 Please keep yourself safe")
    assert "116 123" in driver.text
    # The crisis advice was sent once, when it was answered.
    assert [e.advice.kind for e in sent(driver)] == [AdviceKind.CRISIS]
    result = saved_check(driver).result
    assert result.tier is Tier.EMERGENCY
    assert result.red_flags == ("RF-MH",)
    assert result.findings == (Finding.SELF_HARM_THOUGHTS,)


def test_crisis_then_stop_saves_the_check() -> None:
    driver = checking(in_gb())
    skip_to(driver, "self_harm")
    driver.press("Not sure")
    driver.press("Stop here")
    assert driver.state is None
    assert driver.text.startswith(MESSAGES["rules.crisis.stopped"])
    assert NO_WARNING_SIGNS not in driver.text.lower()
    result = saved_check(driver).result
    assert (result.tier, result.red_flags) == (Tier.EMERGENCY, ("RF-MH",))
    assert result.unsure == (Finding.SELF_HARM_THOUGHTS,)
    assert len(sent(driver)) == 1


def test_crisis_and_a_later_same_day_flag_send_both_crisis_first() -> None:
    driver = checking(in_gb())
    skip_to(driver, "self_harm")
    driver.press("Yes")
    driver.press("Continue the check")
    driver.press("Yes")  # calf: one leg swollen
    driver.press("New, or worse than before")
    answer_all_no(driver, len(SCREENING_QUESTIONS) - QUESTION_IDS.index("calf") - 1)
    assert driver.state is None
    assert [e.advice.kind for e in sent(driver)] == [AdviceKind.CRISIS, AdviceKind.SAME_DAY]
    assert driver.text.startswith("💙 Please keep yourself safe")
    assert "⚠️ Contact your surgical team today." in driver.text
    assert saved_check(driver).result.red_flags == ("RF-MH", "RF-DVT")


def test_crisis_then_a_spine_emergency_still_stops_the_check() -> None:
    driver = checking(in_gb())
    skip_to(driver, "leg_weakness")
    driver.press("Yes")
    driver.press("New, or worse than before")
    driver.press("No, more slowly")
    answer_all_no(driver, QUESTION_IDS.index("self_harm") - QUESTION_IDS.index("leg_weakness") - 1)
    driver.press("Yes")
    driver.press("Continue the check")
    answer_all_no(driver, QUESTION_IDS.index("fall") - QUESTION_IDS.index("self_harm") - 1)
    # A fall with a weakening leg is an emergency (RF-FX with a nerve item): the check stops.
    driver.press("Yes")
    driver.press("New, or worse than before")
    assert driver.state is None
    assert driver.text.startswith("💙 Please keep yourself safe")
    assert "⚠️ Call 999 or go to the nearest Emergency Department now." in driver.text
    assert [e.advice.kind for e in sent(driver)] == [AdviceKind.CRISIS, AdviceKind.EMERGENCY]
    [_, emergency] = sent(driver)
    assert not emergency.advice.text.startswith(CRISIS_START)
    assert emergency.advice.red_flags == ("RF-FX", "RF-NEU-1")


def test_near_miss_no_to_the_crisis_question_sends_nothing() -> None:
    driver = checking(in_gb())
    skip_to(driver, "self_harm")
    driver.press("No")
    assert sent(driver) == []
    assert f"Question {QUESTION_IDS.index('self_harm') + 2} of" in driver.text
    assert "Back" in " ".join(driver.labels())


def test_a_check_saved_at_the_old_new_or_worse_step_still_gets_the_crisis_message() -> None:
    driver = checking(in_gb())
    index = QUESTION_IDS.index("self_harm")
    driver.state = check.CheckState(step=check.CheckStep.NEW_OR_WORSE, index=index)
    driver.screen = check.render(driver.state, driver.ctx)
    driver.press("Not new")
    assert driver.text.startswith(CRISIS_START)
    assert [e.advice.kind for e in sent(driver)] == [AdviceKind.CRISIS]


# ---------------------------------------------------------------------------------------------
# Sudden severe back pain (REFERENCE.md §8.4) and days as a range (§8.1)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("surgery", "flag"),
    [(date(2026, 2, 24), "RF-HAEM"), (date(2026, 2, 23), "RF-PAIN")],
    ids=["day 14", "day 15"],
)
def test_sudden_severe_pain_alone_is_same_day(surgery: date, flag: str) -> None:
    profile = in_gb(
        surgery_year=surgery.year, surgery_month=surgery.month, surgery_day=surgery.day
    )
    driver = checking(profile)
    skip_to(driver, "sudden_pain")
    driver.press("Yes")
    driver.press("New, or worse than before")
    answer_all_no(driver, len(SCREENING_QUESTIONS) - QUESTION_IDS.index("sudden_pain") - 1)
    assert driver.state is None
    result = saved_check(driver).result
    assert (result.tier, result.red_flags) == (Tier.URGENT, (flag,))
    [advice] = [e.advice for e in sent(driver)]
    assert advice.kind is AdviceKind.SAME_DAY


def test_in_the_last_2_weeks_without_the_day_opens_the_haematoma_window() -> None:
    # §8.1: the patient answered "in the last 2 weeks?" Yes: days 0..14, never a guess.
    profile = in_gb(surgery_after=date(2026, 2, 24), surgery_before=TODAY)
    driver = checking(profile)
    skip_to(driver, "sudden_pain")
    driver.press("Yes")
    driver.press("New, or worse than before")
    answer_all_no(driver, len(SCREENING_QUESTIONS) - QUESTION_IDS.index("sudden_pain") - 1)
    result = saved_check(driver).result
    assert result.red_flags == ("RF-HAEM",)
    assert result.days_since_surgery == 7


def test_only_the_month_known_opens_every_window_the_month_overlaps() -> None:
    # Operated some day in January 2026: days 38..68, which overlaps RF-CSF's days 0–42.
    driver = checking(in_gb(surgery_year=2026, surgery_month=1))
    skip_to(driver, "headache")
    driver.press("Yes")
    driver.press("New, or worse than before")
    answer_all_no(driver, len(SCREENING_QUESTIONS) - QUESTION_IDS.index("headache") - 1)
    assert saved_check(driver).result.red_flags == ("RF-CSF",)


def test_near_miss_a_month_past_every_window_does_not_open_it() -> None:
    driver = checking(in_gb(surgery_year=2025, surgery_month=12))
    skip_to(driver, "headache")
    driver.press("Yes")
    driver.press("New, or worse than before")
    answer_all_no(driver, len(SCREENING_QUESTIONS) - QUESTION_IDS.index("headache") - 1)
    answer_all_no(driver, len(PATTERN_QUESTIONS))
    result = saved_check(driver).result
    assert result.red_flags == ()
    assert result.tier is Tier.SOON


# ---------------------------------------------------------------------------------------------
# The diary and /check agree (REFERENCE.md §8.7)
# ---------------------------------------------------------------------------------------------


def test_a_diary_flag_answered_not_new_counts_as_new() -> None:
    ticked = date(2026, 3, 8)
    driver = checking(in_gb(), recent_diary_flags=((Finding.BLADDER_CHANGE, ticked),))
    driver.press("Yes")
    driver.press("Not new")
    assert driver.state is None
    assert "You ticked new bladder problems in your diary on 2026-03-08" in driver.text
    result = saved_check(driver).result
    assert result.tier is Tier.EMERGENCY
    assert result.red_flags == ("RF-CES-1",)
    assert result.findings == (Finding.BLADDER_CHANGE,)
    assert result.known == ()
    [advice] = [e.advice for e in sent(driver)]
    assert advice.kind is AdviceKind.EMERGENCY


def test_a_diary_flag_keeps_its_own_choice_and_says_so_on_the_next_question() -> None:
    seen = ((Finding.LEG_WEAKNESS, date(2026, 3, 4)), (Finding.LEG_WEAKNESS, date(2026, 3, 9)))
    driver = checking(in_gb(), recent_diary_flags=seen)
    skip_to(driver, "leg_weakness")
    driver.press("Yes")
    driver.press("Not new")
    assert driver.text.startswith(
        "You ticked a leg getting weaker in your diary on 2026-03-09, so I count it as new"
    )
    assert f"Question {QUESTION_IDS.index('leg_weakness') + 2} of" in driver.text
    answer_all_no(driver, len(SCREENING_QUESTIONS) - QUESTION_IDS.index("leg_weakness") - 1)
    result = saved_check(driver).result
    assert (result.tier, result.red_flags) == (Tier.URGENT, ("RF-NEU-1",))
    assert "2026-03-09" in driver.text


def test_near_miss_not_new_without_a_diary_flag_stays_known() -> None:
    driver = checking(in_gb(), recent_diary_flags=((Finding.BOWEL_CHANGE, date(2026, 3, 8)),))
    driver.press("Yes")
    driver.press("Not new")
    assert driver.state is not None
    assert "in your diary" not in driver.text


def test_near_miss_no_is_taken_as_it_is_even_after_a_diary_flag() -> None:
    driver = checking(in_gb(), recent_diary_flags=((Finding.BLADDER_CHANGE, date(2026, 3, 8)),))
    driver.press("No")
    assert "in your diary" not in driver.text
    assert sent(driver) == []


# ---------------------------------------------------------------------------------------------
# The diary
# ---------------------------------------------------------------------------------------------


def test_diary_entry_with_a_red_flag_sends_the_emergency_advice() -> None:
    driver = FlowDriver(NOW, consented=True)
    driver.ctx = replace(driver.ctx, profile=Profile(user_id=7, consented_at=NOW, country="US"))
    driver.command(Command.LOG)
    for label in ("5", "3", "Numbness around genitals", "Done (1 ticked)"):
        driver.press(label)
    assert "Call 911 or go to the nearest Emergency Department now" in driver.text
    [advice] = [e.advice for e in sent(driver)]
    assert advice.kind is AdviceKind.EMERGENCY
    assert "Call 911 or go to the nearest Emergency Department now" in advice.text


def test_diary_entry_without_red_flags_adds_no_message() -> None:
    driver = FlowDriver(NOW, consented=True)
    driver.command(Command.LOG)
    for label in ("5", "3", "Muscle tightness", "Done (1 ticked)", "Skip", "Save"):
        driver.press(label)
    assert driver.messages == []
    assert sent(driver) == []


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
    assert "Emergency number: your local emergency number" in driver.text
    driver.press("Country and emergency numbers")
    driver.press("United Kingdom")
    assert driver.ctx.profile is not None
    assert driver.ctx.profile.country == "GB"
    assert driver.ctx.profile.numbers().emergency == "999"
