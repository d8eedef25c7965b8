"""The patient record the assessment reads.

A record is what the team knows before an infusion starts (SPEC section 2; seed 004, "Comprehensive
assessment in sociopsychobiomedical framework"). Almost every field may be left out: a yes/no that
is missing is *unknown*, never *no*, so an assessment built on it says what is missing instead of
silently passing the patient. Lists work the same way: an absent list was not asked about; an
empty list was asked about and nothing was found.

The model is closed (an unknown key is an error) and is exported as JSON Schema to
``schemas/patient.schema.json``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    field_validator,
)

from ketamine_cds.domain.units import BodyWeight

ADULT_AGE_YEARS = 18  # the product is for adults only (SPEC section 2)
_OLDEST_AGE_YEARS = 120  # a typing error, not a patient
# Plain decimal digits only (no exponent, underscores or signs); the number of digits is bounded
# so the text always reads as a finite number.
_WEIGHT_RE = re.compile(
    r"^\s*(?P<number>[0-9]{1,6}(?:\.[0-9]{1,6})?)\s*(?P<unit>kg|kgs|kilograms?|lb|lbs|pounds?)\s*$",
    re.IGNORECASE,
)
_BP_RE = re.compile(r"^\s*(?P<systolic>[0-9]{2,3})\s*/\s*(?P<diastolic>[0-9]{2,3})\s*$")
_TARGET_RE = re.compile(r"^\s*(10|[0-9])(\s*-\s*(10|[0-9]))?\s*$")

# Strict types: a file's "yes" or 1 is not read as true, nor true as 1 (no guessing).
Unknown = StrictBool | None


def _closed() -> ConfigDict:
    return ConfigDict(extra="forbid", frozen=True)


def parse_weight(text: str) -> BodyWeight:
    """Read a weight written as ``70 kg`` or ``154 lb``; pounds are converted and remembered.

    Only the writing is checked here. Whether the weight is one the product supports is the
    adult range of ``data/limits.yaml`` (``LimitTable.check_weight``), which every command and
    file reader applies, so there is one range everywhere.

    >>> parse_weight("154 lb").conversion
    '154 lb × 0.45359237 kg/lb = 69.85 kg'
    """
    match = _WEIGHT_RE.match(text)
    if match is None:
        raise ValueError(
            f"weight '{text[:40]}' is not a plain number followed by kg or lb (e.g. 70 kg)"
        )
    number = float(match.group("number"))
    if number == 0:
        raise ValueError(f"weight '{text}' is zero")
    unit = match.group("unit").lower()
    if unit.startswith(("lb", "pound")):
        return BodyWeight.from_lb(number)
    return BodyWeight.from_kg(number)


class PainType(StrEnum):
    """The kind of pain, as the clinician classifies it."""

    NOCICEPTIVE = "nociceptive"
    NEUROPATHIC = "neuropathic"
    MIXED = "mixed"
    VISCERAL = "visceral"


class PainDescriptor(StrEnum):
    """Words the patient uses for the pain (seed 000, "Neuropathic Pain")."""

    TINGLING = "tingling"
    PAIN_INCREASED_BY_TOUCH = "pain_increased_by_touch"
    NUMBNESS = "numbness"
    BURNING = "burning"
    SHOOTING = "shooting"
    ELECTRIC = "electric"
    FREEZING = "freezing"
    PRICKLING = "prickling"
    TEMPERATURE_CHANGE = "temperature_change"
    COLOUR_CHANGE = "colour_change"
    ACHING = "aching"
    STABBING = "stabbing"
    SQUEEZING = "squeezing"


class ExaminationSign(StrEnum):
    """Findings on examination of the painful area (seed 000, "Neuropathic Pain")."""

    ALLODYNIA = "allodynia"
    HYPERALGESIA = "hyperalgesia"
    HYPOALGESIA = "hypoalgesia"


class PainSyndrome(StrEnum):
    """Named syndromes that eligibility criteria or evidence statements refer to."""

    COMPLEX_REGIONAL_PAIN_SYNDROME = "complex_regional_pain_syndrome"
    SPINAL_CORD_INJURY_PAIN = "spinal_cord_injury_pain"
    PHANTOM_LIMB_PAIN = "phantom_limb_pain"
    ISCHAEMIC_LIMB_PAIN = "ischaemic_limb_pain"
    FIBROMYALGIA = "fibromyalgia"
    MIGRAINE = "migraine"
    POSTHERPETIC_NEURALGIA = "postherpetic_neuralgia"


class AdjuvantClass(StrEnum):
    """Adjuvant groups that seed 001 ("Appropriate use") expects tried or considered."""

    TRICYCLIC = "tricyclic"
    GABAPENTINOID = "gabapentinoid"
    NSAID = "nsaid"
    STEROID = "steroid"
    MUSCLE_RELAXANT = "muscle_relaxant"
    ACETAMINOPHEN = "acetaminophen"
    SNRI = "snri"
    OTHER_ANTICONVULSANT = "other_anticonvulsant"
    NMDA_ANTAGONIST = "nmda_antagonist"
    OTHER = "other"


class Route(StrEnum):
    """Where the ketamine is planned to go."""

    INTRAVENOUS = "intravenous"
    SUBCUTANEOUS = "subcutaneous"
    INTRAMUSCULAR = "intramuscular"
    ORAL = "oral"
    SUBLINGUAL = "sublingual"
    INTRANASAL = "intranasal"
    NEURAXIAL = "neuraxial"


OrganImpairment = Literal["none", "mild", "moderate", "severe"]


class Goal(BaseModel):
    """The patient's own goal for pain (seed 000: 3-4/10, set by the function it allows)."""

    model_config = _closed()

    target_pain: str | None = Field(
        default=None, description="Target pain score on 0-10, a number or a range such as '3-4'."
    )
    function: str | None = Field(
        default=None, description="What the patient wants to be able to do."
    )

    @field_validator("target_pain")
    @classmethod
    def _target_is_a_score(cls, value: str | None) -> str | None:
        if value is not None and _TARGET_RE.match(value) is None:
            raise ValueError(f"target pain '{value}' is not a 0-10 score or a range such as '3-4'")
        return value


