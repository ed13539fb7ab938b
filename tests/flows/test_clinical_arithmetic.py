"""The clinical arithmetic the detector, the report and the chart share, each written once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from flows.clinical.codes import CauseId, Finding, Tier
from flows.clinical.rules import TOP_CAUSES, cause_summary, shown_causes, triage
from flows.clinical.rules_data import MODIFIER_CAUSE
from flows.clinical.trends import (
    WINDOW_DAYS,
    Diary,
    Measure,
    Reading,
    StatusKind,
    days_needed,
    evaluate,
    rise_needed,
    window_mean,
    worse_line,
)
from flows.dialogs.trend_view import trend_series
from flows.records.models import CheckResult, Entry, Profile
from flows.records.report import build_report

DAY = date(2025, 3, 1)


def entry(day: date, back: int | None, leg: int | None = None) -> Entry:
    return Entry(
        id=day.toordinal(),
        user_id=1,
        entry_date=day,
        recorded_at=datetime.combine(day, time(19), tzinfo=UTC),
        timezone="UTC",
        back_pain=back,
        leg_pain=leg,
    )


@pytest.mark.parametrize("days", range(1, 120))
def test_the_70_percent_rule_is_the_one_each_place_wrote(days: int) -> None:
    # The three versions issue 17 found (trends, report, trend_view), all "≥ 70 %, rounded up".
    assert days_needed(days) == (days * 7 + 9) // 10 == -(-days * 7 // 10)


def test_the_70_percent_rule_asks_5_of_7_and_10_of_14() -> None:
    assert days_needed(WINDOW_DAYS) == 5
    assert days_needed(14) == 10


def test_a_window_mean_needs_70_percent_of_its_days() -> None:
    assert window_mean([4.0, 5.0, 6.0, 5.0]) is None
    assert window_mean([4.0, 5.0, 6.0, 5.0, 5.0]) == pytest.approx(5.0)
    assert window_mean([]) is None
    assert window_mean([3.0] * 9, days=14) is None
    assert window_mean([3.0] * 10, days=14) == 3.0


def test_the_diary_and_the_chart_draw_the_same_7_day_mean() -> None:
    # Two entries on some days: the day's value is their mean in both.
    entries = [entry(DAY + timedelta(days=i), (i * 3) % 11, i % 4) for i in range(30) if i % 5]
    entries += [entry(DAY + timedelta(days=i), 9, 1) for i in (3, 8, 21)]
    last = DAY + timedelta(days=29)
    diary = Diary(entries)
    series = trend_series(entries, DAY, last, baselines=(None, None), alert_days=())
    for day, back, leg in zip(series.days, series.back_average, series.leg_average, strict=True):
        for drawn, measure in ((back, Measure.BACK), (leg, Measure.LEG)):
            mean = diary.rolling_mean(measure, day)
            assert drawn == (None if mean is None else round(mean, 2))
    assert any(v is None for v in series.back_average)
    assert any(v is not None for v in series.back_average)


@pytest.mark.parametrize("baseline", [0.0, 0.5, 1.0, 3.0, 4.0, 5.5, 7.9, 8.0, 9.5, 10.0])
def test_the_worse_line_is_the_baseline_plus_a_meaningful_change_on_the_scale(
    baseline: float,
) -> None:
    for measure in Measure:
        line = worse_line(measure, baseline)
        assert line == min(baseline + rise_needed(measure, baseline), 10.0)
        assert line <= 10.0


def test_the_chart_draws_the_worse_line_the_status_uses() -> None:
    entries = [entry(DAY + timedelta(days=i), 3, 6) for i in range(20)]
    series = trend_series(
        entries, DAY, DAY + timedelta(days=19), baselines=(3.0, None), alert_days=()
    )
    assert series.back_line == worse_line(Measure.BACK, 3.0) == 4.0
    assert series.leg_line is None
    series = trend_series(
        entries, DAY, DAY + timedelta(days=19), baselines=(None, 8.5), alert_days=()
    )
    assert series.back_line is None
    assert series.leg_line == 10.0


def test_the_worse_line_is_where_the_status_turns_worse() -> None:
    days = [DAY + timedelta(days=i) for i in range(21)]
    # Baseline 3 (the first 14 days), then a week at exactly the line, 4.
    entries = [Reading(d, back_pain=3 if i < 14 else 4) for i, d in enumerate(days)]
    status = evaluate(Diary(entries), days[-1]).status[0]
    assert status.recent == worse_line(Measure.BACK, 3.0)
    assert status.kind is StatusKind.WORSE


def test_shown_causes_put_the_modifier_after_every_structural_cause() -> None:
    ranked = [
        (CauseId.ADJACENT_SEGMENT_DISEASE, 9.0),
        (MODIFIER_CAUSE, 8.0),
        (CauseId.PSEUDARTHROSIS, 7.0),
        (CauseId.MYOFASCIAL_PAIN, 6.0),
        (CauseId.SACROILIAC_JOINT, 5.0),
    ]
    shown = shown_causes(ranked, lambda pair: pair[0])
    assert [c for c, _ in shown] == [
        CauseId.ADJACENT_SEGMENT_DISEASE,
        CauseId.PSEUDARTHROSIS,
        CauseId.MYOFASCIAL_PAIN,
    ]
    assert len(shown) == TOP_CAUSES
    alone = [(MODIFIER_CAUSE, 4.0)]
    assert shown_causes(alone, lambda pair: pair[0]) == alone
    assert shown_causes([], lambda pair: pair[0]) == []


def test_the_check_result_names_the_shown_causes() -> None:
    result = triage([Finding.LOW_MOOD, Finding.PAIN_CONSTANT_NIGHT], (), None)
    assert result.causes[0].id is MODIFIER_CAUSE
    summary = cause_summary(result, "en")
    shown = shown_causes(result.causes, lambda c: c.id)
    assert [c.id for c in shown] == [
        CauseId.INFECTION,
        CauseId.EPIDURAL_FIBROSIS,
        CauseId.NEUROPATHIC_PAIN,
    ]
    assert summary.count("\n• ") == len(shown)


def test_the_report_lists_the_causes_the_check_result_names() -> None:
    # A result with the modifier among the top: the patient's text and the report agree.
    ranked = [
        (CauseId.ADJACENT_SEGMENT_DISEASE, 9.0),
        (MODIFIER_CAUSE, 8.0),
        (CauseId.PSEUDARTHROSIS, 7.0),
    ]
    check = CheckResult(
        recorded_at=datetime.combine(DAY, time(12), tzinfo=UTC), tier=Tier.SOON, causes=ranked
    )
    profile = Profile(user_id=1, consented_at=datetime(2025, 1, 1, tzinfo=UTC))
    report = build_report(
        profile=profile,
        entries=[entry(DAY, 3)],
        checks=[check],
        alerts=[],
        first=DAY,
        last=DAY,
        language="en",
    )
    assert report.latest_check is not None
    listed = [c.id for c in report.latest_check.causes]
    assert listed == [c for c, _ in shown_causes(ranked, lambda pair: pair[0])]
    assert MODIFIER_CAUSE not in listed
