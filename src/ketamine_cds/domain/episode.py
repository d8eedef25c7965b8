"""An infusion episode: the patient, the protocol, the baseline and what happened, in time order.

An episode is what the bedside engine reads to say what to do now. It holds the patient's weight,
the protocol (id and version), the start time, the baseline observations, the patient's own pain
goal, and a time-ordered list of events: observations, rate changes actually made (and who made
them), pauses, restarts and stops, doses and as-needed adjuncts given, opioid use over the last
24 h, physician decisions and soft-limit overrides, and phase changes; and, for the course of
care around the infusion, companion drugs started, changed or stopped (memantine, methadone's NMDA
share), outcome assessments (BPI, PSEQ, function, the pain's classification) and a physician's
acknowledgement that an NMDA antagonist is deliberately left off a discharge or transfer list.

The model is closed (an unknown key is an error), every time must carry its time zone, and the
events must be in time order. It is exported as JSON Schema to ``schemas/episode.schema.json``.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    field_validator,
    model_validator,
)

from ketamine_cds.domain.assessment.patient import Bpi, Pseq, parse_weight
from ketamine_cds.domain.protocols.fields import AmountText, MassText, RateText, Span
from ketamine_cds.domain.units import BodyWeight, Mass, PerKgRate, Rate
from ketamine_cds.domain.vocabulary import Route, Symptom

EPISODE_SCHEMA_VERSION = 1

PainScore = Annotated[
    int, Field(ge=0, le=10, description="Pain intensity, 0 (none) to 10 (worst imaginable).")
]
HeartRate = Annotated[float, Field(gt=0, lt=300, description="Beats per minute.")]
Pressure = Annotated[float, Field(gt=0, lt=350, description="mm Hg.")]
Breaths = Annotated[float, Field(ge=0, lt=100, description="Breaths per minute.")]
Saturation = Annotated[float, Field(ge=0, le=100, description="Pulse oximetry, %.")]
Sedation = Annotated[
    int,
    Field(ge=0, le=10, description="Sedation score on the scale the ward uses (recorded, shown)."),
]
Who = Annotated[str, Field(min_length=1, description="Who did it (name or role).")]
EventId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
DrugName = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9 -]{1,39}$",
        description="The drug's generic name in lower case, e.g. 'memantine'.",
    ),
]
PainClass = Literal["somatic", "visceral", "nociceptive", "neuropathic", "mixed"]
RecorderRole = Literal["nurse", "pharmacist", "physician", "admin"]


class EpisodeModel(BaseModel):
    """Closed, immutable base for every part of an episode."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class PatientRef(EpisodeModel):
    """The patient as the engine needs them: an identifier and the dosing weight."""

    id: str | None = Field(default=None, description="Hospital or study identifier.")
    weight: str = Field(description="Dosing weight: '70 kg' or '154 lb' (pounds are converted).")

    @field_validator("weight")
    @classmethod
    def _weight_reads(cls, value: str) -> str:
        parse_weight(value)
        return value

    @property
    def body_weight(self) -> BodyWeight:
        """The weight as a :class:`BodyWeight` (kilograms, with the pound conversion kept)."""
        return parse_weight(self.weight)


class ProtocolRef(EpisodeModel):
    """Which protocol the episode follows, and the version the team approved."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str | None = Field(
        default=None,
        pattern=r"^\d+\.\d+\.\d+$",
        description="Protocol version the order was written against; a mismatch is shown.",
    )


VALUE_FIELDS = (
    "pain",
    "heart_rate",
    "systolic_bp",
    "diastolic_bp",
    "respiratory_rate",
    "spo2",
    "sedation",
)


class Baseline(EpisodeModel):
    """Observations before the infusion starts; percentage rules compare against these."""

    pain: PainScore
    heart_rate: HeartRate | None = None
    systolic_bp: Pressure | None = None
    diastolic_bp: Pressure | None = None
    respiratory_rate: Breaths | None = None
    spo2: Saturation | None = None


class Event(EpisodeModel):
    """Something that happened at a time."""

    type: str
    at: AwareDatetime = Field(description="When, with its time zone (e.g. 2024-03-02T08:00Z).")
    note: str | None = Field(default=None, description="Free text kept with the event.")
    id: EventId | None = Field(
        default=None, description="The event's identifier in the record (set when it is stored)."
    )
    recorded_at: AwareDatetime | None = Field(
        default=None,
        description="When the event was written down; omitted: at the time it happened. A "
        "recommendation made earlier than this never saw the event.",
    )
    recorded_by: str | None = Field(
        default=None, min_length=1, description="Who wrote the event into the record."
    )
    role: RecorderRole | None = Field(
        default=None, description="The recorder's role when the event was written."
    )
    corrects: EventId | None = Field(
        default=None,
        description="The id of an earlier event this one corrects; the earlier one is then "
        "read as this one, and both stay in the record.",
    )

    @model_validator(mode="wrap")
    @classmethod
    def _checked_when_made(cls, data: object, handler: ModelWrapValidatorHandler[Event]) -> Event:
        # An event is frozen and was checked when it was made. pydantic runs a model's own
        # checks again on an instance each time a model holding it is built, which is every
        # event of an episode on every record call.
        if isinstance(data, cls):
            return data
        event = handler(data)
        event.check_own_rules()
        return event

    def check_own_rules(self) -> None:
        """The kind's own rules across its fields; a broken one raises ValueError saying so."""


