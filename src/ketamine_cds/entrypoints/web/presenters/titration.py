"""A phase's titration as a table of steps up to its ceiling, each through the one dose check.

The steps follow the bedside engine's reading of a titration rule: a fixed step in mg/h, the low
end of a percentage range, or the next entry of a schedule; a full step that would pass the soft
ceiling becomes the last step, to the ceiling. Each step waits the rule's interval (or the
half-life wait, if longer). Every rate or dose is checked by ``check_rate`` or ``check_dose`` so
a step at a soft or hard limit says so; the table never clamps a figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketamine_cds.domain.protocols.check import CheckResult, check_dose, check_rate
from ketamine_cds.domain.protocols.figures import exact, num
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.plan import pump_rate
from ketamine_cds.domain.protocols.plan_output import PhaseOut, TitrationOut
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.domain.units import BodyWeight, Mass, Rate

AT_CEILING = "at the soft ceiling: the last step"
MAX_STEPS = 24  # a longer table is not a bedside order; the rule text then speaks for itself
_EPS = 1e-9
VERDICT_LABELS = {
    "within_protocol": "within protocol",
    "soft_limit_exceeded": "over the soft limit: needs a physician's reasoned override",
    "hard_limit_exceeded": "hard limit: refused, nothing overrides it",
}


@dataclass(frozen=True)
class Step:
    """One row of the titration table."""

    number: int
    earliest_h: float
    value: float
    per_kg: str
    ml: float
    ml_pump: float | None
    verdict: str
    label: str
    limit: str

    @property
    def at_limit(self) -> bool:
        """Whether this step is at the soft ceiling or past a limit (shown highlighted)."""
        return self.label != VERDICT_LABELS["within_protocol"]


@dataclass(frozen=True)
class TitrationTable:
    """The steps of one phase, in mg/h (infusions) or mg (doses), with what they mean."""

    unit: str
    volume_unit: str
    steps: tuple[Step, ...]
    wait_h: float
    ceiling: float | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Inputs:
    protocol: Protocol
    weight: BodyWeight
    limits: LimitTable
    concentration: float


def titration_table(
    phase: PhaseOut,
    protocol: Protocol,
    limits: LimitTable,
    *,
    weight_kg: float,
    concentration_mg_per_ml: float,
) -> TitrationTable | None:
    """The step table of an upward titration of an infusion rate or a bolus; else None."""
    titration = phase.titration
    if titration is None or titration.unspecified or titration.direction != "up":
        return None
    inputs = _Inputs(protocol, BodyWeight.from_kg(weight_kg), limits, concentration_mg_per_ml)
    if phase.kind == "continuous" and phase.rate_mg_per_h is not None:
        return _table(
            phase, titration, inputs, phase.rate_mg_per_h, phase.ceiling_rate_mg_per_h, is_rate=True
        )
    if phase.kind == "bolus" and phase.dose_mg is not None:
        return _table(phase, titration, inputs, phase.dose_mg, phase.ceiling_dose_mg, is_rate=False)
    return None


def _next(titration: TitrationOut, value: float, *, is_rate: bool) -> float | None:
    step = titration.step_mg_per_h if is_rate else titration.step_mg
    if step is not None:
        return value + step
    if titration.step_percent is not None:
        return value * (1 + titration.step_percent[0] / 100)
    if is_rate:
        for entry in titration.schedule_mg_per_h or []:
            if entry > value + 1e-6:
                return entry
    return None


def wait_h(titration: TitrationOut) -> float:
    """The least hours between steps: the interval, or the half-life wait if longer."""
    interval = (
        titration.interval_range_h[0] if titration.interval_range_h else titration.interval_h
    ) or 0.0
    if titration.wait_half_lives and titration.half_life_h:
        return max(interval, titration.wait_half_lives * titration.half_life_h)
    return interval


def _table(  # noqa: PLR0913 - the phase, its rule and the figures it starts from
    phase: PhaseOut,
    titration: TitrationOut,
    inputs: _Inputs,
    start: float,
    ceiling: float | None,
    *,
    is_rate: bool,
) -> TitrationTable:
    wait = wait_h(titration)
    values = [start]
    while len(values) < MAX_STEPS:
        target = _next(titration, values[-1], is_rate=is_rate)
        if target is None:
            break
        if ceiling is not None and target > ceiling + _EPS:
            if values[-1] < ceiling - _EPS:
                values.append(ceiling)
            break
        values.append(target)
        if ceiling is None and not _check(phase, inputs, target, is_rate=is_rate).within:
            break
    steps = tuple(
        _step(phase, inputs, number, value, number * wait, ceiling, is_rate=is_rate)
        for number, value in enumerate(values)
    )
    notes = []
    if titration.step_percent is not None and titration.step_percent[1] > titration.step_percent[0]:
        low, high = titration.step_percent
        notes.append(
            f"The source allows steps of {num(low)}-{num(high)} %; the table shows the low end, "
            "as the bedside engine does, and the physician may choose more."
        )
    if ceiling is not None and steps and steps[-1].value >= ceiling - _EPS:
        unit = "mg/h" if is_rate else "mg"
        notes.append(
            f"Above {num(exact(ceiling))} {unit} is over the soft ceiling: only with a "
            "physician's reasoned override, recorded with the order."
        )
    return TitrationTable(
        unit="mg/h" if is_rate else "mg",
        volume_unit="mL/h" if is_rate else "mL",
        steps=steps,
        wait_h=wait,
        ceiling=ceiling,
        notes=tuple(notes),
    )


def _check(phase: PhaseOut, inputs: _Inputs, value: float, *, is_rate: bool) -> CheckResult:
    if is_rate:
        return check_rate(
            inputs.protocol,
            inputs.weight,
            Rate.of(value, "mg/h"),
            inputs.limits,
            phase_id=phase.id,
        )
    return check_dose(
        inputs.protocol, inputs.weight, Mass.of(value, "mg"), inputs.limits, phase_id=phase.id
    )


def _step(  # noqa: PLR0913, PLR0917 - one row's figures
    phase: PhaseOut,
    inputs: _Inputs,
    number: int,
    value: float,
    earliest_h: float,
    ceiling: float | None,
    *,
    is_rate: bool,
) -> Step:
    result = _check(phase, inputs, value, is_rate=is_rate)
    label = VERDICT_LABELS[result.verdict]
    if result.within and ceiling is not None and value >= ceiling - _EPS:
        label = AT_CEILING
    limit = "" if result.limit is None else f"{result.limit.kind} limit {result.limit.id}"
    volume = value / inputs.concentration
    return Step(
        number=number,
        earliest_h=earliest_h,
        value=exact(value),
        per_kg=f"{value / inputs.weight.kg:.3g} mg/kg{'/h' if is_rate else ''}",
        ml=exact(volume),
        ml_pump=pump_rate(volume, ceiling=label == AT_CEILING) if is_rate else None,
        verdict=result.verdict,
        label=label,
        limit=limit,
    )
