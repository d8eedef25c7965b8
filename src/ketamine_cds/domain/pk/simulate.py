"""The exact simulator: modal recursion across piecewise-constant input.

``A = V Λ V⁻¹`` is diagonalised once per patient. In modal coordinates ``z = V⁻¹ x`` each mode
obeys ``dz/dt = λ z + g u``; over a step of length ``Δt`` with constant input ``u`` it moves
exactly to ``z·e^{λΔt} + g·u·(e^{λΔt} − 1)/λ``, and its integral over the step (for the AUC) is
known in closed form too. Changes of rate and doses are placed on step boundaries, so the
result is exact at every reported time (to floating point), whatever the step length.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
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
_REGISTER_MODES = 4


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
    if n_grid < 1 or n_grid > 50_000_000:
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
        dosing_end_h=min(regimen.end_h, end),
    )


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


_THREADED_EIG_FROM = 4096


def _eig(a: FloatArray) -> tuple[npt.NDArray[np.complex128], npt.NDArray[np.complex128]]:
    """Eigen-decomposition of a stack; LAPACK releases the GIL, so large stacks use threads."""
    workers = numba.get_num_threads()
    if a.shape[0] < _THREADED_EIG_FROM or workers < 2:
        lam, vec = np.linalg.eig(a)
        return lam.astype(np.complex128), vec.astype(np.complex128)
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(np.linalg.eig, np.array_split(a, workers)))
    return (
        np.concatenate([p[0] for p in parts]).astype(np.complex128),
        np.concatenate([p[1] for p in parts]).astype(np.complex128),
    )


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
    lam_c, vec_c = _eig(a)
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


_EPS_T = 1e-9


@numba.njit(cache=True)
def _coefficients(lam: float, dt: float) -> tuple[float, float, float]:
    """exp(λΔt), ∫ exp over the step, and the integral of the input term (for the AUC)."""
    x = lam * dt
    e1 = math.exp(x)
    f1 = math.expm1(x) / lam
    f2 = dt * dt * (0.5 + x / 6.0 + x * x / 24.0) if abs(x) < _SERIES_LIMIT else (f1 - dt) / lam
    return e1, f1, f2


@numba.njit(cache=True)
def _single(  # noqa: PLR0913, PLR0917, PLR0912, PLR0915, C901 - one compiled loop on purpose
    lam: FloatArray,
    g_rate: FloatArray,
    g_dose: FloatArray,
    w: FloatArray,
    seg_t0: FloatArray,
    seg_dt: FloatArray,
    seg_n: IntArray,
    seg_gi: IntArray,
    seg_rate: IntArray,
    seg_dose: IntArray,
    dose0: int,
    store_every: int,
    n_store: int,
    threshold: float,
    css: float,
    ss_t: float,
    end_t: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """One patient: trajectory at stored grid times, and the streamed summaries.

    The AUC is integrated per segment in closed form; the steps only report the level.
    Returns stored (O, T), cmax (O), tmax (O), auc (O), and [time above, t90, wash-out].
    """
    n_modes = lam.shape[0]
    n_out = w.shape[0]
    stored = np.zeros((n_out, n_store))
    cmax = np.zeros(n_out)
    tmax = np.zeros(n_out)
    integral = np.zeros(n_modes)
    z = np.zeros(n_modes)
    e = np.empty(n_modes)
    c = np.empty(n_modes)
    above = 0.0
    t90 = np.nan
    washout = np.nan
    need90 = css > 0
    level = -1.0
    target = 0.9 * css
    if dose0 >= 0:
        z += g_dose[dose0]
    for o in range(n_out):
        y = 0.0
        for m in range(n_modes):
            y += w[o, m] * z[m]
        stored[o, 0] = y
        cmax[o] = y
    for s in range(seg_t0.shape[0]):
        d = seg_dose[s]
        if d >= 0:
            for m in range(n_modes):
                z[m] += g_dose[d, m]
        dt = seg_dt[s]
        n = seg_n[s]
        u = seg_rate[s]
        for m in range(n_modes):
            e1, f1, _ = _coefficients(lam[m], dt)
            e[m] = e1
            c[m] = g_rate[u, m] * f1
            _, f1_seg, f2_seg = _coefficients(lam[m], dt * n)
            integral[m] += z[m] * f1_seg + g_rate[u, m] * f2_seg
        gi = seg_gi[s]
        t0 = seg_t0[s]
        watch = t0 + n * dt >= ss_t - _EPS_T or t0 + n * dt >= end_t - _EPS_T
        # the next step whose end is a stored grid point (a counter: no division per step)
        next_store = (-gi) % store_every if gi >= 0 else n
        for j in range(n):
            y0 = 0.0
            for m in range(n_modes):
                z[m] = z[m] * e[m] + c[m]
                y0 += w[0, m] * z[m]
            if y0 > cmax[0]:
                cmax[0] = y0
                tmax[0] = t0 + (j + 1) * dt
            if y0 > threshold:
                above += dt
            if watch:
                t = t0 + (j + 1) * dt
                if need90 and t >= ss_t - _EPS_T and y0 >= target:
                    t90 = t - ss_t
                    need90 = False
                if level < 0 and t >= end_t - _EPS_T:
                    level = y0 * WASHOUT_FRACTION
                elif level > 0 and y0 < level and np.isnan(washout):
                    washout = t - end_t
            if j == next_store:
                next_store += store_every
                col = (gi + j) // store_every
                stored[0, col] = y0
                for o in range(1, n_out):
                    y = 0.0
                    for m in range(n_modes):
                        y += w[o, m] * z[m]
                    stored[o, col] = y
            for o in range(1, n_out):
                y = 0.0
                for m in range(n_modes):
                    y += w[o, m] * z[m]
                if y > cmax[o]:
                    cmax[o] = y
                    tmax[o] = t0 + (j + 1) * dt
    auc = np.zeros(n_out)
    for o in range(n_out):
        for m in range(n_modes):
            auc[o] += w[o, m] * integral[m]
    return stored, cmax, tmax, auc, np.array([above, t90, washout])


@numba.njit(cache=True)
def _single4(  # noqa: PLR0913, PLR0917, PLR0915, C901 - one compiled loop on purpose
    lam: FloatArray,
    g_rate: FloatArray,
    g_dose: FloatArray,
    w: FloatArray,
    seg_t0: FloatArray,
    seg_dt: FloatArray,
    seg_n: IntArray,
    seg_gi: IntArray,
    seg_rate: IntArray,
    seg_dose: IntArray,
    dose0: int,
    store_every: int,
    n_store: int,
    threshold: float,
    css: float,
    ss_t: float,
    end_t: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """:func:`_single` for one output and at most four modes, held in registers.

    Same inputs and results; arrays are padded to four modes (a padded mode has weight 0).
    """
    stored = np.zeros((1, n_store))
    integral = np.zeros(4)
    z0 = z1 = z2 = z3 = 0.0
    if dose0 >= 0:
        z0, z1, z2, z3 = g_dose[dose0, 0], g_dose[dose0, 1], g_dose[dose0, 2], g_dose[dose0, 3]
    w0, w1, w2, w3 = w[0, 0], w[0, 1], w[0, 2], w[0, 3]
    cmax = w0 * z0 + w1 * z1 + w2 * z2 + w3 * z3
    stored[0, 0] = cmax
    tmax = 0.0
    above = 0.0
    t90 = np.nan
    washout = np.nan
    need90 = css > 0
    level = -1.0
    target = 0.9 * css
    for s in range(seg_t0.shape[0]):
        d = seg_dose[s]
        if d >= 0:
            z0 += g_dose[d, 0]
            z1 += g_dose[d, 1]
            z2 += g_dose[d, 2]
            z3 += g_dose[d, 3]
        dt = seg_dt[s]
        n = seg_n[s]
        u = seg_rate[s]
        zs = (z0, z1, z2, z3)
        ec = np.empty((2, 4))
        for m in range(4):
            e1, f1, _ = _coefficients(lam[m], dt)
            ec[0, m] = e1
            ec[1, m] = g_rate[u, m] * f1
            _, f1_seg, f2_seg = _coefficients(lam[m], dt * n)
            integral[m] += zs[m] * f1_seg + g_rate[u, m] * f2_seg
        e0, e1_, e2, e3 = ec[0, 0], ec[0, 1], ec[0, 2], ec[0, 3]
        c0, c1, c2, c3 = ec[1, 0], ec[1, 1], ec[1, 2], ec[1, 3]
        gi = seg_gi[s]
        t0 = seg_t0[s]
        watch = t0 + n * dt >= ss_t - _EPS_T or t0 + n * dt >= end_t - _EPS_T
        next_store = (-gi) % store_every if gi >= 0 else n
        for j in range(n):
            z0 = z0 * e0 + c0
            z1 = z1 * e1_ + c1
            z2 = z2 * e2 + c2
            z3 = z3 * e3 + c3
            y = w0 * z0 + w1 * z1 + w2 * z2 + w3 * z3
            if y > cmax:
                cmax = y
                tmax = t0 + (j + 1) * dt
            if y > threshold:
                above += dt
            if watch:
                t = t0 + (j + 1) * dt
                if need90 and t >= ss_t - _EPS_T and y >= target:
                    t90 = t - ss_t
                    need90 = False
                if level < 0 and t >= end_t - _EPS_T:
                    level = y * WASHOUT_FRACTION
                elif level > 0 and y < level and np.isnan(washout):
                    washout = t - end_t
            if j == next_store:
                next_store += store_every
                stored[0, (gi + j) // store_every] = y
    auc = w0 * integral[0] + w1 * integral[1] + w2 * integral[2] + w3 * integral[3]
    return (
        stored,
        np.array([cmax]),
        np.array([tmax]),
        np.array([auc]),
        np.array([above, t90, washout]),
    )


_BLOCK = 256


# no "nnan": the summaries use NaN for "not reached"
@numba.njit(parallel=True, cache=True, fastmath={"contract", "reassoc", "arcp", "nsz"})
def _population(  # noqa: PLR0913, PLR0917, PLR0912, PLR0915, C901 - one compiled loop on purpose
    lam: FloatArray,
    g_rate: FloatArray,
    g_dose: FloatArray,
    w: FloatArray,
    seg_t0: FloatArray,
    seg_dt: FloatArray,
    seg_n: IntArray,
    seg_gi: IntArray,
    seg_rate: IntArray,
    seg_dose: IntArray,
    dose0: int,
    store_every: int,
    n_store: int,
    threshold: float,
    css: FloatArray,
    ss_t: float,
    end_t: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Many patients, in blocks laid out mode-major so the inner loops run over patients.

    Arrays are transposed: ``lam`` (M, P), ``g_rate`` (U, M, P), ``g_dose`` (B, M, P),
    ``w`` (O, M, P). Returns stored (O, T, P), cmax (O, P), tmax (O, P), auc (O, P) and
    (3, P) rows of time above the threshold, time to 90 % and wash-out.
    """
    n_modes, n_pat = lam.shape
    n_out = w.shape[0]
    stored = np.zeros((n_out, n_store, n_pat))
    cmax = np.zeros((n_out, n_pat))
    tmax = np.zeros((n_out, n_pat))
    auc = np.zeros((n_out, n_pat))
    extra = np.full((3, n_pat), np.nan)
    extra[0] = 0.0
    use_threshold = threshold < np.inf
    n_blocks = (n_pat + _BLOCK - 1) // _BLOCK
    for blk in numba.prange(n_blocks):
        lo = blk * _BLOCK
        nb = min(_BLOCK, n_pat - lo)
        z = np.zeros((n_modes, nb))
        e = np.empty((n_modes, nb))
        c = np.empty((n_modes, nb))
        wb = np.empty((n_out, n_modes, nb))
        integral = np.zeros((n_modes, nb))
        y = np.empty(nb)
        cm = np.zeros(nb)
        tm = np.zeros(nb)
        level = np.full(nb, -1.0)
        target = np.empty(nb)
        pending90 = 0
        for b in range(nb):
            target[b] = 0.9 * css[lo + b]
            if target[b] > 0:
                pending90 += 1
            for o in range(n_out):
                for m in range(n_modes):
                    wb[o, m, b] = w[o, m, lo + b]
        pending_wash = nb
        if dose0 >= 0:
            for m in range(n_modes):
                for b in range(nb):
                    z[m, b] += g_dose[dose0, m, lo + b]
        for o in range(n_out):
            for b in range(nb):
                acc = 0.0
                for m in range(n_modes):
                    acc += wb[o, m, b] * z[m, b]
                stored[o, 0, lo + b] = acc
                cmax[o, lo + b] = acc
        for b in range(nb):
            cm[b] = cmax[0, lo + b]
        for s in range(seg_t0.shape[0]):
            d = seg_dose[s]
            if d >= 0:
                for m in range(n_modes):
                    for b in range(nb):
                        z[m, b] += g_dose[d, m, lo + b]
            dt = seg_dt[s]
            n = seg_n[s]
            u = seg_rate[s]
            for m in range(n_modes):
                for b in range(nb):
                    e1, f1, _ = _coefficients(lam[m, lo + b], dt)
                    e[m, b] = e1
                    c[m, b] = g_rate[u, m, lo + b] * f1
                    _, f1_seg, f2_seg = _coefficients(lam[m, lo + b], dt * n)
                    integral[m, b] += z[m, b] * f1_seg + g_rate[u, m, lo + b] * f2_seg
            gi = seg_gi[s]
            t0 = seg_t0[s]
            for j in range(n):
                t = t0 + (j + 1) * dt
                for b in range(nb):
                    y[b] = 0.0
                for m in range(n_modes):
                    for b in range(nb):
                        zz = z[m, b] * e[m, b] + c[m, b]
                        z[m, b] = zz
                        y[b] += wb[0, m, b] * zz
                for b in range(nb):
                    if y[b] > cm[b]:
                        cm[b] = y[b]
                        tm[b] = t
                if use_threshold:
                    for b in range(nb):
                        if y[b] > threshold:
                            extra[0, lo + b] += dt
                if pending90 > 0 and t >= ss_t - _EPS_T:
                    for b in range(nb):
                        if target[b] > 0 and y[b] >= target[b]:
                            extra[1, lo + b] = t - ss_t
                            target[b] = 0.0
                            pending90 -= 1
                if pending_wash > 0 and t >= end_t - _EPS_T:
                    for b in range(nb):
                        if level[b] < 0:
                            level[b] = y[b] * WASHOUT_FRACTION
                            if level[b] <= 0:
                                pending_wash -= 1
                        elif level[b] > 0 and y[b] < level[b]:
                            extra[2, lo + b] = t - end_t
                            level[b] = 0.0
                            pending_wash -= 1
                store = gi >= 0 and (gi + j) % store_every == 0
                if store:
                    col = (gi + j) // store_every
                    for b in range(nb):
                        stored[0, col, lo + b] = y[b]
                for o in range(1, n_out):
                    for b in range(nb):
                        acc = 0.0
                        for m in range(n_modes):
                            acc += wb[o, m, b] * z[m, b]
                        if acc > cmax[o, lo + b]:
                            cmax[o, lo + b] = acc
                            tmax[o, lo + b] = t
                        if store:
                            stored[o, (gi + j) // store_every, lo + b] = acc
        for b in range(nb):
            cmax[0, lo + b] = cm[b]
            tmax[0, lo + b] = tm[b]
        for o in range(n_out):
            for b in range(nb):
                acc = 0.0
                for m in range(n_modes):
                    acc += wb[o, m, b] * integral[m, b]
                auc[o, lo + b] = acc
    return stored, cmax, tmax, auc, extra


def _call(kernel: object, *args: object) -> tuple[FloatArray, ...]:
    """Call a compiled kernel (numba dispatchers carry no static signature)."""
    result: tuple[FloatArray, ...] = kernel(*args)  # type: ignore[operator]
    return result


@dataclass(frozen=True)
class SimulationResult:
    """Per-patient results; trajectories at the stored times only."""

    stored_step_h: float  # stored time k is k × stored_step_h
    concentration: FloatArray  # (P, O, T) ng/mL
    cmax: FloatArray  # (P, O)
    tmax_h: FloatArray  # (P, O)
    auc: FloatArray  # (P, O) ng·h/mL, exact
    time_above_h: FloatArray  # (P,)
    time_to_90pct_h: FloatArray  # (P,) from the start of the maintenance phase
    washout_h: FloatArray  # (P,) from the end of dosing to 1/32 of the level then
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
        sched.n_store,
    )


