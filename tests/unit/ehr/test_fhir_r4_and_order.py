"""R4, not R4B; the ketamine order read by its codes and units; the weight by its units.

R4 (4.0.1) facts used: ``Observation.status`` is a required binding (registered | preliminary |
final | amended | corrected | cancelled | entered-in-error | unknown); ``Observation.code`` and
``status`` are 1..1; ``MedicationAdministration.effective[x]`` is 1..1; R4B renamed nothing used
here but R4B-only resources (e.g. ``Citation``) are not R4. UCUM: ``[lb_av]`` is the avoirdupois
pound, 0.45359237 kg.
"""

from __future__ import annotations

from typing import Any

import pytest
from ehr.hook_builders import ketamine_order, searchset, weight_observation

from ketamine_cds.adapters.cds_hooks.models import Card, Source
from ketamine_cds.adapters.fhir.ketamine_order import read_order
from ketamine_cds.adapters.fhir.r4 import R4ValidationError, parse, validate_r4
from ketamine_cds.adapters.fhir.weight import latest_weight
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.units import PerKgRate, Rate
from ketamine_cds.domain.vocabulary import Route

OBS = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"text": "pain"},
    "valueInteger": 3,
}


@pytest.mark.parametrize(
    ("resource", "found"),
    [
        ({**OBS, "status": "done"}, "is not one of"),
        ({k: v for k, v in OBS.items() if k != "status"}, "status"),
        ({k: v for k, v in OBS.items() if k != "code"}, "code"),
        ({**OBS, "valueWhatever": 3}, "valueWhatever"),
        ({**OBS, "effectiveDateTime": "yesterday"}, "effectiveDateTime"),
        ({"resourceType": "Citation", "status": "active"}, "Citation"),
        (
            {
                "resourceType": "MedicationAdministration",
                "status": "completed",
                "medicationCodeableConcept": {"text": "x"},
                "subject": {"reference": "Patient/1"},
            },
            "effective",
        ),
    ],
    ids=[
        "bad-code",
        "no-status",
        "no-code",
        "unknown-element",
        "bad-date",
        "r4b-only",
        "no-effective",
    ],
)
def test_a_resource_that_is_not_r4_is_refused_in_and_out(
    resource: dict[str, Any], found: str
) -> None:
    """Input: one sentence naming the problem. Output: an internal error, never sent."""
    with pytest.raises(UserInputError, match=found):
        parse(resource, "the resource")
    with pytest.raises(R4ValidationError):
        validate_r4(resource)


def test_a_valid_r4_resource_passes_unchanged() -> None:
    """A valid Observation is returned as it is."""
    assert validate_r4(OBS) is OBS


@pytest.mark.parametrize(
    ("unit", "value", "kind", "mg_per_h"),
    [
        ("mg/h", 7, Rate, 7),
        ("mg/kg/h", 0.1, PerKgRate, None),
        ("ug/kg/h", 100, PerKgRate, None),
        ("mg/(kg.h)", 0.1, PerKgRate, None),
        ("mg/d", 240, Rate, 10),
        ("mg/min", 0.5, Rate, 30),
    ],
)
def test_ucum_rates_read_into_the_right_kind(
    unit: str, value: float, kind: type, mg_per_h: float | None
) -> None:
    """Absolute rates stay absolute, per-kg rates per-kg; 240 mg/d is 10 mg/h, 0.5 mg/min 30."""
    order = read_order(ketamine_order(value, unit), "the order")
    assert order is not None
    assert isinstance(order.rate, kind)
    if mg_per_h is not None:
        assert order.rate.magnitude() == pytest.approx(mg_per_h)  # type: ignore[union-attr]
    assert order.route is Route.IV


def test_100_ug_per_kg_per_h_is_0_1_mg_per_kg_per_h() -> None:
    """µg are read as µg, never as mg."""
    order = read_order(ketamine_order(100, "ug/kg/h"), "the order")
    assert order is not None
    assert order.rate.magnitude() == pytest.approx(0.1)  # type: ignore[union-attr]


@pytest.mark.parametrize("code", ["6130", "238083", "206970"])
def test_ketamine_is_recognised_by_its_rxnorm_codes(code: str) -> None:
    """The ingredient and the injectable products are ketamine, by code."""
    order = read_order(ketamine_order(7, code=code), "the order")
    assert order is not None
    assert order.recognised_by == "rxnorm"


def test_another_drug_is_not_a_ketamine_order() -> None:
    """Morphine's RxNorm code with no ketamine text: not a ketamine order."""
    order = ketamine_order(7, code="7052")
    order["medicationCodeableConcept"]["coding"][0]["display"] = "morphine"
    assert read_order(order, "the order") is None


def test_the_protocol_and_the_bag_come_from_the_order() -> None:
    """…/PlanDefinition/cancer-continuous|1.0.0 and 1 mg/mL from the contained Medication."""
    order = read_order(ketamine_order(7, concentration=1), "the order")
    assert order is not None
    assert (order.protocol_id, order.protocol_version) == ("cancer-continuous", "1.0.0")
    assert order.concentration is not None
    assert order.concentration.magnitude() == 1
    assert not any("concentration" in n for n in order.notes)


