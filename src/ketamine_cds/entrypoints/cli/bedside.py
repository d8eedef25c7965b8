"""Bedside commands: ``recommend`` (what to do now) and ``replay`` (after every event)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ketamine_cds.entrypoints.cli.common import emit_json, notice, user_errors
from ketamine_cds.service.episodes import parse_time, recommend_file, replay_file

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


def register(app: typer.Typer) -> None:
    """Add the bedside commands to ``app``."""

    @app.command("recommend")
    @user_errors
    def recommend_command(
        episode: Path = typer.Argument(..., help="Episode file (YAML or JSON)."),
        at: str = typer.Option(..., "--at", help="Time with zone, e.g. 2024-03-02T08:00Z."),
        as_json: Annotated[bool, typer.Option("--json", help="Write JSON.")] = False,
    ) -> None:
        """What the protocol says to do at a moment of an episode, with rules and sources."""
        item = recommend_file(episode, parse_time(at))
        if as_json:
            emit_json(item)
            return
        typer.echo("\n".join(_lines(item, full=True)))
        typer.echo(f"software {item['software_version']}")
        typer.echo(notice())

    @app.command("replay")
    @user_errors
    def replay_command(
        episode: Path = typer.Argument(..., help="Episode file (YAML or JSON)."),
        as_json: Annotated[bool, typer.Option("--json", help="Write JSON (a list).")] = False,
    ) -> None:
        """The recommendation after every event of an episode, as a timeline."""
        items = replay_file(episode)
        if as_json:
            emit_json(items)
            return
        for item in items:
            typer.echo("\n".join(_lines(item, full=False)))
        if items:
            typer.echo(f"software {items[0]['software_version']}")
        typer.echo(notice())
