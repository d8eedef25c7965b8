"""The opioid equivalent, the assessment and the audit trail over HTTP: the command line's
documents, and their refusals."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from api_ward import Ward, observation
from sqlalchemy import text
from typer.testing import CliRunner

from ketamine_cds.entrypoints.cli.app import app as cli

EXAMPLES = Path(__file__).parents[3] / "examples"


def _cli_json(*args: str) -> object:
    result = CliRunner().invoke(cli, [*args, "--json"], env={"KETAMINE_CDS_CACHE_DIR": ""})
    return json.loads(result.stdout)


def test_med_of_a_fhir_regimen_is_the_med_commands(ward: Ward) -> None:
    """POST /med with seed 000's first regimen as FHIR R4: the `med --json` document."""
    path = EXAMPLES / "regimens" / "seed000-phase1.fhir.json"
    response = ward.call(
        "POST", "/api/v1/med", "nina", content=path.read_bytes(),
        headers={"content-type": "application/json"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json() == _cli_json("med", str(path))


def test_med_of_a_regimen_under_another_table(ward: Ward) -> None:
    """A regimen file as JSON, under ?table=cdc-2016, as `med --table cdc-2016`."""
    path = EXAMPLES / "regimens" / "seed000-phase2.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    response = ward.call("POST", "/api/v1/med?table=cdc-2016", "nina", json=data)
    assert response.status_code == 200
    assert response.json() == _cli_json("med", str(path), "--table", "cdc-2016")
    unknown = ward.call("POST", "/api/v1/med?table=nope", "nina", json=data)
    assert unknown.status_code == 400
    assert unknown.json()["detail"].startswith("Unknown table 'nope'")


def test_a_timeline_is_not_a_regimen(ward: Ward) -> None:
    """A document that is not a regimen gets the regimen reader's sentence (400)."""
    response = ward.call("POST", "/api/v1/med", "nina", json={"points": []})
    assert response.status_code == 400
    assert "holds a timeline (points), not a regimen" in response.json()["detail"]


def test_assess_is_the_assess_commands_document(ward: Ward) -> None:
    """POST /assess?protocol= with seed 004's candidate: the `assess --json` document."""
    path = EXAMPLES / "patients" / "seed004-candidate.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    response = ward.call(
        "POST", "/api/v1/assess?protocol=noncancer-subcutaneous", "paula", json=data
    )
    assert response.status_code == 200
    expected = _cli_json("assess", str(path), "--protocol", "noncancer-subcutaneous")
    assert response.json() == expected


def test_a_patient_record_that_does_not_parse(ward: Ward) -> None:
    """An unknown key in a patient record is refused (400) with the patient reader's sentence."""
    response = ward.call("POST", "/api/v1/assess", "paula", json={"shoe_size": 44})
    assert response.status_code == 400
    assert "shoe_size" in response.json()["detail"]


def test_the_audit_trail_filtered_newest_first(ward: Ward) -> None:
    """GET /audit: who did what, newest first, filtered by actor, action and subject."""
    episode_id = ward.start()
    ward.verify(episode_id)
    everything = ward.call("GET", "/api/v1/audit", "nina").json()
    seqs = [e["seq"] for e in everything["entries"]]
    assert seqs == sorted(seqs, reverse=True)
    assert everything["matching"] == len(seqs)
    paula = ward.call("GET", "/api/v1/audit", "nina", params={"actor": "paula"}).json()
    assert {e["action"] for e in paula["entries"]} >= {"episode.verify"}
    starts = ward.call(
        "GET", "/api/v1/audit", "nina", params={"action": "episode.", "subject": "episode/"}
    ).json()
    assert [e["action"] for e in starts["entries"]] == ["episode.verify", "episode.start"]
    page = ward.call("GET", "/api/v1/audit", "nina", params={"limit": 2, "offset": 1}).json()
    assert [e["seq"] for e in page["entries"]] == seqs[1:3]
    assert ward.call("GET", "/api/v1/audit?limit=0", "nina").status_code == 422
    assert ward.call("GET", "/api/v1/audit?since=soon", "nina").status_code == 400


def test_the_audit_trail_verifies_and_shows_tampering(ward: Ward) -> None:
    """GET /audit/verify: intact after real work; after a row is changed, the first break named."""
    episode_id = ward.start()
    ward.verify(episode_id)
    ward.call("POST", f"/api/v1/episodes/{episode_id}/events", "nina", json=observation(5))
    intact = ward.call("GET", "/api/v1/audit/verify", "ann").json()
    assert intact["intact"] is True
    assert intact["entries"] > 10
    with ward.db.engine.begin() as connection:
        connection.execute(
            text("UPDATE episodes SET pain_goal = 9 WHERE id = :id"), {"id": episode_id}
        )
    broken = ward.call("GET", "/api/v1/audit/verify", "ann")
    assert broken.status_code == 200
    body = broken.json()
    assert body["intact"] is False
    assert "no longer matches its digest" in body["reason"]
    assert ward.call("GET", "/api/v1/audit/verify", None).status_code == 401
