"""The units' numbers are pint's: each unit's factor and dimension, and every reading of a dose.

The product converts without pint (docs/adr/0140); pint, given the same definitions, is the
oracle here. What each spelling means is written below from pint's names, not taken from the
product's tables.
"""

from __future__ import annotations

import math

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.unit_algebra import DEFINITIONS, Unit
from ketamine_cds.domain.units import (
    _TOKENS,
    MEASURE_KINDS,
    BodyWeight,
    Concentration,
    Duration,
    Mass,
    Measure,
    PerKgMass,
    Rate,
    parse_quantity,
)


def _registry() -> pint.UnitRegistry:  # type: ignore[type-arg]
    registry: pint.UnitRegistry = pint.UnitRegistry(None)  # type: ignore[type-arg]
    for definition in DEFINITIONS:
        registry.define(definition)
    return registry


ureg = _registry()
DIMENSIONS = ("[mass]", "[length]", "[time]", "[body_weight]")


def _pint_dimension(units: str) -> tuple[object, ...]:
    found = dict(ureg.get_dimensionality(units))
    assert set(found) <= set(DIMENSIONS)
    return tuple(found.get(name, 0) for name in DIMENSIONS)


def _assert_same_as_pint(unit: Unit, name: str) -> None:
    """The product's factor to the base units, and its dimension, are pint's exactly."""
    factor, root = ureg.get_root_units(name)
    base = Unit(tuple((str(k), round(float(str(v)))) for k, v in root._units.items()))  # noqa: SLF001
    assert unit.factor_to(base) == factor
    assert unit.dimension == _pint_dimension(name)


@pytest.mark.parametrize("token", sorted(_TOKENS))
def test_every_word_a_clinician_writes_is_pints_unit(token: str) -> None:
    """Each word the reader takes is the unit pint gives it, with pint's factor and dimension."""
    name = _TOKENS[token]
    if token.startswith("24"):
        # "mg/24 h": twenty-four of pint's hours, one day.
        assert ureg.Quantity(24, token.removeprefix("24")) == ureg.Quantity(1, "day")
        assert name == "day"
    else:
        assert ureg.get_name(token) == name
    _assert_same_as_pint(Unit(((name, 1),)), name)


def test_body_weight_is_its_own_dimension_in_pint_too() -> None:
    """kg_bw is neither a mass nor dimensionless; mg/kg of body weight is not a mass."""
    _assert_same_as_pint(Unit.named("kg_bw"), "kilogram_body_weight")
    assert Unit.named("mg/kg_bw").dimension == _pint_dimension("mg/kg_bw")
    assert ureg.get_dimensionality("mg/kg_bw") != ureg.get_dimensionality("mg")


DEFINED = [line.split("=")[0].strip() for line in DEFINITIONS]


@pytest.mark.parametrize("name", [name for name in DEFINED if not name.endswith("-")])
def test_every_unit_of_the_definitions_is_known_with_pints_numbers(name: str) -> None:
    """A unit added to the definitions is one the product computes with, as pint does."""
    _assert_same_as_pint(Unit.named(name), ureg.get_name(name))


PREFIXES = ["", "kilo", "k", "deci", "milli", "m", "micro", "µ", "μ", "u", "mc", "nano", "n"]
UNITS = ["second", "s", "sec", "minute", "min", "hour", "h", "hr", "day", "gram", "g"]
UNITS += ["meter", "liter", "l", "L", "litre", "percent", "kilogram_body_weight", "kg_bw"]


@pytest.mark.parametrize("spelling", [p + u for p in PREFIXES for u in UNITS if p or u])
def test_names_in_pints_notation_are_read_as_pint_reads_them(spelling: str) -> None:
    """``Measure.of`` and ``magnitude`` take pint's names; each is the unit pint makes of it."""
    try:
        name = ureg.get_name(spelling)
    except pint.UndefinedUnitError:
        with pytest.raises(ValueError, match="not a unit"):
            Unit.named(spelling)
        return
    unit = Unit.named(spelling)
    assert unit.terms == ((name, 1),)
    _assert_same_as_pint(unit, name)


# The accepted grammar, each spelling beside the pint unit it stands for, by what it measures.
WORDS = {
    "mass": {
        "milligram": ["mg", "MG"],
        "microgram": ["µg", "μg", "mcg", "ug", "microgram"],
        "nanogram": ["ng"],
        "gram": ["g"],
        "kilogram": ["kg"],
    },
    "weight": {"kg_bw": ["kg"]},
    "time": {
        "hour": ["h", "hr", "hrs", "hour", "hours"],
        "minute": ["min", "mins", "minute", "minutes"],
        "second": ["s", "sec"],
        "day": ["d", "day", "days"],
        "(24 * hour)": ["24 h", "24h", "24 hr", "24hrs", "24 hours"],
    },
    "volume": {"milliliter": ["mL", "ml"], "liter": ["L", "l"]},
}
# Each kind's shape, then any shape at all (most of which the reader must refuse).
SHAPES = [
    ("mass", ()),
    ("mass", ("weight",)),
    ("mass", ("time",)),
    ("mass", ("weight", "time")),
    ("mass", ("time", "weight")),
    ("mass", ("volume",)),
    ("volume", ("time",)),
    ("time", ()),
]
WHAT = sorted(WORDS)
ANY_SHAPE = st.tuples(st.sampled_from(WHAT), st.lists(st.sampled_from(WHAT), max_size=3))


