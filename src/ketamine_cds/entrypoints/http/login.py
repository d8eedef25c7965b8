"""``POST /login`` and ``POST /logout``: the forms of the login page and of every page's header.

A login sets the session cookie (signed, ``Secure``, ``HttpOnly``, ``SameSite=Strict``, for the
session's lifetime) and goes on to the page asked for; a refused one goes back to the login page
with ``?failed=1``. Both forms carry the form token (``csrf_token``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from ketamine_cds.entrypoints.http.deps import (
    SESSION_COOKIE,
    WiringDep,
    check_form_token,
    session_id_of,
)
from ketamine_cds.service.sessions import NotAuthenticatedError, log_in, log_out

MAX_NEXT = 2000


def safe_next(target: str | None) -> str:
    """Where to go after a login: a path on this site only (never another site's address)."""
    if (
        not target
        or len(target) > MAX_NEXT
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or any(ch in target for ch in "\r\n\t\\")
    ):
        return "/"
    return target


def router() -> APIRouter:
    """The login and logout routes."""
    routes = APIRouter(tags=["login"])

    @routes.post(
        "/login",
        summary="Log in with a password (the login page's form)",
        status_code=303,
        responses={303: {"description": "On to the page asked for, or back to /login?failed=1."}},
    )
    async def login(
        request: Request,
        w: WiringDep,
        username: Annotated[str, Form(max_length=64)],
        password: Annotated[str, Form(max_length=1024)],
        csrf_token: Annotated[str, Form(max_length=200)],  # noqa: ARG001 - read by the check
        next: Annotated[str | None, Form(max_length=MAX_NEXT)] = None,  # noqa: A002 - the form's name
    ) -> RedirectResponse:
        await check_form_token(request, w.keys, session_id_of(request, w.keys))
        lifetime = timedelta(hours=w.settings.session_hours)
        try:
            opened = await run_in_threadpool(
                log_in, w.record.access, username.strip(), password, lifetime
            )
        except NotAuthenticatedError:
            query = urlencode({"failed": "1", "next": safe_next(next)})
            return RedirectResponse(f"/login?{query}", status_code=303)
        response = RedirectResponse(safe_next(next), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            w.keys.session_cookie(opened.session_id),
            max_age=w.keys.session_seconds,
            path="/",
            secure=True,
            httponly=True,
            samesite="strict",
        )
        return response

    @routes.post("/logout", summary="Log out (end the session)", status_code=303)
    async def logout(
        request: Request,
        w: WiringDep,
        csrf_token: Annotated[str, Form(max_length=200)],  # noqa: ARG001 - read by the check
    ) -> RedirectResponse:
        session_id = session_id_of(request, w.keys)
        await check_form_token(request, w.keys, session_id)
        if session_id is not None:
            await run_in_threadpool(log_out, w.record.access, session_id)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(
            SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict"
        )
        return response

    return routes
