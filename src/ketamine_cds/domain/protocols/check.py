"""The one dose check: within the protocol, over a soft limit, or over a hard one.

Every dose or rate the product shows passes through here: a planned phase, a bedside
recommendation (start, increase, resume, next dose, conversion, taper step), an override's
ceiling, an EHR order, a simulated regimen. Hard limits are cited data by kind and route
(``data/limits.yaml``): an infusion rate, one dose by its route, everything given in 24 hours.

Nothing is clamped. A hard limit refuses and nothing overrides it; a soft limit is flagged and
says what an override needs (a physician and a reason). Numbers so large or so small they can
only be entry errors are refused before any check, with the µg-for-mg reading spelled out.
Without a protocol, only the product-wide limits and default soft ceilings apply, and the
result says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.figures import num, phase_by_id
from ketamine_cds.domain.protocols.limits import HardLimit, LimitKind, LimitTable
from ketamine_cds.domain.protocols.resolve import ResolvedPhase, min_over, resolve_phase
from ketamine_cds.domain.protocols.schema import Kind, Phase, Protocol
from ketamine_cds.domain.units import (
    BodyWeight,
    Duration,
    Mass,
    Measure,
    PerKgMass,
    PerKgRate,
    Rate,
)
from ketamine_cds.domain.vocabulary import Route

Verdict = Literal["within_protocol", "soft_limit_exceeded", "hard_limit_exceeded"]
OVERRIDE_SOFT = (
    "A physician may override this soft limit for this patient, recording their name and the "
    "reason; the override is shown with every later dose."
)
OVERRIDE_HARD = (
    "Nothing overrides a hard limit: this is anaesthetic territory, not an analgesic order."
)
NO_PROTOCOL = (
    "No protocol was named: only the product-wide hard limits and default soft ceilings apply."
)
_INFUSED: tuple[Kind, ...] = ("continuous", "timed_infusion")
# "At or above" a limit: figures equal but for unit arithmetic (24 mg/kg/day and 1 mg/kg/h)
# are at it.
_AT_LIMIT = 1e-9


@dataclass(frozen=True)
class LimitApplied:
    """The limit a check compared against."""

    id: str
    kind: Literal["soft", "hard"]
    value: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a dose check, with everything needed to explain it."""

    verdict: Verdict
    protocol_id: str | None
    protocol_version: str | None
    weight: BodyWeight
    checked: str
    per_kg: str
    phase_id: str | None
    limit: LimitApplied | None
    override: str | None
    reasons: tuple[str, ...]
    dose_bands: tuple[str, ...] = field(default=())
    kind: LimitKind = "infusion_rate"
    route: Route = Route.IV

    @property
    def within(self) -> bool:
        """Whether the value is within the protocol."""
        return self.verdict == "within_protocol"

    @property
    def hard(self) -> bool:
        """Whether a hard limit refuses the value."""
        return self.verdict == "hard_limit_exceeded"


def plausible(value: Rate | Mass, weight: BodyWeight, limits: LimitTable) -> None:
    """Refuse a non-positive value, or one only an entry error explains (µg for mg or back)."""
    is_rate = isinstance(value, Rate)
    what, unit, micro = ("rate", "mg/h", "µg/h") if is_rate else ("dose", "mg", "µg")
    bounds = limits.plausibility
    ceiling = bounds.max_rate if is_rate else bounds.max_dose
    floor = bounds.min_rate if is_rate else bounds.min_dose
    per_kg_value = value.magnitude() / weight.kg
    if not per_kg_value > 0:
        raise UserInputError(
            f"a {what} of {value} is not a {what} to check; give a positive {unit}"
        )
    if (
        isinstance(ceiling, Measure)
        and isinstance(floor, Measure)
        and ceiling.magnitude() >= per_kg_value >= floor.magnitude()
    ):
        return
    per_kg = value.per_weight(weight)
    if per_kg > ceiling:
        raise UserInputError(
            f"{_show(value)} is {num(per_kg.magnitude())} {per_kg.canonical_symbol()} for "
            f"{weight}, beyond any ketamine dose ({ceiling}); if it was entered in {micro} it is "
            f"{num(value.magnitude() / 1000)} {unit}"
        )
    if per_kg < floor:
        raise UserInputError(
            f"{_show(value)} is {num(per_kg.magnitude())} {per_kg.canonical_symbol()} for "
            f"{weight}, below any ketamine dose ({floor}); if {unit} was meant it is "
            f"{num(value.magnitude() * 1000)} {unit}"
        )


