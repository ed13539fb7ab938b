"""Which advice a diary entry's symptoms call for, and whether the patient already had it.

Advice is keyed by what it is about and its tier, so going Back and Done again sends nothing
twice, and only a rise in tier is new advice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.clinical.codes import Tier
from flows.clinical.rules import TriageResult, advice_for
from flows.dialogs.said import numbers_of, triage_said
from flows.kit.core import Context
from flows.records.models import Advice, AdviceSource, Entry

if TYPE_CHECKING:
    # Only for annotations: flows.dialogs.log imports this module.
    from flows.dialogs.log import LogState


def already_advised(entry: Entry, ctx: Context) -> tuple[str, ...]:
    """What a stored entry's symptoms were advised on when it was logged."""
    if not entry.symptoms:
        return ()
    return _advised_keys(triage_said(entry.symptoms, entry.entry_date, ctx))


def _advised_keys(result: TriageResult) -> tuple[str, ...]:
    """What a result advises on, each with its tier: its red flags, other warning signs, or
    (with neither) the urgency the causes alone set (§8.5)."""
    keys = [f"{flag.id}={flag.tier.value}" for flag in result.red_flags]
    keys += [f"warning.{f.value}={Tier.SOON.value}" for f in result.other_warnings]
    return tuple(keys) or (f"causes={result.tier.value}",)


def _is_new(keys: tuple[str, ...], advised: tuple[str, ...]) -> bool:
    """Whether any key is not yet advised at its tier or higher (a rise is new advice)."""
    done: dict[str, int] = {}
    for entry in advised:
        key, _, tier = entry.partition("=")
        done[key] = max(done.get(key, -1), Tier(tier).rank)
    for entry in keys:
        key, _, tier = entry.partition("=")
        if Tier(tier).rank > done.get(key, -1):
            return True
    return False


def new_advice(state: LogState, ctx: Context) -> tuple[Advice, tuple[str, ...]] | None:
    """The advice the ticked symptoms call for, unless that advice was already sent."""
    findings = state.symptoms
    if not findings:
        return None
    result = triage_said(findings, state.entry_date, ctx)
    advice = advice_for(result, ctx.language, numbers_of(ctx), AdviceSource.LOG, answered=findings)
    keys = _advised_keys(result)
    if advice is None or not _is_new(keys, state.advised):
        return None
    return advice, keys
