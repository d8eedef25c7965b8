"""A model file turned into numbers: the linear system ``dx/dt = A x + input`` for a patient.

Amounts are in mg, time in hours, volumes in L; concentrations are reported in ng/mL
(1 mg/L = 1000 ng/mL). Parameters follow body weight as the model file's ``weight_scaling``
says: each value is taken at the reference weight (a per-kg value times that weight), then
clearances scale by ``(W / ref) ** clearance_exponent`` and volumes by
``(W / ref) ** volume_exponent``; a disposition rate constant (a clearance over a volume)
scales by the difference. Absorption rate constants do not depend on weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.spec import (
    CitedValue,
    PkModelSpec,
    Route,
    RouteFile,
    RouteSpec,
)

FloatArray = npt.NDArray[np.float64]
NG_PER_ML_PER_MG_PER_L = 1000.0
LN2 = math.log(2.0)
DoseForm = Literal["racemic", "s-ketamine"]
DOSE_FORMS: tuple[DoseForm, ...] = ("racemic", "s-ketamine")
MIN_WEIGHT_KG, MAX_WEIGHT_KG = 20.0, 350.0

# seed 004, Appendix 2 "Clinical pharmacology of ketamine", "After intravenous administration"
SEED_004_RANGES = {
    "volume_of_distribution_l_per_kg": (1.5, 3.2),
    "clearance_ml_per_kg_per_min": (12.0, 28.0),
    "elimination_half_life_h": (2.0, 3.0),
}
# seed 004, Appendix 2, "Elimination": terminal elimination half-life "100 to 200 minutes"
SEED_004_TERMINAL_HALF_LIFE_H = (100.0 / 60.0, 200.0 / 60.0)


@dataclass(frozen=True)
class Input:
    """Where a dose by one route goes: state index, fraction of the dose, zero-order time."""

    state: int
    fraction: float
    zero_order_h: float


@dataclass(frozen=True)
class CompiledModel:
    """A model for one body weight, one dose form and one set of routes, typical values.

    ``volumes`` and ``flows`` are the typical values; :meth:`matrix` builds ``A`` for a patient
    whose parameters are scaled by the factors a population sample gives.
    """

    spec: PkModelSpec
    weight_kg: float
    states: tuple[str, ...]
    volumes_l: FloatArray  # nan where a compartment has no volume
    flow_from: npt.NDArray[np.int64]
    flow_to: npt.NDArray[np.int64]  # -1 = elimination
    flow_value: FloatArray  # rate constant 1/h, or clearance L/h
    flow_is_clearance: npt.NDArray[np.bool_]
    observed: tuple[tuple[str, int], ...]  # (drug, state)
    inputs: dict[Route, tuple[Input, ...]]
    flow_names: tuple[str, ...] = ()
    route_notes: dict[Route, str] = field(default_factory=dict)
    dose_form: DoseForm = "racemic"

    def matrix(
        self, volume_factor: FloatArray | None = None, flow_factor: FloatArray | None = None
    ) -> FloatArray:
        """The rate matrix ``A`` (1/h) for one patient; factors default to 1 (typical)."""
        volumes = self.volumes_l if volume_factor is None else self.volumes_l * volume_factor
        values = self.flow_value if flow_factor is None else self.flow_value * flow_factor
        a = np.zeros((len(self.states), len(self.states)))
        for f in range(len(self.flow_from)):
            i = int(self.flow_from[f])
            k = values[f] / volumes[i] if self.flow_is_clearance[f] else values[f]
            a[i, i] -= k
            j = int(self.flow_to[f])
            if j >= 0:
                a[j, i] += k
        return a

    def output_weights(self, volume_factor: FloatArray | None = None) -> FloatArray:
        """Row per observed drug: concentration (ng/mL) = weights @ amounts (mg)."""
        volumes = self.volumes_l if volume_factor is None else self.volumes_l * volume_factor
        weights = np.zeros((len(self.observed), len(self.states)))
        for row, (_, state) in enumerate(self.observed):
            weights[row, state] = NG_PER_ML_PER_MG_PER_L / volumes[state]
        return weights

    @cached_property
    def parent_states(self) -> npt.NDArray[np.int64]:
        """Indices of the parent drug's disposition states (no depots, no metabolite)."""
        drug = {c.id: c.drug for c in self.spec.compartments}
        depots = {i.state for ins in self.inputs.values() for i in ins if i.state != 0}
        return np.array(
            [
                k
                for k, s in enumerate(self.states)
                if drug.get(s, "ketamine") == "ketamine" and k not in depots
            ],
            dtype=np.int64,
        )

    def derived(self) -> DerivedParameters:
        """Clearance, volumes and half-lives of the typical patient."""
        return derive(self.matrix(), self.volumes_l, self.parent_states, self.weight_kg)