class Observation(Event):
    """Vital signs, pain, sedation and symptoms recorded at one time."""

    type: Literal["observation"]
    pain: PainScore | None = None
    heart_rate: HeartRate | None = None
    systolic_bp: Pressure | None = None
    diastolic_bp: Pressure | None = None
    respiratory_rate: Breaths | None = None
    spo2: Saturation | None = None
    sedation: Sedation | None = None
    symptoms: list[Symptom] = Field(
        default_factory=list, description="Side effects present now, from the closed list."
    )
    severe: list[Symptom] = Field(
        default_factory=list, description="Which of the symptoms are severe or intolerable."
    )
    troublesome: bool = Field(
        default=False, description="The patient reports the side effects as troublesome."
    )
    other_symptom: str | None = Field(
        default=None,
        min_length=3,
        max_length=200,
        description="What the symptom listed as 'other' is, in words.",
    )

    def check_own_rules(self) -> None:
        """Something is recorded, and severe, troublesome and other name symptoms present."""
        recorded = [
            self.pain,
            self.heart_rate,
            self.systolic_bp,
            self.diastolic_bp,
            self.respiratory_rate,
            self.spo2,
            self.sedation,
        ]
        if all(value is None for value in recorded) and not self.symptoms:
            raise ValueError("an observation records nothing (no vital sign, pain or symptom)")
        stray = [s.value for s in self.severe if s not in self.symptoms]
        if stray:
            raise ValueError(f"severe lists {', '.join(stray)}, which is not among the symptoms")
        if self.troublesome and not self.symptoms:
            raise ValueError("troublesome side effects are reported but no symptom is named")
        if (Symptom.OTHER in self.symptoms) != (self.other_symptom is not None):
            raise ValueError(
                "a symptom listed as 'other' needs other_symptom saying what it is, and "
                "other_symptom needs 'other' among the symptoms"
            )

    def recorded(self) -> dict[str, object]:
        """The values this observation records, by field name (for comparing two at one time)."""
        return {
            name: getattr(self, name)
            for name in (*VALUE_FIELDS, "symptoms", "severe", "troublesome", "other_symptom")
            if getattr(self, name) not in (None, [], False)
        }


def _one_rate(value: object) -> object:
    if isinstance(value, Span):
        raise ValueError(  # noqa: TRY004 - pydantic reports ValueError as the user's error
            f"give the one rate actually running, not the range {value}"
        )
    return value


class RateChange(Event):
    """The pump was set to a rate (the first one starts the infusion)."""

    type: Literal["rate_change"]
    rate: RateText = Field(description="The rate set, with its unit: '12 mg/h', '0.1 mg/kg/h'.")
    by: Who

    _single = field_validator("rate")(_one_rate)


class Pause(Event):
    """The infusion was paused."""

    type: Literal["pause"]
    by: Who
    reason: str | None = None
    for_side_effects: bool = Field(
        default=True, description="Paused because of side effects (counts for recurrence rules)."
    )


class Resume(Event):
    """A paused infusion was restarted, at the earlier rate unless another is given."""

    type: Literal["resume"]
    by: Who
    rate: RateText | None = None

    _single = field_validator("rate")(_one_rate)


class Stop(Event):
    """The infusion was stopped."""

    type: Literal["stop"]
    by: Who
    reason: str | None = None


class DoseGiven(Event):
    """A bolus or one of a course of divided doses was given."""

    type: Literal["dose_given"]
    dose: MassText = Field(description="The dose given, with its unit: '7 mg'.")
    route: Route | None = None
    by: Who

    @field_validator("dose")
    @classmethod
    def _single_dose(cls, value: Mass | Span[Mass]) -> Mass | Span[Mass]:
        _one_rate(value)
        return value


