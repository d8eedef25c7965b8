"""``ketamine-cds pk``: simulate plasma ketamine for a regimen, and list the cited models.

The simulator's numeric stack (numpy, numba, matplotlib) is imported inside the commands, so
that the rest of the command line starts without it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk import (
    DEFAULT_MODEL,
    DEFAULT_OPEN_ENDED_H,
    MAX_POPULATION,
    MAX_SEED,
    MAX_SIMULATED_H,
)
from ketamine_cds.entrypoints.cli.common import (
    EXIT_HARD_LIMIT,
    EXIT_OK,
    EXIT_SOFT_OR_INCOMPLETE,
    emit_json,
    notice,
    user_errors,
    worst_status,
)

if TYPE_CHECKING:
    from ketamine_cds.domain.pk.regimen import Regimen
    from ketamine_cds.domain.protocols.check import CheckResult

EXIT_BY_VERDICT = {
    "within_protocol": EXIT_OK,
    "soft_limit_exceeded": EXIT_SOFT_OR_INCOMPLETE,
    "hard_limit_exceeded": EXIT_HARD_LIMIT,
}


DOSE_WORDS = {"racemic": "racemic ketamine", "s-ketamine": "S-ketamine (esketamine)"}

pk_app = typer.Typer(
    help="Pharmacokinetics: simulated plasma ketamine from cited models.", no_args_is_help=True
)


def _fmt(value: object, unit: str) -> str:
    return "not reached" if value is None else f"{value:g} {unit}"


def _print_ranges(ranges: dict[str, dict[str, Any]]) -> None:
    for name, item in ranges.items():
        low, high = item["seed_004_range"]
        flag = "within" if item["within"] else "OUTSIDE"
        extra = ""
        if "volume_beta_l_per_kg" in item:
            extra = f", Vβ {item['volume_beta_l_per_kg']:g}"
        if "seed_004_terminal_range_h" in item:
            t_lo, t_hi = item["seed_004_terminal_range_h"]
            extra = f"; terminal {t_lo:g}-{t_hi:g} h"
        readings = f" as {', '.join(item['within_as'])}" if item.get("within_as") else ""
        typer.echo(
            f"  {name}: {item['value']:g} (seed 004: {low:g}-{high:g}{extra}, {flag}{readings})"
        )


def _print_models(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        typer.echo(f"{row['id']}: {row['name']}")
        typer.echo(f"  source: {row['source']}")
        if row.get("citation_note"):
            typer.echo(f"  citation: {row['citation_note']}")
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
    from ketamine_cds.service import pk as service  # noqa: PLC0415 - the numeric stack, on use

    rows = service.models()
    if as_json:
        emit_json({"models": rows, "notice": notice()})
        return
    _print_models(rows)


def _number(text: str | None, name: str) -> float | None:
    """A number typed for an option, or one sentence saying it is not one."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise UserInputError(f"{name} must be a number, not '{text}'") from None


def _whole(text: str | None, name: str) -> int | None:
    """A whole number typed for an option, or one sentence saying it is not one."""
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise UserInputError(f"{name} must be a whole number, not '{text}'") from None


def _finite(value: float | None, name: str, low: float, *, above: bool = True) -> None:
    """Refuse a number that is not finite or not above (or at least) ``low``."""
    if value is None:
        return
    ok = math.isfinite(value) and (value > low if above else value >= low)
    if not ok:
        relation = f"above {low:g}" if above else f"of {low:g} or more"
        raise UserInputError(f"{name} must be a finite number {relation}")


# An option that only some sources take is refused elsewhere rather than silently ignored.
_ONLY_WITH = (
    ("phases", "protocol", "--phases chooses phases of a --protocol"),
    ("hold_at_step", "protocol", "--hold-at-step holds a --protocol's titration"),
    ("route", "rate", "--route is the route of --rate-mg-per-h"),
    ("seed", "population", "--seed chooses the patients of --population"),
)


def _check_options(**given: Any) -> None:  # noqa: ANN401 - the options, by their names
    """Every option that can be refused before anything is read or simulated."""
    sources = [given[k] for k in ("protocol", "episode", "rate") if given[k] is not None]
    if len(sources) != 1:
        raise UserInputError("give exactly one of --protocol, --episode or --rate-mg-per-h")
    for option, needs, what in _ONLY_WITH:
        if given[option] is not None and given[needs] is None:
            raise UserInputError(f"{what}; it cannot be used here")
    rate, hours, episode = given["rate"], given["hours"], given["episode"]
    if rate is not None and hours is None:
        raise UserInputError("--rate-mg-per-h needs --hours")
    _finite(rate, "--rate-mg-per-h", 0.0)
    _finite(hours, "--hours", 0.0, above=episode is None)
    if episode is not None and given["weight_kg"] is not None:
        raise UserInputError("an episode file gives its own weight; leave out --weight-kg")
    if hours is not None and hours > MAX_SIMULATED_H:
        raise UserInputError(f"--hours must be at most {MAX_SIMULATED_H:g} h")
    _finite(given["weight_kg"], "--weight-kg", 0.0)
    _check_counts(given["hold_at_step"], given["population"], given["seed"])
    if given["plot"] is not None:
        _check_plot_path(given["plot"])


