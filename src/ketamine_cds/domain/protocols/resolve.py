"""A protocol's doses and ceilings made concrete for one patient's weight.

Both the dose plan and the dose check stand on this: each phase's starting dose, its range, its
rate (for anything infused) and its effective soft ceiling, with the rule each figure comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ketamine_cds.domain.protocols.fields import Span, high_end, low_end
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.schema import Ceiling, Phase, Rule, Source, Unspecified
from ketamine_cds.domain.units import (
    BodyWeight,
    Duration,
    Mass,
    Measure,
    PerKgMass,
    PerKgRate,
    Rate,
)

HOURS_PER_DAY = 24.0


def rate_for(value: Rate | PerKgRate, weight: BodyWeight) -> Rate:
    """An absolute rate for this patient."""
    return value.for_weight(weight) if isinstance(value, PerKgRate) else value


def amount_for(value: Mass | PerKgMass, weight: BodyWeight) -> Mass:
    """An absolute dose for this patient."""
    return value.for_weight(weight) if isinstance(value, PerKgMass) else value


def rate_range(value: Measure | Span[Any], weight: BodyWeight) -> tuple[Rate, Rate]:
    """Both ends of a rate (equal for a single value)."""
    low, high = low_end(value), high_end(value)
    return rate_for(low, weight), rate_for(high, weight)


def amount_range(value: Measure | Span[Any], weight: BodyWeight) -> tuple[Mass, Mass]:
    """Both ends of a dose (equal for a single value)."""
    low, high = low_end(value), high_end(value)
    return amount_for(low, weight), amount_for(high, weight)


@dataclass(frozen=True)
class EffectiveCeiling:
    """The soft limit that holds for a phase and patient, and where it comes from.

    ``rate`` bounds infusion rates (or the 24-hour average of divided doses); ``dose`` bounds a
    single administration (or the total of a timed infusion). ``candidates`` lists every
    ceiling the source gives, resolved for this weight, so the plan can show the lower-of choice.
    """

    rule_id: str
    text: str
    sources: tuple[Source, ...]
    rate: Rate | None
    dose: Mass | None
    from_product_default: bool
    candidates: tuple[tuple[Ceiling, Rate | Mass], ...]


@dataclass(frozen=True)
class ResolvedPhase:
    """One phase's figures for this patient."""

    phase: Phase
    weight: BodyWeight
    rate: Rate | None
    rate_range: tuple[Rate, Rate] | None
    dose: Mass | None
    dose_range: tuple[Mass, Mass] | None
    daily: Mass | None
    over: Duration | None
    ceiling: EffectiveCeiling

    @property
    def per_kg_rate(self) -> PerKgRate | None:
        """The rate per kg, for the dose bands and hard limits."""
        return None if self.rate is None else self.rate.per_weight(self.weight)

    @property
    def per_kg_dose(self) -> PerKgMass | None:
        """The dose per kg, for the dose bands and hard limits."""
        return None if self.dose is None else self.dose.per_weight(self.weight)


def _over(phase: Phase, *, shortest: bool) -> Duration | None:
    if phase.over is None:
        return None
    options = [low_end(phase.over), high_end(phase.over), *phase.over_options]
    chosen: Duration = min(options) if shortest else low_end(phase.over)
    return chosen


def _ceiling(phase: Phase, weight: BodyWeight, limits: LimitTable) -> EffectiveCeiling:
    """The lower of the phase's own ceilings; the phase's own dose if fixed; else the default."""
    if isinstance(phase.ceilings, list) and phase.ceilings:
        return _lower_of(phase, phase.ceilings, weight)
    if phase.titration is None:
        return _fixed_dose_ceiling(phase, weight)
    reason = phase.ceilings if isinstance(phase.ceilings, Unspecified) else None
    if phase.kind == "bolus":
        bolus = limits.default_soft_bolus
        # The phase's own stated dose is never outside its protocol, even above the default.
        own = amount_range(phase.dose, weight)[1] if phase.dose is not None else None
        default_dose = amount_range(bolus.limit, weight)[1]
        return EffectiveCeiling(
            rule_id=bolus.id,
            text=bolus.text if reason is None else f"{reason.text} {bolus.text}",
            sources=tuple(bolus.sources),
            rate=None,
            dose=max(default_dose, own) if own is not None else default_dose,
            from_product_default=True,
            candidates=(),
        )
    ceiling = _default_rate_ceiling(phase, weight, limits, reason)
    if phase.kind == "divided_doses" and ceiling.dose is None:
        # Doses with no count a day: each single dose is held to the default bolus ceiling.
        bolus = limits.default_soft_bolus
        return replace(
            ceiling,
            text=f"{ceiling.text} {bolus.text}",
            sources=(*ceiling.sources, *bolus.sources),
            dose=amount_range(bolus.limit, weight)[1],
        )
    return ceiling


