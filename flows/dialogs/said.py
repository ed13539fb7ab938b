"""What the shared rules make of what a patient said, with their profile and their numbers.

Every flow that hears a warning sign (the diary, a check-in prompt, a fall in /event, an
imported file) decides its advice here, so that each adds the same risk factors, counts the
days since surgery the same way and names the same country's numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flows.clinical.codes import Finding
from flows.clinical.emergency import UNKNOWN, LocalNumbers
from flows.clinical.rules import TriageResult, advice_for, triage
from flows.kit.core import Context
from flows.records.models import Advice, AdviceSource


def numbers_of(ctx: Context) -> LocalNumbers:
    """The patient's local emergency, same-day and crisis numbers, or none known."""
    return ctx.profile.numbers() if ctx.profile else UNKNOWN


def triage_said(findings: Iterable[Finding], day: date, ctx: Context) -> TriageResult:
    """The rules on what was said about `day`, with the profile's risk factors (§2)."""
    profile = ctx.profile
    found = set(findings) | (profile.profile_findings() if profile else frozenset())
    days = profile.surgery_days(day) if profile else None
    return triage(found, (), days)


def advice_said(
    findings: Iterable[Finding],
    day: date,
    ctx: Context,
    answered: Iterable[Finding],
    source: AdviceSource = AdviceSource.LOG,
) -> Advice | None:
    """The safety message what was said calls for (None when routine), as the diary sends it."""
    result = triage_said(findings, day, ctx)
    return advice_for(result, ctx.language, numbers_of(ctx), source, answered=answered)
