"""The record's reading use cases: show, list, export, and replay what was stored.

A replay sees what the recommendation saw: the protocol and limit table by the content hash
stored with it (kept in the record's archive), and only the events written at or before the
moment it was made, so an observation entered late never changes an answer already shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketamine_cds.domain.bedside import recommend
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.domain.record import (
    EpisodeHeader,
    StoredEvent,
    StoredRecommendation,
    Verification,
    WeightEntry,
)
from ketamine_cds.service.ports import UnitOfWork
from ketamine_cds.service.record_support import (
    RecordDeps,
    authorised,
    episode_of,
    find_episode,
    known_events,
    output_text,
    protocol_of,
    refusals_kept,
)


@dataclass(frozen=True)
class EpisodeSummary:
    """One line of the list: the episode, whether its order is verified, its latest answer."""

    header: EpisodeHeader
    events: int
    order_verified: bool
    latest: StoredRecommendation | None


@dataclass(frozen=True)
class EpisodeDetail:
    """Everything the record holds about one episode."""

    summary: EpisodeSummary
    weights: tuple[WeightEntry, ...]
    events: tuple[StoredEvent, ...]
    recommendations: tuple[StoredRecommendation, ...]
    verifications: tuple[Verification, ...]


@dataclass(frozen=True)
class ExportedEpisode:
    """An episode in the interchange format, with what the format has no place for."""

    episode: Episode
    concentration_mg_per_ml: float | None
    protocol_hash: str
    recommendations: tuple[StoredRecommendation, ...]
    protocol: Protocol  # as the record keeps it under protocol_hash, not as it reads today


@dataclass(frozen=True)
class ReplayCheck:
    """One stored recommendation beside its replay."""

    stored: StoredRecommendation
    replayed: str

    @property
    def matches(self) -> bool:
        """The replay is the stored output, byte for byte."""
        return self.replayed == self.stored.output


def _summary(uow: UnitOfWork, header: EpisodeHeader) -> EpisodeSummary:
    events = uow.events.for_episode(header.id)
    verified = bool(uow.episodes.verifications(header.id)) or any(
        e.type in {"rate_change", "dose_given", "resume"} for e in events
    )
    return EpisodeSummary(header, len(events), verified, uow.recommendations.latest(header.id))


def show_episode(deps: RecordDeps, actor: str | None, episode_id: int) -> EpisodeDetail:
    """The episode with its weights, events, recommendations and verifications."""
    subject = f"episode/{episode_id}"
    with refusals_kept(deps, actor, "episode.read", subject, {}), deps.uow(writing=False) as uow:
        authorised(uow, actor, "episode.read")
        header = find_episode(uow, episode_id)
        return EpisodeDetail(
            summary=_summary(uow, header),
            weights=tuple(uow.episodes.weights(header.patient)),
            events=tuple(uow.events.for_episode(header.id)),
            recommendations=tuple(uow.recommendations.for_episode(header.id)),
            verifications=tuple(uow.episodes.verifications(header.id)),
        )


def list_episodes(
    deps: RecordDeps, actor: str | None, status: str | None = None
) -> list[EpisodeSummary]:
    """Episodes in the record (optionally only active or stopped ones), newest first."""
    if status not in {None, "active", "stopped"}:
        raise UserInputError(f"'{status}' is not an episode status; use active or stopped")
    with (
        refusals_kept(deps, actor, "episode.read", "episode/*", {}),
        deps.uow(writing=False) as uow,
    ):
        authorised(uow, actor, "episode.read")
        return [_summary(uow, header) for header in uow.episodes.find(status)]


def export_episode(deps: RecordDeps, actor: str | None, episode_id: int) -> ExportedEpisode:
    """The episode in the episode file format (every event, with its record identity)."""
    subject = f"episode/{episode_id}"
    with refusals_kept(deps, actor, "episode.read", subject, {}), deps.uow(writing=False) as uow:
        authorised(uow, actor, "episode.read")
        header = find_episode(uow, episode_id)
        events = known_events(uow.events.for_episode(header.id))
        return ExportedEpisode(
            episode=episode_of(header, events),
            concentration_mg_per_ml=header.concentration_mg_per_ml,
            protocol_hash=header.protocol_hash,
            recommendations=tuple(uow.recommendations.for_episode(header.id)),
            protocol=protocol_of(deps, uow, header),
        )


def replay_recommendation(
    deps: RecordDeps,
    uow: UnitOfWork,
    header: EpisodeHeader,
    events: list[StoredEvent],
    stored: StoredRecommendation,
) -> ReplayCheck:
    """Replay one stored recommendation from the archived protocol and the events it saw."""
    protocol_text = uow.archive.text(stored.protocol_hash)
    limits_text = uow.archive.text(stored.limits_hash)
    if protocol_text is None or limits_text is None:
        raise UserInputError(
            f"recommendation {stored.id} names a protocol or limit table the record does not keep"
        )
    answer = recommend(
        episode_of(header, known_events(events)),
        deps.protocols.protocol_from_text(protocol_text),
        deps.protocols.limits_from_text(limits_text),
        stored.at,
        known_at=stored.made_at,
    )
    return ReplayCheck(stored, output_text(answer))


def replay_stored(deps: RecordDeps, actor: str | None, episode_id: int) -> list[ReplayCheck]:
    """Every stored recommendation of the episode beside its replay."""
    subject = f"episode/{episode_id}"
    with refusals_kept(deps, actor, "episode.read", subject, {}), deps.uow(writing=False) as uow:
        authorised(uow, actor, "episode.read")
        header = find_episode(uow, episode_id)
        events = uow.events.for_episode(header.id)
        return [
            replay_recommendation(deps, uow, header, events, stored)
            for stored in uow.recommendations.for_episode(header.id)
        ]


@dataclass(frozen=True)
class WardEpisode:
    """An active episode as the ward board reads it: its summary and its events, rebuilt."""

    summary: EpisodeSummary
    episode: Episode


def ward_episodes(deps: RecordDeps, actor: str | None) -> list[WardEpisode]:
    """Every active episode with its events, read together, newest first."""
    with (
        refusals_kept(deps, actor, "episode.read", "episode/*", {}),
        deps.uow(writing=False) as uow,
    ):
        authorised(uow, actor, "episode.read")
        return [
            WardEpisode(
                _summary(uow, header),
                episode_of(header, known_events(uow.events.for_episode(header.id))),
            )
            for header in uow.episodes.find("active")
        ]


def active_episode_of_patient(deps: RecordDeps, patient: str) -> WardEpisode | None:
    """The patient's newest active episode with its events, or None.

    For a caller the record knows by its own credentials rather than as a user (an EHR's CDS
    Hooks call, authenticated by the EHR's signed token): no user is named, nothing is written.
    """
    with deps.uow(writing=False) as uow:
        for header in uow.episodes.find("active"):
            if header.patient == patient:
                events = known_events(uow.events.for_episode(header.id))
                return WardEpisode(_summary(uow, header), episode_of(header, events))
    return None
