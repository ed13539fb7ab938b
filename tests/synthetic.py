"""Labelled synthetic pain diaries for the trend detector, each from its own seed.

A diary is the daily pain of one made-up patient: a usual level, a course over time (a
post-operative recovery, an improvement, a worsening, a relapse after recovery), day-to-day ups
and downs that carry over from one day to the next, a weekly cycle, short flares, and the way
people log: most days or four days a week, gaps of one to three weeks, several entries on some
days, back only or leg only. The label says what a clinician would want to hear about.

Quiet kinds (no trend alert wanted): `stable`, `improving`, `recovery` (the diary starts in the
first three weeks after surgery and pain falls over the first 12 weeks), `small_drift` (a slow
rise to less than the meaningful change), `spikes` (one- and two-day flares), `red_flag` (one
day with a red-flag symptom; the rules' alert on that day is wanted, no trend alert).
Worsening kinds (an alert wanted within the label's window): `step`, `ramp`, `relapse` (a
recovery, then pain comes back, usually still under the first two weeks' level).

Everything comes from `random.Random(seed).random()`, so a seed gives the same diary on every
Python version. `TUNING_SEEDS` are the ones the detector's parameters were chosen on;
`HELD_OUT_SEEDS` are the ones its figures are reported on.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

from flows.clinical.codes import Finding, Tier
from flows.clinical.rules import triage
from flows.clinical.trends import (
    BASELINE_DAYS,
    NRS_MEASURES,
    RULES,
    AlertKind,
    Measure,
    Reading,
    TrendRules,
    replay,
    rise_needed,
)
from flows.records.diary_csv import parse_diary

TUNING_SEEDS = range(0, 2000)
HELD_OUT_SEEDS = range(1_000_000, 1_003_000)

QUIET_KINDS = ("stable", "improving", "recovery", "small_drift", "spikes", "red_flag")
WORSENING_KINDS = ("step", "ramp", "relapse")
# Seed n gets KINDS[n % len(KINDS)]: every kind equally often in any long run of seeds.
KINDS = (*QUIET_KINDS, *WORSENING_KINDS, "relapse")

# How long a worsening's alert still counts as timely, from its onset: two weeks for a step
# (the sample diaries' labels end 14 days after the onset), the rise's length plus two weeks
# for a ramp.
STEP_WINDOW_DAYS = 14
RAMP_EXTRA_DAYS = 14
# Red-flag symptoms one patient may tick on one day, and the rules' tier decides the label.
FLAG_CODES = (
    Finding.BLADDER_CHANGE,
    Finding.SADDLE_NUMBNESS,
    Finding.BOWEL_CHANGE,
    Finding.PE_SIGNS,
    Finding.CALF_SWELLING,
    Finding.LEG_WEAKNESS,
    Finding.SEPSIS_SIGNS,
    Finding.FALL_OR_SNAP,
    Finding.WOUND_INFECTION_SIGNS,
    Finding.IMPLANT_LUMP_OR_CLUNK,
)


@dataclass(frozen=True, slots=True)
class Flag:
    """A red-flag symptom logged on one day, with the tier the shared rules give it."""

    day: date
    code: Finding
    tier: Tier


@dataclass(frozen=True, slots=True)
class SyntheticDiary:
    """One made-up patient's diary and what a detector should say about it."""

    seed: int
    kind: str
    # The measure the label is about, and the ones the patient logs.
    which: Measure
    logged: tuple[Measure, ...]
    surgery: date
    readings: tuple[Reading, ...]
    # Worsening kinds: when it starts and the days an alert about `which` counts as timely.
    onset: date | None = None
    window: tuple[date, date] | None = None
    shape: str = ""
    # Points of rise (worsening and small_drift) and the meaningful change at the level before.
    rise: float = 0.0
    meaningful: float = 0.0
    flag: Flag | None = None
    # How often the patient logs (share of days outside gaps) and how noisy the days are.
    density: float = 1.0
    sigma: float = 0.0
    carry: float = 0.0
    gaps: int = 0
    post_op: bool = False
    # The weekly cycle's size (± points) and the flare days, on the labelled measure.
    weekly: float = 0.0
    flare_days: int = 0
    # The file name, for the sample diaries.
    name: str = ""

    @property
    def worsening(self) -> bool:
        """Whether an alert about `which` is wanted inside the window."""
        return self.kind in WORSENING_KINDS

    @property
    def first(self) -> date:
        """The diary's first date."""
        return self.readings[0].entry_date

    @property
    def last(self) -> date:
        """The diary's last date."""
        return self.readings[-1].entry_date


