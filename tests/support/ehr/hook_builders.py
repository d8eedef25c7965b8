"""Builders for CDS Hooks tests: draft orders, weights, hook requests, keys and tokens, fakes.

The hook requests follow the CDS Hooks 2.0 specification's order-sign example (context with
userId, patientId, encounterId and a draftOrders Bundle; a weight prefetch), with rate-based
ketamine infusion orders, since the public sandbox's order form cannot build one.
"""

from __future__ import annotations

import functools
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI

from ketamine_cds.adapters.cds_hooks.hooks import CdsHooksService
from ketamine_cds.adapters.cds_hooks.ports import ActiveEpisode, CardFeedback
from ketamine_cds.adapters.cds_hooks.security import (
    Authenticator,
    FileKeys,
    JwtAuthenticator,
    MemorySeenTokens,
    SandboxAuthenticator,
)
from ketamine_cds.adapters.protocol_source import FileProtocolSource
from ketamine_cds.adapters.reference_data import ShippedReferenceData
from ketamine_cds.domain.bedside import Recommendation, recommend
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.opioids.products import ProductTable
from ketamine_cds.entrypoints.http.cds_hooks import cds_hooks_router
from ketamine_cds.entrypoints.http.fhir import fhir_router

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
PATIENT = "1288992"
BASE = "http://testserver"
ISSUER = "https://ehr.example.org"
NOW = datetime(2024, 5, 4, 12, 0, tzinfo=UTC)


def ketamine_order(  # noqa: PLR0913 - one keyword per part of the order a test varies
    rate: float | None = 18,
    unit: str = "mg/h",
    *,
    protocol: str | None = "cancer-continuous",
    order_id: str = "ketamine-draft-1",
    code: str | None = "6130",
    text: str | None = None,
    dose: float | None = None,
    over_min: float | None = None,
    route: str = "47625008",
    concentration: float | None = None,
) -> dict[str, Any]:
    """A draft ketamine MedicationRequest with a rateQuantity (or a doseQuantity)."""
    concept: dict[str, Any] = {}
    if code is not None:
        concept["coding"] = [{"system": RXNORM, "code": code, "display": "ketamine"}]
    if text is not None:
        concept["text"] = text
    entry: dict[str, Any] = {}
    timing: dict[str, Any] | None = None
    if dose is not None:
        entry["doseQuantity"] = {"value": dose, "unit": "mg", "system": UCUM, "code": "mg"}
        if over_min is not None:
            timing = {"repeat": {"duration": over_min, "durationUnit": "min"}}
    elif rate is not None:
        entry["rateQuantity"] = {"value": rate, "unit": unit, "system": UCUM, "code": unit}
    dosage: dict[str, Any] = {
        "route": {"coding": [{"system": "http://snomed.info/sct", "code": route}]},
        "doseAndRate": [entry],
    }
    if timing is not None:
        dosage["timing"] = timing
    order: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": order_id,
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT}"},
        "dosageInstruction": [dosage],
    }
    if concentration is not None:
        order["contained"] = [
            {
                "resourceType": "Medication",
                "id": "bag",
                "code": concept,
                "ingredient": [
                    {
                        "itemCodeableConcept": concept,
                        "strength": {
                            "numerator": {"value": concentration, "system": UCUM, "code": "mg"},
                            "denominator": {"value": 1, "system": UCUM, "code": "mL"},
                        },
                    }
                ],
            }
        ]
        order["medicationReference"] = {"reference": "#bag"}
    else:
        order["medicationCodeableConcept"] = concept
    if protocol is not None:
        order["instantiatesCanonical"] = [
            f"https://hospital.example/fhir/PlanDefinition/{protocol}|1.0.0"
        ]
    return order


def other_order(order_id: str = "paracetamol-1") -> dict[str, Any]:
    """A draft order for something that is not ketamine."""
    return {
        "resourceType": "MedicationRequest",
        "id": order_id,
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": "161", "display": "acetaminophen"}]
        },
        "subject": {"reference": f"Patient/{PATIENT}"},
    }


def weight_observation(
    value: float = 70, unit: str = "kg", *, status: str = "final", at: str = "2024-05-02T08:00:00Z"
) -> dict[str, Any]:
    """A body-weight Observation (LOINC 29463-7)."""
    return {
        "resourceType": "Observation",
        "status": status,
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "vital-signs",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
        "subject": {"reference": f"Patient/{PATIENT}"},
        "effectiveDateTime": at,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }


def searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    """A search result Bundle."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }


def hook_request(
    *orders: dict[str, Any],
    hook: str = "order-sign",
    weight: dict[str, Any] | str | None = "default",
    selections: list[str] | None = None,
    fhir_server: str | None = None,
) -> dict[str, Any]:
    """A hook call shaped as the spec's example; weight None prefetches null, "omit" omits."""
    context: dict[str, Any] = {
        "userId": "PractitionerRole/A2340113",
        "patientId": PATIENT,
        "encounterId": "89284",
        "draftOrders": {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": o} for o in orders],
        },
    }
    if selections is not None:
        context["selections"] = selections
    body: dict[str, Any] = {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": context,
    }
    if weight == "default":
        body["prefetch"] = {"weight": searchset(weight_observation())}
    elif weight == "omit":
        body["prefetch"] = {}
    else:
        body["prefetch"] = {"weight": weight}
    if fhir_server is not None:
        body["fhirServer"] = fhir_server
        body["fhirAuthorization"] = {
            "access_token": "some-opaque-fhir-access-token",
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "user/Observation.read",
            "subject": "cds-service",
        }
    return body


@dataclass
class FakeEpisodes:
    """Active episodes by EHR patient id."""

    active: dict[str, ActiveEpisode] = field(default_factory=dict)

    def active_for(self, patient_id: str) -> ActiveEpisode | None:
        return self.active.get(patient_id)


@dataclass
class FakeFeedbackLog:
    """Feedback kept in a list."""

    kept: list[CardFeedback] = field(default_factory=list)

    def record(self, feedback: list[CardFeedback]) -> None:
        self.kept.extend(feedback)


@dataclass(frozen=True)
class FixedClock:
    """A clock stopped at one moment."""

    at: datetime = NOW

    def now(self) -> datetime:
        return self.at


@functools.lru_cache(maxsize=1)
def shipped_protocols() -> FileProtocolSource:
    """The shipped protocols, parsed once for the whole test run."""
    return FileProtocolSource()


@functools.lru_cache(maxsize=1)
def products() -> ProductTable:
    """The shipped RxNorm opioid product table."""
    return ShippedReferenceData().opioid_products()


def replay(episode: Episode) -> list[Recommendation]:
    """The engine's recommendation at the start and after every event, in order."""
    source = shipped_protocols()
    protocol = source.get(episode.protocol.id).protocol
    moments = sorted({episode.started_at, *(event.at for event in episode.events)})
    return [recommend(episode, protocol, source.limits().table, at) for at in moments]


def make_service(
    episodes: FakeEpisodes | None = None,
    log: FakeFeedbackLog | None = None,
    fhir: Any = None,
    clock: FixedClock | None = None,
) -> CdsHooksService:
    """The CDS Hooks service on the shipped protocols and fakes."""
    return CdsHooksService(
        protocols=shipped_protocols(),
        episodes=episodes or FakeEpisodes(),
        feedback_log=log or FakeFeedbackLog(),
        clock=clock or FixedClock(),
        fhir=fhir,
    )


def make_app(service: CdsHooksService, auth: Authenticator | None = None) -> FastAPI:
    """A minimal app mounting the CDS Hooks and FHIR routes (sandbox unless ``auth`` is given)."""
    app = FastAPI()
    app.include_router(cds_hooks_router(service, auth or SandboxAuthenticator()))
    app.include_router(fhir_router(service.protocols, products()))
    return app


@dataclass(frozen=True)
class SigningKey:
    """A private key, its kid and algorithm, and its public JWK."""

    kid: str
    alg: str
    private: Any
    jwk: dict[str, Any]


def signing_key(alg: str = "ES384", kid: str | None = None) -> SigningKey:
    """A fresh ES384 or RS384 key pair."""
    private: Any
    if alg.startswith("ES"):
        private = ec.generate_private_key(ec.SECP384R1())
        algorithm: Any = jwt.algorithms.ECAlgorithm(jwt.algorithms.ECAlgorithm.SHA384)
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        algorithm = jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA384)
    name = kid or f"{alg.lower()}-{uuid.uuid4().hex[:8]}"
    jwk = json.loads(algorithm.to_jwk(private.public_key()))
    jwk.update({"kid": name, "alg": alg, "use": "sig"})
    return SigningKey(name, alg, private, jwk)


def jwks_text(*keys: SigningKey) -> str:
    """A JWKS document of the keys' public halves."""
    return json.dumps({"keys": [k.jwk for k in keys]})


def token(key: SigningKey, audience: str, **changes: Any) -> str:
    """A CDS Hooks client token for ``audience``; ``changes`` replace or (as None) drop claims."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "ehr-client",
        "aud": audience,
        "exp": now + 300,
        "iat": now,
        "jti": str(uuid.uuid4()),
    }
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return jwt.encode(
        claims, key.private, algorithm=key.alg, headers={"kid": key.kid, "typ": "JWT"}
    )


def jwt_auth(*keys: SigningKey, issuers: tuple[str, ...] = (ISSUER,)) -> JwtAuthenticator:
    """A JWT authenticator trusting these keys and issuers."""
    return JwtAuthenticator(
        frozenset(issuers), FileKeys.from_text(jwks_text(*keys)), MemorySeenTokens()
    )