@dataclass(frozen=True)
class DerivedParameters:
    """What a clinician compares with seed 004's ranges."""

    clearance_l_per_h: float
    volume_ss_l: float
    half_lives_h: tuple[float, ...]  # fastest first; the last is the terminal half-life
    weight_kg: float

    @property
    def terminal_half_life_h(self) -> float:
        """The elimination (terminal) half-life."""
        return self.half_lives_h[-1]

    @property
    def volume_beta_l(self) -> float:
        """The terminal volume Vβ = CL / λz (the "volume of distribution" of a terminal fit)."""
        return self.clearance_l_per_h * self.terminal_half_life_h / LN2

    @property
    def clearance_ml_per_kg_per_min(self) -> float:
        """Clearance in seed 004's unit."""
        return self.clearance_l_per_h * 1000.0 / 60.0 / self.weight_kg

    @property
    def volume_ss_l_per_kg(self) -> float:
        """Volume of distribution at steady state per kg."""
        return self.volume_ss_l / self.weight_kg

    def against_seed_004(self) -> dict[str, dict[str, object]]:
        """Each derived figure beside seed 004's ranges, flagged only when outside all of them.

        Seed 004 gives a "volume of distribution" without saying which: it is compared as the
        volume at steady state and as the terminal volume Vβ. It gives the elimination
        half-life twice (2-3 h after intravenous dosing; terminal 100-200 min): both are shown.
        """
        vss = self.volume_ss_l_per_kg
        vbeta = self.volume_beta_l / self.weight_kg
        cl = self.clearance_ml_per_kg_per_min
        t_half = self.terminal_half_life_h
        v_lo, v_hi = SEED_004_RANGES["volume_of_distribution_l_per_kg"]
        c_lo, c_hi = SEED_004_RANGES["clearance_ml_per_kg_per_min"]
        h_lo, h_hi = SEED_004_RANGES["elimination_half_life_h"]
        t_lo, t_hi = SEED_004_TERMINAL_HALF_LIFE_H
        volume_readings = [name for name, v in (("Vss", vss), ("Vβ", vbeta)) if v_lo <= v <= v_hi]
        half_life_readings = [
            name
            for name, (lo, hi) in (("2-3 h", (h_lo, h_hi)), ("100-200 min", (t_lo, t_hi)))
            if lo <= t_half <= hi
        ]
        return {
            "volume_of_distribution_l_per_kg": {
                "value": round(vss, 3),
                "volume_beta_l_per_kg": round(vbeta, 3),
                "seed_004_range": [v_lo, v_hi],
                "within": bool(volume_readings),
                "within_as": volume_readings,
            },
            "clearance_ml_per_kg_per_min": {
                "value": round(cl, 3),
                "seed_004_range": [c_lo, c_hi],
                "within": bool(c_lo <= cl <= c_hi),
            },
            "elimination_half_life_h": {
                "value": round(t_half, 3),
                "seed_004_range": [h_lo, h_hi],
                "seed_004_terminal_range_h": [round(t_lo, 3), round(t_hi, 3)],
                "within": bool(half_life_readings),
                "within_as": half_life_readings,
            },
        }


def derive(
    a: FloatArray, volumes: FloatArray, parent: npt.NDArray[np.int64], weight_kg: float
) -> DerivedParameters:
    """Derive clearance, Vss and half-lives from the parent block of ``A``.

    For a unit IV dose into the observed compartment ``c``, the amount-time integral of each
    state is column ``c`` of ``(-A)^-1``: clearance is ``Vc / that[c]`` and the mean residence
    time is the column's sum, so ``Vss = CL × MRT``.
    """
    block = a[np.ix_(parent, parent)]
    central = 0  # the observed ketamine compartment is the first state by construction
    col = np.linalg.solve(-block, np.eye(len(parent))[:, central])
    clearance = float(volumes[parent[central]] / col[central])
    mrt = float(col.sum())
    rates = np.sort(-np.real(np.linalg.eigvals(block)))[::-1]
    return DerivedParameters(
        clearance_l_per_h=clearance,
        volume_ss_l=clearance * mrt,
        half_lives_h=tuple(float(LN2 / r) for r in rates),
        weight_kg=weight_kg,
    )


@dataclass
class _Builder:
    """The states, volumes and flows of a model as they are read, before freezing."""

    ids: list[str]
    volumes: list[float]
    flow_from: list[int] = field(default_factory=list)
    flow_to: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    is_clearance: list[bool] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def add_flow(self, source: int, target: int, value: float, *, clearance: bool) -> None:
        self.flow_from.append(source)
        self.flow_to.append(target)
        self.values.append(value)
        self.is_clearance.append(clearance)
        self.names.append(f"{self.ids[source]}->{'out' if target < 0 else self.ids[target]}")


