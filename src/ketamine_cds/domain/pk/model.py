"""A model file turned into numbers: the linear system ``dx/dt = A x + input`` for a patient.

Amounts are in mg, time in hours, volumes in L; concentrations are reported in ng/mL
(1 mg/L = 1000 ng/mL). Per-kg parameters scale linearly with body weight, as the per-kg
models publish them; absolute parameters are used as published (their sources did not retain
weight as a covariate, which the model file says).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.spec import PkModelSpec, Route, RouteFile, RouteSpec

FloatArray = npt.NDArray[np.float64]
NG_PER_ML_PER_MG_PER_L = 1000.0
LN2 = math.log(2.0)

# seed 004, Appendix 2 "Clinical pharmacology of ketamine", "After intravenous administration"
SEED_004_RANGES = {
    "volume_of_distribution_l_per_kg": (1.5, 3.2),
    "clearance_ml_per_kg_per_min": (12.0, 28.0),
    "elimination_half_life_h": (2.0, 3.0),
}


@dataclass(frozen=True)
class Input:
    """Where a dose by one route goes: state index, fraction of the dose, zero-order time."""

    state: int
    fraction: float
    zero_order_h: float


@dataclass(frozen=True)
class CompiledModel:
    """A model for one body weight and one set of routes, with typical parameter values.

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

    def matrix(
        self, volume_factor: FloatArray | None = None, flow_factor: FloatArray | None = None
    ) -> FloatArray:
        """The rate matrix ``A`` (1/h) for one patient; factors default to 1 (typical)."""
        volumes = self.volumes_l if volume_factor is None else self.volumes_l * volume_factor
        values = self.flow_value if flow_factor is None else self.flow_value * flow_factor
        return _assemble(
            len(self.states),
            volumes=volumes,
            flow_from=self.flow_from,
            flow_to=self.flow_to,
            values=values,
            is_clearance=self.flow_is_clearance,
        )

    def output_weights(self, volume_factor: FloatArray | None = None) -> FloatArray:
        """Row per observed drug: concentration (ng/mL) = weights @ amounts (mg)."""
        volumes = self.volumes_l if volume_factor is None else self.volumes_l * volume_factor
        weights = np.zeros((len(self.observed), len(self.states)))
        for row, (_, state) in enumerate(self.observed):
            weights[row, state] = NG_PER_ML_PER_MG_PER_L / volumes[state]
        return weights

    @cached_property
    def parent_states(self) -> npt.NDArray[np.int64]:
        """Indices of the ketamine disposition states (no depots, no metabolite)."""
        depot_states = {i.state for ins in self.inputs.values() for i in ins if i.state != 0}
        drug = {c.id: c.drug for c in self.spec.compartments}
        return np.array(
            [
                k
                for k, s in enumerate(self.states)
                if drug.get(s) == "ketamine" and k not in depot_states
            ],
            dtype=np.int64,
        )

    def derived(self) -> DerivedParameters:
        """Clearance, volume at steady state and half-lives of the typical patient."""
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
    def clearance_ml_per_kg_per_min(self) -> float:
        """Clearance in seed 004's unit."""
        return self.clearance_l_per_h * 1000.0 / 60.0 / self.weight_kg

    @property
    def volume_ss_l_per_kg(self) -> float:
        """Volume of distribution at steady state per kg."""
        return self.volume_ss_l / self.weight_kg

    def against_seed_004(self) -> dict[str, dict[str, object]]:
        """Each derived figure beside seed 004's range, flagged where it falls outside."""
        values = {
            "volume_of_distribution_l_per_kg": self.volume_ss_l_per_kg,
            "clearance_ml_per_kg_per_min": self.clearance_ml_per_kg_per_min,
            "elimination_half_life_h": self.terminal_half_life_h,
        }
        out: dict[str, dict[str, object]] = {}
        for name, value in values.items():
            low, high = SEED_004_RANGES[name]
            out[name] = {
                "value": round(value, 3),
                "seed_004_range": [low, high],
                "within": bool(low <= value <= high),
            }
        return out


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