class PrnGiven(Event):
    """An as-needed adjunct was given (lorazepam, haloperidol, glycopyrrolate …)."""

    type: Literal["prn_given"]
    drug: str = Field(min_length=2)
    dose: MassText
    route: Route | None = None
    by: Who


class OpioidUse(Event):
    """Opioid use over the 24 h before ``at``: as oral morphine equivalent, or doses counted."""

    type: Literal["opioid_use"]
    med_mg_per_24h: float | None = Field(
        default=None, ge=0, description="Oral morphine equivalent over the last 24 h, mg."
    )
    breakthrough_doses_24h: int | None = Field(
        default=None, ge=0, description="Breakthrough (as-needed) opioid doses in the last 24 h."
    )

    def check_own_rules(self) -> None:
        """A daily dose or a count of breakthrough doses is given."""
        if self.med_mg_per_24h is None and self.breakthrough_doses_24h is None:
            raise ValueError("opioid use needs med_mg_per_24h or breakthrough_doses_24h")


class PhysicianOverride(Event):
    """A physician's override of a soft limit for this episode; nothing overrides a hard limit."""

    type: Literal["physician_override"]
    physician: Who
    reason: str = Field(min_length=3, description="Why the soft limit is overridden.")
    up_to: RateText | AmountText | None = Field(
        default=None,
        description="Highest rate (or single dose) the override allows; omitted: the rate "
        "running when recorded.",
    )

    _single = field_validator("up_to")(_one_rate)


class PhysicianDecision(Event):
    """A physician's answer to a question the engine raised (e.g. after a notification)."""

    type: Literal["physician_decision"]
    physician: Who
    decision: str = Field(min_length=3, description="What was decided, in words.")
    reason: str | None = None


class PhaseChange(Event):
    """The episode moved to another phase of the protocol."""

    type: Literal["phase_change"]
    to_phase: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    by: Who


class EnteredInError(Event):
    """An earlier event was recorded in error; it stays in the record and no longer counts."""

    type: Literal["entered_in_error"]
    by: Who
    reason: str = Field(min_length=3, description="Why the earlier event does not count.")

    def check_own_rules(self) -> None:
        """The withdrawn event is named."""
        if self.corrects is None:
            raise ValueError("entered_in_error needs 'corrects': the id of the event it withdraws")


class CompanionDrug(Event):
    """A drug given with ketamine for its NMDA-receptor antagonism: started, changed or stopped.

    Memantine after an infusion (seed 002), methadone for its NMDA share (seed 000, seed 002).
    A drug the episode relies on must be on every discharge and transfer list (seed 002: dropped
    at transfer, the pain came back refractory to IV morphine).
    """

    type: Literal["companion_drug"]
    drug: DrugName
    action: Literal["started", "changed", "stopped"]
    dose: MassText | None = Field(
        default=None, description="Dose per administration, '5 mg'; omitted when stopped."
    )
    doses_per_day: int | None = Field(default=None, ge=1, le=24)
    route: Route | None = None
    nmda_antagonist: bool = Field(
        default=True,
        description="Given for its NMDA-receptor antagonism, so it must not be lost at discharge "
        "or transfer.",
    )
    by: Who
    reason: str | None = None

    def check_own_rules(self) -> None:
        """A stopped drug has no regimen; any other action gives the whole regimen."""
        given = [self.dose is not None, self.doses_per_day is not None, self.route is not None]
        if self.action == "stopped":
            if any(given):
                raise ValueError("a stopped companion drug takes no dose, doses_per_day or route")
            return
        if not all(given):
            raise ValueError(
                f"a companion drug {self.action} needs its dose, doses_per_day and route"
            )
        if isinstance(self.dose, Span):
            # pydantic reports ValueError as the user's error
            raise ValueError(f"give the one dose given, not the range {self.dose}")  # noqa: TRY004


class OutcomeAssessment(Event):
    """Outcome measures at one time, and how the pain is classified (for the audit).

    BPI and PSEQ before and after (seed 004, "Context"); mobility or function compared with
    before ketamine, as the clinician judges it (Good et al.'s surrogate criterion, seed 000).
    """

    type: Literal["assessment"]
    by: Who
    bpi: Bpi | None = None
    pseq: Pseq | None = None
    function: Literal["better", "unchanged", "worse"] | None = Field(
        default=None,
        description="Mobility or function compared with before ketamine, as the clinician judges.",
    )
    population: Literal["cancer", "non_cancer"] | None = Field(
        default=None, description="Cancer or non-cancer pain."
    )
    pain_types: list[PainClass] | None = Field(
        default=None,
        description="The pain's kind as audits classify it (Jackson: somatic, neuropathic).",
    )

    def check_own_rules(self) -> None:
        """Something is assessed."""
        values = (self.bpi, self.pseq, self.function, self.population, self.pain_types)
        if all(value is None for value in values):
            raise ValueError(
                "an assessment records nothing (no BPI, PSEQ, function, population or pain type)"
            )


