"""People log in with a password; programs send bearer tokens; forms carry their token.

A page router added through ``extras`` stands for the web pages: it uses the dependencies the
pages use (``CsrfToken``, ``OptionalUser``, ``ActingUser``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from api_ward import BASE_URL, PASSWORDS, Ward, episode, open_ward
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from record_db import RecordDb

from ketamine_cds.entrypoints.http.deps import ActingUser, CsrfToken, OptionalUser
from ketamine_cds.service.access_ports import AccessDeps
from ketamine_cds.service.credentials import revoke_token
from ketamine_cds.service.sessions import NotAuthenticatedError, session_user


def _pages() -> APIRouter:
    router = APIRouter()

    @router.get("/test-page")
    def page(token: CsrfToken, user: OptionalUser) -> dict[str, Any]:
        return {"csrf": token, "user": None if user is None else user.name}

    @router.get("/test-private")
    def private(user: ActingUser) -> HTMLResponse:
        return HTMLResponse(f"<p>{user.name}</p>")

    @router.post("/test-form")
    def form(user: ActingUser) -> dict[str, str]:
        return {"user": user.name}

    return router


@pytest.fixture
def paged(record_db: RecordDb, tmp_path: Path) -> Iterator[Ward]:
    """The application with a test page router, on each database."""
    built = open_ward(record_db, tmp_path / "data", extras=[_pages()])
    try:
        yield built
    finally:
        built.close()


def _token(client: TestClient) -> str:
    return str(client.get("/test-page").json()["csrf"])


def _log_in(client: TestClient, name: str, next_page: str = "/test-page") -> Any:
    form = {
        "username": name,
        "password": PASSWORDS[name],
        "csrf_token": _token(client),
        "next": next_page,
    }
    return client.post("/login", data=form, follow_redirects=False)


def _actions(ward: Ward, name: str) -> list[str]:
    entries = ward.call("GET", "/api/v1/audit", "ann", params={"actor": name}).json()["entries"]
    return [e["action"] for e in entries]


def test_a_login_sets_a_secure_session_cookie(paged: Ward) -> None:
    """POST /login: 303 on to the page asked for; the cookie Secure, HttpOnly, SameSite=Strict."""
    response = _log_in(paged.client, "nina", "/test-page?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/test-page?x=1"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("kcds_session=")
    )
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite=strict", "path=/", "max-age=43200"} <= attributes
    assert paged.client.get("/test-page").json()["user"] == "nina"
    assert paged.client.get("/api/v1/episodes").status_code == 200
    assert _actions(paged, "nina")[0] == "session.login"


def test_a_wrong_password_goes_back_to_the_login_page(paged: Ward) -> None:
    """A wrong password: 303 to /login?failed=1, no session, and a refusal in the audit trail."""
    form = {"username": "nina", "password": "not her password at all", "csrf_token": ""}
    form["csrf_token"] = _token(paged.client)
    response = paged.client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?failed=1&next=%2F"
    assert "kcds_session" not in paged.client.cookies
    actions = _actions(paged, "nina")
    assert actions[0] == "refused.session.login"
    assert "session.login" not in actions
    form["username"] = "nobody"
    unknown = paged.client.post("/login", data=form, follow_redirects=False)
    assert unknown.headers["location"] == "/login?failed=1&next=%2F"


def test_a_login_form_without_its_token_is_refused(paged: Ward) -> None:
    """No form token, or one made up: 403 csrf, and no session."""
    paged.client.get("/test-page")
    form = {"username": "nina", "password": PASSWORDS["nina"], "csrf_token": "made-up"}
    response = paged.client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 403
    assert response.json()["error"] == "csrf"
    assert "kcds_session" not in paged.client.cookies


def test_a_next_page_on_another_site_is_not_followed(paged: Ward) -> None:
    """next=//evil.example (or a full address) sends the user to / instead."""
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        paged.client.cookies.clear()
        assert _log_in(paged.client, "nina", target).headers["location"] == "/"


def test_a_sessions_state_changing_request_needs_its_token(paged: Ward) -> None:
    """Logged in, a POST without the form token is 403; with it (header or field) it is done."""
    _log_in(paged.client, "phil")
    refused = paged.client.post("/api/v1/episodes", json=episode())
    assert refused.status_code == 403
    assert refused.json()["error"] == "csrf"
    token = _token(paged.client)
    accepted = paged.client.post(
        "/api/v1/episodes", json=episode(), headers={"X-CSRF-Token": token}
    )
    assert accepted.status_code == 201
    assert accepted.json()["started_by"] == "phil"
    assert paged.client.post("/test-form", data={"csrf_token": token}).json() == {"user": "phil"}


