"""Builds episodes for the bedside tests: times are hours after a fixed start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from library import shipped

from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.domain.bedside import Recommendation, recommend
from ketamine_cds.domain.episode import Episode

T0 = datetime(2024, 5, 2, 8, 0, tzinfo=UTC)


def hours(value: float) -> datetime:
    """The time ``value`` hours after the start."""
    return T0 + timedelta(hours=value)


def ev(kind: str, at_h: float, **fields: Any) -> dict[str, Any]:
    """One event as it would appear in a file."""
    return {"type": kind, "at": hours(at_h).isoformat(), **fields}


def build(  # noqa: PLR0913 - each is a field of the episode
    events: list[dict[str, Any]],
    *,
    protocol: str = "cancer-continuous",
    weight: str = "70 kg",
    goal: int = 4,
    baseline: dict[str, Any] | None = None,
    phase: str | None = None,
    version: str | None = None,
) -> Episode:
    """An episode under ``protocol`` with ``events``."""
    data: dict[str, Any] = {
        "patient": {"weight": weight},
        "protocol": {"id": protocol, **({"version": version} if version else {})},
        "started_at": T0.isoformat(),
        "baseline": baseline or {"pain": 8, "heart_rate": 80, "systolic_bp": 120},
        "pain_goal": goal,
        "events": events,
    }
    if phase is not None:
        data["phase"] = phase
    return Episode.model_validate(data)


def rec(episode: Episode, at_h: float) -> Recommendation:
    """The recommendation ``at_h`` hours after the start."""
    return recommend(episode, shipped(episode.protocol.id), limit_table(), hours(at_h))


def kinds(recommendation: Recommendation) -> set[str]:
    """The kinds of alert raised."""
    return {alert.kind for alert in recommendation.alerts}


def rules(recommendation: Recommendation) -> set[str]:
    """The rule ids of the reasons given."""
    return {reason.rule for reason in recommendation.reasons}
