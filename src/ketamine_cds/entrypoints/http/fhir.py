"""The FHIR R4 routes: a protocol as a PlanDefinition, a Bundle in, and an episode as a Bundle.

``fhir_router(protocols, products)`` builds ``GET /fhir/PlanDefinition/{id}`` (``?weight=70 kg``
for one patient's figures) and ``POST /fhir/Bundle`` (the Bundle read into an episode and the
opioid regimen; stored through ``store`` when one is handed in). ``episode_bundle_response`` is
what ``GET /api/v1/episodes/{id}/fhir`` answers with. Every refusal is one sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse

from ketamine_cds.adapters.fhir.episode_in import (
    ImportedEpisode,
    imported_json,
    read_episode_bundle,
)
from ketamine_cds.adapters.fhir.episode_out import episode_bundle
from ketamine_cds.adapters.fhir.plan_definition import plan_definition
from ketamine_cds.domain.assessment.patient import parse_weight
from ketamine_cds.domain.bedside.output import Recommendation
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.products import ProductTable
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.service.ports import ProtocolSource

FHIR_JSON = "application/fhir+json"


def _fhir(resource: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(resource, status_code=status, media_type=FHIR_JSON)


def _outcome(status: int, sentence: str) -> JSONResponse:
    """A refusal as an R4 OperationOutcome, the sentence in its diagnostics."""
    text = sentence[0].upper() + sentence[1:] + "."
    return _fhir(
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": "invalid" if status == 400 else "not-found",
                    "diagnostics": text,
                }
            ],
        },
        status,
    )


def episode_bundle_response(
    episode: Episode,
    protocol: Protocol,
    recommendations: Iterable[Recommendation],
    *,
    base: str,
    concentration_mg_per_ml: float | None = None,
) -> JSONResponse:
    """An episode as an R4 Bundle (``application/fhir+json``)."""
    bundle = episode_bundle(
        episode,
        protocol,
        recommendations,
        base=base,
        concentration_mg_per_ml=concentration_mg_per_ml,
    )
    return _fhir(bundle)


def fhir_router(
    protocols: ProtocolSource,
    products: ProductTable,
    *,
    public_url: str | None = None,
    store: Callable[[ImportedEpisode], str] | None = None,
) -> APIRouter:
    """The FHIR routes, built from what they are handed."""
    router = APIRouter(tags=["FHIR R4"])

    def base(request: Request) -> str:
        return (public_url or str(request.base_url)).rstrip("/")

    @router.get("/fhir/PlanDefinition/{protocol_id}", summary="A protocol as a PlanDefinition")
    def get_plan_definition(
        protocol_id: str, request: Request, weight: Annotated[str | None, Query()] = None
    ) -> JSONResponse:
        try:
            known = {p.protocol.id: p.protocol for p in protocols.all()}
            if protocol_id not in known:
                return _outcome(404, f"there is no protocol '{protocol_id}'")
            try:
                body = parse_weight(weight) if weight else None
            except ValueError as error:
                # The domain's weight reader speaks pydantic's ValueError; here it is bad input.
                raise UserInputError(str(error)) from None
            resource = plan_definition(
                known[protocol_id], protocols.limits().table, base=base(request), weight=body
            )
        except UserInputError as error:
            return _outcome(400, str(error))
        return _fhir(resource)

    @router.post("/fhir/Bundle", summary="Read a Bundle into an episode and the opioid regimen")
    def post_bundle(
        body: Annotated[dict[str, Any], Body()],
        protocol: Annotated[str | None, Query()] = None,
        pain_goal: Annotated[int | None, Query(ge=0, le=10)] = None,
    ) -> JSONResponse:
        try:
            imported = read_episode_bundle(
                body, "the Bundle", products, protocol_id=protocol, pain_goal=pain_goal
            )
            protocols.get(imported.episode.protocol.id)
        except UserInputError as error:
            return _outcome(400, str(error))
        result = imported_json(imported)
        if store is not None:
            result["episode_id"] = store(imported)
        return JSONResponse(result, status_code=201 if store is not None else 200)

    return router
