"""The compiled loops of the exact simulator (numba) for one patient, and their shared steps.

Each mode advances exactly by ``z·e^{λΔt} + g·u·(e^{λΔt} − 1)/λ`` across a segment of equal
steps with constant input; the AUC of a segment is integrated in closed form. A mode that has
no input and has decayed below ``TINY`` is set to zero: left alone it would sink into the
subnormal range, where every floating-point operation on it is about a hundred times slower,
and its contribution (below 1e-200 mg) is far under the rounding of the result. The
population loop, which uses the same steps, is in ``tiles``.

Compiled code is cached only when numba has been given a cache folder (``NUMBA_CACHE_DIR``,
which the product's bootstrap sets from its settings); otherwise it is compiled in memory, so
nothing is ever written beside the installed package.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_CACHE = bool(getattr(numba.config, "CACHE_DIR", ""))
TINY = 1e-200
NEVER = 1 << 62
WASHOUT_FRACTION = 1.0 / 32.0  # five halvings: seed 000's "five elimination half-lives"
EPS_T = 1e-9
SERIES_LIMIT = 1e-4
REGISTER_MODES = 4


@numba.njit(cache=_CACHE, inline="always")
def coefficients(lam: float, dt: float) -> tuple[float, float, float]:
    """exp(λΔt), ∫ exp over the step, and the integral of the input term (for the AUC)."""
    x = lam * dt
    e1 = math.exp(x)
    f1 = math.expm1(x) / lam
    f2 = dt * dt * (0.5 + x / 6.0 + x * x / 24.0) if abs(x) < SERIES_LIMIT else (f1 - dt) / lam
    return e1, f1, f2


@numba.njit(cache=_CACHE, inline="always")
def steps_to_tiny(z: float, c: float, x: float) -> int:
    """Steps after which a mode without input (``c`` = 0) decaying by ``e^x`` is below TINY."""
    if abs(c) > TINY or x >= 0.0:
        return NEVER
    az = abs(z)
    if az <= TINY:
        return 0
    k = (math.log(TINY) - math.log(az)) / x
    return NEVER if k > 1e18 else math.ceil(k)


@numba.njit(cache=_CACHE, inline="always")
def first_step_at(when: float, t0: float, dt: float) -> int:
    """The first step of a segment whose end time is at or after ``when``."""
    if t0 + dt >= when - EPS_T:
        return 0
    return max(0, math.ceil((when - EPS_T - t0) / dt) - 1)


@numba.njit(cache=_CACHE)
def single4(  # noqa: PLR0913, PLR0917, PLR0912, PLR0915, C901 - one compiled loop on purpose
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
    """One patient, one output, at most four modes held in registers.

    Arrays are padded to four modes (a padded mode has weight 0). Returns the stored
    trajectory (1, T), cmax (1), tmax (1), auc (1) and [time above, t90, wash-out].
    """
    stored = np.zeros((1, n_store))
    z0 = z1 = z2 = z3 = 0.0
    if dose0 >= 0:
        z0, z1, z2, z3 = g_dose[dose0, 0], g_dose[dose0, 1], g_dose[dose0, 2], g_dose[dose0, 3]
    w0, w1, w2, w3 = w[0, 0], w[0, 1], w[0, 2], w[0, 3]
    l0, l1, l2, l3 = lam[0], lam[1], lam[2], lam[3]
    y = w0 * z0 + w1 * z1 + w2 * z2 + w3 * z3
    stored[0, 0] = y
    cmax = y
    tmax = 0.0
    above = 0.0
    t90 = np.nan
    washout = np.nan
    need90 = css > 0
    target = 0.9 * css
    peak = -1.0
    washing = True
    a0 = a1 = a2 = a3 = 0.0
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
        e0, f, _ = coefficients(l0, dt)
        c0 = g_rate[u, 0] * f
        e1, f, _ = coefficients(l1, dt)
        c1 = g_rate[u, 1] * f
        e2, f, _ = coefficients(l2, dt)
        c2 = g_rate[u, 2] * f
        e3, f, _ = coefficients(l3, dt)
        c3 = g_rate[u, 3] * f
        _, f, g = coefficients(l0, dt * n)
        a0 += z0 * f + g_rate[u, 0] * g
        _, f, g = coefficients(l1, dt * n)
        a1 += z1 * f + g_rate[u, 1] * g
        _, f, g = coefficients(l2, dt * n)
        a2 += z2 * f + g_rate[u, 2] * g
        _, f, g = coefficients(l3, dt * n)
        a3 += z3 * f + g_rate[u, 3] * g
        k0 = steps_to_tiny(z0, c0, l0 * dt)
        k1 = steps_to_tiny(z1, c1, l1 * dt)
        k2 = steps_to_tiny(z2, c2, l2 * dt)
        k3 = steps_to_tiny(z3, c3, l3 * dt)
        cut = min(k0, k1, k2, k3)
        gi = seg_gi[s]
        t0 = seg_t0[s]
        from90 = first_step_at(ss_t, t0, dt) if need90 else NEVER
        from_end = first_step_at(end_t, t0, dt) if washing else NEVER
        watch = min(from90, from_end)
        next_store = (-gi) % store_every if gi >= 0 else n
        col = (gi + next_store) // store_every
        for j in range(n):
            if j == cut:
                if k0 <= j:
                    z0 = e0 = c0 = 0.0
                    k0 = NEVER
                if k1 <= j:
                    z1 = e1 = c1 = 0.0
                    k1 = NEVER
                if k2 <= j:
                    z2 = e2 = c2 = 0.0
                    k2 = NEVER
                if k3 <= j:
                    z3 = e3 = c3 = 0.0
                    k3 = NEVER
                cut = min(k0, k1, k2, k3)
            z0 = z0 * e0 + c0
            z1 = z1 * e1 + c1
            z2 = z2 * e2 + c2
            z3 = z3 * e3 + c3
            y = w0 * z0 + w1 * z1 + w2 * z2 + w3 * z3
            if y > cmax:
                cmax = y
                tmax = t0 + (j + 1) * dt
            if y > threshold:
                above += dt
            if j >= watch:
                t = t0 + (j + 1) * dt
                if j >= from90 and y >= target:
                    t90 = t - ss_t
                    from90 = NEVER
                if j >= from_end:
                    if y > peak:
                        peak = y
                    elif y < peak * WASHOUT_FRACTION:
                        washout = t - end_t
                        from_end = NEVER
                watch = min(from90, from_end)
            if j == next_store:
                next_store += store_every
                stored[0, col] = y
                col += 1
        need90 = need90 and np.isnan(t90)
        washing = np.isnan(washout)
    auc = w0 * a0 + w1 * a1 + w2 * a2 + w3 * a3
    return (
        stored,
        np.array([cmax]),
        np.array([tmax]),
        np.array([auc]),
        np.array([above, t90, washout]),
    )


@numba.njit(cache=_CACHE)
def single(  # noqa: PLR0913, PLR0917, PLR0912, PLR0915, C901 - one compiled loop on purpose
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
    """One patient, any number of modes and outputs (the first output is the parent drug).

    Returns the stored trajectory (O, T), cmax (O), tmax (O), auc (O) and
    [time above, t90, wash-out] of the first output.
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
    k = np.empty(n_modes, dtype=np.int64)
    y = np.zeros(n_out)
    above = 0.0
    t90 = np.nan
    washout = np.nan
    need90 = css > 0
    target = 0.9 * css
    peak = -1.0
    washing = True
    if dose0 >= 0:
        z += g_dose[dose0]
    for o in range(n_out):
        acc = 0.0
        for m in range(n_modes):
            acc += w[o, m] * z[m]
        stored[o, 0] = acc
        cmax[o] = acc
    for s in range(seg_t0.shape[0]):
        d = seg_dose[s]
        if d >= 0:
            z += g_dose[d]
        dt = seg_dt[s]
        n = seg_n[s]
        u = seg_rate[s]
        cut = NEVER
        for m in range(n_modes):
            em, f, _ = coefficients(lam[m], dt)
            e[m] = em
            c[m] = g_rate[u, m] * f
            _, f, g = coefficients(lam[m], dt * n)
            integral[m] += z[m] * f + g_rate[u, m] * g
            k[m] = steps_to_tiny(z[m], c[m], lam[m] * dt)
            cut = min(cut, k[m])
        gi = seg_gi[s]
        t0 = seg_t0[s]
        from90 = first_step_at(ss_t, t0, dt) if need90 else NEVER
        from_end = first_step_at(end_t, t0, dt) if washing else NEVER
        watch = min(from90, from_end)
        next_store = (-gi) % store_every if gi >= 0 else n
        col = (gi + next_store) // store_every
        for j in range(n):
            if j == cut:
                cut = NEVER
                for m in range(n_modes):
                    if k[m] <= j:
                        z[m] = e[m] = c[m] = 0.0
                        k[m] = NEVER
                    cut = min(cut, k[m])
            for o in range(n_out):
                y[o] = 0.0
            for m in range(n_modes):
                zz = z[m] * e[m] + c[m]
                z[m] = zz
                for o in range(n_out):
                    y[o] += w[o, m] * zz
            for o in range(n_out):
                if y[o] > cmax[o]:
                    cmax[o] = y[o]
                    tmax[o] = t0 + (j + 1) * dt
            y0 = y[0]
            if y0 > threshold:
                above += dt
            if j >= watch:
                t = t0 + (j + 1) * dt
                if j >= from90 and y0 >= target:
                    t90 = t - ss_t
                    from90 = NEVER
                if j >= from_end:
                    if y0 > peak:
                        peak = y0
                    elif y0 < peak * WASHOUT_FRACTION:
                        washout = t - end_t
                        from_end = NEVER
                watch = min(from90, from_end)
            if j == next_store:
                next_store += store_every
                for o in range(n_out):
                    stored[o, col] = y[o]
                col += 1
        need90 = need90 and np.isnan(t90)
        washing = np.isnan(washout)
    auc = np.zeros(n_out)
    for o in range(n_out):
        for m in range(n_modes):
            auc[o] += w[o, m] * integral[m]
    return stored, cmax, tmax, auc, np.array([above, t90, washout])
