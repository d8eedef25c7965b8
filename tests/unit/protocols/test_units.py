"""Units: what clinicians write is read into the right kind, and kinds cannot be mixed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.units import (
    BodyWeight,
    Mass,
    PerKgMass,
    PerKgRate,
    Rate,
    parse_amount,
    parse_quantity,
    parse_rate,
)

WRITTEN = [
    ("55 µg/kg/h", PerKgRate, 0.055),
    ("55 μg/kg/h", PerKgRate, 0.055),
    ("55 mcg/kg/hr", PerKgRate, 0.055),
    ("55 µg kg−1 h−1", PerKgRate, 0.055),
    ("0.1 mg/kg/hr", PerKgRate, 0.1),
    ("100 mg/24 h", Rate, 100 / 24),
    ("100 mg/24h", Rate, 100 / 24),
    ("5 mg/h", Rate, 5.0),
    ("1.5 mg/kg/day", PerKgRate, 1.5 / 24),
    ("0.5 mg/kg", PerKgMass, 0.5),
    ("30 mg", Mass, 30.0),
    ("250 mcg", Mass, 0.25),
]


@pytest.mark.parametrize(("text", "kind", "canonical"), WRITTEN)
def test_clinical_spellings_parse_to_their_kind(text: str, kind: type, canonical: float) -> None:
    """Each spelling a clinician uses is read as the right kind and value (canonical unit)."""
    value = parse_quantity(text)
    assert type(value) is kind
    assert value.magnitude() == pytest.approx(canonical, rel=1e-12)


def test_per_kg_rate_needs_a_weight_to_become_absolute() -> None:
    """0.1 mg/kg/h for 70 kg is 7 mg/h; the per-kg type has no mg/h of its own."""
    rate = parse_rate("0.1 mg/kg/h")
    assert isinstance(rate, PerKgRate)
    assert rate.for_weight(BodyWeight.from_kg(70)).mg_per_h == pytest.approx(7.0)
    assert not hasattr(rate, "mg_per_h")


def test_kinds_do_not_compare() -> None:
    """Comparing a weight-based rate with an absolute one is a type error, not False."""
    with pytest.raises(TypeError):
        _ = parse_quantity("0.1 mg/kg/h") < parse_quantity("5 mg/h")  # type: ignore[operator]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5", "without its unit"),
        ("5 furlongs", "'furlongs'"),
        ("mg/h", "not a number"),
        ("5 mg", "a rate such as"),
    ],
)
def test_bad_rates_are_refused_with_one_sentence(text: str, message: str) -> None:
    """A rate without unit, with an unknown unit, or of the wrong kind is refused by name."""
    with pytest.raises(UserInputError, match=message):
        parse_rate(text)


def test_amount_refuses_a_rate() -> None:
    """A rate where a dose is expected is refused."""
    with pytest.raises(UserInputError, match="dose such as"):
        parse_amount("5 mg/h")


def test_pounds_are_converted_and_the_conversion_shown() -> None:
    """154 lb is 69.85 kg, and the weight says how it was converted."""
    weight = BodyWeight.from_lb(154)
    assert weight.kg == pytest.approx(69.853225, rel=1e-9)
    assert weight.conversion == "154 lb × 0.45359237 kg/lb = 69.85 kg"
    assert BodyWeight.from_kg(70).conversion is None


UNIT_TEXTS = [
    "mg/h",
    "µg/kg/h",
    "mg/kg/h",
    "mg/kg/day",
    "mg/24 h",
    "mg",
    "µg",
    "mg/kg",
    "µg/kg",
    "mL/h",
    "mg/mL",
    "h",
    "min",
]


@given(
    value=st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False),
    unit=st.sampled_from(UNIT_TEXTS),
)
def test_formatting_round_trips(value: float, unit: str) -> None:
    """Formatting any quantity and parsing it back gives the same quantity."""
    measure = parse_quantity(f"{value!r} {unit}")
    again = parse_quantity(str(measure))
    assert type(again) is type(measure)
    assert again.magnitude() == pytest.approx(measure.magnitude(), rel=1e-12)
