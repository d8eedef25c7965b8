"""Reads the shipped pharmacokinetic model files (``data/pk/*.yaml``).

Each file is validated against :class:`~ketamine_cds.domain.pk.spec.PkModelSpec`; a file that
does not match (an unknown key, a missing source) is refused with its name and the problem.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import ValidationError

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.spec import PkModelSpec, RouteFile

_PACKAGE = "ketamine_cds.data"
_ROUTES_PREFIX = "routes-"


def _files() -> dict[str, str]:
    folder = resources.files(_PACKAGE).joinpath("pk")
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }


def _parse(name: str, text: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise UserInputError(f"model file {name} is not valid YAML: {error}") from error


def _explain(name: str, error: ValidationError) -> UserInputError:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return UserInputError(f"model file {name}: {where}: {first['msg']}")


@cache
def load_models() -> dict[str, PkModelSpec]:
    """Every shipped model, by id."""
    models: dict[str, PkModelSpec] = {}
    for name, text in sorted(_files().items()):
        if name.startswith(_ROUTES_PREFIX):
            continue
        try:
            spec = PkModelSpec.model_validate(_parse(name, text))
        except ValidationError as error:
            raise _explain(name, error) from error
        if f"{spec.id}.yaml" != name:
            raise UserInputError(f"model file {name} declares id {spec.id}; the two must match")
        models[spec.id] = spec
    return models


@cache
def load_route_files() -> dict[str, RouteFile]:
    """Every shared route file, by id."""
    routes: dict[str, RouteFile] = {}
    for name, text in sorted(_files().items()):
        if not name.startswith(_ROUTES_PREFIX):
            continue
        try:
            spec = RouteFile.model_validate(_parse(name, text))
        except ValidationError as error:
            raise _explain(name, error) from error
        routes[spec.id] = spec
    return routes


def get_model(model_id: str) -> tuple[PkModelSpec, RouteFile | None]:
    """One model and the shared route file it refers to, or a one-sentence refusal."""
    models = load_models()
    if model_id not in models:
        raise UserInputError(
            f"there is no pharmacokinetic model '{model_id}'; "
            f"the product has {', '.join(sorted(models))}"
        )
    spec = models[model_id]
    shared = None
    if spec.routes_from is not None:
        files = load_route_files()
        if spec.routes_from not in files:
            raise UserInputError(f"model {model_id} refers to unknown routes {spec.routes_from}")
        shared = files[spec.routes_from]
    return spec, shared
