"""Units as the product computes with them: the written terms, their dimension, pint's factors.

A unit is what it was written in, term by term, as pint keeps it: ``mg/kg/h`` is milligram¹,
kilogram of body weight⁻¹, hour⁻¹. Its dimension counts mass, length, time and body weight,
body weight being its own dimension so that mg/kg is never a mass (docs/adr/0002). A conversion
multiplies by the scales met on the way from each unit down to its base unit, collected and
cancelled as pint 0.25 does it (``PlainRegistry._get_root_units``), so the numbers are pint's
own; the tests build pint's registry from :data:`DEFINITIONS` and compare (docs/adr/0140).

>>> str(Unit.named("mg/kg_bw/hour"))
'mg/kg/h'
>>> Unit.named("microgram/hour").factor_to(Unit.named("mg/hour"))
0.001
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TypeVar

# The registry, in pint's syntax: the only units a dose, a volume or a pharmacokinetic constant is
# written in, and the text pint's registry is built from where pint is used (domain/pk/pint_units).
DEFINITIONS = (
    "second = [time] = s = sec",
    "minute = 60 * second = min",
    "hour = 60 * minute = h = hr",
    "day = 24 * hour = d",
    "gram = [mass] = g",
    "meter = [length] = m",
    "liter = decimeter ** 3 = l = L = litre",
    "kilo- = 1e3 = k-",
    "deci- = 1e-1 = d-",
    "milli- = 1e-3 = m-",
    "micro- = 1e-6 = µ- = μ- = u- = mc-",
    "nano- = 1e-9 = n-",
    "percent = 0.01 = %",
    "kilogram_body_weight = [body_weight] = kg_bw",
)

_T = TypeVar("_T")
_V = TypeVar("_V")

MASS, LENGTH, TIME, BODY_WEIGHT = range(4)
Dimension = tuple[int, int, int, int]
Terms = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class _Definition:
    """One line of :data:`DEFINITIONS`: a base unit, or a scale times other units."""

    scale: float = 1
    reference: Terms = ()
    base: int | None = None


_DEFINED: dict[str, _Definition] = {
    "second": _Definition(base=TIME),
    "minute": _Definition(60, (("second", 1),)),
    "hour": _Definition(60, (("minute", 1),)),
    "day": _Definition(24, (("hour", 1),)),
    "gram": _Definition(base=MASS),
    "meter": _Definition(base=LENGTH),
    "liter": _Definition(1, (("decimeter", 3),)),
    "percent": _Definition(0.01),
    "kilogram_body_weight": _Definition(base=BODY_WEIGHT),
}
_PREFIXES: dict[str, float] = {
    "kilo": 1e3,
    "deci": 1e-1,
    "milli": 1e-3,
    "micro": 1e-6,
    "nano": 1e-9,
}
_UNIT_SPELLINGS: dict[str, str] = {
    **{name: name for name in _DEFINED},
    **dict.fromkeys(("s", "sec"), "second"),
    "min": "minute",
    **dict.fromkeys(("h", "hr"), "hour"),
    "d": "day",
    "g": "gram",
    "m": "meter",
    **dict.fromkeys(("l", "L", "litre"), "liter"),
    "%": "percent",
    "kg_bw": "kilogram_body_weight",
}
_PREFIX_SPELLINGS: dict[str, str] = {
    **{name: name for name in _PREFIXES},
    "k": "kilo",
    "d": "deci",
    "m": "milli",
    **dict.fromkeys(("µ", "μ", "u", "mc"), "micro"),
    "n": "nano",
}
# How a clinician writes each unit; a unit without one is written by its name.
_SYMBOLS: dict[str, str] = {
    "gram": "g",
    "milligram": "mg",
    "microgram": "µg",
    "nanogram": "ng",
    "kilogram": "kg",
    "kilogram_body_weight": "kg",
    "liter": "L",
    "milliliter": "mL",
    "hour": "h",
    "minute": "min",
    "second": "s",
    "day": "day",
}


@lru_cache(maxsize=128)
def _definition(name: str) -> _Definition:
    """A defined unit, or a prefixed one (milligram is 1e-3 gram, as pint builds it)."""
    return _prefixed(
        name, _DEFINED, _PREFIXES, lambda scale, unit: _Definition(scale, ((unit, 1),))
    )


@lru_cache(maxsize=128)
def _unit_name(spelling: str) -> str:
    """The name pint gives a spelling: a unit's own, or a prefix's followed by a unit's."""
    return _prefixed(
        spelling,
        _UNIT_SPELLINGS,
        _PREFIX_SPELLINGS,
        lambda name, rest: name + _UNIT_SPELLINGS[rest],
    )


