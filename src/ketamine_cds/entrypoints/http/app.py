"""The web application: ``create_app`` builds it from what bootstrap made; nothing at import.

``make_app()`` is the factory uvicorn calls in each worker (``ketamine-cds serve``): it reads
the settings, builds the container and the record, and hands them to ``create_app``. Workers
share nothing but the database and the secret, so any number of them may serve one PostgreSQL.

Other parts of the product add their routes through ``extras``: an ``APIRouter`` is included as
it is; a callable is called with the app and its ``Wiring`` (to include routers built from the
container, mount files, or add handlers). The web pages and the hospital standards' routes
(CDS Hooks, FHIR) come in this way (docs/api.md, "Adding routes").
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from ketamine_cds import DECISION_SUPPORT_NOTICE, __version__
from ketamine_cds.adapters.documents import MAX_JSON_BYTES
from ketamine_cds.bootstrap import Container, RecordContainer, build, record_container
from ketamine_cds.entrypoints.http import login
from ketamine_cds.entrypoints.http.deps import Wiring
from ketamine_cds.entrypoints.http.documents import install_openapi
from ketamine_cds.entrypoints.http.errors import ErrorPage, install_error_handlers
from ketamine_cds.entrypoints.http.guard import Guard
from ketamine_cds.entrypoints.http.keys import Keys, load_secret
from ketamine_cds.entrypoints.http.routes import api_router
from ketamine_cds.settings import Settings

Extra = APIRouter | Callable[[FastAPI, Wiring], None]
STATIC_DIR = Path(__file__).resolve().parents[1] / "web" / "static"
DESCRIPTION = (
    f"{DECISION_SUPPORT_NOTICE}\n\n"
    "The JSON API of ketamine-cds: protocols, dose plans and checks, the clinical record's "
    "episodes, events and recommendations, the opioid equivalent, the assessment and the "
    "audit trail. Programs send a bearer token (`Authorization: Bearer kcds_...`, made by "
    "`ketamine-cds user token NAME`). Every refusal is one sentence in `detail` with a stable "
    "`error` code; see docs/api.md."
)


def create_app(
    container: Container,
    record: RecordContainer,
    settings: Settings,
    *,
    extras: Iterable[Extra] = (),
    error_page: ErrorPage | None = None,
) -> FastAPI:
    """The application for this container and record."""
    keys = Keys(load_secret(settings), int(settings.session_hours * 3600))
    wiring = Wiring(container=container, record=record, settings=settings, keys=keys)
    app = FastAPI(
        title="ketamine-cds",
        version=__version__,
        docs_url=None,  # the interactive pages load scripts from a CDN; /openapi.json is the doc
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.wiring = wiring
    install_error_handlers(app, error_page)
    app.include_router(api_router(), prefix="/api/v1")
    app.include_router(login.router())
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for extra in extras:
        if isinstance(extra, APIRouter):
            app.include_router(extra)
        else:
            extra(app, wiring)
    install_openapi(app, DESCRIPTION)
    app.add_middleware(Guard, max_body=MAX_JSON_BYTES)
    return app


def shipped_extras() -> list[Extra]:
    """The routes the product ships beyond the JSON API: pages, CDS Hooks, FHIR, the course."""
    # imported here: the pages and the EHR stack import this module's neighbours
    from ketamine_cds.entrypoints.http.course import install_course  # noqa: PLC0415
    from ketamine_cds.entrypoints.http.ehr import install_ehr  # noqa: PLC0415
    from ketamine_cds.entrypoints.web.views import install_pages  # noqa: PLC0415

    return [install_pages, install_ehr, install_course]


def make_app() -> FastAPI:
    """The application for this process's settings (uvicorn's factory, one call per worker)."""
    # pint loads with numpy's name hidden for an instant (docs/adr/0120): here, before any
    # thread serves, not in the first request that reads a model file's units.
    import ketamine_cds.domain.pk.pint_units  # noqa: F401, PLC0415

    container = build()
    record = record_container(container.settings)
    record.require_current()
    app = create_app(container, record, container.settings, extras=shipped_extras())
    settle_heap()
    return app


# A worker allocates a few thousand short-lived objects a request. At Python's 700-allocation
# default the collector's youngest generations ran every few requests and took up to 15 ms each
# (docs/adr/0136); these thresholds make that rarer and shorter.
_GC_THRESHOLDS = (20_000, 20, 10)


def settle_heap() -> None:
    """Leave the objects built at start-up out of every later garbage collection.

    A worker holds some 300,000 of them (the protocols, limit tables and schemas, the routes):
    each full collection walked them all, 200-350 ms during which none of the worker's requests
    moved. Collected once and frozen here, they are never walked again (docs/adr/0136).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLDS)
