"""Worsening-trend detection over the pain diary, with the day's red flags (REFERENCE.md §3).

One pure function, `evaluate`, decides what to tell the user on one day. The bot calls it after
each saved entry; `replay` calls it for every diary date in turn, so `backtrack assess` reports
exactly what the bot would have sent, cooldowns included. An evaluation reads the baseline
(fixed once known) and at most the last 7 weeks, so its cost does not grow with the diary.

Rules, each with its source (docs/trends.md explains them for clinicians):

- Back pain, leg pain and PEG are followed separately (§3.1). A day's value is the mean of that
  day's entries: each entry rates the day's average (§3.1 "last 24 h average"), and a short
  flare logged as an extra entry should not dominate the day ([I12c]).
- Personal baseline: median of the first 14 days with a value, from enrolment or from the
  day the caller re-baselines (§3.2).
- Sustained worsening, on 3 consecutive days (§3.2): the 7-day mean is at or above baseline +
  a clinically meaningful, baseline-aware rise (§3.2, §3.3 method 1), and an EWMA chart of the
  daily values is above its control limit plus a 1-point indifference band (§3.3 method 5), so
  that the rise is also beyond the person's usual ups and downs. Windows need ≥ 70% of their
  days logged (§3.3 item 7); missing days are never read as "no problem".
- Rapid rise: each of the last 3 days at least 3 points above the mean of the week before:
  larger than a usual flare ([I12d]) and longer than most flares last ([I12c]).
- New nerve symptoms on 3 of the last 7 days that were absent in the 2 weeks before (§3.2).
- Red flags: the shared rules on the day's symptoms (§1); on such a day no trend alert is sent,
  because red flags override the trend logic (§1.1 rule 1).
"""

from __future__ import annotations

import heapq
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from flows.codes import Finding, Tier
from flows.emergency import LocalNumbers
from flows.i18n import t
from flows.rules import TriageResult, number_words, red_flag_message, triage
from flows.rules_data import RED_FLAGS

__all__ = [
    "BASELINE_DAYS",
    "COOLDOWN_DAYS",
    "NERVE_FINDINGS",
    "REMINDER_DAYS",
    "SENT_LOOKBACK_DAYS",
    "Alert",
    "AlertKind",
    "Assessment",
    "Diary",
    "Measure",
    "MeasureStatus",
    "PainRecord",
    "Reading",
    "SentAlert",
    "SentRecord",
    "StatusKind",
    "alert_message",
    "assess_day",
    "evaluate",
    "replay",
    "rise_needed",
    "status_text",
    "to_assess_json",
]

# --- Parameters, each traceable to REFERENCE.md -------------------------------------------------

