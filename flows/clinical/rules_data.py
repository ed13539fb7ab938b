"""The red-flag and cause rules as typed data (REFERENCE.md §1.2, §1.4, §2.3, §2.4).

Every rule, weight and question names its source. docs/clinical-rules.md is rendered from this
module (`python -m bot.gen_docs`), so a clinician reviews exactly what the code runs.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator

from flows.clinical.codes import RISK_FINDINGS, CauseId, DaysRange, Finding, Tier

# ---------------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------------


class DayWindow(BaseModel):
    """Days since surgery, both ends included; no last day means no end."""

    model_config = ConfigDict(frozen=True)

    first: int = 0
    last: int | None = None

    def is_open(self, days: DaysRange | None) -> bool:
        """Whether a red-flag window is open: some day the surgery can have been on is inside."""
        # REFERENCE.md §8.1: where the day stays unknown, every window the known range overlaps
        # counts as open, and a wholly unknown day opens every window: a red flag missed because
        # the surgery date is unknown costs far more than one needless call to the team.
        return days is None or days.overlaps(self.first, self.last)

    def holds(self, days: DaysRange | None) -> bool:
        """Whether a timing feature is present: every possible day lies inside the window."""
        # §8.1 "never guess": a timing feature (§2.3 T1–T5) counts only when it is certain.
        return days is not None and days.within(self.first, self.last)


class Condition(BaseModel):
    """Fires when each group has at least one finding present, inside the window."""

    model_config = ConfigDict(frozen=True)

    all_of: tuple[tuple[Finding, ...], ...]
    tier: Tier
    window: DayWindow | None = None
    source: str

    def findings(self) -> tuple[Finding, ...]:
        """Every finding this condition looks at, in declaration order."""
        return tuple(f for group in self.all_of for f in group)


class Escalation(BaseModel):
    """Raises a fired rule to a tier when any of the findings is also present."""

    model_config = ConfigDict(frozen=True)

    any_of: tuple[Finding, ...]
    tier: Tier
    source: str


class RedFlagRule(BaseModel):
    """One row of REFERENCE.md table 1.2."""

    model_config = ConfigDict(frozen=True)

    id: str
    tier: Tier
    conditions: tuple[Condition, ...]
    window: DayWindow | None = None
    escalations: tuple[Escalation, ...] = ()
    suppressed_by: str | None = None
    # REFERENCE.md §8.3: a crisis flag has its own message (safety and support, the crisis
    # line and the emergency number) and is never downgraded: "not sure", "not new" and "my
    # team knows" all keep its full tier.
    crisis: bool = False
    # REFERENCE.md §8.5: the causes this flag names, listed first whenever it fires.
    causes: tuple[CauseId, ...] = ()
    causes_source: str | None = None
    name_key: str
    message_key: str
    question_keys: tuple[str, ...]
    sources: tuple[str, ...]

    @model_validator(mode="after")
    def _named_causes_have_a_source(self) -> RedFlagRule:
        if bool(self.causes) != (self.causes_source is not None):
            raise ValueError(f"{self.id}: named causes need a source, and a source causes")
        return self

    def findings(self) -> tuple[Finding, ...]:
        """The findings whose presence can make this rule fire, without duplicates."""
        return tuple(dict.fromkeys(f for c in self.conditions for f in c.findings()))


class Choice(BaseModel):
    """A follow-up button: its label key and the finding it records."""

    model_config = ConfigDict(frozen=True)

    key: str
    finding: Finding


class ScreeningQuestion(BaseModel):
    """A red-flag question; Yes records its finding (or the chosen follow-up's finding)."""

    model_config = ConfigDict(frozen=True)

    id: str
    key: str
    flag_id: str
    findings: tuple[Finding, ...]
    t1: bool
    follow_up_key: str | None = None
    # Ordered most urgent first, so a flow can record the first as "unsure" when the patient
    # can't choose.
    choices: tuple[Choice, ...] = ()

    @model_validator(mode="after")
    def _findings_match_choices(self) -> ScreeningQuestion:
        if self.choices:
            if self.follow_up_key is None:
                raise ValueError(f"{self.id}: choices need a follow-up question")
            if self.findings != tuple(c.finding for c in self.choices):
                raise ValueError(f"{self.id}: findings must be the choices' findings")
        elif len(self.findings) != 1:
            raise ValueError(f"{self.id}: a question without choices records one finding")
        return self


class PatternQuestion(BaseModel):
    """A course-and-pattern question; Yes records its finding."""

    model_config = ConfigDict(frozen=True)

    key: str
    finding: Finding


class Feature(BaseModel):
    """An input feature of REFERENCE.md §2.3: present via a finding or via days since surgery."""

    model_config = ConfigDict(frozen=True)

    code: str
    findings: tuple[Finding, ...] = ()
    days: DayWindow | None = None
    reason_key: str
    # The reason of a timing feature when only a range of days is known: it names the
    # window, not a number of weeks or months that would be a guess (§8.1).
    range_reason_key: str | None = None
    source: str

    @model_validator(mode="after")
    def _one_kind(self) -> Feature:
        if bool(self.findings) == (self.days is not None):
            raise ValueError(f"{self.code}: a feature has findings or a day window, not both")
        return self

    @property
    def describes_pain(self) -> bool:
        """Whether the feature is something the patient reports, not timing or a risk factor."""
        return self.days is None and not set(self.findings) <= set(RISK_FINDINGS)


class Weight(BaseModel):
    """How much one feature adds to one cause's score."""

    model_config = ConfigDict(frozen=True)

    feature: str
    value: int
    source: str


class CauseRule(BaseModel):
    """One cause of REFERENCE.md §2.2 with its §2.3 weights and §2.4 next steps."""

    model_config = ConfigDict(frozen=True)

    id: CauseId
    letter: str
    name_key: str
    weights: tuple[Weight, ...]
    test_keys: tuple[str, ...]
    first_line_key: str
    advanced_key: str
    sources: tuple[str, ...]
    # How soon the usual first step (§2.4) has to happen: the tier is never lower when this
    # cause is listed first, and never routine when it is listed at all (§8.5).
    next_step_tier: Tier = Tier.ROUTINE
    # Features of which one must be present for the cause to be listed on its score alone
    # (empty: any reported pain feature will do); a red flag that names it lists it anyway.
    listed_with: tuple[str, ...] = ()
    rule_source: str | None = None


class Decision(BaseModel):
    """A choice taken where the reference is silent, shown in the clinical rules document."""

    model_config = ConfigDict(frozen=True)

    topic: str
    text: str


# ---------------------------------------------------------------------------------------------
# Red flags (REFERENCE.md §1.2, skeleton §1.4)
# ---------------------------------------------------------------------------------------------

E, U, S = Tier.EMERGENCY, Tier.URGENT, Tier.SOON
F = Finding

CES_ITEMS = (F.BLADDER_CHANGE, F.SADDLE_NUMBNESS, F.BOWEL_CHANGE, F.SEXUAL_NUMBNESS)
BOTH_LEGS = (F.BOTH_LEGS_NEW, F.BOTH_LEGS_GRADUAL)
WEAK_LEG = (F.LEG_WEAKNESS, F.LEG_WEAKNESS_RAPID)
# "Any leg weakness, numbness or CES item" (RF-INF-LATE, RF-CA, RF-FX, RF-HAEM): both-legs
# answers cover pain, numbness or weakness down both legs.
NEURO_OR_CES = CES_ITEMS + BOTH_LEGS + WEAK_LEG

HAEM_DAYS = DayWindow(first=0, last=14)
SSI_DEEP_DAYS = DayWindow(first=0, last=90)
SSI2_CLEAR_DAYS = DayWindow(first=5, last=30)
CSF_DAYS = DayWindow(first=0, last=42)

T12 = "REFERENCE.md §1.2"
S8 = "REFERENCE.md §8"

# REFERENCE.md §8.5: "When a red flag names a cause, that cause is listed first".
COMPRESSION_NAMED = (
    (CauseId.RECURRENT_COMPRESSION,),
    f"{S8}.5: CES (RF-CES-1…5) and RF-NEU-1 → recurrent compression",
)
INFECTION_NAMED = (
    (CauseId.INFECTION,),
    f"{S8}.5: RF-SEP, RF-INF-LATE, RF-SSI-1 and RF-SSI-2 → infection",
)
# "Hardware failure (and fracture)": a fracture next to a fusion is §2.2 K (adjacent fracture,
# proximal junctional failure), the sagittal_imbalance cause.
FRACTURE_NAMED = (
    (CauseId.HARDWARE_FAILURE, CauseId.SAGITTAL_IMBALANCE),
    f"{S8}.5: RF-FX → hardware failure (and fracture: §2.2 K adjacent fracture, PJF)",
)
# Table 1.2 sends RF-HW to "Cause C (§2)": the flag names the cause as §8.5 means it.
HARDWARE_NAMED = (
    (CauseId.HARDWARE_FAILURE,),
    f"{T12} RF-HW 'see Cause C (§2)'; {S8}.5: a flag that names a cause lists it first",
)


def _single(finding: Finding, tier: Tier, row: str) -> Condition:
    return Condition(all_of=((finding,),), tier=tier, source=f"{T12} {row}: any Yes")


RED_FLAGS: tuple[RedFlagRule, ...] = (
    # REFERENCE.md §1.2 RF-CES-1; §1.1 rule 4 (any single new symptom); §1.4 not_sure_tier T2
    RedFlagRule(
        id="RF-CES-1",
        tier=E,
        conditions=(_single(F.BLADDER_CHANGE, E, "RF-CES-1"),),
        causes=COMPRESSION_NAMED[0],
        causes_source=COMPRESSION_NAMED[1],
        name_key="rules.flag.rf_ces_1.name",
        message_key="rules.flag.rf_ces_1.message",
        question_keys=("rules.q.ces_bladder",),
        sources=(f"{T12} RF-CES-1", "§1.1 rule 4", "[S12][S13][S11][S8]"),
    ),
    # REFERENCE.md §1.2 RF-CES-2
    RedFlagRule(
        id="RF-CES-2",
        tier=E,
        conditions=(_single(F.SADDLE_NUMBNESS, E, "RF-CES-2"),),
        causes=COMPRESSION_NAMED[0],
        causes_source=COMPRESSION_NAMED[1],
        name_key="rules.flag.rf_ces_2.name",
        message_key="rules.flag.rf_ces_2.message",
        question_keys=("rules.q.ces_saddle",),
        sources=(f"{T12} RF-CES-2", "§1.1 rule 4", "[S12][S13][S11]"),
    ),
    # REFERENCE.md §1.2 RF-CES-3
    RedFlagRule(
        id="RF-CES-3",
        tier=E,
        conditions=(_single(F.BOWEL_CHANGE, E, "RF-CES-3"),),
        causes=COMPRESSION_NAMED[0],
        causes_source=COMPRESSION_NAMED[1],
        name_key="rules.flag.rf_ces_3.name",
        message_key="rules.flag.rf_ces_3.message",
        question_keys=("rules.q.ces_bowel",),
        sources=(f"{T12} RF-CES-3", "§1.1 rule 4", "[S12][S13][S11]"),
    ),
    # REFERENCE.md §1.2 RF-CES-4
    RedFlagRule(
        id="RF-CES-4",
        tier=E,
        conditions=(_single(F.SEXUAL_NUMBNESS, E, "RF-CES-4"),),
        causes=COMPRESSION_NAMED[0],
        causes_source=COMPRESSION_NAMED[1],
        name_key="rules.flag.rf_ces_4.name",
        message_key="rules.flag.rf_ces_4.message",
        question_keys=("rules.q.ces_sexual",),
        sources=(f"{T12} RF-CES-4", "§1.1 rule 4", "[S12][S13]"),
    ),
    # REFERENCE.md §1.2 RF-CES-5; §1.4 tier_if_new_onset / tier_if_gradual_worsening / tier_if_with
    RedFlagRule(
        id="RF-CES-5",
        tier=E,
        conditions=(
            Condition(
                all_of=((F.BOTH_LEGS_NEW,),),
                tier=E,
                source=f"{T12} RF-CES-5: new onset → T1 (GIRFT)",
            ),
            Condition(
                all_of=((F.BOTH_LEGS_GRADUAL,),),
                tier=U,
                source=f"{T12} RF-CES-5: slow worsening of known two-leg symptoms → T2",
            ),
        ),
        escalations=(
            Escalation(
                any_of=CES_ITEMS + WEAK_LEG,
                tier=E,
                source="REFERENCE.md §1.4 RF-CES-5 tier_if_with RF-CES-1…4, RF-NEU-1 → T1",
            ),
        ),
        causes=COMPRESSION_NAMED[0],
        causes_source=COMPRESSION_NAMED[1],
        name_key="rules.flag.rf_ces_5.name",
        message_key="rules.flag.rf_ces_5.message",
        question_keys=("rules.q.both_legs",),
        sources=(f"{T12} RF-CES-5", "§1.4 RF-CES-5", "[S11][S8]"),
    ),
    # REFERENCE.md §1.2 RF-NEU-1: T1 if both legs, rapidly worsening or with a CES item
    RedFlagRule(
        id="RF-NEU-1",
        tier=E,
        conditions=(
            Condition(
                all_of=((F.LEG_WEAKNESS,),),
                tier=U,
                source=f"{T12} RF-NEU-1: new/progressive weakness, otherwise T2",
            ),
            Condition(
                all_of=((F.LEG_WEAKNESS_RAPID,),),
                tier=E,
                source=f"{T12} RF-NEU-1: rapidly worsening (hours or days) → T1",
            ),
        ),
        escalations=(
            Escalation(
                any_of=CES_ITEMS + BOTH_LEGS,
                tier=E,
                source=f"{T12} RF-NEU-1: T1 if both legs or with any CES item",
            ),
        ),
        causes=COMPRESSION_NAMED[0],
        causes_source=COMPRESSION_NAMED[1],
        name_key="rules.flag.rf_neu_1.name",
        message_key="rules.flag.rf_neu_1.message",
        question_keys=("rules.q.leg_weakness",),
        sources=(f"{T12} RF-NEU-1", "[S11][S25]"),
    ),
    # REFERENCE.md §1.2 RF-HAEM; §1.4 window_days [0, 14]; §8.4 the pain alone is T2
    RedFlagRule(
        id="RF-HAEM",
        tier=E,
        window=HAEM_DAYS,
        conditions=(
            Condition(
                all_of=((F.SUDDEN_SEVERE_PAIN,), NEURO_OR_CES),
                tier=E,
                source=(
                    f"{T12} RF-HAEM: sudden severe back pain and new leg weakness/numbness "
                    "or bladder/bowel change, both Yes"
                ),
            ),
            # Severe pain is the main presenting symptom of a post-operative epidural
            # haematoma in 63% [S24a], and outcomes are better when it is treated within 6
            # hours [S24b]: the pain alone in days 0–14 cannot wait for a clinic.
            Condition(
                all_of=((F.SUDDEN_SEVERE_PAIN,),),
                tier=U,
                source=(
                    f"{S8}.4: sudden severe back pain alone in days 0–14 → T2, even without "
                    "neurological signs [S24a][S24b]"
                ),
            ),
        ),
        name_key="rules.flag.rf_haem.name",
        message_key="rules.flag.rf_haem.message",
        question_keys=("rules.q.sudden_pain",),
        sources=(
            f"{T12} RF-HAEM",
            "§1.4 RF-HAEM window_days",
            f"{S8}.4",
            "[S24a][S24b][S24c]",
        ),
    ),
    # REFERENCE.md §8.4: "At any time, pain that is rapidly worsening is T2" (the seed pages,
    # §7: rapidly worsening pain needs a doctor immediately). No finding code says "rapidly
    # worsening" and the codes are a public contract, so the rule reads `sudden_severe_pain`,
    # whose question asks about sudden severe pain *or* back pain quickly getting much worse:
    # a red-flag code means "new or worse" (DESIGN.md), pain that turns severe within hours or
    # days is the fast end of worsening, and the same code already stands for "pain new or
    # getting steadily worse" in RF-CA. Gradual worsening over weeks is the trend module's
    # job (§3.2). In days 0–14 RF-HAEM says the same thing with the haematoma reason.
    RedFlagRule(
        id="RF-PAIN",
        tier=U,
        conditions=(
            Condition(
                all_of=((F.SUDDEN_SEVERE_PAIN,),),
                tier=U,
                source=f"{S8}.4: sudden or rapidly worsening severe back pain, any time → T2 (§7)",
            ),
        ),
        suppressed_by="RF-HAEM",
        name_key="rules.flag.rf_pain.name",
        message_key="rules.flag.rf_pain.message",
        question_keys=("rules.q.sudden_pain",),
        sources=(f"{S8}.4 RF-PAIN", "§7 (seed pages: rapidly worsening pain)"),
    ),
    # REFERENCE.md §1.2 RF-SEP
    RedFlagRule(
        id="RF-SEP",
        tier=E,
        conditions=(_single(F.SEPSIS_SIGNS, E, "RF-SEP"),),
        causes=INFECTION_NAMED[0],
        causes_source=INFECTION_NAMED[1],
        name_key="rules.flag.rf_sep.name",
        message_key="rules.flag.rf_sep.message",
        question_keys=("rules.q.sepsis",),
        sources=(f"{T12} RF-SEP", "[S22]"),
    ),
    # REFERENCE.md §1.2 RF-PE
    RedFlagRule(
        id="RF-PE",
        tier=E,
        conditions=(_single(F.PE_SIGNS, E, "RF-PE"),),
        name_key="rules.flag.rf_pe.name",
        message_key="rules.flag.rf_pe.message",
        question_keys=("rules.q.pe",),
        sources=(f"{T12} RF-PE", "[S20a][S20b][S21]"),
    ),
    # REFERENCE.md §1.2 RF-DVT: "Yes (and RF-PE No)"
    RedFlagRule(
        id="RF-DVT",
        tier=U,
        conditions=(_single(F.CALF_SWELLING, U, "RF-DVT"),),
        suppressed_by="RF-PE",
        name_key="rules.flag.rf_dvt.name",
        message_key="rules.flag.rf_dvt.message",
        question_keys=("rules.q.calf",),
        sources=(f"{T12} RF-DVT", "[S20a][S20b]"),
    ),
    # REFERENCE.md §1.2 RF-SSI-1; §1.4 window_days superficial [0, 30], deep [0, 90]
    RedFlagRule(
        id="RF-SSI-1",
        tier=U,
        conditions=(
            Condition(
                all_of=((F.WOUND_INFECTION_SIGNS,),),
                tier=U,
                source=(
                    f"{T12} RF-SSI-1: pus, opening wound, more red/hot/swollen/painful; kept "
                    "beyond day 90 because an implant stays in ([S17] 1 year; [C21c] years)"
                ),
            ),
            Condition(
                all_of=((F.FEVER,),),
                tier=U,
                window=SSI_DEEP_DAYS,
                source=f"{T12} RF-SSI-1: temperature > 38 °C; deep/organ-space window 90 days",
            ),
        ),
        escalations=(
            Escalation(
                any_of=(F.SEPSIS_SIGNS,),
                tier=E,
                source="REFERENCE.md §1.2 RF-SSI-1 (T1 if RF-SEP); §1.4 escalate_if RF-SEP",
            ),
        ),
        causes=INFECTION_NAMED[0],
        causes_source=INFECTION_NAMED[1],
        name_key="rules.flag.rf_ssi_1.name",
        message_key="rules.flag.rf_ssi_1.message",
        question_keys=("rules.q.wound_infection", "rules.q.fever"),
        sources=(f"{T12} RF-SSI-1", "§1.4 RF-SSI-1", "[S15][S16][S17][S18][S19]"),
    ),
    # REFERENCE.md §1.2 RF-SSI-2: post-op days 5–30; cloudy/smelly T2, clear persisting T3
    RedFlagRule(
        id="RF-SSI-2",
        tier=U,
        conditions=(
            Condition(
                all_of=((F.WOUND_FLUID_CLOUDY,),),
                tier=U,
                source=(
                    f"{T12} RF-SSI-2: any fluid cloudy or smelly → T2; not limited to days "
                    "5–30 because cloudy fluid may be pus ([S18])"
                ),
            ),
            Condition(
                all_of=((F.WOUND_FLUID_CLEAR,),),
                tier=S,
                window=SSI2_CLEAR_DAYS,
                source=f"{T12} RF-SSI-2: clear fluid still coming after day 5 → T3",
            ),
        ),
        causes=INFECTION_NAMED[0],
        causes_source=INFECTION_NAMED[1],
        name_key="rules.flag.rf_ssi_2.name",
        message_key="rules.flag.rf_ssi_2.message",
        question_keys=("rules.q.wound_fluid_clear", "rules.q.wound_fluid_cloudy"),
        sources=(f"{T12} RF-SSI-2", "[S25]"),
    ),
    # REFERENCE.md §1.2 RF-CSF: "early post-op weeks", taken as days 0–42
    RedFlagRule(
        id="RF-CSF",
        tier=U,
        window=CSF_DAYS,
        conditions=(
            Condition(
                all_of=((F.POSITIONAL_HEADACHE, F.WOUND_FLUID_CLEAR),),
                tier=U,
                source=f"{T12} RF-CSF: positional headache or clear watery fluid → T2",
            ),
        ),
        name_key="rules.flag.rf_csf.name",
        message_key="rules.flag.rf_csf.message",
        question_keys=("rules.q.headache", "rules.q.wound_fluid_clear"),
        sources=(f"{T12} RF-CSF", "[S25][S26]"),
    ),
    # REFERENCE.md §1.2 RF-INF-LATE: pain + systemic sign → T2; T1 with nerve or CES item
    RedFlagRule(
        id="RF-INF-LATE",
        tier=U,
        conditions=(
            Condition(
                all_of=((F.PAIN_CONSTANT_NIGHT,), (F.FEVER, F.FEELING_UNWELL)),
                tier=U,
                source=(
                    f"{T12} RF-INF-LATE: constant back pain not easing with rest or at night "
                    "plus fever, sweats, chills or feeling unwell"
                ),
            ),
        ),
        escalations=(
            Escalation(
                any_of=NEURO_OR_CES,
                tier=E,
                source=f"{T12} RF-INF-LATE: T1 if any leg weakness, numbness or CES item",
            ),
        ),
        causes=INFECTION_NAMED[0],
        causes_source=INFECTION_NAMED[1],
        name_key="rules.flag.rf_inf_late.name",
        message_key="rules.flag.rf_inf_late.message",
        question_keys=("rules.pq.pain_constant_night", "rules.q.fever", "rules.q.unwell"),
        sources=(f"{T12} RF-INF-LATE", "[S23a][S23b][S23c][C21b][C21c]"),
    ),
    # REFERENCE.md §1.2 RF-CA: cancer history + any; or weight loss + night pain
    RedFlagRule(
        id="RF-CA",
        tier=U,
        conditions=(
            Condition(
                all_of=(
                    (F.CANCER_HISTORY,),
                    (
                        F.PAIN_CONSTANT_NIGHT,
                        F.WEIGHT_LOSS,
                        F.SUDDEN_SEVERE_PAIN,
                        F.BETTER_THEN_RETURNED,
                    ),
                ),
                tier=U,
                source=(
                    f"{T12} RF-CA: cancer history + pain new or getting worse (sudden severe "
                    "pain, pain that came back), night pain or unexplained weight loss"
                ),
            ),
            Condition(
                all_of=((F.WEIGHT_LOSS,), (F.PAIN_CONSTANT_NIGHT,)),
                tier=U,
                source=f"{T12} RF-CA: weight loss + night pain",
            ),
        ),
        escalations=(
            Escalation(
                any_of=NEURO_OR_CES,
                tier=E,
                source=f"{T12} RF-CA: T1 if any neuro or CES item (MSCC) [S10][S27]",
            ),
        ),
        name_key="rules.flag.rf_ca.name",
        message_key="rules.flag.rf_ca.message",
        question_keys=("rules.q.cancer", "rules.q.weight_loss", "rules.pq.pain_constant_night"),
        sources=(f"{T12} RF-CA", "[S10][S27][S28a]"),
    ),
    # REFERENCE.md §1.2 RF-FX
    RedFlagRule(
        id="RF-FX",
        tier=U,
        conditions=(_single(F.FALL_OR_SNAP, U, "RF-FX"),),
        escalations=(
            Escalation(
                any_of=NEURO_OR_CES,
                tier=E,
                source=f"{T12} RF-FX: T1 with any neuro/CES item",
            ),
        ),
        causes=FRACTURE_NAMED[0],
        causes_source=FRACTURE_NAMED[1],
        name_key="rules.flag.rf_fx.name",
        message_key="rules.flag.rf_fx.message",
        question_keys=("rules.q.fall",),
        sources=(f"{T12} RF-FX", "[S28a][C22b]"),
    ),
    # REFERENCE.md §1.2 RF-HW: T3; T2 if the wound is breaking down or red
    RedFlagRule(
        id="RF-HW",
        tier=S,
        conditions=(_single(F.IMPLANT_LUMP_OR_CLUNK, S, "RF-HW"),),
        escalations=(
            Escalation(
                any_of=(F.WOUND_INFECTION_SIGNS,),
                tier=U,
                source=f"{T12} RF-HW: T2 if the wound is breaking down or red",
            ),
        ),
        causes=HARDWARE_NAMED[0],
        causes_source=HARDWARE_NAMED[1],
        name_key="rules.flag.rf_hw.name",
        message_key="rules.flag.rf_hw.message",
        question_keys=("rules.q.implant",),
        sources=(f"{T12} RF-HW", "§2.2 C"),
    ),
    # REFERENCE.md §1.2 RF-OPI
    RedFlagRule(
        id="RF-OPI",
        tier=E,
        conditions=(_single(F.OPIOID_DROWSINESS, E, "RF-OPI"),),
        name_key="rules.flag.rf_opi.name",
        message_key="rules.flag.rf_opi.message",
        question_keys=("rules.q.opioid",),
        sources=(f"{T12} RF-OPI", "[S30]"),
    ),
    # REFERENCE.md §1.2 RF-MH: T1 with the crisis line; §8.3 never downgraded, its own message
    RedFlagRule(
        id="RF-MH",
        tier=E,
        conditions=(_single(F.SELF_HARM_THOUGHTS, E, "RF-MH"),),
        crisis=True,
        name_key="rules.flag.rf_mh.name",
        message_key="rules.crisis.message",
        question_keys=("rules.q.self_harm",),
        sources=(f"{T12} RF-MH", f"{S8}.3", "[S29]"),
    ),
)

RED_FLAGS_BY_ID: dict[str, RedFlagRule] = {rule.id: rule for rule in RED_FLAGS}

# The flags answered with the crisis message (REFERENCE.md §8.3): RF-MH.
CRISIS_FLAGS: frozenset[str] = frozenset(rule.id for rule in RED_FLAGS if rule.crisis)
CRISIS_FINDINGS: frozenset[Finding] = frozenset(
    f for rule in RED_FLAGS if rule.crisis for f in rule.findings()
)

# ---------------------------------------------------------------------------------------------
# Questions (REFERENCE.md §1.2 "Button question(s)"; §2.3 input features)
# ---------------------------------------------------------------------------------------------


def _q(qid: str, flag_id: str, finding: Finding, *, t1: bool) -> ScreeningQuestion:
    return ScreeningQuestion(
        id=qid, key=f"rules.q.{qid}", flag_id=flag_id, findings=(finding,), t1=t1
    )


SCREENING_QUESTIONS: tuple[ScreeningQuestion, ...] = (
    _q("ces_bladder", "RF-CES-1", F.BLADDER_CHANGE, t1=True),
    _q("ces_saddle", "RF-CES-2", F.SADDLE_NUMBNESS, t1=True),
    _q("ces_bowel", "RF-CES-3", F.BOWEL_CHANGE, t1=True),
    _q("ces_sexual", "RF-CES-4", F.SEXUAL_NUMBNESS, t1=True),
    ScreeningQuestion(
        id="both_legs",
        key="rules.q.both_legs",
        flag_id="RF-CES-5",
        findings=(F.BOTH_LEGS_NEW, F.BOTH_LEGS_GRADUAL),
        t1=True,
        follow_up_key="rules.q.both_legs.when",
        choices=(
            Choice(key="rules.q.both_legs.recent", finding=F.BOTH_LEGS_NEW),
            Choice(key="rules.q.both_legs.gradual", finding=F.BOTH_LEGS_GRADUAL),
        ),
    ),
    ScreeningQuestion(
        id="leg_weakness",
        key="rules.q.leg_weakness",
        flag_id="RF-NEU-1",
        findings=(F.LEG_WEAKNESS_RAPID, F.LEG_WEAKNESS),
        t1=True,
        follow_up_key="rules.q.leg_weakness.when",
        choices=(
            Choice(key="rules.q.leg_weakness.rapid", finding=F.LEG_WEAKNESS_RAPID),
            Choice(key="rules.q.leg_weakness.slow", finding=F.LEG_WEAKNESS),
        ),
    ),
    _q("sudden_pain", "RF-HAEM", F.SUDDEN_SEVERE_PAIN, t1=True),
    _q("sepsis", "RF-SEP", F.SEPSIS_SIGNS, t1=True),
    _q("pe", "RF-PE", F.PE_SIGNS, t1=True),
    _q("opioid", "RF-OPI", F.OPIOID_DROWSINESS, t1=True),
    _q("self_harm", "RF-MH", F.SELF_HARM_THOUGHTS, t1=True),
    _q("calf", "RF-DVT", F.CALF_SWELLING, t1=False),
    _q("wound_infection", "RF-SSI-1", F.WOUND_INFECTION_SIGNS, t1=False),
    _q("fever", "RF-SSI-1", F.FEVER, t1=False),
    _q("wound_fluid_clear", "RF-SSI-2", F.WOUND_FLUID_CLEAR, t1=False),
    _q("wound_fluid_cloudy", "RF-SSI-2", F.WOUND_FLUID_CLOUDY, t1=False),
    _q("headache", "RF-CSF", F.POSITIONAL_HEADACHE, t1=False),
    _q("unwell", "RF-INF-LATE", F.FEELING_UNWELL, t1=False),
    _q("cancer", "RF-CA", F.CANCER_HISTORY, t1=False),
    _q("weight_loss", "RF-CA", F.WEIGHT_LOSS, t1=False),
    _q("fall", "RF-FX", F.FALL_OR_SNAP, t1=False),
    _q("implant", "RF-HW", F.IMPLANT_LUMP_OR_CLUNK, t1=False),
)

PATTERN_QUESTIONS: tuple[PatternQuestion, ...] = tuple(
    PatternQuestion(key=f"rules.pq.{finding.value}", finding=finding)
    for finding in (
        F.NEVER_IMPROVED,
        F.BETTER_THEN_RETURNED,
        F.PAIN_MOSTLY_BACK,
        F.PAIN_ONE_LEG,
        F.PAIN_BOTH_LEGS,
        F.PAIN_BUTTOCK_GROIN,
        F.PAIN_DIFFERENT_FROM_BEFORE,
        F.PAIN_MECHANICAL,
        F.PAIN_NEUROPATHIC,
        F.PAIN_WALKING_RELIEVED_SITTING,
        F.PAIN_CONSTANT_NIGHT,
        F.MUSCLE_TIGHTNESS,
        F.STOOPED_POSTURE,
    )
)

# ---------------------------------------------------------------------------------------------
# Causes (REFERENCE.md §2.2 profiles, §2.3 scored table, §2.4 next steps)
# ---------------------------------------------------------------------------------------------

T23 = "REFERENCE.md §2.3"


def _feature(code: str, source: str, *findings: Finding, days: DayWindow | None = None) -> Feature:
    return Feature(
        code=code,
        findings=findings,
        days=days,
        reason_key=f"rules.why.{code.lower()}",
        # T1 ("less than 6 weeks ago") names no number, so one text serves both.
        range_reason_key=(
            f"rules.why.{code.lower()}.range" if days is not None and days.first > 0 else None
        ),
        source=f"{T23} feature {code}: {source}",
    )


# The timing features T1–T5 of §2.3 are replaced by days since surgery (DESIGN.md): 6 weeks is
# day 42, 3 months day 91, 12 months day 365, 24 months day 730.
FEATURES: tuple[Feature, ...] = (
    _feature("T0", "pain never got better — A, I [C2][C19d]", F.NEVER_IMPROVED),
    _feature("T1", "< 6 weeks — A, G-early [C21c]", days=DayWindow(first=0, last=41)),
    _feature("T2", "6 weeks – 3 months — F [C19a]; G", days=DayWindow(first=42, last=90)),
    _feature("T3", "3 – 12 months — B, C, H, G-late [C7][C5]", days=DayWindow(first=91, last=364)),
    _feature("T4", "12 – 24 months — B, C, E [C7]", days=DayWindow(first=365, last=729)),
    _feature("T5", "> 24 months — D, E-recurrent, K [C17d][C18a]", days=DayWindow(first=730)),
    _feature(
        "C1", "better ≥ 1 month, then came back — D, E, F, B [C18a][C19a]", F.BETTER_THEN_RETURNED
    ),
    _feature("C3", "sudden start after a fall, lift or snap — C, K, E", F.FALL_OR_SNAP),
    _feature("L1", "mostly back (axial) pain — B [C7]; C; J; K", F.PAIN_MOSTLY_BACK),
    _feature("L2", "mostly one leg — E, F, I, A", F.PAIN_ONE_LEG),
    _feature("L3", "both legs — D, E (stenosis)", F.PAIN_BOTH_LEGS),
    _feature("L4", "one buttock/groin — H [C20a][C20b]", F.PAIN_BUTTOCK_GROIN),
    _feature("L5", "different from before surgery — H [C20a]; D", F.PAIN_DIFFERENT_FROM_BEFORE),
    _feature("Q1", "worse bending/lifting/standing, better lying — B, C, D, J", F.PAIN_MECHANICAL),
    _feature("Q2", "burning, electric, pins and needles — I, F [C19a][C2b]", F.PAIN_NEUROPATHIC),
    _feature("Q3", "legs worse walking, better sitting — D, E", F.PAIN_WALKING_RELIEVED_SITTING),
    _feature("Q4", "constant, at rest and at night — G, F", F.PAIN_CONSTANT_NIGHT),
    _feature("Q5", "clunk or clicking at the operated area — C, B", F.IMPLANT_LUMP_OR_CLUNK),
    _feature("Q6", "sore, tight muscles — J", F.MUSCLE_TIGHTNESS),
    _feature("Q7", "can't stand up straight, leaning forward — K", F.STOOPED_POSTURE),
    _feature("S1", "fever, sweats, chills — G", F.FEVER),
    _feature(
        "S2",
        "wound problems (ever) — G",
        F.WOUND_INFECTION_SIGNS,
        F.WOUND_FLUID_CLEAR,
        F.WOUND_FLUID_CLOUDY,
    ),
    _feature("R1", "smoking — B [C11]; D [C17a]; E [C18c]", F.SMOKER),
    _feature("R2", "diabetes — G [C21d]; E [C18c]", F.DIABETES),
    _feature(
        "R3",
        "osteoporosis/steroids — B [C12]; C [C14][C16a]; K [C22a]",
        F.OSTEOPOROSIS_OR_STEROIDS,
    ),
    _feature("R4", "BMI ≥ 30 — D [C17a]; E [C18c]; G [C21d]", F.BMI_OVER_30),
    _feature("R5", "≥ 3 levels fused — B [C9a][C10]; D [C17a]; K; G [C21d]", F.MULTILEVEL_FUSION),
    _feature("R6", "fusion to the sacrum — H [C2]", F.FUSED_TO_SACRUM),
    _feature("R7", "age ≥ 65 — B [C10]; D [C17a]; C", F.AGE_OVER_65),
    _feature("R8", "long-term anti-inflammatories — B [C13a][C13d]", F.LONG_TERM_NSAIDS),
    _feature("R9", "earlier discectomy at/next to this level — E", F.PRIOR_DISCECTOMY),
    _feature("R10", "weakened immune system / IV drug use — G [S23c]", F.IMMUNOSUPPRESSED),
    _feature("R11", "low mood, worry, work or claim stress — L [C25]", F.LOW_MOOD),
)

FEATURES_BY_CODE: dict[str, Feature] = {feature.code: feature for feature in FEATURES}

# Columns A–L of the §2.3 weight matrix, in the reference's order.
CAUSE_COLUMNS: tuple[tuple[str, CauseId], ...] = (
    ("A", CauseId.MISSED_PAIN_SOURCE),
    ("B", CauseId.PSEUDARTHROSIS),
    ("C", CauseId.HARDWARE_FAILURE),
    ("D", CauseId.ADJACENT_SEGMENT_DISEASE),
    ("E", CauseId.RECURRENT_COMPRESSION),
    ("F", CauseId.EPIDURAL_FIBROSIS),
    ("G", CauseId.INFECTION),
    ("H", CauseId.SACROILIAC_JOINT),
    ("I", CauseId.NEUROPATHIC_PAIN),
    ("J", CauseId.MYOFASCIAL_PAIN),
    ("K", CauseId.SAGITTAL_IMBALANCE),
    ("L", CauseId.PSYCHOSOCIAL_FACTORS),
)

# REFERENCE.md §2.3 weight matrix, copied cell by cell (blank = 0).
# fmt: off
WEIGHT_MATRIX: tuple[tuple[str, tuple[int, ...]], ...] = (
    #        A   B   C   D   E   F   G   H   I   J   K   L
    ("T0",  (3,  0,  0, -2, -1, -1,  0,  0,  2,  1,  0,  1)),
    ("T1",  (2, -2,  0, -2,  1, -1,  2,  0,  1,  0,  0,  0)),
    ("T2",  (1, -1,  0, -2,  1,  3,  1,  0,  1,  1,  0,  0)),
    ("T3",  (0,  2,  1, -1,  1,  1,  1,  1,  0,  1,  1,  0)),
    ("T4",  (0,  3,  2,  0,  1,  0,  1,  1,  0,  0,  1,  0)),
    ("T5",  (-1, 1,  1,  3,  2, -1,  0,  1,  0,  0,  1,  0)),
    ("C1",  (-2, 1,  1,  2,  2,  2,  0,  1,  0,  0,  0,  0)),
    ("C3",  (0,  0,  2,  0,  1,  0,  0,  0,  0,  0,  2,  0)),
    ("L1",  (0,  2,  1,  1, -1,  0,  1,  0, -1,  2,  1,  0)),
    ("L2",  (1,  0,  0,  1,  3,  2,  0, -1,  2, -1,  0,  0)),
    ("L3",  (0,  0,  0,  2,  2,  0,  0,  0,  0,  0,  0,  0)),
    ("L4",  (0,  0,  0,  0,  0,  0,  0,  3,  0,  0,  0,  0)),
    ("L5",  (0,  0,  0,  1,  0,  0,  0,  2,  0,  0,  0,  0)),
    ("Q1",  (0,  2,  2,  1,  0,  0,  0,  1,  0,  1,  1,  0)),
    ("Q2",  (0,  0,  0,  0,  1,  2,  0,  0,  3,  0,  0,  0)),
    ("Q3",  (0,  0,  0,  2,  2,  0,  0,  0,  0,  0,  0,  0)),
    ("Q4",  (0,  0,  0,  0,  0,  1,  2,  0,  1,  0,  0,  1)),
    ("Q5",  (0,  1,  3,  0,  0,  0,  0,  0,  0,  0,  0,  0)),
    ("Q6",  (0,  0,  0,  0,  0,  0,  0,  0,  0,  3,  0,  0)),
    ("Q7",  (0,  0,  0,  1,  0,  0,  0,  0,  0,  0,  3,  0)),
    ("S1",  (0,  0,  0,  0,  0,  0,  3,  0,  0,  0,  0,  0)),
    ("S2",  (0,  0,  0,  0,  0,  0,  2,  0,  0,  0,  0,  0)),
    ("R1",  (0,  2,  0,  1,  1,  0,  1,  0,  0,  0,  0,  0)),
    ("R2",  (0,  1,  0,  0,  1,  0,  2,  0,  1,  0,  0,  0)),
    ("R3",  (0,  1,  2,  0,  0,  0,  0,  0,  0,  0,  2,  0)),
    ("R4",  (0,  0,  0,  1,  1,  0,  1,  0,  0,  0,  0,  0)),
    ("R5",  (0,  2,  1,  2,  0,  0,  1,  0,  0,  0,  2,  0)),
    ("R6",  (0,  0,  0,  0,  0,  0,  0,  2,  0,  0,  0,  0)),
    ("R7",  (0,  1,  1,  1,  0,  0,  0,  0,  0,  0,  1,  0)),
    ("R8",  (0,  1,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0)),
    ("R9",  (0,  0,  0,  0,  2,  1,  0,  0,  0,  0,  0,  0)),
    ("R10", (0,  0,  0,  0,  0,  0,  3,  0,  0,  0,  0,  0)),
    ("R11", (0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  3)),
)
# fmt: on


def _weights(column: int, letter: str, cause: CauseId) -> tuple[Weight, ...]:
    return tuple(
        Weight(
            feature=code,
            value=row[column],
            source=(
                f"{T23} weight matrix row {code}, column {letter} ({cause.value}); "
                f"{FEATURES_BY_CODE[code].source}"
            ),
        )
        for code, row in WEIGHT_MATRIX
        if row[column] != 0
    )


_CAUSE_DETAILS: dict[CauseId, tuple[tuple[str, ...], tuple[str, ...]]] = {
    CauseId.MISSED_PAIN_SOURCE: (
        ("rules.test.op_review", "rules.test.ct", "rules.test.mri", "rules.test.block"),
        ("§2.2 A", "§2.4 A", "[C2][C6][C15][C19d][C20a][C25]"),
    ),
    CauseId.PSEUDARTHROSIS: (
        (
            "rules.test.fine_ct",
            "rules.test.flex_ext_xray",
            "rules.test.crp_esr",
            "rules.test.bone",
        ),
        ("§2.2 B", "§2.4 B", "[C7][C8a][C9a][C10][C11][C12][C13a][C14][S26]"),
    ),
    CauseId.HARDWARE_FAILURE: (
        ("rules.test.xray_halo", "rules.test.ct", "rules.test.crp_esr"),
        ("§2.2 C", "§2.4 C", "[C14][C16a][C16b][C21b]"),
    ),
    CauseId.ADJACENT_SEGMENT_DISEASE: (
        ("rules.test.standing_flex_ext_xray", "rules.test.mri"),
        ("§2.2 D", "§2.4 D", "[C1][C17a][C17b][C17c][C17d][C17e]"),
    ),
    CauseId.RECURRENT_COMPRESSION: (
        ("rules.test.mri_gadolinium",),
        ("§2.2 E", "§2.4 E", "[C18a][C18b][C18c][C19b][C19c][S5]"),
    ),
    CauseId.EPIDURAL_FIBROSIS: (
        ("rules.test.mri_gadolinium",),
        ("§2.2 F", "§2.4 F", "[C2][C19a][C19b][C19e][C19f][C24a]"),
    ),
    CauseId.INFECTION: (
        ("rules.test.crp_trend", "rules.test.mri_contrast", "rules.test.cultures"),
        ("§2.2 G", "§2.4 G", "[C21a][C21b][C21c][C21d][C21f][S16][S23c]"),
    ),
    CauseId.SACROILIAC_JOINT: (
        ("rules.test.sij_provocation", "rules.test.sij_block"),
        ("§2.2 H", "§2.4 H", "[C2][C20a][C20b][C20c][C20d]"),
    ),
    CauseId.NEUROPATHIC_PAIN: (
        ("rules.test.neuropathic_screen",),
        ("§2.2 I", "§2.4 I", "[C2][C2b][C23a][C23b][S4a][S4b][C24a][C24b]"),
    ),
    CauseId.MYOFASCIAL_PAIN: (
        ("rules.test.examination",),
        ("§2.2 J", "§2.4 J", "[C2][S1][S3]"),
    ),
    CauseId.SAGITTAL_IMBALANCE: (
        ("rules.test.whole_spine_xray", "rules.test.bone_density"),
        ("§2.2 K", "§2.4 K", "[C1][C22a][C22b][C22c]"),
    ),
    CauseId.PSYCHOSOCIAL_FACTORS: (
        ("rules.test.mood_screen",),
        ("§2.2 L", "§2.4 L", "[C25][S1][S3][S29]"),
    ),
}

# Causes whose usual first step cannot wait (REFERENCE.md §2.4), and the features of their
# own pattern (§2.2) of which one must be present for them to be listed on their score.
_URGENT_CAUSES: dict[CauseId, tuple[Tier, tuple[str, ...], str]] = {
    # §2.4 G: "Same-day surgical review"; §2.2 G: "T2/T1". Its pattern is early wound signs
    # or fever and late constant/night pain "sometimes no fever" (§2.2 G, §8.5): S1, S2, Q4.
    # Mostly back pain (L1) or time since surgery alone fit most patients in the first two
    # years and would put a same-day cause on nearly every list.
    CauseId.INFECTION: (
        U,
        ("S1", "S2", "Q4"),
        f"§2.4 G 'Same-day surgical review'; §2.2 G pattern; {S8}.5 causes and tier agree",
    ),
}


def _cause_rule(column: int, letter: str, cause: CauseId) -> CauseRule:
    urgent = _URGENT_CAUSES.get(cause)
    return CauseRule(
        id=cause,
        letter=letter,
        name_key=f"rules.cause.{cause.value}.name",
        weights=_weights(column, letter, cause),
        test_keys=_CAUSE_DETAILS[cause][0],
        first_line_key=f"rules.cause.{cause.value}.first_line",
        advanced_key=f"rules.cause.{cause.value}.advanced",
        sources=_CAUSE_DETAILS[cause][1],
        next_step_tier=Tier.ROUTINE if urgent is None else urgent[0],
        listed_with=() if urgent is None else urgent[1],
        rule_source=None if urgent is None else urgent[2],
    )


CAUSES: tuple[CauseRule, ...] = tuple(
    _cause_rule(column, letter, cause) for column, (letter, cause) in enumerate(CAUSE_COLUMNS)
)

CAUSES_BY_ID: dict[CauseId, CauseRule] = {cause.id: cause for cause in CAUSES}

# Column L is a modifier, not a structural cause (REFERENCE.md §2.3 notes).
MODIFIER_CAUSE = CauseId.PSYCHOSOCIAL_FACTORS

# ---------------------------------------------------------------------------------------------
# Decisions where the reference is silent (rendered into docs/clinical-rules.md)
# ---------------------------------------------------------------------------------------------

DECISIONS: tuple[Decision, ...] = (
    Decision(
        topic="Unknown or approximate time since surgery (§8.1)",
        text=(
            "Days since surgery are an exact day or a range (only the month known, or 'in the "
            "last 2 weeks?' answered). A red-flag time window is open when it overlaps the "
            "range, and a wholly unknown day opens every window: RF-HAEM, RF-CSF, the fever "
            "part of RF-SSI-1 and the clear-fluid part of RF-SSI-2 still fire. A missed "
            "emergency costs more than a needless call. A timing feature (T1–T5) is scored only "
            "when the whole range lies inside it, so an unknown day scores none, and its reason "
            "names the window rather than a guessed number of weeks or months."
        ),
    ),
    Decision(
        topic="Not sure on a T1 item (§1.1 rule 5)",
        text=(
            "Each rule is evaluated twice: on the Yes answers, and on the Yes plus Not sure "
            "answers. If Not sure answers would make the rule fire or fire higher, the flag is "
            "marked unsure. An unsure flag that would be T1 is scored T2 and the message adds "
            "'If you have any doubt, go to the Emergency Department now.' This also covers "
            "a T1 escalation that depends on a Not sure answer (for example a fall with "
            "Not sure about leg weakness). RF-MH is the exception (§8.3)."
        ),
    ),
    Decision(
        topic="Not sure on a T2 or T3 item",
        text=(
            "The reference only sets a floor for T1 items. A Not sure answer on a T2 or T3 "
            "item keeps that item's own tier: the team can look, and there is no 'if in doubt' "
            "line to make up for a lower tier. A code given as both Yes and Not sure counts as "
            "Yes. Not sure answers never score causes."
        ),
    ),
    Decision(
        topic="RF-MH: thoughts of ending one's life (§8.3)",
        text=(
            "Never downgraded: Yes, Not sure and 'not new, my team knows' all fire RF-MH at "
            "emergency. Its message is the crisis message (safety and support, the crisis line "
            "and the emergency number of the patient's country), not the spine-emergency text; "
            "with other flags the crisis message comes first and the other flags' tier message "
            "follows. /check does not ask 'is this new?' for it: any answer but No shows the "
            "crisis message at once (sent through the outbox too) and only then offers to "
            "continue the check or stop. RF-MH does not stop the check as the spine "
            "emergencies do, and no later screen of that check says there are no warning signs."
        ),
    ),
    Decision(
        topic="Sudden severe back pain (§8.4)",
        text=(
            "sudden_severe_pain records sudden severe back pain or back pain quickly getting "
            "much worse (the question asks both). There is no separate code for 'rapidly "
            "worsening' and the codes are a public contract; a red-flag code means new or worse, "
            "and the same code already stands for 'pain new or getting worse' in RF-CA. In days "
            "0–14 it fires RF-HAEM at urgent (T2) on its own, and at emergency (T1) with a "
            "nerve or CES item. At any other time it fires RF-PAIN at urgent (T2), which is not "
            "shown while RF-HAEM fires. Pain slowly getting worse over weeks is the trend "
            "module's job (§3.2)."
        ),
    ),
    Decision(
        topic="RF-DVT and RF-PE",
        text=(
            "RF-DVT fires only when RF-PE has not fired on a definite Yes. When the PE answer "
            "is Not sure, both are shown, so the swollen leg is not lost from the message."
        ),
    ),
    Decision(
        topic="RF-SSI-1 time window",
        text=(
            "The patient cannot tell a superficial from a deep infection, so the deep/organ-"
            "space window (days 0–90) applies. A temperature alone counts as RF-SSI-1 only "
            "in days 0–90. Visible wound signs (pus, opening, more red/hot/swollen/painful) "
            "count at any time, because a fusion leaves an implant: the older CDC definition "
            "used 1 year [S17] and delayed implant infection appears up to years later "
            "[C21c]. After day 90 a temperature alone is not a red flag; with constant or "
            "night pain it fires RF-INF-LATE, and on its own it makes the result 'soon' "
            "(see 'Warning symptoms that fire no rule'), or urgent when infection is then the "
            "first-listed cause (§8.5)."
        ),
    ),
    Decision(
        topic="RF-SSI-2 time window",
        text=(
            "Clear fluid is a T3 flag in days 5–30 only (fluid in the first days is expected). "
            "Cloudy or smelly fluid is T2 at any time: it may be pus [S18] and the question "
            "asks about 'any fluid cloudy or smelly' without a day limit. Clear fluid also "
            "fires RF-CSF (T2) in days 0–42, so in practice clear fluid in days 5–30 is shown "
            "under both flags and the result is urgent."
        ),
    ),
    Decision(
        topic="RF-CSF time window",
        text=(
            "'Early post-op weeks' is taken as days 0–42 (6 weeks), the boundary the reference "
            "itself uses for early problems (§2.3 feature T1 '< 6 weeks')."
        ),
    ),
    Decision(
        topic="RF-HAEM and RF-CA combinations",
        text=(
            "'New leg weakness/numbness or bladder/bowel change' (RF-HAEM) and 'any neuro or "
            "CES item' (RF-INF-LATE, RF-CA, RF-FX) are: bladder_change, saddle_numbness, "
            "bowel_change, sexual_numbness, both_legs_new, both_legs_gradual, leg_weakness, "
            "leg_weakness_rapid. For RF-CA, 'pain new or getting steadily worse' is "
            "sudden_severe_pain or better_then_returned."
        ),
    ),
    Decision(
        topic="Warning symptoms that fire no rule",
        text=(
            "A red-flag symptom answered Yes or Not sure that fires no rule (for example "
            "weight loss alone, a temperature after day 90, clear wound fluid after day 42) "
            "makes the result 'soon' (T3): a new warning symptom is never 'routine'."
        ),
    ),
    Decision(
        topic="Long-standing symptoms the team knows about (§1.1 rule 5)",
        text=(
            "A red-flag symptom answered 'not new: unchanged, and my team knows about it' fires "
            "no flag and makes the result at least 'soon' (T3), with the symptom named in the "
            "message; RF-MH is never treated so (§8.3)."
        ),
    ),
    Decision(
        topic="The diary and /check agree (§8.7)",
        text=(
            "A red-flag symptom ticked in the diary in the last 7 days and answered 'not new' "
            "(or 'not sure' whether it is new) in /check counts as new: the check says on which "
            "day the diary recorded it and keeps that flag's advice. A No in /check is taken "
            "as it is."
        ),
    ),
    Decision(
        topic="Causes named by a red flag (§8.5)",
        text=(
            "A cause named by a fired red flag (also one fired by Not sure answers) is listed "
            "first, in the order of the flags (most urgent first; of one tier, flags fired on a "
            "definite Yes before those fired only on Not sure), whatever its score, with "
            "'a warning sign you told me about can point to this' as its first reason: RF-SEP, "
            "RF-SSI-1, RF-SSI-2 and RF-INF-LATE name infection; RF-FX names hardware failure, "
            "then sagittal imbalance (junctional fracture, §2.2 K); RF-CES-1…5 and RF-NEU-1 "
            "name recurrent compression; RF-HW names hardware failure (table 1.2 'see Cause "
            "C'). The score shown is still the sum of the weights. Other causes follow, ranked."
        ),
    ),
    Decision(
        topic="Causes and tier agree (§8.5)",
        text=(
            "The tier is never lower than the urgency of the usual first step (§2.4) of the "
            "first-listed structural cause: infection ('same-day surgical review') makes it at "
            "least urgent (T2). A cause with an urgent first step listed further down makes "
            "the result at least 'soon' (T3), so nothing says 'nothing urgent' beside it. "
            "Infection is listed on its score only with one of its own pattern features "
            "(§2.2 G): a temperature (S1), a wound problem (S2) or constant/night pain (Q4), "
            "which with diabetes or immunosuppression ranks it. Mostly back pain (L1) and time "
            "since surgery alone fit most patients and are not enough. When a cause raises "
            "the tier, the message says which cause and why. Without a red flag or such a "
            "cause the tier is routine, or soon for a warning symptom that fires no rule or a "
            "long-standing symptom. Sustained worsening (§3.2, T3) is the trend module's job."
        ),
    ),
    Decision(
        topic="Cause list",
        text=(
            "Causes with a score above 0 are listed, best first; ties keep the §2.2 order "
            "(A–L). Reasons are the present features with a positive weight, largest first. "
            "The summary shows the top structural causes; psychosocial factors (column L) "
            "never take a structural cause's place and, when among the top 3, add the "
            "pain-management / psychology support line. Non-spinal mimics (§2.2 M) have no "
            "cause ID and are not scored."
        ),
    ),
    Decision(
        topic="Causes need a reported pain feature",
        text=(
            "A cause is listed on its score only when at least one feature the patient reported "
            "about the pain (T0, C1, C3, L1–L5, Q1–Q7, S1, S2) adds to it. Time since surgery "
            "and risk factors alone describe risk, not the pain, and would put the same causes "
            "on every list."
        ),
    ),
    Decision(
        topic="Findings without a cause feature",
        text=(
            "sudden_severe_pain, feeling_unwell, weight_loss, cancer_history and the other "
            "red-flag symptoms not listed under a feature feed only the red-flag rules. "
            "feeling_unwell is not mapped to S1 ('fever, sweats, chills'): it is vaguer."
        ),
    ),
)
