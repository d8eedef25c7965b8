"""What every record use case shares: the actor, the audit entry, the refusals kept.

Also the episode rebuilt from what is stored, as it was known at a moment.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from pydantic import TypeAdapter

from ketamine_cds import __version__
from ketamine_cds.domain.audit import EntryDraft, canonical_text, digest
from ketamine_cds.domain.bedside import Recommendation
from ketamine_cds.domain.episode import AnyEvent, Baseline, Episode, PatientRef, ProtocolRef
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.domain.record import (
    EpisodeHeader,
    LimitRefusedError,
    NotVerifiedError,
    RecordNotFoundError,
    StaleRecommendationError,
    StoredEvent,
    User,
)
from ketamine_cds.domain.roles import Action, NotPermittedError, require
from ketamine_cds.service.ports import Clock, ProtocolSource, UnitOfWork, UnitOfWorkFactory
from ketamine_cds.service.results import published

EVENT_ADAPTER: TypeAdapter[AnyEvent] = TypeAdapter(AnyEvent)
REFUSALS = (NotPermittedError, NotVerifiedError, LimitRefusedError, StaleRecommendationError)


@dataclass(frozen=True)
class RecordDeps:
    """What the record's use cases are handed by bootstrap."""

    uow: UnitOfWorkFactory
    protocols: ProtocolSource
    clock: Clock


def acting(uow: UnitOfWork, name: str | None) -> User:
    """The user a request acts as, or one sentence saying how to name one."""
    if not name:
        raise UserInputError(
            "no user is named: give --as NAME or set KETAMINE_CDS_USER to a user of the record"
        )
    user = uow.users.get(name)
    if user is None:
        raise RecordNotFoundError(
            f"there is no user '{name}' in the record; an admin adds one with "
            "'ketamine-cds user add NAME --role ROLE'"
        )
    return user


def authorised(uow: UnitOfWork, name: str | None, action: Action) -> User:
    """The acting user, refused (naming the role needed) unless their role may do ``action``."""
    user = acting(uow, name)
    require(user.role, action, user.name)
    return user


def software_versions(**more: str) -> dict[str, str]:
    """The versions an audit entry records: the software's, and any protocol or table used."""
    return {"software": __version__, **more}


def audit(  # noqa: PLR0913 - each is a field of the entry
    uow: UnitOfWork,
    user: User,
    action: str,
    subject: str,
    content: object,
    *,
    at: datetime,
    versions: dict[str, str] | None = None,
) -> None:
    """Add the audit entry of one write to its unit of work (chained when it commits)."""
    draft = EntryDraft(
        actor=user.name,
        role=user.role,
        action=action,
        subject=subject,
        payload_digest=digest(content),
        versions=versions or software_versions(),
    )
    uow.audit.add(draft, at)


@dataclass(frozen=True)
class Writing:
    """One writing use case in progress: its unit of work, its author and its time."""

    uow: UnitOfWork
    user: User
    now: datetime

    def audit(
        self, action: str, subject: str, content: object, versions: dict[str, str] | None = None
    ) -> None:
        """Append this write's audit entry."""
        audit(self.uow, self.user, action, subject, content, at=self.now, versions=versions)


@contextmanager
def refusals_kept(
    deps: RecordDeps, actor: str | None, action: str, subject: str, request: object
) -> Iterator[None]:
    """Keep a refusal (role, verification, limit, stale) in the audit trail, then re-raise it.

    The refused write is rolled back; the entry saying who asked for what, and why it was
    refused, is committed on its own.
    """
    try:
        yield
    except REFUSALS as refusal:
        with deps.uow() as uow:
            user = uow.users.get(actor or "")
            if user is not None:
                audit(
                    uow,
                    user,
                    f"refused.{action}",
                    subject,
                    {"request": request, "refusal": str(refusal)},
                    at=deps.clock.now(),
                )
                uow.commit()
        raise


@functools.lru_cache(maxsize=65536)
def parse_event(body: str) -> AnyEvent:
    """An event from the episode file's JSON for it, as stored.

    A pure function of the stored text (events are frozen values), so it is memoised: the same
    bytes always give the same event, and a changed row is different bytes.
    """
    return EVENT_ADAPTER.validate_json(body)


@functools.lru_cache(maxsize=65536)
def _event_digest(episode_id: int, position: int, body: str) -> str:
    return digest({"episode_id": episode_id, "position": position, "body": body})


def event_digest(event: StoredEvent) -> str:
    """The digest of a stored event's content (what its audit entry holds), memoised likewise."""
    return _event_digest(event.episode_id, event.position, event.body)


def event_body(event: AnyEvent) -> str:
    """The episode file's JSON for an event, as the record stores it."""
    return canonical_text(event.model_dump(mode="json", exclude_none=True))


def known_events(
    events: Sequence[StoredEvent], known_at: datetime | None = None
) -> list[StoredEvent]:
    """The events written at or before ``known_at`` (all, when None), in clinical-time order."""
    chosen = [e for e in events if known_at is None or e.recorded_at <= known_at]
    return sorted(chosen, key=lambda e: (e.at, e.position))


@dataclass(frozen=True)
class EventsSoFar:
    """An episode's stored events, read once by a write, and what its checks ask of them."""

    events: list[StoredEvent]

    def find(self, event_id: str) -> StoredEvent | None:
        """The event with this id."""
        return next((e for e in self.events if e.event_id == event_id), None)

    def latest_of(self, types: tuple[str, ...]) -> StoredEvent | None:
        """The latest event of these types, by clinical time, then position."""
        chosen = (e for e in self.events if e.type in types)
        return max(chosen, key=lambda e: (e.at, e.position), default=None)

    def at_moment(self, at: datetime) -> int:
        """How many events happened at exactly ``at``."""
        return sum(1 for e in self.events if e.at == at)


def episode_of(
    header: EpisodeHeader,
    events: Sequence[StoredEvent],
    parse: Callable[[str], AnyEvent] = parse_event,
) -> Episode:
    """The episode (file format) from its stored header and the events given, in that order."""
    return Episode(
        patient=PatientRef(id=header.patient, weight=header.weight.text),
        protocol=ProtocolRef(id=header.protocol_id, version=header.protocol_version),
        phase=header.phase,
        started_at=header.started_at,
        baseline=Baseline.model_validate_json(header.baseline_json),
        pain_goal=header.pain_goal,
        events=[parse(e.body) for e in events],
    )


def output_text(recommendation: Recommendation) -> str:
    """A recommendation as stored and as a replay prints it: JSON with the software version."""
    return canonical_text(published(recommendation).model_dump(mode="json"))


def protocol_of(deps: RecordDeps, uow: UnitOfWork, header: EpisodeHeader) -> Protocol:
    """The protocol text the episode was written against, as the record keeps it.

    The protocol's file stands in only while it is that same text (the same SHA-256): another
    version is refused, never used in its place.
    """
    text = uow.archive.text(header.protocol_hash)
    if text is not None:
        return deps.protocols.protocol_from_text(text)
    current = deps.protocols.get(header.protocol_id)
    if current.content_hash == header.protocol_hash:
        return current.protocol
    raise UserInputError(
        f"episode {header.id} was written against a text of protocol '{header.protocol_id}' "
        "that the record does not keep and the protocol's file no longer holds"
    )


def find_episode(uow: UnitOfWork, episode_id: int, *, for_update: bool = False) -> EpisodeHeader:
    """The episode, or one sentence saying it is not in the record."""
    header = uow.episodes.get(episode_id, for_update=for_update)
    if header is None:
        raise RecordNotFoundError(f"there is no episode {episode_id} in the record")
    return header
