"""The published shape of a dose plan (``ketamine-cds plan --json``).

Keys, once published, are only ever added to, never renamed; the JSON Schema exported from these
models (``schemas/plan.schema.json``) is the contract for programs that read plans.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def _empty() -> list[Any]:
    """A new empty list: the default of the list fields.

    pydantic reads the signature of every default factory; ``list``'s, a builtin's, is read by
    parsing its text signature (tokenize and ast), about 6 ms of a plan's start (docs/adr/0141).
    """
    return []


class Out(BaseModel):
    """Closed output model."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleOut(Out):
    """A rule as shown: id, words, source."""

    id: str
    text: str
    source: str


class BandOut(Out):
    """Where a rate or dose falls in seed 004's dose-band table."""

    value: str = Field(description="The per-kg value classified, e.g. '0.1 mg/kg/h'.")
    bands: list[str] = Field(description="Ids of the bands it falls in (bands overlap).")
    text: str
    source: str


class CeilingOut(Out):
    """The soft ceiling that holds, and every ceiling the source gives."""

    rule: RuleOut
    from_product_default: bool
    candidates: list[str] = Field(description="Each ceiling resolved for this weight.")


class TitrationOut(Out):
    """How the phase titrates."""

    rule: RuleOut
    when: str | None = None
    direction: str | None = None
    step_mg_per_h: float | None = None
    step_mg: float | None = None
    step_percent: list[float] | None = None
    schedule_mg_per_h: list[float] | None = None
    interval_h: float | None = None
    interval_range_h: list[float] | None = None
    wait_half_lives: int | None = None
    half_life_h: float | None = None
    unspecified: bool = False


class CheckOut(Out):
    """A figure's verdict from the one dose check, carried with the figure."""

    verdict: str
    checked: str
    kind: str
    route: str
    limit_id: str | None = None
    limit_kind: str | None = None
    limit_value: str | None = None
    reasons: list[str]


class PhaseOut(Out):
    """One phase of the plan with its figures for this patient."""

    id: str
    title: str
    kind: str
    route: str
    routes_allowed: list[str] = Field(default_factory=_empty)
    rate_mg_per_h: float | None = None
    rate_range_mg_per_h: list[float] | None = None
    rate_ml_per_h: float | None = None
    rate_ml_per_h_pump: float | None = None
    rate_unspecified: RuleOut | None = None
    dose_mg: float | None = None
    dose_range_mg: list[float] | None = None
    dose_ml: float | None = None
    daily_dose_mg: float | None = None
    over_h: float | None = None
    over_options_h: list[float] = Field(default_factory=_empty)
    duration_h: float | None = None
    duration_range_h: list[float] | None = None
    duration_options_h: list[float] = Field(default_factory=_empty)
    doses_per_day: int | None = None
    interval_h: float | None = None
    interval_range_h: list[float] | None = None
    repeat: str | None = None
    ceiling_rate_mg_per_h: float | None = None
    ceiling_rate_ml_per_h_pump: float | None = None
    ceiling_dose_mg: float | None = None
    ceiling: CeilingOut
    hard_limit_rate_mg_per_h: float
    hard_limit_dose_mg: float = Field(description="Single-dose hard limit for the phase's route.")
    hard_limit_daily_mg: float | None = Field(
        default=None, description="Everything in 24 hours, as intravenous equivalent."
    )
    check: CheckOut | None = Field(
        default=None, description="The phase's starting figure through the one dose check."
    )
    titration: TitrationOut | None
    dose_band: BandOut | None
    ceiling_dose_band: BandOut | None = None
    companions: list[str] = Field(default_factory=_empty)
    rules: list[RuleOut]


class PrnOut(Out):
    """An as-needed adjunct."""

    id: str
    drug: str
    dose: str
    dose_mg: float
    dose_range_mg: list[float] | None = None
    route: str | None
    interval_h: float | None = None
    max_doses: int | None = None
    at_start: bool
    for_symptoms: list[str]
    alternative_to: str | None = None
    text: str
    source: str


class HardLimitOut(Out):
    """A product-wide hard limit for this patient."""

    id: str
    applies_to: str
    kind: str | None = None
    routes: list[str] = Field(default_factory=_empty)
    limit: str
    limit_for_patient: str
    text: str
    sources: list[str]


class ProtocolOut(Out):
    """Which protocol, which version, from which sources."""

    id: str
    version: str
    title: str
    kind: str
    population: str
    setting: str
    indications: list[str]
    sources: list[str]
    schema_version: int


class PatientOut(Out):
    """The patient as the plan used them."""

    weight_kg: float
    weight_entered: str
    weight_conversion: str | None = None


class PlanOut(Out):
    """A dose plan for one patient under one protocol."""

    decision_support: str
    protocol: ProtocolOut
    patient: PatientOut
    concentration_mg_per_ml: float
    concentration_note: str
    rounding: str
    phases: list[PhaseOut]
    monitoring: list[RuleOut]
    notify_if: list[RuleOut]
    stop_if: list[RuleOut]
    side_effects: list[RuleOut]
    prn: list[PrnOut]
    taper: list[RuleOut]
    transitions: list[RuleOut]
    orders: list[RuleOut]
    readings: list[RuleOut]
    eligibility: list[RuleOut]
    unspecified: list[RuleOut]
    hard_limits: list[HardLimitOut]
    dose_bands: list[str]
    dose_band_source: str
    warnings: list[str]
