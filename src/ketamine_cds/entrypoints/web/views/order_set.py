"""The order set a pharmacist signs, as a page and as its PDF (the same template, printed).

``/episodes/{id}/order-set`` and ``.pdf`` print the episode's plan for its patient, weight and
bag; ``/plan/order-set`` and ``.pdf`` print the plan being made on the new-episode path, from
the protocol, weight, bag and indication in the query.
"""

# FastAPI reads the views' annotations at definition time, where the dependency is in scope.
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from ketamine_cds.adapters.render.pdf import html_to_pdf
from ketamine_cds.domain.assessment.evidence import evidence_for
from ketamine_cds.domain.assessment.patient import parse_weight
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.units import BodyWeight, Concentration
from ketamine_cds.entrypoints.web.presenters.order_set import (
    OrderSetView,
    PatientIdentifiers,
    order_set_view,
)
from ketamine_cds.entrypoints.web.templating import STATIC_DIR, file_static
from ketamine_cds.entrypoints.web.views.common import Page, Pages, error_page
from ketamine_cds.entrypoints.web.views.forms import positive
from ketamine_cds.service.planning import plan
from ketamine_cds.service.record_queries import show_episode

TEMPLATE = "order_set.html"


def _view(  # noqa: PLR0913 - who the order is for and what it is
    page: Page,
    *,
    protocol_id: str,
    weight: BodyWeight,
    concentration: float | None,
    patient: PatientIdentifiers,
    indication: str | None = None,
) -> OrderSetView:
    planned = plan(
        page.protocols,
        protocol_id,
        weight,
        None if concentration is None else Concentration.of(concentration, "mg/mL"),
    )
    evidence = None
    if indication:
        evidence = evidence_for(page.reference.evidence(), indication)
    return order_set_view(
        planned,
        patient,
        page.protocols.get(protocol_id).protocol,
        page.protocols.limits().table,
        generated_at=page.now,
        evidence=evidence,
    )


def _pdf(page: Page, view: OrderSetView, name: str) -> Response:
    html = page.env.get_template(TEMPLATE).render(o=view, static_url=file_static)
    return Response(
        html_to_pdf(html, STATIC_DIR),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _episode_view(page: Page, episode_id: int) -> OrderSetView:
    header = show_episode(page.record, page.user.name, episode_id).summary.header
    return _view(
        page,
        protocol_id=header.protocol_id,
        weight=parse_weight(header.weight.text),
        concentration=header.concentration_mg_per_ml,
        patient=PatientIdentifiers(identifier=header.patient),
    )


@dataclass(frozen=True)
class PlanQuery:
    """The plan an order set is printed for, as the new-episode path links it."""

    protocol: str
    weight: str
    concentration: str | None = None
    patient: str | None = None
    indication: str | None = None


def _plan_view(page: Page, query: PlanQuery) -> OrderSetView:
    try:
        body = parse_weight(query.weight)
    except ValueError as error:
        raise UserInputError(str(error)) from None
    return _view(
        page,
        protocol_id=query.protocol,
        weight=body,
        concentration=positive(query.concentration, "the bag concentration"),
        patient=PatientIdentifiers(identifier=query.patient or None),
        indication=query.indication,
    )


def add_routes(router: APIRouter, pages: Pages) -> None:
    """Add the order-set pages and PDFs to ``router``."""
    Signed = Annotated[Page, Depends(pages.page)]  # noqa: N806 - a type alias

    @router.get("/episodes/{episode_id}/order-set", response_class=HTMLResponse)
    def episode_page(episode_id: int, page: Signed) -> Response:
        """The episode's order set as a page."""
        try:
            return page.render(TEMPLATE, o=_episode_view(page, episode_id))
        except UserInputError as error:
            return error_page(page, error)

    @router.get("/episodes/{episode_id}/order-set.pdf")
    def episode_pdf(episode_id: int, page: Signed) -> Response:
        """The episode's order set as the PDF a pharmacist signs."""
        try:
            view = _episode_view(page, episode_id)
        except UserInputError as error:
            return error_page(page, error)
        return _pdf(page, view, f"order-set-episode-{episode_id}.pdf")

    @router.get("/plan/order-set", response_class=HTMLResponse)
    def plan_page(page: Signed, query: Annotated[PlanQuery, Depends()]) -> Response:
        """The order set of a plan being made, as a page."""
        try:
            view = _plan_view(page, query)
        except UserInputError as error:
            return error_page(page, error)
        return page.render(TEMPLATE, o=view)

    @router.get("/plan/order-set.pdf")
    def plan_pdf(page: Signed, query: Annotated[PlanQuery, Depends()]) -> Response:
        """The order set of a plan being made, as its PDF."""
        try:
            view = _plan_view(page, query)
        except UserInputError as error:
            return error_page(page, error)
        return _pdf(page, view, f"order-set-{view.protocol_id}.pdf")
