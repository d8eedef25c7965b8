"""The episode so far, replayed event by event into what the engine needs to decide.

Only events at or before the moment asked about are replayed, so an event recorded later can
never change an earlier recommendation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ketamine_cds.domain.episode import (
    AnyEvent,
    DoseGiven,
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
from ketamine_cds.domain.units import BodyWeight, Mass, Rate

Status = Literal["not_started", "running", "paused", "stopped"]


@dataclass(frozen=True)
class Change:
    """One rate change made at the bedside, with its position in the episode."""

    at: datetime
    old: Rate | None
    new: Rate
    by: str
    position: int


@dataclass
class EpisodeState:
    """Everything known at one moment; built by :func:`replay`, read by the engine."""

    phase_id: str
    phase_since: datetime
    weight: BodyWeight
    status: Status = "not_started"
    rate: Rate | None = None
    started_at: datetime | None = None
    first_started_at: datetime | None = None
    paused_at: datetime | None = None
    resumed_position: int = 0
    stopped_at: datetime | None = None
    side_effect_pauses: int = 0
    changes: list[Change] = field(default_factory=list)
    sessions: list[datetime] = field(default_factory=list)
    doses: list[tuple[datetime, Mass, int]] = field(default_factory=list)
    observations: list[tuple[int, Observation]] = field(default_factory=list)
    prn_given: list[PrnGiven] = field(default_factory=list)
    opioid_use: list[OpioidUse] = field(default_factory=list)
    overrides: list[PhysicianOverride] = field(default_factory=list)
    override_rates: list[Rate] = field(default_factory=list)
    decisions: list[PhysicianDecision] = field(default_factory=list)
    phase_changes: list[PhaseChange] = field(default_factory=list)

    def phase_observations(self) -> list[Observation]:
        """Observations made since the current phase began."""
        return [obs for _, obs in self.observations if obs.at >= self.phase_since]

    def pains(self, since: datetime | None = None) -> list[tuple[datetime, int]]:
        """Pain scores recorded (since a time, if given), oldest first."""
        return [
            (obs.at, obs.pain)
            for _, obs in self.observations
            if obs.pain is not None and (since is None or obs.at >= since)
        ]

    def last_change(self) -> Change | None:
        """The latest rate change in this phase."""
        return self.changes[-1] if self.changes else None

    def last_increase(self) -> Change | None:
        """The latest rate change upwards in this phase."""
        ups = [c for c in self.changes if c.old is not None and c.new > c.old]
        return ups[-1] if ups else None

    def acknowledged(self, when: datetime) -> bool:
        """Whether a physician decided (or overrode) at or after ``when``."""
        return any(d.at >= when for d in self.decisions) or any(
            o.at >= when for o in self.overrides
        )


def replay(episode: Episode, first_phase: str, at: datetime) -> EpisodeState:
    """Replay every event up to and including ``at``."""
    weight = episode.patient.body_weight
    state = EpisodeState(
        phase_id=episode.phase or first_phase, phase_since=episode.started_at, weight=weight
    )
    for position, event in enumerate(episode.events, start=1):
        if event.at > at:
            break
        _apply(state, event, position)
    return state


def _apply(state: EpisodeState, event: AnyEvent, position: int) -> None:  # noqa: C901, PLR0912, PLR0915 - one branch per kind of event
    weight = state.weight
    if isinstance(event, Observation):
        state.observations.append((position, event))
    elif isinstance(event, RateChange):
        new = rate_of(event.rate, weight)  # type: ignore[arg-type]
        old = state.rate if state.status == "running" else None
        if state.status in {"not_started", "stopped"} or state.started_at is None:
            state.started_at = event.at
            state.first_started_at = state.first_started_at or event.at
            state.sessions.append(event.at)
        elif state.status == "paused":
            state.sessions.append(event.at)
            state.resumed_position = position
        state.changes.append(Change(event.at, old, new, event.by, position))
        state.rate, state.status = new, "running"
        state.paused_at = state.stopped_at = None
    elif isinstance(event, Pause):
        state.status, state.paused_at = "paused", event.at
        state.side_effect_pauses += int(event.for_side_effects)
    elif isinstance(event, Resume):
        if event.rate is not None:
            new = rate_of(event.rate, weight)  # type: ignore[arg-type]
            state.changes.append(Change(event.at, None, new, event.by, position))
            state.rate = new
        state.status, state.paused_at = "running", None
        state.sessions.append(event.at)
        state.resumed_position = position
    elif isinstance(event, Stop):
        state.status, state.stopped_at = "stopped", event.at
    elif isinstance(event, DoseGiven):
        dose = event.dose
        assert isinstance(dose, Mass)  # noqa: S101 - a range is refused when the file is read
        state.doses.append((event.at, dose, position))
        if state.started_at is None:
            state.started_at = event.at
            state.first_started_at = state.first_started_at or event.at
        state.status = "running"
    elif isinstance(event, PrnGiven):
        state.prn_given.append(event)
    elif isinstance(event, OpioidUse):
        state.opioid_use.append(event)
    elif isinstance(event, PhysicianOverride):
        state.overrides.append(event)
        limit = event.up_to
        covered = rate_of(limit, weight) if limit is not None else state.rate  # type: ignore[arg-type]
        if covered is not None:
            state.override_rates.append(covered)
    elif isinstance(event, PhysicianDecision):
        state.decisions.append(event)
    elif isinstance(event, PhaseChange):
        state.phase_changes.append(event)
        state.phase_id, state.phase_since = event.to_phase, event.at
        state.changes, state.doses, state.sessions = [], [], []
        state.started_at = None