NRS_MAX = 10.0
# §3.2: baseline = median of the first 14 valid diary days.
BASELINE_DAYS = 14
# §3.2 / §3.3 method 1: 7-day rolling mean.
WINDOW_DAYS = 7
# §3.3 item 7: compute only with ≥ 70% of the window's days present (5 of 7, 10 of 14).
PRESENT_TENTHS = 7
# §3.2: must hold on ≥ 3 consecutive days; flares mostly last < 1 day [I12c].
PERSIST_DAYS = 3
# §3.2 [I1][I2]: 2 points, or 30% when the baseline is ≥ 4.
MCID_POINTS = 2.0
MCID_FRACTION = 0.30
RELATIVE_FROM = 4.0
# §3.2 [I3]: +1 for baselines 1–4, +3 for 8–10 (the lower end of [I3]'s 3–4, so that the line
# stays on the scale as long as possible).
LOW_BAND_FROM, LOW_BAND_TO, LOW_BAND_RISE = 1.0, 4.0, 1.0
HIGH_BAND_FROM, HIGH_BAND_RISE = 8.0, 3.0
# Statistical confirmation (§3.3 method 5, EWMA): z = lambda*x + (1 - lambda)*z, started at
# the baseline mu0 and fed the daily values of the last 21 days (enough days for the start to
# weigh < 1%: 0.8^21 ≈ 0.009); the rise counts once z ≥ mu0 + 1 + L*sd*sqrt(lambda/(2-lambda)).
# lambda = 0.2 is the middle of the typical 0.1–0.3 and L = 3 the top of 2.7–3 [I13e]; EWMA
# suits autocorrelated daily pain [I13f]; the extra 1 point is the ±1 NRS indifference band
# [I13g]. mu0 is the §3.2 baseline and sd the SD of the baseline days (§3.3 "estimate mu0 and
# sigma from the baseline window"), never below the scale's own error: SEM = MDC / (1.96 *
# sqrt 2) with the NRS's MDC of 1.77 (§3.1).
EWMA_LAMBDA = 0.2
EWMA_L = 3.0
EWMA_DAYS = math.ceil(math.log(0.01) / math.log(1 - EWMA_LAMBDA))
INDIFFERENCE_BAND = 1.0
MDC_POINTS = 1.77
SEM_POINTS = MDC_POINTS / (1.96 * math.sqrt(2))
# Rapid rise: each of the last 3 days (§3.2 persistence) at least 3 points above the mean of the
# 7 days before: above a usual flare's 2.7–2.8 points ([I12d]) on every day, and longer than
# ~75% of flares last ([I12c]).
RAPID_DAYS = 3
RAPID_BEFORE_DAYS = 7
RAPID_POINTS = 3.0
# Hysteresis: a worsening counts as resolved once the 7-day mean is back 1 point below the
# alert line, the ±1 NRS indifference band of [I13g], so hovering at the line is one episode.
RESOLVE_BAND = 1.0
# New nerve symptoms: on 3 of the last 7 days (§3.2 persistence) and on none of the 14 days
# before, of which at least 10 were logged (§3.3 item 7).
NERVE_WINDOW_DAYS = 7
NERVE_MIN_DAYS = 3
NERVE_BEFORE_DAYS = 14
# Product rules (brief; REFERENCE.md §0 T3 = "within 1–3 working days"): the same alert is not
# repeated within 14 days unless its tier rises, or after 14 days unless the signal resolved
# in between; a still-unresolved T3 signal is repeated after 28 days.
COOLDOWN_DAYS = 14
REMINDER_DAYS = 28
# Sent alerts older than this never suppress anything: the bot may pass only these.
SENT_LOOKBACK_DAYS = REMINDER_DAYS

NERVE_FINDINGS: tuple[Finding, ...] = (
    Finding.PAIN_NEUROPATHIC,
    Finding.PAIN_ONE_LEG,
    Finding.PAIN_BOTH_LEGS,
    Finding.PAIN_WALKING_RELIEVED_SITTING,
)

_EPS = 1e-9
_JOIN = "+"
_RED_FLAG_NAMES = {rule.id: rule.name_key for rule in RED_FLAGS}


def _needed(days: int) -> int:
    """How many of `days` days must have data (§3.3 item 7: ≥ 70%, rounded up)."""
    return (days * PRESENT_TENTHS + 9) // 10


# --- Vocabulary ----------------------------------------------------------------------------------


class Measure(StrEnum):
    """What is followed: back pain and leg pain (NRS 0–10) and the PEG score (§3.1)."""

    BACK = "back"
    LEG = "leg"
    PEG = "peg"


NRS_MEASURES: tuple[Measure, ...] = (Measure.BACK, Measure.LEG)


class AlertKind(StrEnum):
    """What an alert is about (DESIGN.md `assess --json` kinds)."""

    SUSTAINED_WORSENING = "sustained_worsening"
    RAPID_RISE = "rapid_rise"
    NEW_NERVE_SYMPTOMS = "new_nerve_symptoms"
    RED_FLAG = "red_flag"


class StatusKind(StrEnum):
    """How a measure looks today; a gap in the diary is never read as 'no problem'."""

    NOT_ENOUGH_DATA = "not_enough_data"
    GAPS = "gaps"
    WORSE = "worse"
    BETTER = "better"
    NO_CLEAR_CHANGE = "no_clear_change"


class PainRecord(Protocol):
    """A diary entry: `flows.models.Entry`, `flows.diary_csv.DiaryRow` or `Reading`."""

    @property
    def entry_date(self) -> date: ...

    @property
    def back_pain(self) -> int | None: ...

    @property
    def leg_pain(self) -> int | None: ...

    @property
    def symptoms(self) -> Sequence[Finding]: ...


