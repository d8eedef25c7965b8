"""The population loop: tiles of ``LANES`` patients, their modes held in registers.

A tile runs a whole segment of equal steps with its modes, step constants, output weights and
running summaries in vector registers (``lanes``); a step is one fused multiply-add per mode,
one per mode and output for the level, and a compare and two selects for the peak. The
wash-out and steady-state watches run only while some lane of the tile still waits on them,
and the level is written (float32, for the bands) only at the stored times. Tiles are grouped
in blocks, the blocks shared between threads.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from ketamine_cds.domain.pk.kernels import (
    _CACHE,
    EPS_T,
    NEVER,
    TINY,
    WASHOUT_FRACTION,
    coefficients,
    steps_to_tiny,
)
from ketamine_cds.domain.pk.lanes import (
    LANES,
    add,
    add_rows,
    any_gt,
    dot_rows,
    flush_rows,
    lane,
    load,
    load_rows,
    mul,
    splat,
    step_rows,
    store,
    store_rows,
    where_ge,
    where_gt,
    where_lt,
    zero_rows,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
TILES_PER_BLOCK = 32


@numba.njit(cache=_CACHE, inline="always")
def _write_level(  # noqa: PLR0913, PLR0917 - one tile's row of the stored trajectory
    stored: npt.NDArray[np.float32], o: int, col: int, at: int, count: int, y: object
) -> None:
    row = stored[o, col]
    if count == LANES:
        store(row, at, y)
    else:
        for b in range(count):
            row[at + b] = lane(y, b)


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
    n_valid: int,
    token: tuple[int, ...],
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Many patients, patient-last arrays padded to whole tiles of ``LANES``.

    ``lam`` (M, P), ``g_rate`` (U, M, P), ``g_dose`` (B, M, P), ``w`` (O, M, P) with O of 1
    or 2 (the parent drug, and its metabolite); ``token`` is a tuple of M items (it fixes the
    number of modes when the loop is compiled). The first ``n_valid`` patients' trajectories
    are written into ``stored[:, :, first_column + p]`` (O, T, ≥ P). Returns cmax, tmax and auc
    (O, P) and (3, P) rows of time above the threshold, time to 90 % and wash-out.
    """
    n_modes, n_pat = lam.shape
    n_out = w.shape[0]
    two = n_out > 1
    cmax = np.zeros((n_out, n_pat))
    tmax = np.zeros((n_out, n_pat))
    auc = np.zeros((n_out, n_pat))
    extra = np.full((3, n_pat), np.nan)
    use_threshold = threshold < np.inf
    n_tiles = n_pat // LANES
    n_blocks = (n_tiles + TILES_PER_BLOCK - 1) // TILES_PER_BLOCK
    zero = splat(0.0)
    nan = splat(np.nan)
    limit = splat(threshold)
    w_row1 = 1 if two else 0
    for blk in numba.prange(n_blocks):
        e_s = np.empty((n_modes, LANES))
        c_s = np.empty((n_modes, LANES))
        z_s = np.empty((n_modes, LANES))
        integral = np.empty((n_modes, LANES))
        for tile in range(blk * TILES_PER_BLOCK, min(n_tiles, (blk + 1) * TILES_PER_BLOCK)):
            lo = tile * LANES
            count = min(LANES, n_valid - lo)
            at = first_column + lo
            w0 = load_rows(w[0], lo, token)
            w1 = load_rows(w[w_row1], lo, token)
            z = zero_rows(token)
            if dose0 >= 0:
                z = add_rows(z, load_rows(g_dose[dose0], lo, token))
            y0 = dot_rows(w0, z)
            y1 = dot_rows(w1, z)
            cm0, cm1 = y0, y1
            tm0, tm1 = zero, zero
            above, t90, wash, peak, open_ = zero, nan, nan, zero, splat(1.0)
            target = mul(splat(0.9), load(css, lo))
            pending90 = any_gt(target, zero)
            pending_wash = True
            if count > 0:
                _write_level(stored, 0, 0, at, count, y0)
                if two:
                    _write_level(stored, 1, 0, at, count, y1)
            integral[:, :] = 0.0
            for s in range(seg_t0.shape[0]):
                d = seg_dose[s]
                dt = seg_dt[s]
                n = seg_n[s]
                u = seg_rate[s]
                if d >= 0:
                    z = add_rows(z, load_rows(g_dose[d], lo, token))
                store_rows(z_s, 0, z)
                first = NEVER
                for m in range(n_modes):
                    for b in range(LANES):
                        lmb = lam[m, lo + b]
                        e1, f1, _ = coefficients(lmb, dt)
                        e_s[m, b] = e1
                        c_s[m, b] = g_rate[u, m, lo + b] * f1
                        _, f1s, f2s = coefficients(lmb, dt * n)
                        integral[m, b] += z_s[m, b] * f1s + g_rate[u, m, lo + b] * f2s
                        first = min(first, steps_to_tiny(z_s[m, b], c_s[m, b], lmb * dt))
                e = load_rows(e_s, 0, token)
                c = load_rows(c_s, 0, token)
                gi = seg_gi[s]
                t0 = seg_t0[s]
                step = splat(dt)
                next_store = (-gi) % store_every if gi >= 0 else n
                col = (gi + next_store) // store_every
                for j in range(n):
                    z = step_rows(z, e, c)
                    if j >= first:
                        z = flush_rows(z, TINY)
                    t = t0 + (j + 1) * dt
                    now = splat(t)
                    y0 = dot_rows(w0, z)
                    tm0 = where_gt(y0, cm0, now, tm0)
                    cm0 = where_gt(y0, cm0, y0, cm0)
                    if two:
                        y1 = dot_rows(w1, z)
                        tm1 = where_gt(y1, cm1, now, tm1)
                        cm1 = where_gt(y1, cm1, y1, cm1)
                    if use_threshold:
                        above = add(above, where_gt(y0, limit, step, zero))
                    if pending90 and t >= ss_t - EPS_T:
                        since = splat(t - ss_t)
                        reached = where_gt(target, zero, since, t90)
                        t90 = where_ge(y0, target, reached, t90)
                        cleared = where_gt(target, zero, zero, target)
                        target = where_ge(y0, target, cleared, target)
                        pending90 = any_gt(target, zero)
                    if pending_wash and t >= end_t - EPS_T:
                        since = splat(t - end_t)
                        low = mul(peak, splat(WASHOUT_FRACTION))
                        wash = where_gt(open_, zero, where_lt(y0, low, since, wash), wash)
                        peak = where_gt(open_, zero, where_gt(y0, peak, y0, peak), peak)
                        open_ = where_gt(open_, zero, where_lt(y0, low, zero, open_), open_)
                        pending_wash = any_gt(open_, zero)
                    if j == next_store:
                        if count > 0:
                            _write_level(stored, 0, col, at, count, y0)
                            if two:
                                _write_level(stored, 1, col, at, count, y1)
                        next_store += store_every
                        col += 1
            store(cmax[0], lo, cm0)
            store(tmax[0], lo, tm0)
            if two:
                store(cmax[1], lo, cm1)
                store(tmax[1], lo, tm1)
            store(extra[0], lo, above)
            store(extra[1], lo, t90)
            store(extra[2], lo, wash)
            for o in range(n_out):
                for b in range(LANES):
                    acc = 0.0
                    for m in range(n_modes):
                        acc += w[o, m, lo + b] * integral[m, b]
                    auc[o, lo + b] = acc
    return cmax, tmax, auc, extra
