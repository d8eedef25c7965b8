"""The opioid plan around a ketamine infusion: one species, a reduction schedule, a timeline.

* Conversion to one opioid species and route before an elective infusion (seed 004, "6.
  Concomitant management of existing opioids": "conversion of current opioids (oral,
  transdermal) to one opioid species be made prior to admission"). The equianalgesic dose comes
  from the table; the reduction for incomplete cross-tolerance is the clinician's choice. The
  product shows the usual window and a default, both from Fine PG, Portenoy RK et al.,
  "Establishing 'best practices' for opioid rotation", J Pain Symptom Manage 2009;38(3):418-25,
  Table 1 (25-50 % lower than the calculated equianalgesic dose; 75-90 % for methadone; for
  transdermal fentanyl, the product's package insert).
* A stepwise reduction once ketamine works: seed 000 ("Ketamine", protocol commentary): "reduction
  of opioid dose within the first 12 days of infusion must be attempted unless pain remains
  uncontrolled". The sources give no step size for this setting; the clinician sets it.
* MED across the episode as a timeline (seed 000: about 700 to about 200 mg/day; seed 001 case 2:
  580, 855, 1,400, 780 mg/day).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.calculator import MedResult
from ketamine_cds.domain.opioids.tables import DoseBasis, EquivalenceTable, Opioid, OpioidRoute
from ketamine_cds.domain.references import cite

CROSS_TOLERANCE_SOURCE = (
    "Fine PG, Portenoy RK, et al. Establishing 'best practices' for opioid rotation: conclusions "
    "of an expert panel. J Pain Symptom Manage 2009;38(3):418-25, Table 1, step 1"
)
USUAL_REDUCTION_PERCENT = (25.0, 50.0)
DEFAULT_REDUCTION_PERCENT = 50.0
REDUCTION_WITHIN_DAYS = 12
REDUCTION_SOURCE = cite(
    'seed 000, "Ketamine": reduction of opioid dose within the first 12 days of infusion must be '
    "attempted unless pain remains uncontrolled"
)
ONE_SPECIES_SOURCE = cite(
    'seed 004, "6. Concomitant management of existing opioids": conversion of current opioids '
    "to one opioid species before admission"
)
PERCENT = 100.0
# Bounds of the clinician's schedule choices (ADR 0014): the product's reading, wide enough for
# any taper in use (CDC 2022 suggests 10 % a month or slower for long-term opioids), narrow
# enough that a schedule is a list a person can read.
MIN_STEP_PERCENT = 1.0
MAX_STEPS = 100
MAX_EVERY_DAYS = 90
MAX_FIRST_DAY = 365


@dataclass(frozen=True)
class Conversion:
    """A mixed regimen expressed as one opioid by one route, before and after the reduction."""

    drug: str
    route: str
    unit: str
    from_med_mg: float
    factor: float
    factor_source: str
    equianalgesic_daily: float
    reduction_percent: float
    reduction_is_default: bool
    usual_reduction_percent: tuple[float, float] | None
    default_reduction_percent: float | None
    reduction_source: str
    target_daily: float
    statements: tuple[str, ...]


def complete_total(med: MedResult, doing: str) -> float:
    """The MED total, or a refusal when it leaves something out."""
    if med.total_med_mg is None:
        left = [item.label for item in med.left_out] + [
            order.what for order in med.not_counted if order.incomplete
        ]
        raise UserInputError(
            f"the MED under {med.table_id} is incomplete (it leaves out {', '.join(left)}); "
            f"choose a table that covers every item, or settle each order's status, before {doing}"
        )
    return med.total_med_mg


def convert(
    med: MedResult,
    table: EquivalenceTable,
    drug: str,
    route: OpioidRoute,
    reduction_percent: float | None,
) -> Conversion:
    """Express ``med`` as one opioid by one route, reduced by the clinician's chosen percent."""
    if drug not in {o.value for o in Opioid}:
        raise UserInputError(f"unknown drug {drug[:40]!r} to convert to")
    opioid = Opioid(drug)
    total = complete_total(med, "converting")
    if opioid is Opioid.METHADONE:
        raise UserInputError(
            "conversion to methadone is not computed: its ratio to morphine is non-linear and "
            "disputed (Fine 2009 asks for a 75-90 % reduction and specialist skills); use a "
            "methadone-specific protocol"
        )
    entry = table.lookup(opioid, route, None)
    if entry is None or entry.factor is None:
        raise UserInputError(
            f"table {table.id} has no factor for {drug} by the {route.value} route"
        )
    patch = entry.basis is DoseBasis.UG_PER_H
    usual: tuple[float, float] | None = None if patch else USUAL_REDUCTION_PERCENT
    default: float | None = None if patch else DEFAULT_REDUCTION_PERCENT
    if reduction_percent is None:
        if default is None:
            raise UserInputError(
                "for transdermal fentanyl Fine 2009 points to the product's package insert rather "
                "than a reduction window; give the reduction you chose (--reduction)"
            )
        reduction_percent = default
        is_default = True
    else:
        is_default = False
    if not 0 <= reduction_percent < PERCENT:
        raise UserInputError(
            f"a reduction of {reduction_percent:g} % is not from 0 up to (not including) 100"
        )
    equianalgesic = total / entry.factor
    target = equianalgesic * (1 - reduction_percent / PERCENT)
    window = (
        f"Usual window: {usual[0]:g}-{usual[1]:g} % below the equianalgesic dose; product default "
        f"{default:g} % (the upper bound, for the high opioid doses usual before ketamine)."
        if usual is not None and default is not None
        else "Fine 2009 gives no reduction window for transdermal fentanyl: see its package insert."
    )
    statements = [
        "The reduction for incomplete cross-tolerance is chosen by the clinician.",
        window,
        f"Source: {CROSS_TOLERANCE_SOURCE}.",
        f"Conversion to one species before an elective infusion: {ONE_SPECIES_SOURCE}.",
        "The CDC 2022 table itself warns not to dose a new opioid from the MME total alone.",
    ]
    return Conversion(
        drug=drug,
        route=route.value,
        unit=entry.basis.unit,
        from_med_mg=total,
        factor=entry.factor,
        factor_source=entry.source,
        equianalgesic_daily=equianalgesic,
        reduction_percent=reduction_percent,
        reduction_is_default=is_default,
        usual_reduction_percent=usual,
        default_reduction_percent=default,
        reduction_source=CROSS_TOLERANCE_SOURCE,
        target_daily=target,
        statements=tuple(statements),
    )