@dataclass(frozen=True, slots=True)
class Reading:
    """One diary entry given directly, optionally with a PEG score (mean of its 3 items)."""

    entry_date: date
    back_pain: int | None = None
    leg_pain: int | None = None
    symptoms: tuple[Finding, ...] = ()
    peg: float | None = None


class SentRecord(Protocol):
    """An alert the user was already sent: all the cooldown needs to know."""

    @property
    def day(self) -> date: ...

    @property
    def kind(self) -> str: ...

    @property
    def which(self) -> str: ...

    @property
    def tier(self) -> Tier: ...


class SentAlert(BaseModel):
    """What the bot stores for each alert it sent, and passes back for the cooldown."""

    model_config = ConfigDict(frozen=True)

    day: date
    kind: AlertKind
    which: str
    tier: Tier


class Alert(BaseModel):
    """A prompt to send the user now: what, how urgent, and why in plain words with numbers."""

    model_config = ConfigDict(frozen=True)

    day: date
    kind: AlertKind
    tier: Tier
    # back / leg / peg, "nerve", or the red-flag IDs joined with "+".
    which: str
    values: tuple[tuple[str, str], ...] = ()
    findings: tuple[Finding, ...] = ()
    days_since_surgery: int | None = None

    def reason(self, language: str) -> str:
        """Why the alert was sent, with the numbers behind it."""
        values = dict(self.values)
        if self.kind is AlertKind.RED_FLAG:
            return _red_flag_reason(self, language)
        if self.kind is AlertKind.NEW_NERVE_SYMPTOMS:
            names = ", ".join(t(language, f"trends.nerve.{f.value}") for f in self.findings)
            return t(language, "trends.reason.new_nerve_symptoms", symptoms=names, **values)
        measure = t(language, f"trends.which.{self.which}")
        return t(language, f"trends.reason.{self.kind.value}", measure=measure, **values)

    def sent(self) -> SentAlert:
        """The record to store once the alert has been sent."""
        return SentAlert(day=self.day, kind=self.kind, which=self.which, tier=self.tier)


def _triage(alert: Alert) -> TriageResult:
    return triage(alert.findings, days_since_surgery=alert.days_since_surgery)


def _red_flag_reason(alert: Alert, language: str) -> str:
    result = _triage(alert)
    parts = []
    if result.red_flags:
        names = [f"{t(language, _RED_FLAG_NAMES[f.id])} ({f.id})" for f in result.red_flags]
        parts.append(t(language, "trends.reason.red_flag", flags="; ".join(names)))
    if result.other_warnings:
        found = [t(language, f"rules.finding.{f.value}") for f in result.other_warnings]
        parts.append(t(language, "trends.reason.warning", symptoms="; ".join(found)))
    return " ".join(parts)


class MeasureStatus(BaseModel):
    """How one measure looks today, for the summary."""

    model_config = ConfigDict(frozen=True)

    measure: Measure
    kind: StatusKind
    baseline: float | None = None
    recent: float | None = None
    logged: int = 0
    needed: int = 0

    def text(self, language: str) -> str:
        """One line of the summary the user reads."""
        return t(
            language,
            f"trends.status.{self.kind.value}",
            name=t(language, f"trends.name.{self.measure.value}"),
            baseline=_number(self.baseline),
            recent=_number(self.recent),
            logged=self.logged,
            needed=self.needed,
            window=WINDOW_DAYS,
        )


class Assessment(BaseModel):
    """The alerts to send now and how each measure looks today."""

    model_config = ConfigDict(frozen=True)

    day: date
    alerts: tuple[Alert, ...] = ()
    status: tuple[MeasureStatus, ...] = ()


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


# --- Thresholds ----------------------------------------------------------------------------------