def _hard_applied(limit: HardLimit, value: Rate | Mass) -> LimitApplied:
    return LimitApplied(
        id=limit.id,
        kind="hard",
        value=f"{_show(value)} ({limit.limit})",
        text=limit.text,
        sources=tuple(str(s) for s in limit.sources),
    )


def _soft(item: ResolvedPhase, value: Rate | Mass) -> LimitApplied:
    ceiling = item.ceiling
    return LimitApplied(
        id=ceiling.rule_id,
        kind="soft",
        value=_show(value),
        text=ceiling.text,
        sources=tuple(str(s) for s in ceiling.sources),
    )


def _rate_ceiling(item: ResolvedPhase) -> Rate | None:
    """The fastest rate a phase allows: its ceiling, or a timed dose over its shortest time."""
    ceiling, phase = item.ceiling, item.phase
    if phase.kind == "timed_infusion":
        shortest = min_over(phase)
        if ceiling.dose is not None and shortest is not None:
            return ceiling.dose.over(shortest)
    if phase.kind == "divided_doses" and ceiling.rate is None and ceiling.dose is not None:
        per_day = phase.doses_per_day or 1
        return Mass.of(ceiling.dose.mg * per_day, "mg").over(Duration.of(1, "day"))
    return ceiling.rate


def _dose_ceiling(item: ResolvedPhase) -> Mass | None:
    return item.ceiling.dose


@dataclass(frozen=True)
class _Context:
    """What every verdict of one check shares."""

    protocol: Protocol | None
    weight: BodyWeight
    limits: LimitTable
    checked: str
    per_kg: str
    bands: tuple[str, ...]
    kind: LimitKind
    route: Route

    def result(
        self,
        verdict: Verdict,
        reasons: tuple[str, ...],
        *,
        limit: LimitApplied | None = None,
        phase_id: str | None = None,
    ) -> CheckResult:
        override = {
            "within_protocol": None,
            "soft_limit_exceeded": OVERRIDE_SOFT,
            "hard_limit_exceeded": OVERRIDE_HARD,
        }[verdict]
        if self.protocol is None:
            reasons = (*reasons, NO_PROTOCOL)
        return CheckResult(
            verdict=verdict,
            protocol_id=None if self.protocol is None else self.protocol.id,
            protocol_version=None if self.protocol is None else self.protocol.version,
            weight=self.weight,
            checked=self.checked,
            per_kg=self.per_kg,
            phase_id=phase_id,
            limit=limit,
            override=override,
            reasons=reasons,
            dose_bands=self.bands,
            kind=self.kind,
            route=self.route,
        )

    def hard(self, value: Rate | Mass) -> CheckResult | None:
        """The refusal when ``value`` is at or above its hard limit, else None."""
        rule, per_kg = self.limits.hard(self.kind, self.route)
        assert isinstance(per_kg, PerKgRate | PerKgMass)  # noqa: S101 - the table validates it
        limit = per_kg.for_weight(self.weight)
        if self.kind == "daily_total":
            assert isinstance(value, Mass)  # noqa: S101 - a daily total is an amount
            assert isinstance(limit, Rate)  # noqa: S101 - a per-kg daily limit is a rate
            limit = limit.for_duration(Duration.of(1, "day"))
        if value.magnitude() < limit.magnitude(value.canonical) * (1 - _AT_LIMIT):
            return None
        what = {
            "infusion_rate": "the infusion",
            "single_dose": f"one {self.route.value} dose",
            "daily_total": "24 hours (intravenous equivalent)",
        }[self.kind]
        return self.result(
            "hard_limit_exceeded",
            (
                (
                    f"{_show(value)} is at or above the hard limit for {what} of {_show(limit)} "
                    f"({per_kg}) for {self.weight} ({rule.id})."
                ),
            ),
            limit=_hard_applied(rule, limit),
        )


