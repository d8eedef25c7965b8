"""Eigen-decomposition of compartment matrices, using the structure every shipped model has.

The states fall into strongly connected groups (depots; the parent drug's central and
peripheral compartments; the metabolite's), and drug flows only forward from group to group,
so ``A`` is block lower-triangular. Within a group, every flow has its reverse and the flows
form a tree (mammillary or catenary compartments), so the block is similar to a symmetric
matrix ``D⁻¹ A D`` with ``d_j² / d_i² = a_ji / a_ij``: its modes are real. The right
eigenvectors of the whole matrix follow by forward substitution through the groups, and
``V⁻¹`` (block lower-triangular like ``V``) by block substitution on ``V``, so that
``V⁻¹ V = I`` to rounding even where a depot drains almost at a disposition mode.

The symmetric blocks (three or four compartments at most) are diagonalised by cyclic Jacobi
rotations (Golub & Van Loan, Matrix Computations, §8.5), one patient per loop iteration in a
compiled parallel loop: for stacks of 100,000 matrices this small, LAPACK's per-call cost is
ten times the arithmetic. A group that is not a tree falls back on LAPACK's general
eigensolver (numpy) and is refused if its modes are complex.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from ketamine_cds.domain.pk.kernels import _CACHE
from ketamine_cds.domain.pk.model import CompiledModel, FloatArray

IntArray = npt.NDArray[np.int64]
_DEGENERATE = 1e-9
_SWEEPS = 60


@dataclass(frozen=True)
class Modes:
    """Per patient: eigenvalues (P, M), right eigenvectors (columns) and ``V⁻¹`` (rows)."""

    lam: FloatArray
    right: FloatArray
    left: FloatArray


def groups(model: CompiledModel) -> list[list[int]]:
    """The strongly connected groups of states, upstream groups first."""
    n = len(model.states)
    reach = np.eye(n, dtype=bool)
    for f, t in zip(model.flow_from, model.flow_to, strict=True):
        if t >= 0:
            reach[int(f), int(t)] = True
    for k in range(n):
        reach |= reach[:, [k]] & reach[[k], :]
    seen: set[int] = set()
    found: list[list[int]] = []
    for i in range(n):
        if i not in seen:
            members = [j for j in range(n) if reach[i, j] and reach[j, i]]
            seen.update(members)
            found.append(members)
    # a group is preceded by every group that reaches it
    found.sort(key=lambda g: int(reach[:, g[0]].sum()))
    return found


def _tree_order(model: CompiledModel, members: list[int]) -> list[tuple[int, int]] | None:
    """The group's states in breadth-first order with their tree parents, or None."""
    inside = set(members)
    pairs = {
        (int(f), int(t))
        for f, t in zip(model.flow_from, model.flow_to, strict=True)
        if int(f) in inside and int(t) in inside and int(f) != int(t)
    }
    if any((j, i) not in pairs for i, j in pairs):
        return None
    if len({frozenset(p) for p in pairs}) != len(members) - 1:
        return None
    order = [(members[0], -1)]
    placed = {members[0]}
    for node, _ in order:
        for i, j in sorted(pairs):
            if i == node and j not in placed:
                order.append((j, node))
                placed.add(j)
    return order if len(order) == len(members) else None


def _layout(model: CompiledModel) -> tuple[IntArray, IntArray, IntArray] | None:
    """States in group order, the groups' starts, and each state's tree parent (positions)."""
    perm: list[int] = []
    starts = [0]
    parents: list[int] = []
    for members in groups(model):
        order = _tree_order(model, members) if len(members) > 1 else [(members[0], -1)]
        if order is None:
            return None
        base = len(perm)
        position = {state: base + k for k, (state, _) in enumerate(order)}
        for state, parent in order:
            perm.append(state)
            parents.append(-1 if parent < 0 else position[parent])
        starts.append(len(perm))
    return (
        np.array(perm, dtype=np.int64),
        np.array(starts, dtype=np.int64),
        np.array(parents, dtype=np.int64),
    )


