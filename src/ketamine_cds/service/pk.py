"""Use cases: list the pharmacokinetic models; simulate a regimen for a patient or a population.

The regimen comes from a rate typed by the user, from a protocol's dose plan, or from a
recorded episode. The answer is a plain JSON-ready dictionary (the contract of
``ketamine-cds pk simulate --json``) plus what a plot needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ketamine_cds import DECISION_SUPPORT_NOTICE
from ketamine_cds.adapters.pk_models import get_model, load_models
from ketamine_cds.domain.episode import (
    DoseGiven,
    Episode,
    Pause,
    PhaseChange,
    RateChange,
    Resume,
    Stop,
    rate_of,
)
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.model import CompiledModel, compile_model
from ketamine_cds.domain.pk.population import PERCENTILES, simulate_population
from ketamine_cds.domain.pk.regimen import Phase, Regimen, constant_infusion
from ketamine_cds.domain.pk.simulate import WASHOUT_FRACTION, simulate_typical
from ketamine_cds.domain.pk.spec import ROUTES, PkModelSpec, Route, RouteFile, RouteSpec
from ketamine_cds.domain.units import Mass, Rate

DEFAULT_MODEL = "domino-1984"
DEFAULT_OPEN_ENDED_H = 48.0
STEP_H = 1.0 / 60.0  # one-minute steps: metrics are exact at every minute
OUTPUT_EVERY = 5  # report the trajectory every five minutes
BAND_MIN_EVERY = 10  # population bands every 10 min at least
BAND_BUDGET = 50_000_000  # stored band values (float32) across all patients
MAX_POPULATION = 1_000_000
REFERENCE_WEIGHT_KG = 70.0


def _route_table(spec: PkModelSpec, shared: RouteFile | None) -> dict[Route, RouteSpec]:
    table: dict[Route, RouteSpec] = {}
    if shared is not None:
        table.update(shared.routes)
    table.update(spec.routes)
    return table


def _route_json(route: RouteSpec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if route.bioavailability is not None:
        out["bioavailability"] = {
            "value": route.bioavailability.value,
            "source": route.bioavailability.source,
        }
        out["alternatives"] = [{"value": a.value, "source": a.source} for a in route.alternatives]
    if route.tmax is not None:
        out["tmax_min"] = route.tmax.to("minute")
        out["tmax_source"] = route.tmax.source
    if route.inputs:
        out["inputs"] = [
            {
                "compartment": i.compartment,
                "fraction": i.fraction.value,
                "source": i.fraction.source,
            }
            for i in route.inputs
        ]
    for key in ("assumption", "note"):
        value = getattr(route, key)
        if value:
            out[key] = value
    return out


def models() -> list[dict[str, Any]]:
    """Every model with its source and its derived figures beside seed 004's ranges (70 kg)."""
    out = []
    for model_id in sorted(load_models()):
        spec, shared = get_model(model_id)
        compiled = compile_model(spec, REFERENCE_WEIGHT_KG, ("iv",), shared)
        derived = compiled.derived()
        out.append(
            {
                "id": spec.id,
                "name": spec.name,
                "drug": spec.drug,
                "population": spec.population,
                "source": spec.reference.citation,
                "transcribed_from": spec.reference.transcribed_from,
                "derived_at_kg": REFERENCE_WEIGHT_KG,
                "half_lives_h": [round(h, 3) for h in derived.half_lives_h],
                "against_seed_004": derived.against_seed_004(),
                "routes": sorted(_route_table(spec, shared)),
                "norketamine": any(
                    c.drug == "norketamine" for c in spec.compartments if c.observed
                ),
                "variability": [
                    {"parameter": v.parameter, "cv_percent": v.cv_percent, "source": v.source}
                    for v in spec.variability
                ],
                "variability_note": spec.variability_note,
                "notes": list(spec.notes),
            }
        )
    return out


def regimen_from_rate(rate_mg_per_h: float, hours: float, route: str = "iv") -> Regimen:
    """A constant rate typed at the command line."""
    if not (math.isfinite(rate_mg_per_h) and rate_mg_per_h > 0):
        raise UserInputError("the rate must be above 0 mg/h")
    return constant_infusion(Rate.of(rate_mg_per_h, "mg/h"), hours, _route(route))


def _route(text: str) -> Route:
    if text not in ROUTES:
        raise UserInputError(f"route '{text}' is not one of {', '.join(ROUTES)}")
    return text  # type: ignore[return-value]


