"""FHIR R4 ``MedicationRequest`` resources (or a ``Bundle`` of them) in, a regimen out.

Parsed with ``fhir.resources`` (its R4B classes: fhir.resources 7 and later ship R5, R4B and STU3
but not R4 4.0.1, and MedicationRequest, Dosage, Timing and Medication are the same in R4 and
R4B for the elements read here). Nothing is hand-parsed. Which requests count is decided in
:mod:`.bundle` (active orders, each once).

The medication is an RxNorm ingredient code (the dose then in mg or µg, a patch's µg/h in
``rateQuantity`` or in a ``Medication``'s strength, contained or in the Bundle) or an RxNorm
clinical-drug code from the shipped product table (the dose may then be in tablets or patches).
Timing comes from ``timing.repeat`` (frequency, frequencyMax, period, periodMax, periodUnit,
timeOfDay); ``asNeeded`` marks an as-needed order. What is not read (a second dosage instruction,
a dose range, ``dayOfWeek``, a timing code without ``repeat``) is refused, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.dosage import Dosage, DosageDoseAndRate
from fhir.resources.R4B.medication import Medication
from pydantic import ValidationError

from ketamine_cds.adapters.fhir.bundle import Orders, Request, one_line, select_orders
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.products import Product, ProductTable, StrengthUnit
from ketamine_cds.domain.opioids.regimen import (
    NAME_LENGTH,
    Regimen,
    RegimenItem,
    RegimenReading,
)
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
HOURS_PER_DAY = 24.0


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _unit(quantity: Any) -> str:  # noqa: ANN401 - a fhir.resources Quantity
    return str(quantity.code or quantity.unit or "").strip()


def _value(quantity: Any, what: str, label: str) -> float:  # noqa: ANN401 - a Quantity
    """A quantity's value: present, plain (no comparator) and above zero."""
    if quantity.value is None:
        raise UserInputError(f"{label}: {what} has no value")
    if quantity.comparator:
        raise UserInputError(
            f"{label}: {what} '{quantity.comparator}{quantity.value}' is a bound, not a dose"
        )
    value = float(quantity.value)
    if value <= 0:
        raise UserInputError(f"{label}: {what} must be above zero, not {value:g}")
    return value


def _codes(concept: Any) -> list[str]:  # noqa: ANN401 - a CodeableConcept
    if concept is None:
        return []
    return [c.code for c in concept.coding or [] if c.system == RXNORM and c.code]


def _medication(request: Request, medications: dict[str, Medication]) -> Medication | None:
    """The Medication a request refers to: contained (``#id``) or an entry of the Bundle."""
    reference = request.resource.medicationReference
    if reference is None:
        return None
    target = reference.reference or ""
    if target.startswith("#"):
        for resource in request.resource.contained or []:
            if resource.get_resource_type() == "Medication" and resource.id == target[1:]:
                return (
                    resource
                    if isinstance(resource, Medication)
                    else Medication.model_validate(resource.model_dump())
                )
    else:
        found = medications.get(target)
        if found is None and "Medication/" in target:
            found = medications.get("Medication/" + target.rsplit("Medication/", 1)[1])
        if found is not None:
            return found
    raise UserInputError(
        f"{request.label}: medicationReference '{target}' is not among its contained resources "
        "or the Bundle's entries"
    )


def _route(dosage: Dosage, product: Product | None, label: str) -> str:
    concept = dosage.route
    if concept is not None:
        for coding in concept.coding or []:
            if coding.system == SNOMED and coding.code in ROUTES_SNOMED:
                return ROUTES_SNOMED[coding.code]
        text = concept.text or next((c.display for c in concept.coding or [] if c.display), None)
        if text:
            return " ".join(text.split()).lower()
    if product is not None:
        return product.route.value
    raise UserInputError(f"{label}: the route is missing (dosageInstruction.route)")


def _timing(dosage: Dosage, fields: dict[str, Any], label: str) -> None:
    timing = dosage.timing
    repeat = timing.repeat if timing is not None else None
    if repeat is None:
        if timing is not None and timing.code is not None:
            raise UserInputError(
                f"{label}: timing.code is not read; give timing.repeat (frequency, period, "
                "periodUnit)"
            )
        return
    if repeat.dayOfWeek:
        raise UserInputError(f"{label}: timing dayOfWeek is not read; give frequency and period")
    if repeat.timeOfDay:
        fields["times_of_day"] = tuple(
            t.strftime("%H:%M") for t in repeat.timeOfDay if t is not None
        )
        return
    if repeat.period is None:
        if repeat.frequency is not None or repeat.periodMax is not None or repeat.when:
            raise UserInputError(f"{label}: timing.repeat gives no period (e.g. period 4, h)")
        return
    _interval(repeat, fields, label)