def _context(  # noqa: PLR0913 - every argument is a distinct clinical input
    protocol: Protocol | None,
    weight: BodyWeight,
    limits: LimitTable,
    value: Rate | Mass,
    *,
    kind: LimitKind,
    route: Route,
    over: Duration | None = None,
) -> _Context:
    per_kg = value.per_weight(weight)
    shown = f"{_show(value)}" + (f" over {over}" if over is not None else "")
    if kind == "daily_total":
        shown += " in 24 h (intravenous equivalent)"
    return _Context(
        protocol=protocol,
        weight=weight,
        limits=limits,
        checked=shown,
        per_kg=f"{num(per_kg.magnitude())} {per_kg.canonical_symbol()}",
        bands=tuple(band.id for band in limits.bands_for(per_kg)) if kind != "daily_total" else (),
        kind=kind,
        route=route,
    )


def _route_of(protocol: Protocol | None, phase_id: str | None, route: Route | None) -> Route:
    """The route asked about: given, else the phase's, else intravenous (the strictest)."""
    if route is not None:
        return route
    if protocol is not None and phase_id is not None:
        return phase_by_id(protocol, phase_id).route
    return Route.IV


def check_rate(  # noqa: PLR0913 - every argument is a distinct clinical input
    protocol: Protocol | None,
    weight: BodyWeight,
    rate: Rate,
    limits: LimitTable,
    *,
    phase_id: str | None = None,
    route: Route | None = None,
) -> CheckResult:
    """Check an infusion rate against the hard limit, then the protocol's soft ceilings."""
    limits.check_weight(weight)
    plausible(rate, weight, limits)
    way = _route_of(protocol, phase_id, route)
    context = _context(protocol, weight, limits, rate, kind="infusion_rate", route=way)
    refused = context.hard(rate)
    if refused is not None:
        return refused
    # A divided-dose phase's daily total is checked as its 24-hour average rate.
    kinds: tuple[Kind, ...] = (*_INFUSED, "divided_doses")
    phases = _candidates(protocol, weight, limits, phase_id=phase_id, kinds=kinds, route=route)
    return _against_ceilings(context, phases, rate, _rate_ceiling, "infusion rate")


def check_dose(  # noqa: PLR0913 - every argument is a distinct clinical input
    protocol: Protocol | None,
    weight: BodyWeight,
    dose: Mass,
    limits: LimitTable,
    *,
    over: Duration | None = None,
    phase_id: str | None = None,
    route: Route | None = None,
) -> CheckResult:
    """Check one dose: given over more than an hour it is an infusion and checked as a rate."""
    limits.check_weight(weight)
    plausible(dose, weight, limits)
    if over is not None and not over.hours > 0:
        raise UserInputError(f"a dose given over {over} is not a time; give minutes above zero")
    way = _route_of(protocol, phase_id, route)
    if over is not None and over > limits.bolus_max_over:
        return _timed_dose(
            protocol, weight, dose, limits, over=over, phase_id=phase_id, route=way
        )
    context = _context(protocol, weight, limits, dose, kind="single_dose", route=way, over=over)
    refused = context.hard(dose)
    if refused is not None:
        return refused
    phases = _candidates(
        protocol, weight, limits, phase_id=phase_id, kinds=("bolus", "divided_doses"), route=route
    )
    return _against_ceilings(context, phases, dose, _dose_ceiling, "single dose")


def _timed_dose(  # noqa: PLR0913 - every argument is a distinct clinical input
    protocol: Protocol | None,
    weight: BodyWeight,
    dose: Mass,
    limits: LimitTable,
    *,
    over: Duration,
    phase_id: str | None,
    route: Route,
) -> CheckResult:
    """A dose over more than an hour: its rate, and the total against timed phases' ceilings."""
    as_rate = check_rate(
        protocol, weight, dose.over(over), limits, phase_id=phase_id, route=route
    )
    if as_rate.hard or protocol is None:
        return as_rate
    context = _context(protocol, weight, limits, dose, kind="single_dose", route=route, over=over)
    timed = _candidates(
        protocol, weight, limits, phase_id=phase_id, kinds=("timed_infusion",), route=route
    )
    if not timed:
        return as_rate
    total = _against_ceilings(context, timed, dose, _dose_ceiling, "total dose")
    if total.within and as_rate.within:
        return replace(as_rate, phase_id=total.phase_id, reasons=as_rate.reasons + total.reasons)
    return total if not total.within else as_rate


