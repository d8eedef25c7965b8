"""What the record's commands share: the container, the acting user, JSON shapes, exit codes."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

import typer

from ketamine_cds.bootstrap import RecordContainer, bootstrap, record_container
from ketamine_cds.domain.record import (
    EpisodeHeader,
    LimitRefusedError,
    StaleRecommendationError,
    StoredEvent,
    StoredRecommendation,
)
from ketamine_cds.entrypoints.cli.common import (
    EXIT_HARD_LIMIT,
    EXIT_SOFT_OR_INCOMPLETE,
    user_errors,
)
from ketamine_cds.service.episodes import parse_time

P = ParamSpec("P")
R = TypeVar("R")

AS_HELP = "Act as this user of the record (default: KETAMINE_CDS_USER)."


def container(*, check_schema: bool = True) -> RecordContainer:
    """The record's adapters for the settings of this process."""
    built = record_container(bootstrap())
    if check_schema:
        built.require_current()
    return built


def actor(built: RecordContainer, as_name: str | None) -> str | None:
    """The acting user's name: ``--as``, else the settings' user."""
    return as_name or built.settings.user


def when(text: str | None) -> datetime | None:
    """A time from ``--at`` (None for ``now``, which the use case takes from the clock)."""
    if text is None or text.strip().lower() == "now":
        return None
    return parse_time(text)


def record_errors(func: Callable[P, R]) -> Callable[P, R]:
    """One sentence on stderr for every refusal; a hard limit exits 4, a soft one 3, else 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except LimitRefusedError as refusal:
            typer.echo(f"error: {str(refusal).rstrip('.')}.", err=True)
            raise typer.Exit(EXIT_HARD_LIMIT if refusal.hard else EXIT_SOFT_OR_INCOMPLETE) from None
        except StaleRecommendationError as stale:
            typer.echo(f"error: {str(stale).rstrip('.')}.", err=True)
            if stale.latest is not None:
                typer.echo(json.dumps(recommendation_json(stale.latest), indent=2), err=True)
            raise typer.Exit(2) from None

    return user_errors(wrapper)


def header_json(header: EpisodeHeader) -> dict[str, Any]:
    """An episode's header as JSON."""
    return {
        "id": header.id,
        "patient": header.patient,
        "weight": header.weight.text,
        "weight_kg": header.weight.kg,
        "protocol_id": header.protocol_id,
        "protocol_version": header.protocol_version,
        "protocol_hash": header.protocol_hash,
        "concentration_mg_per_ml": header.concentration_mg_per_ml,
        "phase": header.phase,
        "started_at": header.started_at.isoformat(),
        "started_by": header.started_by,
        "status": header.status,
        "version": header.version,
    }


def event_json(event: StoredEvent) -> dict[str, Any]:
    """A stored event as JSON: where it sits, and the event itself in the file format."""
    return {
        "episode_id": event.episode_id,
        "position": event.position,
        "id": event.event_id,
        "type": event.type,
        "at": event.at.isoformat(),
        "recorded_at": event.recorded_at.isoformat(),
        "recorded_by": event.recorded_by,
        "role": event.role,
        "corrects": event.corrects,
        "event": json.loads(event.body),
    }


def recommendation_json(stored: StoredRecommendation) -> dict[str, Any]:
    """A stored recommendation as JSON, with what it was computed from."""
    return {
        "id": stored.id,
        "episode_id": stored.episode_id,
        "at": stored.at.isoformat(),
        "made_at": stored.made_at.isoformat(),
        "episode_version": stored.episode_version,
        "input_digest": stored.input_digest,
        "protocol_id": stored.protocol_id,
        "protocol_version": stored.protocol_version,
        "protocol_hash": stored.protocol_hash,
        "limits_version": stored.limits_version,
        "limits_hash": stored.limits_hash,
        "software_version": stored.software_version,
        "made_by": stored.made_by,
        "role": stored.role,
        "output": json.loads(stored.output),
    }


def recommendation_lines(stored: StoredRecommendation) -> list[str]:
    """A stored recommendation for people: action, rate, rule and source, alerts, next look."""
    item = json.loads(stored.output)
    rate = "" if item["rate_mg_per_h"] is None else f"  {item['rate_mg_per_h']:g} mg/h"
    dose = "" if item.get("dose_mg") is None else f"  dose {item['dose_mg']:g} mg"
    head = (
        f"recommendation {stored.id}  {item['at']}  {item['action'].upper()}{rate}{dose}"
        f"  [{item['protocol_id']} {item['protocol_version']}, phase {item['phase']}]"
    )
    lines = [head]
    lines += [f"    ! {a['kind']}: {a['text']} ({a['source']})" for a in item["alerts"]]
    lines += [f"    - {r['text']} [{r['rule']}; {r['source']}]" for r in item["reasons"]]
    if item["next_assessment_at"]:
        lines.append(f"    next assessment: {item['next_assessment_at']}")
    lines.append(
        f"    made {stored.made_at.isoformat(timespec='seconds')} by {stored.made_by} "
        f"({stored.role}) at episode version {stored.episode_version}; protocol hash "
        f"{stored.protocol_hash[:12]}, limits {stored.limits_version}, software "
        f"{stored.software_version}"
    )
    return lines
