"""The content of the surgeon's report: every number and sentence of page one, and CSV rows.

Pure: the diary, checks and sent alerts come in, plain values go out; the shell lays them out
(bot.pdf_report) or writes them (flows.records.diary_csv). The numbers are the trend detector's own
(flows.clinical.trends), so the report never disagrees with what the bot told the patient:

- Baseline: the personal baseline as known at the end of the period (median of the first 14
  diary days, REFERENCE.md §3.2, or of the first 14 from week 12 after surgery when the diary
  started before then), from the whole diary, not only the period shown. The report names
  those days (`Diary.baseline_days`) and how many of them were imported, since rows imported
  from before the first logged day move the baseline.
- Last 7 days: the detector's 7-day mean ending on the last day, shown only with 5 of the 7
  days logged (§3.3 item 7); a gap is never read as "no change".
- Meaningful change: `rise_needed` (baseline-aware, §3.1–3.2); crossed when the detector's
  status is worse or better.
- Red-flag events: every red flag or warning sign of the period from three places: diary
  entries whose symptoms fire the shared rules (§1, with the days since surgery on that entry's
  date as precisely as known, §8.1), every symptom check, and the safety advice the bot decided
  on (§8). One flag on one
  day is one event, naming every place it was seen and whether its advice reached the patient.
- Checks: every symptom check of the period on one line each; the latest in detail.
- Wording: urgency in plain words ("Emergency (now)", "Same day") and red flags by name; the
  rule IDs and the tiers of the clinical rules (T1-T3) are explained once, in a key. The FHIR
  export keeps its own wording (`name`, `tier_text` and `flags_text` below).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from flows.clinical.codes import RED_FLAG_FINDINGS, CauseId, DaysRange, Finding, Tier
from flows.clinical.rules import TOP_CAUSES, TriageResult, shown_causes, triage
from flows.clinical.rules_data import CAUSES_BY_ID, RED_FLAGS, RED_FLAGS_BY_ID
from flows.clinical.trends import (
    BASELINE_DAYS,
    NERVE_FINDINGS,
    NERVE_MIN_DAYS,
    NERVE_WINDOW_DAYS,
    NRS_MEASURES,
    WINDOW_DAYS,
    AlertKind,
    Diary,
    Measure,
    SentAlert,
    StatusKind,
    days_needed,
    evaluate,
    rise_needed,
)
from flows.kit.i18n import t
from flows.records.diary_csv import DiaryRow
from flows.records.models import (
    AdviceKind,
    AdviceSource,
    CheckResult,
    Entry,
    EntrySource,
    Profile,
    Region,
    StoredAdvice,
)

__all__ = [
    "AdviceLine",
    "AlertLine",
    "CauseLine",
    "CheckLine",
    "CheckSummary",
    "EventSource",
    "MeasureRow",
    "RedFlagEvent",
    "Report",
    "Sighting",
    "build_report",
    "finding_words",
    "local_time",
    "period_checks",
    "period_events",
    "recorded_local",
    "rows_from_entries",
]

_RED_FLAG_NAMES = {rule.id: rule.name_key for rule in RED_FLAGS}
_FINDING_CODES = frozenset(f.value for f in Finding)
# An entry with none of these can fire no red flag and carry no warning sign: skipping the
# rules for it keeps a ten-year export fast.
_FLAG_INPUTS = frozenset(RED_FLAG_FINDINGS).union(f for rule in RED_FLAGS for f in rule.findings())


class MeasureRow(BaseModel):
    """One line of the pain table: baseline, last 7 days, change and the meaningful change."""

    model_config = ConfigDict(frozen=True)

    measure: Measure
    name: str
    baseline: float | None
    recent: float | None
    recent_logged: int
    change: float | None
    mcid: float | None
    status: StatusKind
    crossed: bool
    # The days the baseline is the median of, and how many of them came from an import.
    baseline_first: date | None = None
    baseline_last: date | None = None
    baseline_imported: int = 0
    # Re-taken once the recovery from surgery had settled (flows.clinical.trends.settled_from).
    baseline_settled: bool = False
    baseline_text: str
    recent_text: str
    change_text: str
    mcid_text: str
    crossed_text: str


class AlertLine(BaseModel):
    """An alert the patient was sent, with what it was about in words."""

    model_config = ConfigDict(frozen=True)

    day: date
    kind: AlertKind
    tier: Tier
    which: str
    reason: str
    text: str


class EventSource(StrEnum):
    """Where a red flag or warning sign was seen."""

    DIARY = "diary"
    CHECK = "check"
    MESSAGE = "message"
    TREND = "trend"


class Sighting(BaseModel):
    """One place a red flag or warning sign was seen, and when (local time)."""

    model_config = ConfigDict(frozen=True)

    source: EventSource
    # When it was recorded, which for a diary entry logged "about yesterday" is a later day.
    at: datetime
    entry_id: int | None = None
    # False: known only from the advice it led to (a message, a diary entry then cancelled, a
    # check not finished); the advice stands all the same (REFERENCE.md §8.6).
    recorded: bool = True
    text: str


class AdviceLine(BaseModel):
    """Safety advice the bot decided on, and whether Telegram confirmed it reached the patient."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: AdviceKind
    tier: Tier
    source: AdviceSource
    decided_at: datetime
    delivered_at: datetime | None
    attempts: int
    text: str

    @property
    def delivered(self) -> bool:
        """Whether the advice reached the patient."""
        return self.delivered_at is not None


