"""The published shape of ``ketamine-cds med --json`` and ``opioid-plan timeline --json``.

Keys, once published, are only ever added, never renamed or removed; the JSON Schema exported
from these models (``schemas/med.schema.json``) is the contract for programs that read them.
A total that leaves something out is ``null``, never a number: its covered part is given as
``covered_med_mg`` with the list of what it leaves out.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ketamine_cds.domain.opioids.calculator import MedResult
from ketamine_cds.domain.opioids.plan import Timeline, TimelineEntry


class Out(BaseModel):
    """Closed output model."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TableOut(Out):
    """The equivalence table used."""

    id: str
    version: str
    title: str


class ItemOut(Out):
    """One regimen item: its daily dose, factor and MED (null when the table has none)."""

    name: str
    drug: str
    route: str
    daily_dose: float
    daily_dose_unit: str = Field(description="mg/day, µg/day, or µg/h for a patch.")
    daily_dose_range: list[float] = Field(description="[low, high] within the order as written.")
    factor: float | None
    med_mg: float | None = Field(description="mg/day oral morphine equivalent; null if left out.")
    source: str | None


class LeftOutOut(Out):
    """An item the total leaves out, and why."""

    name: str
    drug: str
    route: str
    reason: str


class NotCountedOut(Out):
    """An order read from the input but not counted (stopped, draft, a duplicate ...)."""

    what: str
    reason: str
    leaves_total_incomplete: bool


class TableTotalOut(Out):
    """The total under one shipped table that covers every item."""

    table: str
    total_med_mg: float


class MedOut(Out):
    """``ketamine-cds med --json``: the MED of a regimen under one table."""

    table: TableOut
    items: list[ItemOut]
    total_med_mg: float | None = Field(
        description="mg/day oral morphine equivalent; null when incomplete (see covered_med_mg)."
    )
    complete: bool
    covered_med_mg: float = Field(
        description="The MED of the items the table converts; the total when complete."
    )
    left_out: list[LeftOutOut] = Field(description="Items the total leaves out, with why.")
    not_counted: list[NotCountedOut] = Field(
        description="Orders of the input not counted (status, intent, duplicates), with why."
    )
    regimen_range_med_mg: list[float] | None = Field(
        description="[low, high] within the orders as written; null when incomplete."
    )
    range_med_mg: list[float] | None = Field(
        description="[low, high] of the totals under every shipped table covering every item."
    )
    totals_by_table: list[TableTotalOut]
    warnings: list[str]


def med_out(result: MedResult) -> MedOut:
    """The published form of a MED result."""
    return MedOut(
        table=TableOut(id=result.table_id, version=result.table_version, title=result.table_title),
        items=[
            ItemOut(
                name=item.label,
                drug=item.drug,
                route=item.route,
                daily_dose=item.daily_dose,
                daily_dose_unit=item.daily_dose_unit,
                daily_dose_range=list(item.daily_dose_range),
                factor=item.factor,
                med_mg=item.med_mg,
                source=item.source,
            )
            for item in result.items
        ],
        total_med_mg=result.total_med_mg,
        complete=result.complete,
        covered_med_mg=result.covered_med_mg,
        left_out=[
            LeftOutOut(name=o.label, drug=o.drug, route=o.route, reason=o.reason)
            for o in result.left_out
        ],
        not_counted=[
            NotCountedOut(what=n.what, reason=n.reason, leaves_total_incomplete=n.incomplete)
            for n in result.not_counted
        ],
        regimen_range_med_mg=list(result.regimen_range_med_mg)
        if result.regimen_range_med_mg is not None
        else None,
        range_med_mg=list(result.range_med_mg) if result.range_med_mg is not None else None,
        totals_by_table=[TableTotalOut(table=t, total_med_mg=v) for t, v in result.totals_by_table],
        warnings=list(result.warnings),
    )


class PointOut(Out):
    """One point of a MED timeline."""

    day: float
    label: str | None
    med_mg: float | None = Field(description="null when the point's MED is incomplete.")
    covered_med_mg: float | None = Field(description="The MED of what the point covers.")
    computed: bool
    complete: bool
    source: str


class DayMedOut(Out):
    """A point named by its day and MED."""

    day: float
    med_mg: float | None


class TimelineOut(Out):
    """``ketamine-cds opioid-plan timeline --json``: MED over an episode."""

    points: list[PointOut]
    complete: bool
    peak: DayMedOut | None = Field(description="The highest complete point; null if none is.")
    last: DayMedOut
    change_from_peak_percent: float | None = Field(
        description="null when the last point is incomplete or the peak is zero."
    )
    change_from_first_percent: float | None = Field(
        description="null when the first or last point is incomplete or the first is zero."
    )
    warnings: list[str]


def _day(entry: TimelineEntry) -> DayMedOut:
    return DayMedOut(day=entry.day, med_mg=entry.med_mg)


def timeline_out(line: Timeline) -> TimelineOut:
    """The published form of a MED timeline."""
    return TimelineOut(
        points=[
            PointOut(
                day=e.day,
                label=e.label,
                med_mg=e.med_mg,
                covered_med_mg=e.covered,
                computed=e.computed,
                complete=e.complete,
                source=e.source,
            )
            for e in line.entries
        ],
        complete=line.complete,
        peak=_day(line.peak) if line.peak is not None else None,
        last=_day(line.last),
        change_from_peak_percent=line.change_from_peak_percent,
        change_from_first_percent=line.change_from_first_percent,
        warnings=list(line.warnings),
    )
