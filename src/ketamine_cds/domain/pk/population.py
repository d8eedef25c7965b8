"""Virtual populations: between-subject variability sampled reproducibly from a seed.

Each published coefficient of variation becomes a log-normal factor ``exp(η)``, ``η ~ N(0, ω²)``
with ``ω² = ln(1 + CV²)``; a published (or derived) correlation ties an entry's draw to an
earlier one's. Draws are made in the model file's order, all patients at once, so the same seed
gives the same patients whatever routes or regimen are simulated. Patients are simulated in
chunks and only the summaries and a coarse trajectory per patient are kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk import MAX_SEED
from ketamine_cds.domain.pk.model import CompiledModel, FloatArray
from ketamine_cds.domain.pk.modes import decompose
from ketamine_cds.domain.pk.quantiles import percentiles
from ketamine_cds.domain.pk.regimen import Regimen
from ketamine_cds.domain.pk.schedule import Schedule, schedule
from ketamine_cds.domain.pk.simulate import run

PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)
CHUNK = 100_000  # patients per pass of the compiled loops (each pass starts its threads)


@dataclass(frozen=True)
class Factors:
    """Per-patient multipliers of each volume (P, states) and each flow (P, flows)."""

    volume: FloatArray
    flow: FloatArray
    sampled: tuple[str, ...]  # the parameters that vary


def _scaled_flows(model: CompiledModel, kind: str) -> tuple[list[int], list[int]]:
    """Flows a scale factor multiplies (clearance) or divides (volume), and volumes it scales."""
    parent = {int(s) for s in model.parent_states}
    if kind == "scale:clearance":
        flows = [
            f
            for f in range(len(model.flow_from))
            if int(model.flow_from[f]) in parent and model.flow_to[f] < 0
        ]
        return flows, []
    flows = [
        f
        for f in range(len(model.flow_from))
        if int(model.flow_from[f]) in parent and not model.flow_is_clearance[f]
    ]
    volumes = [s for s in parent if not math.isnan(model.volumes_l[s])]
    return flows, volumes


def sample(model: CompiledModel, n: int, seed: int) -> Factors:
    """Draw ``n`` patients' parameter factors for ``model`` from ``seed``."""
    if not (0 <= seed <= MAX_SEED):
        raise UserInputError(f"the seed must be a whole number from 0 to {MAX_SEED}")
    rng = np.random.default_rng(seed)
    volume = np.ones((n, len(model.states)))
    flow = np.ones((n, len(model.flow_names)))
    sampled: list[str] = []
    draws: dict[str, FloatArray] = {}
    for v in model.spec.variability:
        omega = math.sqrt(math.log1p((v.cv_percent / 100.0) ** 2))
        z = rng.standard_normal(n)
        if v.correlation is not None:
            rho = v.correlation.value
            z = rho * draws[v.correlation.with_] + math.sqrt(1.0 - rho * rho) * z
        draws[v.parameter] = z
        factor = np.exp(omega * z)
        for name in (v.parameter, *v.also):
            kind, _, target = name.partition(":")
            if name.startswith("scale:"):
                flows, volumes = _scaled_flows(model, name)
                if name == "scale:clearance":
                    flow[:, flows] *= factor[:, None]
                else:
                    flow[:, flows] /= factor[:, None]
                    volume[:, volumes] *= factor[:, None]
                sampled.append(name)
            elif kind == "volume" and target in model.states:
                volume[:, model.states.index(target)] *= factor
                sampled.append(name)
            elif kind == "flow" and target in model.flow_names:
                flow[:, model.flow_names.index(target)] *= factor
                sampled.append(name)
    return Factors(volume=volume, flow=flow, sampled=tuple(sampled))


def matrices(model: CompiledModel, factors: Factors) -> FloatArray:
    """The rate matrices of all patients, (P, M, M)."""
    n_pat = factors.volume.shape[0]
    n = len(model.states)
    a = np.zeros((n_pat, n, n))
    volumes = model.volumes_l[None, :] * factors.volume
    for f in range(len(model.flow_from)):
        i = int(model.flow_from[f])
        k = model.flow_value[f] * factors.flow[:, f]
        if model.flow_is_clearance[f]:
            k = k / volumes[:, i]
        a[:, i, i] -= k
        j = int(model.flow_to[f])
        if j >= 0:
            a[:, j, i] += k
    return a


def output_weights(model: CompiledModel, factors: Factors) -> FloatArray:
    """Concentration rows of all patients, (P, O, M)."""
    typical = model.output_weights()
    w = np.repeat(typical[None, :, :], factors.volume.shape[0], axis=0)
    for row, (_, state) in enumerate(model.observed):
        w[:, row, state] = typical[row, state] / factors.volume[:, state]
    return w


@dataclass(frozen=True)
class PopulationResult:
    """Percentiles over patients, and the per-patient summaries they come from."""

    n: int
    seed: int
    sampled: tuple[str, ...]
    band_times_h: FloatArray
    bands: FloatArray  # (len(PERCENTILES), O, T) ng/mL
    cmax: FloatArray  # (P, O)
    auc: FloatArray  # (P, O)
    steady_state: FloatArray  # (P, O)
    time_to_90pct_h: FloatArray  # (P,)
    washout_h: FloatArray  # (P,)
    time_above_h: FloatArray  # (P,)


def simulate_population(  # noqa: PLR0913 - keyword-only options
    model: CompiledModel,
    regimen: Regimen,
    *,
    n: int,
    seed: int,
    horizon_h: float,
    step_h: float,
    band_every: int,
    threshold: float = math.inf,
) -> PopulationResult:
    """Simulate ``n`` sampled patients; keep every ``band_every``-th grid time for the bands."""
    if n < 1:
        raise UserInputError("a population needs at least one patient")
    factors = sample(model, n, seed)
    sched: Schedule = schedule(model, regimen, horizon_h, step_h, band_every)
    n_out = len(model.observed)
    # patients last: the kernel's layout, contiguous for the percentiles
    stored = np.empty((n_out, sched.n_store, n), dtype=np.float32)
    cmax = np.empty((n, n_out))
    auc = np.empty((n, n_out))
    css = np.empty((n, n_out))
    t90 = np.empty(n)
    washout = np.empty(n)
    above = np.empty(n)
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        part = Factors(factors.volume[lo:hi], factors.flow[lo:hi], factors.sampled)
        modes = decompose(model, matrices(model, part))
        res = run(modes, output_weights(model, part), sched, threshold, out=stored, first_column=lo)
        cmax[lo:hi] = res.cmax
        auc[lo:hi] = res.auc
        css[lo:hi] = res.steady_state
        t90[lo:hi] = res.time_to_90pct_h
        washout[lo:hi] = res.washout_h
        above[lo:hi] = res.time_above_h
    return PopulationResult(
        n=n,
        seed=seed,
        sampled=factors.sampled,
        band_times_h=sched.stored_times_h,
        bands=percentiles(stored, PERCENTILES),
        cmax=cmax,
        auc=auc,
        steady_state=css,
        time_to_90pct_h=t90,
        washout_h=washout,
        time_above_h=above,
    )
