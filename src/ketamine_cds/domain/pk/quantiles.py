"""Exact percentiles of many long rows (the population bands), in a compiled parallel loop.

A float32 read as an unsigned integer, its sign bit flipped (and every bit of a negative one),
orders as the float does. Each row is bucketed by the top 16 bits of that key; the buckets
holding the wanted order statistics are bucketed again by the next 8 bits; only the values
in the buckets then holding them are gathered and sorted. The result is numpy's default
("linear") percentile exactly, at a fraction of the cost of a selection per row for 100,000
patients, however many orders of magnitude a row spans (a wash-out tail does: bucketing
between a row's minimum and maximum once left most of such a row in one bucket, to be sorted).
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from ketamine_cds.domain.pk.kernels import _CACHE

FloatArray = npt.NDArray[np.float64]
_BITS1 = 16  # level 1: sign, exponent, seven bits of mantissa (128 buckets an octave)
_BITS2 = 8
_BUCKETS = 1 << _BITS1
_SUB = 1 << _BITS2
_SIGN = 1 << 31


@numba.njit(cache=_CACHE, inline="always")
def _key(bits: np.uint32) -> int:
    k = int(bits)
    return (_SIGN + _SIGN - 1) - k if k >= _SIGN else k + _SIGN


@numba.njit(cache=_CACHE)
def _homes(below: npt.NDArray[np.int64], ranks: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The bucket of each rank, given ``below[k]``, the count of values under bucket ``k``."""
    home = np.empty(ranks.shape[0], dtype=np.int64)
    for i in range(ranks.shape[0]):
        home[i] = np.searchsorted(below, ranks[i], side="right") - 1
    return home


_SHIFT1 = 32 - _BITS1
_SHIFT2 = 32 - _BITS1 - _BITS2
IntArray = npt.NDArray[np.int64]


@numba.njit(cache=_CACHE)
def _level_one(
    bits: npt.NDArray[np.uint32], ranks: IntArray
) -> tuple[IntArray, IntArray, IntArray, int]:
    """Counts below each top-bits bucket, each rank's bucket, and a slot per wanted bucket."""
    # fine enough that a narrow row (one octave) spreads over many counts: one count bumped
    # by consecutive values waits on its own last store each time
    below = np.zeros(_BUCKETS + 1, dtype=np.int64)
    for v in bits:
        below[(_key(v) >> _SHIFT1) + 1] += 1
    for k in range(1, _BUCKETS + 1):
        below[k] += below[k - 1]
    home = _homes(below, ranks)
    slot = np.full(_BUCKETS, -1, dtype=np.int64)
    n_slots = 0
    for i in range(ranks.shape[0]):
        if slot[home[i]] < 0:
            slot[home[i]] = n_slots  # ranks are sorted: slots follow the key order
            n_slots += 1
    return below, home, slot, n_slots


@numba.njit(cache=_CACHE)
def _level_two(  # noqa: PLR0913, PLR0917 - the first level's answer, handed on
    bits: npt.NDArray[np.uint32],
    ranks: IntArray,
    below1: IntArray,
    home1: IntArray,
    slot: IntArray,
    n_slots: int,
) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
    """Within the wanted buckets: counts below each sub-bucket, each rank's, the wanted ones."""
    below = np.zeros((n_slots, _SUB + 1), dtype=np.int64)
    for v in bits:
        key = _key(v)
        sl = slot[key >> _SHIFT1]
        if sl >= 0:
            below[sl, ((key >> _SHIFT2) & (_SUB - 1)) + 1] += 1
    for sl in range(n_slots):
        for k in range(1, _SUB + 1):
            below[sl, k] += below[sl, k - 1]
    home = np.empty(ranks.shape[0], dtype=np.int64)
    wanted = np.zeros((n_slots, _SUB), dtype=np.bool_)
    for i in range(ranks.shape[0]):
        sl = slot[home1[i]]
        home[i] = np.searchsorted(below[sl], ranks[i] - below1[home1[i]], side="right") - 1
        wanted[sl, home[i]] = True
    return below, home, wanted


@numba.njit(cache=_CACHE)
def _order_statistics(row: npt.NDArray[np.float32], ranks: IntArray) -> FloatArray:
    """The values of the given (sorted) 0-based ranks in ``row``."""
    bits = row.view(np.uint32)
    below1, home1, slot, n_slots = _level_one(bits, ranks)
    below2, home2, wanted = _level_two(bits, ranks, below1, home1, slot, n_slots)
    # gathered values of wanted buckets below each bucket, to place a rank in the gathered sort
    gathered_below = np.zeros((n_slots, _SUB + 1), dtype=np.int64)
    total = 0
    for sl in range(n_slots):
        for k in range(_SUB):
            gathered_below[sl, k] = total
            if wanted[sl, k]:
                total += below2[sl, k + 1] - below2[sl, k]
        gathered_below[sl, _SUB] = total
    buffer = np.empty(total, dtype=np.float32)
    size = 0
    for j in range(bits.shape[0]):
        key = _key(bits[j])
        sl = slot[key >> _SHIFT1]
        if sl >= 0 and wanted[sl, (key >> _SHIFT2) & (_SUB - 1)]:
            buffer[size] = row[j]
            size += 1
    chosen = np.sort(buffer)
    out = np.empty(ranks.shape[0])
    for i in range(ranks.shape[0]):
        sl = slot[home1[i]]
        local = ranks[i] - below1[home1[i]] - below2[sl, home2[i]]
        out[i] = chosen[gathered_below[sl, home2[i]] + local]
    return out


@numba.njit(parallel=True, cache=_CACHE)
def _rows(values: npt.NDArray[np.float32], q: FloatArray) -> FloatArray:
    n_rows, n = values.shape
    position = (n - 1) * (q / 100.0)  # numpy's rounding, step by step
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, n - 1)
    ranks = np.unique(np.concatenate((below, above)))
    out = np.empty((n_rows, q.shape[0]))
    for r in numba.prange(n_rows):
        stats = _order_statistics(values[r], ranks)
        for i in range(q.shape[0]):
            lo = stats[np.searchsorted(ranks, below[i])]
            hi = stats[np.searchsorted(ranks, above[i])]
            gamma = position[i] - below[i]
            diff = hi - lo  # numpy's _lerp: from the nearer end
            out[r, i] = hi - diff * (1.0 - gamma) if gamma >= 0.5 else lo + diff * gamma
    return out


def percentiles(values: npt.NDArray[np.float32], q: tuple[float, ...]) -> FloatArray:
    """Percentiles ``q`` along the last axis of ``values`` (…, P): shape (len(q), …)."""
    flat = np.ascontiguousarray(values.reshape(-1, values.shape[-1]))
    if flat.shape[1] == 0 or not np.all(np.isfinite(flat)):
        raise ValueError("percentiles need finite values for at least one patient")
    result: FloatArray = _rows(flat, np.asarray(q, dtype=np.float64))
    return np.moveaxis(result.reshape((*values.shape[:-1], len(q))), -1, 0)
