"""Cauda equina symptoms named in free text, so that typed words get the emergency message too.

REFERENCE.md §8.8: before consent nothing is stored, but free text that names a cauda equina
symptom (bladder, bowel, saddle or genital numbness, both legs weak) gets the emergency message
straight away. The same words typed outside a flow, or in a diary note, get it after consent.
A false alarm costs one message that tells the patient what to do if the symptom is new; a
missed one can cost their bladder, so the patterns err on the side of firing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.clinical.codes import Finding


@dataclass(frozen=True, slots=True)
class TextPattern:
    """Words that name a red-flag symptom: all of `all_of` must match (each a regex)."""

    finding: Finding
    all_of: tuple[str, ...]
    source: str


_TROUBLE = (
    r"\b(can'?t|cannot|can not|couldn'?t|unable|trouble|problem|difficult|hard to|struggl|"
    r"not able|won'?t|weak|stopp|leak|lost|loss|no control|control|numb|accident|wet|"
    r"incontinen|retention|blocked)"
)
_BOWEL_TROUBLE = (
    r"\b(control|leak|accident|soil|incontinen|can'?t feel|cannot feel|didn'?t feel|no feeling|"
    r"numb|lost|messed)"
)
_NUMB = r"\b(numb|tingl|pins and needles|no feeling|can'?t feel|cannot feel|lost feeling|dead)"
_SADDLE_AREA = (
    r"\b(bottom|bum|butt|buttock|saddle|groin|genital|private|anus|anal|back passage|perine|"
    r"vagina|penis|scrotum|testicle|between (my|the) legs|inner thigh|crotch)"
)

TEXT_PATTERNS: tuple[TextPattern, ...] = (
    TextPattern(
        finding=Finding.BLADDER_CHANGE,
        all_of=(r"\b(pee|peeing|wee|urine|urinat\w*|bladder|piss\w*)\b", _TROUBLE),
        source="REFERENCE.md §8.8, RF-CES-1",
    ),
    TextPattern(
        finding=Finding.BLADDER_CHANGE,
        all_of=(r"\bincontinen\w*|wet (myself|the bed)\b",),
        source="REFERENCE.md §8.8, RF-CES-1",
    ),
    TextPattern(
        finding=Finding.BOWEL_CHANGE,
        # Constipation, common on opioids, is not a cauda equina sign: only control and feeling.
        all_of=(r"\b(bowel\w*|poo|poop\w*|stool\w*|faec\w*|fec\w*|motion\w*)\b", _BOWEL_TROUBLE),
        source="REFERENCE.md §8.8, RF-CES-3",
    ),
    TextPattern(
        finding=Finding.SADDLE_NUMBNESS,
        all_of=(_NUMB, _SADDLE_AREA),
        source="REFERENCE.md §8.8, RF-CES-2",
    ),
    TextPattern(
        finding=Finding.SADDLE_NUMBNESS,
        all_of=(r"toilet paper|wiping|when i wipe",),
        source="REFERENCE.md §1.2 RF-CES-2 ('does toilet paper feel different when you wipe')",
    ),
    TextPattern(
        finding=Finding.BOTH_LEGS_NEW,
        all_of=(
            r"\bboth (of my )?legs\b|(?<!between )\bmy legs\b|\blegs are\b",
            r"(weak|numb|giving way|"
            r"can'?t walk|cannot walk|can'?t stand|collaps|paraly|dead)",
        ),
        source="REFERENCE.md §8.8, RF-CES-5",
    ),
)


def red_flags_in_text(text: str) -> tuple[Finding, ...]:
    """The cauda equina symptoms a message names, in table order, without repeats."""
    lowered = " ".join(text.lower().replace("’", "'").split())
    found: dict[Finding, None] = {}
    for pattern in TEXT_PATTERNS:
        if all(re.search(part, lowered) for part in pattern.all_of):
            found[pattern.finding] = None
    return tuple(found)
