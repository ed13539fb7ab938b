"""The shared red-flag and cause rules: one pure `triage` function and what it returns.

Red flags come first and set the tier (REFERENCE.md §1.1 rule 1); causes are ranked with the
§2.3 weights and framed as questions for the surgeon, never as a diagnosis (§5.1, §5.3). A
cause a fired flag names is listed first, and the first cause's usual next step is a floor for
the tier (§8.5). RF-MH is answered with its own crisis message and never downgraded (§8.3).
Days since surgery may be a range (§8.1). The rules themselves are data in
flows.clinical.rules_data.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from flows.clinical.codes import RED_FLAG_FINDINGS, CauseId, DaysRange, Finding, Tier, highest
from flows.clinical.messages import (
    TOP_CAUSES,
    advice_for,
    advice_pointer,
    cause_summary,
    crisis_message,
    number_words,
    red_flag_message,
    shown_causes,
    to_json_dict,
)
from flows.clinical.rules_data import (
    CAUSES,
    CAUSES_BY_ID,
    CRISIS_FINDINGS,
    CRISIS_FLAGS,
    FEATURES,
    FEATURES_BY_CODE,
    MODIFIER_CAUSE,
    PATTERN_QUESTIONS,
    RED_FLAGS,
    RED_FLAGS_BY_ID,
    SCREENING_QUESTIONS,
    CauseRule,
    Condition,
    Feature,
    PatternQuestion,
    RedFlagRule,
    ScreeningQuestion,
)
from flows.i18n import t

__all__ = [
    "CAUSES",
    "PATTERN_QUESTIONS",
    "RED_FLAGS",
    "SCREENING_QUESTIONS",
    "TOP_CAUSES",
    "CauseFloor",
    "FiredFlag",
    "PatternQuestion",
    "RankedCause",
    "Reason",
    "ScreeningQuestion",
    "TriageResult",
    "advice_for",
    "advice_pointer",
    "as_days_range",
    "cause_summary",
    "crisis_message",
    "number_words",
    "red_flag_message",
    "shown_causes",
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

    @property
    def crisis(self) -> bool:
        """Whether the flag is answered with the crisis message (REFERENCE.md §8.3)."""
        return self.id in CRISIS_FLAGS


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
    named_by_flag: bool = False


class CauseFloor(BaseModel):
    """A listed cause whose usual first step raised the tier (REFERENCE.md §8.5)."""

    model_config = ConfigDict(frozen=True)

    cause: CauseId
    tier: Tier
    first: bool


class TriageResult(BaseModel):
    """What the shared rules say about a set of answers: how soon to act, why, what to ask."""

    model_config = ConfigDict(frozen=True)

    tier: Tier
    red_flags: tuple[FiredFlag, ...] = ()
    causes: tuple[RankedCause, ...] = ()
    if_in_doubt: bool = False
    other_warnings: tuple[Finding, ...] = ()
    known: tuple[Finding, ...] = ()
    cause_floor: CauseFloor | None = None

    @property
    def emergency(self) -> bool:
        """Whether the user must call the emergency number or go to the ED now."""
        return self.tier is Tier.EMERGENCY

    @property
    def flag_ids(self) -> tuple[str, ...]:
        """The IDs of the fired red flags, most urgent first."""
        return tuple(flag.id for flag in self.red_flags)

    @property
    def crisis(self) -> bool:
        """Whether a crisis flag fired (REFERENCE.md §8.3)."""
        return any(flag.crisis for flag in self.red_flags)

    def without_crisis(self) -> TriageResult:
        """The same result with the crisis flags taken out and the tier of what is left."""
        flags = tuple(flag for flag in self.red_flags if not flag.crisis)
        return self.model_copy(
            update={
                "red_flags": flags,
                "tier": _overall(flags, self.other_warnings, self.known, self.cause_floor),
                "if_in_doubt": any(flag.if_in_doubt for flag in flags),
            }
        )


# ---------------------------------------------------------------------------------------------
# Red flags
# ---------------------------------------------------------------------------------------------


def _met(
    rule: RedFlagRule, present: frozenset[Finding], days: DaysRange | None
) -> list[Condition]:
    if rule.window is not None and not rule.window.is_open(days):
        return []
    return [
        c
        for c in rule.conditions
        if (c.window is None or c.window.is_open(days))
        and all(present.intersection(group) for group in c.all_of)
    ]


def _rule_tier(
    rule: RedFlagRule, present: frozenset[Finding], days: DaysRange | None
) -> Tier | None:
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
    rule: RedFlagRule,
    yes: frozenset[Finding],
    possible: frozenset[Finding],
    days: DaysRange | None,
) -> FiredFlag | None:
    certain = _rule_tier(rule, yes, days)
    maybe = _rule_tier(rule, possible, days)
    if maybe is None:
        return None
    if certain is not None and certain.rank >= maybe.rank:
        return FiredFlag(id=rule.id, tier=certain, message_key=rule.message_key)
    if rule.crisis:
        # REFERENCE.md §8.3: "not sure" still gets the crisis message at once, at full tier.
        return FiredFlag(id=rule.id, tier=maybe, message_key=rule.message_key, unsure=True)
    floor = [certain] if certain is not None else []
    return FiredFlag(
        id=rule.id,
        tier=highest([*floor, _unsure_tier(maybe)]),
        message_key=rule.message_key,
        unsure=True,
        if_in_doubt=maybe is Tier.EMERGENCY,
    )


def _red_flags(
    yes: frozenset[Finding], possible: frozenset[Finding], days: DaysRange | None
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


def _other_warnings(possible: frozenset[Finding], days: DaysRange | None) -> tuple[Finding, ...]:
    # A warning symptom that fires no rule (because of its time window or a missing half of a
    # combination) still reaches the team: see DECISIONS "Warning symptoms that fire no rule".
    covered = {f for rule in RED_FLAGS for c in _met(rule, possible, days) for f in c.findings()}
    return tuple(f for f in RED_FLAG_FINDINGS if f in possible and f not in covered)


# ---------------------------------------------------------------------------------------------
# Causes
# ---------------------------------------------------------------------------------------------


def _present(feature: Feature, yes: frozenset[Finding], days: DaysRange | None) -> bool:
    if feature.days is not None:
        return feature.days.holds(days)
    return bool(yes.intersection(feature.findings))


def _timing_values(days: int) -> tuple[tuple[str, int], ...]:
    months = round(days * 12 / 365)
    return (("days", days), ("weeks", days // 7), ("months", months), ("years", days // 365))


RED_FLAG_REASON = Reason(key="rules.why.red_flag")


def _ranked(
    cause: CauseRule, present: set[str], days: DaysRange | None, *, named: bool
) -> RankedCause | None:
    hits = [w for w in cause.weights if w.feature in present]
    score = float(sum(w.value for w in hits))
    if not named:
        reported = any(w.value > 0 and FEATURES_BY_CODE[w.feature].describes_pain for w in hits)
        own_pattern = not cause.listed_with or present.intersection(cause.listed_with)
        if score <= 0 or not reported or not own_pattern:
            return None
    reasons = sorted((w for w in hits if w.value > 0), key=lambda w: -w.value)
    why = tuple(_reason(w.feature, days) for w in reasons)
    return RankedCause(
        id=cause.id,
        score=score,
        why=(RED_FLAG_REASON, *why) if named else why,
        tests=cause.test_keys,
        next_steps=(cause.first_line_key, cause.advanced_key),
        named_by_flag=named,
    )


def _rank_causes(
    yes: frozenset[Finding], days: DaysRange | None, flags: tuple[FiredFlag, ...]
) -> tuple[RankedCause, ...]:
    present = {f.code for f in FEATURES if _present(f, yes, days)}
    # REFERENCE.md §8.5: a cause a fired flag names comes first, in the order of the flags
    # (most urgent first); of flags of one tier, one that fired on a definite Yes names its
    # causes before one fired only on Not sure.
    ordered = sorted(
        flags, key=lambda f: (-f.tier.rank, _rule_tier(RED_FLAGS_BY_ID[f.id], yes, days) is None)
    )
    named = tuple(dict.fromkeys(c for f in ordered for c in RED_FLAGS_BY_ID[f.id].causes))
    first = [_ranked(CAUSES_BY_ID[c], present, days, named=True) for c in named]
    scored = [_ranked(cause, present, days, named=False) for cause in CAUSES]
    rest = [c for c in scored if c is not None and c.id not in named]
    # sorted() is stable, so equal scores keep the §2.2 order A–L.
    return (
        *(c for c in first if c is not None),
        *sorted(rest, key=lambda c: -c.score),
    )


def _reason(code: str, days: DaysRange | None) -> Reason:
    feature = FEATURES_BY_CODE[code]
    if feature.days is None or days is None:
        return Reason(key=feature.reason_key)
    exact = days.exact
    if exact is None:
        return Reason(key=feature.range_reason_key or feature.reason_key)
    return Reason(key=feature.reason_key, values=_timing_values(exact))


def _cause_floor(causes: tuple[RankedCause, ...]) -> CauseFloor | None:
    # REFERENCE.md §8.5: never lower than the first step of the first-listed cause, and
    # never "nothing urgent" beside a listed cause whose first step is urgent.
    structural = [c for c in causes if c.id is not MODIFIER_CAUSE]
    if structural:
        lead = structural[0]
        tier = CAUSES_BY_ID[lead.id].next_step_tier
        if tier is not Tier.ROUTINE:
            return CauseFloor(cause=lead.id, tier=tier, first=True)
    for cause in structural[1:]:
        if CAUSES_BY_ID[cause.id].next_step_tier is not Tier.ROUTINE:
            return CauseFloor(cause=cause.id, tier=Tier.SOON, first=False)
    return None


def _overall(
    flags: tuple[FiredFlag, ...],
    others: tuple[Finding, ...],
    known: tuple[Finding, ...],
    floor: CauseFloor | None,
) -> Tier:
    tiers = [flag.tier for flag in flags]
    if others or known:
        tiers.append(Tier.SOON)
    if floor is not None:
        tiers.append(floor.tier)
    return highest(tiers)


# ---------------------------------------------------------------------------------------------
# The one entry point
# ---------------------------------------------------------------------------------------------


def as_days_range(days_since_surgery: int | DaysRange | None) -> DaysRange | None:
    """Days since surgery as a range: an int is an exact day, None stays unknown."""
    if days_since_surgery is None or isinstance(days_since_surgery, DaysRange):
        return days_since_surgery
    if days_since_surgery < 0:
        raise ValueError("days_since_surgery must not be negative")
    return DaysRange.exactly(days_since_surgery)


# A red flag recorded in the diary this many days back still stands (REFERENCE.md §8.7): in
# /check, and when an imported diary brings one in.
RECENT_FLAG_DAYS = 7


def triage(
    findings: Iterable[Finding],
    unsure: Iterable[Finding] = (),
    days_since_surgery: int | DaysRange | None = None,
    *,
    known: Iterable[Finding] = (),
) -> TriageResult:
    """Return how soon the user must act, the red flags that fired and the causes to discuss."""
    # `known`: red-flag symptoms answered "not new: unchanged, and my team knows about it"; they
    # fire no flag but make the result at least `soon` (REFERENCE.md §1.1 rule 5), except a
    # crisis symptom, which is never downgraded (§8.3).
    days = as_days_range(days_since_surgery)
    told_known = frozenset(known)
    yes = frozenset(findings) | (told_known & CRISIS_FINDINGS)
    possible = yes | frozenset(unsure)
    long_standing = tuple(f for f in RED_FLAG_FINDINGS if f in told_known - possible)
    flags = _red_flags(yes, possible, days)
    others = _other_warnings(possible, days)
    causes = _rank_causes(yes, days, flags)
    # The floor is judged against the flags other than a crisis flag, so it still shows once
    # the crisis message has been given on its own (REFERENCE.md §8.3, §8.5).
    base = _overall(tuple(f for f in flags if not f.crisis), others, long_standing, None)
    floor = _cause_floor(causes)
    if floor is not None and floor.tier.rank <= base.rank:
        floor = None
    return TriageResult(
        tier=_overall(flags, others, long_standing, floor),
        red_flags=flags,
        causes=causes,
        if_in_doubt=any(flag.if_in_doubt for flag in flags),
        other_warnings=others,
        known=long_standing,
        cause_floor=floor,
    )