def rise_needed(measure: Measure, baseline: float) -> float:
    """The rise over the baseline that counts as clinically meaningful worsening (§3.2)."""
    if measure is Measure.PEG:
        # PEG has no published MCID: the 2-point / 30% rule by analogy (§3.1 [I10]).
        if baseline >= RELATIVE_FROM:
            return min(MCID_POINTS, MCID_FRACTION * baseline)
        return MCID_POINTS
    if LOW_BAND_FROM <= baseline <= LOW_BAND_TO:
        return LOW_BAND_RISE
    if baseline >= HIGH_BAND_FROM:
        return HIGH_BAND_RISE
    if baseline >= RELATIVE_FROM:
        # §3.2 "+2 points (or ≥ 30% higher when the baseline is ≥ 4)": whichever comes first.
        return min(MCID_POINTS, MCID_FRACTION * baseline)
    # Below 1 the baseline-aware bands of [I3] say nothing: the general 2 points [I1][I2].
    return MCID_POINTS


def _line(measure: Measure, baseline: float) -> float:
    # The scale ends at 10: from a baseline of 8 the line is a 7-day mean of 10.
    return min(baseline + rise_needed(measure, baseline), NRS_MAX)


# --- The diary as daily values -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Baseline:
    value: float
    sigma: float
    # The ordinals of the baseline days; `complete` once there are BASELINE_DAYS of them.
    days: tuple[int, ...]

    @property
    def complete(self) -> bool:
        return len(self.days) >= BASELINE_DAYS

    def known_on(self, today: int) -> bool:
        return self.complete and self.days[-1] <= today

    def logged_by(self, today: int) -> int:
        return sum(1 for day in self.days if day <= today)


def _add(values: dict[int, float], counts: dict[int, int], day: int, value: float) -> None:
    """Add one entry's value to its date: a sum while a date has several entries."""
    if day in values:
        values[day] += value
        counts[day] = counts.get(day, 1) + 1
    else:
        values[day] = value


def _stdev(values: Sequence[float]) -> float:
    """The sample standard deviation, in floats.

    `statistics.stdev` computes exactly with fractions, which cost more than the rest of the
    trend check after every save; pain scores need no more than float precision.
    """
    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))


def _has_peg(kind: type) -> bool:
    """Whether entries of this type can carry a PEG score (checked once per type)."""
    fields = getattr(kind, "model_fields", None)
    return "peg" in fields if isinstance(fields, dict) else hasattr(kind, "peg")


