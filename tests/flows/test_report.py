"""Page one of the surgeon's report: the numbers, alerts, red flags and the latest check."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from flows.clinical.codes import CauseId, Finding, Tier
from flows.clinical.rules_data import RED_FLAGS
from flows.clinical.trends import AlertKind, Measure, SentAlert, StatusKind
from flows.i18n import CATALOGUES
from flows.records.models import (
    AdviceKind,
    AdviceSource,
    CheckResult,
    Entry,
    EntrySource,
    Profile,
    Region,
    StoredAdvice,
)
from flows.records.report import EventSource, Report, build_report, local_time, rows_from_entries

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
    assert result.baseline_text == "Baseline: not yet known; it needs 14 days with a score."


def test_the_report_says_which_days_the_baseline_is_from() -> None:
    result = report(diary())
    back = result.measures[0]
    assert (back.baseline_first, back.baseline_last) == (START, START + timedelta(days=13))
    assert back.baseline_imported == 0
    assert result.baseline_text == (
        "Baseline: median of the patient's first 14 days with a score, 2025-03-01 to 2025-03-14 "
        "(before this period): back 3.0, leg 2.0."
    )
    # A period that starts with the diary has its baseline days in it.
    whole = report(diary(), first=START)
    assert "2025-03-01 to 2025-03-14: back 3.0, leg 2.0." in whole.baseline_text


def test_importing_older_rows_moves_the_baseline_and_the_report_says_so() -> None:
    logged = diary()
    before = report(logged).measures[0]
    assert before.crossed_text == "Yes, worse"
    # Two weeks of back pain 6 from before the app, imported from a spreadsheet later.
    older = [
        entry(START - timedelta(days=14 - i), 6).model_copy(update={"source": EntrySource.IMPORT})
        for i in range(14)
    ]
    result = report([*older, *logged])
    back = result.measures[0]
    assert back.baseline == 6.0
    assert back.crossed_text == "No"
    assert result.baseline_text == (
        "Baseline: median of the patient's first 14 days with a score, 2025-02-15 to 2025-02-28 "
        "(before this period; 14 of them imported from a file): back 6.0, leg 2.0."
    )


def test_after_an_early_start_the_report_names_the_settled_baseline_days() -> None:
    # The diary starts 9 days after surgery, back pain 7 while recovering, 3 from week 12: the
    # baseline is re-taken on the first 14 days from week 12 (2025-05-15).
    surgery = date(2025, 2, 20)
    settled = surgery + timedelta(days=84)
    entries = [
        entry(START + timedelta(days=i), 7 if START + timedelta(days=i) < settled else 3)
        for i in range(130)
    ]
    last = START + timedelta(days=129)
    result = report(
        entries,
        profile=profile(surgery_year=2025, surgery_month=2, surgery_day=20),
        first=last - timedelta(days=29),
        last=last,
    )
    back, leg = result.measures
    assert back.baseline == 3.0
    assert (back.baseline_first, back.baseline_last) == (date(2025, 5, 15), date(2025, 5, 28))
    assert (leg.baseline_first, leg.baseline_last) == (date(2025, 5, 15), date(2025, 5, 28))
    assert result.baseline_text.endswith(
        "2025-05-15 to 2025-05-28 (from 12 weeks after surgery, once the recovery had settled; "
        "before this period): back 3.0, leg 2.0."
    )


def test_back_and_leg_baselines_from_different_days_are_named_apart() -> None:
    # No leg score on the first two days: the leg baseline runs two days later.
    entries = [entry(START + timedelta(days=i), 3, None if i < 2 else 2) for i in range(60)]
    result = report(entries)
    assert result.baseline_text == (
        "Baseline: median of the patient's first 14 days with a score, 2025-03-01 to 2025-03-14 "
        "(before this period): back 3.0; 2025-03-03 to 2025-03-16 (before this period): leg 2.0."
    )


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
            day=LAST - timedelta(days=2),
            kind=AlertKind.RAPID_RISE,
            about=("back",),
            tier=Tier.SOON,
        ),
        SentAlert(day=START, kind=AlertKind.SUSTAINED_WORSENING, about=("leg",), tier=Tier.SOON),
        SentAlert(
            day=LAST, kind=AlertKind.RED_FLAG, about=("RF-CES-1", "fever"), tier=Tier.EMERGENCY
        ),
    ]
    result = report(diary(), alerts=alerts)
    assert [a.day for a in result.alerts] == [LAST - timedelta(days=2), LAST]
    rapid, flag = result.alerts
    assert rapid.reason == "Back pain 7-day average 5.1, baseline 3.0 (+2.1)"
    assert rapid.text == (
        f"{(LAST - timedelta(days=2)).isoformat()} · Within days · Rapid rise: "
        "Back pain 7-day average 5.1, baseline 3.0 (+2.1)"
    )
    assert flag.reason == "New bladder problems; warning sign: fever over 38 °C"
    assert flag.text.startswith(f"{LAST.isoformat()} · Emergency (now) · Red flag: New bladder")


def test_an_alert_after_an_early_start_is_measured_from_the_settled_baseline() -> None:
    # Back pain 7 while recovering, 3 from week 12, then 6 for the last week: the alert's
    # reason gives the baseline the detector measured from, 3, not the first weeks' 7.
    surgery = date(2025, 2, 20)
    settled = surgery + timedelta(days=84)
    last = START + timedelta(days=129)
    entries = [
        entry(
            START + timedelta(days=i),
            7 if START + timedelta(days=i) < settled else 6 if i > 122 else 3,
        )
        for i in range(130)
    ]
    alert = SentAlert(
        day=last, kind=AlertKind.SUSTAINED_WORSENING, about=("back",), tier=Tier.SOON
    )
    [line] = report(
        entries,
        profile=profile(surgery_year=2025, surgery_month=2, surgery_day=20),
        alerts=[alert],
        first=last - timedelta(days=29),
        last=last,
    ).alerts
    assert "baseline 3.0" in line.reason


def test_a_new_nerve_symptoms_alert_names_the_symptoms() -> None:
    entries = diary()
    entries[-1] = entry(LAST, 6, symptoms=(Finding.PAIN_NEUROPATHIC,))
    alert = SentAlert(
        day=LAST, kind=AlertKind.NEW_NERVE_SYMPTOMS, about=("nerve",), tier=Tier.SOON
    )
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
    assert event.flag_id == "RF-CES-1"
    assert event.sources == (EventSource.DIARY,)
    assert event.entry_ids == (day.toordinal(),)
    assert event.advice == ()
    assert event.delivered is None
    assert event.text == (
        f"{day.isoformat()} 19:30 · Emergency (now) · New bladder problems · seen in: diary 19:30"
    )
    # The FHIR export keeps the rule's ID and tier code in the flag's name.
    assert (event.name, event.tier_text) == ("New bladder problems (RF-CES-1)", "T1, emergency")


def test_red_flags_use_the_time_since_surgery_on_that_day() -> None:
    # A headache easing lying down is a possible spinal fluid leak in the first 6 weeks
    # (RF-CSF); later it is a warning sign for the team, not that red flag (§1.2).
    early = date(2024, 11, 25)
    found = (Finding.POSITIONAL_HEADACHE,)
    [event] = report([entry(early, 4, symptoms=found)], first=early, last=early).red_flags
    assert event.flag_id == "RF-CSF"
    [later] = report([entry(LAST, 4, symptoms=found)], first=LAST, last=LAST).red_flags
    assert later.flag_id is None
    assert later.warning is Finding.POSITIONAL_HEADACHE
    assert later.tier is Tier.SOON
    assert "· Within days · warning sign: headache easing lying down ·" in later.text


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
    assert summary.heading == "2025-04-20 · urgency: Within days"
    assert summary.details[0] == "Red flags: A fall, injury or sudden 'snap'."
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
    assert result.checks == ()
    assert result.flag_count_text == "No red flags or warning signs in this period."
    assert result.check_count_text == "No symptom check in this period."
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


# --- Every red flag of the period: diary, checks and the advice the bot sent ---------------------

D1 = LAST - timedelta(days=20)
D2 = LAST - timedelta(days=2)


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=UTC)


def advice(
    decided: datetime,
    *flags: str,
    number: int = 1,
    kind: AdviceKind = AdviceKind.EMERGENCY,
    tier: Tier = Tier.EMERGENCY,
    source: AdviceSource = AdviceSource.LOG,
    findings: tuple[Finding, ...] = (),
    delivered: datetime | None = None,
    attempts: int = 1,
    user_id: int = 5,
) -> StoredAdvice:
    return StoredAdvice(
        id=number,
        user_id=user_id,
        decided_at=decided,
        kind=kind,
        tier=tier,
        text="Call the emergency number now.",
        source=source,
        red_flags=flags,
        findings=findings,
        delivered_at=delivered,
        attempts=attempts,
    )


def with_flag(day: date, *symptoms: Finding) -> list[Entry]:
    entries = diary()
    index = (day - START).days
    entries[index] = entry(day, 6, symptoms=symptoms)
    return entries


def test_one_flag_seen_in_the_diary_a_check_and_advice_is_one_event() -> None:
    # Ticked in the diary at 19:30 (the advice was decided a moment before the save, §8.6)
    # and confirmed by a check at 20:10 the same day.
    entries = with_flag(D2, Finding.BLADDER_CHANGE)
    same_day = check(
        at(D2, 20, 10),
        (),
        tier=Tier.EMERGENCY,
        red_flags=("RF-CES-1",),
        findings=(Finding.BLADDER_CHANGE,),
    )
    given = advice(
        at(D2, 19, 29), "RF-CES-1", findings=(Finding.BLADDER_CHANGE,), delivered=at(D2, 19, 29, 4)
    )
    result = report(entries, checks=[same_day], advice=[given])
    [event] = result.red_flags
    assert event.flag_id == "RF-CES-1"
    assert event.sources == (EventSource.DIARY, EventSource.CHECK)
    assert event.time == time(19, 30)
    assert event.delivered is True
    assert event.advice_text == "Emergency advice given 19:29, delivered 19:29"
    assert event.text == (
        f"{D2.isoformat()} 19:30 · Emergency (now) · New bladder problems · seen in: diary 19:30, "
        "symptom check 20:10 · Emergency advice given 19:29, delivered 19:29"
    )
    assert result.flag_count_text == (
        "1 warning sign in this period, 1 emergency. Safety advice sent: 1, all delivered. "
        "All are listed under “Warning signs and checks”."
    )


def test_flags_of_an_earlier_check_a_later_check_the_diary_and_advice_are_all_listed() -> None:
    earlier = check(
        at(D1, 9),
        ((CauseId.INFECTION, 9.0),),
        tier=Tier.URGENT,
        findings=(Finding.WOUND_INFECTION_SIGNS,),
        red_flags=("RF-SSI-1",),
    )
    later = check(at(D2, 9), ((CauseId.PSEUDARTHROSIS, 7.0),), findings=(Finding.PAIN_MECHANICAL,))
    entries = with_flag(D2 + timedelta(days=1), Finding.LEG_WEAKNESS)
    # A crisis message after free text: no diary entry, no check.
    crisis = advice(
        at(D1 + timedelta(days=3), 23, 15),
        "RF-MH",
        kind=AdviceKind.CRISIS,
        source=AdviceSource.TEXT,
        findings=(Finding.SELF_HARM_THOUGHTS,),
        delivered=at(D1 + timedelta(days=3), 23, 16),
    )
    result = report(entries, checks=[later, earlier], advice=[crisis])
    assert [(e.day, e.flag_id, e.tier) for e in result.red_flags] == [
        (D1, "RF-SSI-1", Tier.URGENT),
        (D1 + timedelta(days=3), "RF-MH", Tier.EMERGENCY),
        (D2 + timedelta(days=1), "RF-NEU-1", Tier.URGENT),
    ]
    ssi, mental, weaker = result.red_flags
    assert ssi.seen_text == "symptom check 09:00"
    assert mental.seen_text == "message to the bot 23:15"
    assert mental.advice_text == "Crisis support message given 23:15, delivered 23:16"
    assert weaker.sources == (EventSource.DIARY,)
    assert result.flag_count_text.startswith(
        "3 warning signs in this period, 1 emergency, 2 same day. Safety advice sent: 1, all "
        "delivered."
    )
    # Every check of the period, oldest first; the latest one still in detail.
    assert [c.day for c in result.checks] == [D1, D2]
    assert result.checks[0].text == (
        f"{D1.isoformat()} 09:00 · urgency: Same day · red flags: Signs of a wound infection · "
        "top causes: 1. An infection around the spine or implant"
    )
    # The FHIR export's note keeps the rule's ID.
    assert result.checks[0].flags_text == "Signs of a wound infection (RF-SSI-1)"
    assert result.checks[1].flag_names_text == "none"
    assert result.check_count_text == (
        "2 symptom checks in this period, all listed under “Warning signs and checks”."
    )
    assert result.latest_check is not None
    assert result.latest_check.day == D2
    assert result.latest_check.details[1] == (
        "Answered yes: worse bending or lifting, better lying down."
    )


def test_advice_that_never_arrived_says_so() -> None:
    late = advice(at(D2, 7, 5), "RF-CES-1", findings=(Finding.BLADDER_CHANGE,), attempts=3)
    result = report(with_flag(D2, Finding.BLADDER_CHANGE), advice=[late])
    [event] = result.red_flags
    assert event.delivered is False
    assert event.advice_text == "Emergency advice decided 07:05, NOT delivered (tries: 3)"
    assert "Safety advice sent: 1, 1 NOT delivered." in result.flag_count_text


def test_advice_for_an_entry_never_saved_is_still_an_event() -> None:
    # The patient ticked bladder problems, got the emergency advice, then cancelled the entry.
    given = advice(at(D2, 10, 2), "RF-CES-1", delivered=at(D2, 10, 2))
    [event] = report(diary(), advice=[given]).red_flags
    assert event.flag_id == "RF-CES-1"
    assert event.tier is Tier.EMERGENCY
    assert event.seen_text == "diary 10:02 (entry not saved)"
    assert not event.seen[0].recorded
    assert event.text.endswith("Emergency advice given 10:02, delivered 10:02")


def test_advice_decided_the_morning_after_goes_with_the_backdated_entry() -> None:
    entries = diary()
    late = entry(D2, 6, symptoms=(Finding.BLADDER_CHANGE,), at=at(D2 + timedelta(days=1), 8))
    entries[(D2 - START).days] = late
    given = advice(at(D2 + timedelta(days=1), 7, 59), "RF-CES-1", delivered=at(D2, 23, 59))
    [event] = report(entries, advice=[given]).red_flags
    assert event.day == D2
    # Recorded on a later day: no time of its own on D2.
    assert event.time is None
    assert event.seen_text == f"diary {(D2 + timedelta(days=1)).isoformat()} 08:00"


def test_advice_for_warning_signs_alone_goes_with_those_signs() -> None:
    # Weight loss alone fires no red flag (tier T3), so the advice names no flag.
    soon = advice(at(D2, 19, 30), kind=AdviceKind.SOON, tier=Tier.SOON, delivered=at(D2, 19, 31))
    result = report(with_flag(D2, Finding.WEIGHT_LOSS), advice=[soon])
    [event] = result.red_flags
    assert event.warning is Finding.WEIGHT_LOSS
    assert event.advice_text.startswith("Advice to tell the team within days given 19:30")


def test_a_trend_alert_alone_is_not_a_warning_sign() -> None:
    trend = advice(at(D2, 8), kind=AdviceKind.TREND, tier=Tier.SOON, source=AdviceSource.TREND)
    assert report(diary(), advice=[trend]).red_flags == ()


def test_flags_checks_and_advice_outside_the_period_are_left_out() -> None:
    before = START + timedelta(days=10)
    old_check = check(at(before, 9), (), tier=Tier.URGENT, red_flags=("RF-SSI-1",))
    old_advice = advice(at(before, 9), "RF-CES-1")
    after = advice(at(LAST + timedelta(days=1), 9), "RF-CES-2", number=2)
    result = report(diary(), checks=[old_check], advice=[old_advice, after])
    assert result.red_flags == ()
    assert result.checks == ()
    # The latest check still shows in detail, with its own date.
    assert result.latest_check is not None
    assert result.latest_check.day == before


def test_the_tier_of_each_flag_of_a_check_is_its_own() -> None:
    # Both flags in one check, which stores only the highest tier: the wound is same day, the
    # bladder an emergency; a leg weakening with the bladder is an emergency too (§1.2).
    both = check(
        at(D2, 9),
        (),
        tier=Tier.EMERGENCY,
        findings=(Finding.BLADDER_CHANGE, Finding.WOUND_INFECTION_SIGNS),
        red_flags=("RF-CES-1", "RF-SSI-1"),
    )
    # Operated 17 days before: the wound-infection window is open (§8.1).
    recent = profile(surgery_year=2025, surgery_month=4, surgery_day=10)
    tiers = {e.flag_id: e.tier for e in report(diary(), checks=[both], profile=recent).red_flags}
    assert tiers == {"RF-CES-1": Tier.EMERGENCY, "RF-SSI-1": Tier.URGENT}
    # A flag the check kept from the diary (§8.7) without its answer: the rule's own tier,
    # never the check's higher one.
    kept = both.model_copy(update={"findings": (Finding.BLADDER_CHANGE,)})
    tiers = {e.flag_id: e.tier for e in report(diary(), checks=[kept], profile=recent).red_flags}
    assert tiers == {"RF-CES-1": Tier.EMERGENCY, "RF-SSI-1": Tier.URGENT}


def test_check_and_advice_days_are_local() -> None:
    # 23:30 UTC is already the next day in Berlin.
    late = check(at(D2, 23, 30), (), tier=Tier.URGENT, red_flags=("RF-SSI-1",))
    result = report(diary(), checks=[late], profile=profile(timezone="Europe/Berlin"))
    [event] = result.red_flags
    assert event.day == D2 + timedelta(days=1)
    assert event.seen_text == "symptom check 01:30"


def test_a_known_surgery_day_is_shown_and_not_estimated() -> None:
    result = report(diary(), profile=profile(surgery_day=3))
    assert result.surgery_text.startswith("Surgery: 2024-11-03. Region:")
    assert "estimated" not in result.since_text
    assert "15th" not in result.since_text
    # "In the last 2 weeks?" answered yes in a profile without the month (§8.1).
    bounded = report(
        diary(),
        profile=profile(surgery_year=None, surgery_month=None, surgery_after=date(2024, 11, 20)),
    )
    assert bounded.surgery_text.startswith("Surgery: on or after 2024-11-20 (day not recorded).")
    assert "middle of the days" in bounded.since_text


def test_urgency_in_words_and_rule_ids_in_a_key() -> None:
    entries = with_flag(D2, Finding.BLADDER_CHANGE)
    wound = check(
        at(D1, 9),
        (),
        tier=Tier.URGENT,
        findings=(Finding.WOUND_INFECTION_SIGNS,),
        red_flags=("RF-SSI-1",),
    )
    result = report(entries, checks=[wound])
    shown = [
        *(e.text for e in result.red_flags),
        *(c.text for c in result.checks),
        *(result.latest_check.details if result.latest_check else ()),
    ]
    assert not [line for line in shown if "RF-" in line or " T1" in line or " T2" in line]
    assert result.rule_key == (
        "RF-CES-1: New bladder problems, a rule for cauda equina syndrome.",
        "RF-SSI-1: Signs of a wound infection, a rule for a surgical site infection.",
    )
    assert result.urgency_key.startswith(
        "Urgency, as BackTrack's rules rank what the patient reported: Emergency (now) = "
        "emergency care at once (tier T1 of the clinical rules); Same day = the surgical team or "
        "on-call spinal service today (T2);"
    )
    # Nothing named, nothing in the key.
    assert report(diary()).rule_key == ()


def test_every_red_flag_rule_has_a_line_in_the_key() -> None:
    every = tuple(rule.id for rule in RED_FLAGS)
    result = report(diary(), checks=[check(at(D2, 9), (), tier=Tier.EMERGENCY, red_flags=every)])
    assert [line.split(":")[0] for line in result.rule_key] == list(every)
    assert all(", a rule for " in line for line in result.rule_key)