class Pain(BaseModel):
    """Pain history and type."""

    model_config = _closed()

    population: Literal["cancer", "non_cancer"] | None = Field(
        default=None, description="Cancer or non-cancer pain."
    )
    types: list[PainType] | None = Field(default=None, description="Nociceptive, neuropathic …")
    description: str | None = Field(default=None, description="The history in the team's words.")
    duration_months: StrictFloat | None = Field(default=None, ge=0)
    baseline_score: StrictInt | None = Field(
        default=None, ge=0, le=10, description="Usual pain, 0-10."
    )
    worst_score: StrictInt | None = Field(
        default=None, ge=0, le=10, description="Worst pain, 0-10."
    )
    descriptors: list[PainDescriptor] | None = Field(
        default=None, description="The patient's words for the pain; [] if asked and none fit."
    )
    examination_signs: list[ExaminationSign] | None = Field(
        default=None, description="Signs found on examination; [] if examined and none found."
    )
    syndromes: list[PainSyndrome] | None = Field(
        default=None, description="Named syndromes; [] if none applies."
    )
    central_sensitisation: Unknown = Field(
        default=None,
        description="Clinician's judgement: clear clinical evidence of central sensitisation.",
    )
    central_sensitisation_evidence: str | None = None


class Opioids(BaseModel):
    """Current opioids and how the pain and the patient have responded to them."""

    model_config = _closed()

    regimen: str | None = Field(default=None, description="The current regimen as written.")
    med_mg_per_day: StrictFloat | None = Field(
        default=None, ge=0, description="24-hour oral morphine equivalent, mg/day."
    )
    refractory_to_escalation: Unknown = Field(
        default=None, description="Pain not controlled despite escalating opioid doses."
    )
    escalation_limited_by_side_effects: Unknown = None
    poor_responsiveness: Unknown = Field(
        default=None, description="Doses considered to reflect poor opioid responsiveness."
    )
    significant_side_effects: Unknown = None
    side_effects: list[str] = Field(default_factory=list)
    drug_seeking: Unknown = Field(
        default=None, description="Opioid drug-seeking behaviour to the detriment of self/others."
    )
    tolerant: Unknown = None
    converted_to_one_species: Unknown = None