class Diary:
    """The diary as one value per day and measure, with each measure's personal baseline."""

    __slots__ = ("_baselines", "_days", "_logged", "_symptoms", "_values", "entry_count")

    def __init__(self, entries: Iterable[PainRecord], baseline_from: date | None = None) -> None:
        """Combine the entries by date; `baseline_from` starts a new baseline (re-baseline)."""
        values: dict[Measure, dict[int, float]] = {m: {} for m in Measure}
        # Only dates with several entries get a count; most dates have one.
        counts: dict[Measure, dict[int, int]] = {m: {} for m in Measure}
        symptoms: dict[int, set[Finding]] = {}
        logged: set[int] = set()
        has_peg: dict[type, bool] = {}
        total = 0
        back, leg, peg = values[Measure.BACK], values[Measure.LEG], values[Measure.PEG]
        back_n, leg_n, peg_n = counts[Measure.BACK], counts[Measure.LEG], counts[Measure.PEG]
        for entry in entries:
            total += 1
            day = entry.entry_date.toordinal()
            logged.add(day)
            value = entry.back_pain
            if value is not None:
                _add(back, back_n, day, value)
            value = entry.leg_pain
            if value is not None:
                _add(leg, leg_n, day, value)
            kind = type(entry)
            with_peg = has_peg.get(kind)
            if with_peg is None:
                with_peg = has_peg[kind] = _has_peg(kind)
            if with_peg:
                score = getattr(entry, "peg", None)
                if isinstance(score, int | float):
                    _add(peg, peg_n, day, score)
            if entry.symptoms:
                symptoms.setdefault(day, set()).update(entry.symptoms)
        for measure, several in counts.items():
            for day, count in several.items():
                values[measure][day] /= count
        self.entry_count = total
        self._logged = logged
        self._days = sorted(logged)
        self._symptoms = {day: frozenset(found) for day, found in symptoms.items()}
        self._values = values
        start = baseline_from.toordinal() if baseline_from is not None else None
        self._baselines = {m: self._baseline(m, start) for m in Measure}

    def _baseline(self, measure: Measure, start: int | None) -> _Baseline | None:
        values = self._values[measure]
        days = heapq.nsmallest(
            BASELINE_DAYS, values if start is None else (d for d in values if d >= start)
        )
        if not days:
            return None
        found = [values[d] for d in days]
        spread = _stdev(found) if len(found) > 1 else 0.0
        return _Baseline(
            value=statistics.median(found), sigma=max(spread, SEM_POINTS), days=tuple(days)
        )

    def dates(self) -> list[date]:
        """The dates with at least one entry, oldest first."""
        return [date.fromordinal(day) for day in self._days]

    def has(self, measure: Measure) -> bool:
        """Whether any entry gave this measure."""
        return bool(self._values[measure])

    def baseline(self, measure: Measure, today: date) -> float | None:
        """The personal baseline as it was known on `today`, or None while it is not."""
        base = self._baselines[measure]
        return base.value if base is not None and base.known_on(today.toordinal()) else None

    def _mean(self, measure: Measure, end: int, days: int) -> tuple[float | None, int]:
        values = self._values[measure]
        found = [values[d] for d in range(end - days + 1, end + 1) if d in values]
        if len(found) < _needed(days):
            return None, len(found)
        return sum(found) / len(found), len(found)

    def _ewma(self, measure: Measure, end: int, start: float) -> float | None:
        values = self._values[measure]
        level, found = start, 0
        for day in range(end - EWMA_DAYS + 1, end + 1):
            value = values.get(day)
            if value is not None:
                level = EWMA_LAMBDA * value + (1 - EWMA_LAMBDA) * level
                found += 1
        return level if found >= _needed(EWMA_DAYS) else None

    def rolling_mean(self, measure: Measure, today: date) -> float | None:
        """The 7-day mean ending on `today`, or None with fewer than 5 of the 7 days logged."""
        return self._mean(measure, today.toordinal(), WINDOW_DAYS)[0]


# --- One day's evaluation ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    diary: Diary
    today: int
    day: date
    days_since_surgery: int | None


def _limits(measure: Measure, base: _Baseline) -> tuple[float, float]:
    """The 7-day-mean line (§3.2) and the EWMA limit (§3.3 method 5), both capped at 10."""
    spread = EWMA_L * base.sigma * math.sqrt(EWMA_LAMBDA / (2 - EWMA_LAMBDA))
    limit = min(base.value + INDIFFERENCE_BAND + spread, NRS_MAX)
    return _line(measure, base.value), limit


def _worse_on(ctx: _Context, measure: Measure, base: _Baseline, end: int) -> float | None:
    """The 7-day mean ending on `end` if it is both clinically and statistically worse."""
    line, limit = _limits(measure, base)
    mean, _ = ctx.diary._mean(measure, end, WINDOW_DAYS)
    if mean is None or mean < line - _EPS:
        return None
    level = ctx.diary._ewma(measure, end, base.value)
    if level is None or level < limit - _EPS:
        return None
    return mean


def _sustained(ctx: _Context, measure: Measure) -> Alert | None:
    base = ctx.diary._baselines[measure]
    if base is None or not base.known_on(ctx.today):
        return None
    means = [_worse_on(ctx, measure, base, ctx.today - k) for k in range(PERSIST_DAYS)]
    recent = means[0]
    if recent is None or any(mean is None for mean in means):
        return None
    shown = round(recent, 1)
    return Alert(
        day=ctx.day,
        kind=AlertKind.SUSTAINED_WORSENING,
        tier=Tier.SOON,  # §3.2: sustained worsening without red flags is T3.
        which=measure.value,
        values=(
            ("recent", f"{shown:.1f}"),
            ("baseline", f"{base.value:.1f}"),
            ("rise", f"{shown - base.value:+.1f}"),
            ("line", f"{_line(measure, base.value):.1f}"),
            ("days", str(PERSIST_DAYS)),
            ("baseline_days", str(BASELINE_DAYS)),
        ),
        days_since_surgery=ctx.days_since_surgery,
    )


