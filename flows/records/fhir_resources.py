"""The FHIR R4 resources of the diary's bundle, one function each (REFERENCE.md §4).

Each returns a plain JSON-ready dict; flows.records.fhir hands out the ids and puts them in the
Bundle. References point at `urn:uuid:` ids of the same bundle.

Medicines and treatment events are what the patient told BackTrack, never what BackTrack
advised: a MedicationStatement's dosage is the patient's own words and how often they said
they take it, and every Procedure, Observation of a fall and Condition is patient-reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flows.clinical.codes import Tier
from flows.i18n import t
from flows.records.models import AdviceKind, Entry, Profile, StoredAdvice
from flows.records.report import (
    AdviceLine,
    CheckLine,
    RedFlagEvent,
    finding_words,
    local_time,
    recorded_local,
)
from flows.records.report.treatment import how_taken
from flows.records.treatment import (
    MOST_DOSES,
    DrugClass,
    MedicineChange,
    MedicineKind,
    TreatmentEvent,
    TreatmentKind,
)

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
# BackTrack's own finding codes (DESIGN.md "Finding codes"); no public code system covers them.
FINDING_SYSTEM = "urn:backtrack:finding"
# Likewise the red-flag IDs of REFERENCE.md §1.2, the urgency tiers, the causes of §2 and the
# kinds of safety advice.
RED_FLAG_SYSTEM = "urn:backtrack:red-flag"
TIER_SYSTEM = "urn:backtrack:tier"
CAUSE_SYSTEM = "urn:backtrack:cause"
ADVICE_SYSTEM = "urn:backtrack:advice"
# The drug classes /meds offers and the kinds of treatment event /event offers; ATC and SNOMED
# CT codings are added beside them where one maps cleanly.
DRUG_CLASS_SYSTEM = "urn:backtrack:drug-class"
TREATMENT_SYSTEM = "urn:backtrack:treatment-event"
ATC = "http://www.whocc.no/atc"
MEDICATION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/medication-statement-category"
CONDITION_VERIFICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
RISK_SYSTEM = "http://terminology.hl7.org/CodeSystem/risk-probability"
FLAG_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/flag-category"
COMMUNICATION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/communication-category"
FLAG_PRIORITY_SYSTEM = "http://hl7.org/fhir/flag-priority-code"
# Core extensions of R4 for Flag: its priority, and the records that support it.
FLAG_PRIORITY = "http://hl7.org/fhir/StructureDefinition/flag-priority"
FLAG_DETAIL = "http://hl7.org/fhir/StructureDefinition/flag-detail"
# Displays are the code systems' own (REFERENCE.md §4.1), so they are not translated.
PAIN_SEVERITY = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
BACK_SITE = ("37822005", "Lower back structure")
LEG_SITE = ("61685007", "Lower limb structure")
SURVEY = ("survey", "Survey")
CLINICAL_FLAG = ("clinical", "Clinical")
ALERT = ("alert", "Alert")
LINK_IDS = ("back_pain", "leg_pain", "symptoms", "as_needed_doses", "medicine_doses", "note")
PATIENT_SPECIFIED = ("patientspecified", "Patient Specified")
UNCONFIRMED = ("unconfirmed", "Unconfirmed")
# A class code where the class is one ATC group; gabapentin (N03AX12) and pregabalin
# (N03AX16) share their group N03AX. "Other" is the patient's name for it only.
ATC_CLASSES = {
    DrugClass.PARACETAMOL: ("N02BE01", "paracetamol"),
    DrugClass.NSAID: ("M01A", "ANTIINFLAMMATORY AND ANTIRHEUMATIC PRODUCTS, NON-STEROIDS"),
    DrugClass.GABAPENTINOID: ("N03AX", "Other antiepileptics"),
    DrugClass.OPIOID: ("N02A", "OPIOIDS"),
    DrugClass.MUSCLE_RELAXANT: ("M03", "MUSCLE RELAXANTS"),
    DrugClass.ANTIDEPRESSANT: ("N06A", "ANTIDEPRESSANTS"),
}
# Only concepts that match the event as the patient names it; an injection, a revision or a
# stimulator stays text with BackTrack's own code rather than a guessed SNOMED CT concept.
PROCEDURE_CODES = {
    TreatmentKind.MRI: ("113091000", "Magnetic resonance imaging"),
    TreatmentKind.CT: ("77477000", "Computerized axial tomography"),
    TreatmentKind.XRAY: ("363680008", "Radiographic imaging procedure"),
    TreatmentKind.PHYSIO_START: ("91251008", "Physical therapy procedure"),
    TreatmentKind.PHYSIO_END: ("91251008", "Physical therapy procedure"),
}
FALL = ("1912002", "Fall")
# A tier says how soon to act, not how likely harm is; the nearest HL7 likelihoods and alarm
# priorities, with the tier itself in a second coding.
_RISK = {
    Tier.EMERGENCY: ("high", "High likelihood"),
    Tier.URGENT: ("high", "High likelihood"),
    Tier.SOON: ("moderate", "Moderate likelihood"),
    Tier.ROUTINE: ("low", "Low likelihood"),
}
_PRIORITY = {
    Tier.EMERGENCY: ("PH", "High priority"),
    Tier.URGENT: ("PH", "High priority"),
    Tier.SOON: ("PM", "Medium priority"),
    Tier.ROUTINE: ("PL", "Low priority"),
}
_COMMUNICATION_PRIORITY = {
    AdviceKind.EMERGENCY: "stat",
    AdviceKind.CRISIS: "stat",
    AdviceKind.SAME_DAY: "urgent",
    AdviceKind.SOON: "routine",
    AdviceKind.TREND: "routine",
}


def reference(resource_id: str) -> dict[str, str]:
    """A reference to a resource of the same bundle."""
    return {"reference": f"urn:uuid:{resource_id}"}


def _coding(system: str, code_display: tuple[str, str]) -> dict[str, str]:
    return {"system": system, "code": code_display[0], "display": code_display[1]}


def patient_resource(patient_id: str, profile: Profile) -> dict[str, object]:
    """The Patient: only the name the user chose, never the Telegram id."""
    resource: dict[str, object] = {"resourceType": "Patient", "id": patient_id}
    name = (profile.display_name or "").strip()
    if name:
        resource["name"] = [{"text": name}]
    return resource


def effective_at(entry: Entry) -> str:
    """When the rating applies: the local moment, or only the date for a backdated entry."""
    if local_time(entry) is None:
        # Recorded on a later day "about yesterday": the moment of recording would misdate it.
        return entry.entry_date.isoformat()
    return recorded_local(entry).replace(microsecond=0).isoformat()


def questionnaire_response(
    qr_id: str, patient: dict[str, str], entry: Entry, language: str
) -> dict[str, object]:
    """One diary entry as the patient answered it (REFERENCE.md §4.2)."""
    items: list[dict[str, object]] = []
    for link_id, value in (("back_pain", entry.back_pain), ("leg_pain", entry.leg_pain)):
        if value is not None:
            items.append(
                {
                    "linkId": link_id,
                    "text": t(language, f"fhir.{link_id.removesuffix('_pain')}"),
                    "answer": [{"valueInteger": value}],
                }
            )
    if entry.symptoms:
        items.append(
            {
                "linkId": "symptoms",
                "text": t(language, "fhir.symptoms"),
                "answer": [
                    {
                        "valueCoding": {
                            "system": FINDING_SYSTEM,
                            "code": finding.value,
                            "display": t(language, f"report.finding.{finding.value}"),
                        }
                    }
                    for finding in entry.symptoms
                ],
            }
        )
    if entry.as_needed_doses is not None:
        # As answered: a count, the last choice meaning that many or more; the total of the
        # per-medicine counts below when the patient has as-needed medicines on /meds.
        doses = {"valueInteger": entry.as_needed_doses}
        items.append(
            {"linkId": "as_needed_doses", "text": t(language, "fhir.doses"), "answer": [doses]}
        )
    per_medicine = _medicine_dose_items(entry, language)
    if per_medicine:
        items.append(
            {
                "linkId": "medicine_doses",
                "text": t(language, "fhir.medicine_doses"),
                "item": per_medicine,
            }
        )
    note = (entry.note or "").strip()
    if note:
        items.append(
            {"linkId": "note", "text": t(language, "fhir.note"), "answer": [{"valueString": note}]}
        )
    return {
        "resourceType": "QuestionnaireResponse",
        "id": qr_id,
        "status": "completed",
        "subject": patient,
        "author": patient,
        "source": patient,
        "authored": recorded_local(entry).replace(microsecond=0).isoformat(),
        "item": items,
    }


def _medicine_dose_items(entry: Entry, language: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for dose in entry.medicine_doses:
        # "Not said" is no answer, as for the other questions.
        if dose.doses is None:
            continue
        key = "fhir.medicine_doses.or_more" if dose.doses >= MOST_DOSES else ""
        items.append(
            {
                "linkId": f"medicine_doses.{dose.medicine}",
                "text": t(language, key, name=dose.name, n=MOST_DOSES) if key else dose.name,
                "answer": [{"valueInteger": dose.doses}],
            }
        )
    return items


def pain_observation(
    obs_id: str,
    patient: dict[str, str],
    qr: dict[str, str],
    value: int,
    which: str,
    effective: str,
    language: str,
) -> dict[str, object]:
    """One pain score as a LOINC pain-severity Observation derived from its entry (§4.1)."""
    site = BACK_SITE if which == "back" else LEG_SITE
    return {
        "resourceType": "Observation",
        "id": obs_id,
        "status": "final",
        "category": [{"coding": [_coding(CATEGORY_SYSTEM, SURVEY)]}],
        "code": {
            "coding": [_coding(LOINC, PAIN_SEVERITY)],
            "text": t(language, f"fhir.{which}"),
        },
        "subject": patient,
        "performer": [patient],
        "effectiveDateTime": effective,
        "valueInteger": value,
        "bodySite": {
            "coding": [_coding(SNOMED, site)],
            "text": t(language, f"fhir.{which}_site"),
        },
        "derivedFrom": [qr],
    }


def _moment(at: datetime) -> str:
    return at.replace(microsecond=0).isoformat()


def _tier_concept(tier: Tier, language: str) -> dict[str, object]:
    return {
        "coding": [
            _coding(RISK_SYSTEM, _RISK[tier]),
            {
                "system": TIER_SYSTEM,
                "code": tier.value,
                "display": t(language, f"report.tier.{tier.value}"),
            },
        ],
        "text": t(language, f"report.tier.{tier.value}"),
    }


def risk_assessment(
    risk_id: str,
    patient: dict[str, str],
    check: CheckLine,
    flags: Sequence[str],
    language: str,
) -> dict[str, object]:
    """One symptom check: its tier, the red flags it is based on and its top causes."""
    # A RiskAssessment rather than a QuestionnaireResponse: what the team acts on is the
    # rules' verdict (how soon, which red flags, which causes), which a QuestionnaireResponse
    # has no place for; the answers themselves are in the note.
    predictions: list[dict[str, object]] = [
        {
            "outcome": {"text": t(language, f"fhir.check.outcome.{check.tier.value}")},
            "qualitativeRisk": _tier_concept(check.tier, language),
            "rationale": t(language, "fhir.check.rationale"),
        }
    ]
    for rank, cause in enumerate(check.causes, start=1):
        predictions.append(
            {
                "outcome": {
                    "coding": [
                        {"system": CAUSE_SYSTEM, "code": cause.id.value, "display": cause.name}
                    ],
                    "text": cause.name,
                },
                "rationale": t(
                    language,
                    "fhir.check.cause_rationale",
                    rank=rank,
                    count=len(check.causes),
                    score=f"{cause.score:.1f}",
                ),
            }
        )
    notes = [t(language, "fhir.check.flags", flags=check.flags_text)]
    if check.findings:
        notes.append(
            t(language, "report.check.findings", findings=finding_words(check.findings, language))
        )
    if check.unsure:
        notes.append(
            t(language, "report.check.unsure", findings=finding_words(check.unsure, language))
        )
    resource: dict[str, object] = {
        "resourceType": "RiskAssessment",
        "id": risk_id,
        "status": "final",
        "method": {"text": t(language, "fhir.check.method")},
        "subject": patient,
        "occurrenceDateTime": _moment(check.recorded_at),
        "prediction": predictions,
        "mitigation": t(language, f"fhir.check.mitigation.{check.tier.value}"),
        "note": [{"text": text} for text in notes],
    }
    if flags:
        resource["basis"] = [reference(flag_id) for flag_id in flags]
    return resource


def flag_resource(
    flag_id: str,
    patient: dict[str, str],
    event: RedFlagEvent,
    details: Sequence[str],
    language: str,
) -> dict[str, object]:
    """One red flag or warning sign of a day, pointing at the records it was seen in."""
    if event.flag_id is not None:
        coding = {"system": RED_FLAG_SYSTEM, "code": event.flag_id, "display": event.label}
    elif event.warning is not None:
        coding = {"system": FINDING_SYSTEM, "code": event.warning.value, "display": event.label}
    else:
        kinds = dict.fromkeys(a.kind.value for a in event.advice)
        coding = {
            "system": ADVICE_SYSTEM,
            "code": next(iter(kinds), "advice"),
            "display": event.label,
        }
    extensions: list[dict[str, object]] = [
        {
            "url": FLAG_PRIORITY,
            "valueCodeableConcept": {
                "coding": [_coding(FLAG_PRIORITY_SYSTEM, _PRIORITY[event.tier])],
                "text": event.tier_text,
            },
        }
    ]
    extensions += [{"url": FLAG_DETAIL, "valueReference": reference(detail)} for detail in details]
    start = min(s.at for s in event.seen)
    return {
        "resourceType": "Flag",
        "id": flag_id,
        "extension": extensions,
        # Active: BackTrack cannot know when a reported red flag was dealt with, so the flag
        # stays up for the team to review and close; the period starts when it was first seen.
        "status": "active",
        "category": [{"coding": [_coding(FLAG_CATEGORY_SYSTEM, CLINICAL_FLAG)]}],
        "code": {
            "coding": [coding],
            "text": t(language, "fhir.flag.text", name=event.name, tier=event.tier_text),
        },
        "subject": patient,
        "period": {"start": _moment(start)},
    }


def communication(
    comm_id: str,
    patient: dict[str, str],
    advice: StoredAdvice,
    line: AdviceLine,
    reasons: Sequence[str],
    language: str,
) -> dict[str, object]:
    """One piece of safety advice the bot sent, received once Telegram confirmed it."""
    resource: dict[str, object] = {
        "resourceType": "Communication",
        "id": comm_id,
        # Until Telegram confirms it the outbox keeps trying: in progress, not failed.
        "status": "completed" if line.delivered_at is not None else "in-progress",
        "category": [
            {
                "coding": [_coding(COMMUNICATION_CATEGORY_SYSTEM, ALERT)],
                "text": t(language, f"report.advice.kind.{advice.kind.value}"),
            }
        ],
        "priority": _COMMUNICATION_PRIORITY[advice.kind],
        "subject": patient,
        "recipient": [patient],
        "payload": [{"contentString": advice.text}],
    }
    if line.delivered_at is not None or advice.attempts:
        resource["sent"] = _moment(line.decided_at)
    if line.delivered_at is not None:
        resource["received"] = _moment(line.delivered_at)
    else:
        resource["note"] = [{"text": t(language, "fhir.advice.pending", attempts=advice.attempts)}]
    if reasons:
        resource["reasonReference"] = [reference(reason) for reason in reasons]
    return resource


@dataclass(frozen=True, slots=True)
class MedicinePeriod:
    """One way of taking a medicine: from the change that set it to the one that ended it."""

    change: MedicineChange
    # The day of the later change or stop; None while it is still taken this way.
    until: date | None = None


def _local_moment(at: datetime, timezone: str) -> str:
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return _moment(aware.astimezone(ZoneInfo(timezone)))


def medication_statement(
    statement_id: str,
    patient: dict[str, str],
    period: MedicinePeriod,
    timezone: str,
    language: str,
) -> dict[str, object]:
    """One medicine taken one way for a period, in the patient's words, with its drug class."""
    change = period.change
    codings: list[dict[str, str]] = []
    if change.drug_class in ATC_CLASSES:
        codings = [
            _coding(ATC, ATC_CLASSES[change.drug_class]),
            {
                "system": DRUG_CLASS_SYSTEM,
                "code": change.drug_class.value,
                "display": t(language, f"meds.class.{change.drug_class.value}"),
            },
        ]
    medication: dict[str, object] = {"text": change.name}
    if codings:
        medication = {"coding": codings, "text": change.name}
    as_needed = change.kind is MedicineKind.AS_NEEDED
    dosage: dict[str, object] = {
        "text": how_taken(language, change),
        "asNeededBoolean": as_needed,
    }
    if not as_needed and change.times_a_day:
        repeat = {"frequency": change.times_a_day, "period": 1, "periodUnit": "d"}
        dosage["timing"] = {"repeat": repeat}
    effective = {"start": change.changed_on.isoformat()}
    if period.until is not None:
        effective["end"] = period.until.isoformat()
    return {
        "resourceType": "MedicationStatement",
        "id": statement_id,
        # Ended by a later change or a stop: no longer taken this way, whichever it was.
        "status": "active" if period.until is None else "completed",
        "category": {"coding": [_coding(MEDICATION_CATEGORY_SYSTEM, PATIENT_SPECIFIED)]},
        "medicationCodeableConcept": medication,
        "subject": patient,
        "effectivePeriod": effective,
        "dateAsserted": _local_moment(change.recorded_at, timezone),
        "informationSource": patient,
        "note": [{"text": t(language, "fhir.medicine.note")}],
        "dosage": [dosage],
    }