class RedFlagEvent(BaseModel):
    """One red flag or warning sign on one day, with every place it was seen and its advice."""

    model_config = ConfigDict(frozen=True)

    day: date
    time: time | None
    tier: Tier
    # The red flag's ID (RF-...); None for a warning sign that fires no red flag (tier T3).
    flag_id: str | None
    warning: Finding | None
    # The flag's or sign's name alone, with the flag's ID and tier code (FHIR), and as the
    # report shows it (`title`, `urgency_text`: plain words, the ID in the report's key).
    label: str
    name: str
    title: str
    seen: tuple[Sighting, ...]
    advice: tuple[AdviceLine, ...]
    when_text: str
    tier_text: str
    urgency_text: str
    seen_text: str
    advice_text: str
    text: str

    @property
    def sources(self) -> tuple[EventSource, ...]:
        """The places it was seen, each once, diary first."""
        found = {s.source for s in self.seen}
        return tuple(source for source in EventSource if source in found)

    @property
    def entry_ids(self) -> tuple[int, ...]:
        """The stored diary entries it was seen in."""
        return tuple(s.entry_id for s in self.seen if s.entry_id is not None)

    @property
    def delivered(self) -> bool | None:
        """Whether all its advice reached the patient; None when no advice was decided."""
        return None if not self.advice else all(a.delivered for a in self.advice)


class CauseLine(BaseModel):
    """A possible cause from a symptom check, as ranked by the rules."""

    model_config = ConfigDict(frozen=True)

    id: CauseId
    score: float
    name: str


class CheckSummary(BaseModel):
    """The latest symptom check: result, red flags, top causes and tests to consider."""

    model_config = ConfigDict(frozen=True)

    day: date
    tier: Tier
    # The flags' names, and their IDs.
    red_flags: tuple[str, ...]
    red_flag_ids: tuple[str, ...] = ()
    causes: tuple[CauseLine, ...]
    tests: tuple[str, ...]
    heading: str
    details: tuple[str, ...]
    causes_heading: str
    cause_lines: tuple[str, ...]
    tests_text: str