def _with_run_length(ctx: _Context, alert: Alert) -> Alert:
    """The alert with the full length of the episode in its reason, once it is to be sent."""
    if alert.kind is not AlertKind.SUSTAINED_WORSENING:
        return alert
    measure = Measure(alert.which)
    base = ctx.diary._baselines[measure]
    if base is None:
        return alert
    run = PERSIST_DAYS
    # Bounded so that a long episode costs no more than a short one.
    while run < REMINDER_DAYS and _worse_on(ctx, measure, base, ctx.today - run) is not None:
        run += 1
    values = tuple((k, str(run) if k == "days" else v) for k, v in alert.values)
    return alert.model_copy(update={"values": values})


def _rapid(ctx: _Context, measure: Measure) -> Alert | None:
    values = ctx.diary._values[measure]
    last = [values.get(d) for d in range(ctx.today - RAPID_DAYS + 1, ctx.today + 1)]
    if any(v is None for v in last):
        return None
    before, _ = ctx.diary._mean(measure, ctx.today - RAPID_DAYS, RAPID_BEFORE_DAYS)
    if before is None:
        return None
    recent = [v for v in last if v is not None]
    if min(recent) < before + RAPID_POINTS - _EPS:
        return None
    mean = sum(recent) / len(recent)
    return Alert(
        day=ctx.day,
        kind=AlertKind.RAPID_RISE,
        # §8.4 (overriding §3.3's T3 for this method): pain that is rapidly worsening is T2 at
        # any time, as the seed pages say it needs a doctor immediately (§7). The message also
        # re-asks the red-flag questions, as §1.3 asks whenever pain changes.
        tier=Tier.URGENT,
        which=measure.value,
        values=(
            ("before", f"{before:.1f}"),
            ("recent", f"{mean:.1f}"),
            ("lowest", f"{min(recent):.1f}"),
            ("days", str(RAPID_DAYS)),
            ("before_days", str(RAPID_BEFORE_DAYS)),
        ),
        days_since_surgery=ctx.days_since_surgery,
    )


def _new_nerve(ctx: _Context) -> Alert | None:
    diary = ctx.diary
    recent_start = ctx.today - NERVE_WINDOW_DAYS + 1
    before_start = recent_start - NERVE_BEFORE_DAYS
    before_logged = sum(1 for d in range(before_start, recent_start) if d in diary._logged)
    if before_logged < _needed(NERVE_BEFORE_DAYS):
        return None
    empty: frozenset[Finding] = frozenset()
    recent = [diary._symptoms.get(d, empty) for d in range(recent_start, ctx.today + 1)]
    before: set[Finding] = set()
    for d in range(before_start, recent_start):
        before.update(diary._symptoms.get(d, empty))
    new: list[Finding] = []
    most = 0
    for finding in NERVE_FINDINGS:
        days = sum(1 for found in recent if finding in found)
        if days >= NERVE_MIN_DAYS and finding not in before:
            new.append(finding)
            most = max(most, days)
    if not new:
        return None
    return Alert(
        day=ctx.day,
        kind=AlertKind.NEW_NERVE_SYMPTOMS,
        tier=Tier.SOON,  # §3.2: T3, and leg symptoms with nerve signs re-ask RF-NEU-1.
        which="nerve",
        values=(("count", str(most)), ("window", str(NERVE_WINDOW_DAYS))),
        findings=tuple(new),
        days_since_surgery=ctx.days_since_surgery,
    )


def _red_flag(ctx: _Context) -> Alert | None:
    found = ctx.diary._symptoms.get(ctx.today)
    if not found:
        return None
    result = triage(found, days_since_surgery=ctx.days_since_surgery)
    if result.tier is Tier.ROUTINE:
        return None
    keys = [*result.flag_ids, *(f.value for f in result.other_warnings)]
    return Alert(
        day=ctx.day,
        kind=AlertKind.RED_FLAG,
        tier=result.tier,
        which=_JOIN.join(keys),
        findings=tuple(sorted(found)),
        days_since_surgery=ctx.days_since_surgery,
    )


