"""The protocol's text fields read, write and publish exactly as pydantic's built-ins did.

``fields._Text`` stands in for ``PlainValidator`` + ``PlainSerializer`` + ``WithJsonSchema``
(docs/adr/0121); here both are built over the same reader and compared on good and bad text.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args

import pytest
from pydantic import PlainSerializer, PlainValidator, TypeAdapter, ValidationError, WithJsonSchema

from ketamine_cds.domain.protocols import fields
from ketamine_cds.domain.units import Duration, Mass, Rate

TYPES: dict[str, Any] = {
    "RateText": fields.RateText,
    "AmountText": fields.AmountText,
    "DurationText": fields.DurationText,
    "FixedDurationText": fields.FixedDurationText,
    "MassText": fields.MassText,
}

INPUTS: list[Any] = [
    "0.1 mg/kg/h",
    "55 mcg/kg/hr",
    "100 mg/24 h",
    "0.05-0.1 mg/kg/h",
    "0.1-0.05 mg/kg/h",
    "30 mg",
    "0.25-0.5 mg/kg",
    "0.2-0.3 mg",
    "6 h",
    "30-45 min",
    "2 h",
    "5",
    5,
    2.5,
    True,
    None,
    "",
    "ten mg",
    "7 furlongs",
    Mass.of(30, "mg"),
    Rate.of(7, "mg/hour"),
    Duration.of(2, "hour"),
    fields.Span(Mass.of(1, "mg"), Mass.of(2, "mg")),
]


def _built_in(field: Any) -> Any:
    """The same field composed of pydantic's built-ins, as it was written before."""
    base, text = get_args(field)
    return Annotated[
        base,
        PlainValidator(text.read),
        PlainSerializer(str, return_type=str),
        WithJsonSchema(
            {"type": "string", "description": text.description, "examples": [text.example]}
        ),
    ]


def _outcome(adapter: TypeAdapter[Any], value: Any) -> tuple[str, Any]:
    try:
        read = adapter.validate_python(value)
    except ValidationError as error:
        return "refused", [(e["type"], e["msg"], e["loc"]) for e in error.errors()]
    return "read", (
        type(read).__name__,
        adapter.dump_python(read),
        adapter.dump_python(read, mode="json"),
        adapter.dump_json(read),
    )


@pytest.mark.parametrize("name", TYPES)
def test_a_text_field_reads_writes_and_publishes_as_the_built_ins_did(name: str) -> None:
    """Every input is read (or refused with the same sentence) and written back alike."""
    ours, theirs = TypeAdapter(TYPES[name]), TypeAdapter(_built_in(TYPES[name]))
    outcomes = [_outcome(ours, value) for value in INPUTS]
    assert outcomes == [_outcome(theirs, value) for value in INPUTS]
    assert {kind for kind, _ in outcomes} == {"read", "refused"}  # both paths were compared
    for mode in ("validation", "serialization"):
        assert ours.json_schema(mode=mode) == theirs.json_schema(mode=mode)