def _event_concept(event: TreatmentEvent, language: str) -> dict[str, object]:
    codings = []
    if event.kind in PROCEDURE_CODES:
        codings.append(_coding(SNOMED, PROCEDURE_CODES[event.kind]))
    elif event.kind is TreatmentKind.FALL:
        codings.append(_coding(SNOMED, FALL))
    text = t(language, f"event.kind.{event.kind.value}")
    codings.append({"system": TREATMENT_SYSTEM, "code": event.kind.value, "display": text})
    return {"coding": codings, "text": text}


def _event_note(event: TreatmentEvent, language: str) -> list[dict[str, str]]:
    if not event.detail:
        return []
    key = "fhir.event.result" if event.kind.imaging else "fhir.event.detail"
    return [{"text": t(language, key, detail=event.detail)}]


def procedure(
    procedure_id: str, patient: dict[str, str], event: TreatmentEvent, language: str
) -> dict[str, object]:
    """One treatment event (a scan, an injection, an operation, ...) on the day it was."""
    resource: dict[str, object] = {
        "resourceType": "Procedure",
        "id": procedure_id,
        "status": "completed",
        "code": _event_concept(event, language),
        "subject": patient,
        "performedDateTime": event.event_date.isoformat(),
        "asserter": patient,
    }
    note = _event_note(event, language)
    if note:
        resource["note"] = note
    return resource


