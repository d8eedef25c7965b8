"""Benchmark of the cohort audit (not a test): the report over 1,000 stored episodes.

A generated cohort of 1,000 synthetic episodes (``service/generated_cohort.py``: an assessment,
opioid figures, a continuous infusion raised once or twice, daily pain scores, side effects, a
stop after 3-7 days; about 20 events each) is written straight into a SQLite record (the setup
is not measured: the rows the import use case would write, without its per-event
recommendations). Then:

(a) the audit of the same episodes in memory (no record): the measures alone;
(b) ``record_cohort`` over the record, the episodes' stored events parsed afresh each run (the
    cold figure: the parse memo cleared before each run);
(c) the same with the memo warm, as a server process serving the page again sees it;
(d) the CSV of the measures and of every episode, from a report;
(e) the cohort page rendered from a report (the charts and tables, no record);
(f) the whole page request: ``GET /cohort`` through the page's router in a FastAPI app (test
    client, no network), the report read from the record and rendered.

Each is run several times; the median and the slowest are reported, with ratios to (a) within
the same run. The target is the page in under 2 s. Run: ``.venv/bin/python bench/cohort.py
[--episodes N] [--runs R]``; results go to ``bench/results/cohort-latest.txt``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from record_db import RecordDb, sqlite_record  # noqa: E402

from ketamine_cds.adapters.protocol_source import FileProtocolSource  # noqa: E402
from ketamine_cds.domain.assessment.patient import parse_weight  # noqa: E402
from ketamine_cds.domain.audit import canonical_text  # noqa: E402
from ketamine_cds.domain.episode import Episode  # noqa: E402
from ketamine_cds.domain.record import NewEpisode, StoredEvent, WeightEntry  # noqa: E402
from ketamine_cds.entrypoints.web.cohort_page import cohort_router, render_cohort_page  # noqa: E402
from ketamine_cds.service.cohort import (  # noqa: E402
    cohort_of,
    episodes_csv,
    record_cohort,
    summary_csv,
)
from ketamine_cds.service.generated_cohort import generated_cohort  # noqa: E402
from ketamine_cds.service.record_support import event_body, parse_event  # noqa: E402


def _store(record: RecordDb, episodes: list[Episode]) -> None:
    """Write the episodes' rows as the import would (headers, weights, events), in one commit."""
    source = FileProtocolSource()
    with record.deps.uow() as uow:
        for episode in episodes:
            loaded = source.get(episode.protocol.id)
            uow.archive.keep(
                loaded.content_hash, "protocol", loaded.protocol.id, loaded.protocol.version,
                loaded.text,
            )  # fmt: skip
            weight = parse_weight(episode.patient.weight)
            entry = WeightEntry(episode.patient.weight, weight.kg, "kg", episode.started_at, "phil")
            patient = episode.patient.id or "p"
            uow.episodes.add_weight(patient, entry)
            header = uow.episodes.add(
                NewEpisode(
                    patient=patient,
                    weight=entry,
                    protocol_id=loaded.protocol.id,
                    protocol_version=loaded.protocol.version,
                    protocol_hash=loaded.content_hash,
                    concentration_mg_per_ml=1.0,
                    phase=None,
                    started_at=episode.started_at,
                    baseline_json=canonical_text(
                        episode.baseline.model_dump(mode="json", exclude_none=True)
                    ),
                    pain_goal=episode.pain_goal,
                    started_by="phil",
                )
            )
            for position, event in enumerate(episode.events, start=1):
                final = event.model_copy(
                    update={"id": f"e{position}", "recorded_at": event.at, "recorded_by": "nina",
                            "role": "nurse"}
                )  # fmt: skip
                uow.events.append(
                    StoredEvent(
                        episode_id=header.id,
                        position=position,
                        event_id=f"e{position}",
                        type=event.type,
                        at=event.at,
                        recorded_at=event.at,
                        recorded_by="nina",
                        role="nurse",
                        corrects=None,
                        body=event_body(final),
                    )
                )
        uow.commit()


def _timed(
    runs: int, work: Callable[[], object], before: Callable[[], None] | None = None
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each run (CPU time is what load on a shared machine
    inflates least)."""
    wall, cpu = [], []
    for _ in range(runs):
        if before is not None:
            before()
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def main() -> None:
    """Run the benchmark and write its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    episodes = generated_cohort(args.episodes)
    source = FileProtocolSource()
    protocols = {p: source.get(p).protocol for p in {e.protocol.id for e in episodes}}
    events = sum(len(e.events) for e in episodes)
    with tempfile.TemporaryDirectory() as folder:
        record = sqlite_record(Path(folder))
        record.add_ward()
        _store(record, episodes)
        in_memory = [(e.patient.id or "", e, protocols[e.protocol.id]) for e in episodes]
        memory = _timed(args.runs, lambda: cohort_of(in_memory))
        cold = _timed(
            args.runs, lambda: record_cohort(record.deps, "nina"), parse_event.cache_clear
        )
        warm = _timed(args.runs, lambda: record_cohort(record.deps, "nina"))
        report = record_cohort(record.deps, "nina")
        csv_times = _timed(args.runs, lambda: (summary_csv(report), episodes_csv(report)))
        page = _timed(args.runs, lambda: render_cohort_page(report))
        app = FastAPI()
        app.include_router(cohort_router(lambda: record.deps, lambda: "nina"))
        client = TestClient(app)
        if client.get("/cohort").status_code != 200:
            raise SystemExit("the cohort page did not answer 200")
        request = _timed(args.runs, lambda: client.get("/cohort"))
    base = statistics.median(memory[0])
    rows = [
        ("(a) audit in memory (measures only)", memory),
        ("(b) report from the record, events parsed afresh", cold),
        ("(c) report from the record, parse memo warm", warm),
        ("(d) both CSVs from a report", csv_times),
        ("(e) the page rendered from a report", page),
        ("(f) GET /cohort: the record read, the page rendered", request),
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        (
            f"cohort benchmark: {args.episodes} episodes, {events} events, {args.runs} runs each; "
            f"{platform.python_implementation()} {platform.python_version()}, "
            f"{os.cpu_count()} cores, load average {load:.1f} at the start"
        ),
        (
            f"responders {report.response.responders}, non-responders "
            f"{report.response.non_responders}, undetermined {report.response.undetermined}"
        ),
        "",
        "| run | median (wall) | slowest (wall) | median CPU | ratio to (a) |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {statistics.median(wall):.3f} s | {max(wall):.3f} s | "
        f"{statistics.median(cpu):.3f} s | {statistics.median(wall) / base:.2f} |"
        for name, (wall, cpu) in rows
    ]
    target = "met" if statistics.median(request[0]) < 2.0 else "NOT met"
    lines += ["", f"target (the page in under 2 s, median wall of (f)): {target}"]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "bench" / "results" / "cohort-latest.txt"
    out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
