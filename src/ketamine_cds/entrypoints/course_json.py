"""The course of care as JSON: one shape for the command line and the web routes."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ketamine_cds.domain.outcomes.med import MedSeries
from ketamine_cds.domain.outcomes.response import ResponseAssessment
from ketamine_cds.service.course import DischargeResult, PlannedTransitions


def response_json(episode_id: int, assessment: ResponseAssessment) -> dict[str, Any]:
    """The verdict, every criterion with what it was computed from, and the readings."""
    return {"episode_id": episode_id, **assessment.model_dump(mode="json")}


def med_json(episode_id: int, series: MedSeries) -> dict[str, Any]:
    """The (time, mg/day) points the chart draws, the peak and the change from it."""
    summary = series.summary
    return {
        "episode_id": episode_id,
        "points": [{"at": t.isoformat(), "mg_per_day": mg} for t, mg in series.chart_points()],
        "peak_mg_per_day": None if summary is None or summary.peak is None else summary.peak.med_mg,
        "change_from_peak_percent": None if summary is None else summary.change_from_peak_percent,
    }


def transitions_json(result: PlannedTransitions) -> dict[str, Any]:
    """The plan, the predicted plasma ketamine now and of each option, and the notes."""
    return {
        **result.plan.model_dump(mode="json"),
        "current_plasma": None if result.current is None else asdict(result.current),
        "option_plasma": [None if p is None else asdict(p) for p in result.predictions],
        "plasma_notes": list(result.notes),
    }


def reconciliation_json(episode_id: int, result: DischargeResult) -> dict[str, Any]:
    """The reconciliation: blocked or not, what is missing, the alerts and every item."""
    reconciliation = result.reconciliation
    return {
        "episode_id": episode_id,
        "occasion": reconciliation.occasion,
        "blocked": result.blocked,
        "missing": list(reconciliation.missing),
        "alerts": [
            {
                "kind": a.kind,
                "drug": a.drug,
                "text": a.text,
                "rule": a.rule,
                "source": a.source,
                "acknowledged_by": None if a.acknowledged is None else a.acknowledged.physician,
            }
            for a in reconciliation.alerts
        ],
        "items": [
            {"drug": i.drug, "on_list": i.on_list, "listed_as": i.listed_as, "why": i.relied_on.why}
            for i in reconciliation.items
        ],
        "warnings": list(reconciliation.warnings),
    }


def blocked_sentence(result: DischargeResult, listed: str) -> str:
    """Why the summary is not issued, naming the missing drug."""
    reconciliation = result.reconciliation
    missing = ", ".join(reconciliation.missing)
    return f"the {reconciliation.occasion} summary is blocked: {missing} is missing from {listed}."