def _prefixed(
    text: str,
    units: Mapping[str, _T],
    prefixes: Mapping[str, _V],
    join: Callable[[_V, str], _T],
) -> _T:
    """``text`` as one of ``units``, or as a prefix followed by one of them, as pint splits it."""
    if text in units:
        return units[text]
    for prefix, value in prefixes.items():
        rest = text.removeprefix(prefix)
        if rest != text and rest in units:
            return join(value, rest)
    raise ValueError(f"'{text}' is not a unit of the product's registry")


def _combined(left: Terms, right: Terms, sign: int) -> Terms:
    """``left`` times ``right`` to the power ``sign``; a term that cancels leaves, as in pint."""
    terms = dict(left)
    for name, exponent in right:
        terms[name] = terms.get(name, 0) + sign * exponent
        if terms[name] == 0:
            del terms[name]
    return tuple(terms.items())


@lru_cache(maxsize=1024)
def _reduced(terms: Terms) -> tuple[float, Dimension]:
    """The factor to the base units and the dimension, multiplied out as pint multiplies them.

    pint keeps each scale's count in a numerator and a denominator, cancels them, and then
    multiplies the numerator's scales (``scale ** count``) before the denominator's, each in the
    order first met.
    """
    numerator: dict[float, int] = {}
    denominator: dict[float, int] = {}
    dimension = [0, 0, 0, 0]
    _collect(terms, 1, numerator, denominator, dimension)
    for scale in [s for s in numerator if s in denominator]:
        if numerator[scale] >= denominator[scale]:
            numerator[scale] -= denominator.pop(scale)
        else:
            denominator[scale] -= numerator.pop(scale)
    factor: float = 1
    for scale, count in numerator.items():
        if count:
            factor *= scale**count
    for scale, count in denominator.items():
        if count:
            factor *= scale**-count
    return factor, (dimension[0], dimension[1], dimension[2], dimension[3])


def _collect(
    terms: Terms,
    power: int,
    numerator: dict[float, int],
    denominator: dict[float, int],
    dimension: list[int],
) -> None:
    for name, exponent in terms:
        definition = _definition(name)
        count = power * exponent
        if definition.base is not None:
            dimension[definition.base] += count
            continue
        if count < 0:
            denominator[definition.scale] = denominator.get(definition.scale, 0) - count
        else:
            numerator[definition.scale] = numerator.get(definition.scale, 0) + count
        _collect(definition.reference, count, numerator, denominator, dimension)


@dataclass(frozen=True)
class Unit:
    """A unit as written: its terms (pint's unit names with their exponents), in written order."""

    terms: Terms

    @classmethod
    def named(cls, text: str) -> Unit:
        """A unit in pint's notation for this registry: names or symbols joined by ``/``."""
        return _named(text)

    @classmethod
    def of_terms(cls, terms: Terms) -> Unit:
        """The product of ``terms`` in order, each a (pint unit name, exponent) pair."""
        unit = cls(())
        for term in terms:
            unit = unit * cls((term,))
        return unit

    @cached_property
    def dimension(self) -> Dimension:
        """Exponents of mass, length, time and body weight."""
        return _reduced(self.terms)[1]

    def factor_to(self, other: Unit) -> float:
        """The number a value in this unit is multiplied by to be in ``other`` (pint's factor).

        Raises :class:`TypeError` (pint's ``DimensionalityError`` is one) across dimensions.
        """
        return _factor(self, other)

    def __mul__(self, other: Unit) -> Unit:
        """The product unit, terms merged as pint merges them."""
        return Unit(_combined(self.terms, other.terms, 1))

    def __truediv__(self, other: Unit) -> Unit:
        """The quotient unit, terms merged as pint merges them."""
        return Unit(_combined(self.terms, other.terms, -1))

    def __str__(self) -> str:
        """The clinical symbols, numerator first: ``mg/kg/h``, ``mL/h``, ``µg``."""
        numerator: list[str] = []
        denominator: list[str] = []
        for name, exponent in self.terms:
            target = numerator if exponent > 0 else denominator
            target.extend([_SYMBOLS.get(name, name)] * abs(exponent))
        return "/".join(["".join(numerator) or "1", *denominator])


@lru_cache(maxsize=256)
def _named(text: str) -> Unit:
    numerator, *denominators = text.split("/")
    terms: Terms = () if numerator.strip() == "1" else ((_unit_name(numerator.strip()), 1),)
    terms += tuple((_unit_name(part.strip()), -1) for part in denominators)
    return Unit.of_terms(terms)


@lru_cache(maxsize=1024)
def _factor(source: Unit, target: Unit) -> float:
    if source.dimension != target.dimension:
        raise TypeError(f"cannot convert from '{source}' to '{target}'")
    return _reduced((source / target).terms)[0]
