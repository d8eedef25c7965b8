"""The modal simulator against an independent ODE integration (scipy solve_ivp)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_inputs import inputs
from scipy.integrate import solve_ivp

from ketamine_cds.adapters.pk_models import get_model, load_models
from ketamine_cds.domain.pk.model import CompiledModel, compile_model
from ketamine_cds.domain.pk.regimen import Phase, Regimen
from ketamine_cds.domain.pk.simulate import simulate_typical
from ketamine_cds.domain.units import Mass, Rate

STEP_H = 1.0 / 12.0


def _reference(model: CompiledModel, regimen: Regimen, times: np.ndarray) -> np.ndarray:
    """Integrate dx/dt = A x + u(t) piece by piece between every change (DOP853, rtol 1e-10)."""
    a = model.matrix()
    n = a.shape[0]
    pieces, instants = inputs(model, regimen)
    cuts = sorted(
        {0.0, float(times[-1])}
        | {p[0] for p in pieces}
        | {p[1] for p in pieces}
        | {t for t, _, _ in instants}
    )
    cuts = [c for c in cuts if c <= times[-1]]
    x = np.zeros(n)
    out = np.zeros((len(model.observed), len(times)))
    weights = model.output_weights()
    for lo, hi in itertools.pairwise(cuts):
        for t, state, amount in instants:
            if abs(t - lo) < 1e-12:
                x[state] += amount
        u = np.zeros(n)
        for start, end, state, rate in pieces:
            if start <= lo < end:
                u[state] += rate
        # step to every reported time: the solver's dense interpolant is less accurate
        # than its steps, and this reference must be the tighter of the two
        marks = [t for t in times if lo < t < hi]
        if lo in times:
            out[:, np.searchsorted(times, lo)] = weights @ x
        for t0, t1 in itertools.pairwise([lo, *marks, hi]):
            x = solve_ivp(
                lambda _t, y, u=u: a @ y + u, (t0, t1), x, method="DOP853", rtol=1e-10, atol=1e-14
            ).y[:, -1]
            if t1 in times:
                out[:, np.searchsorted(times, t1)] = weights @ x
    return out


ROUTES_OF = dict(load_models())


@st.composite
def regimens(draw: st.DrawFn) -> tuple[str, Regimen]:
    model_id = draw(st.sampled_from(sorted(ROUTES_OF)))
    spec, shared = get_model(model_id)
    routes = sorted(set(spec.routes) | (set(shared.routes) if shared else set()))
    phases: list[Phase] = []
    start = 0.0
    for i in range(draw(st.integers(1, 3))):
        route = draw(st.sampled_from(routes))
        kind = draw(st.sampled_from(["infusion", "bolus", "divided_doses"]))
        if kind == "infusion" and not (model_id == "perez-ruixo-2021" and route != "iv"):
            hours = draw(st.sampled_from([0.5, 1.0, 2.0, 6.0]))
            rate = draw(st.floats(0.5, 30.0))
            phases.append(
                Phase(
                    id=f"p{i}",
                    route=route,
                    kind="infusion",
                    start_h=start,
                    duration_h=hours,
                    rate=Rate.of(rate, "mg/h"),
                )
            )
        elif kind == "divided_doses":
            phases.append(
                Phase(
                    id=f"p{i}",
                    route=route,
                    kind="divided_doses",
                    start_h=start,
                    duration_h=12.0,
                    dose=Mass.of(draw(st.floats(5, 50)), "mg"),
                    doses_per_day=draw(st.sampled_from([3.0, 4.0])),
                )
            )
        else:
            over = draw(st.sampled_from([0.0, 0.5])) if route == "iv" else 0.0
            phases.append(
                Phase(
                    id=f"p{i}",
                    route=route,
                    kind="bolus",
                    start_h=start,
                    duration_h=0.0,
                    dose=Mass.of(draw(st.floats(5, 50)), "mg"),
                    over_h=over,
                )
            )
        start = phases[-1].end_h + draw(st.sampled_from([0.0, 1.0 / 3.0, 2.0]))
    return model_id, Regimen(phases=tuple(phases), label="random")


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=regimens(), weight=st.floats(45.0, 120.0))
def test_modal_simulation_matches_ode_integration(case: tuple[str, Regimen], weight: float):
    """Exact modal output equals a tight ODE integration to 1e-6 of the peak, any model/route."""
    model_id, regimen = case
    spec, shared = get_model(model_id)
    model = compile_model(spec, weight, regimen.routes, shared)
    horizon = float(np.ceil(regimen.end_h + 6.0))
    res = simulate_typical(model, regimen, horizon_h=horizon, step_h=STEP_H)
    ref = _reference(model, regimen, res.times_h)
    # at the instant of a dose the level jumps; a grid time a rounding error away from the
    # dose time may fall on either side of the jump, so those instants are not compared
    doses = np.array([t for t, _, _ in regimen.instant_doses()] or [-1.0])
    keep = np.min(np.abs(res.times_h[:, None] - doses[None, :]), axis=1) > 1e-9
    assert keep.sum() >= 0.9 * keep.size
    for o in range(ref.shape[0]):
        scale = max(float(np.max(np.abs(ref[o]))), 1e-12)
        error = np.abs(res.concentration[0, o] - ref[o])[keep]
        assert np.max(error) <= 1e-6 * scale
