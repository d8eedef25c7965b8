"""The published JSON Schema of a file format, as ``schemas/<name>.schema.json`` holds it."""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic import BaseModel


def published_schema(model: type[BaseModel], name: str) -> dict[str, Any]:
    """``model``'s JSON Schema with the draft and the id it is published under."""
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://ketamine-cds.invalid/schemas/{name}.schema.json"
    return schema


def print_schema(model: type[BaseModel], name: str) -> None:
    """Write the published schema to standard output (to regenerate ``schemas/``)."""
    sys.stdout.write(json.dumps(published_schema(model, name), indent=2, ensure_ascii=False) + "\n")
