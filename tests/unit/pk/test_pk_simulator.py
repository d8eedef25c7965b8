"""Steady state, AUC, peaks, wash-out, weight, dose form and populations of the simulator."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ketamine_cds.adapters.pk_models import get_model, load_models
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.model import compile_model
from ketamine_cds.domain.pk.modes import decompose
from ketamine_cds.domain.pk.population import (
    Factors,
    matrices,
    output_weights,
    sample,
    simulate_population,
)
from ketamine_cds.domain.pk.regimen import Phase, Regimen, constant_infusion
from ketamine_cds.domain.pk.schedule import schedule
from ketamine_cds.domain.pk.simulate import run, simulate_typical
from ketamine_cds.domain.units import Mass, Rate

MODELS = sorted(load_models())


def _dose(route: str, mg: float, over_h: float = 0.0, at_h: float = 0.0) -> Regimen:
    phase = Phase(
        id="d",
        route=route,  # type: ignore[arg-type]
        kind="bolus",
        start_h=at_h,
        duration_h=0.0,
        dose=Mass.of(mg, "mg"),
        over_h=over_h,
    )
    return Regimen(phases=(phase,), label=f"{mg:g} mg {route}")


@pytest.mark.parametrize("model_id", MODELS)
def test_steady_state_is_rate_over_clearance(model_id: str):
    """For a constant IV rate the steady state is the modelled rate ÷ clearance, and is reached.

    The modelled rate is the whole racemic rate, or its S-ketamine half for an S-ketamine model.
    """
    spec, shared = get_model(model_id)
    model = compile_model(spec, 70.0, ("iv",), shared)
    clearance = model.derived().clearance_l_per_h
    share = 1.0 if spec.enantiomer is None else 0.5
    res = simulate_typical(
        model, constant_infusion(Rate.of(7.0, "mg/h"), 400.0), horizon_h=400.0, step_h=0.25
    )
    expected = share * 7.0 / clearance * 1000.0
    assert res.steady_state[0, 0] == pytest.approx(expected, rel=1e-9)
    assert res.concentration[0, 0, -1] == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("model_id", MODELS)
def test_auc_of_a_dose_is_dose_over_clearance(model_id: str):
    """The exact AUC after an IV dose, followed to wash-out, equals dose ÷ clearance."""
    spec, shared = get_model(model_id)
    model = compile_model(
        spec, 80.0, ("iv",), shared, "s-ketamine" if spec.enantiomer else "racemic"
    )
    res = simulate_typical(model, _dose("iv", 40.0, over_h=0.5), horizon_h=600.0, step_h=0.5)
    assert res.auc[0, 0] == pytest.approx(40.0 / model.derived().clearance_l_per_h * 1000, rel=1e-6)


def test_a_racemic_dose_gives_the_s_ketamine_model_half_of_what_esketamine_gives():
    """Perez-Ruixo describes S-ketamine: a racemic dose is half S-ketamine, so half the level."""
    spec, shared = get_model("perez-ruixo-2021")
    regimen = constant_infusion(Rate.of(10.0, "mg/h"), 12.0)
    racemic = simulate_typical(
        compile_model(spec, 70.0, ("iv",), shared, "racemic"), regimen, horizon_h=24, step_h=0.1
    )
    esketamine = simulate_typical(
        compile_model(spec, 70.0, ("iv",), shared, "s-ketamine"), regimen, horizon_h=24, step_h=0.1
    )
    assert np.allclose(racemic.concentration, 0.5 * esketamine.concentration, rtol=1e-12)
    assert racemic.cmax[0, 1] == pytest.approx(0.5 * esketamine.cmax[0, 1], rel=1e-12)


def test_a_racemic_model_refuses_an_esketamine_dose():
    """Domino describes racemic ketamine; an S-ketamine dose is refused in one sentence."""
    spec, shared = get_model("domino-1984")
    with pytest.raises(UserInputError, match="S-ketamine model"):
        compile_model(spec, 70.0, ("iv",), shared, "s-ketamine")


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


def test_routes_sharing_a_rate_share_one_depot():
    """SC at the IM rate (its upper bound): one depot, so the matrix stays diagonalisable."""
    spec, shared = get_model("clements-1981")
    model = compile_model(spec, 70.0, ("sc", "im"), shared)
    assert model.inputs["sc"][0].state == model.inputs["im"][0].state
    regimen = Regimen(
        phases=(_dose("sc", 20.0).phases[0], _dose("im", 20.0, at_h=1.0).phases[0]),
        label="sc then im",
    )
    res = simulate_typical(model, regimen, horizon_h=6.0, step_h=1 / 60)
    assert np.isfinite(res.cmax[0, 0])


def test_washout_after_an_oral_dose_counts_from_the_peak_that_follows_it():
    """After a dose that is still being absorbed, the level rises first; 1/32 is of the peak."""
    spec, shared = get_model("clements-1981")
    model = compile_model(spec, 70.0, ("oral",), shared)
    res = simulate_typical(model, _dose("oral", 50.0), horizon_h=48.0, step_h=1 / 60)
    c, t = res.concentration[0, 0], res.times_h
    peak = c.max()
    first_below = t[np.argmax((c < peak / 32) & (t > t[np.argmax(c)]))]
    assert res.washout_h[0] == pytest.approx(first_below, abs=1e-9)
    assert res.washout_h[0] > res.tmax_h[0, 0]


def test_washout_is_about_five_half_lives_for_a_near_monoexponential_model():
    """Wash-out to 1/32 after a long infusion is within 15 % of five terminal half-lives."""
    spec, shared = get_model("clements-1981")
    model = compile_model(spec, 70.0, ("iv",), shared)
    res = simulate_typical(
        model, constant_infusion(Rate.of(5.0, "mg/h"), 72.0), horizon_h=120.0, step_h=1 / 60
    )
    five = 5 * model.derived().terminal_half_life_h
    assert res.washout_h[0] == pytest.approx(five, rel=0.15)


def test_weight_scales_clearance_allometrically_and_volume_in_proportion():
    """At 70 kg the published per-kg model; at 140 kg CL × 2^0.75 and Vss × 2."""
    spec, shared = get_model("domino-1984")
    at_70 = compile_model(spec, 70.0, ("iv",), shared).derived()
    at_140 = compile_model(spec, 140.0, ("iv",), shared).derived()
    # Domino via opentiva: k10 0.4381/min, V1 0.063 L/kg -> CL 27.6 mL/kg/min at 70 kg
    assert at_70.clearance_ml_per_kg_per_min == pytest.approx(0.4381 * 63.0, rel=1e-9)
    assert at_140.clearance_l_per_h == pytest.approx(at_70.clearance_l_per_h * 2**0.75, rel=1e-9)
    assert at_140.volume_ss_l == pytest.approx(at_70.volume_ss_l * 2, rel=1e-9)


def test_a_model_without_weight_covariate_ignores_weight():
    """Perez-Ruixo retained no weight covariate: the same clearance at 50 and 120 kg."""
    spec, shared = get_model("perez-ruixo-2021")
    light = compile_model(spec, 50.0, ("iv",), shared).derived()
    heavy = compile_model(spec, 120.0, ("iv",), shared).derived()
    assert light.clearance_l_per_h == pytest.approx(heavy.clearance_l_per_h, rel=1e-12)


def test_same_seed_same_patients_other_seed_other_patients():
    """Population sampling is reproducible from its seed and changes with it."""
    spec, shared = get_model("perez-ruixo-2021")
    model = compile_model(spec, 70.0, ("iv",), shared)
    a, b, c = sample(model, 500, 7), sample(model, 500, 7), sample(model, 500, 8)
    assert np.array_equal(a.volume, b.volume)
    assert np.array_equal(a.flow, b.flow)
    assert not np.array_equal(a.volume, c.volume)
    assert "flow:liver->out" in a.sampled


def test_a_negative_seed_is_one_sentence():
    """numpy refuses negative seeds with a traceback; the product refuses them in a sentence."""
    spec, shared = get_model("domino-1984")
    model = compile_model(spec, 70.0, ("iv",), shared)
    with pytest.raises(UserInputError, match="the seed must be a whole number"):
        sample(model, 10, -1)


def test_the_default_model_samples_clearance_and_volume_with_their_correlation():
    """Domino borrows Hijazi's CVs: the sample has CV ≈ 36.9 % and 53.8 % and ρ ≈ 0.78."""
    spec, shared = get_model("domino-1984")
    model = compile_model(spec, 70.0, ("iv",), shared)
    factors = sample(model, 200_000, 3)
    assert set(factors.sampled) == {"scale:clearance", "scale:volume"}
    cl = factors.flow[:, model.flow_names.index("central->out")]
    volume = factors.volume[:, model.states.index("central")]
    # CL = k10 × V1: the clearance factor is k10's factor times V1's
    clearance = cl * volume
    assert np.std(np.log(clearance)) == pytest.approx(math.sqrt(math.log1p(0.369**2)), rel=0.01)
    assert np.std(np.log(volume)) == pytest.approx(math.sqrt(math.log1p(0.538**2)), rel=0.01)
    rho = np.corrcoef(np.log(clearance), np.log(volume))[0, 1]
    assert rho == pytest.approx(0.78, abs=0.01)


