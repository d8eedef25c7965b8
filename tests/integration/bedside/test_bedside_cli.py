"""The recommend and replay commands, the example episodes and the published episode schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from ketamine_cds import DECISION_SUPPORT_NOTICE, __version__
from ketamine_cds.adapters.episode_files import episode_json_schema
from ketamine_cds.entrypoints.cli.app import app

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples" / "episodes").glob("*.yaml"))
CASE_2 = ROOT / "examples" / "episodes" / "seed-001-case-2.yaml"
runner = CliRunner()


def test_there_are_examples_for_the_seed_cases() -> None:
    """Seed 001 cases 1 and 2 and the seed 002 case ship as examples."""
    names = {path.stem for path in EXAMPLES}
    assert {"seed-001-case-1", "seed-001-case-2", "seed-002"} <= names


def _expected_status(items: list[dict[str, Any]]) -> int:
    """docs/SAFETY.md: 4 for a hard-limit alert, 3 for a soft limit not overridden, else 0."""
    statuses = [0]
    for item in items:
        kinds = {alert["kind"] for alert in item["alerts"]}
        if "hard_limit" in kinds:
            statuses.append(4)
        elif "soft_limit" in kinds and "override_in_effect" not in kinds:
            statuses.append(3)
    return max(statuses)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_replays_as_json(path: Path) -> None:
    """Each example replays to timed recommendations; it exits with the most serious status."""
    result = runner.invoke(app, ["replay", str(path), "--json"])
    assert result.exit_code in {0, 3, 4}, result.output
    items = json.loads(result.stdout)
    assert items
    assert result.exit_code == _expected_status(items)
    for item in items:
        assert item["at"]
        assert item["software_version"] == __version__
        assert item["protocol_version"]
        assert item["action"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_matches_the_published_schema(path: Path) -> None:
    """The example files validate against schemas/episode.schema.json."""
    schema = json.loads((ROOT / "schemas" / "episode.schema.json").read_text(encoding="utf-8"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(json.dumps(data, default=str)), schema)


def test_the_schema_file_matches_the_model() -> None:
    """schemas/episode.schema.json is what the episode model exports (regenerate if not)."""
    published = json.loads((ROOT / "schemas" / "episode.schema.json").read_text(encoding="utf-8"))
    assert published == json.loads(json.dumps(episode_json_schema()))


def test_replay_as_text_is_a_timeline_ending_with_the_notice() -> None:
    """The human-readable replay lists each moment and ends with the decision-support line."""
    result = runner.invoke(app, ["replay", str(CASE_2)])
    assert result.exit_code == 3, result.output  # 18 mg/h above the 14 mg/h soft limit
    assert "2024-05-04T10:00:00Z  ASK PHYSICIAN  18 mg/h" in result.stdout
    assert "soft_limit" in result.stdout
    assert result.stdout.rstrip().endswith(DECISION_SUPPORT_NOTICE)


def test_recommend_at_a_time_as_json() -> None:
    """Case 2 on day 4 at 18 mg/h: the soft limit of 14 mg/h is alerted, versions recorded."""
    result = runner.invoke(app, ["recommend", str(CASE_2), "--at", "2024-05-04T12:00Z", "--json"])
    assert result.exit_code == 3, result.output  # a soft limit, no override recorded
    item = json.loads(result.stdout)
    assert item["action"] == "ask_physician"
    assert item["rate_mg_per_h"] == 18.0
    assert "soft_limit" in {alert["kind"] for alert in item["alerts"]}
    assert (item["protocol_id"], item["protocol_version"]) == ("cancer-continuous", "1.0.0")


def test_recommend_as_text_ends_with_the_notice() -> None:
    """The text answer names the action and ends with the decision-support line."""
    result = runner.invoke(app, ["recommend", str(CASE_2), "--at", "2024-05-02T12:00Z"])
    assert result.exit_code == 0, result.output
    assert "CONTINUE" in result.stdout
    assert result.stdout.rstrip().endswith(DECISION_SUPPORT_NOTICE)


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("2024-05-04T12:00", "has no time zone"),
        ("yesterday", "is not a time"),
        ("2024-01-01T00:00Z", "is before the episode started"),
    ],
)
def test_a_bad_time_is_one_sentence_and_exit_2(at: str, message: str) -> None:
    """A time without a zone, not a time, or before the start: exit 2 with one sentence."""
    result = runner.invoke(app, ["recommend", str(CASE_2), "--at", at])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.startswith("error: ")


def test_a_malformed_episode_file_names_the_event(tmp_path: Path) -> None:
    """A pain score of 11 is refused with the file, the event's position and one sentence."""
    bad = yaml.safe_load(CASE_2.read_text(encoding="utf-8"))
    bad["events"][2]["pain"] = 11
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    result = runner.invoke(app, ["replay", str(path)])
    assert result.exit_code == 2
    assert "bad.yaml: event 3 (observation), pain: 11 is out of range" in result.stderr


def test_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    """An episode file that is not there is one sentence, not a traceback."""
    result = runner.invoke(app, ["replay", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "cannot read episode file" in result.stderr


def test_json_episode_files_are_read(tmp_path: Path) -> None:
    """An episode written as JSON replays like its YAML twin."""
    data = yaml.safe_load(CASE_2.read_text(encoding="utf-8"))
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    as_json = runner.invoke(app, ["replay", str(path), "--json"])
    as_yaml = runner.invoke(app, ["replay", str(CASE_2), "--json"])
    assert as_json.exit_code == as_yaml.exit_code == 3, as_json.output
    assert json.loads(as_json.stdout) == json.loads(as_yaml.stdout)