@numba.njit(cache=_CACHE)
def _jacobi(s: FloatArray, q: FloatArray) -> None:  # noqa: C901 - the textbook sweep, whole
    """Diagonalise the symmetric ``s`` in place; ``q`` receives the eigenvectors (columns)."""
    n = s.shape[0]
    q[:, :] = 0.0
    for i in range(n):
        q[i, i] = 1.0
    for _ in range(_SWEEPS):
        off = 0.0
        diag = 0.0
        for i in range(n):
            diag += s[i, i] * s[i, i]
            for j in range(i + 1, n):
                off += s[i, j] * s[i, j]
        if off <= 1e-34 * diag:
            return
        for p in range(n - 1):
            for r in range(p + 1, n):
                apr = s[p, r]
                if apr == 0.0:
                    continue
                theta = (s[r, r] - s[p, p]) / (2.0 * apr)
                t = 1.0 / (abs(theta) + math.sqrt(theta * theta + 1.0))
                if theta < 0.0:
                    t = -t
                c = 1.0 / math.sqrt(t * t + 1.0)
                sn = t * c
                for k in range(n):
                    skp, skr = s[k, p], s[k, r]
                    s[k, p] = c * skp - sn * skr
                    s[k, r] = sn * skp + c * skr
                for k in range(n):
                    spk, srk = s[p, k], s[r, k]
                    s[p, k] = c * spk - sn * srk
                    s[r, k] = sn * spk + c * srk
                for k in range(n):
                    qkp, qkr = q[k, p], q[k, r]
                    q[k, p] = c * qkp - sn * qkr
                    q[k, r] = sn * qkp + c * qkr


@numba.njit(cache=_CACHE)
def _solve(m: FloatArray, x: FloatArray) -> None:
    """Solve ``m · out = x`` in place (Gaussian elimination, partial pivoting; m is destroyed)."""
    n = m.shape[0]
    for col in range(n):
        pivot = col
        for r in range(col + 1, n):
            if abs(m[r, col]) > abs(m[pivot, col]):
                pivot = r
        if pivot != col:
            for k in range(n):
                m[col, k], m[pivot, k] = m[pivot, k], m[col, k]
            x[col], x[pivot] = x[pivot], x[col]
        for r in range(col + 1, n):
            factor = m[r, col] / m[col, col]
            for k in range(col, n):
                m[r, k] -= factor * m[col, k]
            x[r] -= factor * x[col]
    for r in range(n - 1, -1, -1):
        acc = x[r]
        for k in range(r + 1, n):
            acc -= m[r, k] * x[k]
        x[r] = acc / m[r, r]


@numba.njit(cache=_CACHE)
def _one_patient(  # noqa: C901, PLR0912, PLR0913, PLR0917 - one compiled loop on purpose
    b: FloatArray,
    start: IntArray,
    parent: IntArray,
    r: FloatArray,
    lft: FloatArray,
    w: FloatArray,
    work: FloatArray,
) -> None:
    """Modes of one matrix ``b`` (states in group order) into ``w``, ``r`` and ``lft``.

    ``work`` is scratch space, (4, n, n), reused across patients.
    """
    n_groups = start.shape[0] - 1
    r[:, :] = 0.0
    lft[:, :] = 0.0
    d = work[0, 0]
    x = work[0, 1]
    for g in range(n_groups):
        s0 = start[g]
        size = start[g + 1] - s0
        d[0] = 1.0
        for k in range(1, size):
            par = parent[s0 + k]
            d[k] = d[par - s0] * math.sqrt(b[s0 + k, par] / b[par, s0 + k])
        sym = work[1, :size, :size]
        for i in range(size):
            for j in range(size):
                forward = b[s0 + i, s0 + j] * d[j] / d[i]
                backward = b[s0 + j, s0 + i] * d[i] / d[j]
                sym[i, j] = 0.5 * (forward + backward)
        q = work[2, :size, :size]
        _jacobi(sym, q)
        for k in range(size):
            w[s0 + k] = sym[k, k]
            for i in range(size):
                r[s0 + i, s0 + k] = d[i] * q[i, k]
                lft[s0 + k, s0 + i] = q[i, k] / d[i]
    for g in range(n_groups):
        for col in range(start[g], start[g + 1]):
            lmb = w[col]
            for h in range(g + 1, n_groups):
                u0 = start[h]
                size = start[h + 1] - u0
                shifted = work[3, :size, :size]
                for i in range(size):
                    x[i] = 0.0
                    for j in range(size):
                        shifted[i, j] = -b[u0 + i, u0 + j]
                    shifted[i, i] += lmb
                    for j in range(u0):
                        x[i] += b[u0 + i, j] * r[j, col]
                _solve(shifted, x[:size])
                for i in range(size):
                    r[u0 + i, col] = x[i]
    # V⁻¹ is block lower-triangular like V: its diagonal blocks are the groups' own left
    # vectors, and block substitution on V gives the rest, so V⁻¹V = I to rounding
    acc = work[1]
    for h in range(1, n_groups):
        h0, h1 = start[h], start[h + 1]
        for g in range(h):
            g0, g1 = start[g], start[g + 1]
            acc[:, :] = 0.0
            for i in range(g0, h0):
                for row in range(h0, h1):
                    for col in range(g0, g1):
                        acc[row - h0, col - g0] += r[row, i] * lft[i, col]
            for mode in range(h0, h1):
                for col in range(g0, g1):
                    total = 0.0
                    for row in range(h0, h1):
                        total += lft[mode, row] * acc[row - h0, col - g0]
                    lft[mode, col] = -total


