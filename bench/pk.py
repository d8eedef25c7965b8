"""Pharmacokinetic simulator benchmark: exact modal recursion against solve_ivp and PyTCI.

Runs, side by side in one process, on the Domino 1984 three-compartment model and one regimen
(7 mg/h IV raised by 2 mg/h every 2 h to 14 mg/h, held to 72 h, then stopped; 70 kg; 5 days):

  (a) one patient, 5 days at 1-second resolution (every second reported), beside the floor of
      that computation measured in the same run: the dependent modal recursion alone, writing
      every second's level and nothing else;
  (b) 100,000 patients with the model's (cited) variability, 5 days at 1-minute resolution
      (summaries streamed, hourly percentile bands kept), and the same population on the
      6-state S-ketamine model with its published variability and norketamine; everything a
      caller of ``simulate_population`` waits for is timed (sampling, decomposition, the
      loop, the bands), with the process's CPU time beside the wall time (a loaded machine
      stretches the one more than the other); beside them the floor of the three-compartment
      population measured in the same run: each mode's recursion, the level and its peak at
      every minute, in the same vector registers, from constants computed beforehand;
  (c) scipy.integrate.solve_ivp on the same model and regimen: once per patient (LSODA, as for
      one patient) and vectorised over patients as one stacked system (DOP853, and BDF with the
      sparse block-diagonal Jacobian), 1-minute output, at the same tolerance;
  (d) PyTCI (``pip install -r bench/requirements.txt``) on the same three-compartment model with
      its exact (matrix-exponential) integrator, one call per second, as a user reads every
      second;
  (e) the machine's memory bandwidth (a numpy copy of 256 MiB), against what writing every
      minute's level of every patient would need at the population rate.

Every figure is the median of repeated runs, shown with the fastest and slowest. Usage:
``.venv/bin/python bench/pk.py [--patients N] [--repeats R]``. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ketamine_cds.bootstrap import configure_kernel_cache
from ketamine_cds.settings import read_settings

configure_kernel_cache(read_settings().cache_dir)  # before numba is imported

import numba  # noqa: E402
import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402

from ketamine_cds.adapters.pk_models import get_model  # noqa: E402
from ketamine_cds.domain.pk.lanes import (  # noqa: E402
    LANES,
    dot_rows,
    flush_rows,
    load_rows,
    splat,
    step_rows,
    store,
    where_gt,
    zero_rows,
)
from ketamine_cds.domain.pk.model import CompiledModel, compile_model  # noqa: E402
from ketamine_cds.domain.pk.modes import decompose  # noqa: E402
from ketamine_cds.domain.pk.population import (  # noqa: E402
    PopulationResult,
    matrices,
    output_weights,
    sample,
    simulate_population,
)
from ketamine_cds.domain.pk.regimen import Phase, Regimen  # noqa: E402
from ketamine_cds.domain.pk.schedule import schedule  # noqa: E402
from ketamine_cds.domain.pk.simulate import (  # noqa: E402
    SimulationResult,
    modal,
    run,
    simulate_typical,
)
from ketamine_cds.domain.units import Rate  # noqa: E402

try:  # installed for the benchmark only: pip install -r bench/requirements.txt
    from PyTCI.models.base import Three
except ImportError:  # pragma: no cover - reported in the output
    Three = None

HORIZON_H = 120.0
WEIGHT_KG = 70.0
RTOL, ATOL = 1e-8, 1e-10
RESULTS = Path(__file__).resolve().parent / "results"


def regimen() -> Regimen:
    """Seed 001's pattern: start 7 mg/h, +2 mg/h every 2 h to 14 mg/h, held to 72 h."""
    rates = [7.0, 9.0, 11.0, 13.0, 14.0]
    phases = []
    start = 0.0
    for i, r in enumerate(rates):
        hours = 2.0 if i < len(rates) - 1 else 72.0 - start
        phases.append(
            Phase(
                id=f"step{i}",
                route="iv",
                kind="infusion",
                start_h=start,
                duration_h=hours,
                rate=Rate.of(r, "mg/h"),
            )
        )
        start += hours
    return Regimen(phases=tuple(phases), label="7→14 mg/h over 8 h, held to 72 h")


