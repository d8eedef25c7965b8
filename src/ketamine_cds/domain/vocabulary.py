"""Closed vocabularies shared by protocols, episodes and observations.

Each is a :class:`~enum.StrEnum` so that a protocol file or an episode file that names something
outside the list fails validation instead of silently matching nothing.
"""

from enum import StrEnum


class Route(StrEnum):
    """How the drug is given."""

    IV = "iv"
    SC = "sc"
    IM = "im"
    ORAL = "oral"
    SUBLINGUAL = "sublingual"
    INTRANASAL = "intranasal"


PARENTERAL_ROUTES = frozenset({Route.IV, Route.SC, Route.IM})


class Symptom(StrEnum):
    """Side effects and symptoms the bedside records and the protocols name.

    The list covers what the sources name: psychotomimetic effects (hallucinations, dysphoria,
    vivid dreams and nightmares, dissociation, floating or out-of-body sensations and distorted
    perception, delirium; seed 000 "Ketamine", seed 003 "Adverse Effects"), restlessness (seed 000,
    lorazepam), sedation and drowsiness, dizziness (seed 001 case 1's dose-limiting effect; seed
    003), visual disturbances (seed 003), and ``other``, described in words.
    """

    HALLUCINATIONS = "hallucinations"
    DYSPHORIA = "dysphoria"
    VIVID_DREAMS = "vivid_dreams"
    DISSOCIATION = "dissociation"
    AMNESIA = "amnesia"
    AGITATION = "agitation"
    NAUSEA = "nausea"
    VOMITING = "vomiting"
    PRURITUS = "pruritus"
    SALIVATION = "salivation"
    LACRIMATION = "lacrimation"
    SOMNOLENCE = "somnolence"
    SEDATION = "sedation"
    DIZZINESS = "dizziness"
    RESTLESSNESS = "restlessness"
    NIGHTMARES = "nightmares"
    DELIRIUM = "delirium"
    VISUAL_DISTURBANCES = "visual_disturbances"
    ALTERED_PERCEPTION = "altered_perception"
    OTHER = "other"


PSYCHOTOMIMETIC = frozenset(
    {
        Symptom.HALLUCINATIONS,
        Symptom.DYSPHORIA,
        Symptom.VIVID_DREAMS,
        Symptom.DISSOCIATION,
        Symptom.AGITATION,
        Symptom.NIGHTMARES,
        Symptom.DELIRIUM,
        Symptom.ALTERED_PERCEPTION,
    }
)


class Vital(StrEnum):
    """What a notification or stop criterion measures."""

    HEART_RATE = "heart_rate"
    SYSTOLIC_BP = "systolic_bp"
    DIASTOLIC_BP = "diastolic_bp"
    RESPIRATORY_RATE = "respiratory_rate"
    SPO2 = "spo2"
    PAIN = "pain"
    SEDATION = "sedation"


class Observed(StrEnum):
    """What a monitoring order asks the nurse to check."""

    VITALS = "vitals"
    HEART_RATE = "heart_rate"
    BLOOD_PRESSURE = "blood_pressure"
    RESPIRATORY_RATE = "respiratory_rate"
    SPO2 = "spo2"
    PAIN = "pain"
    SEDATION = "sedation"
    PSYCHOTOMIMETIC_EFFECTS = "psychotomimetic_effects"
    SIDE_EFFECTS = "side_effects"