@st.composite
def written_quantities(draw: st.DrawFn) -> tuple[str, str]:
    """A quantity as a clinician writes it, and the same quantity in pint's notation."""
    value = draw(st.floats(min_value=1e-6, max_value=1e6, allow_nan=False))
    top, pers = draw(st.one_of(st.sampled_from(SHAPES), ANY_SHAPE))
    name = draw(st.sampled_from(sorted(WORDS[top])))
    text = f"{value!r} {draw(st.sampled_from(WORDS[top][name]))}"
    expression = f"{value!r} * {'kilogram' if name == 'kg_bw' else name}"
    # A kilogram written in a denominator is body weight, in a numerator a mass (docs/adr/0002).
    for per in pers:
        name = draw(st.sampled_from(sorted(WORDS[per])))
        spelling = draw(st.sampled_from(WORDS[per][name]))
        written = draw(st.sampled_from(["/{}", " / {}", " per {}", " {}-1", " {}^-1", " {}⁻¹"]))
        text += written.format(spelling)
        expression += f" / {'kg_bw' if name == 'kilogram' else name}"
    return text, expression


def _expected(expression: str) -> tuple[type[Measure], float] | None:
    """The kind whose dimension pint finds, and pint's number in that kind's canonical unit."""
    quantity = ureg.parse_expression(expression)
    for kind in MEASURE_KINDS:
        if quantity.dimensionality == ureg.get_dimensionality(kind.canonical):
            return kind, float(quantity.to(kind.canonical).magnitude)
    return None


@given(written_quantities())
def test_every_reading_is_pints_conversion(written: tuple[str, str]) -> None:
    """Any spelling of the grammar gives pint's kind and pint's number (1e-12), or a refusal."""
    text, expression = written
    expected = _expected(expression)
    if expected is None:
        with pytest.raises(UserInputError):
            parse_quantity(text)
        return
    measure = parse_quantity(text)
    assert type(measure) is expected[0]
    assert math.isclose(measure.magnitude(), expected[1], rel_tol=1e-12)


positive = st.floats(min_value=1e-3, max_value=1e4, allow_nan=False)
RATES = ["mg/hour", "microgram/minute", "mg/day", "g/day", "ng/s"]
DURATIONS = ["hour", "minute", "day", "s"]
CONCENTRATIONS = ["mg/mL", "microgram/mL", "mg/L", "g/L"]
MASSES = ["mg", "microgram", "g", "ng"]


def _close(measure: Measure, quantity: pint.Quantity) -> bool:  # type: ignore[type-arg]
    expected = float(quantity.to(measure.canonical).magnitude)
    return math.isclose(measure.magnitude(), expected, rel_tol=1e-12)


@given(positive, st.sampled_from(RATES), positive, st.sampled_from(DURATIONS))
def test_rate_for_a_duration_is_pints_product(
    rate: float, rate_unit: str, time: float, time_unit: str
) -> None:
    """A rate times a duration is pint's product, in mg."""
    amount = Rate.of(rate, rate_unit).for_duration(Duration.of(time, time_unit))
    assert _close(amount, ureg.Quantity(rate, rate_unit) * ureg.Quantity(time, time_unit))


@given(positive, st.sampled_from(RATES), positive, st.sampled_from(CONCENTRATIONS))
def test_pump_rate_is_pints_quotient(
    rate: float, rate_unit: str, strength: float, strength_unit: str
) -> None:
    """A rate over a concentration is pint's quotient, in mL/h."""
    pump = Rate.of(rate, rate_unit).volume_rate(Concentration.of(strength, strength_unit))
    assert _close(pump, ureg.Quantity(rate, rate_unit) / ureg.Quantity(strength, strength_unit))


@given(positive, st.sampled_from(MASSES), positive, st.sampled_from(DURATIONS), positive)
def test_per_weight_and_over_are_pints_quotients(
    amount: float, amount_unit: str, time: float, time_unit: str, kg: float
) -> None:
    """An amount per body weight, an amount over a time, and back for the weight, as pint has it."""
    mass = Mass.of(amount, amount_unit)
    weight = BodyWeight.from_kg(kg)
    per_kg = mass.per_weight(weight)
    assert type(per_kg) is PerKgMass
    assert _close(per_kg, ureg.Quantity(amount, amount_unit) / ureg.Quantity(kg, "kg_bw"))
    rate = mass.over(Duration.of(time, time_unit))
    assert _close(rate, ureg.Quantity(amount, amount_unit) / ureg.Quantity(time, time_unit))
    assert _close(per_kg.for_weight(weight), ureg.Quantity(amount, amount_unit))
    assert rate.per_weight(weight).for_weight(weight) == rate
    for unit in MASSES:
        assert math.isclose(
            mass.magnitude(unit),
            float(ureg.Quantity(amount, amount_unit).to(unit).magnitude),
            rel_tol=1e-12,
        )
