"""Causes: the §2.3 weights, time since surgery, and the typical pattern of each §2.2 cause."""

from __future__ import annotations

import pytest

from flows.clinical.codes import CauseId, DaysRange, Finding
from flows.clinical.rules import CAUSES, RankedCause, triage
from flows.clinical.rules_data import CAUSE_COLUMNS, FEATURES, WEIGHT_MATRIX
from flows.locale.en_rules import MESSAGES

F = Finding
C = CauseId


def ranking(findings: list[Finding], days: int | None) -> list[CauseId]:
    return [cause.id for cause in triage(findings, (), days).causes]


def cause(findings: list[Finding], days: int | None, cause_id: CauseId) -> RankedCause:
    return next(c for c in triage(findings, (), days).causes if c.id is cause_id)


# The typical pattern of each cause in REFERENCE.md §2.2: (findings, days, cause, top n).
TYPICAL: dict[str, tuple[list[Finding], int | None, CauseId, int]] = {
    "A technical miss: never better, one leg, straight after surgery": (
        [F.NEVER_IMPROVED, F.PAIN_ONE_LEG],
        10,
        C.MISSED_PAIN_SOURCE,
        2,
    ),
    "B non-union: axial mechanical pain 18 months after a 3-level fusion in a smoker": (
        [F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL, F.SMOKER, F.MULTILEVEL_FUSION],
        540,
        C.PSEUDARTHROSIS,
        1,
    ),
    "C hardware: clunk, mechanical pain, osteoporosis at 15 months": (
        [F.IMPLANT_LUMP_OR_CLUNK, F.PAIN_MECHANICAL, F.OSTEOPOROSIS_OR_STEROIDS],
        450,
        C.HARDWARE_FAILURE,
        1,
    ),
    "D adjacent segment: better then returned years later, claudication": (
        [F.BETTER_THEN_RETURNED, F.PAIN_WALKING_RELIEVED_SITTING],
        1500,
        C.ADJACENT_SEGMENT_DISEASE,
        1,
    ),
    "D adjacent segment: better then returned years later": (
        [F.BETTER_THEN_RETURNED],
        1500,
        C.ADJACENT_SEGMENT_DISEASE,
        1,
    ),
    "E compression: one leg, nerve pain soon after surgery": (
        [F.PAIN_ONE_LEG, F.PAIN_NEUROPATHIC],
        10,
        C.RECURRENT_COMPRESSION,
        2,
    ),
    "E recurrent disc: earlier discectomy, pain-free interval, one leg, years later": (
        [F.PRIOR_DISCECTOMY, F.BETTER_THEN_RETURNED, F.PAIN_ONE_LEG],
        1000,
        C.RECURRENT_COMPRESSION,
        1,
    ),
    "F fibrosis: burning leg pain after early relief at 9 weeks": (
        [F.BETTER_THEN_RETURNED, F.PAIN_ONE_LEG, F.PAIN_NEUROPATHIC],
        63,
        C.EPIDURAL_FIBROSIS,
        1,
    ),
    "G infection: constant night pain, diabetes, immunosuppressed, 3 weeks": (
        [F.PAIN_CONSTANT_NIGHT, F.DIABETES, F.IMMUNOSUPPRESSED],
        21,
        C.INFECTION,
        1,
    ),
    "H sacroiliac: buttock/groin pain, different from before, fused to sacrum": (
        [F.PAIN_BUTTOCK_GROIN, F.PAIN_DIFFERENT_FROM_BEFORE, F.FUSED_TO_SACRUM],
        240,
        C.SACROILIAC_JOINT,
        1,
    ),
    "I neuropathic: never better, burning pain in one leg": (
        [F.NEVER_IMPROVED, F.PAIN_NEUROPATHIC, F.PAIN_ONE_LEG],
        200,
        C.NEUROPATHIC_PAIN,
        1,
    ),
    "J myofascial: tight sore muscles, mostly back, at 5 months": (
        [F.MUSCLE_TIGHTNESS, F.PAIN_MOSTLY_BACK],
        150,
        C.MYOFASCIAL_PAIN,
        1,
    ),
    "K imbalance: stooped, long fusion, osteoporosis, older, years later": (
        [F.STOOPED_POSTURE, F.MULTILEVEL_FUSION, F.OSTEOPOROSIS_OR_STEROIDS, F.AGE_OVER_65],
        900,
        C.SAGITTAL_IMBALANCE,
        1,
    ),
    "L psychosocial: low mood, constant pain, never better": (
        [F.LOW_MOOD, F.PAIN_CONSTANT_NIGHT, F.NEVER_IMPROVED],
        300,
        C.PSYCHOSOCIAL_FACTORS,
        1,
    ),
}


@pytest.mark.parametrize("case", sorted(TYPICAL))
def test_typical_pattern_ranks_its_cause_high(case: str) -> None:
    findings, days, expected, top = TYPICAL[case]
    assert expected in ranking(findings, days)[:top]


def test_every_cause_has_a_typical_pattern() -> None:
    assert {case[2] for case in TYPICAL.values()} == set(CauseId)


