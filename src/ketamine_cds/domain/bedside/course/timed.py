"""A timed infusion: run to its end, then the protocol's next phase by the response seen."""

from __future__ import annotations

from datetime import timedelta

from ketamine_cds.domain.bedside.context import EPS, Context, Decision, fmt, off, when
from ketamine_cds.domain.bedside.course.transitions import to_next, transitions
from ketamine_cds.domain.bedside.readings import fresh_pain, freshness


def timed_course(ctx: Context) -> Decision:
    """Running until the total is in; then judge the response on a fresh pain score."""
    state = ctx.state
    rate = state.running
    began = state.pump_since or state.started_at
    if rate is None or began is None:
        return Decision("ask_physician", None)
    total = ctx.resolved.dose
    end = began + timedelta(hours=total.mg / rate.mg_per_h) if total is not None else None
    if end is not None and ctx.at < end:
        ctx.notes.reason(ctx.phase, f"{ctx.phase.text} Running {fmt(rate)} until {when(end)}.")
        ctx.notes.due.append(end)
        return Decision("continue", rate)
    pain = fresh_pain(state, freshness(ctx.protocol), ctx.at, since=began)
    baseline = ctx.episode.baseline.pain
    severe = any(obs.severe for obs in state.phase_observations())
    if pain is None:
        ctx.notes.reason(
            "assess-pain",
            "The infusion has run: assess pain (a score young enough to count) to choose the "
            "next step.",
        )
        return Decision("continue", off())
    reduction = 100.0 * (baseline - pain[1]) / baseline if baseline else 0.0
    why = f"Pain {baseline}/10 → {pain[1]}/10 ({reduction:.3g} % better)."
    for transition in transitions(ctx, "response"):
        if reduction + EPS >= (transition.pain_reduction_percent or 0):
            return to_next(ctx, transition, why)
    for transition in transitions(ctx, "no_response"):
        if not severe:
            return to_next(ctx, transition, f"{why} No severe side effects.")
    ctx.notes.reason(
        ctx.phase,
        f"{why} The protocol gives no next step for this case after this phase; the physician "
        "decides.",
    )
    return Decision("ask_physician", off())
