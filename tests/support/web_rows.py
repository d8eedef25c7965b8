"""Rows of the clinical record built by hand, for the pages' tests.

They are the record's own value types, built as the record would write them, so the presenters
are tested without a database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ketamine_cds.domain.audit import canonical_text
from ketamine_cds.domain.bedside import Recommendation, recommend
from ketamine_cds.domain.episode import Baseline, Episode, PatientRef, ProtocolRef
from ketamine_cds.domain.record import EpisodeHeader, StoredEvent, StoredRecommendation, WeightEntry
from ketamine_cds.service.record_support import EVENT_ADAPTER, event_body, output_text

START = datetime(2024, 6, 2, 8, 0, tzinfo=UTC)


def header(
    patient: str = "TEST-1", concentration: float | None = 1.0, episode_id: int = 1, **more: Any
) -> EpisodeHeader:
    """An episode on cancer-continuous for 70 kg, started at START."""
    values: dict[str, Any] = {
        "patient": patient,
        "weight": WeightEntry("70 kg", 70.0, "kg", START, "phil"),
        "protocol_id": "cancer-continuous",
        "protocol_version": "1.0.0",
        "protocol_hash": "0" * 64,
        "concentration_mg_per_ml": concentration,
        "phase": None,
        "started_at": START,
        "baseline_json": canonical_text({"pain": 8}),
        "pain_goal": 4,
        "started_by": "phil",
        "id": episode_id,
        "status": "active",
        "version": 0,
    }
    values.update(more)
    return EpisodeHeader(**values)


def stored(
    position: int,
    minutes: float,
    *,
    late_minutes: float = 0,
    author: str = "nina",
    role: str = "nurse",
    **fields: Any,
) -> StoredEvent:
    """The event ``fields`` as the record stores it, ``minutes`` after START."""
    at = START + timedelta(minutes=minutes)
    event = EVENT_ADAPTER.validate_python({"at": at, "id": f"e{position}", **fields})
    return StoredEvent(
        episode_id=1,
        position=position,
        event_id=f"e{position}",
        type=event.type,
        at=at,
        recorded_at=at + timedelta(minutes=late_minutes),
        recorded_by=author,
        role=role,  # type: ignore[arg-type]
        corrects=event.corrects,
        body=event_body(event),
    )


def episode(*events: StoredEvent, patient: str = "TEST-1") -> Episode:
    """The episode those stored events make."""
    return Episode(
        patient=PatientRef(id=patient, weight="70 kg"),
        protocol=ProtocolRef(id="cancer-continuous", version="1.0.0"),
        started_at=START,
        baseline=Baseline(pain=8),
        pain_goal=4,
        events=[EVENT_ADAPTER.validate_json(e.body) for e in events],
    )


def answer_at(
    protocols: Any, events: tuple[StoredEvent, ...], minutes: float, patient: str = "TEST-1"
) -> Recommendation:
    """The engine's answer ``minutes`` after START, on cancer-continuous, for those events."""
    return recommend(
        episode(*events, patient=patient),
        protocols.get("cancer-continuous").protocol,
        protocols.limits().table,
        START + timedelta(minutes=minutes),
    )


def stored_answer(
    answer: Recommendation, recommendation_id: int, episode_version: int = 0
) -> StoredRecommendation:
    """The answer as the record stores it (its digests and hashes are placeholders)."""
    return StoredRecommendation(
        episode_id=1,
        at=answer.at,
        made_at=answer.at,
        episode_version=episode_version,
        input_digest="0" * 64,
        output=output_text(answer),
        protocol_id=answer.protocol_id,
        protocol_version=answer.protocol_version,
        protocol_hash="0" * 64,
        limits_version="1",
        limits_hash="0" * 64,
        software_version="0",
        made_by="nina",
        role="nurse",
        id=recommendation_id,
    )