def _check_counts(hold_at_step: int | None, population: int | None, seed: int | None) -> None:
    if hold_at_step is not None and hold_at_step < 0:
        raise UserInputError("the step to hold at must be 0 or above")
    if population is not None and not (1 <= population <= MAX_POPULATION):
        raise UserInputError(f"the population must be between 1 and {MAX_POPULATION:,} patients")
    if seed is not None and not (0 <= seed <= MAX_SEED):
        raise UserInputError(f"the seed must be a whole number from 0 to {MAX_SEED}")


def _check_plot_path(plot: Path) -> None:
    if plot.suffix.lower() != ".png":
        raise UserInputError("the plot file must end in .png")
    if plot.is_dir():
        raise UserInputError(f"the plot file {plot} is a folder")
    folder = plot.parent
    if not folder.is_dir():
        raise UserInputError(f"the folder of the plot file, {folder}, does not exist")


def _regimen(
    protocol: str | None,
    episode: Path | None,
    rate: float | None,
    hours: float | None,
    route: str | None,
    weight_kg: float,
    phases: str | None,
    hold_at_step: int | None,
) -> tuple[Regimen, list[str]]:
    from ketamine_cds.bootstrap import build  # noqa: PLC0415
    from ketamine_cds.domain.units import BodyWeight  # noqa: PLC0415
    from ketamine_cds.service import pk as service  # noqa: PLC0415
    from ketamine_cds.service.planning import plan  # noqa: PLC0415

    container = build()
    if episode is not None:
        recorded = container.files.episode(episode)
        planned = plan(container.protocols, recorded.protocol.id, recorded.patient.body_weight)
        return service.regimen_from_episode(
            recorded, planned.model_dump(mode="json"), hours or 0.0
        )
    if protocol is not None:
        planned = plan(container.protocols, protocol, BodyWeight.from_kg(weight_kg))
        wanted = tuple(p.strip() for p in phases.split(",")) if phases else ()
        return service.regimen_from_plan(
            planned.model_dump(mode="json"), hours or DEFAULT_OPEN_ENDED_H, wanted, hold_at_step
        )
    assert rate is not None  # noqa: S101 - checked in _check_options
    assert hours is not None  # noqa: S101 - checked in _check_options
    return service.regimen_from_rate(rate, hours, route or "iv"), []


@pk_app.command("simulate")
@user_errors
def simulate_command(
    weight_text: str | None = typer.Option(
        None,
        "--weight-kg",
        metavar="KG",
        help="Body weight in kg (an episode file gives its own).",
    ),
    protocol: str | None = typer.Option(None, "--protocol", help="Simulate a protocol's plan."),
    episode: Path | None = typer.Option(None, "--episode", help="A recorded episode file."),
    rate_text: str | None = typer.Option(
        None, "--rate-mg-per-h", metavar="MG_PER_H", help="A constant rate (mg/h)."
    ),
    hours_text: str | None = typer.Option(
        None,
        "--hours",
        metavar="HOURS",
        help=(
            "Hours of the constant rate, or of an open-ended protocol phase (default "
            f"{DEFAULT_OPEN_ENDED_H:g}), or beyond an episode's last event (default 0)."
        ),
    ),
    route: str | None = typer.Option(None, "--route", help="Route of --rate-mg-per-h (iv)."),
    phases: str | None = typer.Option(
        None, "--phases", help="Comma-separated protocol phase ids to simulate, in order."
    ),
    hold_text: str | None = typer.Option(
        None,
        "--hold-at-step",
        metavar="STEPS",
        help="Stop a protocol's titration after this many steps (0 = hold the start rate); "
        "by default it is followed to the ceiling.",
    ),
    dose_form: str = typer.Option(
        "racemic",
        "--dose-form",
        help="What the doses are of: racemic (the protocols' ketamine) or s-ketamine "
        "(esketamine). An S-ketamine model takes half of a racemic dose.",
    ),
    model: str = typer.Option(DEFAULT_MODEL, "--model", help="Model id (see pk models)."),
    population_text: str | None = typer.Option(
        None, "--population", metavar="N", help="Virtual patients."
    ),
    seed_text: str | None = typer.Option(
        None, "--seed", metavar="SEED", help="Seed of the population sample (0 or above; 1)."
    ),
    threshold_text: str | None = typer.Option(
        None, "--threshold-ng-per-ml", metavar="NG_PER_ML", help="Report the time above this level."
    ),
    plot: Path | None = typer.Option(None, "--plot", help="Write a PNG here."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),  # noqa: FBT003
) -> None:
    """Simulate plasma ketamine (and norketamine where the model has it) for a regimen."""
    weight_kg = _number(weight_text, "--weight-kg")
    rate = _number(rate_text, "--rate-mg-per-h")
    hours = _number(hours_text, "--hours")
    threshold = _number(threshold_text, "--threshold-ng-per-ml")
    hold_at_step = _whole(hold_text, "--hold-at-step")
    population = _whole(population_text, "--population")
    seed = _whole(seed_text, "--seed")
    _check_options(
        protocol=protocol,
        episode=episode,
        rate=rate,
        hours=hours,
        weight_kg=weight_kg,
        phases=phases,
        hold_at_step=hold_at_step,
        population=population,
        seed=seed,
        route=route,
        plot=plot,
    )
    from ketamine_cds.adapters.episode_files import read_episode_file  # noqa: PLC0415
    from ketamine_cds.service import pk as service  # noqa: PLC0415

    if episode is not None:
        weight_kg = read_episode_file(episode).patient.body_weight.kg
    if weight_kg is None:
        raise UserInputError("--weight-kg is needed")
    regimen, notes = _regimen(
        protocol, episode, rate, hours, route, weight_kg, phases, hold_at_step
    )
    verdicts = _checked(regimen, protocol, episode, weight_kg)
    result = service.simulate(
        regimen,
        weight_kg,
        model_id=model,
        population=population,
        seed=1 if seed is None else seed,
        threshold_ng_per_ml=threshold,
        notes=notes,
        dose_form=dose_form,
    )
    payload = result.payload
    payload["dose_checks"] = service.dose_checks_payload(verdicts)
    if plot is not None:
        _write_plot(plot, payload, regimen, result.model_name)
        payload["plot"] = str(plot)
    if as_json:
        emit_json(payload)
    else:
        _print_simulation(payload)
    raise typer.Exit(worst_status(EXIT_BY_VERDICT[v.verdict] for v in verdicts))


