"""The end of /check: what the answers add up to, the result the patient reads, what is saved.

The result screen points to the advice sent through the outbox rather than repeating it, and
after the crisis answer reminds of the crisis line without repeating its message (§8.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from flows.clinical.codes import Finding
from flows.clinical.emergency import LocalNumbers
from flows.clinical.rules import (
    TriageResult,
    advice_for,
    advice_pointer,
    cause_summary,
    number_words,
    shown_causes,
    triage,
)
from flows.clinical.rules_data import CRISIS_FINDINGS, RED_FLAGS_BY_ID, SCREENING_QUESTIONS
from flows.dialogs.said import numbers_of
from flows.i18n import t
from flows.kit.core import Context, Effect, Outcome, SaveCheck, Screen, SendAdvice
from flows.records.models import Advice, AdviceSource, CheckResult

if TYPE_CHECKING:
    # Only for annotations: flows.dialogs.check imports this module.
    from flows.dialogs.check import CheckState


class Answered(StrEnum):
    """How the patient answered a question."""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"
    # "Not new": long-standing, and the team knows about it (§1.1 rule 5).
    KNOWN = "known"
    # "Not new", but ticked in the diary in the last 7 days: counted as new (§8.7).
    DIARY = "diary"


# The question id of a pattern question's answer: the pattern's finding behind this prefix.
_PATTERN = "p."


class Answer(BaseModel):
    """One answer: to which question, how, and the finding it records (none for No)."""

    model_config = ConfigDict(frozen=True)

    question: str
    how: Answered
    finding: Finding | None = None

    @classmethod
    def to_pattern(cls, finding: Finding, how: Answered) -> Answer:
        """The answer to the pattern question about `finding`."""
        return cls(question=f"{_PATTERN}{finding.value}", how=how, finding=finding)

    @classmethod
    def stored(cls, question: str, value: str) -> Answer:
        """An answer as a check stored it before answers were typed: (question, "how:finding")."""
        how, _, code = value.partition(":")
        if question.startswith(_PATTERN):
            return cls.to_pattern(Finding(question[len(_PATTERN) :]), Answered(how))
        return cls(question=question, how=Answered(how), finding=Finding(code) if code else None)

    @property
    def pattern(self) -> bool:
        """Whether it answers a pattern question, where only a Yes records its finding."""
        return self.question.startswith(_PATTERN)


@dataclass(frozen=True, slots=True)
class Answers:
    """The findings the answers record, by how the patient answered."""

    yes: tuple[Finding, ...]
    unsure: tuple[Finding, ...]
    known: tuple[Finding, ...]
    # Answered "not new", but ticked in the diary in the last 7 days: counted as new (§8.7).
    diary: tuple[Finding, ...]

    @property
    def new(self) -> tuple[Finding, ...]:
        """Everything that counts as a Yes."""
        return (*self.yes, *self.diary)

    @property
    def crisis(self) -> bool:
        """Whether a crisis question was answered with anything but No (§8.3)."""
        return bool(CRISIS_FINDINGS.intersection((*self.new, *self.unsure, *self.known)))


_RECORDED = (Answered.YES, Answered.UNSURE, Answered.KNOWN, Answered.DIARY)


def answers_of(state: CheckState) -> Answers:
    """The findings the answers so far record, by how the patient answered."""
    found: dict[Answered, list[Finding]] = {how: [] for how in _RECORDED}
    for answer in state.answers:
        if answer.finding is None or answer.how is Answered.NO:
            continue
        if answer.pattern and answer.how is not Answered.YES:
            continue
        found[answer.how].append(answer.finding)
    return Answers(*(tuple(found[how]) for how in _RECORDED))


def assess(state: CheckState, ctx: Context, *, crisis: bool = True) -> TriageResult:
    """The shared rules on the answers; without the crisis answer when `crisis` is False."""
    answers = answers_of(state)
    profile = ctx.profile
    drop = frozenset() if crisis else CRISIS_FINDINGS
    found = (set(answers.new) | (profile.profile_findings() if profile else set())) - drop
    unsure = set(answers.unsure) - drop
    known = set(answers.known) - drop
    # §8.1: the windows of the rules see every day the operation can have been on.
    days = profile.surgery_days(ctx.today) if profile else None
    return triage(found, unsure, days, known=known)


def last_seen(finding: Finding, ctx: Context) -> date | None:
    """The last day in the past 7 the diary recorded the finding (REFERENCE.md §8.7)."""
    # None once the diary entry has left the 7-day window during the check (after midnight,
    # or a check resumed another day): the flag stays counted, only its date line goes.
    return max((day for found, day in ctx.recent_diary_flags if found is finding), default=None)


def diary_line(lang: str, finding: Finding, day: date) -> str:
    """The line saying the diary recorded the symptom lately, so it counts as new (§8.7)."""
    symptom = t(lang, f"rules.finding.{finding.value}")
    return t(lang, "rules.diary_kept", symptom=symptom, date=day.isoformat())


def known_names(lang: str, known: tuple[Finding, ...]) -> list[str]:
    """Name the long-standing symptoms by the warning sign they belong to."""
    names: dict[str, None] = {}
    for question in SCREENING_QUESTIONS:
        if question.findings[0] in known:
            names[t(lang, RED_FLAGS_BY_ID[question.flag_id].name_key)] = None
    return list(names)


def result_text(
    lang: str,
    result: TriageResult,
    answers: Answers,
    advice: Advice | None,
    numbers: LocalNumbers,
    *,
    diary: tuple[str, ...] = (),
    stopped: bool = False,
) -> str:
    """Return what the user reads at the end of a check."""
    # `result` leaves out the crisis answer, whose message came when it was answered (§8.3);
    # `advice` went to the outbox, so the screen points to it instead of repeating it.
    words = number_words(lang, numbers)
    parts: list[str] = []
    if stopped:
        parts.append(t(lang, "rules.crisis.stopped"))
    if answers.crisis:
        parts.append(t(lang, "rules.crisis.reminder", **words))
    if advice is not None:
        parts.append(advice_pointer(advice, lang, numbers))
    elif not answers.crisis:
        parts.append(t(lang, "check.no_red_flags", **words))
    parts += diary
    if result.emergency:
        return "\n\n".join(parts)
    if answers.known:
        parts.append(t(lang, "check.known", symptoms=", ".join(known_names(lang, answers.known))))
    if result.causes:
        parts.append(cause_summary(result, lang))
    parts.append(t(lang, "check.not_a_diagnosis"))
    return "\n\n".join(parts)


def finish(state: CheckState, ctx: Context, *, stopped: bool = False) -> Outcome:
    """End the check: save the result, send its advice and show what the patient reads."""
    answers = answers_of(state)
    profile = ctx.profile
    result = assess(state, ctx)
    rest = assess(state, ctx, crisis=False) if answers.crisis else result
    numbers = numbers_of(ctx)
    advice = advice_for(
        rest,
        ctx.language,
        numbers,
        AdviceSource.CHECK,
        answered=(*answers.new, *answers.unsure),
    )
    record = CheckResult(
        recorded_at=ctx.now,
        days_since_surgery=profile.days_since_surgery(ctx.today) if profile else None,
        findings=answers.new,
        unsure=answers.unsure,
        known=answers.known,
        tier=result.tier,
        red_flags=result.flag_ids,
        # The causes the patient was shown, so the surgeon's report lists the same ones.
        causes=tuple((c.id, c.score) for c in shown_causes(result.causes, lambda c: c.id)),
    )
    diary = tuple(
        diary_line(ctx.language, finding, last)
        for finding in answers.diary
        if (last := last_seen(finding, ctx)) is not None
    )
    effects: tuple[Effect, ...] = (SaveCheck(result=record),)
    if advice is not None:
        effects = (SendAdvice(advice=advice), *effects)
    text = result_text(ctx.language, rest, answers, advice, numbers, diary=diary, stopped=stopped)
    return Outcome(state=None, screen=Screen(text=text), effects=effects)
