"""The course of care on the ward application: response, MED, transitions, discharge, cohort.

``install_course`` is one of the app factory's extras: the course routes under the JSON API
(``/api/v1/episodes/{id}/response``, ``/med``, ``/transitions``, ``/discharge[.pdf]``) and the
cohort audit's page and downloads (``/cohort``, ``/cohort.json``, ``/cohort.csv``), each on
the application's own record, reference tables and signed-in user. See docs/course.md.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from ketamine_cds.entrypoints.http.deps import ActingUser, ContainerDep, RecordDepsDep, Wiring
from ketamine_cds.entrypoints.http.errors import RESPONSES
from ketamine_cds.entrypoints.web.cohort_page import cohort_router
from ketamine_cds.entrypoints.web.course_routes import course_router
from ketamine_cds.entrypoints.web.templating import served_static
from ketamine_cds.service.ports import ReferenceData
from ketamine_cds.service.record_support import RecordDeps


def _record(deps: RecordDepsDep) -> RecordDeps:
    return deps


def _reference(container: ContainerDep) -> ReferenceData:
    return container.reference


def _user(user: ActingUser) -> str:
    return user.name


def install_course(app: FastAPI, wiring: Wiring) -> None:  # noqa: ARG001 - the extras' signature
    """Add the course routes and the cohort page to the app."""
    api = APIRouter(prefix="/api/v1", responses=RESPONSES)
    api.include_router(course_router(_record, _reference, _user))
    app.include_router(api)
    app.include_router(cohort_router(_record, _user, served_static()))
