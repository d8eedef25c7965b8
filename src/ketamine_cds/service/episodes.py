"""Bedside use cases: load an episode, look up its protocol, recommend now, replay every event.

Each output records the protocol id and version and the software version beside the
recommendation, so any past answer can be replayed and explained.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ketamine_cds import __version__
from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.adapters.episode_files import read_episode_file
from ketamine_cds.domain.bedside import Recommendation, recommend
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.service.protocols import load_protocol


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


def recommend_for(episode: Episode, at: datetime) -> Recommendation:
    """The recommendation at ``at`` for an episode already read."""
    return recommend(episode, load_protocol(episode.protocol.id), limit_table(), at)


def replay_episode(episode: Episode) -> list[Recommendation]:
    """The recommendation at the start and after every event, in order."""
    moments = [episode.started_at, *(event.at for event in episode.events)]
    unique = sorted(set(moments))
    return [recommend_for(episode, moment) for moment in unique]


def as_record(recommendation: Recommendation) -> dict[str, Any]:
    """A recommendation as JSON-ready data, with the software version that produced it."""
    data = recommendation.model_dump(mode="json")
    data["software_version"] = __version__
    return data


def recommend_file(path: Path, at: datetime) -> dict[str, Any]:
    """Read an episode file and recommend at ``at``."""
    return as_record(recommend_for(read_episode_file(path), at))


def replay_file(path: Path) -> list[dict[str, Any]]:
    """Read an episode file and replay it."""
    return [as_record(item) for item in replay_episode(read_episode_file(path))]
