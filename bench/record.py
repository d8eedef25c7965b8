"""Benchmark of the clinical record (not a test): latency and replay on SQLite and PostgreSQL.

(a) Record-and-recommend: one episode, 500 events recorded one at a time, each with its stored
    recommendation (one transaction: the event, the recommendation, two audit entries). Latency
    per call, p50 and p99, over all 500 and over the last 100 (an episode of 400-500 events).
(b) Replay of 1,000 stored episodes: the example episodes imported in turn until 1,000 are
    stored, then every stored recommendation of every episode replayed from the record and
    compared byte for byte.

SQLite is a file with WAL and synchronous=FULL; PostgreSQL is Debian's server started here in a
temporary folder with fsync on. Run: ``.venv/bin/python bench/record.py [--episodes N]``.
Results go to ``bench/results/record-latest.txt``; copy the table into docs/record.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))

from pg_cluster import Cluster, find_bindir  # noqa: E402
from record_builders_db import plan_now  # noqa: E402
from record_db import RecordDb, open_record, sqlite_record  # noqa: E402

from ketamine_cds.adapters.episode_files import read_episode_file  # noqa: E402
from ketamine_cds.domain.bedside import recommend  # noqa: E402
from ketamine_cds.domain.episode import Observation, RateChange  # noqa: E402
from ketamine_cds.service.audit_trail import verify_audit  # noqa: E402
from ketamine_cds.service.record import (  # noqa: E402
    import_episode,
    record_event,
    start_episode,
    verify_order,
)
from ketamine_cds.service.record_queries import replay_stored  # noqa: E402
from ketamine_cds.service.record_support import episode_of, known_events  # noqa: E402

EVENTS = 500


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class WardClock:
    """The ward's clock, set by the benchmark: 500 events 10 minutes apart take 83 hours of
    clinical time, replayed here in a few seconds of real time (the database work is real)."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment


def record_and_recommend(db: RecordDb) -> dict[str, float]:
    """Latency of 500 record-and-recommend calls on one episode, in milliseconds.

    Each call records one event at the ward's time and stores the recommendation at that time;
    the latency of recording alone (no recommendation) and of the engine alone on the finished
    episode are measured beside it.
    """
    start_at = datetime.now(UTC) - timedelta(minutes=10 * (EVENTS + 10))
    clock = WardClock(start_at)
    deps = replace(db.deps, clock=clock)
    plan = plan_now().model_copy(update={"started_at": start_at})
    header = start_episode(deps, "phil", plan, 1.0).header
    verify_order(deps, "paula", header.id)
    latencies: list[float] = []
    for i in range(EVENTS):
        clock.moment = now = start_at + timedelta(minutes=10 * (i + 1))
        if i % 25 == 0:
            event: Observation | RateChange = RateChange(
                type="rate_change", at=now, rate="9 mg/h" if i % 50 else "7 mg/h", by="nina"
            )
        else:
            event = Observation(type="observation", at=now, pain=3 + i % 5, sedation=1)
        start = time.perf_counter()
        record_event(deps, "nina", header.id, event, recommend_after=True)
        latencies.append((time.perf_counter() - start) * 1000)
    record_only: list[float] = []
    for i in range(100):
        clock.moment = start_at + timedelta(minutes=10 * (EVENTS + 1) + i)
        event = Observation(type="observation", at=clock.moment, pain=4, sedation=1)
        start = time.perf_counter()
        record_event(deps, "nina", header.id, event)
        record_only.append((time.perf_counter() - start) * 1000)
    tail = latencies[-100:]
    # The pure engine alone on the finished episode, for the share of the time that is the record.
    with db.deps.uow(writing=False) as uow:
        stored = uow.events.for_episode(header.id)
        episode = episode_of(uow.episodes.get(header.id), known_events(stored))  # type: ignore[arg-type]
    loaded = db.deps.protocols.get("cancer-continuous")
    limits = db.deps.protocols.limits().table
    engine_ms = []
    for _ in range(50):
        start = time.perf_counter()
        recommend(episode, loaded.protocol, limits, clock.moment)
        engine_ms.append((time.perf_counter() - start) * 1000)
    return {
        "engine_p50_ms": statistics.median(engine_ms),
        "engine_p99_ms": _pct(engine_ms, 0.99),
        "record_only_p50_ms": statistics.median(record_only),
        "record_only_p99_ms": _pct(record_only, 0.99),
        "p50_ms": statistics.median(latencies),
        "p99_ms": _pct(latencies, 0.99),
        "max_ms": max(latencies),
        "last100_p50_ms": statistics.median(tail),
        "last100_p99_ms": _pct(tail, 0.99),
    }


