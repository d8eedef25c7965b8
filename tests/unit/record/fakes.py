"""In-memory fakes of every port of the record, for fast tests of the use cases.

A unit of work works on a copy of the store and puts it back only on commit, so a refused or
failed use case leaves nothing behind, as a real transaction would.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from ketamine_cds.adapters.protocol_source import FileProtocolSource
from ketamine_cds.domain.audit import AuditEntry, EntryDraft, chain_next
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.domain.record import (
    EpisodeHeader,
    NewEpisode,
    NewRecommendation,
    StaleRecommendationError,
    StoredEvent,
    StoredRecommendation,
    User,
    Verification,
    WeightEntry,
)
from ketamine_cds.service.ports import LoadedLimits, LoadedProtocol
from ketamine_cds.service.record_support import RecordDeps


@dataclass
class FakeStore:
    """Everything the fake record holds."""

    users: dict[str, User] = field(default_factory=dict)
    weights: dict[str, list[WeightEntry]] = field(default_factory=dict)
    episodes: dict[int, EpisodeHeader] = field(default_factory=dict)
    verifications: dict[int, list[Verification]] = field(default_factory=dict)
    events: dict[int, list[StoredEvent]] = field(default_factory=dict)
    recommendations: list[StoredRecommendation] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    archive: dict[str, str] = field(default_factory=dict)


class FakeUsers:
    def __init__(self, store: FakeStore) -> None:
        self.s = store

    def add(self, user: User) -> None:
        self.s.users[user.name] = user

    def get(self, name: str) -> User | None:
        return self.s.users.get(name)

    def all(self) -> list[User]:
        return [self.s.users[k] for k in sorted(self.s.users)]


class FakeEpisodes:
    def __init__(self, store: FakeStore) -> None:
        self.s = store

    def add_weight(self, patient: str, weight: WeightEntry) -> None:
        self.s.weights.setdefault(patient, []).append(weight)

    def weights(self, patient: str) -> list[WeightEntry]:
        return list(self.s.weights.get(patient, []))

    def add(self, episode: NewEpisode) -> EpisodeHeader:
        new_id = max(self.s.episodes, default=0) + 1
        header = EpisodeHeader(id=new_id, status="active", version=0, **episode.__dict__)
        self.s.episodes[new_id] = header
        return header

    def get(self, episode_id: int, *, for_update: bool = False) -> EpisodeHeader | None:
        return self.s.episodes.get(episode_id)

    def find(self, status: str | None = None) -> list[EpisodeHeader]:
        found = sorted(self.s.episodes.values(), key=lambda h: -h.id)
        return [h for h in found if status is None or h.status == status]

    def advance(self, episode_id: int, expected_version: int, status: str) -> int:
        header = self.s.episodes[episode_id]
        if header.version != expected_version:
            raise StaleRecommendationError("changed meanwhile", None)
        self.s.episodes[episode_id] = replace(header, version=expected_version + 1, status=status)
        return expected_version + 1

    def add_verification(self, verification: Verification) -> int:
        found = self.s.verifications.setdefault(verification.episode_id, [])
        found.append(verification)
        return len(found)

    def verifications(self, episode_id: int) -> list[Verification]:
        return list(self.s.verifications.get(episode_id, []))


class FakeEvents:
    def __init__(self, store: FakeStore) -> None:
        self.s = store

    def append(self, event: StoredEvent) -> None:
        self.s.events.setdefault(event.episode_id, []).append(event)

    def for_episode(self, episode_id: int) -> list[StoredEvent]:
        return list(self.s.events.get(episode_id, []))

    def for_episodes(self, episode_ids: Sequence[int]) -> dict[int, list[StoredEvent]]:
        return {episode_id: self.for_episode(episode_id) for episode_id in episode_ids}

    def get(self, episode_id: int, position: int) -> StoredEvent | None:
        found = self.s.events.get(episode_id, [])
        return found[position - 1] if 0 < position <= len(found) else None


class FakeRecommendations:
    def __init__(self, store: FakeStore) -> None:
        self.s = store

    def add(self, recommendation: NewRecommendation) -> StoredRecommendation:
        stored = StoredRecommendation(id=len(self.s.recommendations) + 1, **recommendation.__dict__)
        self.s.recommendations.append(stored)
        return stored

    def latest(self, episode_id: int) -> StoredRecommendation | None:
        found = self.for_episode(episode_id)
        return found[-1] if found else None

    def for_episode(self, episode_id: int) -> list[StoredRecommendation]:
        return [r for r in self.s.recommendations if r.episode_id == episode_id]

    def get(self, recommendation_id: int) -> StoredRecommendation | None:
        found = [r for r in self.s.recommendations if r.id == recommendation_id]
        return found[0] if found else None


class FakeAudit:
    def __init__(self, store: FakeStore) -> None:
        self.s = store

    def add(self, draft: EntryDraft, at: datetime) -> None:
        # A fake transaction works on its own copy, so chaining now is chaining at commit.
        self.s.audit.append(chain_next(self.s.audit[-1] if self.s.audit else None, draft, at))

    def entries(self) -> Iterator[AuditEntry]:
        yield from self.s.audit

    def head_mark(self) -> tuple[int, str] | None:
        return (self.s.audit[-1].seq, self.s.audit[-1].hash) if self.s.audit else None


class FakeArchive:
    def __init__(self, store: FakeStore) -> None:
        self.s = store

    def keep(self, content_hash: str, kind: str, ref_id: str, version: str, text: str) -> None:
        self.s.archive.setdefault(content_hash, text)

    def text(self, content_hash: str) -> str | None:
        return self.s.archive.get(content_hash)


class FakeUnitOfWork:
    """A transaction over a copy of the store."""

    def __init__(self, owner: FakeRecord) -> None:
        self.owner = owner
        self.commits = 0

    def __enter__(self) -> Self:
        self.work = copy.deepcopy(self.owner.store)
        self.users = FakeUsers(self.work)
        self.episodes = FakeEpisodes(self.work)
        self.events = FakeEvents(self.work)
        self.recommendations = FakeRecommendations(self.work)
        self.audit = FakeAudit(self.work)
        self.archive = FakeArchive(self.work)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.work = FakeStore()

    def commit(self) -> None:
        self.owner.store = copy.deepcopy(self.work)
        self.owner.commits += 1

    def rollback(self) -> None:
        self.work = copy.deepcopy(self.owner.store)


@dataclass
class FakeClock:
    """A clock that moves only when told to."""

    moment: datetime = field(default_factory=lambda: datetime(2024, 5, 2, 8, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


@functools.cache
def shipped_source() -> FakeProtocolSource:
    """One in-memory copy of the shipped protocols per test process (they never change)."""
    return FakeProtocolSource()


class FakeProtocolSource:
    """The shipped protocols and limit table, read once into memory."""

    def __init__(self) -> None:
        files = FileProtocolSource()
        self._protocols = {p.protocol.id: p for p in files.all()}
        self._limits = files.limits()
        self._files = files

    def get(self, protocol_id: str) -> LoadedProtocol:
        if protocol_id not in self._protocols:
            raise UserInputError(f"there is no protocol '{protocol_id}'")
        return self._protocols[protocol_id]

    def all(self) -> list[LoadedProtocol]:
        return [self._protocols[k] for k in sorted(self._protocols)]

    def limits(self) -> LoadedLimits:
        return self._limits

    def protocol_from_text(self, text: str) -> Protocol:
        return next(p.protocol for p in self._protocols.values() if p.text == text)

    def limits_from_text(self, text: str) -> LimitTable:
        return self._limits.table


@dataclass
class FakeRecord:
    """The fake record: its store, a clock, and the dependencies the use cases take."""

    store: FakeStore = field(default_factory=FakeStore)
    clock: FakeClock = field(default_factory=FakeClock)
    protocols: FakeProtocolSource = field(default_factory=shipped_source)
    commits: int = 0

    def uow(self, *, writing: bool = True) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    @property
    def deps(self) -> RecordDeps:
        return RecordDeps(self.uow, self.protocols, self.clock)
