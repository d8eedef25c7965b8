"""The JSON API, ``/api/v1``: one module per area, each a thin turn from request to use case."""

from __future__ import annotations

from fastapi import APIRouter

from ketamine_cds.entrypoints.http.routes import audit, clinical, episodes, health, protocols


def api_router() -> APIRouter:
    """Every route of ``/api/v1``."""
    router = APIRouter()
    for module in (health, protocols, clinical, episodes, audit):
        router.include_router(module.router())
    return router