# --- Cooldown and hysteresis ---------------------------------------------------------------------


def _keys(kind: str, which: str) -> list[tuple[str, str]]:
    """What the cooldown is kept for: each red flag on its own, each measure's worsening."""
    if kind == AlertKind.RED_FLAG:
        return [(AlertKind.RED_FLAG.value, part) for part in which.split(_JOIN)]
    # A rapid rise and a sustained worsening of the same measure are one episode for the user.
    if kind in (AlertKind.RAPID_RISE, AlertKind.SUSTAINED_WORSENING):
        return [("worsening", which)]
    return [(str(kind), which)]


@dataclass(slots=True)
class _Sent:
    last: int
    top: int


def _sent_index(sent: Iterable[SentRecord], today: int) -> dict[tuple[str, str], _Sent]:
    index: dict[tuple[str, str], _Sent] = {}
    for alert in sent:
        day = alert.day.toordinal()
        if 0 <= today - day < SENT_LOOKBACK_DAYS:
            _remember(index, alert.kind, alert.which, day, alert.tier)
    return index


def _remember(
    index: dict[tuple[str, str], _Sent], kind: str, which: str, day: int, tier: Tier
) -> None:
    for key in _keys(kind, which):
        known = index.get(key)
        if known is None:
            index[key] = _Sent(last=day, top=tier.rank)
        else:
            known.last = max(known.last, day)
            known.top = max(known.top, tier.rank)


def _resolved(ctx: _Context, measure: Measure, since: int) -> bool:
    base = ctx.diary._baselines[measure]
    if base is None or not base.known_on(ctx.today):
        return False
    release = _line(measure, base.value) - RESOLVE_BAND
    for end in range(since + 1, ctx.today):
        mean, _ = ctx.diary._mean(measure, end, WINDOW_DAYS)
        if mean is not None and mean <= release + _EPS:
            return True
    return False


def _allowed(ctx: _Context, alert: Alert, index: dict[tuple[str, str], _Sent]) -> bool:
    # A red-flag alert naming a flag not sent recently is new news, even beside old ones.
    return any(_allowed_for(ctx, alert, index.get(key)) for key in _keys(alert.kind, alert.which))


def _allowed_for(ctx: _Context, alert: Alert, known: _Sent | None) -> bool:
    if known is None or alert.tier.rank > known.top:
        return True
    age = ctx.today - known.last
    if alert.kind is AlertKind.RED_FLAG and alert.tier.rank >= Tier.URGENT.rank:
        # Never hold back a same-day or emergency instruction (§1.1, §5.2); only the very same
        # message twice on one day is dropped.
        return age > 0
    if age < COOLDOWN_DAYS:
        return False
    if age >= REMINDER_DAYS or alert.kind not in (
        AlertKind.SUSTAINED_WORSENING,
        AlertKind.RAPID_RISE,
    ):
        return True
    return _resolved(ctx, Measure(alert.which), known.last)


# --- Public entry points -------------------------------------------------------------------------


def _status(ctx: _Context, measure: Measure) -> MeasureStatus:
    base = ctx.diary._baselines[measure]
    if base is None or not base.known_on(ctx.today):
        logged = 0 if base is None else base.logged_by(ctx.today)
        return MeasureStatus(
            measure=measure, kind=StatusKind.NOT_ENOUGH_DATA, logged=logged, needed=BASELINE_DAYS
        )
    recent, logged = ctx.diary._mean(measure, ctx.today, WINDOW_DAYS)
    if recent is None:
        return MeasureStatus(
            measure=measure,
            kind=StatusKind.GAPS,
            baseline=base.value,
            logged=logged,
            needed=_needed(WINDOW_DAYS),
        )
    rise = rise_needed(measure, base.value)
    if recent >= _line(measure, base.value) - _EPS:
        kind = StatusKind.WORSE
    elif base.value - rise > 0 and recent <= base.value - rise + _EPS:
        # The same size of change in the other direction counts as better (§3.1 [I1][I3]).
        kind = StatusKind.BETTER
    else:
        kind = StatusKind.NO_CLEAR_CHANGE
    return MeasureStatus(
        measure=measure,
        kind=kind,
        baseline=base.value,
        recent=recent,
        logged=logged,
        needed=_needed(WINDOW_DAYS),
    )


