"""CDS Hooks 2.0 security: a bearer JWT signed ES384 or RS384 by a trusted issuer, for this URL.

From the specification ("Trusting CDS Clients"): the token's ``alg`` is asymmetric (``none``
and HMAC are not acceptable), ``iss`` names the client, ``aud`` is the service's URL, and
``exp``, ``iat`` and ``jti`` are required. Keys are made here; nothing reaches a network.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from ehr.hook_builders import (
    ISSUER,
    hook_request,
    jwks_text,
    jwt_auth,
    ketamine_order,
    make_app,
    make_service,
    signing_key,
    token,
)
from fastapi.testclient import TestClient

from ketamine_cds.adapters.cds_hooks.security import authenticator
from ketamine_cds.settings import read_settings

SIGN = "/cds-services/ketamine-order-sign"
AUDIENCE = "http://testserver/cds-services/ketamine-order-sign"
ES = signing_key("ES384")
RS = signing_key("RS384")


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(make_app(make_service(), jwt_auth(ES, RS)))


def _post(client: TestClient, bearer: str | None) -> int:
    headers = {} if bearer is None else {"Authorization": f"Bearer {bearer}"}
    return client.post(SIGN, json=hook_request(ketamine_order(18)), headers=headers).status_code


@pytest.mark.parametrize("key", [ES, RS], ids=["ES384", "RS384"])
def test_a_token_from_a_trusted_issuer_for_this_url_is_accepted(
    client: TestClient, key: object
) -> None:
    """ES384 and RS384 tokens with every required claim are accepted."""
    assert _post(client, token(key, AUDIENCE)) == 200  # type: ignore[arg-type]


def _part(value: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _unsigned(claims: dict[str, object]) -> str:
    return f"{_part({'alg': 'none', 'typ': 'JWT', 'kid': ES.kid})}.{_part(claims)}."


def test_no_token_is_401(client: TestClient) -> None:
    """Without a bearer token the call is refused, and says how to authenticate."""
    response = client.post(SIGN, json=hook_request(ketamine_order(18)))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_alg_none_is_refused(client: TestClient) -> None:
    """An unsigned token (alg none) is refused."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, "iat": now, "jti": "x1"}
    assert _post(client, _unsigned(claims)) == 401


def test_hmac_with_the_public_key_as_secret_is_refused(client: TestClient) -> None:
    """HS384 signed with the public key's bytes (algorithm confusion) is refused."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, "iat": now, "jti": "x2"}
    secret = ES.private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    signing_input = f"{_part({'alg': 'HS384', 'typ': 'JWT', 'kid': ES.kid})}.{_part(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha384).digest()
    forged = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    assert _post(client, forged) == 401


def test_es256_is_not_one_of_the_accepted_algorithms(client: TestClient) -> None:
    """Only ES384 and RS384 are accepted."""
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415

    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, "iat": now, "jti": "x3"}
    other = jwt.encode(
        claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers={"kid": ES.kid}
    )
    assert _post(client, other) == 401


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://someone-else.example"},
        {"aud": "http://testserver/cds-services/ketamine-order-select"},
        {"aud": "http://testserver"},
        {"exp": int(time.time()) - 3600},
        {"iat": int(time.time()) + 3600},
        {"jti": None},
        {"exp": None},
        {"iat": None},
    ],
    ids=[
        "other-issuer",
        "other-service",
        "base-only",
        "expired",
        "future-iat",
        "no-jti",
        "no-exp",
        "no-iat",
    ],
)
def test_a_token_with_a_wrong_or_missing_claim_is_refused(
    client: TestClient, changes: dict[str, object]
) -> None:
    """Issuer, audience, expiry, issue time and token id are each checked."""
    assert _post(client, token(ES, AUDIENCE, **changes)) == 401


def test_a_token_signed_by_an_unknown_key_is_refused(client: TestClient) -> None:
    """A key not in the configured set is refused, whatever the token says."""
    assert _post(client, token(signing_key("ES384"), AUDIENCE)) == 401


def test_a_key_id_pointing_to_a_trusted_key_but_signed_by_another_is_refused(
    client: TestClient,
) -> None:
    """A token claiming a trusted kid but signed with another private key fails its signature."""
    impostor = signing_key("ES384", kid=ES.kid)
    assert _post(client, token(impostor, AUDIENCE)) == 401


def test_a_token_naming_a_key_of_the_other_family_is_refused(client: TestClient) -> None:
    """Signed ES384 but naming the trusted RSA key's kid: 401, not a server error."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, "iat": now, "jti": "x4"}
    crossed = jwt.encode(claims, ES.private, algorithm="ES384", headers={"kid": RS.kid})
    assert _post(client, crossed) == 401


