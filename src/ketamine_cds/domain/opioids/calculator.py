"""The 24-hour oral morphine equivalent (MED, also OME or MME) of a regimen.

Each item's daily amount is multiplied by its table factor; nothing is rounded before the total
(rounding each line first is a known way calculators drift). Transdermal fentanyl is multiplied
per µg/h of the patches worn, never per patch or per patch-day. Methadone tiers are chosen by the
patient's *total* daily methadone, not by each prescription. An item the table does not cover is
shown with the reason and left out; the total is then not given (``None``): only its covered
part is, with the list of what it leaves out. An order whose status leaves open whether it is
being given (``NotCounted.incomplete``) does the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.regimen import DailyAmount, NotCounted, Regimen, RegimenItem
from ketamine_cds.domain.opioids.tables import (
    DoseBasis,
    EquivalenceTable,
    FactorEntry,
    Opioid,
    OpioidRoute,
)

UG_PER_MG = 1000.0


@dataclass(frozen=True)
class ItemMed:
    """One item's daily dose, factor and MED under one table."""

    label: str
    drug: str
    route: str
    daily_dose: float
    daily_dose_unit: str
    daily_dose_range: tuple[float, float]
    factor: float | None
    med_mg: float | None
    med_mg_range: tuple[float, float] | None
    source: str | None
    warnings: tuple[str, ...] = ()
    left_out: str | None = None


@dataclass(frozen=True)
class LeftOut:
    """An item of the regimen that the total leaves out, and why."""

    label: str
    drug: str
    route: str
    reason: str


@dataclass(frozen=True)
class MedResult:
    """The MED of a regimen under one table, with the range across the shipped tables.

    ``total_med_mg`` and ``regimen_range_med_mg`` are None when the total is incomplete;
    ``covered_med_mg`` is always the sum over the items the table converts.
    """

    table_id: str
    table_version: str
    table_title: str
    items: tuple[ItemMed, ...]
    total_med_mg: float | None
    complete: bool
    regimen_range_med_mg: tuple[float, float] | None
    range_med_mg: tuple[float, float] | None
    totals_by_table: tuple[tuple[str, float], ...]
    covered_med_mg: float = 0.0
    left_out: tuple[LeftOut, ...] = ()
    not_counted: tuple[NotCounted, ...] = ()
    warnings: tuple[str, ...] = field(default=())


def _entry(table: EquivalenceTable, item: RegimenItem) -> tuple[FactorEntry | None, str | None]:
    """The table line for an item, or None with the reason it is not covered."""
    drug, route = item.opioid, item.route
    forms = table.needs_form(drug, route)
    if forms and item.form is None and table.lookup(drug, route, None) is None:
        raise UserInputError(
            f"{item.label}: table {table.id} distinguishes the dose form of {drug.value} by "
            f"{route.value}; give form: one of {', '.join(sorted(set(forms)))}"
        )
    entry = table.lookup(drug, route, item.form)
    if entry is None:
        return None, f"table {table.id} has no factor for {drug.value} by the {route.value} route"
    if not entry.covered:
        return None, f"table {table.id} gives no factor for {drug.value}: {entry.no_factor}"
    return entry, None


def _in_basis(amount: DailyAmount, basis: DoseBasis, item: RegimenItem) -> tuple[float, float]:
    """The item's daily amount in the unit the table line multiplies."""
    if amount.patch != (basis is DoseBasis.UG_PER_H):
        kind = (
            "a patch rate (µg/h)" if basis is DoseBasis.UG_PER_H else f"a daily dose ({basis.unit})"
        )
        raise UserInputError(f"{item.label}: the table's factor applies to {kind}")
    if basis is DoseBasis.UG_PER_DAY:
        return amount.low * UG_PER_MG, amount.high * UG_PER_MG
    return amount.low, amount.high


def _methadone_totals(
    regimen: Regimen, table: EquivalenceTable
) -> dict[tuple[OpioidRoute, ...], float]:
    """Total daily methadone per table line, so that tiers see the whole daily dose."""
    totals: dict[tuple[OpioidRoute, ...], float] = {}
    for item in regimen.items:
        if item.opioid is not Opioid.METHADONE:
            continue
        entry = table.lookup(item.opioid, item.route, item.form)
        if entry is None or entry.tiers is None:
            continue
        totals[entry.routes] = totals.get(entry.routes, 0.0) + item.daily_amount().point
    return totals


