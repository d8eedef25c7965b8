"""Pharmacokinetic simulator benchmark: exact modal recursion against solve_ivp and PyTCI.

Runs, side by side in one process, on the Domino 1984 three-compartment model and one regimen
(7 mg/h IV raised by 2 mg/h every 2 h to 14 mg/h, held to 72 h, then stopped; 70 kg; 5 days):

  (a) one patient, 5 days at 1-second resolution (every second reported);
  (b) a population of 100,000 patients, 5 days at 1-minute resolution (summaries streamed,
      hourly percentile bands kept), plus the same population on the S-ketamine model with its
      published between-subject variability;
  (c) scipy.integrate.solve_ivp on the same model and regimen, per patient, 1-minute output;
  (d) PyTCI (``pip install -r bench/requirements.txt``) on the same three-compartment model,
      one-second steps as PyTCI is used.

Usage: ``.venv/bin/python bench/pk.py [--patients N]``. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from ketamine_cds.adapters.pk_models import get_model
from ketamine_cds.domain.pk.model import CompiledModel, compile_model
from ketamine_cds.domain.pk.population import PopulationResult, simulate_population
from ketamine_cds.domain.pk.regimen import Phase, Regimen
from ketamine_cds.domain.pk.simulate import SimulationResult, simulate_typical
from ketamine_cds.domain.pk.spec import PkModelSpec
from ketamine_cds.domain.units import Rate

try:  # installed for the benchmark only: pip install -r bench/requirements.txt
    from PyTCI.models.base import Three
except ImportError:  # pragma: no cover - reported in the output
    Three = None

HORIZON_H = 120.0
WEIGHT_KG = 70.0
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
            assert p.rate is not None
            return p.rate.mg_per_h
    return 0.0


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall time of ``repeats`` calls (after one warm-up call) and the last result."""
    out = fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def bench_single(model: CompiledModel, reg: Regimen) -> tuple[float, np.ndarray]:
    def run() -> SimulationResult:
        return simulate_typical(model, reg, horizon_h=HORIZON_H, step_h=1 / 3600)

    seconds, res = timed(run, 15)
    return seconds, res.concentration[0, 0]


def bench_population(model: CompiledModel, reg: Regimen, n: int) -> tuple[float, PopulationResult]:
    def run() -> PopulationResult:
        return simulate_population(
            model, reg, n=n, seed=1, horizon_h=HORIZON_H, step_h=1 / 60, band_every=60
        )

    simulate_population(
        model, reg, n=100, seed=1, horizon_h=HORIZON_H, step_h=1 / 60, band_every=60
    )  # compile and warm up
    t0 = time.perf_counter()
    out = run()
    return time.perf_counter() - t0, out


def bench_solve_ivp(model: CompiledModel, reg: Regimen, patients: int) -> tuple[float, np.ndarray]:
    a = model.matrix()
    w = model.output_weights()[0]
    cuts = sorted(
        {0.0, HORIZON_H} | {p.start_h for p in reg.phases} | {p.end_h for p in reg.phases}
    )
    grid = np.arange(0, round(HORIZON_H * 60) + 1) / 60.0

    def one() -> np.ndarray:
        x = np.zeros(a.shape[0])
        out = np.zeros(grid.size)
        for lo, hi in itertools.pairwise(cuts):
            u = np.zeros(a.shape[0])
            u[0] = rate_at(lo, reg)
            mask = (grid >= lo) & (grid <= hi)
            sol = solve_ivp(
                lambda _t, y, u=u: a @ y + u,
                (lo, hi),
                x,
                method="LSODA",
                rtol=1e-8,
                atol=1e-10,
                t_eval=grid[mask],
            )
            out[mask] = w @ sol.y
            x = solve_ivp(
                lambda _t, y, u=u: a @ y + u, (lo, hi), x, method="LSODA", rtol=1e-8, atol=1e-10
            ).y[:, -1]
        return out

    t0 = time.perf_counter()
    for _ in range(patients):
        out = one()
    return (time.perf_counter() - t0) / patients, out