@dataclass(frozen=True)
class Step:
    """One step of a reduction schedule."""

    day: int
    daily: float
    percent_of_start: float


@dataclass(frozen=True)
class ReductionSchedule:
    """A stepwise reduction of a daily dose (MED or one drug), chosen by the clinician."""

    unit: str
    start_daily: float
    step_percent: float
    every_days: int
    first_day: int
    steps: tuple[Step, ...]
    warnings: tuple[str, ...]
    source: str


def _check_choices(
    start_daily: float, step_percent: float, every_days: int, first_day: int, floor_daily: float
) -> None:
    """Refuse a schedule choice that is not a number, or beyond the bounds the product reads."""
    if not math.isfinite(start_daily) or start_daily <= 0:
        raise UserInputError("the starting daily dose must be a number above zero")
    if not MIN_STEP_PERCENT <= step_percent <= PERCENT:
        raise UserInputError(
            f"a step of {step_percent:g} % is not between {MIN_STEP_PERCENT:g} and 100 % of the "
            f"starting dose (a smaller step would make more than {MAX_STEPS} steps)"
        )
    if not 1 <= every_days <= MAX_EVERY_DAYS:
        raise UserInputError(
            f"steps must be at least one day apart and at most {MAX_EVERY_DAYS} days (a step a "
            f"quarter at the slowest), not {every_days}"
        )
    if not 1 <= first_day <= MAX_FIRST_DAY:
        raise UserInputError(
            f"the first reduction on day {first_day}: give day 1 or later, up to day "
            f"{MAX_FIRST_DAY} (a year into the episode)"
        )
    if not (math.isfinite(floor_daily) and 0 <= floor_daily < start_daily):
        raise UserInputError(
            f"the dose to stop at ({floor_daily:g}) must be from zero up to below the starting "
            f"dose ({start_daily:g})"
        )


