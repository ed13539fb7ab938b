"""Renders docs/clinical-rules.md from the rule data, so reviewers read what the code runs."""

from __future__ import annotations

from flows.clinical.codes import Finding, Tier
from flows.clinical.rules_data import (
    CAUSES,
    DECISIONS,
    FEATURES,
    MODIFIER_CAUSE,
    PATTERN_QUESTIONS,
    RED_FLAGS,
    SCREENING_QUESTIONS,
    CauseRule,
    DayWindow,
    RedFlagRule,
)
from flows.locale.en_rules import MESSAGES

_REFERENCE_TIER = {
    Tier.EMERGENCY: "T1",
    Tier.URGENT: "T2",
    Tier.SOON: "T3",
    Tier.ROUTINE: "none",
}


def _tier(tier: Tier) -> str:
    return f"{tier.value} ({_REFERENCE_TIER[tier]})"


def _window(window: DayWindow | None) -> str:
    if window is None:
        return "any time"
    if window.last is None:
        return f"from day {window.first}"
    return f"days {window.first}–{window.last}"


def _codes(findings: tuple[Finding, ...]) -> str:
    return ", ".join(f"`{f.value}`" for f in findings)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _text(key: str) -> str:
    # A message's line breaks stay visible without ending a list item or a table row.
    return MESSAGES[key].replace("\n", "<br>")


def _red_flag(rule: RedFlagRule) -> list[str]:
    lines = [
        f"### {rule.id}: {_text(rule.name_key)}",
        "",
        f"- Tier: {_tier(rule.tier)}",
        f"- Time window: {_window(rule.window)}",
        "- Fires when:",
    ]
    for condition in rule.conditions:
        groups = " **and** ".join(f"any of {_codes(group)}" for group in condition.all_of)
        window = f", {_window(condition.window)}" if condition.window is not None else ""
        lines.append(f"  - {groups} → {_tier(condition.tier)}{window}. Source: {condition.source}")
    if rule.escalations:
        lines.append("- Escalations:")
        lines += [
            f"  - with any of {_codes(e.any_of)} → {_tier(e.tier)}. Source: {e.source}"
            for e in rule.escalations
        ]
    if rule.suppressed_by is not None:
        lines.append(f"- Not shown when {rule.suppressed_by} fires on a definite Yes.")
    if rule.crisis:
        lines.append(
            "- Not sure, and 'not new: my team knows': never downgraded, the same tier as Yes, "
            "answered with the crisis message at once (REFERENCE.md §8.3)."
        )
    else:
        lines.append(
            "- Not sure: counts at the tier it would have on Yes, except that T1 becomes urgent "
            f'(T2) with the line "{_text("rules.if_in_doubt")}" (REFERENCE.md §1.1 rule 5).'
        )
    if rule.causes:
        named = ", then ".join(f"`{c.value}`" for c in rule.causes)
        lines.append(f"- Names the cause listed first: {named}. Source: {rule.causes_source}")
    lines.append(f'- Message: "{_text(rule.message_key)}" (`{rule.message_key}`)')
    lines.append("- Questions: " + " / ".join(f'"{_text(k)}"' for k in rule.question_keys))
    lines.append(f"- Sources: {'; '.join(rule.sources)}")
    return [*lines, ""]


def _cause(cause: CauseRule) -> list[str]:
    modifier = " (modifier, not a structural cause)" if cause.id is MODIFIER_CAUSE else ""
    lines = [
        f"### {cause.letter}. `{cause.id.value}`: {_text(cause.name_key)}{modifier}",
        "",
        "| feature | weight | source |",
        "|---|---|---|",
    ]
    lines += [f"| {w.feature} | {w.value:+d} | {_cell(w.source)} |" for w in cause.weights]
    lines += [
        "",
        "- Tests to ask about: " + "; ".join(_text(k) for k in cause.test_keys),
        f"- Usual first-line: {_text(cause.first_line_key)}",
        f"- When more is considered: {_text(cause.advanced_key)}",
    ]
    if cause.next_step_tier is not Tier.ROUTINE:
        lines.append(
            f"- First step can't wait: the tier is at least {_tier(cause.next_step_tier)} when "
            "this cause is listed first, and at least soon (T3) when it is listed at all. "
            f"Source: {cause.rule_source}"
        )
    if cause.listed_with:
        lines.append(
            "- Listed on its score only with one of the features "
            f"{', '.join(cause.listed_with)}, or when a red flag names it."
        )
    lines += [f"- Sources: {'; '.join(cause.sources)}", ""]
    return lines