def _assemble(  # noqa: PLR0913 - the arrays of one matrix
    n: int,
    *,
    volumes: FloatArray,
    flow_from: npt.NDArray[np.int64],
    flow_to: npt.NDArray[np.int64],
    values: FloatArray,
    is_clearance: npt.NDArray[np.bool_],
) -> FloatArray:
    a = np.zeros((n, n))
    for f in range(len(flow_from)):
        i = int(flow_from[f])
        k = values[f] / volumes[i] if is_clearance[f] else values[f]
        a[i, i] -= k
        j = int(flow_to[f])
        if j >= 0:
            a[j, i] += k
    return a


def compile_model(  # noqa: C901, PLR0912, PLR0915 - one reading of one file, top to bottom
    spec: PkModelSpec,
    weight_kg: float,
    routes: tuple[Route, ...] = ("iv",),
    shared_routes: RouteFile | None = None,
) -> CompiledModel:
    """Turn a model file into a :class:`CompiledModel` for a weight and the routes used.

    States that no used route can reach are left out (they would only cost time). A route
    given by bioavailability and time to peak gets its own depot state whose first-order rate
    constant is derived so that this model peaks at the cited time.
    """
    if not (math.isfinite(weight_kg) and 20 <= weight_kg <= 350):
        raise UserInputError("the weight must be between 20 and 350 kg for an adult model")
    route_specs = _route_specs(spec, shared_routes, routes)
    ids = [c.id for c in spec.compartments]
    observed_ket = next(c.id for c in spec.compartments if c.observed and c.drug == "ketamine")
    # the observed ketamine compartment goes first so derive() can find it
    ids.remove(observed_ket)
    ids.insert(0, observed_ket)
    volumes = [math.nan] * len(ids)
    for c in spec.compartments:
        if c.volume is not None:
            volumes[ids.index(c.id)] = _volume_l(c.volume.value, c.volume.unit, weight_kg, c.id)
    flow_from, flow_to, values, is_cl, names = [], [], [], [], []
    for flow in spec.flows:
        names.append(flow.name)
        flow_from.append(ids.index(flow.from_))
        flow_to.append(-1 if flow.to is None else ids.index(flow.to))
        if flow.rate_constant is not None:
            values.append(flow.rate_constant.to("1/hour"))
            is_cl.append(False)
        else:
            assert flow.clearance is not None  # noqa: S101 - the schema requires one
            values.append(_clearance_l_per_h(flow.clearance.value, flow.clearance.unit, weight_kg))
            is_cl.append(True)
            if math.isnan(volumes[ids.index(flow.from_)]):
                raise UserInputError(
                    f"flow {flow.name} uses a clearance from a compartment without a volume"
                )
    inputs: dict[Route, list[Input]] = {}
    notes: dict[Route, str] = {}
    pending_depots: list[tuple[Route, float, float]] = []
    for route, rs in route_specs.items():
        if rs.inputs:
            inputs[route] = [
                Input(
                    state=ids.index(d.compartment),
                    fraction=d.fraction.value,
                    zero_order_h=0.0 if d.zero_order_h is None else d.zero_order_h.to("hour"),
                )
                for d in rs.inputs
            ]
        elif route == "iv":
            assert rs.bioavailability is not None  # noqa: S101
            inputs[route] = [Input(state=0, fraction=rs.bioavailability.value, zero_order_h=0)]
        else:
            assert rs.bioavailability is not None  # noqa: S101
            if rs.tmax is None:
                raise UserInputError(f"route {route} of model {spec.id} has no time to peak")
            pending_depots.append((route, rs.bioavailability.value, rs.tmax.to("hour")))
        notes[route] = ""

    def compiled(with_inputs: bool) -> CompiledModel:  # noqa: FBT001 - local helper
        return CompiledModel(
            spec=spec,
            weight_kg=weight_kg,
            states=tuple(ids),
            volumes_l=np.array(volumes),
            flow_from=np.array(flow_from, dtype=np.int64),
            flow_to=np.array(flow_to, dtype=np.int64),
            flow_value=np.array(values),
            flow_is_clearance=np.array(is_cl, dtype=np.bool_),
            observed=tuple((c.drug, ids.index(c.id)) for c in spec.compartments if c.observed),
            inputs={r: tuple(v) for r, v in inputs.items()} if with_inputs else {},
            route_notes=notes,
            flow_names=tuple(names),
        )

    # The depots' absorption constants are fitted on the model without them, then added.
    base = compiled(with_inputs=False)
    typical = base.matrix()
    out_row = base.output_weights()[0]
    for route, fraction, tmax_h in pending_depots:
        ka = ka_for_tmax(typical, out_row, tmax_h)
        ids.append(f"depot_{route}")
        volumes.append(math.nan)
        flow_from.append(len(ids) - 1)
        flow_to.append(0)
        values.append(ka)
        is_cl.append(False)
        names.append(f"depot_{route}->{observed_ket}")
        inputs[route] = [Input(state=len(ids) - 1, fraction=fraction, zero_order_h=0.0)]
        notes[route] = (
            f"Absorption rate constant {ka:.3g}/h derived so that this model peaks at "
            f"{tmax_h * 60:.0f} min."
        )
    full = compiled(with_inputs=True)
    return _prune(full)


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
    )


