"""Every red flag and warning sign of the period, from the diary, checks and advice.

Three places: diary entries whose symptoms fire the shared rules (§1, with the days since
surgery on that entry's date as precisely as known, §8.1), every symptom check, and the safety
advice the bot decided on (§8). One flag on one day is one event, naming every place it was
seen and whether its advice reached the patient.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flows.clinical.codes import RED_FLAG_FINDINGS, DaysRange, Finding, Tier
from flows.clinical.rules import TriageResult, triage
from flows.clinical.rules_data import RED_FLAGS, RED_FLAGS_BY_ID
from flows.i18n import t
from flows.records.models import (
    AdviceKind,
    AdviceSource,
    CheckResult,
    Entry,
    Profile,
    StoredAdvice,
)
from flows.records.report.models import AdviceLine, EventSource, RedFlagEvent, Sighting
from flows.records.report.words import (
    RED_FLAG_NAMES,
    finding_words,
    flag_name,
    local_in_period,
    recorded_local,
    tier_words,
    to_local,
    urgency_words,
)

# An entry with none of these can fire no red flag and carry no warning sign: skipping the
# rules for it keeps a ten-year export fast.
_FLAG_INPUTS = frozenset(RED_FLAG_FINDINGS).union(f for rule in RED_FLAGS for f in rule.findings())


# The key of an event on its day: a red flag's ID, a warning sign's finding, or, for advice that
# names neither, the advice's kind.
_Key = tuple[str, str]
_ADVICE_SEEN = {
    AdviceSource.LOG: EventSource.DIARY,
    AdviceSource.CHECK: EventSource.CHECK,
    AdviceSource.TEXT: EventSource.MESSAGE,
    AdviceSource.TREND: EventSource.TREND,
    AdviceSource.EVENT: EventSource.EVENT,
}


@dataclass(slots=True)
class _Draft:
    day: date
    key: _Key
    tier: Tier
    seen: list[Sighting] = field(default_factory=list)
    advice: list[StoredAdvice] = field(default_factory=list)

    def seen_on(self, day: date, source: EventSource | None = None) -> bool:
        return any(
            s.at.date() == day and (source is None or s.source is source) for s in self.seen
        )


def _at_text(at: datetime, day: date) -> str:
    # Within the row of its own day the time is enough; a later day needs its date too.
    return at.strftime("%H:%M") if at.date() == day else at.strftime("%Y-%m-%d %H:%M")


def _higher(one: Tier, other: Tier) -> Tier:
    return one if one.rank >= other.rank else other


def _sighting(
    source: EventSource,
    at: datetime,
    day: date,
    lang: str,
    *,
    entry_id: int | None = None,
    recorded: bool = True,
) -> Sighting:
    key = f"report.seen.{source.value}" + ("" if recorded else "_advice_only")
    return Sighting(
        source=source,
        at=at,
        entry_id=entry_id,
        recorded=recorded,
        text=t(lang, key, at=_at_text(at, day)),
    )


def _flag_tiers(
    flag_ids: Sequence[str], overall: Tier, result: TriageResult | None
) -> dict[str, Tier]:
    """The tier of each flag of a check or an advice, which store only the highest."""
    fired = {} if result is None else {flag.id: flag.tier for flag in result.red_flags}
    tiers = {}
    for flag_id in flag_ids:
        rule = RED_FLAGS_BY_ID.get(flag_id)
        if flag_id in fired:
            tiers[flag_id] = fired[flag_id]
        elif len(flag_ids) == 1 or rule is None:
            tiers[flag_id] = overall
        else:
            # Kept from the diary (§8.7) or from rules since changed: the rule's own tier,
            # never above what the patient was told.
            tiers[flag_id] = rule.tier if rule.tier.rank <= overall.rank else overall
    return tiers


def _safe_triage(
    findings: Sequence[Finding], unsure: Sequence[Finding], days: DaysRange | None
) -> TriageResult | None:
    return triage(findings, unsure, days) if findings or unsure else None


class _Events:
    """Red flags and warning signs collected from the diary, checks and advice, by day."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.drafts: dict[tuple[date, _Key], _Draft] = {}
        self.by_key: dict[_Key, list[_Draft]] = {}

    def see(self, day: date, key: _Key, tier: Tier, sighting: Sighting) -> None:
        draft = self.drafts.get((day, key))
        if draft is None:
            draft = self.drafts[day, key] = _Draft(day, key, tier)
            self.by_key.setdefault(key, []).append(draft)
        else:
            draft.tier = _higher(draft.tier, tier)
        draft.seen.append(sighting)

    def advise(self, key: _Key, tier: Tier, advice: StoredAdvice, at: datetime) -> None:
        day = at.date()
        source = _ADVICE_SEEN[advice.source]
        # The advice belongs with the sighting it was decided for: the same flag seen that day
        # in the same place (a diary entry logged "about yesterday" included), else anywhere.
        candidates = [d for d in self.by_key.get(key, ()) if d.seen_on(day)]
        draft = next((d for d in candidates if d.seen_on(day, source)), None)
        if draft is None and candidates:
            draft = candidates[0]
        if draft is None or not draft.seen_on(day, source):
            event_day = day if draft is None else draft.day
            self.see(
                event_day,
                key,
                tier,
                _sighting(source, at, event_day, self.language, recorded=False),
            )
            draft = self.drafts[event_day, key]
        draft.tier = _higher(draft.tier, tier)
        draft.advice.append(advice)

    def advise_warnings(self, advice: StoredAdvice, at: datetime) -> bool:
        source = _ADVICE_SEEN[advice.source]
        drafts = [
            d
            for key, found in self.by_key.items()
            if key[0] == "warning"
            for d in found
            if d.seen_on(at.date(), source)
        ]
        for draft in drafts:
            draft.advice.append(advice)
        return bool(drafts)

    def events(self, zone: str) -> list[RedFlagEvent]:
        events = [self._event(draft, zone) for draft in self.drafts.values()]
        events.sort(key=lambda e: (e.day, e.time or time.min, -e.tier.rank, e.name))
        return events

    def _advice_line(self, advice: StoredAdvice, day: date, zone: str) -> AdviceLine:
        lang = self.language
        decided = to_local(advice.decided_at, zone)
        delivered = None if advice.delivered_at is None else to_local(advice.delivered_at, zone)
        kind = t(lang, f"report.advice.kind.{advice.kind.value}")
        if delivered is None:
            text = t(
                lang,
                "report.advice.pending",
                kind=kind,
                at=_at_text(decided, day),
                attempts=advice.attempts,
            )
        else:
            text = t(
                lang,
                "report.advice.delivered",
                kind=kind,
                at=_at_text(decided, day),
                delivered=_at_text(delivered, decided.date()),
            )
        return AdviceLine(
            id=advice.id,
            kind=advice.kind,
            tier=advice.tier,
            source=advice.source,
            decided_at=decided,
            delivered_at=delivered,
            attempts=advice.attempts,
            text=text,
        )

    def _event(self, draft: _Draft, zone: str) -> RedFlagEvent:
        lang = self.language
        kind, value = draft.key
        flag_id = value if kind == "flag" else None
        warning = Finding(value) if kind == "warning" else None
        if flag_id is not None:
            known = flag_id in RED_FLAG_NAMES
            label = title = flag_name(flag_id, lang)
            name = t(lang, "report.red_flag.flag", name=label, id=flag_id) if known else label
        elif warning is not None:
            label = finding_words([warning], lang)
            name = title = t(lang, "report.red_flag.warning", symptoms=label)
        else:
            label = name = title = t(lang, "report.event.advice_only")
        seen = tuple(sorted(draft.seen, key=lambda s: s.at))
        on_day = [s.at for s in seen if s.at.date() == draft.day]
        at = min(on_day).time().replace(second=0, microsecond=0) if on_day else None
        advice = tuple(
            self._advice_line(a, draft.day, zone)
            for a in sorted(draft.advice, key=lambda a: (a.decided_at, a.id))
        )
        when = "" if at is None else at.strftime("%H:%M")
        tier_text = tier_words(draft.tier, lang)
        urgency_text = urgency_words(draft.tier, lang)
        seen_text = ", ".join(s.text for s in seen)
        advice_text = "; ".join(a.text for a in advice)
        parts = [
            f"{draft.day.isoformat()} {when}".strip(),
            urgency_text,
            title,
            t(lang, "report.event.seen", seen=seen_text),
        ]
        if advice_text:
            parts.append(advice_text)
        return RedFlagEvent(
            day=draft.day,
            time=at,
            tier=draft.tier,
            flag_id=flag_id,
            warning=warning,
            label=label,
            name=name,
            title=title,
            seen=seen,
            advice=advice,
            when_text=when,
            tier_text=tier_text,
            urgency_text=urgency_text,
            seen_text=seen_text,
            advice_text=advice_text,
            text=" · ".join(parts),
        )


