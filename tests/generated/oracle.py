"""What every bedside recommendation must respect, written from the sources, not from the engine.

This oracle never calls the engine, its replay (``domain/bedside/state.py``) or its criteria
code. It reads only the episode model, the protocol model, and the recommendation the engine
returned, and it states the product's hard limits itself, each with its source, so that a wrong
limit in the product's data cannot hide a wrong answer.

Each invariant is one small function that returns the findings (empty when it holds). Where the
sources leave room, the oracle takes the reading that is safer for the patient and says so in
the function's docstring; :data:`READINGS` lists those choices in one place.

Sources (``seed 00N`` as in ``/work/shared/seeds/README.md``):

- seed 000: Okon T. Pain Physician 2007;10:493-500, Table 1 (Marshfield protocol).
- seed 003: IASP Pain: Clinical Updates on ketamine (bioavailability by route).
- seed 004: FPM ANZCA position paper 2016, 5. Infusion protocol and Appendix 2.
- Schwenk ES et al. Consensus guidelines on intravenous ketamine infusions for acute pain.
  Reg Anesth Pain Med 2018;43:456-466.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, get_args

from ketamine_cds.domain.bedside import Recommendation
from ketamine_cds.domain.episode import (
    AnyEvent,
    DoseGiven,
    EnteredInError,
    Episode,
    Observation,
    Pause,
    PhaseChange,
    PhysicianDecision,
    PhysicianOverride,
    RateChange,
    Resume,
    Stop,
)
from ketamine_cds.domain.protocols.schema import (
    Criterion,
    Phase,
    Protocol,
    SideEffectRule,
    Unspecified,
)
from ketamine_cds.domain.units import Duration, Mass, PerKgMass, PerKgRate, Rate
from ketamine_cds.domain.vocabulary import Observed, Route

# -- the product's hard limits, as the product defines them, with their sources ------------------

HARD_RATE_MG_PER_KG_H = 1.0
"""Infusion rate (continuous or timed, any route): seed 004 Appendix 2 puts ICU sedation at
1 mg/kg/h; Schwenk 2018: analgesic infusions not to exceed 1 mg/kg/h outside intensive care."""

SINGLE_DOSE_MG_PER_KG: dict[Route, float] = {
    # seed 004 Appendix 2: anaesthesia 1-3 mg/kg IV (WHO 2006: 1-4.5 mg/kg IV).
    Route.IV: 1.0,
    # seed 004 Appendix 2 citing WHO 2006: intramuscular anaesthesia 6.5-13 mg/kg (the lowest);
    # seed 003: SC and IM absorption slower but ~90 % bioavailable, so SC is limited like IM.
    Route.SC: 6.5,
    Route.IM: 6.5,
    # The IV limit divided by the bioavailability, rounded down (seed 003: oral 23 %,
    # sublingual 32 %; seed 004 Appendix 2: nasal 50 %).
    Route.ORAL: 4.0,
    Route.SUBLINGUAL: 3.0,
    Route.INTRANASAL: 2.0,
}
"""Single dose given over 60 min or less, by route (mg per kg of body weight)."""

BIOAVAILABILITY: dict[Route, float] = {
    Route.IV: 1.0,
    Route.SC: 0.9,  # seed 003: "approximately 90% bioavailability" (SC or IM)
    Route.IM: 0.9,
    Route.ORAL: 0.23,  # seed 003: 23 % for oral lozenges
    Route.SUBLINGUAL: 0.32,  # seed 003: 32 % sublingual
    Route.INTRANASAL: 0.5,  # seed 004 Appendix 2: nasal 50 %
}
"""Fraction of a dose that reaches the circulation, for the IV-equivalent daily total."""

DAILY_IV_EQUIVALENT_MG_PER_KG = 24.0
"""Daily total in any 24 h, IV-equivalent: the hard rate sustained for a day (24 × 1 mg/kg/h)."""

DEFAULT_SOFT_RATE_MG_PER_KG_H = 0.5
"""Soft ceiling where a phase states none: seed 004, 5. Infusion protocol, "maximum 0.5 mg/kg/hr",
the highest maximum any shipped institutional protocol states (the product's default)."""

DEFAULT_SOFT_DOSE_MG_PER_KG = 0.35
"""Single-dose soft ceiling where a phase states none: Schwenk 2018, boluses not above
0.35 mg/kg (the product's default; never below the phase's own stated dose)."""

DEFAULT_FRESHNESS_H = 4.0
"""How old a reading may be where the protocol gives no interval: the product's default."""

TOLERANCE = 1e-9
"""Relative tolerance for "at or above": a value within one part in 10^9 of a limit is at it."""

SHOWN = 1e-4
"""The engine shows mg and mg/h to 4 decimals: "above a ceiling" and "covered by an override"
allow that rounding. "At or above a hard limit" does not: a number shown at the limit is at it,
whatever it was before."""

READINGS: dict[str, str] = {
    # Readings beyond the product's stated rules, safer for the patient: a finding resting on
    # one names it, so a count can tell a fault from a stricter reading.
    "held-rate": "A rate held on a paused pump counts for the hard limit as the pump's rate: "
    "restarting would run it.",
    "daily-total-continue": "With the 24 h total reached, nothing more may run: 'continue' at a "
    "positive rate or dose is refused like an increase.",
    "next-phase-raise": "A next phase at a rate above the rate running is a raise.",
    "start-dose": "A start with a dose (a bolus from nothing) is a raise.",
    "side-effect-rule": "A side-effect rule that stops (seed 004: dissociation, amnesia) is a "
    "stop criterion; one that pauses or calls the physician (seed 004: troublesome side "
    "effects) a notification, answered by a pause or a physician recorded at or after it.",
    "resume-without-pause": "A resume with no rate after a stop (or before any start) restarts "
    "the pump at the rate last set: the record says the pump was restarted. The product keeps "
    "such a restart as an anomaly instead (ADR 0044: 'a restart with no rate is kept as an "
    "anomaly and shown as record_inconsistent, never assumed away'), so for a limit reached "
    "only on this reading its record_inconsistent alert stands for the hard_limit or soft_limit "
    "alert; the answer still may not carry on at that rate, nor increase, but may continue at "
    "a rate set since when only the day's total rests on the reading.",
    "set-by-dose-or-resume": "The pain score for an increase must be later than the last dose "
    "given or restart, not only the last rate change (a resume with no rate of a pump already "
    "running, or of one that never held a rate, is no restart).",
    "dose-phase-rate-default": "A bolus or divided-dose phase states no rate ceiling: an "
    "infusion running in it has the product's default 0.5 mg/kg/h.",
    "timed-total-as-rate": "A timed infusion's total ceiling is a rate ceiling over its "
    "shortest allowed time.",
    "dose-ceiling": "A recommended single dose above the phase's dose ceiling (where none is "
    "stated, 0.35 mg/kg, never below the phase's own dose) needs an override or a soft-limit "
    "alert, like a rate.",
}
"""The readings the oracle takes beyond the product's stated rules, by the tag findings carry.

Readings the oracle takes without a tag, because the product states them: a single value beyond
a 'sustained' threshold forbids a raise (the product prompts a recheck); 'pain above goal' does
not forbid the step seed 001 orders for it; every dose_given is a single dose given over 60 min
or less (the format records no duration); a dose's route is the event's, else its phase's; the
daily total counts infusions and doses alike by their route's bioavailability (ADR 0042), across
phase changes; a hard-limit alert answers the soft ceiling for a rate at or above the
hard limit.
"""

Invariant = Literal[
    "internal_error",
    "refused_valid_episode",
    "rate_at_hard_limit",
    "dose_at_hard_limit",
    "hard_limit_without_alert",
    "raise_while_criterion_holds",
    "raise_on_stale_reading",
    "above_soft_ceiling_unflagged",
    "not_deterministic",
]
INVARIANTS: tuple[Invariant, ...] = get_args(Invariant)

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_CONTINUING = frozenset({"increase", "continue", "resume", "start"})
_PAIN_OR_VITALS = frozenset(
    {
        Observed.PAIN,
        Observed.VITALS,
        Observed.HEART_RATE,
        Observed.BLOOD_PRESSURE,
        Observed.RESPIRATORY_RATE,
        Observed.SPO2,
    }
)


@dataclass(frozen=True)
class Finding:
    """One invariant broken by one recommendation, in words, and the readings it rests on."""

    invariant: Invariant
    text: str
    readings: tuple[str, ...] = ()


# -- the episode at one moment, replayed by the oracle itself -------------------------------------


@dataclass(frozen=True)
class Given:
    """A dose given: when, how much, and by which route (the event's, else its phase's)."""

    at: datetime
    mg: float
    route: Route


@dataclass(frozen=True)
class Reading:
    """A criterion that holds on the current readings, and when the reading was taken."""

    kind: Literal["stop", "notify"]
    rule: str
    seen_at: datetime
    from_side_effect_rule: bool = False


@dataclass(frozen=True)
class Segment:
    """A stretch of infusion at one rate: when, mg/h, the route, and the readings it rests on."""

    begin: datetime
    end: datetime
    rate: float
    route: Route
    readings: tuple[str, ...] = ()


@dataclass
class Facts:
    """What the episode says at ``at``: pump, doses, readings, overrides."""

    episode: Episode
    protocol: Protocol
    at: datetime
    kg: float
    phase: Phase
    pump: Literal["off", "running", "paused", "stopped"] = "off"
    set_rate: float | None = None
    rate_readings: tuple[str, ...] = ()
    rate_set_at: datetime | None = None
    last_set_at: datetime | None = None
    first_given_at: datetime | None = None
    segments: list[Segment] = field(default_factory=list)
    doses: list[Given] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    answers: list[datetime] = field(default_factory=list)
    pauses: list[datetime] = field(default_factory=list)
    covered: list[float] = field(default_factory=list)
    covered_doses: list[float] = field(default_factory=list)
    open_overrides: int = 0

    @property
    def running_rate(self) -> float:
        """mg/h flowing now (0 unless the pump runs)."""
        return (self.set_rate or 0.0) if self.pump == "running" else 0.0

    @property
    def pump_rate(self) -> float:
        """mg/h on the pump: running, or held while paused (restarting would run it)."""
        return (self.set_rate or 0.0) if self.pump in {"running", "paused"} else 0.0

    def hard_rate(self) -> float:
        """The hard rate limit in mg/h for this patient."""
        return HARD_RATE_MG_PER_KG_H * self.kg


def mg_per_h(value: object, kg: float) -> float:
    """An episode's or protocol's rate (absolute or per kg) in mg/h for this patient."""
    if isinstance(value, PerKgRate):
        return value.mg_per_kg_per_h * kg
    if isinstance(value, Rate):
        return value.mg_per_h
    raise TypeError(f"not a single rate: {value!r}")


def mg_of(value: object, kg: float) -> float:
    """A dose (absolute or per kg) in mg for this patient."""
    if isinstance(value, PerKgMass):
        return value.mg_per_kg * kg
    if isinstance(value, Mass):
        return value.mg
    raise TypeError(f"not a single dose: {value!r}")


def _low(value: object) -> object:
    return getattr(value, "low", value)


def _high(value: object) -> object:
    return getattr(value, "high", value)


def counted(episode: Episode, at: datetime) -> list[AnyEvent]:
    """The events that count at ``at`` (the episode model's rules): those that happened by then,
    less any an event by then corrects (the correction is read instead) or withdraws in error."""
    happened = [event for event in episode.events if event.at <= at]
    replaced = {event.corrects for event in happened if event.corrects is not None}
    return [
        event
        for event in happened
        if not isinstance(event, EnteredInError) and (event.id is None or event.id not in replaced)
    ]


def replay_facts(episode: Episode, protocol: Protocol, at: datetime) -> Facts:
    """The oracle's own reading of the events at or before ``at``."""
    phases = {phase.id: phase for phase in protocol.phases}
    kg = episode.patient.body_weight.kg
    facts = Facts(episode, protocol, at, kg, phases[episode.phase or protocol.phases[0].id])
    since, flowing, route, readings = episode.started_at, 0.0, facts.phase.route, ()
    for event in counted(episode, at):
        _apply(facts, event, phases)
        if facts.running_rate != flowing:
            if flowing > 0:
                facts.segments.append(Segment(since, event.at, flowing, route, readings))
            since, flowing = event.at, facts.running_rate
            route, readings = facts.phase.route, facts.rate_readings
    if flowing > 0:
        facts.segments.append(Segment(since, at, flowing, route, readings))
    return facts


def _apply(facts: Facts, event: object, phases: dict[str, Phase]) -> None:  # noqa: C901, PLR0912 - one branch per kind of event
    kg = facts.kg
    if isinstance(event, Observation):
        facts.observations.append(event)
    elif isinstance(event, RateChange):
        facts.pump, facts.set_rate = "running", mg_per_h(event.rate, kg)
        facts.rate_set_at = facts.last_set_at = event.at
        facts.rate_readings = ()
        facts.first_given_at = facts.first_given_at or event.at
    elif isinstance(event, Resume):
        if event.rate is not None:
            facts.set_rate, facts.rate_set_at = mg_per_h(event.rate, kg), event.at
            facts.rate_readings = ()
        elif facts.pump in {"off", "stopped"}:
            facts.rate_readings = ("resume-without-pause",)
        if event.rate is not None or (facts.pump != "running" and facts.set_rate):
            facts.last_set_at = event.at  # with no rate, only a pump that held one restarts
        facts.pump = "running"
        if facts.set_rate:
            facts.first_given_at = facts.first_given_at or event.at
    elif isinstance(event, Pause):
        if facts.pump == "running":
            facts.pump = "paused"
        facts.pauses.append(event.at)
    elif isinstance(event, Stop):
        facts.pump = "stopped"
    elif isinstance(event, DoseGiven):
        route = event.route or facts.phase.route
        facts.doses.append(Given(event.at, mg_of(event.dose, kg), route))
        if facts.phase.kind in {"bolus", "divided_doses"}:
            facts.rate_set_at = event.at
        facts.last_set_at = event.at
        facts.first_given_at = facts.first_given_at or event.at
    elif isinstance(event, PhysicianOverride):
        facts.answers.append(event.at)
        limit = event.up_to
        if isinstance(limit, Mass | PerKgMass):
            facts.covered_doses.append(mg_of(limit, kg))
        elif limit is not None:
            facts.covered.append(mg_per_h(limit, kg))
        else:
            facts.open_overrides += 1
            if facts.set_rate is not None:
                facts.covered.append(facts.set_rate)
    elif isinstance(event, PhysicianDecision):
        facts.answers.append(event.at)
    elif isinstance(event, PhaseChange):
        facts.phase = phases[event.to_phase]


# -- the limits and readings the invariants use --------------------------------------------------


def dose_limit_mg(route: Route, kg: float) -> float:
    """The single-dose hard limit for ``route``; a route not listed gets the IV limit (safest)."""
    return SINGLE_DOSE_MG_PER_KG.get(route, SINGLE_DOSE_MG_PER_KG[Route.IV]) * kg


def iv_equivalent_24h(facts: Facts, without: str | None = None) -> float:
    """mg given in the 24 h up to ``at``, IV-equivalent: infusions and doses alike times their
    route's bioavailability, an infusion's route being its phase's when the rate was set (ADR
    0042 and ``data/limits.yaml`` hard-daily-total: "everything given in any 24 hours ... each
    dose times its route's bioavailability"; seed 003: SC about 90 %). ``without`` leaves out
    the infusion known only under that reading."""
    start = facts.at - timedelta(hours=24)
    total = 0.0
    for segment in _last_day(facts):
        if without in segment.readings:
            continue
        overlap = (min(segment.end, facts.at) - max(segment.begin, start)).total_seconds() / 3600
        total += segment.rate * overlap * BIOAVAILABILITY.get(segment.route, 1.0)
    for dose in facts.doses:
        if start < dose.at <= facts.at:
            total += dose.mg * BIOAVAILABILITY.get(dose.route, 1.0)
    return total


def _last_day(facts: Facts) -> list[Segment]:
    """The infusion stretches overlapping the 24 h up to ``at``."""
    start = facts.at - timedelta(hours=24)
    return [s for s in facts.segments if min(s.end, facts.at) > max(s.begin, start)]


def freshness(protocol: Protocol) -> timedelta:
    """How old a pain score may be to act on: the longest interval of the protocol's orders that
    observe pain or vitals (the high end of a range), else :data:`DEFAULT_FRESHNESS_H`."""
    hours = [
        _high(order.every).hours  # type: ignore[attr-defined]
        for order in (protocol.monitoring if isinstance(protocol.monitoring, list) else [])
        if order.every is not None and _PAIN_OR_VITALS & set(order.observe)
    ]
    return timedelta(hours=max(hours) if hours else DEFAULT_FRESHNESS_H)


def rate_ceiling(phase: Phase, kg: float) -> tuple[float, tuple[str, ...]]:
    """The phase's lowest rate ceiling in mg/h, and the reading it rests on: a timed infusion's
    total over its shortest time; else the product's default 0.5 mg/kg/h where the phase states
    no rate ceiling."""
    found: list[tuple[float, tuple[str, ...]]] = []
    for ceiling in phase.ceilings if isinstance(phase.ceilings, list) else []:
        limit = _low(ceiling.limit)
        if isinstance(limit, Rate | PerKgRate):
            found.append((mg_per_h(limit, kg), ()))
        elif phase.kind == "timed_infusion" and phase.over is not None:
            times = [_low(phase.over), *phase.over_options]
            shortest = min(t.hours for t in times if isinstance(t, Duration))
            found.append((mg_of(limit, kg) / shortest, ("timed-total-as-rate",)))
    if found:
        return min(found)
    stated = isinstance(phase.ceilings, Unspecified) or phase.kind not in {"bolus", "divided_doses"}
    return DEFAULT_SOFT_RATE_MG_PER_KG_H * kg, () if stated else ("dose-phase-rate-default",)


def dose_ceiling_mg(phase: Phase, kg: float) -> float:
    """The phase's lowest single-dose ceiling in mg. Where it states none: for doses divided over
    the day, the default rate ceiling spread over them (0.5 mg/kg/h × 24 h ÷ doses a day, the
    product's reading of a divided regimen as a 24-hour average); else the default single-dose
    0.35 mg/kg; never below the phase's own dose per administration."""
    ceilings = phase.ceilings if isinstance(phase.ceilings, list) else []
    found = [
        mg_of(_low(c.limit), kg)
        for c in ceilings
        if isinstance(_low(c.limit), Mass | PerKgMass) and phase.kind != "timed_infusion"
    ]
    if found:
        return min(found)
    default = DEFAULT_SOFT_DOSE_MG_PER_KG * kg
    if phase.kind == "divided_doses" and phase.doses_per_day:
        default = DEFAULT_SOFT_RATE_MG_PER_KG_H * kg * 24 / phase.doses_per_day
    own = [default]
    if phase.dose is not None:
        own.append(mg_of(_high(phase.dose), kg))
    if phase.daily is not None and phase.doses_per_day:
        own.append(mg_per_h(_high(phase.daily), kg) * 24 / phase.doses_per_day)
    return max(own)


def phase_of(recommendation: Recommendation, facts: Facts) -> Phase:
    """The phase a recommended rate or dose is for: a next phase's target when a reason names the
    transition, else the phase the recommendation names, else the oracle's current phase."""
    phases = {phase.id: phase for phase in facts.protocol.phases}
    if recommendation.action == "next_phase":
        rules = {reason.rule for reason in recommendation.reasons}
        for transition in facts.protocol.transitions:
            if transition.id in rules and transition.to_phase is not None:
                return phases[transition.to_phase]
    return phases.get(recommendation.phase or "", facts.phase)


def route_of(recommendation: Recommendation, facts: Facts) -> Route:
    """The route of a recommended dose: the recommendation's own, else its phase's."""
    route = getattr(recommendation, "route", None)
    if route:
        return Route(route)
    return phase_of(recommendation, facts).route


def current_criteria(facts: Facts) -> list[Reading]:
    """Stop and notification criteria, and side-effect rules, holding on the current readings."""
    protocol, found = facts.protocol, []
    for kind, criteria in (("stop", protocol.stop_if), ("notify", protocol.notify_if)):
        for criterion in criteria if not isinstance(criteria, Unspecified) else []:
            seen = _holds(criterion, facts)
            if seen is not None:
                found.append(Reading(kind, criterion.id, seen))  # type: ignore[arg-type]
    for rule in protocol.side_effects:
        seen = _side_effect(rule, facts)
        if seen is not None:
            kind = "stop" if rule.action == "stop" else "notify"
            found.append(Reading(kind, rule.id, seen, from_side_effect_rule=True))
    return found


def _holds(criterion: Criterion, facts: Facts) -> datetime | None:
    """When the reading was taken that makes ``criterion`` hold now, or None."""
    if criterion.vital is not None and criterion.value is not None:
        return _vital_holds(criterion, facts)
    latest = facts.observations[-1] if facts.observations else None
    if criterion.symptoms is not None and latest is not None:
        pool = latest.severe if criterion.severe else latest.symptoms
        return latest.at if set(criterion.symptoms) & set(pool) else None
    if criterion.no_effect_after is not None and facts.first_given_at is not None:
        since = facts.first_given_at
        pains = [o for o in facts.observations if o.pain is not None and o.at >= since]
        waited = facts.at - since >= timedelta(hours=criterion.no_effect_after.hours)
        if waited and pains and (pains[-1].pain or 0) >= facts.episode.baseline.pain:
            return pains[-1].at
    return None


def _vital_holds(criterion: Criterion, facts: Facts) -> datetime | None:
    """The latest value of the vital against its threshold; one value suffices even where the
    criterion says 'sustained' (the product prompts a recheck; no raise before it)."""
    name = criterion.vital.value if criterion.vital is not None else ""
    values = [o for o in facts.observations if getattr(o, name) is not None]
    if not values or criterion.value is None:
        return None
    threshold = criterion.value
    if criterion.from_baseline_percent:
        base = getattr(facts.episode.baseline, name, None)
        if base is None:
            return None  # cannot be judged; the oracle does not guess a baseline
        threshold = float(base) * (1 + criterion.value / 100)
    compare = _COMPARE[criterion.comparison or "gt"]
    return values[-1].at if compare(float(getattr(values[-1], name)), threshold) else None


def _side_effect(rule: SideEffectRule, facts: Facts) -> datetime | None:
    latest = facts.observations[-1] if facts.observations else None
    if latest is None:
        return None
    if rule.symptoms == "troublesome":
        return latest.at if latest.troublesome else None
    return latest.at if set(rule.symptoms) & set(latest.symptoms) else None


def _answered(reading: Reading, facts: Facts) -> bool:
    """A notification answered by a physician (or, for a pause rule, a pause) at or after it."""
    if reading.kind == "stop":
        return False
    if any(when >= reading.seen_at for when in facts.answers):
        return True
    return reading.from_side_effect_rule and any(when >= reading.seen_at for when in facts.pauses)


def raise_kind(rec: Recommendation, facts: Facts) -> tuple[bool, tuple[str, ...]]:
    """Whether the answer raises what the patient gets, and the reading that makes it one."""
    action, rate = rec.action, rec.rate_mg_per_h
    if action == "increase":
        return True, ()
    if action == "start" and rec.dose_mg:
        return True, ("start-dose",)
    if action not in {"start", "resume", "next_phase"}:
        return False, ()
    if rate is None:
        rate = facts.pump_rate if action == "resume" else 0.0
    above = rate > facts.running_rate * (1 + TOLERANCE) + TOLERANCE
    return above, ("next-phase-raise",) if action == "next_phase" else ()


def _at_least(value: float, limit: float) -> bool:
    return value >= limit * (1 - TOLERANCE)


def _above(value: float, limit: float) -> bool:
    return value > limit * (1 + TOLERANCE) + SHOWN


def _kinds(recommendation: Recommendation) -> set[str]:
    return {alert.kind for alert in recommendation.alerts}


def _unexplained_restart_shown(readings: tuple[str, ...], kinds: set[str]) -> bool:
    """A rate known only by reading a restart with no rate as the last rate (ADR 0044: shown as
    ``record_inconsistent``, not assumed) is answered by that alert."""
    return "resume-without-pause" in readings and "record_inconsistent" in kinds


def _fmt(value: float) -> str:
    return f"{value:.4g}"


# -- the invariants ----------------------------------------------------------------------------


def no_rate_at_hard_limit(rec: Recommendation, facts: Facts) -> list[Finding]:
    """No recommended rate at or above 1 mg/kg/h (seed 004 Appendix 2; Schwenk 2018)."""
    hard = facts.hard_rate()
    if rec.rate_mg_per_h is None or not _at_least(rec.rate_mg_per_h, hard):
        return []
    text = (
        f"{rec.action} at {_fmt(rec.rate_mg_per_h)} mg/h, at or above the hard limit "
        f"{_fmt(hard)} mg/h ({HARD_RATE_MG_PER_KG_H:g} mg/kg/h at {_fmt(facts.kg)} kg)"
    )
    return [Finding("rate_at_hard_limit", text)]


def no_dose_at_hard_limit(rec: Recommendation, facts: Facts) -> list[Finding]:
    """No recommended dose at or above its route's single-dose limit (seed 004 Appendix 2 and
    WHO 2006; seed 003 bioavailability); the route is the recommendation's, else its phase's."""
    if rec.dose_mg is None:
        return []
    route = route_of(rec, facts)
    limit = dose_limit_mg(route, facts.kg)
    if not _at_least(rec.dose_mg, limit):
        return []
    text = (
        f"{rec.action} with a dose of {_fmt(rec.dose_mg)} mg {route.value}, at or above the "
        f"{route.value} single-dose hard limit {_fmt(limit)} mg"
    )
    return [Finding("dose_at_hard_limit", text)]


def hard_limits_reached(facts: Facts) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each hard limit reached now: (what, its kind: rate, dose or total, readings)."""
    reached: list[tuple[str, str, tuple[str, ...]]] = []
    hard = facts.hard_rate()
    if facts.pump_rate and _at_least(facts.pump_rate, hard):
        held = facts.rate_readings + (() if facts.pump == "running" else ("held-rate",))
        state = "running" if facts.pump == "running" else "held on the paused pump"
        reached.append((f"{_fmt(facts.pump_rate)} mg/h {state} (limit {_fmt(hard)})", "rate", held))
    for dose in facts.doses:
        limit = dose_limit_mg(dose.route, facts.kg)
        if dose.at > facts.at - timedelta(hours=24) and _at_least(dose.mg, limit):
            what = f"{_fmt(dose.mg)} mg {dose.route.value} given {dose.at.isoformat()}"
            reached.append((f"{what} (limit {_fmt(limit)} mg)", "dose", ()))
    total, daily = iv_equivalent_24h(facts), DAILY_IV_EQUIVALENT_MG_PER_KG * facts.kg
    if _at_least(total, daily):
        readings = tuple(sorted({r for s in _last_day(facts) for r in s.readings}))
        if readings and _at_least(iv_equivalent_24h(facts, without=readings[0]), daily):
            readings = ()  # reached without the infusion that rests on the reading
        what = f"{_fmt(total)} mg IV-equivalent in 24 h (limit {_fmt(daily)})"
        reached.append((what, "total", readings))
    return reached


def hard_limit_alerted(rec: Recommendation, facts: Facts) -> list[Finding]:
    """A hard limit reached by the pump, by a dose given in the last 24 h, or by the 24 h total
    comes with a ``hard_limit`` alert, and the answer does not carry on past it: no increase,
    continue or resume at a rate at the limit; no increase after a dose at the limit; nothing
    more given once the day's total is reached (seed 004 Appendix 2; the product's rule "a hard
    limit refuses; nothing overrides it")."""
    found: list[Finding] = []
    kinds = _kinds(rec)
    rate, action = rec.rate_mg_per_h, rec.action
    for what, kind, readings in hard_limits_reached(facts):
        if not ("hard_limit" in kinds or _unexplained_restart_shown(readings, kinds)):
            found.append(
                Finding("hard_limit_without_alert", f"no hard_limit alert: {what}", readings)
            )
        carries_on = action == "increase"
        tags = readings
        if kind == "rate" and action in _CONTINUING:
            carries_on = rate is None or _at_least(rate, facts.hard_rate())
        if kind == "total" and action in _CONTINUING:
            carries_on = bool(rec.dose_mg) or rate is None or rate > 0
            if action != "increase" and _unexplained_restart_shown(readings, kinds):
                carries_on = False  # the total rests on a rate the record does not give
            tags = (*readings, "daily-total-continue") if action == "continue" else readings
        if carries_on:
            text = f"{action} (rate {rate}, dose {rec.dose_mg}) although {what}"
            found.append(Finding("hard_limit_without_alert", text, tags))
    return found


def no_raise_while_criterion_holds(rec: Recommendation, facts: Facts) -> list[Finding]:
    """No raise while a stop criterion holds, or a notification no physician has answered, on the
    current readings, pauses included (seed 000 Table 1 stop rules; seed 001 notification
    thresholds; seed 004 5. Infusion protocol). A single value beyond a sustained threshold
    already forbids it; pain above goal does not (seed 001 orders the step for it)."""
    raising, readings = raise_kind(rec, facts)
    if not raising:
        return []
    holding = [r for r in current_criteria(facts) if not _answered(r, facts)]
    found = []
    for reading in holding:
        tags = (*readings, "side-effect-rule") if reading.from_side_effect_rule else readings
        text = f"{rec.action} while {reading.kind} {reading.rule} holds (seen {reading.seen_at})"
        found.append(Finding("raise_while_criterion_holds", text, tags))
    return found


def no_raise_on_stale_reading(rec: Recommendation, facts: Facts) -> list[Finding]:
    """An increase needs the latest pain score above goal, no older than the protocol's longest
    pain or vitals interval (else 4 h), and later than the rate was last set (seed 001: titrate
    on the pain assessed; the product's rule that readings have an age)."""
    if rec.action != "increase":
        return []
    window = freshness(facts.protocol)
    pains = [o for o in facts.observations if o.pain is not None]
    goal = facts.episode.pain_goal
    tags: tuple[str, ...] = ()
    if not pains:
        problem = "no pain score has been recorded"
    elif (pains[-1].pain or 0) <= goal:
        problem = f"the latest pain score {pains[-1].pain}/10 is not above the goal {goal}/10"
    elif facts.at - pains[-1].at > window:
        problem = f"the latest pain score is {facts.at - pains[-1].at} old (window {window})"
    elif facts.rate_set_at is not None and pains[-1].at <= facts.rate_set_at:
        problem = f"the latest pain score predates the rate set at {facts.rate_set_at}"
    elif facts.last_set_at is not None and pains[-1].at <= facts.last_set_at:
        problem = f"the latest pain score predates the dose or restart at {facts.last_set_at}"
        tags = ("set-by-dose-or-resume",)
    else:
        return []
    return [Finding("raise_on_stale_reading", f"increase although {problem}", tags)]


def nothing_above_soft_ceiling_unflagged(rec: Recommendation, facts: Facts) -> list[Finding]:
    """A rate (recommended or running) or a recommended dose above the phase's soft ceiling needs
    a physician's override covering it or a ``soft_limit`` alert (seed 001 and seed 004
    ceilings; the product's defaults where the phase states none). A running rate is excused
    when the answer brings it within the ceiling (stop, pause, or a lower rate)."""
    kinds = _kinds(rec)
    if "soft_limit" in kinds:
        return []
    phase, found = phase_of(rec, facts), []
    rates = []
    if rec.rate_mg_per_h is not None:
        rates.append(("recommended", rec.rate_mg_per_h, phase))
    lowering = rec.rate_mg_per_h is not None and rec.action not in {"increase", "continue"}
    if facts.running_rate:
        ceiling, _ = rate_ceiling(facts.phase, facts.kg)
        if not (lowering and not _above(rec.rate_mg_per_h or 0.0, ceiling)):
            rates.append(("running", facts.running_rate, facts.phase))
    for what, rate, where in rates:
        ceiling, tags = rate_ceiling(where, facts.kg)
        tags += facts.rate_readings if what == "running" else ()
        covered = any(_at_least(limit + SHOWN, rate) for limit in facts.covered)
        hard = _at_least(rate, facts.hard_rate()) and "hard_limit" in kinds
        unexplained = _unexplained_restart_shown(tags, kinds)
        if _above(rate, ceiling) and not covered and not hard and not unexplained:
            text = f"{what} rate {_fmt(rate)} mg/h above the ceiling {_fmt(ceiling)} mg/h"
            found.append(Finding("above_soft_ceiling_unflagged", f"{rec.action}: {text}", tags))
    if rec.dose_mg is not None and phase.kind in {"bolus", "divided_doses"}:
        ceiling = dose_ceiling_mg(phase, facts.kg)
        covered = any(_at_least(limit + SHOWN, rec.dose_mg) for limit in facts.covered_doses)
        if facts.open_overrides:
            covered = True  # an override naming no figure: read as covering (the lenient reading)
        if _above(rec.dose_mg, ceiling) and not covered and "hard_limit" not in kinds:
            text = f"{rec.action}: dose {_fmt(rec.dose_mg)} mg above the ceiling {_fmt(ceiling)} mg"
            found.append(Finding("above_soft_ceiling_unflagged", text, ("dose-ceiling",)))
    return found


CHECKS: tuple[Callable[[Recommendation, Facts], list[Finding]], ...] = (
    no_rate_at_hard_limit,
    no_dose_at_hard_limit,
    hard_limit_alerted,
    no_raise_while_criterion_holds,
    no_raise_on_stale_reading,
    nothing_above_soft_ceiling_unflagged,
)


def judge(
    episode: Episode, protocol: Protocol, at: datetime, recommendation: Recommendation
) -> list[Finding]:
    """Every finding against one recommendation made at ``at``."""
    facts = replay_facts(episode, protocol, at)
    return [finding for check in CHECKS for finding in check(recommendation, facts)]


def deterministic(
    first: Recommendation, again: Recommendation, truncated: Recommendation
) -> list[Finding]:
    """The same episode twice gives equal answers, and events after ``at`` change nothing: the
    answer equals that of the episode cut at ``at`` (the product's replay promise, ADR 0040)."""
    found = []
    if first != again:
        found.append(Finding("not_deterministic", "the same episode gave two answers"))
    if first != truncated:
        text = (
            f"the episode cut at the moment asked about gives {truncated.action} (rate "
            f"{truncated.rate_mg_per_h}, dose {truncated.dose_mg}), the whole episode "
            f"{first.action} (rate {first.rate_mg_per_h}, dose {first.dose_mg})"
        )
        found.append(Finding("not_deterministic", text))
    return found


def cut(episode: Episode, at: datetime) -> Episode:
    """The episode with only the events at or before ``at``."""
    return episode.model_copy(update={"events": [e for e in episode.events if e.at <= at]})