def test_a_token_from_before_the_login_or_another_browser_is_refused(paged: Ward) -> None:
    """A token is bound to its browser and its session: neither an older nor a foreign one holds."""
    before = _token(paged.client)
    _log_in(paged.client, "phil")
    assert paged.client.post("/test-form", data={"csrf_token": before}).status_code == 403
    other = TestClient(paged.app, base_url=BASE_URL, raise_server_exceptions=False)
    _log_in(other, "nina")
    foreign = _token(other)
    assert paged.client.post("/test-form", data={"csrf_token": foreign}).status_code == 403
    assert other.post("/test-form", data={"csrf_token": foreign}).json() == {"user": "nina"}
    other.close()


def test_bearer_requests_need_no_form_token(paged: Ward) -> None:
    """A program with a bearer token posts without any form token."""
    response = paged.call("POST", "/test-form", "nina")
    assert response.json() == {"user": "nina"}


def test_logout_ends_the_session(paged: Ward) -> None:
    """POST /logout (with its token): 303 to /login, and the old cookie no longer opens anything."""
    _log_in(paged.client, "nina")
    old = paged.client.cookies["kcds_session"]
    response = paged.client.post(
        "/logout", data={"csrf_token": _token(paged.client)}, follow_redirects=False
    )
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    paged.client.cookies.set("kcds_session", old)
    after = paged.client.get("/api/v1/episodes")
    assert after.status_code == 401
    assert after.json()["detail"] == "The session has ended; log in again."
    assert _actions(paged, "nina")[:2] == ["session.logout", "session.login"]


def test_a_logout_needs_its_token(paged: Ward) -> None:
    """A logout posted from another site (no token) is refused and the session goes on."""
    _log_in(paged.client, "nina")
    response = paged.client.post("/logout", data={"csrf_token": "x"}, follow_redirects=False)
    assert response.status_code == 403
    assert paged.client.get("/api/v1/episodes").status_code == 200


def test_a_forged_cookie_is_refused(paged: Ward) -> None:
    """A cookie whose signature does not hold: 401 before the database is asked."""
    paged.client.cookies.set("kcds_session", "forged.value.here")
    response = paged.client.get("/api/v1/episodes")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Log in, or give a bearer token")


def test_a_session_expires_after_its_lifetime(paged: Ward) -> None:
    """The record refuses a session past its lifetime (12 h by default), whatever the cookie."""
    _log_in(paged.client, "nina")
    session_id = paged.app.state.wiring.keys.session_id(paged.client.cookies["kcds_session"])
    access = paged.record.access
    user, kept = session_user(access, session_id)
    assert user.name == "nina"
    assert kept.expires_at - kept.created_at == timedelta(hours=12)

    class Later:
        def now(self) -> Any:
            return kept.expires_at + timedelta(seconds=1)

    with pytest.raises(NotAuthenticatedError, match="the session has ended"):
        session_user(AccessDeps(uow=access.uow, clock=Later()), session_id)


def test_a_page_without_a_login_goes_to_the_login_page(paged: Ward) -> None:
    """A browser asking for a page without a session is sent to /login?next=..."""
    response = paged.client.get(
        "/test-private?a=1", headers={"accept": "text/html"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/test-private%3Fa%3D1"


def test_tokens_that_do_not_hold(paged: Ward) -> None:
    """A revoked token, an unknown one, or another scheme: 401, one sentence each."""
    nina = paged.auth("nina")
    assert paged.client.get("/api/v1/protocols", headers=nina).status_code == 200
    tokens = paged.record.access
    with paged.record.access.uow(writing=False) as uow:
        kept = uow.access.tokens("nina")[0]
    revoke_token(tokens, "ann", kept.id)
    revoked = paged.client.get("/api/v1/protocols", headers=nina)
    assert revoked.status_code == 401
    assert revoked.json()["detail"] == "The bearer token is not known, or was revoked."
    unknown = paged.client.get("/api/v1/protocols", headers={"Authorization": "Bearer kcds_x"})
    assert unknown.status_code == 401
    basic = paged.client.get("/api/v1/protocols", headers={"Authorization": "Basic bmluYTp4"})
    assert basic.json()["detail"] == "The Authorization header is not 'Bearer TOKEN'."
