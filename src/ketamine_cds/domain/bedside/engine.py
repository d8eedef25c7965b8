"""The bedside engine: one pure function says what the protocol says to do now.

``recommend(episode, protocol, limits, at)`` is a pipeline: the state from the events; the
safety checks that always run, whatever the phase, a pause or a session; the protocol's course
proposes; the proposal goes through the one dose check; the recommendation. It reads no clock
and no file: the same inputs always give the same answer. Where the protocol's data says the
source is silent, the answer is ``ask_physician`` naming that rule, never an invented one. Input
the engine cannot read as a clinical record is refused in one sentence; anything else that goes
wrong is a bug, raised as such and never shown as a recommendation.
"""

from __future__ import annotations

from datetime import datetime

from ketamine_cds.domain.bedside import safety
from ketamine_cds.domain.bedside.context import Context
from ketamine_cds.domain.bedside.course import propose
from ketamine_cds.domain.bedside.gate import gate
from ketamine_cds.domain.bedside.output import Recommendation
from ketamine_cds.domain.bedside.prn import prn_advice
from ketamine_cds.domain.bedside.schedule import next_assessment
from ketamine_cds.domain.bedside.state import replay
from ketamine_cds.domain.bedside.validate import validate
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.protocols.figures import phase_by_id
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.plan import check_out
from ketamine_cds.domain.protocols.resolve import resolve_phase
from ketamine_cds.domain.protocols.schema import Protocol


def recommend(
    episode: Episode,
    protocol: Protocol,
    limits: LimitTable,
    at: datetime,
    known_at: datetime | None = None,
) -> Recommendation:
    """What the protocol says to do at ``at``, from the episode up to that moment.

    Parameters
    ----------
    episode
        The episode so far; events after ``at`` are ignored.
    protocol
        The protocol the episode follows (its id must match the episode's).
    limits
        The product-wide hard limits, default soft ceilings and dose bands.
    at
        The moment asked about, timezone-aware; the engine never reads the clock.
    known_at
        Only events written down by this moment count (their ``recorded_at``); omitted: all.

    Returns
    -------
    Recommendation
        Action, rate or dose with its verdict, reasons, alerts, next assessment and adjuncts.
    """
    validate(episode, protocol, limits, at)
    routes = {phase.id: phase.route for phase in protocol.phases}
    state = replay(episode, routes, protocol.phases[0].id, at, known_at)
    phase = phase_by_id(protocol, state.phase_id)
    ctx = Context(
        episode=episode,
        protocol=protocol,
        limits=limits,
        at=at,
        state=state,
        phase=phase,
        resolved=resolve_phase(phase, state.weight, limits),
    )
    decided = safety.run(ctx)
    proposal = decided if decided is not None else propose(ctx)
    gated = gate(ctx, proposal)
    decision = gated.decision
    next_at = next_assessment(ctx)
    prn = prn_advice(ctx, decision.action)
    shown = decision.phase or phase
    infused = shown.kind in {"continuous", "timed_infusion"}
    rate = decision.rate
    if rate is not None and not infused and rate.mg_per_h > 0:
        rate = None
    figure = (rate is not None and rate.mg_per_h > 0) or decision.dose is not None
    return Recommendation(
        at=at,
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        phase=phase.id,
        action=decision.action,
        rate_mg_per_h=None if rate is None else round(rate.mg_per_h, 4),
        dose_mg=None if decision.dose is None else round(decision.dose.mg, 4),
        route=(decision.route or shown.route).value if figure else None,
        check=None if gated.verdict is None else check_out(gated.verdict),
        reasons=ctx.notes.reasons,
        alerts=ctx.notes.alerts,
        next_assessment_at=next_at,
        prn=prn,
    )


__all__ = ["recommend"]
