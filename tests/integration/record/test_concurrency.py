"""Several processes recording on one episode at once lose nothing, and of two rate changes made
against the same recommendation the second is refused with the newer one shown."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime

from forked import Child, fork
from record_builders_db import plan_now
from record_db import RecordDb

from ketamine_cds.domain.episode import Observation, RateChange
from ketamine_cds.domain.record import StaleRecommendationError
from ketamine_cds.service.audit_trail import verify_audit
from ketamine_cds.service.record import (
    recommend_now,
    record_event,
    start_episode,
    verify_order,
)
from ketamine_cds.service.record_queries import show_episode

WRITERS = 4
EACH = 12


def _started(record: RecordDb) -> int:
    header = start_episode(record.deps, "phil", plan_now(), 1.0).header
    verify_order(record.deps, "paula", header.id)
    first = RateChange(type="rate_change", at=datetime.now(UTC), rate="7 mg/h", by="nina")
    record_event(record.deps, "nina", header.id, first)
    return header.id


def _run_together(
    record: RecordDb,
    works: list[Callable[[Callable[[str], None]], None]],
    meanwhile: Callable[[], None] = lambda: None,
) -> list[list[str]]:
    def prepare() -> None:
        record.engine.dispose(close=False)

    record.engine.dispose()
    children: list[Child] = [fork(work, prepare) for work in works]
    for child in children:
        child.ready()
    for child in children:
        child.start()
    meanwhile()
    results = []
    for child in children:
        _, status = os.waitpid(child.pid, 0)
        lines = child.lines()
        assert os.WEXITSTATUS(status) == 0, lines
        results.append(lines)
    return results


def test_concurrent_writers_lose_nothing(record: RecordDb) -> None:
    """Four processes writing twelve observations each: all 48 are stored, in one chain."""
    episode_id = _started(record)

    def writer(name: str) -> Callable[[Callable[[str], None]], None]:
        def work(report: Callable[[str], None]) -> None:
            for i in range(EACH):
                event = Observation(
                    type="observation", at=datetime.now(UTC), pain=i % 10, note=f"{name}-{i}"
                )
                report(record_event(record.deps, name, episode_id, event).event.event_id)

        return work

    seen: list[int] = []

    def verify_while_writing() -> None:
        for _ in range(5):
            report = verify_audit(record.deps, "ann")
            assert report.intact, report.broken  # a reader sees one consistent snapshot
            seen.append(report.entries)

    writers = [writer("nina" if n % 2 else "nora") for n in range(WRITERS)]
    results = _run_together(record, writers, verify_while_writing)
    assert len(seen) == 5
    acknowledged = [line for lines in results for line in lines]
    assert len(acknowledged) == WRITERS * EACH
    detail = show_episode(record.deps, "phil", episode_id)
    notes = [json.loads(e.body).get("note") for e in detail.events if e.type == "observation"]
    assert sorted(notes) == sorted(
        f"{'nina' if n % 2 else 'nora'}-{i}" for n in range(WRITERS) for i in range(EACH)
    )
    assert [e.position for e in detail.events] == list(range(1, WRITERS * EACH + 2))
    assert detail.summary.header.version == WRITERS * EACH + 2  # verification, first rate, 48
    assert verify_audit(record.deps, "nina").intact


def test_the_stale_rate_change_is_refused_with_the_newer_recommendation(record: RecordDb) -> None:
    """Two nurses act on the same recommendation at once: one change lands, one is refused."""
    episode_id = _started(record)
    shown = recommend_now(record.deps, "nina", episode_id).stored

    def nurse(name: str, rate: str) -> Callable[[Callable[[str], None]], None]:
        def work(report: Callable[[str], None]) -> None:
            event = RateChange(type="rate_change", at=datetime.now(UTC), rate=rate, by=name)
            try:
                done = record_event(
                    record.deps, name, episode_id, event, against=shown.id, recommend_after=True
                )
            except StaleRecommendationError as stale:
                latest = stale.latest.id if stale.latest else None
                report(f"stale {latest} {stale}")
            else:
                assert done.recommendation is not None
                report(f"ok {done.recommendation.stored.id}")

        return work

    results = _run_together(record, [nurse("nina", "9 mg/h"), nurse("nora", "9 mg/h")])
    outcomes = sorted(lines[0] for lines in results)
    assert outcomes[0].startswith("ok ")
    assert outcomes[1].startswith("stale ")
    newer = outcomes[0].split()[1]
    assert outcomes[1].split()[1] == newer  # the refusal shows the recommendation made since
    assert f"recommendation {shown.id} is no longer the latest" in outcomes[1]
    rates = [
        e for e in show_episode(record.deps, "phil", episode_id).events if e.type == "rate_change"
    ]
    assert len(rates) == 2  # the first rate and exactly one of the two changes
    assert verify_audit(record.deps, "nina").intact
