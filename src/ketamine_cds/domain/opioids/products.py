"""A shipped, cited table of common opioid products by RxNorm code.

A FHIR ``MedicationRequest`` may name its medication by an RxNorm ingredient code (the dose then
carries the amount) or by a clinical-drug code (SCD) whose ingredient, strength and dose form
this table gives, so that "1 tablet" or "1 patch" becomes an amount.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.regimen import Regimen
from ketamine_cds.domain.opioids.tables import TRANSMUCOSAL, Opioid, OpioidRoute

UG_PER_MG = 1000.0


class StrengthUnit(StrEnum):
    """What one unit of a product holds."""

    MG = "mg"
    UG = "ug"
    UG_PER_H = "ug_per_h"


class Product(BaseModel):
    """One clinical drug: ingredient, strength per unit, dose form and route."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rxcui: str = Field(pattern=r"^[0-9]+$")
    name: str
    ingredient: Opioid
    strength: float = Field(gt=0)
    strength_unit: StrengthUnit
    form: str
    route: OpioidRoute

    @property
    def strength_text(self) -> str:
        """The strength with its unit, as the regimen model reads it."""
        unit = {"mg": "mg", "ug": "µg", "ug_per_h": "µg/h"}[self.strength_unit.value]
        return f"{self.strength:g} {unit}"


class ProductTable(BaseModel):
    """The shipped product table and the RxNorm ingredient codes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    source: str
    ingredients: dict[Opioid, str]
    products: tuple[Product, ...]

    @model_validator(mode="after")
    def _unique_codes(self) -> ProductTable:
        codes = [p.rxcui for p in self.products]
        if len(codes) != len(set(codes)):
            raise ValueError("a product code appears twice")
        if set(codes) & set(self.ingredients.values()):
            raise ValueError("a product code is also an ingredient code")
        return self

    def product(self, code: str) -> Product | None:
        """The product with RxNorm code ``code``, if shipped."""
        return next((p for p in self.products if p.rxcui == code), None)

    def ingredient(self, code: str) -> Opioid | None:
        """The ingredient with RxNorm code ``code``, if known."""
        return next((drug for drug, rx in self.ingredients.items() if rx == code), None)

    def largest_strength(self, drug: Opioid, unit: StrengthUnit) -> float | None:
        """The largest strength shipped for an ingredient in one unit (a plausibility bound)."""
        values = [
            p.strength for p in self.products if p.ingredient is drug and p.strength_unit is unit
        ]
        return max(values) if values else None


def check_transmucosal_fentanyl(regimen: Regimen, products: ProductTable) -> None:
    """Refuse a transmucosal fentanyl dose above the largest shipped strength.

    Transmucosal fentanyl is dosed in micrograms; a dose written in mg where µg was meant is a
    thousand times too large. The bound is the largest transmucosal strength in the product table
    (RxNorm), not a clinical limit.
    """
    largest = products.largest_strength(Opioid.FENTANYL, StrengthUnit.UG)
    if largest is None:
        return
    for item in regimen.items:
        if item.opioid is not Opioid.FENTANYL or item.route not in TRANSMUCOSAL:
            continue
        per_dose = item.per_dose_mg()
        if per_dose is not None and per_dose * UG_PER_MG > largest:
            raise UserInputError(
                f"{item.label}: {per_dose * UG_PER_MG:g} µg per dose is above the largest "
                f"transmucosal fentanyl product ({largest:g} µg); check mg against µg"
            )