def test_population_with_variability_spreads_and_keeps_order():
    """With variability the 5th percentile lies below the median and the 95th above."""
    spec, shared = get_model("domino-1984")
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
    assert mid[0] < mid[1] < mid[2] < mid[3] < mid[4]
    assert mid[4] / mid[0] > 2  # CL CV 37 %: the 5th-95th spread is wide
    assert np.all(np.isfinite(pop.time_to_90pct_h))


def test_population_kernel_equals_the_single_patient_kernel():
    """The block kernel and the scalar kernel give the same answer for the same patients."""

    spec, shared = get_model("perez-ruixo-2021")
    model = compile_model(spec, 70.0, ("iv", "intranasal"), shared)
    regimen = Regimen(
        phases=(
            _dose("intranasal", 28.0).phases[0],
            Phase(
                id="i",
                route="iv",
                kind="infusion",
                start_h=2.0,
                duration_h=60.0,
                rate=Rate.of(8.0, "mg/h"),
            ),
        ),
        label="nasal then iv",
    )
    factors = sample(model, 300, 11)
    sched = schedule(model, regimen, 150.0, 1 / 30, 10)
    together = run(
        decompose(model, matrices(model, factors)), output_weights(model, factors), sched, 40.0
    )
    for p in (0, 137, 299):
        one = Factors(factors.volume[p : p + 1], factors.flow[p : p + 1], factors.sampled)
        alone = run(decompose(model, matrices(model, one)), output_weights(model, one), sched, 40.0)
        assert np.allclose(together.concentration[p], alone.concentration[0], rtol=1e-5, atol=1e-6)
        assert together.cmax[p] == pytest.approx(alone.cmax[0], rel=1e-12)
        assert together.auc[p] == pytest.approx(alone.auc[0], rel=1e-12)
        for name in ("time_above_h", "time_to_90pct_h", "washout_h"):
            assert np.isfinite(getattr(alone, name)[0])
            assert getattr(together, name)[p] == pytest.approx(getattr(alone, name)[0], abs=1e-9)


