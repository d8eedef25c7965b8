"""What is given, when and how: a regimen of phases, in absolute milligrams.

A regimen is a sequence of phases (continuous or timed infusions, boluses given over minutes,
divided doses), each by one route. It is the simulator's only input about dosing, so a
protocol's plan, a bedside episode's rate history and a rate typed at the command line all
become the same thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.spec import ROUTES, Route
from ketamine_cds.domain.units import Mass, Rate

PhaseKind = Literal["infusion", "bolus", "divided_doses"]


@dataclass(frozen=True)
class Phase:
    """One phase of a regimen, starting at ``start_h`` hours after the first dose.

    ``infusion`` runs ``rate`` for ``duration_h``; ``bolus`` gives ``dose`` once over ``over_h``
    (0 = push); ``divided_doses`` gives ``dose`` ``doses_per_day`` times a day for
    ``duration_h``, the first at the start.
    """

    id: str
    route: Route
    kind: PhaseKind
    start_h: float
    duration_h: float
    rate: Rate | None = None
    dose: Mass | None = None
    doses_per_day: float | None = None
    over_h: float = 0.0

    def __post_init__(self) -> None:
        """Refuse a phase that cannot be given as written."""
        if self.route not in ROUTES:
            raise UserInputError(f"route '{self.route}' is not one of {', '.join(ROUTES)}")
        if not (math.isfinite(self.start_h) and self.start_h >= 0):
            raise UserInputError(f"phase '{self.id}' starts at an impossible time")
        if not (math.isfinite(self.duration_h) and self.duration_h >= 0):
            raise UserInputError(f"phase '{self.id}' has an impossible duration")
        if self.kind == "infusion" and (self.rate is None or self.rate.mg_per_h < 0):
            raise UserInputError(f"infusion phase '{self.id}' needs a rate of at least 0 mg/h")
        if self.kind != "infusion" and (self.dose is None or self.dose.mg <= 0):
            raise UserInputError(f"phase '{self.id}' needs a dose above 0 mg")
        if self.kind == "divided_doses" and not (self.doses_per_day and self.doses_per_day > 0):
            raise UserInputError(f"phase '{self.id}' needs a number of doses per day above 0")
        if self.over_h < 0:
            raise UserInputError(f"phase '{self.id}' cannot be given over a negative time")
        # the unit conversions, once: the simulator asks for these numbers many times
        object.__setattr__(self, "_mg_per_h", 0.0 if self.rate is None else self.rate.mg_per_h)
        object.__setattr__(self, "_mg", 0.0 if self.dose is None else self.dose.mg)

    @property
    def end_h(self) -> float:
        """When the phase ends (a bolus ends when it has run in)."""
        if self.kind == "bolus":
            return self.start_h + max(self.duration_h, self.over_h)
        return self.start_h + self.duration_h

    def mean_rate_mg_per_h(self) -> float:
        """The average rate the phase delivers (what steady state is computed for)."""
        mg_per_h: float = getattr(self, "_mg_per_h")  # noqa: B009 - set in __post_init__
        mg: float = getattr(self, "_mg")  # noqa: B009
        if self.kind == "infusion":
            return mg_per_h
        if self.kind == "divided_doses":
            assert self.doses_per_day is not None  # noqa: S101 - checked in __post_init__
            return mg * self.doses_per_day / 24.0
        return 0.0

    def deliveries(self) -> list[tuple[float, float, float]]:
        """The phase as (start h, end h, mg) pieces; start == end is an instant dose."""
        mg: float = getattr(self, "_mg")  # noqa: B009 - set in __post_init__
        if self.kind == "infusion":
            rate: float = getattr(self, "_mg_per_h")  # noqa: B009
            if rate == 0 or self.duration_h == 0:
                return []
            return [(self.start_h, self.end_h, rate * self.duration_h)]
        if self.kind == "bolus":
            return [(self.start_h, self.start_h + self.over_h, mg)]
        assert self.doses_per_day is not None  # noqa: S101
        interval = 24.0 / self.doses_per_day
        count = max(1, math.ceil(self.duration_h / interval - 1e-9))
        return [
            (self.start_h + i * interval, self.start_h + i * interval + self.over_h, mg)
            for i in range(count)
        ]


@dataclass(frozen=True)
class Regimen:
    """Phases in order, with a name that says where they came from."""

    phases: tuple[Phase, ...]
    label: str

    def __post_init__(self) -> None:
        """A regimen has at least one phase."""
        if not self.phases:
            raise UserInputError("a regimen needs at least one phase")

    @property
    def end_h(self) -> float:
        """When the last dose has run in."""
        return max(p.end_h for p in self.phases)

    @property
    def routes(self) -> tuple[Route, ...]:
        """The routes used, in first-use order."""
        seen: list[Route] = []
        for p in self.phases:
            if p.route not in seen:
                seen.append(p.route)
        return tuple(seen)

    def maintenance(self) -> Phase:
        """The phase whose steady state is reported: the last one that keeps giving drug."""
        keeping = [p for p in self.phases if p.mean_rate_mg_per_h() > 0]
        return keeping[-1] if keeping else self.phases[-1]

    def instant_doses(self) -> list[tuple[float, float, str]]:
        """(time h, mg, route) of doses given at once (pushes and divided doses)."""
        return [
            (start, mg, p.route)
            for p in self.phases
            for start, end, mg in p.deliveries()
            if end <= start
        ]

    def rate_steps(self) -> list[tuple[float, float]]:
        """(time h, mg/h) steps of the rate actually delivered, for a plot; doses as spikes."""
        points: set[float] = {0.0, self.end_h}
        for p in self.phases:
            for start, end, _ in p.deliveries():
                points.update((start, end))
        times = sorted(points)
        steps: list[tuple[float, float]] = []
        for t in times:
            total = 0.0
            for p in self.phases:
                for start, end, mg in p.deliveries():
                    if end > start and start <= t < end:
                        total += mg / (end - start)
            steps.append((t, total))
        return steps


def constant_infusion(rate: Rate, hours: float, route: Route = "iv") -> Regimen:
    """A single constant infusion from time 0, as typed at the command line."""
    if not (math.isfinite(hours) and hours > 0):
        raise UserInputError("the number of hours must be above 0")
    phase = Phase(
        id="infusion", route=route, kind="infusion", start_h=0.0, duration_h=hours, rate=rate
    )
    return Regimen(phases=(phase,), label=f"{rate} {route} for {hours:g} h")
