"""Use cases for opioid equivalence: MED of a regimen file, conversion, reduction, timeline.

The service reads files through the adapter and hands values to the pure domain.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ketamine_cds.adapters.opioid_files import (
    read_episode,
    read_regimen,
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
    convert,
    reduction_schedule,
    timeline,
)
from ketamine_cds.domain.opioids.products import ProductTable, check_transmucosal_fentanyl
from ketamine_cds.domain.opioids.regimen import Regimen
from ketamine_cds.domain.opioids.tables import EquivalenceTable, OpioidRoute

DEFAULT_TABLE = "cdc-2022"


@cache
def tables() -> tuple[EquivalenceTable, ...]:
    """The shipped equivalence tables."""
    return shipped_tables()


@cache
def products() -> ProductTable:
    """The shipped RxNorm product table."""
    return shipped_products()


def table(table_id: str = DEFAULT_TABLE) -> EquivalenceTable:
    """One shipped table by id."""
    for candidate in tables():
        if candidate.id == table_id:
            return candidate
    known = ", ".join(t.id for t in tables())
    raise UserInputError(f"unknown table '{table_id}' (shipped: {known})")


def med_of(regimen: Regimen, table_id: str = DEFAULT_TABLE) -> MedResult:
    """MED of a regimen under one table, with the range across all shipped tables."""
    check_transmucosal_fentanyl(regimen, products())
    return compute_med(regimen, table(table_id), tables())


def load_regimen(path: Path) -> Regimen:
    """Read a regimen file (regimen YAML/JSON or FHIR R4 JSON)."""
    return read_regimen(path, products())


def med_of_file(path: Path, table_id: str = DEFAULT_TABLE) -> MedResult:
    """MED of a regimen file."""
    return med_of(load_regimen(path), table_id)


def convert_file(
    path: Path, to_drug: str, to_route: str, reduction_percent: float | None, table_id: str
) -> tuple[MedResult, Conversion]:
    """The regimen of a file as one opioid by one route."""
    result = med_of_file(path, table_id)
    try:
        route = OpioidRoute(str(OpioidRoute.read(to_route)))
    except ValueError:
        raise UserInputError(f"unknown route '{to_route}'") from None
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
    """A reduction schedule of the regimen's MED."""
    result = med_of_file(path, table_id)
    schedule = reduction_schedule(
        result.total_med_mg,
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
    entries: list[TimelineEntry] = []
    for point in episode.points:
        if point.regimen is not None:
            result = med_of(point.regimen, table_id)
            entries.append(
                TimelineEntry(
                    day=point.day,
                    label=point.label,
                    med_mg=result.total_med_mg,
                    computed=True,
                    complete=result.complete,
                    source=f"computed with {result.table_id} {result.table_version}",
                )
            )
        else:
            entries.append(
                TimelineEntry(
                    day=point.day,
                    label=point.label,
                    med_mg=float(point.recorded_med_mg or 0.0),
                    computed=False,
                    complete=True,
                    source=point.source or "",
                )
            )
    return timeline(entries)
