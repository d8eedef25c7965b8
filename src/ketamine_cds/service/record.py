"""The record's writing use cases: start, import, record an event, recommend, verify.

Each takes parsed input and the acting user's name, runs in one unit of work, appends an audit
entry for every row it writes in the same transaction, and returns a typed result. A refusal
(the role, a missing pharmacist verification, a limit, a stale recommendation) writes nothing
but its own audit entry, and says in one sentence what is needed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pydantic import ValidationError

from ketamine_cds import __version__
from ketamine_cds.domain.assessment.patient import parse_weight
from ketamine_cds.domain.audit import canonical_text, digest
from ketamine_cds.domain.bedside import Recommendation, recommend
from ketamine_cds.domain.episode import (
    AnyEvent,
    DoseGiven,
    Episode,
    RateChange,
    Resume,
    rate_of,
)
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.check import check_dose, check_rate
from ketamine_cds.domain.record import (
    EpisodeHeader,
    LimitRefusedError,
    NewEpisode,
    NewRecommendation,
    NotVerifiedError,
    StaleRecommendationError,
    StoredEvent,
    StoredRecommendation,
    User,
    Verification,
    WeightEntry,
)
from ketamine_cds.domain.roles import Action, event_action, require
from ketamine_cds.domain.units import Mass, PerKgRate, Rate
from ketamine_cds.service.ports import LoadedLimits, LoadedProtocol, UnitOfWork
from ketamine_cds.service.record_support import (
    EventsSoFar,
    RecordDeps,
    Writing,
    authorised,
    episode_of,
    event_body,
    event_digest,
    find_episode,
    known_events,
    output_text,
    refusals_kept,
    software_versions,
)

# A device clock a few minutes ahead of the server's still records; beyond that, an event
# "recorded before it happened" is an entry error (the product's reading).
CLOCK_SKEW = timedelta(minutes=5)
_DOSING = ("rate_change", "dose_given", "resume")
_STATUS_TYPES = ("stop", *_DOSING)


@dataclass(frozen=True)
class MadeRecommendation:
    """A recommendation as stored, the engine's answer, and what the bedside must also see."""

    stored: StoredRecommendation
    recommendation: Recommendation
    order_verified: bool
    warnings: tuple[str, ...]
    patient: str


@dataclass(frozen=True)
class StartedEpisode:
    """An episode now in the record, with the recommendations stored when it was written."""

    header: EpisodeHeader
    events: int
    recommendations: tuple[MadeRecommendation, ...]


@dataclass(frozen=True)
class RecordedEvent:
    """An event now in the record, the episode's new version, and the recommendation after it."""

    event: StoredEvent
    version: int
    recommendation: MadeRecommendation | None
    patient: str


def _subject(episode_id: int, *parts: object) -> str:
    return "/".join(["episode", str(episode_id), *(str(p) for p in parts)])


def _versions(loaded: LoadedProtocol, limits: LoadedLimits) -> dict[str, str]:
    return software_versions(
        protocol=f"{loaded.protocol.id}@{loaded.protocol.version}",
        protocol_hash=loaded.content_hash,
        limits=limits.version,
        limits_hash=limits.content_hash,
    )


def _references(
    uow: UnitOfWork, deps: RecordDeps, protocol_id: str
) -> tuple[LoadedProtocol, LoadedLimits]:
    loaded = deps.protocols.get(protocol_id)
    limits = deps.protocols.limits()
    uow.archive.keep(
        loaded.content_hash, "protocol", loaded.protocol.id, loaded.protocol.version, loaded.text
    )
    uow.archive.keep(limits.content_hash, "limits", "limits", limits.version, limits.text)
    return loaded, limits


# -- episodes ---------------------------------------------------------------------------------
def start_episode(
    deps: RecordDeps, actor: str | None, episode: Episode, concentration_mg_per_ml: float | None
) -> StartedEpisode:
    """Start an episode from its plan: patient, protocol, weight, bag concentration, baseline."""
    if episode.events:
        raise UserInputError("a new episode starts with no events; import one that has them")
    return _store(deps, actor, episode, concentration_mg_per_ml, "episode.start")


