"""``ketamine-cds pk``: simulate plasma ketamine for a regimen, and list the cited models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ketamine_cds.adapters.episode_files import read_episode_file
from ketamine_cds.adapters.plots import plot_simulation
from ketamine_cds.bootstrap import build
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.regimen import Regimen
from ketamine_cds.domain.units import BodyWeight
from ketamine_cds.entrypoints.cli.common import emit_json, notice, user_errors
from ketamine_cds.service import pk as service
from ketamine_cds.service.planning import plan

pk_app = typer.Typer(
    help="Pharmacokinetics: simulated plasma ketamine from cited models.", no_args_is_help=True
)


def _fmt(value: object, unit: str) -> str:
    return "not reached" if value is None else f"{value:g} {unit}"


def _print_ranges(ranges: dict[str, dict[str, Any]]) -> None:
    for name, item in ranges.items():
        low, high = item["seed_004_range"]
        flag = "within" if item["within"] else "OUTSIDE"
        typer.echo(f"  {name}: {item['value']:g} (seed 004: {low:g}-{high:g}, {flag})")


def _print_models(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        typer.echo(f"{row['id']}: {row['name']}")
        typer.echo(f"  source: {row['source']}")
        typer.echo(
            f"  routes: {', '.join(row['routes'])}; norketamine: "
            f"{'yes' if row['norketamine'] else 'no'}"
        )
        _print_ranges(row["against_seed_004"])
        typer.echo(f"  variability: {row['variability_note']}")
    typer.echo(notice())


@pk_app.command("models")
@user_errors
def models_command(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),  # noqa: FBT003
) -> None:
    """List the models, their sources, and their derived figures beside seed 004's ranges."""
    rows = service.models()
    if as_json:
        emit_json({"models": rows, "notice": notice()})
        return
    _print_models(rows)


def _regimen(
    protocol: str | None,
    episode: Path | None,
    rate: float | None,
    hours: float | None,
    route: str,
    weight_kg: float,
    phases: str | None,
) -> tuple[Regimen, list[str]]:
    given = [x for x in (protocol, episode, rate) if x is not None]
    if len(given) != 1:
        raise UserInputError("give exactly one of --protocol, --episode or --rate-mg-per-h")
    if episode is not None:
        recorded = read_episode_file(episode)
        planned = plan(build().protocols, recorded.protocol.id, recorded.patient.body_weight)
        return service.regimen_from_episode(recorded, planned.model_dump(mode="json"), hours or 0.0)
    if protocol is not None:
        planned = plan(build().protocols, protocol, BodyWeight.from_kg(weight_kg))
        wanted = tuple(p.strip() for p in phases.split(",")) if phases else ()
        return service.regimen_from_plan(
            planned.model_dump(mode="json"), hours or service.DEFAULT_OPEN_ENDED_H, wanted
        )
    if hours is None:
        raise UserInputError("--rate-mg-per-h needs --hours")
    assert rate is not None  # noqa: S101 - one of the three was given
    return service.regimen_from_rate(rate, hours, route), []


