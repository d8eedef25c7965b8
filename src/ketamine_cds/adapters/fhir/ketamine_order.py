"""A ketamine ``MedicationRequest`` (FHIR R4) read into what the one dose check needs.

Recognised by RxNorm (the ingredient 6130 or a ketamine injectable product, on the request or on
the Medication it refers to); by its text only as a flagged fallback. The dose is read from the
single ``dosageInstruction.doseAndRate``: a ``rateQuantity`` (UCUM ``mg/h``, ``mg/kg/h``,
``ug/kg/h`` …), or a ``doseQuantity`` with its ``timing.repeat`` (``duration`` is the time the
dose is given over; ``frequency``/``period`` how often). The route is the SNOMED CT coding of
``route``. The protocol is the ``instantiatesCanonical`` ending in ``/PlanDefinition/{id}``
(optionally ``|version``). The bag concentration is the Medication's ingredient strength in
mg/mL. Anything else the check would have to guess is refused in one sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from ketamine_cds.adapters.fhir.codes import KETAMINE_CODES, ROUTES, RXNORM, SNOMED, UCUM
from ketamine_cds.adapters.fhir.r4 import Json, parse
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.units import (
    Concentration,
    Duration,
    Mass,
    PerKgMass,
    PerKgRate,
    Rate,
    parse_concentration,
)
from ketamine_cds.domain.vocabulary import Route

_CANONICAL = re.compile(r"/PlanDefinition/(?P<id>[a-z0-9][a-z0-9-]*)(?:\|(?P<version>[^|]+))?$")
_RATE_UCUM = re.compile(r"^(?P<mass>mg|ug|g)(?P<kg>/kg|/\(kg\.)?/?(?P<time>h|min|d)\)?$")
# UCUM mass and time codes as factors to mg and to "per hour": quantities are built by scaling
# one canonical unit, since parsing unit text is most of the time of a hook call.
_TO_MG = {"mg": 1.0, "ug": 1e-3, "g": 1e3}
_PER_HOUR = {"s": 3600.0, "min": 60.0, "h": 1.0, "d": 1 / 24}
_DOSE_UCUM = {
    "mg": ("mg", False),
    "ug": ("ug", False),
    "g": ("g", False),
    "mg/kg": ("mg", True),
    "ug/kg": ("ug", True),
}
ONE_MG_PER_H = Rate.of(1, "mg/hour")
ONE_MG_PER_KG_PER_H = PerKgRate.of(1, "mg/kg_bw/hour")
ONE_MG = Mass.of(1, "mg")
ONE_MG_PER_KG = PerKgMass.of(1, "mg/kg_bw")
_HOURS = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0, "wk": 168.0}
Recognised = Literal["rxnorm", "text"]


@dataclass(frozen=True)
class KetamineOrder:
    """What a ketamine order asks for, as the dose check reads it."""

    where: str
    resource: Json
    recognised_by: Recognised
    rate: Rate | PerKgRate | None = None
    rate_unit: str | None = None
    dose: Mass | PerKgMass | None = None
    over: Duration | None = None
    doses_per_day: float | None = None
    route: Route | None = None
    protocol_id: str | None = None
    protocol_version: str | None = None
    concentration: Concentration | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def reference(self) -> str:
        """``MedicationRequest/{id}``, or where the order was found when it has no id."""
        rid = self.resource.get("id")
        return f"MedicationRequest/{rid}" if rid else self.where


def _rxnorm_codes(concept: Any) -> set[str]:  # noqa: ANN401 - a fhirclient CodeableConcept
    if concept is None:
        return set()
    return {str(c.code) for c in concept.coding or [] if c.system == RXNORM and c.code}


def _texts(concept: Any) -> list[str]:  # noqa: ANN401 - a fhirclient CodeableConcept
    if concept is None:
        return []
    return [str(t) for t in [concept.text, *(c.display for c in concept.coding or [])] if t]


def referenced_medication(request: Any, medications: dict[str, Any]) -> Any:  # noqa: ANN401 - fhirclient resources
    """The Medication a request names: contained (``#id``) or another entry of the Bundle."""
    reference = request.medicationReference
    if reference is None or not reference.reference:
        return None
    target = str(reference.reference)
    if target.startswith("#"):
        for inner in request.contained or []:
            if inner.resource_type == "Medication" and inner.id == target[1:]:
                return inner
        return None
    found = medications.get(target)
    if found is None and "Medication/" in target:
        found = medications.get("Medication/" + target.rsplit("Medication/", 1)[1])
    return found


def recognise(request: Any, medications: dict[str, Any]) -> Recognised | None:  # noqa: ANN401 - a fhirclient MedicationRequest
    """How a request is known to be ketamine: by RxNorm, by its text only, or not at all."""
    medication = referenced_medication(request, medications)
    concepts = [request.medicationCodeableConcept, getattr(medication, "code", None)]
    if any(_rxnorm_codes(c) & KETAMINE_CODES for c in concepts):
        return "rxnorm"
    if any("ketamine" in text.lower() for c in concepts for text in _texts(c)):
        return "text"
    return None


def _quantity_text(quantity: Any, what: str, where: str) -> str:  # noqa: ANN401 - a Quantity
    if quantity.value is None:
        raise UserInputError(f"{where}: the {what} has no value")
    if quantity.comparator:
        raise UserInputError(
            f"{where}: the {what} '{quantity.comparator}{quantity.value}' is a bound"
        )
    if quantity.system not in (None, UCUM):
        raise UserInputError(f"{where}: the {what}'s unit is not a UCUM code ({quantity.system})")
    code = str(quantity.code or quantity.unit or "").strip()
    if not code:
        raise UserInputError(f"{where}: the {what} {quantity.value} has no unit")
    return code


def read_rate(quantity: Any, where: str) -> tuple[Rate | PerKgRate, str]:  # noqa: ANN401 - a Quantity
    """A rateQuantity as a rate, and its UCUM code."""
    code = _quantity_text(quantity, "rate", where)
    match = _RATE_UCUM.match(code.replace("mcg", "ug").replace("µg", "ug").replace("/hr", "/h"))
    if match is None:
        raise UserInputError(
            f"{where}: the rate unit '{code}' is not one the product reads (mg/h, mg/kg/h, ug/kg/h)"
        )
    value = float(quantity.value) * _TO_MG[match["mass"]] * _PER_HOUR[match["time"]]
    unit = ONE_MG_PER_KG_PER_H if match["kg"] else ONE_MG_PER_H
    return unit.scaled(value), code


def read_amount(quantity: Any, where: str) -> Mass | PerKgMass:  # noqa: ANN401 - a Quantity
    """A doseQuantity as a dose."""
    code = _quantity_text(quantity, "dose", where).replace("mcg", "ug")
    if code not in _DOSE_UCUM:
        raise UserInputError(f"{where}: the dose unit '{code}' is not one the product reads (mg)")
    mass, per_kg = _DOSE_UCUM[code]
    return (ONE_MG_PER_KG if per_kg else ONE_MG).scaled(float(quantity.value) * _TO_MG[mass])


def read_route(concept: Any, where: str) -> Route | None:  # noqa: ANN401 - a CodeableConcept
    """The route of a SNOMED CT coding; None when none is given."""
    if concept is None:
        return None
    for coding in concept.coding or []:
        if coding.system == SNOMED and str(coding.code) in ROUTES:
            return ROUTES[str(coding.code)]
    shown = concept.text or next((c.display or c.code for c in concept.coding or []), "?")
    raise UserInputError(f"{where}: the route '{shown}' is not a SNOMED CT route the product reads")


def protocol_of(request: Any, where: str) -> tuple[str | None, str | None]:  # noqa: ANN401 - a MedicationRequest
    """The protocol id (and version) the order's ``instantiatesCanonical`` names, if any."""
    found = {
        (m["id"], m["version"])
        for url in request.instantiatesCanonical or []
        if (m := _CANONICAL.search(str(url))) is not None
    }
    if len(found) > 1:
        names = ", ".join(sorted(i for i, _ in found))
        raise UserInputError(f"{where} names more than one protocol ({names}); name one")
    return next(iter(found), (None, None))


def concentration_of(medication: Any, where: str) -> Concentration | None:  # noqa: ANN401 - a Medication
    """The ketamine strength of a Medication in mg/mL, if it states one."""
    if medication is None:
        return None
    for ingredient in medication.ingredient or []:
        if not (_rxnorm_codes(ingredient.itemCodeableConcept) & KETAMINE_CODES) and not any(
            "ketamine" in t.lower() for t in _texts(ingredient.itemCodeableConcept)
        ):
            continue
        strength = ingredient.strength
        if strength is None or strength.numerator is None or strength.denominator is None:
            continue
        top = _quantity_text(strength.numerator, "strength", where).replace("ug", "µg")
        bottom = _quantity_text(strength.denominator, "strength", where)
        per = float(strength.denominator.value)
        return parse_concentration(f"{float(strength.numerator.value) / per!r} {top}/{bottom}")
    return None


def _timing(dosage: Any, where: str) -> tuple[Duration | None, float | None]:  # noqa: ANN401 - a Dosage
    repeat = dosage.timing.repeat if dosage.timing is not None else None
    if repeat is None:
        return None, None
    over = None
    if repeat.duration is not None:
        unit = str(repeat.durationUnit or "")
        if unit not in _HOURS:
            raise UserInputError(f"{where}: the timing's duration has no unit the product reads")
        over = Duration.of(float(repeat.duration) * _HOURS[unit], "hour")
    per_day = None
    if repeat.frequency is not None:
        if repeat.period is None or str(repeat.periodUnit or "") not in _HOURS:
            raise UserInputError(f"{where}: the timing gives a frequency without a period")
        per_day = (
            float(repeat.frequency) * 24.0 / (float(repeat.period) * _HOURS[str(repeat.periodUnit)])
        )
    return over, per_day


def read_order(
    data: Json, where: str, medications: dict[str, Any] | None = None, *, codes: bool = True
) -> KetamineOrder | None:
    """The ketamine order in ``data``, None when it is not a ketamine order.

    Raises :class:`UserInputError` with one sentence for a ketamine order the check cannot read.
    """
    known = medications or {}
    request = parse(data, where, "MedicationRequest", codes=codes)
    recognised = recognise(request, known)
    if recognised is None:
        return None
    notes: list[str] = []
    if recognised == "text":
        notes.append(
            "The order was recognised as ketamine by its text only, not by an RxNorm code "
            "(6130 or a ketamine product): check the order's coding."
        )
    dosages = request.dosageInstruction or []
    if len(dosages) != 1:
        raise UserInputError(f"{where} has {len(dosages)} dosage instructions; give exactly one")
    dosage = dosages[0]
    rates = dosage.doseAndRate or []
    if len(rates) != 1:
        raise UserInputError(f"{where} has {len(rates)} doseAndRate entries; give exactly one")
    entry = rates[0]
    if entry.rateRange is not None or entry.rateRatio is not None or entry.doseRange is not None:
        raise UserInputError(
            f"{where} gives a range or ratio; give one rateQuantity or doseQuantity"
        )
    protocol_id, version = protocol_of(request, where)
    concentration = concentration_of(referenced_medication(request, known), where)
    if concentration is None:
        notes.append(
            "The order does not state the bag or syringe concentration (the Medication's "
            "ingredient strength); vial strengths of 10, 50 and 100 mg/mL have caused ten-fold "
            "errors (ISMP)."
        )
    route = read_route(dosage.route, where)
    common: dict[str, Any] = {
        "where": where,
        "resource": data,
        "recognised_by": recognised,
        "route": route,
        "protocol_id": protocol_id,
        "protocol_version": version,
        "concentration": concentration,
        "notes": tuple(notes),
    }
    if entry.rateQuantity is not None:
        rate, unit = read_rate(entry.rateQuantity, where)
        return KetamineOrder(rate=rate, rate_unit=unit, **common)
    if entry.doseQuantity is not None:
        over, per_day = _timing(dosage, where)
        return KetamineOrder(
            dose=read_amount(entry.doseQuantity, where), over=over, doses_per_day=per_day, **common
        )
    raise UserInputError(f"{where} gives neither a rateQuantity nor a doseQuantity")
