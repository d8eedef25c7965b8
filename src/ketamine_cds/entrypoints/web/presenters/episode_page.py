"""The episode page: who and what, the current recommendation, the chart, the events, the forms.

The forms offered follow the acting user's role (the use cases refuse anyway, naming the role
needed): a nurse records observations, rate changes, as-needed doses, pauses and stops; a
physician also overrides a soft limit with a reason; a pharmacist verifies the order. The
rate-change form is pre-filled with the recommended rate and names the recommendation it acts
against, so a rate set after someone else recorded is refused as stale, not silently applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Protocol

from ketamine_cds.domain.episode import Baseline
from ketamine_cds.domain.protocols.figures import num
from ketamine_cds.domain.protocols.plan_output import PlanOut
from ketamine_cds.domain.roles import Role, may
from ketamine_cds.domain.vocabulary import Route, Symptom
from ketamine_cds.entrypoints.web.presenters.chart import ChartView
from ketamine_cds.entrypoints.web.presenters.events import EventRow, event_rows
from ketamine_cds.entrypoints.web.presenters.formatting import WARD_ZONE, clock, iso, words
from ketamine_cds.entrypoints.web.presenters.patients import PatientLabel, patient_label
from ketamine_cds.entrypoints.web.presenters.recommendation import (
    RecommendationCard,
    recommendation_card,
)
from ketamine_cds.service.record import MadeRecommendation
from ketamine_cds.service.record_queries import EpisodeDetail


class Viewer(Protocol):
    """Who the page is drawn for: a name and a role."""

    @property
    def name(self) -> str:
        """The user's name."""
        ...

    @property
    def role(self) -> Role:
        """The user's role."""
        ...


@dataclass(frozen=True)
class Outcome:
    """What a form's answer says: recorded, refused (with its sentence), or bad input.

    ``override_rate`` is set when a rate was refused at a soft limit: the page then asks for a
    physician's override of that rate, with a reason.
    """

    level: str  # "ok", "refused", "hard" or "error"
    text: str
    override_rate: str | None = None

    @property
    def heading(self) -> str:
        """The outcome's kind in words (never told by colour alone)."""
        return {
            "ok": "Recorded",
            "refused": "Not recorded",
            "hard": "Refused: hard limit",
            "error": "Not recorded: check the entry",
        }[self.level]


@dataclass(frozen=True)
class PrnChoice:
    """An as-needed adjunct the protocol orders, offered on the PRN form."""

    drug: str
    dose: str
    route: str | None
    limits: str


@dataclass(frozen=True)
class Forms:
    """What the forms offer this user, pre-filled."""

    can_observe: bool
    can_titrate: bool
    can_override: bool
    can_verify: bool
    can_stop: bool
    rate_mg_per_h: str
    against: int | None
    version: int
    concentration: float | None
    prn: tuple[PrnChoice, ...]
    routes: tuple[str, ...] = tuple(r.value for r in Route)
    symptoms: tuple[tuple[str, str], ...] = tuple((s.value, words(s.value)) for s in Symptom)


@dataclass(frozen=True)
class VerificationLine:
    """A pharmacist's verification of the order."""

    by: str
    at: str
    note: str | None


@dataclass(frozen=True)
class EpisodeView:
    """Everything the episode page prints."""

    id: int
    patient: PatientLabel
    weight: str
    protocol: str
    protocol_title: str
    bag: str
    status: str
    started: str
    started_iso: str
    started_by: str
    baseline_pain: int
    pain_goal: int
    verified: bool
    verifications: tuple[VerificationLine, ...]
    card: RecommendationCard
    events: tuple[EventRow, ...]
    chart: ChartView | None
    forms: Forms
    user: str
    role: Role
    outcome: Outcome | None = None
    warnings: tuple[str, ...] = field(default=())


def _prn(plan: PlanOut) -> tuple[PrnChoice, ...]:
    choices = []
    for prn in plan.prn:
        limits = []
        if prn.interval_h is not None:
            limits.append(f"every {num(prn.interval_h)} h at most")
        if prn.max_doses is not None:
            limits.append(f"at most {prn.max_doses} doses")
        choices.append(PrnChoice(prn.drug, prn.dose, prn.route, ", ".join(limits)))
    return tuple(choices)


def episode_view(  # noqa: PLR0913 - the record's answers, the plan, the user and the moment
    detail: EpisodeDetail,
    made: MadeRecommendation,
    plan: PlanOut,
    *,
    user: Viewer,
    now: datetime,
    chart: ChartView | None,
    outcome: Outcome | None = None,
    tz: tzinfo = WARD_ZONE,
) -> EpisodeView:
    """The page of one episode for ``user``, with the recommendation just made."""
    header = detail.summary.header
    concentration = header.concentration_mg_per_ml
    card = recommendation_card(
        made.recommendation,
        stored_id=made.stored.id,
        made_at=made.stored.made_at,
        now=now,
        concentration_mg_per_ml=concentration,
        warnings=made.warnings,
        tz=tz,
    )
    rate = "" if card.rate is None or not card.sets_rate else num(card.rate.mg_per_h)
    role = user.role
    forms = Forms(
        can_observe=may(role, "event.observation"),
        can_titrate=may(role, "event.rate_change"),
        can_override=may(role, "event.physician_override"),
        can_verify=may(role, "episode.verify"),
        can_stop=may(role, "event.stop"),
        rate_mg_per_h=rate,
        against=made.stored.id,
        version=made.stored.episode_version,
        concentration=concentration,
        prn=_prn(plan),
    )
    bag = (
        f"{num(concentration)} mg/mL"
        if concentration is not None
        else "not recorded (rates are shown in mg/h only)"
    )
    return EpisodeView(
        id=header.id,
        patient=patient_label(header.patient),
        weight=plan.patient.weight_conversion or f"{num(plan.patient.weight_kg)} kg",
        protocol=f"{header.protocol_id} v{header.protocol_version}",
        protocol_title=plan.protocol.title,
        bag=bag,
        status=header.status,
        started=clock(header.started_at, tz),
        started_iso=iso(header.started_at),
        started_by=header.started_by,
        baseline_pain=_baseline_pain(header.baseline_json),
        pain_goal=header.pain_goal,
        verified=made.order_verified,
        verifications=tuple(
            VerificationLine(v.verified_by, clock(v.at, tz), v.note) for v in detail.verifications
        ),
        card=card,
        events=event_rows(detail.events, tz),
        chart=chart,
        forms=forms,
        user=user.name,
        role=role,
        outcome=outcome,
        warnings=made.warnings,
    )


def _baseline_pain(baseline_json: str) -> int:
    return Baseline.model_validate_json(baseline_json).pain