def _features() -> list[str]:
    lines = ["| code | present when | reason shown | source |", "|---|---|---|---|"]
    for feature in FEATURES:
        when = _codes(feature.findings) if feature.findings else _window(feature.days)
        lines.append(
            f"| {feature.code} | {when} | {_cell(_text(feature.reason_key))} | "
            f"{_cell(feature.source)} |"
        )
    return [*lines, ""]


def _questions() -> list[str]:
    lines = [
        'Asked in this order; T1 items first. "Not sure" on a follow-up should record the '
        "first (most urgent) choice as unsure.",
        "",
        "| # | question | flag | records | T1 | text |",
        "|---|---|---|---|---|---|",
    ]
    for number, q in enumerate(SCREENING_QUESTIONS, start=1):
        text = _text(q.key)
        if q.follow_up_key is not None:
            options = " / ".join(f"{_text(c.key)} → `{c.finding.value}`" for c in q.choices)
            text += f" Then: {_text(q.follow_up_key)} ({options})"
        lines.append(
            f"| {number} | {q.id} | {q.flag_id} | {_codes(q.findings)} | "
            f"{'yes' if q.t1 else 'no'} | {_cell(text)} |"
        )
    lines += ["", "Course and pattern questions:", "", "| finding | text |", "|---|---|"]
    lines += [f"| `{q.finding.value}` | {_cell(_text(q.key))} |" for q in PATTERN_QUESTIONS]
    return [*lines, ""]


def render_markdown() -> str:
    """The clinical rules document: every red flag, cause weight, decision and message."""
    lines = [
        "# BackTrack clinical rules",
        "",
        "Generated from `flows/clinical/rules_data.py` and `flows/locale/en_rules.py` by "
        "`python -m bot.gen_docs`. Do not edit by hand; a test fails when this file is stale.",
        "",
        "Status: heuristic and not validated. Every rule must be reviewed and signed off by a "
        "responsible clinician before use (REFERENCE.md §0, §2.3, §5).",
        "",
        "## Tiers",
        "",
        "The highest tier of the fired red flags wins (REFERENCE.md §1.4 precedence). It is "
        "never lower than the usual first step of the first-listed cause (§8.5). Without a red "
        "flag or such a cause the tier is routine, or soon for a warning symptom that fires no "
        "rule or a long-standing symptom the team knows about.",
        "",
        "| tier | reference | message |",
        "|---|---|---|",
    ]
    lines += [
        f"| {tier.value} | {_REFERENCE_TIER[tier]} | {_cell(_text(f'rules.tier.{tier.value}'))} |"
        for tier in (Tier.EMERGENCY, Tier.URGENT, Tier.SOON, Tier.ROUTINE)
    ]
    lines += [
        "",
        "RF-MH is answered with the crisis message instead (REFERENCE.md §8.3): "
        f'"{_cell(_text("rules.crisis.message"))}"',
        "",
        "## Red flags (REFERENCE.md §1.2, amended by §8)",
        "",
    ]
    for rule in RED_FLAGS:
        lines += _red_flag(rule)
    lines += ["## Red-flag questions", ""]
    lines += _questions()
    lines += [
        "## Causes (REFERENCE.md §2.2–§2.4)",
        "",
        "Score = sum of the weights of the present features (§2.3). A cause named by a fired "
        "red flag is listed first, whatever its score (§8.5).",
        "",
        "### Features",
        "",
    ]
    lines += _features()
    for cause in CAUSES:
        lines += _cause(cause)
    lines += ["## Decisions where the reference is silent", ""]
    lines += [f"- **{d.topic}.** {d.text}" for d in DECISIONS]
    lines += ["", "## Messages", "", "| key | English text |", "|---|---|"]
    lines += [f"| `{key}` | {_cell(_text(key))} |" for key in MESSAGES]
    return "\n".join(lines) + "\n"
