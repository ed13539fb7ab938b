"""The synthetic diaries: what they cover, that they are labelled right, and the detector on them.

The figures docs/trends.md reports come from `python -m tests.synthetic` on 3,000 held-out
diaries (detection 97.0 %, false alarms 4.3 %, 14 of 300 small drifts alerted, 6 of them by the
drift itself); here the first 150 of them keep the suite fast, with bounds that allow for a
sample of 60 worsening and 90 quiet diaries (the 5 % tails of those figures' binomial spread).
"""

from __future__ import annotations

import statistics
from functools import cache

from flows.clinical.rules import triage
from flows.clinical.trends import BASELINE_DAYS, Measure, rise_needed
from tests.synthetic import (
    HELD_OUT_SEEDS,
    KINDS,
    QUIET_KINDS,
    TUNING_SEEDS,
    WORSENING_KINDS,
    Figures,
    SyntheticDiary,
    diaries,
    diary,
    figures,
    plain,
    product,
    sample_diaries,
    twin_of,
)

# A held-out sample: 150 diaries, 15 of each kind.
SAMPLE = range(HELD_OUT_SEEDS.start, HELD_OUT_SEEDS.start + 150)


@cache
def made() -> tuple[SyntheticDiary, ...]:
    return tuple(diaries(SAMPLE))


@cache
def scored() -> tuple[Figures, Figures]:
    return figures(made(), product()), figures(made(), plain)


def test_a_seed_always_gives_the_same_diary() -> None:
    assert diary(12345) == diary(12345)
    assert diary(12345).readings != diary(12346).readings


def test_tuning_and_held_out_seeds_do_not_overlap() -> None:
    assert set(TUNING_SEEDS).isdisjoint(HELD_OUT_SEEDS)


def test_the_diaries_cover_what_real_diaries_do() -> None:
    sample = made()
    assert {d.kind for d in sample} == set(KINDS)
    # Post-operative recovery over the first 12 weeks, and diaries that start long after.
    assert any(d.post_op and (d.first - d.surgery).days <= 21 for d in sample)
    assert any((d.first - d.surgery).days > 365 for d in sample)
    # Weekly cycles, missed days, gaps of 1-3 weeks, several entries on some days.
    assert any(d.weekly >= 0.3 for d in sample)
    assert any(d.density < 0.65 for d in sample)
    assert any(d.gaps for d in sample)
    assert any(len({r.entry_date for r in d.readings}) < len(d.readings) for d in sample)
    # Back only, leg only, both.
    assert {d.logged for d in sample} == {
        (Measure.BACK,),
        (Measure.LEG,),
        (Measure.BACK, Measure.LEG),
    }
    # One- and two-day flares, and relapses still under the first two weeks' level.
    assert any(d.flare_days >= 5 for d in sample if d.kind == "spikes")
    under = [d for d in sample if d.kind == "relapse" and returned_under_the_first_level(d)]
    assert under


def returned_under_the_first_level(d: SyntheticDiary) -> bool:
    """Whether the relapse's 2nd to 4th week stays under the first 14 days' median."""
    assert d.onset is not None
    scores = [
        (r.entry_date, r.back_pain if d.which is Measure.BACK else r.leg_pain) for r in d.readings
    ]
    valued = [(day, score) for day, score in scores if score is not None]
    days = sorted({day for day, _ in valued})[:BASELINE_DAYS]
    first = statistics.median(score for day, score in valued if day in days)
    later = [score for day, score in valued if 14 <= (day - d.onset).days < 28]
    return bool(later) and statistics.mean(later) < first


