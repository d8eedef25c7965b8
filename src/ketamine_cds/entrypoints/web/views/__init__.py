"""The ward pages as a FastAPI router, and the hook the app factory calls to add them.

``install_pages(app, wiring)`` is an ``extras`` entry of ``create_app``
(``entrypoints/http/app.py``): it includes ``web_router()``. The pages' static files are the
folder the app mounts at ``/static``.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from ketamine_cds.entrypoints.http.deps import Wiring
from ketamine_cds.entrypoints.web.templating import environment, served_static
from ketamine_cds.entrypoints.web.views import (
    audit,
    episode,
    login,
    new_episode,
    order_set,
    ward,
)
from ketamine_cds.entrypoints.web.views.common import Pages

__all__ = ["install_pages", "web_router"]


def web_router() -> APIRouter:
    """Every page and form of the ward application."""
    pages = Pages(environment(served_static("/static/")))
    router = APIRouter(include_in_schema=False)
    # /episodes/new before /episodes/{id}: the first route whose path matches answers.
    for module in (ward, login, new_episode, order_set, episode, audit):
        module.add_routes(router, pages)
    return router


def install_pages(app: FastAPI, wiring: Wiring) -> None:  # noqa: ARG001 - the extras' signature
    """Add the ward pages to the app (an ``extras`` entry of ``create_app``)."""
    app.include_router(web_router())
