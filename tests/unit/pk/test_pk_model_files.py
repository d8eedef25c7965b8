"""The model files: closed schema, every number cited, ids matching file names."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml
from pydantic import ValidationError

from ketamine_cds.adapters.pk_models import get_model, load_models
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.spec import PkModelSpec


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


def test_an_unknown_model_is_one_sentence():
    """Asking for a model that does not exist names the ones that do."""
    with pytest.raises(UserInputError, match="domino-1984"):
        get_model("marsh")
