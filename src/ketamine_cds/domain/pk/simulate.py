"""The exact simulator: modal recursion across piecewise-constant input.

``A = V Λ V⁻¹`` is diagonalised once per patient. In modal coordinates ``z = V⁻¹ x`` each mode
obeys ``dz/dt = λ z + g u``; over a step of length ``Δt`` with constant input ``u`` it moves
exactly to ``z·e^{λΔt} + g·u·(e^{λΔt} − 1)/λ``, and its integral over the step (for the AUC) is
known in closed form too. Changes of rate and doses are placed on step boundaries, so the
result is exact at every reported time (to floating point), whatever the step length.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.model import CompiledModel, FloatArray
from ketamine_cds.domain.pk.regimen import Regimen

IntArray = npt.NDArray[np.int64]
WASHOUT_FRACTION = 1.0 / 32.0  # five halvings: seed 000's "five elimination half-lives"
_SERIES_LIMIT = 1e-4


@dataclass(frozen=True)
class Schedule:
    """A regimen laid on a time grid: what each step receives and which times are reported."""

    times_h: FloatArray  # step boundaries, S + 1 of them
    rate_vectors: FloatArray  # (U, states) mg/h into each state
    rate_index: IntArray  # (S,) which rate vector runs over step k
    dose_vectors: FloatArray  # (B, states) mg put into each state at once
    dose_index: IntArray  # (S + 1,) which dose vector lands at time k, or -1
    store_index: IntArray  # (S + 1,) column of the stored trajectory, or -1
    n_store: int
    maintenance_start: int  # time index where the maintenance phase starts
    maintenance_rates: FloatArray  # (states,) mean mg/h of the maintenance phase
    dosing_end: int  # time index when the last dose has run in


def schedule(
    model: CompiledModel,
    regimen: Regimen,
    horizon_h: float,
    step_h: float,
    store_every: int = 1,
) -> Schedule:
    """Lay ``regimen`` on a grid of ``step_h`` up to ``horizon_h``, inserting change points.

    Every change of rate and every dose falls on a step boundary (off-grid ones are inserted),
    so piecewise-constant input is integrated exactly. Every ``store_every``-th grid time is
    kept in the stored trajectory.
    """
    if not (step_h > 0 and horizon_h > 0):
        raise UserInputError("the time step and the horizon must be above 0")
    n_states = len(model.states)
    pieces, instants = _pieces(model, regimen)
    n_grid = round(horizon_h / step_h)
    if n_grid < 1 or n_grid > 50_000_000:
        raise UserInputError("the horizon and time step give too few or too many time points")
    grid = np.arange(n_grid + 1, dtype=np.float64) * step_h
    change = sorted(
        {0.0} | {p[0] for p in pieces} | {p[1] for p in pieces} | {t for t, _, _ in instants}
    )
    change = [t for t in change if t <= grid[-1]]
    on_grid = np.zeros(n_grid + 1, dtype=np.bool_)
    on_grid[::store_every] = True
    extra = [t for t in change if abs(t / step_h - round(t / step_h)) > 1e-9]
    if extra:
        pos = np.searchsorted(grid, extra)
        grid = np.insert(grid, pos, extra)
        on_grid = np.insert(on_grid, pos, False)
    times = grid
    # rate vector per interval between change points
    bounds = np.array([*change, math.inf])
    vectors = np.zeros((len(change), n_states))
    for start, end, state, rate in pieces:
        for j in range(len(change)):
            if start <= change[j] < end:
                vectors[j, state] += rate
    uniq, inverse = np.unique(vectors, axis=0, return_inverse=True)
    interval_of_step = np.searchsorted(bounds, times[:-1] + 1e-12 * step_h, side="right") - 1
    rate_index = inverse.reshape(-1)[interval_of_step].astype(np.int64)
    dose_vectors, dose_index = _doses(times, instants, n_states, step_h)
    store_index = np.full(len(times), -1, dtype=np.int64)
    stored_positions = np.flatnonzero(on_grid)
    store_index[stored_positions] = np.arange(len(stored_positions))
    maintenance = regimen.maintenance()
    m_rates = np.zeros(n_states)
    for inp in model.inputs[maintenance.route]:
        m_rates[inp.state] += maintenance.mean_rate_mg_per_h() * inp.fraction
    return Schedule(
        times_h=times,
        rate_vectors=uniq,
        rate_index=rate_index,
        dose_vectors=dose_vectors,
        dose_index=dose_index,
        store_index=store_index,
        n_store=len(stored_positions),
        maintenance_start=int(np.searchsorted(times, maintenance.start_h - 1e-9 * step_h)),
        maintenance_rates=m_rates,
        dosing_end=min(int(np.searchsorted(times, regimen.end_h - 1e-9 * step_h)), len(times) - 1),
    )


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


def _doses(
    times: FloatArray, instants: list[tuple[float, int, float]], n_states: int, step_h: float
) -> tuple[FloatArray, IntArray]:
    """Instant doses summed per time point: vectors and, per time point, which one lands."""
    dose_index = np.full(len(times), -1, dtype=np.int64)
    by_time: dict[int, FloatArray] = {}
    for t, state, amount in instants:
        k = int(np.searchsorted(times, t - 1e-9 * step_h))
        if k < len(times):
            by_time.setdefault(k, np.zeros(n_states))[state] += amount
    vectors: list[FloatArray] = []
    for k, vec in sorted(by_time.items()):
        dose_index[k] = len(vectors)
        vectors.append(vec)
    return (np.array(vectors) if vectors else np.zeros((1, n_states))), dose_index


@dataclass(frozen=True)
class Modal:
    """Per-patient modal form: eigenvalues, modal inputs and output weights."""

    lam: FloatArray  # (P, M) 1/h
    g_rate: FloatArray  # (P, U, M)
    g_dose: FloatArray  # (P, B, M)
    w_out: FloatArray  # (P, O, M)
    steady_state: FloatArray  # (P, O) ng/mL for the maintenance input


def modal(a: FloatArray, weights: FloatArray, sched: Schedule) -> Modal:
    """Diagonalise a stack of rate matrices ``a`` (P, M, M) and project inputs and outputs.

    ``weights`` is (P, O, M): concentration rows per patient. Raises on a matrix that cannot be
    diagonalised with real modes (no published linear compartment model gives one).
    """
    lam_c, vec_c = np.linalg.eig(a)
    if np.max(np.abs(lam_c.imag)) > 1e-9 * max(1.0, float(np.max(np.abs(lam_c.real)))):
        raise ValueError("a compartment matrix has complex modes; the model is not mammillary")
    lam, vec = lam_c.real, vec_c.real
    if np.max(lam) >= 0:
        raise ValueError("a compartment matrix has a mode that does not decay")
    inv = np.linalg.inv(vec)
    g_rate = np.einsum("pms,us->pum", inv, sched.rate_vectors)
    g_dose = np.einsum("pms,bs->pbm", inv, sched.dose_vectors)
    w_out = np.einsum("pos,psm->pom", weights, vec)
    x_ss = np.linalg.solve(-a, np.broadcast_to(sched.maintenance_rates, a.shape[:2])[..., None])
    steady = np.einsum("pos,ps->po", weights, x_ss[..., 0])
    return Modal(lam=lam, g_rate=g_rate, g_dose=g_dose, w_out=w_out, steady_state=steady)


@numba.njit(parallel=True, cache=True)
def _kernel(  # noqa: PLR0913, PLR0917, PLR0912, PLR0915, C901 - one compiled loop on purpose
    lam: FloatArray,
    g_rate: FloatArray,
    g_dose: FloatArray,
    w_out: FloatArray,
    times: FloatArray,
    rate_index: IntArray,
    dose_index: IntArray,
    store_index: IntArray,
    n_store: int,
    threshold: float,
    css: FloatArray,
    ss_start: int,
    dose_end: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    n_pat, n_modes = lam.shape
    n_out = w_out.shape[1]
    n_times = times.shape[0]
    stored = np.zeros((n_pat, n_out, n_store))
    cmax = np.zeros((n_pat, n_out))
    tmax = np.zeros((n_pat, n_out))
    auc = np.zeros((n_pat, n_out))
    above = np.zeros(n_pat)
    t90 = np.full(n_pat, np.nan)
    washout = np.full(n_pat, np.nan)
    for p in numba.prange(n_pat):
        z = np.zeros(n_modes)
        e1 = np.empty(n_modes)
        f1 = np.empty(n_modes)
        f2 = np.empty(n_modes)
        prev_dt = -1.0
        level = -1.0
        target = 0.9 * css[p]
        for k in range(n_times):
            d = dose_index[k]
            if d >= 0:
                for m in range(n_modes):
                    z[m] += g_dose[p, d, m]
            for o in range(n_out):
                y = 0.0
                for m in range(n_modes):
                    y += w_out[p, o, m] * z[m]
                if store_index[k] >= 0:
                    stored[p, o, store_index[k]] = y
                if y > cmax[p, o]:
                    cmax[p, o] = y
                    tmax[p, o] = times[k]
                if o == 0:
                    if k >= ss_start and np.isnan(t90[p]) and target > 0 and y >= target:
                        t90[p] = times[k] - times[ss_start]
                    if k == dose_end:
                        level = y * WASHOUT_FRACTION
                    elif k > dose_end and np.isnan(washout[p]) and level > 0 and y < level:
                        washout[p] = times[k] - times[dose_end]
                    if k + 1 < n_times and y > threshold:
                        above[p] += times[k + 1] - times[k]
            if k + 1 == n_times:
                break
            dt = times[k + 1] - times[k]
            if abs(dt - prev_dt) > 1e-12 * dt:
                for m in range(n_modes):
                    x = lam[p, m] * dt
                    e1[m] = math.exp(x)
                    f1[m] = math.expm1(x) / lam[p, m]
                    if abs(x) < _SERIES_LIMIT:
                        f2[m] = dt * dt * (0.5 + x / 6.0 + x * x / 24.0)
                    else:
                        f2[m] = (f1[m] - dt) / lam[p, m]
                prev_dt = dt
            u = rate_index[k]
            for o in range(n_out):
                acc = 0.0
                for m in range(n_modes):
                    acc += w_out[p, o, m] * (z[m] * f1[m] + g_rate[p, u, m] * f2[m])
                auc[p, o] += acc
            for m in range(n_modes):
                z[m] = z[m] * e1[m] + g_rate[p, u, m] * f1[m]
    return stored, cmax, tmax, auc, above, t90, washout


@dataclass(frozen=True)
class SimulationResult:
    """Per-patient results; trajectories at the stored times only."""

    times_h: FloatArray  # stored times
    concentration: FloatArray  # (P, O, T) ng/mL
    cmax: FloatArray  # (P, O)
    tmax_h: FloatArray  # (P, O)
    auc: FloatArray  # (P, O) ng·h/mL, exact
    time_above_h: FloatArray  # (P,)
    time_to_90pct_h: FloatArray  # (P,) from the start of the maintenance phase
    washout_h: FloatArray  # (P,) from the end of dosing to 1/32 of the level then
    steady_state: FloatArray  # (P, O) ng/mL for the maintenance phase continued for ever


def run(
    a: FloatArray, weights: FloatArray, sched: Schedule, threshold: float = math.inf
) -> SimulationResult:
    """Simulate every patient of the stack ``a`` (P, M, M) over ``sched``."""
    mod = modal(a, weights, sched)
    stored, cmax, tmax, auc, above, t90, washout = _kernel(
        mod.lam,
        mod.g_rate,
        mod.g_dose,
        mod.w_out,
        sched.times_h,
        sched.rate_index,
        sched.dose_index,
        sched.store_index,
        sched.n_store,
        threshold,
        np.ascontiguousarray(mod.steady_state[:, 0]),
        sched.maintenance_start,
        sched.dosing_end,
    )
    return SimulationResult(
        times_h=sched.times_h[sched.store_index >= 0],
        concentration=stored,
        cmax=cmax,
        tmax_h=tmax,
        auc=auc,
        time_above_h=above,
        time_to_90pct_h=t90,
        washout_h=washout,
        steady_state=mod.steady_state,
    )


def simulate_typical(  # noqa: PLR0913 - keyword-only options
    model: CompiledModel,
    regimen: Regimen,
    *,
    horizon_h: float,
    step_h: float,
    threshold: float = math.inf,
    store_every: int = 1,
) -> SimulationResult:
    """One typical patient (the published parameter values)."""
    sched = schedule(model, regimen, horizon_h, step_h, store_every)
    a = model.matrix()[None, :, :]
    w = model.output_weights()[None, :, :]
    return run(a, w, sched, threshold)
