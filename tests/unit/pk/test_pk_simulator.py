"""Steady state, AUC, peaks and populations of the exact simulator."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ketamine_cds.adapters.pk_models import get_model, load_models
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.model import compile_model
from ketamine_cds.domain.pk.population import sample, simulate_population
from ketamine_cds.domain.pk.regimen import Phase, Regimen, constant_infusion
from ketamine_cds.domain.pk.simulate import simulate_typical
from ketamine_cds.domain.units import Mass, Rate

MODELS = sorted(load_models())


@pytest.mark.parametrize("model_id", MODELS)
def test_steady_state_is_rate_over_clearance(model_id: str):
    """For a constant IV rate the steady state is rate ÷ clearance, and the curve reaches it."""
    spec, shared = get_model(model_id)
    model = compile_model(spec, 70.0, ("iv",), shared)
    clearance = model.derived().clearance_l_per_h
    res = simulate_typical(
        model, constant_infusion(Rate.of(7.0, "mg/h"), 400.0), horizon_h=400.0, step_h=0.25
    )
    expected = 7.0 / clearance * 1000.0
    assert res.steady_state[0, 0] == pytest.approx(expected, rel=1e-9)
    assert res.concentration[0, 0, -1] == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("model_id", MODELS)
def test_auc_of_a_dose_is_dose_over_clearance(model_id: str):
    """The exact AUC after an IV dose, followed to wash-out, equals dose ÷ clearance."""
    spec, shared = get_model(model_id)
    model = compile_model(spec, 80.0, ("iv",), shared)
    regimen = Regimen(
        phases=(
            Phase(
                id="b",
                route="iv",
                kind="bolus",
                start_h=0.0,
                duration_h=0.0,
                dose=Mass.of(40.0, "mg"),
                over_h=0.5,
            ),
        ),
        label="40 mg over 30 min",
    )
    res = simulate_typical(model, regimen, horizon_h=600.0, step_h=0.5)
    assert res.auc[0, 0] == pytest.approx(40.0 / model.derived().clearance_l_per_h * 1000, rel=1e-6)


def test_subcutaneous_steady_state_scales_with_bioavailability():
    """A subcutaneous infusion reaches 0.9 of the IV steady state (seed 003's ~90%)."""
    spec, shared = get_model("domino-1984")
    iv = simulate_typical(
        compile_model(spec, 70.0, ("iv",), shared),
        constant_infusion(Rate.of(5.0, "mg/h"), 24.0),
        horizon_h=24,
        step_h=0.1,
    )
    sc = simulate_typical(
        compile_model(spec, 70.0, ("sc",), shared),
        constant_infusion(Rate.of(5.0, "mg/h"), 24.0, "sc"),
        horizon_h=24,
        step_h=0.1,
    )
    assert sc.steady_state[0, 0] == pytest.approx(0.9 * iv.steady_state[0, 0], rel=1e-12)


@pytest.mark.parametrize(
    ("route", "tmax_h"),
    [("oral", 0.5), ("sublingual", 2.0), ("intranasal", 16 / 60), ("sc", 10 / 60)],
)
def test_extravascular_dose_peaks_at_the_cited_time(route: str, tmax_h: float):
    """A single dose by each route peaks at the cited time to peak (to the minute)."""
    spec, shared = get_model("clements-1981")
    model = compile_model(spec, 70.0, (route,), shared)  # type: ignore[arg-type]
    regimen = Regimen(
        phases=(
            Phase(
                id="d",
                route=route,
                kind="bolus",
                start_h=0.0,  # type: ignore[arg-type]
                duration_h=0.0,
                dose=Mass.of(25.0, "mg"),
            ),
        ),
        label="dose",
    )
    res = simulate_typical(model, regimen, horizon_h=8.0, step_h=1 / 120)
    assert abs(res.tmax_h[0, 0] - tmax_h) <= 1 / 60 + 1e-9


def test_washout_is_about_five_half_lives_for_a_near_monoexponential_model():
    """Wash-out to 1/32 after a long infusion is within 15 % of five terminal half-lives."""
    spec, shared = get_model("clements-1981")
    model = compile_model(spec, 70.0, ("iv",), shared)
    res = simulate_typical(
        model, constant_infusion(Rate.of(5.0, "mg/h"), 72.0), horizon_h=120.0, step_h=1 / 60
    )
    five = 5 * model.derived().terminal_half_life_h
    assert res.washout_h[0] == pytest.approx(five, rel=0.15)


def test_same_seed_same_patients_other_seed_other_patients():
    """Population sampling is reproducible from its seed and changes with it."""
    spec, shared = get_model("perez-ruixo-2021")
    model = compile_model(spec, 70.0, ("iv",), shared)
    a, b, c = sample(model, 500, 7), sample(model, 500, 7), sample(model, 500, 8)
    assert np.array_equal(a.volume, b.volume)
    assert np.array_equal(a.flow, b.flow)
    assert not np.array_equal(a.volume, c.volume)
    assert "flow:liver->out" in a.sampled


def test_population_without_variability_is_the_typical_patient():
    """A model with no published variability gives bands equal to the typical curve."""
    spec, shared = get_model("domino-1984")
    model = compile_model(spec, 70.0, ("iv",), shared)
    regimen = constant_infusion(Rate.of(7.0, "mg/h"), 12.0)
    pop = simulate_population(
        model, regimen, n=50, seed=3, horizon_h=24.0, step_h=1 / 60, band_every=30
    )
    one = simulate_typical(model, regimen, horizon_h=24.0, step_h=1 / 60, store_every=30)
    assert np.allclose(pop.bands[2, 0], one.concentration[0, 0], rtol=1e-5)
    assert np.allclose(pop.bands[0, 0], pop.bands[4, 0], rtol=1e-5)


def test_population_with_variability_spreads_and_keeps_order():
    """With published variability the 5th percentile lies below the median and the 95th above."""
    spec, shared = get_model("hijazi-2003")
    model = compile_model(spec, 70.0, ("iv",), shared)
    pop = simulate_population(
        model,
        constant_infusion(Rate.of(7.0, "mg/h"), 24.0),
        n=2000,
        seed=1,
        horizon_h=36.0,
        step_h=1 / 60,
        band_every=60,
    )
    mid = pop.bands[:, 0, 24]
    assert mid[0] < mid[2] < mid[4]
    assert np.all(np.isfinite(pop.time_to_90pct_h))


def test_a_route_the_model_does_not_cover_is_refused():
    """The S-ketamine model has no subcutaneous data: asking for it is a clear refusal."""
    spec, shared = get_model("perez-ruixo-2021")
    with pytest.raises(UserInputError, match="no cited data for the sc route"):
        compile_model(spec, 70.0, ("sc",), shared)


def test_an_impossible_weight_is_refused():
    """A weight outside the adult models' reach is a user error, not a silent result."""
    spec, shared = get_model("domino-1984")
    with pytest.raises(UserInputError, match="weight"):
        compile_model(spec, 7.0, ("iv",), shared)
    assert math.isfinite(compile_model(spec, 70.0, ("iv",), shared).derived().clearance_l_per_h)
