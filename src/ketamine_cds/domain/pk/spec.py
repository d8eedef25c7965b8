"""The published form of a pharmacokinetic model file: closed, cited, unit-bearing.

Every number carries its unit (read with pint, from the product's unit definitions) and its
source. Unknown keys are errors, so a typo in a model file cannot silently drop a parameter.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.pint_units import ureg

ROUTES = ("iv", "sc", "oral", "sublingual", "intranasal", "im")
Route = Literal["iv", "sc", "oral", "sublingual", "intranasal", "im"]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _pint_unit(unit: str) -> str:
    """Read a clinician's unit: a kilogram in a denominator is body weight."""
    return unit.replace("/kg", "/kg_bw")


class CitedValue(_Closed):
    """A number with its unit and where it comes from."""

    value: float
    unit: str = "1"
    source: str = Field(min_length=3, description="Seed section or author, year, journal.")
    note: str | None = None

    def to(self, unit: str) -> float:
        """The value converted to ``unit`` (pint syntax; ``/kg`` means per kg body weight)."""
        try:
            q = ureg.Quantity(self.value, _pint_unit(self.unit))
            return float(q.to(_pint_unit(unit)).magnitude)
        except Exception as error:  # pint raises several unrelated types here
            raise UserInputError(
                f"{self.value} {self.unit} cannot be read as {unit} ({error})"
            ) from error

    def is_per_kg(self) -> bool:
        """Whether the unit is per kilogram of body weight."""
        return "/kg" in self.unit


class Compartment(_Closed):
    """One compartment; a volume is needed where a concentration is read."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    drug: Literal["ketamine", "norketamine"] = "ketamine"
    volume: CitedValue | None = None
    observed: bool = Field(
        default=False, description="Plasma concentration is read from this compartment."
    )


class Flow(_Closed):
    """A first-order transfer out of ``source`` into ``target`` (``null`` = elimination)."""

    from_: str = Field(alias="from")
    to: str | None
    rate_constant: CitedValue | None = None
    clearance: CitedValue | None = None

    @model_validator(mode="after")
    def _one_parameter(self) -> Flow:
        if (self.rate_constant is None) == (self.clearance is None):
            raise ValueError("a flow gives exactly one of rate_constant or clearance")
        return self

    @property
    def name(self) -> str:
        """The flow's name in variability entries, e.g. ``central->peripheral``."""
        return f"{self.from_}->{self.to or 'out'}"


SCALES = ("scale:clearance", "scale:volume")


class Correlation(_Closed):
    """Correlation of two log-normal draws, as published or derived from published figures."""

    with_: str = Field(alias="with", description="the earlier variability entry it is tied to")
    value: float = Field(gt=-1, lt=1)
    source: str = Field(min_length=3)


class Variability(_Closed):
    """Log-normal between-subject variability of one parameter, as published.

    ``scale:clearance`` multiplies the parent drug's elimination; ``scale:volume`` multiplies
    every parent-drug volume at unchanged clearances (so the terminal volume Vβ and the
    half-lives scale with it). Both serve models published as micro-constants, whose own
    papers give variability of clearance and volume rather than of each constant.
    """

    parameter: str = Field(
        description="'volume:<compartment>', 'flow:<from>-><to|out>', or a scale:… name."
    )
    also: tuple[str, ...] = Field(
        default=(), description="parameters that share the same draw (one flow both ways)"
    )
    cv_percent: float = Field(gt=0, lt=500)
    source: str = Field(min_length=3)
    correlation: Correlation | None = None
    note: str | None = None


class DepotInput(_Closed):
    """Part of an extravascular dose: into which compartment, how much, and how fast."""

    compartment: str
    fraction: CitedValue
    zero_order_h: CitedValue | None = None


class TimeToPeak(_Closed):
    """How a first-order absorption rate was derived where the source gives a time to peak."""

    tmax: CitedValue
    half_life: CitedValue = Field(
        description="elimination half-life of the one-compartment reading of the source"
    )
    model: str = Field(min_length=10, description="the disposition the derivation assumes")


class Absorption(_Closed):
    """First-order absorption from a depot into the central compartment, the same in every model.

    ``rate_constant`` is the source's own where it publishes one; where it publishes only a
    time to peak, the rate constant is derived once (``derived_from``) and recorded here.
    ``bound`` says when the rate is only a limit (``upper``: absorption is at most this fast).
    """

    rate_constant: CitedValue
    derived_from: TimeToPeak | None = None
    bound: Literal["upper"] | None = None


