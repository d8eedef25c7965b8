"""JSON bodies read by the product's one strict reader, and their place in the OpenAPI document.

Starlette reads JSON with the standard library, which takes ``NaN``, a key given twice (the last
wins) and any depth; every JSON body here goes through the reader every file goes through
(:mod:`ketamine_cds.adapters.documents`) instead: UTF-8, no repeated key, no NaN or infinity,
bounded size and depth, one sentence when refused.

Bodies that are documents of the product's file formats (an episode, an event, a regimen, a
patient record) are read by their own readers, for the same sentences a file gets; the OpenAPI
document describes them with the formats' published schemas.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from ketamine_cds.adapters.documents import parse_structured
from ketamine_cds.domain.assessment.patient import PatientRecord
from ketamine_cds.domain.episode import AnyEvent, Episode
from ketamine_cds.domain.opioids.regimen import Regimen

BODY_NAME = "the request body"
_REF = "#/components/schemas/{model}"
_FHIR_RESOURCE = {
    "type": "object",
    "title": "FhirResource",
    "description": "A FHIR R4 resource (a Bundle, MedicationRequest or MedicationStatement).",
    "required": ["resourceType"],
    "properties": {"resourceType": {"type": "string"}},
}


def _is_json(content_type: str | None) -> bool:
    main = (content_type or "").split(";", 1)[0].strip().lower()
    return main == "application/json" or main.endswith("+json")


async def strict_json(request: Request) -> object:
    """The request's JSON body, read strictly once (later reads see the same value)."""
    # Starlette keeps a parsed body in ``_json``; FastAPI's own body reading then finds it there.
    if not hasattr(request, "_json"):
        request._json = parse_structured(  # noqa: SLF001
            await request.body(), BODY_NAME, as_json=True
        )
    return request._json  # noqa: SLF001


Document = Annotated[object, Depends(strict_json)]


async def raw_json(request: Request) -> bytes:
    """The request's JSON body as bytes, after the strict read (for a reader that takes text)."""
    await strict_json(request)
    return await request.body()


RawJson = Annotated[bytes, Depends(raw_json)]


class StrictJsonRoute(APIRoute):
    """A route whose JSON body is read by the product's strict reader before FastAPI's."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, after the strict read."""
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            if request.method not in {"GET", "HEAD", "OPTIONS"} and _is_json(
                request.headers.get("content-type")
            ):
                body = await request.body()
                if body:
                    await strict_json(request)
            return await handler(request)

        return strict


def _adapters() -> dict[str, TypeAdapter[Any]]:
    return {
        "Episode": TypeAdapter(Episode),
        "Event": TypeAdapter(AnyEvent),
        "Regimen": TypeAdapter(Regimen),
        "PatientRecord": TypeAdapter(PatientRecord),
    }


def document_body(name: str, description: str) -> dict[str, Any]:
    """``openapi_extra`` for a route whose body is a document of the format ``name``."""
    schema: dict[str, Any] = {"$ref": _REF.format(model=name)}
    if name == "Regimen":
        schema = {"oneOf": [schema, _FHIR_RESOURCE]}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    }


def _merge(
    components: dict[str, Any], name: str, schema: dict[str, Any], formats: set[str]
) -> None:
    """Put a file format's schema under ``name``; two formats may not share a name.

    A route that takes a format's model in its body (the discharge's medicines hold a
    regimen) makes FastAPI describe the same model under the same name, with defaults spelled
    out; the format's own schema stands for both.
    """
    known = components.get(name)
    if name in formats and known != schema:
        msg = f"two different schemas are both named {name} in the OpenAPI document"
        raise RuntimeError(msg)
    components[name] = schema
    formats.add(name)


def install_openapi(app: FastAPI, description: str) -> None:
    """Make ``/openapi.json`` describe the document bodies with the formats' schemas."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=description, routes=app.routes
        )
        adapters = _adapters()
        keys, definitions = TypeAdapter.json_schemas(
            [(name, "validation", adapter) for name, adapter in adapters.items()],
            ref_template=_REF,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        formats: set[str] = set()
        for name, part in definitions.get("$defs", {}).items():
            _merge(components, name, part, formats)
        for (name, _mode), part in keys.items():
            if part != {"$ref": _REF.format(model=name)}:
                _merge(components, name, part, formats)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
