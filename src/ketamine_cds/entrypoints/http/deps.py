"""The dependencies a route or a page declares: what the app was built from, and who is asking.

A route names what it needs with these ``Annotated`` types and FastAPI hands them over per
request; nothing is read from a module global::

    @router.get("/ward")
    def ward(user: ActingUser, record: RecordDepsDep, token: CsrfToken) -> ...

- ``ActingUser``: the user a bearer token (``Authorization: Bearer kcds_...``) or a session
  cookie names. A state-changing request with a session cookie must carry the form token (form
  field ``csrf_token`` or header ``X-CSRF-Token``); bearer tokens are exempt. No credential: 401
  (a page is sent to the login page).
- ``OptionalUser``: the same, or None, for pages that anyone may see (the login page).
- ``CsrfToken``: the token a page puts in each of its forms (and in htmx's headers).
- ``WiringDep``, ``ContainerDep``, ``RecordDepsDep``, ``AccessDepsDep``, ``SettingsDep``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Literal, TypeVar, cast

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Depends, Request

from ketamine_cds.bootstrap import Container, RecordContainer
from ketamine_cds.domain.roles import Role
from ketamine_cds.entrypoints.http.errors import CsrfRefusedError
from ketamine_cds.entrypoints.http.guard import NONCE_COOKIE, NONCE_STATE
from ketamine_cds.entrypoints.http.keys import Keys
from ketamine_cds.service.access_ports import AccessDeps
from ketamine_cds.service.record_support import RecordDeps
from ketamine_cds.service.sessions import NotAuthenticatedError, session_user, token_user
from ketamine_cds.settings import Settings

SESSION_COOKIE = "kcds_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
RECORD_THREADS = 3
T = TypeVar("T")


@dataclass(frozen=True)
class Wiring:
    """What the application was built from (kept on ``app.state``, one per app)."""

    container: Container
    record: RecordContainer
    settings: Settings
    keys: Keys
    # The routes a ward calls every few seconds (record an event, the recommendation) run at
    # most three at a time, apart from anyio's limit of forty for everything else: CPU work
    # under one interpreter answers sooner in turn than forty threads at once, and a slow page
    # elsewhere never holds them up (docs/adr/0139).
    record_lane: CapacityLimiter = field(default_factory=lambda: CapacityLimiter(RECORD_THREADS))


@dataclass(frozen=True)
class Actor:
    """Who is asking, and how they showed it."""

    name: str
    role: Role
    via: Literal["bearer", "session"]
    session_id: str | None = None


# The dependencies that only read what the app holds are coroutines: FastAPI runs them on the
# event loop instead of handing each to a worker thread and back.
async def wiring(request: Request) -> Wiring:
    """The app's wiring."""
    return cast("Wiring", request.app.state.wiring)


WiringDep = Annotated[Wiring, Depends(wiring)]


async def on_lane(w: Wiring, work: Callable[[], T]) -> T:
    """Run a ward route's work in a thread under the record lane's limit (``record_lane``)."""
    return await anyio.to_thread.run_sync(work, limiter=w.record_lane)


async def _container(w: WiringDep) -> Container:
    return w.container


async def _record_deps(w: WiringDep) -> RecordDeps:
    return w.record.deps


async def _access_deps(w: WiringDep) -> AccessDeps:
    return w.record.access


async def _settings(w: WiringDep) -> Settings:
    return w.settings


ContainerDep = Annotated[Container, Depends(_container)]
RecordDepsDep = Annotated[RecordDeps, Depends(_record_deps)]
AccessDepsDep = Annotated[AccessDeps, Depends(_access_deps)]
SettingsDep = Annotated[Settings, Depends(_settings)]


def session_id_of(request: Request, keys: Keys) -> str | None:
    """The session id the request's cookie carries, if its signature holds (no database)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        return keys.session_id(cookie)
    except NotAuthenticatedError:
        return None


def browser_nonce(request: Request) -> str | None:
    """The browser's random cookie (or the one this response is giving it)."""
    given = request.cookies.get(NONCE_COOKIE)
    if given:
        return given
    state = request.scope.get("state", {})
    made = state.get(NONCE_STATE) if isinstance(state, dict) else None
    return made if isinstance(made, str) else None


async def csrf_token(request: Request, w: WiringDep) -> str:
    """The form token for this browser and session, for a page to put in its forms."""
    nonce = browser_nonce(request)
    if nonce is None:
        raise CsrfRefusedError("this page is for a browser; open it in one")
    return w.keys.form_token(nonce, session_id_of(request, w.keys))


CsrfToken = Annotated[str, Depends(csrf_token)]


async def check_form_token(request: Request, keys: Keys, session_id: str | None) -> None:
    """Refuse a browser's state-changing request that lacks this browser's form token."""
    given: object = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if given is None and content_type.startswith(_FORMS):
        given = (await request.form()).get(CSRF_FIELD)
    nonce = request.cookies.get(NONCE_COOKIE)
    if (
        not nonce
        or not isinstance(given, str)
        or not keys.form_token_holds(given, nonce, session_id)
    ):
        raise CsrfRefusedError(
            "the form has no valid token for this browser (it may be from another site, or "
            "from before a login); reload the page and send it again"
        )


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticatedError("the Authorization header is not 'Bearer TOKEN'")
    return token.strip()


def _authenticated(request: Request, w: WiringDep) -> Actor:
    token = _bearer(request)
    if token is not None:
        user = token_user(w.record.access, token)
        return Actor(user.name, user.role, "bearer")
    session_id = session_id_of(request, w.keys)
    if session_id is None:
        raise NotAuthenticatedError(
            "log in, or give a bearer token (Authorization: Bearer TOKEN; "
            "'ketamine-cds user token NAME' makes one)"
        )
    user, _ = session_user(w.record.access, session_id)
    return Actor(user.name, user.role, "session", session_id)


async def _form_checked(request: Request, actor: Actor, w: Wiring) -> Actor:
    if actor.via == "session" and request.method not in SAFE_METHODS:
        await check_form_token(request, w.keys, actor.session_id)
    return actor


async def acting_user(
    request: Request, actor: Annotated[Actor, Depends(_authenticated)], w: WiringDep
) -> Actor:
    """The authenticated user; a session's state-changing request must carry its form token."""
    return await _form_checked(request, actor, w)


async def lane_user(request: Request, w: WiringDep) -> Actor:
    """``acting_user`` for the record lane's routes, the credential read under the lane's limit.

    Nothing of theirs then waits for the threads the rest of the application shares.
    """
    actor = await on_lane(w, partial(_authenticated, request, w))
    return await _form_checked(request, actor, w)


ActingUser = Annotated[Actor, Depends(acting_user)]
LaneUser = Annotated[Actor, Depends(lane_user)]


def optional_user(request: Request, w: WiringDep) -> Actor | None:
    """The authenticated user, or None (for pages anyone may see)."""
    try:
        return _authenticated(request, w)
    except NotAuthenticatedError:
        return None


OptionalUser = Annotated[Actor | None, Depends(optional_user)]
