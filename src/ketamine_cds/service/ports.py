"""What the record's use cases need from the world, declared here and implemented by adapters.

A use case opens a :class:`UnitOfWork`, reads and writes through its repositories, appends its
audit entry, and commits once: the event, the recommendation and the audit entry land together or
not at all. ``bootstrap`` builds the adapters from settings and hands them over; nothing here is a
module-level global, and no process cache decides which protocol or which rows a request sees.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

if TYPE_CHECKING:  # the ports name these types; a command imports only those it uses
    from ketamine_cds.domain.assessment.contraindications import ContraindicationTable
    from ketamine_cds.domain.assessment.evidence import EvidenceTable
    from ketamine_cds.domain.audit import AuditEntry, EntryDraft
    from ketamine_cds.domain.opioids.plausibility import PlausibilityTable
    from ketamine_cds.domain.opioids.products import ProductTable
    from ketamine_cds.domain.opioids.tables import EquivalenceTable
    from ketamine_cds.domain.protocols.limits import LimitTable
    from ketamine_cds.domain.protocols.schema import Protocol as ClinicalProtocol
    from ketamine_cds.domain.record import (
        EpisodeHeader,
        NewEpisode,
        NewRecommendation,
        StoredEvent,
        StoredRecommendation,
        User,
        Verification,
        WeightEntry,
    )


@dataclass(frozen=True)
class LoadedProtocol:
    """A protocol as read now, with its file's text and the SHA-256 of that text."""

    protocol: ClinicalProtocol
    text: str
    content_hash: str


@dataclass(frozen=True)
class LoadedLimits:
    """The product-wide limit table as read now, with its version and content hash."""

    table: LimitTable
    text: str
    content_hash: str

    @property
    def version(self) -> str:
        """The limit table's own version."""
        return self.table.version


class Clock(Protocol):
    """The time now, timezone-aware."""

    def now(self) -> datetime:
        """The current time (UTC)."""
        ...


class ProtocolSource(Protocol):
    """The protocols and the limit table as their files say now; re-read when they change."""

    def get(self, protocol_id: str) -> LoadedProtocol:
        """The protocol with this id, or a :class:`UserInputError` naming the known ids."""
        ...

    def all(self) -> list[LoadedProtocol]:
        """Every protocol, ordered by id."""
        ...

    def limits(self) -> LoadedLimits:
        """The product-wide limits and dose bands."""
        ...

    def protocol_from_text(self, text: str) -> ClinicalProtocol:
        """A protocol from archived text (to replay a recommendation made with it)."""
        ...

    def limits_from_text(self, text: str) -> LimitTable:
        """A limit table from archived text."""
        ...


class UserRepository(Protocol):
    """The people who use the record."""

    def add(self, user: User) -> None:
        """Store a new user (the name is not yet taken)."""
        ...

    def get(self, name: str) -> User | None:
        """The user with this name, if any."""
        ...

    def all(self) -> list[User]:
        """Every user, by name."""
        ...


class EpisodeRepository(Protocol):
    """Patients with their weight history, episodes, and pharmacist verifications."""

    def add_weight(self, patient: str, weight: WeightEntry) -> None:
        """Record a weight for a patient (the patient is created on first use)."""
        ...

    def weights(self, patient: str) -> list[WeightEntry]:
        """The patient's weights, oldest first."""
        ...

    def add(self, episode: NewEpisode) -> EpisodeHeader:
        """Store a new episode, active at version 0."""
        ...

    def get(self, episode_id: int, *, for_update: bool = False) -> EpisodeHeader | None:
        """The episode; ``for_update`` holds it against other writers until the end of the work."""
        ...

    def find(self, status: str | None = None) -> list[EpisodeHeader]:
        """Episodes (optionally of one status), newest first."""
        ...

    def advance(self, episode_id: int, expected_version: int, status: str) -> int:
        """Move the episode to the next version (and status) if still at ``expected_version``.

        Returns the new version; raises :class:`StaleRecommendationError` when another writer moved
        the episode first.
        """
        ...

    def add_verification(self, verification: Verification) -> int:
        """Store a verification; returns its number within the episode (1, 2 …)."""
        ...

    def verifications(self, episode_id: int) -> list[Verification]:
        """The episode's verifications, oldest first."""
        ...


