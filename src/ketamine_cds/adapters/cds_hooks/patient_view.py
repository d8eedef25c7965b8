"""The ``patient-view`` card for a patient on a ketamine infusion.

What the ward board shows, where the clinician already is: the rate running now (mg/h, and mL/h
when the bag is known), the last pain score and how old it is, whether the next assessment is
overdue, the open alerts of the latest recommendation, and the oral morphine equivalent last
recorded. Critical when an alert is a hard limit or a stop criterion; a warning when an
assessment is overdue or any alert is open; otherwise information.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from ketamine_cds import DECISION_SUPPORT_NOTICE
from ketamine_cds.adapters.cds_hooks.models import Card, Link, Source
from ketamine_cds.adapters.cds_hooks.order_cards import _fit
from ketamine_cds.adapters.cds_hooks.ports import ActiveEpisode
from ketamine_cds.domain.episode import (
    Episode,
    Observation,
    OpioidUse,
    Pause,
    RateChange,
    Resume,
    Stop,
    rate_of,
)
from ketamine_cds.domain.protocols.figures import num
from ketamine_cds.domain.units import Rate

_CRITICAL = frozenset({"hard_limit", "stop_criterion"})


def age_text(age: timedelta) -> str:
    """A duration as a clinician says it: ``40 min``, ``3 h 5 min``, ``2 days 4 h``."""
    minutes = max(0, int(age.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days > 1 else ''} {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def running_rate(episode: Episode, now: datetime) -> tuple[str, Rate | None]:
    """What the pump is doing now by the record: running at a rate, paused, stopped, not started."""
    weight = episode.patient.body_weight
    state, rate = "not started", None
    last_rate: Rate | None = None
    for event in episode.events:
        if event.at > now:
            break
        if isinstance(event, RateChange):
            last_rate = rate_of(event.rate, weight)  # type: ignore[arg-type]
            state, rate = "running", last_rate
        elif isinstance(event, Resume):
            if event.rate is not None:
                last_rate = rate_of(event.rate, weight)  # type: ignore[arg-type]
            state, rate = "running", last_rate
        elif isinstance(event, Pause):
            state, rate = "paused", None
        elif isinstance(event, Stop):
            state, rate = "stopped", None
    return state, rate


def _last_pain(episode: Episode, now: datetime) -> Observation | None:
    scored = [e for e in episode.events if isinstance(e, Observation) and e.pain is not None]
    scored = [e for e in scored if e.at <= now]
    return scored[-1] if scored else None


def _last_med(episode: Episode, now: datetime) -> OpioidUse | None:
    found = [
        e
        for e in episode.events
        if isinstance(e, OpioidUse) and e.med_mg_per_24h is not None and e.at <= now
    ]
    return found[-1] if found else None


def patient_card(
    active: ActiveEpisode,
    now: datetime,
    source: Source,
    links: tuple[Link, ...],
    card_id: uuid.UUID,
) -> Card:
    """The card for a patient with an active episode."""
    episode, recommendation = active.episode, active.recommendation
    state, rate = running_rate(episode, now)
    if rate is not None:
        pump = ""
        if active.concentration_mg_per_ml:
            pump = f" ({num(rate.mg_per_h / active.concentration_mg_per_ml)} mL/h)"
        running = f"{num(rate.mg_per_h)} mg/h{pump}"
    else:
        running = state
    pain = _last_pain(episode, now)
    pain_text = (
        f"pain {pain.pain}/10 {age_text(now - pain.at)} ago"
        if pain is not None
        else "no pain score"
    )
    alerts = list(recommendation.alerts) if recommendation is not None else []
    due = recommendation.next_assessment_at if recommendation is not None else None
    overdue = due is not None and due < now
    lines = [
        f"- Infusion: {running}, protocol `{episode.protocol.id}`",
        f"- Last pain score: {pain_text}"
        + (f" (goal {episode.pain_goal}/10)" if pain is not None else ""),
    ]
    if due is not None:
        when = f"overdue by {age_text(now - due)}" if overdue else f"due {due.isoformat()}"
        lines.append(f"- Next assessment: {when}")
    med = _last_med(episode, now)
    if med is not None:
        lines.append(
            f"- Oral morphine equivalent: {num(med.med_mg_per_24h or 0)} mg/24 h "
            f"(recorded {age_text(now - med.at)} ago)"
        )
    else:
        lines.append("- Oral morphine equivalent: not recorded")
    if recommendation is not None:
        lines.append(f"- Latest recommendation: {recommendation.action.replace('_', ' ')}")
    if alerts:
        lines += ["", "**Open alerts**", ""]
        lines += [f"- {a.kind.replace('_', ' ')}: {a.text} ({a.source})" for a in alerts]
    lines += ["", f"_{DECISION_SUPPORT_NOTICE}_"]
    if any(a.kind in _CRITICAL for a in alerts):
        indicator = "critical"
    elif overdue or alerts:
        indicator = "warning"
    else:
        indicator = "info"
    tail = "; assessment overdue" if overdue else ""
    if alerts:
        tail += f"; {len(alerts)} open alert{'s' if len(alerts) > 1 else ''}"
    return Card(
        uuid=card_id,
        summary=_fit(f"Ketamine infusion {running}; {pain_text}", tail),
        detail="\n".join(lines),
        indicator=indicator,
        source=source,
        links=list(links) or None,
    )
