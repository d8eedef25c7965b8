"""The CDS Hooks 2.0 routes: discovery, a hook call, and feedback on the cards.

``cds_hooks_router(service, auth)`` builds the routes from what it is handed; nothing is built at
import. A call is authenticated (the service's own URL is the token's audience), its body read
as CDS Hooks, answered with cards; data the service cannot obtain is HTTP 412. Every refusal is
one sentence in ``{"detail": ...}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Body, Header, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ketamine_cds.adapters.cds_hooks.hooks import (
    CdsHooksService,
    DataUnavailableError,
    UnknownServiceError,
)
from ketamine_cds.adapters.cds_hooks.models import FeedbackRequest, HookRequest, Wire
from ketamine_cds.adapters.cds_hooks.security import Authenticator, NotAuthenticatedError
from ketamine_cds.adapters.fhir.r4 import first_problem
from ketamine_cds.domain.errors import UserInputError


def _sentence(status: int, text: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"detail": text[0].upper() + text[1:] + "."}, status_code=status, headers=headers
    )


def _invalid(error: ValidationError) -> JSONResponse:
    return _sentence(400, f"the request is not valid CDS Hooks: {first_problem(error)}")


def _json(model: Wire) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json", exclude_none=True))


def _answer(work: Callable[[], JSONResponse]) -> JSONResponse:
    """Run one request, each refusal mapped to its status with one sentence."""
    try:
        return work()
    except NotAuthenticatedError as error:
        return _sentence(401, str(error), {"WWW-Authenticate": "Bearer"})
    except ValidationError as error:
        return _invalid(error)
    except UnknownServiceError as error:
        return _sentence(404, str(error))
    except DataUnavailableError as error:
        return _sentence(412, str(error))
    except UserInputError as error:
        return _sentence(400, str(error))


Json = Annotated[dict[str, Any], Body()]
CALL_THREADS = 4
AuthorizationHeader = Annotated[str | None, Header()]


def cds_hooks_router(
    service: CdsHooksService,
    auth: Authenticator,
    *,
    public_url: str | None = None,
    threads: int = CALL_THREADS,
) -> APIRouter:
    """The CDS Hooks routes; ``public_url`` is the product's address, else each request's."""
    router = APIRouter(tags=["CDS Hooks"])
    # Checking an order is CPU work: a few threads taking calls in turn answer sooner, and more
    # evenly, than forty sharing one interpreter; a slow FHIR read still leaves others running.
    limiter = anyio.CapacityLimiter(threads)

    def base(request: Request) -> str:
        return (public_url or str(request.base_url)).rstrip("/")

    def client(request: Request, service_id: str, authorization: str | None) -> str:
        return auth.client(authorization, f"{base(request)}/cds-services/{service_id}")

    @router.get("/cds-services", summary="CDS Hooks discovery")
    def discovery() -> JSONResponse:
        return _json(service.discovery())

    @router.post("/cds-services/{service_id}", summary="Call a CDS service")
    async def call(
        service_id: str, request: Request, body: Json, authorization: AuthorizationHeader = None
    ) -> JSONResponse:
        def work() -> JSONResponse:
            client(request, service_id, authorization)
            hook = HookRequest.model_validate(body)
            return _json(service.call(service_id, hook, base(request)))

        return await anyio.to_thread.run_sync(_answer, work, limiter=limiter)

    @router.post("/cds-services/{service_id}/feedback", summary="Feedback on cards")
    def feedback(
        service_id: str, request: Request, body: Json, authorization: AuthorizationHeader = None
    ) -> JSONResponse:
        def work() -> JSONResponse:
            who = client(request, service_id, authorization)
            service.feedback(service_id, FeedbackRequest.model_validate(body), who)
            return JSONResponse({})

        return _answer(work)

    return router