def run(
    a: FloatArray, weights: FloatArray, sched: Schedule, threshold: float = math.inf
) -> SimulationResult:
    """Simulate every patient of the stack ``a`` (P, M, M) over ``sched``."""
    mod = modal(a, weights, sched)
    css = np.ascontiguousarray(mod.steady_state[:, 0])
    if a.shape[0] == 1:
        lam, g_rate, g_dose, w_out = mod.lam[0], mod.g_rate[0], mod.g_dose[0], mod.w_out[0]
        kernel: object = _single
        if lam.shape[0] <= _REGISTER_MODES and w_out.shape[0] == 1:
            pad = _REGISTER_MODES - lam.shape[0]
            lam = np.concatenate([lam, -np.ones(pad)])
            g_rate = np.pad(g_rate, ((0, 0), (0, pad)))
            g_dose = np.pad(g_dose, ((0, 0), (0, pad)))
            w_out = np.pad(w_out, ((0, 0), (0, pad)))
            kernel = _single4
        stored, cmax, tmax, auc, extra = _call(
            kernel,
            lam,
            g_rate,
            g_dose,
            w_out,
            *_segments(sched),
            threshold,
            float(css[0]),
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
    stored, cmax, tmax, auc, extra = _call(
        _population,
        np.ascontiguousarray(mod.lam.T),
        np.ascontiguousarray(np.transpose(mod.g_rate, (1, 2, 0))),
        np.ascontiguousarray(np.transpose(mod.g_dose, (1, 2, 0))),
        np.ascontiguousarray(np.transpose(mod.w_out, (1, 2, 0))),
        *_segments(sched),
        threshold,
        css,
        sched.maintenance_start_h,
        sched.dosing_end_h,
    )
    return SimulationResult(
        stored_step_h=sched.step_h * sched.store_every,
        concentration=np.transpose(stored, (2, 0, 1)),
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
    a = model.matrix()[None, :, :]
    w = model.output_weights()[None, :, :]
    return run(a, w, sched, threshold)
