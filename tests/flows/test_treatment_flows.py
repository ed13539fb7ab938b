"""/meds, /event and the as-needed doses medicine by medicine: what the patient sees and keeps."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from flows.clinical.codes import Finding, Tier
from flows.dialogs.dated import read_day
from flows.kit.core import (
    DeleteTreatmentEvent,
    SaveEntry,
    SaveMedicineChange,
    SaveProfile,
    SaveTreatmentEvent,
    SendAdvice,
)
from flows.records.models import AdviceKind, AdviceSource
from flows.records.treatment import (
    DrugClass,
    MedicineAction,
    MedicineChange,
    MedicineKind,
    StoredTreatmentEvent,
    TreatmentKind,
    medicines_on,
)
from tests.flows.driver import context_at
from tests.patient import FlowLine, Patient

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
TODAY = NOW.date()


def change(key: int, name: str, day: date, **fields: object) -> MedicineChange:
    values: dict[str, object] = {
        "medicine": key,
        "action": MedicineAction.START,
        "changed_on": day,
        "recorded_at": NOW - timedelta(days=40),
        "name": name,
        "drug_class": DrugClass.OTHER,
        "kind": MedicineKind.AS_NEEDED,
    }
    return MedicineChange.model_validate({**values, **fields})


TRAMADOL = change(1, "Tramadol", date(2026, 2, 1), drug_class=DrugClass.OPIOID, dose="50 mg")
PARACETAMOL = change(2, "Paracetamol", date(2026, 2, 3), drug_class=DrugClass.PARACETAMOL)
PREGABALIN = change(
    3,
    "Pregabalin",
    date(2026, 1, 5),
    drug_class=DrugClass.GABAPENTINOID,
    kind=MedicineKind.SCHEDULED,
    dose="75 mg",
    times_a_day=2,
)


def patient_with(
    *changes: MedicineChange, events: tuple[StoredTreatmentEvent, ...] = ()
) -> tuple[Patient, FlowLine]:
    line = FlowLine()
    ctx = context_at(NOW, consented=True)
    line.driver.ctx = replace(ctx, medicine_changes=changes, treatment_events=events)
    return Patient(line), line


def saved(line: FlowLine, kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in line.driver.effects if isinstance(e, kind)]


def test_the_list_on_a_day_is_read_from_dated_changes_never_overwritten() -> None:
    raised = TRAMADOL.model_copy(
        update={"action": MedicineAction.CHANGE, "changed_on": date(2026, 2, 20), "dose": "100 mg"}
    )
    stopped = TRAMADOL.model_copy(
        update={"action": MedicineAction.STOP, "changed_on": date(2026, 3, 1)}
    )
    history = [stopped, PARACETAMOL, raised, TRAMADOL]
    assert [m.name for m in medicines_on(history, date(2026, 1, 31))] == []
    on_10th = medicines_on(history, date(2026, 2, 10))
    assert [(m.name, m.dose) for m in on_10th] == [("Tramadol", "50 mg"), ("Paracetamol", None)]
    [tramadol, _] = medicines_on(history, date(2026, 2, 25))
    assert (tramadol.dose, tramadol.started_on, tramadol.changed_on) == (
        "100 mg",
        date(2026, 2, 1),
        date(2026, 2, 20),
    )
    assert [m.name for m in medicines_on(history, date(2026, 3, 1))] == ["Paracetamol"]


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-03-03", date(2026, 3, 3)),
        ("3.3.2026", date(2026, 3, 3)),
        ("3/3/26", date(2026, 3, 3)),
        ("3 May", date(2025, 5, 3)),
        ("May 3, 2024", date(2024, 5, 3)),
        ("8 march", date(2026, 3, 8)),
        ("Sun 8 Mar 2026", date(2026, 3, 8)),
        ("Sunday, 8 March", date(2026, 3, 8)),
        ("31.2.2026", None),
        ("yesterday-ish", None),
        ("13.13.2026", None),
    ],
)
def test_a_typed_date_is_read_as_people_write_it(typed: str, day: date | None) -> None:
    assert read_day(typed, TODAY) == day


async def test_a_new_as_needed_opioid_is_saved_dated_with_the_drowsiness_warning() -> None:
    patient, line = patient_with()
    await patient.send("/meds")
    assert "Add your first pain medicine" in patient.last
    assert "never suggest doses" in patient.last
    await patient.press("Add a medicine")
    await patient.press("opioid")
    await patient.type("Tramadol")
    await patient.press("As needed")
    await patient.type("50 mg")
    await patient.type("tomorrow")
    assert "couldn't read that as a date" in patient.last
    await patient.type("11.3.2026")
    assert "still to come" in patient.last
    await patient.type("1.3.2026")
    assert "Started Sun 1 Mar 2026:\nTramadol (opioid), 50 mg, as needed" in patient.last
    await patient.press("Save")
    assert "Tramadol (opioid), 50 mg, as needed is on your list" in patient.last
    assert "very drowsy" in patient.last
    [effect] = saved(line, SaveMedicineChange)
    assert effect.change == MedicineChange(
        medicine=1,
        action=MedicineAction.START,
        changed_on=date(2026, 3, 1),
        recorded_at=NOW,
        name="Tramadol",
        drug_class=DrugClass.OPIOID,
        kind=MedicineKind.AS_NEEDED,
        dose="50 mg",
    )


async def test_a_change_of_dose_is_a_new_record_of_the_same_medicine() -> None:
    patient, line = patient_with(PREGABALIN, TRAMADOL)
    await patient.send("/meds")
    assert "Pregabalin (gabapentinoid), 75 mg, 2 times a day" in patient.last
    await patient.press("Pregabalin")
    await patient.press("The dose or how often")
    await patient.type("150 mg")
    await patient.press("3")
    await patient.press("Yesterday")
    assert "What you took before stays in the record" in patient.last
    await patient.press("Save")
    [effect] = saved(line, SaveMedicineChange)
    assert (effect.change.medicine, effect.change.action, effect.change.dose) == (
        3,
        MedicineAction.CHANGE,
        "150 mg",
    )
    assert (effect.change.times_a_day, effect.change.changed_on) == (3, date(2026, 3, 9))


async def test_a_stop_dated_before_the_start_is_refused_and_nothing_is_saved() -> None:
    patient, line = patient_with(TRAMADOL)
    await patient.send("/meds")
    await patient.press("Tramadol")
    await patient.press("I stopped taking it")
    await patient.type("20.1.2026")
    await patient.press("Save")
    assert "before you started it" in patient.last
    assert saved(line, SaveMedicineChange) == []
    await patient.press("Back")
    await patient.press("Today")
    await patient.press("Save")
    [effect] = saved(line, SaveMedicineChange)
    assert (effect.change.action, effect.change.changed_on) == (MedicineAction.STOP, TODAY)


async def test_typing_where_a_button_is_expected_keeps_the_step() -> None:
    patient, line = patient_with()
    await patient.send("/meds")
    await patient.type("ibuprofen")
    assert "Please use the buttons" in patient.last
    assert "Add a medicine" in patient.labels()
    await patient.press("Add a medicine")
    await patient.type("ibuprofen")
    assert "First tap the kind of medicine" in patient.last
    assert "anti-inflammatory (NSAID)" in patient.labels()
    assert line.driver.effects == []


async def test_a_medicine_named_as_its_kind_is_not_named_twice() -> None:
    patient, _ = patient_with()
    await patient.send("/meds")
    for label in ("Add a medicine", "paracetamol", "Just call it", "As needed", "Skip", "Today"):
        await patient.press(label)
    assert "Started Tue 10 Mar 2026:\nparacetamol, as needed" in patient.last


async def test_an_mri_is_saved_with_its_one_line_result() -> None:
    patient, line = patient_with()
    await patient.send("/event")
    await patient.press("MRI scan")
    await patient.type("3 March")
    await patient.type("x" * 121)
    assert "longer than 120 characters" in patient.last
    await patient.type("  Disc bulge at L3-4,\n above the fusion ")
    await patient.press("Save")
    [effect] = saved(line, SaveTreatmentEvent)
    assert effect.event.model_dump(exclude={"recorded_at"}) == {
        "event_date": date(2026, 3, 3),
        "kind": TreatmentKind.MRI,
        "detail": "Disc bulge at L3-4, above the fusion",
    }
    assert "Tue 3 Mar 2026: MRI scan (Disc bulge at L3-4, above the fusion)" in patient.last


@pytest.mark.parametrize(("answer", "moves"), [("Yes, count from", True), ("No, keep", False)])
async def test_a_revision_offers_to_count_milestones_from_its_day(
    answer: str, moves: bool
) -> None:
    patient, line = patient_with()
    await patient.send("/event")
    await patient.press("Revision or new surgery")
    await patient.press("2 days ago")
    await patient.press("Save")
    # The event is kept at Save, whatever the answer to the question after it.
    assert len(saved(line, SaveTreatmentEvent)) == 1
    assert "starts a new recovery" in patient.last
    await patient.press(answer)
    profiles = saved(line, SaveProfile)
    if moves:
        [effect] = profiles
        assert effect.profile.surgery_date() == date(2026, 3, 8)
        assert "now count from Sun 8 Mar 2026" in patient.last
    else:
        assert profiles == []


async def test_an_event_entered_by_mistake_is_removed_after_a_confirmation() -> None:
    fall = StoredTreatmentEvent(
        id=9, event_date=date(2026, 3, 2), kind=TreatmentKind.FALL, recorded_at=NOW
    )
    patient, line = patient_with(events=(fall,))
    await patient.send("/event")
    assert "Mon 2 Mar 2026: A fall" in patient.last
    await patient.press("Remove one entered by mistake")
    await patient.press("Mon 2 Mar 2026: A fall")
    await patient.press("Remove it")
    assert saved(line, DeleteTreatmentEvent) == [DeleteTreatmentEvent(event_id=9)]


async def entry_to_doses(patient: Patient) -> None:
    await patient.send("/log")
    await patient.press("6")
    await patient.press("2")
    await patient.press("Done")


async def test_log_asks_the_doses_of_each_as_needed_medicine_and_keeps_their_total() -> None:
    patient, line = patient_with(PREGABALIN, TRAMADOL, PARACETAMOL)
    await entry_to_doses(patient)
    assert "How many doses of Tramadol" in patient.last
    assert "⚠️ I felt very drowsy after it" in patient.labels()
    await patient.press("2 doses")
    assert "How many doses of Paracetamol" in patient.last
    # An opioid's question alone offers the drowsiness red flag.
    assert "⚠️ I felt very drowsy after it" not in patient.labels()
    await patient.press("Back")
    assert "How many doses of Tramadol" in patient.last
    await patient.press("1 dose")
    await patient.press("3 or more")
    await patient.press("Skip")
    assert "Pain medicine as needed: Tramadol: 1 dose; Paracetamol: 3 or more" in patient.last
    await patient.press("Save")
    assert "/event adds it" in patient.last
    [effect] = saved(line, SaveEntry)
    assert effect.entry.as_needed_doses == 3
    assert [(d.name, d.doses, d.opioid) for d in effect.entry.medicine_doses] == [
        ("Tramadol", 1, True),
        ("Paracetamol", 3, False),
    ]


async def test_drowsiness_after_an_opioid_is_answered_as_the_emergency_it_is() -> None:
    patient, line = patient_with(TRAMADOL)
    await entry_to_doses(patient)
    await patient.press("I felt very drowsy after it")
    [advice] = line.driver.sent_advice()
    assert advice.advice.kind is AdviceKind.EMERGENCY
    assert advice.advice.tier is Tier.EMERGENCY
    [entry] = saved(line, SaveEntry)
    assert Finding.OPIOID_DROWSINESS in entry.entry.symptoms
    assert line.driver.state is None


async def test_a_list_without_as_needed_medicines_skips_the_doses() -> None:
    patient, _ = patient_with(PREGABALIN)
    await entry_to_doses(patient)
    assert "note" in patient.last.lower()
    assert "doses" not in patient.last
    await patient.press("Back")
    assert "NEW or WORSE" in patient.last


async def test_without_a_list_the_one_general_question_stays() -> None:
    patient, _ = patient_with()
    await entry_to_doses(patient)
    assert "AS NEEDED" in patient.last


async def test_a_fall_today_is_answered_with_rf_fx_at_once_before_save() -> None:
    patient, line = patient_with()
    await patient.send("/event")
    await patient.press("A fall")
    await patient.press("Today")
    # The day is given: the advice is sent now, whether or not Save is ever pressed.
    [sent] = saved(line, SendAdvice)
    assert sent.advice.tier is Tier.URGENT
    assert sent.advice.source is AdviceSource.EVENT
    assert "You may need an X-ray today." in sent.advice.text
    assert patient.last.startswith("⚠️ Contact your surgical team today.")
    assert "Save it?" in patient.last
    assert saved(line, SaveTreatmentEvent) == []
    # Back and another recent day: the same fall, not a second message.
    await patient.press("Back")
    await patient.press("Yesterday")
    assert len(saved(line, SendAdvice)) == 1
    await patient.press("Save")
    [kept] = saved(line, SaveTreatmentEvent)
    assert kept.event.kind is TreatmentKind.FALL


async def test_a_fall_with_a_weak_leg_ticked_this_week_is_an_emergency() -> None:
    patient, line = patient_with()
    flags = ((Finding.LEG_WEAKNESS, NOW.date() - timedelta(days=2)),)
    line.driver.ctx = replace(line.driver.ctx, recent_diary_flags=flags)
    await patient.send("/event")
    await patient.press("A fall")
    await patient.press("Yesterday")
    [sent] = saved(line, SendAdvice)
    assert sent.advice.tier is Tier.EMERGENCY
    # This profile names no country: the numbers of the regions it may be in.
    assert patient.last.startswith("⚠️ Call your local emergency number (112 in Europe, 911")
    assert "or go to the nearest Emergency Department now" in patient.last


async def test_a_fall_long_ago_is_history_and_sends_nothing() -> None:
    patient, line = patient_with()
    await patient.send("/event")
    await patient.press("A fall")
    await patient.type("1 March 2026")
    assert saved(line, SendAdvice) == []
    assert patient.last.startswith("Sun 1 Mar 2026: A fall")
    # A scan today is no red flag either.
    other, other_line = patient_with()
    await other.send("/event")
    await other.press("X-ray")
    await other.press("Today")
    assert saved(other_line, SendAdvice) == []


async def test_a_typed_count_at_a_medicines_dose_question_names_that_medicine() -> None:
    patient, line = patient_with(TRAMADOL)
    await entry_to_doses(patient)
    await patient.type("two, I think")
    assert patient.last.startswith(
        "Please tap how many doses of Tramadol you took, or Rather not say."
    )
    assert "How many doses of Tramadol" in patient.last
    assert saved(line, SaveEntry) == []
