"""What every page view shares: who is signed in, the CSRF token, a whole page or a partial.

The use cases' dependencies come from the app factory through :class:`PageHooks`.

A view is thin: it reads the request, calls one use case (or the few a page shows together),
hands the results to a presenter and renders a template. A request made by htmx
(``HX-Request: true``) gets the partial it swaps in; any other gets the whole page, so every
form also works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.record import (
    LimitRefusedError,
    NotVerifiedError,
    RecordNotFoundError,
    StaleRecommendationError,
    User,
)
from ketamine_cds.domain.roles import NotPermittedError
from ketamine_cds.service.ports import ProtocolSource, ReferenceData
from ketamine_cds.service.record_support import RecordDeps


class PageHooks(Protocol):
    """What the app factory gives the pages: who is signed in, the CSRF token, the use cases."""

    record: RecordDeps
    protocols: ProtocolSource
    reference: ReferenceData

    def user(self, request: Request) -> User | None:
        """The user of this request's session, if signed in."""
        ...

    def csrf_token(self, request: Request) -> str:
        """The CSRF token every form of this session carries."""
        ...


@dataclass(frozen=True)
class Page:
    """One request of a signed-in user, with what the views need to answer it."""

    request: Request
    user: User
    csrf_token: str
    hooks: PageHooks
    env: Environment

    @property
    def record(self) -> RecordDeps:
        """The record's use-case dependencies."""
        return self.hooks.record

    @property
    def now(self) -> datetime:
        """The record's clock (the time the use cases write)."""
        return self.hooks.record.clock.now()

    @property
    def htmx(self) -> bool:
        """Whether htmx made the request (it then swaps in a partial)."""
        return self.request.headers.get("HX-Request") == "true"

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


def hooks_of(request: Request) -> PageHooks:
    """The pages' hooks, as the app factory set them on the app's state."""
    hooks: PageHooks = request.app.state.pages
    return hooks


def sign_in_first(request: Request) -> HTTPException:
    """The answer to a visitor who is not signed in: the login page, then back here.

    htmx follows a redirect inside its swap, so it is told to navigate instead.
    """
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?next={quote(target, safe='/')}"
    if request.headers.get("HX-Request") == "true":
        return HTTPException(status_code=401, headers={"HX-Redirect": location})
    return HTTPException(status_code=303, headers={"Location": location})


@dataclass(frozen=True)
class Pages:
    """The pages' templates, and the dependency that gives each view its :class:`Page`."""

    env: Environment

    def page(self, request: Request) -> Page:
        """The request's page context; a visitor not signed in is sent to the login page."""
        hooks = hooks_of(request)
        user = hooks.user(request)
        if user is None:
            raise sign_in_first(request)
        return Page(request, user, hooks.csrf_token(request), hooks, self.env)


def status_for(error: UserInputError) -> int:
    """The HTTP status of a refusal or of bad input."""
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
