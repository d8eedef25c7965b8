"""Dose quantities that cannot be confused.

Every clinical amount is one of a few small types — :class:`Mass`, :class:`Rate`,
:class:`PerKgMass`, :class:`PerKgRate`, :class:`Concentration`, :class:`VolumeRate`,
:class:`Duration` — each a number and a unit (:mod:`ketamine_cds.domain.unit_algebra`) of one
fixed dimension. Body weight is its own dimension (``kg_bw``), because mg/kg would otherwise be
dimensionless and let a weight-based dose pass where an absolute one is expected. Converting
between the two takes a :class:`BodyWeight`, explicitly. The factors are pint's, checked against
pint by the tests; pint itself is not imported here, so that a dose command starts without it
(docs/adr/0140).

>>> str(parse_quantity("55 mcg/kg/hr"))
'55 µg/kg/h'
>>> parse_rate("0.1 mg/kg/h").for_weight(BodyWeight.from_kg(70)).mg_per_h
7.0
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache, total_ordering
from typing import ClassVar, Self

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.unit_algebra import Unit

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
_NUMBER = r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?"
_QUANTITY_RE = re.compile(rf"^\s*(?P<number>{_NUMBER})\s*(?P<unit>.*?)\s*$")


def _normalise_unit_text(text: str) -> list[tuple[str, int]]:
    """Split what a clinician wrote into (unit name, exponent) pairs, names as pint spells them.

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

    number: float
    unit: Unit
    canonical: ClassVar[str] = ""
    kind_name: ClassVar[str] = ""

    def __post_init__(self) -> None:
        """Refuse a quantity of the wrong dimension: that is how mg and mg/kg stay apart."""
        if self.unit.dimension != Unit.named(self.canonical).dimension:
            raise UserInputError(
                f"{self} is not a {self.kind_name} "
                f"(expected something like '{self.canonical_symbol()}')"
            )

    @classmethod
    def of(cls, value: float, unit: str) -> Self:
        """Build from a number and a unit in pint's notation, e.g. ``Rate.of(5, "mg/h")``."""
        return cls(float(value), Unit.named(unit))

    @classmethod
    def canonical_symbol(cls) -> str:
        """The canonical unit as a clinician writes it."""
        return str(Unit.named(cls.canonical))

    def magnitude(self, unit: str | None = None) -> float:
        """The number in ``unit`` (the canonical unit when not given)."""
        if unit is None or unit == self.canonical:
            return self._canonical_magnitude
        return self.number * self.unit.factor_to(Unit.named(unit))

    @cached_property
    def _canonical_magnitude(self) -> float:
        # The bedside engine reads each measure's number many times; a measure is immutable.
        return self.number * self.unit.factor_to(Unit.named(self.canonical))

    def __str__(self) -> str:
        """The quantity as written, e.g. ``55 µg/kg/h``."""
        return f"{_number_text(self.number)} {self.unit}"

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
        return type(self)(self.number * factor, self.unit)


_MG = Unit.named("mg")
_MG_PER_HOUR = Unit.named("mg/hour")
_ML_PER_HOUR = Unit.named("mL/hour")
_BODY_WEIGHT = Unit.named("kg_bw")


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
        return PerKgMass(self.number / weight.kg, self.unit / _BODY_WEIGHT)

    def over(self, duration: Duration) -> Rate:
        """The rate that gives this amount over ``duration``."""
        return Rate(self.number / duration.number, self.unit / duration.unit)


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
        # The canonical mg/kg times the kilograms: the same number as the product of units,
        # converted, at a fraction of its cost (replays convert every weight-based figure).
        return Mass(self.magnitude() * weight.kg, _MG)


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
        return PerKgRate(self.number / weight.kg, self.unit / _BODY_WEIGHT)

    def for_duration(self, duration: Duration) -> Mass:
        """The amount delivered at this rate over ``duration``."""
        unit = self.unit * duration.unit
        return Mass(self.number * duration.number * unit.factor_to(_MG), _MG)

    def volume_rate(self, concentration: Concentration) -> VolumeRate:
        """The pump rate for a bag or syringe of ``concentration``."""
        unit = self.unit / concentration.unit
        number = self.number / concentration.number * unit.factor_to(_ML_PER_HOUR)
        return VolumeRate(number, _ML_PER_HOUR)


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
        return Rate(self.magnitude() * weight.kg, _MG_PER_HOUR)


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
def _units_of(text: str) -> Unit:
    """The unit written after a number, read once per spelling."""
    return Unit.of_terms(tuple(_normalise_unit_text(text)))


def parse_quantity(text: str) -> Measure:
    """Read a clinician's quantity into the one kind whose dimension it has.

    Raises :class:`UserInputError` with one sentence for a missing or unknown unit.
    """
    match = _QUANTITY_RE.match(text)
    if match is None:
        raise UserInputError(f"'{text}' is not a number followed by a unit")
    unit = _units_of(match.group("unit"))
    for kind in MEASURE_KINDS:
        if unit.dimension == Unit.named(kind.canonical).dimension:
            return kind(float(match.group("number")), unit)
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
    def conversion(self) -> str | None:
        """How a pound value became kilograms, or None when kilograms were entered."""
        if self.entered.endswith(" lb"):
            return f"{self.entered} × {LB_TO_KG} kg/lb = {self.kg:.2f} kg"
        return None

    def __str__(self) -> str:
        """The weight in kilograms, with the pound conversion where there was one."""
        conversion = self.conversion
        return conversion or f"{_number_text(self.kg)} kg"