def regimen_from_plan(
    plan: dict[str, Any], open_ended_h: float, phase_ids: tuple[str, ...] = ()
) -> tuple[Regimen, list[str]]:
    """A protocol's published plan JSON as a regimen: phases one after another.

    Phases whose rate or dose the protocol leaves to the clinician cannot be simulated and are
    left out, with a note saying so.
    """
    notes: list[str] = []
    phases: list[Phase] = []
    start = 0.0
    wanted = [p for p in plan["phases"] if not phase_ids or p["id"] in phase_ids]
    if phase_ids and len(wanted) != len(phase_ids):
        known = ", ".join(p["id"] for p in plan["phases"])
        raise UserInputError(f"the plan has the phases {known}")
    for raw in wanted:
        phase = _phase_from_plan(raw, start, open_ended_h, notes)
        if phase is not None:
            phases.append(phase)
            start = phase.end_h
    if not phases:
        raise UserInputError("no phase of this plan has a rate or dose the simulator can use")
    if not phase_ids and len(plan["phases"]) > 1:
        notes.append(
            "Phases are simulated one after another in the plan's order; where they are "
            "alternatives (a responder and a non-responder branch), choose them with --phases."
        )
    label = (
        f"protocol {plan['protocol']['id']}"
        if isinstance(plan.get("protocol"), dict)
        else ("protocol plan")
    )
    return Regimen(phases=tuple(phases), label=label), notes


def _phase_from_plan(
    raw: dict[str, Any], start: float, open_ended_h: float, notes: list[str]
) -> Phase | None:
    kind, pid, route = raw["kind"], raw["id"], _route(raw["route"])
    if raw.get("repeat"):
        notes.append(f"Phase {pid}: its repetition ({raw['repeat']}) is not simulated.")
    if kind in {"continuous", "timed_infusion"}:
        rate = raw.get("rate_mg_per_h")
        hours = raw.get("over_h") if kind == "timed_infusion" else raw.get("duration_h")
        if rate is None:
            notes.append(f"Phase {pid} leaves the rate to the clinician; it is not simulated.")
            return None
        if hours is None:
            hours = open_ended_h
            notes.append(f"Phase {pid} is open-ended; it is simulated for {hours:g} h.")
        return Phase(
            id=pid,
            route=route,
            kind="infusion",
            start_h=start,
            duration_h=float(hours),
            rate=Rate.of(float(rate), "mg/h"),
        )
    dose = raw.get("dose_mg")
    if dose is None:
        notes.append(f"Phase {pid} leaves the dose to the clinician; it is not simulated.")
        return None
    if kind == "bolus":
        return Phase(
            id=pid,
            route=route,
            kind="bolus",
            start_h=start,
            duration_h=0.0,
            dose=Mass.of(float(dose), "mg"),
            over_h=float(raw.get("over_h") or 0.0),
        )
    hours = raw.get("duration_h")
    if hours is None:
        hours = open_ended_h
        notes.append(f"Phase {pid} is open-ended; it is simulated for {hours:g} h.")
    per_day = raw.get("doses_per_day")
    if per_day is None:
        notes.append(f"Phase {pid} gives no number of doses per day; it is not simulated.")
        return None
    return Phase(
        id=pid,
        route=route,
        kind="divided_doses",
        start_h=start,
        duration_h=float(hours),
        dose=Mass.of(float(dose), "mg"),
        doses_per_day=float(per_day),
    )


def regimen_from_episode(
    episode: Episode, plan: dict[str, Any], extend_h: float = 0.0
) -> tuple[Regimen, list[str]]:
    """A recorded episode's rate history (and doses given) as a regimen.

    Each stretch of one pump rate becomes a constant infusion; pauses and stops are stretches
    at 0 mg/h. The route is the route of the protocol phase the episode is in. A rate still
    running at the last event is continued for ``extend_h`` hours.
    """
    routes = {p["id"]: p["route"] for p in plan["phases"]}
    # a recorded dose carries no duration; a protocol bolus given "over 30 min" keeps it
    overs = {p["id"]: float(p.get("over_h") or 0.0) for p in plan["phases"] if p["kind"] == "bolus"}
    phase = episode.phase or plan["phases"][0]["id"]
    weight = episode.patient.body_weight
    t0 = episode.started_at
    phases: list[Phase] = []
    notes: list[str] = [f"Episode of {weight}; times are hours from {t0.isoformat()}."]
    running: tuple[float, float, str] | None = None  # (start h, mg/h, route)
    last_rate = 0.0

    def close(at_h: float) -> None:
        nonlocal running
        if running is not None and at_h > running[0] and running[1] > 0:
            phases.append(
                Phase(
                    id=f"rate-{len(phases) + 1}",
                    route=_route(running[2]),
                    kind="infusion",
                    start_h=running[0],
                    duration_h=at_h - running[0],
                    rate=Rate.of(running[1], "mg/h"),
                )
            )
        running = None

    for event in episode.events:
        at_h = (event.at - t0).total_seconds() / 3600.0
        if isinstance(event, PhaseChange):
            phase = event.to_phase
        elif isinstance(event, RateChange | Resume):
            value = event.rate
            rate = last_rate if value is None else rate_of(value, weight).mg_per_h  # type: ignore[arg-type]
            close(at_h)
            running = (at_h, rate, routes.get(phase, "iv"))
            last_rate = rate
        elif isinstance(event, Pause | Stop):
            close(at_h)
        elif isinstance(event, DoseGiven):
            dose = event.dose
            assert isinstance(dose, Mass)  # noqa: S101 - the episode format refuses ranges
            phases.append(
                Phase(
                    id=f"dose-{len(phases) + 1}",
                    route=_route(event.route or routes.get(phase, "iv")),
                    kind="bolus",
                    start_h=at_h,
                    duration_h=0.0,
                    dose=dose,
                    over_h=overs.get(phase, 0.0),
                )
            )
    if running is not None:
        last_h = (episode.events[-1].at - t0).total_seconds() / 3600.0 if episode.events else 0.0
        end_h = max(last_h, running[0]) + extend_h
        notes.append(
            f"The rate running at the last event ({running[1]:g} mg/h) is simulated up to "
            f"{end_h:g} h ({extend_h:g} h beyond the last event; set it with --hours)."
        )
        close(end_h)
    if not phases:
        raise UserInputError("the episode records no rate or dose to simulate")
    phases.sort(key=lambda p: p.start_h)
    return Regimen(phases=tuple(phases), label=f"episode under {episode.protocol.id}"), notes


