"""What an episode's ketamine course was: doses, duration, side effects, as audits report them.

Good et al. (seed 000, "Outcomes Reported with Ketamine Use for Cancer Pain") report the starting
dose (100 mg/day), the final dose (median 200 mg/24 h, range 100-700) and the days of ketamine
(median 5, range 3-17); Jackson et al. the dose escalation 100 → 300 → 500 mg/24 h. The figures
here are the bedside engine's own replay of the rate history (corrections applied), so a
summary, a letter and an audit count the same rates.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from ketamine_cds.domain.episode import Episode, Observation, Pause, Stop
from ketamine_cds.domain.outcomes.replayed import Replayed, replayed
from ketamine_cds.domain.protocols.schema import Protocol

DAY = timedelta(days=1)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KetamineCourse(_Out):
    """The ketamine given in one episode, as the record shows it."""

    protocol_id: str
    protocol_version: str
    protocol_title: str
    started_at: datetime | None
    ended_at: datetime | None
    stopped: bool
    duration_days: float | None
    routes: list[str]
    start_mg_per_day: float | None
    final_mg_per_day: float | None
    max_mg_per_day: float | None
    doses_given: int
    largest_dose_mg: float | None
    side_effects: list[str]
    side_effect_pauses: int
    stop_reasons: list[str]
    phase_at_end: str


def ketamine_course(
    episode: Episode,
    protocol: Protocol,
    at: datetime | None = None,
    *,
    seen: Replayed | None = None,
) -> KetamineCourse:
    """The course of ketamine in the episode up to ``at`` (by default, its last event)."""
    seen = seen or replayed(episode, protocol, at)
    moment, state, events = seen.at, seen.state, seen.events
    # mg/h is the canonical figure, converted once per rate; mg/day would convert again
    rates = [(when, 24 * rate.mg_per_h) for when, rate, _ in state.pump if rate is not None]
    rates = [(when, mg) for when, mg in rates if mg > 0]
    began = state.first_started_at
    stopped = state.status == "stopped"
    ended = state.stopped_at if stopped else (moment if began is not None else None)
    symptoms = sorted(
        {
            symptom.value
            for event in events
            if isinstance(event, Observation) and (began is None or event.at >= began)
            for symptom in event.symptoms
        }
    )
    routes = sorted(
        {route.value for _, rate, route in state.pump if rate is not None}
        | {given.route.value for given in state.all_doses}
    )
    return KetamineCourse(
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        protocol_title=protocol.title,
        started_at=began,
        ended_at=ended,
        stopped=stopped,
        duration_days=None if began is None or ended is None else round((ended - began) / DAY, 3),
        routes=routes,
        start_mg_per_day=round(rates[0][1], 3) if rates else None,
        final_mg_per_day=round(rates[-1][1], 3) if rates else None,
        max_mg_per_day=round(max(mg for _, mg in rates), 3) if rates else None,
        doses_given=len(state.all_doses),
        largest_dose_mg=max((g.dose.mg for g in state.all_doses), default=None),
        side_effects=symptoms,
        side_effect_pauses=sum(
            1 for event in events if isinstance(event, Pause) and event.for_side_effects
        ),
        stop_reasons=[e.reason for e in events if isinstance(e, Stop) and e.reason],
        phase_at_end=state.phase_id,
    )
