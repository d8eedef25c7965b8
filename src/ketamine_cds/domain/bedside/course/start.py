"""The phase has not begun: its starting rate or dose, from the protocol."""

from __future__ import annotations

from ketamine_cds.domain.bedside.context import EPS, Context, Decision, fmt


def start(ctx: Context) -> Decision:
    """The phase's own start; the gate then checks it against every limit."""
    phase, resolved, state = ctx.phase, ctx.resolved, ctx.state
    if phase.rate_unspecified is not None:
        rule = phase.rate_unspecified
        ctx.notes.reason(rule, rule.text)
        ctx.notes.alert("physician_needed", f"Starting rate not given: {rule.text}", rule)
        return Decision("ask_physician", None)
    if phase.kind in {"bolus", "divided_doses"}:
        ctx.notes.reason(phase, f"Start: {phase.text}")
        if state.running is not None:
            ctx.notes.alert(
                "off_protocol",
                f"An infusion of {fmt(state.running)} is running, but phase '{phase.id}' gives "
                "doses, not an infusion: stop the pump when the first dose is given, or ask the "
                "physician.",
                phase,
            )
        if resolved.dose is None:
            ctx.notes.alert("physician_needed", "The dose per administration is not given.", phase)
            return Decision("ask_physician", None)
        return Decision("start", None, resolved.dose, phase.route)
    rate = resolved.rate
    if rate is None:
        ctx.notes.reason(phase, f"{phase.text} The phase gives no rate; the physician sets it.")
        return Decision("ask_physician", None)
    text = f"Start {phase.title.lower()}: {fmt(rate)} for {ctx.weight_text}. {phase.text}"
    span = resolved.rate_range
    if span is not None and span[1].mg_per_h > span[0].mg_per_h + EPS:
        text += (
            f" The source gives a range ({fmt(span[0])} to {fmt(span[1])}); the low end is "
            "shown and the physician chooses within it."
        )
    running = state.running
    if running is not None:
        if abs(running.mg_per_h - rate.mg_per_h) <= EPS:
            ctx.notes.reason(phase, f"{text} It is already running at that rate.")
            return Decision("continue", running, route=phase.route)
        text += f" {fmt(running)} is running from before this phase."
    if state.doses:
        text += f" {len(state.doses)} dose(s) were given before the infusion began."
    ctx.notes.reason(phase, text)
    return Decision("start", rate, route=phase.route)
