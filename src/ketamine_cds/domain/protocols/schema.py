"""The protocol schema: what a protocol file may say, and nothing else.

A protocol is reviewable data: a hospital committee reads, approves, diffs and extends the YAML
file; one engine interprets every protocol. The schema is closed (an unknown key is an error),
versioned (:data:`SCHEMA_VERSION`), and exported as JSON Schema from these models, whose field
descriptions are the documentation. Every rule carries an ``id`` and a ``source``; where the source
is silent the file says so with an :class:`Unspecified` entry and the engine asks the clinician.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ketamine_cds.domain.findings import Finding
from ketamine_cds.domain.protocols.fields import (
    AmountText,
    DurationText,
    FixedDurationText,
    MassText,
    RateText,
)
from ketamine_cds.domain.references import cite
from ketamine_cds.domain.vocabulary import Observed, Route, Symptom, Vital

SCHEMA_VERSION = 1


def _empty() -> list[Any]:
    """A new empty list: the default of the list fields.

    pydantic reads the signature of every default factory; ``list``'s, a builtin's, is read by
    parsing its text signature (tokenize and ast), about 6 ms of a plan's start (docs/adr/0141).
    """
    return []

RuleId = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Identifier of the rule, unique within the protocol (lower case, digits, '-').",
    ),
]


class Model(BaseModel):
    """Closed, immutable base: an unknown key is a validation error."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Source(Model):
    """Where a rule comes from: a seed document and section, or a named published reference."""

    document: str = Field(
        description="'seed 000' … 'seed 004', or a reference (authors, year, journal).",
        min_length=3,
    )
    section: str = Field(description="Section, table or page within the document.", min_length=1)
    quote: str | None = Field(
        default=None, description="The passage the rule encodes, as the source words it."
    )

    def __str__(self) -> str:
        """The bibliographic reference and section, the internal key kept in brackets."""
        return f"{cite(self.document)}, {self.section}"

    def as_dict(self) -> dict[str, str | None]:
        """The source as plain JSON values, with the reference a reader can follow."""
        return {
            "document": self.document,
            "citation": cite(self.document),
            "section": self.section,
            "quote": self.quote,
        }


class Rule(Model):
    """A statement of the protocol with its identity and its source."""

    id: RuleId
    text: str = Field(description="What the rule says, in words a clinician reads.", min_length=3)
    source: Source


class Unspecified(Rule):
    """The source is silent on this point; the engine asks the clinician instead of inventing."""

    unspecified: Literal[True] = Field(
        description="Always true: marks a topic on which the source gives no rule."
    )


class Reference(Model):
    """A document the protocol draws on."""

    id: str = Field(description="Short name used in rule sources, e.g. 'seed 001'.")
    citation: str = Field(description="Full citation.")


class EligibilityCriterion(Rule):
    """One condition a patient must meet, named as a finding the assessment can decide."""

    finding: Finding = Field(description="The patient finding this criterion asks for.")


class EligibilityGroup(Rule):
    """Criteria combined: all must hold (``all_of``) or at least one (``any_of``)."""

    all_of: list[EligibilityCriterion | EligibilityGroup] | None = None
    any_of: list[EligibilityCriterion | EligibilityGroup] | None = None

    @model_validator(mode="after")
    def _one_combinator(self) -> EligibilityGroup:
        if (self.all_of is None) == (self.any_of is None):
            raise ValueError(f"eligibility group '{self.id}' needs exactly one of all_of, any_of")
        if not (self.all_of or self.any_of):
            raise ValueError(f"eligibility group '{self.id}' is empty")
        return self

    @property
    def items(self) -> list[EligibilityCriterion | EligibilityGroup]:
        """The members, whichever combinator holds them."""
        return list(self.all_of or self.any_of or [])


class Ceiling(Rule):
    """A soft limit on the rate or dose of a phase; where several apply, the lower one holds."""

    limit: RateText | AmountText = Field(
        description="The ceiling: a rate for infusions, a dose per administration for boluses."
    )


