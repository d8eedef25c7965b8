"""``GET /login``: the sign-in form (the server's ``POST /login`` checks the password)."""

# FastAPI reads the views' annotations at definition time, where the dependency is in scope.
from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from ketamine_cds.entrypoints.http.deps import CsrfToken, OptionalUser
from ketamine_cds.entrypoints.http.login import safe_next
from ketamine_cds.entrypoints.web.views.common import Pages


def add_routes(router: APIRouter, pages: Pages) -> None:
    """Add the sign-in page to ``router``."""

    @router.get("/login", response_class=HTMLResponse, name="login")
    def login(
        user: OptionalUser,
        token: CsrfToken,
        next: str | None = None,  # noqa: A002 - the query's name
        failed: str | None = None,
    ) -> HTMLResponse:
        """The sign-in form; it says why when the last attempt failed."""
        html = pages.env.get_template("pages/login.html").render(
            user=user, csrf_token=token, next=safe_next(next), failed=failed is not None
        )
        return HTMLResponse(html, status_code=401 if failed is not None else 200)