def reduction_schedule(  # noqa: PLR0913 - each argument is one clinician choice
    start_daily: float,
    *,
    unit: str,
    step_percent: float,
    every_days: int,
    first_day: int,
    floor_daily: float = 0.0,
) -> ReductionSchedule:
    """Steps of ``step_percent`` of the starting dose every ``every_days`` from ``first_day``.

    The schedule stops at ``floor_daily``; a first step after day 12 of the infusion is flagged
    (seed 000).
    """
    _check_choices(start_daily, step_percent, every_days, first_day, floor_daily)
    warnings: list[str] = []
    if first_day > REDUCTION_WITHIN_DAYS:
        warnings.append(
            f"the first reduction is on day {first_day}, after day {REDUCTION_WITHIN_DAYS} "
            f"({REDUCTION_SOURCE})"
        )
    steps = [Step(day=0, daily=start_daily, percent_of_start=PERCENT)]
    count = 0
    daily = start_daily
    while daily > floor_daily:
        count += 1
        daily = start_daily * (1 - count * step_percent / PERCENT)
        # a float left a hair above the floor is the floor, not one more step
        if daily <= floor_daily + 1e-9 * start_daily:
            daily = floor_daily
        day = first_day + (count - 1) * every_days
        steps.append(Step(day=day, daily=daily, percent_of_start=PERCENT * daily / start_daily))
    warnings.append(
        "each step is reviewed against pain, function and withdrawal before it is made; "
        "pain that stays uncontrolled stops the reduction, as the source says"
    )
    return ReductionSchedule(
        unit=unit,
        start_daily=start_daily,
        step_percent=step_percent,
        every_days=every_days,
        first_day=first_day,
        steps=tuple(steps),
        warnings=tuple(warnings),
        source=REDUCTION_SOURCE,
    )


@dataclass(frozen=True)
class TimelineEntry:
    """MED at one point of an episode, computed or recorded.

    An incomplete computed point has no ``med_mg``; ``covered_med_mg`` is what its table covers.
    """

    day: float
    label: str | None
    med_mg: float | None
    computed: bool
    complete: bool
    source: str
    covered_med_mg: float | None = None

    @property
    def covered(self) -> float | None:
        """The MED of what the point covers: the whole MED when complete."""
        return self.med_mg if self.complete else self.covered_med_mg


@dataclass(frozen=True)
class Timeline:
    """MED over an episode with its peak and the change from the peak to the last point.

    The peak is the highest complete point; a change is None when either end is incomplete or
    starts from zero.
    """

    entries: tuple[TimelineEntry, ...]
    peak: TimelineEntry | None
    last: TimelineEntry
    change_from_peak_percent: float | None
    change_from_first_percent: float | None
    warnings: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether every point has its full MED."""
        return all(entry.complete for entry in self.entries)


def _change(base: TimelineEntry | None, last: TimelineEntry) -> float | None:
    if base is None or base.med_mg is None or last.med_mg is None or base.med_mg == 0:
        return None
    return PERCENT * (last.med_mg - base.med_mg) / base.med_mg


def timeline(entries: Sequence[TimelineEntry]) -> Timeline:
    """Order the entries by day and summarise the peak and the changes."""
    if not entries:
        raise UserInputError("a timeline needs at least one point")
    ordered = tuple(sorted(entries, key=lambda e: e.day))
    known = [e for e in ordered if e.med_mg is not None and e.complete]
    peak = max(known, key=lambda e: e.med_mg or 0.0) if known else None
    first, last = ordered[0], ordered[-1]
    warnings = [
        f"day {e.day:g} is incomplete: no MED is given for it (its covered part is "
        f"{e.covered or 0.0:g} mg/day), and the peak and changes leave it out"
        for e in ordered
        if not e.complete
    ]
    return Timeline(
        entries=ordered,
        peak=peak,
        last=last,
        change_from_peak_percent=_change(peak, last),
        change_from_first_percent=_change(first, last),
        warnings=tuple(warnings),
    )
