"""The shared red-flag and cause rules: one pure `triage` function and its renderings.

Red flags come first and set the tier (REFERENCE.md §1.1 rule 1); causes are ranked with the
§2.3 weights and framed as questions for the surgeon, never as a diagnosis (§5.1, §5.3).
The rules themselves are data in flows.rules_data.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from flows.codes import RED_FLAG_FINDINGS, CauseId, Finding, Tier, highest
from flows.emergency import UNKNOWN, LocalNumbers
from flows.i18n import t
from flows.models import Advice, AdviceKind, AdviceSource
from flows.rules_data import (
    CAUSES,
    CAUSES_BY_ID,
    CRISIS_LINE_FLAG,
    FEATURES,
    FEATURES_BY_CODE,
    INFECTION_FLAGS,
    MODIFIER_CAUSE,
    PATTERN_QUESTIONS,
    RED_FLAGS,
    SCREENING_QUESTIONS,
    Condition,
    Feature,
    PatternQuestion,
    RedFlagRule,
    ScreeningQuestion,
)

__all__ = [
    "CAUSES",
    "PATTERN_QUESTIONS",
    "RED_FLAGS",
    "SCREENING_QUESTIONS",
    "FiredFlag",
    "PatternQuestion",
    "RankedCause",
    "Reason",
    "ScreeningQuestion",
    "TriageResult",
    "advice_for",
    "advice_pointer",
    "cause_summary",
    "number_words",
    "red_flag_message",
    "to_json_dict",
    "triage",
]


class FiredFlag(BaseModel):
    """A red flag that fired: the user is told what to do and why."""

    model_config = ConfigDict(frozen=True)

    id: str
    tier: Tier
    message_key: str
    unsure: bool = False
    if_in_doubt: bool = False


class Reason(BaseModel):
    """One reason a cause is on the list, as a catalogue key and its values."""

    model_config = ConfigDict(frozen=True)

    key: str
    values: tuple[tuple[str, int], ...] = ()

    def text(self, language: str) -> str:
        """The reason as the user reads it."""
        return t(language, self.key, **dict(self.values))


class RankedCause(BaseModel):
    """A possible cause to discuss with the surgeon, with why, tests and usual next steps."""

    model_config = ConfigDict(frozen=True)

    id: CauseId
    score: float
    why: tuple[Reason, ...]
    tests: tuple[str, ...]
    next_steps: tuple[str, ...]


class TriageResult(BaseModel):
    """What the shared rules say about a set of answers: how soon to act, why, what to ask."""

    model_config = ConfigDict(frozen=True)

    tier: Tier
    red_flags: tuple[FiredFlag, ...] = ()
    causes: tuple[RankedCause, ...] = ()
    if_in_doubt: bool = False
    other_warnings: tuple[Finding, ...] = ()

    @property
    def emergency(self) -> bool:
        """Whether the user must call the emergency number or go to the ED now."""
        return self.tier is Tier.EMERGENCY

    @property
    def flag_ids(self) -> tuple[str, ...]:
        """The IDs of the fired red flags, most urgent first."""
        return tuple(flag.id for flag in self.red_flags)


# ---------------------------------------------------------------------------------------------
# Red flags
# ---------------------------------------------------------------------------------------------


def _met(rule: RedFlagRule, present: frozenset[Finding], days: int | None) -> list[Condition]:
    if rule.window is not None and not rule.window.contains(days):
        return []
    return [
        c
        for c in rule.conditions
        if (c.window is None or c.window.contains(days))
        and all(present.intersection(group) for group in c.all_of)
    ]


def _rule_tier(rule: RedFlagRule, present: frozenset[Finding], days: int | None) -> Tier | None:
    fired = [c.tier for c in _met(rule, present, days)]
    if not fired:
        return None
    escalated = [e.tier for e in rule.escalations if present.intersection(e.any_of)]
    return highest(fired + escalated)


def _unsure_tier(tier: Tier) -> Tier:
    # REFERENCE.md §1.1 rule 5: "Not sure" on a T1 item is T2 at minimum (with the doubt line);
    # other tiers keep their own level (see DECISIONS).
    return Tier.URGENT if tier is Tier.EMERGENCY else tier


def _fire(
    rule: RedFlagRule, yes: frozenset[Finding], possible: frozenset[Finding], days: int | None
) -> FiredFlag | None:
    certain = _rule_tier(rule, yes, days)
    maybe = _rule_tier(rule, possible, days)
    if maybe is None:
        return None
    if certain is not None and certain.rank >= maybe.rank:
        return FiredFlag(id=rule.id, tier=certain, message_key=rule.message_key)
    floor = [certain] if certain is not None else []
    return FiredFlag(
        id=rule.id,
        tier=highest([*floor, _unsure_tier(maybe)]),
        message_key=rule.message_key,
        unsure=True,
        if_in_doubt=maybe is Tier.EMERGENCY,
    )


def _red_flags(
    yes: frozenset[Finding], possible: frozenset[Finding], days: int | None
) -> tuple[FiredFlag, ...]:
    fired = {
        flag.id: flag
        for rule in RED_FLAGS
        if (flag := _fire(rule, yes, possible, days)) is not None
    }
    for rule in RED_FLAGS:
        blocker = fired.get(rule.suppressed_by or "")
        if rule.id in fired and blocker is not None and not blocker.unsure:
            del fired[rule.id]
    order = {rule.id: index for index, rule in enumerate(RED_FLAGS)}
    return tuple(sorted(fired.values(), key=lambda f: (-f.tier.rank, order[f.id])))


def _other_warnings(possible: frozenset[Finding], days: int | None) -> tuple[Finding, ...]:
    # A warning symptom that fires no rule (because of its time window or a missing half of a
    # combination) still reaches the team: see DECISIONS "Warning symptoms that fire no rule".
    covered = {f for rule in RED_FLAGS for c in _met(rule, possible, days) for f in c.findings()}
    return tuple(f for f in RED_FLAG_FINDINGS if f in possible and f not in covered)


# ---------------------------------------------------------------------------------------------
# Causes
# ---------------------------------------------------------------------------------------------


def _present(feature: Feature, yes: frozenset[Finding], days: int | None) -> bool:
    if feature.days is not None:
        # Unknown timing scores no timing feature: guessing one would skew every cause.
        return days is not None and feature.days.contains(days)
    return bool(yes.intersection(feature.findings))


def _timing_values(days: int) -> tuple[tuple[str, int], ...]:
    months = round(days * 12 / 365)
    return (("days", days), ("weeks", days // 7), ("months", months), ("years", days // 365))


def _rank_causes(
    yes: frozenset[Finding], days: int | None, hide: frozenset[CauseId]
) -> tuple[RankedCause, ...]:
    present = {f.code for f in FEATURES if _present(f, yes, days)}
    ranked: list[RankedCause] = []
    for cause in CAUSES:
        if cause.id in hide:
            continue
        hits = [w for w in cause.weights if w.feature in present]
        score = float(sum(w.value for w in hits))
        reported = any(w.value > 0 and FEATURES_BY_CODE[w.feature].describes_pain for w in hits)
        if score <= 0 or not reported:
            continue
        reasons = sorted((w for w in hits if w.value > 0), key=lambda w: -w.value)
        ranked.append(
            RankedCause(
                id=cause.id,
                score=score,
                why=tuple(_reason(w.feature, days) for w in reasons),
                tests=cause.test_keys,
                next_steps=(cause.first_line_key, cause.advanced_key),
            )
        )
    # sorted() is stable, so equal scores keep the §2.2 order A–L.
    return tuple(sorted(ranked, key=lambda c: -c.score))


def _reason(code: str, days: int | None) -> Reason:
    feature = FEATURES_BY_CODE[code]
    values = _timing_values(days) if feature.days is not None and days is not None else ()
    return Reason(key=feature.reason_key, values=values)


# ---------------------------------------------------------------------------------------------
# The one entry point
# ---------------------------------------------------------------------------------------------


def triage(
    findings: Iterable[Finding],
    unsure: Iterable[Finding] = (),
    days_since_surgery: int | None = None,
) -> TriageResult:
    """Return how soon the user must act, the red flags that fired and the causes to discuss."""
    if days_since_surgery is not None and days_since_surgery < 0:
        raise ValueError("days_since_surgery must not be negative")
    yes = frozenset(findings)
    possible = yes | frozenset(unsure)
    flags = _red_flags(yes, possible, days_since_surgery)
    others = _other_warnings(possible, days_since_surgery)
    fired_ids = {flag.id for flag in flags}
    hide = (
        frozenset({CauseId.INFECTION})
        if fired_ids.intersection(INFECTION_FLAGS)
        else frozenset[CauseId]()
    )
    causes = _rank_causes(yes, days_since_surgery, hide)
    tiers = [flag.tier for flag in flags]
    if others:
        tiers.append(Tier.SOON)
    return TriageResult(
        tier=highest(tiers),
        red_flags=flags,
        causes=causes,
        if_in_doubt=any(flag.if_in_doubt for flag in flags),
        other_warnings=others,
    )


# ---------------------------------------------------------------------------------------------
# Renderings
# ---------------------------------------------------------------------------------------------


def number_words(language: str, numbers: LocalNumbers) -> dict[str, str]:
    """The numbers as the messages name them, with generic words where one is unknown (§8.2)."""
    return {
        "emergency_number": numbers.emergency or t(language, "rules.emergency_number.generic"),
        "same_day": numbers.same_day or t(language, "rules.same_day.generic"),
        "crisis_line": numbers.crisis or t(language, "rules.crisis_line.generic"),
    }


def _flag_lines(result: TriageResult, language: str) -> list[str]:
    lines = [f"• {t(language, flag.message_key)}" for flag in result.red_flags]
    if result.other_warnings:
        names = ", ".join(t(language, f"rules.finding.{f.value}") for f in result.other_warnings)
        lines.append(f"• {t(language, 'rules.other_warnings', symptoms=names)}")
    return lines


def red_flag_message(result: TriageResult, language: str, numbers: LocalNumbers) -> str:
    """The message that tells the user exactly what to do now, and why (REFERENCE.md §5.3)."""
    words = number_words(language, numbers)
    if result.tier is Tier.ROUTINE:
        return t(language, "rules.tier.routine", **words)
    parts = [t(language, f"rules.tier.{result.tier.value}", **words)]
    if result.if_in_doubt and result.tier is not Tier.EMERGENCY:
        parts.append(t(language, "rules.if_in_doubt"))
    if CRISIS_LINE_FLAG in result.flag_ids:
        parts.append(t(language, "rules.crisis_line", **words))
    lines = _flag_lines(result, language)
    if result.tier is not Tier.SOON:
        lines.insert(0, t(language, "rules.why_heading"))
    return "\n".join(parts) + "\n\n" + "\n".join(lines)


_ADVICE_KINDS: dict[Tier, AdviceKind] = {
    Tier.EMERGENCY: AdviceKind.EMERGENCY,
    Tier.URGENT: AdviceKind.SAME_DAY,
    Tier.SOON: AdviceKind.SOON,
}


def advice_for(
    result: TriageResult,
    language: str,
    numbers: LocalNumbers,
    source: AdviceSource,
    answered: Iterable[Finding] = (),
) -> Advice | None:
    """The safety message a result calls for, to go through the outbox; None when routine."""
    if result.tier is Tier.ROUTINE:
        return None
    crisis = CRISIS_LINE_FLAG in result.flag_ids
    return Advice(
        kind=AdviceKind.CRISIS if crisis else _ADVICE_KINDS[result.tier],
        tier=result.tier,
        text=red_flag_message(result, language, numbers),
        source=source,
        red_flags=result.flag_ids,
        # The patient's own answers behind the flags, for the surgeon's report.
        findings=tuple(
            f
            for f in dict.fromkeys(f for flag in result.red_flags for f in _flag_findings(flag.id))
            if f in set(answered)
        ),
    )


def _flag_findings(flag_id: str) -> tuple[Finding, ...]:
    return next((rule.findings() for rule in RED_FLAGS if rule.id == flag_id), ())


def advice_pointer(advice: Advice, language: str, numbers: LocalNumbers) -> str:
    """One line above the screen that says what to do now and that the details follow."""
    return t(language, f"rules.pointer.{advice.kind.value}", **number_words(language, numbers))


def _cause_line(cause: RankedCause, language: str) -> str:
    name = t(language, CAUSES_BY_ID[cause.id].name_key)
    why = "; ".join(reason.text(language) for reason in cause.why)
    return t(language, "rules.causes.line", cause=name, why=why)


def cause_summary(result: TriageResult, language: str, top: int = 3) -> str:
    """Possible reasons to discuss with the surgeon and the tests they might consider."""
    if not result.causes:
        return ""
    structural = [c for c in result.causes if c.id is not MODIFIER_CAUSE][:top]
    support = any(c.id is MODIFIER_CAUSE for c in result.causes[:top])
    shown = structural or list(result.causes[:top])
    lines = [t(language, "rules.causes.heading")]
    lines += [_cause_line(cause, language) for cause in shown]
    tests = dict.fromkeys(key for cause in shown for key in cause.tests)
    lines.append(t(language, "rules.causes.tests", tests="; ".join(t(language, k) for k in tests)))
    if support and structural:
        lines.append(t(language, "rules.causes.support"))
    return "\n".join(lines)


def _json_message(flag: FiredFlag, language: str, numbers: LocalNumbers) -> str:
    words = number_words(language, numbers)
    parts = [
        t(language, flag.message_key),
        t(language, f"rules.action.{flag.tier.value}", **words),
    ]
    if flag.if_in_doubt and flag.tier is not Tier.EMERGENCY:
        parts.append(t(language, "rules.if_in_doubt"))
    if flag.id == CRISIS_LINE_FLAG:
        parts.append(t(language, "rules.crisis_line", **words))
    return " ".join(parts)


def to_json_dict(
    result: TriageResult, language: str, numbers: LocalNumbers = UNKNOWN
) -> dict[str, object]:
    """The `backtrack triage --json` shape of DESIGN.md, with texts in the language."""
    return {
        "tier": result.tier.value,
        "red_flags": [
            {
                "id": flag.id,
                "tier": flag.tier.value,
                "message": _json_message(flag, language, numbers),
            }
            for flag in result.red_flags
        ],
        "causes": [
            {
                "id": cause.id.value,
                "score": cause.score,
                "why": [reason.text(language) for reason in cause.why],
                "tests": [t(language, key) for key in cause.tests],
            }
            for cause in result.causes
        ],
    }
