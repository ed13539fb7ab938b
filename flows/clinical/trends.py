"""Worsening-trend detection over the pain diary, with the day's red flags (REFERENCE.md §3).

One pure function, `evaluate`, decides what to tell the user on one day. The bot calls it after
each saved entry; `replay` calls it for every diary date in turn, so `backtrack assess` reports
exactly what the bot would have sent, cooldowns included. An evaluation reads the baselines
(fixed once known) and at most the last `LOOKBACK_DAYS`, so its cost does not grow with the
diary. docs/trends.md explains the rules for clinicians, with the figures measured on labelled
diaries; `TrendRules` holds every number, each with its source.

- Back pain, leg pain and PEG are followed separately (§3.1). A day's value is the mean of that
  day's entries: each entry rates the day's average (§3.1 "last 24 h average"), and a short
  flare logged as an extra entry should not dominate the day ([I12c]).
- Personal baseline (§3.2): the median of the first 14 days with a value, from enrolment or from
  the day the caller re-baselines. A diary that starts in the first 12 weeks after surgery is
  re-baselined on the first 14 days from week 12, once the post-operative recovery has settled
  (§3.2 "re-baseline after any intervention"; §2.3 T2, [C19a]).
- The usual level, which a worsening is measured from, is the mean of the 11 weeks before the
  last two, or the baseline while those hold fewer than 14 days. A clearly better stretch (a
  4-week mean at least 2 points and 30 % under the baseline, §3.1 [I1][I4]) in the last 26
  weeks becomes the reference instead, so pain that was better and came back is measured from
  the better level (§2.3 C1, [C19a]).
- Sustained worsening (T3, §3.2), when any of:
  - level: the mean of the last 14 days, leaving out the highest quarter of them, is at least a
    meaningful change (`rise_needed`) and 1.6 points above the reference;
  - step: an upward CUSUM of the logged days over the last 4 weeks (§3.3 method 4), each day
    counting at most 1.75 points, passes 5 points with at least 3 days above the reference
    + 2, and those days' mean is at least a meaningful change above the reference;
  - baseline: the mean of the last 28 days, leaving out the highest quarter, is at least a
    meaningful change plus the 1-point indifference band above the baseline ([I13g]).
  No rule needs a share of the calendar logged: a mean needs enough values, not consecutive
  days, so four entries a week are enough (§3.3 item 7 is replaced, docs/trends.md says why).
  One or two bad days never count: they are left out (level, baseline) or capped (step), and
  the step rule needs three days (§3.2 persistence; flares mostly last < 1 day, [I12c]).
- Rapid rise (T2, §8.4): each of the last 3 days at least 3 points above both the week before
  and the usual level: larger than a usual flare ([I12d]) and longer than most flares last.
- New nerve symptoms on 3 of the last 7 days that were absent in the 2 weeks before (§3.2).
- Red flags: the shared rules on the day's symptoms (§1); on such a day no trend alert is sent,
  because red flags override the trend logic (§1.1 rule 1).
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import accumulate
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from flows.clinical.codes import Finding, Tier
from flows.clinical.emergency import LocalNumbers
from flows.clinical.rules import TriageResult, number_words, red_flag_message, triage
from flows.clinical.rules_data import RED_FLAGS
from flows.kit.i18n import t

__all__ = [
    "BASELINE_DAYS",
    "COOLDOWN_DAYS",
    "LOOKBACK_DAYS",
    "NERVE_FINDINGS",
    "REMINDER_DAYS",
    "RULES",
    "SENT_LOOKBACK_DAYS",
    "SETTLE_DAYS",
    "Alert",
    "AlertKind",
    "Assessment",
    "BaselineDays",
    "Diary",
    "Measure",
    "MeasureStatus",
    "PainRecord",
    "Reading",
    "SentAlert",
    "SentRecord",
    "StatusKind",
    "TrendRules",
    "alert_message",
    "assess_day",
    "days_needed",
    "evaluate",
    "replay",
    "rise_needed",
    "settled_from",
    "status_text",
    "to_assess_json",
    "window_mean",
    "worse_line",
]

# --- Parameters, each traceable to REFERENCE.md -------------------------------------------------

NRS_MAX = 10.0
# §3.2: baseline = median of the first 14 valid diary days.
BASELINE_DAYS = 14
# The status line's 7-day mean (§3.2, §3.3 method 1), shown only with ≥ 70 % of its days
# logged (§3.3 item 7: 5 of 7).
WINDOW_DAYS = 7
PRESENT_TENTHS = 7
# §3.2 [I1][I2]: 2 points, or 30% when the baseline is ≥ 4.
MCID_POINTS = 2.0
MCID_FRACTION = 0.30
RELATIVE_FROM = 4.0
# §3.2 [I3]: +1 for baselines 1–4, +3 for 8–10 (the lower end of [I3]'s 3–4, so that the line
# stays on the scale as long as possible).
LOW_BAND_FROM, LOW_BAND_TO, LOW_BAND_RISE = 1.0, 4.0, 1.0
HIGH_BAND_FROM, HIGH_BAND_RISE = 8.0, 3.0
# Re-baseline 12 weeks after surgery: the end of §2.3's T2 window (6 weeks – 3 months), by when
# the early post-operative relief has come [C19a] (the issue: recovery curves over 12 weeks).
SETTLE_DAYS = 84
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


@dataclass(frozen=True, slots=True)
class TrendRules:
    """Every number of the trend rules: `RULES` is what the bot runs, changed copies are tests'."""

    # Values marked "tuned" were chosen on the tuning seeds of tests/synthetic.py and reported
    # on its held-out seeds (docs/trends.md shows what each costs); the rest are REFERENCE.md's.

    # Usual level: the mean of the `usual_days` before the last `guard_days` (a change of the
    # last two weeks is not part of the level it is measured from), with at least
    # `usual_min_days` values, as many as a baseline has (§3.2); otherwise the baseline.
    guard_days: int = 14
    usual_days: int = 75  # tuned: 8 weeks costs alarms, 14 weeks detection (docs/trends.md)
    usual_min_days: int = BASELINE_DAYS
    # Clearly better: a 4-week stretch ("better for a while, ≥ 1 month", §2.3 C1) with half its
    # days logged, ending 2 to 26 weeks ago in whole weeks ("recent"), whose mean is at least
    # 2 points and 30 % under the baseline (§3.1: improvement ≈ 2 points or 30 % [I1];
    # "much better" = 2 points / 33 % [I4]).
    better_days: int = 28
    better_min_days: int = 14
    better_weeks: int = 26
    better_points: float = 2.0
    better_fraction: float = 0.30
    # Level rule: the last 14 days (§3.3 method 6 looks at 14–28 days), at least 6 values, the
    # highest quarter left out ("one bad day never counts"), at least a meaningful change and
    # `level_points` above the usual level.
    level_days: int = 14
    level_min_days: int = 6
    level_left_out: float = 0.25  # tuned: a fixed 3 days misses more sparse diaries
    level_points: float = 1.6  # tuned: ±0.2 moves detection ~1 %, alarms 1–3 % (docs)
    # Step rule, a one-sided CUSUM S = max(0, S + min(x - μ - k, cap)) on the logged days of the
    # last 4 weeks (§3.3 method 4 [I13d]), μ the reference (usual or clearly better level).
    # k = 2 points, a pain-defined flare ([I12b]) and the consensus MIC (§3.1): the reference's
    # clinically anchored k = 1, h = 4 alarms on 40 % of quiet diaries (docs/trends.md). A day adds
    # at most `step_cap`, less than h / 2, so two bad days never alarm on their own, and 3 days
    # must be above μ + k (§3.2 persistence).
    step_days: int = 28
    step_k: float = 2.0
    # tuned: with 2.5 a two-day flare and one more high day alarm (diary_025 of the samples)
    step_cap: float = 1.75
    step_h: float = 5.0  # tuned: 4.5 adds alarms, 6 finds steps later (docs/trends.md)
    step_min_days: int = 3
    # Baseline rule: the last 28 days (§3.3 method 6), half of them logged, the highest quarter
    # left out, a meaningful change plus the ±1 NRS indifference band above the §3.2 baseline
    # [I13g]: it catches what the moving usual level would absorb (a rise over months), and it
    # keeps a worsening that became the new normal in the 28-day reminders.
    baseline_days: int = 28
    baseline_min_days: int = 14
    baseline_band: float = 1.0
    # Rapid rise: each of the last 3 days (§3.2 persistence) at least 3 points above the mean of
    # the 7 days before (5 of them logged, §3.3 item 7) and above the usual level: above a usual
    # flare's 2.7–2.8 points ([I12d]) on every day, and longer than ~75% of flares ([I12c]).
    rapid_days: int = 3
    rapid_before_days: int = 7
    rapid_points: float = 3.0
    # Hysteresis: a worsening counts as resolved once a 7-day mean (3 values at least) is back 1
    # point under the level rule's line, the ±1 NRS indifference band of [I13g].
    resolve_band: float = 1.0
    resolve_min_days: int = 3

    @property
    def lookback_days(self) -> int:
        """How many days back from its day an evaluation reads, resolution checks included."""
        better = self.guard_days + 7 * (self.better_weeks - 2) + self.better_days
        usual = self.guard_days + self.usual_days
        return REMINDER_DAYS + max(better, usual, self.step_days, self.baseline_days)