def _interval(repeat: Any, fields: dict[str, Any], label: str) -> None:  # noqa: ANN401 - repeat
    unit = str(repeat.periodUnit or "")
    if unit not in _HOURS:
        raise UserInputError(f"{label}: timing periodUnit '{unit}' is not read (use min, h, d, wk)")
    # FHIR R4 Timing: with no frequency stated the event occurs once per period
    frequency = _number(repeat.frequency) or 1.0
    most = _number(repeat.frequencyMax) or frequency
    if frequency <= 0 or most < frequency:
        raise UserInputError(
            f"{label}: timing frequency must be above zero and frequencyMax not below it"
        )
    if repeat.when and len(repeat.when) > most:
        raise UserInputError(
            f"{label}: timing names {len(repeat.when)} times of day (when) for "
            f"{most:g} dose(s) a period"
        )
    period_h = float(repeat.period) * _HOURS[unit]
    if period_h <= 0:
        raise UserInputError(f"{label}: timing period must be above zero")
    if fields.get("patch") is not None:
        fields["change_every_days"] = period_h / HOURS_PER_DAY / frequency
        return
    longest_h = period_h
    if repeat.periodMax is not None:
        longest_h = float(repeat.periodMax) * _HOURS[unit]
    if longest_h < period_h:
        raise UserInputError(f"{label}: timing periodMax is shorter than period")
    fields["every_hours"] = period_h / most
    if longest_h / frequency != period_h / most:
        fields["every_hours_max"] = longest_h / frequency


def _patch_rate(medication: Medication | None, label: str) -> str | None:
    """A patch's delivery rate from a Medication's strength (mass per hour)."""
    if medication is None:
        return None
    for ingredient in medication.ingredient or []:
        strength = ingredient.strength
        if strength is None or strength.numerator is None or strength.denominator is None:
            continue
        num, den = _unit(strength.numerator), _unit(strength.denominator)
        if num in _MASS_UNITS and den == "h":
            numerator = _value(strength.numerator, "the strength's numerator", label)
            denominator = _value(strength.denominator, "the strength's denominator", label)
            return f"{numerator / denominator:g} {_MASS_UNITS[num]}/h"
    return None


@dataclass(frozen=True)
class _Identified:
    """What a request's medication is: label, ingredient, and the product or Medication."""

    label: str
    text: str | None
    drug: Opioid
    product: Product | None
    medication: Medication | None


def _identify(
    request: Request, products: ProductTable, medications: dict[str, Medication]
) -> _Identified:
    medication = _medication(request, medications)
    resource = request.resource
    concept = medication.code if medication is not None else resource.medicationCodeableConcept
    text: str | None = None
    if concept is not None:
        text = concept.text or next((c.display for c in concept.coding or [] if c.display), None)
    label = request.label
    if text and f"({one_line(text)})" not in label:
        label = f"{label} ({one_line(text)})"
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
    """A dose in tablets or patches: the product or the Medication gives the strength."""
    product = what.product
    if product is not None and product.strength_unit is StrengthUnit.UG_PER_H:
        return {"patch": product.strength_text, "patches": value}
    patch_rate = _patch_rate(what.medication, what.label)
    if patch_rate is not None:
        return {"patch": patch_rate, "patches": value}
    if product is not None:
        return {"tablets": value, "strength": product.strength_text}
    raise UserInputError(
        f"{what.label}: a dose of {value:g} {unit or 'units'} needs a product code or a "
        "Medication with its strength"
    )


def _one_dose_and_rate(dosage: Dosage, label: str) -> DosageDoseAndRate | None:
    if not dosage.doseAndRate:
        return None
    if len(dosage.doseAndRate) > 1:
        raise UserInputError(f"{label}: give one doseAndRate, not {len(dosage.doseAndRate)}")
    dose_and_rate = dosage.doseAndRate[0]
    for unread in ("doseRange", "rateRange", "rateRatio"):
        if getattr(dose_and_rate, unread) is not None:
            raise UserInputError(
                f"{label}: {unread} is not read; give doseQuantity or rateQuantity"
            )
    return dose_and_rate