def period_events(
    *,
    profile: Profile,
    entries: Sequence[Entry],
    checks: Sequence[CheckResult],
    advice: Sequence[StoredAdvice],
    first: date,
    last: date,
    language: str,
) -> tuple[RedFlagEvent, ...]:
    """Every red flag and warning sign of the period, once per day, oldest first."""
    zone = profile.timezone
    collected = _Events(language)
    for entry in entries:
        if not first <= entry.entry_date <= last or _FLAG_INPUTS.isdisjoint(entry.symptoms):
            continue
        day = entry.entry_date
        # The rules' windows as the bot applied them that day: never from an estimated date.
        result = triage(entry.symptoms, days_since_surgery=profile.surgery_days(day))
        at = recorded_local(entry)
        for flag in result.red_flags:
            seen = _sighting(EventSource.DIARY, at, day, language, entry_id=entry.id)
            collected.see(day, ("flag", flag.id), flag.tier, seen)
        for finding in result.other_warnings:
            seen = _sighting(EventSource.DIARY, at, day, language, entry_id=entry.id)
            collected.see(day, ("warning", finding.value), Tier.SOON, seen)
    for check in checks:
        local = local_in_period(check.recorded_at, zone, first, last)
        if local is None:
            continue
        day = local.date()
        rerun = _safe_triage(check.findings, check.unsure, profile.surgery_days(day))
        tiers = _flag_tiers(check.red_flags, check.tier, rerun)
        for flag_id in check.red_flags:
            seen = _sighting(EventSource.CHECK, local, day, language)
            collected.see(day, ("flag", flag_id), tiers[flag_id], seen)
        for finding in () if rerun is None else rerun.other_warnings:
            seen = _sighting(EventSource.CHECK, local, day, language)
            collected.see(day, ("warning", finding.value), Tier.SOON, seen)
    for item in advice:
        local = local_in_period(item.decided_at, zone, first, last)
        if local is None:
            continue
        behind = _safe_triage(item.findings, (), profile.surgery_days(local.date()))
        warnings = () if behind is None else behind.other_warnings
        if not item.red_flags and not warnings:
            if item.kind is AdviceKind.TREND or item.source is AdviceSource.TREND:
                # A trend alert with nothing more: listed with the alerts the patient was sent.
                continue
            # Advice for warning signs alone names no flag: it goes with the warning signs
            # seen that day where it was given.
            if not collected.advise_warnings(item, local):
                collected.advise(("advice", item.kind.value), item.tier, item, local)
            continue
        tiers = _flag_tiers(item.red_flags, item.tier, behind)
        for flag_id in item.red_flags:
            collected.advise(("flag", flag_id), tiers[flag_id], item, local)
        for finding in warnings:
            collected.advise(("warning", finding.value), Tier.SOON, item, local)
    return tuple(collected.events(zone))


