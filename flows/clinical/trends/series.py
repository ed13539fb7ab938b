"""One measure's daily values and what is read off them: window means, baselines, references."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from flows.clinical.trends.parameters import BASELINE_DAYS, WINDOW_DAYS, days_needed


def window_mean(logged: Sequence[float], days: int = WINDOW_DAYS) -> float | None:
    """The mean of the values logged in a window of `days` days; None below §3.3 item 7's 70 %."""
    # A missing day is left out, never read as "no pain"; too few logged days give no mean.
    if not logged or len(logged) < days_needed(days):
        return None
    return sum(logged) / len(logged)


def left_out_mean(values: Sequence[float], left_out: int) -> float:
    """The mean of the values without the `left_out` highest."""
    kept = sorted(values)[: len(values) - left_out] if left_out else values
    return math.fsum(kept) / len(kept)


@dataclass(frozen=True, slots=True)
class BaselineDays:
    """The dates a personal baseline is the median of: the first, the last and all of them."""

    first: date
    last: date
    dates: tuple[date, ...]
    # Re-taken once the recovery from surgery had settled (the diary began before then).
    settled: bool = False


@dataclass(frozen=True, slots=True)
class Baseline:
    """A personal baseline: the median of its days' values (§3.2)."""

    value: float
    # The ordinals of the baseline days; `complete` once there are BASELINE_DAYS of them.
    days: tuple[int, ...]

    @property
    def complete(self) -> bool:
        """Whether it has all its days."""
        return len(self.days) >= BASELINE_DAYS

    def known_on(self, today: int) -> bool:
        """Whether it was complete by ordinal `today`."""
        return self.complete and self.days[-1] <= today

    def logged_by(self, today: int) -> int:
        """How many of its days came by ordinal `today`."""
        return sum(1 for day in self.days if day <= today)


@dataclass(slots=True)
class Series:
    """One measure's daily values in date order, with running sums for window means."""

    days: list[int]
    values: list[float]
    sums: list[float]

    @classmethod
    def of(cls, by_day: dict[int, float]) -> Series:
        """The series of the values by day ordinal."""
        days = sorted(by_day)
        return cls.of_sorted(days, [by_day[d] for d in days])

    @classmethod
    def of_sorted(cls, days: list[int], values: list[float]) -> Series:
        """The series of these values, one per day, the days in order."""
        return cls(days, values, list(accumulate(values, initial=0.0)))

    def extended(self, later: Series) -> Series:
        """This series and then `later`'s days, all after this one's."""
        # Summed on from this one's total, as one pass over both would: the same floats.
        more = accumulate(later.values, initial=self.sums[-1])
        next(more)
        return Series(self.days + later.days, self.values + later.values, [*self.sums, *more])

    def span(self, first: int, last: int) -> tuple[int, int]:
        """The index range of the days in [first, last]."""
        return bisect_left(self.days, first), bisect_right(self.days, last)

    def mean(self, first: int, last: int, needed: int) -> float | None:
        """The mean over the days in [first, last], or None with fewer than `needed` values."""
        lo, hi = self.span(first, last)
        if hi - lo < max(needed, 1):
            return None
        return (self.sums[hi] - self.sums[lo]) / (hi - lo)


@dataclass(frozen=True, slots=True)
class Reference:
    """What a worsening on one day is measured from."""

    value: float
    # "usual", "better" or "baseline": which level the value is.
    kind: str
    baseline: Baseline
    # The last day of the clearly better stretch, when that is the reference.
    better_end: int | None = None
