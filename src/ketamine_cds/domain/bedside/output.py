"""What the bedside engine answers: an action, a rate, reasons, alerts and the next look.

Every reason and alert names the protocol rule it comes from and that rule's source, so a nurse
or pharmacist can see why, and a replay can show the same answer later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ketamine_cds.domain.protocols.plan_output import CheckOut

Action = Literal[
    "start",
    "increase",
    "continue",
    "decrease",
    "pause",
    "resume",
    "stop",
    "taper",
    "discontinue",
    "next_phase",
    "ask_physician",
]
AlertKind = Literal[
    "notify",
    "stop_criterion",
    "soft_limit",
    "hard_limit",
    "override_in_effect",
    "assessment_overdue",
    "titration_too_early",
    "step_too_large",
    "ceiling_reached",
    "side_effects",
    "physician_needed",
    "protocol_version",
    "observe_after_stop",
    "course_duration",
    "recheck",
    "taper_step_failed_before",
    "record_inconsistent",
    "off_protocol",
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reason(_Out):
    """Why the engine answers as it does: the rule, in words, and its source."""

    rule: str
    text: str
    source: str


class Alert(_Out):
    """Something a clinician must see: a threshold crossed, a limit, a late assessment."""

    kind: AlertKind
    text: str
    source: str
    rule: str | None = None


class PrnAdvice(_Out):
    """An as-needed adjunct the protocol orders for symptoms present now."""

    rule: str
    drug: str
    dose: str
    route: str | None
    text: str
    source: str
    for_symptoms: list[str]
    available_now: bool = Field(description="False when the interval or dose count forbids it.")
    note: str


class Recommendation(_Out):
    """The engine's answer at one moment of an episode."""

    at: datetime
    protocol_id: str
    protocol_version: str
    phase: str | None
    action: Action
    rate_mg_per_h: float | None = Field(
        description="Rate to run from now (0 when paused or stopped; None for dose phases)."
    )
    dose_mg: float | None = Field(default=None, description="Next dose, for dose phases.")
    route: str | None = Field(
        default=None, description="The route of the rate or dose recommended."
    )
    check: CheckOut | None = Field(
        default=None,
        description="The recommended rate or dose through the one dose check: its verdict and "
        "the limit it was judged against.",
    )
    reasons: list[Reason]
    alerts: list[Alert]
    next_assessment_at: datetime | None
    prn: list[PrnAdvice]
