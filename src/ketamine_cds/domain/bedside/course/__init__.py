"""What the protocol's course proposes once the safety checks have not decided.

One module per kind of phase (continuous, timed, doses), and for the states between (not yet
started, paused, stopped, between sessions). A proposal is only a proposal: the gate sends its
figure through the one dose check before anyone sees it.
"""

from __future__ import annotations

from ketamine_cds.domain.bedside.context import Context, Decision
from ketamine_cds.domain.bedside.course.continuous import continuous_course
from ketamine_cds.domain.bedside.course.doses import dose_course
from ketamine_cds.domain.bedside.course.paused import while_paused
from ketamine_cds.domain.bedside.course.sessions import session_course
from ketamine_cds.domain.bedside.course.start import start
from ketamine_cds.domain.bedside.course.stopped import after_stop
from ketamine_cds.domain.bedside.course.timed import timed_course


def propose(ctx: Context) -> Decision:  # noqa: PLR0911 - one return per state and kind
    """The course's proposal for the episode's state and the current phase's kind."""
    state, phase = ctx.state, ctx.phase
    if state.status == "stopped":
        return after_stop(ctx)
    if state.status == "paused":
        return while_paused(ctx)
    if phase.kind in {"bolus", "divided_doses"}:
        return dose_course(ctx) if state.doses else start(ctx)
    if state.running is None or not state.changes:
        return start(ctx)
    if phase.repeat is not None:
        session = session_course(ctx)
        if session is not None:
            return session
    if phase.kind == "timed_infusion":
        return timed_course(ctx)
    return continuous_course(ctx)


__all__ = ["propose"]
