"""Every shipped protocol plans at every supported weight and checks doses the same way.

A rate inside a protocol is within it; above its ceiling is a soft limit; at or above the
ICU-sedation band (1 mg/kg/h, seed 004 Appendix 2) is a hard limit — for every protocol.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from library import SOURCE, all_protocols

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.plan_output import PhaseOut, PlanOut
from ketamine_cds.domain.units import BodyWeight, Mass, Rate
from ketamine_cds.service.planning import check, plan

ROOT = Path(__file__).resolve().parents[3]
PLAN_SCHEMA = json.loads((ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
IDS = [p.id for p in all_protocols()]
RATE_KINDS = {"continuous", "timed_infusion", "divided_doses"}
DOSE_KINDS = {"bolus", "divided_doses"}


def test_published_plan_schema_matches_the_model() -> None:
    """schemas/plan.schema.json is what the plan model exports (scripts/export_schemas.py)."""
    assert PlanOut.model_json_schema() == PLAN_SCHEMA


@pytest.mark.parametrize("protocol_id", IDS)
@pytest.mark.parametrize("weight_kg", [45, 70, 100, 150])
def test_plans_validate_against_the_published_schema(protocol_id: str, weight_kg: float) -> None:
    """The plan JSON of every protocol at 45, 70, 100 and 150 kg follows the published schema."""
    result = plan(SOURCE, protocol_id, BodyWeight.from_kg(weight_kg)).model_dump(mode="json")
    jsonschema.validate(result, PLAN_SCHEMA)
    assert result["protocol"]["id"] == protocol_id
    assert result["patient"]["weight_kg"] == weight_kg
    assert result["phases"]
    assert "not a prescriber" in result["decision_support"]


def _rate_phases(result: PlanOut) -> list[PhaseOut]:
    return [p for p in result.phases if p.kind in RATE_KINDS and p.rate_mg_per_h is not None]


def _dose_phases(result: PlanOut) -> list[PhaseOut]:
    return [p for p in result.phases if p.kind in DOSE_KINDS and p.dose_mg is not None]


@pytest.mark.parametrize("protocol_id", IDS)
@pytest.mark.parametrize("weight_kg", [45, 70, 150])
def test_each_protocols_own_start_dose_is_within_it(protocol_id: str, weight_kg: float) -> None:
    """The start rate (or dose) of every phase checks as within_protocol."""
    weight = BodyWeight.from_kg(weight_kg)
    result = plan(SOURCE, protocol_id, weight)
    for phase in _rate_phases(result):
        if phase.kind == "divided_doses":
            continue
        verdict = check(SOURCE, protocol_id, weight, rate=Rate.of(phase.rate_mg_per_h, "mg/hour"))  # type: ignore[arg-type]
        assert verdict.verdict == "within_protocol", (phase.id, verdict.reasons)
    for phase in _dose_phases(result):
        verdict = check(SOURCE, protocol_id, weight, dose=Mass.of(phase.dose_mg, "mg"))  # type: ignore[arg-type]
        assert verdict.verdict == "within_protocol", (phase.id, verdict.reasons)


@pytest.mark.parametrize("protocol_id", IDS)
@pytest.mark.parametrize("weight_kg", [45, 70, 150])
def test_above_every_ceiling_is_soft_and_icu_band_is_hard(
    protocol_id: str, weight_kg: float
) -> None:
    """Above the highest rate ceiling: soft (or hard past 1 mg/kg/h); 1 mg/kg/h: always hard."""
    weight = BodyWeight.from_kg(weight_kg)
    result = plan(SOURCE, protocol_id, weight)
    hard = weight_kg * 1.0
    at_hard = check(SOURCE, protocol_id, weight, rate=Rate.of(hard, "mg/hour"))
    assert at_hard.verdict == "hard_limit_exceeded"
    assert (
        check(SOURCE, protocol_id, weight, dose=Mass.of(hard, "mg")).verdict
        == "hard_limit_exceeded"
    )
    ceilings = [_rate_ceiling(p) for p in _rate_phases(result)]
    if ceilings and max(ceilings) > 0:
        above = max(ceilings) * 1.05
        expected = "soft_limit_exceeded" if above < hard else "hard_limit_exceeded"
        verdict = check(SOURCE, protocol_id, weight, rate=Rate.of(above, "mg/hour"))
        assert verdict.verdict == expected, verdict.reasons
        if expected == "soft_limit_exceeded":
            assert verdict.override is not None
            assert "physician" in verdict.override
            assert verdict.limit is not None
            assert verdict.limit.sources


def _rate_ceiling(phase: PhaseOut) -> float:
    """The fastest rate a phase allows, whatever form its ceiling takes."""
    if phase.kind == "timed_infusion":
        shortest = min([phase.over_h or 0.0, *phase.over_options_h])
        return (phase.ceiling_dose_mg or 0.0) / shortest
    if phase.kind == "divided_doses" and phase.ceiling_rate_mg_per_h is None:
        return (phase.ceiling_dose_mg or 0.0) * (phase.doses_per_day or 1) / 24
    return phase.ceiling_rate_mg_per_h or 0.0


@settings(max_examples=60, deadline=None)
@given(
    protocol_id=st.sampled_from(IDS),
    weight_kg=st.floats(min_value=30, max_value=300, allow_nan=False),
)
def test_no_planned_dose_exceeds_its_ceiling_or_a_hard_limit(
    protocol_id: str, weight_kg: float
) -> None:
    """Any weight, any protocol: planned doses are within limits, or the plan is refused."""
    try:
        result = plan(SOURCE, protocol_id, BodyWeight.from_kg(weight_kg))
    except UserInputError as refusal:
        assert "above its own ceiling" in str(refusal)  # noqa: PT017 - refusal is one allowed outcome
        return
    for phase in result.phases:
        if phase.rate_mg_per_h is not None and phase.kind != "bolus":
            assert phase.rate_mg_per_h < phase.hard_limit_rate_mg_per_h
            if phase.ceiling_rate_mg_per_h is not None:
                assert phase.rate_mg_per_h <= phase.ceiling_rate_mg_per_h * (1 + 1e-12)
        if phase.dose_mg is not None and phase.kind in DOSE_KINDS:
            assert phase.dose_mg < phase.hard_limit_dose_mg
            if phase.ceiling_dose_mg is not None:
                assert phase.dose_mg <= phase.ceiling_dose_mg * (1 + 1e-12)
        if phase.rate_ml_per_h_pump is not None and phase.ceiling_rate_ml_per_h_pump is not None:
            assert (
                phase.ceiling_rate_ml_per_h_pump
                <= (phase.ceiling_rate_mg_per_h or 0) / (result.concentration_mg_per_ml) + 1e-9
            )
