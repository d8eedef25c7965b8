"""What the engine refuses to read as a clinical record, each in one sentence.

A time without a zone, a time before the episode or more than a year after it, another
protocol's episode, a phase the protocol lacks, a weight outside the adult range, and a rate or
dose no ketamine order could have (µg typed where mg was meant, or the reverse).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ketamine_cds.domain.episode import (
    AnyEvent,
    DoseGiven,
    Episode,
    Observation,
    PhaseChange,
    PhysicianOverride,
    RateChange,
    Resume,
    rate_of,
)
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.check import plausible
from ketamine_cds.domain.protocols.figures import phase_by_id
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.resolve import amount_for
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.domain.units import BodyWeight, Mass, PerKgMass, PerKgRate, Rate

LONGEST_EPISODE = timedelta(days=365)


def validate(episode: Episode, protocol: Protocol, limits: LimitTable, at: datetime) -> None:
    """Refuse, in one sentence, what cannot be read as this protocol's episode at ``at``."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise UserInputError(f"the time {at.isoformat()} has no time zone; give one (e.g. Z)")
    if at < episode.started_at:
        raise UserInputError(
            f"{at.isoformat()} is before the episode started ({episode.started_at.isoformat()})"
        )
    if at - episode.started_at > LONGEST_EPISODE:
        raise UserInputError(
            f"{at.isoformat()} is more than a year after the episode started "
            f"({episode.started_at.isoformat()}); give a time within the episode"
        )
    if episode.protocol.id != protocol.id:
        raise UserInputError(
            f"the episode follows protocol '{episode.protocol.id}', not '{protocol.id}'"
        )
    weight = episode.patient.body_weight
    limits.check_weight(weight)
    if episode.phase is not None:
        _phase(protocol, episode.phase, "the episode's starting phase")
    _events(episode, protocol, limits, weight)


def _events(episode: Episode, protocol: Protocol, limits: LimitTable, weight: BodyWeight) -> None:
    for position, event in enumerate(episode.events, start=1):
        if type(event) is Observation:  # most of an episode, and records no rate or dose
            continue
        if isinstance(event, PhaseChange):
            _phase(protocol, event.to_phase, f"event {position}")
        figure = _figure(event, weight)
        if figure is None:
            continue
        try:
            plausible(figure, weight, limits)
        except UserInputError as error:
            raise UserInputError(f"event {position} ({event.type}): {error}") from None


def _figure(event: AnyEvent, weight: BodyWeight) -> Rate | Mass | None:
    """The rate or dose an event records, for this patient."""
    value: object = None
    if isinstance(event, RateChange | Resume):
        value = event.rate
    elif isinstance(event, PhysicianOverride):
        value = event.up_to
    elif isinstance(event, DoseGiven):
        value = event.dose
    if isinstance(value, Rate | PerKgRate):
        return rate_of(value, weight)
    if isinstance(value, Mass | PerKgMass):
        return amount_for(value, weight)
    return None


def _phase(protocol: Protocol, phase_id: str, what: str) -> None:
    try:
        phase_by_id(protocol, phase_id)
    except UserInputError:
        known = ", ".join(p.id for p in protocol.phases)
        raise UserInputError(
            f"{what} names phase '{phase_id}', which protocol {protocol.id} does not have (its "
            f"phases: {known})"
        ) from None
