"""The oral morphine equivalent of a regimen, and the assessment of a patient record.

The same documents as ``med --json`` and ``assess --json``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from ketamine_cds.adapters.opioid_files import regimen_from_data
from ketamine_cds.adapters.patient_files import parse_patient_text
from ketamine_cds.domain.opioids.output import med_out
from ketamine_cds.entrypoints.http.deps import ActingUser, ContainerDep
from ketamine_cds.entrypoints.http.documents import (
    BODY_NAME,
    Document,
    RawJson,
    StrictJsonRoute,
    document_body,
)
from ketamine_cds.entrypoints.http.errors import RESPONSES
from ketamine_cds.service import opioids
from ketamine_cds.service.assessment import assess_record, assessment_payload

Table = Annotated[
    str,
    Query(
        min_length=1,
        max_length=40,
        description="Equivalence table id (cdc-2022, cdc-2016, anzca-fpm-2021).",
    ),
]
ProtocolFilter = Annotated[
    str | None,
    Query(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$"),
]


def router() -> APIRouter:
    """The MED and assessment routes (any user of the record)."""
    routes = APIRouter(tags=["clinical"], route_class=StrictJsonRoute, responses=RESPONSES)

    @routes.post(
        "/med",
        summary="24-hour oral morphine equivalent of a regimen, with its sources",
        openapi_extra=document_body(
            "Regimen", "A regimen in the regimen format, or FHIR R4 resources, as JSON."
        ),
    )
    def med(
        _user: ActingUser,
        container: ContainerDep,
        document: Document,
        table: Table = opioids.DEFAULT_TABLE,
    ) -> JSONResponse:
        reading = regimen_from_data(document, BODY_NAME, container.reference.opioid_products())
        result = opioids.med_of_reading(container.reference, reading, table)
        return JSONResponse(med_out(result).model_dump(mode="json"))

    @routes.post(
        "/assess",
        summary="Eligibility per protocol, contraindications, screening scores, evidence",
        openapi_extra=document_body("PatientRecord", "A patient record in the patient format."),
    )
    def assess(
        _user: ActingUser,
        container: ContainerDep,
        body: RawJson,
        protocol: ProtocolFilter = None,
    ) -> JSONResponse:
        record = parse_patient_text(body, BODY_NAME, as_json=True)
        assessment = assess_record(container.protocols, container.reference, record, protocol)
        return JSONResponse(assessment_payload(container.reference, assessment))

    return routes
