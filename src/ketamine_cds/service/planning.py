"""Use cases: plan a protocol's doses for a patient; check a rate or dose against its limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ketamine_cds.domain.protocols.check import CheckResult, check_dose, check_rate
from ketamine_cds.domain.units import BodyWeight, Concentration, Duration, Mass, Rate
from ketamine_cds.domain.vocabulary import Route
from ketamine_cds.service.ports import ProtocolSource

if TYPE_CHECKING:  # the plan's output models are built only for a plan, not for a check
    from ketamine_cds.domain.protocols.plan_output import PlanOut


def plan(
    source: ProtocolSource,
    protocol_id: str,
    weight: BodyWeight,
    concentration: Concentration | None = None,
) -> PlanOut:
    """The dose plan of a protocol for a patient."""
    from ketamine_cds.domain.protocols.plan import build_plan  # noqa: PLC0415 - see above

    protocol = source.get(protocol_id).protocol
    return build_plan(protocol, weight, source.limits().table, concentration)


def check(  # noqa: PLR0913 - every argument is a distinct clinical input
    source: ProtocolSource,
    protocol_id: str | None,
    weight: BodyWeight,
    *,
    rate: Rate | None = None,
    dose: Mass | None = None,
    over: Duration | None = None,
    phase_id: str | None = None,
    route: Route | None = None,
) -> CheckResult:
    """Check a rate, or a dose (optionally given over a time), against the limits.

    Without a protocol only the product-wide hard limits and default soft ceilings apply.
    """
    protocol = None if protocol_id is None else source.get(protocol_id).protocol
    limits = source.limits().table
    if rate is not None:
        return check_rate(protocol, weight, rate, limits, phase_id=phase_id, route=route)
    if dose is None:
        msg = "a check needs a rate or a dose"
        raise ValueError(msg)
    return check_dose(protocol, weight, dose, limits, over=over, phase_id=phase_id, route=route)