_CHUNK = 64


@numba.njit(cache=_CACHE)
def _patients(  # noqa: PLR0913, PLR0917 - the arrays of one chunk
    a: FloatArray,
    perm: IntArray,
    start: IntArray,
    parent: IntArray,
    lam: FloatArray,
    right: FloatArray,
    left: FloatArray,
    lo: int,
    hi: int,
) -> None:
    """Decompose patients ``lo`` to ``hi`` of ``a``, reusing one set of scratch arrays."""
    n = a.shape[1]
    b = np.empty((n, n))
    r = np.empty((n, n))
    lft = np.empty((n, n))
    w = np.empty(n)
    work = np.empty((4, n, n))
    for p in range(lo, hi):
        for i in range(n):
            for j in range(n):
                b[i, j] = a[p, perm[i], perm[j]]
        _one_patient(b, start, parent, r, lft, w, work)
        for i in range(n):
            lam[p, i] = w[i]
            for col in range(n):
                right[p, perm[i], col] = r[i, col]
                left[p, col, perm[i]] = lft[col, i]


@numba.njit(cache=_CACHE)
def _outputs(a: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    n_pat, n, _ = a.shape
    return np.empty((n_pat, n)), np.zeros((n_pat, n, n)), np.zeros((n_pat, n, n))


@numba.njit(parallel=True, cache=_CACHE)
def _structured(
    a: FloatArray, perm: IntArray, start: IntArray, parent: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    n_pat = a.shape[0]
    lam, right, left = _outputs(a)
    for chunk in numba.prange((n_pat + _CHUNK - 1) // _CHUNK):
        lo = chunk * _CHUNK
        _patients(a, perm, start, parent, lam, right, left, lo, min(n_pat, lo + _CHUNK))
    return lam, right, left


# one patient (the typical one) is decomposed without starting threads: a separate function,
# not a second dispatcher of the same one, so that their cached machine code cannot be confused
@numba.njit(cache=_CACHE)
def _structured_serial(
    a: FloatArray, perm: IntArray, start: IntArray, parent: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    lam, right, left = _outputs(a)
    _patients(a, perm, start, parent, lam, right, left, 0, a.shape[0])
    return lam, right, left


def _general(a: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    lam_c, vec_c = np.linalg.eig(a)
    if np.max(np.abs(lam_c.imag)) > 1e-9 * max(1.0, float(np.max(np.abs(lam_c.real)))):
        raise ValueError("a compartment matrix has complex modes; the model is not mammillary")
    vec = vec_c.real
    return lam_c.real, vec, np.linalg.inv(vec)


def decompose(model: CompiledModel, a: FloatArray) -> Modes:
    """The modes of every patient's rate matrix ``a`` (P, M, M) of ``model``."""
    layout = _layout(model)
    if layout is None:
        lam, right, left = _general(a)
    else:
        kernel = _structured if a.shape[0] > 1 else _structured_serial
        result: tuple[FloatArray, FloatArray, FloatArray] = kernel(np.ascontiguousarray(a), *layout)
        lam, right, left = result
    _check(lam, right, left)
    return Modes(lam=lam, right=right, left=left)


def _check(lam: FloatArray, right: FloatArray, left: FloatArray) -> None:
    if not (np.all(np.isfinite(right)) and np.all(np.isfinite(left))):
        raise ValueError("two modes of a compartment matrix coincide; it cannot be diagonalised")
    if np.max(lam) >= 0:
        raise ValueError("a compartment matrix has a mode that does not decay")
    ordered = np.sort(lam, axis=1)
    if lam.shape[1] > 1 and np.min(np.diff(ordered, axis=1) / -ordered[:, 1:]) < _DEGENERATE:
        raise ValueError("two modes of a compartment matrix coincide; it cannot be diagonalised")
