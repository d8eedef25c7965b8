"""A regimen laid on a time grid: segments of equal steps with constant input.

Every change of rate and every dose is a segment boundary (off the grid if need be), so
piecewise-constant input is integrated exactly by the modal recursion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.model import CompiledModel, FloatArray
from ketamine_cds.domain.pk.regimen import Regimen

IntArray = npt.NDArray[np.int64]
MAX_GRID_POINTS = 50_000_000


@dataclass(frozen=True)
class Schedule:
    """A regimen laid on a time grid as segments of equal steps with constant input.

    Segment ``s`` starts at ``seg_t0[s]``, applies dose vector ``seg_dose[s]`` (or none, -1)
    at its start, then takes ``seg_n[s]`` steps of ``seg_dt[s]`` with rate vector
    ``seg_rate[s]``. The point reached after step ``j`` is grid point ``seg_gi[s] + j``, or
    no grid point (``seg_gi[s] = -1``) for the one short step that ends on an off-grid change.
    """

    rate_vectors: FloatArray  # (U, states) mg/h into each state
    dose_vectors: FloatArray  # (B, states) mg put into each state at once
    seg_t0: FloatArray
    seg_dt: FloatArray
    seg_n: IntArray
    seg_gi: IntArray
    seg_rate: IntArray
    seg_dose: IntArray
    step_h: float
    store_every: int
    n_store: int
    dose_at_zero: int  # dose vector landing at time 0, or -1
    maintenance_start_h: float
    maintenance_rates: FloatArray  # (states,) mean mg/h of the maintenance phase
    dosing_end_h: float

    @property
    def stored_times_h(self) -> FloatArray:
        """The times of the stored trajectory."""
        times = np.arange(self.n_store, dtype=np.float64)
        times *= self.step_h * self.store_every
        return times


def _subsegments(c0: float, c1: float, h: float) -> list[tuple[float, int, int, float]]:
    """Steps from change ``c0`` to change ``c1``: (dt, count, first grid index, start)."""
    r0, r1 = c0 / h, c1 / h
    i0, i1 = round(r0), round(r1)
    on0, on1 = abs(r0 - i0) <= 1e-9, abs(r1 - i1) <= 1e-9
    first = i0 if on0 else math.floor(r0) + 1
    last = i1 if on1 else math.floor(r1)
    out: list[tuple[float, int, int, float]] = []
    if not on0:
        if first > last:
            return [(c1 - c0, 1, -1, c0)]
        out.append((first * h - c0, 1, first, c0))
    if last > first:
        out.append((h, last - first, first + 1, first * h))
    if not on1:
        out.append((c1 - last * h, 1, -1, last * h))
    return out


def schedule(
    model: CompiledModel,
    regimen: Regimen,
    horizon_h: float,
    step_h: float,
    store_every: int = 1,
) -> Schedule:
    """Lay ``regimen`` on a grid of ``step_h`` up to ``horizon_h``.

    Every change of rate and every dose is a segment boundary (off the grid if need be), so
    piecewise-constant input is integrated exactly. Every ``store_every``-th grid time is kept
    in the stored trajectory.
    """
    if not (step_h > 0 and horizon_h > 0):
        raise UserInputError("the time step and the horizon must be above 0")
    n_states = len(model.states)
    pieces, instants = _pieces(model, regimen)
    n_grid = round(horizon_h / step_h)
    if n_grid < 1 or n_grid > MAX_GRID_POINTS:
        raise UserInputError("the horizon and time step give too few or too many time points")
    end = n_grid * step_h
    change = sorted(
        {0.0, end} | {p[0] for p in pieces} | {p[1] for p in pieces} | {t for t, _, _ in instants}
    )
    change = [t for t in change if t <= end]
    vectors = np.zeros((len(change) - 1, n_states))
    for start, stop, state, rate in pieces:
        for j in range(len(change) - 1):
            if start <= change[j] < stop:
                vectors[j, state] += rate
    uniq, inverse = np.unique(vectors, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    dose_times, dose_vectors = _dose_table(instants, n_states, end)
    segs: list[tuple[float, int, int, float, int, int]] = []
    for j in range(len(change) - 1):
        c0 = change[j]
        dose = dose_times.index(c0) if c0 in dose_times and j > 0 else -1
        for k, (dt, n, gi, t0) in enumerate(_subsegments(c0, change[j + 1], step_h)):
            segs.append((dt, n, gi, t0, int(inverse[j]), dose if k == 0 else -1))
    maintenance = regimen.maintenance()
    return Schedule(
        rate_vectors=uniq,
        dose_vectors=dose_vectors,
        seg_dt=np.array([x[0] for x in segs]),
        seg_n=np.array([x[1] for x in segs], dtype=np.int64),
        seg_gi=np.array([x[2] for x in segs], dtype=np.int64),
        seg_t0=np.array([x[3] for x in segs]),
        seg_rate=np.array([x[4] for x in segs], dtype=np.int64),
        seg_dose=np.array([x[5] for x in segs], dtype=np.int64),
        step_h=step_h,
        store_every=store_every,
        n_store=n_grid // store_every + 1,
        dose_at_zero=dose_times.index(0.0) if 0.0 in dose_times else -1,
        maintenance_start_h=maintenance.start_h,
        maintenance_rates=_maintenance_rates(model, regimen),
        dosing_end_h=min(_dosing_end(pieces, instants), end),
    )


def _dosing_end(
    pieces: list[tuple[float, float, int, float]], instants: list[tuple[float, int, float]]
) -> float:
    """When the last drug has entered the body (a zero-order input may outlast its dose)."""
    return max([p[1] for p in pieces] + [t for t, _, _ in instants] + [0.0])


def _dose_table(
    instants: list[tuple[float, int, float]], n_states: int, end: float
) -> tuple[list[float], FloatArray]:
    """Instant doses summed per time: their times, and one vector of mg per state each."""
    dose_at: dict[float, FloatArray] = {}
    for t, state, amount in instants:
        if t < end:
            dose_at.setdefault(t, np.zeros(n_states))[state] += amount
    if not dose_at:
        return [], np.zeros((1, n_states))
    return list(dose_at), np.array(list(dose_at.values()))


def _maintenance_rates(model: CompiledModel, regimen: Regimen) -> FloatArray:
    """Mean mg/h into each state during the maintenance phase."""
    maintenance = regimen.maintenance()
    rates = np.zeros(len(model.states))
    for inp in model.inputs[maintenance.route]:
        rates[inp.state] += maintenance.mean_rate_mg_per_h() * inp.fraction
    return rates


def _pieces(
    model: CompiledModel, regimen: Regimen
) -> tuple[list[tuple[float, float, int, float]], list[tuple[float, int, float]]]:
    """The regimen as constant-rate pieces (start, end, state, mg/h) and instant doses."""
    pieces: list[tuple[float, float, int, float]] = []
    instants: list[tuple[float, int, float]] = []
    for phase in regimen.phases:
        route_inputs = model.inputs.get(phase.route)
        if route_inputs is None:
            raise UserInputError(f"the model was not prepared for the {phase.route} route")
        for start, end, mg in phase.deliveries():
            for inp in route_inputs:
                amount = mg * inp.fraction
                if end > start and inp.zero_order_h > 0:
                    raise UserInputError(
                        f"model {model.spec.id} describes {phase.route} doses as discrete "
                        "doses; a continuous rate by that route is not modelled"
                    )
                if end > start:
                    pieces.append((start, end, inp.state, amount / (end - start)))
                elif inp.zero_order_h > 0:
                    pieces.append(
                        (start, start + inp.zero_order_h, inp.state, amount / inp.zero_order_h)
                    )
                else:
                    instants.append((start, inp.state, amount))
    return pieces, instants