def check_daily(
    protocol: Protocol | None,
    weight: BodyWeight,
    iv_equivalent: Mass,
    limits: LimitTable,
) -> CheckResult:
    """Check everything given in 24 hours, as intravenous equivalent, against the hard limit."""
    limits.check_weight(weight)
    context = _context(
        protocol, weight, limits, iv_equivalent, kind="daily_total", route=Route.IV
    )
    refused = context.hard(iv_equivalent)
    if refused is not None:
        return refused
    return context.result(
        "within_protocol",
        (f"{_show(iv_equivalent)} in 24 hours is below the daily hard limit.",),
    )


def _allows(phase: Phase, route: Route | None) -> bool:
    return route is None or route == phase.route or route in (phase.routes_allowed or [])


def _candidates(  # noqa: PLR0913 - every argument is a distinct clinical input
    protocol: Protocol | None,
    weight: BodyWeight,
    limits: LimitTable,
    *,
    phase_id: str | None,
    kinds: tuple[Kind, ...],
    route: Route | None,
) -> list[ResolvedPhase]:
    if protocol is None:
        return []
    phases = [phase_by_id(protocol, phase_id)] if phase_id else protocol.phases
    return [
        resolve_phase(p, weight, limits)
        for p in phases
        if p.kind in kinds and (phase_id is not None or _allows(p, route))
    ]


def _against_ceilings(
    context: _Context,
    phases: list[ResolvedPhase],
    value: Rate | Mass,
    ceiling_of: Callable[[ResolvedPhase], Rate | Mass | None],
    what: str,
) -> CheckResult:
    """Within the protocol if some phase allows it; otherwise the soft limit of the nearest."""
    shown = _show(value)
    if context.protocol is None:
        return _against_defaults(context, value, what)
    if not phases:
        by = f" by the {context.route.value} route" if what == "single dose" else ""
        return context.result(
            "soft_limit_exceeded",
            (f"The protocol has no phase that gives a {what}{by}; {shown} is outside it.",),
        )
    limited = [(item, ceiling_of(item)) for item in phases]
    within = [(item, c) for item, c in limited if c is None or not (c < value)]
    if within:
        item, ceiling = within[0]
        detail = "no ceiling applies" if ceiling is None else f"ceiling {_show(ceiling)}"
        return context.result(
            "within_protocol",
            (f"{shown} is within phase '{item.phase.id}' ({detail}).",),
            limit=None if ceiling is None else _soft(item, ceiling),
            phase_id=item.phase.id,
        )
    bounded = [(item, c) for item, c in limited if c is not None]
    item, ceiling = max(bounded, key=lambda pair: pair[1].magnitude())
    return context.result(
        "soft_limit_exceeded",
        (
            (
                f"{shown} is above the {what} ceiling of {_show(ceiling)} for phase "
                f"'{item.phase.id}' ({item.ceiling.rule_id})."
            ),
        ),
        limit=_soft(item, ceiling),
        phase_id=item.phase.id,
    )


def _against_defaults(context: _Context, value: Rate | Mass, what: str) -> CheckResult:
    """No protocol: the product-wide default soft ceilings."""
    limits, weight = context.limits, context.weight
    if isinstance(value, Rate):
        rule = limits.default_soft_ceiling
        ceiling: Rate | Mass = rule.limit.for_weight(weight)  # type: ignore[union-attr]
    else:
        bolus = limits.default_soft_bolus
        rule = bolus  # type: ignore[assignment]
        ceiling = bolus.limit.for_weight(weight)  # type: ignore[union-attr]
    applied = LimitApplied(
        id=rule.id,
        kind="soft",
        value=_show(ceiling),
        text=rule.text,
        sources=tuple(str(s) for s in rule.sources),
    )
    if value > ceiling:
        return context.result(
            "soft_limit_exceeded",
            (f"{_show(value)} is above the product-wide {what} ceiling of {_show(ceiling)}.",),
            limit=applied,
        )
    return context.result(
        "within_protocol",
        (f"{_show(value)} is within the product-wide {what} ceiling of {_show(ceiling)}.",),
        limit=applied,
    )


def _show(value: Rate | Mass) -> str:
    return f"{num(value.magnitude())} {value.canonical_symbol()}"


__all__ = [
    "CheckResult",
    "LimitApplied",
    "PerKgMass",
    "PerKgRate",
    "check_daily",
    "check_dose",
    "check_rate",
]
