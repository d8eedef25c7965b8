"""What every request passes first: a bounded body, and the browser's form-token cookie.

A body larger than the product reads is refused (413) before it is read to the end: uvicorn and
Starlette set no limit of their own. A browser without the random cookie that form tokens are
made from is given one on its first page (never on the JSON API, which programs call with
bearer tokens).
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ketamine_cds.domain.errors import UserInputError

NONCE_COOKIE = "kcds_browser"
NONCE_STATE = "kcds_browser_nonce"
API_PREFIX = "/api/"


class BodyTooLargeError(UserInputError):
    """A request body larger than the product reads."""


def cookie_of(scope: Scope, name: str) -> str | None:
    """One cookie of the request, read from the raw headers."""
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is no cookie
                return None
            if name in jar:
                return jar[name].value
    return None


def _too_large(limit: int) -> BodyTooLargeError:
    return BodyTooLargeError(
        f"the request body is larger than the {limit:,} bytes the product reads"
    )


class Guard:
    """ASGI middleware: body limit and the browser cookie."""

    def __init__(self, app: ASGIApp, *, max_body: int, secure_cookies: bool = True) -> None:
        self.app = app
        self.max_body = max_body
        self.secure = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, bounded, with the cookie set where it is missing."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length", b"")
        announced_too_large = declared.isdigit() and int(declared) > self.max_body
        received = 0

        async def bounded() -> Message:
            nonlocal received
            if announced_too_large:
                raise _too_large(self.max_body)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _too_large(self.max_body)
            return message

        nonce = None
        if not scope["path"].startswith(API_PREFIX) and cookie_of(scope, NONCE_COOKIE) is None:
            nonce = secrets.token_urlsafe(24)
            scope.setdefault("state", {})[NONCE_STATE] = nonce

        async def send_with_cookie(message: Message) -> None:
            if nonce is not None and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                secure = "; Secure" if self.secure else ""
                headers.append(
                    "set-cookie",
                    f"{NONCE_COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Strict{secure}",
                )
            await send(message)

        await self.app(scope, bounded, send_with_cookie)