RULES = TrendRules()
# The days before its day that an evaluation reads (the bot reads these and the baselines).
LOOKBACK_DAYS = RULES.lookback_days

NERVE_FINDINGS: tuple[Finding, ...] = (
    Finding.PAIN_NEUROPATHIC,
    Finding.PAIN_ONE_LEG,
    Finding.PAIN_BOTH_LEGS,
    Finding.PAIN_WALKING_RELIEVED_SITTING,
)

_EPS = 1e-9
_JOIN = "+"
_RED_FLAG_NAMES = {rule.id: rule.name_key for rule in RED_FLAGS}


def days_needed(days: int) -> int:
    """How many of `days` days must be logged for their mean to be shown (§3.3 item 7: ≥ 70 %)."""
    # Rounded up: 5 of 7, 10 of 14.
    return (days * PRESENT_TENTHS + 9) // 10


def window_mean(logged: Sequence[float], days: int = WINDOW_DAYS) -> float | None:
    """The mean of the values logged in a window of `days` days; None below §3.3 item 7's 70 %."""
    # A missing day is left out, never read as "no pain"; too few logged days give no mean.
    if not logged or len(logged) < days_needed(days):
        return None
    return sum(logged) / len(logged)


def settled_from(surgery_date: date | None) -> date | None:
    """The day the post-operative recovery counts as settled, when the surgery date is known."""
    return None if surgery_date is None else surgery_date + timedelta(days=SETTLE_DAYS)


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
    """A diary entry: `flows.records.models.Entry`, `diary_csv.DiaryRow` or `Reading`."""

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


