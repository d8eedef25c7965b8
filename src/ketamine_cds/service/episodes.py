"""Bedside use cases: what the protocol says to do now, and after every event of an episode.

Each answer records the protocol id and version and the software version beside the
recommendation, so any past answer can be replayed and explained.
"""

from __future__ import annotations

from datetime import datetime

from ketamine_cds.domain.bedside import recommend
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.moments import parse_time
from ketamine_cds.service.ports import ProtocolSource
from ketamine_cds.service.results import RecommendationRecord, published

# parse_time is offered here too, where callers found it first.
__all__ = ["parse_time", "recommend_for", "replay_episode"]


def recommend_for(
    source: ProtocolSource, episode: Episode, at: datetime, known_at: datetime | None = None
) -> RecommendationRecord:
    """The recommendation at ``at`` for an episode (events written by ``known_at``, if given)."""
    protocol = source.get(episode.protocol.id).protocol
    return published(recommend(episode, protocol, source.limits().table, at, known_at))


def replay_episode(source: ProtocolSource, episode: Episode) -> list[RecommendationRecord]:
    """The recommendation at the start and after every event, in order."""
    moments = sorted({episode.started_at, *(event.at for event in episode.events)})
    return [recommend_for(source, episode, moment) for moment in moments]