class ReconciliationAcknowledged(Event):
    """A physician leaves an NMDA antagonist the episode relies on off a discharge or transfer list.

    Without it, a missing drug blocks the discharge summary (seed 002, "Case Description").
    """

    type: Literal["reconciliation_acknowledged"]
    drug: DrugName
    physician: Who
    reason: str = Field(min_length=3, description="Why the drug is deliberately left off.")
    occasion: Literal["discharge", "transfer"] = "discharge"


AnyEvent = Annotated[
    Observation
    | RateChange
    | Pause
    | Resume
    | Stop
    | DoseGiven
    | PrnGiven
    | OpioidUse
    | PhysicianOverride
    | PhysicianDecision
    | PhaseChange
    | EnteredInError
    | CompanionDrug
    | OutcomeAssessment
    | ReconciliationAcknowledged,
    Field(discriminator="type"),
]


class Episode(EpisodeModel):
    """One patient's infusion episode under one protocol."""

    schema_version: Literal[1] = Field(default=1, description="Version of the episode file format.")
    patient: PatientRef
    protocol: ProtocolRef
    phase: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Phase the episode starts in; omitted: the protocol's first phase.",
    )
    started_at: AwareDatetime = Field(description="When the episode (the order) started.")
    baseline: Baseline
    pain_goal: PainScore = Field(description="The patient's own goal for pain (e.g. 3-4/10).")
    events: list[AnyEvent] = Field(default_factory=list)

    @model_validator(mode="after")
    def _in_time_order(self) -> Episode:
        previous = self.started_at
        for position, event in enumerate(self.events, start=1):
            if event.at < previous:
                what = "the episode start" if position == 1 else f"event {position - 1}"
                raise ValueError(
                    f"event {position} ({event.type} at {event.at.isoformat()}) is earlier than "
                    f"{what} ({previous.isoformat()}); events must be in time order"
                )
            previous = event.at
        _corrections_name_earlier_events(self.events)
        _one_reading_per_moment(self.events)
        return self


def _corrections_name_earlier_events(events: list[AnyEvent]) -> None:
    """Ids are unique, and a correction names an earlier event of the same kind."""
    seen: dict[str, tuple[int, str]] = {}
    for position, event in enumerate(events, start=1):
        target = event.corrects
        if target is not None:
            if target not in seen:
                raise ValueError(
                    f"event {position} corrects '{target}', which is not an earlier event"
                )
            kind = seen[target][1]
            if event.type not in {kind, "entered_in_error"}:
                raise ValueError(
                    f"event {position} ({event.type}) corrects '{target}', a {kind}; a "
                    "correction is an event of the same kind, or entered_in_error"
                )
        if event.id is not None:
            if event.id in seen:
                raise ValueError(
                    f"event {position} reuses the id '{event.id}' of event {seen[event.id][0]}"
                )
            seen[event.id] = (position, event.type)


def _one_reading_per_moment(events: list[AnyEvent]) -> None:
    """Two observations at one moment may add to each other but never disagree."""
    withdrawn = {e.corrects for e in events if e.corrects is not None}
    kept = [
        (position, event)
        for position, event in enumerate(events, start=1)
        if isinstance(event, Observation)
        and event.corrects is None
        and not (event.id is not None and event.id in withdrawn)
    ]
    # Only moments holding two observations can disagree; most hold one.
    shared = {at for at, count in Counter(event.at for _, event in kept).items() if count > 1}
    at_moment: dict[object, tuple[int, dict[str, object]]] = {}
    for position, event in kept:
        if event.at not in shared:
            continue
        values = event.recorded()
        earlier = at_moment.get(event.at)
        first = position
        if earlier is not None:
            first, known = earlier
            clash = sorted(k for k in values if k in known and known[k] != values[k])
            if clash:
                raise ValueError(
                    f"events {first} and {position} are observations at the same moment "
                    f"({event.at.isoformat()}) with different {', '.join(clash)}; record one, or "
                    "mark the later as correcting the earlier"
                )
            values = {**known, **values}
        at_moment[event.at] = (first, values)


def rate_of(value: Rate | PerKgRate, weight: BodyWeight) -> Rate:
    """The absolute rate of an event's rate for this patient."""
    return value.for_weight(weight) if isinstance(value, PerKgRate) else value