def test_an_es384_token_with_a_p256_key_of_the_same_kid_is_refused() -> None:
    """A trusted kid whose key is on another curve than ES384's: refused, not a server error."""
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415

    p256 = signing_key("ES384")
    private = ec.generate_private_key(ec.SECP256R1())
    algorithm = jwt.algorithms.ECAlgorithm(jwt.algorithms.ECAlgorithm.SHA256)
    jwk = {**json.loads(algorithm.to_jwk(private.public_key())), "kid": p256.kid}
    auth = jwt_auth(type(p256)(p256.kid, "ES384", private, jwk))
    client = TestClient(make_app(make_service(), auth))
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, "iat": now, "jti": "x5"}
    signed = jwt.encode(claims, private, algorithm="ES256", headers={"kid": p256.kid})
    header, payload, _ = signed.split(".")
    relabelled = (
        f"{_part({'alg': 'ES384', 'typ': 'JWT', 'kid': p256.kid})}.{payload}.{signed.split('.')[2]}"
    )
    assert header
    assert _post(client, relabelled) == 401


def test_a_replayed_token_is_refused(client: TestClient) -> None:
    """The same token (same jti) is accepted once."""
    once = token(ES, AUDIENCE)
    assert _post(client, once) == 200
    assert _post(client, once) == 401


def test_feedback_needs_a_token_too(client: TestClient) -> None:
    """Feedback without a token is refused."""
    body = {
        "feedback": [
            {
                "card": "5c2cfed8-8a2b-4a47-9f94-1cbbd4b0b7d2",
                "outcome": "overridden",
                "outcomeTimestamp": "2024-05-04T12:00:00Z",
            }
        ]
    }
    assert client.post(f"{SIGN}/feedback", json=body).status_code == 401
    headers = {"Authorization": f"Bearer {token(ES, AUDIENCE)}"}
    assert client.post(f"{SIGN}/feedback", json=body, headers=headers).status_code == 200


def test_sandbox_mode_accepts_calls_without_a_token_and_says_so_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """KETAMINE_CDS_CDS_HOOKS_SANDBOX=1: no token needed, and a warning in the log."""
    settings = read_settings({"KETAMINE_CDS_CDS_HOOKS_SANDBOX": "1"})
    with caplog.at_level(logging.WARNING, logger="ketamine_cds.cds_hooks"):
        auth = authenticator(
            sandbox=settings.cds_hooks_sandbox,
            issuers=settings.cds_hooks_issuers,
            jwks=settings.cds_hooks_jwks,
        )
    assert "sandbox mode is ON" in caplog.text
    client = TestClient(make_app(make_service(), auth))
    assert _post(client, None) == 200


def test_sandbox_is_off_by_default_and_needs_issuers_and_keys() -> None:
    """Without settings there is no sandbox, and no service without trusted issuers and keys."""
    settings = read_settings({})
    assert settings.cds_hooks_sandbox is False
    with pytest.raises(ValueError, match="KETAMINE_CDS_CDS_HOOKS_ISSUERS"):
        authenticator(sandbox=False, issuers=(), jwks=None)


def test_issuers_and_a_jwks_file_from_settings_authenticate(tmp_path: object) -> None:
    """Issuers (comma-separated) and a JWKS file named in the settings verify a token."""
    from pathlib import Path  # noqa: PLC0415

    jwks = Path(str(tmp_path)) / "ehr.jwks.json"
    jwks.write_text(jwks_text(RS), encoding="utf-8")
    settings = read_settings(
        {
            "KETAMINE_CDS_CDS_HOOKS_ISSUERS": f"https://other.example, {ISSUER}",
            "KETAMINE_CDS_CDS_HOOKS_JWKS": str(jwks),
        }
    )
    assert settings.cds_hooks_issuers == ("https://other.example", ISSUER)
    auth = authenticator(
        sandbox=False, issuers=settings.cds_hooks_issuers, jwks=settings.cds_hooks_jwks
    )
    client = TestClient(make_app(make_service(), auth))
    assert _post(client, token(RS, AUDIENCE)) == 200
    assert _post(client, token(ES, AUDIENCE)) == 401


def test_a_sandbox_setting_other_than_0_or_1_is_refused() -> None:
    """KETAMINE_CDS_CDS_HOOKS_SANDBOX=yes is not read as on or off: one sentence."""
    from ketamine_cds.domain.errors import UserInputError  # noqa: PLC0415

    with pytest.raises(UserInputError, match="give 1"):
        read_settings({"KETAMINE_CDS_CDS_HOOKS_SANDBOX": "yes"})
