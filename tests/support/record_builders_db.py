"""Plans for episodes in the record's integration tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ketamine_cds.domain.episode import Baseline, Episode, PatientRef, ProtocolRef


def plan_now(patient: str = "p-1", minutes_ago: float = 10) -> Episode:
    """A new episode on cancer-continuous for 70 kg, started a few minutes ago."""
    return Episode(
        patient=PatientRef(id=patient, weight="70 kg"),
        protocol=ProtocolRef(id="cancer-continuous"),
        started_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
        baseline=Baseline(pain=8),
        pain_goal=4,
    )
