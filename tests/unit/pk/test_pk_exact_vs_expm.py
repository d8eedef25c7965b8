"""Every model by every route against an independent matrix-exponential solution."""

from __future__ import annotations

import numpy as np
import pytest
from reference_inputs import inputs
from scipy.linalg import expm

from ketamine_cds.adapters.pk_models import get_model, load_models
from ketamine_cds.domain.pk.model import CompiledModel, compile_model, route_table
from ketamine_cds.domain.pk.regimen import Phase, Regimen
from ketamine_cds.domain.pk.simulate import simulate_typical
from ketamine_cds.domain.units import Mass

STEP_H = 1.0 / 12.0
HORIZON_H = 16.0
CASES = [
    (model_id, route)
    for model_id in sorted(load_models())
    for route in sorted(route_table(*get_model(model_id)))
]


def _reference(model: CompiledModel, regimen: Regimen, times: np.ndarray) -> np.ndarray:
    """Propagate [x; 1] by expm([[A, u], [0, 0]] Δt) between every change of input."""
    a = model.matrix()
    n = a.shape[0]
    pieces, instants = inputs(model, regimen)
    marks = sorted(
        set(times.tolist())
        | {p[0] for p in pieces}
        | {p[1] for p in pieces}
        | {t for t, _, _ in instants}
    )
    marks = [t for t in marks if t <= times[-1] + 1e-12]
    x = np.zeros(n)
    out = {}
    for k, t in enumerate(marks):
        for when, state, amount in instants:
            if abs(when - t) < 1e-12:
                x[state] += amount
        out[round(t, 9)] = model.output_weights() @ x
        if k + 1 == len(marks):
            break
        u = np.zeros(n)
        for start, end, state, rate in pieces:
            if start <= t < end:
                u[state] += rate
        big = np.zeros((n + 1, n + 1))
        big[:n, :n] = a
        big[:n, n] = u
        x = (expm(big * (marks[k + 1] - t)) @ np.append(x, 1.0))[:n]
    return np.array([out[round(float(t), 9)] for t in times]).T


@pytest.mark.parametrize(("model_id", "route"), CASES)
def test_two_doses_by_each_route_match_the_matrix_exponential(model_id: str, route: str):
    """25 mg at 0 h and 40 mg at 3.3 h (off the grid): modal result within 1e-9 of the peak."""
    spec, shared = get_model(model_id)
    model = compile_model(spec, 70.0, (route,), shared)  # type: ignore[arg-type]
    over = 0.5 if route == "iv" else 0.0
    phases = tuple(
        Phase(
            id=f"d{k}",
            route=route,  # type: ignore[arg-type]
            kind="bolus",
            start_h=start,
            duration_h=0.0,
            dose=Mass.of(mg, "mg"),
            over_h=over,
        )
        for k, (start, mg) in enumerate([(0.0, 25.0), (3.3, 40.0)])
    )
    regimen = Regimen(phases=phases, label="two doses")
    res = simulate_typical(model, regimen, horizon_h=HORIZON_H, step_h=STEP_H)
    ref = _reference(model, regimen, res.times_h)
    for o in range(ref.shape[0]):
        scale = float(np.max(np.abs(ref[o])))
        assert np.max(np.abs(res.concentration[0, o] - ref[o])) <= 1e-9 * scale
