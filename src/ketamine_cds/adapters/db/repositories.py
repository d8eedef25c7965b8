"""The record's repositories over one SQLAlchemy connection (inside one unit of work)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any, cast

from sqlalchemy import Connection, Row, bindparam, func, insert, select, update

from ketamine_cds.adapters.db import tables as t
from ketamine_cds.adapters.db.committed_events import CommittedEvents
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
from ketamine_cds.domain.roles import Role


def _lockable(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


# The statements every write runs, built once: SQLAlchemy then skips building and keying them.
_USER = select(t.users).where(t.users.c.name == bindparam("name"))
_EPISODE = (
    select(
        t.episodes,
        t.weights.c.text,
        t.weights.c.kg,
        t.weights.c.unit,
        t.weights.c.at.label("weight_at"),
        t.weights.c.recorded_by,
    )
    .join(t.weights, t.weights.c.id == t.episodes.c.weight_id)
)
_EPISODE_BY_ID = _EPISODE.where(t.episodes.c.id == bindparam("episode_id"))
_EPISODE_LOCKED = _EPISODE_BY_ID.with_for_update(of=t.episodes)
_ADVANCE = (
    update(t.episodes)
    .where(t.episodes.c.id == bindparam("episode_id"), t.episodes.c.version == bindparam("from"))
    .values(version=t.episodes.c.version + 1, status=bindparam("new_status"))
)
_VERIFICATIONS = (
    select(t.verifications)
    .where(t.verifications.c.episode_id == bindparam("episode_id"))
    .order_by(t.verifications.c.number)
)
# An event's columns in the order of StoredEvent's fields: a row is built by position, which
# is several times faster than by column name on an episode's hundreds of events.
_EVENT_COLUMNS = tuple(t.events.c[f.name] for f in fields(StoredEvent))
_EVENTS_OF = (
    select(*_EVENT_COLUMNS)
    .where(t.events.c.episode_id == bindparam("episode_id"))
    .order_by(t.events.c.position)
)
_EVENTS_AFTER = _EVENTS_OF.where(t.events.c.position > bindparam("after"))
_ADD_EVENT = insert(t.events)
_ADD_RECOMMENDATION = insert(t.recommendations).returning(t.recommendations.c.id)
_LATEST_RECOMMENDATION = (
    select(t.recommendations)
    .where(t.recommendations.c.episode_id == bindparam("episode_id"))
    .order_by(t.recommendations.c.id.desc())
    .limit(1)
)
_KEPT = select(t.reference_texts.c.content_hash).where(
    t.reference_texts.c.content_hash == bindparam("content_hash")
)


class SqlUsers:
    """Users in the ``users`` table."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, user: User) -> None:
        """Store a new user."""
        self._c.execute(
            insert(t.users).values(name=user.name, role=user.role, created_at=user.created_at)
        )

    def get(self, name: str) -> User | None:
        """The user with this name."""
        row = self._c.execute(_USER, {"name": name}).first()
        return None if row is None else User(row.name, cast("Role", row.role), row.created_at)

    def all(self) -> list[User]:
        """Every user, by name."""
        rows = self._c.execute(select(t.users).order_by(t.users.c.name))
        return [User(r.name, cast("Role", r.role), r.created_at) for r in rows]


def _weight(row: Row[Any]) -> WeightEntry:
    return WeightEntry(row.text, row.kg, row.unit, row.at, row.recorded_by)