class CheckLine(BaseModel):
    """One symptom check of the period: when, the result, its red flags and top causes."""

    model_config = ConfigDict(frozen=True)

    recorded_at: datetime
    day: date
    time: time
    tier: Tier
    red_flags: tuple[str, ...]
    findings: tuple[Finding, ...]
    unsure: tuple[Finding, ...]
    causes: tuple[CauseLine, ...]
    tier_text: str
    # With the flags' IDs (FHIR), and by name alone (the report).
    flags_text: str
    flag_names_text: str
    causes_text: str
    text: str


class Report(BaseModel):
    """Every number and sentence of the report: page one and its warning signs and checks."""

    model_config = ConfigDict(frozen=True)

    language: str
    first: date
    last: date
    generated_on: date
    patient_label: str | None
    patient_text: str
    period_text: str
    generated_text: str
    surgery_date: date | None
    levels: int | None
    region: Region | None
    surgery_text: str
    days_since_surgery: int | None
    since_text: str
    measures: tuple[MeasureRow, ...]
    baseline_text: str
    pain_note: str
    alerts: tuple[AlertLine, ...]
    red_flags: tuple[RedFlagEvent, ...]
    flag_count_text: str
    flag_summary_text: str
    checks: tuple[CheckLine, ...]
    check_count_text: str
    check_summary_text: str
    latest_check: CheckSummary | None
    check_none_text: str
    days_logged: int
    days_in_period: int
    entry_count: int
    completeness_text: str
    not_a_diagnosis: str
    # What the report's urgency words and red-flag names stand for in the clinical rules.
    urgency_key: str
    rule_key: tuple[str, ...]


# --- Small helpers -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(_zone(zone))


def recorded_local(entry: Entry) -> datetime:
    """When the entry was recorded, in the time zone the user was in."""
    return _local(entry.recorded_at, entry.timezone)


def local_time(entry: Entry) -> time | None:
    """The local clock time the entry was recorded, if it was recorded on the entry's date."""
    # None too for an imported row that had no time: the import's moment is not its time.
    return entry.own_time()


def finding_words(findings: Iterable[Finding], language: str) -> str:
    """The findings as plain words, comma separated."""
    return ", ".join(t(language, f"report.finding.{f.value}") for f in findings)


def _tier(tier: Tier, language: str) -> str:
    # With the clinical rules' tier code ("T2, same day"): FHIR's wording.
    return t(language, f"report.tier.{tier.value}")


def _urgency(tier: Tier, language: str) -> str:
    return t(language, f"report.urgency.{tier.value}")


def _flag_name(flag_id: str, language: str) -> str:
    # A flag from rules since changed has no name: its ID, which the key then explains.
    return t(language, _RED_FLAG_NAMES[flag_id]) if flag_id in _RED_FLAG_NAMES else flag_id


# --- Surgery -------------------------------------------------------------------------------------


def _surgery_date_text(profile: Profile, language: str) -> str:
    bounds = profile.surgery_bounds()
    if bounds is None:
        return t(language, "report.surgery.date_unknown")
    earliest, latest = bounds
    if earliest is not None and earliest == latest:
        return t(language, "report.surgery.date_day", date=earliest.isoformat())
    if profile.surgery_after is not None or profile.surgery_before is not None:
        # Narrowed by "in the last 2 weeks?" (§8.1): the range says more than the month.
        if earliest is None or latest is None:
            key, day = (
                ("report.surgery.date_before", latest)
                if earliest is None
                else ("report.surgery.date_after", earliest)
            )
            return t(language, key, date=day.isoformat() if day else "")
        return t(
            language,
            "report.surgery.date_between",
            first=earliest.isoformat(),
            last=latest.isoformat(),
        )
    year = profile.surgery_year
    if profile.surgery_month is None:
        return t(language, "report.surgery.date_year", year=year)
    month = t(language, f"month.{profile.surgery_month}")
    return t(language, "report.surgery.date_month", month=month, year=year)


