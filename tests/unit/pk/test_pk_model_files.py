"""The model files: closed schema, every number cited, ids matching file names, routes as data."""

from __future__ import annotations

import math
from importlib import resources

import pytest
import yaml
from pydantic import ValidationError

from ketamine_cds.adapters.pk_models import get_model, load_models, load_route_files
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.model import compile_model, one_compartment_ka
from ketamine_cds.domain.pk.spec import PkModelSpec

RACEMIC = ("domino-1984", "clements-1981", "hijazi-2003")


def _raw(model_id: str) -> dict:
    text = resources.files("ketamine_cds.data").joinpath("pk", f"{model_id}.yaml").read_text()
    return yaml.safe_load(text)


def test_the_four_required_models_ship():
    """Domino, Clements, Hijazi and a model with norketamine are all present."""
    models = load_models()
    assert {"domino-1984", "clements-1981", "hijazi-2003", "perez-ruixo-2021"} <= set(models)
    nor = [
        m
        for m in models.values()
        if any(c.drug == "norketamine" and c.observed for c in m.compartments)
    ]
    assert nor


def test_an_unknown_key_is_refused():
    """A misspelt key in a model file is an error, not a silently dropped parameter."""
    raw = _raw("domino-1984")
    raw["compartments"][0]["volumen"] = 1
    with pytest.raises(ValidationError, match="volumen"):
        PkModelSpec.model_validate(raw)


def test_a_number_without_source_is_refused():
    """Every parameter needs its source."""
    raw = _raw("hijazi-2003")
    del raw["flows"][0]["rate_constant"]["source"]
    with pytest.raises(ValidationError, match="source"):
        PkModelSpec.model_validate(raw)


def test_a_correlation_must_name_an_earlier_entry():
    """A correlation tied to a parameter not drawn before it is refused, naming it."""
    raw = _raw("hijazi-2003")
    raw["variability"][1]["correlation"]["with"] = "scale:nothing"
    with pytest.raises(ValidationError, match="scale:nothing"):
        PkModelSpec.model_validate(raw)


def test_an_unknown_model_is_one_sentence():
    """Asking for a model that does not exist names the ones that do."""
    with pytest.raises(UserInputError, match="domino-1984"):
        get_model("marsh")


def test_every_model_states_its_weight_scaling():
    """Each file says how its parameters follow weight, with a source."""
    for spec in load_models().values():
        assert spec.weight_scaling.source
    for model_id in RACEMIC:
        scaling = load_models()[model_id].weight_scaling
        assert (scaling.reference_kg, scaling.clearance_exponent, scaling.volume_exponent) == (
            70,
            0.75,
            1.0,
        )
        assert scaling.reading  # the product's reading, with its reason


@pytest.mark.parametrize("route", ["oral", "sublingual", "intranasal", "im", "sc"])
def test_the_same_absorption_constant_in_every_racemic_model(route: str):
    """A route's depot drains at the route file's rate constant whichever model it feeds."""
    routes = load_route_files()["racemic-ketamine"].routes
    absorption = routes[route].absorption  # type: ignore[index]
    assert absorption is not None
    expected = absorption.rate_constant.to("1/hour")
    seen = set()
    for model_id in RACEMIC:
        spec, shared = get_model(model_id)
        model = compile_model(spec, 70.0, (route,), shared)  # type: ignore[arg-type]
        depot = model.inputs[route][0].state  # type: ignore[index]
        (flow,) = [f for f in range(len(model.flow_from)) if model.flow_from[f] == depot]
        seen.add(float(model.flow_value[flow]))
    assert seen == {expected}


@pytest.mark.parametrize("route", ["oral", "sublingual", "intranasal", "im"])
def test_each_derived_absorption_constant_is_recomputed_from_its_derivation(route: str):
    """The recorded rate constant is the one-compartment root for the cited Tmax and half-life."""
    absorption = load_route_files()["racemic-ketamine"].routes[route].absorption  # type: ignore[index]
    assert absorption is not None
    assert absorption.derived_from is not None
    derivation = absorption.derived_from
    ka = one_compartment_ka(derivation.tmax.to("hour"), derivation.half_life.to("hour"))
    assert absorption.rate_constant.to("1/hour") == pytest.approx(ka, rel=5e-4)


def test_one_compartment_peak_of_the_derived_constant_is_the_cited_time():
    """tmax = ln(ka/k)/(ka − k) for the derived ka: an independent check of the bisection."""
    k = math.log(2) / 2.5
    ka = one_compartment_ka(0.75, 2.5)
    assert math.log(ka / k) / (ka - k) == pytest.approx(0.75, rel=1e-9)
    with pytest.raises(UserInputError, match="no absorption rate"):
        one_compartment_ka(10.0, 2.5)  # slower than elimination allows


def test_subcutaneous_route_cites_a_subcutaneous_source_and_says_its_rate_is_a_bound():
    """SC bioavailability comes from seed 003's sentence on SC; the rate is an upper bound."""
    sc = load_route_files()["racemic-ketamine"].routes["sc"]
    assert sc.bioavailability is not None
    assert "Subcutaneous" in sc.bioavailability.source
    assert sc.absorption is not None
    assert sc.absorption.bound == "upper"
    assert "slower" in (sc.assumption or "")


def test_domino_does_not_carry_the_pmid_of_another_paper():
    """opentiva's PMID 7198883 cannot be the 1984 paper's; the file does not claim it."""
    spec = load_models()["domino-1984"]
    assert spec.reference.doi is None
    assert "7198883" not in spec.reference.citation
    assert "could not be verified" in (spec.reference.note or "")
