"""The ``assess`` command end to end, and the published patient file schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from library import FILES, REF, SOURCE
from typer.testing import CliRunner

from ketamine_cds import DECISION_SUPPORT_NOTICE
from ketamine_cds.adapters.patient_files import patient_json_schema
from ketamine_cds.entrypoints.cli.app import app
from ketamine_cds.service.assessment import assess_record, assessment_payload

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "patients"
SCHEMA = ROOT / "schemas" / "patient.schema.json"
runner = CliRunner()


def _json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["assess", *args, "--json"])
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def _payload(path: Path) -> dict[str, Any]:
    """The JSON payload through the service, without re-reading the protocol library per call."""
    return json.loads(
        json.dumps(assessment_payload(REF, assess_record(SOURCE, REF, FILES.patient(path))))
    )


def _verdicts(payload: dict[str, Any]) -> dict[str, str]:
    return {p["id"]: p["eligibility"] for p in payload["protocols"]}


def test_schema_file_matches_the_model() -> None:
    """schemas/patient.schema.json is the exported schema (regenerate with the adapter module)."""
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == patient_json_schema()


@pytest.mark.parametrize("path", sorted(EXAMPLES.iterdir()), ids=lambda p: p.name)
def test_every_example_validates_against_the_schema(path: Path) -> None:
    """Each example patient file is valid under the published JSON Schema."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", sorted(EXAMPLES.iterdir()), ids=lambda p: p.name)
def test_every_example_assesses_with_the_documented_json_shape(path: Path) -> None:
    """The JSON output has protocols, contraindications, scores and evidence for every example."""
    payload = _payload(path)
    assert payload["protocols"]
    for protocol in payload["protocols"]:
        assert protocol["eligibility"] in {"eligible", "not_eligible", "needs_information"}
        for criterion in protocol["criteria"]:
            assert {"id", "status", "source"} <= criterion.keys()
    for finding in payload["contraindications"]:
        assert {"id", "grade", "text", "source"} <= finding.keys()
    assert set(payload["scores"]) <= {"lanss", "bpi_severity", "bpi_interference", "pseq"}
    assert {"indication", "level", "statement", "source"} <= payload["evidence"].keys()


def test_typical_candidate_is_eligible_only_where_the_criteria_hold() -> None:
    """Seed 004's candidate is eligible for noncancer-subcutaneous and not for cancer protocols."""
    verdicts = _verdicts(_json(str(EXAMPLES / "seed004-candidate.yaml")))
    assert verdicts["noncancer-subcutaneous"] == "eligible"
    assert verdicts["cancer-continuous"] == "not_eligible"


def test_contraindicated_patient_is_eligible_for_nothing() -> None:
    """Raised intracranial pressure makes every protocol not eligible, with the reason named."""
    payload = _payload(EXAMPLES / "contraindicated-brain-metastases.yaml")
    assert set(_verdicts(payload).values()) == {"not_eligible"}
    grades = {c["id"]: c["grade"] for c in payload["contraindications"]}
    assert grades["raised_intracranial_pressure"] == "contraindicated"
    assert grades["psychosis_history"] == "caution"
    cancer = next(p for p in payload["protocols"] if p["id"] == "cancer-continuous")
    assert cancer["contraindicated"] == ["raised_intracranial_pressure"]


def test_scores_of_the_typical_candidate() -> None:
    """LANSS 16, BPI severity 6.75 and interference 50/7, PSEQ 14 for the seed 004 candidate."""
    scores = _payload(EXAMPLES / "seed004-candidate.yaml")["scores"]
    assert scores["lanss"]["value"] == 16
    assert scores["bpi_severity"]["value"] == 6.75
    assert scores["bpi_interference"]["value"] == pytest.approx(50 / 7)
    assert scores["pseq"]["value"] == 14


def test_one_protocol_only_with_protocol_option() -> None:
    """--protocol limits the output to that protocol."""
    payload = _json(str(EXAMPLES / "seed002-liposarcoma.json"), "--protocol", "ultra-low-memantine")
    assert [p["id"] for p in payload["protocols"]] == ["ultra-low-memantine"]
    assert payload["evidence"]["indication"] == "opioid_tolerance"


def test_text_output_ends_with_the_notice() -> None:
    """The human-readable output shows the verdict and ends with the decision-support line."""
    result = runner.invoke(app, ["assess", str(EXAMPLES / "seed000-vasculitis.yaml")])
    assert result.exit_code == 0, result.output
    assert "NEEDS INFORMATION" in result.stdout
    assert result.stdout.rstrip().endswith(DECISION_SUPPORT_NOTICE)


def test_unknown_key_is_a_user_error(tmp_path: Path) -> None:
    """A misspelt key exits 2 with one sentence naming the file and the key."""
    patient = tmp_path / "p.yaml"
    patient.write_text("pain:\n  populaton: cancer\n", encoding="utf-8")
    result = runner.invoke(app, ["assess", str(patient)])
    assert result.exit_code == 2
    assert "error: p.yaml: unknown key 'populaton' at pain." in result.stderr


def test_unknown_protocol_is_a_user_error() -> None:
    """An unknown protocol id exits 2 and lists the known ones."""
    result = runner.invoke(
        app, ["assess", str(EXAMPLES / "seed000-vasculitis.yaml"), "--protocol", "nope"]
    )
    assert result.exit_code == 2
    assert "noncancer-subcutaneous" in result.stderr
