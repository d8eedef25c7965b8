"""The new-episode assessment form: laid out from the patient record, read back into one."""

from __future__ import annotations

import pytest

from ketamine_cds.adapters.patient_files import load_evidence_table
from ketamine_cds.domain.assessment.patient import PatientRecord
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.entrypoints.web.presenters.assessment_form import (
    NONE_FOUND,
    assessment_form,
    flatten,
    form_fields,
)
from ketamine_cds.entrypoints.web.views.patient_form import patient_record

INDICATIONS = tuple(load_evidence_table().indications)


def _fields():
    return {f.name: f for f in form_fields(assessment_form(None, INDICATIONS))}


def test_every_yes_no_question_of_the_record_has_three_answers_defaulting_to_not_asked():
    """A tri-state field for each yes/no of the record; nothing is pre-answered."""
    fields = _fields()
    tri = [f for f in fields.values() if f.kind == "tri"]
    assert "psychiatric.active_psychosis" in fields
    assert fields["psychiatric.active_psychosis"].kind == "tri"
    assert all(f.value == "" for f in tri)
    assert len([f for f in tri if f.name.startswith("questionnaires.lanss.")]) == 7


def test_the_form_asks_lanss_bpi_pseq_and_the_indication():
    """Seven LANSS items, eleven BPI items (0-10), ten PSEQ items (0-6), the indications."""
    fields = _fields()
    bpi = [f for f in fields.values() if f.name.startswith("questionnaires.bpi.")]
    pseq = [f for f in fields.values() if f.name.startswith("questionnaires.pseq.")]
    assert len(bpi) == 11
    assert {(f.minimum, f.maximum) for f in bpi} == {(0, 10)}
    assert len(pseq) == 10
    assert {(f.minimum, f.maximum) for f in pseq} == {(0, 6)}
    assert {v for v, _ in fields["indication"].options} == {i.id for i in INDICATIONS}


def test_answers_read_back_into_the_record_unknown_left_unknown():
    """Yes and no are kept; not asked stays None; none found is an empty list."""
    record = patient_record(
        {
            "id": ["MRN-7"],
            "weight": ["154 lb"],
            "psychiatric.active_psychosis": ["no"],
            "psychiatric.psychosis_history": [""],
            "cardiovascular.tachyarrhythmia": ["yes"],
            "pain.examination_signs": [NONE_FOUND],
            "pain.types": ["neuropathic", "mixed"],
            "pain.baseline_score": ["8"],
            "opioids.med_mg_per_day": ["120.5"],
            "harm_factors.factors": ["lives alone; falls"],
            "questionnaires.pseq.1": ["3"],
        },
        INDICATIONS,
    )
    assert record.id == "MRN-7"
    assert record.body_weight is not None
    assert round(record.body_weight.kg, 2) == 69.85
    assert record.psychiatric.active_psychosis is False
    assert record.psychiatric.psychosis_history is None
    assert record.cardiovascular.tachyarrhythmia is True
    assert record.pain.examination_signs == []
    assert [t.value for t in record.pain.types or []] == ["neuropathic", "mixed"]
    assert record.opioids.med_mg_per_day == 120.5
    assert record.harm_factors.factors == ["lives alone", "falls"]
    assert record.questionnaires.pseq is not None
    assert record.questionnaires.pseq.answers == [3, *[None] * 9]


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"id": ["X"]}, "give the patient's identifier and dosing weight"),
        ({"id": ["X"], "weight": ["heavy"]}, "is not a plain number followed by kg or lb"),
        ({"id": ["X"], "weight": ["70 kg"], "age_years": ["12"]}, "adults only"),
        ({"id": ["X"], "weight": ["70 kg"], "pain.baseline_score": ["7.5"]}, "not a whole number"),
    ],
)
def test_bad_answers_are_refused_in_one_sentence(fields, sentence):
    """A bad answer names its question."""
    with pytest.raises(UserInputError) as refused:
        patient_record(fields, INDICATIONS)
    assert sentence in str(refused.value)


def test_a_record_fills_the_form_again():
    """Going back a step shows the answers given (the record's paths are the form's names)."""
    record = PatientRecord.model_validate(
        {
            "id": "MRN-7",
            "weight": "70 kg",
            "psychiatric": {"active_psychosis": False},
            "pain": {"syndromes": []},
        }
    )
    fields = {
        f.name: f
        for f in form_fields(assessment_form(flatten(record.model_dump(mode="json")), INDICATIONS))
    }
    assert fields["id"].value == "MRN-7"
    assert fields["psychiatric.active_psychosis"].value == "no"
    assert fields["pain.syndromes"].values == (NONE_FOUND,)
    assert fields["cardiovascular.tachyarrhythmia"].value == ""
