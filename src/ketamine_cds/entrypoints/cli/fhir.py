"""``ketamine-cds fhir import FILE``: a FHIR R4 Bundle read into an episode file and the regimen."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml

from ketamine_cds.adapters.documents import read_document
from ketamine_cds.adapters.fhir.episode_in import imported_json, read_episode_bundle
from ketamine_cds.bootstrap import build
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.entrypoints.cli.common import emit_json, user_errors
from ketamine_cds.service.protocols import load_protocol


def register(app: typer.Typer) -> None:
    """Add the ``fhir`` commands to ``app``."""
    group = typer.Typer(help="FHIR R4 in and out.", no_args_is_help=True)
    app.add_typer(group, name="fhir")

    @group.command("import")
    @user_errors
    def import_command(
        file: Annotated[Path, typer.Argument(help="A FHIR R4 Bundle (JSON).")],
        protocol: Annotated[
            str | None, typer.Option(help="Protocol id, when the order names none.")
        ] = None,
        pain_goal: Annotated[
            int | None, typer.Option(min=0, max=10, help="Pain goal, when the Bundle has none.")
        ] = None,
        out: Annotated[
            Path | None, typer.Option(help="Write the episode file (YAML) here.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Write JSON.")] = False,
    ) -> None:
        """Read the episode, its baseline and events, and the opioid regimen from a Bundle."""
        data = read_document(file, "FHIR Bundle", as_json=True)
        if not isinstance(data, dict):
            raise UserInputError(f"{file.name} is not a FHIR resource (a JSON object)")
        built = build()
        imported = read_episode_bundle(
            data,
            file.name,
            built.reference.opioid_products(),
            protocol_id=protocol,
            pain_goal=pain_goal,
        )
        load_protocol(built.protocols, imported.episode.protocol.id)
        result = imported_json(imported)
        if out is not None:
            text = yaml.safe_dump(result["episode"], sort_keys=False, allow_unicode=True)
            out.write_text(text, encoding="utf-8")
        if as_json:
            emit_json(result)
            return
        episode = imported.episode
        typer.echo(
            f"episode of {episode.patient.id or 'an unnamed patient'} ({episode.patient.weight}) "
            f"under {episode.protocol.id}, from {episode.started_at.isoformat()}: "
            f"{len(episode.events)} events"
        )
        if imported.concentration_mg_per_ml is not None:
            typer.echo(f"bag concentration: {imported.concentration_mg_per_ml:g} mg/mL")
        regimen = result["opioid_regimen"]
        items = 0 if regimen is None else len(regimen["regimen"].get("items", []))
        typer.echo(f"opioid regimen: {items} item(s)")
        for note in imported.notes:
            typer.echo(f"not read: {note}")
        if out is not None:
            typer.echo(f"episode file written to {out}")
