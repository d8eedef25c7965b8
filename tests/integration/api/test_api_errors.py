"""The one error mapping: a bug is 500 with an id (logged, no traceback), a huge body is 413,
an unknown page is 404, a wrong method 405, and a browser gets a page instead of JSON."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_ward import Ward, open_ward
from fastapi import APIRouter, FastAPI
from record_db import RecordDb

from ketamine_cds.adapters.documents import MAX_JSON_BYTES
from ketamine_cds.entrypoints.http.deps import ActingUser, Wiring


def _broken() -> APIRouter:
    router = APIRouter()

    @router.get("/api/v1/broken")
    def broken(_user: ActingUser) -> None:
        message = "a bug deep inside"
        raise RuntimeError(message)

    return router


def _hook(app: FastAPI, wiring: Wiring) -> None:
    @app.get("/api/v1/hooked")
    def hooked() -> dict[str, str]:
        return {"record": wiring.record.url_shown}


@pytest.fixture
def broken(record_db: RecordDb, tmp_path: Path) -> Iterator[Ward]:
    """The application with a route that fails, and one added by a hook."""
    built = open_ward(record_db, tmp_path / "data", extras=[_broken(), _hook])
    try:
        yield built
    finally:
        built.close()


def test_a_bug_is_500_with_an_error_id_and_no_traceback(
    broken: Ward, caplog: pytest.LogCaptureFixture
) -> None:
    """The answer names an error id and says it is a bug; the log holds the id and the traceback."""
    with caplog.at_level(logging.ERROR, logger="ketamine_cds.http"):
        response = broken.call("GET", "/api/v1/broken", "nina")
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal_error"
    assert body["detail"] == (
        f"Internal error (error id {body['error_id']}): a bug in ketamine-cds; please report it."
    )
    assert "Traceback" not in response.text
    assert "a bug deep inside" not in response.text
    logged = [r for r in caplog.records if body["error_id"] in r.getMessage()]
    assert logged
    assert logged[0].exc_info is not None


def test_an_extra_hook_reaches_the_wiring(broken: Ward) -> None:
    """A callable extra is given the app and its wiring (here, to answer the record's URL)."""
    assert broken.client.get("/api/v1/hooked").json() == {"record": broken.record.url_shown}


def test_a_body_larger_than_the_product_reads_is_413(ward: Ward) -> None:
    """A body over the JSON limit is refused with 413 and one sentence, before it is parsed."""
    huge = b'{"protocol": "' + b"x" * (MAX_JSON_BYTES + 10) + b'"}'
    response = ward.call(
        "POST", "/api/v1/plan", "nina", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert response.json()["detail"] == (
        f"The request body is larger than the {MAX_JSON_BYTES:,} bytes the product reads."
    )


def test_unknown_paths_and_methods(ward: Ward) -> None:
    """404 and 405 are sentences in the same shape as every other refusal."""
    missing = ward.call("GET", "/api/v1/nothing-here", "nina")
    assert missing.status_code == 404
    assert missing.json() == {
        "detail": "There is nothing at /api/v1/nothing-here.",
        "error": "not_found",
    }
    wrong = ward.call("DELETE", "/api/v1/protocols", "nina")
    assert wrong.status_code == 405
    assert wrong.json()["detail"] == "/api/v1/protocols does not take DELETE."


def test_a_browser_gets_a_page_saying_what_is_wrong(ward: Ward) -> None:
    """A page request (Accept: text/html, not /api) gets HTML with the sentence and the notice."""
    response = ward.client.get("/no-such-page", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is nothing at /no-such-page." in response.text
    assert "Decision support, not a prescriber" in response.text


def test_the_openapi_document_describes_routes_bodies_and_errors(ward: Ward) -> None:
    """Every API route is in /openapi.json, document bodies with their formats' schemas, and the
    error shapes (ErrorBody; StaleBody on the event route)."""
    document = ward.client.get("/openapi.json").json()
    paths = document["paths"]
    expected = {
        ("/api/v1/health", "get"), ("/api/v1/protocols", "get"),
        ("/api/v1/protocols/{protocol_id}", "get"), ("/api/v1/plan", "post"),
        ("/api/v1/check", "post"), ("/api/v1/episodes", "post"), ("/api/v1/episodes", "get"),
        ("/api/v1/episodes/{episode_id}", "get"), ("/api/v1/episodes/{episode_id}/events", "post"),
        ("/api/v1/episodes/{episode_id}/recommendation", "get"),
        ("/api/v1/episodes/{episode_id}/export", "get"), ("/api/v1/med", "post"),
        ("/api/v1/assess", "post"), ("/api/v1/audit", "get"), ("/api/v1/audit/verify", "get"),
        ("/login", "post"), ("/logout", "post"),
    }  # fmt: skip
    found = {(path, method) for path, item in paths.items() for method in item}
    assert expected <= found
    schemas = document["components"]["schemas"]
    assert {"Episode", "Event", "Regimen", "PatientRecord", "ErrorBody", "StaleBody"} <= set(
        schemas
    )
    create = paths["/api/v1/episodes"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Episode"
    }
    events = paths["/api/v1/episodes/{episode_id}/events"]["post"]["responses"]
    assert events["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StaleBody"
    }
    assert {"400", "401", "403", "404", "422", "500"} <= set(events)