def test_labels_are_consistent() -> None:
    for d in made():
        dates = [r.entry_date for r in d.readings]
        assert dates == sorted(dates)
        assert d.kind in QUIET_KINDS or d.kind in WORSENING_KINDS
        if d.worsening:
            assert d.onset is not None
            assert d.window is not None
            # The baseline exists before the onset, and the window is inside the diary and
            # has entries (no gap hides a worsening's start).
            assert len({x for x in dates if x < d.onset}) >= BASELINE_DAYS
            assert d.first < d.onset <= d.window[0] < d.window[1] <= d.last
            assert any(d.window[0] <= x <= d.window[1] for x in dates)
            assert d.rise >= 2.5
        if d.kind == "small_drift":
            assert 0 < d.rise < rise_needed(d.which, 10.0) * 2
            assert d.rise <= 0.6 * d.meaningful + 1e-9
        if d.flag is not None:
            flagged = [r for r in d.readings if d.flag.code in r.symptoms]
            assert {r.entry_date for r in flagged} == {d.flag.day}
            since = (d.flag.day - d.surgery).days
            assert triage([d.flag.code], days_since_surgery=since).tier is d.flag.tier


def test_a_drift_twin_is_the_same_diary_without_the_drift() -> None:
    drifts = [d for d in made() if d.kind == "small_drift"]
    assert len(drifts) == 15
    for d in drifts:
        twin = twin_of(d)
        assert twin.rise == 0.0 < d.rise
        assert [r.entry_date for r in twin.readings] == [r.entry_date for r in d.readings]
        pairs = [
            (getattr(r, name), getattr(s, name))
            for r, s in zip(d.readings, twin.readings, strict=True)
            for name in ("back_pain", "leg_pain")
        ]
        # The same noise, never lower with the drift, and higher on some days.
        assert all((a is None) == (b is None) for a, b in pairs)
        assert all(a >= b for a, b in pairs if a is not None and b is not None)
        assert any(a > b for a, b in pairs if a is not None and b is not None)
    assert diary(drifts[0].seed, drift=False) == twin_of(drifts[0])


def test_a_drift_under_the_meaningful_change_causes_no_alert_of_its_own() -> None:
    # Whatever alerts these drift diaries have, their twins without the drift have too: the ups
    # and downs alert, not the drift. On all 300 held-out drifts 6 alerts are the drift's own
    # (docs/trends.md): this sample of 15 pins that there are none here, not that there are none.
    mine, other = scored()
    assert mine.drifts == 15
    assert mine.drift_caused == 0, mine.false_alarms
    assert mine.drift_caused <= mine.drift_alarms < other.drift_alarms


def test_the_detector_finds_the_worsenings_in_their_window() -> None:
    mine, _ = scored()
    assert mine.detection >= 0.9, (mine.missed, mine.by_kind)


def test_the_detector_rarely_alerts_on_quiet_diaries() -> None:
    mine, _ = scored()
    assert mine.false_alarm <= 0.09, (mine.false_alarms, mine.by_kind)


def test_every_red_flag_is_reported_on_its_day() -> None:
    mine, other = scored()
    assert mine.flags > 10
    assert mine.flags_reported == 1.0
    assert other.flags_reported == 1.0


def test_steps_are_found_within_a_week_of_their_onset() -> None:
    mine, _ = scored()
    delay = mine.median_delay("step")
    assert delay is not None
    assert delay <= 7


def test_the_detector_beats_the_plain_one_on_each_figure() -> None:
    mine, other = scored()
    assert mine.detection > other.detection
    assert mine.false_alarm < other.false_alarm
    assert mine.drift_alarms < other.drift_alarms
    mine_delay, other_delay = mine.median_delay("step"), other.median_delay("step")
    assert mine_delay is not None
    assert other_delay is not None
    assert mine_delay <= other_delay


def test_the_sample_diaries_are_scored_the_same_way() -> None:
    samples = sample_diaries()
    assert len(samples) == 40
    result = figures(samples, product())
    assert (result.detected, result.worsening) == (20, 20)
    assert (result.alarmed, result.quiet) == (0, 20)
    assert result.flags_reported == 1.0
    # The plain detector alerts on most quiet sample diaries.
    assert figures(samples, plain).alarmed >= 10
