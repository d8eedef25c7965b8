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
from ketamine_cds.domain.pk import DEFAULT_MODEL, MAX_POPULATION, MAX_SIMULATED_H
from ketamine_cds.domain.pk.model import (
    DOSE_FORMS,
    CompiledModel,
    DoseForm,
    compile_model,
    route_table,
)
from ketamine_cds.domain.pk.population import PERCENTILES, PopulationResult, simulate_population
from ketamine_cds.domain.pk.regimen import Phase, Regimen, constant_infusion
from ketamine_cds.domain.pk.simulate import WASHOUT_FRACTION, SimulationResult, simulate_typical
from ketamine_cds.domain.pk.spec import ROUTES, PkModelSpec, Route, RouteFile, RouteSpec
from ketamine_cds.domain.pk.titration import (
    Titration,
    titrated_divided_doses,
    titrated_doses,
    titrated_infusion,
)
from ketamine_cds.domain.protocols.check import CheckResult, check_dose, check_rate
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.schema import Protocol as ClinicalProtocol
from ketamine_cds.domain.units import BodyWeight, Duration, Mass, Rate
from ketamine_cds.domain.vocabulary import Route as Route_

STEP_H = 1.0 / 60.0  # one-minute steps: metrics are exact at every minute
OUTPUT_EVERY = 5  # report the trajectory every five minutes
BAND_MIN_EVERY = 10  # population bands every 10 min at least
BAND_BUDGET = 50_000_000  # stored band values (float32) across all patients
REFERENCE_WEIGHT_KG = 70.0


