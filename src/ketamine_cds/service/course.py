"""Use cases of the course of care: response, MED series, planned transitions, discharge.

Each reads an episode from the record as the acting user may (``episode.read``), rebuilds it
with the protocol text it was written against (the record's archive, by content hash), and
hands values to the pure domain. The discharge writes only what it must: a physician's
acknowledgement that a drug is left off (an event, through the record's own use case) and the
audit entry saying a summary was issued or blocked, in one transaction with nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from ketamine_cds.domain.episode import Episode, ReconciliationAcknowledged
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.plan import Conversion, ReductionSchedule, reduction_schedule
from ketamine_cds.domain.opioids.regimen import RegimenReading
from ketamine_cds.domain.outcomes.discharge import DischargeDetails, DischargeSummary, build_summary
from ketamine_cds.domain.outcomes.med import MedSeries, med_series
from ketamine_cds.domain.outcomes.medicines import DischargeMedicines
from ketamine_cds.domain.outcomes.opioid_doses import RealDoses, real_doses
from ketamine_cds.domain.outcomes.reconcile import Occasion, Reconciliation, reconcile
from ketamine_cds.domain.outcomes.response import ResponseAssessment, assess_response
from ketamine_cds.domain.outcomes.transitions import (
    TransitionOption,
    TransitionPlan,
    plan_transitions,
)
from ketamine_cds.domain.pk.regimen import Phase, Regimen
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.domain.record import EpisodeHeader
from ketamine_cds.domain.units import Mass, Rate
from ketamine_cds.service import opioids, pk
from ketamine_cds.service.ports import ReferenceData, UnitOfWork
from ketamine_cds.service.record import record_event
from ketamine_cds.service.record_support import (
    RecordDeps,
    Writing,
    authorised,
    episode_of,
    find_episode,
    known_events,
    protocol_of,
    refusals_kept,
)

SIMULATED_H = 72.0


@dataclass(frozen=True)
class EpisodeInRecord:
    """An episode as stored, with the protocol it was written against."""

    header: EpisodeHeader
    episode: Episode
    protocol: Protocol


def load(deps: RecordDeps, uow: UnitOfWork, episode_id: int) -> EpisodeInRecord:
    """The episode from the record (every event written, in clinical-time order)."""
    header = find_episode(uow, episode_id)
    events = known_events(uow.events.for_episode(header.id))
    return EpisodeInRecord(header, episode_of(header, events), protocol_of(deps, uow, header))


def read_episode(deps: RecordDeps, actor: str | None, episode_id: int) -> EpisodeInRecord:
    """The episode, read as the acting user may."""
    subject = f"episode/{episode_id}"
    with refusals_kept(deps, actor, "episode.read", subject, {}), deps.uow(writing=False) as uow:
        authorised(uow, actor, "episode.read")
        return load(deps, uow, episode_id)


# -- response and MED ---------------------------------------------------------------------------
@dataclass(frozen=True)
class EpisodeResponse:
    """Good et al.'s verdict on an episode, with what it was computed from."""

    header: EpisodeHeader
    assessment: ResponseAssessment


def episode_response(
    deps: RecordDeps, actor: str | None, episode_id: int, at: datetime | None = None
) -> EpisodeResponse:
    """Whether the patient responded (Good et al., seed 000), at ``at`` or the episode's end."""
    found = read_episode(deps, actor, episode_id)
    return EpisodeResponse(found.header, assess_response(found.episode, found.protocol, at))


def episode_med(
    deps: RecordDeps, actor: str | None, episode_id: int, at: datetime | None = None
) -> MedSeries:
    """The episode's MED over time, as the chart draws it: (time, mg/day) points."""
    return med_series(read_episode(deps, actor, episode_id).episode, at)


# -- planned transitions ------------------------------------------------------------------------
@dataclass(frozen=True)
class PlasmaPrediction:
    """The simulator's typical-patient prediction for one regimen (a prediction, not a level)."""

    label: str
    route: str
    steady_state_ng_per_ml: float | None
    cmax_ng_per_ml: float | None
    norketamine_steady_state_ng_per_ml: float | None
    model: str


