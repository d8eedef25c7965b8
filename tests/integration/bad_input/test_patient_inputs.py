"""Patient files as assess reads them: one weight range, no guessed booleans or numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import Case, ids, run_case
from valid_documents import NOTICE, PATIENT, PATIENT_JSON, patient_with

ADULT_RANGE = r"outside the adult range this product supports \(30 to 300 kg\) \(at weight\)\.$"
HEAD = r"^error: input\.yaml: "


def assess(case_id: str, yaml_text: str, *, status: int = 2, stderr: str | None = None,
           stdout: str | None = None) -> Case:
    """An ``assess`` case of a patient file: a labelled record with ``yaml_text`` after it."""
    content = f"id: p1\n{yaml_text}\n".encode()
    return Case(f"assess-{case_id}", ("assess", "{file}"), status, stderr=stderr, stdout=stdout,
                content=content)


CASES = [
    assess("weight-700-kg", "weight: 700 kg", stderr=rf"{HEAD}a weight of 700 kg is {ADULT_RANGE}"),
    assess("weight-10-kg", "weight: 10 kg", stderr=rf"{HEAD}a weight of 10 kg is {ADULT_RANGE}"),
    assess("weight-350-kg", "weight: 350 kg", stderr=rf"a weight of 350 kg is {ADULT_RANGE}"),
    assess("weight-66-lb", "weight: 66 lb", stderr=rf"= 29\.94 kg is {ADULT_RANGE}"),
    assess("weight-700-lb", "weight: 700 lb", stderr=rf"= 317\.51 kg is {ADULT_RANGE}"),
    assess("weight-7_0-kg", "weight: 7_0 kg",
           stderr=r"weight '7_0 kg' is not a plain number followed by kg or lb"),
    assess("weight-no-unit", "weight: '70'", stderr=r"weight '70' is not a plain number"),
    assess("weight-number", "weight: 70", stderr=r"Input should be a valid string \(at weight\)"),
    assess("weight-154-lb", "weight: 154 lb", status=0,
           stdout=r"Patient p1: age not recorded, sex not recorded, 154 lb × 0\.45359237 kg/lb"),
    assess("weight-30-kg", "weight: 30 kg", status=0, stdout=r"Patient p1: .*, 30 kg\n"),
    assess("weight-300-kg", "weight: 300 kg", status=0, stdout=r"Patient p1: .*, 300 kg\n"),
    Case("assess-weight-duplicate", ("assess", "{file}"), 2,
         stderr=rf"{HEAD}the key 'weight' is given twice in one mapping \(lines 4 and 8\)",
         content=patient_with(b"weight: 170 kg\n")),
    Case("assess-weight-duplicate-json", ("assess", "{file}"), 2,
         stderr=r"input\.json: the key 'weight' is given twice in one object",
         content=PATIENT_JSON.replace(b'"70 kg"', b'"70 kg", "weight": "170 kg"'),
         file_name="input.json"),
    assess("age-17", "age_years: 17",
           stderr=r"age 17 is outside 18-120: the product is for adults only \(at age_years\)"),
    assess("age-121", "age_years: 121", stderr=r"age 121 is outside 18-120"),
    assess("age-fraction", "age_years: 40.5", stderr=r"valid integer \(at age_years\)"),
    assess("age-text", "age_years: '40'", stderr=r"valid integer \(at age_years\)"),
    assess("age-boolean", "age_years: true", stderr=r"valid integer \(at age_years\)"),
    assess("age-octal", "age_years: 040", stderr=rf"{HEAD}line 2: '040' .* with leading zeros"),
    assess("pain-11", "pain:\n  baseline_score: 11",
           stderr=r"less than or equal to 10 \(at pain\.baseline_score\)"),
    assess("pain-minus-1", "pain:\n  worst_score: -1", stderr=r"\(at pain\.worst_score\)"),
    assess("heart-rate-true", "cardiovascular: {heart_rate: true}",
           stderr=r"valid integer \(at cardiovascular\.heart_rate\)"),
    assess("heart-rate-text", "cardiovascular: {heart_rate: '80'}",
           stderr=r"valid integer \(at cardiovascular\.heart_rate\)"),
    assess("heart-rate-300", "cardiovascular: {heart_rate: 300}",
           stderr=r"\(at cardiovascular\.heart_rate\)"),
    assess("blood-pressure-dash", "cardiovascular: {blood_pressure: 150-90}",
           stderr=r"blood pressure '150-90' is not written as systolic/diastolic"),
    assess("boolean-quoted-yes", "psychiatric: {psychosis_history: 'yes'}",
           stderr=r"Input should be a valid boolean \(at psychiatric\.psychosis_history\)"),
    assess("boolean-plain-yes", "psychiatric: {psychosis_history: yes}",
           stderr=r"'yes' is read by some YAML readers as a boolean"),
    assess("boolean-one", "psychiatric: {psychosis_history: 1}",
           stderr=r"valid boolean \(at psychiatric\.psychosis_history\)"),
    assess("boolean-on", "neurological: {seizures: on}", stderr=r"'on' is read by some YAML"),
    assess("boolean-true", "psychiatric: {psychosis_history: true}", status=0,
           stdout=r"Contraindications and cautions"),
    assess("med-true", "opioids: {med_mg_per_day: true}",
           stderr=r"valid number \(at opioids\.med_mg_per_day\)"),
    assess("med-negative", "opioids: {med_mg_per_day: -5}", stderr=r"greater than or equal to 0"),
    assess("med-too-large", "opioids: {med_mg_per_day: 1.0e+999}",
           stderr=r"1\.0e\+999 is too large"),
    assess("med-nan", "opioids: {med_mg_per_day: .nan}", stderr=r"not finite"),
    assess("med-underscores", "opioids: {med_mg_per_day: 1_200}", stderr=r"with underscores"),
    assess("med-accepted", "opioids: {med_mg_per_day: 580}", status=0, stdout=r"MED 580 mg/day"),
    assess("pseq-answer-7", "questionnaires: {pseq: {answers: [1, 2, 3, 4, 5, 6, 7, 1, 2, 3]}}",
           stderr=r"PSEQ item 7 is 7; each answer is 0-6"),
    assess("pseq-too-short", "questionnaires: {pseq: {answers: [1, 2, 3]}}",
           stderr=r"at least 10 items"),
    assess("sex-letter", "sex: F", stderr=r"should be 'female', 'male' or 'other' \(at sex\)"),
    assess("pregnancy-no", "pregnancy: no", stderr=r"'no' is read by some YAML readers"),
    assess("unknown-key", "pain:\n  populaton: cancer",
           stderr=rf"{HEAD}unknown key 'populaton' at pain\.$"),
    assess("format-version-2", "format_version: 2", stderr=r"\(at format_version\)"),
    assess("target-pain-11", "goal: {target_pain: '11'}", stderr=r"target pain '11' is not a 0-10"),
    assess("route-abbreviated", "plan: {route: iv}", stderr=r"\(at plan\.route\)"),
    assess("recorded-at-time-as-base-60", "notes: 12:30", stderr=r"'12:30' .* base 60"),
    assess("notes-quoted-time", "notes: '12:30'", status=0, stdout=NOTICE),
    Case("assess-json-record", ("assess", "{file}"), 0, stdout=r"Patient p1: 58 y",
         content=PATIENT_JSON, file_name="input.json"),
    Case("assess-json-true-as-number", ("assess", "{file}"), 2,
         stderr=r"input\.json: Input should be a valid integer \(at age_years\)",
         content=PATIENT_JSON.replace(b'"age_years": 58', b'"age_years": true'),
         file_name="input.json"),
    Case("assess-json-booleans-as-text", ("assess", "{file}"), 2,
         stderr=r"valid boolean \(at psychiatric\.psychosis_history\)",
         content=PATIENT_JSON.replace(b"}}", b'}, "psychiatric": {"psychosis_history": "no"}}'),
         file_name="input.json"),
    Case("assess-full-record", ("assess", "{file}"), 0, stdout=r"Patient p1: 58 y, female, 70 kg",
         content=PATIENT),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_patient_case(case: Case, tmp_path: Path) -> None:
    """A patient file is refused in one sentence with status 2, or assessed (status 0)."""
    run_case(case, tmp_path)
