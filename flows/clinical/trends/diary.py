"""The diary as one value per day and measure, with each measure's personal baseline (§3.2)."""

from __future__ import annotations

import statistics
from bisect import bisect_left
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
        self._series: dict[Measure, Series] = {}
        self._settled: dict[tuple[Measure, int], Baseline | None] = {}
        # Caches for one set of rules: references by (measure, day, settle day), 4-week means by
        # (measure, last day); a replay asks for each many times.
        self._rules = RULES
        self._references: dict[tuple[Measure, int, int | None], Reference | None] = {}
        self._better: dict[Measure, dict[int, float | None]] = {m: {} for m in Measure}

    def _baseline(self, measure: Measure, start: int | None) -> Baseline | None:
        values = self._values[measure]
        # Sorting the days (mostly in order already) beats a heap of 14 in pure Python.
        days = sorted(values if start is None else [d for d in values if d >= start])[
            :BASELINE_DAYS
        ]
        if not days:
            return None
        found = [values[d] for d in days]
        return Baseline(value=statistics.median(found), days=tuple(days))

    def series(self, measure: Measure) -> Series:
        """One measure's values in date order (built on first use)."""
        series = self._series.get(measure)
        if series is None:
            series = self._series[measure] = Series.of(self._values[measure])
        return series

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
        return bool(self._values[measure])

    def values(self, measure: Measure) -> Mapping[int, float]:
        """One measure's value on each day (by ordinal) that has one."""
        return self._values[measure]

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
        return sum(1 for d in range(first, last + 1) if d in self._logged)

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
        values = self._values[measure]
        found = [values[d] for d in range(end - days + 1, end + 1) if d in values]
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
