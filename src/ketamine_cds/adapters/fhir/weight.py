"""The dosing weight from FHIR R4 body-weight Observations (LOINC 29463-7).

The input is one Observation or a Bundle of them (a prefetch's search result). Only
Observations with the body-weight code count, and only those with status ``final``, ``amended``
or ``corrected``; the latest by its effective time is used. Units are UCUM ``kg``, ``g`` or
``[lb_av]`` (pounds are converted and the conversion is shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ketamine_cds.adapters.fhir.codes import BODY_WEIGHT, LOINC, UCUM
from ketamine_cds.adapters.fhir.r4 import Json, bundle_entries, parse
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.units import BodyWeight

_GOOD = frozenset({"final", "amended", "corrected"})


@dataclass(frozen=True)
class WeightReading:
    """A dosing weight and when it was measured."""

    weight: BodyWeight
    at: datetime | None
    source: str


def has_code(observation: Any, codes: frozenset[str] | str, system: str = LOINC) -> bool:  # noqa: ANN401 - a fhirclient Observation
    """Whether the Observation's code has one of ``codes`` in ``system``."""
    wanted = {codes} if isinstance(codes, str) else codes
    concept = observation.code
    return any(c.system == system and c.code in wanted for c in concept.coding or [])


def effective(observation: Any) -> datetime | None:  # noqa: ANN401 - a fhirclient Observation
    """When the observation holds (its time, or its period's start); a bare date is UTC."""
    period = observation.effectivePeriod
    moment = (
        observation.effectiveDateTime
        or observation.effectiveInstant
        or (period.start if period is not None else None)
    )
    if moment is None:
        return None
    value: datetime = moment.datetime
    # A date without a time ("2024-05-02") reads as midnight UTC of that day.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def weight_of(observation: Any, where: str) -> BodyWeight:  # noqa: ANN401 - a fhirclient Observation
    """The body weight an Observation records, in kg (pounds converted, grams divided)."""
    quantity = observation.valueQuantity
    if quantity is None or quantity.value is None:
        raise UserInputError(f"{where}: the body weight has no valueQuantity")
    if quantity.system not in (None, UCUM):
        raise UserInputError(f"{where}: the body weight's unit is not a UCUM code")
    code = str(quantity.code or quantity.unit or "")
    value = float(quantity.value)
    if code == "kg":
        return BodyWeight.from_kg(value)
    if code == "g":
        return BodyWeight.from_kg(value / 1000)
    if code in {"[lb_av]", "lb", "lbs"}:
        return BodyWeight.from_lb(value)
    raise UserInputError(f"{where}: the body weight unit '{code}' is not kg, g or [lb_av]")


def _observations(data: Json, where: str, *, codes: bool) -> list[tuple[Any, str]]:
    if data.get("resourceType") == "Bundle":
        entries = bundle_entries(data, where, codes=codes)
        found = []
        for position, entry in enumerate(entries, start=1):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(resource, dict) and resource.get("resourceType") == "Observation":
                at = f"{where}, entry {position}"
                found.append((parse(resource, at, "Observation", codes=codes), at))
        return found
    return [(parse(data, where, "Observation", codes=codes), where)]


def latest_weight(data: Json | None, where: str, *, codes: bool = True) -> WeightReading | None:
    """The latest usable body weight in ``data`` (an Observation or a Bundle), if any."""
    if data is None:
        return None
    usable = [
        (obs, at)
        for obs, at in _observations(data, where, codes=codes)
        if has_code(obs, BODY_WEIGHT) and obs.status in _GOOD
    ]
    if not usable:
        return None
    earliest = datetime.min.replace(tzinfo=UTC)
    obs, at = max(usable, key=lambda pair: effective(pair[0]) or earliest)
    return WeightReading(weight_of(obs, at), effective(obs), at)
