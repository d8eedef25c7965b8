"""An opioid plan in real doses: tablets and patches of the shipped products, as they can be given.

The conversion to one species (seed 004, "6. Concomitant management of existing opioids") and
the reduction within the first 12 days (seed 000, "Ketamine") give daily amounts of one drug by
one route. A prescriber writes whole tablets and whole patches; so each daily amount is shown as
the strengths of the RxNorm product table that give it. The product's reading (decision record
0113):

* by mouth, an extended-release (12-hourly) product twice daily when the table has one for the
  drug, else an immediate-release product every 4 hours;
* a transdermal patch changed every 72 hours (the "72 HR" of the product names), its µg/h as the
  daily amount;
* up to four units per administration; the nearest amount at or below the target is proposed and
  the nearest above it shown beside it, each with its difference from the target in percent:
  nothing is rounded silently, and the prescriber chooses;
* the MED of each proposal is computed back by the same calculator as every other MED.

Breakthrough doses are the prescriber's: the sources give no rule for them in this setting.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations_with_replacement

from pydantic import BaseModel, ConfigDict

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.calculator import compute_med
from ketamine_cds.domain.opioids.products import Product, ProductTable, StrengthUnit
from ketamine_cds.domain.opioids.regimen import Regimen, RegimenItem
from ketamine_cds.domain.opioids.tables import EquivalenceTable, Opioid, OpioidRoute

MAX_UNITS = 4
IMMEDIATE_EVERY_H = 4
EXTENDED_PER_DAY = 2
PATCH_CHANGE_DAYS = 3
EXTENDED = "Extended Release"
TWELVE_HOURLY = "12 HR "


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitCount(_Out):
    """How many of one product make up one administration."""

    rxcui: str
    name: str
    strength: float
    count: int


class Administration(_Out):
    """One way of giving a daily amount: the units of each administration and what they add to."""

    units: list[UnitCount]
    per_administration: float
    daily: float
    difference_percent: float
    med_mg: float | None

    @property
    def text(self) -> str:
        """The units in words: '2 × Oxycodone … 10 MG … + 1 × … 5 MG …'."""
        return " + ".join(f"{u.count} × {u.name}" for u in self.units)


class RealDoses(_Out):
    """A daily amount of one drug by one route, as products a prescriber can write."""

    drug: str
    route: str
    form: str
    schedule: str
    unit: str
    target_daily: float
    administrations_per_day: float
    per_administration_target: float
    proposed: Administration | None
    above: Administration | None
    notes: list[str]


def _candidates(
    products: ProductTable, drug: Opioid, route: OpioidRoute
) -> tuple[list[Product], str, str, float]:
    """The products used, their form, schedule, and administrations a day."""
    shipped = [p for p in products.products if p.ingredient is drug and p.route is route]
    if route is OpioidRoute.TRANSDERMAL:
        patches = [p for p in shipped if p.strength_unit is StrengthUnit.UG_PER_H]
        return patches, "patch", f"changed every {PATCH_CHANGE_DAYS * 24} hours", 1.0
    tablets = [p for p in shipped if p.strength_unit is StrengthUnit.MG and p.form == "tablet"]
    # Only a product named 12-hourly is given twice a day; another extended-release product's
    # interval is not in the table, so it is not used.
    extended = [p for p in tablets if p.name.startswith(TWELVE_HOURLY)]
    if extended:
        return extended, "extended-release tablet", "every 12 hours", float(EXTENDED_PER_DAY)
    immediate = [p for p in tablets if EXTENDED not in p.name]
    per_day = 24 / IMMEDIATE_EVERY_H
    return immediate, "immediate-release tablet", f"every {IMMEDIATE_EVERY_H} hours", per_day


def _combinations(products: Sequence[Product]) -> list[tuple[float, tuple[Product, ...]]]:
    """Every amount up to four units give, with the fewest units for each amount."""
    best: dict[float, tuple[Product, ...]] = {}
    ordered = sorted(products, key=lambda p: -p.strength)
    for count in range(1, MAX_UNITS + 1):
        for combo in combinations_with_replacement(ordered, count):
            amount = round(sum(p.strength for p in combo), 6)
            if amount not in best:
                best[amount] = combo
    return sorted(best.items())


def _administration(  # noqa: PLR0913, PLR0917 - the choice and what it is measured against
    combo: tuple[Product, ...],
    per_day: float,
    target_daily: float,
    drug: Opioid,
    route: OpioidRoute,
    table: EquivalenceTable,
) -> Administration:
    amount = sum(p.strength for p in combo)
    counts: dict[str, tuple[Product, int]] = {}
    for product in combo:
        known = counts.get(product.rxcui)
        counts[product.rxcui] = (product, 1 if known is None else known[1] + 1)
    daily = amount * per_day
    if route is OpioidRoute.TRANSDERMAL:
        item = RegimenItem(drug=drug.value, route=route, patch=f"{amount:g} µg/h")
    else:
        item = RegimenItem(
            drug=drug.value, route=route, dose=f"{amount:g} mg", doses_per_day=per_day
        )
    med = compute_med(Regimen(label="proposed", items=(item,)), table)
    return Administration(
        units=[
            UnitCount(rxcui=p.rxcui, name=p.name, strength=p.strength, count=n)
            for p, n in counts.values()
        ],
        per_administration=round(amount, 4),
        daily=round(daily, 4),
        difference_percent=round(100 * (daily - target_daily) / target_daily, 2),
        med_mg=None if med.total_med_mg is None else round(med.total_med_mg, 2),
    )


def real_doses(
    drug: str,
    route: str,
    target_daily: float,
    products: ProductTable,
    table: EquivalenceTable,
) -> RealDoses:
    """The shipped products that give ``target_daily`` (mg/day, or µg/h for a patch)."""
    try:
        opioid, way = Opioid(drug), OpioidRoute(str(OpioidRoute.read(route)))
    except ValueError:
        raise UserInputError(f"no products are known for {drug[:40]} by {route[:40]}") from None
    if not target_daily > 0:
        raise UserInputError("the daily amount to give must be above zero")
    candidates, form, schedule, per_day = _candidates(products, opioid, way)
    if not candidates:
        raise UserInputError(
            f"the product table ({products.version}) has no {way.value} {opioid.value} tablet or "
            "patch to give this dose with"
        )
    unit = "µg/h" if way is OpioidRoute.TRANSDERMAL else "mg/day"
    per_admin = target_daily / per_day
    amounts = _combinations(candidates)
    below = [(a, c) for a, c in amounts if a <= per_admin + 1e-9]
    above = [(a, c) for a, c in amounts if a > per_admin + 1e-9]
    notes: list[str] = []
    if not below:
        notes.append(
            f"{per_admin:.4g} per administration is below the smallest {form} "
            f"({min(p.strength for p in candidates):g}); only the amount above is shown."
        )
    if not above:
        notes.append(
            f"{per_admin:.4g} per administration is more than {MAX_UNITS} of the largest {form}; "
            "the prescriber decides how to give it."
        )
    notes.append("Breakthrough doses are the prescriber's: the sources give no rule for them here.")
    return RealDoses(
        drug=opioid.value,
        route=way.value,
        form=form,
        schedule=schedule,
        unit=unit,
        target_daily=round(target_daily, 4),
        administrations_per_day=per_day,
        per_administration_target=round(per_admin, 4),
        proposed=None
        if not below
        else _administration(below[-1][1], per_day, target_daily, opioid, way, table),
        above=None
        if not above
        else _administration(above[0][1], per_day, target_daily, opioid, way, table),
        notes=notes,
    )
