"""Red flags: every rule of REFERENCE.md table 1.2 fires, misses, escalates and renders."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.clinical.codes import (
    PATTERN_FINDINGS,
    RED_FLAG_FINDINGS,
    CauseId,
    DaysRange,
    Finding,
    Tier,
)
from flows.clinical.emergency import UNKNOWN, LocalNumbers, numbers_for
from flows.clinical.rules import (
    CAUSES,
    PATTERN_QUESTIONS,
    RED_FLAGS,
    SCREENING_QUESTIONS,
    TriageResult,
    advice_for,
    advice_pointer,
    cause_summary,
    red_flag_message,
    to_json_dict,
    triage,
)
from flows.clinical.rules_data import CAUSES_BY_ID, FEATURES
from flows.locale.en_rules import MESSAGES
from flows.records.models import AdviceKind, AdviceSource

F = Finding
C = CauseId
E, U, S, R = Tier.EMERGENCY, Tier.URGENT, Tier.SOON, Tier.ROUTINE

T1_WORDING = (
    "⚠️ These symptoms can be a medical emergency (for example, nerve compression that needs "
    "treatment within hours). Call 999 or go to the nearest Emergency Department now. Don't "
    "drive yourself if your legs are weak. Take your surgery details with you."
)
DOUBT = "If you have any doubt, go to the Emergency Department now."


def flag_tiers(result: TriageResult) -> dict[str, Tier]:
    return {flag.id: flag.tier for flag in result.red_flags}


# (flag, findings answered Yes, findings answered Not sure, days since surgery, flag tier)
FIRES: list[tuple[str, list[Finding], list[Finding], int | None, Tier]] = [
    ("RF-CES-1", [F.BLADDER_CHANGE], [], 400, E),
    ("RF-CES-2", [F.SADDLE_NUMBNESS], [], 400, E),
    ("RF-CES-3", [F.BOWEL_CHANGE], [], 400, E),
    ("RF-CES-4", [F.SEXUAL_NUMBNESS], [], 400, E),
    ("RF-CES-5", [F.BOTH_LEGS_NEW], [], 400, E),
    ("RF-CES-5", [F.BOTH_LEGS_GRADUAL], [], 400, U),
    ("RF-NEU-1", [F.LEG_WEAKNESS_RAPID], [], 400, E),
    ("RF-NEU-1", [F.LEG_WEAKNESS], [], 400, U),
    ("RF-HAEM", [F.SUDDEN_SEVERE_PAIN, F.LEG_WEAKNESS], [], 5, E),
    ("RF-HAEM", [F.SUDDEN_SEVERE_PAIN, F.BOWEL_CHANGE], [], 14, E),
    ("RF-HAEM", [F.SUDDEN_SEVERE_PAIN, F.BOTH_LEGS_GRADUAL], [], 0, E),
    # REFERENCE.md §8.4: the pain alone in days 0–14 is same-day.
    ("RF-HAEM", [F.SUDDEN_SEVERE_PAIN], [], 0, U),
    ("RF-HAEM", [F.SUDDEN_SEVERE_PAIN], [], 14, U),
    # §8.4: sudden or rapidly worsening severe pain at any other time is same-day too.
    ("RF-PAIN", [F.SUDDEN_SEVERE_PAIN], [], 15, U),
    ("RF-PAIN", [F.SUDDEN_SEVERE_PAIN], [], 2000, U),
    ("RF-SEP", [F.SEPSIS_SIGNS], [], 400, E),
    ("RF-PE", [F.PE_SIGNS], [], 10, E),
    ("RF-DVT", [F.CALF_SWELLING], [], 10, U),
    ("RF-SSI-1", [F.WOUND_INFECTION_SIGNS], [], 12, U),
    ("RF-SSI-1", [F.WOUND_INFECTION_SIGNS], [], 800, U),
    ("RF-SSI-1", [F.FEVER], [], 90, U),
    ("RF-SSI-2", [F.WOUND_FLUID_CLOUDY], [], 20, U),
    ("RF-SSI-2", [F.WOUND_FLUID_CLOUDY], [], 200, U),
    ("RF-SSI-2", [F.WOUND_FLUID_CLEAR], [], 5, S),
    ("RF-SSI-2", [F.WOUND_FLUID_CLEAR], [], 30, S),
    ("RF-CSF", [F.POSITIONAL_HEADACHE], [], 10, U),
    ("RF-CSF", [F.WOUND_FLUID_CLEAR], [], 42, U),
    ("RF-INF-LATE", [F.PAIN_CONSTANT_NIGHT, F.FEVER], [], 400, U),
    ("RF-INF-LATE", [F.PAIN_CONSTANT_NIGHT, F.FEELING_UNWELL], [], 2000, U),
    ("RF-CA", [F.CANCER_HISTORY, F.PAIN_CONSTANT_NIGHT], [], 400, U),
    ("RF-CA", [F.CANCER_HISTORY, F.WEIGHT_LOSS], [], 400, U),
    ("RF-CA", [F.CANCER_HISTORY, F.SUDDEN_SEVERE_PAIN], [], 400, U),
    ("RF-CA", [F.CANCER_HISTORY, F.BETTER_THEN_RETURNED], [], 400, U),
    ("RF-CA", [F.WEIGHT_LOSS, F.PAIN_CONSTANT_NIGHT], [], 400, U),
    ("RF-FX", [F.FALL_OR_SNAP], [], 400, U),
    ("RF-HW", [F.IMPLANT_LUMP_OR_CLUNK], [], 400, S),
    ("RF-OPI", [F.OPIOID_DROWSINESS], [], 3, E),
    ("RF-MH", [F.SELF_HARM_THOUGHTS], [], 400, E),
    # REFERENCE.md §8.3: never downgraded, "not sure" included.
    ("RF-MH", [], [F.SELF_HARM_THOUGHTS], 400, E),
]

# Near misses: the flag does not fire, or fires lower (None = absent).
NEAR_MISSES: list[tuple[str, list[Finding], list[Finding], int | None, Tier | None]] = [
    ("RF-CES-1", [], [F.BLADDER_CHANGE], 400, U),
    ("RF-CES-2", [], [F.SADDLE_NUMBNESS], 400, U),
    ("RF-CES-3", [], [F.BOWEL_CHANGE], 400, U),
    ("RF-CES-4", [], [F.SEXUAL_NUMBNESS], 400, U),
    ("RF-CES-5", [F.PAIN_BOTH_LEGS], [], 400, None),
    ("RF-CES-5", [], [F.BOTH_LEGS_NEW], 400, U),
    ("RF-NEU-1", [F.PAIN_ONE_LEG, F.PAIN_NEUROPATHIC], [], 400, None),
    ("RF-NEU-1", [], [F.LEG_WEAKNESS_RAPID], 400, U),
    ("RF-HAEM", [F.SUDDEN_SEVERE_PAIN, F.LEG_WEAKNESS], [], 15, None),
    ("RF-HAEM", [F.SUDDEN_SEVERE_PAIN], [], 15, None),
    ("RF-HAEM", [F.LEG_WEAKNESS], [], 5, None),
    ("RF-HAEM", [F.SUDDEN_SEVERE_PAIN], [F.LEG_WEAKNESS], 5, U),
    ("RF-HAEM", [F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL], [], 5, None),
    # RF-HAEM says it in days 0–14, with the haematoma reason.
    ("RF-PAIN", [F.SUDDEN_SEVERE_PAIN], [], 14, None),
    ("RF-PAIN", [F.PAIN_MOSTLY_BACK, F.PAIN_CONSTANT_NIGHT], [], 400, None),
    ("RF-SEP", [], [F.SEPSIS_SIGNS], 400, U),
    ("RF-SEP", [F.FEVER, F.FEELING_UNWELL], [], 400, None),
    ("RF-PE", [], [F.PE_SIGNS], 10, U),
    ("RF-PE", [F.CALF_SWELLING], [], 10, None),
    ("RF-DVT", [F.CALF_SWELLING, F.PE_SIGNS], [], 10, None),
    ("RF-SSI-1", [F.FEVER], [], 91, None),
    ("RF-SSI-1", [F.WOUND_FLUID_CLEAR], [], 10, None),
    ("RF-SSI-2", [F.WOUND_FLUID_CLEAR], [], 4, None),
    ("RF-SSI-2", [F.WOUND_FLUID_CLEAR], [], 31, None),
    ("RF-CSF", [F.POSITIONAL_HEADACHE], [], 43, None),
    ("RF-CSF", [F.WOUND_FLUID_CLOUDY], [], 10, None),
    ("RF-INF-LATE", [F.PAIN_CONSTANT_NIGHT], [], 400, None),
    ("RF-INF-LATE", [F.FEVER], [], 400, None),
    ("RF-INF-LATE", [F.PAIN_MOSTLY_BACK, F.FEELING_UNWELL], [], 400, None),
    ("RF-CA", [F.CANCER_HISTORY, F.PAIN_MOSTLY_BACK], [], 400, None),
    ("RF-CA", [F.WEIGHT_LOSS], [], 400, None),
    ("RF-CA", [F.CANCER_HISTORY], [], 400, None),
    ("RF-FX", [F.FALL_OR_SNAP, F.PAIN_ONE_LEG], [], 400, U),
    ("RF-FX", [F.SUDDEN_SEVERE_PAIN], [], 400, None),
    ("RF-HW", [F.IMPLANT_LUMP_OR_CLUNK, F.FEVER], [], 400, S),
    ("RF-HW", [F.PAIN_MECHANICAL], [], 400, None),
    ("RF-OPI", [], [F.OPIOID_DROWSINESS], 3, U),
    ("RF-MH", [F.LOW_MOOD], [], 400, None),
    ("RF-MH", [F.LOW_MOOD, F.PAIN_CONSTANT_NIGHT, F.NEVER_IMPROVED], [], 400, None),
]

ESCALATIONS: list[tuple[str, list[Finding], int, Tier]] = [
    ("RF-CES-5", [F.BOTH_LEGS_GRADUAL, F.BLADDER_CHANGE], 400, E),
    ("RF-CES-5", [F.BOTH_LEGS_GRADUAL, F.SEXUAL_NUMBNESS], 400, E),
    ("RF-CES-5", [F.BOTH_LEGS_GRADUAL, F.LEG_WEAKNESS], 400, E),
    ("RF-NEU-1", [F.LEG_WEAKNESS, F.BOTH_LEGS_GRADUAL], 400, E),
    ("RF-NEU-1", [F.LEG_WEAKNESS, F.SADDLE_NUMBNESS], 400, E),
    ("RF-INF-LATE", [F.PAIN_CONSTANT_NIGHT, F.FEVER, F.LEG_WEAKNESS], 400, E),
    ("RF-INF-LATE", [F.PAIN_CONSTANT_NIGHT, F.FEELING_UNWELL, F.BOTH_LEGS_GRADUAL], 400, E),
    ("RF-SSI-1", [F.WOUND_INFECTION_SIGNS, F.SEPSIS_SIGNS], 20, E),
    ("RF-SSI-1", [F.FEVER, F.SEPSIS_SIGNS], 20, E),
    ("RF-CA", [F.CANCER_HISTORY, F.PAIN_CONSTANT_NIGHT, F.LEG_WEAKNESS], 400, E),
    ("RF-CA", [F.WEIGHT_LOSS, F.PAIN_CONSTANT_NIGHT, F.BOWEL_CHANGE], 400, E),
    ("RF-FX", [F.FALL_OR_SNAP, F.LEG_WEAKNESS], 400, E),
    ("RF-FX", [F.FALL_OR_SNAP, F.BOTH_LEGS_GRADUAL], 400, E),
    ("RF-HW", [F.IMPLANT_LUMP_OR_CLUNK, F.WOUND_INFECTION_SIGNS], 400, U),
]


@pytest.mark.parametrize(("flag", "yes", "unsure", "days", "tier"), FIRES)
def test_flag_fires_with_its_tier(
    flag: str, yes: list[Finding], unsure: list[Finding], days: int | None, tier: Tier
) -> None:
    result = triage(yes, unsure, days)
    assert flag_tiers(result)[flag] is tier
    # Clear wound fluid also fires RF-CSF (T2) whenever RF-SSI-2's clear-fluid T3 can fire.
    expected = U if F.WOUND_FLUID_CLEAR in yes else tier
    assert result.tier is expected


def test_clear_fluid_shows_both_csf_and_ssi2() -> None:
    assert flag_tiers(triage([F.WOUND_FLUID_CLEAR], (), 12)) == {"RF-CSF": U, "RF-SSI-2": S}


@pytest.mark.parametrize(("flag", "yes", "unsure", "days", "tier"), NEAR_MISSES)
def test_near_miss_does_not_fire_at_full_tier(
    flag: str, yes: list[Finding], unsure: list[Finding], days: int | None, tier: Tier | None
) -> None:
    assert flag_tiers(triage(yes, unsure, days)).get(flag) is tier


def test_every_flag_has_a_firing_case_and_a_near_miss() -> None:
    ids = [rule.id for rule in RED_FLAGS]
    assert sorted({case[0] for case in FIRES}) == sorted(ids)
    assert sorted({case[0] for case in NEAR_MISSES}) == sorted(ids)


@pytest.mark.parametrize(("flag", "yes", "days", "tier"), ESCALATIONS)
def test_escalation_combination(flag: str, yes: list[Finding], days: int, tier: Tier) -> None:
    result = triage(yes, (), days)
    assert flag_tiers(result)[flag] is tier
    assert result.tier is tier


@pytest.mark.parametrize(
    ("yes", "days", "flag"),
    [
        ([F.SUDDEN_SEVERE_PAIN, F.LEG_WEAKNESS], None, "RF-HAEM"),
        ([F.POSITIONAL_HEADACHE], None, "RF-CSF"),
        ([F.FEVER], None, "RF-SSI-1"),
        ([F.WOUND_FLUID_CLEAR], None, "RF-SSI-2"),
    ],
)
def test_unknown_days_keep_windowed_rules_firing(
    yes: list[Finding], days: None, flag: str
) -> None:
    assert flag in triage(yes, (), days).flag_ids


def test_haem_with_unknown_days_is_an_emergency() -> None:
    result = triage([F.SUDDEN_SEVERE_PAIN, F.LEG_WEAKNESS], ())
    assert flag_tiers(result)["RF-HAEM"] is E
    assert result.emergency


# ---------------------------------------------------------------------------------------------
# Not sure (REFERENCE.md §1.1 rule 5)
# ---------------------------------------------------------------------------------------------

T1_ITEMS = [
    F.BLADDER_CHANGE,
    F.SADDLE_NUMBNESS,
    F.BOWEL_CHANGE,
    F.SEXUAL_NUMBNESS,
    F.BOTH_LEGS_NEW,
    F.LEG_WEAKNESS_RAPID,
    F.SEPSIS_SIGNS,
    F.PE_SIGNS,
    F.OPIOID_DROWSINESS,
]


@pytest.mark.parametrize("finding", T1_ITEMS)
def test_unsure_t1_item_is_urgent_with_doubt_line(finding: Finding) -> None:
    result = triage((), [finding], 200)
    assert result.tier is U
    assert result.if_in_doubt
    assert not result.emergency
    assert all(flag.unsure and flag.if_in_doubt for flag in result.red_flags)
    assert DOUBT in red_flag_message(result, "en", numbers_for("DE"))


@pytest.mark.parametrize(
    ("finding", "days", "tier"),
    [
        (F.CALF_SWELLING, 10, U),
        (F.WOUND_INFECTION_SIGNS, 10, U),
        (F.WOUND_FLUID_CLOUDY, 10, U),
        (F.POSITIONAL_HEADACHE, 10, U),
        (F.FALL_OR_SNAP, 400, U),
        (F.LEG_WEAKNESS, 400, U),
        (F.BOTH_LEGS_GRADUAL, 400, U),
        (F.IMPLANT_LUMP_OR_CLUNK, 400, S),
        (F.WOUND_FLUID_CLEAR, 20, U),
    ],
)
def test_unsure_non_t1_item_keeps_its_own_tier(finding: Finding, days: int, tier: Tier) -> None:
    result = triage((), [finding], days)
    assert result.tier is tier
    assert not result.if_in_doubt
    assert result.red_flags
    assert all(flag.unsure for flag in result.red_flags)
    assert DOUBT not in red_flag_message(result, "en", numbers_for("DE"))


def test_unsure_escalation_partner_sets_doubt_without_emergency() -> None:
    result = triage([F.FALL_OR_SNAP], [F.LEG_WEAKNESS], 400)
    fx = result.red_flags[[f.id for f in result.red_flags].index("RF-FX")]
    assert (fx.tier, fx.unsure, fx.if_in_doubt) == (U, True, True)
    assert result.tier is U
    assert result.if_in_doubt


def test_yes_wins_over_unsure_for_the_same_code() -> None:
    result = triage([F.BLADDER_CHANGE], [F.BLADDER_CHANGE], 400)
    assert result.tier is E
    assert not result.red_flags[0].unsure
    assert not result.if_in_doubt


def test_unsure_pe_does_not_hide_dvt() -> None:
    result = triage([F.CALF_SWELLING], [F.PE_SIGNS], 10)
    assert flag_tiers(result) == {"RF-PE": U, "RF-DVT": U}
    assert result.if_in_doubt


def test_emergency_plus_unsure_item_has_no_doubt_line() -> None:
    result = triage([F.PE_SIGNS], [F.BLADDER_CHANGE], 10)
    assert result.tier is E
    assert result.if_in_doubt
    assert DOUBT not in red_flag_message(result, "en", numbers_for("DE"))


# ---------------------------------------------------------------------------------------------
# Precedence and warnings that fire no rule
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "days", "tier"),
    [
        ([F.BLADDER_CHANGE, F.IMPLANT_LUMP_OR_CLUNK, F.CALF_SWELLING], 10, E),
        ([F.CALF_SWELLING, F.IMPLANT_LUMP_OR_CLUNK], 10, U),
        ([F.IMPLANT_LUMP_OR_CLUNK, F.PAIN_MECHANICAL], 400, S),
        ([F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL, F.SMOKER], 400, R),
        ([], 400, R),
        ([], None, R),
    ],
)
def test_highest_tier_wins(yes: list[Finding], days: int | None, tier: Tier) -> None:
    assert triage(yes, (), days).tier is tier


def test_flags_are_ordered_most_urgent_first() -> None:
    result = triage([F.IMPLANT_LUMP_OR_CLUNK, F.CALF_SWELLING, F.SELF_HARM_THOUGHTS], (), 10)
    assert result.flag_ids == ("RF-MH", "RF-DVT", "RF-HW")
    assert [flag.tier for flag in result.red_flags] == [E, U, S]


def test_causes_are_still_listed_when_a_red_flag_fires() -> None:
    yes = [F.BLADDER_CHANGE, F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL, F.SMOKER]
    result = triage(yes, (), 500)
    assert result.tier is E
    # §8.5: the CES flag names recurrent compression, listed first; the scored causes follow.
    assert [c.id for c in result.causes[:2]] == [
        CauseId.RECURRENT_COMPRESSION,
        CauseId.PSEUDARTHROSIS,
    ]


@pytest.mark.parametrize(
    ("yes", "unsure", "days", "warnings"),
    [
        ([F.WEIGHT_LOSS], [], 100, (F.WEIGHT_LOSS,)),
        ([F.FEELING_UNWELL], [], 100, (F.FEELING_UNWELL,)),
        ([F.POSITIONAL_HEADACHE], [], 100, (F.POSITIONAL_HEADACHE,)),
        ([], [F.WEIGHT_LOSS], 100, (F.WEIGHT_LOSS,)),
    ],
)
def test_warning_symptom_that_fires_no_rule_is_soon(
    yes: list[Finding], unsure: list[Finding], days: int, warnings: tuple[Finding, ...]
) -> None:
    result = triage(yes, unsure, days)
    assert result.red_flags == ()
    assert result.tier is S
    assert result.other_warnings == warnings
    message = red_flag_message(result, "en", numbers_for("DE"))
    assert "within the next few days" in message
    assert MESSAGES[f"rules.finding.{warnings[0].value}"] in message


@pytest.mark.parametrize(
    ("yes", "days"),
    [([F.FEVER], 200), ([F.WOUND_FLUID_CLEAR], 60)],
)
def test_warning_symptom_that_makes_infection_the_first_cause_is_same_day(
    yes: list[Finding], days: int
) -> None:
    # A temperature after day 90, clear fluid after day 42: no flag, but infection is the
    # first-listed cause and its first step is a same-day review (§2.4 G, §8.5).
    result = triage(yes, (), days)
    assert result.red_flags == ()
    assert result.other_warnings == tuple(yes)
    assert result.causes[0].id is CauseId.INFECTION
    assert result.tier is U


def test_covered_warning_is_not_repeated() -> None:
    result = triage([F.PAIN_CONSTANT_NIGHT, F.FEVER], (), 200)
    assert result.flag_ids == ("RF-INF-LATE",)
    assert result.other_warnings == ()


def test_negative_days_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        triage([F.FEVER], (), -1)


# ---------------------------------------------------------------------------------------------
# Messages (REFERENCE.md §5.3)
# ---------------------------------------------------------------------------------------------


def test_emergency_message_is_the_reference_wording() -> None:
    message = red_flag_message(triage([F.SADDLE_NUMBNESS], (), 30), "en", numbers_for("GB"))
    assert message.startswith(T1_WORDING)
    assert MESSAGES["rules.flag.rf_ces_2.message"] in message


def test_urgent_message_says_today_and_names_the_number() -> None:
    message = red_flag_message(triage([F.CALF_SWELLING], (), 30), "en", numbers_for("US"))
    assert message.startswith(
        "Please contact your surgical team or the on-call spinal service today."
    )
    assert "If things get worse, call 911." in message
    assert MESSAGES["rules.flag.rf_dvt.message"] in message
    assert DOUBT not in message


def test_urgent_message_names_the_same_day_route() -> None:
    result = triage([F.CALF_SWELLING], (), 30)
    assert red_flag_message(result, "en", GB).startswith(
        "Please contact your surgical team or the on-call spinal service today. If you can't "
        "reach them, call NHS 111. If things get worse, call 999.\n\nWhy:\n• "
    )
    assert "111" in red_flag_message(result, "en", numbers_for("GB"))
    assert "call your doctor or an urgent care service" in red_flag_message(result, "en", UNKNOWN)


def test_soon_message_says_within_days() -> None:
    message = red_flag_message(triage([F.IMPLANT_LUMP_OR_CLUNK], (), 400), "en", numbers_for("DE"))
    assert message.startswith("Please let your surgeon's team know within the next few days.")
    assert MESSAGES["rules.flag.rf_hw.message"] in message


GB = LocalNumbers(country="GB", emergency="999", same_day="NHS 111", crisis="Samaritans 116 123")

CRISIS_GB = (
    "💙 Thank you for telling me. Living with pain can bring thoughts like these, and you "
    "deserve support with them right now. You don't have to face this alone.\n"
    "Call Samaritans 116 123 to talk to someone, at any time, day or night.\n"
    "If you might act on these thoughts, or you can't keep yourself safe, call 999 or go to "
    "the nearest Emergency Department now.\n"
    "If you can, tell someone you trust how you feel, and ask them to stay with you."
)


@pytest.mark.parametrize(
    ("yes", "unsure", "known"),
    [
        ([F.SELF_HARM_THOUGHTS], [], []),
        ([], [F.SELF_HARM_THOUGHTS], []),
        ([], [], [F.SELF_HARM_THOUGHTS]),
    ],
    ids=["yes", "not sure", "not new, my team knows"],
)
def test_self_harm_gets_the_crisis_message_alone_and_is_never_downgraded(
    yes: list[Finding], unsure: list[Finding], known: list[Finding]
) -> None:
    # REFERENCE.md §8.3 (RF-MH): its own message, not the spine-emergency text.
    result = triage(yes, unsure, 400, known=known)
    assert result.flag_ids == ("RF-MH",)
    assert result.tier is E
    assert result.known == ()
    assert not result.if_in_doubt
    assert red_flag_message(result, "en", GB) == CRISIS_GB
    assert "nerve compression" not in red_flag_message(result, "en", GB)


def test_crisis_message_names_the_countrys_crisis_line_and_emergency_number() -> None:
    result = triage([F.SELF_HARM_THOUGHTS], (), 400)
    gb = red_flag_message(result, "en", numbers_for("GB"))
    assert "116 123" in gb
    assert "call 999" in gb
    us = red_flag_message(result, "en", numbers_for("US"))
    assert "988" in us
    assert "call 911" in us
    unknown = red_flag_message(result, "en", UNKNOWN)
    assert "Call your local crisis line" in unknown
    assert "call your local emergency number (112 in Europe" in unknown
    assert "116 123" not in red_flag_message(triage([F.PE_SIGNS], (), 4), "en", numbers_for("GB"))


def test_crisis_comes_first_and_other_flags_follow_at_their_own_tier() -> None:
    result = triage([F.SELF_HARM_THOUGHTS, F.CALF_SWELLING], (), 10)
    assert result.flag_ids == ("RF-MH", "RF-DVT")
    message = red_flag_message(result, "en", GB)
    assert message.startswith(CRISIS_GB + "\n\n")
    rest = message.removeprefix(CRISIS_GB + "\n\n")
    assert rest.startswith(
        "Please contact your surgical team or the on-call spinal service today. If you can't "
        "reach them, call NHS 111. If things get worse, call 999."
    )
    assert MESSAGES["rules.flag.rf_dvt.message"] in rest
    assert rest.count("•") == 1


def test_crisis_with_a_spine_emergency_gives_both_crisis_first() -> None:
    message = red_flag_message(triage([F.SELF_HARM_THOUGHTS, F.BOWEL_CHANGE], (), 10), "en", GB)
    assert message.index(CRISIS_GB) == 0
    assert T1_WORDING in message
    assert MESSAGES["rules.flag.rf_ces_3.message"] in message


def test_crisis_advice_is_of_its_own_kind() -> None:
    advice = advice_for(
        triage([], [F.SELF_HARM_THOUGHTS], None),
        "en",
        GB,
        AdviceSource.CHECK,
        answered=[F.SELF_HARM_THOUGHTS],
    )
    assert advice is not None
    assert (advice.kind, advice.tier) == (AdviceKind.CRISIS, E)
    assert advice.text == CRISIS_GB
    assert advice.red_flags == ("RF-MH",)
    assert advice.findings == (F.SELF_HARM_THOUGHTS,)
    pointer = advice_pointer(advice, "en", GB)
    assert "Samaritans 116 123" in pointer
    assert "\n" not in pointer


def test_json_message_of_the_crisis_flag_is_the_crisis_message() -> None:
    payload = to_json_dict(triage([F.SELF_HARM_THOUGHTS], (), 3), "en", GB)
    assert payload["red_flags"] == [{"id": "RF-MH", "tier": "emergency", "message": CRISIS_GB}]


def test_routine_message_names_the_emergency_number() -> None:
    message = red_flag_message(triage([F.PAIN_MOSTLY_BACK], (), 400), "en", numbers_for("AU"))
    assert "call 000" in message


REASSURING = re.compile(
    r"probably nothing|nothing to worry|don't worry|no need to|is normal|are normal|"
    r"nothing serious|unlikely",
    re.IGNORECASE,
)


@pytest.mark.parametrize("flag", [case for case in FIRES if not case[2]])
def test_red_flag_messages_never_reassure(
    flag: tuple[str, list[Finding], list[Finding], int | None, Tier],
) -> None:
    message = red_flag_message(triage(flag[1], (), flag[3]), "en", numbers_for("DE"))
    assert not REASSURING.search(message)
    payload = json.dumps(to_json_dict(triage(flag[1], (), flag[3]), "en"))
    assert not REASSURING.search(payload)


def test_json_shape_is_the_design_contract() -> None:
    yes = [F.IMPLANT_LUMP_OR_CLUNK, F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL, F.SMOKER]
    payload = to_json_dict(triage(yes, [F.BLADDER_CHANGE], 500), "en", numbers_for("DE"))
    assert set(payload) == {"tier", "red_flags", "causes"}
    assert payload["tier"] == "urgent"
    flags = payload["red_flags"]
    assert isinstance(flags, list)
    assert [set(flag) for flag in flags] == [{"id", "tier", "message"}] * len(flags)
    assert [flag["id"] for flag in flags] == ["RF-CES-1", "RF-HW"]
    assert flags[0]["tier"] == "urgent"
    assert flags[0]["message"].endswith(DOUBT)
    causes = payload["causes"]
    assert isinstance(causes, list)
    # §8.5: the flags name their causes, in flag order; the scored causes follow.
    assert [c["id"] for c in causes[:3]] == [
        "recurrent_compression",
        "hardware_failure",
        "pseudarthrosis",
    ]
    assert isinstance(causes[0]["score"], float)
    assert all(set(cause) == {"id", "score", "why", "tests"} for cause in causes)
    assert all(cause["why"] and cause["tests"] for cause in causes)
    assert json.loads(json.dumps(payload)) == payload


def test_json_message_of_an_emergency_flag_says_what_to_do() -> None:
    payload = to_json_dict(triage([F.OPIOID_DROWSINESS], (), 2), "en")
    assert payload["red_flags"] == [
        {
            "id": "RF-OPI",
            "tier": "emergency",
            "message": MESSAGES["rules.flag.rf_opi.message"]
            + " Call your local emergency number (112 in Europe, 911 in North America, 999 in the"
            " UK) or go to the nearest Emergency Department now.",
        }
    ]


def test_cause_summary_wording() -> None:
    yes = [F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL, F.SMOKER, F.MULTILEVEL_FUSION]
    summary = cause_summary(triage(yes, (), 540), "en", top=2)
    lines = summary.splitlines()
    assert lines[0] == "Possible reasons your surgeon may want to check (not a diagnosis):"
    assert lines[1].startswith("• The bones may not have fused fully")
    assert "your operation was about 18 months ago" in lines[1]
    assert lines[2].startswith("• A screw or rod may have loosened")
    assert lines[3].startswith("Tests they might consider: a fine-cut CT scan;")
    assert len(lines) == 4


def test_cause_summary_is_empty_without_causes() -> None:
    assert cause_summary(triage([F.PE_SIGNS], (), 10), "en") == ""


def test_cause_summary_keeps_structural_causes_and_adds_support() -> None:
    yes = [F.LOW_MOOD, F.PAIN_CONSTANT_NIGHT, F.NEVER_IMPROVED, F.PAIN_NEUROPATHIC]
    result = triage(yes, (), 200)
    assert result.causes[0].id is CauseId.NEUROPATHIC_PAIN
    assert CauseId.PSYCHOSOCIAL_FACTORS in [c.id for c in result.causes[:3]]
    summary = cause_summary(result, "en")
    assert MESSAGES["rules.cause.psychosocial_factors.name"] not in summary
    assert summary.count("\n• ") == 3
    assert summary.endswith(MESSAGES["rules.causes.support"])


def test_psychosocial_on_top_never_displaces_structural_causes() -> None:
    result = triage([F.LOW_MOOD, F.PAIN_CONSTANT_NIGHT], (), None)
    assert [c.id for c in result.causes] == [
        CauseId.PSYCHOSOCIAL_FACTORS,
        CauseId.INFECTION,
        CauseId.EPIDURAL_FIBROSIS,
        CauseId.NEUROPATHIC_PAIN,
    ]
    summary = cause_summary(result, "en")
    assert MESSAGES["rules.cause.infection.name"] in summary
    assert MESSAGES["rules.cause.psychosocial_factors.name"] not in summary
    assert summary.endswith(MESSAGES["rules.causes.support"])


# ---------------------------------------------------------------------------------------------
# Questions and catalogue
# ---------------------------------------------------------------------------------------------


def test_screening_questions_cover_every_red_flag_symptom() -> None:
    recorded = [f for q in SCREENING_QUESTIONS for f in q.findings]
    assert len(recorded) == len(set(recorded))
    assert set(recorded) == set(RED_FLAG_FINDINGS) | {F.CANCER_HISTORY}


def test_screening_questions_point_at_rules_that_use_them() -> None:
    rules = {rule.id: rule for rule in RED_FLAGS}
    for question in SCREENING_QUESTIONS:
        rule = rules[question.flag_id]
        assert set(question.findings) <= set(rule.findings()), question.id
        assert question.t1 is (rule.tier is E), question.id


def test_t1_questions_come_first() -> None:
    flags = [q.t1 for q in SCREENING_QUESTIONS]
    assert flags == sorted(flags, reverse=True)
    assert flags.count(True) == 11


def test_follow_up_choices_are_most_urgent_first() -> None:
    for question in SCREENING_QUESTIONS:
        if question.choices:
            tiers = [triage([c.finding], (), 400).tier.rank for c in question.choices]
            assert tiers == sorted(tiers, reverse=True), question.id
            assert tiers[0] == E.rank


def test_pattern_questions_cover_every_pattern_finding_once() -> None:
    assert tuple(q.finding for q in PATTERN_QUESTIONS) == PATTERN_FINDINGS


def test_every_rule_question_is_asked() -> None:
    asked = {q.key for q in SCREENING_QUESTIONS} | {q.key for q in PATTERN_QUESTIONS}
    for rule in RED_FLAGS:
        assert set(rule.question_keys) <= asked, rule.id


def used_keys() -> set[str]:
    keys = {"rules.q.new_or_worse", "rules.emergency_number.generic", "rules.if_in_doubt"}
    keys |= {"rules.same_day.generic", "rules.crisis_line.generic"}
    keys |= {"rules.why_heading", "rules.other_warnings", "rules.known", "rules.why.red_flag"}
    keys |= {"rules.cause_floor.first", "rules.cause_floor.listed", "rules.diary_kept"}
    keys |= {f"rules.pointer.{kind.value}" for kind in AdviceKind}
    keys |= {
        f"rules.crisis.{name}"
        for name in ("message", "keep_going", "continue", "stop", "stopped", "reminder")
    }
    keys.add("rules.crisis.pattern_intro")
    keys |= {f"rules.tier.{tier.value}" for tier in Tier}
    keys |= {f"rules.action.{tier.value}" for tier in (E, U, S)}
    keys |= {f"rules.finding.{f.value}" for f in RED_FLAG_FINDINGS}
    keys |= {"rules.causes.heading", "rules.causes.line", "rules.causes.tests"}
    keys |= {"rules.causes.support"}
    for rule in RED_FLAGS:
        keys |= {rule.name_key, rule.message_key, *rule.question_keys}
    for question in SCREENING_QUESTIONS:
        keys.add(question.key)
        if question.follow_up_key is not None:
            keys.add(question.follow_up_key)
        keys |= {c.key for c in question.choices}
    keys |= {q.key for q in PATTERN_QUESTIONS}
    for cause in CAUSES:
        keys |= {cause.name_key, cause.first_line_key, cause.advanced_key, *cause.test_keys}
    keys |= {feature.reason_key for feature in FEATURES}
    keys |= {feature.range_reason_key for feature in FEATURES if feature.range_reason_key}
    return keys


def test_catalogue_has_every_key_and_no_orphans() -> None:
    assert used_keys() == set(MESSAGES)


SAMPLE_VALUES = {
    "emergency_number": "112",
    "same_day": "NHS 111",
    "crisis_line": "Samaritans 116 123",
    "step": "A step.",
    "symptom": "new bladder problems",
    "date": "2026-03-08",
    "days": 400,
    "weeks": 57,
    "months": 13,
    "years": 1,
    "symptoms": "weight loss",
    "cause": "A cause",
    "why": "a reason",
    "tests": "a test",
}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_text_formats_with_the_values_the_rules_give(key: str) -> None:
    text = MESSAGES[key].format(**SAMPLE_VALUES)
    assert text.strip()
    assert "{" not in text


# ---------------------------------------------------------------------------------------------
# Days since surgery as a range (REFERENCE.md §8.1)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "days", "flag", "fires"),
    [
        # A window is open when the range overlaps it: the day is never guessed.
        ([F.SUDDEN_SEVERE_PAIN, F.LEG_WEAKNESS], DaysRange(10, 40), "RF-HAEM", True),
        ([F.SUDDEN_SEVERE_PAIN, F.LEG_WEAKNESS], DaysRange(15, 45), "RF-HAEM", False),
        ([F.SUDDEN_SEVERE_PAIN], DaysRange(0, 30), "RF-HAEM", True),
        ([F.SUDDEN_SEVERE_PAIN], DaysRange(15, 30), "RF-HAEM", False),
        ([F.FEVER], DaysRange(80, 110), "RF-SSI-1", True),
        ([F.FEVER], DaysRange(91, 120), "RF-SSI-1", False),
        ([F.FEVER], DaysRange(0, None), "RF-SSI-1", True),
        ([F.FEVER], DaysRange(91, None), "RF-SSI-1", False),
        ([F.POSITIONAL_HEADACHE], DaysRange(40, 70), "RF-CSF", True),
        ([F.POSITIONAL_HEADACHE], DaysRange(43, 70), "RF-CSF", False),
        ([F.WOUND_FLUID_CLEAR], DaysRange(0, 5), "RF-SSI-2", True),
        ([F.WOUND_FLUID_CLEAR], DaysRange(0, 4), "RF-SSI-2", False),
    ],
)
def test_a_window_is_open_when_the_known_range_overlaps_it(
    yes: list[Finding], days: DaysRange, flag: str, fires: bool
) -> None:
    assert (flag in triage(yes, (), days).flag_ids) is fires


@pytest.mark.parametrize("days", [0, 14, 15, 42, 90, 91, 400])
def test_an_int_is_an_exact_day(days: int) -> None:
    yes = [F.SUDDEN_SEVERE_PAIN, F.FEVER, F.POSITIONAL_HEADACHE, F.PAIN_MOSTLY_BACK]
    assert triage(yes, (), days) == triage(yes, (), DaysRange.exactly(days))


def test_unknown_days_open_every_window_like_a_range_without_bounds() -> None:
    yes = [F.SUDDEN_SEVERE_PAIN, F.LEG_WEAKNESS, F.FEVER, F.WOUND_FLUID_CLEAR]
    assert triage(yes, (), None).flag_ids == triage(yes, (), DaysRange(0, None)).flag_ids


# ---------------------------------------------------------------------------------------------
# Causes and tier agree (REFERENCE.md §8.5)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "days", "first"),
    [
        ([F.SEPSIS_SIGNS, F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL], 400, [C.INFECTION]),
        ([F.WOUND_INFECTION_SIGNS, F.PAIN_MOSTLY_BACK], 20, [C.INFECTION]),
        ([F.WOUND_FLUID_CLOUDY, F.PAIN_ONE_LEG, F.PAIN_NEUROPATHIC], 200, [C.INFECTION]),
        ([F.PAIN_CONSTANT_NIGHT, F.FEELING_UNWELL, F.PAIN_ONE_LEG], 2000, [C.INFECTION]),
        (
            [F.FALL_OR_SNAP, F.PAIN_ONE_LEG, F.PAIN_NEUROPATHIC],
            400,
            [C.HARDWARE_FAILURE, C.SAGITTAL_IMBALANCE],
        ),
        ([F.BLADDER_CHANGE, F.PAIN_MOSTLY_BACK, F.SMOKER], 500, [C.RECURRENT_COMPRESSION]),
        ([F.LEG_WEAKNESS, F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL], 500, [C.RECURRENT_COMPRESSION]),
        ([F.BOTH_LEGS_GRADUAL], 1000, [C.RECURRENT_COMPRESSION]),
        ([F.IMPLANT_LUMP_OR_CLUNK, F.PAIN_MOSTLY_BACK, F.SMOKER], 400, [C.HARDWARE_FAILURE]),
    ],
)
def test_a_cause_the_red_flag_names_is_listed_first(
    yes: list[Finding], days: int, first: list[CauseId]
) -> None:
    result = triage(yes, (), days)
    assert [c.id for c in result.causes[: len(first)]] == first
    assert all(c.named_by_flag for c in result.causes[: len(first)])
    assert result.causes[0].why[0].text("en") == MESSAGES["rules.why.red_flag"]
    assert not any(c.named_by_flag for c in result.causes[len(first) :])


@pytest.mark.parametrize(
    ("yes", "days"),
    [
        # The same pain without the flag: nothing names a cause.
        ([F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL], 400),
        ([F.PAIN_ONE_LEG, F.PAIN_NEUROPATHIC], 400),
        # Flags that name no cause.
        ([F.PE_SIGNS, F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL], 400),
        ([F.SUDDEN_SEVERE_PAIN, F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL], 400),
    ],
)
def test_near_miss_no_flag_names_a_cause(yes: list[Finding], days: int) -> None:
    result = triage(yes, (), days)
    assert not any(c.named_by_flag for c in result.causes)
    assert result.causes[0].id is not C.INFECTION


def test_infection_is_listed_first_when_an_infection_flag_fires_even_without_a_score() -> None:
    # RF-SSI-1 on a temperature in the first weeks: infection leads, at the flag's tier.
    result = triage([F.FEVER], (), 20)
    assert result.flag_ids == ("RF-SSI-1",)
    assert result.causes[0].id is C.INFECTION
    assert result.tier is U
    assert result.cause_floor is None


@pytest.mark.parametrize(
    ("yes", "days", "tier", "first"),
    [
        # Late infection often has no fever: constant/night pain with diabetes or a weakened
        # immune system ranks infection first, and its same-day review sets the tier.
        ([F.PAIN_CONSTANT_NIGHT, F.DIABETES], 200, U, True),
        ([F.PAIN_CONSTANT_NIGHT, F.IMMUNOSUPPRESSED], 1000, U, True),
        # Ranked below a nerve-pain pattern, infection still keeps the result off routine.
        (
            [F.PAIN_CONSTANT_NIGHT, F.DIABETES, F.PAIN_ONE_LEG, F.PAIN_NEUROPATHIC],
            400,
            S,
            False,
        ),
    ],
)
def test_the_tier_is_never_below_the_first_step_of_a_listed_cause(
    yes: list[Finding], days: int, tier: Tier, first: bool
) -> None:
    result = triage(yes, (), days)
    assert result.red_flags == ()
    assert result.tier is tier
    assert result.cause_floor is not None
    assert (result.cause_floor.cause, result.cause_floor.first) == (C.INFECTION, first)
    assert (result.causes[0].id is C.INFECTION) is first
    message = red_flag_message(result, "en", GB)
    assert MESSAGES["rules.cause.infection.name"] in message
    assert "Nothing you told me needs urgent care" not in message


def test_same_day_cause_floor_message() -> None:
    message = red_flag_message(triage([F.PAIN_CONSTANT_NIGHT, F.DIABETES], (), 200), "en", GB)
    assert message == (
        "Please contact your surgical team or the on-call spinal service today. If you can't "
        "reach them, call NHS 111. If things get worse, call 999.\n\nWhy:\n"
        "• Your answers fit this possible cause best: An infection around the spine or "
        "implant. Its usual first step: A review by the surgical team the same day."
    )


@pytest.mark.parametrize(
    ("yes", "days"),
    [
        # Mostly back pain months after surgery scores infection a little, but without a
        # temperature, a wound problem or constant/night pain infection is not listed.
        ([F.PAIN_MOSTLY_BACK, F.SMOKER, F.DIABETES], 200),
        ([F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL, F.MULTILEVEL_FUSION], 20),
    ],
)
def test_near_miss_infection_without_its_own_pattern_is_not_listed_and_stays_routine(
    yes: list[Finding], days: int
) -> None:
    result = triage(yes, (), days)
    assert C.INFECTION not in [c.id for c in result.causes]
    assert result.tier is R
    assert result.cause_floor is None


def test_a_floor_that_does_not_raise_the_tier_adds_no_line() -> None:
    result = triage([F.PAIN_CONSTANT_NIGHT, F.FEVER], (), 400)
    assert result.flag_ids == ("RF-INF-LATE",)
    assert result.cause_floor is None


_ANY_FINDINGS = st.sets(st.sampled_from(list(Finding)), max_size=6)
_ANY_DAYS = st.one_of(st.none(), st.integers(min_value=0, max_value=3000))


@settings(max_examples=300, deadline=None)
@given(yes=_ANY_FINDINGS, unsure=_ANY_FINDINGS, days=_ANY_DAYS)
def test_nothing_urgent_never_sits_beside_an_urgent_first_step(
    yes: set[Finding], unsure: set[Finding], days: int | None
) -> None:
    result = triage(yes, unsure, days)
    listed = [CAUSES_BY_ID[c.id].next_step_tier for c in result.causes]
    if any(tier is not R for tier in listed):
        assert result.tier is not R
    structural = [c for c in result.causes if c.id is not C.PSYCHOSOCIAL_FACTORS]
    if structural:
        assert result.tier.rank >= CAUSES_BY_ID[structural[0].id].next_step_tier.rank


# ---------------------------------------------------------------------------------------------
# Long-standing symptoms the team knows about (REFERENCE.md §1.1 rule 5)
# ---------------------------------------------------------------------------------------------


def test_a_known_symptom_fires_no_flag_and_is_soon() -> None:
    result = triage((), (), 400, known=[F.BLADDER_CHANGE])
    assert result.red_flags == ()
    assert result.known == (F.BLADDER_CHANGE,)
    assert result.tier is S
    message = red_flag_message(result, "en", GB)
    assert message.startswith("Please let your surgeon's team know within the next few days.")
    assert MESSAGES["rules.finding.bladder_change"] in message


def test_near_miss_a_known_symptom_also_answered_yes_counts_as_yes() -> None:
    result = triage([F.BLADDER_CHANGE], (), 400, known=[F.BLADDER_CHANGE])
    assert result.flag_ids == ("RF-CES-1",)
    assert result.known == ()
    assert result.tier is E
