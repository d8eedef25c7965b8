"""The compiled loops of the exact simulator (numba): one patient, or a population.

Each mode advances exactly by ``z·e^{λΔt} + g·u·(e^{λΔt} − 1)/λ`` across a segment of equal
steps with constant input; the AUC of a segment is integrated in closed form. A mode that has
no input and has decayed below ``TINY`` is set to zero: left alone it would sink into the
subnormal range, where every floating-point operation on it is about a hundred times slower,
and its contribution (below 1e-200 mg) is far under the rounding of the result.

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
BLOCK = 128
REGISTER_MODES = 4
_FAST = {"contract", "reassoc", "arcp", "nsz"}  # no "nnan": NaN means "not reached"


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
        seg_end = t0 + n * dt
        watch = (need90 and seg_end >= ss_t - EPS_T) or (washing and seg_end >= end_t - EPS_T)
        next_store = (-gi) % store_every if gi >= 0 else n
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
            if watch:
                t = t0 + (j + 1) * dt
                if need90 and t >= ss_t - EPS_T and y >= target:
                    t90 = t - ss_t
                    need90 = False
                if washing and t >= end_t - EPS_T:
                    if y > peak:
                        peak = y
                    elif y < peak * WASHOUT_FRACTION:
                        washout = t - end_t
                        washing = False
            if j == next_store:
                next_store += store_every
                stored[0, (gi + j) // store_every] = y
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
        seg_end = t0 + n * dt
        watch = (need90 and seg_end >= ss_t - EPS_T) or (washing and seg_end >= end_t - EPS_T)
        next_store = (-gi) % store_every if gi >= 0 else n
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
            t = t0 + (j + 1) * dt
            for o in range(n_out):
                if y[o] > cmax[o]:
                    cmax[o] = y[o]
                    tmax[o] = t
            y0 = y[0]
            if y0 > threshold:
                above += dt
            if watch:
                if need90 and t >= ss_t - EPS_T and y0 >= target:
                    t90 = t - ss_t
                    need90 = False
                if washing and t >= end_t - EPS_T:
                    if y0 > peak:
                        peak = y0
                    elif y0 < peak * WASHOUT_FRACTION:
                        washout = t - end_t
                        washing = False
            if j == next_store:
                next_store += store_every
                col = (gi + j) // store_every
                for o in range(n_out):
                    stored[o, col] = y[o]
    auc = np.zeros(n_out)
    for o in range(n_out):
        for m in range(n_modes):
            auc[o] += w[o, m] * integral[m]
    return stored, cmax, tmax, auc, np.array([above, t90, washout])


@numba.njit(cache=_CACHE, fastmath=_FAST)
def _advance_mode(  # noqa: PLR0913, PLR0917 - the flat arrays of one vector loop
    z: FloatArray,
    e: FloatArray,
    c: FloatArray,
    w: FloatArray,
    y: FloatArray,
    off: int,
    nb: int,
    flush: bool,  # noqa: FBT001 - a compiled flag
) -> None:
    """Advance one mode (at ``off`` in the flat block arrays) and add it to output ``y``."""
    if flush:
        for b in range(nb):
            zz = z[off + b] * e[off + b] + c[off + b]
            zz = zz if abs(zz) > TINY else 0.0
            z[off + b] = zz
            y[b] += w[off + b] * zz
    else:
        for b in range(nb):
            zz = z[off + b] * e[off + b] + c[off + b]
            z[off + b] = zz
            y[b] += w[off + b] * zz


@numba.njit(cache=_CACHE, fastmath=_FAST)
def _add_mode(  # noqa: PLR0913, PLR0917 - the flat arrays of one vector loop
    w: FloatArray, z: FloatArray, y: FloatArray, woff: int, off: int, nb: int
) -> None:
    """Add one already advanced mode to a further output."""
    for b in range(nb):
        y[b] += w[woff + b] * z[off + b]


@numba.njit(cache=_CACHE, fastmath=_FAST)
def _track_peak(y: FloatArray, cm: FloatArray, tm: FloatArray, t: float, nb: int) -> None:
    """Keep each patient's highest level and when it was reached."""
    for b in range(nb):
        better = y[b] > cm[b]
        cm[b] = y[b] if better else cm[b]
        tm[b] = t if better else tm[b]


@numba.njit(cache=_CACHE, fastmath=_FAST)
def _time_above(y: FloatArray, above: FloatArray, threshold: float, dt: float, nb: int) -> None:
    for b in range(nb):
        above[b] += dt if y[b] > threshold else 0.0