class Titration(Rule):
    """How the dose changes within a phase, and when."""

    direction: Literal["up", "down"] = Field(default="up", description="Which way it moves.")
    when: Literal["inadequate_pain", "pain_recurs", "no_effect", "to_effect"] = Field(
        description="What prompts a step: pain above goal, pain returning after relief, "
        "no analgesic effect, or titration to effect against side effects."
    )
    step: RateText | AmountText | None = Field(
        default=None, description="Absolute step, e.g. '2 mg/h'."
    )
    step_percent: tuple[float, float] | None = Field(
        default=None,
        description="Step as a percentage of the current dose, as [low, high] "
        "(e.g. [50, 100] for '50-100 %'; [100, 100] for doubling).",
    )
    schedule: list[RateText] | None = Field(
        default=None,
        description="Fixed escalation steps in order, e.g. ['100 mg/24 h', '300 mg/24 h', "
        "'500 mg/24 h'].",
    )
    interval: DurationText = Field(description="Minimum time between steps, e.g. '2 h'.")
    wait_half_lives: int | None = Field(
        default=None,
        description="Elimination half-lives to wait before a new round of titration.",
        ge=1,
    )
    half_life: FixedDurationText | None = Field(
        default=None, description="The elimination half-life that wait_half_lives counts in."
    )

    @model_validator(mode="after")
    def _one_kind_of_step(self) -> Titration:
        given = [x is not None for x in (self.step, self.step_percent, self.schedule)]
        if sum(given) != 1:
            raise ValueError(
                f"titration '{self.id}' needs exactly one of step, step_percent, schedule"
            )
        if (self.wait_half_lives is None) != (self.half_life is None):
            raise ValueError(f"titration '{self.id}' needs wait_half_lives and half_life together")
        if self.step_percent is not None and not (0 < self.step_percent[0] <= self.step_percent[1]):
            raise ValueError(f"titration '{self.id}' has step_percent out of order")
        return self


class Repeat(Model):
    """A phase given as a course of sessions, e.g. 4 h daily for 10 days."""

    every: FixedDurationText = Field(description="Time from the start of one session to the next.")
    times: int | tuple[int, int] = Field(description="Number of sessions, or [low, high].")


class Companion(Rule):
    """A drug given with the ketamine in the same administration (e.g. midazolam in a PCA bolus)."""

    drug: str
    dose: MassText
    route: Route


Kind = Literal["continuous", "timed_infusion", "bolus", "divided_doses"]


class Phase(Rule):
    """One stage of a protocol: its dosing, titration and ceilings.

    ``kind`` decides which dose fields are needed: ``continuous`` a ``rate`` (or
    ``rate_unspecified`` where the source sets it clinically); ``timed_infusion`` a ``total``
    given ``over`` a duration; ``bolus`` a ``dose`` (optionally ``over`` minutes and repeated
    every ``interval``); ``divided_doses`` a ``dose`` with ``doses_per_day``, or a ``daily`` total
    (with ``doses_per_day`` where the source gives it).
    """

    title: str
    kind: Kind
    route: Route
    routes_allowed: list[Route] | None = Field(
        default=None, description="Other routes the source allows for the same dose."
    )
    rate: RateText | None = Field(default=None, description="Continuous rate (start value).")
    rate_unspecified: Unspecified | None = Field(
        default=None,
        description="Instead of rate, where the source sets the rate clinically (e.g. the "
        "effective dose found in an earlier phase); the engine asks the clinician.",
    )
    total: AmountText | None = Field(default=None, description="Total dose of a timed infusion.")
    dose: AmountText | None = Field(default=None, description="Dose per administration.")
    daily: RateText | None = Field(
        default=None, description="Total per day for divided doses, e.g. '0.8 mg/kg/day'."
    )
    over: DurationText | None = Field(
        default=None, description="Time over which a timed infusion or bolus is given."
    )
    over_options: list[FixedDurationText] = Field(
        default_factory=_empty, description="Alternative administration times the source allows."
    )
    doses_per_day: int | None = Field(default=None, ge=1, le=24)
    interval: DurationText | None = Field(
        default=None, description="Time between repeated boluses, or the PCA lockout."
    )
    duration: DurationText | None = Field(
        default=None, description="How long the phase lasts; omitted when open-ended."
    )
    duration_options: list[FixedDurationText] = Field(default_factory=_empty)
    repeat: Repeat | None = None
    companions: list[Companion] = Field(default_factory=_empty)
    titration: Titration | Unspecified | None = Field(
        default=None,
        description="How the dose is changed; Unspecified where the source is silent; "
        "omitted for a fixed dose.",
    )
    ceilings: list[Ceiling] | Unspecified = Field(
        description="Soft limits of the phase (the lower applies); Unspecified where the "
        "source states none, and the product-wide default soft ceiling then applies.",
    )
    rules: list[Rule] = Field(default_factory=_empty, description="Further rules of the phase.")

    @model_validator(mode="after")
    def _dose_fields_for_kind(self) -> Phase:
        missing: list[str] = []
        if self.kind == "continuous" and (self.rate is None) == (self.rate_unspecified is None):
            missing.append("exactly one of rate, rate_unspecified")
        if self.kind == "timed_infusion":
            missing += [name for name in ("total", "over") if getattr(self, name) is None]
        if self.kind == "bolus" and self.dose is None:
            missing.append("dose")
        if self.kind == "divided_doses" and not (
            (self.dose is not None and self.doses_per_day is not None) or self.daily is not None
        ):
            missing.append("dose with doses_per_day, or daily")
        if missing:
            raise ValueError(f"phase '{self.id}' ({self.kind}) needs {', '.join(missing)}")
        return self


