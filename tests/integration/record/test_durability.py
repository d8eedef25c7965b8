"""A writer killed with SIGKILL at random moments loses nothing it acknowledged, and the audit
chain still verifies, on SQLite (WAL, synchronous=FULL) and PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime

from forked import fork
from record_builders_db import plan_now
from record_db import RecordDb

from ketamine_cds.domain.episode import Observation
from ketamine_cds.service.audit_trail import verify_audit
from ketamine_cds.service.record import record_event, start_episode, verify_order
from ketamine_cds.service.record_queries import show_episode

KILLS = 50


def _episode(record: RecordDb) -> int:
    header = start_episode(record.deps, "phil", plan_now(), 1.0).header
    verify_order(record.deps, "paula", header.id)
    return header.id


class _Writer:
    """Records observations one after another, reporting each event id once committed.

    It uses the test's own engine, whose compiled statements it inherits, on connections of its
    own: the parent closes its connections before forking (SQLite forbids carrying one across
    fork) and the child drops any it inherited, as SQLAlchemy asks of forked processes.
    """

    def __init__(self, record: RecordDb, episode_id: int) -> None:
        self.record, self.episode_id = record, episode_id

    def prepare(self) -> None:
        self.record.engine.dispose(close=False)
        show_episode(self.record.deps, "nina", self.episode_id)

    def work(self, report: Callable[[str], None]) -> None:
        while True:
            pain = random.randint(0, 10)  # noqa: S311 - not cryptographic
            event = Observation(type="observation", at=datetime.now(UTC), pain=pain)
            stored = record_event(self.record.deps, "nina", self.episode_id, event).event
            report(stored.event_id)


def test_acknowledged_events_survive_sigkill(record: RecordDb) -> None:
    """50 kills at random moments: every acknowledged event is stored, the chain verifies."""
    episode_id = _episode(record)
    warm = Observation(type="observation", at=datetime.now(UTC), pain=5)
    record_event(record.deps, "nina", episode_id, warm)
    rng = random.Random(20240502)  # noqa: S311 - kill times, not secrets
    acknowledged: list[str] = []
    writer = _Writer(record, episode_id)
    for _ in range(KILLS):
        record.engine.dispose()
        child = fork(writer.work, writer.prepare)
        child.ready()
        child.start()
        time.sleep(rng.uniform(0.01, 0.3))
        os.kill(child.pid, signal.SIGKILL)
        _, status = os.waitpid(child.pid, 0)
        assert os.WIFSIGNALED(status)
        lines = child.lines()
        assert not [line for line in lines if line.startswith("error:")], lines
        acknowledged += lines
    stored = {e.event_id for e in show_episode(record.deps, "nina", episode_id).events}
    assert len(acknowledged) > KILLS // 2  # writers had writes acknowledged before dying
    assert set(acknowledged) <= stored
    assert len(set(acknowledged)) == len(acknowledged)
    report = verify_audit(record.deps, "nina")
    assert report.intact, report.broken