# One diary date's entries summed per measure, as storage keeps them (migration 9): the day
# (date.toordinal()), the sum and number of back pain scores, the same for leg pain, and the
# symptom codes of its entries joined by ";". A plain tuple, because the bot reads ~250 of them
# after every save and a named one costs a sixth of that read.
DayTotals = tuple[int, int | None, int, int | None, int, str]


@dataclass(frozen=True, slots=True)
class DayValues:
    """Some of the diary's dates as a Diary keeps them: each day's back and leg pain, symptoms."""

    back: dict[int, float]
    leg: dict[int, float]
    symptoms: dict[int, frozenset[Finding]]
    logged: frozenset[int]

    @classmethod
    def of(cls, days: Iterable[DayTotals]) -> DayValues:
        """The values of these dates' totals: a day with several entries has their mean."""
        back: dict[int, float] = {}
        leg: dict[int, float] = {}
        symptoms: dict[int, frozenset[Finding]] = {}
        logged: set[int] = set()
        for day, back_sum, back_n, leg_sum, leg_n, codes in days:
            logged.add(day)
            # One entry keeps its integer, as Diary(entries) does; several are averaged.
            if back_sum is not None and back_n:
                back[day] = back_sum if back_n == 1 else back_sum / back_n
            if leg_sum is not None and leg_n:
                leg[day] = leg_sum if leg_n == 1 else leg_sum / leg_n
            if codes:
                symptoms[day] = frozenset(Finding(code) for code in codes.split(";") if code)
        return cls(back, leg, symptoms, frozenset(logged))


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
        if self.kind is AlertKind.SUSTAINED_WORSENING:
            rule = values.pop("rule")
            reference = t(language, f"trends.reference.{values.pop('reference')}", **values)
            return t(
                language,
                f"trends.reason.sustained_worsening.{rule}",
                measure=measure,
                reference=reference,
                **values,
            )
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
    # The days the baseline is the median of (the settled ones after an early start).
    baseline_first: date | None = None
    baseline_last: date | None = None

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


def _shown(value: float) -> str:
    return f"{value:.1f}"


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


