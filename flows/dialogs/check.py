"""The symptom checker (/check): red-flag questions first, then the pattern, then the result.

Red flags are asked explicitly, one at a time (REFERENCE.md §1.1 rule 2). A Yes is followed by
"Is this new, or worse than before?" (rule 5): a long-standing symptom the team already knows
about is noted, not scored as an emergency, unless the diary recorded it in the last 7 days
(§8.7). The first answer that makes the shared rules say `emergency` ends the check (§5.2:
never delay emergency care); an `urgent` result ends it after the red flags. Otherwise the
course-and-pattern questions follow and the result lists possible causes to discuss.

Thoughts of ending one's life (RF-MH) are never downgraded (§8.3): any answer but No shows
the crisis message at once, and only then offers to continue the check or stop.

Emergency, same-day and "within days" advice goes through the outbox as `SendAdvice`; the
result screen starts with a one-line pointer to it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import field_validator

from flows.clinical.codes import RISK_FINDINGS, Finding, Tier
from flows.clinical.emergency import LocalNumbers
from flows.clinical.rules import advice_for, crisis_message, triage
from flows.clinical.rules_data import (
    CRISIS_FINDINGS,
    PATTERN_QUESTIONS,
    RED_FLAGS_BY_ID,
    SCREENING_QUESTIONS,
    ScreeningQuestion,
)
from flows.dialogs.check_result import (
    Answer,
    Answered,
    answers_of,
    assess,
    diary_line,
    finish,
    last_seen,
)
from flows.dialogs.said import numbers_of
from flows.i18n import t
from flows.kit.core import (
    Button,
    Context,
    Effect,
    Event,
    Flow,
    FlowState,
    Load,
    Outcome,
    Press,
    Screen,
    SendAdvice,
    button,
    nav_row,
    use_buttons,
)
from flows.kit.values import Coded
from flows.records.models import AdviceSource

# Which of a follow-up question's choices was pressed, by its place in the list.
CHOICE = Coded("c", int)


class CheckStep(StrEnum):
    """What the checker is waiting for."""

    RED_FLAG = "red_flag"
    NEW_OR_WORSE = "new_or_worse"
    FOLLOW_UP = "follow_up"
    KEEP_GOING = "keep_going"
    PATTERN = "pattern"


class CheckState(FlowState):
    """Answers so far, one per question, so Back can undo exactly one."""

    flow: Literal["check"] = "check"
    step: CheckStep = CheckStep.RED_FLAG
    index: int = 0
    answers: tuple[Answer, ...] = ()

    @field_validator("answers", mode="before")
    @classmethod
    def _stored_before(cls, value: object) -> object:
        # A check left open before answers were typed was stored as (question, "how:finding").
        if isinstance(value, list | tuple):
            return tuple(_typed(a) for a in value)
        return value

    def answer(self, qid: str) -> Answered | None:
        """Return how a question was answered, if it was."""
        return next((a.how for a in self.answers if a.question == qid), None)

    def with_answer(self, answer: Answer) -> CheckState:
        """Return the state with one answer set (replacing an earlier one to the question)."""
        kept = tuple(a for a in self.answers if a.question != answer.question)
        return self.model_copy(update={"answers": (*kept, answer)})

    def without(self, qid: str) -> CheckState:
        """Return the state with one answer removed."""
        kept = tuple(a for a in self.answers if a.question != qid)
        return self.model_copy(update={"answers": kept})


def _typed(answer: object) -> object:
    if isinstance(answer, list | tuple) and len(answer) == 2:
        return Answer.stored(str(answer[0]), str(answer[1]))
    return answer


def begin(ctx: Context) -> Outcome:
    """Start the checker at the first red-flag question."""
    state = CheckState()
    return Outcome(state=state, screen=render(state, ctx))


def render(state: CheckState, ctx: Context) -> Screen:
    """Return the screen for the current question."""
    lang = ctx.language
    match state.step:
        case CheckStep.RED_FLAG:
            return ask_red_flag(lang, state)
        case CheckStep.NEW_OR_WORSE:
            return ask_new_or_worse(lang, state)
        case CheckStep.FOLLOW_UP:
            return ask_follow_up(lang, state)
        case CheckStep.KEEP_GOING:
            return ask_keep_going(lang, numbers_of(ctx))
        case CheckStep.PATTERN:
            return ask_pattern(lang, state)


def _yes_no_unsure(lang: str) -> tuple[Button, ...]:
    return (
        button(t(lang, "check.yes"), "yes"),
        button(t(lang, "check.no"), "no"),
        button(t(lang, "check.unsure"), "unsure"),
    )


def _progress(lang: str, number: int, total: int) -> str:
    return t(lang, "check.progress", n=number, total=total)


def _is_crisis(question: ScreeningQuestion) -> bool:
    return RED_FLAGS_BY_ID[question.flag_id].crisis


def _crisis_answered_before(state: CheckState) -> bool:
    if state.index == 0:
        return False
    previous = SCREENING_QUESTIONS[state.index - 1]
    return _is_crisis(previous) and state.answer(previous.id) not in (None, Answered.NO)


def ask_red_flag(lang: str, state: CheckState) -> Screen:
    """Ask one red-flag question."""
    question = SCREENING_QUESTIONS[state.index]
    head = t(lang, "check.intro") + "\n\n" if state.index == 0 else ""
    progress = _progress(lang, state.index + 1, len(SCREENING_QUESTIONS))
    # An answer that brought the crisis message is not undone with Back (§8.3).
    back = state.index > 0 and not _crisis_answered_before(state)
    return Screen(
        text=f"{head}{progress}\n{t(lang, question.key)}",
        buttons=(_yes_no_unsure(lang), nav_row(lang, back=back)),
    )


def ask_new_or_worse(lang: str, state: CheckState) -> Screen:
    """Ask whether the symptom just confirmed is new or worse."""
    question = SCREENING_QUESTIONS[state.index]
    return Screen(
        text=f"{t(lang, question.key)}\n\n{t(lang, 'rules.q.new_or_worse')}",
        buttons=(
            (button(t(lang, "check.new_or_worse"), "new"),),
            (button(t(lang, "check.long_standing"), "known"),),
            (button(t(lang, "check.unsure"), "unsure"),),
            nav_row(lang),
        ),
    )


def ask_follow_up(lang: str, state: CheckState) -> Screen:
    """Ask the follow-up that decides which finding a Yes records."""
    question = SCREENING_QUESTIONS[state.index]
    rows = tuple((button(t(lang, c.key), CHOICE(i)),) for i, c in enumerate(question.choices))
    return Screen(
        text=t(lang, question.follow_up_key or question.key),
        buttons=(*rows, (button(t(lang, "check.unsure"), "unsure"),), nav_row(lang)),
    )


def ask_keep_going(lang: str, numbers: LocalNumbers) -> Screen:
    """Show the crisis message, then offer to continue the check or stop (REFERENCE.md §8.3)."""
    return Screen(
        text=f"{crisis_message(lang, numbers)}\n\n{t(lang, 'rules.crisis.keep_going')}",
        buttons=(
            (button(t(lang, "rules.crisis.continue"), "continue"),),
            (button(t(lang, "rules.crisis.stop"), "stop"),),
        ),
    )


def ask_pattern(lang: str, state: CheckState) -> Screen:
    """Ask one question about the course and pattern of the pain."""
    question = PATTERN_QUESTIONS[state.index]
    if state.index > 0:
        head = ""
    elif answers_of(state).crisis:
        # No screen of a check with the crisis answer says there are no warning signs (§8.3).
        head = t(lang, "rules.crisis.pattern_intro") + "\n\n"
    else:
        head = t(lang, "check.pattern_intro") + "\n\n"
    progress = _progress(lang, state.index + 1, len(PATTERN_QUESTIONS))
    return Screen(
        text=f"{head}{progress}\n{t(lang, question.key)}",
        buttons=(_yes_no_unsure(lang), nav_row(lang)),
    )


def _show(state: CheckState, ctx: Context, hint: str | None = None) -> Outcome:
    screen = render(state, ctx)
    return Outcome(state=state, screen=screen if hint is None else screen.with_hint(hint))


def _needs_new_or_worse(question: ScreeningQuestion) -> bool:
    # History items (e.g. "Have you ever had cancer?") are facts, not symptoms that change;
    # a crisis answer is never downgraded, so "is it new?" would change nothing (§8.3).
    return question.findings[0] not in RISK_FINDINGS and not _is_crisis(question)


def _after_red_flag(state: CheckState, ctx: Context, hint: str | None = None) -> Outcome:
    """Stop on an emergency; otherwise go to the next question or on to the pattern."""
    # The crisis answer has had its own message; it does not end the check (§8.3).
    rest = assess(state, ctx, crisis=False)
    if rest.emergency:
        return finish(state, ctx)
    if state.index + 1 < len(SCREENING_QUESTIONS):
        nxt = state.model_copy(update={"step": CheckStep.RED_FLAG, "index": state.index + 1})
        return _show(nxt, ctx, hint)
    if rest.tier is Tier.URGENT:
        return finish(state, ctx)
    return _show(state.model_copy(update={"step": CheckStep.PATTERN, "index": 0}), ctx, hint)


def _crisis(state: CheckState, ctx: Context) -> Outcome:
    """Give the crisis message at once, through the outbox too, then offer to go on."""
    answers = answers_of(state)
    profile = ctx.profile
    result = triage(
        CRISIS_FINDINGS.intersection(answers.new),
        CRISIS_FINDINGS.intersection(answers.unsure),
        profile.surgery_days(ctx.today) if profile else None,
    )
    numbers = numbers_of(ctx)
    advice = advice_for(
        result, ctx.language, numbers, AdviceSource.CHECK, answered=(*answers.new, *answers.unsure)
    )
    effects: tuple[Effect, ...] = (
        () if advice is None else (SendAdvice(advice=advice, on_screen=True),)
    )
    waiting = state.model_copy(update={"step": CheckStep.KEEP_GOING})
    return Outcome(state=waiting, screen=render(waiting, ctx), effects=effects)


def _recent_diary_flag(question: ScreeningQuestion, ctx: Context) -> tuple[Finding, date] | None:
    """The most urgent of the question's findings the diary recorded lately, and when."""
    seen = {found for found, _ in ctx.recent_diary_flags}
    for finding in question.findings:
        last = last_seen(finding, ctx) if finding in seen else None
        if last is not None:
            return finding, last
    return None


