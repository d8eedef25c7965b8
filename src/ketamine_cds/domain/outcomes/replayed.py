"""The episode replayed once for the course of care: its state and its events at a moment.

Every measure of an episode (response, course, MED, classification) reads the same replay, so
an audit of a thousand episodes replays each once, and every measure sees the same events
(corrections applied, entries in error left out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ketamine_cds.domain.bedside.state import EpisodeState, replay, visible_events
from ketamine_cds.domain.episode import AnyEvent, Episode, Observation, OpioidUse, OutcomeAssessment
from ketamine_cds.domain.protocols.schema import Protocol


def last_moment(episode: Episode) -> datetime:
    """The time of the episode's last event (its start, if it has none)."""
    return max([episode.started_at, *(event.at for event in episode.events)])


def last_measurement(episode: Episode) -> datetime:
    """The time of the last pain score, opioid figure or assessment (else the last event).

    Response is judged on what was measured: an administrative entry made later (a discharge
    acknowledgement, say) does not move the 24 hours it is judged over.
    """
    measured = (Observation, OpioidUse, OutcomeAssessment)
    times = [event.at for event in episode.events if isinstance(event, measured)]
    return max(times) if times else last_moment(episode)


@dataclass(frozen=True)
class Replayed:
    """An episode at a moment: the engine's state and the events that count."""

    episode: Episode
    protocol: Protocol
    at: datetime
    state: EpisodeState
    events: tuple[AnyEvent, ...]


def replayed(episode: Episode, protocol: Protocol, at: datetime | None = None) -> Replayed:
    """The episode replayed at ``at`` (by default, its last event)."""
    moment = last_moment(episode) if at is None else at
    routes = {phase.id: phase.route for phase in protocol.phases}
    state = replay(episode, routes, protocol.phases[0].id, moment)
    events = tuple(event for _, event in visible_events(episode, moment))
    return Replayed(episode, protocol, moment, state, events)


def state_at(episode: Episode, protocol: Protocol, at: datetime | None = None) -> EpisodeState:
    """The bedside engine's replay of the episode at ``at`` (by default, its last event)."""
    return replayed(episode, protocol, at).state
