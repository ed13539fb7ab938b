"""The content of the surgeon's report: every number and sentence of page one, and CSV rows.

Pure: the diary, checks and sent alerts come in, plain values go out; the shell lays them out
(bot.pdf_report) or writes them (flows.diary_csv). The numbers are the trend detector's own
(flows.trends), so the report never disagrees with what the bot told the patient:

- Baseline: the personal baseline as known at the end of the period (median of the first 14
  diary days, REFERENCE.md §3.2), from the whole diary, not only the period shown.
- Last 7 days: the detector's 7-day mean ending on the last day, shown only with 5 of the 7
  days logged (§3.3 item 7); a gap is never read as "no change".
- Meaningful change: `rise_needed` (baseline-aware, §3.1–3.2); crossed when the detector's
  status is worse or better.
- Red-flag events: every entry in the period whose symptoms fire the shared rules (§1), with
  the time since surgery on that entry's date.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from flows.codes import CauseId, Finding, Tier
from flows.diary_csv import DiaryRow
from flows.i18n import t
from flows.models import CheckResult, Entry, Profile, Region
from flows.rules import triage
from flows.rules_data import CAUSES_BY_ID, MODIFIER_CAUSE, RED_FLAGS
from flows.trends import (
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
    evaluate,
    rise_needed,
)

__all__ = [
    "TOP_CAUSES",
    "AlertLine",
    "CauseLine",
    "CheckSummary",
    "MeasureRow",
    "RedFlagEvent",
    "Report",
    "build_report",
    "finding_words",
    "local_time",
    "recorded_local",
    "rows_from_entries",
]

# As many causes as the /check result shows the patient (rules.cause_summary).
TOP_CAUSES = 3
# §3.3 item 7: a 7-day mean needs 5 of its 7 days.
_WINDOW_NEEDED = (WINDOW_DAYS * 7 + 9) // 10
_RED_FLAG_NAMES = {rule.id: rule.name_key for rule in RED_FLAGS}
_FINDING_CODES = frozenset(f.value for f in Finding)


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


class RedFlagEvent(BaseModel):
    """A diary entry whose symptoms fired the shared red-flag rules."""

    model_config = ConfigDict(frozen=True)

    entry_id: int
    day: date
    time: time | None
    tier: Tier
    flag_ids: tuple[str, ...]
    warnings: tuple[Finding, ...]
    text: str


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
    red_flags: tuple[str, ...]
    causes: tuple[CauseLine, ...]
    tests: tuple[str, ...]
    heading: str
    details: tuple[str, ...]
    causes_heading: str
    cause_lines: tuple[str, ...]
    tests_text: str


class Report(BaseModel):
    """Every number and sentence of the report's first page."""

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
    pain_note: str
    alerts: tuple[AlertLine, ...]
    red_flags: tuple[RedFlagEvent, ...]
    latest_check: CheckSummary | None
    check_none_text: str
    days_logged: int
    days_in_period: int
    entry_count: int
    completeness_text: str
    not_a_diagnosis: str


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
    local = recorded_local(entry)
    # An entry made the next morning "about yesterday" has no time on its own date.
    if local.date() != entry.entry_date:
        return None
    return local.time().replace(second=0, microsecond=0)


def finding_words(findings: Iterable[Finding], language: str) -> str:
    """The findings as plain words, comma separated."""
    return ", ".join(t(language, f"report.finding.{f.value}") for f in findings)


def _tier(tier: Tier, language: str) -> str:
    return t(language, f"report.tier.{tier.value}")


def _days_since(surgery: date | None, day: date) -> int | None:
    # Like the trend detector: before the (estimated) surgery date the timing is unknown.
    if surgery is None or day < surgery:
        return None
    return (day - surgery).days


# --- Surgery -------------------------------------------------------------------------------------


def _surgery_date_text(profile: Profile, language: str) -> str:
    surgery = profile.surgery_date()
    if surgery is None:
        return t(language, "report.surgery.date_unknown")
    if profile.surgery_month is None:
        return t(language, "report.surgery.date_year", year=surgery.year)
    month = t(language, f"month.{surgery.month}")
    return t(language, "report.surgery.date_month", month=month, year=surgery.year)


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
    # The profile never holds the day: Profile.surgery_date() estimates it.
    estimated = "month" if profile.surgery_month is not None else "year"
    return f"{text} {t(language, f'report.since.estimated_{estimated}')}"