def rate_at(t_h: float, reg: Regimen) -> float:
    for p in reg.phases:
        if p.start_h <= t_h < p.end_h:
            return p.mean_rate_mg_per_h()
    return 0.0


@dataclass(frozen=True)
class Timing:
    """Wall times of repeated runs (after one warm-up run)."""

    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def spread(self, scale: float = 1.0, unit: str = "s", digits: int = 3) -> str:
        lo, hi = min(self.seconds) * scale, max(self.seconds) * scale
        return (
            f"{self.median * scale:.{digits}g} {unit} "
            f"(range {lo:.{digits}g}-{hi:.{digits}g}, {len(self.seconds)} runs)"
        )


def timed(fn: Callable[[], Any], repeats: int) -> tuple[Timing, Any]:
    """Wall times of ``repeats`` calls after one warm-up call, and the last result."""
    timing, _, out = timed_cpu(fn, repeats)
    return timing, out


def timed_cpu(fn: Callable[[], Any], repeats: int) -> tuple[Timing, Timing, Any]:
    """Wall and process CPU times of ``repeats`` calls after one warm-up call."""
    out = fn()
    times = []
    cpu = []
    for _ in range(repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return Timing(times), Timing(cpu), out


@numba.njit
def _floor_kernel(lam: np.ndarray, c: np.ndarray, w: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The least the 1-second run must do: each mode's recursion, and the level written.

    ``c`` (S, 3) is each segment's input term, ``n`` its number of steps; three modes.
    """
    out = np.empty(n.sum() + 1)
    e0, e1, e2 = math.exp(lam[0]), math.exp(lam[1]), math.exp(lam[2])
    z0 = z1 = z2 = 0.0
    out[0] = 0.0
    k = 1
    for s in range(n.shape[0]):
        c0, c1, c2 = c[s, 0], c[s, 1], c[s, 2]
        for _ in range(n[s]):
            z0 = z0 * e0 + c0
            z1 = z1 * e1 + c1
            z2 = z2 * e2 + c2
            out[k] = w[0] * z0 + w[1] * z1 + w[2] * z2
            k += 1
    return out


def bench_single(model: CompiledModel, reg: Regimen, repeats: int) -> tuple[Timing, np.ndarray]:
    def run() -> SimulationResult:
        return simulate_typical(model, reg, horizon_h=HORIZON_H, step_h=1 / 3600)

    timing, res = timed(run, repeats)
    return timing, res.concentration[0, 0]


def bench_floor(model: CompiledModel, reg: Regimen, repeats: int) -> tuple[Timing, np.ndarray]:
    """The floor in the same units: modes per second, inputs per rate segment (exact too)."""
    modes = decompose(model, model.matrix()[None])
    lam = modes.lam[0] / 3600.0  # per second
    w = (model.output_weights() @ modes.right[0])[0]
    cuts = sorted(
        {0.0, HORIZON_H} | {p.start_h for p in reg.phases} | {p.end_h for p in reg.phases}
    )
    steps = np.array([round((b - a) * 3600) for a, b in itertools.pairwise(cuts)], dtype=np.int64)
    c = np.zeros((len(steps), 3))
    for s, (a, _) in enumerate(itertools.pairwise(cuts)):
        g = modes.left[0][:, 0] * rate_at(a, reg)  # mg/h into the central compartment
        c[s] = g * np.expm1(modes.lam[0] / 3600.0) / modes.lam[0]
    timing, out = timed(lambda: _floor_kernel(lam, c, w, steps), repeats)
    return timing, out


def bench_population(
    model: CompiledModel, reg: Regimen, n: int, repeats: int
) -> tuple[Timing, Timing, PopulationResult]:
    def run() -> PopulationResult:
        return simulate_population(
            model, reg, n=n, seed=1, horizon_h=HORIZON_H, step_h=1 / 60, band_every=60
        )

    return timed_cpu(run, repeats)


@numba.njit(parallel=True)
def _population_floor_kernel(
    e: np.ndarray, c: np.ndarray, w: np.ndarray, n: np.ndarray, token: tuple[int, ...]
) -> np.ndarray:
    """The least the population must do each minute: every mode's step, the level, its peak.

    ``e`` (S, M, P) and ``c`` (S, M, P) are each segment's step constants, ``w`` (M, P) the
    weights; P is a whole number of tiles. Lanes below 1e-200 are flushed, as in the product.
    """
    n_pat = w.shape[1]
    peak = np.empty(n_pat)
    for tile in numba.prange(n_pat // LANES):
        lo = tile * LANES
        wt = load_rows(w, lo, token)
        z = zero_rows(token)
        cm = splat(0.0)
        for s in range(n.shape[0]):
            es = load_rows(e[s], lo, token)
            cs = load_rows(c[s], lo, token)
            for _ in range(n[s]):
                z = flush_rows(step_rows(z, es, cs), 1e-200)
                y = dot_rows(wt, z)
                cm = where_gt(y, cm, y, cm)
        store(peak, lo, cm)
    return peak


def bench_population_floor(
    model: CompiledModel, reg: Regimen, n: int, repeats: int
) -> tuple[Timing, float]:
    """The floor of (b) for the same patients, and how far its peaks are from the product's."""
    n = n - n % LANES
    factors = sample(model, n, 1)
    sched = schedule(model, reg, HORIZON_H, 1 / 60, 60)
    mod = modal(decompose(model, matrices(model, factors)), output_weights(model, factors), sched)
    lam = mod.lam.T  # (M, P)
    dt = sched.seg_dt[:, None, None]
    e = np.ascontiguousarray(np.exp(lam[None] * dt))
    g = np.transpose(mod.g_rate, (1, 2, 0))[sched.seg_rate]  # (S, M, P)
    c = np.ascontiguousarray(g * np.expm1(lam[None] * dt) / lam[None])
    w = np.ascontiguousarray(mod.w_out[:, 0, :].T)
    token = (0,) * lam.shape[0]
    timing, peak = timed(lambda: _population_floor_kernel(e, c, w, sched.seg_n, token), repeats)
    mine = simulate_population(
        model, reg, n=n, seed=1, horizon_h=HORIZON_H, step_h=1 / 60, band_every=60
    ).cmax[:, 0]
    return timing, float(np.max(np.abs(peak - mine) / mine))


def bench_memory(repeats: int) -> float:
    """GB/s read and written by a numpy copy of 256 MiB (the median of repeated copies)."""
    a = np.ones(1 << 25)  # far beyond the caches, small beside the population's own memory
    b = np.empty_like(a)
    timing, _ = timed(lambda: np.copyto(b, a), repeats)
    return 2 * a.nbytes / timing.median / 1e9


def _pieces(reg: Regimen) -> list[tuple[float, float, float]]:
    cuts = sorted(
        {0.0, HORIZON_H} | {p.start_h for p in reg.phases} | {p.end_h for p in reg.phases}
    )
    return [(a, b, rate_at(a, reg)) for a, b in itertools.pairwise(cuts)]


def _ivp_one(a: np.ndarray, w: np.ndarray, reg: Regimen, grid: np.ndarray) -> np.ndarray:
    """One patient as a user of solve_ivp writes it: piece by piece, LSODA, 1-minute output."""
    x = np.zeros(a.shape[0])
    out = np.zeros(grid.size)
    for lo, hi, rate in _pieces(reg):
        u = np.zeros(a.shape[0])
        u[0] = rate
        mask = (grid >= lo) & (grid <= hi)
        sol = solve_ivp(
            lambda _t, y, u=u: a @ y + u,
            (lo, hi),
            x,
            method="LSODA",
            rtol=RTOL,
            atol=ATOL,
            t_eval=grid[mask],
            jac=lambda _t, _y: a,
        )
        out[mask] = w @ sol.y
        x = sol.y[:, -1]  # every rate change is on the minute grid, so this is the state at hi
    return out


def _ivp_stacked(
    a: np.ndarray, w: np.ndarray, reg: Regimen, grid: np.ndarray, method: str
) -> np.ndarray:
    """Many patients as one stacked system (the vectorised use), one call per rate piece."""
    n_pat, n, _ = a.shape
    x = np.zeros(n_pat * n)
    out = np.zeros((n_pat, grid.size))
    jac = sparse.block_diag(list(a), format="csr") if method == "BDF" else None
    for lo, hi, rate in _pieces(reg):
        u = np.zeros((n_pat, n))
        u[:, 0] = rate
        flat_u = u.reshape(-1)

        def rhs(_t: float, y: np.ndarray, flat_u: np.ndarray = flat_u) -> np.ndarray:
            return np.einsum("pij,pj->pi", a, y.reshape(n_pat, n)).reshape(-1) + flat_u

        mask = (grid >= lo) & (grid <= hi)
        sol = solve_ivp(
            rhs, (lo, hi), x, method=method, rtol=RTOL, atol=ATOL, t_eval=grid[mask], jac=jac
        )
        states = sol.y.reshape(n_pat, n, -1)
        out[:, mask] = np.einsum("pi,pit->pt", w, states)
        x = sol.y[:, -1]
    return out


def bench_solve_ivp(
    model: CompiledModel, reg: Regimen, repeats: int, stacked_patients: int
) -> dict[str, Any]:
    grid = np.arange(0, round(HORIZON_H * 60) + 1) / 60.0
    a1 = model.matrix()
    w1 = model.output_weights()[0]
    one, curve = timed(lambda: _ivp_one(a1, w1, reg, grid), repeats)
    factors = sample(model, stacked_patients, 1)
    a = matrices(model, factors)
    w = np.repeat(w1[None, :], stacked_patients, axis=0) / factors.volume[:, :1]
    ours = run(
        decompose(model, a), output_weights(model, factors), schedule(model, reg, HORIZON_H, 1 / 60)
    )
    stacked: dict[str, Timing] = {}
    errors: dict[str, float] = {}
    for method in ("DOP853", "BDF"):
        stacked[method], curves = timed(lambda m=method: _ivp_stacked(a, w, reg, grid, m), repeats)
        mine = ours.concentration[:, 0, :]
        errors[method] = float(np.max(np.abs(curves - mine) / np.max(mine, axis=1, keepdims=True)))
    return {
        "one": one,
        "curve": curve,
        "stacked": stacked,
        "errors": errors,
        "patients": stacked_patients,
    }


def bench_pytci(
    spec_flows: dict[tuple[str, str | None], float], reg: Regimen, repeats: int
) -> tuple[Timing, np.ndarray] | None:
    if Three is None:
        return None

    class Domino(Three):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            self.v1 = 0.063 * WEIGHT_KG
            self.k10 = spec_flows[("central", None)]
            self.k12 = spec_flows[("central", "peripheral_fast")]
            self.k21 = spec_flows[("peripheral_fast", "central")]
            self.k13 = spec_flows[("central", "peripheral_slow")]
            self.k31 = spec_flows[("peripheral_slow", "central")]
            self.keo = 0.0
            self.setup()
            self.set_integrator("exact")

    n = round(HORIZON_H * 3600)
    rates = [rate_at(s / 3600.0, reg) / 3600.0 for s in range(n)]

    def run() -> np.ndarray:
        patient = Domino()
        out = np.zeros(n + 1)
        for s in range(n):
            out[s + 1] = patient.giveoverseconds(rates[s], 1)
        return out * 1000.0  # mg/L -> ng/mL

    return timed(run, repeats)


def main() -> int:  # noqa: PLR0915 - one report, top to bottom
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    reg = regimen()
    spec, shared = get_model("domino-1984")
    model = compile_model(spec, WEIGHT_KG, ("iv",), shared)
    load_before = os.getloadavg()[0]
    lines = [
        (
            f"machine: {platform.processor() or platform.machine()}, "
            f"{numba.config.NUMBA_NUM_THREADS} threads, python {platform.python_version()}, "
            f"numpy {np.__version__}, numba {numba.__version__}"
        ),
        f"model: {spec.name}; regimen: {reg.label}; {WEIGHT_KG:g} kg; {HORIZON_H:g} h",
    ]

    single, single_curve = bench_single(model, reg, max(15, args.repeats))
    floor, floor_curve = bench_floor(model, reg, max(15, args.repeats))
    floor_err = float(np.max(np.abs(floor_curve - single_curve)) / np.max(single_curve))
    single_ph = HORIZON_H / single.median
    lines.append(
        f"(a) one patient, 5 d at 1 s ({single_curve.size:,} points): "
        f"{single.spread(1e3, 'ms')} -> {single_ph:,.0f} patient-h/s"
    )
    lines.append(
        f"    floor (the recursion and the output alone, same run): {floor.spread(1e3, 'ms')}; "
        f"one patient / floor = {single.median / floor.median:.2f}x of the medians, "
        f"{min(single.seconds) / min(floor.seconds):.2f}x of the fastest runs "
        f"(floor agrees to {floor_err:.1e} of the peak)"
    )

    pop, pop_cpu, pop_res = bench_population(model, reg, args.patients, args.repeats)
    pop_ph = args.patients * HORIZON_H / pop.median
    lines.append(
        f"(b) {args.patients:,} patients (cited variability), 5 d at 1 min: {pop.spread()} -> "
        f"{pop_ph:.3g} patient-h/s (Cmax p5-p95 {np.percentile(pop_res.cmax[:, 0], 5):.0f}-"
        f"{np.percentile(pop_res.cmax[:, 0], 95):.0f} ng/mL); CPU {pop_cpu.spread()}"
    )
    pop_floor, floor_peak_err = bench_population_floor(model, reg, args.patients, args.repeats)
    pop_floor_ph = (args.patients - args.patients % LANES) * HORIZON_H / pop_floor.median
    lines.append(
        f"    floor (the recursion, the level and its peak alone, same run): "
        f"{pop_floor.spread()} -> {pop_floor_ph:.3g} patient-h/s; (b) / floor = "
        f"{pop.median / pop_floor.median:.2f}x of the medians (peaks agree to "
        f"{floor_peak_err:.1e})"
    )
    spec_s, shared_s = get_model("perez-ruixo-2021")
    model_s = compile_model(spec_s, WEIGHT_KG, ("iv",), shared_s)
    pop6, pop6_cpu, pop6_res = bench_population(model_s, reg, args.patients, args.repeats)
    pop6_ph = args.patients * HORIZON_H / pop6.median
    lines.append(
        f"(b') same on {spec_s.id} (6 states, published variability, norketamine): "
        f"{pop6.spread()} -> {pop6_ph:.3g} patient-h/s "
        f"(S-ketamine Cmax p5-p95 {np.percentile(pop6_res.cmax[:, 0], 5):.0f}-"
        f"{np.percentile(pop6_res.cmax[:, 0], 95):.0f} ng/mL); CPU {pop6_cpu.spread()}"
    )

    ivp = bench_solve_ivp(model, reg, max(3, args.repeats // 2), 1000)
    ivp_one_ph = HORIZON_H / ivp["one"].median
    ours_1min = simulate_typical(model, reg, horizon_h=HORIZON_H, step_h=1 / 60).concentration[0, 0]
    ivp_err = float(np.max(np.abs(ours_1min - ivp["curve"])) / np.max(ivp["curve"]))
    best = min(ivp["stacked"], key=lambda m: ivp["stacked"][m].median)
    ivp_ph = ivp["patients"] * HORIZON_H / ivp["stacked"][best].median
    lines.append(
        f"(c) solve_ivp (rtol {RTOL:g}), 1-min output: one patient, LSODA: "
        f"{ivp['one'].spread()} -> {ivp_one_ph:,.0f} patient-h/s; max difference "
        f"{ivp_err:.1e} of the peak"
    )
    for method, timing in ivp["stacked"].items():
        rate = ivp["patients"] * HORIZON_H / timing.median
        lines.append(
            f"    {ivp['patients']:,} patients stacked, {method}: {timing.spread()} -> "
            f"{rate:,.0f} patient-h/s; max difference {ivp['errors'][method]:.1e} of each peak"
        )
    ratio_ivp = pop_ph / ivp_ph

    flows = {(f.from_, f.to): f.rate_constant.value for f in spec.flows if f.rate_constant}
    pytci = bench_pytci(flows, reg, max(3, args.repeats // 2))
    if pytci is None:
        ratio_pytci = math.nan
        lines.append("(d) PyTCI not installed: pip install -r bench/requirements.txt")
    else:
        tci, tci_curve = pytci
        tci_ph = HORIZON_H / tci.median
        tci_err = float(np.max(np.abs(single_curve - tci_curve)) / np.max(single_curve))
        ratio_pytci = single_ph / tci_ph
        lines.append(
            f"(d) PyTCI 1.2.0, exact integrator, one patient, one call per second: "
            f"{tci.spread()} -> {tci_ph:,.0f} patient-h/s; max difference {tci_err:.1e} of the peak"
        )
    bandwidth = bench_memory(max(5, args.repeats))
    every_minute = pop_ph * 60  # levels a second if every minute of every patient were kept
    lines.append(
        f"(e) memory: a numpy copy moves {bandwidth:.1f} GB/s (read + write); keeping every "
        f"minute's level of every patient at the rate of (b) would write "
        f"{every_minute * 8 / 1e9:.1f} GB/s in float64, {every_minute * 4 / 1e9:.1f} GB/s in "
        f"float32; the population keeps hourly float32 levels for the bands "
        f"({pop_ph * 4 / 1e9:.2f} GB/s)"
    )
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    lines.append(
        f"machine load (1-minute load average) {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores"
    )
    lines.append(
        f"ratios: population vs solve_ivp stacked ({best}) {ratio_ivp:,.0f}x; "
        f"one patient at 1 s vs PyTCI exact {ratio_pytci:,.0f}x; "
        f"one patient vs floor {single.median / floor.median:.2f}x; peak RSS {rss_mib:.0f} MiB"
    )
    last = (
        f"population_patient_hours_per_s={pop_ph:.4g} "
        f"single_patient_5d_1s_ms={single.median * 1e3:.3f} "
        f"ratio_vs_solve_ivp={ratio_ivp:.4g} ratio_vs_pytci={ratio_pytci:.4g} "
        f"peak_rss_mib={rss_mib:.0f} "
        f"population_variability_patient_hours_per_s={pop6_ph:.4g} "
        f"population_floor_patient_hours_per_s={pop_floor_ph:.4g}"
    )
    lines.append(last)
    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pk-latest.txt").write_text(text + "\n", encoding="utf-8")
    (RESULTS / "pk-latest.json").write_text(
        json.dumps(
            {
                "population_patient_hours_per_s": pop_ph,
                "population_variability_patient_hours_per_s": pop6_ph,
                "single_patient_5d_1s_ms": single.median * 1e3,
                "single_patient_runs_ms": [t * 1e3 for t in single.seconds],
                "floor_5d_1s_ms": floor.median * 1e3,
                "single_over_floor": single.median / floor.median,
                "single_over_floor_fastest": min(single.seconds) / min(floor.seconds),
                "load_average": [load_before, os.getloadavg()[0]],
                "population_runs_s": pop.seconds,
                "population_variability_runs_s": pop6.seconds,
                "population_cpu_s": pop_cpu.seconds,
                "population_variability_cpu_s": pop6_cpu.seconds,
                "population_floor_patient_hours_per_s": pop_floor_ph,
                "population_over_floor": pop.median / pop_floor.median,
                "memory_copy_gb_per_s": bandwidth,
                "solve_ivp_one_patient_hours_per_s": ivp_one_ph,
                "solve_ivp_stacked_patient_hours_per_s": ivp_ph,
                "solve_ivp_stacked_method": best,
                "ratio_vs_solve_ivp": ratio_ivp,
                "ratio_vs_pytci": ratio_pytci,
                "peak_rss_mib": rss_mib,
                "patients": args.patients,
                "repeats": args.repeats,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
