"""An episode as a FHIR R4 Bundle: the order, what was given, what was observed, what was advised.

- the patient, the dosing weight (Observation 29463-7) and the pain goal (Goal on LOINC 72514-3);
- the order as a MedicationRequest with its UCUM ``rateQuantity`` and its protocol as
  ``instantiatesCanonical`` (the PlanDefinition's URL, ``|version``);
- each rate change, pause, restart, stop, dose and as-needed adjunct as a
  MedicationAdministration (paused: ``on-hold``; stopped: ``stopped``);
- each observation as Observations with their LOINC codes (pain, heart rate, the blood-pressure
  panel with its components, respiratory rate, SpO2); sedation, side effects and opioid use in
  the product's own codes; the baseline ones tagged ``baseline``;
- physician overrides and decisions, phase changes and withdrawals, which FHIR R4 has no resource
  for, as Basic resources carrying the event in the episode file's vocabulary;
- each recommendation as a GuidanceResponse naming its rules, each of its alerts as a
  DetectedIssue naming its rule;
- a Provenance for each event saying who recorded it, in which role, and when.

Every resource is validated as R4 before the Bundle is returned (:func:`validate_r4`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from ketamine_cds.adapters.fhir import codes as c
from ketamine_cds.adapters.fhir.r4 import Json, validate_r4
from ketamine_cds.domain.audit import canonical_text
from ketamine_cds.domain.bedside.output import Recommendation
from ketamine_cds.domain.episode import (
    AnyEvent,
    DoseGiven,
    Episode,
    Observation,
    OpioidUse,
    Pause,
    PrnGiven,
    RateChange,
    Resume,
    Stop,
)
from ketamine_cds.domain.protocols.figures import exact
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.domain.units import Mass, Measure, PerKgMass, PerKgRate, Rate
from ketamine_cds.domain.vocabulary import Route

_NAMESPACE = uuid.UUID("6f1d3c1e-8a55-4f3b-9a53-4b1c7b2d9e01")
_SEVERE_ALERTS = frozenset({"hard_limit", "stop_criterion", "notify"})


def _ref(full_url: str) -> Json:
    return {"reference": full_url}


def quantity(measure: Measure) -> Json:
    """A rate or dose as a UCUM Quantity in the unit the product writes."""
    symbol = measure.canonical_symbol()
    value = measure.magnitude()
    if isinstance(measure, PerKgRate):
        symbol, value = "mg/kg/h", measure.mg_per_kg_per_h
    elif isinstance(measure, Rate):
        symbol, value = "mg/h", measure.mg_per_h
    elif isinstance(measure, PerKgMass):
        symbol, value = "mg/kg", measure.mg_per_kg
    elif isinstance(measure, Mass):
        symbol, value = "mg", measure.mg
    return c.ucum(exact(value), symbol)


def _route(route: Route | None) -> Json | None:
    if route is None:
        return None
    code, display = c.ROUTE_CODES[route]
    return {"coding": [{"system": c.SNOMED, "code": code, "display": display}]}


def _concept(system: str, code: str, display: str | None = None) -> Json:
    coding: Json = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding], **({"text": display} if display else {})}


def _instant(moment: Any) -> str:  # noqa: ANN401 - a datetime
    return str(moment.isoformat())


class _Builder:
    """Collects the Bundle's entries, with stable URNs so the same episode exports the same."""

    def __init__(self, episode: Episode, protocol: Protocol, base: str) -> None:
        self.episode = episode
        self.protocol = protocol
        self.base = base
        self.key = f"{episode.patient.id}/{episode.protocol.id}/{episode.started_at.isoformat()}"
        self.entries: list[Json] = []
        self.patient = self.url("Patient", "patient")
        self.order = self.url("MedicationRequest", "order")
        self.ketamine = _concept(c.RXNORM, c.KETAMINE_INGREDIENT, "ketamine")

    def url(self, kind: str, name: str) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{self.key}/{kind}/{name}')}"

    def add(self, resource: Json, full_url: str) -> str:
        resource["id"] = full_url.removeprefix("urn:uuid:")
        self.entries.append({"fullUrl": full_url, "resource": resource})
        return full_url

    def observation(  # noqa: PLR0913 - one Observation's parts
        self,
        name: str,
        code: Json,
        at: str,
        value: Json,
        *,
        category: str = "vital-signs",
        extra: Json | None = None,
    ) -> str:
        resource: Json = {
            "resourceType": "Observation",
            "status": "final",
            "category": [_concept(c.OBSERVATION_CATEGORY, category)],
            "code": code,
            "subject": _ref(self.patient),
            "effectiveDateTime": at,
            **value,
            **(extra or {}),
        }
        return self.add(resource, self.url("Observation", name))