def test_soon_after_surgery_one_leg_nerve_pain_puts_compression_and_miss_in_top_3() -> None:
    ranked = ranking([F.PAIN_ONE_LEG, F.PAIN_NEUROPATHIC], 10)
    assert ranked[:3] == [C.NEUROPATHIC_PAIN, C.RECURRENT_COMPRESSION, C.MISSED_PAIN_SOURCE]


def test_pseudarthrosis_score_is_the_sum_of_its_weights() -> None:
    found = cause(
        [F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL, F.SMOKER, F.MULTILEVEL_FUSION],
        540,
        C.PSEUDARTHROSIS,
    )
    # T4 +3, L1 +2, Q1 +2, R1 +2, R5 +2 (REFERENCE.md §2.3, column B)
    assert found.score == 11.0
    assert [reason.key for reason in found.why] == [
        "rules.why.t4",
        "rules.why.l1",
        "rules.why.q1",
        "rules.why.r1",
        "rules.why.r5",
    ]
    assert found.why[0].text("en") == "your operation was about 18 months ago"
    assert found.tests[0] == "rules.test.fine_ct"
    assert found.next_steps == (
        "rules.cause.pseudarthrosis.first_line",
        "rules.cause.pseudarthrosis.advanced",
    )


def test_negative_weights_lower_a_cause() -> None:
    # D: T1 -2, C1 +2, L3 +2 = 2; the same pattern years later: T5 +3 gives 7
    early = cause([F.BETTER_THEN_RETURNED, F.PAIN_BOTH_LEGS], 20, C.ADJACENT_SEGMENT_DISEASE)
    late = cause([F.BETTER_THEN_RETURNED, F.PAIN_BOTH_LEGS], 2000, C.ADJACENT_SEGMENT_DISEASE)
    assert (early.score, late.score) == (2.0, 7.0)


def test_a_cause_with_a_score_of_zero_or_less_is_not_listed() -> None:
    # A: T5 -1, C1 -2, L2 +1 = -2
    assert C.MISSED_PAIN_SOURCE not in ranking([F.BETTER_THEN_RETURNED, F.PAIN_ONE_LEG], 1000)


@pytest.mark.parametrize(
    ("days", "code"),
    [
        (0, "t1"),
        (41, "t1"),
        (42, "t2"),
        (90, "t2"),
        (91, "t3"),
        (364, "t3"),
        (365, "t4"),
        (729, "t4"),
        (730, "t5"),
        (5000, "t5"),
    ],
)
def test_days_since_surgery_pick_one_timing_feature(days: int, code: str) -> None:
    found = cause([F.PAIN_MOSTLY_BACK, F.MUSCLE_TIGHTNESS], days, C.MYOFASCIAL_PAIN)
    timing = [r.key for r in found.why if r.key.startswith("rules.why.t")]
    # Myofascial pain has a positive weight for T2 and T3 only (REFERENCE.md §2.3, column J).
    assert timing == ([f"rules.why.{code}"] if code in ("t2", "t3") else [])


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (10, "your operation was less than 6 weeks ago"),
        (63, "your operation was 9 weeks ago"),
        (200, "your operation was about 7 months ago"),
        (540, "your operation was about 18 months ago"),
        (1500, "your operation was more than 4 years ago"),
    ],
)
def test_timing_reason_texts(days: int, text: str) -> None:
    reasons = [
        reason.text("en")
        for c in triage([F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL, F.PAIN_ONE_LEG], (), days).causes
        for reason in c.why
    ]
    assert text in reasons


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (DaysRange(0, 30), "your operation was less than 6 weeks ago"),
        (DaysRange(45, 75), "your operation was 6 weeks to 3 months ago"),
        (DaysRange(120, 150), "your operation was 3 to 12 months ago"),
        (DaysRange(400, 430), "your operation was 1 to 2 years ago"),
        (DaysRange(800, None), "your operation was more than 2 years ago"),
    ],
)
def test_a_range_inside_one_timing_window_names_the_window_not_a_guess(
    days: DaysRange, text: str
) -> None:
    reasons = [
        reason.text("en")
        for c in triage([F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL, F.PAIN_ONE_LEG], (), days).causes
        for reason in c.why
    ]
    assert text in reasons


@pytest.mark.parametrize(
    "days", [DaysRange(30, 60), DaysRange(80, 100), DaysRange(350, 380), DaysRange(0, None)]
)
def test_near_miss_a_range_across_a_timing_boundary_scores_no_timing_feature(
    days: DaysRange,
) -> None:
    # REFERENCE.md §8.1: a timing feature counts only when the whole range lies inside it.
    result = triage([F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL, F.SMOKER], (), days)
    assert result == triage([F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL, F.SMOKER], (), None)


def test_unknown_days_score_no_timing_feature() -> None:
    result = triage([F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL, F.SMOKER], (), None)
    assert result.causes[0].id is C.PSEUDARTHROSIS
    assert result.causes[0].score == 6.0
    timing = {f"rules.why.t{n}" for n in range(1, 6)}
    assert not any(r.key in timing for c in result.causes for r in c.why)


def test_risk_factors_and_time_alone_list_no_cause() -> None:
    assert ranking([F.SMOKER, F.DIABETES, F.MULTILEVEL_FUSION], 500) == []
    assert ranking([], 20) == []


