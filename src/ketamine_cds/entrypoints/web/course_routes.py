"""The course of care over HTTP: a router of JSON routes, and the letter as a PDF.

``course_router(record_deps, reference, actor_name)`` returns a FastAPI :class:`APIRouter` the
web application mounts (under its API prefix):

- ``GET /episodes/{id}/response[?at=]``: Good et al.'s verdict, each criterion with what it was
  computed from (as ``episode response --json``);
- ``GET /episodes/{id}/med``: the MED points the chart draws, the peak and the change from it;
- ``GET /episodes/{id}/transitions[?at=]``: the planned steps with their checks and predicted
  plasma levels;
- ``POST /episodes/{id}/discharge``: the medicines list reconciled and, unless an NMDA
  antagonist the episode relies on is missing, the summary (JSON); blocked, 409 with the
  critical alert and the reconciliation, ``detail`` naming the missing drug;
- ``POST /episodes/{id}/discharge.pdf``: the same, answered with the summary and the GP letter
  as one PDF.

The three arguments are the application's FastAPI dependencies: the record's ports, the
reference tables (opioid products and equivalences) and the name of the user asking. A time
that cannot be read is 400 with one sentence; the record's refusals (role, unknown episode) are
left to the application's error handlers.
"""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations at run time,
# and they name the dependencies this factory is given.
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.outcomes.discharge import DischargeDetails
from ketamine_cds.domain.outcomes.medicines import DischargeMedicines
from ketamine_cds.entrypoints.course_json import (
    blocked_sentence,
    med_json,
    reconciliation_json,
    response_json,
    transitions_json,
)
from ketamine_cds.entrypoints.http.routes.episodes import EpisodeId
from ketamine_cds.service import course
from ketamine_cds.service.episodes import parse_time
from ketamine_cds.service.ports import ReferenceData
from ketamine_cds.service.record_support import RecordDeps

At = Annotated[
    str | None, Query(max_length=40, description="The moment assessed (default: the last event).")
]


class LeftOff(BaseModel):
    """A physician leaves a drug off the list, with the reason."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    drug: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=500)


class DischargeRequest(BaseModel):
    """The discharge (or transfer) medicines, the team's details and any drug left off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    medicines: DischargeMedicines
    details: DischargeDetails = DischargeDetails()
    occasion: Literal["discharge", "transfer"] = "discharge"
    leave_off: LeftOff | None = None


def _moment(text: str | None) -> datetime | None:
    try:
        return None if not text else parse_time(text)
    except UserInputError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None


def course_router(
    record_deps: Callable[..., RecordDeps],
    reference: Callable[..., ReferenceData],
    actor_name: Callable[..., str],
) -> APIRouter:
    """The course routes, on the application's own dependencies."""
    routes = APIRouter(prefix="/episodes", tags=["course of care"])
    deps_type = Annotated[RecordDeps, Depends(record_deps)]
    reference_type = Annotated[ReferenceData, Depends(reference)]
    actor_type = Annotated[str, Depends(actor_name)]

    def discharged(
        episode_id: EpisodeId,
        body: DischargeRequest,
        deps: deps_type,
        tables: reference_type,
        actor: actor_type,
    ) -> course.DischargeResult:
        left = body.leave_off
        return course.discharge(
            deps,
            tables,
            actor,
            episode_id,
            body.medicines,
            details=body.details,
            occasion=body.occasion,
            leave_off=() if left is None else (course.LeaveOff(left.drug, left.reason),),
        )

    result_type = Annotated[course.DischargeResult, Depends(discharged)]

    @routes.get("/{episode_id}/response", summary="Good et al.'s responder verdict")
    def response(
        episode_id: EpisodeId, deps: deps_type, actor: actor_type, at: At = None
    ) -> JSONResponse:
        found = course.episode_response(deps, actor, episode_id, _moment(at))
        return JSONResponse(response_json(episode_id, found.assessment))

    @routes.get("/{episode_id}/med", summary="The MED over the episode")
    def med(episode_id: EpisodeId, deps: deps_type, actor: actor_type) -> JSONResponse:
        return JSONResponse(med_json(episode_id, course.episode_med(deps, actor, episode_id)))

    @routes.get("/{episode_id}/transitions", summary="The planned steps out of the phase running")
    def transitions(
        episode_id: EpisodeId, deps: deps_type, actor: actor_type, at: At = None
    ) -> JSONResponse:
        planned = course.episode_transitions(deps, actor, episode_id, _moment(at))
        return JSONResponse(transitions_json(planned))

    @routes.post(
        "/{episode_id}/discharge",
        summary="Reconcile the medicines and issue the summary and the GP letter",
        responses={409: {"description": "An NMDA antagonist the episode relies on is missing"}},
    )
    def discharge(episode_id: EpisodeId, result: result_type) -> JSONResponse:
        if result.summary is None:
            return _blocked(episode_id, result)
        body: dict[str, Any] = {
            **reconciliation_json(episode_id, result),
            "summary": result.summary.model_dump(mode="json"),
        }
        return JSONResponse(body)

    @routes.post(
        "/{episode_id}/discharge.pdf",
        summary="The summary and the GP letter as one PDF",
        response_class=Response,
        responses={
            200: {"content": {"application/pdf": {}}},
            409: {"description": "An NMDA antagonist the episode relies on is missing"},
        },
    )
    def discharge_pdf(episode_id: EpisodeId, result: result_type) -> Response:
        if result.summary is None:
            return _blocked(episode_id, result)
        from ketamine_cds.entrypoints.web.letters import letter_pdf  # noqa: PLC0415 - WeasyPrint loads only when a letter is printed

        name = f"{result.reconciliation.occasion}-episode-{episode_id}.pdf"
        return Response(
            letter_pdf(result.summary),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    del response, med, transitions, discharge, discharge_pdf
    return routes


def _blocked(episode_id: int, result: course.DischargeResult) -> JSONResponse:
    body = {
        "detail": blocked_sentence(result, "the medicines list"),
        **reconciliation_json(episode_id, result),
    }
    return JSONResponse(body, status_code=409)