def compile_model(
    spec: PkModelSpec,
    weight_kg: float,
    routes: tuple[Route, ...] = ("iv",),
    shared_routes: RouteFile | None = None,
    dose_form: DoseForm = "racemic",
) -> CompiledModel:
    """Turn a model file into a :class:`CompiledModel` for a weight, dose form and routes.

    States that no used route can reach are left out (they would only cost time). Routes
    given by bioavailability and absorption share one depot per absorption rate constant.
    """
    if not (math.isfinite(weight_kg) and MIN_WEIGHT_KG <= weight_kg <= MAX_WEIGHT_KG):
        raise UserInputError(
            f"the weight must be between {MIN_WEIGHT_KG:g} and {MAX_WEIGHT_KG:g} kg "
            "for an adult model"
        )
    share, share_note = _dose_share(spec, dose_form)
    route_specs = _route_specs(spec, shared_routes, routes)
    scaling = spec.weight_scaling
    ratio = weight_kg / scaling.reference_kg
    volume_scale = ratio**scaling.volume_exponent
    clearance_scale = ratio**scaling.clearance_exponent
    ids = [c.id for c in spec.compartments]
    observed_parent = next(c.id for c in spec.compartments if c.observed and c.drug == "ketamine")
    ids.remove(observed_parent)  # the observed ketamine compartment goes first (derive())
    ids.insert(0, observed_parent)
    volumes = [math.nan] * len(ids)
    for c in spec.compartments:
        if c.volume is not None:
            volumes[ids.index(c.id)] = (
                _at_reference(c.volume, "L", scaling.reference_kg) * volume_scale
            )
    build = _Builder(ids=ids, volumes=volumes)
    depots = {d.compartment for r in spec.routes.values() for d in r.inputs} - {observed_parent}
    for flow in spec.flows:
        source = ids.index(flow.from_)
        target = -1 if flow.to is None else ids.index(flow.to)
        disposition = flow.from_ not in depots
        if flow.rate_constant is not None:
            k = flow.rate_constant.to("1/hour")
            if disposition:
                k *= clearance_scale / volume_scale
            build.add_flow(source, target, k, clearance=False)
        else:
            assert flow.clearance is not None  # noqa: S101 - the schema requires one
            if math.isnan(volumes[source]):
                raise UserInputError(
                    f"flow {flow.name} uses a clearance from a compartment without a volume"
                )
            cl = _at_reference(flow.clearance, "L/hour", scaling.reference_kg) * clearance_scale
            build.add_flow(source, target, cl, clearance=True)
    inputs, notes = _inputs(build, route_specs, share, share_note)
    compiled = CompiledModel(
        spec=spec,
        weight_kg=weight_kg,
        states=tuple(build.ids),
        volumes_l=np.array(build.volumes),
        flow_from=np.array(build.flow_from, dtype=np.int64),
        flow_to=np.array(build.flow_to, dtype=np.int64),
        flow_value=np.array(build.values),
        flow_is_clearance=np.array(build.is_clearance, dtype=np.bool_),
        observed=tuple((c.drug, build.ids.index(c.id)) for c in spec.compartments if c.observed),
        inputs=inputs,
        route_notes=notes,
        flow_names=tuple(build.names),
        dose_form=dose_form,
    )
    return _prune(compiled)


def _dose_share(spec: PkModelSpec, dose_form: DoseForm) -> tuple[float, str]:
    """The share of a dose of ``dose_form`` that this model describes, and a note saying so."""
    if dose_form not in DOSE_FORMS:
        raise UserInputError(f"the dose form must be one of {', '.join(DOSE_FORMS)}")
    if spec.enantiomer is None:
        if dose_form != "racemic":
            raise UserInputError(
                f"model {spec.id} describes racemic ketamine; a dose of S-ketamine "
                "(esketamine) needs an S-ketamine model such as perez-ruixo-2021"
            )
        return 1.0, ""
    if dose_form == "s-ketamine":
        return 1.0, "The dose is of S-ketamine (esketamine) and enters the model whole."
    share = spec.enantiomer.share_of_racemic_dose.value
    name, source = spec.enantiomer.name, spec.enantiomer.share_of_racemic_dose.source
    return share, (
        f"The dose is racemic: this {name} model receives its {share:.0%} {name} share ({source})."
    )


