"""A check's answers are typed: how each question was answered and the finding it records."""

from __future__ import annotations

import json

from flows.clinical.codes import Finding
from flows.clinical.rules_data import PATTERN_QUESTIONS, SCREENING_QUESTIONS
from flows.dialogs.check import CheckState, CheckStep
from flows.dialogs.check_result import Answer, Answered, answers_of
from flows.dialogs.router import dump_state, load_state

SADDLE = SCREENING_QUESTIONS[1]
PATTERN = PATTERN_QUESTIONS[0]


def test_a_check_stored_before_answers_were_typed_resumes_with_the_same_findings() -> None:
    """A check left open across the upgrade keeps every answer the patient gave."""
    stored = json.dumps(
        {
            "flow": "check",
            "step": "pattern",
            "index": 1,
            "answers": [
                ["ces_bladder", "no"],
                ["ces_saddle", "yes:saddle_numbness"],
                ["ces_bowel", "unsure:bowel_change"],
                ["ces_sexual", "known:sexual_numbness"],
                ["leg_weakness", "diary:leg_weakness_rapid"],
                [f"p.{PATTERN.finding.value}", "yes"],
            ],
        }
    )
    state = load_state(stored)
    assert isinstance(state, CheckState)
    assert state.step is CheckStep.PATTERN
    found = answers_of(state)
    assert found.yes == (Finding.SADDLE_NUMBNESS, PATTERN.finding)
    assert found.unsure == (Finding.BOWEL_CHANGE,)
    assert found.known == (Finding.SEXUAL_NUMBNESS,)
    assert found.diary == (Finding.LEG_WEAKNESS_RAPID,)
    assert state.answer("ces_bladder") is Answered.NO
    # Stored again, it is the typed form, and reads back the same.
    assert load_state(dump_state(state)) == state


def test_a_pattern_answered_not_sure_records_nothing_and_a_red_flag_not_sure_does() -> None:
    """Only a Yes to a pattern question counts; a red flag's "not sure" counts as unsure."""
    state = CheckState(
        answers=(
            Answer.to_pattern(PATTERN.finding, Answered.UNSURE),
            Answer(question=SADDLE.id, how=Answered.UNSURE, finding=SADDLE.findings[0]),
        )
    )
    found = answers_of(state)
    assert found.yes == ()
    assert found.unsure == (Finding.SADDLE_NUMBNESS,)


def test_answering_a_question_again_replaces_the_answer_and_back_removes_it() -> None:
    """The patient's last answer to a question is the one that counts."""
    first = CheckState().with_answer(
        Answer(question=SADDLE.id, how=Answered.YES, finding=SADDLE.findings[0])
    )
    again = first.with_answer(Answer(question=SADDLE.id, how=Answered.NO))
    assert [a.how for a in again.answers] == [Answered.NO]
    assert answers_of(again).new == ()
    assert again.without(SADDLE.id).answers == ()
