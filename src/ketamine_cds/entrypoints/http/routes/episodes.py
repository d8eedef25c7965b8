"""Episodes in the record: start or import, list, show, record an event, recommend, verify, export.

The documents are those of ``episode ... --json``. Recording an event answers 201 with the event
and the recommendation after it; a change made against a recommendation that is no longer the
latest (``?against=ID``) or an episode that moved on (``?expected_version=N``) answers 409 with
the latest recommendation.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ketamine_cds.adapters.episode_files import describe_episode_error, parse_episode_data
from ketamine_cds.adapters.plausible_values import first_implausible
from ketamine_cds.domain.episode import AnyEvent
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.entrypoints.http.bodies import (
    MAX_CONCENTRATION,
    MAX_ID,
    MIN_CONCENTRATION,
    VerificationRequest,
    moment,
)
from ketamine_cds.entrypoints.http.deps import (
    ActingUser,
    LaneUser,
    RecordDepsDep,
    WiringDep,
    on_lane,
)
from ketamine_cds.entrypoints.http.documents import (
    BODY_NAME,
    Document,
    StrictJsonRoute,
    document_body,
)
from ketamine_cds.entrypoints.http.errors import RESPONSES, STALE
from ketamine_cds.entrypoints.presenters import (
    detail_json,
    event_json,
    header_json,
    made_json,
    recommendation_json,
    summary_json,
    verification_json,
)
from ketamine_cds.service.demo import is_demonstration
from ketamine_cds.service.record import (
    recommend_now,
    record_event,
    start_or_import,
    verify_order,
)
from ketamine_cds.service.record_queries import export_episode, list_episodes, show_episode
from ketamine_cds.service.record_support import EVENT_ADAPTER

EpisodeId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="The episode's id.")]
EPISODE_BODY = (
    "An episode in the episode file format (schemas/episode.schema.json), as JSON. Without "
    "events it starts a new episode (the physician's order); with events it imports them."
)
EVENT_BODY = (
    "One event in the episode file format, as JSON; the record writes recorded_at, "
    "recorded_by and role itself."
)


def _event(data: object) -> AnyEvent:
    try:
        event = EVENT_ADAPTER.validate_python(data)
    except ValidationError as error:
        raise UserInputError(describe_episode_error(BODY_NAME, error)) from None
    implausible = first_implausible(event)
    if implausible is not None:
        place, problem = implausible
        where = ".".join(str(p) for p in place)
        raise UserInputError(f"{BODY_NAME}: {problem}" + (f" (at {where})" if where else ""))
    return event


def _marked(document: dict[str, Any], patient: str) -> dict[str, Any]:
    return {**document, "demonstration_data": is_demonstration(patient)}


def router() -> APIRouter:
    """The episode routes."""
    routes = APIRouter(
        prefix="/episodes", tags=["episodes"], route_class=StrictJsonRoute, responses=RESPONSES
    )

    @routes.post(
        "",
        status_code=201,
        summary="Start an episode, or import one with its events (a physician)",
        openapi_extra=document_body("Episode", EPISODE_BODY),
    )
    def create(
        user: ActingUser,
        deps: RecordDepsDep,
        document: Document,
        concentration_mg_per_ml: Annotated[
            float | None,
            Query(ge=MIN_CONCENTRATION, le=MAX_CONCENTRATION, description="Bag, mg/mL."),
        ] = None,
    ) -> JSONResponse:
        episode = parse_episode_data(document, BODY_NAME)
        result = start_or_import(deps, user.name, episode, concentration_mg_per_ml)
        body = {
            **header_json(result.header),
            "events": result.events,
            "recommendations": [made_json(m) for m in result.recommendations],
        }
        location = f"/api/v1/episodes/{result.header.id}"
        return JSONResponse(body, status_code=201, headers={"Location": location})

    @routes.get("", summary="Episodes in the record, newest first")
    def episodes(
        user: ActingUser,
        deps: RecordDepsDep,
        status: Annotated[str | None, Query(pattern="^(active|stopped)$")] = None,
    ) -> JSONResponse:
        found = list_episodes(deps, user.name, status)
        return JSONResponse([summary_json(s) for s in found])

    @routes.get("/{episode_id}", summary="An episode: header, events, recommendations")
    def episode(episode_id: EpisodeId, user: ActingUser, deps: RecordDepsDep) -> JSONResponse:
        return JSONResponse(detail_json(show_episode(deps, user.name, episode_id)))

    @routes.post(
        "/{episode_id}/events",
        status_code=201,
        summary="Record one event; answers with the recommendation after it",
        responses=STALE,
        openapi_extra=document_body("Event", EVENT_BODY),
    )
    async def record(
        episode_id: EpisodeId,
        user: LaneUser,
        w: WiringDep,
        document: Document,
        against: Annotated[
            int | None,
            Query(ge=1, le=MAX_ID, description="The recommendation this change follows."),
        ] = None,
        expected_version: Annotated[
            int | None, Query(ge=0, le=MAX_ID, description="Refuse unless at this version.")
        ] = None,
    ) -> JSONResponse:
        event = _event(document)
        result = await on_lane(
            w,
            partial(
                record_event,
                w.record.deps,
                user.name,
                episode_id,
                event,
                against=against,
                expected_version=expected_version,
                recommend_after=True,
            ),
        )
        made = result.recommendation
        body = {
            "event": event_json(result.event),
            "version": result.version,
            "recommendation": None if made is None else made_json(made),
        }
        return JSONResponse(_marked(body, result.patient), status_code=201)

    @routes.get(
        "/{episode_id}/recommendation",
        summary="What the protocol says to do now (or at ?at=), stored with what it rests on",
    )
    async def recommendation(
        episode_id: EpisodeId,
        user: LaneUser,
        w: WiringDep,
        at: Annotated[
            str | None, Query(max_length=40, description="A time with its zone, or now.")
        ] = None,
    ) -> JSONResponse:
        when = moment(at)
        made = await on_lane(w, partial(recommend_now, w.record.deps, user.name, episode_id, when))
        return JSONResponse(_marked(made_json(made), made.patient))

    @routes.post(
        "/{episode_id}/verification",
        status_code=201,
        summary="A pharmacist verifies the order (before the first dose or rate)",
    )
    def verification(
        episode_id: EpisodeId,
        user: ActingUser,
        deps: RecordDepsDep,
        body: VerificationRequest | None = None,
    ) -> JSONResponse:
        note = None if body is None else body.note
        done = verify_order(deps, user.name, episode_id, note)
        return JSONResponse(verification_json(done), status_code=201)

    @routes.get(
        "/{episode_id}/export",
        summary="The episode in the episode file format, with its stored recommendations",
    )
    def export(episode_id: EpisodeId, user: ActingUser, deps: RecordDepsDep) -> JSONResponse:
        exported = export_episode(deps, user.name, episode_id)
        body = {
            "episode": exported.episode.model_dump(mode="json", exclude_none=True),
            "concentration_mg_per_ml": exported.concentration_mg_per_ml,
            "protocol_hash": exported.protocol_hash,
            "recommendations": [recommendation_json(s) for s in exported.recommendations],
        }
        return JSONResponse(_marked(body, exported.episode.patient.id or ""))

    return routes
