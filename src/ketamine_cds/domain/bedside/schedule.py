"""When to look again: the protocol's monitoring orders, and everything else that falls due."""

from __future__ import annotations

from datetime import datetime

from ketamine_cds.domain.bedside.context import Context, hours, when
from ketamine_cds.domain.bedside.readings import freshness
from ketamine_cds.domain.protocols.fields import low_end
from ketamine_cds.domain.protocols.schema import Unspecified


def next_assessment(ctx: Context) -> datetime | None:  # noqa: C901, PLR0912 - a case each
    """The earliest future time something is due; now, if an assessment is overdue."""
    state, monitoring = ctx.state, ctx.protocol.monitoring
    anchor = state.started_at or ctx.episode.started_at
    observed = [obs.at for obs in state.phase_observations() if obs.at >= anchor]
    last_seen = observed[-1] if observed else anchor
    overdue = ctx.notes.has("assessment_overdue")
    if state.status in {"running", "paused"}:
        pains = state.pains()
        last_pain = pains[-1][0] if pains else (state.first_started_at or anchor)
        ctx.notes.due.append(last_pain + freshness(ctx.protocol).window)
    if isinstance(monitoring, list) and state.status in {"running", "paused"}:
        for order in monitoring:
            if order.every is None:
                continue
            every = hours(low_end(order.every))
            if order.times is not None:
                # A limited series ("every hour x 3") belongs to the start of the infusion.
                first = state.first_started_at
                if first is None or first != state.started_at or len(observed) >= order.times:
                    continue
                due = anchor + every * (len(observed) + 1)
            else:
                due = last_seen + every
            if due < ctx.at:
                overdue = True
                ctx.notes.alert(
                    "assessment_overdue",
                    f"{order.text} An assessment was due at {when(due)}.",
                    order,
                )
            else:
                ctx.notes.due.append(due)
    if overdue:
        return ctx.at
    future = sorted(d for d in ctx.notes.due if d > ctx.at)
    if future:
        return future[0]
    if isinstance(monitoring, Unspecified):
        ctx.notes.reason(monitoring, monitoring.text)
    elif state.status in {"running", "paused"}:
        ctx.notes.reason(
            "no-assessment-interval",
            "The protocol gives no interval for the next assessment; the ordering team sets it.",
        )
    return None