def _default_rate_ceiling(
    phase: Phase, weight: BodyWeight, limits: LimitTable, reason: Unspecified | None
) -> EffectiveCeiling:
    """The product-wide rate ceiling, and for divided doses the single dose it allows."""
    default = limits.default_soft_ceiling
    text = default.text if reason is None else f"{reason.text} {default.text}"
    rate = rate_range(default.limit, weight)[1]
    return EffectiveCeiling(
        rule_id=default.id,
        text=text,
        sources=tuple(default.sources),
        rate=rate,
        dose=_per_administration(phase, rate),
        from_product_default=True,
        candidates=(),
    )


def _per_administration(phase: Phase, rate: Rate) -> Mass | None:
    """The single dose a rate ceiling allows for divided doses (24-hour total ÷ doses)."""
    if phase.kind == "divided_doses" and phase.doses_per_day:
        return Mass.of(rate.mg_per_day / phase.doses_per_day, "mg")
    return None


def _lower_of(phase: Phase, ceilings: list[Ceiling], weight: BodyWeight) -> EffectiveCeiling:
    resolved: list[tuple[Ceiling, Rate | Mass]] = []
    for ceiling in ceilings:
        limit = high_end(ceiling.limit)
        if isinstance(limit, Rate | PerKgRate):
            resolved.append((ceiling, rate_for(limit, weight)))
        else:
            resolved.append((ceiling, amount_for(limit, weight)))
    rates = [(c, v) for c, v in resolved if isinstance(v, Rate)]
    doses = [(c, v) for c, v in resolved if isinstance(v, Mass)]
    rate_rule, rate = min(rates, key=lambda cv: cv[1].mg_per_h) if rates else (None, None)
    dose_rule, dose = min(doses, key=lambda cv: cv[1].mg) if doses else (None, None)
    if dose is None and rate is not None:
        dose = _per_administration(phase, rate)
    holding = rate_rule or dose_rule
    assert holding is not None  # noqa: S101 - ceilings is a non-empty list
    return EffectiveCeiling(
        rule_id=holding.id,
        text=holding.text,
        sources=(holding.source,),
        rate=rate,
        dose=dose,
        from_product_default=False,
        candidates=tuple(resolved),
    )


def _fixed_dose_ceiling(phase: Phase, weight: BodyWeight) -> EffectiveCeiling:
    """A phase with no titration may not go above its own stated dose."""
    rate = dose = None
    if phase.rate is not None:
        rate = rate_range(phase.rate, weight)[1]
    for value in (phase.total, phase.dose):
        if value is not None:
            dose = amount_range(value, weight)[1]
    if phase.daily is not None and dose is None:
        rate = rate_range(phase.daily, weight)[1]
        dose = _per_administration(phase, rate)
    return EffectiveCeiling(
        rule_id=phase.id,
        text=f"The phase gives a fixed dose ({phase.text.rstrip('.')}); more is outside it.",
        sources=(phase.source,),
        rate=rate,
        dose=dose,
        from_product_default=False,
        candidates=(),
    )


def resolve_phase(phase: Phase, weight: BodyWeight, limits: LimitTable) -> ResolvedPhase:
    """Every figure of ``phase`` for a patient of ``weight``."""
    rate = rate_span = dose = dose_span = daily = None
    over = _over(phase, shortest=False)
    if phase.rate is not None:
        rate_span = rate_range(phase.rate, weight)
        rate = rate_span[0]
    if phase.total is not None and over is not None:
        dose_span = amount_range(phase.total, weight)
        dose = dose_span[0]
        rate = dose.over(over)
        rate_span = (dose_span[0].over(over), dose_span[1].over(over))
    if phase.dose is not None:
        dose_span = amount_range(phase.dose, weight)
        dose = dose_span[0]
        if phase.kind == "divided_doses" and phase.doses_per_day:
            daily = Mass.of(dose.mg * phase.doses_per_day, "mg")
    if phase.daily is not None:
        daily_low, _ = rate_range(phase.daily, weight)
        daily = Mass.of(daily_low.mg_per_day, "mg")
        if phase.doses_per_day:
            dose = Mass.of(daily.mg / phase.doses_per_day, "mg")
    if phase.kind == "divided_doses" and daily is not None:
        rate = Mass.of(daily.mg / HOURS_PER_DAY, "mg").over(Duration.of(1, "hour"))
    return ResolvedPhase(
        phase=phase,
        weight=weight,
        rate=rate,
        rate_range=rate_span,
        dose=dose,
        dose_range=dose_span,
        daily=daily,
        over=over,
        ceiling=_ceiling(phase, weight, limits),
    )


def min_over(phase: Phase) -> Duration | None:
    """The shortest administration time the phase allows (for the fastest permitted rate)."""
    return _over(phase, shortest=True)


def rule_sources(rules: list[Rule]) -> list[str]:
    """Each rule's source as text, in order."""
    return [str(rule.source) for rule in rules]


__all__ = [
    "EffectiveCeiling",
    "ResolvedPhase",
    "Span",
    "amount_for",
    "min_over",
    "rate_for",
    "resolve_phase",
]