def _not_new(state: CheckState, ctx: Context, question: ScreeningQuestion, value: str) -> Outcome:
    """Record "not new" or "not sure if new", unless the diary saw the symptom lately (§8.7)."""
    seen = _recent_diary_flag(question, ctx)
    if seen is not None:
        finding, day = seen
        kept = state.with_answer(Answer(question=question.id, how=Answered.DIARY, finding=finding))
        return _after_red_flag(kept, ctx, hint=diary_line(ctx.language, finding, day))
    how = Answered.KNOWN if value == "known" else Answered.UNSURE
    answer = Answer(question=question.id, how=how, finding=question.findings[0])
    return _after_red_flag(state.with_answer(answer), ctx)


def _back(state: CheckState, ctx: Context) -> Outcome:
    if state.step in (CheckStep.NEW_OR_WORSE, CheckStep.FOLLOW_UP):
        qid = SCREENING_QUESTIONS[state.index].id
        return _show(state.without(qid).model_copy(update={"step": CheckStep.RED_FLAG}), ctx)
    if state.step is CheckStep.PATTERN and state.index == 0:
        last = len(SCREENING_QUESTIONS) - 1
        previous = state.without(SCREENING_QUESTIONS[last].id)
        return _show(previous.model_copy(update={"step": CheckStep.RED_FLAG, "index": last}), ctx)
    index = state.index - 1
    if state.step is CheckStep.PATTERN:
        qid = Answer.to_pattern(PATTERN_QUESTIONS[index].finding, Answered.NO).question
    else:
        qid = SCREENING_QUESTIONS[index].id
    return _show(state.without(qid).model_copy(update={"index": index}), ctx)


