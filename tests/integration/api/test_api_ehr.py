"""The CDS Hooks and FHIR routes as the served application mounts them (the app factory with the
shipped extras), on the record, on SQLite and PostgreSQL: patient-view reads the record's active
episode, order cards link to its page, feedback lands in the audit trail, an episode goes out as a
Bundle and comes back in as a new episode."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from api_ward import BASE_URL, Ward, open_ward, rate_change
from ehr.hook_builders import PATIENT, hook_request, ketamine_order
from record_db import RecordDb

from ketamine_cds.entrypoints.http.app import shipped_extras
from ketamine_cds.settings import CDS_HOOKS_SANDBOX

SANDBOX = {CDS_HOOKS_SANDBOX: "1"}


def _served(record_db: RecordDb, folder: Path, settings: dict[str, str]) -> Ward:
    return open_ward(record_db, folder, extras=shipped_extras(), more_settings=settings)


@pytest.fixture
def served(record_db: RecordDb, tmp_path: Path) -> Iterator[Ward]:
    """The served application (pages, CDS Hooks in sandbox mode, FHIR) on a new record."""
    built = _served(record_db, tmp_path / "data", SANDBOX)
    try:
        yield built
    finally:
        built.close()


def _running(ward: Ward, patient: str = PATIENT) -> int:
    """An episode of the EHR's patient, verified and running at 7 mg/h; its id."""
    episode_id = ward.start(patient)
    ward.verify(episode_id)
    changed = ward.call(
        "POST", f"/api/v1/episodes/{episode_id}/events", "nina",
        json=rate_change("7 mg/h", ago=timedelta(seconds=30)),
    )  # fmt: skip
    assert changed.status_code == 201, changed.text
    return episode_id


def _hook(ward: Ward, service: str, body: dict[str, Any]) -> Any:
    return ward.client.post(f"/cds-services/{service}", json=body)


def test_patient_view_shows_the_records_running_infusion_and_links_its_page(
    served: Ward,
) -> None:
    """patient-view: one card for the patient with an active episode (7 mg/h), none otherwise."""
    episode_id = _running(served)
    discovery = served.client.get("/cds-services").json()
    assert {s["id"] for s in discovery["services"]} == {
        "ketamine-order-select", "ketamine-order-sign", "ketamine-patient-view",
    }  # fmt: skip
    answer = _hook(served, "ketamine-patient-view", hook_request(hook="patient-view"))
    assert answer.status_code == 200, answer.text
    (card,) = answer.json()["cards"]
    assert "7 mg/h" in card["summary"] + card["detail"]
    assert card["links"][0]["url"] == f"{BASE_URL}/episodes/{episode_id}"
    page = served.call("GET", card["links"][0]["url"].removeprefix(BASE_URL), "nina")
    assert page.status_code == 200
    assert PATIENT in page.text  # the episode page of this patient
    other = hook_request(hook="patient-view")
    other["context"]["patientId"] = "someone-else"
    assert _hook(served, "ketamine-patient-view", other).json()["cards"] == []


def test_order_card_links_the_episode_page_and_its_feedback_is_audited(served: Ward) -> None:
    """order-sign on seed 001 case 2's order: a warning naming 14 mg/h, linked to the episode;
    the clinician's override comes back as feedback and is a chained audit entry."""
    episode_id = _running(served)
    answer = _hook(served, "ketamine-order-sign", hook_request(ketamine_order(18)))
    assert answer.status_code == 200, answer.text
    (card,) = answer.json()["cards"]
    assert card["indicator"] == "warning"
    assert "14 mg/h" in card["summary"]
    assert card["links"][0]["url"] == f"{BASE_URL}/episodes/{episode_id}"
    reason = card["overrideReasons"][0]
    feedback = {
        "feedback": [
            {
                "card": card["uuid"],
                "outcome": "overridden",
                "overrideReason": {"reason": reason, "userComment": "palliative goal agreed"},
                "outcomeTimestamp": "2026-01-01T10:00:00Z",
            }
        ]
    }
    kept = served.client.post("/cds-services/ketamine-order-sign/feedback", json=feedback)
    assert kept.status_code == 200, kept.text
    audit = served.call(
        "GET", "/api/v1/audit", "ann", params={"action": "cds.card."}
    ).json()  # fmt: skip
    assert [e["action"] for e in audit["entries"]] == ["cds.card.overridden"]
    assert audit["entries"][0]["subject"] == f"cds-card/{card['uuid']}"
    assert served.call("GET", "/api/v1/audit/verify", "ann").json()["intact"] is True


def test_an_episode_goes_out_as_a_bundle_and_comes_back_as_a_new_episode(served: Ward) -> None:
    """GET /api/v1/episodes/{id}/fhir, then POST /fhir/Bundle as phil: a new episode in the
    record with the same events and protocol; a nurse may not import, nobody unauthenticated."""
    episode_id = _running(served)
    out = served.call("GET", f"/api/v1/episodes/{episode_id}/fhir", "nina")
    assert out.status_code == 200, out.text
    assert out.headers["content-type"].startswith("application/fhir+json")
    bundle = out.json()
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"MedicationRequest", "MedicationAdministration", "Provenance"} <= kinds
    assert "GuidanceResponse" in kinds  # the recommendations the record stored
    assert served.client.post("/fhir/Bundle", json=bundle).status_code == 401
    refused = served.call("POST", "/fhir/Bundle", "nina", json=bundle)
    assert refused.status_code == 403
    assert refused.json()["role_needed"] == ["physician"]
    back = served.call("POST", "/fhir/Bundle", "phil", json=bundle)
    assert back.status_code == 201, back.text
    new_id = int(back.json()["episode_id"])
    assert new_id != episode_id
    before = served.call("GET", f"/api/v1/episodes/{episode_id}", "nina").json()
    after = served.call("GET", f"/api/v1/episodes/{new_id}", "nina").json()
    for field in ("patient", "protocol_id", "weight_kg", "started_at"):
        assert after[field] == before[field], field
    assert [(e["type"], e["at"]) for e in after["events"]] == [
        (e["type"], e["at"]) for e in before["events"]
    ]
    assert after["events"]


def test_plan_definition_is_served(served: Ward) -> None:
    """GET /fhir/PlanDefinition/{id}: the protocol as an R4 order set; an unknown one is 404."""
    found = served.client.get("/fhir/PlanDefinition/cancer-continuous")
    assert found.status_code == 200
    assert found.json()["resourceType"] == "PlanDefinition"
    assert served.client.get("/fhir/PlanDefinition/nothing").status_code == 404


def test_hook_calls_are_refused_until_an_ehr_is_trusted(
    record_db: RecordDb, tmp_path: Path
) -> None:
    """No issuer, key set or sandbox: discovery answers, a hook call is 401 saying what to set."""
    ward = _served(record_db, tmp_path / "data", {})
    try:
        assert ward.client.get("/cds-services").status_code == 200
        refused = _hook(ward, "ketamine-order-sign", hook_request(ketamine_order(18)))
        assert refused.status_code == 401
        assert "KETAMINE_CDS_CDS_HOOKS_ISSUERS" in refused.json()["detail"]
    finally:
        ward.close()