class _Draw:
    """Random draws from `random()` alone (stable across Python versions)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._spare: float | None = None

    def unit(self) -> float:
        return self._rng.random()

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self._rng.random()

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high], both ends included."""
        return low + min(int(self._rng.random() * (high - low + 1)), high - low)

    def chance(self, p: float) -> bool:
        return self._rng.random() < p

    def pick(self, options: tuple[Finding, ...]) -> Finding:
        return options[self.integer(0, len(options) - 1)]

    def normal(self) -> float:
        # Box–Muller, keeping the second value for the next call.
        if self._spare is not None:
            value, self._spare = self._spare, None
            return value
        u = max(self._rng.random(), 1e-12)
        v = self._rng.random()
        radius = math.sqrt(-2.0 * math.log(u))
        self._spare = radius * math.sin(2 * math.pi * v)
        return radius * math.cos(2 * math.pi * v)


@dataclass(slots=True)
class _Person:
    """How one measure of one patient behaves day to day."""

    level: float
    sigma: float
    carry: float
    weekly: float
    phase: int


def _person(draw: _Draw, low: float, high: float) -> _Person:
    return _Person(
        level=draw.uniform(low, high),
        # Day-to-day SD 0.6–1.25 and lag-1 carry-over 0.15–0.7, as in the sample diaries.
        sigma=draw.uniform(0.6, 1.25),
        carry=draw.uniform(0.15, 0.7),
        # A weekly cycle of up to ±0.6 (a worse day after the weekend's chores, say).
        weekly=draw.uniform(0.0, 0.6) if draw.chance(0.6) else 0.0,
        phase=draw.integer(0, 6),
    )


def _flares(
    draw: _Draw, days: int, per_day: float, low: float, high: float, taken: dict[int, float]
) -> None:
    """Add one- and two-day flares (extra points by day offset) to `taken`.

    Two usual days at least separate flares, so they never run into three days in a row:
    that is no longer a flare (REFERENCE.md §3.2 persistence; most flares last < 1 day [I12c]).
    """
    day = 0
    while per_day > 0:
        day += 1 + int(-math.log(max(draw.unit(), 1e-12)) / per_day)
        if day >= days:
            break
        two = draw.chance(0.4)
        span = range(day - 2, day + (4 if two else 3))
        if any(d in taken for d in span):
            continue
        size = draw.uniform(low, high)
        taken[day] = size
        if two:
            taken[day + 1] = size * draw.uniform(0.6, 1.0)
            day += 1


def _gaps(
    draw: _Draw, days: int, avoid: tuple[int, int] | None, count: int
) -> list[tuple[int, int]]:
    """Gaps of 1–3 weeks after the first month, outside `avoid` (the worsening's window)."""
    found: list[tuple[int, int]] = []
    for _ in range(count * 10):
        if len(found) == count:
            break
        length = draw.integer(7, 21)
        start = draw.integer(30, max(30, days - length - 5))
        end = start + length
        if end >= days - 3:
            continue
        if avoid is not None and start <= avoid[1] and end >= avoid[0]:
            continue
        if any(start <= b + 7 and end >= a - 7 for a, b in found):
            continue
        found.append((start, end))
    return found


