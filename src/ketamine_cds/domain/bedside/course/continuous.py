"""A continuous infusion: next phase, taper, hold or titrate, on readings young enough to count."""

from __future__ import annotations

from ketamine_cds.domain.bedside.context import EPS, Context, Decision, fmt, hours
from ketamine_cds.domain.bedside.course.taper import (
    comfortable,
    duration_over,
    last_good_rate,
    taper_course,
)
from ketamine_cds.domain.bedside.course.titrate import titrate
from ketamine_cds.domain.bedside.course.transitions import to_next, transitions
from ketamine_cds.domain.bedside.readings import fresh_pain, freshness
from ketamine_cds.domain.bedside.steps import wait_for
from ketamine_cds.domain.protocols.fields import high_end
from ketamine_cds.domain.protocols.schema import Titration


def course_length_alert(ctx: Context) -> None:
    """Say when an infusion has run past the longest duration its source states."""
    duration = ctx.phase.duration
    if duration is None or ctx.state.started_at is None:
        return
    if ctx.at - ctx.state.started_at > hours(high_end(duration)):
        ctx.notes.alert(
            "course_duration",
            f"The phase has run longer than the {duration} its source describes.",
            ctx.phase,
        )


def continuous_course(ctx: Context) -> Decision:
    """The course of a running continuous infusion."""
    state = ctx.state
    rate = state.running
    if rate is None:
        return Decision("ask_physician", None)
    course_length_alert(ctx)
    if duration_over(ctx):
        for transition in transitions(ctx, "after_duration"):
            return to_next(ctx, transition, f"The phase's {ctx.phase.duration} have run.")
    taper = ctx.protocol.taper
    good = last_good_rate(ctx)
    tapering = (
        good is not None
        and rate.mg_per_h < good.mg_per_h - EPS
        and any(c.old is not None and c.new < c.old for c in state.changes)
    )
    moments = [c.at for c in state.changes[-1:]] + [d.at for d in state.doses[-1:]]
    set_at = max(moments) if moments else None
    if tapering and good is not None:
        return taper_course(ctx, taper, rate, good, set_at)
    titration = ctx.phase.titration
    if isinstance(titration, Titration):
        last_up = state.last_increase()
        since = last_up.at if last_up is not None else state.started_at
        if since is not None:
            ctx.notes.due.append(since + wait_for(titration))
    fresh = freshness(ctx.protocol)
    pain = fresh_pain(state, fresh, ctx.at, since=set_at)
    if pain is None:
        ctx.notes.reason(
            "assess-pain",
            f"No pain score young enough since the rate was set to {fmt(rate)} (a reading counts "
            f"for {fresh.hours:g} h): continue and assess pain.",
        )
        return Decision("continue", rate)
    if pain[1] <= ctx.episode.pain_goal:
        return comfortable(ctx, taper, rate)
    return titrate(ctx, rate, pain)