class EventLog(Protocol):
    """The append-only events of every episode."""

    def append(self, event: StoredEvent) -> None:
        """Append an event; nothing already written changes."""
        ...

    def for_episode(self, episode_id: int) -> list[StoredEvent]:
        """The episode's events in the order they were written."""
        ...

    def for_episodes(self, episode_ids: Sequence[int]) -> dict[int, list[StoredEvent]]:
        """Several episodes' events, each in the order written, in one read (for the audit)."""
        ...

    def get(self, episode_id: int, position: int) -> StoredEvent | None:
        """One event by its position in the episode."""
        ...


class RecommendationLog(Protocol):
    """Every recommendation the record made, as it was shown."""

    def add(self, recommendation: NewRecommendation) -> StoredRecommendation:
        """Store a recommendation."""
        ...

    def latest(self, episode_id: int) -> StoredRecommendation | None:
        """The episode's most recent recommendation."""
        ...

    def for_episode(self, episode_id: int) -> list[StoredRecommendation]:
        """The episode's recommendations, oldest first."""
        ...

    def get(self, recommendation_id: int) -> StoredRecommendation | None:
        """One recommendation by id."""
        ...


class AuditLog(Protocol):
    """The hash-chained audit trail."""

    def add(self, draft: EntryDraft, at: datetime) -> None:
        """Append one write's entry when the unit of work commits, chained to the head then.

        The head is held against other writers only from then until the commit ends, not
        while the rest of the write is computed.
        """
        ...

    def entries(self) -> Iterator[AuditEntry]:
        """Every entry in order."""
        ...

    def head_mark(self) -> tuple[int, str] | None:
        """The position and hash the record keeps for its last entry (to see a cut-off tail)."""
        ...


class ReferenceArchive(Protocol):
    """Protocol and limit-table texts by content hash, so any recommendation can be replayed."""

    def keep(self, content_hash: str, kind: str, ref_id: str, version: str, text: str) -> None:
        """Keep a text if it is not kept already."""
        ...

    def text(self, content_hash: str) -> str | None:
        """The text kept under this hash."""
        ...


class UnitOfWork(Protocol):
    """One transaction over the record's repositories."""

    users: UserRepository
    episodes: EpisodeRepository
    events: EventLog
    recommendations: RecommendationLog
    audit: AuditLog
    archive: ReferenceArchive

    def __enter__(self) -> Self:
        """Begin the transaction."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """End it: anything not committed is rolled back."""
        ...

    def commit(self) -> None:
        """Make every write of this unit durable, all together."""
        ...

    def rollback(self) -> None:
        """Undo every write of this unit."""
        ...


class UnitOfWorkFactory(Protocol):
    """Opens a unit of work; ``writing`` ones take the record's write lock at the start."""

    def __call__(self, *, writing: bool = True) -> UnitOfWork:
        """A new unit of work."""
        ...


class ReferenceData(Protocol):
    """The product's own cited tables, as shipped with this version of the software."""

    def opioid_tables(self) -> tuple[EquivalenceTable, ...]:
        """The opioid equivalence tables."""
        ...

    def opioid_products(self) -> ProductTable:
        """The RxNorm product table."""
        ...

    def opioid_plausibility(self) -> PlausibilityTable:
        """The bounds beyond which an opioid figure is an entry error."""
        ...

    def contraindications(self) -> ContraindicationTable:
        """The graded, cited contraindications and cautions."""
        ...

    def evidence(self) -> EvidenceTable:
        """Seed 003's evidence levels by indication."""
        ...