@dataclass(frozen=True)
class Simulation:
    """The JSON answer and what a plot needs."""

    payload: dict[str, Any]
    regimen: Regimen
    model_name: str


def _r(x: float, digits: int = 3) -> float | None:
    return None if not math.isfinite(x) else round(float(x), digits)


def simulate(  # noqa: PLR0913 - each option is a distinct user choice
    regimen: Regimen,
    weight_kg: float,
    *,
    model_id: str = DEFAULT_MODEL,
    population: int | None = None,
    seed: int = 1,
    threshold_ng_per_ml: float | None = None,
    notes: list[str] | None = None,
) -> Simulation:
    """Simulate ``regimen`` with a model for one typical patient or a sampled population."""
    spec, shared = get_model(model_id)
    model = compile_model(spec, weight_kg, regimen.routes, shared)
    derived = model.derived()
    tail = min(120.0, max(12.0, math.ceil(8 * derived.terminal_half_life_h)))
    horizon = math.ceil(regimen.end_h + tail)
    threshold = math.inf if threshold_ng_per_ml is None else threshold_ng_per_ml
    if threshold_ng_per_ml is not None and not threshold_ng_per_ml > 0:
        raise UserInputError("the threshold must be above 0 ng/mL")
    payload = _header(spec, shared, model, regimen, weight_kg=weight_kg, horizon=horizon)
    payload["notes"] = [*(notes or []), *spec.notes]
    drugs = [d for d, _ in model.observed]
    if population is None:
        res = simulate_typical(
            model,
            regimen,
            horizon_h=horizon,
            step_h=STEP_H,
            threshold=threshold,
            store_every=OUTPUT_EVERY,
        )
        payload.update(
            {
                "steady_state_ng_per_ml": _r(res.steady_state[0, 0]),
                "time_to_90pct_steady_state_h": _r(res.time_to_90pct_h[0]),
                "cmax_ng_per_ml": _r(res.cmax[0, 0]),
                "tmax_h": _r(res.tmax_h[0, 0]),
                "auc_ng_h_per_ml": _r(res.auc[0, 0], 1),
                "washout_h": _r(res.washout_h[0]),
                "time_above_threshold_h": (
                    None if threshold_ng_per_ml is None else _r(res.time_above_h[0])
                ),
                "times_h": [round(float(t), 4) for t in res.times_h],
                "concentration_ng_per_ml": [round(float(c), 3) for c in res.concentration[0, 0]],
            }
        )
        if "norketamine" in drugs:
            o = drugs.index("norketamine")
            payload["norketamine"] = {
                "steady_state_ng_per_ml": _r(res.steady_state[0, o]),
                "cmax_ng_per_ml": _r(res.cmax[0, o]),
                "auc_ng_h_per_ml": _r(res.auc[0, o], 1),
                "concentration_ng_per_ml": [round(float(c), 3) for c in res.concentration[0, o]],
            }
        return Simulation(payload=payload, regimen=regimen, model_name=spec.name)
    if not (1 <= population <= MAX_POPULATION):
        raise UserInputError(f"the population must be between 1 and {MAX_POPULATION:,} patients")
    steps = round(horizon / STEP_H)
    band_every = max(
        BAND_MIN_EVERY, math.ceil(steps * population * len(model.observed) / BAND_BUDGET)
    )
    pop = simulate_population(
        model,
        regimen,
        n=population,
        seed=seed,
        horizon_h=horizon,
        step_h=STEP_H,
        band_every=band_every,
        threshold=threshold,
    )
    if not pop.sampled:
        payload["notes"].append(
            "This model gives no between-subject variability: every virtual patient is the "
            "typical patient, so the bands collapse to one line."
        )

    def pct(values: np.ndarray[Any, Any]) -> dict[str, float | None]:
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return {f"p{p:g}": None for p in PERCENTILES}
        got = np.percentile(finite, PERCENTILES)
        return {f"p{p:g}": _r(v) for p, v in zip(PERCENTILES, got, strict=True)}

    payload.update(
        {
            "population": {
                "n": pop.n,
                "seed": pop.seed,
                "sampled_parameters": list(pop.sampled),
                "percentiles": list(PERCENTILES),
            },
            "steady_state_ng_per_ml": _r(float(np.median(pop.steady_state[:, 0]))),
            "time_to_90pct_steady_state_h": _r(float(np.nanmedian(pop.time_to_90pct_h))),
            "cmax_ng_per_ml": _r(float(np.median(pop.cmax[:, 0]))),
            "auc_ng_h_per_ml": _r(float(np.median(pop.auc[:, 0])), 1),
            "washout_h": _r(float(np.nanmedian(pop.washout_h)))
            if np.isfinite(pop.washout_h).any()
            else None,
            "summary_percentiles": {
                "steady_state_ng_per_ml": pct(pop.steady_state[:, 0]),
                "time_to_90pct_steady_state_h": pct(pop.time_to_90pct_h),
                "cmax_ng_per_ml": pct(pop.cmax[:, 0]),
                "auc_ng_h_per_ml": pct(pop.auc[:, 0]),
                "washout_h": pct(pop.washout_h),
            },
            "times_h": [round(float(t), 4) for t in pop.band_times_h],
            "concentration_percentiles_ng_per_ml": {
                f"p{p:g}": [round(float(c), 3) for c in pop.bands[i, 0]]
                for i, p in enumerate(PERCENTILES)
            },
        }
    )
    if threshold_ng_per_ml is not None:
        payload["summary_percentiles"]["time_above_threshold_h"] = pct(pop.time_above_h)
    if "norketamine" in drugs:
        o = drugs.index("norketamine")
        payload["norketamine"] = {
            "steady_state_ng_per_ml": _r(float(np.median(pop.steady_state[:, o]))),
            "cmax_ng_per_ml": _r(float(np.median(pop.cmax[:, o]))),
            "concentration_percentiles_ng_per_ml": {
                f"p{p:g}": [round(float(c), 3) for c in pop.bands[i, o]]
                for i, p in enumerate(PERCENTILES)
            },
        }
    return Simulation(payload=payload, regimen=regimen, model_name=spec.name)