def on_event(state: CheckState, event: Event, ctx: Context) -> Outcome:
    """Apply one answer."""
    if not isinstance(event, Press):
        return use_buttons(state, render(state, ctx), ctx)
    value = event.value
    if value == "back":
        return _back(state, ctx)
    question = SCREENING_QUESTIONS[state.index]

    def answered(how: Answered, finding: Finding | None = question.findings[0]) -> CheckState:
        return state.with_answer(Answer(question=question.id, how=how, finding=finding))

    match state.step:
        case CheckStep.RED_FLAG:
            if value == "no":
                return _after_red_flag(answered(Answered.NO, None), ctx)
            if _is_crisis(question):
                how = Answered.UNSURE if value == "unsure" else Answered.YES
                return _crisis(answered(how), ctx)
            if value == "unsure":
                return _after_red_flag(answered(Answered.UNSURE), ctx)
            if _needs_new_or_worse(question):
                return _show(state.model_copy(update={"step": CheckStep.NEW_OR_WORSE}), ctx)
            return _after_red_flag(answered(Answered.YES), ctx)
        case CheckStep.NEW_OR_WORSE:
            if _is_crisis(question):
                # A check saved before the crisis question skipped this step (§8.3).
                return _crisis(answered(Answered.YES), ctx)
            if value in ("known", "unsure"):
                return _not_new(state, ctx, question, value)
            if question.choices:
                return _show(state.model_copy(update={"step": CheckStep.FOLLOW_UP}), ctx)
            return _after_red_flag(answered(Answered.YES), ctx)
        case CheckStep.FOLLOW_UP:
            if value == "unsure":
                # The most urgent choice, recorded as "not sure" (at least urgent, §1.1 rule 5).
                return _after_red_flag(answered(Answered.UNSURE), ctx)
            chosen = question.choices[CHOICE.of(value)].finding
            return _after_red_flag(answered(Answered.YES, chosen), ctx)
        case CheckStep.KEEP_GOING:
            if value == "stop":
                return finish(state, ctx, stopped=True)
            return _after_red_flag(state.model_copy(update={"step": CheckStep.RED_FLAG}), ctx)
        case CheckStep.PATTERN:
            pattern = PATTERN_QUESTIONS[state.index]
            kept = state.with_answer(Answer.to_pattern(pattern.finding, Answered(value)))
            if state.index + 1 < len(PATTERN_QUESTIONS):
                return _show(kept.model_copy(update={"index": state.index + 1}), ctx)
            return finish(kept, ctx)


FLOW = Flow(CheckState, render, on_event, command="check", begin=begin, loads=Load.DIARY_FLAGS)
