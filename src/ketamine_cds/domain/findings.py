"""The closed vocabulary of patient findings that eligibility criteria refer to.

A protocol file names a finding (``finding: central_sensitisation``) for each eligibility
criterion; the assessment decides from the patient record whether it is met, not met or unknown.
Keeping the vocabulary closed means a typing error in a protocol file is a validation error, not
a criterion that silently never matches.
"""

from enum import StrEnum


class Finding(StrEnum):
    """Something about the patient that an eligibility criterion can ask for."""

    ADULT = "adult"
    CANCER_PAIN = "cancer_pain"
    NON_CANCER_PAIN = "non_cancer_pain"
    INPATIENT = "inpatient"
    ORDERED_BY_SPECIALIST_PAIN_SERVICE = "ordered_by_specialist_pain_service"
    PAIN_REFRACTORY_TO_OPIOID_ESCALATION = "pain_refractory_to_opioid_escalation"
    OPIOID_ESCALATION_LIMITED_BY_SIDE_EFFECTS = "opioid_escalation_limited_by_side_effects"
    ADJUVANTS_CONSIDERED = "adjuvants_considered"
    NEUROPATHIC_PAIN = "neuropathic_pain"
    CENTRAL_SENSITISATION = "central_sensitisation"
    POOR_OPIOID_RESPONSIVENESS = "poor_opioid_responsiveness"
    SIGNIFICANT_OPIOID_SIDE_EFFECTS = "significant_opioid_side_effects"
    OPIOID_DRUG_SEEKING = "opioid_drug_seeking"
    OPIOID_TOLERANCE = "opioid_tolerance"
    OPIOIDS_CONVERTED_TO_ONE_SPECIES = "opioids_converted_to_one_species"
    COMPREHENSIVE_ASSESSMENT_DONE = "comprehensive_assessment_done"
    COMPLEX_REGIONAL_PAIN_SYNDROME = "complex_regional_pain_syndrome"
    SPINAL_CORD_INJURY_PAIN = "spinal_cord_injury_pain"
    PERIOPERATIVE = "perioperative"
    PROCEDURAL_PAIN = "procedural_pain"
    ABLE_TO_TAKE_ORAL = "able_to_take_oral"
