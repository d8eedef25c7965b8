"""Protocols, dose plans and dose checks.

The same documents as ``protocols``, ``plan`` and ``check`` with ``--json``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from ketamine_cds.domain.protocols.plan_output import PlanOut
from ketamine_cds.domain.units import BodyWeight, Concentration, Duration, Mass, Rate
from ketamine_cds.entrypoints.http.bodies import CheckRequest, PlanRequest
from ketamine_cds.entrypoints.http.deps import ActingUser, ContainerDep
from ketamine_cds.entrypoints.http.documents import StrictJsonRoute
from ketamine_cds.entrypoints.http.errors import RESPONSES, NotFoundError
from ketamine_cds.entrypoints.presenters import check_json, protocol_summary
from ketamine_cds.service import planning
from ketamine_cds.service.protocols import list_protocols

ProtocolPath = Annotated[
    str, PathParam(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")
]


def router() -> APIRouter:
    """The protocol, plan and check routes (any user of the record)."""
    routes = APIRouter(tags=["protocols"], route_class=StrictJsonRoute, responses=RESPONSES)

    @routes.get("/protocols", summary="The protocols the product can use")
    def protocols(_user: ActingUser, container: ContainerDep) -> JSONResponse:
        return JSONResponse([protocol_summary(p) for p in list_protocols(container.protocols)])

    @routes.get("/protocols/{protocol_id}", summary="One protocol, as its committee approved it")
    def protocol(
        protocol_id: ProtocolPath, _user: ActingUser, container: ContainerDep
    ) -> JSONResponse:
        found = {p.id: p for p in list_protocols(container.protocols)}
        if protocol_id not in found:
            raise NotFoundError(f"there is no protocol '{protocol_id}'")
        return JSONResponse(found[protocol_id].model_dump(mode="json", exclude_none=True))

    @routes.post(
        "/plan",
        summary="The dose plan of a protocol for a patient",
        responses={200: {"model": PlanOut}},
    )
    def plan(body: PlanRequest, _user: ActingUser, container: ContainerDep) -> JSONResponse:
        bag = (
            None
            if body.concentration_mg_per_ml is None
            else Concentration.of(body.concentration_mg_per_ml, "mg/mL")
        )
        result = planning.plan(
            container.protocols, body.protocol, BodyWeight.from_kg(body.weight_kg), bag
        )
        return JSONResponse(result.model_dump(mode="json"))

    @routes.post(
        "/check",
        summary="Check a rate or a dose against the protocol's soft and the hard limits",
        description="Answers 200 with the verdict (within_protocol, soft_limit_exceeded or "
        "hard_limit_exceeded): a verdict is an answer, not an error.",
    )
    def check(body: CheckRequest, _user: ActingUser, container: ContainerDep) -> JSONResponse:
        result = planning.check(
            container.protocols,
            body.protocol,
            BodyWeight.from_kg(body.weight_kg),
            rate=None if body.rate_mg_per_h is None else Rate.of(body.rate_mg_per_h, "mg/hour"),
            dose=None if body.dose_mg is None else Mass.of(body.dose_mg, "mg"),
            over=None if body.over_min is None else Duration.of(body.over_min, "minute"),
            phase_id=body.phase,
            route=body.route,
        )
        return JSONResponse(check_json(result))

    return routes
