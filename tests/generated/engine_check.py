"""Runs the bedside engine over a generated case and judges every answer with the oracle.

This is the only module here that calls the engine: :func:`engine` is the one place that names
how the product loads a protocol and its limits. The oracle (``oracle.py``) judges the answers
without calling it.
"""

from __future__ import annotations

import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from episode_generator import Case
from oracle import Finding, cut, deterministic, judge

from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.adapters.protocol_source import FileProtocolSource
from ketamine_cds.domain.bedside import Recommendation, recommend
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.service.protocols import list_protocols, load_protocol

PACKAGE = Path(__import__("ketamine_cds").__file__).resolve().parent
SOURCE = FileProtocolSource()


def shipped(protocol_id: str) -> Protocol:
    """A shipped protocol by id, read as the product reads it."""
    return load_protocol(SOURCE, protocol_id)


@cache
def protocols() -> tuple[Protocol, ...]:
    """Every shipped protocol, ordered by id."""
    return tuple(list_protocols(SOURCE))


def engine(episode: Episode, at: datetime) -> Recommendation:
    """The product's answer at ``at``."""
    return recommend(episode, shipped(episode.protocol.id), limit_table(), at)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one answer: an invariant broken, a crash or a refusal."""

    invariant: str
    at: datetime
    text: str
    where: str = ""
    readings: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What checking one case found."""

    protocol_id: str
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    actions: Counter[str] = field(default_factory=Counter)

    def counts(self) -> Counter[str]:
        """Answers breaking each invariant (an answer counts once per invariant)."""
        return Counter(invariant for invariant, _ in self._groups())

    def stricter_only(self) -> Counter[str]:
        """Of those, answers breaking it only under a reading stricter than the product's stated
        rules, counted by invariant and by reading (``invariant/reading``)."""
        found: Counter[str] = Counter()
        for (invariant, _), problems in self._groups().items():
            if all(p.readings for p in problems):
                found[invariant] += 1
                for reading in sorted({r for p in problems for r in p.readings}):
                    found[f"{invariant}/{reading}"] += 1
        return found

    def _groups(self) -> dict[tuple[str, datetime], list[Problem]]:
        groups: dict[tuple[str, datetime], list[Problem]] = {}
        for problem in self.problems:
            groups.setdefault((problem.invariant, problem.at), []).append(problem)
        return groups


def location(error: BaseException) -> str:
    """Where in the product an error was raised: file (inside the package), line, function."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "ketamine_cds" in f.filename]
    if not frames:
        return "outside the product"
    frame = frames[-1]
    try:
        name = Path(frame.filename).resolve().relative_to(PACKAGE).as_posix()
    except ValueError:
        name = frame.filename
    return f"{name}:{frame.lineno} in {frame.name}"


def ask(episode: Episode, at: datetime) -> tuple[Recommendation | None, Problem | None]:
    """The engine's answer, or the crash or refusal it gave instead."""
    try:
        return engine(episode, at), None
    except UserInputError as error:
        return None, Problem("refused_valid_episode", at, str(error), location(error))
    except Exception as error:  # noqa: BLE001 - any other exception is the bug being counted
        where = f"{type(error).__name__} at {location(error)}"
        return None, Problem("internal_error", at, f"{type(error).__name__}: {error}", where)


def check_moment(
    episode: Episode, protocol: Protocol, at: datetime, actions: Counter[str] | None = None
) -> list[Problem]:
    """Everything wrong with the answer at ``at`` (its action counted in ``actions``)."""
    answer, problem = ask(episode, at)
    if problem is not None:
        return [problem]
    assert answer is not None
    if actions is not None:
        actions[answer.action] += 1
    return [
        Problem(f.invariant, at, f.text, readings=f.readings)
        for f in judge(episode, protocol, at, answer)
    ]


def check_twice(episode: Episode, at: datetime) -> list[Problem]:
    """Whether asking again, or asking the episode cut at ``at``, gives the same answer."""
    first, again, truncated = (
        ask(episode, at)[0],
        ask(episode, at)[0],
        ask(cut(episode, at), at)[0],
    )
    if first is None or again is None or truncated is None:
        return []  # the crash is counted by check_moment
    return [Problem(f.invariant, at, f.text) for f in deterministic(first, again, truncated)]


