"""What the record's commands share: the container, the acting user, JSON shapes, exit codes."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime
from typing import ParamSpec, TypeVar

import typer

from ketamine_cds.bootstrap import RecordContainer, bootstrap, record_container
from ketamine_cds.domain.moments import parse_time
from ketamine_cds.domain.record import (
    LimitRefusedError,
    StaleRecommendationError,
    StoredRecommendation,
)
from ketamine_cds.entrypoints.cli.common import (
    EXIT_HARD_LIMIT,
    EXIT_SOFT_OR_INCOMPLETE,
    user_errors,
)
from ketamine_cds.entrypoints.presenters import recommendation_json

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