class Monitoring(Rule):
    """An observation order: what to check, how often, and for how long."""

    observe: list[Observed] = Field(min_length=1)
    every: DurationText | None = Field(default=None, description="Interval; omit if continuous.")
    times: int | None = Field(default=None, ge=1, description="How many times, if limited.")
    continuous: bool = Field(default=False, description="Continuous monitoring (e.g. oximetry).")


class Criterion(Rule):
    """A threshold that triggers a notification or a stop.

    Either a vital compared with a value (``vital``, ``comparison``, ``value``), optionally as a
    percentage change from the patient's baseline (``from_baseline_percent``); or the presence of
    ``symptoms`` (optionally only when ``severe``); or no analgesic effect after a time
    (``no_effect_after``).
    """

    vital: Vital | None = None
    comparison: Literal["gt", "ge", "lt", "le"] | None = None
    value: float | None = None
    from_baseline_percent: bool = Field(
        default=False, description="True when value is a % change from baseline."
    )
    sustained: bool = Field(default=False, description="Only when the value persists.")
    symptoms: list[Symptom] | None = None
    severe: bool = Field(default=False, description="Only when the symptoms are severe.")
    pain_above_goal: bool = Field(default=False, description="Pain not controlled (above goal).")
    no_effect_after: FixedDurationText | None = None

    @model_validator(mode="after")
    def _one_trigger(self) -> Criterion:
        vital = self.vital is not None
        if vital and (self.comparison is None or self.value is None):
            raise ValueError(f"criterion '{self.id}' needs comparison and value with its vital")
        triggers = [
            vital,
            self.symptoms is not None,
            self.pain_above_goal,
            self.no_effect_after is not None,
        ]
        if sum(triggers) != 1:
            raise ValueError(
                f"criterion '{self.id}' needs exactly one of vital, symptoms, pain_above_goal, "
                "no_effect_after"
            )
        return self


class SideEffectRule(Rule):
    """What to do when side effects appear: pause, stop, or ask the physician."""

    symptoms: list[Symptom] | Literal["troublesome"] = Field(
        description="The symptoms, or 'troublesome' for any the patient finds troublesome."
    )
    action: Literal["pause", "stop", "ask_physician"]
    pause_for: FixedDurationText | None = None
    on_recurrence: Literal["pause", "stop", "ask_physician"] | None = None


class Prn(Rule):
    """An as-needed adjunct order."""

    drug: str
    dose: MassText
    route: Route | None = Field(default=None, description="Omitted where the source states none.")
    routes_allowed: list[Route] | None = None
    interval: FixedDurationText | None = Field(
        default=None, description="Least time between doses; omitted where the source gives none."
    )
    max_doses: int | None = Field(
        default=None, ge=1, description="Most doses over the whole episode, where the source says."
    )
    max_per_day: int | None = Field(
        default=None,
        ge=1,
        le=24,
        description="Most doses in any 24 hours (a first dose at the start counts).",
    )
    at_start: bool = Field(default=False, description="A first dose at the start of the infusion.")
    for_symptoms: list[Symptom] = Field(min_length=1)
    alternative_to: str | None = Field(
        default=None,
        description="The id of the PRN order this one replaces: one or the other, never both.",
    )
    caution: Rule | None = Field(
        default=None, description="A warning the source gives about this drug, shown with it."
    )


class Taper(Rule):
    """How the infusion is reduced and stopped."""

    hold_at_effective: FixedDurationText | None = Field(
        default=None, description="Time to continue the effective rate before reducing."
    )
    steps: list[RateText] | None = Field(default=None, description="Taper rates in order.")
    step_percent: float | None = Field(default=None, gt=0, lt=100)
    interval: DurationText | None = None
    over: DurationText | None = Field(default=None, description="Whole wean duration.")
    stop_below: RateText | None = Field(default=None, description="Rate below which to stop.")
    observe_after_stop: FixedDurationText | None = None
    on_pain_return: str | None = Field(
        default=None, description="What the source says to do when the taper brings pain back."
    )
    failed_reduction: FailedReduction | None = Field(
        default=None,
        description="A reduction the source shows to have failed; a step as large is flagged.",
    )


