"""The bedside engine over generated episodes, judged by the oracle (which never calls it).

The default run checks a seeded sample over every shipped protocol (one test per invariant,
so the failures read as a list of what is still broken), a hypothesis search that shrinks what
it finds, and the saved failing examples in ``examples/``. The long run is marked ``slow``:

    .venv/bin/python -m pytest -n 2 -m slow tests/generated

The same counts, over 20,000 episodes: ``.venv/bin/python scripts/generated_episodes.py``.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

import pytest
import yaml
from engine_check import (
    answer_text,
    as_yaml,
    check_case,
    check_moment,
    minimise,
    protocols,
    shipped,
)
from episode_generator import Case, cases, fixed_moments, seeded_case
from hypothesis import HealthCheck, Phase, given, settings
from oracle import INVARIANTS
from tally import Tally

from ketamine_cds.domain.episode import Episode

SAMPLE_SEED, SAMPLE = 11, 120
LONG_SEED, LONG = 12, 4_000
EXAMPLES = sorted((Path(__file__).parent / "examples").glob("*.yaml"))


@cache
def tally(seed: int, count: int) -> Tally:
    """Every invariant over ``count`` seeded cases (computed once per test process)."""
    found, shipped = Tally(keep=1), protocols()
    for index in range(count):
        case = seeded_case(seed, index, shipped)
        found.add(case, check_case(case))
    return found


def _verdict(found: Tally, invariant: str) -> None:
    broken = found.total(invariant)
    if not broken:
        return
    keys = sorted(key for key in found.examples if key.split(":")[0].split(" ")[0] == invariant)
    shown = [text for _, text in found.minimal_examples(1, keys[:2], budget=60)]
    pytest.fail(
        f"{broken} answers break {invariant}.\n{found.table()}\n\nsmallest example(s):\n"
        + "\n".join(shown),
        pytrace=False,
    )


@pytest.mark.parametrize("invariant", INVARIANTS)
def test_seeded_sample_keeps_every_invariant(invariant: str) -> None:
    """Over 120 seeded episodes (6 per protocol), no answer breaks the invariant."""
    found = tally(SAMPLE_SEED, SAMPLE)
    assert sum(found.episodes.values()) == SAMPLE
    _verdict(found, invariant)


def _first_problem(case: Case, budget: int) -> str | None:
    """The first problem of the case, shown as a minimised episode file."""
    problems = check_case(case).problems
    if not problems:
        return None
    small, shown = minimise(case.data, problems[0], budget)
    return as_yaml(small, shown, answer_text(small, shown.at))


@settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    report_multiple_bugs=False,
)
@given(cases(protocols()))
def test_hypothesis_episodes_keep_every_invariant(case: Case) -> None:
    """Episodes hypothesis draws break no invariant at any moment (a failure is minimised by
    dropping events, not by hypothesis's shrinker, to keep the default run short)."""
    problem = _first_problem(case, budget=60)
    assert problem is None, problem


def _example_moments(path: Path) -> tuple[Episode, list[datetime]]:
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    stated = [
        datetime.fromisoformat(line.split(":", 1)[1].strip())
        for line in text.splitlines()
        if line.startswith("# check-at:")
    ]
    return Episode.model_validate(data), sorted({*stated, *fixed_moments(data)})


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_saved_failing_example_now_keeps_every_invariant(path: Path) -> None:
    """Each saved example (a minimal episode that once broke an invariant) breaks none, at the
    moment it names, at every event, and after the last."""
    episode, when = _example_moments(path)
    protocol = shipped(episode.protocol.id)
    problems = [p for at in when for p in check_moment(episode, protocol, at)]
    assert not problems, "\n".join(f"{p.invariant} at {p.at}: {p.text} {p.where}" for p in problems)


@pytest.mark.slow
@pytest.mark.parametrize("invariant", INVARIANTS)
def test_long_seeded_run_keeps_every_invariant(invariant: str) -> None:
    """Over 4,000 seeded episodes (200 per protocol), no answer breaks the invariant."""
    found = tally(LONG_SEED, LONG)
    assert sum(found.episodes.values()) == LONG
    _verdict(found, invariant)


@pytest.mark.slow
@settings(
    max_examples=1_500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    report_multiple_bugs=False,
)
@given(cases(protocols()))
def test_long_hypothesis_search_keeps_every_invariant(case: Case) -> None:
    """A longer hypothesis search over every protocol, shrinking what it finds, finds no broken
    invariant."""
    problem = _first_problem(case, budget=0)
    assert problem is None, problem
