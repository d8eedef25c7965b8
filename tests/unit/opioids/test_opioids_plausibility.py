"""The plausibility bounds: consistent with the equivalence tables, complete, and cited."""

from __future__ import annotations

import math
from typing import Any

import pytest
from library import REF
from pydantic import ValidationError

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.plausibility import PlausibilityTable, figure
from ketamine_cds.domain.opioids.regimen import Regimen
from ketamine_cds.domain.opioids.tables import DoseBasis, Opioid, OpioidRoute
from ketamine_cds.service import opioids

REFERENCE_MED = 10_000.0


def _round_down_two_figures(value: float) -> float:
    """The rule the data file states: rounded down to two significant figures."""
    scale = 10 ** (math.floor(math.log10(value)) - 1)
    return math.floor(value / scale) * scale


def _highest_factor(drug: Opioid, route: OpioidRoute) -> float | None:
    """The highest factor any shipped table gives for a drug and route (top tier for tiers)."""
    factors: list[float] = []
    for table in REF.opioid_tables():
        for entry in table.factors:
            if entry.drug is drug and route in entry.routes and entry.covered:
                if entry.factor is not None:
                    factors.append(entry.factor)
                factors.extend(tier.factor for tier in entry.tiers or ())
    return max(factors) if factors else None


def test_the_total_bound_is_the_reference_figure() -> None:
    """The total bound is 10,000 mg/day, the figure each full agonist's bound is derived from."""
    assert REF.opioid_plausibility().total.max == REFERENCE_MED


def test_each_derived_bound_is_the_total_at_the_highest_shipped_factor() -> None:
    """Every line that says it is derived from the total equals 10,000 / highest factor."""
    checked = 0
    for line in REF.opioid_plausibility().doses:
        if "oral morphine equivalent at" not in line.why:
            continue
        factors = {_highest_factor(line.drug, route) for route in line.routes}
        factors.discard(None)
        assert factors, f"{line.drug} {line.routes}: no shipped factor to derive from"
        expected = _round_down_two_figures(REFERENCE_MED / max(f for f in factors if f))
        assert line.max == pytest.approx(expected), (line.drug.value, line.routes)
        checked += 1
    assert checked >= 10


def test_every_drug_and_route_a_table_covers_has_a_bound() -> None:
    """No drug and route that a shipped table converts is refused as an unknown use."""
    bounds = REF.opioid_plausibility()
    for table in REF.opioid_tables():
        for entry in table.factors:
            for route in entry.routes:
                assert bounds.dose_bound(entry.drug, route) is not None, (entry.drug, route)


def test_each_bound_is_in_the_unit_its_factors_multiply() -> None:
    """A bound's basis is the basis of every shipped factor for that drug and route."""
    bounds = REF.opioid_plausibility()
    for table in REF.opioid_tables():
        for entry in table.factors:
            if not entry.covered:
                continue
            for route in entry.routes:
                bound = bounds.dose_bound(entry.drug, route)
                assert bound is not None
                assert bound.basis is entry.basis, (table.id, entry.drug, route)


def test_every_bound_has_its_reason_and_source() -> None:
    """Each bound says why and where from; a least bound says why too."""
    for line in REF.opioid_plausibility().doses:
        assert line.why
        assert line.source
        assert (line.min is None) == (line.min_why is None)


def test_patches_have_a_least_bound() -> None:
    """The two patch drugs have a least µg/h (the smallest marketed patch)."""
    bounds = REF.opioid_plausibility()
    for drug, least in ((Opioid.FENTANYL, 12.0), (Opioid.BUPRENORPHINE, 5.0)):
        bound = bounds.dose_bound(drug, OpioidRoute.TRANSDERMAL)
        assert bound is not None
        assert bound.basis is DoseBasis.UG_PER_H
        assert bound.min == least


def _data() -> dict[str, Any]:
    return REF.opioid_plausibility().model_dump(mode="json")


def test_two_bounds_for_one_drug_and_route_are_refused() -> None:
    """A data file with two lines for oral morphine does not load."""
    data = _data()
    data["doses"].append(dict(data["doses"][0]))
    with pytest.raises(ValidationError, match="two bounds"):
        PlausibilityTable.model_validate(data)


def test_a_least_bound_without_its_reason_is_refused() -> None:
    """min without min_why does not load."""
    data = _data()
    data["doses"][0]["min"] = 1.0
    with pytest.raises(ValidationError, match="min_why"):
        PlausibilityTable.model_validate(data)


def test_a_bound_of_nan_is_refused() -> None:
    """A bound must be a finite number."""
    data = _data()
    data["total"]["max"] = float("nan")
    with pytest.raises(ValidationError):
        PlausibilityTable.model_validate(data)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (25000.0, "25,000"),
        (0.025, "0.025"),
        (60.0, "60"),
        (1_500_000.0, "1,500,000"),
        (2e300, "2e+300"),
    ],
)
def test_figures_in_sentences(value: float, shown: str) -> None:
    """Figures carry thousands separators and no float noise."""
    assert figure(value) == shown


def test_no_reading_is_offered_when_the_smaller_unit_is_also_implausible() -> None:
    """50,000 mg/h of patch: a thousand times smaller is still far above; no µg reading is made."""
    regimen = Regimen.model_validate(
        {"items": [{"drug": "fentanyl", "route": "td", "patch": "50000 mg/h"}]}
    )
    with pytest.raises(UserInputError) as refused:
        opioids.med_of(REF, regimen)
    assert "above the plausible 3,300 µg/h" in str(refused.value)
    assert "if it was entered" not in str(refused.value)


def test_no_reading_is_offered_for_a_value_written_in_micrograms() -> None:
    """4,000 µg/h written in µg/h: there is no smaller unit a clinician would have meant."""
    regimen = Regimen.model_validate(
        {"items": [{"drug": "fentanyl", "route": "td", "patch": "4000 µg/h"}]}
    )
    with pytest.raises(UserInputError) as refused:
        opioids.med_of(REF, regimen)
    assert "if it was entered" not in str(refused.value)
