"""The cohort audit as a page, as JSON and as CSV: a router the web application mounts.

``cohort_router(record_deps, actor_name)`` returns a FastAPI :class:`APIRouter` with

- ``GET /cohort``: the page (charts with their numbers, the measures, the first episodes);
- ``GET /cohort.json``: the report (without the per-episode rows);
- ``GET /cohort.csv`` and ``GET /cohort/episodes.csv``: the measures, and one row per episode.

Every route takes the same filters: ``protocol`` (repeat), ``from`` and ``before`` (ISO 8601
times with a zone) and ``population`` (``cancer`` or ``non_cancer``). The two arguments are
FastAPI dependencies of the application: the record's ports, and the name of the user asking
(the record checks that user's role itself). A filter that cannot be read is answered 400 with
one sentence; a refusal by the record is left to the application's own error handlers.
"""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations at run time,
# and they name the dependencies this factory is given.
from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.outcomes.cohort import CohortFilter, CohortReport
from ketamine_cds.entrypoints.web.cohort_view import cohort_view
from ketamine_cds.entrypoints.web.templating import render
from ketamine_cds.service import cohort
from ketamine_cds.service.episodes import parse_time
from ketamine_cds.service.record_support import RecordDeps

Time = Annotated[str | None, Query(max_length=40, description="A time with its zone.")]
CSV = "text/csv; charset=utf-8"


def render_cohort_page(
    report: CohortReport,
    static_url: Callable[[str], str] | None = None,
    query: str = "",
    base: str = "/cohort",
) -> str:
    """The page of ``report``; ``query`` carries its filters on to the download links."""
    suffix = f"?{query}" if query else ""
    return render(
        "cohort/cohort.html",
        static_url,
        v=cohort_view(report),
        links={
            "summary_csv": f"{base}.csv{suffix}",
            "episodes_csv": f"{base}/episodes.csv{suffix}",
            "json": f"{base}.json{suffix}",
        },
        base=base,
    )


def filters_of(
    protocol: list[str],
    started_from: str | None,
    started_before: str | None,
    population: Literal["cancer", "non_cancer"] | None,
) -> CohortFilter:
    """The filter the query asks for, or one sentence (400) naming what cannot be read."""
    try:
        return CohortFilter(
            protocol_ids=tuple(p for p in protocol if p),
            started_from=None if not started_from else parse_time(started_from),
            started_before=None if not started_before else parse_time(started_before),
            population=population,
        )
    except UserInputError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None


def _query(filters: CohortFilter) -> str:
    pairs: list[tuple[str, str]] = [("protocol", p) for p in filters.protocol_ids]
    if filters.started_from is not None:
        pairs.append(("from", filters.started_from.isoformat()))
    if filters.started_before is not None:
        pairs.append(("before", filters.started_before.isoformat()))
    if filters.population is not None:
        pairs.append(("population", filters.population))
    return urlencode(pairs)


def cohort_router(
    record_deps: Callable[..., RecordDeps],
    actor_name: Callable[..., str],
    static_url: Callable[[str], str] | None = None,
) -> APIRouter:
    """The cohort routes, on the application's own dependencies for the record and the user."""
    routes = APIRouter(tags=["cohort"])
    deps_type = Annotated[RecordDeps, Depends(record_deps)]
    actor_type = Annotated[str, Depends(actor_name)]

    def chosen(
        protocol: Annotated[list[str], Query(max_length=100)] = [],  # noqa: B006 - FastAPI's way to declare a repeated parameter
        started_from: Annotated[str | None, Query(alias="from", max_length=40)] = None,
        started_before: Annotated[str | None, Query(alias="before", max_length=40)] = None,
        population: Literal["cancer", "non_cancer"] | None = None,
    ) -> CohortFilter:
        return filters_of(protocol, started_from, started_before, population)

    filter_type = Annotated[CohortFilter, Depends(chosen)]

    def report_of(deps: deps_type, actor: actor_type, filters: filter_type) -> CohortReport:
        return cohort.record_cohort(deps, actor, filters)

    report_type = Annotated[CohortReport, Depends(report_of)]

    @routes.get("/cohort", response_class=HTMLResponse, summary="The cohort audit page")
    def page(report: report_type) -> HTMLResponse:
        return HTMLResponse(render_cohort_page(report, static_url, _query(report.filters)))

    @routes.get("/cohort.json", summary="The cohort audit's measures")
    def as_json(report: report_type) -> JSONResponse:
        payload: dict[str, Any] = report.model_dump(mode="json", exclude={"outcomes"})
        return JSONResponse(payload)

    @routes.get("/cohort.csv", summary="The cohort audit's measures as CSV")
    def summary_csv(report: report_type) -> Response:
        return _download(cohort.summary_csv(report), "cohort-measures.csv")

    @routes.get("/cohort/episodes.csv", summary="One row per episode the audit counts, as CSV")
    def episodes_csv(report: report_type) -> Response:
        return _download(cohort.episodes_csv(report), "cohort-episodes.csv")

    del page, as_json, summary_csv, episodes_csv
    return routes


def _download(text: str, name: str) -> Response:
    return Response(
        text, media_type=CSV, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
