"""The episode page and its forms.

``GET /episodes/{id}`` asks the record for a recommendation now (stored, like every
recommendation shown) and draws the page. Each form posts to a view that records one event
through the record's use case and answers the page's live part (htmx) or the whole page: the
outcome in words, the recommendation after it, the chart and the events. A refusal (role, limit,
stale recommendation, missing verification) writes nothing but its audit entry and is answered
with its sentence and its status code; a soft limit asks for a physician's reasoned override.
"""

# FastAPI reads the views' annotations at definition time, where the dependency is in scope.
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from ketamine_cds.domain.assessment.patient import parse_weight
from ketamine_cds.domain.episode import AnyEvent
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.plan_output import PlanOut
from ketamine_cds.domain.record import LimitRefusedError
from ketamine_cds.domain.units import Concentration
from ketamine_cds.entrypoints.web.presenters.chart import ChartView, Prediction, episode_chart
from ketamine_cds.entrypoints.web.presenters.episode_page import Outcome, episode_view
from ketamine_cds.entrypoints.web.presenters.events import TYPE_WORDS
from ketamine_cds.entrypoints.web.presenters.recommendation import stored_recommendation
from ketamine_cds.entrypoints.web.views import forms
from ketamine_cds.entrypoints.web.views.common import Page, Pages, error_page, status_for
from ketamine_cds.service import pk
from ketamine_cds.service.planning import plan
from ketamine_cds.service.record import (
    MadeRecommendation,
    recommend_now,
    record_event,
    verify_order,
)
from ketamine_cds.service.record_queries import EpisodeDetail, show_episode
from ketamine_cds.service.record_support import episode_of, known_events

EPISODE_PAGE = "pages/episode.html"
EPISODE_LIVE = "partials/episode_live.html"
EventBuilder = Callable[[Page, forms.FormValues], AnyEvent]


def _prediction(
    page: Page, detail: EpisodeDetail, plan_json: dict[str, object]
) -> Prediction | None:
    """The predicted plasma level of what was given, up to now (None when nothing was given)."""
    header = detail.summary.header
    episode = episode_of(header, known_events(detail.events))
    if not episode.events:
        return None
    last = max(e.at for e in episode.events)
    running_h = max(0.0, (page.now - last) / timedelta(hours=1)) if header.status == "active" else 0
    try:
        regimen, _ = pk.regimen_from_episode(episode, plan_json, running_h)
    except UserInputError:
        return None
    simulation = pk.simulate(regimen, parse_weight(header.weight.text).kg)
    payload = simulation.payload
    return Prediction(payload["times_h"], payload["concentration_ng_per_ml"], simulation.model_name)


def _plan(page: Page, detail: EpisodeDetail) -> PlanOut:
    header = detail.summary.header
    concentration = header.concentration_mg_per_ml
    return plan(
        page.protocols,
        header.protocol_id,
        parse_weight(header.weight.text),
        None if concentration is None else Concentration.of(concentration, "mg/mL"),
    )


def _chart(page: Page, detail: EpisodeDetail, planned: PlanOut) -> ChartView:
    """The episode's timeline up to now (a stopped episode's up to its last event)."""
    header = detail.summary.header
    recommendations = [stored_recommendation(r) for r in detail.recommendations]
    phase_id = recommendations[-1].phase if recommendations else header.phase
    phase = next((p for p in planned.phases if p.id == phase_id), planned.phases[0])
    until = (
        page.now
        if header.status == "active"
        else max([header.started_at, *(e.at for e in detail.events)])
    )
    return episode_chart(
        episode_of(header, known_events(detail.events)),
        recommendations,
        until=until,
        ceiling_mg_per_h=phase.ceiling_rate_mg_per_h,
        prediction=_prediction(page, detail, planned.model_dump(mode="json")),
    )


