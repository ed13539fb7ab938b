"""Finding codes, cause IDs and urgency tiers: the vocabulary shared by every flow and tool.

The codes are a public contract (DESIGN.md "Finding codes"); renaming one breaks stored diaries,
CSV files and the `backtrack triage` command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Tier(StrEnum):
    """How soon the user must act, from DESIGN.md and REFERENCE.md §0 (T1-T3)."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    SOON = "soon"
    ROUTINE = "routine"

    @property
    def rank(self) -> int:
        """Higher is more urgent; used to pick the highest tier."""
        return _TIER_RANK[self]


_TIER_RANK = {Tier.ROUTINE: 0, Tier.SOON: 1, Tier.URGENT: 2, Tier.EMERGENCY: 3}


def highest(tiers: list[Tier]) -> Tier:
    """Return the most urgent tier of a list (routine for an empty list)."""
    return max(tiers, key=lambda t: t.rank, default=Tier.ROUTINE)


@dataclass(frozen=True, slots=True)
class DaysRange:
    """Days since surgery known to lie between first and last (None: no upper bound).

    An exact day is a range of one day. A patient who knows only the month, or answered "in
    the last 2 weeks?", has a wider one (REFERENCE.md §8.1): a time window of the rules is
    open when it overlaps the range, and a timing feature of the causes counts only when the
    whole range lies inside it.
    """

    first: int
    last: int | None

    def __post_init__(self) -> None:
        if self.first < 0 or (self.last is not None and self.last < self.first):
            raise ValueError(f"not a range of days since surgery: {self.first}..{self.last}")

    @classmethod
    def exactly(cls, days: int) -> DaysRange:
        """The range of a known day."""
        return cls(days, days)

    @property
    def exact(self) -> int | None:
        """The number of days when it is known to the day."""
        return self.first if self.first == self.last else None

    def overlaps(self, first: int, last: int | None) -> bool:
        """Whether some day of the range lies in first..last (None: no end)."""
        return (last is None or self.first <= last) and (self.last is None or first <= self.last)

    def within(self, first: int, last: int | None) -> bool:
        """Whether every day of the range lies in first..last (None: no end)."""
        if self.first < first:
            return False
        if last is None:
            return True
        return self.last is not None and self.last <= last


class Finding(StrEnum):
    """A finding code; a red-flag symptom code means the symptom is new or worse."""

    # Red-flag symptoms
    BLADDER_CHANGE = "bladder_change"
    SADDLE_NUMBNESS = "saddle_numbness"
    BOWEL_CHANGE = "bowel_change"
    SEXUAL_NUMBNESS = "sexual_numbness"
    BOTH_LEGS_NEW = "both_legs_new"
    BOTH_LEGS_GRADUAL = "both_legs_gradual"
    LEG_WEAKNESS = "leg_weakness"
    LEG_WEAKNESS_RAPID = "leg_weakness_rapid"
    SUDDEN_SEVERE_PAIN = "sudden_severe_pain"
    SEPSIS_SIGNS = "sepsis_signs"
    PE_SIGNS = "pe_signs"
    OPIOID_DROWSINESS = "opioid_drowsiness"
    SELF_HARM_THOUGHTS = "self_harm_thoughts"
    CALF_SWELLING = "calf_swelling"
    WOUND_INFECTION_SIGNS = "wound_infection_signs"
    FEVER = "fever"
    WOUND_FLUID_CLEAR = "wound_fluid_clear"
    WOUND_FLUID_CLOUDY = "wound_fluid_cloudy"
    POSITIONAL_HEADACHE = "positional_headache"
    FEELING_UNWELL = "feeling_unwell"
    WEIGHT_LOSS = "weight_loss"
    FALL_OR_SNAP = "fall_or_snap"
    IMPLANT_LUMP_OR_CLUNK = "implant_lump_or_clunk"
    # Course and pattern
    NEVER_IMPROVED = "never_improved"
    BETTER_THEN_RETURNED = "better_then_returned"
    PAIN_MOSTLY_BACK = "pain_mostly_back"
    PAIN_ONE_LEG = "pain_one_leg"
    PAIN_BOTH_LEGS = "pain_both_legs"
    PAIN_BUTTOCK_GROIN = "pain_buttock_groin"
    PAIN_DIFFERENT_FROM_BEFORE = "pain_different_from_before"
    PAIN_MECHANICAL = "pain_mechanical"
    PAIN_NEUROPATHIC = "pain_neuropathic"
    PAIN_WALKING_RELIEVED_SITTING = "pain_walking_relieved_sitting"
    PAIN_CONSTANT_NIGHT = "pain_constant_night"
    MUSCLE_TIGHTNESS = "muscle_tightness"
    STOOPED_POSTURE = "stooped_posture"
    # Risk factors (usually from the profile)
    SMOKER = "smoker"
    DIABETES = "diabetes"
    OSTEOPOROSIS_OR_STEROIDS = "osteoporosis_or_steroids"
    BMI_OVER_30 = "bmi_over_30"
    MULTILEVEL_FUSION = "multilevel_fusion"
    FUSED_TO_SACRUM = "fused_to_sacrum"
    AGE_OVER_65 = "age_over_65"
    LONG_TERM_NSAIDS = "long_term_nsaids"
    PRIOR_DISCECTOMY = "prior_discectomy"
    IMMUNOSUPPRESSED = "immunosuppressed"
    CANCER_HISTORY = "cancer_history"
    LOW_MOOD = "low_mood"


_ORDER = list(Finding)
_FIRST_PATTERN = _ORDER.index(Finding.NEVER_IMPROVED)
_FIRST_RISK = _ORDER.index(Finding.SMOKER)
RED_FLAG_FINDINGS: tuple[Finding, ...] = tuple(_ORDER[:_FIRST_PATTERN])
PATTERN_FINDINGS: tuple[Finding, ...] = tuple(_ORDER[_FIRST_PATTERN:_FIRST_RISK])
RISK_FINDINGS: tuple[Finding, ...] = tuple(_ORDER[_FIRST_RISK:])


class UnknownCodeError(ValueError):
    """A finding code that is not in the contract; callers must report it, never ignore it."""

    def __init__(self, code: str) -> None:
        super().__init__(f"unknown finding code: {code!r}")
        self.code = code


def parse_finding(code: str) -> Finding:
    """Return the finding for a code, or raise UnknownCodeError naming it."""
    try:
        return Finding(code.strip())
    except ValueError:
        raise UnknownCodeError(code) from None


class CauseId(StrEnum):
    """A possible cause of persistent or returning pain (REFERENCE.md §2.2)."""

    MISSED_PAIN_SOURCE = "missed_pain_source"
    PSEUDARTHROSIS = "pseudarthrosis"
    HARDWARE_FAILURE = "hardware_failure"
    ADJACENT_SEGMENT_DISEASE = "adjacent_segment_disease"
    RECURRENT_COMPRESSION = "recurrent_compression"
    EPIDURAL_FIBROSIS = "epidural_fibrosis"
    INFECTION = "infection"
    SACROILIAC_JOINT = "sacroiliac_joint"
    NEUROPATHIC_PAIN = "neuropathic_pain"
    MYOFASCIAL_PAIN = "myofascial_pain"
    SAGITTAL_IMBALANCE = "sagittal_imbalance"
    PSYCHOSOCIAL_FACTORS = "psychosocial_factors"