def _route_json(route: RouteSpec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if route.bioavailability is not None:
        out["bioavailability"] = {
            "value": route.bioavailability.value,
            "source": route.bioavailability.source,
        }
        out["alternatives"] = [{"value": a.value, "source": a.source} for a in route.alternatives]
    if route.absorption is not None:
        absorption = route.absorption
        ka = absorption.rate_constant.to("1/hour")
        out["absorption"] = {
            "rate_constant_per_h": ka,
            "half_life_min": round(math.log(2) / ka * 60, 2),
            "source": absorption.rate_constant.source,
            "bound": absorption.bound,
        }
        if absorption.derived_from is not None:
            derivation = absorption.derived_from
            out["absorption"]["derived_from"] = {
                "tmax_min": derivation.tmax.to("minute"),
                "tmax_source": derivation.tmax.source,
                "half_life_h": derivation.half_life.to("hour"),
                "half_life_source": derivation.half_life.source,
                "model": derivation.model,
            }
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
        scaling = spec.weight_scaling
        out.append(
            {
                "id": spec.id,
                "name": spec.name,
                "drug": spec.drug,
                "population": spec.population,
                "source": spec.reference.citation,
                "transcribed_from": spec.reference.transcribed_from,
                "citation_note": spec.reference.note,
                "derived_at_kg": REFERENCE_WEIGHT_KG,
                "weight_scaling": {
                    "reference_kg": scaling.reference_kg,
                    "clearance_exponent": scaling.clearance_exponent,
                    "volume_exponent": scaling.volume_exponent,
                    "source": scaling.source,
                    "reading": scaling.reading,
                },
                "enantiomer": None if spec.enantiomer is None else spec.enantiomer.name,
                "half_lives_h": [round(h, 3) for h in derived.half_lives_h],
                "against_seed_004": derived.against_seed_004(),
                "routes": sorted(route_table(spec, shared)),
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
    plan: dict[str, Any],
    open_ended_h: float,
    phase_ids: tuple[str, ...] = (),
    hold_at_step: int | None = None,
) -> tuple[Regimen, list[str]]:
    """A protocol's published plan JSON as a regimen: phases one after another, titrated.

    A phase with a titration rule is raised step by step to its ceiling, as for a patient
    whose pain stays uncontrolled, unless ``hold_at_step`` holds it after that many steps.
    Phases whose rate or dose the protocol leaves to the clinician cannot be simulated and
    are left out, with a note saying so.
    """
    if hold_at_step is not None and hold_at_step < 0:
        raise UserInputError("the step to hold at must be 0 or above")
    notes: list[str] = []
    phases: list[Phase] = []
    start = 0.0
    wanted = [p for p in plan["phases"] if not phase_ids or p["id"] in phase_ids]
    missing = [pid for pid in phase_ids if pid not in {p["id"] for p in plan["phases"]}]
    if missing:
        known = ", ".join(p["id"] for p in plan["phases"])
        raise UserInputError(f"the plan has no phase '{missing[0]}'; its phases are {known}")
    for raw in wanted:
        parts = _phases_from_plan(raw, start, open_ended_h, hold_at_step, notes)
        if parts:
            phases.extend(parts)
            start = max(p.end_h for p in parts)
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


def _titration(
    raw: dict[str, Any], ceiling: float | None, hold_at_step: int | None, notes: list[str]
) -> Titration | None:
    """The phase's titration rule as numbers, or None (with a note) where it has none to run."""
    rule = raw.get("titration") or {}
    pid = raw["id"]
    if not rule or rule.get("unspecified"):
        if rule.get("unspecified"):
            notes.append(f"Phase {pid}: the protocol leaves titration to the clinician; held.")
        return None
    if rule.get("direction") != "up":
        notes.append(f"Phase {pid}: its titration ({rule.get('direction')}) is not simulated.")
        return None
    interval = rule.get("interval_h")
    waits = rule.get("wait_half_lives")
    if waits and rule.get("half_life_h"):
        interval = max(interval or 0.0, float(waits) * float(rule["half_life_h"]))
    if not interval or ceiling is None:
        notes.append(f"Phase {pid}: its titration gives no interval or ceiling; held.")
        return None
    percent = rule.get("step_percent")
    step = rule.get("step_mg_per_h") if raw["kind"] in INFUSION_KINDS else rule.get("step_mg")
    schedule = tuple(float(x) for x in rule.get("schedule_mg_per_h") or ())
    how = (
        f"by {step:g} mg{'/h' if raw['kind'] in INFUSION_KINDS else ''}"
        if step
        else f"by {min(percent):g}%"
        if percent
        else "along its schedule"
    )
    readings = []
    if percent and min(percent) != max(percent):
        readings.append(f"the smallest step of {min(percent):g}-{max(percent):g}%")
    if rule.get("interval_range_h"):
        lo, hi = rule["interval_range_h"]
        readings.append(f"the shortest interval of {lo:g}-{hi:g} h")
    reading = (
        f" (as the bedside engine reads the protocol: {' and '.join(readings)})"
        if readings
        else ""
    )
    held = "" if hold_at_step is None else f", held after {hold_at_step} step(s)"
    notes.append(
        f"Phase {pid}: titrated {how} every {interval:g} h up to {ceiling:g}"
        f"{' mg/h' if raw['kind'] in INFUSION_KINDS else ' mg'}{held}, every opportunity "
        f"taken ({rule.get('when') or 'as the protocol allows'}){reading}; rule "
        f"{rule['rule']['id']} ({rule['rule']['source']})."
    )
    return Titration(
        interval_h=float(interval),
        ceiling=float(ceiling),
        step=float(step) if step else None,
        step_percent=float(min(percent)) if percent else None,
        schedule=schedule,
        hold_at_step=hold_at_step,
    )


INFUSION_KINDS = {"continuous", "timed_infusion"}


def _phases_from_plan(
    raw: dict[str, Any],
    start: float,
    open_ended_h: float,
    hold_at_step: int | None,
    notes: list[str],
) -> list[Phase]:
    pid, route = raw["id"], _route(raw["route"])
    if raw.get("repeat"):
        notes.append(f"Phase {pid}: its repetition ({raw['repeat']}) is not simulated.")
    infusion = raw["kind"] in INFUSION_KINDS
    level = raw.get("rate_mg_per_h") if infusion else raw.get("dose_mg")
    if level is None:
        what = "rate" if infusion else "dose"
        notes.append(f"Phase {pid} leaves the {what} to the clinician; it is not simulated.")
        return []
    ceiling = raw.get("ceiling_rate_mg_per_h") if infusion else raw.get("ceiling_dose_mg")
    rule = _titration(raw, ceiling, hold_at_step, notes)
    if raw["kind"] == "bolus":
        over = float(raw.get("over_h") or 0.0)
        return titrated_doses(
            pid, route, start_h=start, dose_mg=float(level), rule=rule, over_h=over
        )
    hours = raw.get("over_h") if raw["kind"] == "timed_infusion" else raw.get("duration_h")
    if hours is None:
        hours = open_ended_h
        notes.append(f"Phase {pid} is open-ended; it is simulated for {hours:g} h.")
    if infusion:
        return titrated_infusion(
            pid,
            route,
            start_h=start,
            duration_h=float(hours),
            rate_mg_per_h=float(level),
            rule=rule,
        )
    per_day = raw.get("doses_per_day")
    if per_day is None:
        notes.append(f"Phase {pid} gives no number of doses per day; it is not simulated.")
        return []
    return titrated_divided_doses(
        pid,
        route,
        start_h=start,
        duration_h=float(hours),
        dose_mg=float(level),
        doses_per_day=float(per_day),
        rule=rule,
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
    dose_form: str = "racemic",
) -> Simulation:
    """Simulate ``regimen`` with a model for one typical patient or a sampled population.

    ``dose_form`` says what the doses are of: racemic ketamine (the protocols' drug) or
    S-ketamine (esketamine). An S-ketamine model takes the S-ketamine half of a racemic dose.
    """
    if population is not None and not (1 <= population <= MAX_POPULATION):
        raise UserInputError(f"the population must be between 1 and {MAX_POPULATION:,} patients")
    if dose_form not in DOSE_FORMS:
        raise UserInputError(f"the dose form must be one of {', '.join(DOSE_FORMS)}")
    if regimen.end_h > MAX_SIMULATED_H:
        raise UserInputError(
            f"the regimen runs {regimen.end_h:g} h; the simulator takes at most "
            f"{MAX_SIMULATED_H:g} h"
        )
    form: DoseForm = dose_form
    spec, shared = get_model(model_id)
    model = compile_model(spec, weight_kg, regimen.routes, shared, form)
    derived = model.derived()
    tail = min(120.0, max(12.0, math.ceil(8 * derived.terminal_half_life_h)))
    horizon = math.ceil(regimen.end_h + tail)
    threshold = math.inf if threshold_ng_per_ml is None else threshold_ng_per_ml
    if threshold_ng_per_ml is not None and not threshold_ng_per_ml > 0:
        raise UserInputError("the threshold must be above 0 ng/mL")
    payload = _header(spec, shared, model, regimen, weight_kg=weight_kg, horizon=horizon)
    payload["notes"] = [*(notes or []), *spec.notes]
    if spec.weight_scaling.reading:
        payload["notes"].append(f"Weight: {spec.weight_scaling.reading}")
    if population is None:
        res = simulate_typical(
            model,
            regimen,
            horizon_h=horizon,
            step_h=STEP_H,
            threshold=threshold,
            store_every=OUTPUT_EVERY,
        )
        payload.update(_typical_payload(model, res, threshold=threshold_ng_per_ml))
    else:
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
        payload["notes"].append(
            f"Variability: {spec.variability_note}"
            if pop.sampled
            else "This model gives no between-subject variability: every virtual patient is "
            "the typical patient, so the bands collapse to one line."
        )
        payload.update(_population_payload(model, pop, threshold=threshold_ng_per_ml))
    return Simulation(payload=payload, regimen=regimen, model_name=spec.name)


def _curve(values: np.ndarray[Any, Any]) -> list[float]:
    return [round(float(c), 3) for c in values]


def _typical_payload(
    model: CompiledModel, res: SimulationResult, *, threshold: float | None
) -> dict[str, Any]:
    """The summaries and curve of the typical patient."""
    out: dict[str, Any] = {
        "steady_state_ng_per_ml": _r(res.steady_state[0, 0]),
        "time_to_90pct_steady_state_h": _r(res.time_to_90pct_h[0]),
        "cmax_ng_per_ml": _r(res.cmax[0, 0]),
        "tmax_h": _r(res.tmax_h[0, 0]),
        "auc_ng_h_per_ml": _r(res.auc[0, 0], 1),
        "washout_h": _r(res.washout_h[0]),
        "time_above_threshold_h": None if threshold is None else _r(res.time_above_h[0]),
        "times_h": [round(float(t), 4) for t in res.times_h],
        "concentration_ng_per_ml": _curve(res.concentration[0, 0]),
    }
    drugs = [d for d, _ in model.observed]
    if "norketamine" in drugs:
        o = drugs.index("norketamine")
        out["norketamine"] = {
            "steady_state_ng_per_ml": _r(res.steady_state[0, o]),
            "cmax_ng_per_ml": _r(res.cmax[0, o]),
            "auc_ng_h_per_ml": _r(res.auc[0, o], 1),
            "concentration_ng_per_ml": _curve(res.concentration[0, o]),
        }
    return out


def _percentiles(values: np.ndarray[Any, Any]) -> dict[str, float | None]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {f"p{p:g}": None for p in PERCENTILES}
    got = np.percentile(finite, PERCENTILES)
    return {f"p{p:g}": _r(v) for p, v in zip(PERCENTILES, got, strict=True)}


def _median(values: np.ndarray[Any, Any], digits: int = 3) -> float | None:
    finite = values[np.isfinite(values)]
    return _r(float(np.median(finite)), digits) if finite.size else None


def _population_payload(
    model: CompiledModel, pop: PopulationResult, *, threshold: float | None
) -> dict[str, Any]:
    """Medians, percentiles of every summary, and the percentile bands of the population."""
    out: dict[str, Any] = {
        "population": {
            "n": pop.n,
            "seed": pop.seed,
            "sampled_parameters": list(pop.sampled),
            "percentiles": list(PERCENTILES),
        },
        "steady_state_ng_per_ml": _median(pop.steady_state[:, 0]),
        "time_to_90pct_steady_state_h": _median(pop.time_to_90pct_h),
        "cmax_ng_per_ml": _median(pop.cmax[:, 0]),
        "auc_ng_h_per_ml": _median(pop.auc[:, 0], 1),
        "washout_h": _median(pop.washout_h),
        "summary_percentiles": {
            "steady_state_ng_per_ml": _percentiles(pop.steady_state[:, 0]),
            "time_to_90pct_steady_state_h": _percentiles(pop.time_to_90pct_h),
            "cmax_ng_per_ml": _percentiles(pop.cmax[:, 0]),
            "auc_ng_h_per_ml": _percentiles(pop.auc[:, 0]),
            "washout_h": _percentiles(pop.washout_h),
        },
        "times_h": [round(float(t), 4) for t in pop.band_times_h],
        "concentration_percentiles_ng_per_ml": {
            f"p{p:g}": _curve(pop.bands[i, 0]) for i, p in enumerate(PERCENTILES)
        },
    }
    if threshold is not None:
        out["summary_percentiles"]["time_above_threshold_h"] = _percentiles(pop.time_above_h)
    drugs = [d for d, _ in model.observed]
    if "norketamine" in drugs:
        o = drugs.index("norketamine")
        out["norketamine"] = {
            "steady_state_ng_per_ml": _median(pop.steady_state[:, o]),
            "cmax_ng_per_ml": _median(pop.cmax[:, o]),
            "concentration_percentiles_ng_per_ml": {
                f"p{p:g}": _curve(pop.bands[i, o]) for i, p in enumerate(PERCENTILES)
            },
        }
    return out


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
    routes = route_table(spec, shared)
    maintenance = regimen.maintenance()
    measured = "racemic ketamine" if spec.enantiomer is None else spec.enantiomer.name
    return {
        "model": {
            "id": spec.id,
            "name": spec.name,
            "drug": spec.drug,
            "source": spec.reference.citation,
            "transcribed_from": spec.reference.transcribed_from,
            "citation_note": spec.reference.note,
        },
        "concentration_of": measured,
        "dose_form": model.dose_form,
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
            "volume_beta_l": _r(derived.volume_beta_l),
            "five_half_lives_h": _r(5 * derived.terminal_half_life_h),
            "against_seed_004": derived.against_seed_004(),
        },
        "simulated_h": horizon,
        "definitions": {
            "steady_state_ng_per_ml": "plasma level if the maintenance phase ran for ever "
            "(rate × availability ÷ clearance)",
            "time_to_90pct_steady_state_h": "from the start of the maintenance phase",
            "washout_h": f"from the end of dosing until the level falls to "
            f"{WASHOUT_FRACTION:.4g} of the highest level since then (the level at the end "
            "of an infusion; the peak that follows an extravascular dose), five halvings, "
            "seed 000",
            "auc_ng_h_per_ml": "exact integral over the simulated time",
        },
        "notice": DECISION_SUPPORT_NOTICE,
    }


def check_regimen(
    regimen: Regimen, protocol: ClinicalProtocol | None, weight: BodyWeight, limits: LimitTable
) -> list[CheckResult]:
    """Every rate and dose of a simulated regimen through the one dose check.

    Without a protocol (a rate typed at the command line) the product-wide hard limits and
    default soft ceilings apply, and the verdict says so.
    """
    verdicts: list[CheckResult] = []
    for phase in regimen.phases:
        route = Route_(phase.route) if phase.route in {r.value for r in Route_} else Route_.IV
        if phase.kind == "infusion" and phase.rate is not None and phase.rate.mg_per_h > 0:
            verdicts.append(check_rate(protocol, weight, phase.rate, limits, route=route))
        elif phase.dose is not None:
            over = Duration.of(phase.over_h * 60, "minute") if phase.over_h > 0 else None
            verdicts.append(
                check_dose(protocol, weight, phase.dose, limits, over=over, route=route)
            )
    return verdicts


def dose_checks_payload(verdicts: list[CheckResult]) -> list[dict[str, Any]]:
    """The verdicts as the simulation's JSON carries them, one per distinct figure."""
    shown: list[dict[str, Any]] = []
    for verdict in verdicts:
        limit = verdict.limit
        item = {
            "checked": verdict.checked,
            "verdict": verdict.verdict,
            "kind": verdict.kind,
            "route": verdict.route.value,
            "limit": None if limit is None else {"id": limit.id, "value": limit.value},
            "reasons": list(verdict.reasons),
        }
        if item not in shown:
            shown.append(item)
    return shown
