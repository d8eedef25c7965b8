"""Moving to the protocol's next phase, with a route change computed from the dose running.

The conversion arithmetic (the daily dose running, times the source's ratio, divided into the
new route's doses) is :func:`converted`, shared by the bedside engine and the planned transition
(``domain/outcomes/transitions.py``), so the figure the bedside sees and the one a plan shows are
the same number.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketamine_cds.domain.bedside.context import Context, Decision, fmt
from ketamine_cds.domain.protocols.resolve import resolve_phase
from ketamine_cds.domain.protocols.schema import Conversion, Transition
from ketamine_cds.domain.units import Mass, Rate


@dataclass(frozen=True)
class Converted:
    """A daily dose converted by one ratio of a conversion and divided into doses."""

    ratio: float
    from_per_day_mg: float
    per_day_mg: float
    doses_per_day: int
    dose: Mass

    @property
    def ratio_text(self) -> str:
        """The ratio as written: '1:1', '0.4:1'."""
        return "1:1" if self.ratio == 1 else f"{self.ratio:g}:1"


def ratios(conversion: Conversion) -> tuple[float, ...]:
    """The conversion's ratio, or the two ends of its range (low first)."""
    ratio = conversion.ratio
    return (ratio,) if isinstance(ratio, float) else (ratio[0], ratio[1])


def converted(
    conversion: Conversion, from_per_day_mg: float, doses_per_day: int, ratio: float
) -> Converted:
    """The daily dose ``from_per_day_mg`` by ``ratio``, in ``doses_per_day`` doses."""
    per_day = from_per_day_mg * ratio
    doses = conversion.doses_per_day or doses_per_day
    return Converted(ratio, from_per_day_mg, per_day, doses, Mass.of(per_day / doses, "mg"))


def transitions(ctx: Context, *kinds: str) -> list[Transition]:
    """Transitions out of this phase of the given kinds."""
    return [t for t in ctx.protocol.transitions if t.from_phase == ctx.phase.id and t.when in kinds]


def to_next(ctx: Context, transition: Transition, why: str) -> Decision:
    """The transition's target phase and its starting figure (converted from what is running)."""
    ctx.notes.reason(transition, f"{why} {transition.text}")
    if transition.to_phase is None:
        return Decision("next_phase", ctx.state.running)
    target = ctx.protocol.phase(transition.to_phase)
    resolved = resolve_phase(target, ctx.state.weight, ctx.limits)
    for conversion in transition.conversions:
        ctx.notes.reason(conversion, conversion.text)
    match = next((c for c in transition.conversions if c.to_route == target.route), None)
    running = ctx.state.running
    if match is not None and running is not None and target.kind == "divided_doses":
        return _converted(ctx, match, running, target.id)
    if target.kind in {"bolus", "divided_doses"}:
        return Decision("next_phase", None, resolved.dose, target.route, target)
    return Decision("next_phase", resolved.rate, None, target.route, target)


def _converted(ctx: Context, conversion: Conversion, running: Rate, target_id: str) -> Decision:
    """The daily dose actually running, converted by the source's ratio and divided."""
    target = ctx.protocol.phase(target_id)
    figure = converted(
        conversion, running.mg_per_day, target.doses_per_day or 1, ratios(conversion)[0]
    )
    ctx.notes.reason(
        conversion,
        f"From the {fmt(running)} running ({figure.from_per_day_mg:.4g} mg a day), "
        f"{figure.ratio_text}: {figure.dose.mg:.4g} mg {target.route.value} "
        f"{figure.doses_per_day} times a day.",
    )
    return Decision("next_phase", None, figure.dose, target.route, target)
