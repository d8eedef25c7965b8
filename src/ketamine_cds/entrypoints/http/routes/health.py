"""``GET /api/v1/health``: the server answers, and its database is at this software's revision."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ketamine_cds import __version__
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.entrypoints.http.deps import WiringDep


def router() -> APIRouter:
    """The health route (no credential needed; it tells nothing about patients)."""
    routes = APIRouter(tags=["health"])

    @routes.get(
        "/health",
        summary="Whether the server and its database are ready",
        responses={503: {"description": "The database is not reachable or not set up."}},
    )
    async def health(w: WiringDep) -> JSONResponse:
        try:
            await run_in_threadpool(w.record.require_current)
        except UserInputError as error:
            return JSONResponse(
                {"status": "unavailable", "version": __version__, "detail": str(error)}, 503
            )
        return JSONResponse({"status": "ok", "version": __version__, "database": "ok"})

    return routes
