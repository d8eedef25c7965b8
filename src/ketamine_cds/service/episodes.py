"""Bedside use cases: what the protocol says to do now, and after every event of an episode.

Each answer records the protocol id and version and the software version beside the
recommendation, so any past answer can be replayed and explained.
"""

from __future__ import annotations

from datetime import datetime

from ketamine_cds.domain.bedside import recommend
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.service.ports import ProtocolSource
from ketamine_cds.service.results import RecommendationRecord, published


def parse_time(text: str) -> datetime:
    """Read a timezone-aware ISO 8601 time, e.g. ``2024-03-02T08:00Z``."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserInputError(
            f"'{text}' is not a time; write it as ISO 8601 with a zone (2024-03-02T08:00Z)"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise UserInputError(f"the time '{text}' has no time zone; add one (e.g. Z or +01:00)")
    return moment


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
