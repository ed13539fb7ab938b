"""The diary as a FHIR R4 Bundle for the care team's systems (REFERENCE.md §4).

Pure: returns plain JSON-ready dicts. One Bundle of type `collection` holds the Patient, one
QuestionnaireResponse per diary entry (what the patient answered, §4.2) and, per pain score,
an Observation derived from it: LOINC 72514-3 pain severity 0–10 with `valueInteger`, category
survey, the SNOMED CT body site (37822005 lower back, 61685007 lower limb), the Patient as
subject and performer, and `derivedFrom` the QuestionnaireResponse (§4.1, §4.2).

Privacy: the Patient carries only the name the user chose (or nothing), never the Telegram id.
Every id is a UUID derived from the caller's `bundle_id` and a position in the bundle, so the
ids are the same for the same input and say nothing about the person; give each export a random
`bundle_id` (e.g. uuid4) and two exports cannot be linked through their ids.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime

from flows.i18n import t
from flows.models import Entry, Profile
from flows.report import local_time, recorded_local

__all__ = [
    "BACK_SITE",
    "FINDING_SYSTEM",
    "LEG_SITE",
    "LINK_IDS",
    "LOINC",
    "PAIN_SEVERITY",
    "SNOMED",
    "fhir_bundle",
]

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
# BackTrack's own finding codes (DESIGN.md "Finding codes"); no public code system covers them.
FINDING_SYSTEM = "urn:backtrack:finding"
# Displays are the code systems' own (REFERENCE.md §4.1), so they are not translated.
PAIN_SEVERITY = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
BACK_SITE = ("37822005", "Lower back structure")
LEG_SITE = ("61685007", "Lower limb structure")
SURVEY = ("survey", "Survey")
LINK_IDS = ("back_pain", "leg_pain", "symptoms", "note")

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


def fhir_bundle(
    *,
    profile: Profile,
    entries: Sequence[Entry],
    generated_at: datetime,
    bundle_id: str,
) -> dict[str, object]:
    """Return the diary as a FHIR R4 Bundle (collection), entries oldest first."""
    if not _FHIR_ID.fullmatch(bundle_id):
        raise ValueError("bundle_id must be a FHIR id: 1-64 letters, digits, '-' or '.'")
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    language = profile.language
    ids = _Ids(bundle_id)
    patient_id = ids.new()
    patient = _ref(patient_id)
    resources = [_entry(patient_id, _patient(patient_id, profile))]
    ordered = sorted(entries, key=lambda e: (e.entry_date, e.recorded_at))
    for entry in ordered:
        qr_id = ids.new()
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
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "type": "collection",
        "timestamp": generated_at.replace(microsecond=0).isoformat(),
        "entry": resources,
    }
