"""Plausibility bounds of opioid input: beyond them a number is an entry error, not a dose.

The bounds are data (``ketamine_cds/data/opioids/plausibility.yaml``, ADR 0014): per drug and
route in the unit its factors multiply (mg/day, µg/h for a patch, µg/day for fentanyl by mouth,
nose or vein), the counts of a regimen line (patches, tablets, doses a day, interval) and the
total MED. A value beyond one is refused with one sentence naming the bound and its reason; where
the value read a thousand times smaller (mg typed for µg) would be plausible, the sentence spells
that reading out with its MED, as ``check`` does for ketamine. Nothing is ever lowered to a bound.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.regimen import (
    DailyAmount,
    Episode,
    Regimen,
    RegimenItem,
    TimelinePoint,
)
from ketamine_cds.domain.opioids.tables import DoseBasis, EquivalenceTable, Opioid, OpioidRoute

MILLI = 1000.0
# Below EXACT a figure shows six significant digits; up to HUGE every digit; beyond, a power of ten.
EXACT = 1e6
HUGE = 1e15
# A unit the reading a thousand times smaller (or larger) names, by the unit that was written.
_SMALLER = {"g": "mg", "mg": "µg"}
_LARGER = {"µg": "mg", "ng": "µg"}
_PREFIXES = (
    ("microgram", "µg"),
    ("µg", "µg"),
    ("ug", "µg"),
    ("mcg", "µg"),
    ("milligram", "mg"),
    ("mg", "mg"),
    ("nanogram", "ng"),
    ("ng", "ng"),
    ("gram", "g"),
    ("g", "g"),
)


def figure(value: float) -> str:
    """A figure in a sentence: thousands separated, no float noise, no trailing '.0'."""
    size = abs(value)
    if size >= HUGE:
        return f"{value:.3g}"
    return f"{value:,.6g}" if size < EXACT else f"{value:,.0f}"


class Bound(BaseModel):
    """A bound on one count or interval of a regimen line, with its reason."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    min: float | None = Field(default=None, gt=0)
    max: float = Field(gt=0)
    why: str = Field(min_length=1)
    source: str = Field(min_length=1)


class Counts(BaseModel):
    """The bounds on a regimen's lines and a timeline's points."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    items: Bound
    patches: Bound
    tablets_per_dose: Bound
    doses_per_day: Bound
    every_hours: Bound
    change_every_days: Bound
    timeline_points: Bound


class DoseBound(BaseModel):
    """The most (and for a patch the least) of one drug by its routes in 24 hours."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    drug: Opioid
    routes: tuple[OpioidRoute, ...] = Field(min_length=1)
    basis: DoseBasis
    min: float | None = Field(default=None, gt=0)
    max: float = Field(gt=0)
    why: str = Field(min_length=1, description="Why more is implausible.")
    min_why: str | None = Field(default=None, description="Why less is implausible.")
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _min_has_its_reason(self) -> DoseBound:
        if (self.min is None) != (self.min_why is None):
            raise ValueError(f"{self.drug.value}: give min with min_why, or neither")
        return self


class PlausibilityTable(BaseModel):
    """Every plausibility bound of opioid input, versioned and cited."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    source: str = Field(min_length=1)
    total: Bound
    counts: Counts
    doses: tuple[DoseBound, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_line_per_drug_and_route(self) -> PlausibilityTable:
        seen: set[tuple[Opioid, OpioidRoute]] = set()
        for line in self.doses:
            for route in line.routes:
                if (line.drug, route) in seen:
                    raise ValueError(f"{line.drug.value} by {route.value} has two bounds")
                seen.add((line.drug, route))
        return self

    def dose_bound(self, drug: Opioid, route: OpioidRoute) -> DoseBound | None:
        """The bound for a drug by a route, or None when the product knows no such use."""
        return next((b for b in self.doses if b.drug is drug and route in b.routes), None)


def _written_unit(item: RegimenItem) -> str | None:
    """The mass unit the clinician wrote (mg, µg, g, ng), from the item's one quantity."""
    text = item.patch or item.rate or item.pca_total_24h or item.strength or item.dose
    if not isinstance(text, str):
        return None
    unit = text.lstrip("0123456789.eE+- ").lower()
    return next((short for prefix, short in _PREFIXES if unit.startswith(prefix)), None)


def _per(item: RegimenItem) -> str:
    return "/h" if item.patch is not None or item.rate is not None else ""


def _in_basis(amount: DailyAmount, basis: DoseBasis) -> float:
    """The item's daily amount in the bound's unit (mg/day, µg/h or µg/day)."""
    if basis is DoseBasis.UG_PER_DAY and not amount.patch:
        return amount.high * MILLI
    return amount.high


def _med_text(item: RegimenItem, table: EquivalenceTable, daily: float, basis: DoseBasis) -> str:
    """' = N mg/day oral morphine equivalent (table)' for a daily amount, where the table can."""
    entry = table.lookup(item.opioid, item.route, item.form)
    if entry is None or not entry.covered or entry.basis is not basis:
        return ""
    med = daily * entry.factor_for(daily)
    return f" = {figure(med)} mg/day oral morphine equivalent ({table.id})"


