"""FHIR R4 out and back in: every shipped example episode gives the same recommendations.

The episode is exported as a Bundle (the order, administrations, observations by LOINC,
recommendations, provenance), written as JSON text, read back, and replayed: the
recommendations at the start and after every event are those of the original. Every exported
resource, and every protocol's PlanDefinition, validates against R4 (the R4 classes and HL7's R4
JSON Schema), checked resource by resource.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ehr.hook_builders import make_app, make_service, products, replay, shipped_protocols
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ketamine_cds.adapters.episode_files import read_episode_file
from ketamine_cds.adapters.fhir.episode_in import read_episode_bundle
from ketamine_cds.adapters.fhir.episode_out import episode_bundle
from ketamine_cds.adapters.fhir.plan_definition import plan_definition
from ketamine_cds.adapters.fhir.r4 import parse, schema_errors
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.units import BodyWeight
from ketamine_cds.entrypoints.cli.app import app
from ketamine_cds.entrypoints.http.fhir import episode_bundle_response

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples" / "episodes").glob("*.yaml"))
BASE = "https://ketamine.hospital.example"


def _export(episode: Episode) -> dict[str, object]:
    protocol = shipped_protocols().get(episode.protocol.id).protocol
    return episode_bundle(
        episode, protocol, replay(episode), base=BASE, concentration_mg_per_ml=1.0
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_an_exported_episode_imported_again_gives_the_same_recommendations(path: Path) -> None:
    """Out as a Bundle, in again from its JSON text: the same recommendations, event by event."""
    episode = read_episode_file(path)
    text = json.dumps(_export(episode))
    back = read_episode_bundle(json.loads(text), path.name, products())
    assert back.concentration_mg_per_ml == 1.0
    assert len(back.episode.events) == len(episode.events)
    before = [r.model_dump() for r in replay(episode)]
    after = [r.model_dump() for r in replay(back.episode)]
    assert after == before


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_exported_resource_validates_as_r4(path: Path) -> None:
    """Each resource of the Bundle passes the R4 classes and the R4 JSON Schema on its own."""
    bundle = _export(read_episode_file(path))
    entries = bundle["entry"]
    assert isinstance(entries, list)
    kinds = {e["resource"]["resourceType"] for e in entries}
    assert {"Patient", "MedicationRequest", "Observation", "GuidanceResponse"} <= kinds
    for entry in entries:
        resource = entry["resource"]
        parse(resource, resource["resourceType"])
        assert schema_errors(resource) == []


def test_the_seed_001_case_2_bundle_carries_the_order_rates_loinc_and_provenance() -> None:
    """The order's rate is UCUM mg/kg/h, rate changes MedicationAdministrations, pain LOINC."""
    episode = read_episode_file(next(p for p in EXAMPLES if p.stem == "seed-001-case-2"))
    recorded = episode.model_copy(
        update={
            "events": [
                e.model_copy(update={"recorded_by": "nina", "role": "nurse"})
                for e in episode.events
            ]
        }
    )
    resources = [e["resource"] for e in _export(recorded)["entry"]]  # type: ignore[index]
    order = next(r for r in resources if r["resourceType"] == "MedicationRequest")
    rate = order["dosageInstruction"][0]["doseAndRate"][0]["rateQuantity"]
    assert rate == {
        "value": 0.1,
        "unit": "mg/kg/h",
        "system": "http://unitsofmeasure.org",
        "code": "mg/kg/h",
    }
    assert order["instantiatesCanonical"] == [f"{BASE}/fhir/PlanDefinition/cancer-continuous|1.0.0"]
    rates = [
        r
        for r in resources
        if r["resourceType"] == "MedicationAdministration" and r["status"] == "in-progress"
    ]
    assert [r["dosage"]["rateQuantity"]["value"] for r in rates] == [0.1, 15, 18, 13]
    pains = [
        r
        for r in resources
        if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == "72514-3"
    ]
    assert [p["valueInteger"] for p in pains] == [10, 5, 5, 4]
    provenance = [r for r in resources if r["resourceType"] == "Provenance"]
    assert len(provenance) == len(episode.events)
    assert provenance[0]["agent"][0]["who"]["display"] == "nina"
    guidance = [r for r in resources if r["resourceType"] == "GuidanceResponse"]
    assert all(g["reasonCode"][0]["coding"][0]["code"] for g in guidance)


