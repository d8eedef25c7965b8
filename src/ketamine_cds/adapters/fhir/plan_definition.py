"""A protocol as a FHIR R4 PlanDefinition of type ``order-set``, its phases as ActivityDefinitions.

Each phase becomes a contained ActivityDefinition (kind MedicationRequest, ketamine RxNorm 6130,
its route, its starting rate or dose as written, its soft ceiling as ``maxDosePerPeriod``), and
an action of the PlanDefinition pointing to it. With a weight, the figures are the dose plan's
(:func:`build_plan`) for that patient, in mg/h and mg. Monitoring, notification and stop rules
are actions in words. Every action's ``id`` is the protocol's rule id, and its source is a
``relatedArtifact`` citation. The result is validated as R4.
"""

from __future__ import annotations

from ketamine_cds.adapters.fhir import codes as c
from ketamine_cds.adapters.fhir.episode_out import quantity
from ketamine_cds.adapters.fhir.r4 import Json, validate_r4
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.plan import build_plan
from ketamine_cds.domain.protocols.plan_output import PhaseOut
from ketamine_cds.domain.protocols.schema import Phase, Protocol, Rule, Unspecified
from ketamine_cds.domain.units import BodyWeight, Measure

_STATUS = "active"


def _cite(rule: Rule) -> list[Json]:
    return [{"type": "citation", "citation": str(rule.source)}]


def _rule_action(rule: Rule, title: str) -> Json:
    return {
        "id": rule.id,
        "title": title,
        "description": rule.text,
        "documentation": _cite(rule),
    }


def _figure(value: object) -> Measure | None:
    """A figure as written, the low end of a range."""
    low = getattr(value, "low", value)
    return low if isinstance(low, Measure) else None


def _dosage(phase: Phase, planned: PhaseOut | None) -> Json:
    code, display = c.ROUTE_CODES[phase.route]
    dosage: Json = {
        "text": phase.text,
        "route": {"coding": [{"system": c.SNOMED, "code": code, "display": display}]},
    }
    if planned is not None:
        if planned.rate_mg_per_h is not None:
            dosage["doseAndRate"] = [{"rateQuantity": c.ucum(planned.rate_mg_per_h, "mg/h")}]
        elif planned.dose_mg is not None:
            dosage["doseAndRate"] = [{"doseQuantity": c.ucum(planned.dose_mg, "mg")}]
        if planned.ceiling_rate_mg_per_h is not None:
            dosage["maxDosePerPeriod"] = {
                "numerator": c.ucum(planned.ceiling_rate_mg_per_h, "mg"),
                "denominator": c.ucum(1, "h"),
            }
        return dosage
    rate = _figure(phase.rate)
    dose = _figure(phase.dose if phase.dose is not None else phase.total)
    if rate is not None:
        dosage["doseAndRate"] = [{"rateQuantity": quantity(rate)}]
    elif dose is not None:
        dosage["doseAndRate"] = [{"doseQuantity": quantity(dose)}]
    return dosage


def _activity(protocol: Protocol, phase: Phase, planned: PhaseOut | None) -> Json:
    activity: Json = {
        "resourceType": "ActivityDefinition",
        "id": f"phase-{phase.id}",
        "name": phase.id.replace("-", "_"),
        "title": phase.title,
        "status": _STATUS,
        "version": protocol.version,
        "description": phase.text,
        "kind": "MedicationRequest",
        "intent": "order",
        "productCodeableConcept": {
            "coding": [{"system": c.RXNORM, "code": c.KETAMINE_INGREDIENT, "display": "ketamine"}]
        },
        "dosage": [_dosage(phase, planned)],
        "relatedArtifact": _cite(phase),
    }
    return activity


def plan_definition(
    protocol: Protocol, limits: LimitTable, *, base: str, weight: BodyWeight | None = None
) -> Json:
    """The protocol as an R4 PlanDefinition (order set); with a weight, that patient's figures."""
    planned = {p.id: p for p in build_plan(protocol, weight, limits).phases} if weight else {}
    activities = [_activity(protocol, phase, planned.get(phase.id)) for phase in protocol.phases]
    actions: list[Json] = [
        {**_rule_action(phase, phase.title), "definitionCanonical": f"#phase-{phase.id}"}
        for phase in protocol.phases
    ]
    for group, title in (
        (protocol.monitoring, "Monitoring"),
        (protocol.notify_if, "Notify"),
        (protocol.stop_if, "Stop"),
    ):
        rules = [group] if isinstance(group, Unspecified) else list(group)
        actions += [_rule_action(rule, title) for rule in rules]
    resource: Json = {
        "resourceType": "PlanDefinition",
        "id": protocol.id,
        "url": c.plan_definition_url(base, protocol.id),
        "version": protocol.version,
        "name": protocol.id.replace("-", "_"),
        "title": protocol.title,
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/plan-definition-type",
                    "code": "order-set",
                    "display": "Order Set",
                }
            ]
        },
        "status": _STATUS,
        "description": protocol.summary,
        "usage": "Decision support, not a prescriber: a clinician checks and orders every dose.",
        "relatedArtifact": [
            {"type": "citation", "label": ref.id, "citation": ref.citation}
            for ref in protocol.references
        ],
        "contained": activities,
        "action": actions,
    }
    if weight is not None:
        resource["usage"] += f" Figures are for a patient of {weight}."
    return validate_r4(resource)
