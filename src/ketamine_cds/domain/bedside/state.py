"""The episode so far, replayed event by event into what the engine needs to decide.

Only events at or before the moment asked about are replayed (and, where a cut-off of knowledge
is given, only those written down by then), so an event recorded later can never change an
earlier recommendation. A correction replaces the event it names; an event entered in error no
longer counts. Any event may come in any phase: a dose during an infusion, a rate change in a
phase of doses, a pause with the pump already off. What the record does not explain is kept as an
anomaly for the engine to show, never assumed away.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from ketamine_cds.domain.episode import (
    AnyEvent,
    CompanionDrug,
    DoseGiven,
    EnteredInError,
    Episode,
    Observation,
    OpioidUse,
    Pause,
    PhaseChange,
    PhysicianDecision,
    PhysicianOverride,
    PrnGiven,
    RateChange,
    Resume,
    Stop,
    rate_of,
)
from ketamine_cds.domain.protocols.resolve import amount_for
from ketamine_cds.domain.units import BodyWeight, Mass, PerKgMass, Rate
from ketamine_cds.domain.vocabulary import PARENTERAL_ROUTES, Route

Status = Literal["not_started", "running", "paused", "stopped"]


@dataclass(frozen=True)
class Change:
    """One rate change made at the bedside, with its position in the episode."""

    at: datetime
    old: Rate | None
    new: Rate
    by: str
    position: int


@dataclass(frozen=True)
class Given:
    """One dose given, with its route (the event's, else its phase's)."""

    at: datetime
    dose: Mass
    route: Route
    position: int
    phase_id: str


@dataclass(frozen=True)
class Covered:
    """What a physician's override covers: up to a rate, or up to a single dose."""

    event: PhysicianOverride
    rate: Rate | None
    dose: Mass | None
    position: int


