"""Moving to the protocol's next phase, with a route change computed from the dose running."""

from __future__ import annotations

from ketamine_cds.domain.bedside.context import Context, Decision, fmt
from ketamine_cds.domain.protocols.resolve import resolve_phase
from ketamine_cds.domain.protocols.schema import Conversion, Transition
from ketamine_cds.domain.units import Mass, Rate


def transitions(ctx: Context, *kinds: str) -> list[Transition]:
    """Transitions out of this phase of the given kinds."""
    return [
        t for t in ctx.protocol.transitions if t.from_phase == ctx.phase.id and t.when in kinds
    ]


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
    ratio = conversion.ratio if isinstance(conversion.ratio, float) else conversion.ratio[0]
    per_day = running.mg_per_day * ratio
    doses = conversion.doses_per_day or target.doses_per_day or 1
    dose = Mass.of(per_day / doses, "mg")
    ratio_text = f"{ratio:g}:1" if ratio != 1 else "1:1"
    ctx.notes.reason(
        conversion,
        f"From the {fmt(running)} running ({per_day:.4g} mg a day), {ratio_text}: "
        f"{dose.mg:.4g} mg {target.route.value} {doses} times a day.",
    )
    return Decision("next_phase", None, dose, target.route, target)
