"""Checks the bedside engine against an independent oracle over many generated episodes.

    .venv/bin/python scripts/generated_episodes.py --episodes 20000 --seed 1

Generates episodes over every shipped protocol (protocols in turn; episode ``i`` of seed ``s``
is the same on every run), asks the engine at the start, at every event, between events and
long after the last, and judges each answer with ``tests/generated/oracle.py``, which does not
call the engine. Prints the counts per invariant and per protocol, internal errors by type and
place, and a few minimised failing episodes as YAML files one can paste and replay
(``--save DIR`` also writes them there). Exit status 0 when nothing is broken, 1 otherwise.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "generated"))

from engine_check import check_case, protocols
from episode_generator import seeded_case
from tally import Tally

CHUNK = 200


def _chunk(job: tuple[int, int, int]) -> Tally:
    seed, first, last = job
    tally, shipped = Tally(), protocols()
    for index in range(first, last):
        case = seeded_case(seed, index, shipped)
        tally.add(case, check_case(case))
    return tally


def _minimal(job: tuple[Tally, int]) -> list[tuple[str, str]]:
    tally, per_key = job
    return tally.minimal_examples(per_key)


def run(episodes: int, seed: int, workers: int) -> Tally:
    """Check ``episodes`` cases of ``seed`` on ``workers`` processes."""
    jobs = [(seed, first, min(first + CHUNK, episodes)) for first in range(0, episodes, CHUNK)]
    total = Tally()
    with multiprocessing.Pool(workers) as pool:
        for done, part in enumerate(pool.imap_unordered(_chunk, jobs), start=1):
            total.merge(part)
            print(f"\r{min(done * CHUNK, episodes)}/{episodes} episodes", end="", file=sys.stderr)
    print(file=sys.stderr)
    return total


def examples(total: Tally, per_key: int, workers: int) -> list[tuple[str, str]]:
    """Minimised examples of every problem, shared out over the workers."""
    jobs = []
    for key, items in sorted(total.examples.items()):
        one = Tally(keep=per_key)
        one.examples[key] = items[:per_key]
        jobs.append((one, per_key))
    with multiprocessing.Pool(workers) as pool:
        return [item for part in pool.map(_minimal, jobs) for item in part]


def main(argv: list[str] | None = None) -> int:
    """Run, print, and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=max(1, multiprocessing.cpu_count()))
    parser.add_argument("--examples", type=int, default=2, help="minimised examples per problem")
    parser.add_argument("--save", type=Path, help="folder to write the examples into")
    options = parser.parse_args(argv)
    if options.episodes < 1 or options.seed < 0 or options.workers < 1 or options.examples < 0:
        parser.error("episodes and workers must be positive, seed and examples not negative")
    started = time.perf_counter()
    total = run(options.episodes, options.seed, options.workers)
    seconds = time.perf_counter() - started
    print(f"seed {options.seed}, {options.workers} workers, {seconds:.0f} s")
    print(total.table())
    found = examples(total, options.examples, options.workers) if options.examples else []
    if options.save is not None:
        options.save.mkdir(parents=True, exist_ok=True)
    for number, (key, text) in enumerate(found, start=1):
        print(f"\n--- example {number}: {key}\n{text}", end="")
        if options.save is not None:
            name = key.split(":")[0].split(" ")[0]
            (options.save / f"{number:02d}-{name}.yaml").write_text(text, encoding="utf-8")
    return 1 if total.failed() else 0


if __name__ == "__main__":
    sys.exit(main())