def import_episode(
    deps: RecordDeps, actor: str | None, episode: Episode, concentration_mg_per_ml: float | None
) -> StartedEpisode:
    """Import an episode file's content, with the recommendation after every event.

    The header and every event are stored as written; the recommendations are those a replay
    of the file shows (one at the start and one after each event's time).
    """
    return _store(deps, actor, episode, concentration_mg_per_ml, "episode.import")


def start_or_import(
    deps: RecordDeps, actor: str | None, episode: Episode, concentration_mg_per_ml: float | None
) -> StartedEpisode:
    """Start the episode if it has no events yet, else import it with them."""
    store = import_episode if episode.events else start_episode
    return store(deps, actor, episode, concentration_mg_per_ml)


def _store(
    deps: RecordDeps,
    actor: str | None,
    episode: Episode,
    concentration: float | None,
    action: Action,
) -> StartedEpisode:
    if concentration is not None and not 0 < concentration <= 100:
        raise UserInputError(
            f"a bag concentration of {concentration:g} mg/mL is not plausible; give mg/mL"
        )
    request = {"patient": episode.patient.id, "protocol": episode.protocol.id}
    with refusals_kept(deps, actor, action, "episode/new", request), deps.uow() as uow:
        w = Writing(uow, authorised(uow, actor, action), deps.clock.now())
        loaded, limits = _references(uow, deps, episode.protocol.id)
        header = _add_header(w, episode, concentration, loaded)
        w.audit(action, _subject(header.id), header.content(), _versions(loaded, limits))
        events: list[StoredEvent] = []
        for given in episode.events:
            by_id = {e.event_id: e for e in events}
            stored = _append(w, header, len(events) + 1, by_id.get, given, imported=True)
            w.audit("event.import", _subject(header.id, "event", stored.position), stored.content())
            events.append(stored)
        if events:
            uow.episodes.advance(header.id, 0, _status(events))
        header = find_episode(uow, header.id)
        made: list[MadeRecommendation] = []
        if events:
            rebuilt = episode_of(header, known_events(events))
            moments = sorted({rebuilt.started_at, *(e.at for e in rebuilt.events)})
            made = [_recommend(w, header, events, moment, (loaded, limits)) for moment in moments]
        uow.commit()
    return StartedEpisode(header=header, events=len(events), recommendations=tuple(made))


def _add_header(
    w: Writing, episode: Episode, concentration: float | None, loaded: LoadedProtocol
) -> EpisodeHeader:
    uow, user = w.uow, w.user
    weight = parse_weight(episode.patient.weight)
    entry = WeightEntry(
        text=episode.patient.weight,
        kg=weight.kg,
        unit="lb" if "lb" in episode.patient.weight.lower() else "kg",
        at=episode.started_at,
        recorded_by=user.name,
    )
    patient = episode.patient.id or f"unnamed-{digest(episode.model_dump(mode='json'))[:12]}"
    uow.episodes.add_weight(patient, entry)
    baseline = canonical_text(episode.baseline.model_dump(mode="json", exclude_none=True))
    return uow.episodes.add(
        NewEpisode(
            patient=patient,
            weight=entry,
            protocol_id=loaded.protocol.id,
            protocol_version=episode.protocol.version or loaded.protocol.version,
            protocol_hash=loaded.content_hash,
            concentration_mg_per_ml=concentration,
            phase=episode.phase,
            started_at=episode.started_at,
            baseline_json=baseline,
            pain_goal=episode.pain_goal,
            started_by=user.name,
        )
    )


def _status(events: list[StoredEvent]) -> str:
    dosing = [e for e in events if e.type in _STATUS_TYPES]
    latest = max(dosing, key=lambda e: (e.at, e.position), default=None)
    return "stopped" if latest is not None and latest.type == "stop" else "active"


