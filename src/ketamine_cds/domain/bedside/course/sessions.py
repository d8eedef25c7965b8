"""A course of sessions (e.g. 4 h daily for 10 days): end each on time, start the next when due."""

from __future__ import annotations

from datetime import timedelta

from ketamine_cds.domain.bedside.context import Context, Decision, hours, off, when
from ketamine_cds.domain.protocols.fields import low_end


def session_length(ctx: Context) -> timedelta | None:
    """How long one session lasts."""
    phase = ctx.phase
    if phase.kind == "timed_infusion" and ctx.resolved.over is not None:
        return hours(ctx.resolved.over)
    if phase.duration is not None:
        return hours(low_end(phase.duration))
    return None


def session_course(ctx: Context) -> Decision | None:
    """End a session when its time has run; None while it is still running."""
    repeat, state = ctx.phase.repeat, ctx.state
    length = session_length(ctx)
    if repeat is None or length is None or not state.sessions or state.rate is None:
        return None
    begun = state.sessions[-1]
    if ctx.at - begun < length:
        return None
    times = repeat.times if isinstance(repeat.times, int) else repeat.times[1]
    if len(state.sessions) >= times:
        ctx.notes.reason(
            ctx.phase, f"Session {len(state.sessions)} of {repeat.times}: the course is complete."
        )
        return Decision("discontinue", off())
    following = begun + hours(repeat.every)
    ctx.notes.reason(
        ctx.phase,
        f"Session {len(state.sessions)} has run its {length / timedelta(hours=1):g} h: stop the "
        f"pump until the next session at {when(following)}.",
    )
    ctx.notes.due.append(following)
    return Decision("pause", off())


def session_resume(ctx: Context) -> Decision | None:
    """Between sessions: start the next one when it is due."""
    repeat = ctx.phase.repeat
    if repeat is None or not ctx.state.sessions:
        return None
    following = ctx.state.sessions[-1] + hours(repeat.every)
    if ctx.at < following:
        ctx.notes.reason(ctx.phase, f"Next session at {when(following)}.")
        ctx.notes.due.append(following)
        return Decision("pause", off())
    ctx.notes.reason(ctx.phase, "The next session is due: restart at the session's rate.")
    return Decision("resume", ctx.state.rate, route=ctx.phase.route)
