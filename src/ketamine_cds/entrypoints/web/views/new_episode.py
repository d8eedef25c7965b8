"""The new-episode path: patient and assessment, protocol choice, the plan, then the episode.

1. ``GET /episodes/new``: the patient (identifier, weight) and the assessment questions.
2. ``POST /episodes/new/assess``: the assessment against every protocol; choose one and the bag.
3. ``POST /episodes/new/plan``: the plan for that protocol, weight and bag (the order set as a
   page and a PDF), with the start form: baseline pain, pain goal, start time.
4. ``POST /episodes/new/start``: the episode is started (physician role) and its page opens;
   the pharmacist verifies the order there before the first dose.

The patient record travels between the steps as JSON in a hidden field, read by the same model
as a patient file; nothing is kept on the server until the episode is started.
"""

# FastAPI reads the views' annotations at definition time, where the dependency is in scope.
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ketamine_cds.domain.assessment.evidence import evidence_for
from ketamine_cds.domain.assessment.patient import PatientRecord
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.figures import num
from ketamine_cds.domain.roles import NotPermittedError, require
from ketamine_cds.domain.units import Concentration
from ketamine_cds.entrypoints.web.presenters.assessment import assessment_view
from ketamine_cds.entrypoints.web.presenters.assessment_form import assessment_form, flatten
from ketamine_cds.entrypoints.web.presenters.order_set import PatientIdentifiers, order_set_view
from ketamine_cds.entrypoints.web.views.common import Page, Pages, error_page
from ketamine_cds.entrypoints.web.views.forms import (
    FormValues,
    moment,
    number,
    one,
    positive,
    sentence,
)
from ketamine_cds.entrypoints.web.views.patient_form import patient_record, record_from_json
from ketamine_cds.service.assessment import assess_record
from ketamine_cds.service.planning import plan
from ketamine_cds.service.record import start_episode

STEPS = ("Patient and assessment", "Protocol", "Plan and order set", "Episode")


async def _form(page: Page) -> FormValues:
    data = await page.request.form()
    return {key: [str(v) for v in data.getlist(key)] for key in data}


def _step_one(page: Page, record: PatientRecord | None, error: str | None = None) -> HTMLResponse:
    indications = tuple(page.reference.evidence().indications)
    answers = None if record is None else flatten(record.model_dump(mode="json"))
    return page.render(
        "pages/new_episode.html",
        400 if error else 200,
        sections=assessment_form(answers, indications),
        steps=STEPS,
        step=0,
        error=error,
        section="new",
    )


def _assessed(page: Page, record: PatientRecord, error: str | None = None) -> HTMLResponse:
    assessment = assess_record(page.protocols, page.reference, record)
    return page.render(
        "pages/new_episode_assessment.html",
        400 if error else 200,
        a=assessment_view(assessment),
        steps=STEPS,
        step=1,
        error=error,
        section="new",
    )


def _planned(page: Page, record: PatientRecord, form: FormValues) -> HTMLResponse:
    protocol = one(form, "protocol")
    if protocol is None:
        raise UserInputError("choose a protocol")
    concentration = positive(one(form, "concentration"), "the bag concentration")
    weight = record.body_weight
    if weight is None:
        raise UserInputError("give the patient's dosing weight")
    bag = None if concentration is None else Concentration.of(concentration, "mg/mL")
    planned = plan(page.protocols, protocol, weight, bag)
    evidence = None
    if record.indication:
        evidence = evidence_for(page.reference.evidence(), record.indication)
    view = order_set_view(
        planned,
        PatientIdentifiers(identifier=record.id),
        page.protocols.get(protocol).protocol,
        page.protocols.limits().table,
        generated_at=page.now,
        evidence=evidence,
    )
    query = {"protocol": protocol, "weight": record.weight or "", "patient": record.id or ""}
    if concentration is not None:
        query["concentration"] = num(concentration)
    if record.indication:
        query["indication"] = record.indication
    goal = assessment_view(assess_record(page.protocols, page.reference, record))
    return page.render(
        "pages/new_episode_plan.html",
        o=view,
        record_json=goal.record_json,
        protocol=protocol,
        concentration=planned.concentration_mg_per_ml,
        concentration_given=concentration is not None,
        baseline_pain=goal.baseline_pain,
        pain_goal=goal.pain_goal,
        order_set_query=urlencode(query),
        steps=STEPS,
        step=2,
        section="new",
    )


def _episode(page: Page, record: PatientRecord, form: FormValues) -> Episode:
    baseline = number(form, "pain")
    goal = number(form, "pain_goal")
    if baseline is None or goal is None:
        raise UserInputError("give the baseline pain score and the patient's pain goal (0-10)")
    try:
        return Episode.model_validate(
            {
                "patient": {"id": record.id, "weight": record.weight},
                "protocol": {"id": one(form, "protocol")},
                "started_at": moment(form, page.now),
                "baseline": {"pain": baseline},
                "pain_goal": goal,
            }
        )
    except ValidationError as error:
        raise UserInputError(sentence(error)) from None


def add_routes(router: APIRouter, pages: Pages) -> None:  # noqa: C901 - one small view per step
    """Add the new-episode path to ``router``."""
    Signed = Annotated[Page, Depends(pages.page)]  # noqa: N806 - a type alias

    def physician(page: Page) -> None:
        require(page.user.role, "episode.start", page.user.name)

    async def carried(page: Page) -> tuple[FormValues, PatientRecord]:
        """The step's form and the record carried from the step before (physician only)."""
        form = await _form(page)
        physician(page)
        return form, record_from_json(one(form, "record"))

    @router.get("/episodes/new", response_class=HTMLResponse, name="new_episode")
    def new(page: Signed) -> HTMLResponse:
        """Step 1: the patient and the assessment questions."""
        try:
            physician(page)
        except NotPermittedError as error:
            return error_page(page, error)
        return _step_one(page, None)

    @router.post("/episodes/new/edit", response_class=HTMLResponse)
    async def edit(page: Signed) -> HTMLResponse:
        """Back to step 1 with the answers given so far."""
        try:
            _, record = await carried(page)
        except UserInputError as error:
            return error_page(page, error)
        return _step_one(page, record)

    @router.post("/episodes/new/assess", response_class=HTMLResponse)
    async def assess(page: Signed) -> HTMLResponse:
        """Step 2: the assessment against every protocol, and the choice of one."""
        form = await _form(page)
        indications = tuple(page.reference.evidence().indications)
        try:
            physician(page)
            record = patient_record(form, indications)
            return _assessed(page, record)
        except NotPermittedError as error:
            return error_page(page, error)
        except UserInputError as error:
            return _step_one(page, None, str(error))

    @router.post("/episodes/new/plan", response_class=HTMLResponse)
    async def planned(page: Signed) -> HTMLResponse:
        """Step 3: the plan and the order set for the protocol chosen."""
        try:
            form, record = await carried(page)
        except UserInputError as error:
            return error_page(page, error)
        try:
            return _planned(page, record, form)
        except UserInputError as error:
            return _assessed(page, record, str(error))

    @router.post("/episodes/new/start")
    async def start(page: Signed) -> Response:
        """Step 4: start the episode (physician role) and open its page."""
        form = await _form(page)
        try:
            record = record_from_json(one(form, "record"))
            concentration = positive(one(form, "concentration"), "the bag concentration")
            started = start_episode(
                page.record, page.user.name, _episode(page, record, form), concentration
            )
        except UserInputError as error:
            return error_page(page, error)
        location = f"/episodes/{started.header.id}"
        if page.htmx:
            return Response(status_code=204, headers={"HX-Redirect": location})
        return RedirectResponse(location, status_code=303)
