"""The rules that find a change on one day: sustained worsening, rapid rise, nerve, red flags."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date

from flows.clinical.codes import Finding, Tier
from flows.clinical.rules import triage
from flows.clinical.trends.alerts import Alert, AlertKind, shown
from flows.clinical.trends.diary import Diary
from flows.clinical.trends.parameters import (
    BASELINE_DAYS,
    EPS,
    NERVE_BEFORE_DAYS,
    NERVE_FINDINGS,
    NERVE_MIN_DAYS,
    NERVE_WINDOW_DAYS,
    NRS_MAX,
    RULES,
    Measure,
    TrendRules,
    days_needed,
    level_line,
    rise_needed,
    worse_line,
)
from flows.clinical.trends.series import Reference, Series, left_out_mean


@dataclass(frozen=True, slots=True)
class Context:
    """The day being evaluated, as every rule reads it (days as ordinals)."""

    diary: Diary
    today: int
    day: date
    days_since_surgery: int | None
    settle: int | None
    rules: TrendRules = RULES


def _reference_values(ref: Reference, rules: TrendRules) -> tuple[tuple[str, str], ...]:
    values = [
        ("reference", ref.kind),
        ("usual", shown(ref.value)),
        ("usual_weeks", str(rules.usual_days // 7)),
        ("baseline_days", str(BASELINE_DAYS)),
    ]
    if ref.better_end is not None:
        values.append(("better_end", date.fromordinal(ref.better_end).isoformat()))
    return tuple(values)


_Values = tuple[tuple[str, str], ...]


def _step_rule(ctx: Context, series: Series, ref: Reference, mic: float) -> _Values | None:
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
    if total < rules.step_h - EPS or above < rules.step_min_days:
        return None
    # The level the run is at: its last week of values, the highest left out when there are
    # enough, so that the rise the message names is not one bad day's.
    recent = run[-(rules.level_days // 2) :]
    mean = left_out_mean(recent, 1 if len(recent) > 3 else 0)
    if mean < usual + mic - EPS:
        return None
    return (
        ("rule", "step"),
        ("recent", shown(mean)),
        ("rise", f"{mean - usual:+.1f}"),
        ("count", str(len(run))),
        ("since", date.fromordinal(run_start).isoformat()),
    )


def _trimmed_rule(
    ctx: Context, series: Series, days: int, needed: int, line: float
) -> tuple[float, int] | None:
    """The mean of the last `days` without their highest quarter, if it reaches `line`."""
    lo, hi = series.span(ctx.today - days + 1, ctx.today)
    count = hi - lo
    # Leaving values out only lowers a mean: below the line already, it cannot reach it.
    if count < needed or (series.sums[hi] - series.sums[lo]) / count < line - EPS:
        return None
    left_out = int(count * ctx.rules.level_left_out)
    mean = left_out_mean(series.values[lo:hi], left_out)
    return (mean, left_out) if mean >= line - EPS else None


def _worse(ctx: Context, measure: Measure, ref: Reference) -> Alert | None:
    """The sustained-worsening alert on `today`, if any of its three rules holds."""
    rules = ctx.rules
    series = ctx.diary.series(measure)
    values = _step_rule(ctx, series, ref, rise_needed(measure, ref.value))
    if values is None:
        # Level: the last two weeks, well above the usual level.
        line = level_line(measure, ref.value, rules)
        found = _trimmed_rule(ctx, series, rules.level_days, rules.level_min_days, line)
        if found is not None:
            values = (
                ("rule", "level"),
                ("recent", shown(found[0])),
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
                ("recent", shown(found[0])),
                ("rise", f"{found[0] - base:+.1f}"),
                ("days", str(rules.baseline_days)),
                ("left_out", str(found[1])),
                ("baseline", shown(base)),
            )
    if values is None:
        return None
    return Alert(
        day=ctx.day,
        kind=AlertKind.SUSTAINED_WORSENING,
        tier=Tier.SOON,  # §3.2: sustained worsening without red flags is T3.
        about=(measure.value,),
        values=(*values, *_reference_values(ref, rules)),
        days_since_surgery=ctx.days_since_surgery,
    )


def sustained(ctx: Context, measure: Measure) -> Alert | None:
    """A sustained worsening of the measure (T3, §3.2), once its reference is known."""
    ref = ctx.diary.reference(measure, ctx.today, ctx.settle, ctx.rules)
    if ref is None:
        return None
    return _worse(ctx, measure, ref)


def rapid(ctx: Context, measure: Measure) -> Alert | None:
    """A rapid rise of the measure over its last days (T2, §8.4)."""
    rules = ctx.rules
    series = ctx.diary.series(measure)
    lo, hi = series.span(ctx.today - rules.rapid_days + 1, ctx.today)
    # One value a day, so every day of the stretch has one when there are as many as its days.
    if hi - lo < rules.rapid_days:
        return None
    recent = series.values[lo:hi]
    before, _ = ctx.diary.logged_mean(
        measure, ctx.today - rules.rapid_days, rules.rapid_before_days
    )
    if before is None:
        return None
    if min(recent) < before + rules.rapid_points - EPS:
        return None
    ref = ctx.diary.reference(measure, ctx.today, ctx.settle, rules)
    if ref is not None and min(recent) < ref.value + rules.rapid_points - EPS:
        return None
    mean = sum(recent) / len(recent)
    return Alert(
        day=ctx.day,
        kind=AlertKind.RAPID_RISE,
        # §8.4 (overriding §3.3's T3 for this method): pain that is rapidly worsening is T2 at
        # any time, as the seed pages say it needs a doctor immediately (§7). The message also
        # re-asks the red-flag questions, as §1.3 asks whenever pain changes.
        tier=Tier.URGENT,
        about=(measure.value,),
        values=(
            ("before", f"{before:.1f}"),
            ("recent", f"{mean:.1f}"),
            ("lowest", f"{min(recent):.1f}"),
            ("days", str(rules.rapid_days)),
            ("before_days", str(rules.rapid_before_days)),
        ),
        days_since_surgery=ctx.days_since_surgery,
    )


def new_nerve(ctx: Context) -> Alert | None:
    """Nerve symptoms on several of the last days that were absent before (§3.2)."""
    diary = ctx.diary
    recent_start = ctx.today - NERVE_WINDOW_DAYS + 1
    nerve_days = diary.nerve_days()
    if (
        bisect_right(nerve_days, ctx.today) - bisect_left(nerve_days, recent_start)
        < NERVE_MIN_DAYS
    ):
        return None
    before_start = recent_start - NERVE_BEFORE_DAYS
    before_logged = diary.logged_in(before_start, recent_start - 1)
    if before_logged < days_needed(NERVE_BEFORE_DAYS):
        return None
    recent = [diary.symptoms_on(d) for d in range(recent_start, ctx.today + 1)]
    before: set[Finding] = set()
    for d in range(before_start, recent_start):
        before.update(diary.symptoms_on(d))
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
        about=("nerve",),
        values=(("count", str(most)), ("window", str(NERVE_WINDOW_DAYS))),
        findings=tuple(new),
        days_since_surgery=ctx.days_since_surgery,
    )


def red_flag(ctx: Context) -> Alert | None:
    """The red flags and warning signs of the day's symptoms (§1)."""
    found = ctx.diary.symptoms_on(ctx.today)
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
        about=tuple(keys),
        findings=tuple(sorted(found)),
        days_since_surgery=ctx.days_since_surgery,
    )
