"""The pk commands end to end through the command-line application."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketamine_cds.entrypoints.cli.app import app

runner = CliRunner()


def test_pk_models_lists_each_model_with_its_source():
    """pk models --json gives every model's id, source and the seed 004 comparison."""
    result = runner.invoke(app, ["pk", "models", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["models"]
    assert {r["id"] for r in rows} >= {"domino-1984", "clements-1981", "hijazi-2003"}
    assert all(r["source"] and "against_seed_004" in r for r in rows)


def test_simulate_a_rate_gives_the_published_json_keys(tmp_path: Path):
    """A constant rate gives model, steady state, time to 90 %, Cmax, AUC, the curve and a plot."""
    png = tmp_path / "curve.png"
    result = runner.invoke(
        app,
        [
            "pk",
            "simulate",
            "--rate-mg-per-h",
            "7",
            "--hours",
            "48",
            "--weight-kg",
            "70",
            "--json",
            "--plot",
            str(png),
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["model"]["id"] == "domino-1984"
    assert out["model"]["source"].startswith("Domino")
    for key in (
        "steady_state_ng_per_ml",
        "time_to_90pct_steady_state_h",
        "cmax_ng_per_ml",
        "auc_ng_h_per_ml",
    ):
        assert out[key] > 0
    assert len(out["times_h"]) == len(out["concentration_ng_per_ml"])
    assert png.stat().st_size > 10_000


def test_simulate_a_protocol_population_gives_percentile_bands():
    """A protocol's plan for a population gives percentile arrays and the sample's seed."""
    result = runner.invoke(
        app,
        [
            "pk",
            "simulate",
            "--protocol",
            "cancer-continuous",
            "--weight-kg",
            "70",
            "--model",
            "perez-ruixo-2021",
            "--population",
            "300",
            "--seed",
            "5",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    bands = out["concentration_percentiles_ng_per_ml"]
    assert len(bands["p5"]) == len(out["times_h"]) == len(bands["p95"])
    assert out["population"] == {
        "n": 300,
        "seed": 5,
        "percentiles": [5, 25, 50, 75, 95],
        "sampled_parameters": out["population"]["sampled_parameters"],
    }
    assert "norketamine" in out


def test_human_output_ends_with_the_notice():
    """Human-readable output names the model and ends with the decision-support line."""
    result = runner.invoke(
        app,
        [
            "pk",
            "simulate",
            "--rate-mg-per-h",
            "5",
            "--hours",
            "24",
            "--weight-kg",
            "80",
            "--route",
            "sc",
            "--model",
            "clements-1981",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Clements" in result.output
    assert "upper bound (seed 003: slower)" in result.output
    assert result.output.strip().splitlines()[-1].startswith("-- Decision support")


def test_an_unknown_model_exits_2_with_one_sentence():
    """A user error is one sentence on stderr and exit code 2."""
    result = runner.invoke(
        app,
        [
            "pk",
            "simulate",
            "--rate-mg-per-h",
            "5",
            "--hours",
            "24",
            "--weight-kg",
            "80",
            "--model",
            "marsh",
        ],
    )
    assert result.exit_code == 2
    assert "error: there is no pharmacokinetic model 'marsh'" in result.output.lower()


EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "episodes"


def test_simulate_an_episode_follows_its_rate_history():
    """An episode's rate changes become consecutive infusions; steady state is the last rate's.

    Seed 001 case 2 ran 15 and 18 mg/h above the 14 mg/h ceiling: the soft limit is shown (3).
    """
    result = runner.invoke(
        app, ["pk", "simulate", "--episode", str(EXAMPLES / "seed-001-case-2.yaml"), "--json"]
    )
    assert result.exit_code == 3, result.output
    out = json.loads(result.output)
    soft = [c for c in out["dose_checks"] if c["verdict"] == "soft_limit_exceeded"]
    assert [c["checked"] for c in soft] == ["15 mg/h", "18 mg/h"]
    phases = [p for p in out["regimen"]["phases"] if p["kind"] == "infusion"]
    assert len(phases) >= 2
    assert all(a["end_h"] <= b["start_h"] + 1e-9 for a, b in itertools.pairwise(phases))
    last_rate = phases[-1]["mean_rate_mg_per_h"]
    clearance = out["derived"]["clearance_l_per_h"]
    assert out["steady_state_ng_per_ml"] == pytest.approx(last_rate / clearance * 1000, rel=1e-3)


def test_a_loading_dose_in_an_episode_keeps_the_protocols_30_minutes():
    """Prommer's 0.5 mg/kg loading dose recorded as given runs over the protocol's 30 minutes."""
    result = runner.invoke(
        app, ["pk", "simulate", "--episode", str(EXAMPLES / "prommer-loading.yaml"), "--json"]
    )
    assert result.exit_code == 0, result.output
    dose = json.loads(result.output)["regimen"]["phases"][0]
    assert dose["end_h"] - dose["start_h"] == pytest.approx(0.5)


def _simulate(*args: str) -> dict:
    result = runner.invoke(app, ["pk", "simulate", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_protocol_is_titrated_to_its_ceiling():
    """Seed 001 at 70 kg: 7 mg/h raised 2 mg/h every 2 h to the 14 mg/h ceiling, then held."""
    out = _simulate("--protocol", "cancer-continuous", "--weight-kg", "70")
    steps = [(p["start_h"], p["mean_rate_mg_per_h"]) for p in out["regimen"]["phases"]]
    assert steps == [(0.0, 7.0), (2.0, 9.0), (4.0, 11.0), (6.0, 13.0), (8.0, 14.0)]
    assert out["regimen"]["phases"][-1]["end_h"] == 72.0
    clearance = out["derived"]["clearance_l_per_h"]
    assert out["steady_state_ng_per_ml"] == pytest.approx(14.0 / clearance * 1000, rel=1e-3)
    assert any("titrated by 2 mg/h every 2 h up to 14 mg/h" in n for n in out["notes"])


def test_hold_at_step_keeps_the_rate_reached():
    """--hold-at-step 1 stops at 9 mg/h; 0 holds the start rate."""
    held = _simulate("--protocol", "cancer-continuous", "--weight-kg", "70", "--hold-at-step", "1")
    assert [p["mean_rate_mg_per_h"] for p in held["regimen"]["phases"]] == [7.0, 9.0]
    start = _simulate("--protocol", "cancer-continuous", "--weight-kg", "70", "--hold-at-step", "0")
    assert [p["mean_rate_mg_per_h"] for p in start["regimen"]["phases"]] == [7.0]


def test_the_default_model_shows_variability():
    """Domino with borrowed, cited variability: the 5th and 95th percentiles differ."""
    out = _simulate(
        "--rate-mg-per-h",
        "7",
        "--hours",
        "24",
        "--weight-kg",
        "70",
        "--population",
        "500",
        "--seed",
        "2",
    )
    bands = out["concentration_percentiles_ng_per_ml"]
    assert bands["p95"][30] > 1.5 * bands["p5"][30]
    assert set(out["population"]["sampled_parameters"]) == {"scale:clearance", "scale:volume"}
    assert any(n.startswith("Variability: ") and "Hijazi" in n for n in out["notes"])


def test_the_s_ketamine_model_takes_half_a_racemic_dose():
    """Perez-Ruixo: a racemic rate gives half the S-ketamine level of the same esketamine rate."""
    args = (
        "--rate-mg-per-h",
        "10",
        "--hours",
        "12",
        "--weight-kg",
        "70",
        "--model",
        "perez-ruixo-2021",
    )
    racemic = _simulate(*args)
    esketamine = _simulate(*args, "--dose-form", "s-ketamine")
    assert racemic["concentration_of"] == "S-ketamine"
    assert racemic["steady_state_ng_per_ml"] == pytest.approx(
        esketamine["steady_state_ng_per_ml"] / 2, rel=1e-3
    )
    assert any("50% S-ketamine share" in r["derived"] for r in racemic["routes"].values())


def test_routes_show_their_absorption_and_its_derivation():
    """An oral dose names its rate constant, the cited time to peak and the model used."""
    out = _simulate(
        "--rate-mg-per-h", "5", "--hours", "6", "--weight-kg", "70", "--route", "sublingual"
    )
    absorption = out["routes"]["sublingual"]["absorption"]
    assert absorption["rate_constant_per_h"] == 3.75
    assert absorption["derived_from"]["tmax_min"] == 45.0
    assert "Rolan" in absorption["derived_from"]["tmax_source"]


def test_a_simulated_rate_goes_through_the_one_dose_check() -> None:
    """80 mg/h at 70 kg is at the hard limit (1 mg/kg/h): simulated, flagged, exit 4."""
    result = CliRunner().invoke(
        app,
        ["pk", "simulate", "--rate-mg-per-h", "80", "--hours", "4", "--weight-kg", "70", "--json"],
    )
    assert result.exit_code == 4
    checks = json.loads(result.stdout)["dose_checks"]
    assert [c["verdict"] for c in checks] == ["hard_limit_exceeded"]
    assert checks[0]["limit"]["id"] == "hard-rate-icu-sedation"


def test_a_titrated_protocol_is_simulated_within_its_limits() -> None:
    """Seed 001 at 70 kg runs 7 to 14 mg/h: every step within the protocol, exit 0."""
    result = CliRunner().invoke(
        app, ["pk", "simulate", "--protocol", "cancer-continuous", "--weight-kg", "70", "--json"]
    )
    assert result.exit_code == 0
    checks = json.loads(result.stdout)["dose_checks"]
    assert checks
    assert {c["verdict"] for c in checks} == {"within_protocol"}