class FailedReduction(Rule):
    """A taper step the source reports failing: a single cut of this size or more."""

    percent: float = Field(gt=0, lt=100, description="The cut, % of the rate running, that failed.")


class Conversion(Rule):
    """A route change with its dose ratio, e.g. IV → SC 1:1 three times daily."""

    to_route: Route
    ratio: float | tuple[float, float] = Field(
        description="New daily dose ÷ old daily dose; [low, high] where the source gives a range."
    )
    doses_per_day: int | None = Field(default=None, ge=1, le=24)


class DrugStep(Model):
    """One step of an oral NMDA-antagonist regimen."""

    dose: MassText
    doses_per_day: int = Field(ge=1, le=6)


class StartDrug(Rule):
    """A drug started at a transition (e.g. memantine 5 mg → 10 mg twice daily)."""

    drug: str
    route: Route
    steps: list[DrugStep] = Field(min_length=1)
    continue_after_discharge: bool = Field(
        default=False, description="Must appear on the discharge medication list."
    )


class Transition(Rule):
    """Moving from one phase to another, or off the protocol, and when."""

    from_phase: str
    to_phase: str | None = Field(
        default=None, description="Target phase id; omitted when leaving the protocol."
    )
    when: Literal[
        "response", "no_response", "pain_recurs", "comfortable", "after_duration", "clinician"
    ]
    pain_reduction_percent: float | None = Field(default=None, ge=0, le=100)
    conversions: list[Conversion] = Field(default_factory=_empty)
    start_drugs: list[StartDrug] = Field(default_factory=_empty)


class Protocol(Model):
    """A ketamine protocol or published regimen, as a hospital committee approves it."""

    schema_version: Literal[1] = Field(description="Version of this schema the file follows.")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$", description="Version of the protocol text.")
    title: str
    summary: str
    kind: Literal["institutional_protocol", "published_regimen"]
    population: Literal["cancer", "non_cancer", "any"]
    setting: Literal["inpatient", "outpatient", "perioperative", "procedural", "any"]
    indications: list[str] = Field(min_length=1)
    references: list[Reference] = Field(min_length=1)
    readings: list[Rule] = Field(
        default_factory=_empty,
        description="Where the source text is ambiguous: the reading this file takes, and why.",
    )
    eligibility: EligibilityGroup | None = Field(
        default=None, description="Who may receive it; omitted where the source states no criteria."
    )
    orders: list[Rule] = Field(
        default_factory=_empty, description="Standing orders and requirements of the protocol."
    )
    phases: list[Phase] = Field(min_length=1)
    monitoring: list[Monitoring] | Unspecified
    notify_if: list[Criterion] | Unspecified
    stop_if: list[Criterion] | Unspecified
    side_effects: list[SideEffectRule] = Field(default_factory=_empty)
    prn: list[Prn] = Field(default_factory=_empty)
    taper: Taper | Unspecified
    transitions: list[Transition] = Field(default_factory=_empty)
    unspecified: list[Unspecified] = Field(
        default_factory=_empty, description="Other topics on which the source is silent."
    )

    @model_validator(mode="after")
    def _references_hold(self) -> Protocol:
        phase_ids = {phase.id for phase in self.phases}
        if len(phase_ids) != len(self.phases):
            raise ValueError("phase ids must be unique")
        for transition in self.transitions:
            for target in (transition.from_phase, transition.to_phase):
                if target is not None and target not in phase_ids:
                    raise ValueError(
                        f"transition '{transition.id}' names phase '{target}', which does not exist"
                    )
        prn_ids = {prn.id for prn in self.prn}
        for prn in self.prn:
            if prn.alternative_to is not None and prn.alternative_to not in prn_ids:
                raise ValueError(
                    f"prn '{prn.id}' is an alternative to unknown '{prn.alternative_to}'"
                )
        ids = list(_rule_ids(self))
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"rule ids must be unique; repeated: {', '.join(duplicates)}")
        return self

    def phase(self, phase_id: str) -> Phase:
        """The phase with ``phase_id``."""
        for phase in self.phases:
            if phase.id == phase_id:
                return phase
        raise KeyError(phase_id)


def _rule_ids(node: object) -> list[str]:
    """Every rule id in the protocol, depth first."""
    found: list[str] = []
    if isinstance(node, Rule):
        found.append(node.id)
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            found.extend(_rule_ids(getattr(node, name)))
    elif isinstance(node, list | tuple):
        for item in node:
            found.extend(_rule_ids(item))
    return found
