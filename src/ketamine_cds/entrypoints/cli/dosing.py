"""Protocol listing, dose plans and dose checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ketamine_cds.bootstrap import build
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.domain.units import BodyWeight, Concentration, Duration, Mass, Rate
from ketamine_cds.domain.vocabulary import Route
from ketamine_cds.entrypoints.cli.common import (
    EXIT_HARD_LIMIT,
    EXIT_OK,
    EXIT_SOFT_OR_INCOMPLETE,
    EXIT_STATUS_HELP,
    emit_json,
    notice,
    user_errors,
    with_references,
)
from ketamine_cds.entrypoints.cli.options import (
    Concentration as ConcentrationOption,
)
from ketamine_cds.entrypoints.cli.options import (
    DoseMg,
    JsonFlag,
    OverMin,
    Phase,
    ProtocolId,
    RateMgPerH,
    WeightKg,
    WeightLb,
    name_text,
)
from ketamine_cds.entrypoints.cli.render import render_check, render_plan, render_protocol_list
from ketamine_cds.entrypoints.presenters import check_json, protocol_summary
from ketamine_cds.service import planning
from ketamine_cds.service.protocols import list_protocols, load_protocol

if TYPE_CHECKING:  # built by the plan command only; a check does without them
    from ketamine_cds.domain.protocols.plan_output import PlanOut

RouteOption = Annotated[
    Route | None,
    typer.Option(
        "--route",
        help="Route of the dose (iv, sc, im, oral, sublingual, intranasal); the single-dose hard "
        "limit is by route. Omitted: the phase's route, else intravenous (the strictest).",
        case_sensitive=False,
    ),
]

EXIT_CODES = {
    "within_protocol": EXIT_OK,
    "soft_limit_exceeded": EXIT_SOFT_OR_INCOMPLETE,
    "hard_limit_exceeded": EXIT_HARD_LIMIT,
}

protocol_app = typer.Typer(
    help="Show, export the schema of, or validate protocol files.", epilog=EXIT_STATUS_HELP
)


def _weight(weight_kg: float | None, weight_lb: float | None) -> BodyWeight:
    if (weight_kg is None) == (weight_lb is None):
        raise UserInputError("give the patient's weight once, with --weight-kg or --weight-lb")
    if weight_kg is not None:
        return BodyWeight.from_kg(weight_kg)
    assert weight_lb is not None  # noqa: S101 - exactly one was given
    return BodyWeight.from_lb(weight_lb)


@user_errors
def protocols_command(as_json: JsonFlag = False) -> None:
    """List the protocols the product can use."""
    found = list_protocols(build().protocols)
    if as_json:
        emit_json([protocol_summary(p) for p in found])
        return
    typer.echo(render_protocol_list(found))
    typer.echo(notice())


@user_errors
def show_command(
    protocol_id: Annotated[str, typer.Argument(help="Protocol id.", parser=name_text)],
    as_json: JsonFlag = False,
) -> None:
    """Show one protocol as its committee approved it (YAML-equivalent JSON with --json)."""
    protocol = load_protocol(build().protocols, protocol_id)
    if as_json:
        emit_json(protocol.model_dump(mode="json", exclude_none=True))
        return
    body = json.dumps(
        protocol.model_dump(mode="json", exclude_none=True), indent=2, ensure_ascii=False
    )
    typer.echo(
        "\n".join(
            [f"{protocol.title} — {protocol.id} v{protocol.version}", protocol.summary, "", body]
        )
    )
    typer.echo(notice())


def schema_command() -> None:
    """Print the protocol file JSON Schema (the published, versioned contract)."""
    emit_json(Protocol.model_json_schema())


@user_errors
def validate_command(
    path: Annotated[Path, typer.Argument(help="Protocol file (YAML).")],
) -> None:
    """Validate a protocol file against the schema; one sentence if it does not match."""
    protocol = build().files.protocol(path)
    typer.echo(f"{path}: valid protocol '{protocol.id}' v{protocol.version}")


@user_errors
def plan_command(
    protocol_id: ProtocolId,
    weight_kg: WeightKg = None,
    weight_lb: WeightLb = None,
    concentration: ConcentrationOption = None,
    as_json: JsonFlag = False,
) -> None:
    """The dose plan of a protocol for a patient: doses, limits, monitoring and orders."""
    bag = None if concentration is None else Concentration.of(concentration, "mg/mL")
    result: PlanOut = planning.plan(
        build().protocols, protocol_id, _weight(weight_kg, weight_lb), bag
    )
    if as_json:
        emit_json(result.model_dump(mode="json"))
        return
    typer.echo(with_references(f"{render_plan(result)}\n{notice()}"))


@user_errors
def check_command(
    protocol_id: ProtocolId,
    weight_kg: WeightKg = None,
    weight_lb: WeightLb = None,
    rate: RateMgPerH = None,
    dose: DoseMg = None,
    over: OverMin = None,
    phase: Phase = None,
    route: RouteOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Check a rate or a dose against the protocol's soft and the product's hard limits."""
    if (rate is None) == (dose is None):
        raise UserInputError("give either --rate-mg-per-h or --dose-mg, not both or neither")
    if over is not None and dose is None:
        raise UserInputError("--over-min goes with --dose-mg")
    result = planning.check(
        build().protocols,
        protocol_id,
        _weight(weight_kg, weight_lb),
        rate=None if rate is None else Rate.of(rate, "mg/hour"),
        dose=None if dose is None else Mass.of(dose, "mg"),
        over=None if over is None else Duration.of(over, "minute"),
        phase_id=phase,
        route=route,
    )
    if as_json:
        emit_json(check_json(result))
    else:
        typer.echo(with_references(f"{render_check(result)}\n{notice()}"))
    raise typer.Exit(EXIT_CODES[result.verdict])


def register(app: typer.Typer) -> None:
    """Add the dosing commands to ``app``."""
    app.command("protocols", epilog=EXIT_STATUS_HELP)(protocols_command)
    protocol_app.command("show", epilog=EXIT_STATUS_HELP)(show_command)
    protocol_app.command("schema", epilog=EXIT_STATUS_HELP)(schema_command)
    protocol_app.command("validate", epilog=EXIT_STATUS_HELP)(validate_command)
    app.add_typer(protocol_app, name="protocol")
    app.command("plan", epilog=EXIT_STATUS_HELP)(plan_command)
    app.command("check", epilog=EXIT_STATUS_HELP)(check_command)
