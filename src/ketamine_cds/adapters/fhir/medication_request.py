"""FHIR R4 ``MedicationRequest`` resources (or a ``Bundle`` of them) in, a regimen out.

Parsed with ``fhir.resources`` (its R4B classes: fhir.resources 7 and later ship R5, R4B and STU3
but not R4 4.0.1, and MedicationRequest, Dosage, Timing and Medication are the same in R4 and
R4B for the elements read here). Nothing is hand-parsed.

The medication is an RxNorm ingredient code (the dose then in mg or µg, a patch's µg/h in
``rateQuantity`` or in a contained ``Medication``'s strength) or an RxNorm clinical-drug code from
the shipped product table (the dose may then be in tablets or patches). Timing comes from
``timing.repeat`` (frequency, period, periodUnit, periodMax, timeOfDay); ``asNeeded`` marks an
as-needed order. Every MedicationRequest given is counted, whatever its status.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.dosage import Dosage
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationrequest import MedicationRequest
from pydantic import ValidationError

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.products import Product, ProductTable, StrengthUnit
from ketamine_cds.domain.opioids.regimen import Regimen, RegimenItem
from ketamine_cds.domain.opioids.tables import Opioid

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
ROUTES_SNOMED = {
    "26643006": "oral",
    "37161004": "rectal",
    "45890007": "transdermal",
    "54471007": "buccal",
    "37839007": "sublingual",
    "46713006": "nasal",
    "47625008": "intravenous",
    "34206005": "subcutaneous",
    "78421000": "intramuscular",
}
_MASS_UNITS = {"mg": "mg", "ug": "µg", "mcg": "µg", "µg": "µg", "g": "g"}
_RATE_UNITS = {"ug/h": "µg/h", "mcg/h": "µg/h", "µg/h": "µg/h", "mg/h": "mg/h", "ug/hr": "µg/h"}
_COUNT_UNITS = {
    "{tbl}",
    "{tablet}",
    "tablet",
    "tablets",
    "tab",
    "{capsule}",
    "capsule",
    "capsules",
    "{patch}",
    "patch",
    "patches",
    "{film}",
    "film",
    "{lozenge}",
    "lozenge",
    "1",
    "{dose}",
}
_FORMS = frozenset({"film", "lozenge", "tablet", "spray"})
_HOURS = {"min": 1 / 60, "h": 1.0, "d": 24.0, "wk": 168.0}


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _unit(quantity: Any) -> str:  # noqa: ANN401 - a fhir.resources Quantity
    return str(quantity.code or quantity.unit or "").strip()


def _requests(data: dict[str, Any], name: str) -> list[MedicationRequest]:
    kind = data.get("resourceType")
    try:
        if kind == "Bundle":
            bundle = Bundle.model_validate(data)
            found = [
                entry.resource
                for entry in bundle.entry or []
                if entry.resource is not None
                and entry.resource.get_resource_type() == "MedicationRequest"
            ]
        elif kind == "MedicationRequest":
            found = [MedicationRequest.model_validate(data)]
        else:
            raise UserInputError(
                f"in {name}: a {kind} is not a MedicationRequest or a Bundle of them"
            )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UserInputError(f"in {name}: not valid FHIR R4: {first['msg']} (at {where})") from None
    if not found:
        raise UserInputError(f"in {name}: no MedicationRequest")
    return [
        r if isinstance(r, MedicationRequest) else MedicationRequest.model_validate(r.model_dump())
        for r in found
    ]


def _codes(concept: Any) -> list[str]:  # noqa: ANN401 - a CodeableConcept
    if concept is None:
        return []
    return [c.code for c in concept.coding or [] if c.system == RXNORM and c.code]


def _contained(request: MedicationRequest) -> Medication | None:
    reference = request.medicationReference
    if reference is None or not reference.reference:
        return None
    wanted = reference.reference.removeprefix("#")
    for resource in request.contained or []:
        if resource.get_resource_type() == "Medication" and resource.id == wanted:
            return (
                resource
                if isinstance(resource, Medication)
                else Medication.model_validate(resource.model_dump())
            )
    return None


def _route(dosage: Dosage, product: Product | None, label: str) -> str:
    concept = dosage.route
    if concept is not None:
        for coding in concept.coding or []:
            if coding.system == SNOMED and coding.code in ROUTES_SNOMED:
                return ROUTES_SNOMED[coding.code]
        text = concept.text or next((c.display for c in concept.coding or [] if c.display), None)
        if text:
            return text.strip().lower()
    if product is not None:
        return product.route.value
    raise UserInputError(f"{label}: the route is missing (dosageInstruction.route)")


def _timing(dosage: Dosage, fields: dict[str, Any], label: str) -> None:
    timing = dosage.timing
    repeat = timing.repeat if timing is not None else None
    if repeat is None:
        return
    if repeat.timeOfDay:
        fields["times_of_day"] = tuple(
            t.strftime("%H:%M") for t in repeat.timeOfDay if t is not None
        )
        return
    if repeat.period is None:
        return
    unit = str(repeat.periodUnit or "")
    if unit not in _HOURS:
        raise UserInputError(f"{label}: timing periodUnit '{unit}' is not read (use min, h, d, wk)")
    frequency = _number(repeat.frequency) or 1.0
    if frequency <= 0:
        raise UserInputError(f"{label}: timing frequency must be above zero")
    period_h = float(repeat.period) * _HOURS[unit]
    if fields.get("patch") is not None:
        fields["change_every_days"] = period_h / 24.0 / frequency
        return
    if period_h <= 0:
        raise UserInputError(f"{label}: timing period must be above zero")
    fields["every_hours"] = period_h / frequency
    if repeat.periodMax is not None:
        fields["every_hours_max"] = float(repeat.periodMax) * _HOURS[unit] / frequency


def _patch_rate(medication: Medication | None) -> str | None:
    """A patch's delivery rate from a contained Medication's strength (mass per hour)."""
    if medication is None:
        return None
    for ingredient in medication.ingredient or []:
        strength = ingredient.strength
        if strength is None or strength.numerator is None or strength.denominator is None:
            continue
        num, den = _unit(strength.numerator), _unit(strength.denominator)
        if num in _MASS_UNITS and den == "h":
            value = float(strength.numerator.value or 0) / float(strength.denominator.value or 1)
            return f"{value:g} {_MASS_UNITS[num]}/h"
    return None


@dataclass(frozen=True)
class _Identified:
    """What a request's medication is: label, ingredient, and the product or Medication."""

    label: str
    text: str | None
    drug: Opioid
    product: Product | None
    medication: Medication | None