class SqlEpisodes:
    """Patients, weights, episodes and verifications."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._last_weight: int | None = None

    def add_weight(self, patient: str, weight: WeightEntry) -> None:
        """Record a weight (creating the patient on first use)."""
        known = self._c.execute(
            select(t.patients.c.identifier).where(t.patients.c.identifier == patient)
        ).first()
        if known is None:
            self._c.execute(insert(t.patients).values(identifier=patient))
        result = self._c.execute(
            insert(t.weights)
            .values(
                patient=patient,
                text=weight.text,
                kg=weight.kg,
                unit=weight.unit,
                at=weight.at,
                recorded_by=weight.recorded_by,
            )
            .returning(t.weights.c.id)
        )
        self._last_weight = result.scalar_one()

    def weights(self, patient: str) -> list[WeightEntry]:
        """The patient's weights, oldest first."""
        rows = self._c.execute(
            select(t.weights).where(t.weights.c.patient == patient).order_by(t.weights.c.id)
        )
        return [_weight(r) for r in rows]

    def add(self, episode: NewEpisode) -> EpisodeHeader:
        """Store a new episode at version 0, with the weight just recorded."""
        if self._last_weight is None:
            raise RuntimeError("record the episode's weight before the episode")
        result = self._c.execute(
            insert(t.episodes)
            .values(
                patient=episode.patient,
                weight_id=self._last_weight,
                protocol_id=episode.protocol_id,
                protocol_version=episode.protocol_version,
                protocol_hash=episode.protocol_hash,
                concentration_mg_per_ml=episode.concentration_mg_per_ml,
                phase=episode.phase,
                started_at=episode.started_at,
                baseline_json=episode.baseline_json,
                pain_goal=episode.pain_goal,
                started_by=episode.started_by,
                status="active",
                version=0,
            )
            .returning(t.episodes.c.id)
        )
        header = self.get(result.scalar_one())
        if header is None:
            raise RuntimeError("an episode just stored cannot be read back")
        return header

    @staticmethod
    def _header(row: Row[Any]) -> EpisodeHeader:
        weight = WeightEntry(row.text, row.kg, row.unit, row.weight_at, row.recorded_by)
        return EpisodeHeader(
            id=row.id,
            patient=row.patient,
            weight=weight,
            protocol_id=row.protocol_id,
            protocol_version=row.protocol_version,
            protocol_hash=row.protocol_hash,
            concentration_mg_per_ml=row.concentration_mg_per_ml,
            phase=row.phase,
            started_at=row.started_at,
            baseline_json=row.baseline_json,
            pain_goal=row.pain_goal,
            started_by=row.started_by,
            status=row.status,
            version=row.version,
        )

    def get(self, episode_id: int, *, for_update: bool = False) -> EpisodeHeader | None:
        """The episode; ``for_update`` locks its row (PostgreSQL; SQLite holds the write lock)."""
        query = _EPISODE_LOCKED if for_update and _lockable(self._c) else _EPISODE_BY_ID
        row = self._c.execute(query, {"episode_id": episode_id}).first()
        return None if row is None else self._header(row)

    def find(self, status: str | None = None) -> list[EpisodeHeader]:
        """Episodes, newest first."""
        query = _EPISODE.order_by(t.episodes.c.id.desc())
        if status is not None:
            query = query.where(t.episodes.c.status == status)
        return [self._header(r) for r in self._c.execute(query)]

    def advance(self, episode_id: int, expected_version: int, status: str) -> int:
        """The next version, only from ``expected_version``."""
        result = self._c.execute(
            _ADVANCE, {"episode_id": episode_id, "from": expected_version, "new_status": status}
        )
        if result.rowcount != 1:
            raise StaleRecommendationError(
                f"episode {episode_id} changed while this was being recorded; try again", None
            )
        return expected_version + 1

    def add_verification(self, verification: Verification) -> int:
        """Store a verification; its number is one more than the episode's last."""
        last = self._c.execute(
            select(func.max(t.verifications.c.number)).where(
                t.verifications.c.episode_id == verification.episode_id
            )
        ).scalar()
        number = (last or 0) + 1
        self._c.execute(
            insert(t.verifications).values(
                episode_id=verification.episode_id,
                number=number,
                verified_by=verification.verified_by,
                at=verification.at,
                note=verification.note,
            )
        )
        return number

    def verifications(self, episode_id: int) -> list[Verification]:
        """The episode's verifications, oldest first."""
        rows = self._c.execute(_VERIFICATIONS, {"episode_id": episode_id})
        return [Verification(r.episode_id, r.verified_by, r.at, r.note) for r in rows]


def _event(row: Row[Any]) -> StoredEvent:
    return StoredEvent(*cast("tuple[Any, ...]", row))