class RouteSpec(_Closed):
    """How a dose by one route reaches the model.

    Either ``inputs`` (the model's own absorption compartments, as the source publishes them)
    or ``bioavailability`` (1 for intravenous) with an ``absorption`` for extravascular routes.
    """

    inputs: tuple[DepotInput, ...] = ()
    bioavailability: CitedValue | None = None
    alternatives: tuple[CitedValue, ...] = ()
    absorption: Absorption | None = None
    assumption: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> RouteSpec:
        if bool(self.inputs) == (self.bioavailability is not None):
            raise ValueError("a route gives either inputs or bioavailability, not both")
        if self.inputs and self.absorption is not None:
            raise ValueError("a route with the model's own inputs takes no separate absorption")
        return self


class WeightScaling(_Closed):
    """How the model's parameters follow body weight, as its source (or the product) reads it.

    Values are taken at ``reference_kg`` (a per-kg value is multiplied by it), then scaled by
    ``(weight / reference_kg) ** exponent``: clearances by ``clearance_exponent``, volumes by
    ``volume_exponent``. Rate constants of disposition therefore scale by the difference.
    """

    reference_kg: float = Field(gt=0)
    clearance_exponent: float = Field(ge=0, le=1)
    volume_exponent: float = Field(ge=0, le=1)
    source: str = Field(min_length=3)
    reading: str | None = Field(
        default=None, description="where the product chooses, its reading and the reason"
    )


class Enantiomer(_Closed):
    """The model describes one enantiomer: the share of a racemic dose it receives."""

    name: Literal["S-ketamine"]
    share_of_racemic_dose: CitedValue


class Reference(_Closed):
    """The publication a model comes from."""

    citation: str = Field(min_length=10)
    transcribed_from: str | None = None
    doi: str | None = None
    note: str | None = Field(
        default=None, description="what of the citation was and was not verified"
    )


class PkModelSpec(_Closed):
    """A published compartment model of ketamine, as one reviewable data file."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    drug: str
    population: str
    reference: Reference
    compartments: tuple[Compartment, ...]
    flows: tuple[Flow, ...]
    variability: tuple[Variability, ...] = ()
    variability_note: str = Field(min_length=3)
    routes: dict[Route, RouteSpec] = Field(default_factory=dict)
    routes_from: str | None = Field(
        default=None, description="id of a shared route file for racemic ketamine"
    )
    weight_scaling: WeightScaling
    enantiomer: Enantiomer | None = None
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> PkModelSpec:
        ids = [c.id for c in self.compartments]
        if len(set(ids)) != len(ids):
            raise ValueError("compartment ids must be unique")
        known = set(ids)
        for flow in self.flows:
            if flow.from_ not in known or (flow.to is not None and flow.to not in known):
                raise ValueError(f"flow {flow.name} names an unknown compartment")
        observed = [c for c in self.compartments if c.observed]
        if not any(c.drug == "ketamine" for c in observed):
            raise ValueError("one ketamine compartment must be observed")
        if len({c.drug for c in observed}) != len(observed):
            raise ValueError("at most one compartment of each drug is observed")
        for c in observed:
            if c.volume is None:
                raise ValueError(f"observed compartment {c.id} needs a volume")
        return self

    @model_validator(mode="after")
    def _variability_known(self) -> PkModelSpec:
        names = {f"volume:{c.id}" for c in self.compartments if c.volume is not None}
        names |= {f"flow:{f.name}" for f in self.flows} | set(SCALES)
        unknown = [
            name for v in self.variability for name in (v.parameter, *v.also) if name not in names
        ]
        if unknown:
            raise ValueError(f"variability names an unknown parameter {unknown[0]}")
        earlier: set[str] = set()
        for v in self.variability:
            if v.correlation is not None and v.correlation.with_ not in earlier:
                raise ValueError(
                    f"the correlation of {v.parameter} names {v.correlation.with_}, "
                    "which is not an earlier variability entry"
                )
            earlier.add(v.parameter)
        return self

    @model_validator(mode="after")
    def _routes_known(self) -> PkModelSpec:
        known = {c.id for c in self.compartments}
        for route in self.routes.values():
            for depot in route.inputs:
                if depot.compartment not in known:
                    raise ValueError(f"route input names unknown compartment {depot.compartment}")
        return self


class RouteFile(_Closed):
    """Shared route data (bioavailability, time to peak) for one drug form."""

    id: str
    drug: str
    routes: dict[Route, RouteSpec]
