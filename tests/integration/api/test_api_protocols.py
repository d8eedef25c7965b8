"""Protocols, plans and checks over HTTP: the command line's documents, and every refusal."""

from __future__ import annotations

import json

import pytest
from api_ward import Ward
from typer.testing import CliRunner

from ketamine_cds.entrypoints.cli.app import app as cli


def _cli_json(*args: str) -> object:
    result = CliRunner().invoke(cli, [*args, "--json"], env={"KETAMINE_CDS_CACHE_DIR": ""})
    return json.loads(result.stdout)


def test_protocols_need_a_credential(ward: Ward) -> None:
    """Without a token or a session the API answers 401 with one sentence and a Bearer challenge."""
    response = ward.call("GET", "/api/v1/protocols", None)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["error"] == "not_authenticated"
    assert body["detail"].startswith("Log in, or give a bearer token")
    assert body["detail"].endswith(".")


def test_the_protocol_list_is_the_command_lines(ward: Ward) -> None:
    """GET /protocols answers what `protocols --json` prints, for any role (an admin too)."""
    response = ward.call("GET", "/api/v1/protocols", "ann")
    assert response.status_code == 200
    assert response.json() == _cli_json("protocols")
    assert "cancer-continuous" in {p["id"] for p in response.json()}


def test_one_protocol_and_an_unknown_one(ward: Ward) -> None:
    """GET /protocols/{id} is `protocol show --json`; an unknown id is 404, a malformed one 422."""
    response = ward.call("GET", "/api/v1/protocols/cancer-continuous", "nina")
    assert response.status_code == 200
    assert response.json() == _cli_json("protocol", "show", "cancer-continuous")
    missing = ward.call("GET", "/api/v1/protocols/no-such-protocol", "nina")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    assert missing.json()["detail"] == "There is no protocol 'no-such-protocol'."
    assert ward.call("GET", "/api/v1/protocols/Not_An_Id", "nina").status_code == 422


def test_a_plan_is_the_plan_commands_document(ward: Ward) -> None:
    """POST /plan answers the `plan --json` document for the same protocol, weight and bag."""
    body = {"protocol": "cancer-continuous", "weight_kg": 70, "concentration_mg_per_ml": 2}
    response = ward.call("POST", "/api/v1/plan", "nina", json=body)
    assert response.status_code == 200
    expected = _cli_json(
        "plan", "--protocol", "cancer-continuous", "--weight-kg", "70",
        "--concentration-mg-per-ml", "2",
    )  # fmt: skip
    assert response.json() == expected


@pytest.mark.parametrize(
    ("rate", "verdict"),
    [(7, "within_protocol"), (18, "soft_limit_exceeded"), (80, "hard_limit_exceeded")],
)
def test_a_check_is_the_check_commands_document(ward: Ward, rate: float, verdict: str) -> None:
    """POST /check answers `check --json` (seed 001: 14 mg/h ceiling at 70 kg; 1 mg/kg/h hard)."""
    body = {"protocol": "cancer-continuous", "weight_kg": 70, "rate_mg_per_h": rate}
    response = ward.call("POST", "/api/v1/check", "nina", json=body)
    assert response.status_code == 200
    assert response.json()["verdict"] == verdict
    expected = _cli_json(
        "check", "--protocol", "cancer-continuous", "--weight-kg", "70",
        "--rate-mg-per-h", str(rate),
    )  # fmt: skip
    assert response.json() == expected


def test_a_dose_check_over_minutes(ward: Ward) -> None:
    """A dose with over_min is checked as the command line checks it."""
    body = {"protocol": "cancer-continuous", "weight_kg": 70, "dose_mg": 10, "over_min": 30}
    response = ward.call("POST", "/api/v1/check", "nina", json=body)
    assert response.status_code == 200
    expected = _cli_json(
        "check", "--protocol", "cancer-continuous", "--weight-kg", "70", "--dose-mg", "10",
        "--over-min", "30",
    )  # fmt: skip
    assert response.json() == expected


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        (
            {"protocol": "cancer-continuous", "weight_kg": "70", "rate_mg_per_h": 7},
            "The request body's weight_kg: input should be a valid number.",
        ),
        (
            {"protocol": "cancer-continuous", "weight_kg": True, "rate_mg_per_h": 7},
            "The request body's weight_kg: input should be a valid number.",
        ),
        (
            {"protocol": "cancer-continuous", "weight_kg": 70, "rate_mg_per_h": 1e-9},
            (
                "The request body's rate_mg_per_h: 1e-09 is outside the numbers the product "
                "reads (1e-06 to 1e+06)."
            ),
        ),
        (
            {"protocol": "cancer-continuous", "weight_kg": 70, "rate_mg_per_h": 7, "dose_mg": 5},
            "The request body: give either rate_mg_per_h or dose_mg, not both or neither.",
        ),
        (
            {"protocol": "cancer-continuous", "weight_kg": 70, "rate_mg_per_h": 7, "over_min": 5},
            "The request body: over_min goes with dose_mg.",
        ),
        (
            {"protocol": "cancer-continuous", "weight_kg": 70, "rate": 7},
            "The request body's rate is not a field this request takes.",
        ),
        ({"weight_kg": 70, "rate_mg_per_h": 7}, "The request body's protocol is required."),
    ],
)
def test_a_check_that_does_not_match_the_schema_is_422(
    ward: Ward, body: dict[str, object], sentence: str
) -> None:
    """Strings, booleans, tiny numbers, both or neither of rate and dose: 422, one sentence."""
    response = ward.call("POST", "/api/v1/check", "nina", json=body)
    assert response.status_code == 422
    assert response.json() == {"detail": sentence, "error": "invalid_request"}


@pytest.mark.parametrize(
    ("raw", "start"),
    [
        (b'{"protocol": "cancer-continuous", "weight_kg": NaN}', "The request body"),
        (b'{"protocol": "cancer-continuous", "weight_kg": 1e400}', "The request body"),
        (b'{"protocol": "a", "protocol": "b", "weight_kg": 70}', "The request body"),
        (b'{"protocol": "cancer-continuous", ', "The request body is not valid JSON"),
        (b"[" * 5000 + b"]" * 5000, "The request body is nested more than"),
    ],
)
def test_json_is_read_strictly(ward: Ward, raw: bytes, start: str) -> None:
    """NaN, infinity, a repeated key, broken or too deep JSON: 400 with the reader's sentence."""
    headers = {"content-type": "application/json"}
    response = ward.call("POST", "/api/v1/plan", "nina", content=raw, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_input"
    assert response.json()["detail"].startswith(start)


def test_the_domain_refuses_what_is_clinically_wrong(ward: Ward) -> None:
    """A weight of 700 kg and an unknown protocol are the domain's sentences, as 400."""
    heavy = ward.call(
        "POST", "/api/v1/plan", "nina", json={"protocol": "cancer-continuous", "weight_kg": 700}
    )
    assert heavy.status_code == 400
    assert "outside the adult range" in heavy.json()["detail"]
    unknown = ward.call("POST", "/api/v1/plan", "nina", json={"protocol": "nope", "weight_kg": 70})
    assert unknown.status_code == 400
    assert unknown.json()["detail"].startswith("There is no protocol 'nope'; known protocols:")
