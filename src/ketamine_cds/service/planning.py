"""Use cases: plan a protocol's doses for a patient; check a rate or dose against its limits."""

from __future__ import annotations

from typing import Any

from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.domain.protocols.check import CheckResult, check_dose, check_rate
from ketamine_cds.domain.protocols.plan import build_plan
from ketamine_cds.domain.protocols.plan_output import PlanOut
from ketamine_cds.domain.units import BodyWeight, Concentration, Duration, Mass, Rate
from ketamine_cds.service.protocols import load_protocol


def plan(
    protocol_id: str, weight: BodyWeight, concentration: Concentration | None = None
) -> PlanOut:
    """The dose plan of a protocol for a patient."""
    return build_plan(load_protocol(protocol_id), weight, limit_table(), concentration)


def plan_json(
    protocol_id: str, weight_kg: float, concentration_mg_per_ml: float | None = None
) -> dict[str, Any]:
    """The published plan JSON (the contract of ``ketamine-cds plan --json``)."""
    concentration = (
        None
        if concentration_mg_per_ml is None
        else Concentration.of(concentration_mg_per_ml, "mg/mL")
    )
    result = plan(protocol_id, BodyWeight.from_kg(weight_kg), concentration)
    return result.model_dump(mode="json")


def check(  # noqa: PLR0913 - every argument is a distinct clinical input
    protocol_id: str,
    weight: BodyWeight,
    *,
    rate: Rate | None = None,
    dose: Mass | None = None,
    over: Duration | None = None,
    phase_id: str | None = None,
) -> CheckResult:
    """Check a rate, or a dose (optionally given over a time), against a protocol's limits."""
    protocol = load_protocol(protocol_id)
    if rate is not None:
        return check_rate(protocol, weight, rate, limit_table(), phase_id=phase_id)
    if dose is None:
        msg = "a check needs a rate or a dose"
        raise ValueError(msg)
    return check_dose(protocol, weight, dose, limit_table(), over=over, phase_id=phase_id)
