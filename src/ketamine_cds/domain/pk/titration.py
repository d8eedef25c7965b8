"""A protocol phase run as its titration schedule says: raised step by step to the ceiling.

A titrated phase becomes consecutive sub-phases, one per step, each held for the titration
interval (or for the wait of a number of half-lives, where the protocol asks for the longer
of the two). Every opportunity to titrate is taken, as for a patient whose pain stays
uncontrolled. A step that would pass the ceiling stops at the ceiling, which is the
protocol's own limit; the output says so. Where the protocol gives a range of steps or
intervals, the caller chooses one figure (the product reads ranges as its bedside engine does:
the smallest step, the shortest interval) and says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.regimen import Phase, PhaseKind
from ketamine_cds.domain.pk.spec import Route
from ketamine_cds.domain.units import Mass, Rate

MAX_STEPS = 1000


@dataclass(frozen=True)
class Titration:
    """One phase's titration rule, as numbers: a step in mg/h (or mg), percent, or a schedule."""

    interval_h: float
    ceiling: float  # mg/h for an infusion, mg per dose otherwise
    step: float | None = None
    step_percent: float | None = None
    schedule: tuple[float, ...] = ()
    hold_at_step: int | None = None

    def __post_init__(self) -> None:
        """Refuse a rule that cannot be followed."""
        if not (math.isfinite(self.interval_h) and self.interval_h > 0):
            raise UserInputError("a titration interval must be above 0 h")
        if not (math.isfinite(self.ceiling) and self.ceiling > 0):
            raise UserInputError("a titrated phase needs a ceiling above 0")
        if self.hold_at_step is not None and self.hold_at_step < 0:
            raise UserInputError("the step to hold at must be 0 or above")

    def levels(self, start: float) -> list[float]:
        """The rate (or dose) of each step from the start, ending at the ceiling or the hold."""
        levels = [start]
        while len(levels) <= MAX_STEPS and levels[-1] < self.ceiling:
            if self.hold_at_step is not None and len(levels) > self.hold_at_step:
                break
            k = len(levels)
            if self.schedule:
                if k >= len(self.schedule):
                    break
                nxt = self.schedule[k]
            elif self.step is not None:
                nxt = levels[-1] + self.step
            elif self.step_percent is not None:
                nxt = levels[-1] * (1.0 + self.step_percent / 100.0)
            else:
                break
            if nxt <= levels[-1]:
                break
            levels.append(min(nxt, self.ceiling))
        return levels


def _levels(rule: Titration | None, start: float) -> tuple[list[float], float]:
    """The levels to run and their interval; a phase without a rule is one level throughout."""
    if rule is None:
        return [start], math.inf
    return rule.levels(start), rule.interval_h


def _windows(
    start_h: float, duration_h: float, count: int, interval: float
) -> list[tuple[float, float]]:
    """When each level runs: one interval each, the last to the end of the phase."""
    end = start_h + duration_h
    windows = []
    for k in range(count):
        begin = start_h + k * interval if k else start_h
        if begin >= end:
            break
        stop = end if k == count - 1 else min(end, begin + interval)
        windows.append((begin, stop))
    return windows


def _stepped(  # noqa: PLR0913 - the parts of one phase
    phase_id: str,
    route: Route,
    kind: PhaseKind,
    *,
    start_h: float,
    duration_h: float,
    levels: list[float],
    interval: float,
    doses_per_day: float | None = None,
) -> list[Phase]:
    """One phase per level, one interval each, the last to the end of the phase."""
    suffix = "" if kind == "infusion" else "mg"
    return [
        Phase(
            id=phase_id if len(levels) == 1 else f"{phase_id}@{level:g}{suffix}",
            route=route,
            kind=kind,
            start_h=begin,
            duration_h=stop - begin,
            rate=Rate.of(level, "mg/h") if kind == "infusion" else None,
            dose=None if kind == "infusion" else Mass.of(level, "mg"),
            doses_per_day=doses_per_day,
        )
        for level, (begin, stop) in zip(
            levels, _windows(start_h, duration_h, len(levels), interval), strict=False
        )
    ]


def titrated_infusion(  # noqa: PLR0913 - the parts of one phase
    phase_id: str,
    route: Route,
    *,
    start_h: float,
    duration_h: float,
    rate_mg_per_h: float,
    rule: Titration | None,
) -> list[Phase]:
    """A continuous infusion raised every interval until the ceiling, then held to its end."""
    levels, interval = _levels(rule, rate_mg_per_h)
    return _stepped(
        phase_id,
        route,
        "infusion",
        start_h=start_h,
        duration_h=duration_h,
        levels=levels,
        interval=interval,
    )


def titrated_doses(  # noqa: PLR0913 - the parts of one phase
    phase_id: str,
    route: Route,
    *,
    start_h: float,
    dose_mg: float,
    rule: Titration | None,
    over_h: float = 0.0,
) -> list[Phase]:
    """Single doses repeated every interval, each larger by the step, up to the ceiling dose."""
    levels, interval = _levels(rule, dose_mg)
    return [
        Phase(
            id=phase_id if rule is None else f"{phase_id}@{level:g}mg",
            route=route,
            kind="bolus",
            start_h=start_h + k * interval if k else start_h,
            duration_h=0.0,
            dose=Mass.of(level, "mg"),
            over_h=over_h,
        )
        for k, level in enumerate(levels)
    ]


def titrated_divided_doses(  # noqa: PLR0913 - the parts of one phase
    phase_id: str,
    route: Route,
    *,
    start_h: float,
    duration_h: float,
    dose_mg: float,
    doses_per_day: float,
    rule: Titration | None,
) -> list[Phase]:
    """Divided doses whose size rises by the step every interval, up to the ceiling dose."""
    levels, interval = _levels(rule, dose_mg)
    return _stepped(
        phase_id,
        route,
        "divided_doses",
        start_h=start_h,
        duration_h=duration_h,
        levels=levels,
        interval=interval,
        doses_per_day=doses_per_day,
    )