def _header(  # noqa: PLR0913 - the parts of one header
    spec: PkModelSpec,
    shared: RouteFile | None,
    model: CompiledModel,
    regimen: Regimen,
    *,
    weight_kg: float,
    horizon: float,
) -> dict[str, Any]:
    derived = model.derived()
    routes = _route_table(spec, shared)
    maintenance = regimen.maintenance()
    return {
        "model": {
            "id": spec.id,
            "name": spec.name,
            "drug": spec.drug,
            "source": spec.reference.citation,
            "transcribed_from": spec.reference.transcribed_from,
        },
        "weight_kg": weight_kg,
        "regimen": {
            "label": regimen.label,
            "phases": [
                {
                    "id": p.id,
                    "route": p.route,
                    "kind": p.kind,
                    "start_h": _r(p.start_h),
                    "end_h": _r(p.end_h),
                    "mean_rate_mg_per_h": _r(p.mean_rate_mg_per_h()),
                }
                for p in regimen.phases
            ],
            "steady_state_for_phase": maintenance.id,
        },
        "routes": {
            r: {**_route_json(routes[r]), "derived": model.route_notes.get(r, "")}
            for r in regimen.routes
        },
        "derived": {
            "clearance_l_per_h": _r(derived.clearance_l_per_h),
            "volume_ss_l": _r(derived.volume_ss_l),
            "half_lives_h": [_r(h) for h in derived.half_lives_h],
            "five_half_lives_h": _r(5 * derived.terminal_half_life_h),
            "against_seed_004": derived.against_seed_004(),
        },
        "simulated_h": horizon,
        "definitions": {
            "steady_state_ng_per_ml": "plasma level if the maintenance phase ran for ever "
            "(rate × availability ÷ clearance)",
            "time_to_90pct_steady_state_h": "from the start of the maintenance phase",
            "washout_h": f"from the end of dosing until the level falls to "
            f"{WASHOUT_FRACTION:.4g} of its value then (five halvings, seed 000)",
            "auc_ng_h_per_ml": "exact integral over the simulated time",
        },
        "notice": DECISION_SUPPORT_NOTICE,
    }
