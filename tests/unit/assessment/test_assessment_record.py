"""The patient record and its file format."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ketamine_cds.adapters.patient_files import parse_patient_text
from ketamine_cds.domain.assessment.evidence import EvidenceTable, evidence_for
from ketamine_cds.domain.assessment.patient import PatientRecord, parse_weight
from ketamine_cds.domain.errors import UserInputError


def test_pounds_are_converted_and_the_conversion_shown() -> None:
    """A weight in pounds becomes kilograms, and the conversion is kept to be shown."""
    weight = PatientRecord(weight="154 lb").body_weight
    assert weight is not None
    assert weight.kg == pytest.approx(69.853, abs=1e-3)
    assert weight.conversion == "154 lb × 0.45359237 kg/lb = 69.85 kg"


@pytest.mark.parametrize("text", ["70", "70 stone", "7_0 kg", "1e2 kg", "0 kg", "-70 kg"])
def test_unitless_or_misspelt_weights_are_refused(text: str) -> None:
    """A weight without kg/lb, or not written as a plain positive number, is refused."""
    with pytest.raises(ValueError, match="weight"):
        parse_weight(text)


@pytest.mark.parametrize("text", ["700 kg", "2 kg", "10 kg", "350 kg", "700 lb"])
def test_weights_outside_the_adult_range_are_refused(text: str) -> None:
    """A patient file's weight outside 30-300 kg (data/limits.yaml) is refused, as everywhere."""
    with pytest.raises(UserInputError, match=r"adult range this product supports \(30 to 300 kg\)"):
        parse_patient_text(f"weight: {text}\n", "p.yaml")


def test_children_are_refused() -> None:
    """The product is for adults only: age 17 is refused."""
    with pytest.raises(ValidationError, match="adults only"):
        PatientRecord(age_years=17)


def test_unknown_key_names_the_file_and_the_key() -> None:
    """A misspelt key is one sentence naming the file, the key and where it is."""
    with pytest.raises(UserInputError, match=r"p\.yaml: unknown key 'psychosis' at psychiatric"):
        parse_patient_text("psychiatric:\n  psychosis: true\n", "p.yaml")


def test_json_and_yaml_read_the_same_record() -> None:
    """The same record in JSON and YAML gives equal models."""
    from_json = parse_patient_text('{"age_years": 40, "sex": "male"}', "p.json", as_json=True)
    from_yaml = parse_patient_text("age_years: 40\nsex: male\n", "p.yaml")
    assert from_json == from_yaml


def test_blood_pressure_must_read_as_systolic_over_diastolic() -> None:
    """'150-90' is refused; '150/90' reads as (150, 90)."""
    with pytest.raises(ValidationError, match="systolic/diastolic"):
        PatientRecord.model_validate({"cardiovascular": {"blood_pressure": "150-90"}})
    record = PatientRecord.model_validate({"cardiovascular": {"blood_pressure": "150/90"}})
    assert record.cardiovascular.systolic_diastolic == (150, 90)


def test_unknown_indication_lists_the_known_ones(evidence: EvidenceTable) -> None:
    """An indication the table does not know is a user error naming the choices."""
    with pytest.raises(UserInputError, match="refractory_cancer_pain"):
        evidence_for(evidence, "headache_in_general")


def test_evidence_is_strongest_first_and_silence_is_said(evidence: EvidenceTable) -> None:
    """Statements come strongest level first; CRPS, absent from the box, says so."""
    tolerance = evidence_for(evidence, "opioid_tolerance")
    assert [s.level for s in tolerance.statements] == ["II", "IV"]
    crps = evidence_for(evidence, "complex_regional_pain_syndrome")
    assert crps.level is None
    assert "gives no level" in crps.message
