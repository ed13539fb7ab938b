"""The trend detector: the labelled sample diaries, and each rule on small made-up diaries.

Each rule has a diary that makes it fire and a near miss that does not; the synthetic diaries
are scored in tests/flows/test_trends_synthetic.py.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import cast

import pytest

from flows.clinical.codes import Finding, Tier
from flows.clinical.emergency import numbers_for
from flows.clinical.trends import (
    COOLDOWN_DAYS,
    LOOKBACK_DAYS,
    REMINDER_DAYS,
    RULES,
    SETTLE_DAYS,
    Alert,
    AlertKind,
    Diary,
    Measure,
    Reading,
    SentAlert,
    StatusKind,
    alert_message,
    assess_day,
    evaluate,
    replay,
    rise_needed,
    settled_from,
    status_text,
    to_assess_json,
)
from flows.records.diary_csv import DiaryRow, parse_diary
from flows.records.models import Entry

DIARIES = Path(__file__).resolve().parents[1] / "data" / "diaries"
START = date(2025, 1, 1)
# Two weeks of 2s and 3s: baseline (median) 2.5, so the §3.2 line is 3.5 (+1 for baselines 1–4).
BASELINE = [2, 3] * 7
WORSENING_KINDS = {"step", "drift"}
QUIET_KINDS = {"stable", "improving", "red_flag"}


# --- The labelled sample diaries -----------------------------------------------------------------


@cache
def labels() -> dict[str, dict[str, object]]:
    with (DIARIES / "labels.json").open(encoding="utf-8") as file:
        loaded: dict[str, dict[str, object]] = json.load(file)
    return loaded


def day_of(label: dict[str, object], key: str) -> date:
    return date.fromisoformat(str(label[key]))


def window(label: dict[str, object]) -> tuple[date, date]:
    first, last = cast(list[str], label["window"])
    return date.fromisoformat(first), date.fromisoformat(last)


@cache
def rows_of(name: str) -> tuple[DiaryRow, ...]:
    parsed = parse_diary((DIARIES / name).read_text(encoding="utf-8"))
    assert parsed.ok, parsed.errors
    return tuple(parsed.rows)


@cache
def replayed(name: str) -> tuple[Alert, ...]:
    return tuple(replay(rows_of(name), day_of(labels()[name], "surgery_date")))


def trend_alerts(name: str) -> list[Alert]:
    return [a for a in replayed(name) if a.kind is not AlertKind.RED_FLAG]


def named(kinds: set[str]) -> list[str]:
    return sorted(name for name, label in labels().items() if label["kind"] in kinds)


@dataclass(frozen=True)
class Figures:
    detected: list[str]
    missed: list[str]
    # Days from the onset of the worsening, and from the start of the labelled window.
    delays: dict[str, int]
    window_delays: dict[str, int]
    false_alarms: list[str]
    quiet: int

    @property
    def detection_rate(self) -> float:
        return len(self.detected) / (len(self.detected) + len(self.missed))

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / self.quiet


@cache
def figures() -> Figures:
    detected, missed, delays, window_delays = [], [], {}, {}
    for name in named(WORSENING_KINDS):
        label = labels()[name]
        first, last = window(label)
        hits = [
            a
            for a in trend_alerts(name)
            if a.about == (label["which"],) and first <= a.day <= last
        ]
        if hits:
            detected.append(name)
            delays[name] = (hits[0].day - day_of(label, "onset")).days
            window_delays[name] = (hits[0].day - first).days
        else:
            missed.append(name)
    quiet = named(QUIET_KINDS)
    false_alarms = [name for name in quiet if trend_alerts(name)]
    return Figures(detected, missed, delays, window_delays, false_alarms, len(quiet))


def test_the_sample_is_complete() -> None:
    assert len(labels()) == 40
    assert len(named(WORSENING_KINDS)) == 20
    assert len(named(QUIET_KINDS)) == 20


def test_every_sample_worsening_is_detected_within_its_window() -> None:
    # Issue 16 started from 19 of 20; the sparse-logging miss (diary_027) is found now.
    result = figures()
    assert result.missed == []


def test_no_quiet_sample_diary_gets_a_trend_alert() -> None:
    assert figures().false_alarms == []


def test_sample_steps_are_found_within_a_week_of_their_onset() -> None:
    result = figures()
    steps = [d for n, d in result.delays.items() if labels()[n]["kind"] == "step"]
    assert statistics.median(steps) <= 7


def test_every_red_flag_is_reported_on_its_date_with_its_tier() -> None:
    for name in named({"red_flag"}):
        label = labels()[name]
        flags = [a for a in replayed(name) if a.kind is AlertKind.RED_FLAG]
        assert [(a.day, a.tier.value) for a in flags] == [
            (day_of(label, "flag_date"), label["flag_tier"])
        ], name
        assert Finding(str(label["flag_code"])) in flags[0].findings


def test_sample_figures_are_printed(capsys: pytest.CaptureFixture[str]) -> None:
    result = figures()
    steps = [d for n, d in result.delays.items() if labels()[n]["kind"] == "step"]
    drifts = [d for n, d in result.delays.items() if labels()[n]["kind"] == "drift"]
    with capsys.disabled():
        print(
            f"\ntrend detector on the 40 sample diaries: detection "
            f"{len(result.detected)}/{len(result.detected) + len(result.missed)} "
            f"({result.detection_rate:.0%}), missed {result.missed}; false alarms "
            f"{len(result.false_alarms)}/{result.quiet} ({result.false_alarm_rate:.0%}); "
            f"median delay from onset {statistics.median(result.delays.values())} days "
            f"(step {statistics.median(steps)}, drift {statistics.median(drifts)}), from the "
            f"window start {statistics.median(result.window_delays.values())} days"
        )
    assert all(delay >= 0 for delay in result.window_delays.values())


def test_replay_sees_only_the_past() -> None:
    # Evaluating day by day on growing copies of the diary gives exactly the replay's alerts.
    for name in ("diary_003.csv", "diary_015.csv"):
        rows = rows_of(name)
        surgery = day_of(labels()[name], "surgery_date")
        sent: list[Alert] = []
        for day in sorted({row.entry_date for row in rows}):
            past = [row for row in rows if row.entry_date <= day]
            sent += assess_day(past, day, surgery_date=surgery, sent=sent).alerts
        assert sent == list(replayed(name))


# --- Small made-up diaries -----------------------------------------------------------------------


def readings(
    back: Sequence[float | None],
    leg: Sequence[float | None] | None = None,
    symptoms: Mapping[int, tuple[Finding, ...]] | None = None,
    start: date = START,
) -> list[Reading]:
    """One reading a day from `start`; None leaves the day out, and a half (4.5) is two entries
    on the day (4 and 5), which the diary averages."""
    found = symptoms or {}
    out = []
    for offset, value in enumerate(back):
        if value is None:
            continue
        leg_value = None if leg is None else leg[offset]
        for score in {math.floor(value), math.ceil(value)}:
            out.append(
                Reading(
                    entry_date=start + timedelta(days=offset),
                    back_pain=score,
                    leg_pain=None if leg_value is None else int(leg_value),
                    symptoms=found.get(offset, ()),
                )
            )
    return out


def whole(levels: Sequence[float]) -> list[float | None]:
    """Whole scores whose running mean follows `levels` (the error carried to the next day)."""
    out: list[float | None] = []
    carried = 0.0
    for level in levels:
        score = min(10, max(0, round(level + carried)))
        carried += level - score
        out.append(float(score))
    return out


def day(offset: int) -> date:
    return START + timedelta(days=offset)


def kinds(alerts: Sequence[Alert]) -> list[tuple[int, str, tuple[str, ...]]]:
    return [((a.day - START).days, a.kind.value, a.about) for a in alerts]


def rules_of(alerts: Sequence[Alert]) -> list[tuple[int, str | None]]:
    """Each alert's day and, for a sustained worsening, the rule that found it."""
    return [((a.day - START).days, dict(a.values).get("rule")) for a in alerts]


