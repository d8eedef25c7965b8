"""A writer reads only the events it does not know, and never keeps what was not committed.

Each test compares what a writer of one process reads with a full read of the database by a
reader (readers never use the kept events), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from record_builders_db import plan_now
from record_db import RecordDb

from ketamine_cds.adapters.db.committed_events import CommittedEvents
from ketamine_cds.adapters.db.uow import SqlUnitOfWorkFactory
from ketamine_cds.domain.episode import Observation
from ketamine_cds.domain.record import StoredEvent
from ketamine_cds.service.record import record_event, start_episode, verify_order
from ketamine_cds.service.record_support import RecordDeps


def _episode(record: RecordDb) -> int:
    header = start_episode(record.deps, "phil", plan_now(), 1.0).header
    verify_order(record.deps, "paula", header.id)
    return header.id


def _observe(deps: RecordDeps, episode_id: int, pain: int) -> None:
    at = datetime.now(UTC) - timedelta(seconds=1)
    event = Observation(type="observation", at=at, pain=pain, sedation=1)
    record_event(deps, "nina", episode_id, event)


def _written(record: RecordDb, episode_id: int) -> list[StoredEvent]:
    with record.deps.uow(writing=False) as uow:
        return uow.events.for_episode(episode_id)


def _read_by_writer(deps: RecordDeps, episode_id: int) -> list[StoredEvent]:
    with deps.uow() as uow:
        return uow.events.for_episode(episode_id)


def test_a_writer_sees_the_events_another_process_wrote_after_its_own(record: RecordDb) -> None:
    episode_id = _episode(record)
    for pain in (5, 4):
        _observe(record.deps, episode_id, pain)
    # A second worker on the same database: its own engine, its own kept events.
    other = replace(record.deps, uow=SqlUnitOfWorkFactory(record.engine))
    _observe(other, episode_id, 6)
    _observe(other, episode_id, 3)
    _observe(record.deps, episode_id, 2)
    read = _read_by_writer(record.deps, episode_id)
    assert [e.body for e in read] == [e.body for e in _written(record, episode_id)]
    assert [e.position for e in read] == [1, 2, 3, 4, 5]
    assert [Observation.model_validate_json(e.body).pain for e in read] == [5, 4, 6, 3, 2]


def test_events_of_a_unit_of_work_that_did_not_commit_are_not_kept(record: RecordDb) -> None:
    episode_id = _episode(record)
    _observe(record.deps, episode_id, 5)
    with record.deps.uow() as uow:
        known = uow.events.for_episode(episode_id)
        uow.events.append(replace(known[-1], position=2, event_id="e2"))
        assert len(uow.events.for_episode(episode_id)) == 2  # its own row, not yet committed
    with record.deps.uow() as uow:
        known = uow.events.for_episode(episode_id)
        uow.events.append(replace(known[-1], position=2, event_id="e2"))
        uow.rollback()
    _observe(record.deps, episode_id, 4)
    read = _read_by_writer(record.deps, episode_id)
    assert [e.event_id for e in read] == ["e1", "e2"]
    assert [e.body for e in read] == [e.body for e in _written(record, episode_id)]
    assert Observation.model_validate_json(read[-1].body).pain == 4


def test_the_kept_episodes_are_bounded_the_least_recently_used_dropped_first() -> None:
    at = datetime(2024, 3, 2, 8, 0, tzinfo=UTC)

    def event(episode_id: int, position: int) -> StoredEvent:
        return StoredEvent(
            episode_id, position, f"e{position}", "observation", at, at, "nina", "nurse", None, "{}"
        )

    kept = CommittedEvents(episodes=2)
    kept.add(1, [event(1, 1)])
    kept.add(2, [event(2, 1)])
    assert kept.of(1)  # episode 1 used last: episode 2 is now the oldest
    kept.add(3, [event(3, 1)])
    assert [bool(kept.of(n)) for n in (1, 2, 3)] == [True, False, True]
    kept.add(1, [event(1, 1), event(1, 2)])
    kept.add(1, [event(1, 1)])  # a shorter read never replaces a longer one
    assert [e.position for e in kept.of(1)] == [1, 2]