# --- Pain table ----------------------------------------------------------------------------------


def _measure_row(
    measure: Measure,
    status_kind: StatusKind,
    baseline: float | None,
    recent: float | None,
    logged: int,
    needed: int,
    language: str,
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


def _measures(diary: Diary, last: date, surgery: date | None, language: str) -> list[MeasureRow]:
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
            )
        )
    return rows


# --- Alerts and red flags ------------------------------------------------------------------------


def _flag_words(flag_ids: Iterable[str], warnings: Sequence[Finding], language: str) -> str:
    parts = [
        t(language, "report.red_flag.flag", name=t(language, _RED_FLAG_NAMES[i]), id=i)
        for i in flag_ids
        if i in _RED_FLAG_NAMES
    ]
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
    alert: SentAlert, diary: Diary, nerves: dict[date, set[Finding]], lang: str
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
    baseline = diary.baseline(measure, alert.day)
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
        reason = _alert_reason(alert, diary, nerves, language)
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
                    tier=_tier(alert.tier, language),
                    reason=reason,
                ),
            )
        )
    return lines


def _red_flag_events(
    entries: Sequence[Entry], surgery: date | None, language: str
) -> list[RedFlagEvent]:
    events = []
    for entry in entries:
        if not entry.symptoms:
            continue
        result = triage(entry.symptoms, days_since_surgery=_days_since(surgery, entry.entry_date))
        if result.tier is Tier.ROUTINE:
            continue
        at = local_time(entry)
        what = _flag_words(result.flag_ids, result.other_warnings, language)
        events.append(
            RedFlagEvent(
                entry_id=entry.id,
                day=entry.entry_date,
                time=at,
                tier=result.tier,
                flag_ids=result.flag_ids,
                warnings=result.other_warnings,
                text=t(
                    language,
                    "report.red_flag.line",
                    date=entry.entry_date.isoformat(),
                    time="" if at is None else at.strftime("%H:%M"),
                    tier=_tier(result.tier, language),
                    what=what,
                ).replace("  ", " "),
            )
        )
    return events


# --- The latest symptom check --------------------------------------------------------------------


def _latest_check(
    checks: Sequence[CheckResult], zone: str, last: date, language: str
) -> CheckSummary | None:
    dated = [(_local(c.recorded_at, zone).date(), c) for c in checks]
    dated = [(day, c) for day, c in dated if day <= last]
    if not dated:
        return None
    day, check = max(dated, key=lambda pair: pair[1].recorded_at)
    ranked = sorted(check.causes, key=lambda pair: -pair[1])
    # Like the patient's /check result: structural causes first, the modifier only if alone.
    structural = [pair for pair in ranked if pair[0] is not MODIFIER_CAUSE][:TOP_CAUSES]
    shown = structural or ranked[:TOP_CAUSES]
    causes = tuple(
        CauseLine(id=cause, score=score, name=t(language, CAUSES_BY_ID[cause].name_key))
        for cause, score in shown
    )
    test_keys = dict.fromkeys(key for c in causes for key in CAUSES_BY_ID[c.id].test_keys)
    tests = tuple(t(language, key) for key in test_keys)
    flags = tuple(t(language, _RED_FLAG_NAMES[i]) for i in check.red_flags if i in _RED_FLAG_NAMES)
    details = []
    if check.red_flags:
        named = [
            t(language, "report.red_flag.flag", name=t(language, _RED_FLAG_NAMES[i]), id=i)
            if i in _RED_FLAG_NAMES
            else i
            for i in check.red_flags
        ]
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
        causes=causes,
        tests=tests,
        heading=t(
            language, "report.check.line", date=day.isoformat(), tier=_tier(check.tier, language)
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
) -> Report:
    """Return what page one of the surgeon's report says about `first`..`last` (inclusive)."""
    # `entries` should be the whole diary, since the baseline is its first 14 days; entries
    # after `last` are ignored, and alerts outside the period are not listed.
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
        measures=tuple(_measures(diary, last, surgery, language)),
        pain_note=t(
            language,
            "report.pain.note",
            baseline_days=BASELINE_DAYS,
            needed=_WINDOW_NEEDED,
            window=WINDOW_DAYS,
        ),
        alerts=tuple(_alerts(alerts, diary, known, first, last, language)),
        red_flags=tuple(_red_flag_events(in_period, surgery, language)),
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
