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

from flows.clinical.codes import Tier
from flows.i18n import t
from flows.records.models import AdviceKind, CheckResult, Entry, Profile, StoredAdvice
from flows.records.report import (
    AdviceLine,
    CheckLine,
    EventSource,
    RedFlagEvent,
    finding_words,
    local_time,
    period_checks,
    period_events,
    recorded_local,
)

__all__ = [
    "BACK_SITE",
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
    "fhir_bundle",
]

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
LINK_IDS = ("back_pain", "leg_pain", "symptoms", "note")
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


def _ref(resource_id: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def _entry(resource_id: str, resource: dict[str, object]) -> dict[str, object]:
    return {"fullUrl": f"urn:uuid:{resource_id}", "resource": resource}


def _coding(system: str, code_display: tuple[str, str]) -> dict[str, str]:
    return {"system": system, "code": code_display[0], "display": code_display[1]}


def _patient(patient_id: str, profile: Profile) -> dict[str, object]:
    resource: dict[str, object] = {"resourceType": "Patient", "id": patient_id}
    name = (profile.display_name or "").strip()
    if name:
        resource["name"] = [{"text": name}]
    return resource


def _effective(entry: Entry) -> str:
    """When the rating applies: the local moment, or only the date for a backdated entry."""
    if local_time(entry) is None:
        # Recorded on a later day "about yesterday": the moment of recording would misdate it.
        return entry.entry_date.isoformat()
    return recorded_local(entry).replace(microsecond=0).isoformat()


def _questionnaire_response(
    qr_id: str, patient: dict[str, str], entry: Entry, language: str
) -> dict[str, object]:
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


def _observation(
    obs_id: str,
    patient: dict[str, str],
    qr: dict[str, str],
    value: int,
    which: str,
    effective: str,
    language: str,
) -> dict[str, object]:
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


def _risk_assessment(
    risk_id: str,
    patient: dict[str, str],
    check: CheckLine,
    flags: Sequence[str],
    language: str,
) -> dict[str, object]:
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
        resource["basis"] = [_ref(flag_id) for flag_id in flags]
    return resource


def _flag(
    flag_id: str,
    patient: dict[str, str],
    event: RedFlagEvent,
    details: Sequence[str],
    language: str,
) -> dict[str, object]:
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
    extensions += [{"url": FLAG_DETAIL, "valueReference": _ref(detail)} for detail in details]
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


def _communication(
    comm_id: str,
    patient: dict[str, str],
    advice: StoredAdvice,
    line: AdviceLine,
    reasons: Sequence[str],
    language: str,
) -> dict[str, object]:
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
        resource["reasonReference"] = [_ref(reason) for reason in reasons]
    return resource


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
) -> dict[str, object]:
    """Return the diary and its safety record as a FHIR R4 Bundle (collection), oldest first.

    Entries, checks and advice outside `first`..`last` (local dates; None: no bound) are left out.
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
    patient = _ref(patient_id)
    resources = [_entry(patient_id, _patient(patient_id, profile))]
    ordered = sorted(
        (e for e in entries if start <= e.entry_date <= end),
        key=lambda e: (e.entry_date, e.recorded_at),
    )
    responses: dict[int, str] = {}
    for entry in ordered:
        qr_id = ids.new()
        responses[entry.id] = qr_id
        resources.append(_entry(qr_id, _questionnaire_response(qr_id, patient, entry, language)))
        qr = _ref(qr_id)
        effective = _effective(entry)
        for which, value in (("back", entry.back_pain), ("leg", entry.leg_pain)):
            if value is None:
                continue
            obs_id = ids.new()
            resources.append(
                _entry(
                    obs_id,
                    _observation(obs_id, patient, qr, value, which, effective, language),
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
        risk = _risk_assessment(risk_id, patient, check, check_flags[risk_id], language)
        resources.append(_entry(risk_id, risk))
    for event, flag_id, details in zip(events, flag_ids, flag_details, strict=True):
        resources.append(_entry(flag_id, _flag(flag_id, patient, event, details, language)))
    for advice_id, comm_id in comm_ids.items():
        line = advice_lines[advice_id]
        resources.append(
            _entry(
                comm_id,
                _communication(
                    comm_id, patient, by_id[advice_id], line, advice_flags[advice_id], language
                ),
            )
        )
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "type": "collection",
        "timestamp": generated_at.replace(microsecond=0).isoformat(),
        "entry": resources,
    }