def _tagged(event: AnyEvent, event_id: str) -> Json:
    extra: Json = {
        "meta": {"tag": [{"system": c.EVENT_TYPE, "code": event.type}]},
        "identifier": [{"system": c.EVENT_ID, "value": event_id}],
    }
    extensions = []
    if event.corrects is not None:
        extensions.append({"url": c.CORRECTS_EXTENSION, "valueString": event.corrects})
    if extensions:
        extra["extension"] = extensions
    if event.note:
        extra["note"] = [{"text": event.note}]
    return extra


def _observation_parts(event: Observation | Any) -> list[tuple[str, Json, Json, str]]:  # noqa: ANN401, C901 - a baseline or an observation; one branch per vital
    """(name, code, value, category) for each thing an observation records."""
    parts: list[tuple[str, Json, Json, str]] = []
    if event.pain is not None:
        parts.append(
            (
                "pain",
                _concept(c.LOINC, c.PAIN, "Pain severity 0-10 verbal numeric rating"),
                {"valueInteger": event.pain},
                "survey",
            )
        )
    for field, (code, display, unit) in c.VITALS.items():
        value = getattr(event, field)
        if value is None:
            continue
        concept = _concept(c.LOINC, code, display)
        if field == "spo2":
            concept["coding"].append({"system": c.LOINC, "code": c.SPO2_PULSE_OXIMETRY})
        parts.append(
            (
                field,
                concept,
                {"valueQuantity": c.ucum(value, unit)},
                "vital-signs",
            )
        )
    components = []
    for code, field, display in (
        (c.SYSTOLIC, "systolic_bp", "Systolic"),
        (c.DIASTOLIC, "diastolic_bp", "Diastolic"),
    ):
        value = getattr(event, field)
        if value is not None:
            components.append(
                {
                    "code": _concept(c.LOINC, code, f"{display} blood pressure"),
                    "valueQuantity": c.ucum(value, "mmHg", "mm[Hg]"),
                }
            )
    if components:
        parts.append(
            (
                "bp",
                _concept(c.LOINC, c.BP_PANEL, "Blood pressure panel"),
                {"component": components},
                "vital-signs",
            )
        )
    sedation = getattr(event, "sedation", None)
    if sedation is not None:
        parts.append(
            (
                "sedation",
                _concept(c.OBSERVATION, "sedation", "Sedation score (ward scale)"),
                {"valueInteger": sedation},
                "exam",
            )
        )
    symptoms = getattr(event, "symptoms", [])
    if symptoms:
        side: list[Json] = [
            {
                "code": _concept(c.SYMPTOM, s.value),
                "valueString": "severe" if s in event.severe else "present",
            }
            for s in symptoms
        ]
        if event.troublesome:
            side.append({"code": _concept(c.OBSERVATION, "troublesome"), "valueBoolean": True})
        if event.other_symptom:
            side.append(
                {
                    "code": _concept(c.OBSERVATION, "other-symptom"),
                    "valueString": event.other_symptom,
                }
            )
        parts.append(
            (
                "side-effects",
                _concept(c.OBSERVATION, "side-effects", "Side effects"),
                {"component": side},
                "exam",
            )
        )
    return parts


def _administration(b: _Builder, event: AnyEvent, name: str, extra: Json) -> str:
    status = {
        "pause": "on-hold",
        "stop": "stopped",
        "dose_given": "completed",
        "prn_given": "completed",
    }.get(event.type, "in-progress")
    resource: Json = {
        "resourceType": "MedicationAdministration",
        "status": status,
        "subject": _ref(b.patient),
        "effectiveDateTime": _instant(event.at),
        "request": _ref(b.order),
        "performer": [{"actor": {"display": event.by}}],  # type: ignore[union-attr]
        **extra,
    }
    if isinstance(event, PrnGiven):
        resource["medicationCodeableConcept"] = {"text": event.drug}
    else:
        resource["medicationCodeableConcept"] = b.ketamine
    dosage: Json = {}
    if isinstance(event, RateChange | Resume) and event.rate is not None:
        dosage["rateQuantity"] = quantity(event.rate)  # type: ignore[arg-type]
    if isinstance(event, DoseGiven | PrnGiven):
        dosage["dose"] = quantity(event.dose)  # type: ignore[arg-type]
        route = _route(event.route)
        if route is not None:
            dosage["route"] = route
    if dosage:
        resource["dosage"] = dosage
    if isinstance(event, Pause | Stop):
        reason: Json = {"text": event.reason} if event.reason else {}
        if isinstance(event, Pause):
            code = "side-effects" if event.for_side_effects else "other"
            reason["coding"] = [{"system": f"{c.PRODUCT}:pause-reason", "code": code}]
        if reason:
            resource["statusReason"] = [reason]
    return b.add(resource, b.url("MedicationAdministration", name))


