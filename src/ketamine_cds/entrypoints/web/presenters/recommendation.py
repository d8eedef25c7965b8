"""The current recommendation as a card: the action, the rate, why, what to watch, the check.

Every reason and alert keeps its rule and its source (numbered, each document listed once at
the foot of the card); every alert says its kind in words, so nothing is told by colour alone.
The card is built from the recommendation as the record stored it, with the stored id the
rate-change form acts against.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from ketamine_cds.domain.bedside.output import Alert, PrnAdvice, Recommendation
from ketamine_cds.domain.protocols.figures import num
from ketamine_cds.domain.protocols.plan_output import CheckOut
from ketamine_cds.domain.record import StoredRecommendation
from ketamine_cds.entrypoints.web.presenters.citations import Reference, References
from ketamine_cds.entrypoints.web.presenters.formatting import (
    WARD_ZONE,
    RateFigure,
    ago,
    clock,
    iso,
    rate_figure,
)
from ketamine_cds.entrypoints.web.presenters.titration import VERDICT_LABELS
from ketamine_cds.service.results import RecommendationRecord

ACTION_WORDS = {
    "start": "Start the infusion",
    "increase": "Increase the rate",
    "continue": "Continue at the current rate",
    "decrease": "Decrease the rate",
    "pause": "Pause the infusion",
    "resume": "Restart the infusion",
    "stop": "Stop the infusion",
    "taper": "Taper the rate",
    "discontinue": "Discontinue ketamine",
    "next_phase": "Move to the next phase",
    "ask_physician": "Ask the physician",
}
# Actions that set a pump rate: the rate-change form is pre-filled with these.
RATE_ACTIONS = frozenset({"start", "increase", "continue", "decrease", "resume", "taper"})
ALERT_WORDS = {
    "notify": "Notify",
    "stop_criterion": "Stop criterion",
    "soft_limit": "Soft limit",
    "hard_limit": "Hard limit",
    "override_in_effect": "Override in effect",
    "assessment_overdue": "Assessment overdue",
    "titration_too_early": "Too early to titrate",
    "step_too_large": "Step too large",
    "ceiling_reached": "Ceiling reached",
    "side_effects": "Side effects",
    "physician_needed": "Physician needed",
    "protocol_version": "Protocol version",
    "observe_after_stop": "Observe after stop",
    "course_duration": "Course duration",
    "recheck": "Recheck",
    "taper_step_failed_before": "Taper step failed before",
    "record_inconsistent": "Record inconsistent",
    "off_protocol": "Off protocol",
}
# How loudly an alert is drawn; the kind's words are always printed beside it.
DANGER = frozenset({"hard_limit", "stop_criterion"})
WARNING = frozenset(
    {
        "soft_limit",
        "notify",
        "physician_needed",
        "side_effects",
        "assessment_overdue",
        "record_inconsistent",
        "off_protocol",
        "step_too_large",
    }
)


@dataclass(frozen=True)
class Cited:
    """A reason or alert line: its words, its rule id, and its numbered source."""

    text: str
    rule: str | None
    source: str
    full_source: str


@dataclass(frozen=True)
class AlertLine(Cited):
    """An alert with its kind in words and how loudly it is drawn."""

    kind: str
    label: str
    level: str  # "danger", "warning" or "info"


@dataclass(frozen=True)
class CheckLine:
    """The dose check's verdict on the recommended figure."""

    verdict: str
    label: str
    checked: str
    limit: str | None
    reasons: tuple[str, ...]

    @property
    def level(self) -> str:
        """``ok``, ``warning`` (soft) or ``danger`` (hard)."""
        if self.verdict == "hard_limit_exceeded":
            return "danger"
        return "warning" if self.verdict == "soft_limit_exceeded" else "ok"


@dataclass(frozen=True)
class PrnLine(Cited):
    """An as-needed adjunct the protocol orders for symptoms present now."""

    drug: str
    dose: str
    route: str | None
    for_symptoms: tuple[str, ...]
    available_now: bool
    note: str


