"""The trend detector: the labelled sample diaries, and each rule on small made-up diaries."""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import cast

import pytest

from flows.codes import Finding, Tier
from flows.diary_csv import DiaryRow, parse_diary
from flows.emergency import numbers_for
from flows.models import Entry
from flows.trends import (
    COOLDOWN_DAYS,
    REMINDER_DAYS,
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
    status_text,
    to_assess_json,
)

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
            a for a in trend_alerts(name) if a.which == label["which"] and first <= a.day <= last
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


def test_worsening_is_detected_within_its_window_in_at_least_90_percent() -> None:
    result = figures()
    assert result.detection_rate >= 0.9, result.missed


def test_at_most_10_percent_of_quiet_diaries_get_a_trend_alert() -> None:
    result = figures()
    assert result.false_alarm_rate <= 0.1, result.false_alarms


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
    """One reading a day from `start`; None leaves the day out."""
    found = symptoms or {}
    out = []
    for offset, value in enumerate(back):
        if value is None:
            continue
        leg_value = None if leg is None else leg[offset]
        out.append(
            Reading(
                entry_date=start + timedelta(days=offset),
                back_pain=int(value),
                leg_pain=None if leg_value is None else int(leg_value),
                symptoms=found.get(offset, ()),
            )
        )
    return out


def day(offset: int) -> date:
    return START + timedelta(days=offset)


def kinds(alerts: Sequence[Alert]) -> list[tuple[int, str, str]]:
    return [((a.day - START).days, a.kind.value, a.which) for a in alerts]