def worse_line(measure: Measure, baseline: float) -> float:
    """The 7-day mean from which a measure counts as worse: baseline plus a meaningful change."""
    # The scale ends at 10: from a baseline of 8 the line is a 7-day mean of 10 (§3.2).
    return min(baseline + rise_needed(measure, baseline), NRS_MAX)


def _left_out_mean(values: Sequence[float], left_out: int) -> float:
    """The mean of the values without the `left_out` highest."""
    kept = sorted(values)[: len(values) - left_out] if left_out else values
    return math.fsum(kept) / len(kept)


# --- The diary as daily values -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BaselineDays:
    """The dates a personal baseline is the median of: the first, the last and all of them."""

    first: date
    last: date
    dates: tuple[date, ...]
    # Re-taken once the recovery from surgery had settled (the diary began before then).
    settled: bool = False


@dataclass(frozen=True, slots=True)
class _Baseline:
    value: float
    # The ordinals of the baseline days; `complete` once there are BASELINE_DAYS of them.
    days: tuple[int, ...]

    @property
    def complete(self) -> bool:
        return len(self.days) >= BASELINE_DAYS

    def known_on(self, today: int) -> bool:
        return self.complete and self.days[-1] <= today

    def logged_by(self, today: int) -> int:
        return sum(1 for day in self.days if day <= today)


@dataclass(slots=True)
class _Series:
    """One measure's daily values in date order, with running sums for window means."""

    days: list[int]
    values: list[float]
    sums: list[float]

    @classmethod
    def of(cls, by_day: dict[int, float]) -> _Series:
        days = sorted(by_day)
        values = [by_day[d] for d in days]
        return cls(days, values, list(accumulate(values, initial=0.0)))

    def span(self, first: int, last: int) -> tuple[int, int]:
        """The index range of the days in [first, last]."""
        return bisect_left(self.days, first), bisect_right(self.days, last)

    def mean(self, first: int, last: int, needed: int) -> float | None:
        """The mean over the days in [first, last], or None with fewer than `needed` values."""
        lo, hi = self.span(first, last)
        if hi - lo < max(needed, 1):
            return None
        return (self.sums[hi] - self.sums[lo]) / (hi - lo)

    def window(self, first: int, last: int) -> list[float]:
        lo, hi = self.span(first, last)
        return self.values[lo:hi]


@dataclass(frozen=True, slots=True)
class _Reference:
    """What a worsening on one day is measured from."""

    value: float
    # "usual", "better" or "baseline": which level the value is.
    kind: str
    baseline: _Baseline
    # The last day of the clearly better stretch, when that is the reference.
    better_end: int | None = None


def _add(values: dict[int, float], counts: dict[int, int], day: int, value: float) -> None:
    """Add one entry's value to its date: a sum while a date has several entries."""
    if day in values:
        values[day] += value
        counts[day] = counts.get(day, 1) + 1
    else:
        values[day] = value


def _has_peg(kind: type) -> bool:
    """Whether entries of this type can carry a PEG score (checked once per type)."""
    fields = getattr(kind, "model_fields", None)
    return "peg" in fields if isinstance(fields, dict) else hasattr(kind, "peg")


