"""The ward pages as a FastAPI router, for the app factory to include.

The app factory includes ``web_router()``, mounts ``static_files()`` at ``/static`` and sets
``app.state.pages`` to the :class:`PageHooks` (who is signed in, the CSRF token, the use cases).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from ketamine_cds.entrypoints.web.templating import STATIC_DIR, environment, served_static
from ketamine_cds.entrypoints.web.views import (
    audit,
    episode,
    login,
    new_episode,
    order_set,
    ward,
)
from ketamine_cds.entrypoints.web.views.common import PageHooks, Pages

__all__ = ["PageHooks", "static_files", "web_router"]


def web_router() -> APIRouter:
    """Every page and form of the ward application."""
    pages = Pages(environment(served_static("/static/")))
    router = APIRouter(include_in_schema=False)
    # /episodes/new before /episodes/{id}: the first route whose path matches answers.
    for module in (ward, login, new_episode, order_set, episode, audit):
        module.add_routes(router, pages)
    return router


def static_files() -> StaticFiles:
    """The pages' stylesheets and scripts, to mount at ``/static``."""
    return StaticFiles(directory=STATIC_DIR)