def flag_summary_text(events: Sequence[RedFlagEvent], language: str) -> str:
    """How many warning signs the period had, by urgency, and whether their advice arrived."""
    if not events:
        return t(language, "report.count.none")
    count = len(events)
    signs = t(language, "report.count.one" if count == 1 else "report.count.many", count=count)
    tiers = ", ".join(
        t(language, f"report.count.tier.{tier.value}", count=number)
        for tier in (Tier.EMERGENCY, Tier.URGENT, Tier.SOON)
        if (number := sum(1 for e in events if e.tier is tier))
    )
    advice = {a.id: a for e in events for a in e.advice}
    missing = sum(1 for a in advice.values() if not a.delivered)
    if not advice:
        advice_text = t(language, "report.count.advice_none")
    elif missing:
        advice_text = t(
            language, "report.count.advice_missing", count=len(advice), missing=missing
        )
    else:
        advice_text = t(language, "report.count.advice_all", count=len(advice))
    return t(language, "report.count.line", signs=signs, tiers=tiers, advice=advice_text)


def flag_count_text(events: Sequence[RedFlagEvent], language: str) -> str:
    """The warning signs' summary, pointing to their list when there are any."""
    summary = flag_summary_text(events, language)
    return t(language, "report.count.where", summary=summary) if events else summary