def _item_med(
    item: RegimenItem, table: EquivalenceTable, methadone: dict[tuple[OpioidRoute, ...], float]
) -> ItemMed:
    amount = item.daily_amount()
    warnings: list[str] = []
    if amount.estimate:
        warnings.append(f"{item.label}: {amount.estimate}")
    if amount.patch:
        warnings.append(
            f"{item.label}: a patch's factor applies per µg/h worn, whatever the days between "
            "changes; absorption changes with heat, fever and skin"
        )
    if item.opioid is Opioid.METHADONE:
        warnings.append(
            f"{item.label}: methadone's equivalence is non-linear and disputed (long, variable "
            "half-life; the ratio to morphine rises with dose); treat its MED as a rough guide"
        )
    if item.prn and item.taken_in_24h is not None:
        warnings.append(f"{item.label}: as-needed doses counted as taken in the last 24 h")
    entry, reason = _entry(table, item)
    unit = DoseBasis.UG_PER_H.unit if amount.patch else DoseBasis.MG_PER_DAY.unit
    if entry is None:
        warnings.append(f"{item.label}: left out: {reason}")
        return ItemMed(
            label=item.label,
            drug=item.drug,
            route=item.route.value,
            daily_dose=amount.point,
            daily_dose_unit=unit,
            daily_dose_range=(amount.low, amount.high),
            factor=None,
            med_mg=None,
            med_mg_range=None,
            source=None,
            warnings=tuple(warnings),
            left_out=reason,
        )
    low, high = _in_basis(amount, entry.basis, item)
    daily_for_factor = methadone.get(entry.routes, high) if entry.tiers else high
    factor = entry.factor_for(daily_for_factor)
    if entry.tiers:
        warnings.append(
            f"{item.label}: tier chosen by the total daily methadone "
            f"({daily_for_factor:g} mg/day): factor {factor:g}"
        )
    return ItemMed(
        label=item.label,
        drug=item.drug,
        route=item.route.value,
        daily_dose=high,
        daily_dose_unit=entry.basis.unit,
        daily_dose_range=(low, high),
        factor=factor,
        med_mg=high * factor,
        med_mg_range=(low * factor, high * factor),
        source=entry.source,
        warnings=tuple(warnings),
    )


def _items(regimen: Regimen, table: EquivalenceTable) -> tuple[ItemMed, ...]:
    methadone = _methadone_totals(regimen, table)
    return tuple(_item_med(item, table, methadone) for item in regimen.items)


def _total(items: Sequence[ItemMed]) -> float:
    return sum(item.med_mg for item in items if item.med_mg is not None)


def covers(table: EquivalenceTable, regimen: Regimen) -> bool:
    """Whether a table gives a factor for every item of a regimen."""
    try:
        return all(_entry(table, item)[0] is not None for item in regimen.items)
    except UserInputError:
        return False


def compute_med(
    regimen: Regimen,
    table: EquivalenceTable,
    shipped: Sequence[EquivalenceTable] = (),
    *,
    not_counted: Sequence[NotCounted] = (),
    notes: Sequence[str] = (),
) -> MedResult:
    """MED of ``regimen`` under ``table``; the range is over the ``shipped`` tables covering it.

    ``not_counted`` are orders the reader left out (stopped, draft, duplicate ...) and ``notes``
    what it noticed; both are shown with the result.

    Examples
    --------
    A fentanyl patch of 25 µg/h changed every 3 days is 25 x 2.4 = 60 mg/day under CDC 2022.
    """
    items = _items(regimen, table)
    left_out = tuple(
        LeftOut(item.label, item.drug, item.route, item.left_out)
        for item in items
        if item.left_out is not None
    )
    open_orders = [order for order in not_counted if order.incomplete]
    complete = not left_out and not open_orders
    low = sum(item.med_mg_range[0] for item in items if item.med_mg_range is not None)
    high = sum(item.med_mg_range[1] for item in items if item.med_mg_range is not None)
    totals = [
        (other.id, _total(_items(regimen, other))) for other in shipped if covers(other, regimen)
    ]
    if open_orders:
        totals = []
    span = (min(t for _, t in totals), max(t for _, t in totals)) if totals else None
    warnings = [*notes]
    warnings += [f"{order.what}: not counted: {order.reason}" for order in not_counted]
    warnings += [w for item in items for w in item.warnings]
    if left_out:
        warnings.append(
            f"no total is given: table {table.id} does not cover every item; the covered part "
            f"is {_total(items):g} mg/day"
        )
    if open_orders:
        warnings.append(
            "no total is given: whether every order is being given cannot be told "
            f"({', '.join(order.what for order in open_orders)})"
        )
    if shipped and not totals and not open_orders:
        warnings.append("no shipped table covers every item, so no range across tables is given")
    return MedResult(
        table_id=table.id,
        table_version=table.version,
        table_title=table.title,
        items=items,
        total_med_mg=_total(items) if complete else None,
        complete=complete,
        regimen_range_med_mg=(low, high) if complete else None,
        range_med_mg=span,
        totals_by_table=tuple(totals),
        covered_med_mg=_total(items),
        left_out=left_out,
        not_counted=tuple(not_counted),
        warnings=tuple(warnings),
    )
