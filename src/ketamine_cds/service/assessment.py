"""Use case: assess a patient file against every protocol, or the one named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ketamine_cds.adapters.patient_files import (
    load_contraindication_table,
    load_evidence_table,
    read_patient_file,
)
from ketamine_cds.domain.assessment.patient import PatientRecord
from ketamine_cds.domain.assessment.report import Assessment, assess, assessment_to_dict
from ketamine_cds.service.protocols import list_protocols, load_protocol


def assess_record(record: PatientRecord, protocol_id: str | None = None) -> Assessment:
    """Assess a record against the named protocol, or against every protocol in the library."""
    protocols = [load_protocol(protocol_id)] if protocol_id else list_protocols()
    return assess(record, protocols, load_contraindication_table(), load_evidence_table())


def assess_patient_file(path: Path, protocol_id: str | None = None) -> Assessment:
    """Read a patient file and assess it."""
    return assess_record(read_patient_file(path), protocol_id)


def assessment_payload(assessment: Assessment) -> dict[str, Any]:
    """The assessment as JSON values, with the table versions it used."""
    payload = assessment_to_dict(assessment)
    payload["tables"] = {
        "contraindications": load_contraindication_table().version,
        "evidence": load_evidence_table().version,
    }
    return payload
