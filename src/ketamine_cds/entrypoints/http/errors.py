"""The one place where a refusal or a failure becomes an HTTP answer.

Every answer that is not a success is one sentence in ``detail`` and a stable ``error`` code:

====  =====================  ===============================================================
400   ``bad_input``          the product's own sentence (a weight of 700 kg, an unknown protocol)
401   ``not_authenticated``  no, a wrong, or an ended credential (pages: to the login page)
403   ``not_permitted``      the role needed is named (``role_needed``); ``csrf`` for a form
                             without its token
404   ``not_found``          no such episode, protocol, user or page
409   ``stale``              a change made against a recommendation that is no longer the latest;
                             the latest is in ``latest_recommendation``
413   ``too_large``          a body larger than the product reads
422   ``invalid_request``    the body or a parameter does not match the documented schema;
      ``hard_limit``,        a rate or dose refused by a limit, or a first dose before the
      ``soft_limit``,        pharmacist's verification (``role_needed`` says who can act)
      ``not_verified``
500   ``internal_error``     a bug: an ``error_id`` to report; the details go to the log only
====  =====================  ===============================================================
"""

from __future__ import annotations

import html
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ketamine_cds import DECISION_SUPPORT_NOTICE
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.record import (
    LimitRefusedError,
    NotVerifiedError,
    RecordNotFoundError,
    StaleRecommendationError,
)
from ketamine_cds.domain.roles import ALLOWED, NotPermittedError
from ketamine_cds.entrypoints.http.guard import API_PREFIX, BodyTooLargeError
from ketamine_cds.entrypoints.presenters import recommendation_json
from ketamine_cds.service.credentials import AccessRefusedError
from ketamine_cds.service.sessions import NotAuthenticatedError

LOG = logging.getLogger("ketamine_cds.http")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_MAX_SENTENCE = 2000
_ROLE_ORDER = ("physician", "pharmacist", "nurse", "admin")

ErrorPage = Callable[[Request, int, dict[str, Any]], Response]


class CsrfRefusedError(UserInputError):
    """A state-changing request by a browser session without its form token."""


class NotFoundError(UserInputError):
    """Something a path names (a protocol) that the product does not have."""


class ErrorBody(BaseModel):
    """What every refusal answers: one sentence and a stable code."""

    detail: str = Field(description="One sentence saying what is wrong and what is needed.")
    error: str = Field(description="A stable code (bad_input, not_permitted, stale …).")
    role_needed: list[str] | None = Field(
        default=None, description="The roles that may do this (403, and limits that one can lift)."
    )


class StaleBody(ErrorBody):
    """A stale change: the recommendation the change should have been made against."""

    latest_recommendation: dict[str, Any] | None = Field(
        description="The latest stored recommendation (as GET .../recommendation answers it)."
    )


class InternalErrorBody(ErrorBody):
    """A bug in the product: the id to quote when reporting it."""

    error_id: str


RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Bad input: one sentence saying what is wrong."},
    401: {"model": ErrorBody, "description": "Not authenticated: a bearer token or a session."},
    403: {"model": ErrorBody, "description": "The role needed is named in role_needed."},
    404: {"model": ErrorBody, "description": "Not found."},
    413: {"model": ErrorBody, "description": "The body is larger than the product reads."},
    422: {
        "model": ErrorBody,
        "description": "The request does not match the schema, or a limit refuses it.",
    },
    500: {"model": InternalErrorBody, "description": "A bug: quote the error_id."},
}
STALE: dict[int | str, dict[str, Any]] = {
    409: {"model": StaleBody, "description": "The recommendation acted on is no longer the latest."}
}


def sentence(text: str) -> str:
    """``text`` as one sentence: one line, a capital first letter, a full stop."""
    flat = _CONTROL.sub(" ", text).strip().rstrip(".")
    if len(flat) > _MAX_SENTENCE:
        flat = flat[: _MAX_SENTENCE - 1] + "…"
    if not flat:
        flat = "the request was refused"
    end = "" if flat.endswith("?") else "."
    return f"{flat[:1].upper()}{flat[1:]}{end}"


def _roles(allowed: frozenset[str] | tuple[str, ...]) -> list[str]:
    return [role for role in _ROLE_ORDER if role in allowed]


def _validation_sentence(error: RequestValidationError) -> str:
    errors = error.errors()
    if not errors:
        return "the request does not match the documented schema"
    first = errors[0]
    location = [str(part) for part in first.get("loc", ())]
    kind = location[0] if location else "body"
    place = ".".join(location[1:])
    owner = {"body": "the request body", "query": "the query", "path": "the path"}.get(kind, kind)
    kind_of_error = first.get("type")
    if kind_of_error == "json_invalid":
        return "the request body is not valid JSON"
    if not place and kind_of_error in {"model_attributes_type", "dict_type"}:
        return f"{owner} is not a JSON object (send one, with Content-Type: application/json)"
    where = f"{owner}'s {place}" if place else owner
    message = str(first.get("msg", "is not valid")).removeprefix("Value error, ")
    if kind_of_error == "missing":
        return f"{where} is required"
    if kind_of_error == "extra_forbidden":
        return f"{where} is not a field this request takes"
    return f"{where}: {message[:1].lower()}{message[1:]}"