@dataclass(frozen=True)
class PlannedTransitions:
    """The planned steps, and the predicted plasma ketamine of what runs now and of each choice."""

    header: EpisodeHeader | None
    plan: TransitionPlan
    current: PlasmaPrediction | None
    predictions: tuple[PlasmaPrediction | None, ...]
    notes: tuple[str, ...]


def _predict(label: str, phase: Phase, weight_kg: float) -> PlasmaPrediction:
    result = pk.simulate(Regimen(phases=(phase,), label=label), weight_kg)
    payload = result.payload
    norketamine = payload.get("norketamine") or {}
    return PlasmaPrediction(
        label=label,
        route=phase.route,
        steady_state_ng_per_ml=payload.get("steady_state_ng_per_ml"),
        cmax_ng_per_ml=payload.get("cmax_ng_per_ml"),
        norketamine_steady_state_ng_per_ml=norketamine.get("steady_state_ng_per_ml"),
        model=result.model_name,
    )


def _option_phase(option: TransitionOption) -> Phase:
    return Phase(
        id=option.conversion_id,
        route=option.to_route,  # type: ignore[arg-type]  # the simulator's routes are the same words
        kind="divided_doses",
        start_h=0.0,
        duration_h=SIMULATED_H,
        dose=Mass.of(option.dose_mg, "mg"),
        doses_per_day=option.doses_per_day,
    )


def predicted_transitions(
    plan: TransitionPlan, weight_kg: float, header: EpisodeHeader | None = None
) -> PlannedTransitions:
    """The plan with the predicted plasma ketamine of the dose running and of each option."""
    notes = [
        (
            "Predicted plasma ketamine for a typical patient over 72 hours: a model's prediction, "
            "not a measurement; the models carry no norketamine formed in the first pass, which "
            "seed 003 puts at about 55 % of an oral dose with ketamine, as ketamine equivalents."
        ),
    ]
    current = None
    if plan.from_per_day_mg is not None and plan.from_route in {"iv", "sc", "im"}:
        rate = Rate.of(plan.from_per_day_mg / 24, "mg/hour")
        current = _predict(
            f"now: {plan.running}",
            Phase(
                id="now",
                route=plan.from_route,  # type: ignore[arg-type]
                kind="infusion",
                start_h=0.0,
                duration_h=SIMULATED_H,
                rate=rate,
            ),
            weight_kg,
        )
    predictions: list[PlasmaPrediction | None] = []
    for option in plan.options:
        try:
            predictions.append(_predict(option.regimen, _option_phase(option), weight_kg))
        except UserInputError as error:
            predictions.append(None)
            notes.append(f"{option.conversion_id}: not simulated ({error}).")
    return PlannedTransitions(header, plan, current, tuple(predictions), tuple(notes))


def episode_transitions(
    deps: RecordDeps, actor: str | None, episode_id: int, at: datetime | None = None
) -> PlannedTransitions:
    """The planned steps out of the phase the episode is in, with predicted plasma levels."""
    found = read_episode(deps, actor, episode_id)
    limits = deps.protocols.limits().table
    plan = plan_transitions(found.episode, found.protocol, limits, at)
    return predicted_transitions(plan, found.episode.patient.body_weight.kg, found.header)


# -- discharge ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeaveOff:
    """A physician's decision to leave a drug off the list, with the reason."""

    drug: str
    reason: str


@dataclass(frozen=True)
class DischargeResult:
    """The reconciliation, and the summary when it is not blocked."""

    header: EpisodeHeader
    reconciliation: Reconciliation
    summary: DischargeSummary | None

    @property
    def blocked(self) -> bool:
        """Whether a missing NMDA antagonist blocks the summary."""
        return self.summary is None


