"""The structured eigen-decomposition against LAPACK's general one, and its refusals."""

from __future__ import annotations

import numpy as np
import pytest

from ketamine_cds.adapters.pk_models import get_model, load_models
from ketamine_cds.domain.pk.model import compile_model
from ketamine_cds.domain.pk.modes import decompose, groups
from ketamine_cds.domain.pk.population import matrices, sample
from ketamine_cds.domain.pk.spec import PkModelSpec


def _routes(model_id: str) -> tuple[str, ...]:
    if model_id == "perez-ruixo-2021":
        return ("iv", "oral", "intranasal")
    return ("iv", "oral", "sublingual", "intranasal", "im")


@pytest.mark.parametrize("model_id", sorted(load_models()))
def test_modes_reproduce_every_sampled_matrix(model_id: str):
    """V Λ V⁻¹ equals A, V⁻¹ V equals I, and the eigenvalues are numpy's, for 500 patients."""
    spec, shared = get_model(model_id)
    model = compile_model(spec, 70.0, _routes(model_id), shared)  # type: ignore[arg-type]
    a = matrices(model, sample(model, 500, 4))
    modes = decompose(model, a)
    rebuilt = np.einsum("pij,pj,pjk->pik", modes.right, modes.lam, modes.left)
    scale = np.max(np.abs(a), axis=(1, 2))[:, None, None]
    assert np.max(np.abs(rebuilt - a) / scale) < 1e-9
    identity = np.einsum("pij,pjk->pik", modes.left, modes.right)
    assert np.max(np.abs(identity - np.eye(a.shape[1]))) < 1e-6
    reference = np.sort(np.linalg.eigvals(a).real, axis=1)
    assert np.allclose(np.sort(modes.lam, axis=1), reference, rtol=1e-9)


def test_groups_run_from_depots_to_the_metabolite():
    """Depots come first, the parent's compartments next, the metabolite's last."""
    spec, shared = get_model("perez-ruixo-2021")
    model = compile_model(spec, 70.0, ("iv", "intranasal"), shared)
    names = [[model.states[i] for i in g] for g in groups(model)]
    assert {"nor_central", "nor_peripheral"} == set(names[-1])
    parent = next(g for g in names if "central" in g)
    assert set(parent) == {"central", "peripheral_shallow", "peripheral_deep", "liver"}
    assert names.index(parent) > max(names.index(["depot_nasal"]), names.index(["depot_swallowed"]))


def test_coinciding_modes_are_refused():
    """A depot draining exactly at a disposition mode cannot be diagonalised: a clear error."""
    spec, shared = get_model("clements-1981")
    model = compile_model(spec, 70.0, ("oral",), shared)
    depot = model.inputs["oral"][0].state
    parent = model.parent_states
    a = model.matrix()
    mode = float(np.max(np.linalg.eigvals(a[np.ix_(parent, parent)]).real))
    a[depot, depot] = mode
    a[0, depot] = -mode
    with pytest.raises(ValueError, match="coincide"):
        decompose(model, a[None])


def test_a_ring_of_compartments_uses_the_general_eigensolver():
    """Three compartments linked in a ring are not a tree: LAPACK's eig decomposes them."""

    def cl(value: float) -> dict:
        return {"value": value, "unit": "L/h", "source": "test"}

    spec = PkModelSpec.model_validate(
        {
            "id": "ring",
            "name": "ring",
            "drug": "test",
            "population": "test",
            "reference": {"citation": "a ring for the test"},
            "compartments": [
                {"id": "central", "observed": True, "volume": cl(10) | {"unit": "L"}},
                {"id": "a", "volume": cl(20) | {"unit": "L"}},
                {"id": "b", "volume": cl(30) | {"unit": "L"}},
            ],
            "flows": [
                {"from": "central", "to": None, "clearance": cl(5)},
                {"from": "central", "to": "a", "clearance": cl(7)},
                {"from": "a", "to": "central", "clearance": cl(7)},
                {"from": "a", "to": "b", "clearance": cl(3)},
                {"from": "b", "to": "a", "clearance": cl(3)},
                {"from": "b", "to": "central", "clearance": cl(2)},
                {"from": "central", "to": "b", "clearance": cl(2)},
            ],
            "variability_note": "none",
            "weight_scaling": {
                "reference_kg": 70,
                "clearance_exponent": 0,
                "volume_exponent": 0,
                "source": "test",
            },
            "routes": {"iv": {"bioavailability": {"value": 1.0, "source": "test"}}},
        }
    )
    model = compile_model(spec, 70.0)
    assert groups(model) == [[0, 1, 2]]
    a = model.matrix()[None]
    modes = decompose(model, a)
    rebuilt = np.einsum("pij,pj,pjk->pik", modes.right, modes.lam, modes.left)
    assert np.allclose(rebuilt, a, atol=1e-12)