@numba.njit(parallel=True, cache=_CACHE)
def population(  # noqa: PLR0913, PLR0917, PLR0912, PLR0915, C901 - one compiled loop on purpose
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
    threshold: float,
    css: FloatArray,
    ss_t: float,
    end_t: float,
    stored: npt.NDArray[np.float32],
    first_column: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Many patients, in blocks of flat, mode-major arrays (unit-stride inner loops).

    Every inner loop runs over the patients of a block with unit stride, so it vectorises.
    Arrays are patient-last: ``lam`` (M, P), ``g_rate`` (U, M, P), ``g_dose`` (B, M, P),
    ``w`` (O, M, P); the trajectory of patient ``p`` is written into ``stored[:, :, first_column
    + p]`` (O, T, ≥ P). Returns cmax,
    tmax and auc (O, P) and (3, P) rows of time above the threshold, time to 90 % and
    wash-out.
    """
    n_modes, n_pat = lam.shape
    n_out = w.shape[0]
    cmax = np.zeros((n_out, n_pat))
    tmax = np.zeros((n_out, n_pat))
    auc = np.zeros((n_out, n_pat))
    extra = np.full((3, n_pat), np.nan)
    use_threshold = threshold < np.inf
    n_blocks = (n_pat + BLOCK - 1) // BLOCK
    for blk in numba.prange(n_blocks):
        lo = blk * BLOCK
        nb = min(BLOCK, n_pat - lo)
        size = n_modes * nb
        z = np.zeros(size)
        e = np.empty(size)
        c = np.empty(size)
        wb = np.empty(n_out * size)
        integral = np.zeros(size)
        y = np.empty(n_out * nb)
        cm = np.empty(n_out * nb)
        tm = np.zeros(n_out * nb)
        above = np.zeros(nb)
        t90 = np.full(nb, np.nan)
        wash = np.full(nb, np.nan)
        peak = np.full(nb, -1.0)
        target = np.empty(nb)
        first = np.empty(n_modes, dtype=np.int64)  # a patient's mode may be tiny from here
        last = np.empty(n_modes, dtype=np.int64)  # every patient's mode is tiny from here
        live = np.ones(n_modes, dtype=np.bool_)
        pending90 = 0
        for b in range(nb):
            target[b] = 0.9 * css[lo + b]
            if target[b] > 0:
                pending90 += 1
        for o in range(n_out):
            for m in range(n_modes):
                for b in range(nb):
                    wb[o * size + m * nb + b] = w[o, m, lo + b]
        if dose0 >= 0:
            for m in range(n_modes):
                for b in range(nb):
                    z[m * nb + b] += g_dose[dose0, m, lo + b]
        for o in range(n_out):
            for b in range(nb):
                acc = 0.0
                for m in range(n_modes):
                    acc += wb[o * size + m * nb + b] * z[m * nb + b]
                stored[o, 0, first_column + lo + b] = acc
                cm[o * nb + b] = acc
        pending_wash = nb
        for s in range(seg_t0.shape[0]):
            d = seg_dose[s]
            dt = seg_dt[s]
            n = seg_n[s]
            u = seg_rate[s]
            for m in range(n_modes):
                if d >= 0:
                    live[m] = True
                    for b in range(nb):
                        z[m * nb + b] += g_dose[d, m, lo + b]
                first[m] = NEVER
                last[m] = 0
                for b in range(nb):
                    k = m * nb + b
                    lmb = lam[m, lo + b]
                    e1, f1, _ = coefficients(lmb, dt)
                    e[k] = e1
                    c[k] = g_rate[u, m, lo + b] * f1
                    _, f1s, f2s = coefficients(lmb, dt * n)
                    integral[k] += z[k] * f1s + g_rate[u, m, lo + b] * f2s
                    steps = steps_to_tiny(z[k], c[k], lmb * dt)
                    first[m] = min(first[m], steps)
                    last[m] = max(last[m], steps)
                live[m] = last[m] > 0
            gi = seg_gi[s]
            t0 = seg_t0[s]
            for j in range(n):
                t = t0 + (j + 1) * dt
                y[:] = 0.0
                for m in range(n_modes):
                    if not live[m]:
                        continue
                    off = m * nb
                    if j >= last[m]:
                        z[off : off + nb] = 0.0
                        live[m] = False
                        continue
                    _advance_mode(z, e, c, wb, y, off, nb, j >= first[m])
                    for o in range(1, n_out):
                        _add_mode(wb, z, y[o * nb : (o + 1) * nb], o * size + off, off, nb)
                for o in range(n_out):
                    _track_peak(
                        y[o * nb : (o + 1) * nb],
                        cm[o * nb : (o + 1) * nb],
                        tm[o * nb : (o + 1) * nb],
                        t,
                        nb,
                    )
                if use_threshold:
                    _time_above(y, above, threshold, dt, nb)
                if pending90 > 0 and t >= ss_t - EPS_T:
                    for b in range(nb):
                        if target[b] > 0 and y[b] >= target[b]:
                            t90[b] = t - ss_t
                            target[b] = 0.0
                            pending90 -= 1
                if pending_wash > 0 and t >= end_t - EPS_T:
                    for b in range(nb):
                        if wash[b] >= 0.0:
                            continue
                        if y[b] > peak[b]:
                            peak[b] = y[b]
                        elif y[b] < peak[b] * WASHOUT_FRACTION:
                            wash[b] = t - end_t
                            pending_wash -= 1
                if gi >= 0 and (gi + j) % store_every == 0:
                    col = (gi + j) // store_every
                    for o in range(n_out):
                        for b in range(nb):
                            stored[o, col, first_column + lo + b] = y[o * nb + b]
        for b in range(nb):
            extra[0, lo + b] = above[b]
            extra[1, lo + b] = t90[b]
            extra[2, lo + b] = wash[b]
        for o in range(n_out):
            for b in range(nb):
                cmax[o, lo + b] = cm[o * nb + b]
                tmax[o, lo + b] = tm[o * nb + b]
                acc = 0.0
                for m in range(n_modes):
                    acc += wb[o * size + m * nb + b] * integral[m * nb + b]
                auc[o, lo + b] = acc
    return cmax, tmax, auc, extra