def _identify(request: MedicationRequest, index: int, products: ProductTable) -> _Identified:
    medication = _contained(request)
    concept = medication.code if medication is not None else request.medicationCodeableConcept
    text: str | None = None
    if concept is not None:
        text = concept.text or next((c.display for c in concept.coding or [] if c.display), None)
    label = f"MedicationRequest {request.id or index + 1}" + (f" ({text})" if text else "")
    codes = _codes(concept)
    product = next((p for c in codes if (p := products.product(c)) is not None), None)
    drug = product.ingredient if product else None
    if drug is None:
        drug = next((d for c in codes if (d := products.ingredient(c)) is not None), None)
    if drug is None:
        shown = ", ".join(codes) or "none"
        raise UserInputError(
            f"{label}: no known opioid RxNorm code (codes given: {shown}); use an ingredient "
            "code or a product of the shipped table"
        )
    return _Identified(label, text, drug, product, medication)


def _count_dose(what: _Identified, value: float, unit: str) -> dict[str, Any]:
    """A dose in tablets or patches: the product or contained Medication gives the strength."""
    product = what.product
    if product is not None and product.strength_unit is StrengthUnit.UG_PER_H:
        return {"patch": product.strength_text, "patches": value}
    patch_rate = _patch_rate(what.medication)
    if patch_rate is not None:
        return {"patch": patch_rate, "patches": value}
    if product is not None:
        return {"tablets": value, "strength": product.strength_text}
    raise UserInputError(
        f"{what.label}: a dose of {value:g} {unit or 'units'} needs a product code or a "
        "contained Medication with its strength"
    )


def _amount(what: _Identified, dosage: Dosage, route: str) -> dict[str, Any]:
    """The dose, patch or rate of a dosage instruction, as regimen fields."""
    dose_and_rate = dosage.doseAndRate[0] if dosage.doseAndRate else None
    dose = dose_and_rate.doseQuantity if dose_and_rate is not None else None
    rate = dose_and_rate.rateQuantity if dose_and_rate is not None else None
    if rate is not None:
        unit = _unit(rate)
        if unit not in _RATE_UNITS:
            raise UserInputError(f"{what.label}: rateQuantity unit '{unit}' is not µg/h or mg/h")
        key = "patch" if route == "transdermal" else "rate"
        return {key: f"{float(rate.value or 0):g} {_RATE_UNITS[unit]}"}
    if dose is None:
        patch_rate = _patch_rate(what.medication)
        return {"patch": patch_rate} if patch_rate is not None else {}
    unit = _unit(dose)
    if dose.value is None:
        raise UserInputError(f"{what.label}: doseQuantity has no value")
    value = float(dose.value)
    if unit in _MASS_UNITS:
        return {"dose": f"{value:g} {_MASS_UNITS[unit]}"}
    if unit in _COUNT_UNITS or not unit:
        return _count_dose(what, value, unit)
    raise UserInputError(
        f"{what.label}: doseQuantity unit '{unit}' is not read (mg, µg, tablets, patches)"
    )


def _item(request: MedicationRequest, index: int, products: ProductTable) -> RegimenItem:
    what = _identify(request, index, products)
    if not request.dosageInstruction:
        raise UserInputError(f"{what.label}: no dosageInstruction")
    dosage = request.dosageInstruction[0]
    route = _route(dosage, what.product, what.label)
    fields: dict[str, Any] = {
        "name": what.text or (what.product.name if what.product else what.drug.value),
        "drug": what.drug.value,
        "route": route,
        "prn": bool(dosage.asNeededBoolean) or dosage.asNeededCodeableConcept is not None,
    }
    if what.product is not None and what.product.form in _FORMS:
        fields["form"] = what.product.form
    elif what.medication is not None and what.medication.form is not None:
        form_text = what.medication.form.text
        if form_text and form_text.strip().lower() in _FORMS:
            fields["form"] = form_text.strip().lower()
    fields.update(_amount(what, dosage, route))
    _timing(dosage, fields, what.label)
    try:
        return RegimenItem.model_validate(fields)
    except ValidationError as error:
        message = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
        raise UserInputError(f"{what.label}: {message}") from None


def regimen_from_fhir(data: dict[str, Any], name: str, products: ProductTable) -> Regimen:
    """A regimen from a FHIR R4 MedicationRequest or a Bundle of them."""
    requests = _requests(data, name)
    items = tuple(_item(request, index, products) for index, request in enumerate(requests))
    return Regimen(label=name, items=items)
