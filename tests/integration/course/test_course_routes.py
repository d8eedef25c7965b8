"""The course of care over HTTP: the router mounted in a FastAPI app over a SQLite record.

Seed 002's episode (1) relies on memantine; its discharge without memantine is blocked with the
critical alert (409) until a physician leaves it off with a reason. The seed 004 patient (2) is
a responder whose summary and GP letter come back as a PDF.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from course_build import record_with, seed_002
from course_letter import MEDICINES, seed_004_episode
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pypdf import PdfReader

from ketamine_cds.adapters.reference_data import ShippedReferenceData
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.entrypoints.web.course_routes import course_router
from ketamine_cds.service.ports import ReferenceData
from ketamine_cds.service.record_support import RecordDeps

WITHOUT_MEMANTINE: dict[str, Any] = {
    "label": "discharge to a nursing home",
    "medicines": [{"drug": "gabapentin", "dose": "700 mg", "doses_per_day": 3, "route": "oral"}],
    "opioids": {
        "items": [{"drug": "methadone", "dose": "40 mg", "doses_per_day": 3, "route": "oral"}]
    },
}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    """The router mounted as the web application would, the user named by a header."""
    record = record_with(tmp_path, seed_002(), seed_004_episode())
    tables = ShippedReferenceData()

    def deps() -> RecordDeps:
        return record.deps

    def reference() -> ReferenceData:
        return tables

    def user(request: Request) -> str:
        return request.headers.get("x-user", "nina")

    app = FastAPI()
    app.include_router(course_router(deps, reference, user), prefix="/api/v1")
    return TestClient(app)


def test_the_response_names_the_verdict_and_what_each_criterion_was_computed_from(
    client: TestClient,
) -> None:
    """Seed 004's patient: a responder, the mean VRS halved criterion computed from scores."""
    answer = client.get("/api/v1/episodes/2/response")
    assert answer.status_code == 200
    body = answer.json()
    assert body["verdict"] == "responder"
    halved = next(c for c in body["criteria"] if c["id"] == "vrs-mean-halved")
    assert halved["met"] is True
    assert "before ketamine" in halved["computed_from"]


def test_a_time_without_a_zone_is_refused_in_one_sentence(client: TestClient) -> None:
    """400, not a guessed zone."""
    answer = client.get("/api/v1/episodes/1/response", params={"at": "2024-05-03T08:00"})
    assert answer.status_code == 400
    assert "has no time zone" in answer.json()["detail"]


def test_the_transitions_of_seed_002_name_memantine_5_then_10_mg(client: TestClient) -> None:
    """The drugs started alongside, each with its rule."""
    body = client.get("/api/v1/episodes/1/transitions", params={"at": "2024-05-03T08:00Z"}).json()
    drugs = [(d["drug"], d["dose"], d["doses_per_day"]) for d in body["drugs"]]
    assert drugs == [("memantine", "5 mg", 2), ("memantine", "10 mg", 2)]
    assert "current_plasma" in body


def test_a_discharge_without_memantine_is_409_with_the_critical_alert(
    client: TestClient,
) -> None:
    """Seed 002: blocked, naming memantine; no summary; the PDF route is blocked the same way."""
    answer = client.post("/api/v1/episodes/1/discharge", json={"medicines": WITHOUT_MEMANTINE})
    assert answer.status_code == 409
    body = answer.json()
    assert body["missing"] == ["memantine"]
    assert body["alerts"][0]["kind"] == "nmda_antagonist_missing"
    assert "memantine is missing" in body["detail"]
    assert "summary" not in body
    pdf = client.post("/api/v1/episodes/1/discharge.pdf", json={"medicines": WITHOUT_MEMANTINE})
    assert pdf.status_code == 409


def test_a_physician_leaving_memantine_off_with_a_reason_issues_the_summary(
    client: TestClient,
) -> None:
    """The acknowledgement is the physician's; the summary names memantine as left off."""
    request = {
        "medicines": WITHOUT_MEMANTINE,
        "leave_off": {"drug": "memantine", "reason": "stopped for dizziness; reviewed"},
    }
    answer = client.post("/api/v1/episodes/1/discharge", json=request, headers={"x-user": "phil"})
    assert answer.status_code == 200
    (drug,) = answer.json()["summary"]["nmda_antagonists"]
    assert (drug["drug"], drug["listed_as"], drug["acknowledged_by"]) == ("memantine", None, "phil")


def test_leaving_a_drug_off_without_a_name_or_a_reason_is_refused_in_one_sentence(
    client: TestClient,
) -> None:
    """A drug that is no name and a reason too short are the user's error (the served app's 422,
    docs/api.md), naming what is needed, not a server error."""
    request = {"medicines": WITHOUT_MEMANTINE, "leave_off": {"drug": "0", "reason": "0"}}
    with pytest.raises(UserInputError, match=r"needs the drug's name .* at least 3 characters"):
        client.post("/api/v1/episodes/1/discharge", json=request, headers={"x-user": "phil"})


def test_the_letter_pdf_holds_the_regimen_and_the_emergency_plan(client: TestClient) -> None:
    """The seed 004 patient's summary and GP letter, printed, with the notice on it."""
    request = {
        "medicines": MEDICINES.model_dump(mode="json", exclude_none=True),
        "details": {"contact": "Persistent Pain Service, 555 0000", "gp": "Dr A. General"},
    }
    answer = client.post("/api/v1/episodes/2/discharge.pdf", json=request)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
    text = " ".join(text.split())
    assert "oxycodone controlled release 30 mg twice daily" in text
    assert "Emergency plan" in text
    assert "Decision support, not a prescriber" in text


def test_an_unknown_field_in_the_discharge_request_is_refused(client: TestClient) -> None:
    """The request is read strictly: a misspelt field is 422, not ignored."""
    request = {"medicines": WITHOUT_MEMANTINE, "ocasion": "transfer"}
    assert client.post("/api/v1/episodes/1/discharge", json=request).status_code == 422
