"""Pain above goal in an infusion: a step up when the protocol allows one now."""

from __future__ import annotations

from datetime import datetime

from ketamine_cds.domain.bedside.context import EPS, Context, Decision, fmt, when
from ketamine_cds.domain.bedside.criteria import latest_observation
from ketamine_cds.domain.bedside.steps import next_up, wait_for
from ketamine_cds.domain.protocols.schema import Titration, Unspecified
from ketamine_cds.domain.units import Rate


def ceiling_rate(ctx: Context) -> Rate | None:
    """The soft ceiling on rate, raised only by a physician's override below the hard limit."""
    ceiling = ctx.resolved.ceiling.rate
    hard = ctx.hard_rate()
    raised = [c.rate for c in ctx.state.overrides if c.rate is not None and c.rate < hard]
    if raised and ceiling is not None:
        return max([ceiling, *raised])
    return ceiling


def triggered(ctx: Context, titration: Titration, pain: tuple[datetime, int]) -> bool:
    """Whether the titration's trigger holds on the latest pain score."""
    goal, score = ctx.episode.pain_goal, pain[1]
    if titration.when == "no_effect":
        return score >= ctx.episode.baseline.pain
    if titration.when == "pain_recurs":
        earlier = [s for moment, s in ctx.state.pains(ctx.state.phase_since) if moment < pain[0]]
        return score > goal and bool(earlier) and score > min(earlier)
    return score > goal


def titrate(ctx: Context, rate: Rate, pain: tuple[datetime, int]) -> Decision:  # noqa: C901, PLR0911 - a case each
    """A step up, the last step to the ceiling, or a hold saying why."""
    titration = ctx.phase.titration
    seen = f"Pain {pain[1]}/10 is above the goal of {ctx.episode.pain_goal}/10."
    if isinstance(titration, Unspecified):
        ctx.notes.reason(titration, f"{seen} {titration.text}")
        ctx.notes.alert("physician_needed", titration.text, titration)
        return Decision("ask_physician", rate)
    if titration is None or titration.direction != "up":
        ctx.notes.reason(
            ctx.phase,
            f"{seen} The phase gives a fixed rate and no titration; the physician decides.",
        )
        return Decision("ask_physician", rate)
    if not triggered(ctx, titration, pain):
        ctx.notes.reason(
            titration,
            f"{seen} The protocol titrates when '{titration.when.replace('_', ' ')}', which this "
            "pain history does not show; the physician decides.",
        )
        return Decision("ask_physician", rate)
    if ctx.held():
        ctx.notes.reason(titration, f"{seen} No increase now: {'; '.join(ctx.held())}.")
        return Decision("continue", rate)
    latest = latest_observation(ctx.state)
    if latest is not None and latest.symptoms:
        ctx.notes.reason(
            titration,
            f"{seen} Side effects are present ({', '.join(s.value for s in latest.symptoms)}): "
            "the protocol titrates to comfort without side effects, so hold the rate.",
        )
        return Decision("continue", rate)
    target = next_up(ctx, titration, rate)
    if target is None:
        ctx.notes.reason(titration, f"{seen} The escalation schedule is complete.")
        ctx.notes.alert("ceiling_reached", "The last step of the schedule is running.", titration)
        return Decision("continue", rate)
    last_up = ctx.state.last_increase()
    since = last_up.at if last_up is not None else (ctx.state.started_at or ctx.at)
    wait = wait_for(titration)
    if ctx.at - since < wait:
        ctx.notes.reason(
            titration,
            f"{seen} The next step is allowed at {when(since + wait)} "
            f"({wait.total_seconds() / 3600:.3g} h after {when(since)}).",
        )
        ctx.notes.due.append(since + wait)
        return Decision("continue", rate)
    ceiling = ceiling_rate(ctx)
    text = f"{seen} Step up from {fmt(rate)} to {fmt(target)}. {titration.text}"
    if ceiling is not None and target.mg_per_h > ceiling.mg_per_h + 1e-6:
        rule = ctx.resolved.ceiling
        sources = "; ".join(str(s) for s in rule.sources)
        if rate.mg_per_h >= ceiling.mg_per_h - EPS:
            ctx.notes.reason(
                rule.rule_id,
                f"{seen} The ceiling of {fmt(ceiling)} is reached: hold the rate. {rule.text}",
                sources,
            )
            ctx.notes.alert(
                "ceiling_reached",
                f"Ceiling {fmt(ceiling)} reached; a higher rate needs a physician.",
                None,
                sources,
            )
            return Decision("continue", rate)
        target = ceiling
        text = (
            f"{seen} A full step would pass the ceiling of {fmt(ceiling)}; the last permitted "
            f"step is from {fmt(rate)} to the ceiling. {titration.text}"
        )
    elif titration.step_percent is not None and (
        titration.step_percent[1] > titration.step_percent[0]
    ):
        text += (
            f" The source allows {titration.step_percent[0]:g}-{titration.step_percent[1]:g} %; "
            "the low end is shown and the physician may choose more."
        )
    ctx.notes.reason(titration, text)
    ctx.notes.due.append(ctx.at + wait)
    return Decision("increase", target, route=ctx.phase.route)