def _rate(what: _Identified, rate: Any, route: str) -> dict[str, Any]:  # noqa: ANN401 - a Quantity
    unit = _unit(rate)
    if unit not in _RATE_UNITS:
        raise UserInputError(f"{what.label}: rateQuantity unit '{unit}' is not µg/h or mg/h")
    value = _value(rate, "rateQuantity", what.label)
    key = "patch" if route == "transdermal" else "rate"
    return {key: f"{value:g} {_RATE_UNITS[unit]}"}


def _amount(what: _Identified, dosage: Dosage, route: str) -> dict[str, Any]:
    """The dose, patch or rate of a dosage instruction, as regimen fields."""
    dose_and_rate = _one_dose_and_rate(dosage, what.label)
    dose = dose_and_rate.doseQuantity if dose_and_rate is not None else None
    rate = dose_and_rate.rateQuantity if dose_and_rate is not None else None
    if rate is not None:
        fields = _rate(what, rate, route)
        if dose is not None:
            if "patch" not in fields or _unit(dose) not in _COUNT_UNITS:
                raise UserInputError(
                    f"{what.label}: give doseQuantity or rateQuantity, not both (except patches "
                    "worn at once with the rate of each)"
                )
            fields["patches"] = _value(dose, "doseQuantity", what.label)
        return fields
    if dose is None:
        patch_rate = _patch_rate(what.medication, what.label)
        return {"patch": patch_rate} if patch_rate is not None else {}
    unit = _unit(dose)
    value = _value(dose, "doseQuantity", what.label)
    if unit in _MASS_UNITS:
        return {"dose": f"{value:g} {_MASS_UNITS[unit]}"}
    if unit in _COUNT_UNITS or not unit:
        return _count_dose(what, value, unit)
    raise UserInputError(
        f"{what.label}: doseQuantity unit '{unit}' is not read (mg, µg, tablets, patches)"
    )


def _form(what: _Identified) -> str | None:
    if what.product is not None and what.product.form in _FORMS:
        return what.product.form
    if what.medication is not None and what.medication.form is not None:
        text = (what.medication.form.text or "").strip().lower()
        if text in _FORMS:
            return text
    return None


def _item(
    request: Request, products: ProductTable, medications: dict[str, Medication]
) -> RegimenItem:
    what = _identify(request, products, medications)
    instructions = request.resource.dosageInstruction or []
    if not instructions:
        raise UserInputError(f"{what.label}: no dosageInstruction")
    if len(instructions) > 1:
        raise UserInputError(
            f"{what.label}: {len(instructions)} dosageInstructions; give one per "
            "MedicationRequest, since the MED cannot tell which applies now"
        )
    dosage = instructions[0]
    route = _route(dosage, what.product, what.label)
    fields: dict[str, Any] = {
        "name": what.label[:NAME_LENGTH],
        "drug": what.drug.value,
        "route": route,
        "prn": bool(dosage.asNeededBoolean) or dosage.asNeededCodeableConcept is not None,
    }
    form = _form(what)
    if form is not None:
        fields["form"] = form
    fields.update(_amount(what, dosage, route))
    _timing(dosage, fields, what.label)
    if fields["prn"] and not {"every_hours", "times_of_day", "patch", "rate"} & set(fields):
        raise UserInputError(
            f"{what.label}: an as-needed order needs its timing (timing.repeat), so that the "
            "most it allows can be counted"
        )
    try:
        return RegimenItem.model_validate(fields)
    except ValidationError as error:
        message = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
        prefix = f"{fields['name']}: "
        raise UserInputError(f"{fields['name']}: {message.removeprefix(prefix)}") from None


def regimen_from_fhir(data: dict[str, Any], name: str, products: ProductTable) -> RegimenReading:
    """A regimen from a FHIR R4 MedicationRequest or a Bundle of them: the active orders."""
    orders: Orders = select_orders(data, name)
    items = tuple(_item(request, products, orders.medications) for request in orders.counted)
    return RegimenReading(
        regimen=Regimen(label=name[:NAME_LENGTH], items=items),
        not_counted=tuple(orders.not_counted),
        warnings=tuple(orders.warnings),
    )