def fall_observation(
    obs_id: str, patient: dict[str, str], event: TreatmentEvent, language: str
) -> dict[str, object]:
    """A fall the patient reported, on the day it happened."""
    resource: dict[str, object] = {
        "resourceType": "Observation",
        "id": obs_id,
        "status": "final",
        "code": _event_concept(event, language),
        "subject": patient,
        "performer": [patient],
        "effectiveDateTime": event.event_date.isoformat(),
    }
    note = _event_note(event, language)
    if note:
        resource["note"] = note
    return resource


def diagnosis_condition(
    condition_id: str, patient: dict[str, str], event: TreatmentEvent, language: str
) -> dict[str, object]:
    """A new diagnosis in the patient's words, unconfirmed since only the patient reports it."""
    # No clinical status: BackTrack cannot know whether it is active or resolved, and R4 has no
    # "unknown" for it. The day the patient gives is when the diagnosis was made, so recorded.
    return {
        "resourceType": "Condition",
        "id": condition_id,
        "verificationStatus": {
            "coding": [_coding(CONDITION_VERIFICATION_SYSTEM, UNCONFIRMED)],
            "text": t(language, "fhir.diagnosis.reported"),
        },
        "code": {"text": event.detail or t(language, "fhir.diagnosis.unnamed")},
        "subject": patient,
        "recordedDate": event.event_date.isoformat(),
        "recorder": patient,
        "asserter": patient,
    }
