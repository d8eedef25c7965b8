"""The audit trail: who did what and when (filtered, newest first), and its verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from ketamine_cds.entrypoints.http.bodies import moment
from ketamine_cds.entrypoints.http.deps import ActingUser, RecordDepsDep
from ketamine_cds.entrypoints.http.errors import RESPONSES
from ketamine_cds.entrypoints.presenters import audit_page_json, audit_report_json
from ketamine_cds.service.audit_reading import MAX_PAGE, AuditQuery, read_audit
from ketamine_cds.service.audit_trail import verify_audit

Text = Annotated[str | None, Query(min_length=1, max_length=200)]
Time = Annotated[str | None, Query(max_length=40, description="A time with its zone.")]


def router() -> APIRouter:
    """The audit routes (any user of the record)."""
    routes = APIRouter(prefix="/audit", tags=["audit"], responses=RESPONSES)

    @routes.get("", summary="Audit entries, newest first, filtered")
    def entries(
        user: ActingUser,
        deps: RecordDepsDep,
        actor: Text = None,
        action: Annotated[
            str | None, Query(min_length=1, max_length=64, description="Start of the action.")
        ] = None,
        subject: Annotated[
            str | None, Query(min_length=1, max_length=200, description="Start of the subject.")
        ] = None,
        since: Time = None,
        until: Time = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> JSONResponse:
        query = AuditQuery(
            actor=actor,
            action=action,
            subject=subject,
            since=moment(since),
            until=moment(until),
            limit=limit,
            offset=offset,
        )
        return JSONResponse(audit_page_json(read_audit(deps, user.name, query)))

    @routes.get(
        "/verify",
        summary="Verify the chain and every row an entry names",
        description="Answers 200 whether the trail is intact or not: a broken trail is a "
        "finding (intact false, the first entry that does not hold), not an error.",
    )
    def verify(user: ActingUser, deps: RecordDepsDep) -> JSONResponse:
        return JSONResponse(audit_report_json(verify_audit(deps, user.name)))

    return routes
