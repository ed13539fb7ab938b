"""A diary read as kept dates plus the last weeks is the diary read whole, to the last bit."""

from __future__ import annotations

from datetime import date, timedelta

from flows.clinical.codes import Finding
from flows.clinical.trends import DayTotals, DayValues, Diary, Measure, Reading
from flows.clinical.trends.series import Series

START = date(2025, 1, 6)


def totals(days: int, first: int = 0) -> list[DayTotals]:
    """Dates with one to three entries each, so that some means are thirds (inexact floats)."""
    found: list[DayTotals] = []
    for offset in range(first, first + days):
        n = 1 + offset % 3
        codes = "pain_one_leg" if offset % 11 == 0 else ""
        day = (START + timedelta(days=offset)).toordinal()
        found.append((day, n * 4 + offset % 2, n, n * 2 + 1, n, codes))
    return found


def test_a_series_extended_sums_as_one_pass_over_both_would() -> None:
    earlier = Series.of_sorted([1, 2, 3], [0.1, 1 / 3, 2 / 3])
    later = Series.of_sorted([4, 5], [0.7, 1 / 7])
    whole = Series.of_sorted([1, 2, 3, 4, 5], [0.1, 1 / 3, 2 / 3, 0.7, 1 / 7])
    joined = earlier.extended(later)
    assert (joined.days, joined.values, joined.sums) == (whole.days, whole.values, whole.sums)


def test_kept_dates_then_the_last_weeks_give_the_whole_diarys_series_and_baselines() -> None:
    days = totals(200)
    whole = Diary.from_days(days)
    joined = Diary.from_days(days[186:], earlier=DayValues.of(days[:186]))
    for measure in (Measure.BACK, Measure.LEG):
        a, b = whole.series(measure), joined.series(measure)
        assert (a.days, a.values, a.sums) == (b.days, b.values, b.sums)
        assert whole.first_baseline(measure) == joined.first_baseline(measure)
    assert whole.dates() == joined.dates()
    assert whole.nerve_days() == joined.nerve_days()


def test_a_date_in_both_parts_takes_the_later_value_and_both_symptom_sets() -> None:
    day = START.toordinal()
    earlier = DayValues.of([(day, 3, 1, None, 0, "pain_one_leg"), (day + 1, 4, 1, None, 0, "")])
    diary = Diary.from_days([(day, 8, 1, 2, 1, "fever")], earlier=earlier)
    assert diary.values(Measure.BACK) == {day: 8, day + 1: 4}
    assert diary.values(Measure.LEG) == {day: 2}
    assert diary.symptoms_on(day) == {Finding.PAIN_ONE_LEG, Finding.FEVER}
    assert diary.dates() == [START, START + timedelta(days=1)]


def test_a_peg_score_on_a_date_without_pain_scores_counts_as_logged() -> None:
    day = START.toordinal()
    earlier = DayValues.of([(day, 3, 1, None, 0, "")])
    peg_day = START + timedelta(days=5)
    diary = Diary.from_days([], [Reading(entry_date=peg_day, peg=6.0)], earlier=earlier)
    assert diary.dates() == [START, peg_day]
    assert diary.logged_in(day, day + 5) == 2
    assert diary.values(Measure.PEG) == {peg_day.toordinal(): 6.0}
