"""Counts over many generated cases: per protocol, per invariant, crashes by place, examples.

Shared by ``scripts/generated_episodes.py`` and the test suite, so both print the same table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from engine_check import Outcome, Problem, answer_text, as_yaml, minimise
from episode_generator import Case
from oracle import INVARIANTS, READINGS

SHORT = {
    "internal_error": "crash",
    "refused_valid_episode": "refused",
    "rate_at_hard_limit": "rate",
    "dose_at_hard_limit": "dose",
    "hard_limit_without_alert": "hard",
    "raise_while_criterion_holds": "criterion",
    "raise_on_stale_reading": "stale",
    "above_soft_ceiling_unflagged": "soft",
    "not_deterministic": "replay",
}


@dataclass
class Tally:
    """Everything counted so far, and the smallest failing cases seen for each problem."""

    keep: int = 3
    episodes: Counter[str] = field(default_factory=Counter)
    checked: Counter[str] = field(default_factory=Counter)
    broken: Counter[tuple[str, str]] = field(default_factory=Counter)
    stricter: Counter[str] = field(default_factory=Counter)
    crashes: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[tuple[int, dict[str, Any], Problem]]] = field(default_factory=dict)

    def add(self, case: Case, outcome: Outcome) -> None:
        """Count one checked case."""
        protocol = case.protocol_id
        self.episodes[protocol] += 1
        self.checked[protocol] += outcome.checked
        for invariant, count in outcome.counts().items():
            self.broken[protocol, invariant] += count
        self.stricter.update(outcome.stricter_only())
        self.actions.update(outcome.actions)
        seen: set[str] = set()
        for problem in outcome.problems:
            if problem.invariant == "internal_error":
                self.crashes[problem.where] += 1
            if problem.invariant == "refused_valid_episode":
                self.refusals[problem.text] += 1
            key = self.key(problem)
            if key not in seen:
                seen.add(key)
                self._example(key, case.data, problem)

    @staticmethod
    def key(problem: Problem) -> str:
        """What examples are kept for: each invariant, literal or stricter; each crash place."""
        if problem.invariant == "internal_error":
            return f"internal_error: {problem.where}"
        suffix = f" [reading: {', '.join(problem.readings)}]" if problem.readings else ""
        return problem.invariant + suffix

    def _example(self, key: str, data: dict[str, Any], problem: Problem) -> None:
        kept = self.examples.setdefault(key, [])
        kept.append((len(data["events"]), data, problem))
        kept.sort(key=lambda item: item[0])
        del kept[self.keep :]

    def merge(self, other: Tally) -> None:
        """Add another tally (from another process) to this one."""
        self.episodes.update(other.episodes)
        self.checked.update(other.checked)
        self.broken.update(other.broken)
        self.stricter.update(other.stricter)
        self.crashes.update(other.crashes)
        self.refusals.update(other.refusals)
        self.actions.update(other.actions)
        for key, items in other.examples.items():
            for _, data, problem in items:
                self._example(key, data, problem)

    def total(self, invariant: str) -> int:
        """Answers breaking ``invariant`` over every protocol."""
        return sum(n for (_, name), n in self.broken.items() if name == invariant)

    def failed(self) -> bool:
        """Whether anything at all was broken."""
        return any(self.broken.values())

    def table(self) -> str:
        """Counts per invariant, per protocol, crashes by place and refusals, as text."""
        lines = [
            (
                f"episodes: {sum(self.episodes.values())} over {len(self.episodes)} protocols; "
                f"recommendations checked: {sum(self.checked.values())}"
            ),
            "answers by action: "
            + ", ".join(f"{action} {n}" for action, n in self.actions.most_common()),
            "",
            "answers breaking each invariant (of which only under a stricter reading):",
        ]
        for invariant in INVARIANTS:
            stricter = self.stricter[invariant]
            lines.append(f"  {invariant:30} {self.total(invariant):8}  ({stricter})")
            for reading in READINGS:
                count = self.stricter[f"{invariant}/{reading}"]
                if count:
                    lines.append(f"      stricter reading {reading}: {count}")
        head = "".join(f"{SHORT[name]:>9}" for name in INVARIANTS)
        lines += ["", f"  {'protocol':26}{'episodes':>9}{'checked':>9}{head}"]
        for protocol in sorted(self.episodes):
            cells = "".join(f"{self.broken[protocol, name]:9}" for name in INVARIANTS)
            row = f"  {protocol:26}{self.episodes[protocol]:9}{self.checked[protocol]:9}{cells}"
            lines.append(row)
        lines += ["", "internal errors by type and place:"]
        lines += [f"  {n:8}  {where}" for where, n in self.crashes.most_common()] or ["  none"]
        lines += ["", "refusals (UserInputError) of episodes the generator holds valid:"]
        lines += [f"  {n:8}  {text}" for text, n in self.refusals.most_common(10)] or ["  none"]
        return "\n".join(lines)

    def minimal_examples(
        self, per_key: int, keys: list[str] | None = None, budget: int = 400
    ) -> list[tuple[str, str]]:
        """Up to ``per_key`` minimised episode files for each problem kept (or for ``keys``), as
        (key, YAML); each minimisation asks the engine at most ``budget`` times."""
        found: list[tuple[str, str]] = []
        for key in sorted(self.examples) if keys is None else keys:
            for _, data, problem in self.examples[key][:per_key]:
                small, shown = minimise(data, problem, budget)
                found.append((key, as_yaml(small, shown, answer_text(small, shown.at))))
        return found
