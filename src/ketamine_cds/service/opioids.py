"""Use cases for opioid equivalence: MED of a regimen file, conversion, reduction, timeline.

The service reads files through the adapter and hands values to the pure domain. Every regimen
passes the plausibility bounds (ADR 0014) before its MED is computed, whichever way it came in.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ketamine_cds.adapters.opioid_files import (
    read_episode,
    read_regimen,
    shipped_plausibility,
    shipped_products,
    shipped_tables,
)
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
from ketamine_cds.domain.opioids.plausibility import (
    PlausibilityTable,
    check_episode,
    check_regimen,
    check_total,
)
from ketamine_cds.domain.opioids.products import ProductTable, check_transmucosal_fentanyl
from ketamine_cds.domain.opioids.regimen import Regimen, RegimenReading
from ketamine_cds.domain.opioids.tables import EquivalenceTable, OpioidRoute

DEFAULT_TABLE = "cdc-2022"
SHOWN = 40


@cache
def tables() -> tuple[EquivalenceTable, ...]:
    """The shipped equivalence tables."""
    return shipped_tables()


@cache
def products() -> ProductTable:
    """The shipped RxNorm product table."""
    return shipped_products()


@cache
def plausibility() -> PlausibilityTable:
    """The shipped plausibility bounds."""
    return shipped_plausibility()


def _shown(text: str) -> str:
    """An option as a message quotes it: one line, at most 40 characters."""
    return repr(text if len(text) <= SHOWN else text[:SHOWN] + "…")


def table(table_id: str = DEFAULT_TABLE) -> EquivalenceTable:
    """One shipped table by id."""
    for candidate in tables():
        if candidate.id == table_id:
            return candidate
    known = ", ".join(t.id for t in tables())
    raise UserInputError(f"unknown table {_shown(table_id)} (shipped: {known})")


def med_of_reading(reading: RegimenReading, table_id: str = DEFAULT_TABLE) -> MedResult:
    """MED of a regimen as read, with the orders the reader left out and what it noted."""
    chosen = table(table_id)
    check_transmucosal_fentanyl(reading.regimen, products())
    check_regimen(reading.regimen, plausibility(), chosen)
    result = compute_med(
        reading.regimen,
        chosen,
        tables(),
        not_counted=reading.not_counted,
        notes=reading.warnings,
    )
    check_total(result.covered_med_mg, plausibility(), chosen.id)
    return result


def med_of(regimen: Regimen, table_id: str = DEFAULT_TABLE) -> MedResult:
    """MED of a regimen under one table, with the range across all shipped tables."""
    return med_of_reading(RegimenReading(regimen), table_id)


def load_regimen(path: Path) -> RegimenReading:
    """Read a regimen file (regimen YAML/JSON or FHIR R4 JSON)."""
    return read_regimen(path, products())


def med_of_file(path: Path, table_id: str = DEFAULT_TABLE) -> MedResult:
    """MED of a regimen file."""
    return med_of_reading(load_regimen(path), table_id)


def _route(text: str) -> OpioidRoute:
    try:
        return OpioidRoute(str(OpioidRoute.read(text)))
    except ValueError:
        raise UserInputError(f"unknown route {_shown(text)}") from None


def convert_file(
    path: Path, to_drug: str, to_route: str, reduction_percent: float | None, table_id: str
) -> tuple[MedResult, Conversion]:
    """The regimen of a file as one opioid by one route."""
    route = _route(to_route)
    result = med_of_file(path, table_id)
    return result, convert(
        result, table(table_id), to_drug.strip().lower(), route, reduction_percent
    )


def taper_file(  # noqa: PLR0913 - each argument is one clinician choice
    path: Path,
    *,
    step_percent: float,
    every_days: int,
    first_day: int,
    floor_mg: float,
    table_id: str,
) -> tuple[MedResult, ReductionSchedule]:
    """A reduction schedule of the regimen's MED (refused when the MED is incomplete)."""
    result = med_of_file(path, table_id)
    schedule = reduction_schedule(
        complete_total(result, "planning a reduction"),
        unit="mg/day oral morphine equivalent",
        step_percent=step_percent,
        every_days=every_days,
        first_day=first_day,
        floor_daily=floor_mg,
    )
    return result, schedule


def timeline_file(path: Path, table_id: str = DEFAULT_TABLE) -> Timeline:
    """The MED timeline of an episode file."""
    episode = read_episode(path)
    check_episode(episode, plausibility())
    entries: list[TimelineEntry] = []
    for point in episode.points:
        if point.regimen is not None:
            try:
                result = med_of(point.regimen, table_id)
            except UserInputError as error:
                raise UserInputError(f"in {path.name}, day {point.day:g}: {error}") from None
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
