"""The episode replayed for the course of care: its state at a moment, and when it ends."""

from __future__ import annotations

from datetime import datetime

from ketamine_cds.domain.bedside.state import EpisodeState, replay
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.protocols.schema import Protocol


def last_moment(episode: Episode) -> datetime:
    """The time of the episode's last event (its start, if it has none)."""
    return max([episode.started_at, *(event.at for event in episode.events)])


def state_at(episode: Episode, protocol: Protocol, at: datetime | None = None) -> EpisodeState:
    """The bedside engine's replay of the episode at ``at`` (by default, its last event)."""
    routes = {phase.id: phase.route for phase in protocol.phases}
    moment = last_moment(episode) if at is None else at
    return replay(episode, routes, protocol.phases[0].id, moment)
