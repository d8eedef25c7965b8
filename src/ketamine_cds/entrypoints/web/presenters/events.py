"""An episode's events as the ward reads them: when, what, who wrote it, and what it corrects.

Events are append-only: a correction is a new event and an event entered in error stays in the
list, marked as withdrawn in words (not only struck through). An entry written well after the
moment it describes says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta, tzinfo

from ketamine_cds.domain.episode import (
    AnyEvent,
    DoseGiven,
    EnteredInError,
    Observation,
    OpioidUse,
    Pause,
    PhaseChange,
    PhysicianDecision,
    PhysicianOverride,
    PrnGiven,
    RateChange,
    Resume,
    Stop,
)
from ketamine_cds.domain.record import StoredEvent
from ketamine_cds.entrypoints.web.presenters.formatting import WARD_ZONE, age, clock, iso, words
from ketamine_cds.service.record_support import parse_event

TYPE_WORDS = {
    "observation": "Observation",
    "rate_change": "Rate change",
    "pause": "Pause",
    "resume": "Restart",
    "stop": "Stop",
    "dose_given": "Dose given",
    "prn_given": "As-needed (PRN) dose",
    "opioid_use": "Opioid use",
    "physician_override": "Physician's override",
    "physician_decision": "Physician's decision",
    "phase_change": "Phase change",
    "entered_in_error": "Entered in error",
}
LATE_ENTRY = timedelta(minutes=15)  # written this long after the moment: shown as a late entry
_VITALS = (
    ("pain", "pain", "/10"),
    ("heart_rate", "HR", "/min"),
    ("systolic_bp", "BP", ""),
    ("respiratory_rate", "RR", "/min"),
    ("spo2", "SpO₂", "%"),
    ("sedation", "sedation", ""),
)


@dataclass(frozen=True)
class EventRow:
    """One line of the events table."""

    position: int
    event_id: str
    type: str
    type_words: str
    at: str
    at_iso: str
    details: str
    note: str | None
    recorded_by: str
    role: str
    recorded_at: str
    late: str | None
    corrects: str | None
    withdrawn_by: str | None


def _observation(event: Observation) -> str:
    parts: list[str] = []
    for name, label, unit in _VITALS:
        value = getattr(event, name)
        if value is None:
            continue
        if name == "systolic_bp":
            diastolic = "" if event.diastolic_bp is None else f"/{event.diastolic_bp:g}"
            parts.append(f"BP {value:g}{diastolic} mm Hg")
        else:
            parts.append(f"{label} {value:g}{unit}")
    if event.diastolic_bp is not None and event.systolic_bp is None:
        parts.append(f"diastolic BP {event.diastolic_bp:g} mm Hg")
    if event.symptoms:
        named = [
            words(s.value) + (" (severe)" if s in event.severe else "") for s in event.symptoms
        ]
        if event.other_symptom:
            named.append(event.other_symptom)
        parts.append("symptoms: " + ", ".join(named))
    if event.troublesome:
        parts.append("side effects troublesome to the patient")
    return "; ".join(parts)


def describe(event: AnyEvent) -> str:  # noqa: C901, PLR0911, PLR0912 - one line per kind of event
    """What the event records, in one line."""
    if isinstance(event, Observation):
        return _observation(event)
    if isinstance(event, RateChange):
        return f"set to {event.rate} by {event.by}"
    if isinstance(event, Resume):
        rate = "the earlier rate" if event.rate is None else str(event.rate)
        return f"restarted at {rate} by {event.by}"
    if isinstance(event, Pause):
        why = f": {event.reason}" if event.reason else ""
        cause = " (for side effects)" if event.for_side_effects else ""
        return f"paused by {event.by}{cause}{why}"
    if isinstance(event, Stop):
        return f"stopped by {event.by}" + (f": {event.reason}" if event.reason else "")
    if isinstance(event, DoseGiven):
        route = f" {event.route.value}" if event.route else ""
        return f"{event.dose}{route} given by {event.by}"
    if isinstance(event, PrnGiven):
        route = f" {event.route.value}" if event.route else ""
        return f"{event.drug} {event.dose}{route} given by {event.by}"
    if isinstance(event, OpioidUse):
        parts = []
        if event.med_mg_per_24h is not None:
            parts.append(f"oral morphine equivalent {event.med_mg_per_24h:g} mg over 24 h")
        if event.breakthrough_doses_24h is not None:
            parts.append(f"{event.breakthrough_doses_24h} breakthrough doses in 24 h")
        return "; ".join(parts)
    if isinstance(event, PhysicianOverride):
        limit = "" if event.up_to is None else f" up to {event.up_to}"
        return f"soft limit overridden{limit} by {event.physician}. Reason: {event.reason}"
    if isinstance(event, PhysicianDecision):
        why = f". Reason: {event.reason}" if event.reason else ""
        return f"{event.decision} ({event.physician}){why}"
    if isinstance(event, PhaseChange):
        return f"to phase {event.to_phase} by {event.by}"
    if isinstance(event, EnteredInError):
        return f"event {event.corrects} withdrawn by {event.by}. Reason: {event.reason}"
    return event.type  # pragma: no cover - every kind of event is named above


def event_rows(events: Sequence[StoredEvent], tz: tzinfo = WARD_ZONE) -> tuple[EventRow, ...]:
    """The events, newest first (by when they happened), each with who wrote it and when."""
    parsed = [(stored, parse_event(stored.body)) for stored in events]
    withdrawn = {
        event.corrects: stored.event_id
        for stored, event in parsed
        if isinstance(event, EnteredInError) and event.corrects is not None
    }
    rows = []
    for stored, event in parsed:
        delay = stored.recorded_at - stored.at
        rows.append(
            EventRow(
                position=stored.position,
                event_id=stored.event_id,
                type=stored.type,
                type_words=TYPE_WORDS.get(stored.type, words(stored.type)),
                at=clock(stored.at, tz),
                at_iso=iso(stored.at),
                details=describe(event),
                note=event.note,
                recorded_by=stored.recorded_by,
                role=stored.role,
                recorded_at=clock(stored.recorded_at, tz),
                late=f"written {age(delay)} later" if delay > LATE_ENTRY else None,
                corrects=None if event.type == "entered_in_error" else stored.corrects,
                withdrawn_by=withdrawn.get(stored.event_id),
            )
        )
    rows.sort(key=lambda row: (row.at_iso, row.position), reverse=True)
    return tuple(rows)
