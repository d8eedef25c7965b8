"""Protocol files: the schema is closed, published, and every shipped file follows it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ketamine_cds.adapters.protocol_files import (
    parse_protocol_text,
    read_protocol_file,
    shipped_protocol_texts,
)
from ketamine_cds.domain.errors import ProtocolFileError
from ketamine_cds.domain.protocols.schema import Phase, Protocol, Rule, Unspecified

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = shipped_protocol_texts()
REQUIRED = {
    "marshfield-inpatient",
    "cancer-continuous",
    "ultra-low-memantine",
    "noncancer-subcutaneous",
    "jackson-burst",
    "good-triple-agent",
    "prommer-loading",
    "fine-escalating-bolus",
    "correll-crps",
    "mercadante-bolus",
    "intermittent-tid",
    "kannan-oral",
    "kotlinska-oral",
    "sigtermans-crps",
    "schwartzman-crps",
    "amr-spinal-cord-injury",
    "kapural-outpatient",
    "quinlan-sc",
    "perioperative",
    "pca-procedural",
}
CANCER = SHIPPED["cancer-continuous.yaml"]


def test_every_required_protocol_ships() -> None:
    """All twenty protocols of the sources ship as files named by their id."""
    ids = {parse_protocol_text(text, name).id for name, text in SHIPPED.items()}
    assert ids >= REQUIRED


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_rule_has_an_id_and_a_source(name: str) -> None:
    """Each rule object in a shipped file names its source document and section."""
    protocol = parse_protocol_text(SHIPPED[name], name)

    def rules(node: object) -> list[Rule]:
        found = [node] if isinstance(node, Rule) else []
        if isinstance(node, Protocol | Rule):
            for field in type(node).model_fields:
                found += rules(getattr(node, field))
        elif isinstance(node, list | tuple):
            for item in node:
                found += rules(item)
        return found

    found = rules(protocol)
    assert len(found) >= 5
    for rule in found:
        assert rule.source.document.strip()
        assert rule.source.section.strip()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("    route: iv\n    rate:", "    route: iv\n    colour: red\n    rate:"),
            "cancer-continuous.yaml: unknown key 'colour' at phases[0]",
        ),
        (("rate: 0.1 mg/kg/h", "rate: 0.1"), "the number 0.1 has no unit"),
        (("rate: 0.1 mg/kg/h", "rate: 0.1 mg/kg"), "is a weight-based dose .mg/kg., but a rate"),
        (("schema_version: 1\n", ""), "'schema_version' is required"),
    ],
)
def test_malformed_files_are_refused_naming_file_place_and_problem(
    edit: tuple[str, str], message: str
) -> None:
    """An unknown key, a missing unit, the wrong kind or a missing field is one clear sentence."""
    text = CANCER.replace(*edit)
    assert text != CANCER
    with pytest.raises(ProtocolFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_protocol_text(text, "cancer-continuous.yaml")


def test_yaml_syntax_error_names_the_line() -> None:
    """A file that is not YAML is refused with its line."""
    with pytest.raises(ProtocolFileError, match=r"x\.yaml is not valid YAML at line 2"):
        parse_protocol_text("id: a\n  - : [\n", "x.yaml")


def test_file_name_must_match_id(tmp_path: Path) -> None:
    """A protocol file must be named by its id, so the library cannot hold two of one name."""
    path = tmp_path / "my-protocol.yaml"
    path.write_text(CANCER, encoding="utf-8")
    with pytest.raises(ProtocolFileError, match=r"must be named cancer-continuous\.yaml"):
        read_protocol_file(path)


def test_seed_001_ambiguity_is_recorded() -> None:
    """The '20 mg/kg/hr' of seed 001 is read as 20 mg/h, and the file says why."""
    protocol = parse_protocol_text(CANCER, "cancer-continuous.yaml")
    reading = next(r for r in protocol.readings if "20 mg/kg" in (r.source.quote or ""))
    assert "20 mg/h is meant" in reading.text
    limits = {str(c.limit) for c in protocol.phases[0].ceilings}  # type: ignore[union-attr]
    assert limits == {"0.2 mg/kg/h", "20 mg/h"}


def test_silence_is_marked_unspecified() -> None:
    """Seed 004 gives no titration step: the file says so rather than inventing one."""
    protocol = parse_protocol_text(SHIPPED["noncancer-subcutaneous.yaml"], "x.yaml")
    assert any(isinstance(phase.titration, Unspecified) for phase in protocol.phases)


@pytest.mark.parametrize(("name", "model"), [("protocol.schema.json", Protocol)])
def test_published_schema_matches_the_model(name: str, model: type[Protocol]) -> None:
    """schemas/ holds the JSON Schema the models export (regenerate: scripts/export_schemas.py)."""
    published = json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
    assert published == model.model_json_schema()


def test_schema_is_closed_and_described() -> None:
    """The exported schema forbids unknown keys and describes its fields."""
    schema = Protocol.model_json_schema()
    assert schema["additionalProperties"] is False
    phase = schema["$defs"]["Phase"]
    assert phase["additionalProperties"] is False
    assert "description" in phase["properties"]["rate"]
    assert set(Phase.model_fields) >= {"kind", "route", "rate", "total", "dose", "daily"}
