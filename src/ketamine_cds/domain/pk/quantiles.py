"""Exact percentiles of many long rows (the population bands), in a compiled parallel loop.

Each row is bucketed once between its minimum and maximum; only the buckets holding the
wanted order statistics are gathered and sorted. The result is numpy's default ("linear")
percentile exactly, at a fraction of the cost of a selection per row for 100,000 patients.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from ketamine_cds.domain.pk.kernels import _CACHE

FloatArray = npt.NDArray[np.float64]
_BUCKETS = 4096


@numba.njit(cache=_CACHE)
def _order_statistics(row: npt.NDArray[np.float32], ranks: npt.NDArray[np.int64]) -> FloatArray:
    """The values of the given (sorted) 0-based ranks in ``row``."""
    out = np.empty(ranks.shape[0])
    low = np.inf
    high = -np.inf
    for v in row:
        low = min(low, v)
        high = max(high, v)
    if not high > low:
        out[:] = low
        return out
    scale = _BUCKETS / (high - low)
    below = np.zeros(_BUCKETS + 1, dtype=np.int64)  # below[k]: values in buckets under k
    for v in row:
        below[min(int((v - low) * scale), _BUCKETS - 1) + 1] += 1
    for k in range(1, _BUCKETS + 1):
        below[k] += below[k - 1]
    wanted = np.zeros(_BUCKETS, dtype=np.bool_)
    home = np.empty(ranks.shape[0], dtype=np.int64)
    for i in range(ranks.shape[0]):
        bucket = np.searchsorted(below, ranks[i], side="right") - 1
        home[i] = bucket
        wanted[bucket] = True
    # gathered values of wanted buckets below each bucket, to place a rank in the gathered sort
    gathered_below = np.zeros(_BUCKETS + 1, dtype=np.int64)
    for k in range(_BUCKETS):
        size = below[k + 1] - below[k] if wanted[k] else 0
        gathered_below[k + 1] = gathered_below[k] + size
    buffer = np.empty(gathered_below[_BUCKETS], dtype=np.float32)
    size = 0
    for v in row:
        if wanted[min(int((v - low) * scale), _BUCKETS - 1)]:
            buffer[size] = v
            size += 1
    chosen = np.sort(buffer)
    for i in range(ranks.shape[0]):
        bucket = home[i]
        out[i] = chosen[gathered_below[bucket] + ranks[i] - below[bucket]]
    return out


@numba.njit(parallel=True, cache=_CACHE)
def _rows(values: npt.NDArray[np.float32], q: FloatArray) -> FloatArray:
    n_rows, n = values.shape
    position = (n - 1) * q / 100.0
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, n - 1)
    ranks = np.unique(np.concatenate((below, above)))
    out = np.empty((n_rows, q.shape[0]))
    for r in numba.prange(n_rows):
        stats = _order_statistics(values[r], ranks)
        for i in range(q.shape[0]):
            lo = stats[np.searchsorted(ranks, below[i])]
            hi = stats[np.searchsorted(ranks, above[i])]
            out[r, i] = lo + (position[i] - below[i]) * (hi - lo)
    return out


def percentiles(values: npt.NDArray[np.float32], q: tuple[float, ...]) -> FloatArray:
    """Percentiles ``q`` along the last axis of ``values`` (…, P): shape (len(q), …)."""
    flat = np.ascontiguousarray(values.reshape(-1, values.shape[-1]))
    if flat.shape[1] == 0 or not np.all(np.isfinite(flat)):
        raise ValueError("percentiles need finite values for at least one patient")
    result: FloatArray = _rows(flat, np.asarray(q, dtype=np.float64))
    return np.moveaxis(result.reshape((*values.shape[:-1], len(q))), -1, 0)
