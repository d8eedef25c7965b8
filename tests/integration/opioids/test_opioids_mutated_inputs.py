"""Mutated example files never end in a traceback: each is answered, or refused in one sentence.

The shipped examples (regimens, FHIR Bundles, a timeline) are changed at random places: a value
replaced by another type, NaN, infinity, an entry error such as '25 mg/h', or a key removed. The
oracle is the command line's contract, not the calculator: exit 0, 2 or 3; on exit 2 nothing on
stdout and one line on stderr starting "error: "; otherwise a decision-support notice or JSON.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from ketamine_cds.entrypoints.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "regimens"
VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2.5,
    1e308,
    float("nan"),
    float("inf"),
    "",
    "x\ny",
    "25 mg/h",
    "0 mg",
    "1e999 mg",
    "10 g",
    [],
    {},
    {"a": 1},
    "stopped",
    "unknown",
    "plan",
    "#missing",
    10**30,
    "{patch}",
]
COMMANDS = [
    ["med"],
    ["med", "--json"],
    ["opioid-plan", "convert", "--to", "morphine"],
    ["opioid-plan", "taper", "--step-percent", "10", "--every-days", "2"],
    ["opioid-plan", "timeline"],
]
MUTATIONS = 150


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _mutate(data: Any, rng: random.Random) -> Any:
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_paths(data))
        if not path:
            continue
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if rng.random() < 0.2:
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(VALUES))
    return data


def _examples() -> dict[str, Any]:
    loaded: dict[str, Any] = {}
    for path in sorted(EXAMPLES.iterdir()):
        text = path.read_text(encoding="utf-8")
        loaded[path.name] = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    return loaded


def _cases() -> list[tuple[str, str, list[str]]]:
    rng = random.Random(20240301)  # noqa: S311 - reproducible test data, not cryptography
    examples = _examples()
    cases = []
    for _ in range(MUTATIONS):
        name = rng.choice(sorted(examples))
        data = _mutate(copy.deepcopy(examples[name]), rng)
        suffix = ".json" if name.endswith(".json") else ".yaml"
        text = json.dumps(data) if suffix == ".json" else yaml.safe_dump(data, allow_unicode=True)
        cases.append((suffix, text, rng.choice(COMMANDS)))
    return cases


@pytest.mark.parametrize(("suffix", "text", "command"), _cases())
def test_a_mutated_input_is_answered_or_refused_in_one_sentence(
    tmp_path: Path, suffix: str, text: str, command: list[str]
) -> None:
    """No traceback: exit 0, 2 or 3, and a refusal is one line on stderr."""
    path = tmp_path / f"input{suffix}"
    path.write_text(text, encoding="utf-8")
    split = 2 if command[0] == "opioid-plan" else 1
    result = CliRunner().invoke(app, [*command[:split], str(path), *command[split:]])
    assert result.exception is None or isinstance(result.exception, SystemExit), text
    assert result.exit_code in {0, 2, 3}, result.stderr
    if result.exit_code == 2:
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: ")
    else:
        assert result.stdout.strip()