class AdjuvantTrial(BaseModel):
    """One adjuvant analgesic tried, and why it stopped."""

    model_config = _closed()

    drug: str = Field(min_length=1)
    drug_class: AdjuvantClass
    outcome: Literal["continuing", "ineffective", "side_effects", "contraindicated", "other"]
    note: str | None = None


class Adjuvants(BaseModel):
    """Adjuvants tried and whether the others were considered (seed 001, "Appropriate use")."""

    model_config = _closed()

    considered: Unknown = Field(
        default=None, description="NSAIDs, steroids, neuropathic agents, procedures considered."
    )
    tried: list[AdjuvantTrial] | None = None


class OrganFunction(BaseModel):
    """Hepatic and renal function."""

    model_config = _closed()

    hepatic: OrganImpairment | None = None
    hepatic_note: str | None = None
    renal: OrganImpairment | None = None
    renal_note: str | None = None


class Psychiatric(BaseModel):
    """Psychiatric history."""

    model_config = _closed()

    psychosis_history: Unknown = None
    active_psychosis: Unknown = None
    personality_disorder: Unknown = None
    note: str | None = None


class Cardiovascular(BaseModel):
    """Cardiovascular status and the baseline observations."""

    model_config = _closed()

    tachyarrhythmia: Unknown = None
    hypertension: Unknown = None
    poorly_controlled_disease: Unknown = Field(
        default=None, description="Poorly controlled cardiovascular disease."
    )
    blood_pressure: str | None = Field(default=None, description="Baseline, e.g. '150/90' mmHg.")
    heart_rate: StrictInt | None = Field(
        default=None, ge=20, le=250, description="Baseline, per minute."
    )
    note: str | None = None

    @field_validator("blood_pressure")
    @classmethod
    def _pressure_reads(cls, value: str | None) -> str | None:
        if value is not None and _BP_RE.match(value) is None:
            raise ValueError(f"blood pressure '{value}' is not written as systolic/diastolic")
        return value

    @property
    def systolic_diastolic(self) -> tuple[int, int] | None:
        """The baseline blood pressure as (systolic, diastolic) mmHg, if recorded."""
        if self.blood_pressure is None:
            return None
        match = _BP_RE.match(self.blood_pressure)
        assert match is not None  # noqa: S101 - checked by the validator
        return int(match.group("systolic")), int(match.group("diastolic"))


class Neurological(BaseModel):
    """Raised pressures and seizures."""

    model_config = _closed()

    raised_intracranial_pressure: Unknown = None
    raised_intraocular_pressure: Unknown = None
    seizures: Unknown = None


class SubstanceUse(BaseModel):
    """Substance use, current and past."""

    model_config = _closed()

    active_misuse: Unknown = None
    past_misuse: Unknown = None
    note: str | None = None


class HarmFactors(BaseModel):
    """Factors that might predispose to harm from an infusion (seed 004, section 3)."""

    model_config = _closed()

    assessed: Unknown = Field(default=None, description="Whether the team has looked for them.")
    factors: list[str] = Field(default_factory=list)


class Setting(BaseModel):
    """Where and by whom the infusion would be given."""

    model_config = _closed()

    inpatient: Unknown = None
    ordered_by_specialist_pain_service: Unknown = None
    perioperative: Unknown = None
    procedural: Unknown = None
    able_to_take_oral: Unknown = None


class ComprehensiveAssessment(BaseModel):
    """The sociopsychobiomedical assessment of seed 004 (section 3)."""

    model_config = _closed()

    done: Unknown = None
    multidisciplinary_approaches_to_date: str | None = None
    expectancy: str | None = Field(default=None, description="The patient's expectancy.")
    clinician_goals: str | None = None
    indicators_of_success: str | None = None


class Plan(BaseModel):
    """The planned route and preparation."""

    model_config = _closed()

    route: Route | None = None
    preparation: Literal["preserved", "preservative_free"] | None = None


class Lanss(BaseModel):
    """Answers to the seven LANSS items (Bennett, Pain 2001;92:147-157); yes is true."""

    model_config = _closed()

    dysaesthesia: Unknown = None
    autonomic: Unknown = None
    evoked_pain: Unknown = None
    paroxysmal_pain: Unknown = None
    thermal_pain: Unknown = None
    allodynia: Unknown = None
    altered_pinprick_threshold: Unknown = None


