"""Bedside commands: ``recommend`` (what to do now) and ``replay`` (after every event).

Both exit with the most serious status among the recommendations they print: 4 when one carries
a hard-limit alert, 3 when one carries a soft-limit alert with no override in effect, else 0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ketamine_cds.bootstrap import build
from ketamine_cds.entrypoints.cli.common import (
    EXIT_STATUS_HELP,
    emit_json,
    notice,
    status_of_alerts,
    user_errors,
    with_references,
    worst_status,
)
from ketamine_cds.entrypoints.cli.options import At
from ketamine_cds.service.episodes import recommend_for, replay_episode

_ACTION_WORDS = {
    "start": "START",
    "increase": "INCREASE",
    "continue": "CONTINUE",
    "decrease": "DECREASE",
    "pause": "PAUSE",
    "resume": "RESUME",
    "stop": "STOP",
    "taper": "TAPER",
    "discontinue": "DISCONTINUE",
    "next_phase": "NEXT PHASE",
    "ask_physician": "ASK PHYSICIAN",
}


def _rate(item: dict[str, Any]) -> str:
    if item.get("dose_mg") is not None:
        return f"dose {item['dose_mg']:g} mg"
    if item.get("rate_mg_per_h") is None:
        return "rate set by the physician"
    return f"{item['rate_mg_per_h']:g} mg/h"


def _lines(item: dict[str, Any], *, full: bool) -> list[str]:
    head = (
        f"{item['at']}  {_ACTION_WORDS[item['action']]}  {_rate(item)}"
        f"  [{item['protocol_id']} {item['protocol_version']}, phase {item['phase']}]"
    )
    lines = [head]
    lines += [f"    ! {a['kind']}: {a['text']} ({a['source']})" for a in item["alerts"]]
    reasons = item["reasons"] if full else item["reasons"][:2]
    lines += [f"    - {r['text']} [{r['rule']}; {r['source']}]" for r in reasons]
    for prn in item["prn"]:
        state = "now" if prn["available_now"] else "not now"
        lines.append(
            f"    + PRN {prn['drug']} {prn['dose']} {prn['route'] or ''} ({state}): "
            f"{prn['note']} [{prn['rule']}; {prn['source']}]"
        )
    if item["next_assessment_at"]:
        lines.append(f"    next assessment: {item['next_assessment_at']}")
    return lines


def _status(items: list[dict[str, Any]]) -> int:
    return worst_status(status_of_alerts(a["kind"] for a in item["alerts"]) for item in items)


def register(app: typer.Typer) -> None:
    """Add the bedside commands to ``app``."""

    @app.command("recommend", epilog=EXIT_STATUS_HELP)
    @user_errors
    def recommend_command(
        episode: Annotated[Path, typer.Argument(help="Episode file (YAML or JSON).")],
        at: At,
        as_json: Annotated[bool, typer.Option("--json", help="Write JSON.")] = False,
    ) -> None:
        """What the protocol says to do at a moment of an episode, with rules and sources."""
        container = build()
        item = recommend_for(container.protocols, container.files.episode(episode), at).model_dump(
            mode="json"
        )
        if as_json:
            emit_json(item)
        else:
            lines = [*_lines(item, full=True), f"software {item['software_version']}", notice()]
            typer.echo(with_references("\n".join(lines)))
        raise typer.Exit(_status([item]))

    @app.command("replay", epilog=EXIT_STATUS_HELP)
    @user_errors
    def replay_command(
        episode: Annotated[Path, typer.Argument(help="Episode file (YAML or JSON).")],
        as_json: Annotated[bool, typer.Option("--json", help="Write JSON (a list).")] = False,
    ) -> None:
        """The recommendation after every event of an episode, as a timeline."""
        container = build()
        items = [
            item.model_dump(mode="json")
            for item in replay_episode(container.protocols, container.files.episode(episode))
        ]
        if as_json:
            emit_json(items)
        else:
            lines = [line for item in items for line in _lines(item, full=False)]
            if items:
                lines.append(f"software {items[0]['software_version']}")
            typer.echo(with_references("\n".join([*lines, notice()])))
        raise typer.Exit(_status(items))