@pytest.mark.parametrize(
    ("order", "sentence"),
    [
        (ketamine_order(7, "mL/h"), "rate unit 'mL/h'"),
        (ketamine_order(7, route="12345"), "route"),
        ({**ketamine_order(7), "dosageInstruction": []}, "0 dosage instructions"),
        (
            {
                **ketamine_order(7),
                "instantiatesCanonical": ["a/PlanDefinition/x", "b/PlanDefinition/y"],
            },
            "more than one",
        ),
    ],
)
def test_an_order_the_check_cannot_read_is_refused_in_one_sentence(
    order: dict[str, Any], sentence: str
) -> None:
    """Nothing is guessed: the unit, route, dosage or protocol is named."""
    with pytest.raises(UserInputError, match=sentence):
        read_order(order, "the order")


@pytest.mark.parametrize(
    ("value", "unit", "kg"), [(70, "kg", 70), (70000, "g", 70), (100, "[lb_av]", 45.359237)]
)
def test_weights_in_kg_g_and_pounds(value: float, unit: str, kg: float) -> None:
    """kg as given, g divided by 1000, [lb_av] times 0.45359237."""
    found = latest_weight(searchset(weight_observation(value, unit)), "w")
    assert found is not None
    assert found.weight.kg == pytest.approx(kg)


def test_the_latest_final_weight_is_used() -> None:
    """Of 80 kg (older), 70 kg (newer) and 60 kg (preliminary), 70 kg is the weight."""
    bundle = searchset(
        weight_observation(80, at="2024-01-01T00:00:00Z"),
        weight_observation(70, at="2024-05-01T00:00:00Z"),
        weight_observation(60, status="preliminary", at="2024-05-03T00:00:00Z"),
    )
    found = latest_weight(bundle, "w")
    assert found is not None
    assert found.weight.kg == 70


def test_a_stone_weight_is_refused() -> None:
    """A unit that is not kg, g or [lb_av] is refused, not guessed."""
    with pytest.raises(UserInputError, match="not kg, g or"):
        latest_weight(searchset(weight_observation(11, "[stone_av]")), "w")


def test_a_card_summary_of_140_characters_is_refused() -> None:
    """The wire model itself refuses a summary of 140 characters or more."""
    with pytest.raises(ValueError, match="139"):
        Card(summary="x" * 140, indicator="info", source=Source(label="s"))


def test_suggestions_without_selection_behavior_are_refused() -> None:
    """A card with suggestions must say how they may be chosen."""
    with pytest.raises(ValueError, match="selectionBehavior"):
        Card.model_validate(
            {
                "summary": "s",
                "indicator": "info",
                "source": {"label": "s"},
                "suggestions": [{"label": "x", "actions": []}],
            }
        )


def test_the_patient_view_card_says_an_assessment_is_overdue_and_lists_open_alerts() -> None:
    """Next assessment 40 min ago, one notify alert: a warning saying overdue and the alert."""
    from datetime import UTC, datetime, timedelta  # noqa: PLC0415
    from uuid import uuid4  # noqa: PLC0415

    from ketamine_cds.adapters.cds_hooks.patient_view import patient_card  # noqa: PLC0415
    from ketamine_cds.adapters.cds_hooks.ports import ActiveEpisode  # noqa: PLC0415
    from ketamine_cds.domain.bedside.output import Alert, Recommendation  # noqa: PLC0415
    from ketamine_cds.domain.episode import Episode  # noqa: PLC0415

    now = datetime(2024, 5, 2, 14, 0, tzinfo=UTC)
    episode = Episode.model_validate(
        {
            "patient": {"id": "p", "weight": "70 kg"},
            "protocol": {"id": "cancer-continuous"},
            "started_at": "2024-05-02T10:00:00Z",
            "baseline": {"pain": 8},
            "pain_goal": 4,
            "events": [
                {
                    "type": "rate_change",
                    "at": "2024-05-02T10:00:00Z",
                    "rate": "7 mg/h",
                    "by": "nina",
                },
                {"type": "observation", "at": "2024-05-02T12:30:00Z", "pain": 6, "heart_rate": 115},
            ],
        }
    )
    alert = Alert(
        kind="notify", text="Heart rate above 110", source="seed 001", rule="notify-heart-rate"
    )
    recommendation = Recommendation(
        at=now,
        protocol_id="cancer-continuous",
        protocol_version="1.0.0",
        phase="infusion",
        action="ask_physician",
        rate_mg_per_h=7,
        reasons=[],
        alerts=[alert],
        next_assessment_at=now - timedelta(minutes=40),
        prn=[],
    )
    card = patient_card(
        ActiveEpisode("9", episode, recommendation, 1.0), now, Source(label="k"), (), uuid4()
    )
    assert card.indicator == "warning"
    assert card.summary.startswith("Ketamine infusion 7 mg/h (7 mL/h); pain 6/10 1 h 30 min ago")
    assert "assessment overdue" in card.summary
    assert card.detail is not None
    assert "overdue by 40 min" in card.detail
    assert "Heart rate above 110" in card.detail
    assert "not recorded" in card.detail  # no opioid use recorded: the MED is said to be missing