def _append(  # noqa: PLR0913 - the write, where it goes, and how earlier events are found
    w: Writing,
    header: EpisodeHeader,
    position: int,
    earlier: Callable[[str], StoredEvent | None],
    event: AnyEvent,
    *,
    imported: bool,
) -> StoredEvent:
    uow, user, now = w.uow, w.user, w.now
    event_id = event.id or f"e{position}"
    if earlier(event_id) is not None:
        raise UserInputError(f"episode {header.id} already has an event '{event_id}'")
    if event.at < header.started_at:
        raise UserInputError(
            f"the {event.type} at {event.at.isoformat()} is before the episode started "
            f"({header.started_at.isoformat()})"
        )
    recorded_at = (event.recorded_at or event.at) if imported else now
    if event.at > recorded_at + CLOCK_SKEW:
        raise UserInputError(
            f"the {event.type} at {event.at.isoformat()} is later than it was recorded "
            f"({recorded_at.isoformat()}); an event is recorded when or after it happens"
        )
    if imported and recorded_at > now + CLOCK_SKEW:
        raise UserInputError(f"the {event.type} says it was recorded in the future")
    if event.corrects is not None:
        corrected = earlier(event.corrects)
        if corrected is None or event.type not in {corrected.type, "entered_in_error"}:
            raise UserInputError(
                f"the {event.type} corrects '{event.corrects}', which is not an earlier "
                f"{event.type} of episode {header.id}; a correction is an event of the same "
                "kind, or entered_in_error"
            )
        if event.at < corrected.at:
            raise UserInputError(
                f"the {event.type} correcting '{event.corrects}' is timed before it "
                f"({corrected.at.isoformat()}); a correction is timed at or after the event"
            )
    final = event.model_copy(
        update={
            "id": event_id,
            "recorded_at": recorded_at,
            "recorded_by": (event.recorded_by or user.name) if imported else user.name,
            "role": (event.role or user.role) if imported else user.role,
        }
    )
    stored = StoredEvent(
        episode_id=header.id,
        position=position,
        event_id=event_id,
        type=final.type,
        at=final.at,
        recorded_at=recorded_at,
        recorded_by=final.recorded_by or user.name,
        role=final.role or user.role,
        corrects=final.corrects,
        body=event_body(final),
    )
    uow.events.append(stored)
    return stored


# -- one event --------------------------------------------------------------------------------
def record_event(  # noqa: PLR0913 - the event, where, and the concurrency checks asked for
    deps: RecordDeps,
    actor: str | None,
    episode_id: int,
    event: AnyEvent,
    *,
    against: int | None = None,
    expected_version: int | None = None,
    recommend_after: bool = False,
) -> RecordedEvent:
    """Record one event (in the episode file's vocabulary) as the acting user.

    ``against`` names the recommendation the user acted on: if it is no longer the latest, or
    the episode changed since it was made, the event is refused with the newer one shown.
    ``expected_version`` does the same with the episode's version.
    """
    if event.recorded_at is not None or event.recorded_by is not None or event.role is not None:
        raise UserInputError(
            "the record writes recorded_at, recorded_by and role itself; leave them out"
        )
    action = event_action(event.type)
    request = event.model_dump(mode="json", exclude_none=True)
    with refusals_kept(deps, actor, action, _subject(episode_id), request), deps.uow() as uow:
        w = Writing(uow, authorised(uow, actor, action), deps.clock.now())
        header = find_episode(uow, episode_id, for_update=True)
        _check_current(uow, header, against, expected_version)
        loaded, limits = _references(uow, deps, header.protocol_id)
        # Read once: every check below, and the recommendation after, asks of these events.
        earlier = EventsSoFar(uow.events.for_episode(header.id))
        _check_verified(uow, header, event, earlier)
        _check_limits(header, event, (loaded, limits), earlier)
        _check_withdrawal(w.user, event, earlier)
        position = max((e.position for e in earlier.events), default=0) + 1
        stored = _append(w, header, position, earlier.find, event, imported=False)
        events = [*earlier.events, stored]
        if event.corrects is not None or earlier.at_moment(event.at) > 0:
            _check_consistent(header, events)
        last_dosing = earlier.latest_of(_STATUS_TYPES)
        status = _status([stored] if last_dosing is None else [last_dosing, stored])
        version = uow.episodes.advance(header.id, header.version, status)
        made, answer = None, None
        if recommend_after:
            header = replace(header, version=version, status=status)
            answer = _answer(w, header, events, w.now, (loaded, limits))
        w.audit("event.record", _subject(header.id, "event", stored.position), stored.content())
        if answer is not None:
            made = _store_recommendation(w, header, events, w.now, (loaded, limits), answer=answer)
        uow.commit()
    return RecordedEvent(event=stored, version=version, recommendation=made, patient=header.patient)


