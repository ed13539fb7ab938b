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


class FindingGroup(StrEnum):
    """What kind of finding a code is: it decides where the rules and the screens use it."""

    RED_FLAG = "red_flag"
    PATTERN = "pattern"
    RISK = "risk"


class Finding(StrEnum):
    """A finding code; a red-flag symptom code means the symptom is new or worse."""

    group: FindingGroup

    # Every member names its group; the default only lets `Finding(code)`, a lookup by code,
    # type-check as a call of one argument.
    def __new__(cls, code: str, group: FindingGroup = FindingGroup.RED_FLAG) -> Finding:
        member = str.__new__(cls, code)
        member._value_ = code
        member.group = group
        return member

    # Red-flag symptoms
    BLADDER_CHANGE = "bladder_change", FindingGroup.RED_FLAG
    SADDLE_NUMBNESS = "saddle_numbness", FindingGroup.RED_FLAG
    BOWEL_CHANGE = "bowel_change", FindingGroup.RED_FLAG
    SEXUAL_NUMBNESS = "sexual_numbness", FindingGroup.RED_FLAG
    BOTH_LEGS_NEW = "both_legs_new", FindingGroup.RED_FLAG
    BOTH_LEGS_GRADUAL = "both_legs_gradual", FindingGroup.RED_FLAG
    LEG_WEAKNESS = "leg_weakness", FindingGroup.RED_FLAG
    LEG_WEAKNESS_RAPID = "leg_weakness_rapid", FindingGroup.RED_FLAG
    SUDDEN_SEVERE_PAIN = "sudden_severe_pain", FindingGroup.RED_FLAG
    SEPSIS_SIGNS = "sepsis_signs", FindingGroup.RED_FLAG
    PE_SIGNS = "pe_signs", FindingGroup.RED_FLAG
    OPIOID_DROWSINESS = "opioid_drowsiness", FindingGroup.RED_FLAG
    SELF_HARM_THOUGHTS = "self_harm_thoughts", FindingGroup.RED_FLAG
    CALF_SWELLING = "calf_swelling", FindingGroup.RED_FLAG
    WOUND_INFECTION_SIGNS = "wound_infection_signs", FindingGroup.RED_FLAG
    FEVER = "fever", FindingGroup.RED_FLAG
    WOUND_FLUID_CLEAR = "wound_fluid_clear", FindingGroup.RED_FLAG
    WOUND_FLUID_CLOUDY = "wound_fluid_cloudy", FindingGroup.RED_FLAG
    POSITIONAL_HEADACHE = "positional_headache", FindingGroup.RED_FLAG
    FEELING_UNWELL = "feeling_unwell", FindingGroup.RED_FLAG
    WEIGHT_LOSS = "weight_loss", FindingGroup.RED_FLAG
    FALL_OR_SNAP = "fall_or_snap", FindingGroup.RED_FLAG
    IMPLANT_LUMP_OR_CLUNK = "implant_lump_or_clunk", FindingGroup.RED_FLAG
    # Course and pattern
    NEVER_IMPROVED = "never_improved", FindingGroup.PATTERN
    BETTER_THEN_RETURNED = "better_then_returned", FindingGroup.PATTERN
    PAIN_MOSTLY_BACK = "pain_mostly_back", FindingGroup.PATTERN
    PAIN_ONE_LEG = "pain_one_leg", FindingGroup.PATTERN
    PAIN_BOTH_LEGS = "pain_both_legs", FindingGroup.PATTERN
    PAIN_BUTTOCK_GROIN = "pain_buttock_groin", FindingGroup.PATTERN
    PAIN_DIFFERENT_FROM_BEFORE = "pain_different_from_before", FindingGroup.PATTERN
    PAIN_MECHANICAL = "pain_mechanical", FindingGroup.PATTERN
    PAIN_NEUROPATHIC = "pain_neuropathic", FindingGroup.PATTERN
    PAIN_WALKING_RELIEVED_SITTING = "pain_walking_relieved_sitting", FindingGroup.PATTERN
    PAIN_CONSTANT_NIGHT = "pain_constant_night", FindingGroup.PATTERN
    MUSCLE_TIGHTNESS = "muscle_tightness", FindingGroup.PATTERN
    STOOPED_POSTURE = "stooped_posture", FindingGroup.PATTERN
    # Risk factors (usually from the profile)
    SMOKER = "smoker", FindingGroup.RISK
    DIABETES = "diabetes", FindingGroup.RISK
    OSTEOPOROSIS_OR_STEROIDS = "osteoporosis_or_steroids", FindingGroup.RISK
    BMI_OVER_30 = "bmi_over_30", FindingGroup.RISK
    MULTILEVEL_FUSION = "multilevel_fusion", FindingGroup.RISK
    FUSED_TO_SACRUM = "fused_to_sacrum", FindingGroup.RISK
    AGE_OVER_65 = "age_over_65", FindingGroup.RISK
    LONG_TERM_NSAIDS = "long_term_nsaids", FindingGroup.RISK
    PRIOR_DISCECTOMY = "prior_discectomy", FindingGroup.RISK
    IMMUNOSUPPRESSED = "immunosuppressed", FindingGroup.RISK
    CANCER_HISTORY = "cancer_history", FindingGroup.RISK
    LOW_MOOD = "low_mood", FindingGroup.RISK


RED_FLAG_FINDINGS: tuple[Finding, ...] = tuple(
    f for f in Finding if f.group is FindingGroup.RED_FLAG
)
PATTERN_FINDINGS: tuple[Finding, ...] = tuple(
    f for f in Finding if f.group is FindingGroup.PATTERN
)
RISK_FINDINGS: tuple[Finding, ...] = tuple(f for f in Finding if f.group is FindingGroup.RISK)


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