def test_who_recorded_what_survives_the_round_trip() -> None:
    """recorded_by, role and a late recorded_at come back from the Provenance resources."""
    from datetime import timedelta  # noqa: PLC0415

    episode = read_episode_file(next(p for p in EXAMPLES if p.stem == "seed-001-case-2"))
    first = episode.events[2].model_copy(
        update={
            "recorded_by": "nina",
            "role": "nurse",
            "recorded_at": episode.events[2].at + timedelta(hours=1),
        }
    )
    changed = episode.model_copy(
        update={"events": [*episode.events[:2], first, *episode.events[3:]]}
    )
    back = read_episode_bundle(json.loads(json.dumps(_export(changed))), "x", products()).episode
    assert back.events[2].recorded_by == "nina"
    assert back.events[2].role == "nurse"
    assert back.events[2].recorded_at == first.recorded_at


@pytest.mark.parametrize("loaded", shipped_protocols().all(), ids=lambda p: p.protocol.id)
def test_every_protocol_is_an_r4_order_set(loaded: object) -> None:
    """Each protocol's PlanDefinition (order-set) and its ActivityDefinitions validate as R4."""
    protocol = loaded.protocol  # type: ignore[attr-defined]
    limits = shipped_protocols().limits().table
    for weight in (None, BodyWeight.from_kg(70)):
        resource = plan_definition(protocol, limits, base=BASE, weight=weight)
        assert resource["type"]["coding"][0]["code"] == "order-set"
        assert schema_errors(resource) == []
        for activity in resource["contained"]:
            assert schema_errors(activity) == []
        assert len(resource["contained"]) == len(protocol.phases)


def test_the_plan_definition_route_gives_the_patients_ceiling() -> None:
    """The PlanDefinition for 70 kg: a 7 mg/h start and at most 14 mg in any hour."""
    client = TestClient(make_app(make_service()))
    response = client.get("/fhir/PlanDefinition/cancer-continuous", params={"weight": "70 kg"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    dosage = response.json()["contained"][0]["dosage"][0]
    assert dosage["doseAndRate"][0]["rateQuantity"]["value"] == 7
    assert dosage["maxDosePerPeriod"]["numerator"]["value"] == 14
    assert client.get("/fhir/PlanDefinition/nope").status_code == 404
    assert (
        client.get(
            "/fhir/PlanDefinition/cancer-continuous", params={"weight": "7 stone"}
        ).status_code
        == 400
    )


def test_a_bundle_posted_is_read_into_the_episode() -> None:
    """POST /fhir/Bundle answers the episode file, the bag and what was not read."""
    episode = read_episode_file(next(p for p in EXAMPLES if p.stem == "seed-001-case-2"))
    client = TestClient(make_app(make_service()))
    response = client.post("/fhir/Bundle", json=_export(episode))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["episode"]["protocol"]["id"] == "cancer-continuous"
    assert body["episode"]["patient"]["weight"] == "70 kg"
    assert body["concentration_mg_per_ml"] == 1.0
    assert any("computed again" in n for n in body["notes"])
    refused = client.post("/fhir/Bundle", json={"resourceType": "Patient"})
    assert refused.status_code == 400
    assert refused.json()["resourceType"] == "OperationOutcome"


def test_the_api_export_function_answers_fhir_json() -> None:
    """The function behind GET /api/v1/episodes/{id}/fhir answers an R4 Bundle as FHIR JSON."""
    episode = read_episode_file(next(p for p in EXAMPLES if p.stem == "seed-001-case-2"))
    protocol = shipped_protocols().get(episode.protocol.id).protocol
    response = episode_bundle_response(episode, protocol, replay(episode), base=BASE)
    assert response.media_type == "application/fhir+json"
    assert json.loads(bytes(response.body))["resourceType"] == "Bundle"


def test_fhir_import_command_writes_the_episode_file(tmp_path: Path) -> None:
    """`ketamine-cds fhir import FILE --out episode.yaml` writes an episode that reads again."""
    episode = read_episode_file(next(p for p in EXAMPLES if p.stem == "seed-001-case-2"))
    source = tmp_path / "bundle.json"
    source.write_text(json.dumps(_export(episode)), encoding="utf-8")
    out = tmp_path / "episode.yaml"
    result = CliRunner().invoke(app, ["fhir", "import", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "12 events" in result.output
    again = read_episode_file(out)
    assert [r.model_dump() for r in replay(again)] == [r.model_dump() for r in replay(episode)]


def test_fhir_import_of_something_else_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    """A Patient alone is not a Bundle: one sentence on stderr, exit status 2."""
    source = tmp_path / "patient.json"
    source.write_text(json.dumps({"resourceType": "Patient"}), encoding="utf-8")
    result = CliRunner().invoke(app, ["fhir", "import", str(source)])
    assert result.exit_code == 2
    assert "not a Bundle" in result.output
