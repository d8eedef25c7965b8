"""The infusion is off: keep it off, and observe for as long as the protocol says."""

from __future__ import annotations

from ketamine_cds.domain.bedside.context import Context, Decision, hours, off, when
from ketamine_cds.domain.protocols.schema import Taper


def after_stop(ctx: Context) -> Decision:
    """Keep the infusion off; restarting is the physician's decision."""
    stopped = ctx.state.stopped_at or ctx.at
    taper = ctx.protocol.taper
    text = f"The infusion was stopped at {when(stopped)}."
    if isinstance(taper, Taper) and taper.observe_after_stop is not None:
        until = stopped + hours(taper.observe_after_stop)
        if ctx.at < until:
            ctx.notes.alert(
                "observe_after_stop",
                f"Observe in hospital until {when(until)} ({taper.observe_after_stop} after "
                "stopping) before discharge.",
                taper,
            )
            ctx.notes.due.append(until)
        ctx.notes.reason(taper, f"{text} Observe {taper.observe_after_stop} after stopping.")
    else:
        ctx.notes.reason("infusion-stopped", f"{text} Restarting is a physician's decision.")
    return Decision("discontinue", off())
