"""Reading an EHR's own FHIR R4 Bundle (no product tags) into an episode and an opioid regimen.

The Bundle is what a hospital system exports: a Patient, the ketamine order with its bag,
vital signs by LOINC (the R4 vital-signs profile's codes), administrations, an oral morphine
MedicationStatement, and resources the product does not read.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ehr.hook_builders import products

from ketamine_cds.adapters.fhir.episode_in import read_episode_bundle
from ketamine_cds.domain.episode import DoseGiven, Observation, Pause, PrnGiven, RateChange, Stop
from ketamine_cds.domain.errors import UserInputError

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
KETAMINE = {"coding": [{"system": RXNORM, "code": "6130", "display": "ketamine"}]}


def _obs(code: str, at: str, **value: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": at,
        **value,
    }


def _qty(value: float, unit: str) -> dict[str, Any]:
    return {"valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit}}


def _admin(at: str, status: str = "in-progress", **dosage: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "status": status,
        "medicationCodeableConcept": KETAMINE,
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": at,
        "performer": [{"actor": {"display": "Nurse Nina"}}],
    }
    if dosage:
        resource["dosage"] = dosage
    return resource


def ehr_bundle() -> dict[str, Any]:
    """An EHR's export of one patient on a ketamine infusion."""
    resources = [
        {"resourceType": "Patient", "id": "p1"},
        {
            "resourceType": "Medication",
            "id": "bag",
            "code": KETAMINE,
            "ingredient": [
                {
                    "itemCodeableConcept": KETAMINE,
                    "strength": {
                        "numerator": {"value": 100, "system": UCUM, "code": "mg"},
                        "denominator": {"value": 100, "system": UCUM, "code": "mL"},
                    },
                }
            ],
        },
        {
            "resourceType": "MedicationRequest",
            "id": "k",
            "status": "active",
            "intent": "order",
            "medicationReference": {"reference": "Medication/bag"},
            "subject": {"reference": "Patient/p1"},
            "authoredOn": "2024-05-02T10:00:00Z",
            "instantiatesCanonical": [
                "https://ehr.example/fhir/PlanDefinition/cancer-continuous|1.0.0"
            ],
        },
        _obs("29463-7", "2024-05-01T09:00:00Z", **_qty(70, "kg")),
        _obs("72514-3", "2024-05-02T09:30:00Z", valueInteger=8),
        _obs("8867-4", "2024-05-02T09:30:00Z", **_qty(88, "/min")),
        _obs(
            "85354-9",
            "2024-05-02T09:30:00Z",
            component=[
                {"code": {"coding": [{"system": LOINC, "code": "8480-6"}]}, **_qty(128, "mm[Hg]")},
                {"code": {"coding": [{"system": LOINC, "code": "8462-4"}]}, **_qty(76, "mm[Hg]")},
            ],
        ),
        _admin("2024-05-02T10:00:00Z", rateQuantity={"value": 7, "system": UCUM, "code": "mg/h"}),
        _obs("38208-5", "2024-05-02T12:00:00Z", valueInteger=6),
        _obs("9279-1", "2024-05-02T12:00:00Z", **_qty(14, "/min")),
        _obs("59408-5", "2024-05-02T12:00:00Z", **_qty(97, "%")),
        _admin(
            "2024-05-02T12:05:00Z", rateQuantity={"value": 0.13, "system": UCUM, "code": "mg/kg/h"}
        ),
        _admin(
            "2024-05-02T13:00:00Z",
            status="completed",
            dose={"value": 5, "system": UCUM, "code": "mg"},
            route={"coding": [{"system": "http://snomed.info/sct", "code": "47625008"}]},
        ),
        {
            **_admin(
                "2024-05-02T13:30:00Z",
                status="completed",
                dose={"value": 0.5, "system": UCUM, "code": "mg"},
            ),
            "medicationCodeableConcept": {"text": "lorazepam"},
        },
        {
            **_admin("2024-05-02T14:00:00Z", status="on-hold"),
            "statusReason": [{"text": "hallucinations"}],
        },
        _admin("2024-05-02T18:00:00Z", status="stopped"),
        {
            "resourceType": "MedicationStatement",
            "id": "home-morphine",
            "status": "active",
            "medicationCodeableConcept": {
                "coding": [{"system": RXNORM, "code": "7052", "display": "morphine"}]
            },
            "subject": {"reference": "Patient/p1"},
            "dosage": [
                {
                    "route": {"coding": [{"system": "http://snomed.info/sct", "code": "26643006"}]},
                    "timing": {"repeat": {"frequency": 1, "period": 12, "periodUnit": "h"}},
                    "doseAndRate": [{"doseQuantity": {"value": 30, "system": UCUM, "code": "mg"}}],
                }
            ],
        },
        {"resourceType": "Condition", "subject": {"reference": "Patient/p1"}},
        {
            "resourceType": "Goal",
            "lifecycleStatus": "active",
            "description": {"text": "pain 4 or less"},
            "subject": {"reference": "Patient/p1"},
            "target": [
                {"measure": {"coding": [{"system": LOINC, "code": "72514-3"}]}, "detailInteger": 4}
            ],
        },
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


def test_the_order_gives_the_protocol_the_bag_and_the_start() -> None:
    """instantiatesCanonical → cancer-continuous 1.0.0; 100 mg in 100 mL → 1 mg/mL; authoredOn."""
    read = read_episode_bundle(ehr_bundle(), "ehr.json", products())
    assert read.episode.protocol.id == "cancer-continuous"
    assert read.episode.protocol.version == "1.0.0"
    assert read.concentration_mg_per_ml == 1.0
    assert read.episode.started_at.isoformat() == "2024-05-02T10:00:00+00:00"
    assert read.episode.patient.weight == "70 kg"
    assert read.episode.pain_goal == 4


def test_observations_before_the_start_are_the_baseline() -> None:
    """Pain 8, heart rate 88 and BP 128/76 at 09:30 make the baseline."""
    baseline = read_episode_bundle(ehr_bundle(), "ehr.json", products()).episode.baseline
    assert (baseline.pain, baseline.heart_rate, baseline.systolic_bp, baseline.diastolic_bp) == (
        8,
        88,
        128,
        76,
    )


def test_the_baseline_is_the_latest_reading_before_the_start_whatever_the_order() -> None:
    """An older pain score listed after the newer one does not replace it in the baseline."""
    bundle = ehr_bundle()
    bundle["entry"].append({"resource": _obs("72514-3", "2024-05-02T06:00:00Z", valueInteger=3)})
    assert read_episode_bundle(bundle, "ehr.json", products()).episode.baseline.pain == 8


def test_observations_at_one_time_become_one_observation_event() -> None:
    """Pain (38208-5), respiratory rate and SpO2 (59408-5) at 12:00 are one observation."""
    events = read_episode_bundle(ehr_bundle(), "ehr.json", products()).episode.events
    observations = [e for e in events if isinstance(e, Observation)]
    assert len(observations) == 1
    assert (observations[0].pain, observations[0].respiratory_rate, observations[0].spo2) == (
        6,
        14,
        97,
    )


def test_administrations_become_rate_changes_doses_adjuncts_a_pause_and_a_stop() -> None:
    """7 mg/h, 0.13 mg/kg/h, a 5 mg dose, lorazepam, on-hold, stopped, in time order."""
    events = read_episode_bundle(ehr_bundle(), "ehr.json", products()).episode.events
    kinds = [type(e) for e in events]
    assert kinds == [RateChange, Observation, RateChange, DoseGiven, PrnGiven, Pause, Stop]
    assert [str(e.rate) for e in events if isinstance(e, RateChange)] == ["7 mg/h", "0.13 mg/kg/h"]
    assert events[0].by == "Nurse Nina"  # type: ignore[union-attr]
    pause = next(e for e in events if isinstance(e, Pause))
    assert pause.reason == "hallucinations"


def test_the_morphine_statement_becomes_the_opioid_regimen() -> None:
    """Oral morphine 30 mg every 12 h, from a MedicationStatement read as a plan."""
    read = read_episode_bundle(ehr_bundle(), "ehr.json", products())
    assert read.regimen is not None
    assert len(read.regimen.regimen.items) == 1
    assert read.regimen.regimen.items[0].drug == "morphine"


def test_what_is_not_read_is_named_in_one_sentence_each() -> None:
    """The Condition is listed as not read."""
    notes = read_episode_bundle(ehr_bundle(), "ehr.json", products()).notes
    assert any("Condition is not read" in n for n in notes)


def test_a_rate_of_zero_is_a_stop() -> None:
    """A rateQuantity of 0 mg/h is the infusion stopped."""
    bundle = ehr_bundle()
    bundle["entry"].append(
        {
            "resource": _admin(
                "2024-05-02T19:00:00Z", rateQuantity={"value": 0, "system": UCUM, "code": "mg/h"}
            )
        }
    )
    events = read_episode_bundle(bundle, "ehr.json", products()).episode.events
    assert isinstance(events[-1], Stop)


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (lambda b: b["entry"].pop(3), "no body weight"),
        (lambda b: b["entry"].pop(4), "no pain score at or before the start"),
        (lambda b: b["entry"].pop(2), "no ketamine MedicationRequest"),
        (lambda b: b["entry"][-1]["resource"].pop("target"), "no pain goal"),
        (lambda b: b["entry"][2]["resource"].pop("instantiatesCanonical"), "names no protocol"),
        (lambda b: b["entry"][4]["resource"].update(valueInteger=11), "pain"),
        (lambda b: b["entry"][8]["resource"].update(status="done"), "not valid FHIR R4"),
        (
            lambda b: b["entry"][8]["resource"].update(effectiveDateTime="2024-05-02 12:00"),
            "not valid FHIR R4",
        ),
    ],
    ids=[
        "no-weight",
        "no-baseline-pain",
        "no-order",
        "no-goal",
        "no-protocol",
        "pain-11",
        "bad-status",
        "bad-time",
    ],
)
def test_a_bundle_the_episode_cannot_be_read_from_is_refused_in_one_sentence(
    change: Any, sentence: str
) -> None:
    """Each gap or error is one sentence naming what is missing or wrong."""
    bundle = copy.deepcopy(ehr_bundle())
    change(bundle)
    with pytest.raises(UserInputError, match=sentence) as refused:
        read_episode_bundle(bundle, "ehr.json", products())
    assert "\n" not in str(refused.value)


def test_a_missing_goal_or_protocol_can_be_given_by_the_caller() -> None:
    """--pain-goal and --protocol stand in for what the Bundle does not say."""
    bundle = copy.deepcopy(ehr_bundle())
    bundle["entry"][-1]["resource"].pop("target")
    bundle["entry"][2]["resource"].pop("instantiatesCanonical")
    read = read_episode_bundle(
        bundle, "ehr.json", products(), protocol_id="cancer-continuous", pain_goal=3
    )
    assert (read.episode.protocol.id, read.episode.pain_goal) == ("cancer-continuous", 3)
