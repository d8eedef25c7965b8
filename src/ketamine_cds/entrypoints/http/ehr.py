"""The hospital standards' routes on the ward application: CDS Hooks 2.0, FHIR R4 in and out.

``install_ehr`` is one of the app factory's extras: the CDS Hooks services on the record
(bootstrap's ``ehr_container``: a patient's active episode for ``patient-view``, card feedback in
the audit trail), with cards linking to the episode page; ``GET /fhir/PlanDefinition/{id}``;
``POST /fhir/Bundle``, stored in the record as the authenticated user (a new episode, or one
imported with its events); and ``GET /api/v1/episodes/{id}/fhir``, the episode as a Bundle with
the recommendations the record stored. See docs/ehr.md.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from ketamine_cds.adapters.cds_hooks.security import NotAuthenticatedError
from ketamine_cds.adapters.fhir.episode_in import ImportedEpisode
from ketamine_cds.bootstrap import ehr_container
from ketamine_cds.entrypoints.http.cds_hooks import cds_hooks_router
from ketamine_cds.entrypoints.http.deps import ActingUser, RecordDepsDep, Wiring
from ketamine_cds.entrypoints.http.errors import RESPONSES
from ketamine_cds.entrypoints.http.fhir import FHIR_JSON, episode_bundle_response, fhir_router
from ketamine_cds.entrypoints.http.routes.episodes import EpisodeId
from ketamine_cds.service.record import start_or_import
from ketamine_cds.service.record_queries import export_episode
from ketamine_cds.service.results import RecommendationRecord
from ketamine_cds.settings import CDS_HOOKS_ISSUERS, CDS_HOOKS_JWKS, CDS_HOOKS_SANDBOX


class NoTrustedEhr:
    """Refuses every hook call: no EHR is trusted yet and sandbox mode is off."""

    def client(self, authorization: str | None, audience: str) -> str:  # noqa: ARG002 - the authenticators' shape
        """Never a client: says how to configure one."""
        raise NotAuthenticatedError(
            f"this server trusts no EHR yet; set {CDS_HOOKS_ISSUERS} and {CDS_HOOKS_JWKS} "
            f"(or {CDS_HOOKS_SANDBOX}=1 for a local sandbox)"
        )


def _caller(user: ActingUser) -> str:
    return user.name


def _episode_bundle_route(public_url: str | None) -> APIRouter:
    routes = APIRouter(prefix="/episodes", tags=["episodes"], responses=RESPONSES)

    @routes.get(
        "/{episode_id}/fhir",
        summary="The episode as a FHIR R4 Bundle, with the recommendations the record stored",
        response_class=JSONResponse,
        responses={200: {"content": {FHIR_JSON: {}}}},
    )
    def episode_fhir(
        episode_id: EpisodeId, user: ActingUser, deps: RecordDepsDep, request: Request
    ) -> JSONResponse:
        exported = export_episode(deps, user.name, episode_id)
        stored = [
            RecommendationRecord.model_validate_json(s.output) for s in exported.recommendations
        ]
        return episode_bundle_response(
            exported.episode,
            exported.protocol,
            stored,
            base=(public_url or str(request.base_url)).rstrip("/"),
            concentration_mg_per_ml=exported.concentration_mg_per_ml,
        )

    return routes


def install_ehr(app: FastAPI, wiring: Wiring) -> None:
    """Mount the CDS Hooks and FHIR routes on the record the app was built with."""
    ehr = ehr_container(wiring.record)
    deps = wiring.record.deps
    public_url = wiring.settings.public_url

    def store(imported: ImportedEpisode, by: str | None) -> str:
        started = start_or_import(deps, by, imported.episode, imported.concentration_mg_per_ml)
        return str(started.header.id)

    app.include_router(
        cds_hooks_router(ehr.cds_hooks, ehr.auth or NoTrustedEhr(), public_url=public_url)
    )
    app.include_router(
        fhir_router(
            deps.protocols,
            wiring.container.reference.opioid_products(),
            public_url=public_url,
            store=store,
            caller=_caller,
        )
    )
    app.include_router(_episode_bundle_route(public_url), prefix="/api/v1")
