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

import numpy as np
import numpy.typing as npt

from ketamine_cds.domain.pk import kernels, lanes, tiles
from ketamine_cds.domain.pk.model import CompiledModel, FloatArray
from ketamine_cds.domain.pk.modes import Modes, decompose
from ketamine_cds.domain.pk.regimen import Regimen
from ketamine_cds.domain.pk.schedule import Schedule, schedule

WASHOUT_FRACTION = kernels.WASHOUT_FRACTION


@dataclass(frozen=True)
class Modal:
    """Per-patient modal form: eigenvalues, modal inputs and output weights."""

    lam: FloatArray  # (P, M) 1/h
    g_rate: FloatArray  # (P, U, M)
    g_dose: FloatArray  # (P, B, M)
    w_out: FloatArray  # (P, O, M)
    steady_state: FloatArray  # (P, O) ng/mL for the maintenance input


def modal(modes: Modes, weights: FloatArray, sched: Schedule) -> Modal:
    """Project a schedule's inputs and the concentration rows onto each patient's modes.

    ``weights`` is (P, O, M): concentration rows per patient. The steady state of the
    maintenance input is ``w·V·diag(−1/λ)·V⁻¹·u``, read from the same modes.
    """
    g_rate = np.swapaxes(modes.left @ sched.rate_vectors.T, 1, 2)
    g_dose = np.swapaxes(modes.left @ sched.dose_vectors.T, 1, 2)
    w_out = weights @ modes.right
    g_ss = (modes.left @ sched.maintenance_rates) / -modes.lam
    steady = (w_out @ g_ss[:, :, None])[:, :, 0]
    return Modal(lam=modes.lam, g_rate=g_rate, g_dose=g_dose, w_out=w_out, steady_state=steady)


def _call(kernel: object, *args: object) -> tuple[FloatArray, ...]:
    """Call a compiled kernel (numba dispatchers carry no static signature)."""
    result: tuple[FloatArray, ...] = kernel(*args)  # type: ignore[operator]
    return result


@dataclass(frozen=True)
class SimulationResult:
    """Per-patient results; trajectories at the stored times only."""

    stored_step_h: float  # stored time k is k × stored_step_h
    concentration: FloatArray  # (P, O, T) ng/mL (float32 for a population)
    cmax: FloatArray  # (P, O)
    tmax_h: FloatArray  # (P, O)
    auc: FloatArray  # (P, O) ng·h/mL, exact
    time_above_h: FloatArray  # (P,)
    time_to_90pct_h: FloatArray  # (P,) from the start of the maintenance phase
    washout_h: FloatArray  # (P,) from the end of dosing to 1/32 of the highest level since
    steady_state: FloatArray  # (P, O) ng/mL for the maintenance phase continued for ever

    @property
    def times_h(self) -> FloatArray:
        """The stored times (built when asked: a 1-second trajectory is long)."""
        times = np.arange(self.concentration.shape[2], dtype=np.float64)
        times *= self.stored_step_h
        return times


def _segments(sched: Schedule) -> tuple[object, ...]:
    return (
        sched.seg_t0,
        sched.seg_dt,
        sched.seg_n,
        sched.seg_gi,
        sched.seg_rate,
        sched.seg_dose,
        sched.dose_at_zero,
        sched.store_every,
    )


def _run_one(mod: Modal, sched: Schedule, threshold: float) -> SimulationResult:
    lam, g_rate, g_dose, w_out = mod.lam[0], mod.g_rate[0], mod.g_dose[0], mod.w_out[0]
    kernel: object = kernels.single
    if lam.shape[0] <= kernels.REGISTER_MODES and w_out.shape[0] == 1:
        pad = kernels.REGISTER_MODES - lam.shape[0]
        lam = np.concatenate([lam, -np.ones(pad)])
        g_rate = np.pad(g_rate, ((0, 0), (0, pad)))
        g_dose = np.pad(g_dose, ((0, 0), (0, pad)))
        w_out = np.pad(w_out, ((0, 0), (0, pad)))
        kernel = kernels.single4
    stored, cmax, tmax, auc, extra = _call(
        kernel,
        np.ascontiguousarray(lam),
        np.ascontiguousarray(g_rate),
        np.ascontiguousarray(g_dose),
        np.ascontiguousarray(w_out),
        *_segments(sched),
        sched.n_store,
        threshold,
        float(mod.steady_state[0, 0]),
        sched.maintenance_start_h,
        sched.dosing_end_h,
    )
    return SimulationResult(
        stored_step_h=sched.step_h * sched.store_every,
        concentration=stored[None],
        cmax=cmax[None],
        tmax_h=tmax[None],
        auc=auc[None],
        time_above_h=extra[0:1],
        time_to_90pct_h=extra[1:2],
        washout_h=extra[2:3],
        steady_state=mod.steady_state,
    )


def run(  # noqa: PLR0913 - a simulation and where to write it
    modes: Modes,
    weights: FloatArray,
    sched: Schedule,
    threshold: float = math.inf,
    *,
    out: npt.NDArray[np.float32] | None = None,
    first_column: int = 0,
) -> SimulationResult:
    """Simulate every patient of ``modes`` over ``sched``.

    One patient runs the scalar kernel; a population runs the tiled kernel, whose stored
    trajectory is float32, laid out (O, T, P) and returned as a (P, O, T) view. A population
    may write into ``out`` from column ``first_column`` on (a chunk of a larger population).
    """
    mod = modal(modes, weights, sched)
    n_pat, n_out = mod.steady_state.shape
    if n_pat == 1 and out is None:
        return _run_one(mod, sched, threshold)
    if out is not None and not (out.flags.c_contiguous and out.dtype == np.float32):
        raise ValueError("out must be C-contiguous float32 (a population writes rows of lanes)")
    stored = np.zeros((n_out, sched.n_store, n_pat), dtype=np.float32) if out is None else out
    padded = -n_pat % lanes.LANES  # the last tile is filled with copies of the last patient

    def lay(a: FloatArray, axes: tuple[int, ...]) -> FloatArray:
        a = np.transpose(a, axes)
        if padded:
            a = np.concatenate([a, np.repeat(a[..., -1:], padded, axis=-1)], axis=-1)
        return np.ascontiguousarray(a)

    cmax, tmax, auc, extra = _call(
        tiles.population,
        lay(mod.lam, (1, 0)),
        lay(mod.g_rate, (1, 2, 0)),
        lay(mod.g_dose, (1, 2, 0)),
        lay(mod.w_out, (1, 2, 0)),
        *_segments(sched),
        threshold,
        lay(mod.steady_state[:, 0], (0,)),
        sched.maintenance_start_h,
        sched.dosing_end_h,
        stored,
        first_column,
        n_pat,
        (0,) * mod.lam.shape[1],
    )
    cmax, tmax, auc, extra = (x[:, :n_pat] for x in (cmax, tmax, auc, extra))
    columns = stored[:, :, first_column : first_column + n_pat]
    return SimulationResult(
        stored_step_h=sched.step_h * sched.store_every,
        concentration=np.transpose(columns, (2, 0, 1)),
        cmax=cmax.T,
        tmax_h=tmax.T,
        auc=auc.T,
        time_above_h=extra[0],
        time_to_90pct_h=extra[1],
        washout_h=extra[2],
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
    modes = decompose(model, model.matrix()[None, :, :])
    w = model.output_weights()[None, :, :]
    return run(modes, w, sched, threshold)
