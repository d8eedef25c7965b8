"""Use cases for opioid equivalence: MED of a regimen, conversion, reduction, timeline.

The use cases take regimens already read (regimen files, FHIR) and the product's reference
tables, and hand values to the pure domain. Every regimen passes the plausibility bounds
(ADR 0014) before its MED is computed, whichever way it came in.
"""

from __future__ import annotations

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.calculator import MedResult, compute_med
from ketamine_cds.domain.opioids.plan import (
    Conversion,
    ReductionSchedule,
    Timeline,
    TimelineEntry,
    complete_total,
    convert,
    reduction_schedule,
    timeline,
)
from ketamine_cds.domain.opioids.plausibility import check_episode, check_regimen, check_total
from ketamine_cds.domain.opioids.products import check_transmucosal_fentanyl
from ketamine_cds.domain.opioids.regimen import Episode as OpioidEpisode
from ketamine_cds.domain.opioids.regimen import Regimen, RegimenReading
from ketamine_cds.domain.opioids.tables import EquivalenceTable, OpioidRoute
from ketamine_cds.service.ports import ReferenceData

DEFAULT_TABLE = "cdc-2022"
SHOWN = 40


def _shown(text: str) -> str:
    """An option as a message quotes it: one line, at most 40 characters."""
    return repr(text if len(text) <= SHOWN else text[:SHOWN] + "…")


def table(reference: ReferenceData, table_id: str = DEFAULT_TABLE) -> EquivalenceTable:
    """One shipped table by id."""
    for candidate in reference.opioid_tables():
        if candidate.id == table_id:
            return candidate
    known = ", ".join(t.id for t in reference.opioid_tables())
    raise UserInputError(f"unknown table {_shown(table_id)} (shipped: {known})")


def med_of_reading(
    reference: ReferenceData, reading: RegimenReading, table_id: str = DEFAULT_TABLE
) -> MedResult:
    """MED of a regimen as read, with the orders the reader left out and what it noted."""
    chosen = table(reference, table_id)
    bounds = reference.opioid_plausibility()
    check_transmucosal_fentanyl(reading.regimen, reference.opioid_products())
    check_regimen(reading.regimen, bounds, chosen)
    result = compute_med(
        reading.regimen,
        chosen,
        reference.opioid_tables(),
        not_counted=reading.not_counted,
        notes=reading.warnings,
    )
    check_total(result.covered_med_mg, bounds, chosen.id)
    return result


def med_of(
    reference: ReferenceData, regimen: Regimen, table_id: str = DEFAULT_TABLE
) -> MedResult:
    """MED of a regimen under one table, with the range across all shipped tables."""
    return med_of_reading(reference, RegimenReading(regimen), table_id)


def _route(text: str) -> OpioidRoute:
    try:
        return OpioidRoute(str(OpioidRoute.read(text)))
    except ValueError:
        raise UserInputError(f"unknown route {_shown(text)}") from None


def convert_regimen(  # noqa: PLR0913 - each argument is one clinician choice
    reference: ReferenceData,
    reading: RegimenReading,
    *,
    to_drug: str,
    to_route: str,
    reduction_percent: float | None,
    table_id: str,
) -> tuple[MedResult, Conversion]:
    """The regimen as one opioid by one route."""
    route = _route(to_route)
    result = med_of_reading(reference, reading, table_id)
    return result, convert(
        result, table(reference, table_id), to_drug.strip().lower(), route, reduction_percent
    )


def taper_regimen(  # noqa: PLR0913 - each argument is one clinician choice
    reference: ReferenceData,
    reading: RegimenReading,
    *,
    step_percent: float,
    every_days: int,
    first_day: int,
    floor_mg: float,
    table_id: str,
) -> tuple[MedResult, ReductionSchedule]:
    """A reduction schedule of the regimen's MED (refused when the MED is incomplete)."""
    result = med_of_reading(reference, reading, table_id)
    schedule = reduction_schedule(
        complete_total(result, "planning a reduction"),
        unit="mg/day oral morphine equivalent",
        step_percent=step_percent,
        every_days=every_days,
        first_day=first_day,
        floor_daily=floor_mg,
    )
    return result, schedule


def timeline_of(
    reference: ReferenceData, episode: OpioidEpisode, name: str, table_id: str = DEFAULT_TABLE
) -> Timeline:
    """The MED timeline of an opioid episode (``name``: the file it came from, for messages)."""
    check_episode(episode, reference.opioid_plausibility())
    entries: list[TimelineEntry] = []
    for point in episode.points:
        if point.regimen is not None:
            try:
                result = med_of(reference, point.regimen, table_id)
            except UserInputError as error:
                raise UserInputError(f"in {name}, day {point.day:g}: {error}") from None
            entries.append(
                TimelineEntry(
                    day=point.day,
                    label=point.label,
                    med_mg=result.total_med_mg,
                    computed=True,
                    complete=result.complete,
                    source=f"computed with {result.table_id} {result.table_version}",
                    covered_med_mg=result.covered_med_mg,
                )
            )
        elif point.recorded_med_mg is not None:
            entries.append(
                TimelineEntry(
                    day=point.day,
                    label=point.label,
                    med_mg=point.recorded_med_mg,
                    computed=False,
                    complete=True,
                    source=point.source or "",
                    covered_med_mg=point.recorded_med_mg,
                )
            )
    return timeline(entries)
