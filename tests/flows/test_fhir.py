"""The FHIR R4 export: a valid Bundle with the codes, body sites and links of REFERENCE.md §4."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.riskassessment import RiskAssessment

from flows.clinical.codes import CauseId, Finding, Tier
from flows.dialogs.profile import ProfileState, ProfileStep
from flows.records.fhir import (
    ATC,
    DRUG_CLASS_SYSTEM,
    FLAG_DETAIL,
    RED_FLAG_SYSTEM,
    SNOMED,
    TREATMENT_SYSTEM,
    fhir_bundle,
)
from flows.records.models import (
    AdviceKind,
    AdviceSource,
    CheckResult,
    Entry,
    Profile,
    StoredAdvice,
)
from flows.records.treatment import (
    DrugClass,
    MedicineAction,
    MedicineChange,
    MedicineDose,
    MedicineKind,
    StoredTreatmentEvent,
    TreatmentKind,
)
from tests.onboarding import VALUES
from tests.patient import FlowLine
from tests.patient import Patient as PatientAtPhone

USER_ID = 987_654_321
GENERATED = datetime(2025, 4, 2, 9, 15, tzinfo=UTC)


def make_entry(
    number: int,
    day: date,
    at: datetime,
    back: int | None,
    leg: int | None,
    symptoms: tuple[Finding, ...] = (),
    note: str | None = None,
    zone: str = "Europe/Berlin",
    doses: int | None = None,
) -> Entry:
    return Entry(
        id=number,
        user_id=USER_ID,
        entry_date=day,
        recorded_at=at,
        timezone=zone,
        back_pain=back,
        leg_pain=leg,
        symptoms=symptoms,
        note=note,
        as_needed_doses=doses,
    )


ENTRIES = [
    make_entry(
        11,
        date(2025, 3, 30),
        datetime(2025, 3, 30, 18, 5, tzinfo=UTC),
        4,
        6,
        (Finding.PAIN_ONE_LEG, Finding.BLADDER_CHANGE),
        "Worse after driving; é ü – ✓",
        doses=2,
    ),
    make_entry(12, date(2025, 3, 29), datetime(2025, 3, 29, 19, 0, tzinfo=UTC), 3, None),
    # Recorded the next morning about the day before.
    make_entry(13, date(2025, 3, 31), datetime(2025, 4, 1, 6, 0, tzinfo=UTC), None, 2),
]


def profile(name: str | None = "J. D.") -> Profile:
    return Profile(
        user_id=USER_ID,
        consented_at=datetime(2025, 1, 1, tzinfo=UTC),
        display_name=name,
        surgery_year=2024,
        surgery_month=10,
        timezone="Europe/Berlin",
    )


def bundle(name: str | None = "J. D.", bundle_id: str = "export-1") -> dict[str, Any]:
    return fhir_bundle(
        profile=profile(name), entries=ENTRIES, generated_at=GENERATED, bundle_id=bundle_id
    )


def resources(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def test_the_whole_bundle_is_valid_fhir() -> None:
    data = bundle()
    parsed = Bundle.model_validate(data)
    assert parsed.type == "collection"
    # The patient, 3 entries, 4 pain scores and the red flag of the diary's bladder problems.
    assert len(parsed.entry or []) == 1 + 3 + 4 + 1
    for resource in resources(data, "QuestionnaireResponse"):
        QuestionnaireResponse.model_validate(resource)
    for resource in resources(data, "Observation"):
        Observation.model_validate(resource)
    [flag] = resources(data, "Flag")
    Flag.model_validate(flag)
    assert flag["code"]["coding"][0]["code"] == "RF-CES-1"
    # What a receiver gets is JSON.
    assert json.loads(json.dumps(data)) == data


def test_observations_carry_the_loinc_code_body_site_and_value() -> None:
    data = bundle()
    observations = resources(data, "Observation")
    sites = [o["bodySite"]["coding"][0]["code"] for o in observations]
    values = [o["valueInteger"] for o in observations]
    # Oldest entry first: back 3; then back 4, leg 6; then leg 2.
    assert sites == ["37822005", "37822005", "61685007", "61685007"]
    assert values == [3, 4, 6, 2]
    for observation in observations:
        assert observation["status"] == "final"
        [code] = observation["code"]["coding"]
        assert (code["system"], code["code"]) == ("http://loinc.org", "72514-3")
        [category] = observation["category"][0]["coding"]
        assert category["system"] == ("http://terminology.hl7.org/CodeSystem/observation-category")
        assert category["code"] == "survey"
        assert observation["bodySite"]["coding"][0]["system"] == "http://snomed.info/sct"


def test_each_observation_is_derived_from_its_entrys_questionnaire_response() -> None:
    data = bundle()
    urls = {e["resource"]["id"]: e["fullUrl"] for e in data["entry"]}
    [patient] = resources(data, "Patient")
    patient_ref = {"reference": urls[patient["id"]]}
    responses = resources(data, "QuestionnaireResponse")
    by_ref = {urls[r["id"]]: r for r in responses}
    for observation in resources(data, "Observation"):
        assert observation["subject"] == patient_ref
        assert observation["performer"] == [patient_ref]
        [source] = observation["derivedFrom"]
        response = by_ref[source["reference"]]
        which = (
            "back_pain"
            if observation["bodySite"]["coding"][0]["code"] == "37822005"
            else ("leg_pain")
        )
        [item] = [i for i in response["item"] if i["linkId"] == which]
        assert item["answer"] == [{"valueInteger": observation["valueInteger"]}]
    for response in responses:
        assert response["status"] == "completed"
        assert response["subject"] == response["author"] == patient_ref


def test_every_reference_resolves_inside_the_bundle() -> None:
    data = bundle()
    urls = [e["fullUrl"] for e in data["entry"]]
    assert len(set(urls)) == len(urls)
    assert all(url.startswith("urn:uuid:") for url in urls)
    references = [
        ref["reference"]
        for resource in (e["resource"] for e in data["entry"])
        for field in ("subject", "author", "source")
        if (ref := resource.get(field))
    ]
    references += [
        x["valueReference"]["reference"]
        for flag in resources(data, "Flag")
        for x in flag["extension"]
        if "valueReference" in x
    ]
    references += [
        ref["reference"]
        for o in resources(data, "Observation")
        for ref in [*o["performer"], *o["derivedFrom"]]
    ]
    assert references
    assert set(references) <= set(urls)


def test_questionnaire_answers_use_the_link_ids_and_types() -> None:
    first_answered = resources(bundle(), "QuestionnaireResponse")[1]
    items = {item["linkId"]: item["answer"] for item in first_answered["item"]}
    assert list(items) == ["back_pain", "leg_pain", "symptoms", "as_needed_doses", "note"]
    assert items["back_pain"] == [{"valueInteger": 4}]
    assert items["as_needed_doses"] == [{"valueInteger": 2}]
    assert [a["valueCoding"]["code"] for a in items["symptoms"]] == [
        "pain_one_leg",
        "bladder_change",
    ]
    assert items["note"] == [{"valueString": "Worse after driving; é ü – ✓"}]
    # Summer time in Berlin: the entry's own offset.
    assert first_answered["authored"] == "2025-03-30T20:05:00+02:00"


def test_times_carry_the_local_offset_and_a_backdated_entry_only_its_date() -> None:
    observations = resources(bundle(), "Observation")
    assert [o["effectiveDateTime"] for o in observations] == [
        "2025-03-29T20:00:00+01:00",
        "2025-03-30T20:05:00+02:00",
        "2025-03-30T20:05:00+02:00",
        "2025-03-31",
    ]


def test_the_patient_holds_only_the_chosen_name_or_nothing() -> None:
    [named] = resources(bundle(), "Patient")
    assert set(named) == {"resourceType", "id", "name"}
    assert named["name"] == [{"text": "J. D."}]
    data = bundle(name=None)
    [anonymous] = resources(data, "Patient")
    assert set(anonymous) == {"resourceType", "id"}
    assert str(USER_ID) not in json.dumps(data)
    assert "11" not in {r["id"] for r in resources(data, "QuestionnaireResponse")}


async def onboarded_as(typed_name: str | None) -> Profile:
    """The profile of a patient who walked onboarding, typing this name (None: Skip)."""
    line = FlowLine()
    patient = PatientAtPhone(line)
    await patient.send("/start")
    for value in VALUES:
        state = line.driver.state
        at_name = isinstance(state, ProfileState) and state.step is ProfileStep.DISPLAY_NAME
        if at_name and typed_name is not None:
            await patient.type(typed_name)
        else:
            await patient.press_value(value)
    assert line.driver.state is None
    assert line.driver.ctx.profile is not None
    return line.driver.ctx.profile


async def test_the_name_typed_in_onboarding_is_the_patients_name_in_fhir() -> None:
    data = fhir_bundle(
        profile=await onboarded_as("  Maria\n Rossi "),
        entries=ENTRIES,
        generated_at=GENERATED,
        bundle_id="export-1",
    )
    Bundle.model_validate(data)
    [patient] = resources(data, "Patient")
    parsed = Patient.model_validate(patient)
    assert [n.text for n in parsed.name or []] == ["Maria Rossi"]
    assert set(patient) == {"resourceType", "id", "name"}


async def test_a_skipped_name_leaves_the_fhir_patient_without_one() -> None:
    data = fhir_bundle(
        profile=await onboarded_as(None), entries=ENTRIES, generated_at=GENERATED, bundle_id="e"
    )
    [patient] = resources(data, "Patient")
    assert Patient.model_validate(patient).name is None
    assert set(patient) == {"resourceType", "id"}


def test_ids_are_deterministic_per_bundle_id_and_differ_between_exports() -> None:
    assert bundle() == bundle()
    one = {e["fullUrl"] for e in bundle(bundle_id="export-1")["entry"]}
    two = {e["fullUrl"] for e in bundle(bundle_id="export-2")["entry"]}
    assert not one & two


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="bundle_id"):
        bundle(bundle_id="not a valid id!")
    with pytest.raises(ValueError, match="timezone-aware"):
        fhir_bundle(
            profile=profile(),
            entries=ENTRIES,
            generated_at=datetime(2025, 1, 1),
            bundle_id="export-1",
        )


def test_an_empty_diary_is_a_bundle_with_only_the_patient() -> None:
    data: dict[str, Any] = fhir_bundle(
        profile=profile(), entries=[], generated_at=GENERATED, bundle_id="e"
    )
    Bundle.model_validate(data)
    assert [e["resource"]["resourceType"] for e in data["entry"]] == ["Patient"]
    assert data["timestamp"] == "2025-04-02T09:15:00+00:00"


def test_the_validator_would_catch_a_broken_resource() -> None:
    data = bundle()
    observation = resources(data, "Observation")[0]
    observation["valueInteger"] = "six"
    with pytest.raises(ValueError, match="valueInteger"):
        Bundle.model_validate(data)


# --- The safety record: checks, red flags and the advice sent ------------------------------------

FIRST, LAST = date(2025, 3, 29), date(2025, 3, 31)
# An earlier check in the period with a wound infection, a later one with none; one before.
CHECKS = [
    CheckResult(
        recorded_at=datetime(2025, 3, 29, 8, 0, tzinfo=UTC),
        days_since_surgery=20,
        tier=Tier.URGENT,
        findings=(Finding.WOUND_INFECTION_SIGNS,),
        red_flags=("RF-SSI-1",),
        causes=((CauseId.INFECTION, 9.0),),
    ),
    CheckResult(
        recorded_at=datetime(2025, 3, 31, 8, 0, tzinfo=UTC),
        tier=Tier.SOON,
        findings=(Finding.PAIN_MECHANICAL,),
        unsure=(Finding.PAIN_NEUROPATHIC,),
        causes=((CauseId.PSEUDARTHROSIS, 7.0), (CauseId.ADJACENT_SEGMENT_DISEASE, 5.0)),
    ),
    CheckResult(
        recorded_at=datetime(2025, 3, 1, 8, 0, tzinfo=UTC),
        tier=Tier.EMERGENCY,
        findings=(Finding.SADDLE_NUMBNESS,),
        red_flags=("RF-CES-2",),
    ),
]
ADVICE = [
    # For the diary's bladder problems on 30 March, delivered.
    StoredAdvice(
        id=7,
        user_id=USER_ID,
        decided_at=datetime(2025, 3, 30, 18, 4, tzinfo=UTC),
        kind=AdviceKind.EMERGENCY,
        tier=Tier.EMERGENCY,
        text="Call 112 now.",
        source=AdviceSource.LOG,
        red_flags=("RF-CES-1",),
        findings=(Finding.BLADDER_CHANGE,),
        attempts=1,
        delivered_at=datetime(2025, 3, 30, 18, 4, 2, tzinfo=UTC),
    ),
    # For the check's wound, still not delivered.
    StoredAdvice(
        id=8,
        user_id=USER_ID,
        decided_at=datetime(2025, 3, 29, 7, 59, tzinfo=UTC),
        kind=AdviceKind.SAME_DAY,
        tier=Tier.URGENT,
        text="Contact your surgical team today.",
        source=AdviceSource.CHECK,
        red_flags=("RF-SSI-1",),
        findings=(Finding.WOUND_INFECTION_SIGNS,),
        attempts=5,
    ),
]


def safety_bundle(**changes: object) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "profile": profile(),
        "entries": ENTRIES,
        "generated_at": GENERATED,
        "bundle_id": "export-1",
        "checks": CHECKS,
        "advice": ADVICE,
        "first": FIRST,
        "last": LAST,
    }
    arguments.update(changes)
    return fhir_bundle(**arguments)


def urls_of(data: dict[str, Any]) -> dict[str, str]:
    return {e["resource"]["id"]: e["fullUrl"] for e in data["entry"]}


def test_every_safety_resource_is_valid_fhir() -> None:
    data = safety_bundle()
    Bundle.model_validate(data)
    kinds = [e["resource"]["resourceType"] for e in data["entry"]]
    assert kinds.count("RiskAssessment") == 2
    assert kinds.count("Flag") == 2
    assert kinds.count("Communication") == 2
    for resource in resources(data, "RiskAssessment"):
        RiskAssessment.model_validate(resource)
    for resource in resources(data, "Flag"):
        Flag.model_validate(resource)
    for resource in resources(data, "Communication"):
        Communication.model_validate(resource)


def test_each_check_is_a_risk_assessment_with_its_tier_and_red_flags() -> None:
    data = safety_bundle()
    urls = urls_of(data)
    flags = {urls[f["id"]]: f for f in resources(data, "Flag")}
    earlier, later = resources(data, "RiskAssessment")
    assert earlier["occurrenceDateTime"] == "2025-03-29T09:00:00+01:00"
    risk = earlier["prediction"][0]["qualitativeRisk"]
    assert [(c["system"], c["code"]) for c in risk["coding"]] == [
        ("http://terminology.hl7.org/CodeSystem/risk-probability", "high"),
        ("urn:backtrack:tier", "urgent"),
    ]
    assert risk["text"] == "T2, same day"
    [basis] = earlier["basis"]
    assert flags[basis["reference"]]["code"]["coding"][0]["code"] == "RF-SSI-1"
    assert earlier["note"][0]["text"] == "Red flags: Signs of a wound infection (RF-SSI-1)."
    assert earlier["prediction"][1]["outcome"]["coding"][0]["code"] == "infection"
    assert later["prediction"][0]["qualitativeRisk"]["coding"][1]["code"] == "soon"
    assert "basis" not in later
    assert [p["outcome"]["coding"][0]["code"] for p in later["prediction"][1:]] == [
        "pseudarthrosis",
        "adjacent_segment_disease",
    ]
    assert "Answered not sure: burning, tingling or electric pain." in [
        n["text"] for n in later["note"]
    ]


def test_each_red_flag_is_a_flag_on_the_patient_with_where_it_was_seen() -> None:
    data = safety_bundle()
    urls = urls_of(data)
    [patient] = resources(data, "Patient")
    by_url = {e["fullUrl"]: e["resource"] for e in data["entry"]}
    wound, bladder = resources(data, "Flag")
    for flag in (wound, bladder):
        assert flag["status"] == "active"
        assert flag["subject"] == {"reference": urls[patient["id"]]}
        assert flag["category"][0]["coding"][0]["code"] == "clinical"
        assert flag["code"]["coding"][0]["system"] == RED_FLAG_SYSTEM
    assert wound["code"]["text"] == "Signs of a wound infection (RF-SSI-1) – T2, same day"
    assert bladder["code"]["text"] == "New bladder problems (RF-CES-1) – T1, emergency"
    assert bladder["period"] == {"start": "2025-03-30T20:05:00+02:00"}
    details = {
        kind: [
            by_url[x["valueReference"]["reference"]]["resourceType"]
            for x in flag["extension"]
            if x["url"] == FLAG_DETAIL
        ]
        for kind, flag in (("wound", wound), ("bladder", bladder))
    }
    assert details == {
        "wound": ["RiskAssessment", "Communication"],
        "bladder": ["QuestionnaireResponse", "Communication"],
    }


def test_the_advice_says_whether_it_reached_the_patient() -> None:
    data = safety_bundle()
    urls = urls_of(data)
    flags = {urls[f["id"]]: f["code"]["coding"][0]["code"] for f in resources(data, "Flag")}
    by_reason = {
        flags[c["reasonReference"][0]["reference"]]: c for c in resources(data, "Communication")
    }
    delivered, pending = by_reason["RF-CES-1"], by_reason["RF-SSI-1"]
    assert delivered["status"] == "completed"
    assert delivered["received"] == "2025-03-30T20:04:02+02:00"
    assert delivered["priority"] == "stat"
    assert delivered["payload"] == [{"contentString": "Call 112 now."}]
    assert pending["status"] == "in-progress"
    assert "received" not in pending
    assert pending["note"][0]["text"].startswith("Not delivered yet (5 tries so far)")


def test_checks_and_advice_outside_the_period_are_left_out() -> None:
    data = safety_bundle(first=date(2025, 3, 31))
    assert [r["occurrenceDateTime"][:10] for r in resources(data, "RiskAssessment")] == [
        "2025-03-31"
    ]
    assert resources(data, "Flag") == []
    assert resources(data, "Communication") == []
    assert "RF-CES-2" not in json.dumps(safety_bundle())


def test_every_safety_reference_resolves_inside_the_bundle() -> None:
    data = safety_bundle()
    urls = set(urls_of(data).values())
    references = [
        ref["reference"] for r in resources(data, "RiskAssessment") for ref in r.get("basis", [])
    ]
    references += [
        x["valueReference"]["reference"]
        for f in resources(data, "Flag")
        for x in f["extension"]
        if "valueReference" in x
    ]
    references += [
        ref["reference"]
        for c in resources(data, "Communication")
        for ref in [c["subject"], *c["recipient"], *c["reasonReference"]]
    ]
    assert len(references) == 1 + 4 + 6
    assert set(references) <= urls


def test_the_validator_would_catch_a_broken_flag() -> None:
    data = safety_bundle()
    resources(data, "Flag")[0]["status"] = 3
    with pytest.raises(ValueError, match="status"):
        Bundle.model_validate(data)


def test_an_entry_without_doses_has_no_doses_answer_and_none_taken_is_zero() -> None:
    answered = resources(bundle(), "QuestionnaireResponse")
    assert ["as_needed_doses" in [i["linkId"] for i in qr["item"]] for qr in answered] == [
        False,
        True,
        False,
    ]
    none_taken = make_entry(14, date(2025, 4, 1), datetime(2025, 4, 1, 18, 0, tzinfo=UTC), 3, 1)
    data = fhir_bundle(
        profile=profile(),
        entries=[none_taken.model_copy(update={"as_needed_doses": 0})],
        generated_at=GENERATED,
        bundle_id="export-2",
    )
    [qr] = resources(data, "QuestionnaireResponse")
    QuestionnaireResponse.model_validate(qr)
    assert {i["linkId"]: i["answer"] for i in qr["item"]}["as_needed_doses"] == [
        {"valueInteger": 0}
    ]


# --- Medicines and treatment events (issue 19) ---------------------------------------------------


def change(
    medicine: int,
    action: MedicineAction,
    day: date,
    name: str,
    drug_class: DrugClass,
    kind: MedicineKind = MedicineKind.SCHEDULED,
    dose: str | None = None,
    times: int | None = None,
) -> MedicineChange:
    return MedicineChange(
        medicine=medicine,
        action=action,
        changed_on=day,
        recorded_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=19),
        name=name,
        drug_class=drug_class,
        kind=kind,
        dose=dose,
        times_a_day=times,
    )


START, CHANGE, STOP = MedicineAction.START, MedicineAction.CHANGE, MedicineAction.STOP
# Ibuprofen stopped in the period; pregabalin raised in it and still taken; tramadol as needed
# since before the period; naproxen stopped before the period began; a change after it.
MEDICINES = [
    change(1, START, date(2025, 3, 1), "Ibuprofen", DrugClass.NSAID, dose="400 mg", times=3),
    change(1, STOP, date(2025, 3, 30), "Ibuprofen", DrugClass.NSAID, dose="400 mg", times=3),
    change(2, START, date(2025, 3, 10), "Lyrica", DrugClass.GABAPENTINOID, dose="75 mg", times=2),
    change(
        2, CHANGE, date(2025, 3, 29), "Lyrica", DrugClass.GABAPENTINOID, dose="150 mg", times=2
    ),
    change(
        3, START, date(2025, 2, 1), "Tramadol", DrugClass.OPIOID, MedicineKind.AS_NEEDED, "50 mg"
    ),
    change(4, START, date(2025, 1, 2), "Naproxen", DrugClass.NSAID),
    change(4, STOP, date(2025, 2, 2), "Naproxen", DrugClass.NSAID),
    change(5, START, date(2025, 3, 31), "Devil's claw", DrugClass.OTHER),
    change(5, CHANGE, date(2025, 4, 2), "Devil's claw", DrugClass.OTHER, dose="2 capsules"),
]


def treatment(
    number: int, day: date, kind: TreatmentKind, detail: str | None = None
) -> StoredTreatmentEvent:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=12)
    return StoredTreatmentEvent(
        id=number, event_date=day, kind=kind, recorded_at=at, detail=detail
    )


EVENTS = [
    treatment(1, date(2025, 3, 30), TreatmentKind.MRI, "L4-5 disc bulge"),
    treatment(2, date(2025, 3, 29), TreatmentKind.INJECTION),
    treatment(3, date(2025, 3, 31), TreatmentKind.FALL, "Slipped on the stairs"),
    treatment(4, date(2025, 3, 31), TreatmentKind.DIAGNOSIS, "Adjacent segment disease"),
    treatment(5, date(2025, 3, 29), TreatmentKind.SCS_TRIAL),
    # Before the period: left out.
    treatment(6, date(2025, 3, 1), TreatmentKind.CT, "Fusion solid"),
]


def treatment_bundle(**changes: object) -> dict[str, Any]:
    return safety_bundle(medicine_changes=MEDICINES, treatment_events=EVENTS, **changes)


def statements_by_name(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for statement in resources(data, "MedicationStatement"):
        found.setdefault(statement["medicationCodeableConcept"]["text"], []).append(statement)
    return found


def test_medicines_and_events_are_valid_fhir_of_the_right_kinds() -> None:
    data = treatment_bundle()
    Bundle.model_validate(data)
    statements = resources(data, "MedicationStatement")
    procedures = resources(data, "Procedure")
    for statement in statements:
        MedicationStatement.model_validate(statement)
    for resource in procedures:
        Procedure.model_validate(resource)
    [condition] = resources(data, "Condition")
    Condition.model_validate(condition)
    fall = [o for o in resources(data, "Observation") if o["code"]["text"] == "A fall"]
    for observation in fall:
        Observation.model_validate(observation)
    # Ibuprofen, Lyrica twice, tramadol and devil's claw; naproxen ended before the period.
    assert len(statements) == 5
    assert [p["code"]["text"] for p in procedures] == [
        "Injection or nerve block",
        "Spinal cord stimulator trial",
        "MRI scan",
    ]
    assert len(fall) == 1
    # The safety record keeps its ids: the new resources come after it.
    kinds = [e["resource"]["resourceType"] for e in data["entry"]]
    assert kinds.index("MedicationStatement") > max(
        i for i, kind in enumerate(kinds) if kind == "Communication"
    )
    assert data["entry"][: len(safety_bundle()["entry"])] == safety_bundle()["entry"]


def test_each_way_of_taking_a_medicine_is_a_statement_with_its_period_and_status() -> None:
    by_name = statements_by_name(treatment_bundle())
    assert set(by_name) == {"Ibuprofen", "Lyrica", "Tramadol", "Devil's claw"}
    [ibuprofen] = by_name["Ibuprofen"]
    assert ibuprofen["status"] == "completed"
    assert ibuprofen["effectivePeriod"] == {"start": "2025-03-01", "end": "2025-03-30"}
    assert ibuprofen["dosage"][0]["text"] == "400 mg, 3 times a day"
    assert ibuprofen["dosage"][0]["asNeededBoolean"] is False
    assert ibuprofen["dosage"][0]["timing"] == {
        "repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}
    }
    before, after = by_name["Lyrica"]
    assert (before["status"], after["status"]) == ("completed", "active")
    assert before["effectivePeriod"] == {"start": "2025-03-10", "end": "2025-03-29"}
    assert after["effectivePeriod"] == {"start": "2025-03-29"}
    assert [s["dosage"][0]["text"] for s in (before, after)] == [
        "75 mg, 2 times a day",
        "150 mg, 2 times a day",
    ]
    # Recorded at 19:00 UTC, the last day of winter time in Berlin.
    assert after["dateAsserted"] == "2025-03-29T20:00:00+01:00"
    # The change of 2 April is after the period's last day, so the first dose still holds.
    [claw] = by_name["Devil's claw"]
    assert claw["status"] == "active"
    assert claw["dosage"][0]["text"] == "on a schedule"
    assert "end" not in claw["effectivePeriod"]


def test_an_as_needed_opioid_says_so_with_its_atc_group() -> None:
    by_name = statements_by_name(treatment_bundle())
    [tramadol] = by_name["Tramadol"]
    assert tramadol["status"] == "active"
    # Started before the period and taken through it.
    assert tramadol["effectivePeriod"] == {"start": "2025-02-01"}
    assert tramadol["dosage"] == [{"text": "50 mg, as needed", "asNeededBoolean": True}]
    concept = tramadol["medicationCodeableConcept"]
    assert [(c["system"], c["code"]) for c in concept["coding"]] == [
        (ATC, "N02A"),
        (DRUG_CLASS_SYSTEM, "opioid"),
    ]
    assert by_name["Lyrica"][0]["medicationCodeableConcept"]["coding"][0]["code"] == "N03AX"
    assert by_name["Ibuprofen"][0]["medicationCodeableConcept"]["coding"][0]["code"] == "M01A"
    # "Other" has no class to code: the patient's name for it only.
    assert by_name["Devil's claw"][0]["medicationCodeableConcept"] == {"text": "Devil's claw"}


def test_statements_are_the_patients_own_and_give_no_dosing_advice() -> None:
    data = treatment_bundle()
    urls = urls_of(data)
    [patient] = resources(data, "Patient")
    patient_ref = {"reference": urls[patient["id"]]}
    for statement in resources(data, "MedicationStatement"):
        assert statement["subject"] == statement["informationSource"] == patient_ref
        assert statement["category"]["coding"][0]["code"] == "patientspecified"
        assert "no dosing advice" in statement["note"][0]["text"]
        assert set(statement["dosage"][0]) <= {"text", "asNeededBoolean", "timing"}


def test_events_are_procedures_a_fall_an_observation_and_a_diagnosis_a_condition() -> None:
    data = treatment_bundle()
    injection, trial, mri = resources(data, "Procedure")
    for procedure in (injection, trial, mri):
        assert procedure["status"] == "completed"
    assert mri["performedDateTime"] == "2025-03-30"
    assert [(c["system"], c["code"]) for c in mri["code"]["coding"]] == [
        (SNOMED, "113091000"),
        (TREATMENT_SYSTEM, "mri"),
    ]
    assert mri["note"] == [{"text": "Result, in the patient's words: L4-5 disc bulge"}]
    # No SNOMED CT concept is guessed for a stimulator trial.
    assert trial["code"]["coding"] == [
        {
            "system": TREATMENT_SYSTEM,
            "code": "scs_trial",
            "display": "Spinal cord stimulator trial",
        }
    ]
    assert "note" not in injection
    [fall] = [
        o for o in resources(data, "Observation") if o["code"]["coding"][0]["system"] == SNOMED
    ]
    assert fall["code"]["coding"][0] == {"system": SNOMED, "code": "1912002", "display": "Fall"}
    assert fall["effectiveDateTime"] == "2025-03-31"
    assert fall["note"] == [{"text": "In the patient's words: Slipped on the stairs"}]
    [condition] = resources(data, "Condition")
    assert condition["code"] == {"text": "Adjacent segment disease"}
    assert condition["recordedDate"] == "2025-03-31"
    assert condition["verificationStatus"]["coding"][0]["code"] == "unconfirmed"
    assert "clinicalStatus" not in condition
    assert "Fusion solid" not in json.dumps(data)


def test_a_diagnosis_without_words_still_says_what_it_is() -> None:
    unnamed = [treatment(9, date(2025, 3, 30), TreatmentKind.DIAGNOSIS)]
    data = safety_bundle(treatment_events=unnamed)
    [condition] = resources(data, "Condition")
    Condition.model_validate(condition)
    assert condition["code"] == {"text": "A new diagnosis the patient did not name"}


def test_no_medicines_and_no_events_make_none_of_these_resources() -> None:
    data = safety_bundle(medicine_changes=[], treatment_events=[])
    assert data == safety_bundle()
    kinds = {e["resource"]["resourceType"] for e in data["entry"]}
    assert not kinds & {"MedicationStatement", "Procedure", "Condition"}
    # Only what lies outside the period: still none.
    outside = safety_bundle(
        medicine_changes=MEDICINES[5:7], treatment_events=EVENTS[5:], first=date(2025, 3, 29)
    )
    assert resources(outside, "MedicationStatement") == []
    assert resources(outside, "Procedure") == []


def test_an_entrys_doses_of_each_medicine_are_answers_of_its_questionnaire() -> None:
    entry = make_entry(
        15, date(2025, 3, 30), datetime(2025, 3, 30, 18, 0, tzinfo=UTC), 5, 2, doses=3
    ).model_copy(
        update={
            "medicine_doses": (
                MedicineDose(medicine=3, name="Tramadol", opioid=True, doses=3),
                MedicineDose(medicine=6, name="Paracetamol", doses=0),
                MedicineDose(medicine=7, name="Diclofenac gel"),
            )
        }
    )
    data = fhir_bundle(
        profile=profile(), entries=[entry], generated_at=GENERATED, bundle_id="export-3"
    )
    Bundle.model_validate(data)
    [qr] = resources(data, "QuestionnaireResponse")
    QuestionnaireResponse.model_validate(qr)
    items = {item["linkId"]: item for item in qr["item"]}
    assert list(items) == ["back_pain", "leg_pain", "as_needed_doses", "medicine_doses"]
    assert items["as_needed_doses"]["answer"] == [{"valueInteger": 3}]
    group = items["medicine_doses"]
    assert "answer" not in group
    # "Not said" is no answer; the top button means that many or more.
    assert group["item"] == [
        {
            "linkId": "medicine_doses.3",
            "text": "Tramadol (3 means 3 or more)",
            "answer": [{"valueInteger": 3}],
        },
        {"linkId": "medicine_doses.6", "text": "Paracetamol", "answer": [{"valueInteger": 0}]},
    ]
    # An entry without per-medicine doses has no such group.
    plain = resources(bundle(), "QuestionnaireResponse")
    assert all("medicine_doses" not in [i["linkId"] for i in qr["item"]] for qr in plain)