def _route_specs(
    spec: PkModelSpec, shared: RouteFile | None, routes: tuple[Route, ...]
) -> dict[Route, RouteSpec]:
    available: dict[Route, RouteSpec] = {}
    if shared is not None:
        available.update(shared.routes)
    available.update(spec.routes)
    chosen: dict[Route, RouteSpec] = {}
    for route in routes:
        if route not in available:
            raise UserInputError(
                f"model {spec.id} has no cited data for the {route} route; "
                f"it covers {', '.join(sorted(available)) or 'no route'}"
            )
        chosen[route] = available[route]
    return chosen


def _volume_l(value: float, unit: str, weight_kg: float, where: str) -> float:
    u = unit.replace(" ", "").lower()
    if u in {"l/kg", "ml/kg"}:
        return value * weight_kg * (0.001 if u.startswith("ml") else 1.0)
    if u in {"l", "ml"}:
        return value * (0.001 if u == "ml" else 1.0)
    raise UserInputError(f"volume of {where} has unit '{unit}', expected L, mL, L/kg or mL/kg")


def _clearance_l_per_h(value: float, unit: str, weight_kg: float) -> float:
    u = unit.replace(" ", "").lower()
    table = {
        "l/h": 1.0,
        "l/min": 60.0,
        "ml/min": 0.06,
        "ml/h": 0.001,
        "l/kg/h": weight_kg,
        "l/kg/min": 60.0 * weight_kg,
        "ml/kg/min": 0.06 * weight_kg,
        "ml/kg/h": 0.001 * weight_kg,
    }
    if u not in table:
        raise UserInputError(f"clearance unit '{unit}' is not one the product reads")
    return value * table[u]


def ka_for_tmax(a: FloatArray, out_row: FloatArray, tmax_h: float) -> float:
    """The depot rate constant (1/h) with which an oral-type dose into ``a`` peaks at ``tmax_h``.

    Bisection on the rate constant: a faster absorption always peaks earlier.
    """
    n = a.shape[0]

    def peak_time(ka: float) -> float:
        big = np.zeros((n + 1, n + 1))
        big[:n, :n] = a
        big[n, n] = -ka
        big[0, n] = ka
        lam, vec = np.linalg.eig(big)
        lam, vec = np.real(lam), np.real(vec)
        start = np.linalg.solve(vec, np.eye(n + 1)[:, n])
        w = np.append(out_row, 0.0) @ vec
        horizon = max(6.0 * tmax_h, 1.0)
        times = np.linspace(0.0, horizon, 6001)
        conc = (w * start) @ np.exp(np.outer(lam, times))
        return float(times[int(np.argmax(conc))])

    low, high = 1e-3, 1e4
    if not peak_time(high) <= tmax_h <= peak_time(low):
        raise UserInputError(f"no absorption rate makes this model peak at {tmax_h:g} h")
    for _ in range(60):
        mid = math.sqrt(low * high)
        if peak_time(mid) > tmax_h:
            low = mid
        else:
            high = mid
    return math.sqrt(low * high)
