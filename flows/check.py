"""The symptom checker (/check): red-flag questions first, then the pattern, then the result.

Red flags are asked explicitly, one at a time (REFERENCE.md §1.1 rule 2). A Yes is followed by
"Is this new, or worse than before?" (rule 5): a long-standing symptom the team already knows
about is noted, not scored as an emergency. The first answer that makes the shared rules say
`emergency` ends the check with the emergency screen alone (§5.2: never delay emergency
care); an `urgent` result ends it after the red flags. Otherwise the course-and-pattern
questions follow and the result lists possible causes to discuss.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from flows.codes import RISK_FINDINGS, Finding, Tier
from flows.core import (
    Button,
    Context,
    Event,
    FlowState,
    Outcome,
    Press,
    SaveCheck,
    Screen,
    button,
    nav_row,
)
from flows.emergency import UNKNOWN, LocalNumbers
from flows.i18n import t
from flows.models import CheckResult
from flows.rules import TriageResult, cause_summary, number_words, red_flag_message, triage
from flows.rules_data import (
    PATTERN_QUESTIONS,
    RED_FLAGS_BY_ID,
    SCREENING_QUESTIONS,
    ScreeningQuestion,
)

TOP_CAUSES = 3


class CheckStep(StrEnum):
    """What the checker is waiting for."""

    RED_FLAG = "red_flag"
    NEW_OR_WORSE = "new_or_worse"
    FOLLOW_UP = "follow_up"
    PATTERN = "pattern"


class CheckState(FlowState):
    """Answers so far; each answer is (question id, answer) so Back can undo exactly one."""

    flow: Literal["check"] = "check"
    step: CheckStep = CheckStep.RED_FLAG
    index: int = 0
    answers: tuple[tuple[str, str], ...] = ()

    def answer(self, qid: str) -> str | None:
        """Return the recorded answer to a question."""
        return dict(self.answers).get(qid)

    def with_answer(self, qid: str, value: str) -> CheckState:
        """Return the state with one answer set (replacing an earlier one)."""
        kept = tuple(a for a in self.answers if a[0] != qid)
        return self.model_copy(update={"answers": (*kept, (qid, value))})

    def without(self, qid: str) -> CheckState:
        """Return the state with one answer removed."""
        return self.model_copy(update={"answers": tuple(a for a in self.answers if a[0] != qid)})


def _findings(state: CheckState) -> tuple[list[Finding], list[Finding], list[Finding]]:
    yes: list[Finding] = []
    unsure: list[Finding] = []
    known: list[Finding] = []
    for qid, value in state.answers:
        if value.startswith("yes:"):
            yes.append(Finding(value[4:]))
        elif value.startswith("unsure:"):
            unsure.append(Finding(value[7:]))
        elif value.startswith("known:"):
            known.append(Finding(value[6:]))
        elif value == "yes" and qid.startswith("p."):
            yes.append(Finding(qid[2:]))
    return yes, unsure, known


def _assess(state: CheckState, ctx: Context) -> TriageResult:
    yes, unsure, _ = _findings(state)
    profile = ctx.profile
    found = set(yes) | (profile.profile_findings() if profile else frozenset())
    days = profile.days_since_surgery(ctx.today) if profile else None
    return triage(found, unsure, days)


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


def ask_red_flag(lang: str, state: CheckState) -> Screen:
    """Ask one red-flag question."""
    question = SCREENING_QUESTIONS[state.index]
    head = t(lang, "check.intro") + "\n\n" if state.index == 0 else ""
    progress = _progress(lang, state.index + 1, len(SCREENING_QUESTIONS))
    return Screen(
        text=f"{head}{progress}\n{t(lang, question.key)}",
        buttons=(_yes_no_unsure(lang), nav_row(lang, back=state.index > 0)),
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
    rows = tuple((button(t(lang, c.key), f"c{i}"),) for i, c in enumerate(question.choices))
    return Screen(
        text=t(lang, question.follow_up_key or question.key),
        buttons=(*rows, (button(t(lang, "check.unsure"), "unsure"),), nav_row(lang)),
    )


def ask_pattern(lang: str, state: CheckState) -> Screen:
    """Ask one question about the course and pattern of the pain."""
    question = PATTERN_QUESTIONS[state.index]
    head = t(lang, "check.pattern_intro") + "\n\n" if state.index == 0 else ""
    progress = _progress(lang, state.index + 1, len(PATTERN_QUESTIONS))
    return Screen(
        text=f"{head}{progress}\n{t(lang, question.key)}",
        buttons=(_yes_no_unsure(lang), nav_row(lang)),
    )


def _show(state: CheckState, ctx: Context) -> Outcome:
    return Outcome(state=state, screen=render(state, ctx))


def _needs_new_or_worse(question: ScreeningQuestion) -> bool:
    # History items (e.g. "Have you ever had cancer?") are facts, not symptoms that change.
    return question.findings[0] not in RISK_FINDINGS


def _after_red_flag(state: CheckState, ctx: Context) -> Outcome:
    """Stop on an emergency; otherwise go to the next question or on to the pattern."""
    result = _assess(state, ctx)
    if result.emergency:
        return _finish(state, ctx, result)
    if state.index + 1 < len(SCREENING_QUESTIONS):
        nxt = state.model_copy(update={"step": CheckStep.RED_FLAG, "index": state.index + 1})
        return _show(nxt, ctx)
    if result.tier is Tier.URGENT:
        return _finish(state, ctx, result)
    return _show(state.model_copy(update={"step": CheckStep.PATTERN, "index": 0}), ctx)


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
        qid = f"p.{PATTERN_QUESTIONS[index].finding.value}"
    else:
        qid = SCREENING_QUESTIONS[index].id
    return _show(state.without(qid).model_copy(update={"index": index}), ctx)


def on_event(state: CheckState, event: Event, ctx: Context) -> Outcome:
    """Apply one answer."""
    if not isinstance(event, Press):
        hint = t(ctx.language, "common.use_buttons")
        return Outcome(state=state, screen=render(state, ctx).with_hint(hint))
    value = event.value
    if value == "back":
        return _back(state, ctx)
    question = SCREENING_QUESTIONS[state.index]
    first = question.findings[0]
    match state.step:
        case CheckStep.RED_FLAG:
            if value == "no":
                return _after_red_flag(state.with_answer(question.id, "no"), ctx)
            if value == "unsure":
                return _after_red_flag(state.with_answer(question.id, f"unsure:{first}"), ctx)
            if _needs_new_or_worse(question):
                return _show(state.model_copy(update={"step": CheckStep.NEW_OR_WORSE}), ctx)
            return _after_red_flag(state.with_answer(question.id, f"yes:{first}"), ctx)
        case CheckStep.NEW_OR_WORSE:
            if value == "known":
                return _after_red_flag(state.with_answer(question.id, f"known:{first}"), ctx)
            if value == "unsure":
                return _after_red_flag(state.with_answer(question.id, f"unsure:{first}"), ctx)
            if question.choices:
                return _show(state.model_copy(update={"step": CheckStep.FOLLOW_UP}), ctx)
            return _after_red_flag(state.with_answer(question.id, f"yes:{first}"), ctx)
        case CheckStep.FOLLOW_UP:
            if value == "unsure":
                # The most urgent choice, recorded as "not sure" (at least urgent, §1.1 rule 5).
                return _after_red_flag(state.with_answer(question.id, f"unsure:{first}"), ctx)
            chosen = question.choices[int(value[1:])].finding
            return _after_red_flag(state.with_answer(question.id, f"yes:{chosen}"), ctx)
        case CheckStep.PATTERN:
            pattern = PATTERN_QUESTIONS[state.index]
            answered = state.with_answer(f"p.{pattern.finding.value}", value)
            if state.index + 1 < len(PATTERN_QUESTIONS):
                return _show(answered.model_copy(update={"index": state.index + 1}), ctx)
            return _finish(answered, ctx, _assess(answered, ctx))


def known_names(lang: str, known: list[Finding]) -> list[str]:
    """Name the long-standing symptoms by the warning sign they belong to."""
    names: dict[str, None] = {}
    for question in SCREENING_QUESTIONS:
        if question.findings[0] in known:
            names[t(lang, RED_FLAGS_BY_ID[question.flag_id].name_key)] = None
    return list(names)


def result_text(
    lang: str, result: TriageResult, known: list[Finding], numbers: LocalNumbers
) -> str:
    """Return what the user reads at the end of a check."""
    if result.emergency:
        return red_flag_message(result, lang, numbers)
    parts: list[str] = []
    if result.tier is not Tier.ROUTINE:
        parts.append(red_flag_message(result, lang, numbers))
    else:
        parts.append(t(lang, "check.no_red_flags", **number_words(lang, numbers)))
    if known:
        parts.append(t(lang, "check.known", symptoms=", ".join(known_names(lang, known))))
    if result.causes and result.tier is not Tier.URGENT:
        parts.append(cause_summary(result, lang, top=TOP_CAUSES))
    parts.append(t(lang, "check.not_a_diagnosis"))
    return "\n\n".join(parts)


def _finish(state: CheckState, ctx: Context, result: TriageResult) -> Outcome:
    yes, unsure, known = _findings(state)
    profile = ctx.profile
    tier = result.tier
    if known and tier is Tier.ROUTINE:
        # A long-standing symptom already known to the team is scored T3 (§1.1 rule 5).
        tier = Tier.SOON
    numbers = profile.numbers() if profile else UNKNOWN
    record = CheckResult(
        recorded_at=ctx.now,
        days_since_surgery=profile.days_since_surgery(ctx.today) if profile else None,
        findings=tuple(yes),
        unsure=tuple(unsure),
        known=tuple(known),
        tier=tier,
        red_flags=result.flag_ids,
        causes=tuple((c.id, c.score) for c in result.causes[:TOP_CAUSES]),
    )
    return Outcome(
        state=None,
        screen=Screen(text=result_text(ctx.language, result, known, numbers)),
        effects=(SaveCheck(result=record),),
    )