def diary(seed: int, *, drift: bool = True) -> SyntheticDiary:
    """The labelled diary of seed `seed`; `drift=False` gives a small drift's twin without it.

    The twin takes the same draws, so it has the same noise, flares and logging days: an alert
    in the drift diary that its twin does not have is caused by the drift.
    """
    draw = _Draw(seed)
    kind = KINDS[seed % len(KINDS)]
    post_op = kind in ("recovery", "relapse") or draw.chance(0.2)
    first = date(2024, 1, 1) + timedelta(days=draw.integer(0, 700))
    since = draw.integer(2, 21) if post_op else draw.integer(120, 2000)
    surgery = first - timedelta(days=since)

    which_logged = draw.unit()
    logged: tuple[Measure, ...]
    if which_logged < 0.7:
        logged = (Measure.BACK, Measure.LEG)
        which = Measure.BACK if draw.chance(0.5) else Measure.LEG
    else:
        which = Measure.BACK if which_logged < 0.85 else Measure.LEG
        logged = (which,)
    people = {
        Measure.BACK: _person(draw, 1.0, 6.0),
        Measure.LEG: _person(draw, 0.5, 5.0),
    }
    main = people[which]

    # The post-operative excess over the settled level, fading over the first 12 weeks.
    excess = draw.uniform(2.5, 5.0) if post_op else 0.0
    tau = draw.uniform(12.0, 28.0)
    main.level = min(main.level, 9.5 - excess)
    # Both measures recover; the other one usually less.
    excesses = {m: excess if m is which else excess * draw.uniform(0.3, 1.0) for m in Measure}

    days = 0
    onset: int | None = None
    window: tuple[int, int] | None = None
    shape = ""
    rise = 0.0
    meaningful = 0.0
    flag: Flag | None = None
    flag_day: int | None = None

    if kind in ("step", "ramp"):
        start = (84 - since + draw.integer(21, 90)) if post_op else draw.integer(35, 120)
        onset = start
        shape = kind
        rise = draw.uniform(2.5, 4.5) if kind == "step" else draw.uniform(2.5, 5.0)
        main.level = min(main.level, 9.5 - rise)
    elif kind == "relapse":
        # Better for at least a month after the recovery settles, then it comes back.
        onset = draw.integer(max(56, 84 - 28), 200) - since
        shape = "step" if draw.chance(0.5) else "ramp"
        # As large as a step; often still under the first two weeks' level, the case a fixed
        # baseline misses.
        rise = draw.uniform(2.5, 4.5)
        main.level = min(main.level, 9.5 - max(rise, excess))
    length = 0
    if onset is not None:
        length = draw.integer(14, 42) if shape == "ramp" else 0
        end = onset + (length if shape == "ramp" else 0)
        window = (onset, end + (RAMP_EXTRA_DAYS if shape == "ramp" else STEP_WINDOW_DAYS))
        days = window[1] + 1 + draw.integer(0, 40)
    else:
        days = draw.integer(100, 300)
    if kind == "small_drift":
        # A slow rise to 25–60% of the meaningful change: it must stay quiet.
        meaningful = rise_needed(which, main.level)
        share = draw.uniform(0.25, 0.6)
        # The twin makes the same draw, so that all the draws after it are the same.
        rise = share * meaningful if drift else 0.0
        onset = draw.integer(28, max(28, days // 2))
        length = draw.integer(28, 90)
        shape = "ramp"
    if kind == "improving":
        rise = -draw.uniform(1.5, 3.5)
        main.level = max(main.level, 0.5 - rise)
        onset = draw.integer(0, 40)
        length = draw.integer(60, 150)
        shape = "ramp"
    if onset is not None and kind not in ("improving", "small_drift"):
        meaningful = rise_needed(which, main.level)
    if kind == "red_flag":
        flag_day = draw.integer(20, days - 5)
        code = draw.pick(FLAG_CODES)
        tier = triage([code], days_since_surgery=since + flag_day).tier
        flag = Flag(first + timedelta(days=flag_day), code, tier)

    course = [0.0] * days
    if onset is not None:
        for day in range(onset, days):
            if shape == "step" or length == 0:
                course[day] = rise
            else:
                course[day] = rise * min(1.0, (day - onset + 1) / length)

    spikes: dict[int, float] = {}
    if kind == "spikes":
        _flares(draw, days, draw.uniform(1 / 25, 1 / 12), 3.0, 6.0, spikes)
    if draw.chance(0.6):
        _flares(draw, days, draw.uniform(0.01, 0.04), 2.0, 5.0, spikes)

    # Logging: most days, five days a week, or four.
    style = draw.unit()
    density = (
        draw.uniform(0.9, 1.0)
        if style < 0.35
        else draw.uniform(0.75, 0.9)
        if style < 0.7
        else draw.uniform(0.55, 0.75)
    )
    gap_count = 0 if draw.chance(0.55) else draw.integer(1, 2)
    # No gap hides the worsening's start or, for a relapse, the better month before it.
    lead = 35 if kind == "relapse" else 10
    gaps = _gaps(draw, days, None if window is None else (window[0] - lead, window[1]), gap_count)
    several = draw.uniform(0.1, 0.3) if draw.chance(0.3) else 0.0

    noise = dict.fromkeys(Measure, 0.0)
    readings: list[Reading] = []
    for day in range(days):
        when = first + timedelta(days=day)
        shock_back = draw.normal()
        shock_leg = 0.4 * shock_back + math.sqrt(1 - 0.16) * draw.normal()
        values: dict[Measure, float] = {}
        for measure, shock in ((Measure.BACK, shock_back), (Measure.LEG, shock_leg)):
            person = people[measure]
            carry = person.carry
            noise[measure] = (
                carry * noise[measure] + math.sqrt(1 - carry**2) * person.sigma * shock
            )
            level = person.level + noise[measure]
            level += person.weekly * math.cos(2 * math.pi * ((day + person.phase) % 7) / 7)
            level += excesses[measure] * math.exp(-(since + day) / tau)
            if measure is which:
                level += course[day] + spikes.get(day, 0.0)
            values[measure] = level
        logged_today = day == 0 or day == flag_day or draw.chance(density)
        if any(a <= day <= b for a, b in gaps) and day != flag_day:
            logged_today = False
        if not logged_today:
            continue
        entries = 1 + (draw.integer(1, 2) if draw.chance(several) else 0)
        for index in range(entries):
            scores: dict[Measure, int | None] = dict.fromkeys(Measure)
            for measure in logged:
                value = values[measure]
                if entries > 1:
                    value += 0.8 * draw.normal()
                    # Now and then the extra entry is a short flare written down as it happens.
                    if index > 0 and draw.chance(0.3):
                        value += draw.uniform(2.0, 4.0)
                scores[measure] = max(0, min(10, round(value)))
            readings.append(
                Reading(
                    entry_date=when,
                    back_pain=scores[Measure.BACK],
                    leg_pain=scores[Measure.LEG],
                    symptoms=(flag.code,) if flag is not None and day == flag_day else (),
                )
            )
    return SyntheticDiary(
        seed=seed,
        kind=kind,
        which=which,
        logged=logged,
        surgery=surgery,
        readings=tuple(readings),
        onset=None
        if onset is None or kind not in WORSENING_KINDS
        else first + timedelta(days=onset),
        window=None
        if window is None
        else (first + timedelta(days=window[0]), first + timedelta(days=window[1])),
        shape=shape,
        rise=rise,
        meaningful=meaningful,
        flag=flag,
        density=density,
        sigma=main.sigma,
        carry=main.carry,
        gaps=len(gaps),
        post_op=post_op,
        weekly=main.weekly,
        flare_days=len(spikes),
    )


def diaries(seeds: range) -> list[SyntheticDiary]:
    """The labelled diaries of these seeds, in seed order."""
    return [diary(seed) for seed in seeds]


def twin_of(drift: SyntheticDiary) -> SyntheticDiary:
    """The small drift's twin: the same patient, noise and logging days, without the drift."""
    if drift.kind != "small_drift":
        raise ValueError(f"seed {drift.seed} is a {drift.kind} diary, not a small drift")
    return diary(drift.seed, drift=False)


# --- Scoring a detector on labelled diaries ------------------------------------------------------


class Found(NamedTuple):
    """One alert a detector gave: its day, kind (`AlertKind` value), measure or flags, tier."""

    day: date
    kind: str
    about: tuple[str, ...]
    tier: str


Detector = Callable[[SyntheticDiary], Sequence[Found]]
TREND_KINDS = frozenset(k.value for k in AlertKind if k is not AlertKind.RED_FLAG)


def product(rules: TrendRules = RULES, *, with_surgery: bool = True) -> Detector:
    """BackTrack's detector: every alert `backtrack assess` reports for the diary."""

    def detect(diary: SyntheticDiary) -> list[Found]:
        surgery = diary.surgery if with_surgery else None
        return [
            Found(a.day, a.kind.value, a.about, a.tier.value)
            for a in replay(diary.readings, surgery, rules=rules)
        ]

    return detect


def plain(diary: SyntheticDiary) -> list[Found]:
    """The plain detector to beat: a 7-day mean against the §3.2 baseline and threshold.

    The day's value is the mean of its entries, the baseline the median of the first 14 days
    with a value, and an alert needs the mean of the days logged in the last 7 (at least 3 of
    them) at or over baseline + `rise_needed` on 3 of the last 5 days (REFERENCE.md §3.2, §3.3
    method 1), then 14 days of cooldown. Red flags come from the same shared rules as BackTrack's.
    """
    found: list[Found] = []
    for measure in diary.logged:
        by_day = _daily(diary, measure)
        days = sorted(by_day)
        if len(days) < BASELINE_DAYS:
            continue
        base = statistics.median(by_day[d] for d in days[:BASELINE_DAYS])
        line = min(base + rise_needed(measure, base), 10.0)
        over: dict[int, bool] = {}
        last: int | None = None
        for today in range(days[BASELINE_DAYS - 1], days[-1] + 1):
            week = [by_day[d] for d in range(today - 6, today + 1) if d in by_day]
            over[today] = len(week) >= 3 and sum(week) / len(week) >= line - 1e-9
            held = sum(over.get(today - k, False) for k in range(5))
            if today in by_day and held >= 3 and (last is None or today - last >= 14):
                found.append(
                    Found(date.fromordinal(today), "sustained_worsening", (measure,), "soon")
                )
                last = today
    for reading in diary.readings:
        if reading.symptoms:
            since = (reading.entry_date - diary.surgery).days
            result = triage(reading.symptoms, days_since_surgery=since)
            if result.tier is not Tier.ROUTINE:
                found.append(Found(reading.entry_date, "red_flag", (), result.tier.value))
    return sorted(found)


def _daily(diary: SyntheticDiary, measure: Measure) -> dict[int, float]:
    sums: dict[int, list[int]] = {}
    for reading in diary.readings:
        value = reading.back_pain if measure is Measure.BACK else reading.leg_pain
        if value is not None:
            sums.setdefault(reading.entry_date.toordinal(), []).append(value)
    return {day: sum(v) / len(v) for day, v in sums.items()}


@dataclass(frozen=True)
class Figures:
    """What a detector did on a set of labelled diaries."""

    worsening: int
    detected: int
    quiet: int
    alarmed: int
    drifts: int
    drift_alarms: int
    # Drift diaries with a trend alert whose twin without the drift has none: caused by it.
    drift_caused: int
    flags: int
    flags_on_day: int
    # Days from the onset to the first timely alert, by shape: "step" (steps and relapses that
    # come as a step) and "ramp".
    delays: dict[str, tuple[int, ...]]
    # The same delays by seed, with the shape, to compare detectors on the worsenings both find.
    delay_of: dict[int, tuple[str, int]]
    # Worsening diaries alerted about their measure before the worsening began.
    early: int
    missed: tuple[int, ...]
    false_alarms: tuple[int, ...]
    by_kind: dict[str, tuple[int, int]]

    @property
    def detection(self) -> float:
        """Share of worsening diaries with a trend alert on their measure inside the window."""
        return self.detected / self.worsening if self.worsening else 1.0

    @property
    def false_alarm(self) -> float:
        """Share of quiet diaries with any trend alert."""
        return self.alarmed / self.quiet if self.quiet else 0.0

    @property
    def flags_reported(self) -> float:
        """Share of red-flag diaries whose flag is reported on its day with its tier."""
        return self.flags_on_day / self.flags if self.flags else 1.0

    def median_delay(self, shape: str = "step") -> float | None:
        """The median delay from onset, in days, of the detected worsenings of one shape."""
        found = self.delays.get(shape, ())
        return statistics.median(found) if found else None

    def paired_delays(self, other: Figures, shape: str = "step") -> tuple[float, float] | None:
        """The median delays of these and the other figures on the worsenings both found."""
        both = [
            (delay, other.delay_of[seed][1])
            for seed, (kind, delay) in self.delay_of.items()
            if kind == shape and seed in other.delay_of
        ]
        if not both:
            return None
        return statistics.median(a for a, _ in both), statistics.median(b for _, b in both)

    def merged(self, other: Figures) -> Figures:
        """These figures and another set's, as if scored together."""
        kinds = dict(self.by_kind)
        for kind, (hit, total) in other.by_kind.items():
            mine = kinds.get(kind, (0, 0))
            kinds[kind] = (mine[0] + hit, mine[1] + total)
        return Figures(
            worsening=self.worsening + other.worsening,
            detected=self.detected + other.detected,
            quiet=self.quiet + other.quiet,
            alarmed=self.alarmed + other.alarmed,
            drifts=self.drifts + other.drifts,
            drift_alarms=self.drift_alarms + other.drift_alarms,
            drift_caused=self.drift_caused + other.drift_caused,
            flags=self.flags + other.flags,
            flags_on_day=self.flags_on_day + other.flags_on_day,
            delays={
                shape: self.delays.get(shape, ()) + other.delays.get(shape, ())
                for shape in {*self.delays, *other.delays}
            },
            delay_of={**self.delay_of, **other.delay_of},
            early=self.early + other.early,
            missed=self.missed + other.missed,
            false_alarms=self.false_alarms + other.false_alarms,
            by_kind=dict(sorted(kinds.items())),
        )


def figures(diaries: Iterable[SyntheticDiary], detect: Detector) -> Figures:
    """Score `detect` on the labelled diaries."""
    worsening = detected = quiet = alarmed = drifts = drift_alarms = flags = on_day = early = 0
    caused = 0
    delays: dict[str, list[int]] = {"step": [], "ramp": []}
    delay_of: dict[int, tuple[str, int]] = {}
    missed: list[int] = []
    false_alarms: list[int] = []
    by_kind: dict[str, list[int]] = {}
    for diary in diaries:
        found = list(detect(diary))
        trend = [f for f in found if f.kind in TREND_KINDS]
        group = f"{diary.kind}/{diary.shape}" if diary.worsening else diary.kind
        tally = by_kind.setdefault(group, [0, 0])
        tally[1] += 1
        if diary.worsening:
            assert diary.window is not None
            assert diary.onset is not None
            worsening += 1
            mine = [f for f in trend if f.about == (diary.which.value,)]
            timely = [f for f in mine if diary.window[0] <= f.day <= diary.window[1]]
            early += any(f.day < diary.onset for f in mine)
            if timely:
                detected += 1
                tally[0] += 1
                delays[diary.shape].append((timely[0].day - diary.onset).days)
                delay_of[diary.seed] = (diary.shape, delays[diary.shape][-1])
            else:
                missed.append(diary.seed)
            continue
        quiet += 1
        if trend:
            alarmed += 1
            tally[0] += 1
            false_alarms.append(diary.seed)
        if diary.kind == "small_drift":
            drifts += 1
            drift_alarms += bool(trend)
            if trend:
                twin = [f for f in detect(twin_of(diary)) if f.kind in TREND_KINDS]
                caused += not twin
        if diary.flag is not None:
            flags += 1
            flag = diary.flag
            on_day += any(
                f.kind == "red_flag" and f.day == flag.day and f.tier == flag.tier.value
                for f in found
            )
    return Figures(
        worsening=worsening,
        detected=detected,
        quiet=quiet,
        alarmed=alarmed,
        drifts=drifts,
        drift_alarms=drift_alarms,
        drift_caused=caused,
        flags=flags,
        flags_on_day=on_day,
        delays={shape: tuple(found) for shape, found in delays.items()},
        delay_of=delay_of,
        early=early,
        missed=tuple(missed),
        false_alarms=tuple(false_alarms),
        by_kind={k: (v[0], v[1]) for k, v in sorted(by_kind.items())},
    )


# --- The labelled sample diaries, scored the same way --------------------------------------------

SAMPLE_DIARIES = Path(__file__).resolve().parent / "data" / "diaries"


def sample_diaries(folder: Path = SAMPLE_DIARIES) -> list[SyntheticDiary]:
    """The labelled sample diaries (tests/data/diaries) in the shape of synthetic ones.

    Their "drift" kind is scored as a ramp: a rise over weeks, alerts timely inside its window.
    """
    with (folder / "labels.json").open(encoding="utf-8") as file:
        labels: dict[str, dict[str, object]] = json.load(file)
    out = []
    for index, (name, label) in enumerate(sorted(labels.items())):
        parsed = parse_diary((folder / name).read_text(encoding="utf-8"))
        readings = tuple(
            Reading(r.entry_date, r.back_pain, r.leg_pain, tuple(r.symptoms)) for r in parsed.rows
        )
        kind = {"drift": "ramp"}.get(str(label["kind"]), str(label["kind"]))
        logged = tuple(
            m
            for m in NRS_MEASURES
            if any(
                (r.back_pain if m is Measure.BACK else r.leg_pain) is not None for r in readings
            )
        )
        window = label.get("window")
        flag = None
        if "flag_date" in label:
            flag = Flag(
                date.fromisoformat(str(label["flag_date"])),
                Finding(str(label["flag_code"])),
                Tier(str(label["flag_tier"])),
            )
        out.append(
            SyntheticDiary(
                seed=index,
                kind=kind,
                which=Measure(str(label["which"])),
                logged=logged,
                surgery=date.fromisoformat(str(label["surgery_date"])),
                readings=readings,
                onset=date.fromisoformat(str(label["onset"])) if "onset" in label else None,
                window=None
                if not isinstance(window, list)
                else (date.fromisoformat(window[0]), date.fromisoformat(window[1])),
                shape=kind if kind in ("step", "ramp") else "",
                flag=flag,
                name=name,
            )
        )
    return out


# --- `python -m tests.synthetic`: the figures docs/trends.md shows -------------------------------


class Variant(NamedTuple):
    """One detector to score: BackTrack's with some rules changed, or the plain one."""

    label: str
    rules: TrendRules | None = RULES
    with_surgery: bool = True

    def detector(self) -> Detector:
        return plain if self.rules is None else product(self.rules, with_surgery=self.with_surgery)


OFF = 1e9
VARIANTS: tuple[Variant, ...] = (
    Variant("BackTrack (as shipped)"),
    Variant("level rule: 1.4 points", replace(RULES, level_points=1.4)),
    Variant("level rule: 1.8 points", replace(RULES, level_points=1.8)),
    Variant("level rule: nothing left out", replace(RULES, level_left_out=0.0)),
    Variant("level rule: 40 % left out", replace(RULES, level_left_out=0.4)),
    Variant("level rule off", replace(RULES, level_points=OFF)),
    Variant("step rule: h = 4.5", replace(RULES, step_h=4.5)),
    Variant("step rule: h = 6", replace(RULES, step_h=6.0)),
    Variant("step rule: a day adds up to 2.5", replace(RULES, step_cap=2.5)),
    Variant("step rule: a day adds up to 1.5", replace(RULES, step_cap=1.5)),
    Variant("step rule: REFERENCE k = 1, h = 4", replace(RULES, step_k=1.0, step_h=4.0)),
    Variant("step rule off", replace(RULES, step_h=OFF)),
    Variant("baseline rule off", replace(RULES, baseline_band=OFF)),
    Variant("usual level: 8 weeks", replace(RULES, usual_days=56)),
    Variant("usual level: 14 weeks", replace(RULES, usual_days=100)),
    Variant("usual level off (the §3.2 baseline)", replace(RULES, usual_min_days=10**6)),
    Variant("clearly better level off", replace(RULES, better_points=OFF)),
    Variant("rapid rise off", replace(RULES, rapid_points=OFF)),
    Variant("surgery date not given", RULES, with_surgery=False),
    Variant("plain detector (7-day mean, §3.2 line, 3 of 5 days)", None),
)


def _score(job: tuple[range, tuple[Variant, ...]]) -> list[Figures]:
    seeds, variants = job
    made = diaries(seeds)
    return [figures(made, variant.detector()) for variant in variants]


def score_seeds(
    seeds: range, variants: Sequence[Variant], processes: int = 1, chunk: int = 100
) -> list[Figures]:
    """Score each variant on the diaries of `seeds`, in `processes` worker processes."""
    jobs = [
        (range(start, min(start + chunk, seeds.stop)), tuple(variants))
        for start in range(seeds.start, seeds.stop, chunk)
    ]
    if processes > 1:
        with multiprocessing.Pool(processes) as pool:
            parts = pool.map(_score, jobs)
    else:
        parts = [_score(job) for job in jobs]
    totals = parts[0]
    for part in parts[1:]:
        totals = [a.merged(b) for a, b in zip(totals, part, strict=True)]
    return totals


def _delay(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _row(label: str, f: Figures) -> str:
    return (
        f"| {label} | {f.detected}/{f.worsening} = {f.detection:.1%} "
        f"| {f.alarmed}/{f.quiet} = {f.false_alarm:.1%} | {f.drift_alarms}/{f.drifts} "
        f"| {f.drift_caused}/{f.drifts} "
        f"| {f.flags_on_day}/{f.flags} | {_delay(f.median_delay('step'))} "
        f"| {_delay(f.median_delay('ramp'))} |"
    )


HEADER = (
    "| detector | worsening detected in its window | quiet diaries with any trend alert "
    "| drifts under the MIC alerted | alerted by the drift (not its twin) "
    "| red flags on their day | median delay, steps | median delay, ramps |"
    "\n|---|---|---|---|---|---|---|---|"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures of docs/trends.md: held-out set, sample diaries, sensitivity."""
    parser = argparse.ArgumentParser(prog="python -m tests.synthetic")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seeds", type=int, default=len(HELD_OUT_SEEDS), help="held-out seeds")
    parser.add_argument("--tuning", action="store_true", help="score the tuning seeds instead")
    parser.add_argument("--no-sensitivity", action="store_true")
    args = parser.parse_args(argv)
    pool = TUNING_SEEDS if args.tuning else HELD_OUT_SEEDS
    seeds = range(pool.start, pool.start + min(args.seeds, len(pool)))
    chosen = VARIANTS if not args.no_sensitivity else (VARIANTS[0], VARIANTS[-1])
    results = score_seeds(seeds, chosen, processes=args.processes)
    name = "tuning" if args.tuning else "held-out"
    print(f"## {len(seeds)} {name} synthetic diaries (seeds {seeds.start}–{seeds.stop - 1})\n")
    print(HEADER)
    for variant, result in zip(chosen, results, strict=True):
        print(_row(variant.label, result))
    shipped = results[0]
    print("\nBackTrack by kind (alerted / diaries):", shipped.by_kind)
    print("missed:", shipped.missed, "\nfalse alarms:", shipped.false_alarms)
    print(f"worsening diaries alerted before their onset: {shipped.early}")
    plainly = results[-1]
    for shape in ("step", "ramp"):
        paired = shipped.paired_delays(plainly, shape)
        if paired is not None:
            print(
                f"median delay, {shape}s both detectors found: BackTrack {paired[0]:g}, "
                f"plain {paired[1]:g} days"
            )
    samples = sample_diaries()
    print(f"\n## The {len(samples)} labelled sample diaries (tests/data/diaries)\n")
    print(HEADER)
    for variant in (VARIANTS[0], VARIANTS[-1]):
        print(_row(variant.label, figures(samples, variant.detector())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