def _reading(  # noqa: PLR0913 - the item, its amount and the bound it broke
    item: RegimenItem,
    *,
    bound: DoseBound,
    table: EquivalenceTable,
    value: float,
    scale: float,
    names: dict[str, str],
) -> str:
    """'; if it was entered in µg/h it is 25 µg/h = 60 mg/day …', or '' when no reading fits."""
    written = _written_unit(item)
    meant = names.get(written or "")
    if meant is None:
        return ""
    read = value * scale
    if read > bound.max or (bound.min is not None and read < bound.min):
        return ""
    per = _per(item)
    shown = f"{figure(read)} {bound.basis.unit}"
    return (
        f"; if it was entered in {meant}{per} it is {shown}"
        f"{_med_text(item, table, read, bound.basis)}"
    )


def _written(item: RegimenItem) -> str:
    """What the clinician wrote for the item's amount, as a sentence shows it."""
    if item.patch is not None:
        if item.patches == 1:
            return f"a patch of {item.patch}"
        return f"{figure(item.patches)} patches of {item.patch}"
    if item.rate is not None:
        return f"a rate of {item.rate}"
    if item.pca_total_24h is not None:
        return f"a PCA total of {item.pca_total_24h}"
    if item.tablets is not None:
        return f"{figure(item.tablets)} tablet(s) of {item.strength} a dose"
    return f"a dose of {item.dose}"


def _check_amount(item: RegimenItem, bound: DoseBound, table: EquivalenceTable) -> None:
    value = _in_basis(item.daily_amount(), bound.basis)
    unit = bound.basis.unit
    said = (
        f"{item.label}: {_written(item)} is {figure(value)} {unit} of {item.drug} by the "
        f"{item.route.value} route"
    )
    if value > bound.max:
        reading = _reading(
            item, bound=bound, table=table, value=value, scale=1 / MILLI, names=_SMALLER
        )
        raise UserInputError(
            f"{said}, above the plausible {figure(bound.max)} {unit} ({bound.why}){reading}"
        )
    if bound.min is not None and value < bound.min:
        reading = _reading(item, bound=bound, table=table, value=value, scale=MILLI, names=_LARGER)
        raise UserInputError(
            f"{said}, below the plausible {figure(bound.min)} {unit} ({bound.min_why}){reading}"
        )


def _above(label: str, what: str, value: float, bound: Bound) -> None:
    if value > bound.max:
        raise UserInputError(
            f"{label}: {what} {figure(value)} is above the plausible {figure(bound.max)} "
            f"({bound.why})"
        )
    if bound.min is not None and value < bound.min:
        raise UserInputError(
            f"{label}: {what} {figure(value)} is below the plausible {figure(bound.min)} "
            f"({bound.why})"
        )


def _check_counts(item: RegimenItem, counts: Counts) -> None:
    label = item.label
    if item.patch is not None:
        _above(label, "patches worn at once:", item.patches, counts.patches)
    if item.tablets is not None:
        _above(label, "tablets per dose:", item.tablets, counts.tablets_per_dose)
    for name, value in (("doses_per_day", item.doses_per_day), ("taken_in_24h", item.taken_in_24h)):
        if value is not None:
            _above(label, f"{name}:", value, counts.doses_per_day)
    if item.times_of_day is not None:
        _above(label, "doses in times_of_day:", len(item.times_of_day), counts.doses_per_day)
    intervals = (("every_hours", item.every_hours), ("every_hours_max", item.every_hours_max))
    for name, value in intervals:
        if value is not None:
            _above(label, f"{name}:", value, counts.every_hours)
    if item.change_every_days is not None:
        _above(label, "change_every_days:", item.change_every_days, counts.change_every_days)


def check_regimen(regimen: Regimen, bounds: PlausibilityTable, table: EquivalenceTable) -> None:
    """Refuse a regimen with a count, interval or daily amount beyond its plausibility bound."""
    if len(regimen.items) > bounds.counts.items.max:
        raise UserInputError(
            f"the regimen has {len(regimen.items)} items, more than the plausible "
            f"{figure(bounds.counts.items.max)} ({bounds.counts.items.why})"
        )
    for item in regimen.items:
        _check_counts(item, bounds.counts)
        bound = bounds.dose_bound(item.opioid, item.route)
        if bound is None:
            raise UserInputError(
                f"{item.label}: the product knows no {item.drug} given by the "
                f"{item.route.value} route; check the route"
            )
        _check_amount(item, bound, table)


def check_total(med_mg: float, bounds: PlausibilityTable, table_id: str) -> None:
    """Refuse a total MED (or its covered part) beyond the plausible total."""
    if med_mg > bounds.total.max:
        raise UserInputError(
            f"the regimen's MED under {table_id} is {figure(med_mg)} mg/day, above the plausible "
            f"{figure(bounds.total.max)} mg/day ({bounds.total.why}); check each item's unit"
        )


def check_point(point: TimelinePoint, bounds: PlausibilityTable) -> None:
    """Refuse a recorded MED beyond the plausible total."""
    recorded = point.recorded_med_mg
    if recorded is not None and recorded > bounds.total.max:
        raise UserInputError(
            f"day {point.day:g}: a recorded MED of {figure(recorded)} mg/day is above the "
            f"plausible {figure(bounds.total.max)} mg/day ({bounds.total.why})"
        )


def check_episode(episode: Episode, bounds: PlausibilityTable) -> None:
    """Refuse a timeline with more points than plausible, or a recorded MED beyond the total."""
    limit = bounds.counts.timeline_points
    if len(episode.points) > limit.max:
        raise UserInputError(
            f"the timeline has {len(episode.points)} points, more than the plausible "
            f"{figure(limit.max)} ({limit.why})"
        )
    for point in episode.points:
        check_point(point, bounds)