def wants_page(request: Request) -> bool:
    """Whether the request comes from a browser page rather than a program."""
    accept = request.headers.get("accept", "")
    return not request.url.path.startswith(API_PREFIX) and "text/html" in accept


def default_error_page(request: Request, status: int, body: dict[str, Any]) -> Response:  # noqa: ARG001 - the page hook's signature
    """A plain page saying what went wrong (the web pages may give a richer one)."""
    text = html.escape(str(body["detail"]))
    extra = f"<p>Error id: {html.escape(str(body['error_id']))}</p>" if "error_id" in body else ""
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>ketamine-cds: {status}</title></head><body><main>"
        f'<h1>{status}</h1><p>{text}</p>{extra}<p><a href="/">Back to the ward</a></p>'
        f"<p><small>{html.escape(DECISION_SUPPORT_NOTICE)}</small></p></main></body></html>"
    )
    return HTMLResponse(page, status_code=status)


def install_error_handlers(app: FastAPI, error_page: ErrorPage | None = None) -> None:  # noqa: C901 - one handler per kind of refusal, in one place
    """Map every refusal and failure to its status, body and log line."""
    page = error_page or default_error_page

    def answer(
        request: Request,
        status: int,
        code: str,
        text: str,
        headers: dict[str, str] | None = None,
        **extra: Any,  # noqa: ANN401 - JSON values
    ) -> Response:
        body: dict[str, Any] = {"detail": sentence(text), "error": code, **extra}
        if wants_page(request):
            return page(request, status, body)
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(NotAuthenticatedError)
    async def not_authenticated(request: Request, error: NotAuthenticatedError) -> Response:
        if wants_page(request):
            target = quote(
                request.url.path + (f"?{request.url.query}" if request.url.query else "")
            )
            return RedirectResponse(f"/login?next={target}", status_code=303)
        return answer(request, 401, "not_authenticated", str(error), {"WWW-Authenticate": "Bearer"})

    @app.exception_handler(NotPermittedError)
    async def not_permitted(request: Request, error: NotPermittedError) -> Response:
        roles = _roles(ALLOWED[error.action])
        return answer(request, 403, "not_permitted", str(error), role_needed=roles)

    @app.exception_handler(AccessRefusedError)
    async def access_refused(request: Request, error: AccessRefusedError) -> Response:
        roles = list(error.role_needed)
        return answer(request, 403, "not_permitted", str(error), role_needed=roles)

    @app.exception_handler(CsrfRefusedError)
    async def csrf_refused(request: Request, error: CsrfRefusedError) -> Response:
        return answer(request, 403, "csrf", str(error))

    @app.exception_handler(RecordNotFoundError)
    async def not_in_record(request: Request, error: RecordNotFoundError) -> Response:
        return answer(request, 404, "not_found", str(error))

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, error: NotFoundError) -> Response:
        return answer(request, 404, "not_found", str(error))

    @app.exception_handler(StaleRecommendationError)
    async def stale(request: Request, error: StaleRecommendationError) -> Response:
        latest = None if error.latest is None else recommendation_json(error.latest)
        return answer(request, 409, "stale", str(error), latest_recommendation=latest)

    @app.exception_handler(LimitRefusedError)
    async def limit(request: Request, error: LimitRefusedError) -> Response:
        if error.hard:
            return answer(request, 422, "hard_limit", str(error))
        return answer(request, 422, "soft_limit", str(error), role_needed=["physician"])

    @app.exception_handler(NotVerifiedError)
    async def not_verified(request: Request, error: NotVerifiedError) -> Response:
        return answer(request, 422, "not_verified", str(error), role_needed=["pharmacist"])

    @app.exception_handler(BodyTooLargeError)
    async def too_large(request: Request, error: BodyTooLargeError) -> Response:
        return answer(request, 413, "too_large", str(error))

    @app.exception_handler(UserInputError)
    async def bad_input(request: Request, error: UserInputError) -> Response:
        return answer(request, 400, "bad_input", str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        return answer(request, 422, "invalid_request", _validation_sentence(error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            text = f"there is nothing at {request.url.path}"
        elif error.status_code == 405:
            text = f"{request.url.path} does not take {request.method}"
        else:
            text = str(error.detail)
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        headers = None if error.headers is None else dict(error.headers)
        return answer(request, error.status_code, code, text, headers)

    @app.exception_handler(Exception)
    async def internal(request: Request, error: Exception) -> Response:
        error_id = uuid.uuid4().hex[:12]
        LOG.error(
            "internal error %s on %s %s", error_id, request.method, request.url.path,
            exc_info=error,
        )  # fmt: skip
        text = f"internal error (error id {error_id}): a bug in ketamine-cds; please report it"
        return answer(request, 500, "internal_error", text, error_id=error_id)
