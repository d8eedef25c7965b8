"""Pydantic field types that read clinical quantities from the text a committee writes.

A protocol file says ``rate: 0.1 mg/kg/h`` or ``rate: 0.05-0.1 mg/kg/h``; these types turn that
text into typed measures (or a :class:`Span` of two), refuse the wrong kind with one sentence,
and write the same text back when a protocol is exported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.units import (
    Duration,
    Mass,
    Measure,
    PerKgMass,
    PerKgRate,
    Rate,
    parse_amount,
    parse_duration,
    parse_rate,
)

M = TypeVar("M", bound=Measure)

_SPAN_RE = re.compile(
    r"^\s*(?P<low>[0-9]*\.?[0-9]+)\s*(?:-|–|to)\s*(?P<high>[0-9]*\.?[0-9]+)\s*(?P<unit>\S.*)$"
)


@dataclass(frozen=True)
class Span(Generic[M]):
    """A range a source gives (``0.05-0.1 mg/kg/h``): both ends of one kind, low ≤ high."""

    low: M
    high: M

    def __post_init__(self) -> None:
        """Refuse mixed kinds and reversed ranges."""
        if type(self.low) is not type(self.high):
            raise UserInputError(
                f"the range {self} mixes {self.low.kind_name} and {self.high.kind_name}"
            )
        if self.high < self.low:
            raise UserInputError(f"the range {self} runs from high to low")

    def __str__(self) -> str:
        """``0.05-0.1 mg/kg/h``."""
        low, high = str(self.low), str(self.high)
        low_number, _, unit = low.partition(" ")
        high_number, _, high_unit = high.partition(" ")
        if unit == high_unit:
            return f"{low_number}-{high_number} {unit}"
        return f"{low} to {high}"


def _reader(
    parse: Callable[[str], Measure], kinds: tuple[type[Measure], ...], *, spans: bool = True
) -> Callable[[object], object]:
    """A validator that reads text (or passes through an already-typed value) of ``kinds``."""

    def check(value: object) -> object:
        ends = [value.low, value.high] if isinstance(value, Span) else [value]
        for end in ends:
            if not isinstance(end, kinds):
                names = " or ".join(kind.kind_name for kind in kinds)
                raise UserInputError(f"'{value}' is not a {names}")
        return value

    def read(value: object) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise UserInputError(f"the number {value} has no unit")
        if not isinstance(value, str):
            return check(value)
        match = _SPAN_RE.match(value) if spans else None
        if match is None:
            return check(parse(value))
        unit = match.group("unit")
        low = parse(f"{match.group('low')} {unit}")
        high = parse(f"{match.group('high')} {unit}")
        return check(Span(low, high))

    return read


def _text(value: object) -> str:
    return str(value)


@dataclass(frozen=True)
class _Text:
    """A field read from text by ``read``, written back as text, published as a string.

    What pydantic's ``PlainValidator``, ``PlainSerializer`` and ``WithJsonSchema`` built together,
    without their first step: each of them generates the schema of the measure classes it is
    given, only to replace it (docs/adr/0121).
    """

    read: Callable[[object], object]
    description: str
    example: str

    def __get_pydantic_core_schema__(
        self,
        source: Any,  # noqa: ANN401 - pydantic's hook signature
        handler: GetCoreSchemaHandler,  # nothing of the source type is used
    ) -> CoreSchema:
        """Validation by ``read`` alone; serialisation by ``str``, to a string."""
        return core_schema.no_info_plain_validator_function(
            self.read,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _text, info_arg=False, return_schema=core_schema.str_schema(), when_used="always"
            ),
            json_schema_input_schema=core_schema.any_schema(),
        )

    def __get_pydantic_json_schema__(
        self,
        schema: CoreSchema,
        handler: GetJsonSchemaHandler,
    ) -> JsonSchemaValue:
        """The published schema: a string, described, with one example."""
        return {"type": "string", "description": self.description, "examples": [self.example]}


RateText = Annotated[
    Rate | PerKgRate | Span[Rate] | Span[PerKgRate],
    _Text(
        _reader(parse_rate, (Rate, PerKgRate)),
        "An infusion rate, absolute or per kg of body weight, or a range of either: "
        "'5 mg/h', '100 mg/24 h', '0.1 mg/kg/h', '55 µg/kg/h', '1.5 mg/kg/day', "
        "'0.05-0.1 mg/kg/h'.",
        "0.1 mg/kg/h",
    ),
]

AmountText = Annotated[
    Mass | PerKgMass | Span[Mass] | Span[PerKgMass],
    _Text(
        _reader(parse_amount, (Mass, PerKgMass)),
        "A dose, absolute or per kg of body weight, or a range of either: "
        "'30 mg', '0.5 mg/kg', '0.25-0.5 mg/kg'.",
        "0.5 mg/kg",
    ),
]

DurationText = Annotated[
    Duration | Span[Duration],
    _Text(
        _reader(parse_duration, (Duration,)),
        "A length of time, or a range: '6 h', '30 min', '5 day', '30-45 min'.",
        "6 h",
    ),
]

FixedDurationText = Annotated[
    Duration,
    _Text(
        _reader(parse_duration, (Duration,), spans=False),
        "A length of time: '2 h', '24 h', '30 min'.",
        "2 h",
    ),
]

MassText = Annotated[
    Mass | Span[Mass],
    _Text(
        _reader(parse_amount, (Mass,)),
        "An absolute dose or range of doses of a drug: '1 mg', '0.2-0.3 mg'.",
        "1 mg",
    ),
]


def low_end(value: Measure | Span[Any]) -> Any:  # noqa: ANN401 - the kind of the value given
    """The lower end of a range, or the value itself."""
    return value.low if isinstance(value, Span) else value


def high_end(value: Measure | Span[Any]) -> Any:  # noqa: ANN401 - the kind of the value given
    """The upper end of a range, or the value itself."""
    return value.high if isinstance(value, Span) else value
