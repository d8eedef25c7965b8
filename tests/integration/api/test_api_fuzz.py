"""A property-based fuzz of the API from its own OpenAPI document (schemathesis): requests made
from every route's documented parameters and bodies, as a physician with a bearer token, on a
record with episodes in it. No request, valid or not, may be answered with a server error.

The default run is bounded: schemathesis's random phase only, a few examples per route and
database (well under two minutes on two cores). The long run adds its coverage phase (every
boundary and every documented-invalid value of each parameter and body field, about a thousand
requests for the richest route) and many more random examples:
``pytest -m slow tests/integration/api/test_api_fuzz.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_ward import Ward, environment, open_ward, rate_change
from hypothesis import HealthCheck, settings
from record_db import RecordDb
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from ketamine_cds.bootstrap import build, record_container
from ketamine_cds.entrypoints.http.app import create_app, shipped_extras

QUICK_EXAMPLES_PER_ROUTE = 5
LONG_EXAMPLES_PER_ROUTE = 100
# the JSON API and the FHIR routes; CDS Hooks calls are an EHR's, tested with signed tokens
API_PATHS = "^/(api/v1|fhir)/"


def _document() -> dict[str, Any]:
    """The OpenAPI document of the served app, built on a record it never opens."""
    container = build(environment("sqlite:///:memory:", Path("/nonexistent")))
    app = create_app(
        container,
        record_container(container.settings),
        container.settings,
        extras=shipped_extras(),
    )
    return app.openapi()


DOCUMENT = _document()


def _schema(*, coverage: bool) -> Any:
    """The document as schemathesis reads it, with or without its coverage phase."""
    config = SchemathesisConfig.from_dict(
        {"phases": {"coverage": {"enabled": coverage}, "stateful": {"enabled": False}}}
    )
    return schemathesis.openapi.from_dict(DOCUMENT, config=config).include(path_regex=API_PATHS)


quick_schema = _schema(coverage=False)
long_schema = _schema(coverage=True)
FUZZ_SETTINGS = {"deadline": None, "suppress_health_check": list(HealthCheck), "database": None}


@pytest.fixture
def fuzzed(record_db: RecordDb, tmp_path: Path) -> Iterator[Ward]:
    """The served application on a record holding a running and a new episode."""
    ward = open_ward(record_db, tmp_path / "data", extras=shipped_extras())
    running = ward.start("p-fuzz-1")
    ward.verify(running)
    ward.call(
        "POST", f"/api/v1/episodes/{running}/events", "nina",
        json=rate_change("7 mg/h", ago=timedelta(seconds=30)),
    )  # fmt: skip
    ward.start("p-fuzz-2")
    try:
        yield ward
    finally:
        ward.close()


@pytest.fixture
def long_run(request: pytest.FixtureRequest) -> None:
    """The long run only when slow tests are asked for by name (``-m slow``)."""
    if "slow" not in (request.config.getoption("-m") or ""):
        pytest.skip("the long fuzz runs with -m slow")


def _send(case: Any, ward: Ward) -> None:
    """Send the case as phil; the answer is never a server error, and the token is accepted."""
    response = case.call(app=ward.app, headers=ward.auth("phil"))
    case.validate_response(response, checks=[not_a_server_error])
    # a 401 would mean the fuzz never got past authentication to the code it means to test
    assert response.status_code != 401, response.text


def test_the_fuzz_covers_every_route_of_the_api() -> None:
    """Every documented API and FHIR operation is fuzzed, the episode as a Bundle among them."""
    documented = {
        (method.upper(), path)
        for path, item in DOCUMENT["paths"].items()
        if re.match(API_PATHS, path)
        for method in item
    }
    fuzzed_ops = {
        (op.method.upper(), op.path) for op in (r.ok() for r in quick_schema.get_all_operations())
    }
    assert documented == fuzzed_ops
    assert ("GET", "/api/v1/episodes/{episode_id}/fhir") in fuzzed_ops
    assert ("POST", "/fhir/Bundle") in fuzzed_ops


@quick_schema.parametrize()
@settings(max_examples=QUICK_EXAMPLES_PER_ROUTE, **FUZZ_SETTINGS)  # type: ignore[arg-type]
def test_no_request_is_a_server_error(case: Any, fuzzed: Ward) -> None:
    """Whatever the fuzzer sends, the answer is a success or a refusal, never a 500."""
    _send(case, fuzzed)


@pytest.mark.slow
@long_schema.parametrize()
@settings(max_examples=LONG_EXAMPLES_PER_ROUTE, **FUZZ_SETTINGS)  # type: ignore[arg-type]
def test_no_boundary_request_is_a_server_error(
    long_run: None,  # first, so that it skips before the ward is built
    case: Any,
    fuzzed: Ward,
) -> None:
    """Every boundary value of every parameter and many more random requests: never a 500."""
    _send(case, fuzzed)
