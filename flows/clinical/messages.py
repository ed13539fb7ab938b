"""What the shared rules' result says: the safety messages, the advice for the outbox, the
causes to discuss with the surgeon and the `backtrack triage --json` shape (REFERENCE.md §5.3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

from flows.clinical.codes import CauseId, Finding, Tier
from flows.clinical.emergency import UNKNOWN, LocalNumbers
from flows.clinical.rules_data import CAUSES_BY_ID, MODIFIER_CAUSE, RED_FLAGS_BY_ID
from flows.i18n import t
from flows.records.models import Advice, AdviceKind, AdviceSource

if TYPE_CHECKING:
    # Only for annotations: flows.clinical.rules imports this module to re-export it.
    from flows.clinical.rules import FiredFlag, RankedCause, TriageResult


def number_words(language: str, numbers: LocalNumbers) -> dict[str, str]:
    """The numbers as the messages name them, with generic words where one is unknown (§8.2)."""
    return {
        "emergency_number": numbers.emergency or t(language, "rules.emergency_number.generic"),
        "same_day": numbers.same_day or t(language, "rules.same_day.generic"),
        "crisis_line": numbers.crisis or t(language, "rules.crisis_line.generic"),
    }


def crisis_message(language: str, numbers: LocalNumbers) -> str:
    """The crisis message: safety and support, the crisis line and the emergency number."""
    return t(language, "rules.crisis.message", **number_words(language, numbers))


def _finding_names(language: str, findings: Iterable[Finding]) -> str:
    return ", ".join(t(language, f"rules.finding.{f.value}") for f in findings)


def _flag_lines(result: TriageResult, language: str) -> list[str]:
    # The crisis message stands on its own above these lines (REFERENCE.md §8.3).
    lines = [f"• {t(language, flag.message_key)}" for flag in result.red_flags if not flag.crisis]
    if result.other_warnings:
        names = _finding_names(language, result.other_warnings)
        lines.append(f"• {t(language, 'rules.other_warnings', symptoms=names)}")
    if result.known:
        names = _finding_names(language, result.known)
        lines.append(f"• {t(language, 'rules.known', symptoms=names)}")
    floor = result.cause_floor
    if floor is not None:
        rule = CAUSES_BY_ID[floor.cause]
        key = "rules.cause_floor.first" if floor.first else "rules.cause_floor.listed"
        lines.append(
            "• "
            + t(
                language,
                key,
                cause=t(language, rule.name_key),
                step=t(language, rule.first_line_key),
            )
        )
    return lines


def _tier_message(result: TriageResult, language: str, words: dict[str, str]) -> str:
    if result.tier is Tier.ROUTINE:
        return t(language, "rules.tier.routine", **words)
    parts = [t(language, f"rules.tier.{result.tier.value}", **words)]
    if result.if_in_doubt and result.tier is not Tier.EMERGENCY:
        parts.append(t(language, "rules.if_in_doubt"))
    lines = _flag_lines(result, language)
    if result.tier is not Tier.SOON:
        lines.insert(0, t(language, "rules.why_heading"))
    return "\n".join(parts) + "\n\n" + "\n".join(lines)


def red_flag_message(result: TriageResult, language: str, numbers: LocalNumbers) -> str:
    """The message that tells the user exactly what to do now, and why (REFERENCE.md §5.3)."""
    # A crisis flag (RF-MH) gets the crisis message, not the spine-emergency text; with other
    # flags too the crisis message comes first and the rest follows at its own tier (§8.3).
    words = number_words(language, numbers)
    if not result.crisis:
        return _tier_message(result, language, words)
    rest = result.without_crisis()
    crisis = crisis_message(language, numbers)
    if rest.tier is Tier.ROUTINE:
        return crisis
    return crisis + "\n\n" + _tier_message(rest, language, words)


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
    told = set(answered)
    return Advice(
        kind=AdviceKind.CRISIS if result.crisis else _ADVICE_KINDS[result.tier],
        tier=result.tier,
        text=red_flag_message(result, language, numbers),
        source=source,
        red_flags=result.flag_ids,
        # The patient's own answers behind the flags, for the surgeon's report.
        findings=tuple(
            f
            for f in dict.fromkeys(f for flag in result.red_flags for f in _flag_findings(flag.id))
            if f in told
        ),
    )


def _flag_findings(flag_id: str) -> tuple[Finding, ...]:
    rule = RED_FLAGS_BY_ID.get(flag_id)
    return () if rule is None else rule.findings()


def advice_pointer(advice: Advice, language: str, numbers: LocalNumbers) -> str:
    """One line above the screen that says what to do now and that the details follow."""
    return t(language, f"rules.pointer.{advice.kind.value}", **number_words(language, numbers))


def _cause_line(cause: RankedCause, language: str) -> str:
    name = t(language, CAUSES_BY_ID[cause.id].name_key)
    why = "; ".join(reason.text(language) for reason in cause.why)
    return t(language, "rules.causes.line", cause=name, why=why)


# As many causes as the /check result shows the patient and the surgeon's report lists.
TOP_CAUSES = 3

_C = TypeVar("_C")


def shown_causes(
    ranked: Sequence[_C], cause_of: Callable[[_C], CauseId], top: int = TOP_CAUSES
) -> list[_C]:
    """The causes a result lists: the `top` structural ones, the modifier only when alone."""
    # Column L is a modifier, not a structural cause (REFERENCE.md §2.3 notes): it takes no
    # structural cause's place.
    structural = [c for c in ranked if cause_of(c) is not MODIFIER_CAUSE][:top]
    return structural or list(ranked[:top])


def cause_summary(result: TriageResult, language: str, top: int = TOP_CAUSES) -> str:
    """Possible reasons to discuss with the surgeon and the tests they might consider."""
    if not result.causes:
        return ""
    shown = shown_causes(result.causes, lambda c: c.id, top)
    # The modifier ranked among the top but left out for structural ones: a line says so.
    left_out = any(c.id is MODIFIER_CAUSE for c in result.causes[:top]) and all(
        c.id is not MODIFIER_CAUSE for c in shown
    )
    lines = [t(language, "rules.causes.heading")]
    lines += [_cause_line(cause, language) for cause in shown]
    tests = dict.fromkeys(key for cause in shown for key in cause.tests)
    lines.append(t(language, "rules.causes.tests", tests="; ".join(t(language, k) for k in tests)))
    if left_out:
        lines.append(t(language, "rules.causes.support"))
    return "\n".join(lines)


def _json_message(flag: FiredFlag, language: str, numbers: LocalNumbers) -> str:
    if flag.crisis:
        return crisis_message(language, numbers)
    words = number_words(language, numbers)
    parts = [
        t(language, flag.message_key),
        t(language, f"rules.action.{flag.tier.value}", **words),
    ]
    if flag.if_in_doubt and flag.tier is not Tier.EMERGENCY:
        parts.append(t(language, "rules.if_in_doubt"))
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
