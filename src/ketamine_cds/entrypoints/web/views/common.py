"""What every page view shares: who is signed in, the form token, a whole page or a partial.

The user, the form token and what the app was built from come from the server's dependencies
(``entrypoints/http/deps.py``): a session cookie or a bearer token names the user, and a
session's form must carry its token (``csrf_token``), checked before the view runs.

A view is thin: it reads the request, calls the record's use cases, hands the results to a
presenter and renders a template. A request made by htmx (``HX-Request: true``) gets the
partial it swaps in; any other gets the whole page, so every form also works without
JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.record import (
    LimitRefusedError,
    NotVerifiedError,
    RecordNotFoundError,
    StaleRecommendationError,
)
from ketamine_cds.domain.roles import NotPermittedError
from ketamine_cds.entrypoints.http.deps import (
    SAFE_METHODS,
    Actor,
    CsrfToken,
    OptionalUser,
    Wiring,
    WiringDep,
    check_form_token,
)
from ketamine_cds.service.ports import ProtocolSource, ReferenceData
from ketamine_cds.service.record_support import RecordDeps
from ketamine_cds.service.sessions import NotAuthenticatedError


@dataclass(frozen=True)
class Page:
    """One request of a signed-in user, with what the views need to answer it."""

    request: Request
    user: Actor
    csrf_token: str
    wiring: Wiring
    env: Environment

    @property
    def record(self) -> RecordDeps:
        """The record's use-case dependencies."""
        return self.wiring.record.deps

    @property
    def protocols(self) -> ProtocolSource:
        """The protocol source (the shipped protocols and the hospital's)."""
        return self.wiring.container.protocols

    @property
    def reference(self) -> ReferenceData:
        """The product's reference tables."""
        return self.wiring.container.reference

    @property
    def now(self) -> datetime:
        """The record's clock (the time the use cases write)."""
        return self.record.clock.now()

    @property
    def htmx(self) -> bool:
        """Whether htmx made the request (it then swaps in a partial)."""
        return is_htmx(self.request)

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:  # noqa: ANN401 - template context is open
        """A template rendered for this user."""
        html = self.env.get_template(template).render(
            user=self.user, csrf_token=self.csrf_token, **context
        )
        return HTMLResponse(html, status_code=status_code)

    def answer(
        self,
        page: str,
        partial: str,
        status_code: int = 200,
        **context: Any,  # noqa: ANN401 - template context is open
    ) -> HTMLResponse:
        """The partial for htmx, else the whole page."""
        return self.render(partial if self.htmx else page, status_code, **context)


def is_htmx(request: Request) -> bool:
    """Whether htmx made the request."""
    return request.headers.get("HX-Request") == "true"


def sign_in_first(request: Request) -> Exception:
    """The answer to a visitor who is not signed in: the login page, then back here.

    A page is redirected by the server's error mapping; htmx, which would follow a redirect
    inside its swap, is told to navigate instead (``HX-Redirect``).
    """
    if not is_htmx(request):
        return NotAuthenticatedError("sign in to see the ward's pages")
    shown = urlsplit(request.headers.get("HX-Current-URL") or str(request.url))
    path = shown.path + (f"?{shown.query}" if shown.query else "")
    return HTTPException(
        status_code=401, headers={"HX-Redirect": f"/login?next={quote(path, safe='/')}"}
    )


@dataclass(frozen=True)
class Pages:
    """The pages' templates, and the dependency that gives each view its :class:`Page`."""

    env: Environment

    async def page(
        self, request: Request, wiring: WiringDep, token: CsrfToken, user: OptionalUser
    ) -> Page:
        """The request's page context.

        A visitor not signed in is sent to the login page; a session's form without its token
        is refused before the view runs.
        """
        if user is None:
            raise sign_in_first(request)
        if user.via == "session" and request.method not in SAFE_METHODS:
            await check_form_token(request, wiring.keys, user.session_id)
        return Page(request, user, token, wiring, self.env)


def status_for(error: UserInputError) -> int:
    """The HTTP status of a refusal or of bad input (as the server's error mapping gives it)."""
    if isinstance(error, NotPermittedError):
        return 403
    if isinstance(error, RecordNotFoundError):
        return 404
    if isinstance(error, StaleRecommendationError):
        return 409
    if isinstance(error, LimitRefusedError | NotVerifiedError):
        return 422
    return 400


def error_page(page: Page, error: UserInputError) -> HTMLResponse:
    """A page (or partial) saying, in one sentence, why the request was not answered."""
    status = status_for(error)
    return page.answer(
        "pages/error.html", "partials/error.html", status, message=str(error), status=status
    )