@pytest.mark.parametrize("n", [1, 3, 8, 13])
def test_a_population_of_part_tiles_equals_each_patient_alone(n: int):
    """Populations that do not fill their last tile of lanes: every patient as if alone."""
    spec, shared = get_model("domino-1984")
    model = compile_model(spec, 70.0, ("iv",), shared)
    regimen = Regimen(
        phases=(
            _dose("iv", 20.0, over_h=0.25).phases[0],
            Phase(
                id="i",
                route="iv",
                kind="infusion",
                start_h=1.0,
                duration_h=30.0,
                rate=Rate.of(9.0, "mg/h"),
            ),
        ),
        label="bolus then infusion",
    )
    sched = schedule(model, regimen, 60.0, 1 / 60, 30)
    factors = sample(model, n, 5)
    stored = np.full((1, sched.n_store, n + 2), -1.0, dtype=np.float32)
    together = run(
        decompose(model, matrices(model, factors)),
        output_weights(model, factors),
        sched,
        60.0,
        out=stored,
        first_column=1,
    )
    assert np.all(stored[:, :, 0] == -1.0)  # columns outside the patients are left alone
    assert np.all(stored[:, :, n + 1] == -1.0)
    for p in range(n):
        one = Factors(factors.volume[p : p + 1], factors.flow[p : p + 1], factors.sampled)
        alone = run(decompose(model, matrices(model, one)), output_weights(model, one), sched, 60.0)
        assert np.allclose(together.concentration[p], alone.concentration[0], rtol=1e-5, atol=1e-6)
        assert together.cmax[p] == pytest.approx(alone.cmax[0], rel=1e-12)
        assert together.tmax_h[p] == pytest.approx(alone.tmax_h[0], abs=1e-9)
        assert together.auc[p] == pytest.approx(alone.auc[0], rel=1e-12)
        for name in ("time_above_h", "time_to_90pct_h", "washout_h"):
            assert np.isfinite(getattr(alone, name)[0])
            assert getattr(together, name)[p] == pytest.approx(getattr(alone, name)[0], abs=1e-9)


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
