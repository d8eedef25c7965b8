"""FHIR R4 (4.0.1), not R4B: reading resources with R4 classes, and validating what is exported.

Input is read with the R4 classes of ``fhirclient`` (generated from FHIR 4.0.1) and checked
against HL7's R4 JSON Schema: an unknown element, a missing required element, a wrong type, a
malformed date or a code outside a required value set is refused in one sentence naming the
place. Output is checked twice: by the same classes (element names, types,
cardinality) and by HL7's R4 JSON Schema (the codes of required bindings, the formats of
primitive types), vendored in ``data/fhir`` (docs/adr/0071). An exported resource that fails
either check is a bug in the product, raised as :class:`R4ValidationError`, never sent.
"""

from __future__ import annotations

import gzip
import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

from fhirclient.models.fhirabstractbase import FHIRValidationError
from fhirclient.models.fhirabstractresource import FHIRAbstractResource
from fhirclient.models.fhirelementfactory import FHIRElementFactory
from jsonschema import Draft6Validator  # type: ignore[import-untyped]
from pydantic import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT6

from ketamine_cds.domain.errors import UserInputError

Json = dict[str, Any]
SCHEMA_FILE = "fhir/fhir.r4.schema.json.gz"
_SCHEMA_ID = "http://hl7.org/fhir/json-schema/4.0"


class R4ValidationError(RuntimeError):
    """An exported resource that is not valid FHIR R4: a bug in the product."""


def _first_error(error: FHIRValidationError) -> str:
    """The innermost message of a fhirclient validation error, with its path."""
    path: list[str] = []
    current: BaseException = error
    while isinstance(current, FHIRValidationError) and current.errors:
        if current.path:
            path.append(str(current.path))
        current = current.errors[0]
    message = " ".join(str(current).strip("'\"").split())
    message = message.split(" on <", 1)[0].split(" in data for <", 1)[0]
    return f"{message} (at {'.'.join(path) or 'the top level'})"


def first_problem(error: ValidationError) -> str:
    """Pydantic's first complaint as one clause, with where it is: ``msg (at a.b)``."""
    first = error.errors()[0]
    at = ".".join(str(p) for p in first["loc"]) or "the top level"
    message = " ".join(str(first["msg"]).removeprefix("Value error, ").split()).rstrip(".")
    return f"{message} (at {at})"


def _non_finite(data: object) -> bool:
    if isinstance(data, float):
        return not math.isfinite(data)
    if isinstance(data, dict):
        return any(_non_finite(v) for v in data.values())
    if isinstance(data, list):
        return any(_non_finite(v) for v in data)
    return False


def parse(data: object, where: str, expected: str | None = None, *, codes: bool = True) -> Any:  # noqa: ANN401 - a fhirclient resource
    """The R4 resource of ``data``, or one sentence saying where it is not valid FHIR R4.

    ``codes=False`` leaves out the JSON Schema's check of required-binding codes and primitive
    formats (about 5 ms a resource), for the CDS Hooks path, which reads no code it does not
    check itself.
    """
    if not isinstance(data, dict):
        raise UserInputError(f"{where} is not a FHIR resource (a JSON object)")
    kind = data.get("resourceType")
    if expected is not None and kind != expected:
        raise UserInputError(f"{where} is a {kind!r}, not a {expected}")
    if kind not in _resource_types():
        raise UserInputError(f"{where}: resourceType {kind!r} is not a FHIR R4 resource")
    if _non_finite(data):
        raise UserInputError(f"{where} holds a number that is not finite (NaN or infinity)")
    try:
        resource = FHIRElementFactory.instantiate(kind, data)
    except FHIRValidationError as error:
        raise UserInputError(f"{where} is not valid FHIR R4: {_first_error(error)}") from None
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise UserInputError(f"{where} is not valid FHIR R4 ({error})") from None
    if not isinstance(resource, FHIRAbstractResource) or resource.resource_type != kind:
        raise UserInputError(f"{where}: resourceType {kind!r} is not a FHIR R4 resource")
    errors = schema_errors(data) if codes else []
    if errors:
        raise UserInputError(f"{where} is not valid FHIR R4: {errors[0]}")
    return resource


@lru_cache(maxsize=1)
def _schema() -> Json:
    # The schema is part of the installed software and never changes while it runs.
    raw = resources.files("ketamine_cds.data").joinpath(SCHEMA_FILE).read_bytes()
    schema: Json = json.loads(gzip.decompress(raw))
    if schema.get("id") != _SCHEMA_ID:
        raise R4ValidationError(f"{SCHEMA_FILE} is not the FHIR R4 JSON Schema")
    return schema


@lru_cache(maxsize=1)
def _resource_types() -> frozenset[str]:
    return frozenset(_schema()["discriminator"]["mapping"])


@lru_cache(maxsize=64)
def _validator(kind: str) -> Draft6Validator:
    schema = _schema()
    if kind not in schema["definitions"]:
        raise R4ValidationError(f"{kind} is not a resource of the FHIR R4 JSON Schema")
    registry: Registry[Json] = Registry().with_resource(
        _SCHEMA_ID, Resource.from_contents(schema, default_specification=DRAFT6)
    )
    return Draft6Validator({"$ref": f"{_SCHEMA_ID}#/definitions/{kind}"}, registry=registry)


def schema_errors(resource: Json) -> list[str]:
    """What the R4 JSON Schema finds wrong with ``resource`` (empty when valid)."""
    kind = str(resource.get("resourceType"))
    validator = _validator(kind)
    found = []
    for error in validator.iter_errors(resource):
        place = "/".join(str(p) for p in error.absolute_path) or "the top level"
        found.append(f"{kind} at {place}: {error.message[:200]}")
    return found


def validate_r4(resource: Json) -> Json:
    """``resource`` unchanged when it is valid FHIR R4; otherwise :class:`R4ValidationError`.

    A Bundle's entries are checked one by one, each against its own resource type (the schema's
    "any resource" is a choice among 146 types, whose errors say nothing useful), and the Bundle
    without them.
    """
    kind = str(resource.get("resourceType"))
    where = f"the exported {kind}"
    try:
        if kind != "Bundle":
            parse(resource, where)
            return resource
        for position, entry in enumerate(bundle_entries(resource, where), start=1):
            inner = entry.get("resource")
            if inner is not None:
                parse(inner, f"entry {position} of {where}")
    except UserInputError as error:
        raise R4ValidationError(str(error)) from None
    return resource


def _without_resource(entry: Json) -> Json:
    return {key: value for key, value in entry.items() if key != "resource"}


def bundle_entries(data: Json, where: str, *, codes: bool = True) -> list[Json]:
    """A Bundle's entries, after the Bundle itself (without its resources) is read as R4."""
    entries = data.get("entry") or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise UserInputError(f"{where}: the Bundle's entries are not a list of objects")
    parse({**data, "entry": [_without_resource(e) for e in entries]}, where, "Bundle", codes=codes)
    return entries