def _inputs(
    build: _Builder, route_specs: dict[Route, RouteSpec], share: float, share_note: str
) -> tuple[dict[Route, tuple[Input, ...]], dict[Route, str]]:
    inputs: dict[Route, tuple[Input, ...]] = {}
    notes: dict[Route, str] = {}
    depots: dict[float, int] = {}  # absorption rate constant -> depot state
    for route, rs in route_specs.items():
        note = [share_note] if share_note else []
        if rs.inputs:
            inputs[route] = tuple(
                Input(
                    state=build.ids.index(d.compartment),
                    fraction=d.fraction.value * share,
                    zero_order_h=0.0 if d.zero_order_h is None else d.zero_order_h.to("hour"),
                )
                for d in rs.inputs
            )
        elif rs.absorption is None:
            assert rs.bioavailability is not None  # noqa: S101 - the schema requires one
            inputs[route] = (
                Input(state=0, fraction=rs.bioavailability.value * share, zero_order_h=0.0),
            )
        else:
            assert rs.bioavailability is not None  # noqa: S101 - the schema requires one
            ka = rs.absorption.rate_constant.to("1/hour")
            if ka not in depots:
                build.ids.append(f"depot_{route}")
                build.volumes.append(math.nan)
                depots[ka] = len(build.ids) - 1
                build.add_flow(depots[ka], 0, ka, clearance=False)
            inputs[route] = (
                Input(
                    state=depots[ka], fraction=rs.bioavailability.value * share, zero_order_h=0.0
                ),
            )
            bound = " (an upper bound)" if rs.absorption.bound == "upper" else ""
            note.append(
                f"First-order absorption, rate constant {ka:.4g}/h{bound} "
                f"(absorption half-life {LN2 / ka * 60:.1f} min), the same in every racemic "
                "model."
            )
        notes[route] = " ".join(note)
    return inputs, notes


def _prune(model: CompiledModel) -> CompiledModel:
    """Drop states no input reaches: they never hold drug."""
    reach = {i.state for ins in model.inputs.values() for i in ins}
    changed = True
    while changed:
        changed = False
        for f, t in zip(model.flow_from, model.flow_to, strict=True):
            if int(f) in reach and t >= 0 and int(t) not in reach:
                reach.add(int(t))
                changed = True
    keep = sorted(reach)
    if keep == list(range(len(model.states))):
        return model
    new_index = {old: new for new, old in enumerate(keep)}
    mask = np.array([int(f) in new_index for f in model.flow_from], dtype=np.bool_)
    return CompiledModel(
        spec=model.spec,
        weight_kg=model.weight_kg,
        states=tuple(model.states[k] for k in keep),
        volumes_l=model.volumes_l[keep],
        flow_from=np.array([new_index[int(f)] for f in model.flow_from[mask]], dtype=np.int64),
        flow_to=np.array([new_index.get(int(t), -1) for t in model.flow_to[mask]], dtype=np.int64),
        flow_value=model.flow_value[mask],
        flow_is_clearance=model.flow_is_clearance[mask],
        observed=tuple((d, new_index[s]) for d, s in model.observed if s in new_index),
        inputs={
            r: tuple(Input(new_index[i.state], i.fraction, i.zero_order_h) for i in ins)
            for r, ins in model.inputs.items()
        },
        route_notes=model.route_notes,
        flow_names=tuple(n for n, m in zip(model.flow_names, mask, strict=True) if m),
        dose_form=model.dose_form,
    )


def _route_specs(
    spec: PkModelSpec, shared: RouteFile | None, routes: tuple[Route, ...]
) -> dict[Route, RouteSpec]:
    available = route_table(spec, shared)
    chosen: dict[Route, RouteSpec] = {}
    for route in routes:
        if route not in available:
            raise UserInputError(
                f"model {spec.id} has no cited data for the {route} route; "
                f"it covers {', '.join(sorted(available)) or 'no route'}"
            )
        chosen[route] = available[route]
    return chosen


def route_table(spec: PkModelSpec, shared: RouteFile | None) -> dict[Route, RouteSpec]:
    """Every route a model can simulate: the shared racemic routes, then its own."""
    table: dict[Route, RouteSpec] = {}
    if shared is not None:
        table.update(shared.routes)
    table.update(spec.routes)
    return table


def _at_reference(value: CitedValue, unit: str, reference_kg: float) -> float:
    """A volume or clearance at the reference weight: a per-kg value times that weight."""
    if value.is_per_kg():
        return value.to(f"{unit}/kg") * reference_kg
    return value.to(unit)


def one_compartment_ka(tmax_h: float, half_life_h: float) -> float:
    """The absorption rate constant (1/h) with which a one-compartment model peaks at ``tmax_h``.

    ``tmax = ln(ka/k) / (ka − k)`` falls from ``1/k`` to 0 as ``ka`` rises above ``k``, so
    the faster-absorption root is found by bisection on ``ln ka``.
    """
    k = LN2 / half_life_h
    if not (0 < tmax_h < 1.0 / k):
        raise UserInputError(f"no absorption rate gives a peak at {tmax_h:g} h with this half-life")

    def peak(ka: float) -> float:
        return math.log(ka / k) / (ka - k)

    low, high = k * (1.0 + 1e-9), 1e6
    for _ in range(200):
        mid = math.sqrt(low * high)
        if peak(mid) > tmax_h:
            low = mid
        else:
            high = mid
    return math.sqrt(low * high)
