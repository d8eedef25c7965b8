"""``GET /login``: the sign-in form (the api's ``POST /login`` checks the password)."""

# FastAPI reads the views' annotations at definition time, where the dependency is in scope.
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ketamine_cds.entrypoints.web.views.common import Pages, hooks_of


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def add_routes(router: APIRouter, pages: Pages) -> None:
    """Add the sign-in page to ``router``."""

    @router.get("/login", response_class=HTMLResponse, name="login")
    def login(request: Request, next: str | None = None, failed: str | None = None) -> HTMLResponse:  # noqa: A002 - the query's name
        """The sign-in form; it says why when the last attempt failed."""
        hooks = hooks_of(request)
        html = pages.env.get_template("pages/login.html").render(
            user=hooks.user(request),
            csrf_token=hooks.csrf_token(request),
            next=safe_next(next),
            failed=failed is not None,
        )
        return HTMLResponse(html, status_code=401 if failed is not None else 200)