def _check_current(
    uow: UnitOfWork, header: EpisodeHeader, against: int | None, expected: int | None
) -> None:
    if against is None and expected is None:
        return
    latest = uow.recommendations.latest(header.id)
    if against is not None:
        if latest is None or latest.id != against:
            shown = f"recommendation {latest.id} ({_action_of(latest)})" if latest else "none"
            raise StaleRecommendationError(
                f"recommendation {against} is no longer the latest for episode {header.id}; "
                f"the latest is {shown}: look at it before changing the rate",
                latest,
            )
        if latest.episode_version != header.version:
            raise StaleRecommendationError(
                f"episode {header.id} changed after recommendation {against} was made "
                f"(version {latest.episode_version}, now {header.version}); ask for a new "
                "recommendation before changing the rate",
                latest,
            )
    if expected is not None and expected != header.version:
        raise StaleRecommendationError(
            f"episode {header.id} is at version {header.version}, not {expected}: someone "
            "recorded in the meantime; look at the latest recommendation first",
            latest,
        )


def _action_of(stored: StoredRecommendation) -> str:
    item = json.loads(stored.output)
    rate = "" if item["rate_mg_per_h"] is None else f" {item['rate_mg_per_h']:g} mg/h"
    return f"{item['action']}{rate} at {item['at']}"


def _check_withdrawal(user: User, event: AnyEvent, earlier: EventsSoFar) -> None:
    if event.type != "entered_in_error" or event.corrects is None:
        return
    withdrawn = earlier.find(event.corrects)
    if withdrawn is not None:
        require(user.role, event_action(withdrawn.type), user.name)


def _check_consistent(header: EpisodeHeader, events: list[StoredEvent]) -> None:
    """Refuse an event that would make the episode unreadable (e.g. two readings that disagree)."""
    try:
        episode_of(header, known_events(events))
    except ValidationError as error:
        first = error.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        raise UserInputError(f"episode {header.id} cannot take this event: {message}") from None


def _check_verified(
    uow: UnitOfWork, header: EpisodeHeader, event: AnyEvent, earlier: EventsSoFar
) -> None:
    # Any rate, dose or restart already recorded means the first dose was given (or imported).
    if event.type not in _DOSING or earlier.latest_of(_DOSING) is not None:
        return
    if not uow.episodes.verifications(header.id):
        raise NotVerifiedError(
            f"episode {header.id}'s order has not been verified: the first dose or rate needs "
            f"the pharmacist role to verify it first ('ketamine-cds episode verify {header.id}')"
        )


def _check_limits(
    header: EpisodeHeader,
    event: AnyEvent,
    references: tuple[LoadedProtocol, LoadedLimits],
    earlier: EventsSoFar,
) -> None:
    loaded, limits = references
    weight = parse_weight(header.weight.text)
    if isinstance(event, DoseGiven) and isinstance(event.dose, Mass):
        result = check_dose(loaded.protocol, weight, event.dose, limits.table)
        if result.verdict == "hard_limit_exceeded":
            raise LimitRefusedError(
                f"{result.reasons[0]} Nothing overrides a hard limit; the dose is not recorded",
                hard=True,
            )
        return
    if not isinstance(event, RateChange | Resume) or not isinstance(event.rate, Rate | PerKgRate):
        return
    rate = rate_of(event.rate, weight)
    result = check_rate(loaded.protocol, weight, rate, limits.table)
    if result.verdict == "hard_limit_exceeded":
        raise LimitRefusedError(
            f"{result.reasons[0]} Nothing overrides a hard limit; the rate is not recorded",
            hard=True,
        )
    if result.verdict != "soft_limit_exceeded":
        return
    # The engine decides whether a physician's override covers the rate (one reading of it).
    events = earlier.events
    probe = StoredEvent(
        episode_id=header.id,
        position=len(events) + 1,
        event_id="probe",
        type=event.type,
        at=event.at,
        recorded_at=event.at,
        recorded_by="probe",
        role="nurse",
        corrects=None,
        body=event_body(event),
    )
    answer = recommend(
        episode_of(header, known_events([*events, probe])), loaded.protocol, limits.table, event.at
    )
    if any(alert.kind == "soft_limit" for alert in answer.alerts):
        raise LimitRefusedError(
            f"{result.reasons[0]} Overriding it needs the physician role: a physician records "
            "an override with a reason (physician_override) before this rate is recorded",
            hard=False,
        )


