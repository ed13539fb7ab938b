"""A trend alert names the treatment change it came after; a scan or an old change never."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flows.clinical.codes import Finding
from flows.clinical.trends import (
    RECENT_CHANGE_DAYS,
    AlertKind,
    Diary,
    Since,
    TreatmentHistory,
    replay,
)
from flows.records.diary_csv import DiaryRow
from flows.records.report.alerts import period_alerts
from flows.records.treatment import (
    DrugClass,
    MedicineAction,
    MedicineChange,
    MedicineKind,
    TreatmentEvent,
    TreatmentKind,
)

DAY = date(2026, 5, 20)


def event(day: date, kind: TreatmentKind, hour: int = 9) -> TreatmentEvent:
    return TreatmentEvent(
        event_date=day, kind=kind, recorded_at=datetime.combine(day, time(hour), tzinfo=UTC)
    )


def change(day: date, action: MedicineAction, hour: int = 9) -> MedicineChange:
    return MedicineChange(
        medicine=1,
        action=action,
        changed_on=day,
        recorded_at=datetime.combine(day, time(hour), tzinfo=UTC),
        name="Pregabalin",
        drug_class=DrugClass.GABAPENTINOID,
        kind=MedicineKind.SCHEDULED,
    )


def test_the_latest_named_change_in_the_four_weeks_before_is_named() -> None:
    history = TreatmentHistory.of(
        [event(date(2026, 5, 3), TreatmentKind.INJECTION)],
        [change(date(2026, 4, 30), MedicineAction.START)],
    )
    since = history.before(DAY)
    assert since == Since(day=date(2026, 5, 3), event=TreatmentKind.INJECTION)
    assert since.text("en", DAY) == "This is 17 days since the injection on Sun 3 May."


def test_a_medicine_stopped_after_the_injection_is_the_one_named() -> None:
    history = TreatmentHistory.of(
        [event(date(2026, 5, 3), TreatmentKind.INJECTION)],
        [change(date(2026, 5, 10), MedicineAction.STOP)],
    )
    since = history.before(DAY)
    assert since is not None
    assert since.text("en", DAY) == "This is 10 days since stopping Pregabalin on Sun 10 May."


def test_on_one_day_the_procedure_is_named_before_the_new_medicine() -> None:
    day = date(2026, 5, 12)
    history = TreatmentHistory.of(
        [event(day, TreatmentKind.REVISION, hour=8)], [change(day, MedicineAction.START, hour=20)]
    )
    since = history.before(day)
    assert since is not None
    assert since.text("en", day) == ("This began on the day of the revision surgery (Tue 12 May).")


def test_the_four_weeks_end_on_their_first_day() -> None:
    edge = DAY - timedelta(days=RECENT_CHANGE_DAYS)
    assert TreatmentHistory.of([event(edge, TreatmentKind.FALL)]).before(DAY) is not None
    before = edge - timedelta(days=1)
    assert TreatmentHistory.of([event(before, TreatmentKind.FALL)]).before(DAY) is None


def test_a_scan_a_diagnosis_or_a_change_after_the_day_is_not_named() -> None:
    history = TreatmentHistory.of(
        [
            event(DAY - timedelta(days=2), TreatmentKind.MRI),
            event(DAY - timedelta(days=3), TreatmentKind.DIAGNOSIS),
            event(DAY + timedelta(days=1), TreatmentKind.INJECTION),
        ],
        [change(DAY + timedelta(days=1), MedicineAction.STOP)],
    )
    assert history.before(DAY) is None


FIRST = date(2026, 1, 1)
STABLE = (3, 4, 3, 3, 4, 3, 2, 3, 4, 3, 3, 4, 3, 3, 4, 3, 3, 2, 3, 4, 3)


def _rows(jump_days: int, symptoms: tuple[Finding, ...] = ()) -> list[DiaryRow]:
    rows = [
        DiaryRow(entry_date=FIRST + timedelta(days=i), back_pain=b, leg_pain=1)
        for i, b in enumerate(STABLE)
    ]
    jump = FIRST + timedelta(days=len(STABLE))
    rows += [
        DiaryRow(entry_date=jump + timedelta(days=i), back_pain=7, leg_pain=1, symptoms=symptoms)
        for i in range(jump_days)
    ]
    return rows


def test_the_replay_names_the_injection_as_the_bot_does() -> None:
    injected = FIRST + timedelta(days=len(STABLE) - 9)
    history = TreatmentHistory.of([event(injected, TreatmentKind.INJECTION)])
    [alert] = replay(_rows(3), treatment=history)
    assert alert.kind is AlertKind.RAPID_RISE
    assert alert.reason("en").endswith("This is 11 days since the injection on Tue 13 Jan.")
    # Without the history the same alert has the same numbers and names nothing.
    [plain] = replay(_rows(3))
    assert alert.reason("en").startswith(plain.reason("en"))
    assert "since the" not in plain.reason("en")


def test_a_red_flag_after_an_injection_keeps_its_words() -> None:
    injected = FIRST + timedelta(days=len(STABLE) - 2)
    history = TreatmentHistory.of([event(injected, TreatmentKind.INJECTION)])
    alerts = replay(_rows(1, (Finding.SADDLE_NUMBNESS,)), treatment=history)
    flags = [a for a in alerts if a.kind is AlertKind.RED_FLAG]
    assert flags
    assert all(a.since is None for a in flags)
    assert all("injection" not in a.reason("en") for a in flags)


def test_the_report_lists_the_alert_with_the_same_words() -> None:
    injected = FIRST + timedelta(days=len(STABLE) - 9)
    history = TreatmentHistory.of([event(injected, TreatmentKind.INJECTION)])
    rows = _rows(3)
    [alert] = replay(rows, treatment=history)
    diary = Diary(rows)
    last = rows[-1].entry_date
    sent = [alert.sent()]
    [line] = period_alerts(sent, diary, [], FIRST, last, None, "en", history)
    assert line.reason.endswith("This is 11 days since the injection on Tue 13 Jan.")
    [without] = period_alerts(sent, diary, [], FIRST, last, None, "en")
    assert "injection" not in without.reason


def test_the_report_names_what_the_alert_named_not_a_fall_entered_after_it() -> None:
    injected = FIRST + timedelta(days=len(STABLE) - 9)
    rows = _rows(3)
    [alert] = replay(
        rows, treatment=TreatmentHistory.of([event(injected, TreatmentKind.INJECTION)])
    )
    sent_at = at_day(alert.day, 20)
    # The fall is dated the day before the alert, but was entered the morning after it.
    fall = TreatmentEvent(
        event_date=alert.day - timedelta(days=1),
        kind=TreatmentKind.FALL,
        recorded_at=sent_at + timedelta(hours=12),
    )
    history = TreatmentHistory.of([event(injected, TreatmentKind.INJECTION), fall])
    sent = [alert.sent().model_copy(update={"sent_at": sent_at})]
    [line] = period_alerts(sent, Diary(rows), [], FIRST, rows[-1].entry_date, None, "en", history)
    assert line.reason.endswith("This is 11 days since the injection on Tue 13 Jan.")
    # Known by the time it was sent, the fall is what it names.
    later = [alert.sent().model_copy(update={"sent_at": sent_at + timedelta(days=1)})]
    [named] = period_alerts(
        later, Diary(rows), [], FIRST, rows[-1].entry_date, None, "en", history
    )
    assert named.reason.endswith("This is 1 day since the fall on Fri 23 Jan.")


def at_day(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)
