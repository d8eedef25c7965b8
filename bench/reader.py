"""The strict reader's cost, against PyYAML's and the standard library's own loaders.

Measures, as medians over repeated runs in one process:

  (a) a typical episode file (the shipped example of seed 001 case 2) and protocol file, read by
      the strict reader and by ``yaml.load(CSafeLoader)``: the ratio is the price of strictness;
  (b) the worst cases the limits allow: a 1 MiB YAML file of events, an 8 MiB JSON file, the same
      8 MiB JSON with a key repeated at its end (the slow path that names the lines), and a
      nesting bomb refused at 33 levels;
  (c) a replay of episodes of 100 and 1,000 events (the most an episode file may hold).

Usage: ``.venv/bin/python bench/reader.py [--repeat N]``. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from ketamine_cds.adapters.documents import MAX_BYTES, MAX_JSON_BYTES, parse_structured
from ketamine_cds.adapters.episode_files import parse_episode_data
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.service.episodes import replay_episode

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``work`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def refused(data: bytes, *, as_json: bool) -> Callable[[], object]:
    """A run that must end in a refusal (the bench fails loudly if it does not)."""

    def run() -> object:
        try:
            parse_structured(data, "bench", as_json=as_json)
        except UserInputError as error:
            return str(error)
        msg = "expected a refusal"
        raise AssertionError(msg)

    return run


def events_yaml(size: int) -> bytes:
    """A YAML list of observations just under ``size`` bytes."""
    line = "  - {type: observation, at: '2024-05-02T10:00:00Z', pain: 5, note: 'n %06d'}\n"
    count = (size - 16) // len(line % 0)
    return ("events:\n" + "".join(line % i for i in range(count))).encode()


def episode(events: int) -> dict[str, object]:
    """A valid episode of ``events`` events: a start at 7 mg/h, then half-hourly pain scores."""
    start = datetime(2024, 5, 2, 10, tzinfo=UTC)
    rows: list[dict[str, object]] = [
        {"type": "rate_change", "at": start.isoformat(), "rate": "7 mg/h", "by": "nurse"}
    ]
    rows += [
        {"type": "observation", "at": (start + timedelta(minutes=30 * i)).isoformat(), "pain": 5}
        for i in range(1, events)
    ]
    return {
        "schema_version": 1,
        "patient": {"id": "p", "weight": "70 kg"},
        "protocol": {"id": "cancer-continuous", "version": "1.0.0"},
        "started_at": start.isoformat(),
        "baseline": {"pain": 8},
        "pain_goal": 4,
        "events": rows,
    }


def main() -> None:
    """Run every measurement and write the results beside the benchmark."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    example = (ROOT / "examples/episodes/seed-001-case-2.yaml").read_bytes()
    protocol = (ROOT / "src/ketamine_cds/protocols/marshfield-inpatient.yaml").read_bytes()
    big_yaml = events_yaml(MAX_BYTES)
    big_json = json.dumps({"events": [{"pain": i, "at": "x"} for i in range(10**6)]}).encode()
    big_json = big_json[: MAX_JSON_BYTES - 64].rsplit(b"},", 1)[0] + b"}]}"
    repeated_key = big_json[:-1] + b', "events": []}'
    bomb = b"a: " + b"[" * 100_000 + b"]" * 100_000
    rows: dict[str, float] = {}
    for name, data in (("episode", example), ("protocol", protocol)):
        strict = median_seconds(lambda d=data: parse_structured(d, "x", as_json=False), repeat)
        plain = median_seconds(lambda d=data: yaml.load(d, Loader=yaml.CSafeLoader), repeat)
        rows[f"{name}_strict_ms"] = strict * 1000
        rows[f"{name}_csafeloader_ms"] = plain * 1000
        rows[f"{name}_ratio"] = strict / plain
    few = max(1, repeat // 3)
    rows["yaml_1mib_s"] = median_seconds(
        lambda: parse_structured(big_yaml, "x", as_json=False), few
    )
    rows["yaml_1mib_csafeloader_s"] = median_seconds(
        lambda: yaml.load(big_yaml, Loader=yaml.CSafeLoader),
        few,
    )
    rows["json_8mib_s"] = median_seconds(lambda: parse_structured(big_json, "x", as_json=True), few)
    rows["json_8mib_json_loads_s"] = median_seconds(lambda: json.loads(big_json), few)
    rows["json_8mib_repeated_key_s"] = median_seconds(refused(repeated_key, as_json=True), few)
    rows["nesting_bomb_s"] = median_seconds(refused(bomb, as_json=False), few)
    for events in (100, 1000):
        parsed = parse_episode_data(episode(events), "bench")
        rows[f"replay_{events}_events_s"] = median_seconds(lambda p=parsed: replay_episode(p), 1)
    lines = [f"{key:>28}: {value:10.4f}" for key, value in rows.items()]
    header = f"reader benchmark, Python {platform.python_version()}, repeat {repeat}"
    text = "\n".join([header, *lines, json.dumps(rows)])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reader-latest.txt").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
