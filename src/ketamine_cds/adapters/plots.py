"""Pictures of a simulation: rate steps and plasma concentration on one time axis (Agg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt

from ketamine_cds import DECISION_SUPPORT_NOTICE


def plot_simulation(
    path: Path,
    payload: dict[str, Any],
    rate_steps: list[tuple[float, float]],
    doses: list[tuple[float, float, str]],
    model_name: str,
) -> Path:
    """Write a PNG: delivered rate (mg/h) above, concentration (ng/mL) below, same hours."""
    fig, (ax_rate, ax_conc) = plt.subplots(
        2, 1, sharex=True, figsize=(9, 6), gridspec_kw={"height_ratios": [1, 2]}
    )
    times = payload["times_h"]
    end = times[-1] if times else 1.0
    xs = [t for t, _ in rate_steps] + [end]
    ys = [r for _, r in rate_steps]
    ax_rate.stairs(ys, xs, color="tab:blue", linewidth=1.5)
    if doses:
        ax_dose = ax_rate.twinx()
        ax_dose.vlines(
            [t for t, _, _ in doses],
            0,
            [mg for _, mg, _ in doses],
            color="tab:green",
            linewidth=2,
            label="single doses (mg)",
        )
        ax_dose.set_ylabel("single dose (mg)", color="tab:green")
        ax_dose.set_ylim(bottom=0)
    ax_rate.set_ylabel("ketamine rate (mg/h)")
    ax_rate.set_title(f"{model_name}\n{payload['regimen']['label']}, {payload['weight_kg']:g} kg")
    if "concentration_percentiles_ng_per_ml" in payload:
        bands = payload["concentration_percentiles_ng_per_ml"]
        ax_conc.fill_between(
            times,
            bands["p5"],
            bands["p95"],
            alpha=0.2,
            color="tab:red",
            label="5th-95th percentile",
        )
        ax_conc.fill_between(
            times,
            bands["p25"],
            bands["p75"],
            alpha=0.35,
            color="tab:red",
            label="25th-75th percentile",
        )
        ax_conc.plot(
            times,
            bands["p50"],
            color="tab:red",
            label=f"median of {payload['population']['n']:,} patients",
        )
    else:
        ax_conc.plot(
            times,
            payload["concentration_ng_per_ml"],
            color="tab:red",
            label="ketamine (typical patient)",
        )
        nor = payload.get("norketamine")
        if nor and "concentration_ng_per_ml" in nor:
            ax_conc.plot(
                times,
                nor["concentration_ng_per_ml"],
                color="tab:purple",
                linestyle="--",
                label="norketamine",
            )
    css = payload.get("steady_state_ng_per_ml")
    if css:
        ax_conc.axhline(css, color="grey", linestyle=":", label=f"steady state {css:.0f} ng/mL")
    ax_conc.set_ylabel("plasma concentration (ng/mL)")
    ax_conc.set_xlabel("hours from the first dose")
    ax_conc.legend(loc="upper right", fontsize=8)
    fig.text(
        0.01,
        0.01,
        f"Model: {payload['model']['source']}. {DECISION_SUPPORT_NOTICE}",
        fontsize=6,
        wrap=True,
    )
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