class Diary:
    """The diary as one value per day and measure, with each measure's personal baseline."""

    __slots__ = (
        "_baselines",
        "_better",
        "_days",
        "_logged",
        "_nerve_days",
        "_references",
        "_rules",
        "_series",
        "_settled",
        "_start",
        "_symptoms",
        "_values",
    )

    def __init__(self, entries: Iterable[PainRecord], baseline_from: date | None = None) -> None:
        """Combine the entries by date; `baseline_from` starts a new baseline (re-baseline)."""
        values: dict[Measure, dict[int, float]] = {m: {} for m in Measure}
        # Only dates with several entries get a count; most dates have one.
        counts: dict[Measure, dict[int, int]] = {m: {} for m in Measure}
        symptoms: dict[int, set[Finding]] = {}
        logged: set[int] = set()
        has_peg: dict[type, bool] = {}
        back, leg, peg = values[Measure.BACK], values[Measure.LEG], values[Measure.PEG]
        back_n, leg_n, peg_n = counts[Measure.BACK], counts[Measure.LEG], counts[Measure.PEG]
        for entry in entries:
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
        self._finish(values, symptoms, logged, baseline_from)

    @classmethod
    def from_days(
        cls,
        days: Iterable[DayTotals],
        pegs: Iterable[Reading] = (),
        baseline_from: date | None = None,
        *,
        earlier: DayValues | None = None,
    ) -> Diary:
        """The same diary built from each date's totals, after `earlier` dates (and PEG scores)."""
        later = DayValues.of(days)
        back, leg = later.back, later.leg
        symptoms: dict[int, set[Finding]] = {d: set(found) for d, found in later.symptoms.items()}
        logged = set(later.logged)
        if earlier is not None:
            back = {**earlier.back, **back}
            leg = {**earlier.leg, **leg}
            for day, found in earlier.symptoms.items():
                symptoms.setdefault(day, set()).update(found)
            logged |= earlier.logged
        peg: dict[int, float] = {}
        peg_n: dict[int, int] = {}
        for reading in pegs:
            if reading.peg is not None:
                day = reading.entry_date.toordinal()
                logged.add(day)
                _add(peg, peg_n, day, reading.peg)
        for day, count in peg_n.items():
            peg[day] /= count
        diary = cls.__new__(cls)
        values = {Measure.BACK: back, Measure.LEG: leg, Measure.PEG: peg}
        diary._finish(values, symptoms, logged, baseline_from)
        return diary

    def _finish(
        self,
        values: dict[Measure, dict[int, float]],
        symptoms: dict[int, set[Finding]],
        logged: set[int],
        baseline_from: date | None,
    ) -> None:
        self._logged = logged
        self._days = sorted(logged)
        self._symptoms = {day: frozenset(found) for day, found in symptoms.items()}
        # The days with a nerve symptom: most days have none, so most days skip that rule.
        nerve = frozenset(NERVE_FINDINGS)
        self._nerve_days = sorted(d for d, found in self._symptoms.items() if found & nerve)
        self._values = values
        self._start = baseline_from.toordinal() if baseline_from is not None else None
        self._baselines = {m: self._baseline(m, self._start) for m in Measure}
        self._series: dict[Measure, _Series] = {}
        self._settled: dict[tuple[Measure, int], _Baseline | None] = {}
        # Caches for one set of rules: references by (measure, day, settle day), 4-week means by
        # (measure, last day); a replay asks for each many times.
        self._rules = RULES
        self._references: dict[tuple[Measure, int, int | None], _Reference | None] = {}
        self._better: dict[Measure, dict[int, float | None]] = {m: {} for m in Measure}

    def _baseline(self, measure: Measure, start: int | None) -> _Baseline | None:
        values = self._values[measure]
        # Sorting the days (mostly in order already) beats a heap of 14 in pure Python.
        days = sorted(values if start is None else [d for d in values if d >= start])[
            :BASELINE_DAYS
        ]
        if not days:
            return None
        found = [values[d] for d in days]
        return _Baseline(value=statistics.median(found), days=tuple(days))

    def _series_of(self, measure: Measure) -> _Series:
        series = self._series.get(measure)
        if series is None:
            series = self._series[measure] = _Series.of(self._values[measure])
        return series

    def _baseline_on(self, measure: Measure, today: int, settle: int | None) -> _Baseline | None:
        """The baseline as known on `today`: the settled one once its 14 days are in (§3.2)."""
        base = self._baselines[measure]
        if base is None or not base.known_on(today):
            return None
        if settle is None or base.days[0] >= settle:
            return base
        key = (measure, settle)
        if key not in self._settled:
            series = self._series_of(measure)
            start = bisect_left(series.days, settle)
            days = series.days[start : start + BASELINE_DAYS]
            found = series.values[start : start + BASELINE_DAYS]
            self._settled[key] = (
                _Baseline(value=statistics.median(found), days=tuple(days))
                if len(days) == BASELINE_DAYS
                else None
            )
        settled = self._settled[key]
        return settled if settled is not None and settled.known_on(today) else base

    def dates(self) -> list[date]:
        """The dates with at least one entry, oldest first."""
        return [date.fromordinal(day) for day in self._days]

    def has(self, measure: Measure) -> bool:
        """Whether any entry gave this measure."""
        return bool(self._values[measure])

    def baseline(
        self, measure: Measure, today: date, surgery_date: date | None = None
    ) -> float | None:
        """The personal baseline as it was known on `today`, or None while it is not."""
        settle = settled_from(surgery_date)
        base = self._baseline_on(
            measure, today.toordinal(), None if settle is None else settle.toordinal()
        )
        return None if base is None else base.value

    def baseline_days(
        self, measure: Measure, today: date, surgery_date: date | None = None
    ) -> BaselineDays | None:
        """The dates the baseline known on `today` is the median of, or None while it is not."""
        settle = settled_from(surgery_date)
        base = self._baseline_on(
            measure, today.toordinal(), None if settle is None else settle.toordinal()
        )
        if base is None:
            return None
        dates = tuple(date.fromordinal(day) for day in base.days)
        settled = base is not self._baselines[measure]
        return BaselineDays(first=dates[0], last=dates[-1], dates=dates, settled=settled)

    def _mean(self, measure: Measure, end: int, days: int) -> tuple[float | None, int]:
        values = self._values[measure]
        found = [values[d] for d in range(end - days + 1, end + 1) if d in values]
        return window_mean(found, days), len(found)

    def rolling_mean(self, measure: Measure, today: date) -> float | None:
        """The 7-day mean ending on `today`, or None with fewer than 5 of the 7 days logged."""
        return self._mean(measure, today.toordinal(), WINDOW_DAYS)[0]

    def _reference(
        self, measure: Measure, today: int, settle: int | None, rules: TrendRules
    ) -> _Reference | None:
        """The level a worsening on `today` is measured from, or None before the baseline."""
        if rules is not self._rules:
            self._rules, self._references = rules, {}
            self._better = {m: {} for m in Measure}
        key = (measure, today, settle)
        if key in self._references:
            return self._references[key]
        found = self._find_reference(measure, today, settle, rules)
        self._references[key] = found
        return found

    def _find_reference(
        self, measure: Measure, today: int, settle: int | None, rules: TrendRules
    ) -> _Reference | None:
        base = self._baseline_on(measure, today, settle)
        if base is None:
            return None
        series = self._series_of(measure)
        last = today - rules.guard_days
        usual = series.mean(last - rules.usual_days + 1, last, rules.usual_min_days)
        reference = (
            _Reference(base.value, "baseline", base)
            if usual is None
            else _Reference(usual, "usual", base)
        )
        # The lowest 4-week mean of the last 26 weeks, if it is clearly better than the baseline.
        clear = max(rules.better_points, rules.better_fraction * base.value)
        best: tuple[float, int] | None = None
        means = self._better[measure]
        for end in range(last, last - 7 * (rules.better_weeks - 1), -7):
            if end in means:
                level = means[end]
            else:
                first = end - rules.better_days + 1
                level = means[end] = series.mean(first, end, rules.better_min_days)
            if level is not None and (best is None or level < best[0]):
                best = (level, end)
        if best is not None and best[0] <= base.value - clear + _EPS and best[0] < reference.value:
            reference = _Reference(best[0], "better", base, better_end=best[1])
        return reference


