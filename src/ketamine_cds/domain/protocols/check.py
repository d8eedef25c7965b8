"""The dose check: within the protocol, over a soft limit, or over a hard one.

Nothing is clamped. A hard limit refuses and nothing overrides it; a soft limit is flagged and
says what an override needs (a physician and a reason). Numbers so large they can only be entry
errors are refused before any check, with the µg-for-mg reading spelled out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.limits import HardLimit, LimitTable
from ketamine_cds.domain.protocols.plan import num, phase_by_id
from ketamine_cds.domain.protocols.resolve import ResolvedPhase, min_over, resolve_phase
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.domain.units import BodyWeight, Duration, Mass, PerKgMass, PerKgRate, Rate

Verdict = Literal["within_protocol", "soft_limit_exceeded", "hard_limit_exceeded"]
OVERRIDE_SOFT = (
    "A physician may override this soft limit for this patient, recording their name and the "
    "reason; the override is shown with every later dose."
)
OVERRIDE_HARD = (
    "Nothing overrides a hard limit: this is anaesthetic territory, not an analgesic order."
)


@dataclass(frozen=True)
class LimitApplied:
    """The limit a check compared against."""

    id: str
    kind: Literal["soft", "hard"]
    value: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a dose check, with everything needed to explain it."""

    verdict: Verdict
    protocol_id: str
    protocol_version: str
    weight: BodyWeight
    checked: str
    per_kg: str
    phase_id: str | None
    limit: LimitApplied | None
    override: str | None
    reasons: tuple[str, ...]
    dose_bands: tuple[str, ...] = field(default=())


def _plausible(value: Rate | Mass, weight: BodyWeight, limits: LimitTable) -> None:
    """Refuse a non-positive value, or one so large it can only be an entry error (µg for mg)."""
    is_rate = isinstance(value, Rate)
    what, unit, micro = ("rate", "mg/h", "µg/h") if is_rate else ("dose", "mg", "µg")
    ceiling = limits.plausibility.max_rate if is_rate else limits.plausibility.max_dose
    per_kg = value.per_weight(weight)
    if per_kg.magnitude() <= 0:
        raise UserInputError(
            f"a {what} of {value} is not a {what} to check; give a positive {unit}"
        )
    if per_kg > ceiling:
        raise UserInputError(
            f"{_show(value)} is {num(per_kg.magnitude())} {per_kg.canonical_symbol()} for "
            f"{weight}, beyond any ketamine dose ({ceiling}); if it was entered in {micro} it is "
            f"{num(value.magnitude() / 1000)} {unit}"
        )


def _hard(limit: HardLimit, value: Rate | Mass) -> LimitApplied:
    shown = f"{num(value.magnitude())} {value.canonical_symbol()} ({limit.limit})"
    return LimitApplied(
        id=limit.id,
        kind="hard",
        value=shown,
        text=limit.text,
        sources=tuple(str(s) for s in limit.sources),
    )


def _soft(item: ResolvedPhase, value: Rate | Mass) -> LimitApplied:
    ceiling = item.ceiling
    return LimitApplied(
        id=ceiling.rule_id,
        kind="soft",
        value=f"{num(value.magnitude())} {value.canonical_symbol()}",
        text=ceiling.text,
        sources=tuple(str(s) for s in ceiling.sources),
    )


def _rate_ceiling(item: ResolvedPhase) -> Rate | None:
    """The fastest rate a phase allows: its ceiling, or a timed dose over its shortest time."""
    ceiling, phase = item.ceiling, item.phase
    if phase.kind == "timed_infusion":
        shortest = min_over(phase)
        if ceiling.dose is not None and shortest is not None:
            return ceiling.dose.over(shortest)
    if phase.kind == "divided_doses" and ceiling.rate is None and ceiling.dose is not None:
        per_day = phase.doses_per_day or 1
        return Mass.of(ceiling.dose.mg * per_day, "mg").over(Duration.of(1, "day"))
    return ceiling.rate


def check_rate(
    protocol: Protocol,
    weight: BodyWeight,
    rate: Rate,
    limits: LimitTable,
    phase_id: str | None = None,
) -> CheckResult:
    """Check an infusion rate against the hard limit, then the protocol's soft ceilings."""
    limits.check_weight(weight)
    _plausible(rate, weight, limits)
    per_kg = rate.per_weight(weight)
    bands = tuple(band.id for band in limits.bands_for(per_kg))
    base = {
        "protocol_id": protocol.id,
        "protocol_version": protocol.version,
        "weight": weight,
        "checked": f"{num(rate.mg_per_h)} mg/h",
        "per_kg": f"{num(per_kg.mg_per_kg_per_h)} mg/kg/h",
        "dose_bands": bands,
    }
    hard_rule, hard_rate = limits.hard_rate()
    hard_value = hard_rate.for_weight(weight)
    if rate >= hard_value:
        return _hard_result(rate, hard_rule, hard_value, hard_rate, base)
    phases = _candidates(protocol, weight, limits, phase_id, ("continuous", "timed_infusion"))
    phases += [] if phase_id else _candidates(protocol, weight, limits, None, ("divided_doses",))
    return _against_ceilings(phases, rate, _rate_ceiling, "infusion rate", base)


