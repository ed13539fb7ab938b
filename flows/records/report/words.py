"""The wording the parts of the report share: local times, findings, urgency and flags.

Urgency in plain words ("Emergency (now)", "Same day") and red flags by name; the rule IDs
and the tiers of the clinical rules (T1-T3) are explained once, in a key (`checks.rule_key`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flows.clinical.codes import Finding, Tier
from flows.clinical.rules_data import RED_FLAGS
from flows.i18n import t
from flows.records.models import Entry

RED_FLAG_NAMES = {rule.id: rule.name_key for rule in RED_FLAGS}


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def to_local(moment: datetime, zone: str) -> datetime:
    """The moment in the time zone named `zone`."""
    return moment.astimezone(_zone(zone))


def recorded_local(entry: Entry) -> datetime:
    """When the entry was recorded, in the time zone the user was in."""
    return to_local(entry.recorded_at, entry.timezone)


def local_time(entry: Entry) -> time | None:
    """The local clock time the entry was recorded, if it was recorded on the entry's date."""
    # None too for an imported row that had no time: the import's moment is not its time.
    return entry.own_time()


def finding_words(findings: Iterable[Finding], language: str) -> str:
    """The findings as plain words, comma separated."""
    return ", ".join(t(language, f"report.finding.{f.value}") for f in findings)


def tier_words(tier: Tier, language: str) -> str:
    """The tier with the clinical rules' code ("T2, same day"): FHIR's wording."""
    return t(language, f"report.tier.{tier.value}")


def urgency_words(tier: Tier, language: str) -> str:
    """The tier as the report says it, in plain words ("Same day")."""
    return t(language, f"report.urgency.{tier.value}")


def flag_name(flag_id: str, language: str) -> str:
    """The red flag's name in words."""
    # A flag from rules since changed has no name: its ID, which the key then explains.
    return t(language, RED_FLAG_NAMES[flag_id]) if flag_id in RED_FLAG_NAMES else flag_id


def local_in_period(moment: datetime, zone: str, first: date, last: date) -> datetime | None:
    """The moment in local time if its day is within `first`..`last`, else None."""
    local = to_local(moment, zone)
    return local if first <= local.date() <= last else None
