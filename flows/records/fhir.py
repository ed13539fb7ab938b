"""The diary as a FHIR R4 Bundle for the care team's systems (REFERENCE.md §4).

Pure: returns plain JSON-ready dicts. One Bundle of type `collection` holds the Patient, one
QuestionnaireResponse per diary entry (what the patient answered, §4.2) and, per pain score,
an Observation derived from it: LOINC 72514-3 pain severity 0–10 with `valueInteger`, category
survey, the SNOMED CT body site (37822005 lower back, 61685007 lower limb), the Patient as
subject and performer, and `derivedFrom` the QuestionnaireResponse (§4.1, §4.2).

Then the safety record of the period, the same one the PDF lists (flows.records.report): one
RiskAssessment per symptom check (its tier as the qualitative risk, its red flags as `basis`,
its top causes as further predictions), one Flag per red flag or warning sign per day (the
red-flag ID in its code, `flag-detail` pointing at the entries, checks and advice it was seen
in), and one Communication per piece of safety advice the bot sent, `received` when Telegram
confirmed delivery.

Then the medicines and treatment events, as the patient entered them with /meds and /event:
one MedicationStatement per way a medicine was taken (each start or change until the next
change or stop; `active` if still so taken on the period's last day, else `completed`), with
the patient's name for it, its drug class (an ATC group where one fits) and the patient's own
dose words; one Procedure per treatment event (SNOMED CT where a concept surely fits, the
result of a scan in its note), except a fall, which is an Observation (SNOMED CT 1912002), and
a new diagnosis, which is an unconfirmed Condition in the patient's words. A diary entry's
as-needed doses of each medicine are answers of its QuestionnaireResponse.

Privacy: the Patient carries only the name the user chose (or nothing), never the Telegram id.
Every id is a UUID derived from the caller's `bundle_id` and a position in the bundle, so the
ids are the same for the same input and say nothing about the person; give each export a random
`bundle_id` (e.g. uuid4) and two exports cannot be linked through their ids.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date, datetime

from flows.records.fhir_resources import (
    ATC,
    ATC_CLASSES,
    BACK_SITE,
    DRUG_CLASS_SYSTEM,
    FINDING_SYSTEM,
    FLAG_DETAIL,
    FLAG_PRIORITY,
    LEG_SITE,
    LINK_IDS,
    LOINC,
    PAIN_SEVERITY,
    RED_FLAG_SYSTEM,
    SNOMED,
    TIER_SYSTEM,
    TREATMENT_SYSTEM,
    MedicinePeriod,
    communication,
    diagnosis_condition,
    effective_at,
    fall_observation,
    flag_resource,
    medication_statement,
    pain_observation,
    patient_resource,
    procedure,
    questionnaire_response,
    reference,
    risk_assessment,
)
from flows.records.models import CheckResult, Entry, Profile, StoredAdvice
from flows.records.report import EventSource, period_checks, period_events
from flows.records.treatment import (
    MedicineAction,
    MedicineChange,
    TreatmentEvent,
    TreatmentKind,
    changes_between,
)

__all__ = [
    "ATC",
    "ATC_CLASSES",
    "BACK_SITE",
    "DRUG_CLASS_SYSTEM",
    "FINDING_SYSTEM",
    "FLAG_DETAIL",
    "FLAG_PRIORITY",
    "LEG_SITE",
    "LINK_IDS",
    "LOINC",
    "PAIN_SEVERITY",
    "RED_FLAG_SYSTEM",
    "SNOMED",
    "TIER_SYSTEM",
    "TREATMENT_SYSTEM",
    "fhir_bundle",
]

_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
# Fixed, so that the same bundle_id always gives the same ids.
_NAMESPACE = uuid.UUID("6f1c1f9e-3c1b-5d2a-9a61-0d6f4b0f7c11")


class _Ids:
    """UUIDs for one bundle: a name-based UUID of the bundle_id with a counter in its last field.

    The version and variant bits sit in the fixed part, so every id is a valid UUID; a counter
    costs a fraction of a hash per resource, which matters for a ten-year diary.
    """

    def __init__(self, bundle_id: str) -> None:
        self._prefix = str(uuid.uuid5(_NAMESPACE, bundle_id))[:24]
        self._next = 0

    def new(self) -> str:
        number = self._next
        self._next += 1
        return f"{self._prefix}{number:012x}"


def _entry(resource_id: str, resource: dict[str, object]) -> dict[str, object]:
    return {"fullUrl": f"urn:uuid:{resource_id}", "resource": resource}


def _medicine_periods(
    changes: Sequence[MedicineChange], start: date, end: date
) -> list[MedicinePeriod]:
    """Each way a medicine was taken that overlaps start..end, by when it began."""
    periods: list[MedicinePeriod] = []
    open_by_medicine: dict[int, MedicineChange] = {}
    # A change after the period does not end a way of taking it within the period.
    for change in changes_between(changes, None, end):
        before = open_by_medicine.pop(change.medicine, None)
        if before is not None:
            periods.append(MedicinePeriod(before, until=change.changed_on))
        if change.action is not MedicineAction.STOP:
            # A change with no start before it (an import of part of a list) starts one too.
            open_by_medicine[change.medicine] = change
    periods.extend(MedicinePeriod(change) for change in open_by_medicine.values())
    return sorted(
        (p for p in periods if p.until is None or p.until >= start),
        key=lambda p: (p.change.changed_on, p.change.recorded_at, p.change.medicine),
    )


def _treatment_resource(
    resource_id: str, patient: dict[str, str], event: TreatmentEvent, language: str
) -> dict[str, object]:
    if event.kind is TreatmentKind.FALL:
        return fall_observation(resource_id, patient, event, language)
    if event.kind is TreatmentKind.DIAGNOSIS:
        return diagnosis_condition(resource_id, patient, event, language)
    return procedure(resource_id, patient, event, language)


def fhir_bundle(
    *,
    profile: Profile,
    entries: Sequence[Entry],
    generated_at: datetime,
    bundle_id: str,
    checks: Sequence[CheckResult] = (),
    advice: Sequence[StoredAdvice] = (),
    first: date | None = None,
    last: date | None = None,
    medicine_changes: Sequence[MedicineChange] = (),
    treatment_events: Sequence[TreatmentEvent] = (),
) -> dict[str, object]:
    """Return the diary, its safety record, medicines and treatment as a FHIR R4 Bundle.

    Entries, checks, advice and treatment events outside `first`..`last` (local dates; None: no
    bound) are left out, and so are medicines not taken in it; each kind is oldest first.
    """
    if not _FHIR_ID.fullmatch(bundle_id):
        raise ValueError("bundle_id must be a FHIR id: 1-64 letters, digits, '-' or '.'")
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    language = profile.language
    start = date.min if first is None else first
    end = date.max if last is None else last
    ids = _Ids(bundle_id)
    patient_id = ids.new()
    patient = reference(patient_id)
    resources = [_entry(patient_id, patient_resource(patient_id, profile))]
    ordered = sorted(
        (e for e in entries if start <= e.entry_date <= end),
        key=lambda e: (e.entry_date, e.recorded_at),
    )
    responses: dict[int, str] = {}
    for entry in ordered:
        qr_id = ids.new()
        responses[entry.id] = qr_id
        resources.append(_entry(qr_id, questionnaire_response(qr_id, patient, entry, language)))
        qr = reference(qr_id)
        effective = effective_at(entry)
        for which, value in (("back", entry.back_pain), ("leg", entry.leg_pain)):
            if value is None:
                continue
            obs_id = ids.new()
            resources.append(
                _entry(
                    obs_id,
                    pain_observation(obs_id, patient, qr, value, which, effective, language),
                )
            )
    check_lines = period_checks(checks, profile.timezone, start, end, language)
    events = period_events(
        profile=profile,
        entries=ordered,
        checks=checks,
        advice=advice,
        first=start,
        last=end,
        language=language,
    )
    # Every id is handed out before any resource is made, since checks, flags and advice
    # point at each other.
    risk_ids = [ids.new() for _ in check_lines]
    risk_at = {
        line.recorded_at: risk_id for line, risk_id in zip(check_lines, risk_ids, strict=True)
    }
    flag_ids = [ids.new() for _ in events]
    advice_lines = {a.id: a for event in events for a in event.advice}
    by_id = {a.id: a for a in advice}
    comm_ids = {
        advice_id: ids.new()
        for advice_id in sorted(advice_lines, key=lambda i: (advice_lines[i].decided_at, i))
    }
    check_flags: dict[str, list[str]] = {risk_id: [] for risk_id in risk_ids}
    advice_flags: dict[int, list[str]] = {advice_id: [] for advice_id in comm_ids}
    flag_details: list[list[str]] = []
    for event, flag_id in zip(events, flag_ids, strict=True):
        details = [responses[i] for i in dict.fromkeys(event.entry_ids) if i in responses]
        for seen in event.seen:
            finished = seen.source is EventSource.CHECK and seen.recorded
            risk_id = risk_at.get(seen.at) if finished else None
            if risk_id is not None and risk_id not in details:
                details.append(risk_id)
                check_flags[risk_id].append(flag_id)
        for line in event.advice:
            details.append(comm_ids[line.id])
            advice_flags[line.id].append(flag_id)
        flag_details.append(details)
    for check, risk_id in zip(check_lines, risk_ids, strict=True):
        risk = risk_assessment(risk_id, patient, check, check_flags[risk_id], language)
        resources.append(_entry(risk_id, risk))
    for event, flag_id, details in zip(events, flag_ids, flag_details, strict=True):
        resources.append(
            _entry(flag_id, flag_resource(flag_id, patient, event, details, language))
        )
    for advice_id, comm_id in comm_ids.items():
        line = advice_lines[advice_id]
        resources.append(
            _entry(
                comm_id,
                communication(
                    comm_id, patient, by_id[advice_id], line, advice_flags[advice_id], language
                ),
            )
        )
    # After the safety record, so that a diary with medicines keeps the other resources' ids.
    for period in _medicine_periods(medicine_changes, start, end):
        statement_id = ids.new()
        resources.append(
            _entry(
                statement_id,
                medication_statement(statement_id, patient, period, profile.timezone, language),
            )
        )
    dated_events = sorted(
        (e for e in treatment_events if start <= e.event_date <= end),
        key=lambda e: (e.event_date, e.recorded_at),
    )
    for treatment in dated_events:
        treatment_id = ids.new()
        resources.append(
            _entry(treatment_id, _treatment_resource(treatment_id, patient, treatment, language))
        )
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "type": "collection",
        "timestamp": generated_at.replace(microsecond=0).isoformat(),
        "entry": resources,
    }