def _peg_started(diary: Diary, today: int) -> bool:
    base = diary._baselines[Measure.PEG]
    return base is not None and base.days[0] <= today


def evaluate(
    diary: Diary,
    today: date,
    *,
    surgery_date: date | None = None,
    sent: Iterable[SentRecord] = (),
) -> Assessment:
    """The alerts to send on `today` (using only data up to `today`) and each measure's status."""
    since = None if surgery_date is None else (today - surgery_date).days
    ctx = _Context(
        diary=diary,
        today=today.toordinal(),
        day=today,
        days_since_surgery=None if since is None or since < 0 else since,
    )
    index = _sent_index(sent, ctx.today)
    alerts: list[Alert] = []

    def offer(alert: Alert | None) -> None:
        if alert is not None and _allowed(ctx, alert, index):
            alerts.append(_with_run_length(ctx, alert))
            _remember(index, alert.kind, alert.which, ctx.today, alert.tier)

    flag = _red_flag(ctx)
    offer(flag)
    if flag is None:
        for measure in NRS_MEASURES:
            offer(_rapid(ctx, measure))
        for measure in Measure:
            offer(_sustained(ctx, measure))
        offer(_new_nerve(ctx))
    measures = [m for m in Measure if m is not Measure.PEG or _peg_started(diary, ctx.today)]
    return Assessment(
        day=today, alerts=tuple(alerts), status=tuple(_status(ctx, m) for m in measures)
    )


def assess_day(
    entries: Iterable[PainRecord],
    today: date,
    *,
    surgery_date: date | None = None,
    sent: Iterable[SentRecord] = (),
    baseline_from: date | None = None,
) -> Assessment:
    """What to tell the user after an entry saved for `today`: the bot's one call."""
    diary = Diary(entries, baseline_from=baseline_from)
    return evaluate(diary, today, surgery_date=surgery_date, sent=sent)


def replay(
    rows: Iterable[PainRecord],
    surgery_date: date | None = None,
    *,
    baseline_from: date | None = None,
) -> list[Alert]:
    """Every alert the bot would have sent had the diary been logged day by day."""
    diary = Diary(rows, baseline_from=baseline_from)
    sent: list[Alert] = []
    # Alerts come out in date order, so the ones still inside the lookback are a tail of `sent`.
    first = 0
    for day in diary.dates():
        horizon = day - timedelta(days=SENT_LOOKBACK_DAYS)
        while first < len(sent) and sent[first].day <= horizon:
            first += 1
        result = evaluate(diary, day, surgery_date=surgery_date, sent=sent[first:])
        sent.extend(result.alerts)
    return sent


def alert_message(alert: Alert, language: str, numbers: LocalNumbers) -> str:
    """The whole message the user gets for an alert: what changed, why, and what to do."""
    if alert.kind is AlertKind.RED_FLAG:
        return red_flag_message(_triage(alert), language, numbers)
    heading = t(
        language,
        f"trends.heading.{alert.kind.value}",
        measure=t(language, f"trends.which.{alert.which}"),
    )
    action = t(language, f"trends.action.{alert.tier.value}", **number_words(language, numbers))
    return f"{heading}\n\n{alert.reason(language)}\n\n{action}"


def status_text(assessment: Assessment, language: str) -> str:
    """The trend summary: one line per measure."""
    return "\n".join(status.text(language) for status in assessment.status)


def to_assess_json(
    alerts: Iterable[Alert], rows: Sequence[PainRecord], language: str = "en"
) -> dict[str, object]:
    """The `backtrack assess --json` shape of DESIGN.md."""
    dates = [row.entry_date for row in rows]
    return {
        "alerts": [
            {
                "date": alert.day.isoformat(),
                "tier": alert.tier.value,
                "kind": alert.kind.value,
                "reason": alert.reason(language),
            }
            for alert in alerts
        ],
        "entries": len(rows),
        "first_date": min(dates).isoformat() if dates else None,
        "last_date": max(dates).isoformat() if dates else None,
    }
