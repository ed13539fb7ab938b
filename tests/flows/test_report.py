"""Page one of the surgeon's report: the numbers, alerts, red flags and the latest check."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from flows.codes import CauseId, Finding, Tier
from flows.i18n import CATALOGUES
from flows.models import CheckResult, Entry, Profile, Region
from flows.report import Report, build_report, local_time, rows_from_entries
from flows.trends import AlertKind, Measure, SentAlert, StatusKind

START = date(2025, 3, 1)
LAST = START + timedelta(days=59)


def entry(
    day: date,
    back: int | None,
    leg: int | None = 2,
    *,
    symptoms: tuple[Finding, ...] = (),
    note: str | None = None,
    at: datetime | None = None,
    zone: str = "UTC",
    number: int = 0,
) -> Entry:
    moment = at or datetime.combine(day, time(19, 30), tzinfo=UTC)
    return Entry(
        id=number or day.toordinal(),
        user_id=5,
        entry_date=day,
        recorded_at=moment,
        timezone=zone,
        back_pain=back,
        leg_pain=leg,
        symptoms=symptoms,
        note=note,
    )


def profile(**changes: object) -> Profile:
    base = Profile(
        user_id=5,
        consented_at=datetime(2025, 1, 1, tzinfo=UTC),
        display_name="J. D.",
        surgery_year=2024,
        surgery_month=11,
        region=Region.LUMBAR,
        levels=2,
    )
    return base.model_copy(update=changes)


def diary(days: int = 60, worse_from: int = 53, skip: frozenset[int] = frozenset()) -> list[Entry]:
    """Back pain 3 and leg pain 2 every day; back pain 6 from day `worse_from` on."""
    return [
        entry(START + timedelta(days=i), 6 if i >= worse_from else 3)
        for i in range(days)
        if i not in skip
    ]


def report(entries: list[Entry], **changes: object) -> Report:
    arguments: dict[str, object] = {
        "profile": profile(),
        "entries": entries,
        "checks": [],
        "alerts": [],
        "first": START + timedelta(days=30),
        "last": LAST,
        "language": "en",
    }
    arguments.update(changes)
    return build_report(**arguments)  # type: ignore[arg-type]


def test_baseline_last_week_and_the_meaningful_change() -> None:
    result = report(diary())
    back, leg = result.measures
    assert back.measure is Measure.BACK
    assert back.baseline == 3.0
    assert back.recent == 6.0
    assert back.change == pytest.approx(3.0)
    # A baseline of 1-4 needs a rise of 1 point (REFERENCE.md §3.2, [I3]).
    assert back.mcid == 1.0
    assert back.crossed
    assert back.status is StatusKind.WORSE
    assert (back.baseline_text, back.recent_text, back.change_text) == (
        "3.0",
        "6.0 (7 of 7 days)",
        "+3.0",
    )
    assert back.mcid_text == "±1.0"
    assert back.crossed_text == "Yes, worse"
    assert leg.baseline == 2.0
    assert leg.recent == 2.0
    assert not leg.crossed
    assert leg.crossed_text == "No"


def test_the_baseline_comes_from_the_whole_diary_not_the_period() -> None:
    # The period shows only the last 7 days, all at 6: the baseline still is the first 14.
    result = report(diary(), first=LAST - timedelta(days=6))
    assert result.measures[0].baseline == 3.0
    assert result.days_in_period == 7


def test_a_better_week_counts_as_crossed_in_the_other_direction() -> None:
    entries = [entry(START + timedelta(days=i), 6 if i < 53 else 2) for i in range(60)]
    back = report(entries).measures[0]
    assert back.status is StatusKind.BETTER
    assert back.crossed
    assert back.crossed_text == "Yes, better"


def test_gaps_in_the_last_week_are_never_read_as_no_change() -> None:
    result = report(diary(skip=frozenset({55, 56, 57, 58})))
    back = result.measures[0]
    assert back.recent is None
    assert not back.crossed
    assert back.recent_text == "too few entries (3 of 7 days)"
    assert back.crossed_text == "Cannot tell"


def test_too_short_a_diary_has_no_baseline_yet() -> None:
    entries = diary(days=10)
    result = report(entries, first=START, last=START + timedelta(days=9))
    back = result.measures[0]
    assert back.baseline is None
    assert back.baseline_text == "not yet (10 of 14 days)"
    assert back.crossed_text == "Cannot tell"


def test_days_logged_out_of_days_in_the_period() -> None:
    result = report(diary(skip=frozenset({31, 40, 41})))
    assert (result.days_logged, result.days_in_period, result.entry_count) == (27, 30, 27)
    assert result.completeness_text.startswith("Days logged: 27 of 30 days")
    assert "(90%)" in result.completeness_text


def test_two_entries_on_one_day_count_as_one_day_logged() -> None:
    entries = diary()
    extra = entry(LAST, 7, at=datetime.combine(LAST, time(8, 0), tzinfo=UTC), number=1)
    result = report([*entries, extra])
    assert result.days_logged == 30
    assert result.entry_count == 31


def test_surgery_and_time_since_surgery() -> None:
    result = report(diary())
    assert result.surgery_date == date(2024, 11, 15)
    assert result.surgery_text == (
        "Surgery: Nov 2024 (day not recorded). Region: Lower back (lumbar). Levels fused: 2."
    )
    assert result.days_since_surgery == (LAST - date(2024, 11, 15)).days == 165
    assert "165 days (about 23 weeks)" in result.since_text
    assert "15th" in result.since_text


def test_unknown_surgery_and_no_name() -> None:
    result = report(
        diary(),
        profile=profile(
            display_name=None, surgery_year=None, surgery_month=None, region=None, levels=None
        ),
    )
    assert result.patient_label is None
    assert result.patient_text == "Patient: name not given"
    assert result.days_since_surgery is None
    assert result.since_text == "Time since surgery: not known."
    assert "Date not recorded" in result.surgery_text
    assert "Levels fused: not recorded" in result.surgery_text


def test_the_patient_is_named_only_as_they_chose() -> None:
    result = report(diary())
    assert result.patient_label == "J. D."
    assert "5" not in result.patient_text


def test_alerts_in_the_period_with_dates_and_reasons() -> None:
    alerts = [
        SentAlert(
            day=LAST - timedelta(days=2), kind=AlertKind.RAPID_RISE, which="back", tier=Tier.SOON
        ),
        SentAlert(day=START, kind=AlertKind.SUSTAINED_WORSENING, which="leg", tier=Tier.SOON),
        SentAlert(day=LAST, kind=AlertKind.RED_FLAG, which="RF-CES-1+fever", tier=Tier.EMERGENCY),
    ]
    result = report(diary(), alerts=alerts)
    assert [a.day for a in result.alerts] == [LAST - timedelta(days=2), LAST]
    rapid, flag = result.alerts
    assert rapid.reason == "Back pain 7-day average 5.1, baseline 3.0 (+2.1)"
    assert rapid.text == (
        f"{(LAST - timedelta(days=2)).isoformat()} · T3, within days · Rapid rise: "
        "Back pain 7-day average 5.1, baseline 3.0 (+2.1)"
    )
    assert flag.reason == "New bladder problems (RF-CES-1); warning sign: fever over 38 °C"
    assert flag.text.startswith(f"{LAST.isoformat()} · T1, emergency · Red flag: New bladder")


def test_a_new_nerve_symptoms_alert_names_the_symptoms() -> None:
    entries = diary()
    entries[-1] = entry(LAST, 6, symptoms=(Finding.PAIN_NEUROPATHIC,))
    alert = SentAlert(day=LAST, kind=AlertKind.NEW_NERVE_SYMPTOMS, which="nerve", tier=Tier.SOON)
    [line] = report(entries, alerts=[alert]).alerts
    assert line.reason == "burning, tingling or electric pain, on at least 3 of the last 7 days"


def test_red_flag_events_are_entries_whose_symptoms_fire_the_rules() -> None:
    entries = diary()
    day = LAST - timedelta(days=3)
    entries[-4] = entry(day, 6, symptoms=(Finding.BLADDER_CHANGE,))
    # Nerve pattern findings alone fire nothing; a red flag outside the period is not listed.
    entries[-5] = entry(day - timedelta(days=1), 6, symptoms=(Finding.PAIN_ONE_LEG,))
    entries[5] = entry(START + timedelta(days=5), 3, symptoms=(Finding.SADDLE_NUMBNESS,))
    [event] = report(entries).red_flags
    assert event.day == day
    assert event.time == time(19, 30)
    assert event.tier is Tier.EMERGENCY
    assert event.flag_ids == ("RF-CES-1",)
    assert event.text == (
        f"{day.isoformat()} 19:30 · T1, emergency · New bladder problems (RF-CES-1)"
    )


def test_red_flags_use_the_time_since_surgery_on_that_day() -> None:
    # A headache easing lying down is a possible spinal fluid leak in the first 6 weeks
    # (RF-CSF); later it is a warning sign for the team, not that red flag (§1.2).
    early = date(2024, 11, 25)
    found = (Finding.POSITIONAL_HEADACHE,)
    [event] = report([entry(early, 4, symptoms=found)], first=early, last=early).red_flags
    assert event.flag_ids == ("RF-CSF",)
    [later] = report([entry(LAST, 4, symptoms=found)], first=LAST, last=LAST).red_flags
    assert later.flag_ids == ()
    assert later.warnings == found
    assert later.text.endswith("warning sign: headache easing lying down")


def check(
    at: datetime, causes: tuple[tuple[CauseId, float], ...], **changes: object
) -> CheckResult:
    base = CheckResult(recorded_at=at, tier=Tier.SOON, causes=causes)
    return base.model_copy(update=changes)


def test_the_latest_check_with_top_causes_and_tests() -> None:
    older = check(
        datetime(2025, 4, 1, 9, tzinfo=UTC), ((CauseId.INFECTION, 9.0),), tier=Tier.URGENT
    )
    latest = check(
        datetime(2025, 4, 20, 9, tzinfo=UTC),
        (
            (CauseId.PSYCHOSOCIAL_FACTORS, 9.0),
            (CauseId.PSEUDARTHROSIS, 7.0),
            (CauseId.ADJACENT_SEGMENT_DISEASE, 5.0),
            (CauseId.HARDWARE_FAILURE, 4.0),
            (CauseId.MYOFASCIAL_PAIN, 2.0),
        ),
        findings=(Finding.PAIN_MECHANICAL,),
        red_flags=("RF-FX",),
    )
    after = check(datetime(2025, 6, 1, 9, tzinfo=UTC), ((CauseId.INFECTION, 9.0),))
    result = report(diary(), checks=[older, latest, after])
    summary = result.latest_check
    assert summary is not None
    assert summary.day == date(2025, 4, 20)
    # The psychosocial modifier is not a structural cause: the top three structural ones.
    assert [c.id for c in summary.causes] == [
        CauseId.PSEUDARTHROSIS,
        CauseId.ADJACENT_SEGMENT_DISEASE,
        CauseId.HARDWARE_FAILURE,
    ]
    assert summary.cause_lines[0] == (
        "1. The bones may not have fused fully (non-union, pseudarthrosis)"
    )
    assert "a fine-cut CT scan" in summary.tests
    assert len(summary.tests) == len(set(summary.tests))
    assert summary.tests_text.startswith("Tests to consider: a fine-cut CT scan; ")
    assert summary.heading == "2025-04-20 · result: T3, within days"
    assert summary.details[0] == "Red flags: A fall, injury or sudden 'snap' (RF-FX)."
    assert summary.details[1] == "Answered yes: worse bending or lifting, better lying down."


def test_the_check_date_is_local() -> None:
    late = check(datetime(2025, 4, 20, 23, 30, tzinfo=UTC), ((CauseId.PSEUDARTHROSIS, 7.0),))
    result = report(diary(), checks=[late], profile=profile(timezone="Europe/Berlin"))
    assert result.latest_check is not None
    assert result.latest_check.day == date(2025, 4, 21)


def test_no_check_and_no_events() -> None:
    result = report(diary())
    assert result.latest_check is None
    assert result.check_none_text == "No symptom check recorded."
    assert result.alerts == ()
    assert result.red_flags == ()
    assert "Not a diagnosis" in result.not_a_diagnosis


def test_the_report_is_frozen_and_checks_its_period() -> None:
    result = report(diary())
    with pytest.raises(ValidationError):
        result.days_logged = 1  # type: ignore[misc]
    with pytest.raises(ValueError, match="ends before"):
        report(diary(), first=LAST, last=START)


def test_every_finding_has_plain_words_for_the_report() -> None:
    missing = [f for f in Finding if f"report.finding.{f.value}" not in CATALOGUES["en"]]
    assert missing == []


def test_local_time_uses_the_entry_zone_and_drops_backdated_times() -> None:
    summer = entry(
        date(2025, 7, 1),
        3,
        at=datetime(2025, 7, 1, 18, 5, 59, tzinfo=UTC),
        zone="Europe/Berlin",
    )
    assert local_time(summer) == time(20, 5)
    # Logged the next morning "about yesterday": the time belongs to another date.
    backdated = entry(
        date(2025, 7, 1), 3, at=datetime(2025, 7, 2, 7, 0, tzinfo=UTC), zone="Europe/Berlin"
    )
    assert local_time(backdated) is None


def test_rows_from_entries_are_in_date_order_with_local_times() -> None:
    late = entry(
        date(2025, 3, 2), 5, at=datetime(2025, 3, 2, 21, 0, tzinfo=UTC), zone="Asia/Tokyo"
    )
    early = entry(date(2025, 3, 1), 4, note="  stiff  ")
    rows = rows_from_entries([late, early])
    assert [r.entry_date for r in rows] == [date(2025, 3, 1), date(2025, 3, 2)]
    assert rows[0].note == "stiff"
    assert rows[0].entry_time == time(19, 30)
    # 21:00 UTC is 06:00 on the 3rd in Tokyo: no time on the 2nd.
    assert rows[1].entry_time is None


def test_levels_in_the_words_of_onboarding() -> None:
    assert report(diary(), profile=profile(levels=0)).surgery_text.endswith(
        "Levels fused: none (other back surgery)."
    )
    assert report(diary(), profile=profile(levels=4)).surgery_text.endswith(
        "Levels fused: 3 or more."
    )