def test_unsure_answers_do_not_score_causes() -> None:
    assert triage((), [F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL], 500).causes == ()


def test_equal_scores_keep_the_reference_order() -> None:
    # L3 gives D +2 and E +2: a tie, so D (adjacent segment) stays before E.
    ranked = triage([F.PAIN_BOTH_LEGS], (), None).causes
    assert [(c.id, c.score) for c in ranked] == [
        (C.ADJACENT_SEGMENT_DISEASE, 2.0),
        (C.RECURRENT_COMPRESSION, 2.0),
    ]


def test_infection_is_listed_first_while_an_infection_flag_fires() -> None:
    # REFERENCE.md §8.5 (overrides the §2.3 note that hid infection behind its red flags).
    findings = [F.FEVER, F.PAIN_MOSTLY_BACK, F.PAIN_MECHANICAL, F.SMOKER, F.MULTILEVEL_FUSION]
    result = triage(findings, (), 20)
    assert result.flag_ids == ("RF-SSI-1",)
    assert result.causes[0].id is C.INFECTION
    assert result.causes[0].named_by_flag
    # After day 90 a temperature alone fires no flag; infection is ranked on its score.
    later = triage(findings, (), 200)
    assert later.red_flags == ()
    assert C.INFECTION in [c.id for c in later.causes]
    assert not any(c.named_by_flag for c in later.causes)


def test_other_red_flags_do_not_hide_infection() -> None:
    findings = [F.SELF_HARM_THOUGHTS, F.PAIN_CONSTANT_NIGHT, F.DIABETES]
    assert ranking(findings, 200)[0] is C.INFECTION


def test_wound_problem_counts_for_infection_when_no_flag_fires() -> None:
    found = cause([F.WOUND_FLUID_CLEAR], 60, C.INFECTION)
    # S2 +2, T2 +1
    assert found.score == 3.0
    assert found.why[0].key == "rules.why.s2"


# ---------------------------------------------------------------------------------------------
# The data matches REFERENCE.md §2.3
# ---------------------------------------------------------------------------------------------

# Spot checks copied from the §2.3 weight matrix (feature, column letter, weight).
CELLS = [
    ("T0", "A", 3),
    ("T0", "D", -2),
    ("T1", "B", -2),
    ("T1", "G", 2),
    ("T2", "F", 3),
    ("T4", "B", 3),
    ("T5", "D", 3),
    ("T5", "F", -1),
    ("C1", "A", -2),
    ("C3", "K", 2),
    ("L1", "J", 2),
    ("L1", "I", -1),
    ("L2", "E", 3),
    ("L2", "H", -1),
    ("L4", "H", 3),
    ("Q2", "I", 3),
    ("Q5", "C", 3),
    ("Q6", "J", 3),
    ("Q7", "K", 3),
    ("S1", "G", 3),
    ("R1", "B", 2),
    ("R3", "C", 2),
    ("R5", "D", 2),
    ("R6", "H", 2),
    ("R9", "E", 2),
    ("R10", "G", 3),
    ("R11", "L", 3),
]


@pytest.mark.parametrize(("feature", "letter", "value"), CELLS)
def test_weight_matrix_cell(feature: str, letter: str, value: int) -> None:
    rule = next(c for c in CAUSES if c.letter == letter)
    weights = {w.feature: w.value for w in rule.weights}
    assert weights[feature] == value


def test_weight_matrix_shape_and_totals() -> None:
    assert len(WEIGHT_MATRIX) == 33
    assert all(len(row) == 12 for _, row in WEIGHT_MATRIX)
    # Row sums of the reference matrix, a check against a mistyped cell.
    sums = {code: sum(row) for code, row in WEIGHT_MATRIX}
    assert sums == {
        "T0": 3, "T1": 1, "T2": 5, "T3": 8, "T4": 9, "T5": 7, "C1": 7, "C3": 5,
        "L1": 6, "L2": 7, "L3": 4, "L4": 3, "L5": 3, "Q1": 8, "Q2": 6, "Q3": 4,
        "Q4": 5, "Q5": 4, "Q6": 3, "Q7": 4, "S1": 3, "S2": 2, "R1": 5, "R2": 5,
        "R3": 5, "R4": 3, "R5": 8, "R6": 2, "R7": 4, "R8": 1, "R9": 3, "R10": 3,
        "R11": 3,
    }  # fmt: skip


def test_columns_are_the_cause_ids_in_order() -> None:
    assert [cause_id for _, cause_id in CAUSE_COLUMNS] == list(CauseId)
    assert [c.id for c in CAUSES] == list(CauseId)


def test_every_weight_names_its_row_and_column() -> None:
    for rule in CAUSES:
        for weight in rule.weights:
            assert weight.value != 0
            assert f"row {weight.feature}, column {rule.letter}" in weight.source


def test_every_feature_has_a_reason_text() -> None:
    codes = [feature.code for feature in FEATURES]
    assert codes == [code for code, _ in WEIGHT_MATRIX]
    assert all(feature.reason_key in MESSAGES for feature in FEATURES)
