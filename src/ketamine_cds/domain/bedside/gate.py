"""The last stage: every figure proposed goes through the one dose check before it is shown.

A raise while a reading forbids one becomes a hold; a figure at or above a hard limit is
refused (nothing overrides it) and the physician is asked; a figure above a soft ceiling needs a
physician's reasoned override that covers it, otherwise the physician is asked; a reduction above
a soft ceiling goes ahead with the soft limit shown. Nothing is lowered to a limit silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketamine_cds.domain.bedside.context import EPS, RAISES, Context, Decision, fmt
from ketamine_cds.domain.bedside.safety import covering, hard_alert, iv_equivalent_24h, soft_alert
from ketamine_cds.domain.protocols.check import CheckResult, check_daily, check_dose, check_rate
from ketamine_cds.domain.protocols.schema import Phase
from ketamine_cds.domain.units import Mass, Rate


@dataclass(frozen=True)
class Gated:
    """The decision as it will be shown, and the verdict of its figure."""

    decision: Decision
    verdict: CheckResult | None


def gate(ctx: Context, proposal: Decision) -> Gated:
    """The proposal after the escalation holds and the one dose check."""
    decision = _holds(ctx, proposal)
    phase = decision.phase or ctx.phase
    if phase.kind in {"bolus", "divided_doses"}:
        if decision.dose is None:
            return Gated(decision, None)
        return _dose(ctx, decision, phase, decision.dose)
    rate = decision.rate
    if rate is None or rate.mg_per_h <= EPS:
        return Gated(decision, None)
    return _rate(ctx, decision, phase, rate)


def _is_raise(ctx: Context, decision: Decision) -> bool:
    if decision.action not in RAISES:
        return False
    running = ctx.state.running
    if decision.rate is not None:
        return running is None or decision.rate.mg_per_h > running.mg_per_h + EPS
    return decision.dose is not None


def _holds(ctx: Context, decision: Decision) -> Decision:
    """No raise while a reading forbids one; no step up while titration is held."""
    held = list(ctx.no_escalation)
    if decision.action == "increase":
        held += ctx.no_titration
    if not held or not _is_raise(ctx, decision):
        return decision
    ctx.notes.reason("no-raise-now", f"No raise now: {'; '.join(held)}.")
    running = ctx.state.running
    if running is not None:
        return Decision("continue", running, route=ctx.phase.route)
    return Decision("ask_physician", None)


def _rate(ctx: Context, decision: Decision, phase: Phase, rate: Rate) -> Gated:
    result = check_rate(
        ctx.protocol, ctx.state.weight, rate, ctx.limits, phase_id=phase.id, route=phase.route
    )
    if result.hard:
        hard_alert(ctx, result, f"The proposed {fmt(rate)}")
        return Gated(Decision("ask_physician", None), result)
    if result.within:
        return Gated(decision, result)
    return Gated(_soft(ctx, decision, result, covering(ctx, rate, None)), result)


def _dose(ctx: Context, decision: Decision, phase: Phase, dose: Mass) -> Gated:
    result = check_dose(
        ctx.protocol,
        ctx.state.weight,
        dose,
        ctx.limits,
        over=ctx.resolved.over if phase.kind == "bolus" else None,
        phase_id=phase.id,
        route=decision.route or phase.route,
    )
    if result.hard:
        hard_alert(ctx, result, f"The proposed {dose} dose")
        return Gated(Decision("ask_physician", None), result)
    daily = check_daily(ctx.protocol, ctx.state.weight, iv_equivalent_24h(ctx, dose), ctx.limits)
    if daily.hard:
        hard_alert(ctx, daily, f"With the proposed {dose} dose, the last 24 hours")
        return Gated(Decision("ask_physician", None), daily)
    if result.within:
        return Gated(decision, result)
    return Gated(_soft(ctx, decision, result, covering(ctx, None, dose)), result)


def _soft(ctx: Context, decision: Decision, result: CheckResult, covered: str | None) -> Decision:
    """Above a soft ceiling: go on under a covering override, or reduce, or ask the physician."""
    soft_alert(ctx, result, covered)
    if covered is not None:
        return decision
    limit = result.limit
    source = "; ".join(limit.sources) if limit is not None else ""
    ctx.notes.reason(
        limit.id if limit is not None else ctx.phase.id, f"Soft limit: {result.reasons[0]}", source
    )
    if decision.action in {"taper", "decrease", "discontinue", "stop"}:
        return decision
    if decision.action == "continue":
        return Decision("ask_physician", decision.rate, decision.dose, decision.route)
    return Decision("ask_physician", None)