# --- One day's evaluation ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    diary: Diary
    today: int
    day: date
    days_since_surgery: int | None
    settle: int | None
    rules: TrendRules = RULES


def _level_line(measure: Measure, reference: float, rules: TrendRules) -> float:
    """What the recent level must reach: a meaningful change and `level_points` above."""
    return min(reference + max(rise_needed(measure, reference), rules.level_points), NRS_MAX)


def _reference_values(ref: _Reference, rules: TrendRules) -> tuple[tuple[str, str], ...]:
    values = [
        ("reference", ref.kind),
        ("usual", _shown(ref.value)),
        ("usual_weeks", str(rules.usual_days // 7)),
        ("baseline_days", str(BASELINE_DAYS)),
    ]
    if ref.better_end is not None:
        values.append(("better_end", date.fromordinal(ref.better_end).isoformat()))
    return tuple(values)


_Values = tuple[tuple[str, str], ...]


def _step_rule(ctx: _Context, series: _Series, ref: _Reference, mic: float) -> _Values | None:
    """A CUSUM over the logged days of the last weeks, restarted whenever it falls to 0."""
    rules = ctx.rules
    k, cap, usual = rules.step_k, rules.step_cap, ref.value
    total, above = 0.0, 0
    run: list[float] = []
    run_start = ctx.today
    lo, hi = series.span(ctx.today - rules.step_days + 1, ctx.today)
    for day, value in zip(series.days[lo:hi], series.values[lo:hi], strict=True):
        step = value - usual - k
        if step > cap:
            step = cap
        total += step
        if total <= 0.0:
            total, above, run = 0.0, 0, []
            continue
        if not run:
            run_start = day
        run.append(value)
        if step > 0:
            above += 1
    if total < rules.step_h - _EPS or above < rules.step_min_days:
        return None
    # The level the run is at: its last week of values, the highest left out when there are
    # enough, so that the rise the message names is not one bad day's.
    recent = run[-(rules.level_days // 2) :]
    mean = _left_out_mean(recent, 1 if len(recent) > 3 else 0)
    if mean < usual + mic - _EPS:
        return None
    return (
        ("rule", "step"),
        ("recent", _shown(mean)),
        ("rise", f"{mean - usual:+.1f}"),
        ("count", str(len(run))),
        ("since", date.fromordinal(run_start).isoformat()),
    )


def _trimmed_rule(
    ctx: _Context, series: _Series, days: int, needed: int, line: float
) -> tuple[float, int] | None:
    """The mean of the last `days` without their highest quarter, if it reaches `line`."""
    lo, hi = series.span(ctx.today - days + 1, ctx.today)
    count = hi - lo
    # Leaving values out only lowers a mean: below the line already, it cannot reach it.
    if count < needed or (series.sums[hi] - series.sums[lo]) / count < line - _EPS:
        return None
    left_out = int(count * ctx.rules.level_left_out)
    mean = _left_out_mean(series.values[lo:hi], left_out)
    return (mean, left_out) if mean >= line - _EPS else None


def _worse(ctx: _Context, measure: Measure, ref: _Reference) -> Alert | None:
    """The sustained-worsening alert on `today`, if any of its three rules holds."""
    rules = ctx.rules
    series = ctx.diary._series_of(measure)
    values = _step_rule(ctx, series, ref, rise_needed(measure, ref.value))
    if values is None:
        # Level: the last two weeks, well above the usual level.
        line = _level_line(measure, ref.value, rules)
        found = _trimmed_rule(ctx, series, rules.level_days, rules.level_min_days, line)
        if found is not None:
            values = (
                ("rule", "level"),
                ("recent", _shown(found[0])),
                ("rise", f"{found[0] - ref.value:+.1f}"),
                ("days", str(rules.level_days)),
                ("left_out", str(found[1])),
            )
    if values is None:
        # Baseline: four weeks well above the §3.2 baseline.
        base = ref.baseline.value
        line = min(worse_line(measure, base) + rules.baseline_band, NRS_MAX)
        found = _trimmed_rule(ctx, series, rules.baseline_days, rules.baseline_min_days, line)
        if found is not None:
            values = (
                ("rule", "baseline"),
                ("recent", _shown(found[0])),
                ("rise", f"{found[0] - base:+.1f}"),
                ("days", str(rules.baseline_days)),
                ("left_out", str(found[1])),
                ("baseline", _shown(base)),
            )
    if values is None:
        return None
    return Alert(
        day=ctx.day,
        kind=AlertKind.SUSTAINED_WORSENING,
        tier=Tier.SOON,  # §3.2: sustained worsening without red flags is T3.
        which=measure.value,
        values=(*values, *_reference_values(ref, rules)),
        days_since_surgery=ctx.days_since_surgery,
    )


def _sustained(ctx: _Context, measure: Measure) -> Alert | None:
    ref = ctx.diary._reference(measure, ctx.today, ctx.settle, ctx.rules)
    if ref is None:
        return None
    return _worse(ctx, measure, ref)


def _rapid(ctx: _Context, measure: Measure) -> Alert | None:
    rules = ctx.rules
    values = ctx.diary._values[measure]
    last = [values.get(d) for d in range(ctx.today - rules.rapid_days + 1, ctx.today + 1)]
    if any(v is None for v in last):
        return None
    before, _ = ctx.diary._mean(measure, ctx.today - rules.rapid_days, rules.rapid_before_days)
    if before is None:
        return None
    recent = [v for v in last if v is not None]
    if min(recent) < before + rules.rapid_points - _EPS:
        return None
    ref = ctx.diary._reference(measure, ctx.today, ctx.settle, rules)
    if ref is not None and min(recent) < ref.value + rules.rapid_points - _EPS:
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
            ("days", str(rules.rapid_days)),
            ("before_days", str(rules.rapid_before_days)),
        ),
        days_since_surgery=ctx.days_since_surgery,
    )


def _new_nerve(ctx: _Context) -> Alert | None:
    diary = ctx.diary
    recent_start = ctx.today - NERVE_WINDOW_DAYS + 1
    nerve_days = diary._nerve_days
    if (
        bisect_right(nerve_days, ctx.today) - bisect_left(nerve_days, recent_start)
        < NERVE_MIN_DAYS
    ):
        return None
    before_start = recent_start - NERVE_BEFORE_DAYS
    before_logged = sum(1 for d in range(before_start, recent_start) if d in diary._logged)
    if before_logged < days_needed(NERVE_BEFORE_DAYS):
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
    """Whether a 7-day mean fell back under the level rule's line, less the band, since then."""
    rules = ctx.rules
    series = ctx.diary._series_of(measure)
    for end in range(since + 1, ctx.today):
        mean = series.mean(end - WINDOW_DAYS + 1, end, rules.resolve_min_days)
        if mean is None:
            continue
        ref = ctx.diary._reference(measure, end, ctx.settle, rules)
        if ref is None:
            continue
        if mean <= _level_line(measure, ref.value, rules) - rules.resolve_band + _EPS:
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
    base = ctx.diary._baseline_on(measure, ctx.today, ctx.settle)
    if base is None:
        first = ctx.diary._baselines[measure]
        logged = 0 if first is None else first.logged_by(ctx.today)
        return MeasureStatus(
            measure=measure, kind=StatusKind.NOT_ENOUGH_DATA, logged=logged, needed=BASELINE_DAYS
        )
    days = {
        "baseline_first": date.fromordinal(base.days[0]),
        "baseline_last": date.fromordinal(base.days[-1]),
    }
    recent, logged = ctx.diary._mean(measure, ctx.today, WINDOW_DAYS)
    if recent is None:
        return MeasureStatus(
            measure=measure,
            kind=StatusKind.GAPS,
            baseline=base.value,
            logged=logged,
            needed=days_needed(WINDOW_DAYS),
            **days,
        )
    rise = rise_needed(measure, base.value)
    if recent >= worse_line(measure, base.value) - _EPS:
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
        needed=days_needed(WINDOW_DAYS),
        **days,
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
    rules: TrendRules = RULES,
) -> Assessment:
    """The alerts to send on `today` (using only data up to `today`) and each measure's status."""
    return _evaluate(diary, today, surgery_date, sent, rules, with_status=True)


def alerts_on(
    diary: Diary,
    today: date,
    *,
    surgery_date: date | None = None,
    sent: Iterable[SentRecord] = (),
    rules: TrendRules = RULES,
) -> tuple[Alert, ...]:
    """The alerts to send on `today`, without the status lines: what the bot needs after a save."""
    return _evaluate(diary, today, surgery_date, sent, rules, with_status=False).alerts


def _evaluate(
    diary: Diary,
    today: date,
    surgery_date: date | None,
    sent: Iterable[SentRecord],
    rules: TrendRules,
    *,
    with_status: bool,
) -> Assessment:
    since = None if surgery_date is None else (today - surgery_date).days
    settle = settled_from(surgery_date)
    ctx = _Context(
        diary=diary,
        today=today.toordinal(),
        day=today,
        days_since_surgery=None if since is None or since < 0 else since,
        settle=None if settle is None else settle.toordinal(),
        rules=rules,
    )
    index = _sent_index(sent, ctx.today)
    alerts: list[Alert] = []

    def offer(alert: Alert | None) -> None:
        if alert is not None and _allowed(ctx, alert, index):
            alerts.append(alert)
            _remember(index, alert.kind, alert.which, ctx.today, alert.tier)

    flag = _red_flag(ctx)
    offer(flag)
    if flag is None:
        for measure in NRS_MEASURES:
            offer(_rapid(ctx, measure))
        for measure in Measure:
            offer(_sustained(ctx, measure))
        offer(_new_nerve(ctx))
    if not with_status:
        return Assessment(day=today, alerts=tuple(alerts))
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
    rules: TrendRules = RULES,
) -> Assessment:
    """What to tell the user after an entry saved for `today`: the bot's one call."""
    diary = Diary(entries, baseline_from=baseline_from)
    return evaluate(diary, today, surgery_date=surgery_date, sent=sent, rules=rules)


def replay(
    rows: Iterable[PainRecord],
    surgery_date: date | None = None,
    *,
    baseline_from: date | None = None,
    rules: TrendRules = RULES,
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
        # The status of each day is not part of what the bot sends, so it is not worked out.
        result = _evaluate(diary, day, surgery_date, sent[first:], rules, with_status=False)
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