@dataclass
class EpisodeState:
    """Everything known at one moment; built by :func:`replay`, read by the engine."""

    phase_id: str
    phase_since: datetime
    weight: BodyWeight
    routes: dict[str, Route]
    status: Status = "not_started"
    rate: Rate | None = None
    pump_since: datetime | None = None
    started_at: datetime | None = None
    first_started_at: datetime | None = None
    paused_at: datetime | None = None
    paused_position: int = 0
    resumed_position: int = 0
    stopped_at: datetime | None = None
    side_effect_pauses: int = 0
    changes: list[Change] = field(default_factory=list)
    sessions: list[datetime] = field(default_factory=list)
    doses: list[Given] = field(default_factory=list)
    all_doses: list[Given] = field(default_factory=list)
    pump: list[tuple[datetime, Rate | None, Route]] = field(default_factory=list)
    observations: list[tuple[int, Observation]] = field(default_factory=list)
    prn_given: list[PrnGiven] = field(default_factory=list)
    opioid_use: list[OpioidUse] = field(default_factory=list)
    overrides: list[Covered] = field(default_factory=list)
    decisions: list[PhysicianDecision] = field(default_factory=list)
    phase_changes: list[PhaseChange] = field(default_factory=list)
    companions: list[CompanionDrug] = field(default_factory=list)
    anomalies: list[str] = field(default_factory=list)
    _vitals: dict[str, tuple[int, list[tuple[datetime, float]]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _pains: tuple[int, list[tuple[datetime, int]]] = field(
        default_factory=lambda: (-1, []), repr=False, compare=False
    )

    @property
    def route(self) -> Route:
        """The route of the current phase."""
        return self.routes[self.phase_id]

    @property
    def pump_route(self) -> Route:
        """The route a pump delivers by: the phase's if parenteral, else intravenous."""
        route = self.route
        return route if route in PARENTERAL_ROUTES else Route.IV

    @property
    def running(self) -> Rate | None:
        """The rate the pump is delivering now, if it is running."""
        return self.rate if self.status == "running" else None

    def vital_values(self, name: str) -> list[tuple[datetime, float]]:
        """Every recorded value of the vital sign ``name``, oldest first."""
        found = self._vitals.get(name)
        if found is None or found[0] != len(self.observations):
            values = [
                (obs.at, float(value))
                for _, obs in self.observations
                if (value := getattr(obs, name, None)) is not None
            ]
            found = (len(self.observations), values)
            self._vitals[name] = found
        return found[1]

    def phase_observations(self) -> list[Observation]:
        """Observations made since the current phase began."""
        return [obs for _, obs in self.observations if obs.at >= self.phase_since]

    def pains(self, since: datetime | None = None) -> list[tuple[datetime, int]]:
        """Pain scores recorded (since a time, if given), oldest first."""
        # The engine asks several times a recommendation, of every observation so far; they
        # are kept in time order (an episode's events are), so ``since`` is a search.
        if self._pains[0] != len(self.observations):
            found = [(obs.at, obs.pain) for _, obs in self.observations if obs.pain is not None]
            self._pains = (len(self.observations), found)
        found = self._pains[1]
        start = 0 if since is None else bisect_left(found, since, key=lambda pain: pain[0])
        return found[start:]

    def last_change(self) -> Change | None:
        """The latest rate change in this phase."""
        return self.changes[-1] if self.changes else None

    def last_increase(self) -> Change | None:
        """The latest rate change upwards in this phase."""
        ups = [c for c in self.changes if c.old is not None and c.new > c.old]
        return ups[-1] if ups else None

    def acknowledged(self, moment: datetime) -> bool:
        """Whether a physician decided (or overrode) at or after ``moment``."""
        return any(d.at >= moment for d in self.decisions) or any(
            o.event.at >= moment for o in self.overrides
        )

    def delivered_mg(self, since: datetime, until: datetime) -> list[tuple[float, Route]]:
        """Milligrams the pump delivered between two times, by route, from its rate history."""
        found: list[tuple[float, Route]] = []
        for index, (start, rate, route) in enumerate(self.pump):
            end = self.pump[index + 1][0] if index + 1 < len(self.pump) else until
            low, high = max(start, since), min(end, until)
            if rate is not None and high > low:
                found.append((rate.mg_per_h * (high - low) / timedelta(hours=1), route))
        return found


def visible_events(
    episode: Episode, at: datetime, known_at: datetime | None = None
) -> list[tuple[int, AnyEvent]]:
    """The events that count at ``at``: happened by then, written by ``known_at``, not withdrawn."""
    shown = [
        (position, event)
        for position, event in enumerate(episode.events, start=1)
        if event.at <= at and (known_at is None or (event.recorded_at or event.at) <= known_at)
    ]
    replaced = {event.corrects for _, event in shown if event.corrects is not None}
    return [
        (position, event)
        for position, event in shown
        if not isinstance(event, EnteredInError) and (event.id is None or event.id not in replaced)
    ]


def replay(
    episode: Episode,
    routes: dict[str, Route],
    first_phase: str,
    at: datetime,
    known_at: datetime | None = None,
) -> EpisodeState:
    """Replay every event that counts at ``at``."""
    state = EpisodeState(
        phase_id=episode.phase or first_phase,
        phase_since=episode.started_at,
        weight=episode.patient.body_weight,
        routes=routes,
    )
    for position, event in visible_events(episode, at, known_at):
        _apply(state, event, position)
    return state


def _apply(state: EpisodeState, event: AnyEvent, position: int) -> None:  # noqa: C901, PLR0912 - one branch per kind
    if isinstance(event, Observation):
        state.observations.append((position, event))
    elif isinstance(event, RateChange):
        _set_rate(state, rate_of(event.rate, state.weight), event.at, event.by, position)  # type: ignore[arg-type]
    elif isinstance(event, Pause):
        _pause(state, event, position)
    elif isinstance(event, Resume):
        _resume(state, event, position)
    elif isinstance(event, Stop):
        if state.status == "stopped":
            state.anomalies.append(f"event {position} stops an infusion already stopped")
        state.status, state.stopped_at, state.paused_at = "stopped", event.at, None
        state.pump.append((event.at, None, state.pump_route))
    elif isinstance(event, DoseGiven):
        _dose(state, event, position)
    elif isinstance(event, PrnGiven):
        state.prn_given.append(event)
    elif isinstance(event, OpioidUse):
        state.opioid_use.append(event)
    elif isinstance(event, PhysicianOverride):
        _override(state, event, position)
    elif isinstance(event, PhysicianDecision):
        state.decisions.append(event)
    elif isinstance(event, PhaseChange):
        _phase_change(state, event)
    elif isinstance(event, CompanionDrug):
        state.companions.append(event)


def _set_rate(state: EpisodeState, new: Rate, at: datetime, by: str, position: int) -> None:
    """The pump set to ``new``: a start, a restart after a pause or stop, or a change."""
    old = state.running
    if state.status in {"not_started", "stopped"} or state.pump_since is None:
        if state.status == "stopped" or state.started_at is None:
            state.started_at = at
        state.pump_since = at
        state.sessions.append(at)
    elif state.status == "paused":
        state.sessions.append(at)
        state.resumed_position = position
    state.first_started_at = state.first_started_at or at
    state.changes.append(Change(at, old, new, by, position))
    state.rate, state.status = new, "running"
    state.paused_at = state.stopped_at = None
    state.pump.append((at, new, state.pump_route))


def _pause(state: EpisodeState, event: Pause, position: int) -> None:
    if state.running is None:
        status = state.status.replace("_", " ")
        state.anomalies.append(
            f"event {position} pauses an infusion that is not running ({status})"
        )
        return
    state.status, state.paused_at, state.paused_position = "paused", event.at, position
    state.side_effect_pauses += int(event.for_side_effects)
    state.pump.append((event.at, None, state.pump_route))


def _resume(state: EpisodeState, event: Resume, position: int) -> None:
    given = None if event.rate is None else rate_of(event.rate, state.weight)  # type: ignore[arg-type]
    if state.status != "paused":
        if given is not None:
            _set_rate(state, given, event.at, event.by, position)
        elif state.status != "running":
            state.anomalies.append(
                f"event {position} restarts the infusion without a rate, and none is set"
            )
        return
    rate = given or state.rate
    if rate is None:
        state.anomalies.append(f"event {position} restarts a paused infusion with no rate known")
        return
    state.changes.append(Change(event.at, None, rate, event.by, position))
    state.rate, state.status, state.paused_at = rate, "running", None
    state.sessions.append(event.at)
    state.resumed_position = position
    state.pump.append((event.at, rate, state.pump_route))


def _dose(state: EpisodeState, event: DoseGiven, position: int) -> None:
    dose = event.dose
    if not isinstance(dose, Mass | PerKgMass):
        state.anomalies.append(f"event {position} gives a range, not the dose given")
        return
    given = Given(
        event.at, amount_for(dose, state.weight), event.route or state.route, position,
        state.phase_id,
    )
    state.doses.append(given)
    state.all_doses.append(given)
    if state.started_at is None:
        state.started_at = event.at
        state.first_started_at = state.first_started_at or event.at
    if state.status in {"not_started", "stopped"}:
        state.status = "running"
        state.stopped_at = None


def _override(state: EpisodeState, event: PhysicianOverride, position: int) -> None:
    limit = event.up_to
    rate = dose = None
    if isinstance(limit, Mass | PerKgMass):
        dose = amount_for(limit, state.weight)
    elif limit is not None:
        rate = rate_of(limit, state.weight)  # type: ignore[arg-type]
    else:
        rate = state.rate
    state.overrides.append(Covered(event, rate, dose, position))


def _phase_change(state: EpisodeState, event: PhaseChange) -> None:
    state.phase_changes.append(event)
    state.phase_id, state.phase_since = event.to_phase, event.at
    state.changes, state.doses, state.sessions = [], [], []
    running = state.running is not None
    state.started_at = event.at if running else None
    state.pump_since = event.at if running else None
    if running:
        state.pump.append((event.at, state.rate, state.pump_route))
