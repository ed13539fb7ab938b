"""The symptom checks: every check of the period on one line each, the latest in detail.

Also the report's key: each red-flag rule it names, with the condition it is for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from flows.clinical.rules import TOP_CAUSES, shown_causes
from flows.clinical.rules_data import CAUSES_BY_ID, RED_FLAGS
from flows.i18n import t
from flows.records.models import CheckResult
from flows.records.report.models import CauseLine, CheckLine, CheckSummary
from flows.records.report.words import (
    RED_FLAG_NAMES,
    finding_words,
    flag_name,
    local_in_period,
    to_local,
    urgency_words,
)


def _top_causes(check: CheckResult, language: str) -> tuple[CauseLine, ...]:
    ranked = sorted(check.causes, key=lambda pair: -pair[1])
    # The same choice as the patient's /check result (rules.cause_summary).
    shown = shown_causes(ranked, lambda pair: pair[0], TOP_CAUSES)
    return tuple(
        CauseLine(id=cause, score=score, name=t(language, CAUSES_BY_ID[cause].name_key))
        for cause, score in shown
    )


def _named_flags(flag_ids: Iterable[str], language: str) -> list[str]:
    return [
        t(language, "report.red_flag.flag", name=t(language, RED_FLAG_NAMES[i]), id=i)
        if i in RED_FLAG_NAMES
        else i
        for i in flag_ids
    ]


def period_checks(
    checks: Sequence[CheckResult], zone: str, first: date, last: date, language: str
) -> tuple[CheckLine, ...]:
    """Every symptom check of the period, oldest first, with its result on one line."""
    lines = []
    for check in sorted(checks, key=lambda c: c.recorded_at):
        local = local_in_period(check.recorded_at, zone, first, last)
        if local is None:
            continue
        causes = _top_causes(check, language)
        tier_text = t(language, "report.checks.result", tier=urgency_words(check.tier, language))
        none = t(language, "report.checks.no_flags")
        flags_text = "; ".join(_named_flags(check.red_flags, language)) or none
        flag_names_text = "; ".join(flag_name(i, language) for i in check.red_flags) or none
        causes_text = (
            "; ".join(
                t(language, "report.check.cause", rank=rank, name=cause.name)
                for rank, cause in enumerate(causes, start=1)
            )
            if causes
            else t(language, "report.check.no_causes")
        )
        when = local.strftime("%H:%M")
        lines.append(
            CheckLine(
                recorded_at=local,
                day=local.date(),
                time=local.time().replace(second=0, microsecond=0),
                tier=check.tier,
                red_flags=check.red_flags,
                findings=check.findings,
                unsure=check.unsure,
                causes=causes,
                tier_text=tier_text,
                flags_text=flags_text,
                flag_names_text=flag_names_text,
                causes_text=causes_text,
                text=t(
                    language,
                    "report.checks.line",
                    date=local.date().isoformat(),
                    time=when,
                    tier=tier_text,
                    flags=flag_names_text,
                    causes=causes_text,
                ),
            )
        )
    return tuple(lines)


def rule_key(flag_ids: Iterable[str], language: str) -> tuple[str, ...]:
    """One line per red-flag rule the report names: its ID, name and the condition it is for."""
    named = set(flag_ids)
    # In the order of the clinical rules, then any the rules no longer have.
    ordered = [rule.id for rule in RED_FLAGS if rule.id in named]
    ordered += sorted(named - set(ordered))
    lines = []
    for flag_id in ordered:
        if flag_id not in RED_FLAG_NAMES:
            lines.append(t(language, "report.key.rule_unknown", id=flag_id))
            continue
        group = flag_id.split("-")[1].lower()
        lines.append(
            t(
                language,
                "report.key.rule",
                id=flag_id,
                name=flag_name(flag_id, language),
                condition=t(language, f"report.key.group.{group}"),
            )
        )
    return tuple(lines)


def check_count_text(count: int, language: str, *, where: bool = True) -> str:
    """How many checks the period had, pointing to their list unless `where` is False."""
    size = "none" if count == 0 else "one" if count == 1 else "many"
    key = f"report.checks.count_{size}" if where else f"report.checks.summary_{size}"
    return t(language, key, count=count)


def latest_check(
    checks: Sequence[CheckResult], zone: str, last: date, language: str
) -> CheckSummary | None:
    """The latest symptom check up to `last`, shown even if it came before the period."""
    dated = [(to_local(c.recorded_at, zone).date(), c) for c in checks]
    dated = [(day, c) for day, c in dated if day <= last]
    if not dated:
        return None
    day, check = max(dated, key=lambda pair: pair[1].recorded_at)
    causes = _top_causes(check, language)
    test_keys = dict.fromkeys(key for c in causes for key in CAUSES_BY_ID[c.id].test_keys)
    tests = tuple(t(language, key) for key in test_keys)
    flags = tuple(t(language, RED_FLAG_NAMES[i]) for i in check.red_flags if i in RED_FLAG_NAMES)
    details = []
    if check.red_flags:
        named = [flag_name(i, language) for i in check.red_flags]
        details.append(t(language, "report.check.flags", flags="; ".join(named)))
    else:
        details.append(t(language, "report.check.no_flags"))
    if check.findings:
        words = finding_words(check.findings, language)
        details.append(t(language, "report.check.findings", findings=words))
    if check.unsure:
        words = finding_words(check.unsure, language)
        details.append(t(language, "report.check.unsure", findings=words))
    return CheckSummary(
        day=day,
        tier=check.tier,
        red_flags=flags,
        red_flag_ids=check.red_flags,
        causes=causes,
        tests=tests,
        heading=t(
            language,
            "report.check.line",
            date=day.isoformat(),
            tier=urgency_words(check.tier, language),
        ),
        details=tuple(details),
        causes_heading=t(language, "report.check.causes" if causes else "report.check.no_causes"),
        cause_lines=tuple(
            t(language, "report.check.cause", rank=rank, name=cause.name)
            for rank, cause in enumerate(causes, start=1)
        ),
        tests_text=t(language, "report.check.tests", tests="; ".join(tests)) if tests else "",
    )