@dataclass(frozen=True)
class RecommendationCard:
    """Everything the recommendation card prints."""

    id: int | None
    action: str
    action_words: str
    rate: RateFigure | None
    dose: str | None
    route: str | None
    phase: str | None
    protocol: str
    at: str
    at_iso: str
    made: str
    reasons: tuple[Cited, ...]
    alerts: tuple[AlertLine, ...]
    check: CheckLine | None
    prn: tuple[PrnLine, ...]
    next_assessment: str | None
    next_assessment_iso: str | None
    overdue: bool
    warnings: tuple[str, ...]
    references: tuple[Reference, ...]

    @property
    def sets_rate(self) -> bool:
        """Whether the recommendation is a rate to set (the rate form is pre-filled with it)."""
        return self.rate is not None and self.action in RATE_ACTIONS

    @property
    def level(self) -> str:
        """The loudest alert on the card, for its border (its words are printed too)."""
        levels = {a.level for a in self.alerts}
        if self.check is not None and self.check.level != "ok":
            levels.add(self.check.level)
        return next((lv for lv in ("danger", "warning") if lv in levels), "ok")


def stored_recommendation(stored: StoredRecommendation) -> Recommendation:
    """The engine's answer as the record stored it."""
    return RecommendationRecord.model_validate_json(stored.output)


def _cite(refs: References, text: str, rule: str | None, source: str) -> Cited:
    return Cited(text=text, rule=rule, source=refs.cite(source).short, full_source=source)


def _alert(refs: References, alert: Alert) -> AlertLine:
    cited = _cite(refs, alert.text, alert.rule, alert.source)
    level = "danger" if alert.kind in DANGER else "warning" if alert.kind in WARNING else "info"
    return AlertLine(
        text=cited.text,
        rule=cited.rule,
        source=cited.source,
        full_source=cited.full_source,
        kind=alert.kind,
        label=ALERT_WORDS.get(alert.kind, alert.kind),
        level=level,
    )


def _prn(refs: References, prn: PrnAdvice) -> PrnLine:
    cited = _cite(refs, prn.text, prn.rule, prn.source)
    return PrnLine(
        text=cited.text,
        rule=cited.rule,
        source=cited.source,
        full_source=cited.full_source,
        drug=prn.drug,
        dose=prn.dose,
        route=prn.route,
        for_symptoms=tuple(s.replace("_", " ") for s in prn.for_symptoms),
        available_now=prn.available_now,
        note=prn.note,
    )


def check_line(check: CheckOut | None) -> CheckLine | None:
    """The dose check's verdict in words."""
    if check is None:
        return None
    limit = None
    if check.limit_value is not None:
        limit = f"{check.limit_kind} limit {check.limit_value}"
    return CheckLine(
        verdict=check.verdict,
        label=VERDICT_LABELS.get(check.verdict, check.verdict.replace("_", " ")),
        checked=check.checked,
        limit=limit,
        reasons=tuple(check.reasons),
    )


def recommendation_card(  # noqa: PLR0913 - the answer, where it is stored, and how it is shown
    recommendation: Recommendation,
    *,
    stored_id: int | None,
    made_at: datetime,
    now: datetime,
    concentration_mg_per_ml: float | None,
    warnings: tuple[str, ...] = (),
    tz: tzinfo = WARD_ZONE,
) -> RecommendationCard:
    """The card of one recommendation, for an episode with this bag."""
    refs = References()
    rec = recommendation
    rate = (
        None
        if rec.rate_mg_per_h is None
        else rate_figure(rec.rate_mg_per_h, concentration_mg_per_ml)
    )
    due = rec.next_assessment_at
    return RecommendationCard(
        id=stored_id,
        action=rec.action,
        action_words=ACTION_WORDS.get(rec.action, rec.action.replace("_", " ")),
        rate=rate,
        dose=None if rec.dose_mg is None else f"{num(rec.dose_mg)} mg",
        route=rec.route,
        phase=rec.phase,
        protocol=f"{rec.protocol_id} v{rec.protocol_version}",
        at=clock(rec.at, tz),
        at_iso=iso(rec.at),
        made=ago(made_at, now),
        reasons=tuple(_cite(refs, r.text, r.rule, r.source) for r in rec.reasons),
        alerts=tuple(_alert(refs, a) for a in rec.alerts),
        check=check_line(rec.check),
        prn=tuple(_prn(refs, p) for p in rec.prn),
        next_assessment=None if due is None else f"{clock(due, tz)} ({ago(due, now)})",
        next_assessment_iso=None if due is None else iso(due),
        overdue=due is not None and due < now,
        warnings=warnings,
        references=tuple(refs.listed),
    )
