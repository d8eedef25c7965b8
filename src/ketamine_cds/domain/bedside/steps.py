"""A titration's next step and the least wait before it, from the protocol's titration rule."""

from __future__ import annotations

from datetime import timedelta

from ketamine_cds.domain.bedside.context import Context, hours
from ketamine_cds.domain.protocols.fields import high_end, low_end
from ketamine_cds.domain.protocols.resolve import rate_for
from ketamine_cds.domain.protocols.schema import Titration
from ketamine_cds.domain.units import Mass, Rate


def wait_for(titration: Titration) -> timedelta:
    """The least time between steps: the interval, or the half-life wait if longer."""
    wait = hours(low_end(titration.interval))
    if titration.wait_half_lives and titration.half_life is not None:
        wait = max(wait, hours(titration.half_life) * titration.wait_half_lives)
    return wait


def next_up(
    ctx: Context, titration: Titration, rate: Rate, *, tolerance: bool = False
) -> Rate | None:
    """The rate one step up (the top of a percentage range when judging a bedside step)."""
    weight = ctx.state.weight
    if titration.step is not None:
        step = high_end(titration.step)
        if isinstance(step, Mass):
            return None
        return Rate.of(rate.mg_per_h + rate_for(step, weight).mg_per_h, "mg/hour")
    if titration.step_percent is not None:
        percent = titration.step_percent[1 if tolerance else 0]
        return rate.scaled(1 + percent / 100)
    for entry in titration.schedule or []:
        target = rate_for(high_end(entry), weight)
        if target.mg_per_h > rate.mg_per_h + 1e-6:
            return target
    return None