def render_episode(
    page: Page,
    episode_id: int,
    *,
    made: MadeRecommendation | None = None,
    outcome: Outcome | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The episode page (or its live part) with the recommendation made now, or ``made``.

    A form's answer to htmx leaves the chart out: the page then loads it on its own
    (``GET /episodes/{id}/chart``), so the outcome and the new recommendation show at once.
    """
    record, user = page.record, page.user.name
    if made is None:
        made = recommend_now(record, user, episode_id)
    detail = show_episode(record, user, episode_id)
    planned = _plan(page, detail)
    chart = None if page.htmx else _chart(page, detail, planned)
    view = episode_view(
        detail, made, planned, user=page.user, now=page.now, chart=chart, outcome=outcome
    )
    return page.answer(EPISODE_PAGE, EPISODE_LIVE, status_code, e=view)


def _refused(page: Page, episode_id: int, error: UserInputError, rate: str | None) -> HTMLResponse:
    """The page after a refusal: the sentence, and the override asked for at a soft limit."""
    if isinstance(error, LimitRefusedError):
        outcome = Outcome(
            "hard" if error.hard else "refused",
            str(error),
            override_rate=None if error.hard else rate,
        )
    else:
        outcome = Outcome("refused" if status_for(error) != 400 else "error", str(error))
    return render_episode(page, episode_id, outcome=outcome, status_code=status_for(error))


def _record(
    page: Page, episode_id: int, form: forms.FormValues, build: EventBuilder, *, against: bool
) -> HTMLResponse:
    """Record the event a form describes and answer with the page after it."""
    try:
        event = build(page, form)
        recorded = record_event(
            page.record,
            page.user.name,
            episode_id,
            event,
            against=forms.recommendation_id(form) if against else None,
            recommend_after=True,
        )
    except UserInputError as error:
        return _refused(page, episode_id, error, forms.one(form, "rate_mg_per_h"))
    words = TYPE_WORDS.get(event.type, event.type)
    outcome = Outcome("ok", f"{words} recorded as event {recorded.event.event_id}.")
    return render_episode(page, episode_id, made=recorded.recommendation, outcome=outcome)


async def _form(page: Page) -> forms.FormValues:
    data = await page.request.form()
    return {key: [str(v) for v in data.getlist(key)] for key in data}


def add_routes(router: APIRouter, pages: Pages) -> None:  # noqa: C901 - one small view per form
    """Add the episode page and its forms to ``router``."""
    Signed = Annotated[Page, Depends(pages.page)]  # noqa: N806 - a type alias

    @router.get("/episodes/{episode_id}/chart", response_class=HTMLResponse)
    def chart(episode_id: int, page: Signed) -> HTMLResponse:
        """The episode's timeline chart and its table (loaded by the page after a form)."""
        try:
            detail = show_episode(page.record, page.user.name, episode_id)
            view = _chart(page, detail, _plan(page, detail))
        except UserInputError as error:
            return error_page(page, error)
        return page.render("partials/chart.html", chart=view, episode_id=episode_id)

    @router.get("/episodes/{episode_id}", response_class=HTMLResponse, name="episode")
    def show(episode_id: int, page: Signed) -> HTMLResponse:
        """The episode's recommendation now, its chart, its events and its forms."""
        try:
            return render_episode(page, episode_id)
        except UserInputError as error:
            return error_page(page, error)

    def post(path: str, build: EventBuilder, *, against: bool = False) -> None:
        async def view(episode_id: int, page: Signed) -> HTMLResponse:
            form = await _form(page)
            try:
                return _record(page, episode_id, form, build, against=against)
            except UserInputError as error:
                return error_page(page, error)

        view.__name__ = f"record_{path}"
        view.__doc__ = f"Record the {path} form's event and answer the page after it."
        router.post(f"/episodes/{{episode_id}}/{path}", response_class=HTMLResponse)(view)

    post("observation", lambda p, f: forms.observation(f, forms.moment(f, p.now)))
    post(
        "rate", lambda p, f: forms.rate_change(f, forms.moment(f, p.now), p.user.name), against=True
    )
    post("prn", lambda p, f: forms.prn(f, forms.moment(f, p.now), p.user.name))
    post("pause", lambda p, f: forms.pause(f, forms.moment(f, p.now), p.user.name))
    post("stop", lambda p, f: forms.stop(f, forms.moment(f, p.now), p.user.name))

    @router.post("/episodes/{episode_id}/override", response_class=HTMLResponse)
    async def override(episode_id: int, page: Signed) -> HTMLResponse:
        """A physician's override with a reason, then the rate it allows."""
        form = await _form(page)
        rate = forms.one(form, "rate_mg_per_h")
        try:
            allowed = record_event(
                page.record,
                page.user.name,
                episode_id,
                forms.override(form, page.now, page.user.name),
                against=forms.recommendation_id(form),
                recommend_after=True,
            )
        except UserInputError as error:
            return _refused(page, episode_id, error, rate)
        first = f"Override recorded as event {allowed.event.event_id}"
        made = allowed.recommendation
        try:
            recorded = record_event(
                page.record,
                page.user.name,
                episode_id,
                forms.rate_change(form, page.now, page.user.name),
                against=None if made is None else made.stored.id,
                recommend_after=True,
            )
        except UserInputError as error:
            outcome = Outcome("refused", f"{first}; the rate was not set: {error}")
            return render_episode(page, episode_id, outcome=outcome, status_code=status_for(error))
        outcome = Outcome(
            "ok", f"{first}; rate change recorded as event {recorded.event.event_id}."
        )
        return render_episode(page, episode_id, made=recorded.recommendation, outcome=outcome)

    @router.post("/episodes/{episode_id}/verify", response_class=HTMLResponse)
    async def verify(episode_id: int, page: Signed) -> HTMLResponse:
        """A pharmacist's verification of the order."""
        form = await _form(page)
        try:
            verify_order(page.record, page.user.name, episode_id, forms.one(form, "note"))
        except UserInputError as error:
            return _refused(page, episode_id, error, None)
        outcome = Outcome("ok", f"Order verified by {page.user.name}.")
        return render_episode(page, episode_id, outcome=outcome)