def _surgery_text(profile: Profile, language: str) -> str:
    # Onboarding offers 1, 2 or "3 or more", so 3 means at least 3.
    levels = (
        t(language, "report.surgery.levels_unknown")
        if profile.levels is None
        else t(language, f"report.levels.l{min(profile.levels, 3)}")
    )
    region = (
        t(language, "report.surgery.region_unknown")
        if profile.region is None or profile.region is Region.UNKNOWN
        else t(language, f"region.{profile.region.value}")
    )
    return t(
        language,
        "report.surgery.line",
        date=_surgery_date_text(profile, language),
        region=region,
        levels=levels,
    )


def _since_text(profile: Profile, days: int | None, language: str) -> str:
    if days is None:
        return t(language, "report.since.unknown")
    if days < 14:
        text = t(language, "report.since.days", days=days)
    elif days < 183:
        text = t(language, "report.since.weeks", days=days, weeks=days // 7)
    elif days < 365:
        text = t(language, "report.since.months", days=days, months=round(days * 12 / 365))
    else:
        months = round(days * 12 / 365.25)
        text = t(language, "report.since.years", days=days, years=months // 12, months=months % 12)
    # Without the day, Profile.surgery_date() estimates it; say how.
    bounds = profile.surgery_bounds()
    if bounds is not None and bounds[0] is not None and bounds[0] == bounds[1]:
        return text
    if profile.surgery_after is not None or profile.surgery_before is not None:
        estimated = "range"
    else:
        estimated = "month" if profile.surgery_month is not None else "year"
    return f"{text} {t(language, f'report.since.estimated_{estimated}')}"


# --- Pain table ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _BaselineDays:
    first: date
    last: date
    imported: int
    settled: bool


def _baseline_days(
    diary: Diary, entries: Sequence[Entry], measure: Measure, last: date, surgery: date | None
) -> _BaselineDays | None:
    """The days the baseline known on `last` is the median of, and how many were imported."""
    days = diary.baseline_days(measure, last, surgery)
    if days is None:
        return None
    wanted = set(days.dates)
    dated: dict[date, bool] = {}
    for entry in entries:
        value = entry.back_pain if measure is Measure.BACK else entry.leg_pain
        if value is not None and entry.entry_date in wanted:
            from_file = entry.source is EntrySource.IMPORT
            dated[entry.entry_date] = dated.get(entry.entry_date, True) and from_file
    # A date counts as imported only when every value on it came from a file.
    imported = sum(1 for day in days.dates if dated.get(day))
    return _BaselineDays(days.first, days.last, imported, days.settled)


def _measure_row(
    measure: Measure,
    status_kind: StatusKind,
    baseline: float | None,
    recent: float | None,
    logged: int,
    needed: int,
    language: str,
    days: _BaselineDays | None = None,
) -> MeasureRow:
    name = t(language, f"report.measure.{measure.value}")
    mcid = None if baseline is None else rise_needed(measure, baseline)
    change = None if baseline is None or recent is None else recent - baseline
    if baseline is None:
        baseline_text = t(language, "report.baseline.missing", logged=logged, needed=needed)
        recent_text = t(language, "report.not_available")
    else:
        baseline_text = f"{baseline:.1f}"
        recent_text = (
            t(language, "report.recent.gaps", logged=logged, window=WINDOW_DAYS)
            if recent is None
            else t(
                language, "report.recent", mean=f"{recent:.1f}", logged=logged, window=WINDOW_DAYS
            )
        )
    crossed = status_kind in (StatusKind.WORSE, StatusKind.BETTER)
    if status_kind is StatusKind.WORSE:
        crossed_key = "report.crossed.worse"
    elif status_kind is StatusKind.BETTER:
        crossed_key = "report.crossed.better"
    elif status_kind is StatusKind.NO_CLEAR_CHANGE:
        crossed_key = "report.crossed.no"
    else:
        crossed_key = "report.crossed.unknown"
    return MeasureRow(
        measure=measure,
        name=name,
        baseline=baseline,
        recent=recent,
        recent_logged=logged if baseline is not None else 0,
        change=change,
        mcid=mcid,
        status=status_kind,
        crossed=crossed,
        baseline_first=None if days is None else days.first,
        baseline_last=None if days is None else days.last,
        baseline_imported=0 if days is None else days.imported,
        baseline_settled=days is not None and days.settled,
        baseline_text=baseline_text,
        recent_text=recent_text,
        change_text=t(language, "report.not_available") if change is None else f"{change:+.1f}",
        mcid_text=(
            t(language, "report.not_available")
            if mcid is None
            else t(language, "report.mcid.value", points=f"{mcid:.1f}")
        ),
        crossed_text=t(language, crossed_key),
    )


def _measures(
    diary: Diary, known: Sequence[Entry], last: date, surgery: date | None, language: str
) -> list[MeasureRow]:
    assessment = evaluate(diary, last, surgery_date=surgery)
    by_measure = {status.measure: status for status in assessment.status}
    rows = []
    for measure in NRS_MEASURES:
        status = by_measure[measure]
        rows.append(
            _measure_row(
                measure,
                status.kind,
                status.baseline,
                status.recent,
                status.logged,
                status.needed,
                language,
                _baseline_days(diary, known, measure, last, surgery),
            )
        )
    return rows


def _baseline_text(rows: Sequence[MeasureRow], first: date, language: str) -> str:
    """Which days the baseline is the median of, and how many of them were imported."""
    # Back and leg share their days unless one was left blank on some: one span for each set.
    spans: dict[tuple[date, date, int, bool], list[str]] = {}
    for row in rows:
        if row.baseline is None or row.baseline_first is None or row.baseline_last is None:
            continue
        value = t(
            language,
            "report.baseline.value",
            measure=t(language, f"report.baseline.{row.measure.value}"),
            value=f"{row.baseline:.1f}",
        )
        key = (row.baseline_first, row.baseline_last, row.baseline_imported, row.baseline_settled)
        spans.setdefault(key, []).append(value)
    if not spans:
        return t(language, "report.baseline.none", days=BASELINE_DAYS)
    parts = []
    for (start, end, imported, settled), values in spans.items():
        notes = []
        if settled:
            notes.append(t(language, "report.baseline.settled"))
        if end < first:
            notes.append(t(language, "report.baseline.before"))
        if imported:
            notes.append(t(language, "report.baseline.imported", count=imported))
        span = t(language, "report.baseline.span", first=start.isoformat(), last=end.isoformat())
        if notes:
            span = t(language, "report.baseline.noted", span=span, notes="; ".join(notes))
        parts.append(t(language, "report.baseline.part", span=span, values=", ".join(values)))
    return t(language, "report.baseline.line", days=BASELINE_DAYS, parts="; ".join(parts))


# --- Alerts and red flags ------------------------------------------------------------------------


def _flag_words(flag_ids: Iterable[str], warnings: Sequence[Finding], language: str) -> str:
    parts = [_flag_name(i, language) for i in flag_ids if i in _RED_FLAG_NAMES]
    if warnings:
        words = finding_words(warnings, language)
        parts.append(t(language, "report.red_flag.warning", symptoms=words))
    return "; ".join(parts)


def _red_flag_reason(which: str, language: str) -> str:
    flag_ids: list[str] = []
    warnings: list[Finding] = []
    for part in which.split("+"):
        if part in _RED_FLAG_NAMES:
            flag_ids.append(part)
        elif part in _FINDING_CODES:
            warnings.append(Finding(part))
    return _flag_words(flag_ids, warnings, language) or which


def _alert_reason(
    alert: SentAlert,
    diary: Diary,
    nerves: dict[date, set[Finding]],
    surgery: date | None,
    lang: str,
) -> str:
    if alert.kind is AlertKind.RED_FLAG:
        return t(lang, "report.alert.reason.red_flag", flags=_red_flag_reason(alert.which, lang))
    if alert.kind is AlertKind.NEW_NERVE_SYMPTOMS:
        found: set[Finding] = set()
        for offset in range(NERVE_WINDOW_DAYS):
            found |= nerves.get(date.fromordinal(alert.day.toordinal() - offset), set())
        days = {"count": NERVE_MIN_DAYS, "window": NERVE_WINDOW_DAYS}
        if not found:
            return t(lang, "report.alert.reason.nerve_unknown", **days)
        ordered = [f for f in NERVE_FINDINGS if f in found]
        words = finding_words(ordered, lang)
        return t(lang, "report.alert.reason.nerve", symptoms=words, **days)
    try:
        measure = Measure(alert.which)
    except ValueError:
        return alert.which
    name = t(lang, f"trends.name.{measure.value}")
    recent = diary.rolling_mean(measure, alert.day)
    # The baseline the alert was measured from: re-taken once the recovery settled (§3).
    baseline = diary.baseline(measure, alert.day, surgery)
    if recent is None or baseline is None:
        return t(lang, "report.alert.reason.worsening_unknown", measure=name)
    return t(
        lang,
        "report.alert.reason.worsening",
        measure=name,
        recent=f"{recent:.1f}",
        baseline=f"{baseline:.1f}",
        rise=f"{recent - baseline:+.1f}",
    )


def _alerts(
    alerts: Sequence[SentAlert],
    diary: Diary,
    entries: Sequence[Entry],
    first: date,
    last: date,
    surgery: date | None,
    language: str,
) -> list[AlertLine]:
    shown = sorted((a for a in alerts if first <= a.day <= last), key=lambda a: a.day)
    nerves: dict[date, set[Finding]] = {}
    if any(a.kind is AlertKind.NEW_NERVE_SYMPTOMS for a in shown):
        for entry in entries:
            found = set(entry.symptoms).intersection(NERVE_FINDINGS)
            if found:
                nerves.setdefault(entry.entry_date, set()).update(found)
    lines = []
    for alert in shown:
        reason = _alert_reason(alert, diary, nerves, surgery, language)
        lines.append(
            AlertLine(
                day=alert.day,
                kind=alert.kind,
                tier=alert.tier,
                which=alert.which,
                reason=reason,
                text=t(
                    language,
                    "report.alert.line",
                    date=alert.day.isoformat(),
                    kind=t(language, f"report.alert.kind.{alert.kind.value}"),
                    tier=_urgency(alert.tier, language),
                    reason=reason,
                ),
            )
        )
    return lines


# The key of an event on its day: a red flag's ID, a warning sign's finding, or, for advice that
# names neither, the advice's kind.
_Key = tuple[str, str]
_ADVICE_SEEN = {
    AdviceSource.LOG: EventSource.DIARY,
    AdviceSource.CHECK: EventSource.CHECK,
    AdviceSource.TEXT: EventSource.MESSAGE,
    AdviceSource.TREND: EventSource.TREND,
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
        decided = _local(advice.decided_at, zone)
        delivered = None if advice.delivered_at is None else _local(advice.delivered_at, zone)
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
            known = flag_id in _RED_FLAG_NAMES
            label = title = _flag_name(flag_id, lang)
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
        tier_text = _tier(draft.tier, lang)
        urgency_text = _urgency(draft.tier, lang)
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


def _in_period(moment: datetime, zone: str, first: date, last: date) -> datetime | None:
    local = _local(moment, zone)
    return local if first <= local.date() <= last else None


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
        local = _in_period(check.recorded_at, zone, first, last)
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
        local = _in_period(item.decided_at, zone, first, last)
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


def _flag_summary_text(events: Sequence[RedFlagEvent], language: str) -> str:
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


def _flag_count_text(events: Sequence[RedFlagEvent], language: str) -> str:
    summary = _flag_summary_text(events, language)
    return t(language, "report.count.where", summary=summary) if events else summary


# --- Symptom checks ------------------------------------------------------------------------------


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
        t(language, "report.red_flag.flag", name=t(language, _RED_FLAG_NAMES[i]), id=i)
        if i in _RED_FLAG_NAMES
        else i
        for i in flag_ids
    ]


def period_checks(
    checks: Sequence[CheckResult], zone: str, first: date, last: date, language: str
) -> tuple[CheckLine, ...]:
    """Every symptom check of the period, oldest first, with its result on one line."""
    lines = []
    for check in sorted(checks, key=lambda c: c.recorded_at):
        local = _in_period(check.recorded_at, zone, first, last)
        if local is None:
            continue
        causes = _top_causes(check, language)
        tier_text = t(language, "report.checks.result", tier=_urgency(check.tier, language))
        none = t(language, "report.checks.no_flags")
        flags_text = "; ".join(_named_flags(check.red_flags, language)) or none
        flag_names_text = "; ".join(_flag_name(i, language) for i in check.red_flags) or none
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


def _rule_key(flag_ids: Iterable[str], language: str) -> tuple[str, ...]:
    """One line per red-flag rule the report names: its ID, name and the condition it is for."""
    named = set(flag_ids)
    # In the order of the clinical rules, then any the rules no longer have.
    ordered = [rule.id for rule in RED_FLAGS if rule.id in named]
    ordered += sorted(named - set(ordered))
    lines = []
    for flag_id in ordered:
        if flag_id not in _RED_FLAG_NAMES:
            lines.append(t(language, "report.key.rule_unknown", id=flag_id))
            continue
        group = flag_id.split("-")[1].lower()
        lines.append(
            t(
                language,
                "report.key.rule",
                id=flag_id,
                name=_flag_name(flag_id, language),
                condition=t(language, f"report.key.group.{group}"),
            )
        )
    return tuple(lines)


def _check_count_text(count: int, language: str, *, where: bool = True) -> str:
    size = "none" if count == 0 else "one" if count == 1 else "many"
    key = f"report.checks.count_{size}" if where else f"report.checks.summary_{size}"
    return t(language, key, count=count)


# --- The latest symptom check --------------------------------------------------------------------


def _latest_check(
    checks: Sequence[CheckResult], zone: str, last: date, language: str
) -> CheckSummary | None:
    dated = [(_local(c.recorded_at, zone).date(), c) for c in checks]
    dated = [(day, c) for day, c in dated if day <= last]
    if not dated:
        return None
    day, check = max(dated, key=lambda pair: pair[1].recorded_at)
    causes = _top_causes(check, language)
    test_keys = dict.fromkeys(key for c in causes for key in CAUSES_BY_ID[c.id].test_keys)
    tests = tuple(t(language, key) for key in test_keys)
    flags = tuple(t(language, _RED_FLAG_NAMES[i]) for i in check.red_flags if i in _RED_FLAG_NAMES)
    details = []
    if check.red_flags:
        named = [_flag_name(i, language) for i in check.red_flags]
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
            tier=_urgency(check.tier, language),
        ),
        details=tuple(details),
        causes_heading=t(language, "report.check.causes" if causes else "report.check.no_causes"),
        cause_lines=tuple(
            t(language, "report.check.cause", rank=rank, name=cause.name)
            for rank, cause in enumerate(causes, start=1)
        ),
        tests_text=t(language, "report.check.tests", tests="; ".join(tests)) if tests else "",
    )


