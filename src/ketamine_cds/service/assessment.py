"""Use case: assess a patient record against every protocol, or the one named."""

from __future__ import annotations

from typing import Any

from ketamine_cds.domain.assessment.patient import PatientRecord
from ketamine_cds.domain.assessment.report import Assessment, assess, assessment_to_dict
from ketamine_cds.service.ports import ProtocolSource, ReferenceData
from ketamine_cds.service.protocols import list_protocols, load_protocol


def assess_record(
    source: ProtocolSource,
    reference: ReferenceData,
    record: PatientRecord,
    protocol_id: str | None = None,
) -> Assessment:
    """Assess a record against the named protocol, or against every protocol in the library."""
    protocols = [load_protocol(source, protocol_id)] if protocol_id else list_protocols(source)
    return assess(record, protocols, reference.contraindications(), reference.evidence())


def assessment_payload(reference: ReferenceData, assessment: Assessment) -> dict[str, Any]:
    """The assessment as JSON values, with the table versions it used."""
    payload = assessment_to_dict(assessment)
    payload["tables"] = {
        "contraindications": reference.contraindications().version,
        "evidence": reference.evidence().version,
    }
    return payload