def check_dose(  # noqa: PLR0913 - every argument is a distinct clinical input
    protocol: Protocol,
    weight: BodyWeight,
    dose: Mass,
    limits: LimitTable,
    *,
    over: Duration | None = None,
    phase_id: str | None = None,
) -> CheckResult:
    """Check one dose: given over more than an hour it is an infusion and checked as a rate."""
    limits.check_weight(weight)
    _plausible(dose, weight, limits)
    if over is not None and over.hours <= 0:
        raise UserInputError(f"a dose given over {over} is not a time; give minutes above zero")
    if over is not None and over > limits.bolus_max_over:
        result = check_rate(protocol, weight, dose.over(over), limits, phase_id)
        timed = _candidates(protocol, weight, limits, phase_id, ("timed_infusion",))
        total = _against_ceilings(timed, dose, lambda item: item.ceiling.dose, "total dose", {})
        if result.verdict == "hard_limit_exceeded" or total.verdict != "within_protocol":
            return result
        return CheckResult(
            **{
                **result.__dict__,
                "verdict": "within_protocol",
                "phase_id": total.phase_id,
                "reasons": (*result.reasons, *total.reasons),
            }
        )
    per_kg = dose.per_weight(weight)
    base = {
        "protocol_id": protocol.id,
        "protocol_version": protocol.version,
        "weight": weight,
        "checked": f"{num(dose.mg)} mg" + (f" over {over}" if over else ""),
        "per_kg": f"{num(per_kg.mg_per_kg)} mg/kg",
        "dose_bands": tuple(band.id for band in limits.bands_for(per_kg)),
    }
    hard_rule, hard_dose = limits.hard_dose()
    hard_value = hard_dose.for_weight(weight)
    if dose >= hard_value:
        return _hard_result(dose, hard_rule, hard_value, hard_dose, base)
    phases = _candidates(protocol, weight, limits, phase_id, ("bolus", "divided_doses"))
    return _against_ceilings(phases, dose, lambda item: item.ceiling.dose, "single dose", base)


def _hard_result(
    value: Rate | Mass,
    rule: HardLimit,
    limit: Rate | Mass,
    per_kg: PerKgRate | PerKgMass,
    base: dict[str, object],
) -> CheckResult:
    """Refused: at or above a hard limit, which nothing overrides."""
    weight = base["weight"]
    return CheckResult(
        verdict="hard_limit_exceeded",
        phase_id=None,
        limit=_hard(rule, limit),
        override=OVERRIDE_HARD,
        reasons=(
            (
                f"{_show(value)} is at or above the hard limit of {_show(limit)} ({per_kg}) "
                f"for {weight}."
            ),
        ),
        **base,  # type: ignore[arg-type]
    )


def _candidates(
    protocol: Protocol,
    weight: BodyWeight,
    limits: LimitTable,
    phase_id: str | None,
    kinds: tuple[str, ...],
) -> list[ResolvedPhase]:
    phases = [phase_by_id(protocol, phase_id)] if phase_id else protocol.phases
    return [resolve_phase(p, weight, limits) for p in phases if p.kind in kinds]


def _against_ceilings(
    phases: list[ResolvedPhase],
    value: Rate | Mass,
    ceiling_of: object,
    what: str,
    base: dict[str, object],
) -> CheckResult:
    """Within the protocol if some phase allows it; otherwise the soft limit of the nearest."""
    shown = f"{num(value.magnitude())} {value.canonical_symbol()}"
    if not phases:
        return CheckResult(
            verdict="soft_limit_exceeded",
            phase_id=None,
            limit=None,
            override=OVERRIDE_SOFT,
            reasons=(f"The protocol has no phase that gives a {what}; {shown} is outside it.",),
            **base,  # type: ignore[arg-type]
        )
    limited = [(item, ceiling_of(item)) for item in phases]  # type: ignore[operator]
    within = [(item, c) for item, c in limited if c is None or not (c < value)]
    if within:
        item, ceiling = within[0]
        detail = "no ceiling applies" if ceiling is None else f"ceiling {_show(ceiling)}"
        return CheckResult(
            verdict="within_protocol",
            phase_id=item.phase.id,
            limit=None if ceiling is None else _soft(item, ceiling),
            override=None,
            reasons=(f"{shown} is within phase '{item.phase.id}' ({detail}).",),
            **base,  # type: ignore[arg-type]
        )
    item, ceiling = max(limited, key=lambda pair: pair[1].magnitude())
    return CheckResult(
        verdict="soft_limit_exceeded",
        phase_id=item.phase.id,
        limit=_soft(item, ceiling),
        override=OVERRIDE_SOFT,
        reasons=(
            (
                f"{shown} is above the {what} ceiling of {_show(ceiling)} for phase "
                f"'{item.phase.id}' ({item.ceiling.rule_id})."
            ),
        ),
        **base,  # type: ignore[arg-type]
    )


def _show(value: Rate | Mass) -> str:
    return f"{num(value.magnitude())} {value.canonical_symbol()}"


__all__ = ["CheckResult", "LimitApplied", "PerKgMass", "PerKgRate", "check_dose", "check_rate"]