class Bpi(BaseModel):
    """Brief Pain Inventory answers, each 0-10 (Cleeland)."""

    model_config = _closed()

    worst: StrictInt | None = Field(default=None, ge=0, le=10)
    least: StrictInt | None = Field(default=None, ge=0, le=10)
    average: StrictInt | None = Field(default=None, ge=0, le=10)
    now: StrictInt | None = Field(default=None, ge=0, le=10)
    general_activity: StrictInt | None = Field(default=None, ge=0, le=10)
    mood: StrictInt | None = Field(default=None, ge=0, le=10)
    walking_ability: StrictInt | None = Field(default=None, ge=0, le=10)
    normal_work: StrictInt | None = Field(default=None, ge=0, le=10)
    relations_with_others: StrictInt | None = Field(default=None, ge=0, le=10)
    sleep: StrictInt | None = Field(default=None, ge=0, le=10)
    enjoyment_of_life: StrictInt | None = Field(default=None, ge=0, le=10)


class Pseq(BaseModel):
    """Pain Self-Efficacy Questionnaire: ten answers in item order, each 0-6 (Nicholas 2007)."""

    model_config = _closed()

    answers: list[StrictInt | None] = Field(min_length=10, max_length=10)

    @field_validator("answers")
    @classmethod
    def _each_in_range(cls, value: list[int | None]) -> list[int | None]:
        for number, answer in enumerate(value, start=1):
            if answer is not None and not 0 <= answer <= 6:
                raise ValueError(f"PSEQ item {number} is {answer}; each answer is 0-6")
        return value


class Questionnaires(BaseModel):
    """Screening and baseline questionnaires."""

    model_config = _closed()

    lanss: Lanss | None = None
    bpi: Bpi | None = None
    pseq: Pseq | None = None


class PatientRecord(BaseModel):
    """Everything the pre-infusion assessment reads about one patient."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="ketamine-cds patient record")

    format_version: Literal[1] = Field(default=1, description="Version of this file format.")
    id: str | None = Field(default=None, description="A label for the record (not an identifier).")
    age_years: StrictInt | None = Field(default=None, description="Age in years; adults only.")
    sex: Literal["female", "male", "other"] | None = None
    weight: str | None = Field(default=None, description="'70 kg' or '154 lb'.")
    pain: Pain = Field(default_factory=Pain)
    goal: Goal = Field(default_factory=Goal)
    indication: str | None = Field(
        default=None,
        description="Indication key of the evidence table, e.g. 'refractory_cancer_pain'.",
    )
    opioids: Opioids = Field(default_factory=Opioids)
    adjuvants: Adjuvants = Field(default_factory=Adjuvants)
    organ_function: OrganFunction = Field(default_factory=OrganFunction)
    psychiatric: Psychiatric = Field(default_factory=Psychiatric)
    cardiovascular: Cardiovascular = Field(default_factory=Cardiovascular)
    neurological: Neurological = Field(default_factory=Neurological)
    pregnancy: Literal["pregnant", "not_pregnant", "not_applicable"] | None = None
    substance_use: SubstanceUse = Field(default_factory=SubstanceUse)
    harm_factors: HarmFactors = Field(default_factory=HarmFactors)
    setting: Setting = Field(default_factory=Setting)
    comprehensive_assessment: ComprehensiveAssessment = Field(
        default_factory=ComprehensiveAssessment
    )
    plan: Plan = Field(default_factory=Plan)
    questionnaires: Questionnaires = Field(default_factory=Questionnaires)
    notes: str | None = None

    @field_validator("age_years")
    @classmethod
    def _adult(cls, value: int | None) -> int | None:
        if value is not None and not ADULT_AGE_YEARS <= value <= _OLDEST_AGE_YEARS:
            raise ValueError(
                f"age {value} is outside {ADULT_AGE_YEARS}-{_OLDEST_AGE_YEARS}: "
                "the product is for adults only"
            )
        return value

    @field_validator("weight")
    @classmethod
    def _weight_reads(cls, value: str | None) -> str | None:
        if value is not None:
            parse_weight(value)
        return value

    @property
    def body_weight(self) -> BodyWeight | None:
        """The weight, converted from pounds where it was entered in pounds."""
        return None if self.weight is None else parse_weight(self.weight)
