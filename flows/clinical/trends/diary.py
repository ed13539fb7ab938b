"""The diary as one value per day and measure, with each measure's personal baseline (§3.2)."""

from __future__ import annotations

import statistics
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from flows.clinical.codes import Finding
from flows.clinical.trends.parameters import (
    BASELINE_DAYS,
    EPS,
    NERVE_FINDINGS,
    RULES,
    WINDOW_DAYS,
    Measure,
    TrendRules,
    settled_from,
)
from flows.clinical.trends.series import Baseline, BaselineDays, Reference, Series, window_mean

_NO_SYMPTOMS: frozenset[Finding] = frozenset()


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
    """Some of the diary's dates as a Diary keeps them: each measure's series, the symptoms."""

    back: Series
    leg: Series
    symptoms: dict[int, frozenset[Finding]]
    # The ordinals of the dates, in order.
    logged: list[int]

    @classmethod
    def of(cls, days: Iterable[DayTotals]) -> DayValues:
        """The values of these dates' totals: a day with several entries has their mean."""
        back_days: list[int] = []
        back: list[float] = []
        leg_days: list[int] = []
        leg: list[float] = []
        symptoms: dict[int, frozenset[Finding]] = {}
        logged: list[int] = []
        # Storage gives them in date order; sorting what is sorted already costs one pass.
        for day, back_sum, back_n, leg_sum, leg_n, codes in sorted(days, key=_day_of):
            logged.append(day)
            # One entry keeps its integer, as Diary(entries) does; several are averaged.
            if back_sum is not None and back_n:
                back_days.append(day)
                back.append(back_sum if back_n == 1 else back_sum / back_n)
            if leg_sum is not None and leg_n:
                leg_days.append(day)
                leg.append(leg_sum if leg_n == 1 else leg_sum / leg_n)
            if codes:
                symptoms[day] = frozenset(Finding(code) for code in codes.split(";") if code)
        return cls(
            Series.of_sorted(back_days, back), Series.of_sorted(leg_days, leg), symptoms, logged
        )


def _day_of(totals: DayTotals) -> int:
    return totals[0]