# -- recommend now ----------------------------------------------------------------------------
def recommend_now(
    deps: RecordDeps, actor: str | None, episode_id: int, at: datetime | None = None
) -> MadeRecommendation:
    """What the protocol says to do at ``at`` (now when None), stored with what it rests on."""
    with (
        refusals_kept(deps, actor, "episode.recommend", _subject(episode_id), {"at": str(at)}),
        deps.uow() as uow,
    ):
        w = Writing(uow, authorised(uow, actor, "episode.recommend"), deps.clock.now())
        header = find_episode(uow, episode_id, for_update=True)
        references = _references(uow, deps, header.protocol_id)
        made = _recommend(w, header, uow.events.for_episode(header.id), at or w.now, references)
        uow.commit()
    return made


def _recommend(
    w: Writing,
    header: EpisodeHeader,
    events: list[StoredEvent],
    at: datetime,
    references: tuple[LoadedProtocol, LoadedLimits],
) -> MadeRecommendation:
    answer = _answer(w, header, events, at, references)
    return _store_recommendation(w, header, events, at, references, answer=answer)


def _answer(
    w: Writing,
    header: EpisodeHeader,
    events: list[StoredEvent],
    at: datetime,
    references: tuple[LoadedProtocol, LoadedLimits],
) -> Recommendation:
    loaded, limits = references
    # The engine is given everything and told what was known when (the knowledge cut-off).
    return recommend(
        episode_of(header, known_events(events)),
        loaded.protocol,
        limits.table,
        at,
        known_at=w.now,
    )


def _store_recommendation(  # noqa: PLR0913 - the answer and what it rests on
    w: Writing,
    header: EpisodeHeader,
    events: list[StoredEvent],
    at: datetime,
    references: tuple[LoadedProtocol, LoadedLimits],
    *,
    answer: Recommendation,
) -> MadeRecommendation:
    uow, user, made_at = w.uow, w.user, w.now
    loaded, limits = references
    seen = known_events(events, made_at)
    inputs = {
        "episode": digest(header.content()),
        "events": [event_digest(e) for e in seen if e.at <= at],
        "at": at,
        "known_at": made_at,
        "protocol_hash": loaded.content_hash,
        "limits_hash": limits.content_hash,
    }
    stored = uow.recommendations.add(
        NewRecommendation(
            episode_id=header.id,
            at=at,
            made_at=made_at,
            episode_version=header.version,
            input_digest=digest(inputs),
            output=output_text(answer),
            protocol_id=loaded.protocol.id,
            protocol_version=loaded.protocol.version,
            protocol_hash=loaded.content_hash,
            limits_version=limits.version,
            limits_hash=limits.content_hash,
            software_version=__version__,
            made_by=user.name,
            role=user.role,
        )
    )
    w.audit(
        "recommendation.store",
        _subject(header.id, "recommendation", stored.id),
        stored.content(),
        _versions(loaded, limits),
    )
    verified = any(e.type in _DOSING for e in events) or bool(uow.episodes.verifications(header.id))
    warnings: list[str] = []
    if not verified:
        warnings.append(
            "The order is not yet verified by a pharmacist: no dose or rate may be given "
            "before the pharmacist role verifies it."
        )
    if loaded.content_hash != header.protocol_hash:
        warnings.append(
            f"The protocol file {loaded.protocol.id} changed after the episode started "
            f"(content hash {header.protocol_hash[:12]}, now {loaded.content_hash[:12]})."
        )
    return MadeRecommendation(stored, answer, verified, tuple(warnings), header.patient)


# -- verification -----------------------------------------------------------------------------
def verify_order(
    deps: RecordDeps, actor: str | None, episode_id: int, note: str | None = None
) -> Verification:
    """A pharmacist's verification of the episode's order (before the first dose or rate)."""
    with (
        refusals_kept(deps, actor, "episode.verify", _subject(episode_id), {"note": note}),
        deps.uow() as uow,
    ):
        w = Writing(uow, authorised(uow, actor, "episode.verify"), deps.clock.now())
        header = find_episode(uow, episode_id, for_update=True)
        verification = Verification(header.id, w.user.name, w.now, note)
        number = uow.episodes.add_verification(verification)
        w.audit(
            "episode.verify", _subject(header.id, "verification", number), verification.content()
        )
        uow.episodes.advance(header.id, header.version, header.status)
        uow.commit()
    return verification
