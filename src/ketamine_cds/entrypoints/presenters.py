"""The published JSON documents, one presenter per result, shared by the command line and the API.

``check --json`` and ``POST /api/v1/check`` answer the same document; so do ``episode show
--json`` and ``GET /api/v1/episodes/{id}``, and every other pair. Keys, once published, are only
ever added to.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ketamine_cds import DECISION_SUPPORT_NOTICE

if TYPE_CHECKING:  # a dose plan's presenters import no record machinery to start
    from ketamine_cds.domain.audit import AuditEntry
    from ketamine_cds.domain.protocols.check import CheckResult
    from ketamine_cds.domain.protocols.schema import Protocol
    from ketamine_cds.domain.record import (
        EpisodeHeader,
        StoredEvent,
        StoredRecommendation,
        Verification,
        WeightEntry,
    )
    from ketamine_cds.service.audit_reading import AuditPage
    from ketamine_cds.service.audit_trail import AuditReport
    from ketamine_cds.service.record import MadeRecommendation
    from ketamine_cds.service.record_queries import EpisodeDetail, EpisodeSummary


def check_json(result: CheckResult) -> dict[str, Any]:
    """The published JSON of a dose check."""
    limit = result.limit
    return {
        "decision_support": DECISION_SUPPORT_NOTICE,
        "verdict": result.verdict,
        "protocol": {"id": result.protocol_id, "version": result.protocol_version},
        "patient": {"weight_kg": result.weight.kg, "weight_entered": result.weight.entered},
        "checked": result.checked,
        "per_kg": result.per_kg,
        "phase_id": result.phase_id,
        "limit": None
        if limit is None
        else {
            "id": limit.id,
            "kind": limit.kind,
            "value": limit.value,
            "text": limit.text,
            "sources": list(limit.sources),
        },
        "override": result.override,
        "reasons": list(result.reasons),
        "dose_bands": list(result.dose_bands),
        "kind": result.kind,
        "route": result.route.value,
    }


def protocol_summary(protocol: Protocol) -> dict[str, Any]:
    """One protocol in the list of protocols."""
    return {
        "id": protocol.id,
        "version": protocol.version,
        "title": protocol.title,
        "kind": protocol.kind,
        "population": protocol.population,
        "setting": protocol.setting,
        "summary": protocol.summary,
    }


def header_json(header: EpisodeHeader) -> dict[str, Any]:
    """An episode's header as JSON; demonstration episodes say so."""
    return {
        "id": header.id,
        "patient": header.patient,
        "demonstration_data": _demonstration(header.patient),
        "weight": header.weight.text,
        "weight_kg": header.weight.kg,
        "protocol_id": header.protocol_id,
        "protocol_version": header.protocol_version,
        "protocol_hash": header.protocol_hash,
        "concentration_mg_per_ml": header.concentration_mg_per_ml,
        "phase": header.phase,
        "started_at": header.started_at.isoformat(),
        "started_by": header.started_by,
        "status": header.status,
        "version": header.version,
    }


def event_json(event: StoredEvent) -> dict[str, Any]:
    """A stored event as JSON: where it sits, and the event itself in the file format."""
    return {
        "episode_id": event.episode_id,
        "position": event.position,
        "id": event.event_id,
        "type": event.type,
        "at": event.at.isoformat(),
        "recorded_at": event.recorded_at.isoformat(),
        "recorded_by": event.recorded_by,
        "role": event.role,
        "corrects": event.corrects,
        "event": json.loads(event.body),
    }


def recommendation_json(stored: StoredRecommendation) -> dict[str, Any]:
    """A stored recommendation as JSON, with what it was computed from."""
    return {
        "id": stored.id,
        "episode_id": stored.episode_id,
        "at": stored.at.isoformat(),
        "made_at": stored.made_at.isoformat(),
        "episode_version": stored.episode_version,
        "input_digest": stored.input_digest,
        "protocol_id": stored.protocol_id,
        "protocol_version": stored.protocol_version,
        "protocol_hash": stored.protocol_hash,
        "limits_version": stored.limits_version,
        "limits_hash": stored.limits_hash,
        "software_version": stored.software_version,
        "made_by": stored.made_by,
        "role": stored.role,
        "output": json.loads(stored.output),
    }


def made_json(made: MadeRecommendation) -> dict[str, Any]:
    """A recommendation just made, with whether the order is verified and the warnings."""
    return {
        **recommendation_json(made.stored),
        "order_verified": made.order_verified,
        "warnings": list(made.warnings),
    }


def verification_json(verification: Verification) -> dict[str, Any]:
    """A pharmacist's verification."""
    return {
        "episode_id": verification.episode_id,
        "verified_by": verification.verified_by,
        "at": verification.at.isoformat(),
        "note": verification.note,
    }


def _weight_json(weight: WeightEntry) -> dict[str, Any]:
    return {"text": weight.text, "kg": weight.kg, "unit": weight.unit, "at": weight.at.isoformat()}


def summary_json(summary: EpisodeSummary) -> dict[str, Any]:
    """One line of the list of episodes."""
    return {
        **header_json(summary.header),
        "events": summary.events,
        "order_verified": summary.order_verified,
        "latest_recommendation": None if summary.latest is None else summary.latest.id,
    }


def detail_json(detail: EpisodeDetail) -> dict[str, Any]:
    """Everything the record holds about one episode."""
    return {
        **header_json(detail.summary.header),
        "order_verified": detail.summary.order_verified,
        "weights": [_weight_json(w) for w in detail.weights],
        "verifications": [
            {"verified_by": v.verified_by, "at": v.at.isoformat(), "note": v.note}
            for v in detail.verifications
        ],
        "events": [event_json(e) for e in detail.events],
        "recommendations": [recommendation_json(r) for r in detail.recommendations],
    }


def audit_report_json(report: AuditReport) -> dict[str, Any]:
    """The audit trail's verification: intact, or the first entry that does not hold."""
    broken = report.broken
    return {
        "intact": report.intact,
        "entries": report.entries,
        "first_broken": None if broken is None else broken.seq,
        "reason": None if broken is None else broken.sentence(),
    }


def audit_entry_json(entry: AuditEntry) -> dict[str, Any]:
    """One audit entry: who, in which role, did what to what, when, and its place in the chain."""
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "role": entry.role,
        "action": entry.action,
        "subject": entry.subject,
        "payload_digest": entry.payload_digest,
        "versions": dict(entry.versions),
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def audit_page_json(page: AuditPage) -> dict[str, Any]:
    """A page of the audit trail, newest first."""
    return {
        "matching": page.matching,
        "offset": page.query.offset,
        "limit": page.query.limit,
        "entries": [audit_entry_json(e) for e in page.entries],
    }


def _demonstration(patient: str) -> bool:
    from ketamine_cds.service.demo import is_demonstration  # noqa: PLC0415 - the record's side

    return is_demonstration(patient)
