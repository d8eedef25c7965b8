"""A paused infusion: restart after the protocol's pause, unless the side effects persist."""

from __future__ import annotations

from ketamine_cds.domain.bedside.context import Context, Decision, hours, off, when
from ketamine_cds.domain.bedside.course.sessions import session_resume
from ketamine_cds.domain.bedside.safety import matching


def while_paused(ctx: Context) -> Decision:
    """Restart at the earlier rate once the pause has run; ask where the protocol gives no rule."""
    state = ctx.state
    paused = state.paused_at or ctx.at
    session = session_resume(ctx)
    if session is not None:
        return session
    rule = next(
        (r for r in ctx.protocol.side_effects if r.action == "pause" and r.pause_for), None
    )
    if rule is None or rule.pause_for is None:
        ctx.notes.reason(
            "no-restart-rule",
            f"The infusion has been paused since {when(paused)}; the protocol gives no rule for "
            "restarting, so a physician decides.",
        )
        return Decision("ask_physician", off())
    until = paused + hours(rule.pause_for)
    if ctx.at < until:
        ctx.notes.reason(rule, f"Paused at {when(paused)}; restart at {when(until)}.")
        ctx.notes.due.append(until)
        return Decision("pause", off())
    during = [obs for position, obs in state.observations if position > state.paused_position]
    persisting = [found for obs in during if (found := matching(rule, obs))]
    if during and persisting and matching(rule, during[-1]):
        ctx.notes.alert(
            "side_effects",
            f"The side effects are still present after the {rule.pause_for} pause "
            f"({persisting[-1]}): do not restart; the physician decides.",
            rule,
        )
        ctx.notes.reason(rule, "Side effects persist through the pause: call the physician.")
        return Decision("ask_physician", off())
    ctx.notes.reason(rule, f"The {rule.pause_for} pause is over: restart at the earlier rate.")
    return Decision("resume", state.rate, route=ctx.phase.route)