def _checked(
    regimen: Regimen, protocol: str | None, episode: Path | None, weight_kg: float
) -> list[CheckResult]:
    """The regimen's figures through the one dose check, under the protocol they came from."""
    from ketamine_cds.bootstrap import build  # noqa: PLC0415
    from ketamine_cds.domain.units import BodyWeight  # noqa: PLC0415
    from ketamine_cds.service import pk as service  # noqa: PLC0415

    container = build()
    protocol_id = protocol
    if episode is not None:
        protocol_id = container.files.episode(episode).protocol.id
    chosen = None if protocol_id is None else container.protocols.get(protocol_id).protocol
    limits = container.protocols.limits().table
    return service.check_regimen(regimen, chosen, BodyWeight.from_kg(weight_kg), limits)


def _write_plot(plot: Path, payload: dict[str, Any], regimen: Regimen, model_name: str) -> None:
    from ketamine_cds.adapters.plots import plot_simulation  # noqa: PLC0415 - matplotlib

    try:
        plot_simulation(plot, payload, regimen.rate_steps(), regimen.instant_doses(), model_name)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UserInputError(f"the plot file {plot} cannot be written ({reason.lower()})") from None


def _print_routes(payload: dict[str, Any]) -> None:
    for route, info in payload["routes"].items():
        if "bioavailability" in info:
            alts = "; ".join(f"{a['value']:g} ({a['source']})" for a in info["alternatives"])
            typer.echo(
                f"Route {route}: bioavailability {info['bioavailability']['value']:g} "
                f"({info['bioavailability']['source']})"
                + (f"; other figures: {alts}" if alts else "")
            )
        for key in ("note", "assumption", "derived"):
            if info.get(key):
                typer.echo(f"  {info[key]}")


def _print_simulation(payload: dict[str, Any]) -> None:
    m = payload["model"]
    typer.echo(f"Model: {m['name']} — {m['source']}")
    typer.echo(
        f"Regimen: {payload['regimen']['label']}, {payload['weight_kg']:g} kg "
        f"(doses of {DOSE_WORDS[payload['dose_form']]}; levels of {payload['concentration_of']})"
    )
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
    _print_ranges(derived["against_seed_004"])
    _print_routes(payload)
    _print_tail(payload)


def _print_tail(payload: dict[str, Any]) -> None:
    for check in payload.get("dose_checks", []):
        if check["verdict"] != "within_protocol":
            word = "HARD LIMIT" if check["verdict"] == "hard_limit_exceeded" else "SOFT LIMIT"
            typer.echo(f"Dose check, {word}: {' '.join(check['reasons'])}")
    for line in payload["notes"]:
        typer.echo(f"Note: {line}")
    if "plot" in payload:
        typer.echo(f"Plot: {payload['plot']}")
    typer.echo(notice())


def register(app: typer.Typer) -> None:
    """Add the ``pk`` command group to the application."""
    app.add_typer(pk_app, name="pk")