class SqlEvents:
    """The append-only ``events`` table.

    A writer given the process's :class:`CommittedEvents` reads only the rows after those it
    knows, and hands what it read and appended over when its unit of work commits.
    """

    def __init__(self, connection: Connection, committed: CommittedEvents | None = None) -> None:
        self._c = connection
        self._committed = committed
        self._read: dict[int, list[StoredEvent]] = {}

    def append(self, event: StoredEvent) -> None:
        """Insert one event."""
        self._c.execute(_ADD_EVENT, dict(event.__dict__))
        read = self._read.get(event.episode_id)
        if read is not None:
            if not read or read[-1].position < event.position:
                read.append(event)
            else:
                del self._read[event.episode_id]

    def for_episode(self, episode_id: int) -> list[StoredEvent]:
        """The episode's events in the order written."""
        if self._committed is None:
            rows = self._c.execute(_EVENTS_OF, {"episode_id": episode_id}).all()
            return [_event(r) for r in rows]
        known = self._committed.of(episode_id)
        if known:
            after = {"episode_id": episode_id, "after": known[-1].position}
            events = [*known, *(_event(r) for r in self._c.execute(_EVENTS_AFTER, after))]
        else:
            events = [_event(r) for r in self._c.execute(_EVENTS_OF, {"episode_id": episode_id})]
        self._read[episode_id] = list(events)
        return events

    def committed(self) -> None:
        """The unit of work committed: what it read and appended is committed now."""
        if self._committed is not None:
            for episode_id, events in self._read.items():
                self._committed.add(episode_id, events)
        self._read.clear()

    def rolled_back(self) -> None:
        """The unit of work rolled back: what it appended, and read after, was never written."""
        self._read.clear()

    def for_episodes(self, episode_ids: Sequence[int]) -> dict[int, list[StoredEvent]]:
        """Several episodes' events, each in the order written, in one query per thousand."""
        found: dict[int, list[StoredEvent]] = {episode_id: [] for episode_id in episode_ids}
        ids = list(found)
        for start in range(0, len(ids), 1000):  # bounded IN lists, for any database
            rows = self._c.execute(
                select(*_EVENT_COLUMNS)
                .where(t.events.c.episode_id.in_(ids[start : start + 1000]))
                .order_by(t.events.c.episode_id, t.events.c.position)
            )
            for row in rows:
                found[row.episode_id].append(_event(row))
        return found

    def get(self, episode_id: int, position: int) -> StoredEvent | None:
        """One event by position."""
        where = (t.events.c.episode_id == episode_id, t.events.c.position == position)
        return _one(self._c, select(*_EVENT_COLUMNS).where(*where))


def _one(connection: Connection, query: Any) -> StoredEvent | None:  # noqa: ANN401 - a select
    row = connection.execute(query).first()
    return None if row is None else _event(row)


def _recommendation(row: Row[Any]) -> StoredRecommendation:
    return StoredRecommendation(
        id=row.id,
        episode_id=row.episode_id,
        at=row.at,
        made_at=row.made_at,
        episode_version=row.episode_version,
        input_digest=row.input_digest,
        output=row.output,
        protocol_id=row.protocol_id,
        protocol_version=row.protocol_version,
        protocol_hash=row.protocol_hash,
        limits_version=row.limits_version,
        limits_hash=row.limits_hash,
        software_version=row.software_version,
        made_by=row.made_by,
        role=cast("Role", row.role),
    )


class SqlRecommendations:
    """The append-only ``recommendations`` table."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, recommendation: NewRecommendation) -> StoredRecommendation:
        """Insert one recommendation and read back its id."""
        values = dict(recommendation.__dict__)
        new_id = self._c.execute(_ADD_RECOMMENDATION, values).scalar_one()
        return StoredRecommendation(id=new_id, **values)

    def latest(self, episode_id: int) -> StoredRecommendation | None:
        """The episode's latest recommendation."""
        row = self._c.execute(_LATEST_RECOMMENDATION, {"episode_id": episode_id}).first()
        return None if row is None else _recommendation(row)

    def for_episode(self, episode_id: int) -> list[StoredRecommendation]:
        """The episode's recommendations, oldest first."""
        rows = self._c.execute(
            select(t.recommendations)
            .where(t.recommendations.c.episode_id == episode_id)
            .order_by(t.recommendations.c.id)
        )
        return [_recommendation(r) for r in rows]

    def get(self, recommendation_id: int) -> StoredRecommendation | None:
        """One recommendation by id."""
        row = self._c.execute(
            select(t.recommendations).where(t.recommendations.c.id == recommendation_id)
        ).first()
        return None if row is None else _recommendation(row)


class SqlArchive:
    """Protocol and limit-table texts by content hash."""

    def __init__(self, connection: Connection, archived: set[str]) -> None:
        self._c = connection
        # Texts are append-only (a trigger refuses DELETE), so a hash once seen stored stays
        # stored: ``archived`` is shared by the units of work of one engine; a text this one
        # inserts joins it only when this one commits.
        self._archived = archived
        self._inserted: set[str] = set()

    def keep(self, content_hash: str, kind: str, ref_id: str, version: str, text: str) -> None:
        """Insert the text unless it is kept already."""
        if content_hash in self._archived or content_hash in self._inserted:
            return
        known = self._c.execute(_KEPT, {"content_hash": content_hash}).first()
        if known is not None:
            self._archived.add(content_hash)
            return
        self._c.execute(
            insert(t.reference_texts).values(
                content_hash=content_hash, kind=kind, ref_id=ref_id, version=version, text=text
            )
        )
        self._inserted.add(content_hash)

    def committed(self) -> None:
        """The texts this unit of work inserted are now stored for every other."""
        self._archived.update(self._inserted)
        self._inserted.clear()

    def text(self, content_hash: str) -> str | None:
        """The text kept under this hash."""
        return self._c.execute(
            select(t.reference_texts.c.text).where(t.reference_texts.c.content_hash == content_hash)
        ).scalar()
