"""Dose quantities that cannot be confused.

Every clinical amount is one of a few small types — :class:`Mass`, :class:`Rate`,
:class:`PerKgMass`, :class:`PerKgRate`, :class:`Concentration`, :class:`VolumeRate`,
:class:`Duration` — each wrapping a pint quantity of one fixed dimensionality. Body weight is its
own pint dimension (``kg_bw``), because pint would otherwise treat mg/kg as dimensionless and let a
weight-based dose pass where an absolute one is expected. Converting between the two takes a
:class:`BodyWeight`, explicitly.

>>> str(parse_quantity("55 mcg/kg/hr"))
'55 µg/kg/h'
>>> parse_rate("0.1 mg/kg/h").for_weight(BodyWeight.from_kg(70)).mg_per_h
7.000000000000001
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache, total_ordering
from typing import ClassVar, Self

from ketamine_cds.domain.errors import UserInputError

# pint imports each of these it can find, for arrays, uncertainties and locales; the product's
# quantities are single numbers, and numpy and scipy alone take longer to import than a plan.
_PINT_EXTRAS = ("numpy", "scipy", "uncertainties", "babel")


@contextmanager
def _without_pint_extras() -> Iterator[None]:
    """Import pint without its optional libraries, in every process alike (docs/adr/0120).

    A ``None`` in ``sys.modules`` makes ``import numpy`` fail inside pint, which then leaves its
    array support out; whatever was loaded before is put back. A pint imported before is used as
    it is.
    """
    if "pint" in sys.modules:
        yield
        return
    loaded = {name: sys.modules[name] for name in _PINT_EXTRAS if name in sys.modules}
    for name in _PINT_EXTRAS:
        sys.modules[name] = None  # type: ignore[assignment] # the documented import block
    try:
        yield
    finally:
        for name in _PINT_EXTRAS:
            del sys.modules[name]
        sys.modules.update(loaded)


with _without_pint_extras():
    import pint

# Only the units a dose, a volume or a pharmacokinetic constant is written in: pint's full
# definitions take 20 times longer to build than every command's own work, and a unit outside
# this list is one the product should refuse anyway.
_DEFINITIONS = (
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
ureg: pint.UnitRegistry = pint.UnitRegistry(None)  # type: ignore[type-arg]
for _definition in _DEFINITIONS:
    ureg.define(_definition)

Q = ureg.Quantity

LB_TO_KG = 0.45359237  # exact, by the international yard and pound agreement (1959)

_MICRO = ("µg", "μg", "mcg", "ug")  # micro sign, Greek mu, and the two ASCII spellings
_TOKENS: dict[str, str] = {
    "g": "gram",
    "mg": "milligram",
    "microgram": "microgram",
    "ng": "nanogram",
    "kg": "kilogram",
    "l": "liter",
    "ml": "milliliter",
    "h": "hour",
    "hr": "hour",
    "hrs": "hour",
    "hour": "hour",
    "hours": "hour",
    "min": "minute",
    "mins": "minute",
    "minute": "minute",
    "minutes": "minute",
    "s": "second",
    "sec": "second",
    "d": "day",
    "day": "day",
    "days": "day",
    "24h": "day",
    "24hr": "day",
    "24hrs": "day",
    "24hours": "day",
}
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
_NUMBER = r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?"
_QUANTITY_RE = re.compile(rf"^\s*(?P<number>{_NUMBER})\s*(?P<unit>.*?)\s*$")


def _normalise_unit_text(text: str) -> list[tuple[str, int]]:
    """Split what a clinician wrote into (pint unit name, exponent) pairs.

    Accepts ``mg/kg/h``, ``mg/kg/hr``, ``mg per kg per hour``, ``µg kg-1 h-1`` and ``mg/24 h``.
    The kilogram of a denominator is body weight; a kilogram in the numerator is a mass.
    """
    unit = text.strip().lower().replace("−", "-").replace("⁻¹", "-1")
    for micro in _MICRO:
        unit = unit.replace(micro, "microgram")
    unit = re.sub(r"\bper\b", "/", unit)
    unit = re.sub(r"24\s*(h|hr|hrs|hours)\b", r"24\1", unit)
    if not unit:
        raise UserInputError("a number was given without its unit")
    parts: list[tuple[str, int]] = []
    for i, chunk in enumerate(unit.split("/")):
        words = chunk.split()
        if not words:
            raise UserInputError(f"'{text}' is not a unit the product reads")
        for word in words:
            match = re.fullmatch(r"([a-z0-9]+?)(?:\^?(-?1))?", word)
            if match is None or match.group(1) not in _TOKENS:
                raise UserInputError(f"'{word}' in '{text}' is not a unit the product reads")
            exponent = -1 if (i > 0 or match.group(2) == "-1") else 1
            name = _TOKENS[match.group(1)]
            if name == "kilogram" and exponent < 0:
                name = "kilogram_body_weight"
            parts.append((name, exponent))
    return parts


def _number_text(value: float) -> str:
    """Shortest text that reads back as exactly the same float."""
    text = repr(float(value))
    return text.removesuffix(".0")


@total_ordering
@dataclass(frozen=True)
class Measure:
    """A quantity of one fixed kind; subclasses name the kind and its canonical unit."""

    q: pint.Quantity  # type: ignore[type-arg]
    dimensionality: ClassVar[str] = ""
    canonical: ClassVar[str] = ""
    kind_name: ClassVar[str] = ""

    def __post_init__(self) -> None:
        """Refuse a quantity of the wrong dimension: that is how mg and mg/kg stay apart."""
        if self.q.dimensionality != _unit(self.canonical).dimensionality:
            raise UserInputError(
                f"{self._format(self.q)} is not a {self.kind_name} "
                f"(expected something like '{self.canonical_symbol()}')"
            )

    @classmethod
    def of(cls, value: float, unit: str) -> Self:
        """Build from a number and a pint unit name, e.g. ``Rate.of(5, "mg/h")``."""
        return cls(Q(value, unit))

    @classmethod
    def canonical_symbol(cls) -> str:
        """The canonical unit as a clinician writes it."""
        return _symbol_of(cls.canonical)

    def magnitude(self, unit: str | None = None) -> float:
        """The number in ``unit`` (the canonical unit when not given)."""
        if unit is None or unit == self.canonical:
            return self._canonical_magnitude
        return float(self.q.to(_unit(unit)).magnitude)

    @cached_property
    def _canonical_magnitude(self) -> float:
        # Conversions dominate the bedside engine's time; a measure is immutable, so once is enough,
        # and none at all when it is in the canonical unit already.
        canonical = _unit(self.canonical)
        if self.q.units == canonical:
            return float(self.q.magnitude)
        return float(self.q.to(canonical).magnitude)

    def __str__(self) -> str:
        """The quantity as written, e.g. ``55 µg/kg/h``."""
        return self._format(self.q)

    @staticmethod
    def _format(q: pint.Quantity) -> str:  # type: ignore[type-arg]
        return f"{_number_text(float(q.magnitude))} {_unit_symbol(q.units)}"

    def _same_kind(self, other: object) -> Measure:
        if type(other) is not type(self):
            raise TypeError(f"cannot compare {type(self).__name__} with {type(other).__name__}")
        assert isinstance(other, Measure)  # noqa: S101 - narrowed by the type check above
        return other

    def __lt__(self, other: object) -> bool:
        """Order by value within one kind; comparing kinds is a type error."""
        return self.magnitude() < self._same_kind(other).magnitude()

    def __eq__(self, other: object) -> bool:
        """Equal when of the same kind and value, whatever the unit written."""
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Measure)  # noqa: S101
        return bool(
            abs(self.magnitude() - other.magnitude()) <= 1e-12 * max(1.0, abs(self.magnitude()))
        )

    def __hash__(self) -> int:
        """Hash by canonical value (rounded) so equal measures hash alike."""
        return hash((type(self).__name__, round(self.magnitude(), 9)))

    def scaled(self, factor: float) -> Self:
        """The same kind, multiplied by a plain factor (a titration step of +50 %, say)."""
        return type(self)(self.q * factor)


@lru_cache(maxsize=512)
def _unit(name: str) -> pint.Unit:
    """A unit parsed once: pint re-parses unit text on every conversion otherwise."""
    return ureg.Unit(name)


@lru_cache(maxsize=64)
def _symbol_of(name: str) -> str:
    return _unit_symbol(ureg.parse_units(name))


def _unit_symbol(units: object) -> str:
    numerator: list[str] = []
    denominator: list[str] = []
    for name, power in dict(units._units).items():  # type: ignore[attr-defined]  # noqa: SLF001 - pint keeps the written order only here
        symbol = _SYMBOLS.get(name, name)
        target = numerator if float(power) > 0 else denominator
        target.extend([symbol] * round(abs(float(power))))
    text = "".join(numerator) or "1"
    return "/".join([text, *denominator])


class Mass(Measure):
    """An absolute amount of drug, e.g. ``30 mg``."""

    canonical = "mg"
    kind_name = "dose (mass)"

    @property
    def mg(self) -> float:
        """Milligrams."""
        return self.magnitude("mg")

    def per_weight(self, weight: BodyWeight) -> PerKgMass:
        """The weight-based dose this amount is for a patient."""
        return PerKgMass(self.q / weight.q_bw)

    def over(self, duration: Duration) -> Rate:
        """The rate that gives this amount over ``duration``."""
        return Rate(self.q / duration.q)


class PerKgMass(Measure):
    """A weight-based amount, e.g. ``0.5 mg/kg``; needs a body weight to become a :class:`Mass`."""

    canonical = "mg/kg_bw"
    kind_name = "weight-based dose (mg/kg)"

    @property
    def mg_per_kg(self) -> float:
        """Milligrams per kilogram of body weight."""
        return self.magnitude()

    def for_weight(self, weight: BodyWeight) -> Mass:
        """The absolute amount for this patient."""
        # The canonical mg/kg times the kilograms: the same number as pint's product, converted,
        # at a fraction of its cost (replays convert every weight-based figure they read).
        return Mass(Q(self.magnitude() * weight.kg, _unit("mg")))


class Rate(Measure):
    """An absolute rate, e.g. ``5 mg/h`` or ``100 mg/24 h``."""

    canonical = "mg/hour"
    kind_name = "rate (mg/h)"

    @property
    def mg_per_h(self) -> float:
        """Milligrams per hour."""
        return self.magnitude("mg/hour")

    @property
    def mg_per_day(self) -> float:
        """Milligrams per 24 hours."""
        return self.magnitude("mg/day")

    def per_weight(self, weight: BodyWeight) -> PerKgRate:
        """The weight-based rate this is for a patient."""
        return PerKgRate(self.q / weight.q_bw)

    def for_duration(self, duration: Duration) -> Mass:
        """The amount delivered at this rate over ``duration``."""
        return Mass((self.q * duration.q).to(_unit("mg")))

    def volume_rate(self, concentration: Concentration) -> VolumeRate:
        """The pump rate for a bag or syringe of ``concentration``."""
        return VolumeRate((self.q / concentration.q).to(_unit("mL/hour")))


class PerKgRate(Measure):
    """A weight-based rate, e.g. ``0.1 mg/kg/h``, ``55 µg/kg/h`` or ``1.5 mg/kg/day``."""

    canonical = "mg/kg_bw/hour"
    kind_name = "weight-based rate (mg/kg/h)"

    @property
    def mg_per_kg_per_h(self) -> float:
        """Milligrams per kilogram per hour."""
        return self.magnitude()

    def for_weight(self, weight: BodyWeight) -> Rate:
        """The absolute rate for this patient."""
        # As PerKgMass.for_weight: the canonical mg/kg/h times the kilograms.
        return Rate(Q(self.magnitude() * weight.kg, _unit("mg/hour")))


class Concentration(Measure):
    """A bag or syringe concentration, e.g. ``1 mg/mL``."""

    canonical = "mg/mL"
    kind_name = "concentration (mg/mL)"


class VolumeRate(Measure):
    """A pump rate, e.g. ``7 mL/h``."""

    canonical = "mL/hour"
    kind_name = "pump rate (mL/h)"

    @property
    def ml_per_h(self) -> float:
        """Millilitres per hour."""
        return self.magnitude()


class Duration(Measure):
    """A length of time, e.g. ``6 h`` or ``30 min``."""

    canonical = "hour"
    kind_name = "duration"

    @property
    def hours(self) -> float:
        """Hours."""
        return self.magnitude()


MEASURE_KINDS: tuple[type[Measure], ...] = (
    Mass,
    PerKgMass,
    Rate,
    PerKgRate,
    Concentration,
    VolumeRate,
    Duration,
)


@lru_cache(maxsize=1024)
def _units_of(text: str) -> pint.Unit:
    """The unit written after a number, parsed once per spelling (pint's parser is slow)."""
    units = ureg.dimensionless
    for name, exponent in _normalise_unit_text(text):
        units = units * ureg.parse_units(name) ** exponent
    return units


def parse_quantity(text: str) -> Measure:
    """Read a clinician's quantity into the one kind whose dimension it has.

    Raises :class:`UserInputError` with one sentence for a missing or unknown unit.
    """
    match = _QUANTITY_RE.match(text)
    if match is None:
        raise UserInputError(f"'{text}' is not a number followed by a unit")
    value = float(match.group("number"))
    q = Q(value, _units_of(match.group("unit")))
    for kind in MEASURE_KINDS:
        if q.dimensionality == _unit(kind.canonical).dimensionality:
            return kind(q)
    raise UserInputError(f"'{text}' is not a dose, rate, concentration, pump rate or duration")


def _wrong_kind(text: str, measure: Measure, what: str) -> UserInputError:
    return UserInputError(f"'{text}' is a {measure.kind_name}, but a {what} was expected")


def parse_rate(text: str) -> Rate | PerKgRate:
    """Read an infusion rate, absolute (``5 mg/h``) or weight-based (``0.1 mg/kg/h``)."""
    measure = parse_quantity(text)
    if isinstance(measure, Rate | PerKgRate):
        return measure
    raise _wrong_kind(text, measure, "rate such as '5 mg/h' or '0.1 mg/kg/h'")


def parse_amount(text: str) -> Mass | PerKgMass:
    """Read a dose, absolute (``30 mg``) or weight-based (``0.5 mg/kg``)."""
    measure = parse_quantity(text)
    if isinstance(measure, Mass | PerKgMass):
        return measure
    raise _wrong_kind(text, measure, "dose such as '30 mg' or '0.5 mg/kg'")


def parse_duration(text: str) -> Duration:
    """Read a length of time (``6 h``, ``30 min``, ``5 days``)."""
    measure = parse_quantity(text)
    if isinstance(measure, Duration):
        return measure
    raise _wrong_kind(text, measure, "duration such as '6 h' or '30 min'")


def parse_concentration(text: str) -> Concentration:
    """Read a concentration (``1 mg/mL``)."""
    measure = parse_quantity(text)
    if isinstance(measure, Concentration):
        return measure
    raise _wrong_kind(text, measure, "concentration such as '1 mg/mL'")


@dataclass(frozen=True)
class BodyWeight:
    """A patient's weight in kilograms, remembering what was entered.

    A weight in pounds is converted and the conversion is kept so it can be shown.
    """

    kg: float
    entered: str

    @classmethod
    def from_kg(cls, kg: float) -> BodyWeight:
        """A weight entered in kilograms."""
        return cls(kg=float(kg), entered=f"{_number_text(kg)} kg")

    @classmethod
    def from_lb(cls, lb: float) -> BodyWeight:
        """A weight entered in pounds; the conversion is recorded in :attr:`conversion`."""
        return cls(kg=float(lb) * LB_TO_KG, entered=f"{_number_text(lb)} lb")

    @property
    def q_bw(self) -> pint.Quantity:  # type: ignore[type-arg]
        """The weight as a body-weight quantity, the only way into per-kg arithmetic."""
        return Q(self.kg, "kg_bw")

    @property
    def conversion(self) -> str | None:
        """How a pound value became kilograms, or None when kilograms were entered."""
        if self.entered.endswith(" lb"):
            return f"{self.entered} × {LB_TO_KG} kg/lb = {self.kg:.2f} kg"
        return None

    def __str__(self) -> str:
        """The weight in kilograms, with the pound conversion where there was one."""
        conversion = self.conversion
        return conversion or f"{_number_text(self.kg)} kg"