def check_case(case: Case) -> Outcome:
    """Check every moment of a case (the generator's episodes are valid by construction)."""
    episode = Episode.model_validate(case.data)
    protocol = shipped(case.protocol_id)
    outcome = Outcome(case.protocol_id)
    for at in case.moments:
        outcome.checked += 1
        outcome.problems += check_moment(episode, protocol, at, outcome.actions)
    for at in case.twice:
        outcome.problems += check_twice(episode, at)
    return outcome


def same_problem(data: dict[str, Any], problem: Problem) -> Problem | None:
    """The problem the episode in ``data`` shows at the same moment, if it is the same one: the
    same invariant and place, resting on the same stricter readings (or none)."""
    try:
        episode = Episode.model_validate(data)
    except ValueError:
        return None
    if problem.at < episode.started_at:
        return None
    protocol = shipped(episode.protocol.id)
    if problem.invariant == "not_deterministic":
        found = check_twice(episode, problem.at)
    else:
        found = check_moment(episode, protocol, problem.at)
    same = [
        p
        for p in found
        if (p.invariant, p.where, p.readings)
        == (problem.invariant, problem.where, problem.readings)
    ]
    return same[0] if same else None


def minimise(
    data: dict[str, Any], problem: Problem, budget: int = 400
) -> tuple[dict[str, Any], Problem]:
    """A smaller episode showing the same problem (events after it dropped, then others one at a
    time, asking the engine at most ``budget`` times), and the problem as it shows there."""
    at = problem.at
    cut_short = {
        **data,
        "events": [e for e in data["events"] if datetime.fromisoformat(e["at"]) <= at],
    }
    shown = same_problem(cut_short, problem)
    best = cut_short if shown is not None else data
    shown = shown or problem
    tries, shrunk = 0, True
    while shrunk and tries < budget:
        shrunk = False
        for index in reversed(range(len(best["events"]))):
            trial = {**best, "events": best["events"][:index] + best["events"][index + 1 :]}
            tries += 1
            found = same_problem(trial, problem)
            if found is not None:
                best, shown, shrunk = trial, found, True
            if tries >= budget:
                break
    for drop in ("phase", "version"):
        if drop == "phase":
            trial = {k: v for k, v in best.items() if k != "phase"}
        else:
            trial = {**best, "protocol": {"id": best["protocol"]["id"]}}
        found = same_problem(trial, problem) if trial != best else None
        if found is not None:
            best, shown = trial, found
    return best, shown


def as_yaml(data: dict[str, Any], problem: Problem, answer: str = "") -> str:
    """An episode file showing ``problem``, with what was wrong in its leading comments."""
    lines = [
        f"# {problem.invariant}: {problem.text}",
        *([f"# where: {problem.where}"] if problem.where else []),
        *([f"# engine: {answer}"] if answer else []),
        f"# check-at: {problem.at.isoformat()}",
    ]
    head = {k: v for k, v in data.items() if k != "events"}
    body = yaml.safe_dump(head, sort_keys=False, allow_unicode=True, default_flow_style=None)
    events = [
        "  - "
        + yaml.safe_dump(
            e, default_flow_style=True, allow_unicode=True, width=10_000, sort_keys=False
        ).strip()
        for e in data["events"]
    ]
    tail = "events:\n" + "\n".join(events) if events else "events: []"
    return "\n".join(lines) + "\n" + body + tail + "\n"


def answer_text(data: dict[str, Any], at: datetime) -> str:
    """What the engine answers at ``at``, in one line."""
    answer, problem = ask(Episode.model_validate(data), at)
    if answer is None:
        return problem.text if problem is not None else ""
    kinds = ", ".join(sorted({a.kind for a in answer.alerts})) or "none"
    return (
        f"{answer.action}, rate {answer.rate_mg_per_h} mg/h, dose {answer.dose_mg} mg, "
        f"phase {answer.phase}, alerts: {kinds}"
    )


def described(findings: list[Finding]) -> str:
    """Findings as one line each."""
    return "\n".join(f"{f.invariant}: {f.text}" for f in findings)