def discharge(  # noqa: PLR0913 - the episode, the list, the team's details and the decisions
    deps: RecordDeps,
    reference: ReferenceData,
    actor: str | None,
    episode_id: int,
    medicines: DischargeMedicines,
    *,
    details: DischargeDetails | None = None,
    occasion: Occasion = "discharge",
    leave_off: tuple[LeaveOff, ...] = (),
    plan: tuple[RealDoses, ...] = (),
    table_id: str = opioids.DEFAULT_TABLE,
) -> DischargeResult:
    """Reconcile the medicines list and, unless a drug relied on is missing, issue the summary.

    A missing NMDA antagonist blocks the summary (a critical alert) until a physician leaves it
    off with a reason (``leave_off``, recorded as ``reconciliation_acknowledged`` events).
    """
    now = deps.clock.now()
    for decision in leave_off:
        try:
            event = ReconciliationAcknowledged(
                type="reconciliation_acknowledged",
                at=now,
                drug=decision.drug.strip().lower(),
                physician=actor or "",
                reason=decision.reason,
                occasion=occasion,
            )
        except ValidationError:
            raise UserInputError(
                f"leaving '{decision.drug[:40]}' off needs the drug's name (2-40 letters, digits, "
                "spaces or hyphens, starting with a letter) and a reason of at least 3 characters"
            ) from None
        record_event(deps, actor, episode_id, event)
    found = read_episode(deps, actor, episode_id)
    at = max(now, found.episode.started_at)
    result = reconcile(found.episode, found.protocol, medicines, at, occasion)
    summary = None
    if not result.blocked:
        med_mg, table = None, None
        if medicines.opioids is not None:
            computed = opioids.med_of_reading(
                reference, RegimenReading(medicines.opioids), table_id
            )
            med_mg, table = computed.total_med_mg, f"{computed.table_id} {computed.table_version}"
        summary = build_summary(
            episode=found.episode,
            protocol=found.protocol,
            medicines=medicines,
            reconciliation=result,
            details=details or DischargeDetails(),
            at=at,
            discharge_med_mg=med_mg,
            discharge_med_table=table,
            plan=plan,
        )
    with deps.uow() as uow:
        w = Writing(uow, authorised(uow, actor, "episode.read"), now)
        w.audit(
            f"episode.{occasion}_blocked" if summary is None else f"episode.{occasion}_summary",
            f"episode/{episode_id}/{occasion}",
            {
                "missing": list(result.missing),
                "medicines": medicines.model_dump(mode="json"),
                "summary": None if summary is None else summary.model_dump(mode="json"),
            },
        )
        uow.commit()
    return DischargeResult(found.header, result, summary)


# -- the opioid plan in real doses --------------------------------------------------------------
@dataclass(frozen=True)
class OpioidPlanInDoses:
    """One species, its reduction schedule, and each daily amount as products to give."""

    target: RealDoses
    schedule: ReductionSchedule | None
    steps: tuple[tuple[int, RealDoses | None], ...]
    conversion: Conversion


def opioid_plan_in_doses(  # noqa: PLR0913 - each argument is one clinician choice
    reference: ReferenceData,
    reading: RegimenReading,
    *,
    to_drug: str,
    to_route: str,
    reduction_percent: float | None,
    table_id: str = opioids.DEFAULT_TABLE,
    step_percent: float | None = None,
    every_days: int = 1,
    first_day: int = 1,
) -> OpioidPlanInDoses:
    """The regimen as one species (seed 004), reduced stepwise (seed 000), in real doses."""
    table = opioids.table(reference, table_id)
    products = reference.opioid_products()
    _, conversion = opioids.convert_regimen(
        reference,
        reading,
        to_drug=to_drug,
        to_route=to_route,
        reduction_percent=reduction_percent,
        table_id=table_id,
    )
    target = real_doses(conversion.drug, conversion.route, conversion.target_daily, products, table)
    if step_percent is None:
        return OpioidPlanInDoses(target, None, (), conversion)
    schedule = reduction_schedule(
        conversion.target_daily,
        unit=f"{conversion.unit} {conversion.drug} {conversion.route}",
        step_percent=step_percent,
        every_days=every_days,
        first_day=first_day,
    )
    steps = tuple(
        (
            step.day,
            None
            if step.daily <= 0
            else real_doses(conversion.drug, conversion.route, step.daily, products, table),
        )
        for step in schedule.steps
    )
    return OpioidPlanInDoses(target, schedule, steps, conversion)