@pk_app.command("simulate")
@user_errors
def simulate_command(
    weight_kg: float | None = typer.Option(
        None, "--weight-kg", help="Body weight in kg (an episode file gives its own)."
    ),
    protocol: str | None = typer.Option(None, "--protocol", help="Simulate a protocol's plan."),
    episode: Path | None = typer.Option(None, "--episode", help="A recorded episode file."),
    rate: float | None = typer.Option(None, "--rate-mg-per-h", help="A constant rate (mg/h)."),
    hours: float | None = typer.Option(
        None,
        "--hours",
        help="Hours of the constant rate, or of an open-ended protocol phase (default 48).",
    ),
    route: str = typer.Option("iv", "--route", help="Route of --rate-mg-per-h."),
    phases: str | None = typer.Option(
        None, "--phases", help="Comma-separated protocol phase ids to simulate, in order."
    ),
    model: str = typer.Option(service.DEFAULT_MODEL, "--model", help="Model id (see pk models)."),
    population: int | None = typer.Option(None, "--population", help="Virtual patients."),
    seed: int = typer.Option(1, "--seed", help="Seed of the population sample."),
    threshold: float | None = typer.Option(
        None, "--threshold-ng-per-ml", help="Report the time above this level."
    ),
    plot: Path | None = typer.Option(None, "--plot", help="Write a PNG here."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),  # noqa: FBT003
) -> None:
    """Simulate plasma ketamine (and norketamine where the model has it) for a regimen."""
    if episode is not None and weight_kg is None:
        weight_kg = read_episode_file(episode).patient.body_weight.kg
    if weight_kg is None:
        raise UserInputError("--weight-kg is needed")
    regimen, notes = _regimen(protocol, episode, rate, hours, route, weight_kg, phases)
    result = service.simulate(
        regimen,
        weight_kg,
        model_id=model,
        population=population,
        seed=seed,
        threshold_ng_per_ml=threshold,
        notes=notes,
    )
    payload = result.payload
    if plot is not None:
        if plot.suffix.lower() != ".png":
            raise UserInputError("the plot file must end in .png")
        plot_simulation(
            plot, payload, regimen.rate_steps(), regimen.instant_doses(), result.model_name
        )
        payload["plot"] = str(plot)
    if as_json:
        emit_json(payload)
        return
    _print_simulation(payload)


def _print_routes(payload: dict[str, Any]) -> None:
    for route, info in payload["routes"].items():
        if "bioavailability" in info:
            alts = "; ".join(f"{a['value']:g} ({a['source']})" for a in info["alternatives"])
            typer.echo(
                f"Route {route}: bioavailability {info['bioavailability']['value']:g} "
                f"({info['bioavailability']['source']})"
                + (f"; other figures: {alts}" if alts else "")
            )
        for key in ("assumption", "derived"):
            if info.get(key):
                typer.echo(f"  {info[key]}")


def _print_simulation(payload: dict[str, Any]) -> None:
    m = payload["model"]
    typer.echo(f"Model: {m['name']} — {m['source']}")
    typer.echo(f"Regimen: {payload['regimen']['label']}, {payload['weight_kg']:g} kg")
    if "population" in payload:
        typer.echo(
            f"Population: {payload['population']['n']:,} virtual patients, "
            f"seed {payload['population']['seed']} (medians below)"
        )
    typer.echo(
        f"Steady state (phase {payload['regimen']['steady_state_for_phase']}): "
        f"{_fmt(payload['steady_state_ng_per_ml'], 'ng/mL')}"
    )
    typer.echo(f"Time to 90% of steady state: {_fmt(payload['time_to_90pct_steady_state_h'], 'h')}")
    typer.echo(
        f"Cmax: {_fmt(payload['cmax_ng_per_ml'], 'ng/mL')}; "
        f"AUC: {_fmt(payload['auc_ng_h_per_ml'], 'ng·h/mL')}"
    )
    derived = payload["derived"]
    typer.echo(
        f"Wash-out to 1/32 after the last dose: {_fmt(payload['washout_h'], 'h')} "
        f"(five terminal half-lives: {_fmt(derived['five_half_lives_h'], 'h')})"
    )
    if payload.get("time_above_threshold_h") is not None:
        typer.echo(f"Time above threshold: {payload['time_above_threshold_h']:g} h")
    nor = payload.get("norketamine")
    if nor:
        typer.echo(
            f"Norketamine: steady state {_fmt(nor['steady_state_ng_per_ml'], 'ng/mL')}, "
            f"Cmax {_fmt(nor['cmax_ng_per_ml'], 'ng/mL')}"
        )
    for name, item in derived["against_seed_004"].items():
        low, high = item["seed_004_range"]
        flag = "within" if item["within"] else "OUTSIDE"
        typer.echo(f"  {name}: {item['value']:g} (seed 004: {low:g}-{high:g}, {flag})")
    _print_routes(payload)
    _print_tail(payload)


def _print_tail(payload: dict[str, Any]) -> None:
    for line in payload["notes"]:
        typer.echo(f"Note: {line}")
    if "plot" in payload:
        typer.echo(f"Plot: {payload['plot']}")
    typer.echo(notice())


def register(app: typer.Typer) -> None:
    """Add the ``pk`` command group to the application."""
    app.add_typer(pk_app, name="pk")
