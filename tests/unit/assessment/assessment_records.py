"""Patient records shared by the assessment unit tests."""

from __future__ import annotations

from typing import Any

from ketamine_cds.domain.assessment.patient import PatientRecord

# Every contraindication-grade condition recorded as absent, so a verdict rests on the criteria.
SAFE: dict[str, Any] = {
    "age_years": 50,
    "sex": "female",
    "pregnancy": "not_pregnant",
    "organ_function": {"hepatic": "none", "renal": "none"},
    "psychiatric": {
        "psychosis_history": False,
        "active_psychosis": False,
        "personality_disorder": False,
    },
    "cardiovascular": {
        "tachyarrhythmia": False,
        "hypertension": False,
        "poorly_controlled_disease": False,
        "blood_pressure": "120/80",
        "heart_rate": 70,
    },
    "neurological": {
        "raised_intracranial_pressure": False,
        "raised_intraocular_pressure": False,
        "seizures": False,
    },
    "substance_use": {"active_misuse": False, "past_misuse": False},
    "harm_factors": {"assessed": True},
}


def safe_record(**changes: Any) -> PatientRecord:
    """A record with every contraindication absent, updated by ``changes`` (top-level keys)."""
    return PatientRecord.model_validate({**SAFE, **changes})