def replay_many(db: RecordDb, episodes: int) -> dict[str, float]:
    """Import ``episodes`` example episodes, then replay all their stored recommendations."""
    examples = [
        read_episode_file(p) for p in sorted((ROOT / "examples" / "episodes").glob("*.yaml"))
    ]
    start = time.perf_counter()
    ids = [
        import_episode(db.deps, "phil", examples[i % len(examples)], None).header.id
        for i in range(episodes)
    ]
    imported_s = time.perf_counter() - start
    start = time.perf_counter()
    checked = 0
    for episode_id in ids:
        checks = replay_stored(db.deps, "nina", episode_id)
        if not all(c.matches for c in checks):
            raise SystemExit(f"episode {episode_id}: a replay differs from what was stored")
        checked += len(checks)
    replay_s = time.perf_counter() - start
    start = time.perf_counter()
    report = verify_audit(db.deps, "nina")
    verify_s = time.perf_counter() - start
    if not report.intact:
        raise SystemExit(f"audit: {report.broken}")
    return {
        "import_s": imported_s,
        "replay_s": replay_s,
        "recommendations": checked,
        "replay_episodes_per_s": episodes / replay_s,
        "audit_entries": report.entries,
        "audit_verify_s": verify_s,
    }


def run(kind: str, db: RecordDb, episodes: int) -> list[str]:
    """Both measurements on one database, as lines of the results file."""
    db.add_ward()
    latency = record_and_recommend(db)
    replay = replay_many(db, episodes)
    first = (
        f"{kind}: record+recommend 500 events p50 {latency['p50_ms']:.1f} ms, "
        f"p99 {latency['p99_ms']:.1f} ms, max {latency['max_ms']:.1f} ms; "
        f"events 401-500 p50 {latency['last100_p50_ms']:.1f} ms, "
        f"p99 {latency['last100_p99_ms']:.1f} ms; recording alone (event and audit entry, "
        f"no recommendation) p50 {latency['record_only_p50_ms']:.1f} ms, "
        f"p99 {latency['record_only_p99_ms']:.1f} ms; the engine alone on the finished episode "
        f"p50 {latency['engine_p50_ms']:.1f} ms, p99 {latency['engine_p99_ms']:.1f} ms"
    )
    second = (
        f"{kind}: {episodes} episodes imported in {replay['import_s']:.1f} s; replayed "
        f"{replay['recommendations']:.0f} stored recommendations in {replay['replay_s']:.1f} s "
        f"({replay['replay_episodes_per_s']:.0f} episodes/s), all byte for byte; audit verify of "
        f"{replay['audit_entries']:.0f} entries {replay['audit_verify_s']:.1f} s"
    )
    return [first, second]


def _stop_on_term(_signum: int, _frame: object) -> None:
    raise SystemExit(1)  # unwinds through the finally that stops the PostgreSQL server


def main() -> None:
    """Run on SQLite, then on PostgreSQL, and write the results."""
    signal.signal(signal.SIGTERM, _stop_on_term)
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=1000)
    args = parser.parse_args()
    load = " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])
    heading = (
        f"# {datetime.now(UTC).isoformat(timespec='seconds')} {platform.platform()} "
        f"python {platform.python_version()}, {os.cpu_count()} cores, load average {load}"
    )
    lines = [heading]
    with tempfile.TemporaryDirectory() as folder:
        lines += run("sqlite", sqlite_record(Path(folder)), args.episodes)
        print("\n".join(lines), flush=True)
    bindir = find_bindir()
    if bindir is None:
        lines.append("postgresql: not installed, not measured")
    else:
        cluster = Cluster(bindir, durable=True).start()
        try:
            from record_db import PostgresDatabases  # noqa: PLC0415

            databases = PostgresDatabases(cluster.url())
            db = open_record("postgresql", databases.new())
            lines += run("postgresql", db, args.episodes)
            db.engine.dispose()
            databases.drop_all()
        finally:
            cluster.stop()
    text = "\n".join(lines) + "\n"
    out = ROOT / "bench" / "results" / "record-latest.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
