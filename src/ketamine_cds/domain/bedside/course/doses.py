"""Boluses and divided doses: the next dose when due, stepped where the protocol allows."""

from __future__ import annotations

from datetime import timedelta

from ketamine_cds.domain.bedside.context import Context, Decision, fmt, hours, when
from ketamine_cds.domain.bedside.course.titrate import triggered
from ketamine_cds.domain.bedside.course.transitions import to_next, transitions
from ketamine_cds.domain.bedside.readings import fresh_pain, freshness
from ketamine_cds.domain.bedside.safety import notify_holding
from ketamine_cds.domain.protocols.fields import low_end
from ketamine_cds.domain.protocols.schema import Rule, Unspecified
from ketamine_cds.domain.units import Mass


def dose_course(ctx: Context) -> Decision:  # noqa: C901, PLR0911, PLR0912 - a case each
    """The next dose of a dose phase: when it is due, and how much."""
    phase, state = ctx.phase, ctx.state
    route = phase.route
    last = state.doses[-1]
    last_at, last_dose = last.at, last.dose
    if state.running is not None:
        ctx.notes.alert(
            "off_protocol",
            f"An infusion of {fmt(state.running)} is running in phase '{phase.id}', which gives "
            "doses; the protocol does not say how to combine them: a physician decides.",
            phase,
        )
        return Decision("ask_physician", state.running)
    if phase.kind == "divided_doses" and phase.doses_per_day:
        interval = timedelta(hours=24 / phase.doses_per_day)
    elif phase.interval is not None:
        interval = hours(low_end(phase.interval))
    else:
        given_over = hours(ctx.resolved.over) if ctx.resolved.over else timedelta(0)
        if ctx.at >= last_at + given_over:
            for transition in transitions(ctx, "after_duration"):
                return to_next(ctx, transition, f"The dose given at {when(last_at)} is in.")
        ctx.notes.reason(phase, f"{phase.text} The source gives no repeat interval.")
        return Decision("ask_physician", None, last_dose, route)
    if ctx.at < last_at + interval:
        ctx.notes.reason(phase, f"Next dose due at {when(last_at + interval)}.")
        ctx.notes.due.append(last_at + interval)
        return Decision("continue", None, last_dose, route)
    pain = fresh_pain(state, freshness(ctx.protocol), ctx.at, since=last_at)
    if pain is None:
        ctx.notes.reason("assess-pain", "Assess pain before the next dose.")
        return Decision("continue", None, last_dose, route)
    if pain[1] <= ctx.episode.pain_goal:
        for transition in transitions(ctx, "response"):
            return to_next(ctx, transition, f"Pain {pain[1]}/10 at goal.")
        ctx.notes.reason(phase, "Pain at goal: give the same dose when due.")
        return Decision("continue", None, last_dose, route)
    titration = phase.titration
    if isinstance(titration, Unspecified) or titration is None:
        rule: Rule = titration if titration is not None else phase
        ctx.notes.reason(rule, f"Pain {pain[1]}/10 above goal; the source gives no dose step.")
        return Decision("ask_physician", None, last_dose, route)
    if ctx.held() or notify_holding(ctx, answered_too=True) or not triggered(ctx, titration, pain):
        why = "; ".join(ctx.held()) or "a notification holds or the trigger is absent"
        ctx.notes.reason(titration, f"No step now: {why}.")
        return Decision("continue", None, last_dose, route)
    percent = titration.step_percent[0] if titration.step_percent else None
    step = low_end(titration.step) if titration.step is not None else None
    if percent is not None:
        target = last_dose.scaled(1 + percent / 100)
    elif isinstance(step, Mass):
        target = Mass.of(last_dose.mg + step.mg, "mg")
    else:
        ctx.notes.reason(titration, "The step is not a dose; the physician decides.")
        return Decision("ask_physician", None, last_dose, route)
    ceiling = ctx.resolved.ceiling.dose
    raised = [c.dose for c in state.overrides if c.dose is not None]
    if raised and ceiling is not None:
        ceiling = max([ceiling, *raised], key=lambda dose: dose.mg)
    text = f"Pain {pain[1]}/10 above goal: next dose {target}. {titration.text}"
    if ceiling is not None and target.mg > ceiling.mg + 1e-6:
        if last_dose.mg >= ceiling.mg - 1e-6:
            ctx.notes.alert("ceiling_reached", f"The dose ceiling of {ceiling} is reached.", None)
            return Decision("continue", None, last_dose, route)
        target = ceiling
        text = (
            f"Pain {pain[1]}/10 above goal: a full step would pass the ceiling of {ceiling}; the "
            f"last permitted step is to {ceiling}. {titration.text}"
        )
    ctx.notes.reason(titration, text)
    return Decision("increase", None, target, route)
