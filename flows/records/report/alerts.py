"""The alerts the patient was sent in the period, each with what it was about in words."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from flows.clinical.codes import Finding
from flows.clinical.trends import (
    NERVE_FINDINGS,
    NERVE_MIN_DAYS,
    NERVE_WINDOW_DAYS,
    AlertKind,
    Diary,
    Measure,
    SentAlert,
    TreatmentHistory,
)
from flows.i18n import t
from flows.records.models import Entry
from flows.records.report.models import AlertLine
from flows.records.report.words import RED_FLAG_NAMES, finding_words, flag_name, urgency_words

_FINDING_CODES = frozenset(f.value for f in Finding)


def _flag_words(flag_ids: Iterable[str], warnings: Sequence[Finding], language: str) -> str:
    parts = [flag_name(i, language) for i in flag_ids if i in RED_FLAG_NAMES]
    if warnings:
        words = finding_words(warnings, language)
        parts.append(t(language, "report.red_flag.warning", symptoms=words))
    return "; ".join(parts)


def _red_flag_reason(about: tuple[str, ...], language: str) -> str:
    flag_ids: list[str] = []
    warnings: list[Finding] = []
    for part in about:
        if part in RED_FLAG_NAMES:
            flag_ids.append(part)
        elif part in _FINDING_CODES:
            warnings.append(Finding(part))
    return _flag_words(flag_ids, warnings, language) or "; ".join(about)


def _alert_reason(
    alert: SentAlert,
    diary: Diary,
    nerves: dict[date, set[Finding]],
    surgery: date | None,
    lang: str,
) -> str:
    if alert.kind is AlertKind.RED_FLAG:
        return t(lang, "report.alert.reason.red_flag", flags=_red_flag_reason(alert.about, lang))
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
        measure = Measure(alert.about[0])
    except ValueError:
        return "; ".join(alert.about)
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


def period_alerts(
    alerts: Sequence[SentAlert],
    diary: Diary,
    entries: Sequence[Entry],
    first: date,
    last: date,
    surgery: date | None,
    language: str,
    treatment: TreatmentHistory | None = None,
) -> list[AlertLine]:
    """The alerts sent within the period, oldest first, each with what it was about."""
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
        # The same "since the injection" as the message the patient was sent.
        since = None
        if treatment is not None and alert.kind is not AlertKind.RED_FLAG:
            since = treatment.before(alert.day, known_at=alert.sent_at)
        if since is not None:
            reason = f"{reason} {since.text(language, alert.day)}"
        lines.append(
            AlertLine(
                day=alert.day,
                kind=alert.kind,
                tier=alert.tier,
                about=alert.about,
                reason=reason,
                text=t(
                    language,
                    "report.alert.line",
                    date=alert.day.isoformat(),
                    kind=t(language, f"report.alert.kind.{alert.kind.value}"),
                    tier=urgency_words(alert.tier, language),
                    reason=reason,
                ),
            )
        )
    return lines