# --- Public entry points -------------------------------------------------------------------------


def build_report(
    *,
    profile: Profile,
    entries: Sequence[Entry],
    checks: Sequence[CheckResult],
    alerts: Sequence[SentAlert],
    first: date,
    last: date,
    language: str,
    generated_on: date | None = None,
    advice: Sequence[StoredAdvice] = (),
) -> Report:
    """Return what the surgeon's report says about `first`..`last` (inclusive)."""
    # `entries` should be the whole diary, since the baseline is its first 14 days; entries
    # after `last` are ignored, and alerts, checks and advice outside the period are not
    # listed (the latest check is shown even if it came before the period).
    if last < first:
        raise ValueError("the report period ends before it starts")
    known = [e for e in entries if e.entry_date <= last]
    in_period = sorted(
        (e for e in known if e.entry_date >= first), key=lambda e: (e.entry_date, e.recorded_at)
    )
    surgery = profile.surgery_date()
    since = profile.days_since_surgery(last)
    diary = Diary(known)
    days_in_period = (last - first).days + 1
    days_logged = len({e.entry_date for e in in_period})
    percent = round(100 * days_logged / days_in_period)
    label = profile.display_name.strip() if profile.display_name else None
    generated = last if generated_on is None else generated_on
    latest = _latest_check(checks, profile.timezone, last, language)
    events = period_events(
        profile=profile,
        entries=in_period,
        checks=checks,
        advice=advice,
        first=first,
        last=last,
        language=language,
    )
    check_lines = period_checks(checks, profile.timezone, first, last, language)
    measures = _measures(diary, known, last, surgery, language)
    alert_lines = _alerts(alerts, diary, known, first, last, surgery, language)
    flag_ids = [
        *(e.flag_id for e in events if e.flag_id is not None),
        *(i for line in check_lines for i in line.red_flags),
        *(() if latest is None else latest.red_flag_ids),
        *(
            part
            for line in alert_lines
            if line.kind is AlertKind.RED_FLAG
            for part in line.which.split("+")
            if part in _RED_FLAG_NAMES
        ),
    ]
    return Report(
        language=language,
        first=first,
        last=last,
        generated_on=generated,
        patient_label=label or None,
        patient_text=(
            t(language, "report.patient", label=label)
            if label
            else t(language, "report.patient_unnamed")
        ),
        period_text=t(language, "report.period", first=first.isoformat(), last=last.isoformat()),
        generated_text=t(language, "report.generated", date=generated.isoformat()),
        surgery_date=surgery,
        levels=profile.levels,
        region=profile.region,
        surgery_text=_surgery_text(profile, language),
        days_since_surgery=since,
        since_text=_since_text(profile, since, language),
        measures=tuple(measures),
        baseline_text=_baseline_text(measures, first, language),
        pain_note=t(
            language,
            "report.pain.note",
            baseline_days=BASELINE_DAYS,
            needed=days_needed(WINDOW_DAYS),
            window=WINDOW_DAYS,
        ),
        alerts=tuple(alert_lines),
        red_flags=events,
        flag_count_text=_flag_count_text(events, language),
        flag_summary_text=_flag_summary_text(events, language),
        checks=check_lines,
        check_count_text=_check_count_text(len(check_lines), language),
        check_summary_text=_check_count_text(len(check_lines), language, where=False),
        latest_check=latest,
        check_none_text=t(language, "report.check.none"),
        days_logged=days_logged,
        days_in_period=days_in_period,
        entry_count=len(in_period),
        completeness_text=t(
            language,
            "report.completeness",
            logged=days_logged,
            days=days_in_period,
            percent=percent,
            entries=len(in_period),
        ),
        not_a_diagnosis=t(language, "report.not_a_diagnosis"),
        urgency_key=t(language, "report.key.urgency"),
        rule_key=_rule_key(flag_ids, language),
    )


def rows_from_entries(entries: Iterable[Entry]) -> list[DiaryRow]:
    """The diary CSV rows of DESIGN.md for the entries, oldest first, with local times."""
    ordered = sorted(entries, key=lambda e: (e.entry_date, e.recorded_at))
    return [
        DiaryRow(
            entry_date=entry.entry_date,
            back_pain=entry.back_pain,
            leg_pain=entry.leg_pain,
            symptoms=entry.symptoms,
            # The CSV reader strips a note's surrounding whitespace, so the file round-trips.
            note=(entry.note or "").strip() or None,
            entry_time=local_time(entry),
        )
        for entry in ordered
    ]