def steady(days: int) -> list[float | None]:
    return [float(v) for v in (BASELINE * (days // len(BASELINE) + 1))[:days]]


def four_days_a_week(values: Sequence[float]) -> list[float | None]:
    """The values with three days of every week left out, as a patient logging 4 days a week."""
    week = (True, True, False, True, False, True, False)
    return [v if week[offset % 7] else None for offset, v in enumerate(values)]


# One bad day never counts; nor do two.


def test_a_one_day_flare_does_not_alert() -> None:
    back = [*BASELINE, *steady(14), 10.0, *steady(20)]
    assert replay(readings(back)) == []


def test_a_two_day_flare_does_not_alert() -> None:
    back = [*BASELINE, *steady(14), 10.0, 10.0, *steady(20)]
    assert replay(readings(back)) == []


def test_two_day_flares_every_week_do_not_alert() -> None:
    # A day adds at most 1.75 to the step rule's sum, under h / 2; the level rule leaves the
    # highest quarter of its two weeks out.
    back = [*BASELINE, *steady(14), *([9.0, 9.0, 2.0, 3.0, 2.0, 3.0, 2.0] * 6)]
    assert replay(readings(back)) == []


# Rapid rise: three days well above the week before and the usual level (§8.4, [I12c][I12d]).


def test_a_jump_held_for_three_days_alerts_on_the_third_day() -> None:
    back = [*BASELINE, *steady(14), 7.0, 7.0, 7.0]
    alerts = replay(readings(back))
    assert kinds(alerts) == [(30, "rapid_rise", ("back",))]
    # REFERENCE.md §8.4: rapidly worsening pain is same-day (T2) at any time.
    assert alerts[0].tier is Tier.URGENT
    assert alerts[0].reason("en") == (
        "Your back pain went up from an average of 2.6 in the 7 days before to 7.0 over the "
        "last 3 days, and it was 7.0 or more on each of those days."
    )


def test_a_jump_from_a_quiet_week_back_to_the_usual_level_is_no_rapid_rise() -> None:
    # A week at 1 after months at 5: three days back at 5 are 4 points over the week before,
    # but not over the usual level, so they are no rapid rise (and no worsening).
    back = [*[4.0, 5.0, 6.0, 5.0] * 14, *[1.0] * 7, 5.0, 5.0, 5.0]
    assert replay(readings(back)) == []


# Step rule: the CUSUM over the logged days (§3.3 method 4), for sparse diaries too.


def test_a_step_logged_four_days_a_week_alerts_within_a_week() -> None:
    # The case: +3.5 after a stable month, logged 4 days a week, no 70 % of any week.
    back = [*BASELINE, *steady(14), *four_days_a_week([6.0] * 21)]
    alerts = replay(readings(back))
    assert rules_of(alerts) == [(33, "step")]
    assert alerts[0].tier is Tier.SOON
    assert alerts[0].reason("en") == (
        "Your back pain has been 6.0 on average on the 4 days you logged since 2025-01-29; it "
        "was 2.5 on average in the 10 weeks before (+3.5). That is more than a meaningful "
        "change, and more than one or two bad days."
    )


def test_the_same_step_logged_on_two_days_only_does_not_alert() -> None:
    back = [*BASELINE, *steady(14), 6.0, None, None, None, 6.0, *[None] * 10]
    assert replay(readings(back)) == []


# Level rule: two weeks without their highest quarter, a meaningful change and 1.6 above.


def test_a_rise_held_for_two_weeks_alerts() -> None:
    # +2 each day adds nothing to the step rule (k = 2); the level rule sees two weeks of it.
    back = [*BASELINE, *steady(14), *[4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5] * 3]
    alerts = replay(readings([float(v) if v is not None else None for v in back]))
    assert rules_of(alerts) == [(39, "level")]
    assert alerts[0].reason("en") == (
        "Your back pain averaged 4.1 over the last 14 days, leaving out the 3 highest; it was "
        "2.5 on average in the 10 weeks before (+1.6). That is more than a meaningful change, "
        "and more than your usual ups and downs."
    )


def test_a_rise_inside_the_usual_ups_and_downs_does_not_alert() -> None:
    # A 14-day mean of 3.6 is over the §3.2 line (3.5) but not 1.6 over the usual 2.5.
    back = [*BASELINE, *steady(14), *[4.0, 3.0, 4.0, 4.0, 3.0, 4.0, 3.0] * 8]
    assert replay(readings(back)) == []


@pytest.mark.parametrize(
    ("baseline", "rise"),
    [
        (0.0, 2.0),  # below the [I3] bands: the general 2 points
        (0.5, 2.0),
        (1.0, 1.0),  # [I3]: +1 for baselines 1–4
        (2.5, 1.0),
        (4.0, 1.0),
        (4.5, 1.35),  # §3.2: 30% when the baseline is ≥ 4, if less than 2 points
        (5.0, 1.5),
        (6.0, 1.8),
        (7.0, 2.0),
        (7.5, 2.0),
        (8.0, 3.0),  # [I3]: +3 for baselines 8–10
        (10.0, 3.0),
    ],
)
def test_the_meaningful_rise_depends_on_the_baseline(baseline: float, rise: float) -> None:
    assert rise_needed(Measure.BACK, baseline) == pytest.approx(rise)


def test_peg_uses_two_points_or_30_percent_by_analogy() -> None:
    assert rise_needed(Measure.PEG, 3.0) == 2.0
    assert rise_needed(Measure.PEG, 5.0) == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("level", "rise", "alerts"),
    [
        (6, 1, False),  # +1 on a usual 6 is below the 30 % change (1.8)
        (6, 2, True),
        (2, 2, True),  # +2 on a usual 2 is over both the +1 of [I3] and the 1.6 of the rule
        (2, 1, False),  # +1 is the [I3] change but within the usual ups and downs
        (8, 1, False),  # +1 on a usual 8 is below the +3 line (capped at 10)
    ],
)
def test_baseline_aware_thresholds_decide(level: int, rise: int, alerts: bool) -> None:
    usual = [level, level + 1, level - 1, level] * 7
    back = [*usual, *[level + rise] * 28]
    found = [a for a in replay(readings(back)) if a.kind is AlertKind.SUSTAINED_WORSENING]
    assert bool(found) is alerts


def test_a_high_baseline_can_still_alert_at_the_top_of_the_scale() -> None:
    back = [*[8, 9, 7, 8] * 7, *[10] * 14]
    alerts = replay(readings(back))
    # Two weeks of 10s: leaving out the highest quarter leaves nothing under 10.
    assert rules_of(alerts) == [(41, "level")]
    assert ("recent", "10.0") in alerts[0].values


# A drift below the meaningful change never alerts.


# From a usual 8 the scale has no room for 95 % of the +3 change: the line is 10 there.
@pytest.mark.parametrize("usual", [0, 1, 2, 3, 4, 5, 6, 7])
def test_a_drift_just_under_the_meaningful_change_never_alerts(usual: int) -> None:
    # Two weeks at the usual level, then a rise to 95 % of the change over 8 weeks, held 8.
    below = 0.95 * rise_needed(Measure.BACK, usual)
    drift = [usual + below * min(1.0, k / 56) for k in range(112)]
    assert replay(readings(whole([usual] * 14 + drift))) == []


def test_the_same_drift_past_the_meaningful_change_alerts() -> None:
    drift = [3 + 2.5 * min(1.0, k / 56) for k in range(112)]
    alerts = replay(readings(whole([3] * 14 + drift)))
    # Over 8 weeks the usual level rises too; the baseline rule sees it.
    assert [rule for _, rule in rules_of(alerts)][:1] == ["baseline"]


# Baseline rule: a rise over months that the usual level would take in.


def test_a_rise_over_months_alerts_against_the_baseline() -> None:
    # +3 over 20 weeks: never 1.6 over the 10 weeks before, but 1 + 1 over the baseline.
    slow = [2.5 + 3.0 * min(1.0, k / 140) for k in range(170)]
    alerts = replay(readings(whole([2.5] * 14 + slow)))
    assert [rule for _, rule in rules_of(alerts)][:1] == ["baseline"]
    assert alerts[0].reason("en").endswith("in your first 14 diary days (+2.0).")


def test_a_rise_over_months_by_the_meaningful_change_only_is_quiet() -> None:
    slow = [2.5 + 1.0 * min(1.0, k / 140) for k in range(170)]
    assert replay(readings(whole([2.5] * 14 + slow))) == []


# Pain that was better and came back (§2.3 C1, [C19a]), and the post-operative re-baseline.

SURGERY = START - timedelta(days=5)


def recovery(weeks_better: int, back_to: float | None) -> list[Reading]:
    """From 5 days after surgery: 7.5 falling to 3 over 6 weeks, 3 for `weeks_better` weeks, then
    `back_to` for 4 weeks (or 3 still), with ups and downs of a point every few days."""
    falling = [7.5 - 4.5 * k / 42 for k in range(42)]
    later = [3.0] * (7 * weeks_better) + [3.0 if back_to is None else back_to] * 28
    wiggle = (0.0, 1.0, -1.0, 0.0, 0.5, -0.5, 0.0)
    return readings(whole([v + wiggle[k % 7] for k, v in enumerate([*falling, *later])]))


def test_pain_that_comes_back_after_the_recovery_alerts_under_the_first_baseline() -> None:
    # Back at 6 after four weeks at 3 (11 weeks after surgery, [C19a]): under the first two
    # weeks' median, 3 over the better level.
    entries = recovery(4, 6.0)
    assert Diary(entries).baseline(Measure.BACK, day(20)) == 7.0
    alerts = replay(entries, SURGERY)
    assert [a.kind for a in alerts] == [AlertKind.SUSTAINED_WORSENING]
    assert 0 < (alerts[0].day - day(42 + 28)).days <= 7
    values = dict(alerts[0].values)
    assert (values["reference"], values["usual"]) == ("better", "3.1")
    assert "it had come down to 3.1 on average in the 4 weeks to" in alerts[0].reason("en")
    # Without the surgery date the better level finds it just the same.
    assert [(a.day, a.values) for a in replay(entries)] == [(a.day, a.values) for a in alerts]


def test_pain_that_comes_back_after_the_settled_baseline_alerts_within_two_weeks() -> None:
    # Back at 6 after ten weeks at 3: the usual level is the settled 3.
    alerts = replay(recovery(10, 6.0), SURGERY)
    assert [a.kind for a in alerts] == [AlertKind.SUSTAINED_WORSENING]
    assert 0 < (alerts[0].day - day(42 + 70)).days <= 14


def test_a_recovery_that_stays_better_is_quiet() -> None:
    assert replay(recovery(14, None), SURGERY) == []


def test_the_baseline_is_taken_again_once_the_recovery_has_settled() -> None:
    entries = recovery(14, None)
    status = assess_day(entries, day(120), surgery_date=SURGERY).status[0]
    # The first 14 days from week 12 after surgery, not the first 14 of the diary (7.0).
    assert status.baseline == 3.0
    assert status.baseline_first == SURGERY + timedelta(days=SETTLE_DAYS)
    assert status.kind is StatusKind.NO_CLEAR_CHANGE
    # Before those 14 days are in, the first baseline stands; without a surgery date, always.
    early = assess_day(entries, day(90), surgery_date=SURGERY).status[0]
    assert (early.baseline, early.kind) == (7.0, StatusKind.BETTER)
    assert assess_day(entries, day(120)).status[0].baseline == 7.0
    assert settled_from(SURGERY) == SURGERY + timedelta(days=84)
    assert settled_from(None) is None


def test_the_diary_names_the_days_its_baseline_is_the_median_of() -> None:
    entries = recovery(14, None)
    diary = Diary(entries)
    settled = diary.baseline_days(Measure.BACK, day(120), SURGERY)
    assert settled is not None
    first = SURGERY + timedelta(days=SETTLE_DAYS)
    assert settled.dates == tuple(first + timedelta(days=k) for k in range(14))
    assert (settled.first, settled.last) == (first, first + timedelta(days=13))
    # The same days the status line takes its baseline from.
    status = assess_day(entries, day(120), surgery_date=SURGERY).status[0]
    assert (status.baseline_first, status.baseline_last) == (settled.first, settled.last)
    # Before the settled days are in, and without a surgery date, the diary's first 14 days.
    for known in (
        diary.baseline_days(Measure.BACK, day(90), SURGERY),
        diary.baseline_days(Measure.BACK, day(120)),
    ):
        assert known is not None
        assert (known.first, known.last) == (day(0), day(13))
    assert diary.baseline_days(Measure.BACK, day(12)) is None
    assert diary.baseline_days(Measure.LEG, day(120)) is None


# Not enough data is said, never guessed.


def test_too_few_days_is_not_enough_data() -> None:
    result = assess_day(readings([3.0] * 9), day(8))
    back = result.status[0]
    assert back.kind is StatusKind.NOT_ENOUGH_DATA
    assert (back.logged, back.needed) == (9, 14)
    assert status_text(result, "en").splitlines()[0] == (
        "Back pain: not enough data yet (9 of 14 days logged to work out your usual level)."
    )


def test_gaps_in_the_last_week_are_never_read_as_no_change() -> None:
    back: list[float | None] = [*BASELINE, *steady(7), 9.0, None, None, None, 9.0, None, None]
    entries = readings(back)
    # Two days are not three: no rule alerts on them, and the summary says it cannot tell.
    assert replay(entries) == []
    back_status = assess_day(entries, day(len(back) - 1)).status[0]
    assert back_status.kind is StatusKind.GAPS
    assert back_status.text("en") == (
        "Back pain: not enough entries in the last 7 days to tell (2 logged, 5 needed)."
    )


def test_a_leg_never_logged_has_no_baseline_and_no_alerts() -> None:
    result = assess_day(readings([*BASELINE, *[9.0] * 14]), day(27))
    leg = next(s for s in result.status if s.measure is Measure.LEG)
    assert (leg.kind, leg.logged) == (StatusKind.NOT_ENOUGH_DATA, 0)


def test_back_and_leg_are_followed_apart() -> None:
    back = [*BASELINE, *steady(14), *[2.0, 3.0] * 10]
    leg = [*BASELINE, *steady(14), *[6.0] * 20]
    assert {a.about for a in replay(readings(back, leg))} == {("leg",)}


def test_status_says_worse_better_or_no_clear_change() -> None:
    def status(recent: list[float | None]) -> StatusKind:
        entries = readings([*BASELINE, *recent])
        return assess_day(entries, day(13 + len(recent))).status[0].kind

    assert status([5.0] * 7) is StatusKind.WORSE
    assert status([1.0] * 7) is StatusKind.BETTER
    assert status([2.0, 3.0] * 4) is StatusKind.NO_CLEAR_CHANGE


def test_several_entries_on_one_date_are_averaged() -> None:
    morning = readings(steady(14))
    evening = [Reading(entry_date=r.entry_date, back_pain=9) for r in morning[:7]]
    diary = Diary([*morning, *evening])
    assert diary.rolling_mean(Measure.BACK, day(6)) == pytest.approx((17 + 63) / 14)


def test_a_flare_written_down_as_an_extra_entry_does_not_alert() -> None:
    usual = readings([*BASELINE, *steady(28)])
    flares = [Reading(entry_date=day(k), back_pain=10) for k in (30, 31, 35, 36, 40)]
    assert replay([*usual, *flares]) == []


# --- Cooldown and hysteresis ---------------------------------------------------------------------


def worsening(days: int) -> list[float | None]:
    return [*BASELINE, *steady(14), *[5.0] * days]


def test_a_held_worsening_is_not_repeated_until_the_reminder() -> None:
    alerts = replay(readings(worsening(70)))
    offsets = [offset for offset, _, _ in kinds(alerts)]
    assert offsets == [37, 37 + REMINDER_DAYS, 37 + 2 * REMINDER_DAYS]
    # The usual level takes the new level in; the baseline rule keeps the reminders.
    assert [rule for _, rule in rules_of(alerts)] == ["step", "baseline", "baseline"]


def test_a_sent_alert_suppresses_the_same_alert_for_the_cooldown() -> None:
    entries = readings(worsening(12))
    today = day(39)
    assert kinds(evaluate(Diary(entries), today).alerts) == [
        (39, "sustained_worsening", ("back",))
    ]
    sent = SentAlert(
        day=today - timedelta(days=3), kind=AlertKind.RAPID_RISE, about=("back",), tier=Tier.SOON
    )
    assert evaluate(Diary(entries), today, sent=[sent]).alerts == ()
    other = sent.model_copy(update={"about": ("leg",)})
    assert len(evaluate(Diary(entries), today, sent=[other]).alerts) == 1
    old = sent.model_copy(update={"day": today - timedelta(days=REMINDER_DAYS)})
    assert len(evaluate(Diary(entries), today, sent=[old]).alerts) == 1


def test_a_worsening_that_resolved_may_alert_again_after_the_cooldown() -> None:
    back = [*worsening(12), *steady(10), *[5.0] * 14]
    alerts = replay(readings(back))
    assert [k for _, k, _ in kinds(alerts)] == ["sustained_worsening"] * 2
    gap = (alerts[1].day - alerts[0].day).days
    assert COOLDOWN_DAYS <= gap < REMINDER_DAYS


def test_a_worsening_that_returns_within_the_cooldown_is_not_repeated() -> None:
    back = [*worsening(12), *steady(3), *[5.0] * 10]
    assert len(replay(readings(back))) == 1


def lump(offset: int, *extra: Finding) -> Diary:
    return Diary(
        readings(steady(offset + 1), symptoms={offset: (Finding.IMPLANT_LUMP_OR_CLUNK, *extra)})
    )


def test_a_higher_tier_gets_through_the_cooldown() -> None:
    yesterday = SentAlert(day=day(9), kind=AlertKind.RED_FLAG, about=("RF-HW",), tier=Tier.SOON)
    # A new lump over the implant is RF-HW at T3: not repeated the next day ...
    assert [(a.tier, a.about) for a in evaluate(lump(10), day(10)).alerts] == [
        (Tier.SOON, ("RF-HW",))
    ]
    assert evaluate(lump(10), day(10), sent=[yesterday]).alerts == ()
    # ... but with a red wound the same flag is T2, and that is sent.
    worse = evaluate(lump(10, Finding.WOUND_INFECTION_SIGNS), day(10), sent=[yesterday])
    assert [(a.tier, a.about) for a in worse.alerts] == [(Tier.URGENT, ("RF-SSI-1", "RF-HW"))]
    # After the cooldown the T3 flag is repeated too.
    long_ago = yesterday.model_copy(update={"day": day(10 - COOLDOWN_DAYS)})
    assert len(evaluate(lump(10), day(10), sent=[long_ago]).alerts) == 1


def test_an_emergency_is_repeated_every_day_it_is_reported() -> None:
    entries = readings(
        steady(5),
        symptoms={3: (Finding.SADDLE_NUMBNESS,), 4: (Finding.SADDLE_NUMBNESS,)},
    )
    alerts = replay(entries, START - timedelta(days=400))
    assert [(a.day, a.tier) for a in alerts] == [
        (day(3), Tier.EMERGENCY),
        (day(4), Tier.EMERGENCY),
    ]
    # The same message twice on one day is not.
    again = evaluate(Diary(entries), day(4), sent=[alerts[1]])
    assert again.alerts == ()


def test_a_red_flag_day_has_no_trend_alert() -> None:
    back = [*BASELINE, *steady(14), 7.0, 7.0, 7.0]
    alerts = replay(readings(back, symptoms={30: (Finding.BLADDER_CHANGE,)}))
    assert [(a.kind, a.tier) for a in alerts] == [(AlertKind.RED_FLAG, Tier.EMERGENCY)]
    assert alerts[0].reason("en") == "Red flag: New bladder problems (RF-CES-1)."


# --- The rules are data --------------------------------------------------------------------------


def test_each_rule_can_be_switched_off_by_its_numbers() -> None:
    back = [*BASELINE, *steady(14), *four_days_a_week([6.0] * 21)]
    assert rules_of(replay(readings(back))) == [(33, "step")]
    no_step = replace(RULES, step_h=1e9)
    assert [rule for _, rule in rules_of(replay(readings(back), rules=no_step))] == ["level"]
    neither = replace(no_step, level_points=1e9)
    assert rules_of(replay(readings(back), rules=neither)) == []


def test_an_evaluation_reads_no_further_back_than_it_says() -> None:
    assert RULES.lookback_days == LOOKBACK_DAYS
    # The 4-week stretches end 2 to 26 weeks back; a resolution check looks 4 weeks further.
    assert LOOKBACK_DAYS == REMINDER_DAYS + 14 + 7 * 24 + 28


# --- Nerve symptoms and PEG ----------------------------------------------------------------------


def test_new_nerve_symptoms_on_three_of_seven_days_alert() -> None:
    found = dict.fromkeys((22, 24, 25), (Finding.PAIN_NEUROPATHIC,))
    alerts = replay(readings(steady(28), symptoms=found))
    assert kinds(alerts) == [(25, "new_nerve_symptoms", ("nerve",))]
    assert alerts[0].reason("en") == (
        "You noted burning, tingling or electric pain on 3 of the last 7 days; you had not "
        "noted it in the two weeks before."
    )


def test_nerve_symptoms_that_were_already_there_are_not_new() -> None:
    found = dict.fromkeys((10, 22, 24, 25), (Finding.PAIN_ONE_LEG,))
    assert replay(readings(steady(28), symptoms=found)) == []


def test_peg_worsening_is_followed_like_pain() -> None:
    entries = [
        Reading(entry_date=day(offset), back_pain=3, peg=peg)
        for offset, peg in enumerate([*[4.0, 5.0] * 7, *[4.0, 5.0] * 7, *[8.0] * 10])
    ]
    alerts = replay(entries)
    assert [(a.kind, a.about) for a in alerts] == [(AlertKind.SUSTAINED_WORSENING, ("peg",))]
    assert "PEG score" in alerts[0].reason("en")


# --- What the bot and `assess` get --------------------------------------------------------------


def stored(readings_: list[Reading]) -> list[Entry]:
    return [
        Entry(
            id=index,
            user_id=7,
            entry_date=r.entry_date,
            recorded_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=index),
            timezone="UTC",
            back_pain=r.back_pain,
            leg_pain=r.leg_pain,
            symptoms=r.symptoms,
        )
        for index, r in enumerate(readings_, start=1)
    ]


def test_the_bot_can_pass_its_stored_entries() -> None:
    entries = stored(readings([*BASELINE, *steady(14), 7.0, 7.0, 7.0]))
    result = assess_day(entries, day(30), surgery_date=START - timedelta(days=90))
    assert [a.kind for a in result.alerts] == [AlertKind.RAPID_RISE]
    assert result.alerts[0].days_since_surgery == 120
    assert result.alerts[0].sent() == SentAlert(
        day=day(30), kind=AlertKind.RAPID_RISE, about=("back",), tier=Tier.URGENT
    )


def test_the_alert_message_says_what_changed_and_what_to_do() -> None:
    alert = replay(readings([*BASELINE, *steady(14), 7.0, 7.0, 7.0]))[0]
    text = alert_message(alert, "en", numbers_for("DE"))
    assert text.startswith("📈 Your back pain has gone up quickly and stayed up.")
    assert alert.reason("en") in text
    assert "contact your surgical team or the on-call spinal service today" in text
    assert "116117" in text or "your doctor or an urgent care service" in text
    assert "/check" in text
    assert "call 112" in text


def test_a_red_flag_alert_message_is_the_shared_red_flag_message() -> None:
    alerts = replay(readings(steady(3), symptoms={2: (Finding.SADDLE_NUMBNESS,)}))
    text = alert_message(alerts[0], "en", numbers_for("GB"))
    assert "Call 999 or go to the nearest Emergency Department now" in text


def test_the_assess_json_has_the_design_shape() -> None:
    rows = list(rows_of("diary_015.csv"))
    payload = to_assess_json(replayed("diary_015.csv"), rows)
    assert set(payload) == {"alerts", "entries", "first_date", "last_date"}
    assert payload["entries"] == 128
    assert (payload["first_date"], payload["last_date"]) == ("2025-10-25", "2026-03-26")
    assert payload["alerts"] == [
        {
            "date": "2026-01-05",
            "tier": "emergency",
            "kind": "red_flag",
            "reason": "Red flag: New numbness in the saddle area (RF-CES-2).",
        }
    ]
    assert to_assess_json([], []) == {
        "alerts": [],
        "entries": 0,
        "first_date": None,
        "last_date": None,
    }