def _event(b: _Builder, event: AnyEvent, position: int) -> list[str]:
    event_id = event.id or f"event-{position}"
    extra = _tagged(event, event_id)
    at = _instant(event.at)
    if isinstance(event, Observation):
        made = []
        for index, (name, code, value, category) in enumerate(_observation_parts(event)):
            part_extra = extra if index == 0 else {k: v for k, v in extra.items() if k != "note"}
            made.append(
                b.observation(
                    f"{event_id}/{name}", code, at, value, category=category, extra=part_extra
                )
            )
        return made
    if isinstance(event, RateChange | Pause | Resume | Stop | DoseGiven | PrnGiven):
        return [_administration(b, event, event_id, extra)]
    if isinstance(event, OpioidUse):
        components: list[Json] = []
        if event.med_mg_per_24h is not None:
            components.append(
                {
                    "code": _concept(
                        c.OBSERVATION, "med-24h", "Oral morphine equivalent, last 24 h"
                    ),
                    "valueQuantity": c.ucum(event.med_mg_per_24h, "mg/24 h", "mg/(24.h)"),
                }
            )
        if event.breakthrough_doses_24h is not None:
            components.append(
                {
                    "code": _concept(
                        c.OBSERVATION, "breakthrough-24h", "Breakthrough opioid doses, last 24 h"
                    ),
                    "valueInteger": event.breakthrough_doses_24h,
                }
            )
        return [
            b.observation(
                f"{event_id}/opioid-use",
                _concept(c.OBSERVATION, "opioid-use", "Opioid use over the last 24 h"),
                at,
                {"component": components},
                category="therapy",
                extra=extra,
            )
        ]
    body = canonical_text(event.model_dump(mode="json", exclude_none=True))
    resource: Json = {
        "resourceType": "Basic",
        "code": _concept(c.EVENT_TYPE, event.type),
        "subject": _ref(b.patient),
        "created": event.at.date().isoformat(),
        # Basic has no note: the event's own JSON below carries it.
        **{k: v for k, v in extra.items() if k != "note"},
    }
    resource.setdefault("extension", []).append({"url": c.EVENT_EXTENSION, "valueString": body})
    return [b.add(resource, b.url("Basic", event_id))]


def _provenance(b: _Builder, event: AnyEvent, position: int, targets: list[str]) -> None:
    if event.recorded_by is None or not targets:
        return
    agent: Json = {
        "type": _concept(c.PROVENANCE_AGENT, "author", "Author"),
        "who": {"display": event.recorded_by},
    }
    if event.role is not None:
        agent["role"] = [_concept(c.ROLE, event.role)]
    resource = {
        "resourceType": "Provenance",
        "target": [_ref(t) for t in targets],
        "recorded": _instant(event.recorded_at or event.at),
        "agent": [agent],
    }
    b.add(resource, b.url("Provenance", event.id or f"event-{position}"))