def steady(days: int) -> list[float | None]:
    return [float(v) for v in (BASELINE * (days // len(BASELINE) + 1))[:days]]


def test_a_one_day_flare_does_not_alert() -> None:
    back = [*BASELINE, *steady(14), 10.0, *steady(20)]
    assert replay(readings(back)) == []


def test_a_two_day_flare_does_not_alert() -> None:
    back = [*BASELINE, *steady(14), 8.0, 8.0, *steady(20)]
    assert replay(readings(back)) == []


def test_a_jump_held_for_three_days_alerts_on_the_third_day() -> None:
    back = [*BASELINE, *steady(14), 7.0, 7.0, 7.0]
    alerts = replay(readings(back))
    assert kinds(alerts) == [(30, "rapid_rise", "back")]
    # REFERENCE.md §8.4: rapidly worsening pain is same-day (T2) at any time.
    assert alerts[0].tier is Tier.URGENT
    assert alerts[0].reason("en") == (
        "Your back pain went up from an average of 2.6 in the 7 days before to 7.0 over the "
        "last 3 days, and it was 7.0 or more on each of those days."
    )


def test_a_sustained_rise_alerts_once_it_has_held_for_three_days() -> None:
    # +2.5 a day is not a rapid rise (3 points), but held for a week it is sustained.
    back = [*BASELINE, *steady(14), *[5.0] * 10]
    alerts = replay(readings(back))
    assert kinds(alerts) == [(34, "sustained_worsening", "back")]
    assert alerts[0].reason("en") == (
        "Your 7-day average back pain is 5.0; it was 2.5 in your first 14 diary days (+2.5). "
        "It has been 3.5 or more on each of the last 3 days, more than your usual ups and downs."
    )
    # One day earlier nothing had been sent yet.
    assert replay(readings(back[:34])) == []


def test_a_rise_inside_the_usual_ups_and_downs_does_not_alert() -> None:
    # 7-day mean 3.6 is over the §3.2 line (3.5) but within the EWMA band around 2.5.
    back = [*BASELINE, *steady(14), *[4.0, 3.0, 4.0, 4.0, 3.0, 4.0, 3.0] * 4]
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
        (6, 1, False),  # +1 on a baseline of 6 is below the 30% line (7.8)
        (6, 2, True),
        (2, 2, True),  # +2 on a baseline of 2 is well over the +1 line
        (8, 1, False),  # +1 on a baseline of 8 is below the +3 line (capped at 10)
    ],
)
def test_baseline_aware_thresholds_decide(level: int, rise: int, alerts: bool) -> None:
    usual = [level, level + 1, level - 1, level] * 7
    back = [*usual, *[level + rise] * 21]
    found = [a for a in replay(readings(back)) if a.kind is AlertKind.SUSTAINED_WORSENING]
    assert bool(found) is alerts


def test_a_high_baseline_can_still_alert_at_the_top_of_the_scale() -> None:
    back = [*[8, 9, 7, 8] * 7, *[10] * 14]
    alerts = replay(readings(back))
    assert [a.kind for a in alerts] == [AlertKind.SUSTAINED_WORSENING]
    assert ("line", "10.0") in alerts[0].values


def test_too_few_days_is_not_enough_data() -> None:
    result = assess_day(readings([3.0] * 9), day(8))
    back = result.status[0]
    assert back.kind is StatusKind.NOT_ENOUGH_DATA
    assert (back.logged, back.needed) == (9, 14)
    assert status_text(result, "en").splitlines()[0] == (
        "Back pain: not enough data yet (9 of 14 days logged to work out your usual level)."
    )


def test_gaps_in_the_last_week_are_never_read_as_no_change() -> None:
    back: list[float | None] = [*BASELINE, *steady(7), 9.0, None, None, 9.0, None, None, 9.0]
    entries = readings(back)
    assert replay(entries) == []
    back_status = assess_day(entries, day(len(back) - 1)).status[0]
    assert back_status.kind is StatusKind.GAPS
    assert back_status.text("en") == (
        "Back pain: not enough entries in the last 7 days to tell (3 logged, 5 needed)."
    )


def test_a_leg_never_logged_has_no_baseline_and_no_alerts() -> None:
    result = assess_day(readings([*BASELINE, *[9.0] * 14]), day(27))
    leg = next(s for s in result.status if s.measure is Measure.LEG)
    assert (leg.kind, leg.logged) == (StatusKind.NOT_ENOUGH_DATA, 0)


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


# --- Cooldown and hysteresis ---------------------------------------------------------------------


def worsening(days: int) -> list[float | None]:
    return [*BASELINE, *steady(14), *[5.0] * days]


def test_a_held_worsening_is_not_repeated_until_the_reminder() -> None:
    alerts = replay(readings(worsening(70)))
    offsets = [offset for offset, _, _ in kinds(alerts)]
    assert offsets == [34, 34 + REMINDER_DAYS, 34 + 2 * REMINDER_DAYS]


def test_a_sent_alert_suppresses_the_same_alert_for_the_cooldown() -> None:
    entries = readings(worsening(10))
    today = day(37)
    assert kinds(evaluate(Diary(entries), today).alerts) == [(37, "sustained_worsening", "back")]
    sent = SentAlert(
        day=today - timedelta(days=3), kind=AlertKind.RAPID_RISE, which="back", tier=Tier.SOON
    )
    assert evaluate(Diary(entries), today, sent=[sent]).alerts == ()
    other = sent.model_copy(update={"which": "leg"})
    assert len(evaluate(Diary(entries), today, sent=[other]).alerts) == 1
    old = sent.model_copy(update={"day": today - timedelta(days=REMINDER_DAYS)})
    assert len(evaluate(Diary(entries), today, sent=[old]).alerts) == 1


def test_a_worsening_that_resolved_may_alert_again_after_the_cooldown() -> None:
    back = [*worsening(7), *steady(10), *[5.0] * 10]
    alerts = replay(readings(back))
    assert [k for _, k, _ in kinds(alerts)] == ["sustained_worsening"] * 2
    gap = (alerts[1].day - alerts[0].day).days
    assert COOLDOWN_DAYS <= gap < REMINDER_DAYS


def test_a_worsening_that_returns_within_the_cooldown_is_not_repeated() -> None:
    back = [*worsening(7), *steady(3), *[5.0] * 8]
    assert len(replay(readings(back))) == 1


def lump(offset: int, *extra: Finding) -> Diary:
    return Diary(
        readings(steady(offset + 1), symptoms={offset: (Finding.IMPLANT_LUMP_OR_CLUNK, *extra)})
    )


def test_a_higher_tier_gets_through_the_cooldown() -> None:
    yesterday = SentAlert(day=day(9), kind=AlertKind.RED_FLAG, which="RF-HW", tier=Tier.SOON)
    # A new lump over the implant is RF-HW at T3: not repeated the next day ...
    assert [(a.tier, a.which) for a in evaluate(lump(10), day(10)).alerts] == [
        (Tier.SOON, "RF-HW")
    ]
    assert evaluate(lump(10), day(10), sent=[yesterday]).alerts == ()
    # ... but with a red wound the same flag is T2, and that is sent.
    worse = evaluate(lump(10, Finding.WOUND_INFECTION_SIGNS), day(10), sent=[yesterday])
    assert [(a.tier, a.which) for a in worse.alerts] == [(Tier.URGENT, "RF-SSI-1+RF-HW")]
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


# --- Nerve symptoms and PEG ----------------------------------------------------------------------


def test_new_nerve_symptoms_on_three_of_seven_days_alert() -> None:
    found = dict.fromkeys((22, 24, 25), (Finding.PAIN_NEUROPATHIC,))
    alerts = replay(readings(steady(28), symptoms=found))
    assert kinds(alerts) == [(25, "new_nerve_symptoms", "nerve")]
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
    assert [(a.kind, a.which) for a in alerts] == [(AlertKind.SUSTAINED_WORSENING, "peg")]
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
        day=day(30), kind=AlertKind.RAPID_RISE, which="back", tier=Tier.URGENT
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