def _joined(earlier: Series, later: Series) -> Series:
    """One series of `earlier`'s days and then `later`'s, a date in both taking `later`'s value."""
    if not later.days:
        return earlier
    if not earlier.days or earlier.days[-1] < later.days[0]:
        return earlier.extended(later)
    merged = dict(zip(earlier.days, earlier.values, strict=True))
    merged.update(zip(later.days, later.values, strict=True))
    return Series.of(merged)


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
        self._finish(
            {m: Series.of(values[m]) for m in Measure},
            {day: frozenset(found) for day, found in symptoms.items()},
            sorted(logged),
            baseline_from,
        )

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
        back, leg, symptoms, logged = later.back, later.leg, later.symptoms, later.logged
        if earlier is not None:
            back, leg = _joined(earlier.back, back), _joined(earlier.leg, leg)
            if earlier.logged and logged and earlier.logged[-1] < logged[0]:
                # What the bot reads after a save: the later dates all come after the kept ones.
                symptoms = {**earlier.symptoms, **symptoms}
                logged = earlier.logged + logged
            else:
                both = dict(earlier.symptoms)
                for day, found in symptoms.items():
                    both[day] = both.get(day, _NO_SYMPTOMS) | found
                symptoms = both
                logged = sorted({*earlier.logged, *logged})
        peg: dict[int, float] = {}
        peg_n: dict[int, int] = {}
        for reading in pegs:
            if reading.peg is not None:
                _add(peg, peg_n, reading.entry_date.toordinal(), reading.peg)
        for day, count in peg_n.items():
            peg[day] /= count
        if peg:
            logged = sorted({*logged, *peg})
        diary = cls.__new__(cls)
        series = {Measure.BACK: back, Measure.LEG: leg, Measure.PEG: Series.of(peg)}
        diary._finish(series, symptoms, logged, baseline_from)
        return diary

    def _finish(
        self,
        series: dict[Measure, Series],
        symptoms: dict[int, frozenset[Finding]],
        days: list[int],
        baseline_from: date | None,
    ) -> None:
        self._days = days
        self._symptoms = symptoms
        # The days with a nerve symptom: most days have none, so most days skip that rule.
        nerve = frozenset(NERVE_FINDINGS)
        self._nerve_days = sorted(d for d, found in symptoms.items() if found & nerve)
        self._series = series
        self._values: dict[Measure, dict[int, float]] = {}
        self._start = baseline_from.toordinal() if baseline_from is not None else None
        self._baselines = {m: self._baseline(m, self._start) for m in Measure}
        self._settled: dict[tuple[Measure, int], Baseline | None] = {}
        # Caches for one set of rules: references by (measure, day, settle day), 4-week means by
        # (measure, last day); a replay asks for each many times.
        self._rules = RULES
        self._references: dict[tuple[Measure, int, int | None], Reference | None] = {}
        self._better: dict[Measure, dict[int, float | None]] = {m: {} for m in Measure}

    def _baseline(self, measure: Measure, start: int | None) -> Baseline | None:
        series = self._series[measure]
        first = 0 if start is None else bisect_left(series.days, start)
        days = series.days[first : first + BASELINE_DAYS]
        if not days:
            return None
        found = series.values[first : first + BASELINE_DAYS]
        return Baseline(value=statistics.median(found), days=tuple(days))

    def series(self, measure: Measure) -> Series:
        """One measure's values in date order."""
        return self._series[measure]

    def baseline_on(self, measure: Measure, today: int, settle: int | None) -> Baseline | None:
        """The baseline known on ordinal `today`: the settled one once its days are in (§3.2)."""
        base = self._baselines[measure]
        if base is None or not base.known_on(today):
            return None
        if settle is None or base.days[0] >= settle:
            return base
        key = (measure, settle)
        if key not in self._settled:
            series = self.series(measure)
            start = bisect_left(series.days, settle)
            days = series.days[start : start + BASELINE_DAYS]
            found = series.values[start : start + BASELINE_DAYS]
            self._settled[key] = (
                Baseline(value=statistics.median(found), days=tuple(days))
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
        return bool(self._series[measure].days)

    def values(self, measure: Measure) -> Mapping[int, float]:
        """One measure's value on each day (by ordinal) that has one."""
        values = self._values.get(measure)
        if values is None:
            series = self._series[measure]
            values = self._values[measure] = dict(zip(series.days, series.values, strict=True))
        return values

    def first_baseline(self, measure: Measure) -> Baseline | None:
        """The baseline from enrolment or `baseline_from`, before any settled re-baseline."""
        return self._baselines[measure]

    def symptoms_on(self, day: int) -> frozenset[Finding]:
        """The symptoms noted on ordinal `day`."""
        return self._symptoms.get(day, _NO_SYMPTOMS)

    def nerve_days(self) -> Sequence[int]:
        """The ordinals of the days with a nerve symptom, in order."""
        return self._nerve_days

    def logged_in(self, first: int, last: int) -> int:
        """How many days in [first, last] (ordinals) have an entry."""
        return bisect_right(self._days, last) - bisect_left(self._days, first)

    def baseline(
        self, measure: Measure, today: date, surgery_date: date | None = None
    ) -> float | None:
        """The personal baseline as it was known on `today`, or None while it is not."""
        settle = settled_from(surgery_date)
        base = self.baseline_on(
            measure, today.toordinal(), None if settle is None else settle.toordinal()
        )
        return None if base is None else base.value

    def baseline_days(
        self, measure: Measure, today: date, surgery_date: date | None = None
    ) -> BaselineDays | None:
        """The dates the baseline known on `today` is the median of, or None while it is not."""
        settle = settled_from(surgery_date)
        base = self.baseline_on(
            measure, today.toordinal(), None if settle is None else settle.toordinal()
        )
        if base is None:
            return None
        dates = tuple(date.fromordinal(day) for day in base.days)
        settled = base is not self._baselines[measure]
        return BaselineDays(first=dates[0], last=dates[-1], dates=dates, settled=settled)

    def logged_mean(self, measure: Measure, end: int, days: int) -> tuple[float | None, int]:
        """The window mean of the `days` days to ordinal `end`, and how many have a value."""
        series = self._series[measure]
        lo, hi = series.span(end - days + 1, end)
        found = series.values[lo:hi]
        return window_mean(found, days), len(found)

    def rolling_mean(self, measure: Measure, today: date) -> float | None:
        """The 7-day mean ending on `today`, or None with fewer than 5 of the 7 days logged."""
        return self.logged_mean(measure, today.toordinal(), WINDOW_DAYS)[0]

    def reference(
        self, measure: Measure, today: int, settle: int | None, rules: TrendRules
    ) -> Reference | None:
        """The level a worsening on ordinal `today` is measured from; None before the baseline."""
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
    ) -> Reference | None:
        base = self.baseline_on(measure, today, settle)
        if base is None:
            return None
        series = self.series(measure)
        last = today - rules.guard_days
        usual = series.mean(last - rules.usual_days + 1, last, rules.usual_min_days)
        reference = (
            Reference(base.value, "baseline", base)
            if usual is None
            else Reference(usual, "usual", base)
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
        if best is not None and best[0] <= base.value - clear + EPS and best[0] < reference.value:
            reference = Reference(best[0], "better", base, better_end=best[1])
        return reference
