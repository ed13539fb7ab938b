"""The period and surgery header, and `build_report`, which joins every part of the report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flows.clinical.trends import (
    BASELINE_DAYS,
    WINDOW_DAYS,
    AlertKind,
    Diary,
    SentAlert,
    TreatmentHistory,
    days_needed,
)
from flows.i18n import t
from flows.records.models import CheckResult, Entry, Profile, Region, StoredAdvice
from flows.records.report.alerts import period_alerts
from flows.records.report.checks import check_count_text, latest_check, period_checks, rule_key
from flows.records.report.events import flag_count_text, flag_summary_text, period_events
from flows.records.report.models import Report
from flows.records.report.pain import baseline_line, measure_rows
from flows.records.report.treatment import treatment_summary
from flows.records.report.words import RED_FLAG_NAMES
from flows.records.treatment import MedicineChange, TreatmentEvent


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
    medicine_changes: Sequence[MedicineChange] = (),
    treatment_events: Sequence[TreatmentEvent] = (),
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
    latest = latest_check(checks, profile.timezone, last, language)
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
    measures = measure_rows(diary, known, last, surgery, language)
    history = TreatmentHistory.of(treatment_events, medicine_changes)
    alert_lines = period_alerts(alerts, diary, known, first, last, surgery, language, history)
    flag_ids = [
        *(e.flag_id for e in events if e.flag_id is not None),
        *(i for line in check_lines for i in line.red_flags),
        *(() if latest is None else latest.red_flag_ids),
        *(
            part
            for line in alert_lines
            if line.kind is AlertKind.RED_FLAG
            for part in line.about
            if part in RED_FLAG_NAMES
        ),
    ]
    treatment = treatment_summary(
        language, medicine_changes, treatment_events, in_period, first, last
    )
    return Report(
        treatment=treatment,
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
        baseline_text=baseline_line(measures, first, language),
        pain_note=t(
            language,
            "report.pain.note",
            baseline_days=BASELINE_DAYS,
            needed=days_needed(WINDOW_DAYS),
            window=WINDOW_DAYS,
        ),
        alerts=tuple(alert_lines),
        red_flags=events,
        flag_count_text=flag_count_text(events, language),
        flag_summary_text=flag_summary_text(events, language),
        checks=check_lines,
        check_count_text=check_count_text(len(check_lines), language),
        check_summary_text=check_count_text(len(check_lines), language, where=False),
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
        rule_key=rule_key(flag_ids, language),
    )