def _header(b: _Builder, concentration_mg_per_ml: float | None) -> None:
    episode, protocol = b.episode, b.protocol
    patient: Json = {"resourceType": "Patient"}
    if episode.patient.id:
        patient["identifier"] = [{"system": f"{c.PRODUCT}:patient", "value": episode.patient.id}]
    b.add(patient, b.patient)
    weight = episode.patient.body_weight
    lb = weight.entered.endswith(" lb")
    value = float(weight.entered.split()[0]) if lb else exact(weight.kg)
    unit = ("[lb_av]", "lb") if lb else ("kg", "kg")
    b.observation(
        "weight",
        _concept(c.LOINC, c.BODY_WEIGHT, "Body weight"),
        _instant(episode.started_at),
        {"valueQuantity": c.ucum(value, unit[1], unit[0])},
    )
    start = _instant(episode.started_at)
    for name, code, value_json, category in _observation_parts(episode.baseline):
        b.observation(
            f"baseline/{name}",
            code,
            start,
            value_json,
            category=category,
            extra={"meta": {"tag": [{"system": c.EPISODE_PART, "code": "baseline"}]}},
        )
    b.add(
        {
            "resourceType": "Goal",
            "lifecycleStatus": "active",
            "description": {"text": f"Pain at or below {episode.pain_goal}/10"},
            "subject": _ref(b.patient),
            "target": [{"measure": _concept(c.LOINC, c.PAIN), "detailInteger": episode.pain_goal}],
        },
        b.url("Goal", "pain"),
    )
    medication: Json = {"resourceType": "Medication", "id": "ketamine", "code": b.ketamine}
    if concentration_mg_per_ml is not None:
        medication["ingredient"] = [
            {
                "itemCodeableConcept": b.ketamine,
                "strength": {
                    "numerator": c.ucum(concentration_mg_per_ml, "mg"),
                    "denominator": c.ucum(1, "mL"),
                },
            }
        ]
    first_phase = protocol.phase(episode.phase) if episode.phase else protocol.phases[0]
    dosage: Json = {"text": first_phase.text, "route": _route(first_phase.route)}
    first = next((e for e in episode.events if isinstance(e, RateChange)), None)
    if first is not None:
        dosage["doseAndRate"] = [{"rateQuantity": quantity(first.rate)}]  # type: ignore[arg-type]
    version = episode.protocol.version or protocol.version
    order: Json = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "contained": [medication],
        "medicationReference": {"reference": "#ketamine"},
        "subject": _ref(b.patient),
        "authoredOn": start,
        "instantiatesCanonical": [f"{c.plan_definition_url(b.base, protocol.id)}|{version}"],
        "dosageInstruction": [dosage],
    }
    if episode.phase:
        order["extension"] = [{"url": f"{c.PRODUCT}:extension:phase", "valueCode": episode.phase}]
    b.add(order, b.order)


def _guidance(b: _Builder, recommendation: Recommendation, index: int) -> None:
    reasons = [
        {"coding": [{"system": c.RULE, "code": r.rule}], "text": f"{r.text} ({r.source})"}
        for r in recommendation.reasons
    ]
    rate = recommendation.rate_mg_per_h
    said = recommendation.action.replace("_", " ")
    if rate is not None:
        said += f" at {rate:g} mg/h"
    if recommendation.dose_mg is not None:
        said += f", dose {recommendation.dose_mg:g} mg"
    resource: Json = {
        "resourceType": "GuidanceResponse",
        "moduleUri": (
            f"{c.plan_definition_url(b.base, recommendation.protocol_id)}"
            f"|{recommendation.protocol_version}"
        ),
        "status": "success",
        "subject": _ref(b.patient),
        "occurrenceDateTime": _instant(recommendation.at),
        "note": [{"text": said}],
    }
    if reasons:
        resource["reasonCode"] = reasons
    b.add(resource, b.url("GuidanceResponse", str(index)))
    for number, alert in enumerate(recommendation.alerts, start=1):
        code = _concept(c.ALERT, alert.kind)
        if alert.rule:
            code["coding"].append({"system": c.RULE, "code": alert.rule})
        b.add(
            {
                "resourceType": "DetectedIssue",
                "status": "final",
                "code": code,
                "severity": "high" if alert.kind in _SEVERE_ALERTS else "moderate",
                "patient": _ref(b.patient),
                "identifiedDateTime": _instant(recommendation.at),
                "implicated": [_ref(b.order)],
                "detail": f"{alert.text} ({alert.source})",
            },
            b.url("DetectedIssue", f"{index}/{number}"),
        )


def episode_bundle(
    episode: Episode,
    protocol: Protocol,
    recommendations: Iterable[Recommendation],
    *,
    base: str,
    concentration_mg_per_ml: float | None = None,
) -> Json:
    """The episode as a FHIR R4 collection Bundle, every resource validated as R4."""
    b = _Builder(episode, protocol, base)
    _header(b, concentration_mg_per_ml)
    for position, event in enumerate(episode.events, start=1):
        _provenance(b, event, position, _event(b, event, position))
    for index, recommendation in enumerate(recommendations, start=1):
        _guidance(b, recommendation, index)
    bundle: Json = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _instant(episode.started_at),
        "entry": b.entries,
    }
    return validate_r4(bundle)