def bench_pytci(spec: PkModelSpec, reg: Regimen) -> tuple[float, np.ndarray] | None:
    if Three is None:
        return None

    flows = {(f.from_, f.to): f.rate_constant.value for f in spec.flows}

    class Domino(Three):
        def __init__(self) -> None:
            self.v1 = 0.063 * WEIGHT_KG
            self.k10 = flows[("central", None)]
            self.k12 = flows[("central", "peripheral_fast")]
            self.k21 = flows[("peripheral_fast", "central")]
            self.k13 = flows[("central", "peripheral_slow")]
            self.k31 = flows[("peripheral_slow", "central")]
            self.keo = 0.0
            self.setup()

    patient = Domino()
    n = round(HORIZON_H * 3600)
    out = np.zeros(n + 1)
    t0 = time.perf_counter()
    for s in range(n):
        mg_per_s = rate_at(s / 3600.0, reg) / 3600.0
        out[s + 1] = patient.giveoverseconds(mg_per_s, 1)
    return time.perf_counter() - t0, out * 1000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    args = parser.parse_args()
    reg = regimen()
    spec, shared = get_model("domino-1984")
    model = compile_model(spec, WEIGHT_KG, ("iv",), shared)
    lines = [
        (
            f"machine: {platform.processor() or platform.machine()}, "
            f"python {platform.python_version()}, numpy {np.__version__}"
        ),
        f"model: {spec.name}; regimen: {reg.label}; {WEIGHT_KG:g} kg; {HORIZON_H:g} h",
    ]

    single_s, single_curve = bench_single(model, reg)
    single_ph = HORIZON_H / single_s
    lines.append(
        f"(a) one patient, 5 d at 1 s ({single_curve.size:,} points): "
        f"{single_s * 1e3:.2f} ms  -> {single_ph:,.0f} patient-h/s"
    )

    pop_s, pop = bench_population(model, reg, args.patients)
    pop_ph = args.patients * HORIZON_H / pop_s
    lines.append(
        f"(b) {args.patients:,} patients, 5 d at 1 min: {pop_s:.2f} s -> "
        f"{pop_ph:,.3g} patient-h/s (median Cmax {np.median(pop.cmax[:, 0]):.1f} ng/mL)"
    )
    spec_s, shared_s = get_model("perez-ruixo-2021")
    model_s = compile_model(spec_s, WEIGHT_KG, ("iv",), shared_s)
    pop2_s, pop2 = bench_population(model_s, reg, args.patients)
    pop2_ph = args.patients * HORIZON_H / pop2_s
    lines.append(
        f"    same on {spec_s.id} (6 states, published variability, norketamine): "
        f"{pop2_s:.2f} s -> {pop2_ph:,.3g} patient-h/s "
        f"(Cmax p5-p95 {np.percentile(pop2.cmax[:, 0], 5):.0f}-"
        f"{np.percentile(pop2.cmax[:, 0], 95):.0f} ng/mL)"
    )

    ivp_s, ivp_curve = bench_solve_ivp(model, reg, 3)
    ivp_ph = HORIZON_H / ivp_s
    ours_1min = simulate_typical(model, reg, horizon_h=HORIZON_H, step_h=1 / 60).concentration[0, 0]
    ivp_err = float(np.max(np.abs(ours_1min - ivp_curve)) / np.max(ivp_curve))
    lines.append(
        f"(c) solve_ivp (LSODA, rtol 1e-8), per patient, 1-min output: {ivp_s:.3f} s "
        f"-> {ivp_ph:,.0f} patient-h/s; max difference {ivp_err:.1e} of the peak"
    )
    ratio_ivp = pop_ph / ivp_ph

    pytci = bench_pytci(spec, reg)
    if pytci is None:
        ratio_pytci = math.nan
        lines.append("(d) PyTCI not installed: pip install -r bench/requirements.txt")
    else:
        tci_s, tci_curve = pytci
        tci_ph = HORIZON_H / tci_s
        tci_err = float(np.max(np.abs(single_curve - tci_curve)) / np.max(single_curve))
        ratio_pytci = single_ph / tci_ph
        lines.append(
            f"(d) PyTCI 1.2.0, one patient, 1-s steps (its Euler default): {tci_s:.2f} s "
            f"-> {tci_ph:,.0f} patient-h/s; max difference {tci_err:.1e} of the peak"
        )
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    lines.append(
        f"ratios: population vs solve_ivp {ratio_ivp:,.0f}x; "
        f"one patient at 1 s vs PyTCI {ratio_pytci:,.0f}x; peak RSS {rss_mib:.0f} MiB"
    )
    last = (
        f"population_patient_hours_per_s={pop_ph:.4g} "
        f"single_patient_5d_1s_ms={single_s * 1e3:.3f} "
        f"ratio_vs_solve_ivp={ratio_ivp:.4g} ratio_vs_pytci={ratio_pytci:.4g} "
        f"peak_rss_mib={rss_mib:.0f}"
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
                "population_s_ketamine_patient_hours_per_s": pop2_ph,
                "single_patient_5d_1s_ms": single_s * 1e3,
                "solve_ivp_patient_hours_per_s": ivp_ph,
                "ratio_vs_solve_ivp": ratio_ivp,
                "ratio_vs_pytci": ratio_pytci,
                "peak_rss_mib": rss_mib,
                "patients": args.patients,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
